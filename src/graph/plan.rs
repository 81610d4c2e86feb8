//! A loaded plan: the store's content plus an id index, with id-prefix
//! resolution and the structural facts every other module asks about
//! (a task's workflow group, its epic).

use std::cell::OnceCell;
use std::sync::Arc;

use foldhash::HashMap;

use crate::error::{Error, Result};
use crate::model::workflow::{Catalog, Slot, Workflow};
use crate::model::{Status, StoreFile, Task, TaskType, random_id, title_issue};

/// The tasks of one store, indexed by id.
///
/// A plan restored from a snapshot starts *lazy*: it holds the few facts
/// every task is filtered and scheduled by ([`Facts`]) and decodes a whole
/// task only when something asks for it, since a read command prints a
/// handful of a store's tasks. Anything that changes the plan, or asks for
/// all tasks at once, decodes them all first; the answers are the same
/// either way.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The store. While `lazy` is set its `tasks` is empty: they are in
    /// the source.
    file: StoreFile,
    lazy: Option<Lazy>,
    /// Id -> index, built when first asked.
    index: OnceCell<HashMap<String, usize>>,
    /// Every workflow the store knows, phases indexed; built when first
    /// asked (parsing the built-ins costs a read that never needs them).
    catalog: OnceCell<Catalog>,
    /// Where each task came from, when tracked (see [`Plan::track_origins`]).
    origins: Option<Origins>,
}

/// What every task is filtered and scheduled by, at hand without decoding
/// the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub kind: TaskType,
    pub status: Status,
    pub issue: Option<u64>,
    pub priority: Option<u8>,
}

impl Facts {
    pub fn of(t: &Task) -> Facts {
        Facts {
            kind: t.kind,
            status: t.status,
            issue: t.issue,
            priority: t.priority,
        }
    }
}

/// Where a lazy plan's tasks come from (a snapshot's bytes).
pub trait TaskSource: std::fmt::Debug + Send + Sync {
    /// The id of task `i`.
    fn id(&self, i: usize) -> &str;
    /// Its title.
    fn title(&self, i: usize) -> &str;
    /// Its phase.
    fn phase(&self, i: usize) -> Option<&str>;
    /// Task `i`, decoded.
    fn task(&self, i: usize) -> Task;
}

/// The tasks of a lazy plan.
#[derive(Debug, Clone)]
struct Lazy {
    source: Arc<dyn TaskSource>,
    facts: Vec<Facts>,
    /// Tasks decoded one at a time.
    one: Vec<OnceCell<Box<Task>>>,
    /// Every task, once something asked for them all.
    all: OnceCell<StoreFile>,
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
        }
    }

    /// A plan whose tasks are decoded from `source` when needed: `header`
    /// is the store without its tasks, `facts` one per task.
    pub fn lazy(header: StoreFile, facts: Vec<Facts>, source: Arc<dyn TaskSource>) -> Plan {
        let mut plan = Plan::new(StoreFile {
            tasks: Vec::new(),
            ..header
        });
        plan.lazy = Some(Lazy {
            source,
            one: (0..facts.len()).map(|_| OnceCell::new()).collect(),
            facts,
            all: OnceCell::new(),
        });
        plan
    }

    /// Decode every task of a lazy plan, for a change.
    fn materialize(&mut self) -> &mut StoreFile {
        if let Some(lazy) = self.lazy.take() {
            self.file.tasks = match lazy.all.into_inner() {
                Some(all) => all.tasks,
                None => lazy
                    .one
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| t.into_inner().map_or_else(|| lazy.source.task(i), |t| *t))
                    .collect(),
            };
        }
        &mut self.file
    }

    /// Start tracking which tasks stay as read from the text with key
    /// `text`: task `i` is block `i` of that text now; a task handed out
    /// by [`Plan::task_mut`], or added, is no longer tracked.
    pub(crate) fn track_origins(&mut self, text: u128) {
        let n = u32::try_from(self.len()).unwrap_or(UNTRACKED);
        self.origins = (n != UNTRACKED).then(|| Origins {
            text,
            of: (0..n).collect(),
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
                tasks: (0..lazy.facts.len())
                    .map(|i| match lazy.one[i].get() {
                        Some(t) => Task::clone(t),
                        None => lazy.source.task(i),
                    })
                    .collect(),
            }),
        }
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
            Some(lazy) => lazy.facts.len(),
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
                None => lazy.one[i].get_or_init(|| Box::new(lazy.source.task(i))),
            },
        }
    }

    /// The filtering facts of task `i`, without decoding it.
    pub fn facts(&self, i: usize) -> Facts {
        match &self.lazy {
            None => Facts::of(&self.file.tasks[i]),
            Some(lazy) => lazy.facts[i],
        }
    }

    pub fn status(&self, i: usize) -> Status {
        self.facts(i).status
    }

    pub fn kind(&self, i: usize) -> TaskType {
        self.facts(i).kind
    }

    pub fn issue(&self, i: usize) -> Option<u64> {
        self.facts(i).issue
    }

    pub fn is_epic(&self, i: usize) -> bool {
        self.kind(i) == TaskType::Epic
    }

    /// The id of task `i`, without decoding it.
    pub fn id(&self, i: usize) -> &str {
        match &self.lazy {
            None => &self.file.tasks[i].id,
            Some(lazy) => lazy.source.id(i),
        }
    }

    /// The title of task `i`, without decoding it.
    pub fn title(&self, i: usize) -> &str {
        match &self.lazy {
            None => &self.file.tasks[i].title,
            Some(lazy) => lazy.source.title(i),
        }
    }

    /// The phase of task `i`, without decoding it.
    pub fn phase(&self, i: usize) -> Option<&str> {
        match &self.lazy {
            None => self.file.tasks[i].phase.as_deref(),
            Some(lazy) => lazy.source.phase(i),
        }
    }

    /// Mutable access to one task; ids must not be changed through it.
    pub(crate) fn task_mut(&mut self, i: usize) -> &mut Task {
        if let Some(slot) = self.origins.as_mut().and_then(|o| o.of.get_mut(i)) {
            *slot = UNTRACKED;
        }
        &mut self.materialize().tasks[i]
    }

    /// Add a task (its id must be new) and index it.
    pub(crate) fn push(&mut self, task: Task) -> usize {
        let i = self.materialize().tasks.len();
        if let Some(index) = self.index.get_mut() {
            index.entry(task.id.clone()).or_insert(i);
        }
        self.file.tasks.push(task);
        if let Some(o) = &mut self.origins {
            o.of.push(UNTRACKED);
        }
        i
    }

    /// Remove the task at `i`, re-indexing the rest.
    pub(crate) fn remove(&mut self, i: usize) -> Task {
        let t = self.materialize().tasks.remove(i);
        if let Some(o) = &mut self.origins
            && i < o.of.len()
        {
            o.of.remove(i);
        }
        self.index = OnceCell::new();
        t
    }

    fn index(&self) -> &HashMap<String, usize> {
        self.index.get_or_init(|| {
            let n = self.len();
            let mut index = HashMap::with_capacity_and_hasher(n, Default::default());
            for i in 0..n {
                // The first of duplicate ids wins the index; `check`
                // reports the rest.
                index.entry(self.id(i).to_string()).or_insert(i);
            }
            index
        })
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
        fn key(t: &Task) -> (bool, Option<u64>, chrono::DateTime<chrono::Utc>, &str) {
            (t.issue.is_none(), t.issue, t.created_at, &t.id)
        }
        // Most writes change tasks in place: then the order, and the index,
        // are already right.
        if self.tasks().is_sorted_by(|a, b| key(a) <= key(b)) {
            return false;
        }
        self.materialize();
        match self.origins.as_mut() {
            // The origins move with their tasks (the sort is stable either way).
            Some(o) if o.of.len() == self.file.tasks.len() => {
                let tasks = std::mem::take(&mut self.file.tasks);
                let mut pairs: Vec<(Task, u32)> = tasks.into_iter().zip(o.of.drain(..)).collect();
                pairs.sort_by(|a, b| key(&a.0).cmp(&key(&b.0)));
                let (tasks, of) = pairs.into_iter().unzip();
                self.file.tasks = tasks;
                o.of = of;
            }
            _ => {
                self.origins = None;
                self.file.tasks.sort_by(|a, b| key(a).cmp(&key(b)));
            }
        }
        self.index = OnceCell::new();
        true
    }

    pub fn workflow(&self) -> &Workflow {
        self.file
            .workflow
            .as_ref()
            .unwrap_or_else(|| Workflow::builtin_default())
    }

    pub fn set_workflow(&mut self, wf: Option<Workflow>) {
        self.materialize().workflow = wf;
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
        let t = self.task(i);
        if t.is_epic() {
            return None;
        }
        self.catalog().resolve(t.phase.as_deref()?)
    }

    /// Where the last incremental `wm tasks scan` stopped, if any.
    pub fn scan_head(&self) -> Option<&str> {
        self.file.scan.as_ref().map(|s| s.head.as_str())
    }

    pub(crate) fn set_scan_head(&mut self, head: String) {
        self.materialize().scan = Some(crate::model::ScanState { head });
    }

    /// Index of the task with exactly this id.
    pub fn get(&self, id: &str) -> Option<usize> {
        self.index().get(id).copied()
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

    /// The epic that owns an issue: its earliest-created epic.
    pub fn issue_epic(&self, issue: u64) -> Option<usize> {
        (0..self.len())
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
