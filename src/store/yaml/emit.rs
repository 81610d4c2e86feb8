//! The canonical writer: one layout, so the same content always has the
//! same bytes.

use std::fmt::Write;

use crate::graph::plan::Plan;
use crate::model::workflow::Workflow;
use crate::model::{StoreFile, Task, format_time};

pub const HEADER: &str =
    "# wm tasks store. Edit with `wm tasks`, or by hand and then run `wm tasks check`.\n";

/// Serialize a store to its canonical text.
pub fn emit(file: &StoreFile) -> String {
    emit_with(file, PARALLEL_MIN_TASKS)
}

/// Stores with at least this many tasks write their blocks on several
/// threads.
const PARALLEL_MIN_TASKS: usize = 2_000;

/// [`emit`], writing the task blocks on several threads when there are at
/// least `parallel_min` tasks. Every block is written by the same function
/// and the blocks are joined in order, so the bytes are the same either way
/// (tests compare the two).
pub fn emit_with(file: &StoreFile, parallel_min: usize) -> String {
    emit_inner(file, parallel_min).0
}

/// The blocks of a text [`emit`] wrote (possibly after a prefix such as an
/// editor modeline), for [`layout`]: block `k` is the bytes from
/// `starts[k]` to the next start (the last to the end). A block is the
/// blank line before a task and the task's lines.
///
/// Bytes, not `str`: the blocks are copied to the new file as they are,
/// and checking that 4 MB of text is UTF-8 on every write would cost more
/// than copying it (the text is the one a snapshot was made from, so it
/// was checked when it was parsed).
#[derive(Debug, Clone, Copy)]
pub struct Blocks<'a> {
    pub text: Old<'a>,
    pub starts: &'a [u32],
}

/// The old text blocks are copied from: bytes in memory, or the first
/// `len` bytes of a file, copied from file to file without passing
/// through this process (a write that restored its store from a snapshot
/// never reads the 4 MB of a 10,000-task text into fresh memory).
#[derive(Debug, Clone, Copy)]
pub enum Old<'a> {
    Bytes(&'a [u8]),
    File(&'a std::fs::File, usize),
}

impl Old<'_> {
    fn len(&self) -> usize {
        match *self {
            Old::Bytes(b) => b.len(),
            Old::File(_, len) => len,
        }
    }
}

impl Blocks<'_> {
    /// Where block `k` is in the text, if it is.
    fn range(&self, k: u32) -> Option<(usize, usize)> {
        let k = usize::try_from(k).ok()?;
        let start = usize::try_from(*self.starts.get(k)?).ok()?;
        let len = self.text.len();
        let end = match self.starts.get(k + 1) {
            Some(&e) => usize::try_from(e).ok()?,
            None => len,
        };
        (start <= end && end <= len).then_some((start, end))
    }
}

/// One run of a laid-out text, for whoever writes it.
pub enum Run<'a> {
    /// Bytes in memory.
    Bytes(&'a [u8]),
    /// `len` bytes of `file` from offset `at`.
    File {
        file: &'a std::fs::File,
        at: u64,
        len: u64,
    },
}

/// [`emit`], with the starts of the task blocks in the text (None if a
/// start does not fit in 32 bits): what a snapshot keeps so that the next
/// write can copy the blocks it leaves alone.
pub fn emit_blocks(file: &StoreFile) -> (String, Option<Vec<u32>>) {
    emit_inner(file, PARALLEL_MIN_TASKS)
}

/// A plan's canonical text, laid out before it is written: fresh text
/// (the header, and the tasks written anew) and runs of an old text's
/// bytes (the blocks of unchanged tasks, copied as they are). Where every
/// block starts is known before a byte is written, so the snapshot of the
/// text can be written at the same time as the text.
#[derive(Debug)]
pub struct Layout<'a> {
    old: Old<'a>,
    fresh: String,
    pieces: Vec<Piece>,
    starts: Option<Vec<u32>>,
}

/// A run of the laid-out text: bytes of the fresh text or of the old one.
#[derive(Debug, Clone, Copy)]
enum Piece {
    Fresh(usize, usize),
    Old(usize, usize),
}

impl Layout<'_> {
    /// Where each task's block starts in the text (None if one does not fit
    /// in 32 bits).
    pub fn starts(&self) -> Option<&[u32]> {
        self.starts.as_deref()
    }

    /// The text's runs, in order.
    pub fn runs(&self) -> impl Iterator<Item = std::io::Result<Run<'_>>> {
        self.pieces.iter().map(|piece| {
            let run = match (*piece, self.old) {
                (Piece::Fresh(a, b), _) => self.fresh.as_bytes().get(a..b).map(Run::Bytes),
                (Piece::Old(a, b), Old::Bytes(old)) => old.get(a..b).map(Run::Bytes),
                (Piece::Old(a, b), Old::File(file, len)) => {
                    (a <= b && b <= len).then_some(Run::File {
                        file,
                        at: a as u64,
                        len: (b - a) as u64,
                    })
                }
            };
            // Pieces are made from ranges checked against their text; one
            // that is not would write a wrong store: refuse instead.
            run.ok_or_else(|| std::io::Error::other("a laid-out piece is out of range"))
        })
    }

    /// The text's runs from byte `from` on (the runs before it left out,
    /// the one it falls in cut).
    pub fn runs_from(&self, from: u64) -> impl Iterator<Item = std::io::Result<Run<'_>>> {
        self.runs_between(from, u64::MAX)
    }

    /// The text's runs for its bytes `from..to` (runs outside left out,
    /// the ones the ends fall in cut).
    pub fn runs_between(
        &self,
        from: u64,
        to: u64,
    ) -> impl Iterator<Item = std::io::Result<Run<'_>>> {
        let mut pos = 0u64;
        self.runs()
            .map_while(move |run| {
                let run = match run {
                    Ok(r) => r,
                    Err(e) => return Some(Some(Err(e))),
                };
                let len = match &run {
                    Run::Bytes(b) => b.len() as u64,
                    Run::File { len, .. } => *len,
                };
                let start = pos;
                pos += len;
                if start >= to {
                    return None;
                }
                if pos <= from {
                    return Some(None);
                }
                // The bytes of this run before `from`, and after `to`.
                let head = from.saturating_sub(start);
                let keep = pos.min(to) - start - head;
                Some(Some(Ok(match run {
                    Run::Bytes(b) => Run::Bytes(
                        b.get(head as usize..(head + keep) as usize)
                            .unwrap_or_default(),
                    ),
                    Run::File { file, at, .. } => Run::File {
                        file,
                        at: at + head,
                        len: keep,
                    },
                })))
            })
            .flatten()
    }

    /// How many of the text's first bytes are the old text's, at the same
    /// offsets: the blocks copied from where they were, and the fresh
    /// bytes (the header, a task written again) that equal the old text's
    /// there. A write into a spare writes from here on first: those bytes
    /// are to be written whatever the spare holds, and the device starts
    /// on them while the bytes before are compared with the spare's.
    /// Where telling would mean reading much (a fresh piece over 64 KiB,
    /// a block copied from elsewhere) it stops: a smaller answer only
    /// means that fewer bytes are written first.
    pub fn same_as_old(&self) -> std::io::Result<u64> {
        const MAX_FRESH: usize = 64 * 1024;
        let mut pos = 0usize;
        let mut buf = Vec::new();
        for piece in &self.pieces {
            let (a, b) = match *piece {
                Piece::Old(a, b) if a == pos => {
                    pos = b;
                    continue;
                }
                Piece::Old(a, b) | Piece::Fresh(a, b) => (a, b),
            };
            let Some(ours) = (match piece {
                Piece::Fresh(..) => self.fresh.as_bytes().get(a..b),
                Piece::Old(..) => match self.old {
                    Old::Bytes(old) => old.get(a..b),
                    Old::File(..) => None,
                },
            }) else {
                break;
            };
            let theirs = match self.old {
                Old::Bytes(old) => old.get(pos..).unwrap_or_default(),
                Old::File(_, len) if ours.len() > MAX_FRESH || pos >= len => break,
                Old::File(file, len) => {
                    buf.resize(ours.len().min(len - pos), 0);
                    let mut got = 0;
                    while got < buf.len() {
                        match crate::store::read_at(file, &mut buf[got..], (pos + got) as u64)? {
                            0 => break,
                            n => got += n,
                        }
                    }
                    &buf[..got]
                }
            };
            let equal = first_difference(ours, theirs);
            pos += equal;
            if equal < ours.len() {
                break;
            }
        }
        Ok(pos as u64)
    }

    /// How many of the text's first bytes `other` already holds, as they
    /// are: a write into a spare (an older text of the same store, mostly
    /// the same) leaves them alone instead of writing and syncing them
    /// again. Compared a piece at a time; stops at the first difference, at
    /// the end of `other`, or after `upto` bytes.
    ///
    /// `buffers` hold the pieces read (the text's, `other`'s); they grow to
    /// the largest piece compared, so a small store's text, or a new file
    /// that ends at once, needs no whole piece of fresh memory.
    pub fn common_prefix(
        &self,
        other: &std::fs::File,
        upto: u64,
        buffers: &mut [Vec<u8>; 2],
    ) -> std::io::Result<u64> {
        use crate::store::PIECE;
        let mut same = 0u64;
        let [ours, theirs] = buffers;
        // Compares `b`, the text's next bytes, with `other` at `same`;
        // false at the first difference.
        let mut compare = |b: &[u8], same: &mut u64| -> std::io::Result<bool> {
            for piece in b.chunks(PIECE) {
                if theirs.len() < piece.len() {
                    theirs.resize(piece.len(), 0);
                }
                let theirs = &mut theirs[..piece.len()];
                let mut got = 0;
                while got < piece.len() {
                    match crate::store::read_at(other, &mut theirs[got..], *same + got as u64)? {
                        0 => break,
                        n => got += n,
                    }
                }
                let equal = first_difference(&piece[..got], &theirs[..got]);
                *same += equal as u64;
                if equal < piece.len() {
                    return Ok(false);
                }
            }
            Ok(true)
        };
        for run in self.runs_between(0, upto) {
            match run? {
                Run::Bytes(b) => {
                    if !compare(b, &mut same)? {
                        return Ok(same);
                    }
                }
                Run::File { file, at, len } => {
                    let mut done = 0u64;
                    while done < len {
                        let want = (len - done).min(PIECE as u64) as usize;
                        if ours.len() < want {
                            ours.resize(want, 0);
                        }
                        let n = crate::store::read_at(file, &mut ours[..want], at + done)?;
                        if n == 0 {
                            return Ok(same);
                        }
                        if !compare(&ours[..n], &mut same)? {
                            return Ok(same);
                        }
                        done += n as u64;
                    }
                }
            }
        }
        Ok(same)
    }

    /// The text's bytes run by run, runs of a file read a piece at a time
    /// into one buffer: `each` sees every byte of the text, in order.
    fn for_each_bytes(
        &self,
        mut each: impl FnMut(&[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut buf = Vec::new();
        for run in self.runs() {
            match run? {
                Run::Bytes(b) => each(b)?,
                Run::File { file, at, len } => {
                    crate::store::read_range(file, at, len, &mut buf, &mut each)?
                }
            }
        }
        Ok(())
    }

    /// Write the text to `out`.
    pub fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        self.for_each_bytes(|b| out.write_all(b))
    }

    /// The snapshot key of the text (`snapshot::key` of its bytes), without
    /// gathering them.
    pub fn key(&self) -> std::io::Result<u128> {
        self.key_after(0, crate::store::hash::Hasher::new())
    }

    /// [`Layout::key`], from `sum`, the hasher after the text's first
    /// `from` bytes (taken of the old text: they must be the same, as
    /// [`Layout::same_as_old`] says they are).
    pub(crate) fn key_after(
        &self,
        from: u64,
        mut sum: crate::store::hash::Hasher,
    ) -> std::io::Result<u128> {
        let mut buf = Vec::new();
        for run in self.runs_between(from, u64::MAX) {
            match run? {
                Run::Bytes(b) => sum.update(b),
                Run::File { file, at, len } => {
                    crate::store::read_range(file, at, len, &mut buf, |b| {
                        sum.update(b);
                        Ok(())
                    })?
                }
            }
        }
        Ok(sum.digest128())
    }

    fn push(&mut self, piece: Piece) {
        // Runs that follow each other in the same text become one.
        match (self.pieces.last_mut(), piece) {
            (Some(Piece::Fresh(_, end)), Piece::Fresh(a, b))
            | (Some(Piece::Old(_, end)), Piece::Old(a, b))
                if *end == a =>
            {
                *end = b;
            }
            _ => self.pieces.push(piece),
        }
    }

    /// Add fresh text written by `write`.
    fn fresh(&mut self, write: impl FnOnce(&mut String)) -> usize {
        let a = self.fresh.len();
        write(&mut self.fresh);
        let b = self.fresh.len();
        self.push(Piece::Fresh(a, b));
        b - a
    }
}

/// How many leading bytes `a` and `b` (as long as each other) share:
/// page-sized slices compared whole, then the first unequal one byte by
/// byte.
fn first_difference(a: &[u8], b: &[u8]) -> usize {
    let mut n = 0;
    for (x, y) in a.chunks(4096).zip(b.chunks(4096)) {
        if x == y {
            n += x.len();
        } else {
            return n + x.iter().zip(y).take_while(|(p, q)| p == q).count();
        }
    }
    n
}

/// Lay out `plan`'s canonical text after `prefix` (a modeline line, or
/// nothing), copying the block of every task whose `origins` entry names a
/// block of `old` (a task equal to the one that block was written for)
/// instead of writing it again; `origins` has one entry per task, and
/// `u32::MAX` (or any entry without a block) means "write it". Only the
/// tasks written afresh are decoded (a plan restored from a snapshot keeps
/// the others undecoded).
///
/// The bytes are [`emit`]'s (after `prefix`) exactly as long as each
/// copied block was written by [`emit`] for a task equal to the current
/// one: the header is always written afresh, and a block depends on its
/// task alone.
///
/// Laid out, not gathered: a 10,000-task text is 4 MB of fresh memory the
/// kernel must zero, and most of it is copied from the old text anyway.
pub fn layout<'a>(
    plan: &Plan,
    prefix: &str,
    origins: Option<&[u32]>,
    old: Option<Blocks<'a>>,
) -> Layout<'a> {
    let mut out = Layout {
        old: old.map_or(Old::Bytes(&[]), |b| b.text),
        fresh: String::new(),
        pieces: Vec::new(),
        starts: None,
    };
    let (origins, old) = match (origins, old) {
        (Some(o), Some(b)) if o.len() == plan.len() && !plan.is_empty() => (o, b),
        _ => {
            let (text, starts) = emit_inner(plan.file(), PARALLEL_MIN_TASKS);
            out.fresh(|f| {
                f.push_str(prefix);
                f.push_str(&text);
            });
            out.starts = starts.and_then(|s| shifted(prefix.len(), &s));
            return out;
        }
    };
    let mut pos = out.fresh(|f| {
        f.push_str(prefix);
        emit_head(
            f,
            plan.version(),
            plan.scan_head(),
            plan.own_workflow(),
            false,
        );
    });
    let mut starts = Some(Vec::with_capacity(origins.len()));
    for (i, &o) in origins.iter().enumerate() {
        if let Some(all) = &mut starts {
            match u32::try_from(pos) {
                Ok(p) => all.push(p),
                Err(_) => starts = None,
            }
        }
        pos += match old.range(o) {
            Some((a, b)) => {
                out.push(Piece::Old(a, b));
                b - a
            }
            None => out.fresh(|f| {
                f.push('\n');
                emit_task(f, plan.task(i));
            }),
        };
    }
    out.starts = starts;
    out
}

/// 32-bit starts with `base` added.
fn shifted(base: usize, starts: &[u32]) -> Option<Vec<u32>> {
    let base = u32::try_from(base).ok()?;
    starts.iter().map(|&s| s.checked_add(base)).collect()
}

/// The header: everything before the first task block.
fn emit_head(
    out: &mut String,
    version: u32,
    scan: Option<&str>,
    workflow: Option<&Workflow>,
    empty: bool,
) {
    out.push_str(HEADER);
    let _ = writeln!(out, "version: {version}");
    if let Some(head) = scan {
        let _ = writeln!(out, "scan:\n  head: {}", scalar(head));
    }
    if let Some(wf) = workflow {
        emit_workflow(out, wf);
    }
    if empty {
        out.push_str("tasks: []\n");
    } else {
        out.push_str("tasks:\n");
    }
}

/// Starts as 32-bit offsets, `base` added.
fn offsets(base: usize, starts: &[usize]) -> Option<Vec<u32>> {
    starts
        .iter()
        .map(|&s| u32::try_from(base.checked_add(s)?).ok())
        .collect()
}

fn emit_inner(file: &StoreFile, parallel_min: usize) -> (String, Option<Vec<u32>>) {
    let mut out = String::with_capacity(64 + file.tasks.len() * 440);
    emit_head(
        &mut out,
        file.version,
        file.scan.as_ref().map(|s| s.head.as_str()),
        file.workflow.as_ref(),
        file.tasks.is_empty(),
    );
    if file.tasks.is_empty() {
        return (out, Some(Vec::new()));
    }
    let blocks = |tasks: &[Task]| {
        let mut s = String::with_capacity(tasks.len() * 440);
        let mut starts = Vec::with_capacity(tasks.len());
        for t in tasks {
            starts.push(s.len());
            s.push('\n');
            emit_task(&mut s, t);
        }
        (s, starts)
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let parts: Vec<(String, Vec<usize>)> = if file.tasks.len() < parallel_min || threads == 1 {
        vec![blocks(&file.tasks)]
    } else {
        let per = file.tasks.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = file
                .tasks
                .chunks(per)
                .map(|chunk| {
                    let h = std::thread::Builder::new().spawn_scoped(scope, move || blocks(chunk));
                    (chunk, h)
                })
                .collect();
            // A chunk whose thread could not start or failed is written
            // here: never skipped, and no panic when the system refuses a
            // thread.
            handles
                .into_iter()
                .map(|(chunk, h)| match h {
                    Ok(h) => h.join().unwrap_or_else(|_| blocks(chunk)),
                    Err(_) => blocks(chunk),
                })
                .collect()
        })
    };
    let mut starts = Some(Vec::with_capacity(file.tasks.len()));
    for (p, s) in parts {
        if let Some(all) = &mut starts {
            match offsets(out.len(), &s) {
                Some(o) => all.extend(o),
                None => starts = None,
            }
        }
        out.push_str(&p);
    }
    (out, starts)
}

fn emit_workflow(out: &mut String, wf: &Workflow) {
    // Destructured without `..`, as tasks are: a new field does not compile
    // until it is written.
    let Workflow {
        name,
        description,
        aliases,
        recognise,
        evidence,
        phases,
    } = wf;
    out.push_str("workflow:\n");
    if let Some(n) = name {
        let _ = writeln!(out, "  name: {}", scalar(n));
    }
    if let Some(d) = description {
        let _ = writeln!(out, "  description: {}", scalar(d));
    }
    list(out, "  ", "aliases", aliases);
    list(out, "  ", "recognise", recognise);
    if *evidence {
        out.push_str("  evidence: true\n");
    }
    out.push_str("  phases:\n");
    for p in phases {
        let crate::model::workflow::Phase {
            id,
            name,
            group,
            depends_on,
            keywords,
            patterns,
            types,
            order,
            repeat,
            absorb,
        } = p;
        let _ = writeln!(out, "    - id: {}", scalar(id));
        let _ = writeln!(out, "      name: {}", scalar(name));
        if let Some(g) = group {
            let _ = writeln!(out, "      group: {}", scalar(g));
        }
        list(out, "      ", "depends_on", depends_on);
        list(out, "      ", "keywords", keywords);
        list(out, "      ", "patterns", patterns);
        let types: Vec<String> = types.iter().map(|t| t.as_str().to_string()).collect();
        list(out, "      ", "types", &types);
        match order {
            crate::model::workflow::Order::Parallel => {}
            crate::model::workflow::Order::Roles => out.push_str("      order: roles\n"),
            crate::model::workflow::Order::Chain => out.push_str("      order: chain\n"),
        }
        match repeat {
            crate::model::workflow::Repeat::Once => {}
            crate::model::workflow::Repeat::Sequential => {
                out.push_str("      repeat: sequential\n")
            }
            crate::model::workflow::Repeat::Parallel => out.push_str("      repeat: parallel\n"),
        }
        if !absorb {
            out.push_str("      absorb: false\n");
        }
    }
}

fn list(out: &mut String, indent: &str, key: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    out.push_str(indent);
    out.push_str(key);
    out.push_str(":\n");
    for item in items {
        out.push_str(indent);
        out.push_str("  - ");
        push_scalar(out, item);
        out.push('\n');
    }
}

/// `    key: value` with `value` as a scalar. Written with plain pushes, not
/// `format!`: this runs for every field of every task on every save.
fn field(out: &mut String, key: &str, value: &str) {
    out.push_str("    ");
    out.push_str(key);
    out.push_str(": ");
    push_scalar(out, value);
    out.push('\n');
}

/// `    key: <raw>` for values that never need quoting (enums, times).
fn raw_field(out: &mut String, key: &str, value: &str) {
    out.push_str("    ");
    out.push_str(key);
    out.push_str(": ");
    out.push_str(value);
    out.push('\n');
}

fn time_field(out: &mut String, key: &str, t: &chrono::DateTime<chrono::Utc>) {
    out.push_str("    ");
    out.push_str(key);
    out.push_str(": ");
    push_time(out, t);
    out.push('\n');
}

/// RFC 3339 UTC, exactly as [`format_time`] writes it, without allocating.
fn push_time(out: &mut String, t: &chrono::DateTime<chrono::Utc>) {
    use chrono::{Datelike, Timelike};
    let year = t.year();
    if !(0..=9999).contains(&year) {
        out.push_str(&format_time(t));
        return;
    }
    let two = |out: &mut String, n: u32| {
        out.push(char::from(b'0' + (n / 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    };
    let y = year as u32;
    two(out, y / 100);
    two(out, y % 100);
    out.push('-');
    two(out, t.month());
    out.push('-');
    two(out, t.day());
    out.push('T');
    two(out, t.hour());
    out.push(':');
    two(out, t.minute());
    out.push(':');
    // A leap second shows as :60, as chrono writes it.
    let nanos = t.nanosecond();
    two(out, t.second() + nanos / 1_000_000_000);
    let nanos = nanos % 1_000_000_000;
    if nanos != 0 {
        let (value, digits) = if nanos.is_multiple_of(1_000_000) {
            (nanos / 1_000_000, 3)
        } else if nanos.is_multiple_of(1_000) {
            (nanos / 1_000, 6)
        } else {
            (nanos, 9)
        };
        let _ = write!(out, ".{value:0digits$}");
    }
    out.push('Z');
}

fn emit_task(out: &mut String, t: &Task) {
    // Destructured without `..`: a field added to `Task` does not compile
    // until the canonical writer handles it (and so never silently drops it).
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
    out.push_str("  - id: ");
    push_scalar(out, id);
    out.push('\n');
    field(out, "title", title);
    raw_field(out, "type", kind.as_str());
    raw_field(out, "status", status.as_str());
    if let Some(p) = priority {
        let _ = writeln!(out, "    priority: {p}");
    }
    if let Some(p) = phase {
        field(out, "phase", p);
    }
    if let Some(r) = role {
        raw_field(out, "role", r.as_str());
    }
    if let Some(w) = workflow {
        field(out, "workflow", w);
    }
    if let Some(n) = issue {
        let _ = writeln!(out, "    issue: {n}");
    }
    if let Some(p) = parent {
        field(out, "parent", p);
    }
    let i = "    ";
    list(out, i, "depends_on", depends_on);
    list(out, i, "labels", labels);
    if let Some(a) = assignee {
        field(out, "assignee", a);
    }
    if let Some(d) = description {
        out.push_str("    description: ");
        text(out, "      ", d);
    }
    if let Some(e) = estimate {
        field(out, "estimate", e);
    }
    list(out, i, "commits", commits);
    time_field(out, "created_at", created_at);
    time_field(out, "updated_at", updated_at);
    if let Some(c) = closed_at {
        time_field(out, "closed_at", c);
    }
    if let Some(r) = reason {
        // A scalar, never a literal block: the reason is often the last
        // field, where a block would take the blank line after it.
        field(out, "reason", r);
    }
    if !forced.is_empty() {
        out.push_str("    forced:\n");
        for f in forced {
            out.push_str("      - at: ");
            push_time(out, &f.at);
            out.push_str("\n        to: ");
            out.push_str(f.to.as_str());
            out.push_str("\n        reason: ");
            push_scalar(out, &f.reason);
            out.push('\n');
        }
    }
    if !notes.is_empty() {
        out.push_str("    notes:\n");
        for n in notes {
            out.push_str("      - at: ");
            push_time(out, &n.at);
            out.push_str("\n        text: ");
            push_scalar(out, &n.text);
            out.push('\n');
        }
    }
}

/// A multi-line text as a literal block when that is exact, else a scalar.
fn text(out: &mut String, indent: &str, s: &str) {
    if literal_block_ok(s) {
        let trailing = s.len() - s.trim_end_matches('\n').len();
        let chomp = match trailing {
            0 => "-",
            1 => "",
            _ => "+",
        };
        let _ = writeln!(out, "|{chomp}");
        for line in s.trim_end_matches('\n').split('\n') {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{indent}{line}");
            }
        }
        for _ in 1..trailing {
            out.push('\n');
        }
    } else {
        let _ = writeln!(out, "{}", scalar(s));
    }
}

/// A literal block (`|`) reproduces `s` exactly only when it has several
/// lines, starts with visible text, and holds nothing that needs escaping.
fn literal_block_ok(s: &str) -> bool {
    let body = s.trim_end_matches('\n');
    body.contains('\n')
        && !body.starts_with([' ', '\t', '\n'])
        && s.chars().all(|c| c == '\n' || !needs_escape(c))
        && !s.contains('\r')
        && !body
            .lines()
            .any(|l| l.starts_with([' ', '\t']) && l.trim().is_empty())
}

/// Characters YAML cannot carry literally in a quoted scalar.
pub(super) fn needs_escape(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f' | '\u{80}'..='\u{9f}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' | '\u{2028}' | '\u{2029}')
}

/// A scalar string: plain when unambiguous, else double-quoted with escapes.
pub fn scalar(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_scalar(&mut out, s);
    out
}

/// A byte that stands for itself inside double quotes: printable ASCII
/// other than `"` and `\`.
pub(super) fn ordinary(c: u8) -> bool {
    (0x20..0x7f).contains(&c) && c != b'"' && c != b'\\'
}

/// Append `s` as a scalar (see [`scalar`]).
fn push_scalar(q: &mut String, s: &str) {
    if plain_ok(s) {
        q.push_str(s);
        return;
    }
    q.push('"');
    if s.bytes().all(ordinary) {
        q.push_str(s);
        q.push('"');
        return;
    }
    // Copy runs of ordinary characters as slices; escape the rest.
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\t' => Some("\\t"),
            '\r' => Some("\\r"),
            c if needs_escape(c) => Some(""),
            _ => None,
        };
        let Some(esc) = esc else { continue };
        q.push_str(&s[start..i]);
        start = i + c.len_utf8();
        if esc.is_empty() {
            let n = c as u32;
            if n <= 0xff {
                let _ = write!(q, "\\x{n:02x}");
            } else {
                let _ = write!(q, "\\u{n:04x}");
            }
        } else {
            q.push_str(esc);
        }
    }
    q.push_str(&s[start..]);
    q.push('"');
}

/// Whether `s` can be written as a plain scalar and read back as the same
/// string (not a number, bool or null, no indicator characters). One pass
/// over the bytes: this runs for every scalar of every load.
pub(super) fn plain_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    const RESERVED: [&str; 14] = [
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".nan", ".inf", "-.inf",
        "+.inf",
    ];
    if s.len() <= 5 && RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)) {
        return false;
    }
    // Anything that starts like a number could be read as one; indicators
    // start other kinds of nodes.
    if first.is_ascii_digit()
        || b"+-.!&*{}[]|>'\"%@`#,?: \t".contains(&first)
        || matches!(last, b' ' | b'\t' | b':')
    {
        return false;
    }
    // Bytes that never appear in a plain scalar we write.
    const fn forbidden() -> [bool; 256] {
        let mut t = [false; 256];
        let mut c = 0;
        while c < 0x20 {
            t[c] = true;
            c += 1;
        }
        t[0x7f] = true;
        t[b'{' as usize] = true;
        t[b'}' as usize] = true;
        t[b'[' as usize] = true;
        t[b']' as usize] = true;
        t[b',' as usize] = true;
        t[b'\\' as usize] = true;
        t
    }
    static FORBIDDEN: [bool; 256] = forbidden();
    let mut prev = 0u8;
    for &c in b {
        if FORBIDDEN[c as usize] || (c == b' ' && prev == b':') || (c == b'#' && prev == b' ') {
            return false;
        }
        prev = c;
    }
    let ascii = b.is_ascii();
    // Non-ASCII text: no escapable characters, and no Unicode whitespace at
    // the ends (YAML would trim it).
    ascii || (s.trim() == s && !s.chars().any(needs_escape))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_format_time_writes_them() {
        use chrono::TimeZone;
        for (secs, nanos) in [
            (0, 0),
            (1_700_000_000, 123_000_000),
            (1_700_000_000, 123_456_000),
            (1_700_000_000, 123_456_789),
            (1_700_000_000, 5_000),
            (253_402_300_799, 999_999_999),
            (-62_135_596_800, 1),
        ] {
            let t = chrono::Utc.timestamp_opt(secs, nanos).unwrap();
            let mut out = String::new();
            push_time(&mut out, &t);
            assert_eq!(out, format_time(&t));
        }
    }

    #[test]
    fn scalars_quote_what_needs_it() {
        assert_eq!(scalar("hello world"), "hello world");
        assert_eq!(
            scalar("GH#42: Network hardening"),
            "\"GH#42: Network hardening\""
        );
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("42"), "\"42\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(scalar("a\nb"), "\"a\\nb\"");
        assert_eq!(scalar("\u{1b}[2J"), "\"\\x1b[2J\"");
    }

    mod reuse {
        use super::super::{Blocks, Old, Run, emit, emit_blocks, layout};
        use crate::graph::plan::Plan;
        use crate::model::{Status, StoreFile, Task, TaskType};
        use chrono::TimeZone;
        use proptest::prelude::*;

        const TEXTS: &[&str] = &[
            "plain title",
            "GH#42: needs quotes",
            "two\nlines\n",
            "true",
            "",
            "tab\there",
            "- [ ] item",
        ];

        fn task(n: usize, text: usize, issue: Option<u64>, secs: i64) -> Task {
            let now = chrono::Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap();
            let mut t = Task::new(format!("t{n:04}"), TEXTS[text].into(), TaskType::Impl, now);
            t.issue = issue;
            if text.is_multiple_of(2) {
                t.description = Some(TEXTS[(text + 2) % TEXTS.len()].into());
                t.labels = vec![TEXTS[(text + 1) % TEXTS.len()].into()];
            }
            t
        }

        #[derive(Debug, Clone)]
        enum Edit {
            Title(usize, usize),
            Status(usize),
            Touch(usize),
            Push(usize, Option<u64>, i64),
            Remove(usize),
            Sort,
            Scan,
        }

        fn edit() -> impl Strategy<Value = Edit> {
            let i = 0usize..64;
            prop_oneof![
                (i.clone(), 0..TEXTS.len()).prop_map(|(i, t)| Edit::Title(i, t)),
                i.clone().prop_map(Edit::Status),
                i.clone().prop_map(Edit::Touch),
                (0..TEXTS.len(), proptest::option::of(1u64..4), 0i64..50)
                    .prop_map(|(t, g, s)| Edit::Push(t, g, s)),
                i.prop_map(Edit::Remove),
                Just(Edit::Sort),
                Just(Edit::Scan),
            ]
        }

        proptest! {
            /// Copying the blocks of unchanged tasks gives `emit`'s bytes,
            /// and the block starts of a fresh emit, whether or not the old
            /// text had a modeline line before them.
            #[test]
            fn copied_blocks_give_the_bytes_of_emit(
                tasks in proptest::collection::vec(
                    (0..TEXTS.len(), proptest::option::of(1u64..4), 0i64..50), 0..12),
                edits in proptest::collection::vec(edit(), 0..8),
                prefix in proptest::bool::ANY,
                cut in 0usize..3000,
                to in 0usize..3000,
                tail in proptest::option::of(proptest::num::u8::ANY),
            ) {
                let tasks = tasks
                    .into_iter()
                    .enumerate()
                    .map(|(n, (t, g, s))| task(n, t, g, s))
                    .collect();
                let mut plan = Plan::new(StoreFile { tasks, ..StoreFile::default() });
                plan.sort_canonical();
                let (body, starts) = emit_blocks(plan.file());
                prop_assert_eq!(&body, &emit(plan.file()));
                let mut starts = starts.unwrap();
                // A modeline line before the blocks, as a write keeps it.
                let old = if prefix {
                    let m = "# yaml-language-server: $schema=x\n";
                    for s in &mut starts {
                        *s += m.len() as u32;
                    }
                    format!("{m}{body}")
                } else {
                    body
                };
                plan.track_origins(7);
                let mut next = 100;
                for e in edits {
                    let n = plan.len();
                    match e {
                        Edit::Title(i, t) if i < n => plan.task_mut(i).title = TEXTS[t].into(),
                        Edit::Status(i) if i < n => plan.task_mut(i).status = Status::Completed,
                        Edit::Touch(i) if i < n => {
                            let _ = plan.task_mut(i);
                        }
                        Edit::Push(t, g, s) => {
                            next += 1;
                            plan.push(task(next, t, g, s));
                        }
                        Edit::Remove(i) if i < n => {
                            plan.remove(i);
                        }
                        Edit::Sort => plan.sort_canonical(),
                        Edit::Scan => plan.set_scan_head("abc".into()),
                        _ => {}
                    }
                }
                let old_blocks = Blocks { text: Old::Bytes(old.as_bytes()), starts: &starts };
                // The new text keeps the modeline when the old one had it.
                let m = if prefix { "# yaml-language-server: $schema=x\n" } else { "" };
                let mem = layout(&plan, m, plan.origins(7), Some(old_blocks));
                let mut text = Vec::new();
                mem.write_to(&mut text).unwrap();
                let laid = &mem;
                let new_starts = laid.starts().map(<[u32]>::to_vec);
                let (fresh, fresh_starts) = emit_blocks(plan.file());
                prop_assert_eq!(String::from_utf8(text.clone()).unwrap(), format!("{m}{fresh}"));
                let shifted = fresh_starts.map(|s| s.iter().map(|&x| x + m.len() as u32).collect::<Vec<_>>());
                prop_assert_eq!(new_starts, shifted);
                prop_assert_eq!(laid.key().unwrap(), crate::store::snapshot::key(&text));
                // The same layout with the old text in a file (as a write
                // has it) gives the same bytes and key, read a piece at a
                // time.
                let mut f = tempfile::tempfile().unwrap();
                std::io::Write::write_all(&mut f, old.as_bytes()).unwrap();
                let in_file = Blocks { text: Old::File(&f, old.len()), starts: &starts };
                let laid = layout(&plan, m, plan.origins(7), Some(in_file));
                let mut from_file = Vec::new();
                laid.write_to(&mut from_file).unwrap();
                prop_assert_eq!(&from_file, &text);
                prop_assert_eq!(laid.key().unwrap(), crate::store::snapshot::key(&text));
                // A spare that holds the text's first `cut` bytes (then
                // something else, or nothing) keeps exactly those, and the
                // runs from there give the rest of the text.
                let cut = cut.min(text.len());
                let mut spare = text[..cut].to_vec();
                match tail {
                    Some(b) if cut < text.len() => spare.push(text[cut] ^ b.max(1)),
                    Some(b) => spare.push(b),
                    None => {}
                }
                spare.extend_from_slice(&text[cut..]);
                let mut g = tempfile::tempfile().unwrap();
                std::io::Write::write_all(&mut g, &spare).unwrap();
                let keep = laid.common_prefix(&g, u64::MAX, &mut Default::default()).unwrap();
                let expect = if tail.is_none() { text.len() } else { cut };
                prop_assert_eq!(keep, expect as u64);
                let bytes = |from: u64, to: u64| {
                    let mut out = Vec::new();
                    for run in laid.runs_between(from, to) {
                        match run.unwrap() {
                            Run::Bytes(b) => out.extend_from_slice(b),
                            Run::File { file, at, len } => {
                                let mut b = vec![0u8; len as usize];
                                std::os::unix::fs::FileExt::read_exact_at(file, &mut b, at)
                                    .unwrap();
                                out.extend_from_slice(&b);
                            }
                        }
                    }
                    out
                };
                let mut rest = text[..cut].to_vec();
                rest.extend(bytes(cut as u64, u64::MAX));
                prop_assert_eq!(&rest, &text);
                // Any range of the text, runs cut at both ends.
                let (a, b) = (cut.min(to), cut.max(to).min(text.len()));
                prop_assert_eq!(bytes(a as u64, b as u64), text[a.min(b)..b].to_vec());
                // The text's first bytes that are the old text's, as a
                // write into a spare finds them: with the old text in a
                // file and in memory.
                for first in [laid.same_as_old().unwrap(), mem.same_as_old().unwrap()] {
                    let first = first as usize;
                    prop_assert!(first <= text.len());
                    prop_assert_eq!(&text[..first], &old.as_bytes()[..first]);
                }
                // A write into the spare as `commit_with` does it: from
                // the first change to the end, then the bytes before it
                // that the spare does not already hold.
                let first = laid.same_as_old().unwrap();
                let mut filled = spare.clone();
                filled.resize(filled.len().max(first as usize), 0);
                filled.truncate(first as usize);
                filled.extend(bytes(first, u64::MAX));
                let keep = laid.common_prefix(&g, first, &mut Default::default()).unwrap();
                prop_assert!(keep <= first);
                filled.splice(keep as usize..first as usize, bytes(keep, first));
                prop_assert_eq!(&filled, &text);
                // Another text's key copies nothing.
                prop_assert!(plan.origins(8).is_none());
            }
        }

        /// The common prefix of a text several pieces long (64 KiB read at
        /// a time, compared 4 KiB at a time) and a file that differs from it
        /// at a given byte, at and around the piece and page edges.
        #[test]
        fn the_common_prefix_is_found_across_pieces() {
            let tasks = (0..5000)
                .map(|n| task(n, n % TEXTS.len(), Some(1 + (n % 7) as u64), n as i64))
                .collect();
            let mut plan = Plan::new(StoreFile {
                tasks,
                ..StoreFile::default()
            });
            plan.sort_canonical();
            let laid = layout(&plan, "", None, None);
            let mut text = Vec::new();
            laid.write_to(&mut text).unwrap();
            let piece = crate::store::PIECE;
            assert!(text.len() > 3 * piece, "{}", text.len());
            for at in [
                0,
                1,
                4095,
                4096,
                4097,
                piece - 1,
                piece,
                piece + 1,
                2 * piece + 5000,
                text.len() - 1,
            ] {
                let mut other = text.clone();
                other[at] ^= 0x20;
                let mut f = tempfile::tempfile().unwrap();
                std::io::Write::write_all(&mut f, &other).unwrap();
                assert_eq!(
                    laid.common_prefix(&f, u64::MAX, &mut Default::default())
                        .unwrap(),
                    at as u64,
                    "differs at {at}"
                );
                // The same bytes, cut short there.
                f.set_len(at as u64).unwrap();
                assert_eq!(
                    laid.common_prefix(&f, u64::MAX, &mut Default::default())
                        .unwrap(),
                    at as u64,
                    "ends at {at}"
                );
            }
        }
    }
}
