//! A loaded plan: the store's content plus an id index, with id-prefix
//! resolution and the structural facts every other module asks about
//! (a task's workflow group, its epic).

// `OnceLock`, not `OnceCell`: a plan stays `Sync` (shareable across threads).
use std::sync::Arc;
use std::sync::OnceLock as OnceCell;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::model::workflow::{Catalog, Slot, Workflow};
use crate::model::{Role, Status, StoreFile, Task, TaskType, random_id, title_issue};

/// The tasks of one store, indexed by id.
///
/// A plan restored from a snapshot starts *lazy*: it reads the few facts
/// every task is filtered and scheduled by ([`Facts`]) from the snapshot
/// when asked for, and decodes a whole task only when something asks for
/// it, since a read command prints a handful of a store's tasks. Anything that changes the plan, or asks for
/// all tasks at once, decodes them all first; the answers are the same
/// either way.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The store. While `lazy` is set its `tasks` is empty: they are in
    /// the source, or changed, in `lazy`.
    file: StoreFile,
    lazy: Option<Lazy>,
    /// Id -> index, built when first asked.
    index: OnceCell<Index>,
    /// Every workflow the store knows, phases indexed; built when first
    /// asked (parsing the built-ins costs a read that never needs them).
    catalog: OnceCell<Catalog>,
    /// Where each task came from, when tracked (see [`Plan::track_origins`]).
    origins: Option<Origins>,
    /// What is known of the canonical order (a write sorts when it
    /// applies its ops and again before it emits; neither should look at
    /// every task again when a command changed one).
    sorted: Sortedness,
}

/// The canonical order of tasks: by issue (tasks without one last), then
/// creation time, then id.
pub(crate) type SortKey<'a> = (bool, Option<u64>, Created, &'a str);

pub(crate) fn sort_key(issue: Option<u64>, created_at: Created, id: &str) -> SortKey<'_> {
    (issue.is_none(), issue, created_at, id)
}

/// When a task was created, as seconds and nanoseconds since the epoch.
/// Ordered as the time is; what tasks are sorted by. Why not a `DateTime`:
/// a restored plan reads its tasks' facts from the snapshot each time they
/// are asked for, and working out a calendar date cost more than all the
/// other facts together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Created {
    secs: i64,
    /// Up to 2e9 (a leap second's are past 1e9), as `DateTime` has them.
    nanos: u32,
}

impl Created {
    pub fn of(t: &DateTime<Utc>) -> Created {
        Created {
            secs: t.timestamp(),
            nanos: t.timestamp_subsec_nanos(),
        }
    }

    /// Seconds and nanoseconds since the epoch.
    pub(crate) fn parts(self) -> (i64, u32) {
        (self.secs, self.nanos)
    }

    /// From seconds and nanoseconds since the epoch, as stored.
    pub(crate) fn from_parts(secs: i64, nanos: u32) -> Created {
        Created { secs, nanos }
    }
}

/// What a plan knows of its tasks' canonical order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sortedness {
    Unknown,
    Sorted,
    /// Sorted but for the tasks at these indexes, changed or added since.
    Except(Vec<usize>),
}

impl Sortedness {
    /// Task `i` changed (or was added).
    fn touch(&mut self, i: usize) {
        *self = match std::mem::replace(self, Sortedness::Unknown) {
            Sortedness::Sorted => Sortedness::Except(vec![i]),
            Sortedness::Except(mut dirty) if dirty.len() < INSERT_MAX => {
                dirty.push(i);
                Sortedness::Except(dirty)
            }
            _ => Sortedness::Unknown,
        };
    }
}

// Library users share plans across threads: this stops compiling if a
// lazily filled field makes `Plan` lose `Send` or `Sync`.
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<Plan>();
};

/// What every task is filtered, scheduled and sorted by, at hand without
/// decoding the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub kind: TaskType,
    pub status: Status,
    pub issue: Option<u64>,
    pub priority: Option<u8>,
    pub role: Option<Role>,
    pub created_at: Created,
}

impl Facts {
    pub fn of(t: &Task) -> Facts {
        Facts {
            kind: t.kind,
            status: t.status,
            issue: t.issue,
            priority: t.priority,
            role: t.role,
            created_at: Created::of(&t.created_at),
        }
    }
}

/// A task's id, title and phase as bytes: UTF-8, unless a forged
/// snapshot lies (whoever shows them checks).
#[derive(Debug, Clone, Copy)]
pub struct Texts<'a> {
    pub id: &'a [u8],
    pub title: &'a [u8],
    pub phase: Option<&'a [u8]>,
}

/// Where a lazy plan's tasks come from (a snapshot's bytes).
pub trait TaskSource: std::fmt::Debug + Send + Sync {
    /// The id of task `i`.
    fn id(&self, i: usize) -> &str;
    /// Its title.
    fn title(&self, i: usize) -> &str;
    /// Its phase.
    fn phase(&self, i: usize) -> Option<&str>;
    /// Its parent epic's id.
    fn parent(&self, i: usize) -> Option<&str>;
    /// The ids it depends on explicitly.
    fn depends_on(&self, i: usize) -> Vec<&str>;
    /// Task `i`, decoded.
    fn task(&self, i: usize) -> Task;
    /// Task `i`'s facts, without decoding it.
    fn facts(&self, i: usize) -> Facts;
    /// Its status alone: what a task's state asks of each dependency.
    fn status(&self, i: usize) -> Status {
        self.facts(i).status
    }
    /// Its type alone.
    fn kind(&self, i: usize) -> TaskType {
        self.facts(i).kind
    }
    /// Its issue alone.
    fn issue(&self, i: usize) -> Option<u64> {
        self.facts(i).issue
    }
    /// Its id, title and phase as the source holds them, not checked as
    /// UTF-8: a table checks each for printable ASCII anyway, and for a
    /// table of 10,000 rows the check as UTF-8 first was a tenth of its
    /// time.
    fn texts(&self, i: usize) -> Texts<'_> {
        Texts {
            id: self.id(i).as_bytes(),
            title: self.title(i).as_bytes(),
            phase: self.phase(i).map(str::as_bytes),
        }
    }
    /// Task `i` as the source stores it (a snapshot's record of it, less
    /// where its encoding is, and its encoding), for a new snapshot to
    /// copy.
    fn encoded(&self, i: usize) -> Option<(&[u8], &[u8])>;
    /// The records and the encodings of tasks `from..to`, when the source
    /// holds each one after the other: a new snapshot copies them in one
    /// piece (and puts in where each encoding now is).
    fn encodings(&self, from: usize, to: usize) -> Option<(&[u8], &[u8])> {
        let _ = (from, to);
        None
    }
}

/// The tasks of a lazy plan: per task, where it is in the source, and the
/// task itself once decoded or changed.
#[derive(Debug, Clone)]
struct Lazy {
    source: Arc<dyn TaskSource>,
    /// Its index in the source ([`NEW`] for a task added since).
    src: Vec<u32>,
    /// Decoded from the source, unchanged.
    one: Vec<OnceCell<Box<Task>>>,
    /// Changed since read, or new.
    owned: Vec<Option<Box<Task>>>,
    /// Every task, once something asked for them all; dropped on a change.
    all: OnceCell<StoreFile>,
}

/// Room left at the end of a restored plan's lists (and its id index) for
/// the tasks a write adds: without it, adding one task to a 10,000-task
/// plan copied five lists (0.5 M instructions, 2026-12-04).
pub(crate) const ROOM: usize = 8;

/// At most this many tasks after a sorted prefix are put in place one by
/// one (by binary search) rather than by sorting every task again.
const INSERT_MAX: usize = 64;

/// The source index of a task that is not in the source.
const NEW: u32 = u32::MAX;

impl Lazy {
    fn task(&self, i: usize) -> &Task {
        match &self.owned[i] {
            Some(t) => t,
            None => self.one[i].get_or_init(|| Box::new(self.source.task(self.src[i] as usize))),
        }
    }

    /// Task `i` from the source, unchanged.
    fn unchanged(&self, i: usize) -> Option<usize> {
        (self.owned[i].is_none() && self.src[i] != NEW).then_some(self.src[i] as usize)
    }
}

/// Ids to indexes without copying the ids: (hash of the id, index), sorted.
#[derive(Debug, Clone)]
struct Index(Vec<(u64, u32)>);

/// The id index of tasks with these ids, in this order.
pub(crate) fn id_index<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<(u64, u32)> {
    let mut index: Vec<(u64, u32)> = ids.zip(0u32..).map(|(id, i)| (id_hash(id), i)).collect();
    index.sort_unstable();
    index
}

fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x776d).hash_one(id)
}

/// Which tasks are still exactly as they were read from one text: the
/// writer copies their blocks from that text instead of writing them again.
#[derive(Debug, Clone)]
struct Origins {
    /// The text the positions refer to (its snapshot key).
    text: u128,
    /// Per task: its position in the text as read, or [`UNTRACKED`] once it
    /// may have changed (handed out mutably) or when it is new.
    of: Vec<u32>,
}

/// The origin of a task that may differ from anything read.
pub(crate) const UNTRACKED: u32 = u32::MAX;

/// The scope within which phase edges are derived: an issue, or for tasks
/// without an issue, their parent epic.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    Issue(u64),
    Parent(String),
}

impl Plan {
    pub fn new(file: StoreFile) -> Plan {
        Plan {
            file,
            lazy: None,
            index: OnceCell::new(),
            catalog: OnceCell::new(),
            origins: None,
            sorted: Sortedness::Unknown,
        }
    }

    /// A plan whose tasks are decoded from `source` when needed: `header`
    /// is the store without its tasks, `n` the number of tasks in `source`.
    pub fn lazy(header: StoreFile, n: usize, source: Arc<dyn TaskSource>) -> Plan {
        let mut plan = Plan::new(StoreFile {
            tasks: Vec::new(),
            ..header
        });
        let mut src = Vec::with_capacity(n + ROOM);
        src.extend((0..n).map(|i| u32::try_from(i).unwrap_or(NEW)));
        let mut one = Vec::with_capacity(n + ROOM);
        one.extend((0..n).map(|_| OnceCell::new()));
        let mut owned = Vec::with_capacity(n + ROOM);
        owned.resize_with(n, || None);
        plan.lazy = Some(Lazy {
            source,
            src,
            one,
            owned,
            all: OnceCell::new(),
        });
        plan
    }

    /// Before a change: a lazy plan whose tasks were all decoded already
    /// (something asked for them all) keeps those, as a plain plan, so that
    /// the next question about them all costs nothing.
    fn before_change(&mut self) {
        if self.lazy.as_ref().is_some_and(|l| l.all.get().is_some()) {
            self.materialize();
        }
    }

    /// Decode every task of a lazy plan.
    fn materialize(&mut self) -> &mut StoreFile {
        if let Some(lazy) = self.lazy.take() {
            self.file.tasks = match lazy.all.into_inner() {
                Some(all) => all.tasks,
                None => {
                    let Lazy {
                        source,
                        src,
                        one,
                        owned,
                        ..
                    } = lazy;
                    owned
                        .into_iter()
                        .zip(one)
                        .zip(src)
                        .map(
                            |((owned, one), src)| match owned.or_else(|| one.into_inner()) {
                                Some(t) => *t,
                                None => source.task(src as usize),
                            },
                        )
                        .collect()
                }
            };
        }
        &mut self.file
    }

    /// Start tracking which tasks stay as read from the text with key
    /// `text`: task `i` is block `i` of that text now; a task handed out
    /// by [`Plan::task_mut`], or added, is no longer tracked.
    pub(crate) fn track_origins(&mut self, text: u128) {
        let n = u32::try_from(self.len()).unwrap_or(UNTRACKED);
        self.origins = (n != UNTRACKED).then(|| {
            let mut of = Vec::with_capacity(n as usize + ROOM);
            of.extend(0..n);
            Origins { text, of }
        });
    }

    /// Per task, the block of the text with key `text` it is unchanged
    /// from ([`UNTRACKED`] if none), when tracking against that text.
    pub(crate) fn origins(&self, text: u128) -> Option<&[u32]> {
        self.origins
            .as_ref()
            .filter(|o| o.text == text && o.of.len() == self.len())
            .map(|o| o.of.as_slice())
    }

    pub fn empty() -> Plan {
        Plan::new(StoreFile::default())
    }

    /// The whole store (a lazy plan decodes every task once).
    pub fn file(&self) -> &StoreFile {
        match &self.lazy {
            None => &self.file,
            Some(lazy) => lazy.all.get_or_init(|| StoreFile {
                version: self.file.version,
                scan: self.file.scan.clone(),
                workflow: self.file.workflow.clone(),
                // Straight from the source: caching each task one by one
                // as well would hold every task twice.
                tasks: (0..lazy.src.len())
                    .map(
                        |i| match lazy.owned[i].as_deref().or(lazy.one[i].get().map(|t| &**t)) {
                            Some(t) => t.clone(),
                            None => lazy.source.task(lazy.src[i] as usize),
                        },
                    )
                    .collect(),
            }),
        }
    }

    /// The store's format version.
    pub fn version(&self) -> u32 {
        self.file.version
    }

    /// The store's own workflow, if it has one.
    pub fn own_workflow(&self) -> Option<&Workflow> {
        self.file.workflow.as_ref()
    }

    pub fn into_file(mut self) -> StoreFile {
        self.materialize();
        self.file
    }

    /// Every task (a lazy plan decodes them all once).
    pub fn tasks(&self) -> &[Task] {
        &self.file().tasks
    }

    pub fn len(&self) -> usize {
        match &self.lazy {
            None => self.file.tasks.len(),
            Some(lazy) => lazy.src.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn task(&self, i: usize) -> &Task {
        match &self.lazy {
            None => &self.file.tasks[i],
            Some(lazy) => match lazy.all.get() {
                Some(all) => &all.tasks[i],
                None => lazy.task(i),
            },
        }
    }

    /// Task `i` as a snapshot encodes it, when it is still exactly as a
    /// snapshot this plan was restored from has it: a new snapshot copies
    /// those bytes.
    pub(crate) fn encoded(&self, i: usize) -> Option<(&[u8], &[u8])> {
        let lazy = self.lazy.as_ref()?;
        lazy.source.encoded(lazy.unchanged(i)?)
    }

    /// The longest run of tasks from `from` on that are still as the
    /// snapshot this plan was restored from has them, in its order (what
    /// it had before them still before them): where the run ends, and its
    /// stored records and encodings, each in one piece, when that snapshot
    /// has them one after the other. None when task `from` is not as that
    /// snapshot has it.
    #[allow(clippy::type_complexity)]
    pub(crate) fn encoded_run(&self, from: usize) -> Option<(usize, Option<(&[u8], &[u8])>)> {
        if from >= self.len() {
            return None;
        }
        let lazy = self.lazy.as_ref()?;
        let first = lazy.unchanged(from)?;
        let to = (from + 1..self.len())
            .find(|&i| lazy.unchanged(i) != Some(first + (i - from)))
            .unwrap_or(self.len());
        Some((to, lazy.source.encodings(first, first + (to - from))))
    }

    /// The filtering facts of task `i`, without decoding it.
    pub fn facts(&self, i: usize) -> Facts {
        self.field(i, Facts::of, |s, k| s.facts(k))
    }

    pub fn status(&self, i: usize) -> Status {
        self.field(i, |t| t.status, |s, k| s.status(k))
    }

    pub fn kind(&self, i: usize) -> TaskType {
        self.field(i, |t| t.kind, |s, k| s.kind(k))
    }

    pub fn issue(&self, i: usize) -> Option<u64> {
        self.field(i, |t| t.issue, |s, k| s.issue(k))
    }

    pub fn is_epic(&self, i: usize) -> bool {
        self.kind(i) == TaskType::Epic
    }

    /// A field of task `i`: from the source without decoding the task while
    /// it is as the source has it, else from the task.
    fn field<'a, T>(
        &'a self,
        i: usize,
        of_task: impl FnOnce(&'a Task) -> T,
        of_source: impl FnOnce(&'a dyn TaskSource, usize) -> T,
    ) -> T {
        match &self.lazy {
            None => of_task(&self.file.tasks[i]),
            Some(lazy) => match lazy.unchanged(i) {
                Some(k) => of_source(&*lazy.source, k),
                None => of_task(lazy.task(i)),
            },
        }
    }

    /// The id of task `i`, without decoding it.
    pub fn id(&self, i: usize) -> &str {
        self.field(i, |t| t.id.as_str(), |s, k| s.id(k))
    }

    /// The title of task `i`, without decoding it.
    pub fn title(&self, i: usize) -> &str {
        self.field(i, |t| t.title.as_str(), |s, k| s.title(k))
    }

    /// The phase of task `i`, without decoding it.
    pub fn phase(&self, i: usize) -> Option<&str> {
        self.field(i, |t| t.phase.as_deref(), |s, k| s.phase(k))
    }

    /// The id, title and phase of task `i` as bytes, without decoding it
    /// or checking them as UTF-8 (see [`TaskSource::texts`]).
    pub fn texts(&self, i: usize) -> Texts<'_> {
        self.field(
            i,
            |t| Texts {
                id: t.id.as_bytes(),
                title: t.title.as_bytes(),
                phase: t.phase.as_deref().map(str::as_bytes),
            },
            |s, k| s.texts(k),
        )
    }

    /// The parent of task `i`, without decoding it.
    pub fn parent(&self, i: usize) -> Option<&str> {
        self.field(i, |t| t.parent.as_deref(), |s, k| s.parent(k))
    }

    /// The ids task `i` depends on explicitly, without decoding it.
    pub fn depends_on(&self, i: usize) -> Vec<&str> {
        self.field(
            i,
            |t| t.depends_on.iter().map(String::as_str).collect(),
            |s, k| s.depends_on(k),
        )
    }

    /// Mutable access to one task; ids must not be changed through it.
    pub(crate) fn task_mut(&mut self, i: usize) -> &mut Task {
        if let Some(slot) = self.origins.as_mut().and_then(|o| o.of.get_mut(i)) {
            *slot = UNTRACKED;
        }
        self.sorted.touch(i);
        self.before_change();
        match &mut self.lazy {
            None => &mut self.file.tasks[i],
            Some(lazy) => {
                let Lazy {
                    source,
                    src,
                    one,
                    owned,
                    ..
                } = lazy;
                owned[i].get_or_insert_with(|| {
                    one[i]
                        .take()
                        .unwrap_or_else(|| Box::new(source.task(src[i] as usize)))
                })
            }
        }
    }

    /// Add a task (its id must be new) and index it.
    pub(crate) fn push(&mut self, task: Task) -> usize {
        let i = self.len();
        let hash = id_hash(&task.id);
        self.sorted.touch(i);
        self.before_change();
        match &mut self.lazy {
            None => self.file.tasks.push(task),
            Some(lazy) => {
                lazy.src.push(NEW);
                lazy.one.push(OnceCell::new());
                lazy.owned.push(Some(Box::new(task)));
            }
        }
        if let Some(index) = self.index.get_mut() {
            match u32::try_from(i) {
                Ok(k) => {
                    let at = index.0.partition_point(|&e| e < (hash, k));
                    index.0.insert(at, (hash, k));
                }
                Err(_) => self.index = OnceCell::new(),
            }
        }
        if let Some(o) = &mut self.origins {
            o.of.push(UNTRACKED);
        }
        i
    }

    /// Remove the task at `i`, re-indexing the rest.
    pub(crate) fn remove(&mut self, i: usize) -> Task {
        // Taking a task out of a sorted list leaves it sorted.
        if self.sorted != Sortedness::Sorted {
            self.sorted = Sortedness::Unknown;
        }
        let t = self.materialize().tasks.remove(i);
        if let Some(o) = &mut self.origins
            && i < o.of.len()
        {
            o.of.remove(i);
        }
        self.index = OnceCell::new();
        t
    }

    fn index(&self) -> &Index {
        self.index
            .get_or_init(|| Index(id_index((0..self.len()).map(|i| self.id(i)))))
    }

    /// The id index: (hash of the id, task), sorted. A snapshot keeps it,
    /// so a command that looks up an id does not hash every id first.
    pub(crate) fn id_index(&self) -> &[(u64, u32)] {
        &self.index().0
    }

    /// Take `index` (a snapshot's) as the id index, if it can be one: one
    /// entry per task, sorted. (A lookup still compares the id it finds.)
    pub(crate) fn adopt_id_index(&mut self, index: Vec<(u64, u32)>) -> bool {
        let n = self.len();
        let fits = index.len() == n
            && index.windows(2).all(|w| w[0] < w[1])
            && index.iter().all(|&(_, i)| (i as usize) < n);
        if fits {
            self.index = OnceCell::new();
            let _ = self.index.set(Index(index));
        }
        fits
    }

    /// Put tasks in their canonical file order: by issue (tasks without an
    /// issue last), then creation time, then id. Appending a task to an issue
    /// therefore touches only that issue's part of the file.
    pub fn sort_canonical(&mut self) {
        self.sort_canonical_changed();
    }

    /// [`Plan::sort_canonical`], telling whether any task moved (then task
    /// indexes, and a graph built before, are stale).
    pub fn sort_canonical_changed(&mut self) -> bool {
        self.sort_canonical_perm().is_some()
    }

    /// [`Plan::sort_canonical`], giving the permutation when tasks moved:
    /// the task now at `k` was at `perm[k]`.
    pub(crate) fn sort_canonical_perm(&mut self) -> Option<Vec<usize>> {
        fn key(p: &Plan, i: usize) -> SortKey<'_> {
            let f = p.facts(i);
            sort_key(f.issue, f.created_at, p.id(i))
        }
        // Most writes change tasks in place: then the order, and the index,
        // are already right.
        let n = self.len();
        // Before the first task changed since the plan was known sorted,
        // the tasks are in order.
        let from = match &self.sorted {
            Sortedness::Sorted => return None,
            Sortedness::Except(dirty) => {
                let in_place = |d: usize| {
                    (d == 0 || key(self, d - 1) <= key(self, d))
                        && (d + 1 >= n || key(self, d) <= key(self, d + 1))
                };
                if dirty.iter().all(|&d| in_place(d)) {
                    self.sorted = Sortedness::Sorted;
                    return None;
                }
                dirty.iter().copied().min().unwrap_or(n)
            }
            Sortedness::Unknown => 0,
        };
        let sorted_prefix = (from.max(1)..n)
            .find(|&i| key(self, i - 1) > key(self, i))
            .unwrap_or(n);
        if sorted_prefix == n {
            self.sorted = Sortedness::Sorted;
            return None;
        }
        // Stable: equal keys (duplicate ids) keep their order.
        let perm: Vec<usize> = if n - sorted_prefix <= INSERT_MAX {
            // A create adds its tasks at the end of a sorted plan: each goes
            // in by binary search, after the tasks with an equal key, as a
            // stable sort would put it.
            let mut perm: Vec<usize> = (0..sorted_prefix).collect();
            for t in sorted_prefix..n {
                let at = perm.partition_point(|&k| key(self, k) <= key(self, t));
                perm.insert(at, t);
            }
            perm
        } else {
            let mut perm: Vec<usize> = (0..n).collect();
            perm.sort_by(|&a, &b| key(self, a).cmp(&key(self, b)));
            perm
        };
        // One task moved from the end to `at` (a create of one task): the
        // tasks from there on shift by one, a rotation of each list rather
        // than a rebuild (a tenth of the work at 10,000 tasks).
        let one = if sorted_prefix + 1 == n {
            perm.iter().position(|&k| k == n - 1)
        } else {
            None
        };
        self.before_change();
        fn apply<T>(v: &mut Vec<T>, perm: &[usize], one: Option<usize>) {
            if let Some(at) = one
                && v.len() == perm.len()
                && let Some(tail) = v.get_mut(at..)
            {
                tail.rotate_right(1);
                return;
            }
            let mut old: Vec<Option<T>> = v.drain(..).map(Some).collect();
            v.extend(
                perm.iter()
                    .filter_map(|&k| old.get_mut(k).and_then(Option::take)),
            );
        }
        match &mut self.lazy {
            None => apply(&mut self.file.tasks, &perm, one),
            Some(lazy) => {
                apply(&mut lazy.src, &perm, one);
                apply(&mut lazy.one, &perm, one);
                apply(&mut lazy.owned, &perm, one);
            }
        }
        // The origins move with their tasks.
        match &mut self.origins {
            Some(o) if o.of.len() == n => apply(&mut o.of, &perm, one),
            _ => self.origins = None,
        }
        // So does the id index: each entry gets its task's new place (ids
        // with one hash, duplicates, are put back in task order).
        if let Some(index) = self.index.get_mut() {
            match one.and_then(|at| Some((u32::try_from(at).ok()?, u32::try_from(n - 1).ok()?))) {
                Some((at, last)) => {
                    for e in &mut index.0 {
                        if e.1 == last {
                            e.1 = at;
                        } else if e.1 >= at {
                            e.1 += 1;
                        }
                    }
                }
                None => {
                    let mut place = vec![0u32; n];
                    for (to, &from) in perm.iter().enumerate() {
                        place[from] = u32::try_from(to).unwrap_or(u32::MAX);
                    }
                    for e in &mut index.0 {
                        e.1 = place.get(e.1 as usize).copied().unwrap_or(u32::MAX);
                    }
                }
            }
            for run in index.0.chunk_by_mut(|a, b| a.0 == b.0) {
                if run.len() > 1 {
                    run.sort_unstable();
                }
            }
        }
        self.sorted = Sortedness::Sorted;
        Some(perm)
    }

    /// Whether the tasks are known to be in canonical order (what a
    /// snapshot records, so that the next write need not check).
    pub(crate) fn known_sorted(&self) -> bool {
        self.sorted == Sortedness::Sorted
    }

    /// Take the tasks to be in canonical order: a snapshot of a sorted
    /// plan says so.
    pub(crate) fn assume_sorted(&mut self) {
        self.sorted = Sortedness::Sorted;
    }

    pub fn workflow(&self) -> &Workflow {
        self.file
            .workflow
            .as_ref()
            .unwrap_or_else(|| Workflow::builtin_default())
    }

    pub fn set_workflow(&mut self, wf: Option<Workflow>) {
        self.before_change();
        self.file.workflow = wf;
        self.catalog = OnceCell::new();
    }

    /// Every workflow the store knows: its own (or the default) and the
    /// built-ins.
    pub fn catalog(&self) -> &Catalog {
        self.catalog.get_or_init(|| Catalog::new(self.workflow()))
    }

    /// The workflow a set of tasks (an issue's, an epic's) follows: an epic's
    /// explicit choice among them, else the workflow of the first phase
    /// found.
    pub fn workflow_of_tasks(&self, tasks: &[usize]) -> Option<String> {
        if let Some(w) = tasks.iter().find_map(|&i| self.task(i).workflow.as_deref()) {
            return Some(match self.catalog().find(w) {
                Some(k) => self.catalog().workflows()[k].label().to_string(),
                None => w.to_string(),
            });
        }
        tasks.iter().find_map(|&i| {
            let s = self.slot(i)?;
            Some(
                self.catalog().workflows()[self.catalog().workflow_of(s.phase)]
                    .label()
                    .to_string(),
            )
        })
    }

    /// The phase slot of task `i`, if it has a known phase (epics have none).
    pub fn slot(&self, i: usize) -> Option<Slot> {
        if self.is_epic(i) {
            return None;
        }
        self.catalog().resolve(self.phase(i)?)
    }

    /// Where the last incremental `wm tasks scan` stopped, if any.
    pub fn scan_head(&self) -> Option<&str> {
        self.file.scan.as_ref().map(|s| s.head.as_str())
    }

    pub(crate) fn set_scan_head(&mut self, head: String) {
        self.before_change();
        self.file.scan = Some(crate::model::ScanState { head });
    }

    /// Index of the task with exactly this id.
    pub fn get(&self, id: &str) -> Option<usize> {
        let hash = id_hash(id);
        let index = &self.index().0;
        // Sorted by hash, then index: the first match is the first task
        // with that id (`check` reports the later duplicates).
        index[index.partition_point(|&(h, _)| h < hash)..]
            .iter()
            .take_while(|&&(h, _)| h == hash)
            .map(|&(_, i)| i as usize)
            .find(|&i| i < self.len() && self.id(i) == id)
    }

    /// Resolve a full id or a unique prefix of one to a task index.
    pub fn resolve(&self, prefix: &str) -> Result<usize> {
        let prefix = prefix.trim();
        if let Some(i) = self.get(prefix) {
            return Ok(i);
        }
        let lower = prefix.to_ascii_lowercase();
        if lower != prefix
            && let Some(i) = self.get(&lower)
        {
            return Ok(i);
        }
        if prefix.is_empty() {
            return Err(Error::UnknownId(prefix.to_string()));
        }
        let mut found: Vec<usize> = (0..self.len())
            .filter(|&i| self.id(i).starts_with(prefix) || self.id(i).starts_with(&lower))
            .collect();
        found.dedup_by_key(|i| self.id(*i).to_string());
        match found.len() {
            0 => Err(Error::UnknownId(prefix.to_string())),
            1 => Ok(found[0]),
            _ => Err(Error::AmbiguousId {
                prefix: prefix.to_string(),
                candidates: found
                    .iter()
                    .map(|&i| {
                        let t = self.task(i);
                        (t.id.clone(), t.title.clone())
                    })
                    .collect(),
            }),
        }
    }

    /// A random id not yet used in this plan.
    pub fn new_id(&self) -> Result<String> {
        for _ in 0..64 {
            let id = random_id().map_err(|e| Error::Random(e.to_string()))?;
            if self.get(&id).is_none() {
                return Ok(id);
            }
        }
        Err(Error::Random("64 random ids in a row were taken".into()))
    }

    /// The group a task's phase edges are derived within.
    pub fn group(&self, t: &Task) -> Option<Group> {
        if let Some(n) = t.issue {
            Some(Group::Issue(n))
        } else {
            t.parent.as_ref().map(|p| Group::Parent(p.clone()))
        }
    }

    /// The group of task `i`, without decoding it.
    pub fn group_of(&self, i: usize) -> Option<Group> {
        match self.issue(i) {
            Some(n) => Some(Group::Issue(n)),
            None => self.parent(i).map(|p| Group::Parent(p.to_string())),
        }
    }

    /// The indexes of the tasks that may have issue `issue`: when the
    /// tasks are known to be in canonical order (by issue first), only the
    /// run of that issue's tasks, found by binary search; else all of them.
    /// A create looks for duplicates and places its task among these: on
    /// a 10,000-task store, scanning them all took 0.5 ms.
    pub fn maybe_with_issue(&self, issue: Option<u64>) -> std::ops::Range<usize> {
        let n = self.len();
        if self.sorted != Sortedness::Sorted {
            return 0..n;
        }
        // The first part of the sort key (see `sort_key`).
        let rank = |i: usize| {
            let k = self.issue(i);
            (k.is_none(), k)
        };
        let want = (issue.is_none(), issue);
        // The first index in `lo..n` whose rank is not `before` the wanted.
        let first = |mut lo: usize, before: &dyn Fn(usize) -> bool| {
            let mut hi = n;
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if before(mid) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        let start = first(0, &|i| rank(i) < want);
        let end = first(start, &|i| rank(i) <= want);
        start..end
    }

    /// The epic that owns an issue: its earliest-created epic.
    pub fn issue_epic(&self, issue: u64) -> Option<usize> {
        self.maybe_with_issue(Some(issue))
            .filter(|&i| self.is_epic(i) && self.issue(i) == Some(issue))
            .min_by_key(|&i| (self.task(i).created_at, self.id(i)))
    }

    /// The issue a title's `GH#N` prefix names, if it disagrees with `issue`.
    pub fn title_issue_mismatch(t: &Task) -> Option<u64> {
        match (title_issue(&t.title), t.issue) {
            (Some(n), Some(m)) if n != m => Some(n),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, issue: u64) -> Task {
        let mut t = Task::new(
            id.into(),
            format!("t {id}"),
            TaskType::Impl,
            DateTime::UNIX_EPOCH,
        );
        t.issue = Some(issue);
        t
    }

    /// The tasks of an issue, by binary search in a sorted plan, are the
    /// tasks with that issue; an unsorted plan gives all its tasks.
    #[test]
    fn the_tasks_of_an_issue_are_found_in_a_sorted_plan() {
        let issues = [5u64, 1, 3, 3, 9, 1, 1, 7, 3];
        let mut tasks: Vec<Task> = issues
            .iter()
            .enumerate()
            .map(|(k, &n)| task(&format!("t{k}"), n))
            .collect();
        let mut loose = task("loose", 0);
        loose.issue = None;
        tasks.push(loose);
        let mut plan = Plan::new(StoreFile {
            tasks,
            ..StoreFile::default()
        });
        assert_eq!(
            plan.maybe_with_issue(Some(3)),
            0..plan.len(),
            "not known sorted"
        );
        plan.sort_canonical();
        for issue in [
            None,
            Some(0),
            Some(1),
            Some(2),
            Some(3),
            Some(5),
            Some(7),
            Some(9),
            Some(10),
        ] {
            let found: Vec<usize> = plan.maybe_with_issue(issue).collect();
            let all: Vec<usize> = (0..plan.len())
                .filter(|&i| plan.issue(i) == issue)
                .collect();
            assert_eq!(found, all, "issue {issue:?}");
        }
        plan.push(task("new", 3));
        assert_eq!(
            plan.maybe_with_issue(Some(3)),
            0..plan.len(),
            "changed since the sort"
        );
    }

    /// Sorting remembers that the plan is sorted; every change forgets it,
    /// so a plan changed after a sort is sorted again.
    #[test]
    fn a_change_after_a_sort_is_sorted_again() {
        let mut plan = Plan::new(StoreFile {
            tasks: vec![task("b", 2), task("a", 1)],
            ..StoreFile::default()
        });
        assert!(plan.sort_canonical_changed());
        assert!(!plan.sort_canonical_changed());
        assert_eq!(plan.id(0), "a");
        plan.task_mut(0).issue = Some(3);
        assert!(plan.sort_canonical_changed());
        assert_eq!(plan.id(0), "b");
        plan.push(task("c", 1));
        assert!(plan.sort_canonical_changed());
        assert_eq!(plan.id(0), "c");
        plan.remove(0);
        plan.push(task("d", 0));
        assert!(plan.sort_canonical_changed());
        assert_eq!(plan.id(0), "d");
        // Taking a task out keeps the rest sorted.
        plan.remove(0);
        assert!(!plan.sort_canonical_changed());
        // A change that keeps a task in its place needs no sort.
        plan.task_mut(0).title = "renamed".into();
        assert!(!plan.sort_canonical_changed());
    }

    proptest::proptest! {
        /// Putting the tasks after a sorted prefix in by binary search
        /// (a create's case) gives exactly the order of a stable sort of
        /// every task, duplicate keys included, on both sides of the
        /// length where a whole sort takes over.
        #[test]
        fn a_sorted_prefix_and_a_tail_sort_like_a_stable_sort(
            prefix in proptest::collection::vec((0u8..4, 0i64..3, 0u8..5), 0..40),
            tail in proptest::collection::vec((0u8..4, 0i64..3, 0u8..5), 1..80),
        ) {
            let make = |n: usize, &(issue, secs, id): &(u8, i64, u8)| {
                let mut t = task(&format!("i{id}"), u64::from(issue));
                // Issue 0: no issue (sorts last).
                t.issue = (issue > 0).then_some(u64::from(issue));
                t.created_at = DateTime::UNIX_EPOCH + chrono::Duration::seconds(secs);
                t.title = format!("task {n}");
                t
            };
            let key = |t: &Task| (t.issue.is_none(), t.issue, t.created_at, t.id.clone());
            let mut first: Vec<Task> = prefix.iter().enumerate().map(|(n, x)| make(n, x)).collect();
            first.sort_by_key(key);
            let tail: Vec<Task> = tail.iter().enumerate().map(|(n, x)| make(1000 + n, x)).collect();
            // Known unsorted: the whole list as it stands.
            let mut all = first.clone();
            all.extend(tail.iter().cloned());
            let mut expected = all.clone();
            expected.sort_by_key(key);
            let mut plan = Plan::new(StoreFile { tasks: all, ..StoreFile::default() });
            plan.sort_canonical_changed();
            let got: Vec<&str> = (0..plan.len()).map(|i| plan.title(i)).collect();
            let want: Vec<&str> = expected.iter().map(|t| t.title.as_str()).collect();
            proptest::prop_assert_eq!(got, want);
            // Known sorted, then tasks added and one moved to another
            // issue (as a create or an edit does): only the changed places
            // are looked at, and the order is still a stable sort's.
            let mut plan = Plan::new(StoreFile { tasks: first, ..StoreFile::default() });
            proptest::prop_assert!(!plan.sort_canonical_changed());
            for t in &tail {
                plan.push(t.clone());
            }
            if !plan.is_empty() {
                let k = tail.len() % plan.len();
                plan.task_mut(k).issue = Some(u64::from(tail[0].title.len() as u8 % 4));
            }
            let mut expected = plan.tasks().to_vec();
            expected.sort_by_key(key);
            plan.sort_canonical_changed();
            let got: Vec<&str> = (0..plan.len()).map(|i| plan.title(i)).collect();
            let want: Vec<&str> = expected.iter().map(|t| t.title.as_str()).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
