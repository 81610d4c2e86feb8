//! The task table of `list`, `ready` and `blocked`, and the layout every
//! table shares.
//!
//! One look everywhere: aligned columns without borders, on a terminal and
//! in a pipe alike; a terminal adds colour. Widths are display columns
//! (an emoji or CJK character takes two). Ids are never cut or wrapped.
//! When a width is known (the terminal's, `$COLUMNS`, `--width`) and the
//! table is wider, the columns give way in a fixed order (see
//! [`TASK_STEPS`]); titles are cut only when truncation is on (a terminal,
//! or `--width`), so a pipe keeps every title whole.

use super::{escape_into, truncate, width};
use crate::graph::plan::Plan;
use crate::graph::{EdgeKind, Graph, State};
use crate::model::Status;

/// How the table is drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// ANSI colour on the status column.
    pub color: bool,
    /// Total width to fit, if known.
    pub width: Option<usize>,
    /// Cut cells to fit `width` (else only whole columns are dropped and
    /// every cell is printed in full).
    pub truncate: bool,
}

/// One column of a table: a header and its cells, kept end to end in one
/// buffer (a table of 10,000 tasks has 70,000 cells; a string each was a
/// fifth of its time). The buffer is UTF-8: every cell is added whole,
/// from a string or from bytes checked as printable ASCII.
#[derive(Debug, Clone, Default)]
pub struct Column {
    pub header: &'static str,
    text: Vec<u8>,
    /// Where each cell ends in `text`, and its display width, worked out
    /// once as it is added: the layout needs it twice (the column's width,
    /// then each line's padding), and for 10,000 rows the second time
    /// showed. Side by side, so a line reads each cell's in one go.
    cells: Vec<Cell>,
}

impl Column {
    /// An empty column, with room for `rows` cells of about `each`
    /// bytes.
    pub fn new(header: &'static str, rows: usize, each: usize) -> Column {
        Column {
            header,
            text: Vec::with_capacity(rows * each),
            cells: Vec::with_capacity(rows),
        }
    }

    /// Add a cell that shows `raw` made safe for a terminal
    /// ([`escape`](super::escape)).
    pub fn push_escaped(&mut self, raw: &str) {
        self.push_escaped_bytes(raw.as_bytes());
    }

    /// [`push_escaped`](Self::push_escaped) for text that should be
    /// UTF-8 (a snapshot's): bytes that are not show as an empty cell,
    /// as a snapshot's reader shows them.
    fn push_escaped_bytes(&mut self, raw: &[u8]) {
        let start = self.text.len();
        if append_escaped(&mut self.text, raw) {
            self.end_ascii();
        } else {
            self.end_measured(start);
        }
    }

    /// Add a cell of text that is already safe to show.
    pub fn push(&mut self, cell: &str) {
        let start = self.text.len();
        self.text.extend_from_slice(cell.as_bytes());
        self.end_measured(start);
    }

    /// End the cell the text has grown by since the last one, known to
    /// be printable ASCII.
    fn end_ascii(&mut self) {
        let start = self.cells.last().map_or(0, |c| c.end as usize);
        self.end_cell(self.text.len().saturating_sub(start));
    }

    /// End the cell the text has grown by since `start`, measuring it.
    fn end_measured(&mut self, start: usize) {
        let w = self
            .text
            .get(start..)
            .and_then(|b| std::str::from_utf8(b).ok())
            .map_or(0, width);
        self.end_cell(w);
    }

    /// End a cell of display width `w` where the text ends now. (A column
    /// of more than 4 GiB would lose its cells past that, not panic.)
    fn end_cell(&mut self, w: usize) {
        self.cells.push(Cell {
            end: u32::try_from(self.text.len()).unwrap_or(u32::MAX),
            width: u32::try_from(w).unwrap_or(u32::MAX),
        });
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Cell `r`.
    pub fn cell(&self, r: usize) -> &str {
        std::str::from_utf8(self.cell_bytes(r)).unwrap_or_default()
    }

    /// Cell `r`'s bytes.
    /// (Empty past the last cell: a table's columns can differ in
    /// length, and a short one shows empty cells.)
    fn cell_bytes(&self, r: usize) -> &[u8] {
        let Some(end) = self.cells.get(r) else {
            return &[];
        };
        let start = r
            .checked_sub(1)
            .and_then(|p| self.cells.get(p))
            .map_or(0, |c| c.end as usize);
        self.text.get(start..end.end as usize).unwrap_or_default()
    }

    /// The widest cell's display width.
    fn widest(&self) -> usize {
        self.cells.iter().map(|c| c.width).max().unwrap_or(0) as usize
    }
}

/// Append `raw` made safe to show ([`escape`](super::escape)), nothing if
/// it is not UTF-8 (only a forged snapshot has such text); whether it was
/// printable ASCII, copied as is and as wide as it is long.
fn append_escaped(text: &mut Vec<u8>, raw: &[u8]) -> bool {
    // Printable ASCII (most text) is told once here, not again as UTF-8,
    // by the escape and by the width.
    if super::plain_ascii(raw) {
        text.extend_from_slice(raw);
        return true;
    }
    if let Ok(s) = std::str::from_utf8(raw) {
        let mut escaped = String::new();
        escape_into(&mut escaped, s);
        text.extend_from_slice(escaped.as_bytes());
    }
    false
}

/// Where a cell ends in its column's text, and its display width.
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    end: u32,
    width: u32,
}

/// What a table gives up, in order, while it is wider than its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Let this column be cut down to this many display columns.
    Cut(usize, usize),
    /// Drop this column.
    Drop(usize),
}

/// The columns of the task table.
pub const TASK_HEADER: [&str; 7] = ["ID", "TYPE", "PHASE", "STATUS", "ISSUE", "TITLE", "DEPS"];
const ID: usize = 0;
const TYPE: usize = 1;
const PHASE: usize = 2;
const STATUS: usize = 3;
const ISSUE: usize = 4;
const TITLE: usize = 5;
const DEPS: usize = 6;

/// How the task table narrows (documented in the README, "Tables"):
/// DEPS is cut to 8 columns, then TITLE to 30; then ISSUE, PHASE, TYPE and
/// DEPS are dropped, in that order; then TITLE is cut to 10, STATUS is
/// dropped, and TITLE is cut to its header's width. ID always stays whole.
pub const TASK_STEPS: [Step; 9] = [
    Step::Cut(DEPS, 8),
    Step::Cut(TITLE, 30),
    Step::Drop(ISSUE),
    Step::Drop(PHASE),
    Step::Drop(TYPE),
    Step::Drop(DEPS),
    Step::Cut(TITLE, 10),
    Step::Drop(STATUS),
    Step::Cut(TITLE, 5),
];

fn state_color(s: State) -> &'static str {
    match s {
        State::Ready => "\x1b[32m",
        State::Blocked => "\x1b[31m",
        State::InProgress => "\x1b[33m",
        State::Completed | State::Cancelled => "\x1b[90m",
        State::OpenEpic => "\x1b[36m",
    }
}

/// What the status column shows: the stored status, or `blocked` for a
/// pending task waiting on others.
pub fn status_label(plan: &Plan, graph: &Graph, i: usize) -> &'static str {
    label_of(graph.state(plan, i))
}

/// [`status_label`] for a task in `state`, which tells its stored status
/// too.
fn label_of(state: State) -> &'static str {
    match state {
        State::Blocked => "blocked",
        State::Ready | State::OpenEpic => Status::Pending.as_str(),
        State::InProgress => Status::InProgress.as_str(),
        State::Completed => Status::Completed.as_str(),
        State::Cancelled => Status::Cancelled.as_str(),
    }
}

/// The id column of a task table, and where in it each task's id is
/// (an empty range: not shown; no id is empty).
struct IdCells {
    column: Column,
    at: Vec<(u32, u32)>,
    /// Every id shown is printable ASCII: a list of them is as wide as it
    /// is long.
    plain: bool,
}

impl IdCells {
    /// The ids of `rows`, in order.
    fn of_rows(plan: &Plan, rows: &[usize]) -> IdCells {
        let mut ids = IdCells {
            column: Column::new(TASK_HEADER[ID], rows.len(), 9),
            at: vec![(0, 0); plan.len()],
            plain: true,
        };
        for &i in rows {
            let start = ids.column.text.len();
            let raw = plan.texts(i).id;
            let plain = append_escaped(&mut ids.column.text, raw);
            ids.plain &= plain;
            if plain {
                ids.column.end_ascii();
            } else {
                ids.column.end_measured(start);
            }
            if let Some(at) = ids.at.get_mut(i) {
                let end = ids.column.text.len();
                *at = (
                    u32::try_from(start).unwrap_or(u32::MAX),
                    u32::try_from(end).unwrap_or(u32::MAX),
                );
            }
        }
        ids
    }

    /// Task `j`'s id as shown, escaped, if it is.
    fn of(&self, j: usize) -> Option<&[u8]> {
        let &(start, end) = self.at.get(j)?;
        (end > start)
            .then(|| self.column.text.get(start as usize..end as usize))
            .flatten()
    }

    /// The width of the list of `deps`' ids, if every one is shown and
    /// printable ASCII (the list is then their lengths and commas).
    fn plain_width(&self, deps: &[(usize, EdgeKind)]) -> Option<usize> {
        if !self.plain {
            return None;
        }
        let mut sum = deps.len().saturating_sub(1);
        for &(j, _) in deps {
            let &(start, end) = self.at.get(j)?;
            if end <= start {
                return None;
            }
            sum += (end - start) as usize;
        }
        Some(sum)
    }

    /// Write the list of `deps`' ids, escaped, to `out`: copied from the
    /// id column where shown, not looked up in the plan (a dependency can
    /// be anywhere in a 100,000-task snapshot, a cache miss or two each).
    fn write_list(&self, plan: &Plan, deps: &[(usize, EdgeKind)], out: &mut Vec<u8>) {
        for (k, &(j, _)) in deps.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            match self.of(j) {
                Some(id) => out.extend_from_slice(id),
                None => {
                    append_escaped(out, plan.texts(j).id);
                }
            }
        }
    }
}

/// The task table of `rows`. A PRI column (after STATUS) appears when a
/// row has a priority; it is the first to go when the table is too wide.
pub fn tasks(plan: &Plan, graph: &Graph, rows: &[usize], style: Style) -> String {
    gather(|out| tasks_to(plan, graph, rows, style, out))
}

/// The pieces a `*_to` function hands out, gathered in one string.
fn gather(
    to: impl FnOnce(
        &mut dyn FnMut(&[u8]) -> Result<(), std::convert::Infallible>,
    ) -> Result<(), std::convert::Infallible>,
) -> String {
    let mut all = Vec::new();
    let _ = to(&mut |piece| {
        all.extend_from_slice(piece);
        Ok(())
    });
    // Whole cells of strings and ASCII padding: UTF-8 by construction.
    String::from_utf8(all).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A task table's cell that is not printable ASCII as stored (or a list
/// of dependencies not all shown): escaped and measured once, while the
/// table is measured, and kept for its line. Few cells are.
struct Odd {
    /// Its row, and its column in [`TASK_HEADER`].
    row: u32,
    col: u8,
    /// Where it ends in the odd cells' text (it starts where the last one
    /// ended), and its display width.
    cell: Cell,
}

/// The odd cells of a task table, in the order of their rows and columns.
#[derive(Default)]
struct Odds {
    text: Vec<u8>,
    cells: Vec<Odd>,
}

impl Odds {
    /// Keep the cell the text has grown by since `start`, measured.
    fn keep(&mut self, row: usize, col: usize, start: usize) -> usize {
        let w = self
            .text
            .get(start..)
            .and_then(|b| std::str::from_utf8(b).ok())
            .map_or(0, width);
        self.cells.push(Odd {
            row: u32::try_from(row).unwrap_or(u32::MAX),
            col: col as u8,
            cell: Cell {
                end: u32::try_from(self.text.len()).unwrap_or(u32::MAX),
                width: u32::try_from(w).unwrap_or(u32::MAX),
            },
        });
        w
    }

    /// The width of `raw` as a cell (row `row`, column `col`): its length
    /// when it is printable ASCII, else it is escaped, measured and kept.
    fn measure(&mut self, row: usize, col: usize, raw: &[u8]) -> usize {
        if super::plain_ascii(raw) {
            return raw.len();
        }
        let start = self.text.len();
        append_escaped(&mut self.text, raw);
        self.keep(row, col, start)
    }
}

/// Walks the odd cells while the lines are written, row by row.
struct OddCursor<'a> {
    odds: &'a Odds,
    next: usize,
    start: usize,
}

impl<'a> OddCursor<'a> {
    /// The cell kept for row `row`, column `col`, if one was.
    #[inline]
    fn take(&mut self, row: usize, col: usize) -> Option<(&'a [u8], usize)> {
        let odd = self.odds.cells.get(self.next)?;
        if odd.row as usize != row || odd.col as usize != col {
            return None;
        }
        self.next += 1;
        let end = odd.cell.end as usize;
        let text = self.odds.text.get(self.start..end).unwrap_or_default();
        self.start = end;
        Some((text, odd.cell.width as usize))
    }
}

/// The digits of `n`.
fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// [`tasks`], handed to `out` a piece at a time (at most about 64 KiB):
/// a table of 10,000 rows is a megabyte that need not be held whole. The
/// first error `out` gives ends it.
///
/// The table is measured first, then written line by line from the plan:
/// its cells are not gathered into columns, whose memory (15 MB, 4,000
/// fresh pages at 100,000 rows) was a third of the time. Only the ids are
/// gathered (the DEPS cells copy them), and the few cells that need an
/// escape or a measure ([`Odds`]).
pub fn tasks_to<E>(
    plan: &Plan,
    graph: &Graph,
    rows: &[usize],
    style: Style,
    out: &mut dyn FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let ids = IdCells::of_rows(plan, rows);
    // Most of the plan's states: all at once (see Graph::states).
    let all = (rows.len() >= plan.len() / 4).then(|| graph.states(plan));
    let mut states = Vec::with_capacity(rows.len());
    let mut odds = Odds::default();
    // The natural widths, PRI last (moved after STATUS if shown).
    const PRI_LAST: usize = TASK_HEADER.len();
    let mut natural = [0usize; PRI_LAST + 1];
    let mut prioritised = false;
    for (r, &i) in rows.iter().enumerate() {
        let f = plan.facts(i);
        let state = match &all {
            Some(all) => all.get(i).copied().unwrap_or(State::Ready),
            None => graph.state(plan, i),
        };
        states.push(state);
        let texts = plan.texts(i);
        let phase = odds.measure(r, PHASE, texts.phase.unwrap_or(b"-"));
        let title = odds.measure(r, TITLE, texts.title);
        let deps = match graph.deps(i) {
            [] => 1,
            list => ids.plain_width(list).unwrap_or_else(|| {
                let start = odds.text.len();
                ids.write_list(plan, list, &mut odds.text);
                odds.keep(r, DEPS, start)
            }),
        };
        let issue = f.issue.map_or(1, |n| digits(n) + 1);
        prioritised |= f.priority.is_some();
        let pri = digits(u64::from(
            f.priority.unwrap_or(crate::model::DEFAULT_PRIORITY),
        )) + 1;
        let cells = [
            0,
            f.kind.as_str().len(),
            phase,
            label_of(state).len(),
            issue,
            title,
            deps,
            pri,
        ];
        for (n, w) in natural.iter_mut().zip(cells) {
            *n = (*n).max(w);
        }
    }
    natural[ID] = ids.column.widest();
    let mut headers: Vec<&str> = TASK_HEADER.to_vec();
    let mut widths: Vec<usize> = natural[..TASK_HEADER.len()].to_vec();
    let pri = STATUS + 1;
    let steps: Vec<Step> = if prioritised {
        headers.insert(pri, "PRI");
        widths.insert(pri, natural[PRI_LAST]);
        let shift = |c: usize| if c >= pri { c + 1 } else { c };
        std::iter::once(Step::Drop(pri))
            .chain(TASK_STEPS.iter().map(|s| match *s {
                Step::Cut(c, f) => Step::Cut(shift(c), f),
                Step::Drop(c) => Step::Drop(shift(c)),
            }))
            .collect()
    } else {
        TASK_STEPS.to_vec()
    };
    for (w, h) in widths.iter_mut().zip(&headers) {
        *w = (*w).max(width(h));
    }
    let mut odd = OddCursor {
        odds: &odds,
        next: 0,
        start: 0,
    };
    let mut list = Vec::new();
    let mut number = itoa::Buffer::new();
    let mut label = [0u8; 21];
    lines_to(
        &headers,
        &widths,
        &steps,
        style,
        rows.len(),
        out,
        |r, line| {
            let Some(&i) = rows.get(r) else { return };
            let f = plan.facts(i);
            let texts = plan.texts(i);
            let state = states.get(r).copied().unwrap_or(State::Ready);
            let id = ids.column.cells.get(r).copied().unwrap_or_default();
            line.cell(ids.column.cell_bytes(r), id.width as usize, None);
            let kind = f.kind.as_str();
            line.cell(kind.as_bytes(), kind.len(), None);
            let (phase, w) = odd.take(r, PHASE).unwrap_or_else(|| {
                let p = texts.phase.unwrap_or(b"-");
                (p, p.len())
            });
            line.cell(phase, w, None);
            let status = label_of(state);
            let color = style.color.then(|| state_color(state));
            line.cell(status.as_bytes(), status.len(), color);
            if prioritised {
                let p = f.priority.unwrap_or(crate::model::DEFAULT_PRIORITY);
                let cell = prefixed(&mut label, b'P', number.format(p));
                line.cell(cell, cell.len(), None);
            }
            match f.issue {
                Some(n) => {
                    let cell = prefixed(&mut label, b'#', number.format(n));
                    line.cell(cell, cell.len(), None);
                }
                None => line.cell(b"-", 1, None),
            }
            let (title, w) = odd
                .take(r, TITLE)
                .unwrap_or((texts.title, texts.title.len()));
            line.cell(title, w, None);
            match graph.deps(i) {
                [] => line.cell(b"-", 1, None),
                deps => match odd.take(r, DEPS) {
                    Some((cell, w)) => line.cell(cell, w, None),
                    None => {
                        list.clear();
                        ids.write_list(plan, deps, &mut list);
                        line.cell(&list, list.len(), None);
                    }
                },
            }
        },
    )
}

/// `number` after `prefix`, in `buf` (room for a `#` and a `u64`).
fn prefixed<'b>(buf: &'b mut [u8; 21], prefix: u8, number: &str) -> &'b [u8] {
    let n = number.len().min(buf.len() - 1);
    buf[0] = prefix;
    buf[1..=n].copy_from_slice(&number.as_bytes()[..n]);
    &buf[..=n]
}

/// Which columns a table shows and how wide each is, for `width`.
fn fit(natural: &[usize], steps: &[Step], width: Option<usize>) -> (Vec<bool>, Vec<usize>) {
    let mut shown = vec![true; natural.len()];
    let mut floors: Vec<(usize, usize)> = Vec::new();
    let total = |w: &[usize], shown: &[bool]| -> usize {
        let sum: usize = w
            .iter()
            .zip(shown)
            .filter(|(_, s)| **s)
            .map(|(w, _)| w + 2)
            .sum();
        sum.saturating_sub(1)
    };
    let squeeze = |shown: &[bool], floors: &[(usize, usize)], limit: usize| -> Vec<usize> {
        let mut w = natural.to_vec();
        let mut over = total(&w, shown).saturating_sub(limit);
        for &(c, floor) in floors {
            if over == 0 {
                break;
            }
            if shown[c] && w[c] > floor {
                let r = over.min(w[c] - floor);
                w[c] -= r;
                over -= r;
            }
        }
        w
    };
    let Some(limit) = width else {
        return (shown, natural.to_vec());
    };
    let mut w = natural.to_vec();
    for &step in steps {
        if total(&w, &shown) <= limit {
            break;
        }
        match step {
            Step::Cut(c, floor) => match floors.iter_mut().find(|(k, _)| *k == c) {
                Some(f) => f.1 = floor,
                None => floors.push((c, floor)),
            },
            Step::Drop(c) => shown[c] = false,
        }
        w = squeeze(&shown, &floors, limit);
    }
    (shown, w)
}

/// Lay out `cols` as aligned columns (one space each side of a cell,
/// trailing spaces trimmed), giving way by `steps` to fit the style's
/// width.
pub fn layout(cols: &[Column], steps: &[Step], style: Style) -> String {
    gather(|out| layout_to(cols, steps, style, out))
}

/// How much of a table is gathered before it goes to its `out`.
const PIECE: usize = 64 * 1024;

/// [`layout`], handed to `out` a piece at a time: whole lines of UTF-8.
pub fn layout_to<E>(
    cols: &[Column],
    steps: &[Step],
    style: Style,
    sink: &mut dyn FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let headers: Vec<&str> = cols.iter().map(|c| c.header).collect();
    let natural: Vec<usize> = cols
        .iter()
        .map(|c| c.widest().max(width(c.header)))
        .collect();
    let rows = cols.first().map_or(0, Column::len);
    lines_to(&headers, &natural, steps, style, rows, sink, |r, line| {
        for col in cols {
            let cell = col.cells.get(r).copied().unwrap_or_default();
            line.cell(col.cell_bytes(r), cell.width as usize, None);
        }
    })
}

/// Write a table of `rows` rows under `headers`, whose columns are
/// `natural` display columns wide (their headers' widths included),
/// giving way by `steps` to fit the style's width: `row` puts row `r`'s
/// cells on its line, every column's in order (a line leaves out those not
/// shown). Out to `sink` in pieces of whole lines.
fn lines_to<E>(
    headers: &[&str],
    natural: &[usize],
    steps: &[Step],
    style: Style,
    rows: usize,
    sink: &mut dyn FnMut(&[u8]) -> Result<(), E>,
    mut row: impl FnMut(usize, &mut Line<'_>),
) -> Result<(), E> {
    let (shown, fitted) = fit(natural, steps, style.width);
    let w = if style.truncate {
        fitted
    } else {
        natural.to_vec()
    };
    let widths: Vec<Option<usize>> = w
        .iter()
        .zip(&shown)
        .map(|(&w, &s)| s.then_some(w))
        .collect();
    // A piece and a line (padded to the widths, with colour codes).
    let line_room: usize = widths.iter().flatten().map(|w| w + 1 + 16).sum::<usize>() + 1;
    let mut out = Vec::with_capacity(PIECE + line_room);
    let mut line = Line {
        out: &mut out,
        start: 0,
        owed: 0,
        next: 0,
        widths: &widths,
        style,
    };
    line.start();
    for h in headers {
        line.cell(h.as_bytes(), width(h), None);
    }
    line.end();
    for r in 0..rows {
        line.start();
        row(r, &mut line);
        line.end();
        if line.out.len() >= PIECE {
            sink(line.out)?;
            line.out.clear();
        }
    }
    if out.is_empty() { Ok(()) } else { sink(&out) }
}

/// A table's line being written.
struct Line<'a> {
    out: &'a mut Vec<u8>,
    /// Where it starts in `out`.
    start: usize,
    /// Padding owed, not yet written: it is written only when a later cell
    /// has text, so a wide last column (one task with 20,000
    /// dependencies) does not make every other row write and then trim
    /// that many spaces, which was quadratic.
    owed: usize,
    /// The column of the next cell.
    next: usize,
    /// Each column's width, `None` where it is not shown.
    widths: &'a [Option<usize>],
    style: Style,
}

impl Line<'_> {
    fn start(&mut self) {
        self.start = self.out.len();
        self.owed = 0;
        self.next = 0;
    }

    /// Add the next column's cell, of `text_width` columns (nothing if
    /// the column is not shown).
    #[inline(always)]
    fn cell(&mut self, text: &[u8], text_width: usize, color: Option<&str>) {
        let c = self.next;
        self.next += 1;
        let Some(&Some(w)) = self.widths.get(c) else {
            return;
        };
        if self.style.truncate && text_width > w {
            self.cut(text, w, color);
        } else {
            self.put(text, text_width, w, color);
        }
    }

    /// [`cell`](Self::cell) for a cell too wide for its column: cut.
    #[cold]
    fn cut(&mut self, text: &[u8], w: usize, color: Option<&str>) {
        let cut = truncate(std::str::from_utf8(text).unwrap_or_default(), w);
        self.put(cut.as_bytes(), width(&cut), w, color);
    }

    #[inline(always)]
    fn put(&mut self, text: &[u8], text_width: usize, w: usize, color: Option<&str>) {
        self.owed += 1;
        if !text.is_empty() || color.is_some() {
            pad(self.out, self.owed);
            self.owed = 0;
        }
        match color {
            Some(code) => {
                self.out.extend_from_slice(code.as_bytes());
                self.out.extend_from_slice(text);
                self.out.extend_from_slice(b"\x1b[0m");
            }
            None => self.out.extend_from_slice(text),
        }
        self.owed += (w + 1).saturating_sub(text_width);
    }

    /// End the line, less trailing spaces (a last cell's own too).
    fn end(&mut self) {
        while self.out.len() > self.start && self.out.last() == Some(&b' ') {
            self.out.pop();
        }
        self.out.push(b'\n');
    }
}

/// Append `n` spaces.
#[inline(always)]
fn pad(out: &mut Vec<u8>, n: usize) {
    const SPACES: [u8; 32] = [b' '; 32];
    if n <= SPACES.len() {
        // Most padding is short: 32 bytes copied whole (a copy of known
        // size, which needs no call) and the excess cut off.
        let len = out.len();
        out.extend_from_slice(&SPACES);
        out.truncate(len + n);
    } else {
        out.resize(out.len() + n, b' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{StoreFile, Task, TaskType};
    use chrono::{TimeZone, Utc};

    fn sample() -> (Plan, Graph) {
        let titles = [
            "GH#1: Analyze",
            "漢字のタイトル",
            "emoji 🚀 launch",
            "tab\there",
            "",
        ];
        let list = titles
            .iter()
            .enumerate()
            .map(|(k, title)| {
                let now = Utc.timestamp_opt(1_700_000_000 + k as i64, 0).unwrap();
                let mut t = Task::new(format!("t{k}"), title.to_string(), TaskType::Impl, now);
                t.issue = (k % 2 == 0).then_some(k as u64);
                t
            })
            .collect();
        let plan = Plan::new(StoreFile {
            tasks: list,
            ..StoreFile::default()
        });
        let graph = Graph::build(&plan);
        (plan, graph)
    }

    #[test]
    fn a_long_table_goes_out_in_whole_lines_and_loses_none() {
        let mut id = Column::new("ID", 0, 0);
        let mut title = Column::new("TITLE", 0, 0);
        for r in 0..5_000 {
            id.push(&format!("row{r}"));
            title.push_escaped(&format!("title of row {r}\t(tab)"));
        }
        let mut pieces: Vec<String> = Vec::new();
        layout_to(&[id, title], &[], Style::default(), &mut |p| {
            pieces.push(String::from_utf8(p.to_vec()).unwrap());
            Ok::<(), ()>(())
        })
        .unwrap();
        assert!(pieces.len() > 1, "{} pieces", pieces.len());
        for p in &pieces[..pieces.len() - 1] {
            assert!(p.len() >= PIECE && p.ends_with('\n'), "{}", p.len());
        }
        let all = pieces.concat();
        let lines: Vec<&str> = all.lines().collect();
        assert_eq!(lines.len(), 5_001);
        assert_eq!(lines[0], " ID       TITLE");
        for (r, line) in lines[1..].iter().enumerate() {
            let expected = format!(" {:<8} title of row {r}\\t(tab)", format!("row{r}"));
            assert_eq!(*line, expected);
        }
        // An error from `out` ends the table there.
        let mut calls = 0;
        let stopped = layout_to(
            &[Column::new("A", 0, 0)],
            &[],
            Style::default(),
            &mut |_| {
                calls += 1;
                Err("closed")
            },
        );
        assert_eq!((stopped, calls), (Err("closed"), 1));
    }

    #[test]
    fn a_column_shorter_than_the_first_shows_empty_cells() {
        let mut id = Column::new("ID", 0, 0);
        let mut note = Column::new("NOTE", 0, 0);
        for r in 0..3 {
            id.push(&format!("row{r}"));
        }
        note.push("only one");
        let text = layout(&[id, note], &[], Style::default());
        assert_eq!(text, " ID    NOTE\n row0  only one\n row1\n row2\n");
    }

    /// The task table as any other table would draw it: every cell
    /// escaped into a column, then laid out.
    fn by_columns(plan: &Plan, graph: &Graph, rows: &[usize], style: Style) -> String {
        let prioritised = rows.iter().any(|&i| plan.task(i).priority.is_some());
        let mut headers: Vec<&'static str> = TASK_HEADER.to_vec();
        let mut steps = TASK_STEPS.to_vec();
        if prioritised {
            headers.insert(STATUS + 1, "PRI");
            let shift = |c: usize| if c > STATUS { c + 1 } else { c };
            steps = std::iter::once(Step::Drop(STATUS + 1))
                .chain(steps.iter().map(|s| match *s {
                    Step::Cut(c, f) => Step::Cut(shift(c), f),
                    Step::Drop(c) => Step::Drop(shift(c)),
                }))
                .collect();
        }
        let mut cols: Vec<Column> = headers.iter().map(|h| Column::new(h, 0, 0)).collect();
        for &i in rows {
            let t = plan.task(i);
            let mut cells = vec![
                t.id.clone(),
                t.kind.as_str().to_string(),
                t.phase.clone().unwrap_or_else(|| "-".into()),
                status_label(plan, graph, i).to_string(),
            ];
            if prioritised {
                cells.push(format!(
                    "P{}",
                    t.priority.unwrap_or(crate::model::DEFAULT_PRIORITY)
                ));
            }
            cells.push(t.issue.map_or("-".into(), |n| format!("#{n}")));
            cells.push(t.title.clone());
            let deps: Vec<&str> = graph
                .deps(i)
                .iter()
                .map(|&(j, _)| plan.task(j).id.as_str())
                .collect();
            cells.push(if deps.is_empty() {
                "-".into()
            } else {
                deps.join(",")
            });
            for (col, cell) in cols.iter_mut().zip(&cells) {
                col.push_escaped(cell);
            }
        }
        layout(&cols, &steps, style)
    }

    #[test]
    fn the_task_table_is_what_its_cells_in_columns_would_draw() {
        // Odd cells (escaped, wide, empty) in the id, phase, title and
        // DEPS columns; dependencies shown and not shown; a priority.
        let now = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        // id, title, phase, dependencies, priority.
        type Spec<'a> = (&'a str, &'a str, Option<&'a str>, &'a [&'a str], Option<u8>);
        let specs: [Spec; 8] = [
            ("a", "GH#1: Analyze", Some("analysis"), &[], None),
            ("b\tx", "漢字のタイトル", Some("impl"), &["a"], None),
            (
                "c",
                "emoji 🚀 launch",
                Some("ステージ"),
                &["a", "b\tx"],
                Some(4),
            ),
            ("d", "tab\there", None, &["c"], None),
            ("e", "", Some("docs"), &["d", "b\tx"], None),
            ("f", "plain", None, &["e", "a"], Some(0)),
            ("g", "last \x1b[31m", None, &[], None),
            ("h", "waits on three", None, &["a", "f", "g"], None),
        ];
        let list = specs
            .iter()
            .enumerate()
            .map(|(k, (id, title, phase, deps, pri))| {
                let mut t = Task::new(id.to_string(), title.to_string(), TaskType::Impl, now);
                t.issue = (k % 3 != 2).then_some(7 + k as u64 % 2);
                t.phase = phase.map(String::from);
                t.depends_on = deps.iter().map(|d| d.to_string()).collect();
                t.priority = *pri;
                t
            })
            .collect();
        let plan = Plan::new(StoreFile {
            tasks: list,
            ..StoreFile::default()
        });
        let graph = Graph::build(&plan);
        let all: Vec<usize> = (0..plan.len()).collect();
        // Some rows only (their dependencies not all shown), some rows
        // without a priority (no PRI column), every row.
        // Rows whose ids are all printable ASCII, with every dependency
        // shown (their DEPS cells are not gathered) but one's.
        let subsets: [Vec<usize>; 5] = [
            all.clone(),
            vec![1, 3, 4],
            vec![0, 3, 6],
            vec![6, 5, 4],
            vec![0, 5, 6, 7],
        ];
        for rows in &subsets {
            for width in std::iter::once(None).chain((8..=120).map(Some)) {
                for truncate in [false, true] {
                    let style = Style {
                        color: false,
                        width,
                        truncate,
                    };
                    let got = tasks(&plan, &graph, rows, style);
                    assert_eq!(
                        got,
                        by_columns(&plan, &graph, rows, style),
                        "{rows:?} {style:?}"
                    );
                    assert_eq!(got.lines().count(), rows.len() + 1);
                }
            }
        }
        // Colour wraps the status cell alone.
        let colored = tasks(
            &plan,
            &graph,
            &all,
            Style {
                color: true,
                ..Style::default()
            },
        );
        let plain = tasks(&plan, &graph, &all, Style::default());
        let stripped = colored
            .replace("\x1b[0m", "")
            .replace("\x1b[32m", "")
            .replace("\x1b[31m", "")
            .replace("\x1b[90m", "")
            .replace("\x1b[33m", "")
            .replace("\x1b[36m", "");
        assert_eq!(stripped, plain);
        assert_eq!(colored.matches("\x1b[0m").count(), all.len());
    }

    #[test]
    fn columns_align_in_display_columns() {
        let (plan, graph) = sample();
        let rows: Vec<usize> = (0..plan.len()).collect();
        let text = tasks(&plan, &graph, &rows, Style::default());
        // Every row's DEPS column starts at the same display column.
        let at: Vec<usize> = text
            .lines()
            .map(|l| {
                let cut = l.rfind(" -").or_else(|| l.rfind(" DEPS")).unwrap();
                width(&l[..cut])
            })
            .collect();
        assert!(at.windows(2).all(|p| p[0] == p[1]), "{text}");
    }

    #[test]
    fn narrowing_follows_the_documented_order() {
        let natural = [8, 4, 8, 7, 5, 40, 17];
        let total = |shown: &[bool], w: &[usize]| -> usize {
            w.iter()
                .zip(shown)
                .filter(|p| *p.1)
                .map(|p| p.0 + 2)
                .sum::<usize>()
                - 1
        };
        // Wide enough: everything, untouched.
        let (shown, w) = fit(&natural, &TASK_STEPS, Some(200));
        assert!(shown.iter().all(|s| *s));
        assert_eq!(w, natural);
        // Unknown width: the same.
        assert_eq!(fit(&natural, &TASK_STEPS, None).1, natural);
        let mut dropped_before = 0;
        for width in (20..200).rev() {
            let (shown, w) = fit(&natural, &TASK_STEPS, Some(width));
            assert!(total(&shown, &w) <= width, "{width}: {w:?}");
            // ID is never cut, TITLE is always shown.
            assert_eq!(w[ID], 8);
            assert!(shown[ID] && shown[TITLE]);
            let dropped = shown.iter().filter(|s| !**s).count();
            assert!(dropped >= dropped_before, "narrower never shows more");
            dropped_before = dropped;
            // Columns go in order: ISSUE, PHASE, TYPE, DEPS, STATUS.
            let order = [ISSUE, PHASE, TYPE, DEPS, STATUS];
            let gone: Vec<bool> = order.iter().map(|&c| !shown[c]).collect();
            assert!(gone.windows(2).all(|p| p[0] || !p[1]), "{width}: {shown:?}");
            // The title keeps 30 columns while any other column can go.
            if shown[ISSUE] {
                assert!(w[TITLE] >= 30, "{width}: {w:?}");
            }
        }
        // At 40 columns: ID, STATUS and TITLE.
        let (shown, w) = fit(&natural, &TASK_STEPS, Some(40));
        assert_eq!(shown, [true, false, false, true, false, true, false]);
        assert_eq!(total(&shown, &w), 40);
    }
}
