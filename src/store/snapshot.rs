//! A derived snapshot of a loaded store: the parsed tasks, the effective
//! graph and the problems `check` found, in a compact binary form.
//!
//! Why: reading the YAML text and validating the whole graph is most of the
//! cost of a read command on a large store. The snapshot is never trusted
//! over the file: it is keyed by a 128-bit hash of the exact bytes of
//! tasks.yaml (not by size or time stamps), so any change, by hand, by
//! `git checkout` or by a merge, misses it and the file is read again. A
//! snapshot that is unreadable, from another version of wm, or for other
//! bytes is ignored. Nothing here touches the disk; `store` does.
//!
//! Layout: the magic, wm's version, the key, the store's header, every
//! task's record (fixed size, one after the other: what reads need of
//! every task, and where its encoding is), the tasks' encodings, the
//! graph's part (edges, dangling references, cycles, orders, epics,
//! problems, the id index, block starts), a trailer saying where the
//! graph's part starts (so that two threads can decode the records and the
//! graph at once, see `Rest`), and the checksum (of the hashes of pieces,
//! which two threads check at once: see `CHECKSUM_LEN`).

use chrono::{DateTime, Utc};

use crate::graph::plan::{Created, Facts, Plan, TaskSource, Texts, sort_key};
use crate::graph::{EdgeKind, Graph};
use crate::model::{Forced, Note, Role, ScanState, Status, StoreFile, Task, TaskType};
use crate::validate::{Code, Fix, Problem, Severity};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bumped whenever the encoding or the meaning of its parts changes; the
/// crate version is part of the key as well.
const MAGIC: &[u8; 8] = b"wmcache2";

/// The trailing checksum: a 128-bit hash of every byte before it, so a
/// snapshot whose own bytes changed (a flipped bit, a torn or foreign
/// write) is refused, not only one for other store bytes. The key's bytes
/// count as zeros, so that a write can encode the snapshot while the text
/// it is keyed by is still being written, and fill the key in at the end;
/// the key is compared on its own anyway.
///
/// It is the hash of the hashes of the bytes' pieces of [`SUM_PIECE`]
/// bytes (the last may be shorter), not of the bytes in one go: a restore
/// checks the pieces on two threads, whichever is free taking the next
/// (see `Rest`), where one thread took the whole checksum (0.5 ms at
/// 10,000 tasks) while the other waited.
const CHECKSUM_LEN: usize = 16;

/// The length of a piece of the checksum.
const SUM_PIECE: usize = 256 * 1024;

/// The key's length; it follows the magic and wm's version.
const KEY_LEN: usize = 16;

/// The checksum being taken of bytes that come a piece at a time.
#[derive(Clone)]
struct Sum {
    piece: super::hash::Hasher,
    in_piece: usize,
    /// The hashes of the pieces done, one after the other.
    pieces: Vec<u8>,
}

impl Sum {
    fn new() -> Self {
        Sum {
            piece: super::hash::Hasher::new(),
            in_piece: 0,
            pieces: Vec::new(),
        }
    }

    fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let (now, later) = bytes.split_at((SUM_PIECE - self.in_piece).min(bytes.len()));
            self.piece.update(now);
            self.in_piece += now.len();
            if self.in_piece == SUM_PIECE {
                self.close();
            }
            bytes = later;
        }
    }

    /// `bytes`, from the first byte of the encoding on: the key at
    /// `key_at` counted as zeros.
    fn update_first(&mut self, bytes: &[u8], key_at: usize) -> Option<()> {
        self.update(bytes.get(..key_at)?);
        self.update(&[0; KEY_LEN]);
        self.update(bytes.get(key_at.checked_add(KEY_LEN)?..)?);
        Some(())
    }

    fn close(&mut self) {
        let done = std::mem::replace(&mut self.piece, super::hash::Hasher::new());
        self.pieces
            .extend_from_slice(&done.digest128().to_le_bytes());
        self.in_piece = 0;
    }

    fn finish(mut self) -> [u8; CHECKSUM_LEN] {
        if self.in_piece > 0 || self.pieces.is_empty() {
            self.close();
        }
        combine(&self.pieces)
    }
}

/// The checksum from the hashes of the pieces, one after the other.
fn combine(pieces: &[u8]) -> [u8; CHECKSUM_LEN] {
    super::hash::oneshot(pieces).to_le_bytes()
}

/// How many pieces the checksum of `len` bytes has (one, empty, for none).
fn sum_pieces(len: usize) -> usize {
    len.div_ceil(SUM_PIECE).max(1)
}

/// The hash of piece `k` of `bytes`, the key at `key_at` counted as zeros.
fn piece_sum(bytes: &[u8], k: usize, key_at: usize) -> Option<[u8; 16]> {
    let start = k.checked_mul(SUM_PIECE)?;
    let end = start.saturating_add(SUM_PIECE).min(bytes.len());
    let piece = bytes.get(start..end)?;
    let mut h = super::hash::Hasher::new();
    let key = key_at..key_at.checked_add(KEY_LEN)?;
    if key.start < end && key.end > start {
        // The key lies in this piece (a piece is longer than the header).
        let (from, to) = (key.start.checked_sub(start)?, key.end.checked_sub(start)?);
        h.update(piece.get(..from)?);
        h.update(&[0; KEY_LEN]);
        h.update(piece.get(to..)?);
    } else {
        h.update(piece);
    }
    Some(h.digest128().to_le_bytes())
}

/// The checksum of a snapshot's bytes (without the checksum itself), the
/// key at `key_at` counted as zeros.
fn checksum(bytes: &[u8], key_at: usize) -> Option<[u8; CHECKSUM_LEN]> {
    let mut sum = Sum::new();
    sum.update_first(bytes, key_at)?;
    Some(sum.finish())
}

/// The largest snapshot read for a store of `store_len` bytes: a snapshot
/// holds the tasks, the graph and the problems, a few times the text at
/// most. Anything bigger is not one of ours.
pub fn max_len(store_len: u64) -> u64 {
    store_len.saturating_mul(16).saturating_add(1 << 20)
}

/// The key of a store's bytes: what a snapshot must match to be used.
pub fn key(bytes: &[u8]) -> u128 {
    super::hash::oneshot(bytes)
}

/// Everything a snapshot restores.
#[derive(Debug)]
pub struct Snapshot {
    /// The store's tasks, decoded when asked for.
    pub plan: Plan,
    pub graph: Graph,
    pub problems: Vec<Problem>,
    /// Where each task's block starts in the store's text, when the text
    /// is exactly what `yaml::emit` writes for `file` (after any modeline
    /// line): a write then copies the blocks of the tasks it did not
    /// change.
    pub blocks: Option<Vec<u32>>,
}

// Problem codes by explicit matches, both ways: a new code does not
// compile until it has a byte here.
fn code_byte(c: Code) -> u8 {
    match c {
        Code::BadEstimate => 0,
        Code::BaselineAfterWork => 1,
        Code::CompletedBeforeDependencies => 2,
        Code::Cycle => 3,
        Code::DanglingDependency => 4,
        Code::DanglingParent => 5,
        Code::DuplicateId => 6,
        Code::EmptyTitle => 7,
        Code::EpicOpenChildren => 8,
        Code::InvalidId => 9,
        Code::IssueMismatch => 10,
        Code::ParentNotEpic => 11,
        Code::PhaseOrder => 12,
        Code::UngatedVerify => 13,
        Code::UnknownPhase => 14,
        Code::Workflow => 15,
        Code::Parse => 16,
        Code::UnknownField => 17,
        Code::MissingField => 18,
        Code::InvalidValue => 19,
        Code::NewerVersion => 20,
        Code::DuplicateTitle => 21,
        Code::BadPriority => 22,
    }
}

fn code_of(b: u8) -> Option<Code> {
    Some(match b {
        0 => Code::BadEstimate,
        1 => Code::BaselineAfterWork,
        2 => Code::CompletedBeforeDependencies,
        3 => Code::Cycle,
        4 => Code::DanglingDependency,
        5 => Code::DanglingParent,
        6 => Code::DuplicateId,
        7 => Code::EmptyTitle,
        8 => Code::EpicOpenChildren,
        9 => Code::InvalidId,
        10 => Code::IssueMismatch,
        11 => Code::ParentNotEpic,
        12 => Code::PhaseOrder,
        13 => Code::UngatedVerify,
        14 => Code::UnknownPhase,
        15 => Code::Workflow,
        16 => Code::Parse,
        17 => Code::UnknownField,
        18 => Code::MissingField,
        19 => Code::InvalidValue,
        20 => Code::NewerVersion,
        21 => Code::DuplicateTitle,
        22 => Code::BadPriority,
        _ => return None,
    })
}

// A problem's repair by an explicit tag, both ways, as the codes are.
fn put_fix(w: &mut W, fix: Option<&Fix>) -> Option<()> {
    let Some(fix) = fix else {
        w.u8(0);
        return Some(());
    };
    match fix {
        Fix::Estimate { task } => {
            w.u8(1);
            w.str(task)
        }
        Fix::Priority { task } => {
            w.u8(2);
            w.str(task)
        }
        Fix::Delete { task } => {
            w.u8(3);
            w.str(task)
        }
        Fix::RemoveEdge { task, on } => {
            w.u8(8);
            w.str(task)?;
            w.str(on)
        }
        Fix::BreakCycle { edges, more } => {
            w.u8(4);
            w.idx(*more)?;
            w.idx(edges.len())?;
            for (task, on) in edges {
                w.str(task)?;
                w.str(on)?;
            }
            Some(())
        }
        Fix::RemoveEdgeOrMove { task, on } => {
            w.u8(5);
            w.str(task)?;
            w.str(on)
        }
        Fix::LeavePhase { task, phase } => {
            w.u8(6);
            w.str(task)?;
            w.str(phase)
        }
        Fix::Gate { task } => {
            w.u8(7);
            w.str(task)
        }
    }
}

fn get_fix(r: &mut R) -> Option<Option<Fix>> {
    Some(Some(match r.u8()? {
        0 => return Some(None),
        1 => Fix::Estimate { task: r.str()? },
        2 => Fix::Priority { task: r.str()? },
        3 => Fix::Delete { task: r.str()? },
        4 => {
            let more = r.idx()?;
            let n = r.len()?;
            let edges = (0..n)
                .map(|_| Some((r.str()?, r.str()?)))
                .collect::<Option<Vec<_>>>()?;
            Fix::BreakCycle { edges, more }
        }
        5 => Fix::RemoveEdgeOrMove {
            task: r.str()?,
            on: r.str()?,
        },
        6 => Fix::LeavePhase {
            task: r.str()?,
            phase: r.str()?,
        },
        7 => Fix::Gate { task: r.str()? },
        8 => Fix::RemoveEdge {
            task: r.str()?,
            on: r.str()?,
        },
        _ => return None,
    }))
}

struct W(Vec<u8>);

// The graph's part writes tens of thousands of these: inlined (calls they
// were, 0.7 M instructions of a 10,000-task write's encoding).
impl W {
    #[inline]
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    #[inline]
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    #[inline]
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    #[inline]
    fn idx(&mut self, v: usize) -> Option<()> {
        self.u32(u32::try_from(v).ok()?);
        Some(())
    }
    /// `n` fixed-size items, each written into its own `size` bytes by
    /// `put`: the room made once, not item by item.
    fn items<T>(
        &mut self,
        size: usize,
        items: impl ExactSizeIterator<Item = T>,
        mut put: impl FnMut(&mut [u8], T),
    ) {
        let at = self.0.len();
        self.0.resize(at + size * items.len(), 0);
        for (room, item) in self.0[at..].chunks_exact_mut(size).zip(items) {
            put(room, item);
        }
    }
    fn str(&mut self, s: &str) -> Option<()> {
        self.idx(s.len())?;
        self.0.extend_from_slice(s.as_bytes());
        Some(())
    }
    fn opt_str(&mut self, s: &Option<String>) -> Option<()> {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s)?;
            }
        }
        Some(())
    }
    fn strs(&mut self, v: &[String]) -> Option<()> {
        self.idx(v.len())?;
        for s in v {
            self.str(s)?;
        }
        Some(())
    }
    fn time(&mut self, t: &DateTime<Utc>) {
        self.u64(t.timestamp() as u64);
        self.u32(t.timestamp_subsec_nanos());
    }
}

struct R<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.b.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn idx(&mut self) -> Option<usize> {
        usize::try_from(self.u32()?).ok()
    }
    /// A length that cannot exceed what is left (so garbage cannot make us
    /// allocate wildly).
    fn len(&mut self) -> Option<usize> {
        let n = self.idx()?;
        (n <= self.b.len() - self.pos).then_some(n)
    }
    fn str_ref(&mut self) -> Option<&'a str> {
        let n = self.len()?;
        std::str::from_utf8(self.take(n)?).ok()
    }
    fn opt_str_ref(&mut self) -> Option<Option<&'a str>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.str_ref()?)),
            _ => None,
        }
    }
    fn str(&mut self) -> Option<String> {
        self.str_ref().map(str::to_string)
    }
    fn opt_str(&mut self) -> Option<Option<String>> {
        Some(self.opt_str_ref()?.map(str::to_string))
    }
    fn strs(&mut self) -> Option<Vec<String>> {
        let n = self.len()?;
        self.list(n, 4, R::str)
    }
    /// `n` items read by `item`, each taking at least `min` bytes, into a
    /// vector allocated once. (Collecting an iterator of `Option`s cannot
    /// know its length: at 10,000 tasks its vectors grew a dozen times
    /// each, and every copy faulted in fresh pages.) The capacity is capped
    /// by what the bytes left can hold, so garbage cannot ask for more.
    fn list<T>(
        &mut self,
        n: usize,
        min: usize,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut v = Vec::with_capacity(n.min((self.b.len() - self.pos) / min.max(1)));
        for _ in 0..n {
            v.push(item(self)?);
        }
        Some(v)
    }
    /// `n` fixed-size items of `size` bytes each, read as one block: a
    /// restore reads arrays of 10,000 of them, and one bounds check for the
    /// block instead of one a field lets the loop run several times faster.
    fn items<T>(
        &mut self,
        n: usize,
        size: usize,
        item: impl Fn(&'a [u8]) -> T,
    ) -> Option<impl ExactSizeIterator<Item = T>> {
        let b = self.take(n.checked_mul(size)?)?;
        Some(b.chunks_exact(size.max(1)).map(item))
    }
    fn time(&mut self) -> Option<DateTime<Utc>> {
        let secs = self.u64()? as i64;
        let nanos = self.u32()?;
        DateTime::from_timestamp(secs, nanos)
    }
}

// Enums are encoded by explicit matches, both ways: a variant added to the
// model does not compile until it has its own code here.

fn kind_code(k: TaskType) -> u8 {
    match k {
        TaskType::Epic => 0,
        TaskType::Impl => 1,
        TaskType::Verify => 2,
        TaskType::Test => 3,
        TaskType::Task => 4,
        TaskType::Feature => 5,
        TaskType::Review => 6,
        TaskType::Research => 7,
    }
}

fn kind_of(c: u8) -> Option<TaskType> {
    Some(match c {
        0 => TaskType::Epic,
        1 => TaskType::Impl,
        2 => TaskType::Verify,
        3 => TaskType::Test,
        4 => TaskType::Task,
        5 => TaskType::Feature,
        6 => TaskType::Review,
        7 => TaskType::Research,
        _ => return None,
    })
}

fn status_code(s: Status) -> u8 {
    match s {
        Status::Pending => 0,
        Status::InProgress => 1,
        Status::Completed => 2,
        Status::Cancelled => 3,
    }
}

fn status_of(c: u8) -> Option<Status> {
    Some(match c {
        0 => Status::Pending,
        1 => Status::InProgress,
        2 => Status::Completed,
        3 => Status::Cancelled,
        _ => return None,
    })
}

fn role_code(r: Option<Role>) -> u8 {
    match r {
        None => 0,
        Some(Role::Test) => 1,
        Some(Role::Impl) => 2,
        Some(Role::Verify) => 3,
    }
}

fn role_of(c: u8) -> Option<Option<Role>> {
    Some(match c {
        0 => None,
        1 => Some(Role::Test),
        2 => Some(Role::Impl),
        3 => Some(Role::Verify),
        _ => return None,
    })
}

fn put_task(w: &mut W, t: &Task) -> Option<()> {
    // Destructured without `..`: a new field does not compile until the
    // snapshot stores it.
    let Task {
        id,
        title,
        kind,
        status,
        priority,
        phase,
        role,
        workflow,
        issue,
        parent,
        depends_on,
        labels,
        assignee,
        description,
        estimate,
        commits,
        created_at,
        updated_at,
        closed_at,
        reason,
        forced,
        notes,
    } = t;
    w.str(id)?;
    w.str(title)?;
    w.u8(kind_code(*kind));
    w.u8(status_code(*status));
    match priority {
        None => w.u8(0),
        Some(p) => {
            w.u8(1);
            w.u8(*p);
        }
    }
    w.opt_str(phase)?;
    w.u8(role_code(*role));
    w.opt_str(workflow)?;
    match issue {
        None => w.u8(0),
        Some(n) => {
            w.u8(1);
            w.u64(*n);
        }
    }
    w.opt_str(parent)?;
    w.strs(depends_on)?;
    w.strs(labels)?;
    w.opt_str(assignee)?;
    w.opt_str(description)?;
    w.opt_str(estimate)?;
    w.strs(commits)?;
    w.time(created_at);
    w.time(updated_at);
    match closed_at {
        None => w.u8(0),
        Some(c) => {
            w.u8(1);
            w.time(c);
        }
    }
    w.idx(forced.len())?;
    for f in forced {
        w.time(&f.at);
        w.u8(status_code(f.to));
        w.str(&f.reason)?;
    }
    w.opt_str(reason)?;
    w.idx(notes.len())?;
    for n in notes {
        w.time(&n.at);
        w.str(&n.text)?;
    }
    Some(())
}

/// A task as encoded, borrowed from the snapshot's bytes: reading one
/// checks every field (lengths, UTF-8, enum codes) without allocating, so
/// a whole snapshot is checked once when it is read, and a task is turned
/// into a [`Task`] only when something asks for it.
struct TaskRef<'a> {
    id: &'a str,
    title: &'a str,
    kind: TaskType,
    status: Status,
    priority: Option<u8>,
    phase: Option<&'a str>,
    role: Option<Role>,
    workflow: Option<&'a str>,
    issue: Option<u64>,
    parent: Option<&'a str>,
    depends_on: Seq<'a>,
    labels: Seq<'a>,
    assignee: Option<&'a str>,
    description: Option<&'a str>,
    estimate: Option<&'a str>,
    commits: Seq<'a>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    forced: Seq<'a>,
    reason: Option<&'a str>,
    notes: Seq<'a>,
}

/// `n` records of one kind, already checked, as their bytes.
#[derive(Clone, Copy)]
struct Seq<'a> {
    n: usize,
    raw: &'a [u8],
}

impl<'a> Seq<'a> {
    /// Check `n` records read by `item` and keep their bytes.
    fn read<T>(r: &mut R<'a>, mut item: impl FnMut(&mut R<'a>) -> Option<T>) -> Option<Seq<'a>> {
        let n = r.len()?;
        let start = r.pos;
        for _ in 0..n {
            item(r)?;
        }
        Some(Seq {
            n,
            raw: r.b.get(start..r.pos)?,
        })
    }

    /// The records again. A sequence from [`Seq::read`] was checked, so
    /// this succeeds; one built from a task record's span was not (a
    /// forged snapshot could lie), hence the `Option`.
    fn items<T>(self, mut item: impl FnMut(&mut R<'a>) -> Option<T>) -> Option<Vec<T>> {
        let mut r = R {
            b: self.raw,
            pos: 0,
        };
        (0..self.n).map(|_| item(&mut r)).collect()
    }
}

fn forced_ref<'a>(r: &mut R<'a>) -> Option<(DateTime<Utc>, Status, &'a str)> {
    Some((r.time()?, status_of(r.u8()?)?, r.str_ref()?))
}

fn note_ref<'a>(r: &mut R<'a>) -> Option<(DateTime<Utc>, &'a str)> {
    Some((r.time()?, r.str_ref()?))
}

fn task_ref<'a>(r: &mut R<'a>) -> Option<TaskRef<'a>> {
    let id = r.str_ref()?;
    let title = r.str_ref()?;
    let kind = kind_of(r.u8()?)?;
    let status = status_of(r.u8()?)?;
    let priority = match r.u8()? {
        0 => None,
        1 => Some(r.u8()?),
        _ => return None,
    };
    let phase = r.opt_str_ref()?;
    let role = role_of(r.u8()?)?;
    let workflow = r.opt_str_ref()?;
    let issue = match r.u8()? {
        0 => None,
        1 => Some(r.u64()?),
        _ => return None,
    };
    let parent = r.opt_str_ref()?;
    let depends_on = Seq::read(r, R::str_ref)?;
    let labels = Seq::read(r, R::str_ref)?;
    let assignee = r.opt_str_ref()?;
    let description = r.opt_str_ref()?;
    let estimate = r.opt_str_ref()?;
    let commits = Seq::read(r, R::str_ref)?;
    let created_at = r.time()?;
    let updated_at = r.time()?;
    let closed_at = match r.u8()? {
        0 => None,
        1 => Some(r.time()?),
        _ => return None,
    };
    let forced = Seq::read(r, forced_ref)?;
    let reason = r.opt_str_ref()?;
    let notes = Seq::read(r, note_ref)?;
    Some(TaskRef {
        id,
        title,
        kind,
        status,
        priority,
        phase,
        role,
        workflow,
        issue,
        parent,
        depends_on,
        labels,
        assignee,
        description,
        estimate,
        commits,
        created_at,
        updated_at,
        closed_at,
        forced,
        reason,
        notes,
    })
}

impl TaskRef<'_> {
    fn to_task(&self) -> Option<Task> {
        let owned = |s: Option<&str>| s.map(str::to_string);
        let strings = |s: Seq| s.items(|r| r.str_ref().map(str::to_string));
        Some(Task {
            id: self.id.to_string(),
            title: self.title.to_string(),
            kind: self.kind,
            status: self.status,
            priority: self.priority,
            phase: owned(self.phase),
            role: self.role,
            workflow: owned(self.workflow),
            issue: self.issue,
            parent: owned(self.parent),
            depends_on: strings(self.depends_on)?,
            labels: strings(self.labels)?,
            assignee: owned(self.assignee),
            description: owned(self.description),
            estimate: owned(self.estimate),
            commits: strings(self.commits)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
            closed_at: self.closed_at,
            reason: owned(self.reason),
            forced: self.forced.items(|r| {
                let (at, to, reason) = forced_ref(r)?;
                Some(Forced {
                    at,
                    to,
                    reason: reason.to_string(),
                })
            })?,
            notes: self.notes.items(|r| {
                let (at, text) = note_ref(r)?;
                Some(Note {
                    at,
                    text: text.to_string(),
                })
            })?,
        })
    }
}

/// The tasks of a decoded snapshot, as its bytes. Each task has a
/// fixed-size record of what reads need of every task (its facts, where
/// its id, title, phase, parent and dependencies are in its encoding, and
/// where that encoding is); the records are one after the other, then the
/// encodings. Reading a snapshot reads no record ahead: a task's facts
/// are read from its record, and its encoding is checked and decoded, when
/// something asks for that task (the records one after the other keep
/// the 10,000 records a read of every task's facts touches in 820 KB, not
/// spread over 4 MB between the encodings). Nothing is kept per task:
/// where a task's record is follows from its index.
///
/// Generic over the bytes (not a `dyn`): a 10,000-task read asks for facts
/// 50,000 times, and a call through a trait object to reach the bytes
/// each time showed in its profile.
struct Tasks<B> {
    bytes: B,
    /// Where the first record starts.
    records_from: usize,
    n: usize,
    /// Every task's type and status codes, gathered from the records the
    /// first time one is asked for: a task's state asks for the status of
    /// each of its dependencies, and a 10,000-task `ready` asked 40,000
    /// times, each a read from a record somewhere in 820 KB.
    codes: std::sync::OnceLock<Box<[[u8; 2]]>>,
}

/// A record in the snapshot: the fixed part, then where the task's
/// encoding starts (from the snapshot's start) and its length.
const STORED_RECORD_LEN: usize = RECORD_LEN + 8;

/// A string in a task's encoding: start (relative to the encoding) and
/// length.
type Span = (u32, u32);

/// The span of an absent string in a record.
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spans {
    id: Span,
    title: Span,
    phase: Option<Span>,
    parent: Option<Span>,
    /// The encoded list of explicit dependencies: (count, its bytes).
    depends_on: (u32, Span),
}

/// The fixed part of an entry, after its length: kind, status, priority
/// (2), role (5), issue (9), creation time (12), five spans (4 x 8 + 12).
const RECORD_LEN: usize = 5 + 9 + 12 + 4 * 8 + 12;

fn put_span(w: &mut W, s: Option<Span>) {
    let (start, len) = s.unwrap_or((NONE, 0));
    w.u32(start);
    w.u32(len);
}

/// The record of a task from its encoding `task` (which must start it).
fn record_of(task: &[u8]) -> Option<(Facts, Spans)> {
    let mut r = R { b: task, pos: 0 };
    let t = task_ref(&mut r)?;
    let span = |s: &[u8]| -> Option<Span> {
        let start = (s.as_ptr() as usize).checked_sub(task.as_ptr() as usize)?;
        Some((u32::try_from(start).ok()?, u32::try_from(s.len()).ok()?))
    };
    let text = |s: Option<&str>| match s {
        Some(s) => span(s.as_bytes()).map(Some),
        None => Some(None),
    };
    let facts = Facts {
        kind: t.kind,
        status: t.status,
        issue: t.issue,
        priority: t.priority,
        role: t.role,
        created_at: Created::of(&t.created_at),
    };
    let spans = Spans {
        id: span(t.id.as_bytes())?,
        title: span(t.title.as_bytes())?,
        phase: text(t.phase)?,
        parent: text(t.parent)?,
        depends_on: (u32::try_from(t.depends_on.n).ok()?, span(t.depends_on.raw)?),
    };
    Some((facts, spans))
}

/// A task's record (without where its encoding will be) and its
/// encoding, made afresh.
fn fresh_entry(t: &Task) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut task = W(Vec::with_capacity(512));
    put_task(&mut task, t)?;
    let (f, s) = record_of(&task.0)?;
    let mut w = W(Vec::with_capacity(RECORD_LEN));
    w.u8(kind_code(f.kind));
    w.u8(status_code(f.status));
    match f.priority {
        None => {
            w.u8(0);
            w.u8(0);
        }
        Some(p) => {
            w.u8(1);
            w.u8(p);
        }
    }
    w.u8(role_code(f.role));
    match f.issue {
        None => {
            w.u8(0);
            w.u64(0);
        }
        Some(n) => {
            w.u8(1);
            w.u64(n);
        }
    }
    let (secs, nanos) = f.created_at.parts();
    w.u64(secs as u64);
    w.u32(nanos);
    put_span(&mut w, Some(s.id));
    put_span(&mut w, Some(s.title));
    put_span(&mut w, s.phase);
    put_span(&mut w, s.parent);
    w.u32(s.depends_on.0);
    put_span(&mut w, Some(s.depends_on.1));
    debug_assert_eq!(w.0.len(), RECORD_LEN);
    Some((w.0, task.0))
}

/// A task's facts, read back from its record (every code checked): one
/// slice of [`RECORD_LEN`] bytes, read at the fixed offsets
/// [`fresh_entry`] writes them at. A restored plan reads them each time
/// they are asked for, so this is kept to a few loads and compares.
fn get_record(rec: &[u8; RECORD_LEN]) -> Option<Facts> {
    let u32_at = |k: usize| u32::from_le_bytes([rec[k], rec[k + 1], rec[k + 2], rec[k + 3]]);
    let u64_at = |k: usize| u64::from(u32_at(k)) | (u64::from(u32_at(k + 4)) << 32);
    let priority = match (rec[2], rec[3]) {
        (0, _) => None,
        (1, p) => Some(p),
        _ => return None,
    };
    let issue = issue_in(rec)?;
    let facts = Facts {
        kind: kind_of(rec[0])?,
        status: status_of(rec[1])?,
        issue,
        priority,
        role: role_of(rec[4])?,
        created_at: Created::from_parts(u64_at(14) as i64, u32_at(22)),
    };
    Some(facts)
}

/// The issue a record says its task has (None: the code is not one).
fn issue_in(rec: &[u8]) -> Option<Option<u64>> {
    match rec.get(5)? {
        0 => Some(None),
        1 => {
            let bytes = rec.get(6..14)?;
            Some(Some(u64::from_le_bytes(bytes.try_into().ok()?)))
        }
        _ => None,
    }
}

/// Where a record says its task's texts are.
fn spans_of(rec: &[u8; RECORD_LEN]) -> Option<Spans> {
    let u32_at = |k: usize| u32::from_le_bytes([rec[k], rec[k + 1], rec[k + 2], rec[k + 3]]);
    let span_at = |k: usize| {
        let start = u32_at(k);
        (start != NONE).then_some((start, u32_at(k + 4)))
    };
    Some(Spans {
        id: span_at(26)?,
        title: span_at(34)?,
        phase: span_at(42),
        parent: span_at(50),
        depends_on: (u32_at(58), span_at(62)?),
    })
}

impl<B: AsRef<[u8]>> Tasks<B> {
    /// Every task's type and status codes (see `codes`).
    fn codes(&self) -> &[[u8; 2]] {
        self.codes.get_or_init(|| {
            self.all()
                .get(self.records_from..)
                .unwrap_or_default()
                .chunks_exact(STORED_RECORD_LEN)
                .take(self.n)
                .map(|rec| [rec[0], rec[1]])
                .collect()
        })
    }

    /// Task `i`'s stored record (none past the last task).
    fn record(&self, i: usize) -> Option<&[u8; STORED_RECORD_LEN]> {
        if i >= self.n {
            return None;
        }
        let at = self
            .records_from
            .checked_add(i.checked_mul(STORED_RECORD_LEN)?)?;
        self.all()
            .get(at..at.checked_add(STORED_RECORD_LEN)?)?
            .try_into()
            .ok()
    }

    /// Where task `i`'s texts are (none, if its record was forged).
    fn spans(&self, i: usize) -> Spans {
        self.record(i)
            .and_then(|rec| spans_of(rec[..RECORD_LEN].try_into().ok()?))
            .unwrap_or(Spans {
                id: (0, 0),
                title: (0, 0),
                phase: None,
                parent: None,
                depends_on: (0, (0, 0)),
            })
    }

    fn all(&self) -> &[u8] {
        self.bytes.as_ref()
    }

    /// Task `i`'s encoding.
    fn task_bytes(&self, i: usize) -> &[u8] {
        self.record(i)
            .and_then(|rec| {
                let start = le_u32(&rec[RECORD_LEN..]) as usize;
                let len = le_u32(&rec[RECORD_LEN + 4..]) as usize;
                self.all().get(start..start.checked_add(len)?)
            })
            .unwrap_or_default()
    }

    /// A text of task `i`: "" if the span does not hold UTF-8 (only a
    /// forged snapshot, one whose checksum matches but whose records lie,
    /// could have that).
    fn text(&self, i: usize, (start, len): Span) -> &str {
        let range = start as usize..start as usize + len as usize;
        self.task_bytes(i)
            .get(range)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl<B: AsRef<[u8]>> std::fmt::Debug for Tasks<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tasks({} in {} bytes)", self.n, self.all().len())
    }
}

impl<B: AsRef<[u8]> + Send + Sync> TaskSource for Tasks<B> {
    fn id(&self, i: usize) -> &str {
        self.text(i, self.spans(i).id)
    }

    fn title(&self, i: usize) -> &str {
        self.text(i, self.spans(i).title)
    }

    fn phase(&self, i: usize) -> Option<&str> {
        self.spans(i).phase.map(|p| self.text(i, p))
    }

    fn parent(&self, i: usize) -> Option<&str> {
        self.spans(i).parent.map(|p| self.text(i, p))
    }

    fn texts(&self, i: usize) -> Texts<'_> {
        let spans = self.spans(i);
        let bytes = self.task_bytes(i);
        let at = |(start, len): Span| {
            bytes
                .get(start as usize..start as usize + len as usize)
                .unwrap_or_default()
        };
        Texts {
            id: at(spans.id),
            title: at(spans.title),
            phase: spans.phase.map(at),
        }
    }

    fn depends_on(&self, i: usize) -> Vec<&str> {
        let (n, (start, len)) = self.spans(i).depends_on;
        let raw = self
            .task_bytes(i)
            .get(start as usize..start as usize + len as usize)
            .unwrap_or_default();
        Seq { n: n as usize, raw }
            .items(R::str_ref)
            .unwrap_or_default()
    }

    fn facts(&self, i: usize) -> Facts {
        // Checked here, when asked for: only a forged snapshot (its
        // checksum matches, its records lie) could fail, and then facts
        // that hold are better than a crash.
        self.record(i)
            .and_then(|rec| get_record(rec[..RECORD_LEN].try_into().ok()?))
            .unwrap_or(Facts {
                kind: TaskType::Impl,
                status: Status::Pending,
                issue: None,
                priority: None,
                role: None,
                created_at: Created::from_parts(0, 0),
            })
    }

    fn status(&self, i: usize) -> Status {
        self.codes()
            .get(i)
            .and_then(|c| status_of(c[1]))
            .unwrap_or(Status::Pending)
    }

    fn kind(&self, i: usize) -> TaskType {
        self.codes()
            .get(i)
            .and_then(|c| kind_of(c[0]))
            .unwrap_or(TaskType::Impl)
    }

    fn issue(&self, i: usize) -> Option<u64> {
        issue_in(self.record(i)?).flatten()
    }

    fn encoded(&self, i: usize) -> Option<(&[u8], &[u8])> {
        Some((self.record(i)?.get(..RECORD_LEN)?, self.task_bytes(i)))
    }

    fn encodings(&self, from: usize, to: usize) -> Option<(&[u8], &[u8])> {
        if from >= to || to > self.n {
            return None;
        }
        let at = |i: usize| {
            self.records_from
                .checked_add(i.checked_mul(STORED_RECORD_LEN)?)
        };
        let records = self.all().get(at(from)?..at(to)?)?;
        let mut spans = records.chunks_exact(STORED_RECORD_LEN).map(|rec| {
            let start = le_u32(&rec[RECORD_LEN..]) as usize;
            Some((
                start,
                start.checked_add(le_u32(&rec[RECORD_LEN + 4..]) as usize)?,
            ))
        });
        let (start, mut end) = spans.next()??;
        // Each begins where the one before ended (as this format writes
        // them; a forged snapshot may not).
        for span in spans {
            let (s, e) = span?;
            if s != end {
                return None;
            }
            end = e;
        }
        Some((records, self.all().get(start..end)?))
    }

    fn task(&self, i: usize) -> Task {
        let mut r = R {
            b: self.task_bytes(i),
            pos: 0,
        };
        // Checked here, when asked for: the snapshot's checksum matched,
        // so only a forged one could fail. Then a task with the right id
        // is better than a crash.
        task_ref(&mut r)
            .and_then(|t| t.to_task())
            .unwrap_or_else(|| {
                Task::new(
                    self.id(i).to_string(),
                    String::new(),
                    TaskType::Impl,
                    DateTime::UNIX_EPOCH,
                )
            })
    }
}

fn put_idxs(w: &mut W, v: &[usize]) -> Option<()> {
    w.idx(v.len())?;
    if v.iter().any(|&i| u32::try_from(i).is_err()) {
        return None;
    }
    w.items(4, v.iter(), |room, &i| {
        room.copy_from_slice(&(i as u32).to_le_bytes())
    });
    Some(())
}

fn get_idxs(r: &mut R) -> Option<Vec<usize>> {
    let n = r.len()?;
    Some(r.items(n, 4, |c| le_u32(c) as usize)?.collect())
}

/// The little-endian u32 at the start of `c` (which has at least 4 bytes:
/// [`R::items`] hands out whole items).
fn le_u32(c: &[u8]) -> u32 {
    u32::from_le_bytes([c[0], c[1], c[2], c[3]])
}

/// Encode a snapshot for the bytes with key `key`. None when something
/// cannot be stored (a string longer than the format allows). `blocks`:
/// see [`Snapshot::blocks`].
pub fn encode(
    key: u128,
    file: &StoreFile,
    graph: &Graph,
    problems: &[Problem],
    blocks: Option<&[u32]>,
) -> Option<Vec<u8>> {
    let index = crate::graph::plan::id_index(file.tasks.iter().map(|t| t.id.as_str()));
    let head = Head {
        index: &index,
        version: file.version,
        scan: file.scan.as_ref().map(|s| s.head.as_str()),
        workflow: file.workflow.as_ref(),
        tasks: file.tasks.len(),
        sorted: file.tasks.windows(2).all(|w| {
            sort_key(w[0].issue, Created::of(&w[0].created_at), &w[0].id)
                <= sort_key(w[1].issue, Created::of(&w[1].created_at), &w[1].id)
        }),
    };
    let derived = Derived {
        graph,
        problems,
        blocks,
    };
    encode_with(
        key,
        head,
        derived,
        |i| Some(Entry::Fresh(&file.tasks[i])),
        None,
        |_| None::<Run<'_>>,
    )
}

/// [`encode`] for a plan, written to `out` as it is encoded, in two parts:
/// this one sends the header and the tasks, which need neither the graph
/// nor the problems, and [`encode_plan_rest_to`] the rest after them. A
/// write sends the first on one thread while another still checks the
/// plan, and that one sends the rest to the same file. The tasks still as
/// the snapshot the plan was restored from has them are copied from that
/// snapshot's bytes, so a write encodes only what it changed. None when
/// something cannot be stored or `out` refused a piece.
///
/// Written in pieces instead of gathered: a 10,000-task snapshot is 4 MB,
/// and fresh memory costs a write more (the kernel zeroes it) than the
/// copies it would save.
pub(crate) fn encode_plan_tasks_to(plan: &Plan, out: Out<'_>) -> Option<TasksSent> {
    let head = plan_head(plan);
    let entry = |i| {
        Some(match plan.encoded(i) {
            Some((record, encoding)) => Entry::Copied(record, encoding),
            None => Entry::Fresh(plan.task(i)),
        })
    };
    // Runs of tasks unchanged since the snapshot the plan was restored
    // from, in its order (a create's: the tasks before and after the new
    // one), found once; each part of the encoding asks for them in turn.
    // Only runs whose parts fit are kept (`Run::fits`): every part must
    // take the same ones.
    let mut runs: Vec<(usize, Run<'_>)> = Vec::new();
    let mut i = 0;
    while i < plan.len() {
        let Some((to, parts)) = plan.encoded_run(i) else {
            i += 1;
            continue;
        };
        if let Some((records, encodings)) = parts {
            let r = Run {
                to,
                records,
                encodings,
            };
            if r.fits(i) {
                runs.push((i, r));
            }
        }
        i = to.max(i + 1);
    }
    let run = |i: usize| {
        let at = runs.binary_search_by_key(&i, |r| r.0).ok()?;
        runs.get(at).map(|r| r.1.clone())
    };
    let mut e = Encoding::new(true, head.tasks);
    let mut out = Some(out);
    let parts_at = encode_tasks(&mut e, &mut out, 0, &head, entry, run)?;
    Some(TasksSent {
        spill: e.spill?,
        parts_at,
        tasks: head.tasks,
    })
}

/// The rest of a plan's snapshot once [`encode_plan_tasks_to`] sent the
/// tasks of the same plan to the same place; where the key goes. The key
/// is written as zeros: the caller writes the key of the text (once that
/// is known) at the offset this gives.
pub(crate) fn encode_plan_rest_to(
    sent: &TasksSent,
    plan: &Plan,
    graph: &Graph,
    problems: &[Problem],
    blocks: Option<&[u32]>,
    out: Out<'_>,
) -> Option<u64> {
    let head = plan_head(plan);
    if head.tasks != sent.tasks {
        return None;
    }
    let derived = Derived {
        graph,
        problems,
        blocks,
    };
    let mut e = Encoding {
        w: W(Vec::with_capacity(SPILL_AT + 16 * 1024)),
        spill: Some(sent.spill.clone()),
    };
    let mut out = Some(out);
    encode_derived(&mut e, &mut out, &head, derived, sent.parts_at)?;
    e.finish(&mut out).map(|_| key_at())
}

/// What [`encode_plan_tasks_to`] sent: all of it is out.
#[derive(Clone)]
pub(crate) struct TasksSent {
    spill: Spill,
    parts_at: usize,
    tasks: usize,
}

/// A plan's header, as a snapshot stores it.
fn plan_head(plan: &Plan) -> Head<'_> {
    Head {
        version: plan.version(),
        scan: plan.scan_head(),
        workflow: plan.own_workflow(),
        tasks: plan.len(),
        sorted: plan.known_sorted(),
        index: plan.id_index(),
    }
}

/// Where a snapshot's key is: after the magic and wm's version.
pub fn key_at() -> u64 {
    (MAGIC.len() + 4 + env!("CARGO_PKG_VERSION").len()) as u64
}

/// What a snapshot stores before its tasks.
struct Head<'a> {
    version: u32,
    scan: Option<&'a str>,
    workflow: Option<&'a crate::model::workflow::Workflow>,
    tasks: usize,
    /// Whether the tasks are in canonical order: a write restoring the
    /// snapshot then need not check every task's place.
    sorted: bool,
    /// The plan's id index (see `Plan::id_index`).
    index: &'a [(u64, u32)],
}

/// How much of an encoding is gathered before it goes to its `out`.
const SPILL_AT: usize = super::PIECE;

/// Where an encoding is sent, a piece at a time (None: it refused one).
type Out<'o> = &'o mut dyn FnMut(&[u8]) -> Option<()>;

/// A snapshot's encoding under way: the bytes gathered and not yet sent
/// and, when they go out in pieces, what has gone.
struct Encoding {
    w: W,
    spill: Option<Spill>,
}

/// What has gone out of an encoding sent in pieces: hashed for the
/// checksum as it went (the key as zeros, in the first piece).
#[derive(Clone)]
struct Spill {
    sum: Sum,
    first: bool,
    /// Bytes sent so far.
    sent: usize,
}

impl Encoding {
    /// Gathered whole (`pieces` false), or sent in pieces.
    fn new(pieces: bool, tasks: usize) -> Self {
        Encoding {
            w: W(Vec::with_capacity(if pieces {
                SPILL_AT + 16 * 1024
            } else {
                64 + tasks * 400
            })),
            spill: pieces.then(|| Spill {
                sum: Sum::new(),
                first: true,
                sent: 0,
            }),
        }
    }

    /// How many bytes the encoding has so far.
    fn len(&self) -> usize {
        self.spill.as_ref().map_or(0, |s| s.sent) + self.w.0.len()
    }

    /// Send what was gathered to `out` once there is enough of it (`all`:
    /// any); nothing when it is gathered whole.
    #[inline]
    fn spill(&mut self, out: &mut Option<Out<'_>>, all: bool) -> Option<()> {
        // Asked after every task and every task's edges: mostly nothing to
        // do, so that is told here, inlined.
        if !all && self.w.0.len() < SPILL_AT {
            return Some(());
        }
        self.spill_now(out)
    }

    fn spill_now(&mut self, out: &mut Option<Out<'_>>) -> Option<()> {
        let (Some(s), Some(out)) = (&mut self.spill, out) else {
            return Some(());
        };
        if std::mem::take(&mut s.first) {
            s.sum
                .update_first(&self.w.0, usize::try_from(key_at()).ok()?)?;
        } else {
            s.sum.update(&self.w.0);
        }
        out(&self.w.0)?;
        s.sent += self.w.0.len();
        self.w.0.clear();
        Some(())
    }

    /// What was gathered, then `bytes` as they are (sent without being
    /// copied into the buffer first).
    fn send(&mut self, out: &mut Option<Out<'_>>, bytes: &[u8]) -> Option<()> {
        if self.spill.is_none() || out.is_none() {
            self.w.0.extend_from_slice(bytes);
            return Some(());
        }
        self.spill(out, true)?;
        let (Some(s), Some(out)) = (&mut self.spill, out) else {
            return None;
        };
        s.sum.update(bytes);
        out(bytes)?;
        s.sent += bytes.len();
        Some(())
    }

    /// The checksum last: the whole encoding, or (sent in pieces) nothing
    /// more to return.
    fn finish(mut self, out: &mut Option<Out<'_>>) -> Option<Vec<u8>> {
        if self.spill.is_none() {
            let sum = checksum(&self.w.0, usize::try_from(key_at()).ok()?)?;
            self.w.0.extend_from_slice(&sum);
            return Some(self.w.0);
        }
        self.spill(out, true)?;
        let sum = self.spill?.sum.finish();
        (out.as_mut()?)(&sum)?;
        Some(Vec::new())
    }
}

/// Where a task's record and encoding come from.
enum Entry<'a> {
    /// From the snapshot a plan was restored from: its record (without
    /// where its encoding is) and its encoding, copied as they are.
    Copied(&'a [u8], &'a [u8]),
    /// Encoded afresh.
    Fresh(&'a Task),
}

/// Tasks `i..to` (from the `i` asked for) as a snapshot stores them, each
/// part in one piece: their stored records (each ends with where its
/// encoding was, and its length) and their encodings, one after the other.
#[derive(Clone)]
struct Run<'a> {
    to: usize,
    records: &'a [u8],
    encodings: &'a [u8],
}

impl Run<'_> {
    /// The length of each encoding, from its record.
    fn lens(&self) -> impl Iterator<Item = usize> + '_ {
        self.records
            .chunks_exact(STORED_RECORD_LEN)
            .map(|r| le_u32(&r[RECORD_LEN + 4..]) as usize)
    }

    /// Whether its parts fit: a record per task (more than one), as long
    /// together as the encodings they describe.
    fn fits(&self, from: usize) -> bool {
        self.to > from + 1
            && self.records.len() == (self.to - from) * STORED_RECORD_LEN
            && self.lens().sum::<usize>() == self.encodings.len()
    }
}

/// What a snapshot stores besides its tasks: what was worked out from
/// them, and where their blocks are in the text.
struct Derived<'g> {
    graph: &'g Graph,
    problems: &'g [Problem],
    blocks: Option<&'g [u32]>,
}

/// Encode a snapshot: gathered whole and returned, or, with `out`, sent
/// there in pieces (then the returned bytes are empty). See
/// [`encode_tasks`] for `entry` and `run`.
fn encode_with<'a>(
    key: u128,
    head: Head,
    derived: Derived<'_>,
    entry: impl Fn(usize) -> Option<Entry<'a>>,
    mut out: Option<Out<'_>>,
    run: impl Fn(usize) -> Option<Run<'a>>,
) -> Option<Vec<u8>> {
    let mut e = Encoding::new(out.is_some(), head.tasks);
    let parts_at = encode_tasks(&mut e, &mut out, key, &head, entry, run)?;
    encode_derived(&mut e, &mut out, &head, derived, parts_at)?;
    e.finish(&mut out)
}

/// The first part of a snapshot: the header, every task's record, then
/// their encodings; where the graph's part will start. `entry` gives each
/// task's; it is asked three times per task (the records say where the
/// encodings will be, so their lengths are needed first), and the tasks
/// encoded afresh are encoded once, on the first pass. `run` gives the run
/// of tasks that starts at a task, if one does, to be copied whole; it must
/// give the same runs on every pass, and only runs that fit
/// ([`Run::fits`]). Sent in pieces, it is all gone when this returns.
fn encode_tasks<'a>(
    e: &mut Encoding,
    out: &mut Option<Out<'_>>,
    key: u128,
    head: &Head,
    entry: impl Fn(usize) -> Option<Entry<'a>>,
    run: impl Fn(usize) -> Option<Run<'a>>,
) -> Option<usize> {
    let w = &mut e.w;
    w.0.extend_from_slice(MAGIC);
    w.str(env!("CARGO_PKG_VERSION"))?;
    debug_assert_eq!(w.0.len() as u64, key_at());
    w.0.extend_from_slice(&key.to_le_bytes());
    w.u32(head.version);
    w.u8(u8::from(head.sorted));
    match head.scan {
        None => w.u8(0),
        Some(s) => {
            w.u8(1);
            w.str(s)?;
        }
    }
    // A store's own workflow is small: stored as its JSON.
    let workflow = match head.workflow {
        Some(wf) => Some(serde_json::to_string(wf).ok()?),
        None => None,
    };
    w.opt_str(&workflow)?;
    w.idx(head.tasks)?;
    // First the length of every encoding, and the fresh ones made. The
    // runs `run` gives (a create's: the tasks before and after the new
    // one) are copied in one piece in each part below: their records, with
    // where each encoding now is put in, then their encodings, straight
    // to `out`. One by one, 10,000 tasks' records and encodings were most
    // of encoding a create's snapshot.
    let mut fresh = Vec::new();
    let mut lens = Vec::with_capacity(head.tasks);
    let mut i = 0;
    while i < head.tasks {
        if let Some(r) = run(i) {
            lens.extend(r.lens());
            i = r.to;
            continue;
        }
        match entry(i)? {
            Entry::Copied(_, encoding) => lens.push(encoding.len()),
            Entry::Fresh(t) => {
                let (record, encoding) = fresh_entry(t)?;
                lens.push(encoding.len());
                fresh.push((record, encoding));
            }
        }
        i += 1;
    }
    // The records, each saying where its encoding will be.
    let mut at = e
        .len()
        .checked_add(head.tasks.checked_mul(STORED_RECORD_LEN)?)?;
    let mut fresh_records = fresh.iter();
    let mut i = 0;
    while i < head.tasks {
        if let Some(r) = run(i) {
            // A piece at a time, so that the buffer keeps its size.
            let piece = (SPILL_AT / STORED_RECORD_LEN).max(1) * STORED_RECORD_LEN;
            for records in r.records.chunks(piece) {
                let w = &mut e.w;
                let from = w.0.len();
                w.0.extend_from_slice(records);
                for rec in w.0.get_mut(from..)?.chunks_exact_mut(STORED_RECORD_LEN) {
                    let len = le_u32(&rec[RECORD_LEN + 4..]) as usize;
                    rec[RECORD_LEN..RECORD_LEN + 4]
                        .copy_from_slice(&u32::try_from(at).ok()?.to_le_bytes());
                    at = at.checked_add(len)?;
                }
                e.spill(out, false)?;
            }
            i = r.to;
            continue;
        }
        let len = *lens.get(i)?;
        let w = &mut e.w;
        match entry(i)? {
            Entry::Copied(record, _) if record.len() == RECORD_LEN => w.0.extend_from_slice(record),
            Entry::Copied(..) => return None,
            Entry::Fresh(_) => w.0.extend_from_slice(&fresh_records.next()?.0),
        }
        w.idx(at)?;
        w.idx(len)?;
        at = at.checked_add(len)?;
        e.spill(out, false)?;
        i += 1;
    }
    // Then the encodings.
    let mut fresh_encodings = fresh.iter();
    let mut i = 0;
    while i < head.tasks {
        if let Some(r) = run(i) {
            e.send(out, r.encodings)?;
            i = r.to;
            continue;
        }
        match entry(i)? {
            Entry::Copied(_, encoding) => e.w.0.extend_from_slice(encoding),
            Entry::Fresh(_) => e.w.0.extend_from_slice(&fresh_encodings.next()?.1),
        }
        e.spill(out, false)?;
        i += 1;
    }
    debug_assert_eq!(e.len(), at);
    e.spill(out, true)?;
    // Where the graph's part starts, for the trailer: a reader decodes it
    // and the records at the same time.
    Some(e.len())
}

/// The rest of a snapshot, after its tasks' encodings (see
/// [`encode_tasks`]): the graph's part, the id index, the block starts and
/// the trailer; the checksum is [`Encoding::finish`]'s.
fn encode_derived(
    e: &mut Encoding,
    out: &mut Option<Out<'_>>,
    head: &Head,
    derived: Derived<'_>,
    parts_at: usize,
) -> Option<()> {
    let Derived {
        graph,
        problems,
        blocks,
    } = derived;
    let (deps, dangling, cycles, order, epic, by_key) = graph.parts();
    for d in deps.iter() {
        e.spill(out, false)?;
        let w = &mut e.w;
        w.idx(d.len())?;
        for &(j, k) in d {
            w.idx(j)?;
            w.u8(u8::from(k == EdgeKind::Phase));
        }
    }
    let w = &mut e.w;
    w.idx(dangling.len())?;
    for (i, id) in dangling {
        w.idx(*i)?;
        w.str(id)?;
    }
    w.idx(cycles.len())?;
    for c in cycles {
        put_idxs(w, c)?;
    }
    put_idxs(w, order)?;
    put_idxs(w, by_key)?;
    for e in epic {
        match e {
            None => w.u8(0),
            Some(e) => {
                w.u8(1);
                w.idx(*e)?;
            }
        }
    }
    w.idx(problems.len())?;
    for p in problems {
        w.u8(u8::from(p.severity == Severity::Warning));
        w.u8(code_byte(p.code));
        w.str(&p.message)?;
        w.strs(&p.tasks)?;
        put_fix(w, p.fix.as_ref())?;
    }
    w.items(12, head.index.iter(), |room, &(hash, i)| {
        room[..8].copy_from_slice(&hash.to_le_bytes());
        room[8..].copy_from_slice(&i.to_le_bytes());
    });
    match blocks {
        Some(b) if b.len() == head.tasks => {
            w.u8(1);
            w.items(4, b.iter(), |room, &start| {
                room.copy_from_slice(&start.to_le_bytes())
            });
        }
        _ => w.u8(0),
    }
    w.u64(parts_at as u64);
    Some(())
}

/// Decode a snapshot, if it is one, intact (its checksum matches its
/// bytes), from this version of wm, for the bytes with key `key`, and
/// wholly readable.
pub fn decode<B>(owned: B, key: u128) -> Option<Snapshot>
where
    B: AsRef<[u8]> + Send + Sync + 'static,
{
    let opened = open(owned)?;
    if key != opened.key() {
        return None;
    }
    // On a big snapshot a helper takes the graph's part while this thread
    // reads the records, and both then take pieces of the checksum
    // (10,000 tasks: graph 0.7 ms, checksum 0.4-0.5 in all).
    //
    // Not made to run beside this thread (helper.rs): whichever thread is
    // free takes a job, so a helper queued behind this one costs at most
    // the time it would have saved. When beside meant moving this
    // thread, `list` was 0.5-2.9 ms and `ready` 0.3-0.7 ms faster without
    // it (2026-12-03). Now that the helper moves instead, two rounds of 40
    // runs each (2026-12-04) showed no steady difference either way
    // (`list` 4.21/4.20 then 4.26/4.01 ms, `ready` 2.96/3.48 then
    // 3.00/2.89 ms, plain/beside), so it stays plain.
    let rest = Rest::of(&opened);
    let records = if opened.len() as u64 >= super::helper::BESIDE_FROM {
        std::thread::scope(|s| {
            let h = super::helper::spawn(s, false, || rest.work());
            let records = opened.records();
            rest.work();
            if let Some(h) = h {
                let _ = h.join();
            }
            records
        })
    } else {
        rest.work();
        opened.records()
    };
    let (intact, parts) = rest.done();
    opened.finish(intact?, records?, parts?)
}

/// What is left of an opened snapshot once its records are read: the
/// graph's part and the pieces of the checksum, jobs each done once, by
/// whichever thread takes it first ([`Rest::work`]). A write's restore
/// shares them between the thread that reads the records and the helper
/// that hashed the store; a read's, between the reading thread and a
/// helper.
pub(crate) struct Rest<'a, B> {
    opened: &'a Opened<B>,
    /// The next job: 0 the graph's part, then each piece of the checksum.
    next: AtomicUsize,
    parts: OnceLock<Option<Parts>>,
    pieces: Vec<OnceLock<Option<[u8; 16]>>>,
}

impl<'a, B: AsRef<[u8]> + Sync> Rest<'a, B> {
    pub(crate) fn of(opened: &'a Opened<B>) -> Self {
        let len = opened.owned.as_ref().len().saturating_sub(CHECKSUM_LEN);
        Rest {
            opened,
            next: AtomicUsize::new(0),
            parts: OnceLock::new(),
            pieces: (0..sum_pieces(len)).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Do the jobs nobody has taken yet, the graph's part (the longest)
    /// first.
    pub(crate) fn work(&self) {
        loop {
            match self.next.fetch_add(1, Ordering::AcqRel) {
                0 => {
                    let _ = self.parts.set(self.opened.parts());
                }
                k => match self.pieces.get(k - 1) {
                    Some(piece) => {
                        let _ = piece.set(self.opened.piece_sum(k - 1));
                    }
                    None => return,
                },
            }
        }
    }

    /// The results, once every thread that worked is done.
    pub(crate) fn done(self) -> (Option<Intact>, Option<Parts>) {
        let mut sums = Vec::with_capacity(self.pieces.len() * 16);
        let mut whole = true;
        for p in self.pieces {
            match p.into_inner().flatten() {
                Some(sum) => sums.extend_from_slice(&sum),
                None => whole = false,
            }
        }
        let intact = whole.then(|| self.opened.intact_with(&sums)).flatten();
        (intact, self.parts.into_inner().flatten())
    }
}

/// A snapshot whose header was read: its records and the rest (the
/// graph, the problems, the index) decode apart, on two threads if need
/// be, and nothing decoded is used unless [`Opened::intact`].
pub(crate) struct Opened<B> {
    owned: B,
    key_at: usize,
    key: u128,
    version: u32,
    sorted: bool,
    scan: Option<ScanState>,
    workflow: Option<crate::model::workflow::Workflow>,
    n: usize,
    records_from: usize,
    parts_at: usize,
}

/// Proof that a snapshot's checksum matched ([`Opened::intact`]).
pub(crate) struct Intact(());

/// Proof that the records are where the header says and point into the
/// encodings ([`Opened::records`]). Nothing is read from them ahead: a
/// restored plan reads a task's facts from its record when asked.
pub(crate) struct Records(());

/// The rest, as [`Opened::parts`] reads it.
pub(crate) struct Parts {
    graph: Graph,
    problems: Vec<Problem>,
    index: Vec<(u64, u32)>,
    blocks: Option<Vec<u32>>,
}

/// Read a snapshot's header, if it is one from this version of wm.
pub(crate) fn open<B: AsRef<[u8]>>(owned: B) -> Option<Opened<B>> {
    let all = owned.as_ref();
    let body = all.get(..all.len().checked_sub(CHECKSUM_LEN + 8)?)?;
    // The graph's part starts where the trailer says.
    let trailer = all.get(body.len()..body.len() + 8)?;
    let parts_at = usize::try_from(u64::from_le_bytes(trailer.try_into().ok()?)).ok()?;
    let mut r = R { b: body, pos: 0 };
    if r.take(MAGIC.len())? != MAGIC || r.str()? != env!("CARGO_PKG_VERSION") {
        return None;
    }
    let key_at = r.pos;
    let key = u128::from_le_bytes(r.take(KEY_LEN)?.try_into().ok()?);
    let version = r.u32()?;
    let sorted = match r.u8()? {
        0 => false,
        1 => true,
        _ => return None,
    };
    let scan = r.opt_str()?.map(|head| ScanState { head });
    let workflow = match r.opt_str()? {
        Some(json) => Some(serde_json::from_str(&json).ok()?),
        None => None,
    };
    let n = r.len()?;
    let records_from = r.pos;
    let records_end = records_from.checked_add(n.checked_mul(STORED_RECORD_LEN)?)?;
    if parts_at < records_end || parts_at > body.len() {
        return None;
    }
    Some(Opened {
        owned,
        key_at,
        key,
        version,
        sorted,
        scan,
        workflow,
        n,
        records_from,
        parts_at,
    })
}

impl<B: AsRef<[u8]>> Opened<B> {
    /// The key of the store bytes the snapshot is for.
    pub(crate) fn key(&self) -> u128 {
        self.key
    }

    /// The snapshot's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.owned.as_ref().len()
    }

    /// The hash of piece `k` of the checksummed bytes.
    fn piece_sum(&self, k: usize) -> Option<[u8; 16]> {
        let all = self.owned.as_ref();
        piece_sum(
            all.get(..all.len().checked_sub(CHECKSUM_LEN)?)?,
            k,
            self.key_at,
        )
    }

    /// Whether the checksum matches the hashes of every piece, one after
    /// the other.
    fn intact_with(&self, pieces: &[u8]) -> Option<Intact> {
        let all = self.owned.as_ref();
        let sum = all.get(all.len().checked_sub(CHECKSUM_LEN)?..)?;
        (combine(pieces) == sum).then_some(Intact(()))
    }

    /// The tasks' records.
    pub(crate) fn records(&self) -> Option<Records> {
        let body = self.owned.as_ref().get(..self.parts_at)?;
        get_records(body, self.records_from, self.n)
    }

    /// The graph, the problems, the id index and the block starts.
    pub(crate) fn parts(&self) -> Option<Parts> {
        let all = self.owned.as_ref();
        let body = all.get(..all.len().checked_sub(CHECKSUM_LEN + 8)?)?;
        get_parts(body, self.parts_at, self.n)
    }
}

impl<B: AsRef<[u8]> + Send + Sync + 'static> Opened<B> {
    /// The snapshot, from its records and the rest; `Intact` says its
    /// checksum matched.
    pub(crate) fn finish(self, _: Intact, _: Records, parts: Parts) -> Option<Snapshot> {
        let header = StoreFile {
            version: self.version,
            scan: self.scan,
            workflow: self.workflow,
            tasks: Vec::new(),
        };
        let source = Tasks {
            bytes: self.owned,
            records_from: self.records_from,
            n: self.n,
            codes: std::sync::OnceLock::new(),
        };
        let mut plan = Plan::lazy(header, self.n, std::sync::Arc::new(source));
        if self.sorted {
            plan.assume_sorted();
        }
        if !plan.adopt_id_index(parts.index) {
            return None;
        }
        Some(Snapshot {
            plan,
            graph: parts.graph,
            problems: parts.problems,
            blocks: parts.blocks,
        })
    }
}

/// Whether the `n` records that start at `from` fit in `b`, the first
/// encoding right after them and the last ending where `b` does. What a
/// record says is checked when it is read ([`Tasks::facts`],
/// [`Tasks::spans`]); reading all 10,000 here (their facts, into a list)
/// was a third of a 10,000-task read's restore.
fn get_records(b: &[u8], from: usize, n: usize) -> Option<Records> {
    let end = from.checked_add(n.checked_mul(STORED_RECORD_LEN)?)?;
    let table = b.get(from..end)?;
    let place = |rec: &[u8]| {
        let start = le_u32(&rec[RECORD_LEN..]) as usize;
        Some((
            start,
            start.checked_add(le_u32(&rec[RECORD_LEN + 4..]) as usize)?,
        ))
    };
    let fits = match (
        table.chunks_exact(STORED_RECORD_LEN).next(),
        table.chunks_exact(STORED_RECORD_LEN).next_back(),
    ) {
        (Some(first), Some(last)) => place(first)?.0 == end && place(last)?.1 == b.len(),
        _ => end == b.len(),
    };
    fits.then_some(Records(()))
}

/// The graph, the problems, the id index and the block starts of `n`
/// tasks, from `at` to the end of `b`.
fn get_parts(b: &[u8], at: usize, n: usize) -> Option<Parts> {
    let mut r = R { b, pos: at };
    // The lists end to end, as the graph keeps them.
    let mut starts = Vec::with_capacity(n + 1);
    let mut edges = Vec::with_capacity(n * 2);
    starts.push(0u32);
    for _ in 0..n {
        let m = r.len()?;
        for edge in r.items(m, 5, |c| {
            let k = match c[4] {
                0 => EdgeKind::Explicit,
                1 => EdgeKind::Phase,
                _ => return None,
            };
            Some((le_u32(c) as usize, k))
        })? {
            edges.push(edge?);
        }
        starts.push(u32::try_from(edges.len()).ok()?);
    }
    let deps = crate::graph::Lists::from_parts(starts, edges)?;
    let m = r.len()?;
    let dangling = r.list(m, 8, |r| Some((r.idx()?, r.str()?)))?;
    let m = r.len()?;
    let cycles = r.list(m, 4, get_idxs)?;
    let order = get_idxs(&mut r)?;
    let by_key = get_idxs(&mut r)?;
    let epic = r.list(n, 1, |r| match r.u8()? {
        0 => Some(None),
        1 => Some(Some(r.idx()?)),
        _ => None,
    })?;
    let m = r.len()?;
    let problems = r.list(m, 2, |r| {
        let severity = match r.u8()? {
            0 => Severity::Error,
            1 => Severity::Warning,
            _ => return None,
        };
        Some(Problem {
            severity,
            code: code_of(r.u8()?)?,
            message: r.str()?,
            tasks: r.strs()?,
            fix: get_fix(r)?,
        })
    })?;
    // The items are there (`items` checks) before room is made for them.
    let entries = r.items(n, 12, |c| {
        let hash = u64::from(le_u32(c)) | (u64::from(le_u32(&c[4..])) << 32);
        (hash, le_u32(&c[8..]))
    })?;
    let mut index = Vec::with_capacity(n.saturating_add(crate::graph::plan::ROOM));
    index.extend(entries);
    let blocks = match r.u8()? {
        0 => None,
        1 => Some(r.items(n, 4, le_u32)?.collect()),
        _ => return None,
    };
    if r.pos != b.len() {
        return None;
    }
    let graph = Graph::from_parts(deps, dangling, cycles, order, epic, by_key)?;
    Some(Parts {
        graph,
        problems,
        index,
        blocks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checksum sent a piece at a time (as a write's encoding goes
    /// out) is the checksum of the whole, and so is the one a restore puts
    /// together from the pieces' hashes; the key's bytes count as zeros.
    #[test]
    fn the_checksum_is_the_same_however_its_bytes_come() {
        let key_at = usize::try_from(key_at()).unwrap_or(0);
        for len in [
            key_at + KEY_LEN,
            SUM_PIECE - 1,
            SUM_PIECE,
            SUM_PIECE + 1,
            3 * SUM_PIECE + 5,
        ] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 131 % 251) as u8).collect();
            let whole = checksum(&bytes, key_at);
            assert!(whole.is_some(), "{len}");
            // In uneven pieces, across the pieces' ends.
            let mut sum = Sum::new();
            let first = (key_at + KEY_LEN + 7).min(len);
            let _ = sum.update_first(&bytes[..first], key_at);
            for piece in bytes[first..].chunks(100_003) {
                sum.update(piece);
            }
            assert_eq!(Some(sum.finish()), whole, "{len}");
            // From the pieces' hashes.
            let mut pieces = Vec::new();
            for k in 0..sum_pieces(len) {
                pieces.extend_from_slice(&piece_sum(&bytes, k, key_at).unwrap_or_default());
            }
            assert_eq!(Some(combine(&pieces)), whole, "{len}");
            // The key does not count; any other byte does.
            let mut keyed = bytes.clone();
            keyed[key_at..key_at + KEY_LEN].fill(0xab);
            assert_eq!(checksum(&keyed, key_at), whole, "{len}");
            let mut flipped = bytes.clone();
            let at = if len > key_at + KEY_LEN { len - 1 } else { 0 };
            flipped[at] ^= 1;
            assert_ne!(checksum(&flipped, key_at), whole, "{len}");
        }
    }
}
