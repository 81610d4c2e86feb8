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
use crate::graph::{Graph, State};

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
/// string (a table of 10,000 tasks has 70,000 cells; a string each was a
/// fifth of its time).
#[derive(Debug, Clone, Default)]
pub struct Column {
    pub header: &'static str,
    text: String,
    ends: Vec<usize>,
    /// Each cell's display width, worked out once as it is added: the
    /// layout needs it twice (the column's width, then each line's
    /// padding), and for 10,000 rows the second time showed.
    widths: Vec<u32>,
    /// An ANSI colour per cell (empty: none).
    pub colors: Vec<Option<&'static str>>,
}

impl Column {
    /// An empty column, with room for `rows` cells of about `each`
    /// bytes.
    pub fn new(header: &'static str, rows: usize, each: usize) -> Column {
        Column {
            header,
            text: String::with_capacity(rows * each),
            ends: Vec::with_capacity(rows),
            widths: Vec::with_capacity(rows),
            colors: Vec::new(),
        }
    }

    /// Add a cell that shows `raw` made safe for a terminal
    /// ([`escape`](super::escape)).
    pub fn push_escaped(&mut self, raw: &str) {
        // Printable ASCII (most text) is copied as is and is as wide as it
        // is long: told once here, not again by the escape and the width.
        if super::plain_ascii(raw) {
            self.text.push_str(raw);
            self.widths
                .push(u32::try_from(raw.len()).unwrap_or(u32::MAX));
            self.ends.push(self.text.len());
        } else {
            self.push_with(|text| escape_into(text, raw));
        }
    }

    /// Add a cell of text that is already safe to show.
    pub fn push(&mut self, cell: &str) {
        self.push_with(|text| text.push_str(cell));
    }

    /// Add a cell that `write` appends to the column's text (which must
    /// be safe to show).
    fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        let start = self.text.len();
        write(&mut self.text);
        let w = self.text.get(start..).map_or(0, width);
        self.widths.push(u32::try_from(w).unwrap_or(u32::MAX));
        self.ends.push(self.text.len());
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Cell `r`.
    pub fn cell(&self, r: usize) -> &str {
        let start = r.checked_sub(1).map_or(0, |p| self.ends[p]);
        &self.text[start..self.ends[r]]
    }

    /// Cell `r`'s display width.
    fn width(&self, r: usize) -> usize {
        self.widths[r] as usize
    }

    /// The widest cell's display width.
    fn widest(&self) -> usize {
        self.widths.iter().max().map_or(0, |&w| w as usize)
    }
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
    match graph.state(plan, i) {
        State::Blocked => "blocked",
        _ => plan.status(i).as_str(),
    }
}

/// Add task `i`'s row to the task table's columns.
fn push_row(cols: &mut [Column], plan: &Plan, graph: &Graph, i: usize) {
    // From the plan's accessors, not the task: a plan read from a snapshot
    // then decodes no task to draw its table.
    let f = plan.facts(i);
    cols[ID].push_escaped(plan.id(i));
    cols[TYPE].push(f.kind.as_str());
    cols[PHASE].push_escaped(plan.phase(i).unwrap_or("-"));
    cols[STATUS].push(status_label(plan, graph, i));
    match f.issue {
        Some(n) => cols[ISSUE].push_with(|text| {
            use std::fmt::Write;
            let _ = write!(text, "#{n}");
        }),
        None => cols[ISSUE].push("-"),
    }
    cols[TITLE].push_escaped(plan.title(i));
    cols[DEPS].push_with(|text| match graph.deps(i) {
        [] => text.push('-'),
        deps => {
            for (k, &(j, _)) in deps.iter().enumerate() {
                if k > 0 {
                    text.push(',');
                }
                escape_into(text, plan.id(j));
            }
        }
    });
}

/// The task table of `rows`. A PRI column (after STATUS) appears when a
/// row has a priority; it is the first to go when the table is too wide.
pub fn tasks(plan: &Plan, graph: &Graph, rows: &[usize], style: Style) -> String {
    gather(|out| tasks_to(plan, graph, rows, style, out))
}

/// The pieces a `*_to` function hands out, gathered in one string.
fn gather(
    to: impl FnOnce(
        &mut dyn FnMut(&str) -> Result<(), std::convert::Infallible>,
    ) -> Result<(), std::convert::Infallible>,
) -> String {
    let mut all = String::new();
    let _ = to(&mut |piece| {
        all.push_str(piece);
        Ok(())
    });
    all
}

/// [`tasks`], handed to `out` a piece at a time (at most about 64 KiB):
/// a table of 10,000 rows is a megabyte that need not be held whole. The
/// first error `out` gives ends it.
pub fn tasks_to<E>(
    plan: &Plan,
    graph: &Graph,
    rows: &[usize],
    style: Style,
    out: &mut dyn FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    // Typical bytes a cell (a title of 40 to 50 characters): a column that
    // outgrows its room is copied whole, fresh pages and all.
    const EACH: [usize; 7] = [9, 6, 12, 9, 6, 48, 20];
    let mut cols: Vec<Column> = TASK_HEADER
        .iter()
        .zip(EACH)
        .map(|(&h, each)| Column::new(h, rows.len(), each))
        .collect();
    for &i in rows {
        push_row(&mut cols, plan, graph, i);
        if style.color {
            cols[STATUS]
                .colors
                .push(Some(state_color(graph.state(plan, i))));
        }
    }
    if !rows.iter().any(|&i| plan.facts(i).priority.is_some()) {
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

/// [`layout`], handed to `out` a piece at a time.
pub fn layout_to<E>(
    cols: &[Column],
    steps: &[Step],
    style: Style,
    sink: &mut dyn FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    let natural: Vec<usize> = cols
        .iter()
        .map(|c| c.widest().max(width(c.header)))
        .collect();
    let (shown, fitted) = fit(&natural, steps, style.width);
    let w = if style.truncate { fitted } else { natural };
    let rows = cols.first().map_or(0, Column::len);
    let visible: Vec<usize> = (0..cols.len()).filter(|&c| shown[c]).collect();
    // A piece and a line (padded to the widths, with colour codes).
    let line_room: usize = visible.iter().map(|&c| w[c] + 1 + 16).sum::<usize>() + 1;
    let mut out = String::with_capacity(PIECE + line_room);
    // Padding is owed, not written, until a later cell has text: a wide
    // last column (one task with 20,000 dependencies) must not make every
    // other row write and then trim that many spaces, which was quadratic.
    let line = |out: &mut String, row: Option<usize>| {
        let start = out.len();
        let mut owed = 0;
        for &c in &visible {
            let (text, color, mut text_width) = match row {
                None => (cols[c].header, None, width(cols[c].header)),
                Some(r) => (
                    cols[c].cell(r),
                    cols[c].colors.get(r).copied().flatten(),
                    cols[c].width(r),
                ),
            };
            owed += 1;
            let cut;
            let text = if style.truncate && text_width > w[c] {
                cut = truncate(text, w[c]);
                text_width = width(&cut);
                cut.as_str()
            } else {
                text
            };
            if !text.is_empty() || (color.is_some() && style.color) {
                pad(out, owed);
                owed = 0;
            }
            match color {
                Some(code) if style.color => {
                    out.push_str(code);
                    out.push_str(text);
                    out.push_str("\x1b[0m");
                }
                _ => out.push_str(text),
            }
            owed += (w[c] + 1).saturating_sub(text_width);
        }
        let trimmed = out[start..].trim_end_matches(' ').len();
        out.truncate(start + trimmed);
        out.push('\n');
    };
    line(&mut out, None);
    for r in 0..rows {
        line(&mut out, Some(r));
        if out.len() >= PIECE {
            sink(&out)?;
            out.clear();
        }
    }
    if out.is_empty() { Ok(()) } else { sink(&out) }
}

/// Append `n` spaces.
fn pad(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
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
            pieces.push(p.to_string());
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
