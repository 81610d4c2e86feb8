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
use crate::graph::plan::{Facts, Plan};
use crate::graph::{Graph, State};
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
    /// An ANSI colour per cell (empty: none).
    pub colors: Vec<Option<&'static str>>,
}

impl Column {
    /// An empty column, with room for `rows` cells of about `each`
    /// bytes.
    pub fn new(header: &'static str, rows: usize, each: usize) -> Column {
        Column {
            header,
            text: Vec::with_capacity(rows * each),
            cells: Vec::with_capacity(rows),
            colors: Vec::new(),
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

    /// Add a cell of printable ASCII (a label, a number): safe to show
    /// and as wide as it is long, so nothing is measured.
    fn push_ascii(&mut self, cell: &str) {
        debug_assert!(super::plain_ascii(cell.as_bytes()), "{cell:?}");
        self.text.extend_from_slice(cell.as_bytes());
        self.end_ascii();
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
    fn cell_bytes(&self, r: usize) -> &[u8] {
        let start = r.checked_sub(1).map_or(0, |p| self.cells[p].end as usize);
        self.text
            .get(start..self.cells[r].end as usize)
            .unwrap_or_default()
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

/// Add task `i`, in `state`, to the task table's columns but its id,
/// which is in `ids` already (where `ids.at[task]` says, for every task
/// shown). Every cell but a phase or a title is printable ASCII by
/// construction, or copied from `ids`, and is not measured: a table of
/// 10,000 rows has 70,000 cells.
fn push_row(
    cols: &mut [Column],
    ids: &IdCells,
    plan: &Plan,
    graph: &Graph,
    i: usize,
    f: &Facts,
    state: State,
) {
    // From the plan's accessors, not the task: a plan read from a snapshot
    // then decodes no task to draw its table.
    let texts = plan.texts(i);
    cols[TYPE].push_ascii(f.kind.as_str());
    cols[PHASE].push_escaped_bytes(texts.phase.unwrap_or(b"-"));
    cols[STATUS].push_ascii(label_of(state));
    match f.issue {
        Some(n) => {
            // Not `write!`: formatting took a fifth of a row's time.
            let issue = &mut cols[ISSUE];
            issue.text.push(b'#');
            issue
                .text
                .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
            issue.end_ascii();
        }
        None => cols[ISSUE].push_ascii("-"),
    }
    cols[TITLE].push_escaped_bytes(texts.title);
    let deps = &mut cols[DEPS];
    match graph.deps(i) {
        [] => deps.push_ascii("-"),
        list => {
            let start = deps.text.len();
            let mut plain = true;
            for (k, &(j, _)) in list.iter().enumerate() {
                if k > 0 {
                    deps.text.push(b',');
                }
                // A dependency shown in the table has its id, escaped, in
                // `ids`: copied from there, not looked up in the plan (it
                // can be anywhere in a 100,000-task snapshot, a cache miss
                // or two each).
                let shown = ids.of(j);
                let id = shown.unwrap_or_else(|| plan.texts(j).id);
                plain &= if shown.is_some() {
                    // Escaped already.
                    deps.text.extend_from_slice(id);
                    super::plain_ascii(id)
                } else {
                    append_escaped(&mut deps.text, id)
                };
            }
            if plain {
                deps.end_ascii();
            } else {
                deps.end_measured(start);
            }
        }
    }
}

/// The id column of a task table, and where in it each task's id is
/// (an empty range: not shown; no id is empty).
struct IdCells {
    column: Column,
    at: Vec<(u32, u32)>,
}

impl IdCells {
    /// Task `j`'s id as shown, escaped, if it is.
    fn of(&self, j: usize) -> Option<&[u8]> {
        let &(start, end) = self.at.get(j)?;
        (end > start)
            .then(|| self.column.text.get(start as usize..end as usize))
            .flatten()
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

/// [`tasks`], handed to `out` a piece at a time (at most about 64 KiB):
/// a table of 10,000 rows is a megabyte that need not be held whole. The
/// first error `out` gives ends it.
pub fn tasks_to<E>(
    plan: &Plan,
    graph: &Graph,
    rows: &[usize],
    style: Style,
    out: &mut dyn FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), E> {
    // Typical bytes a cell (a title of 40 to 50 characters): a column that
    // outgrows its room is copied whole, fresh pages and all.
    const EACH: [usize; 7] = [9, 6, 12, 9, 6, 48, 20];
    let mut cols: Vec<Column> = TASK_HEADER
        .iter()
        .zip(EACH)
        .map(|(&h, each)| Column::new(h, rows.len(), each))
        .collect();
    // Ids first, with where each task's is: the dependencies shown are
    // then copied from this column.
    let mut ids = IdCells {
        column: std::mem::take(&mut cols[ID]),
        at: vec![(0, 0); plan.len()],
    };
    for &i in rows {
        let start = ids.column.text.len();
        ids.column.push_escaped_bytes(plan.texts(i).id);
        if let Some(at) = ids.at.get_mut(i) {
            let end = ids.column.text.len();
            *at = (
                u32::try_from(start).unwrap_or(u32::MAX),
                u32::try_from(end).unwrap_or(u32::MAX),
            );
        }
    }
    // Most of the plan's states: all at once (see Graph::states).
    let states = (rows.len() >= plan.len() / 4).then(|| graph.states(plan));
    let mut prioritised = false;
    for &i in rows {
        let f = plan.facts(i);
        prioritised |= f.priority.is_some();
        let state = match &states {
            Some(all) => all.get(i).copied().unwrap_or(State::Ready),
            None => graph.state(plan, i),
        };
        push_row(&mut cols, &ids, plan, graph, i, &f, state);
        if style.color {
            cols[STATUS].colors.push(Some(state_color(state)));
        }
    }
    cols[ID] = ids.column;
    if !prioritised {
        return layout_to(&cols, &TASK_STEPS, style, out);
    }
    let pri = STATUS + 1;
    let mut column = Column::new("PRI", rows.len(), 2);
    for &i in rows {
        let p = plan
            .facts(i)
            .priority
            .unwrap_or(crate::model::DEFAULT_PRIORITY);
        column.push(&format!("P{p}"));
    }
    cols.insert(pri, column);
    let shift = |c: usize| if c >= pri { c + 1 } else { c };
    let steps: Vec<Step> = std::iter::once(Step::Drop(pri))
        .chain(TASK_STEPS.iter().map(|s| match *s {
            Step::Cut(c, f) => Step::Cut(shift(c), f),
            Step::Drop(c) => Step::Drop(shift(c)),
        }))
        .collect();
    layout_to(&cols, &steps, style, out)
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
    let natural: Vec<usize> = cols
        .iter()
        .map(|c| c.widest().max(width(c.header)))
        .collect();
    let (shown, fitted) = fit(&natural, steps, style.width);
    let w = if style.truncate { fitted } else { natural };
    let rows = cols.first().map_or(0, Column::len);
    // The shown columns, each with its width and where its next cell
    // starts: rows go out in order, so a cell is where the last one ended.
    let mut visible: Vec<(&Column, usize, usize)> = (0..cols.len())
        .filter(|&c| shown[c])
        .map(|c| (&cols[c], w[c], 0))
        .collect();
    // A piece and a line (padded to the widths, with colour codes).
    let line_room: usize = visible.iter().map(|&(_, w, _)| w + 1 + 16).sum::<usize>() + 1;
    let mut out = Vec::with_capacity(PIECE + line_room);
    let mut line = Line {
        out: &mut out,
        start: 0,
        owed: 0,
        style,
    };
    line.start();
    for &(col, w, _) in &visible {
        line.cell(col.header.as_bytes(), width(col.header), w, None);
    }
    line.end();
    for r in 0..rows {
        line.start();
        for (col, w, at) in &mut visible {
            let cell = col.cells.get(r).copied().unwrap_or_default();
            let end = cell.end as usize;
            let text = col.text.get(*at..end).unwrap_or_default();
            *at = end;
            let color = if style.color {
                col.colors.get(r).copied().flatten()
            } else {
                None
            };
            line.cell(text, cell.width as usize, *w, color);
        }
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
    style: Style,
}

impl Line<'_> {
    fn start(&mut self) {
        self.start = self.out.len();
        self.owed = 0;
    }

    /// Add a cell of `text_width` columns to a column `w` wide.
    #[inline(always)]
    fn cell(&mut self, text: &[u8], text_width: usize, w: usize, color: Option<&str>) {
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
