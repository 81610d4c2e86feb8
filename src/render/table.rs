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

use super::{escape, truncate, width};
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

/// One column of a table.
#[derive(Debug, Clone, Default)]
pub struct Column {
    pub header: &'static str,
    pub cells: Vec<String>,
    /// An ANSI colour per cell (empty: none).
    pub colors: Vec<Option<&'static str>>,
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
#[cfg(test)]
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

/// The cells of one task's row, as the table shows them.
fn row_cells(plan: &Plan, graph: &Graph, i: usize) -> [String; 7] {
    // From the plan's accessors, not the task: a plan read from a snapshot
    // then decodes no task to draw its table.
    let deps: Vec<&str> = graph.deps(i).iter().map(|&(j, _)| plan.id(j)).collect();
    let f = plan.facts(i);
    [
        escape(plan.id(i)),
        f.kind.as_str().to_string(),
        plan.phase(i).map(escape).unwrap_or_else(|| "-".into()),
        status_label(plan, graph, i).to_string(),
        f.issue
            .map(|n| format!("#{n}"))
            .unwrap_or_else(|| "-".into()),
        escape(plan.title(i)),
        if deps.is_empty() {
            "-".to_string()
        } else {
            escape(&deps.join(","))
        },
    ]
}

/// The task table of `rows`. A PRI column (after STATUS) appears when a
/// row has a priority; it is the first to go when the table is too wide.
pub fn tasks(plan: &Plan, graph: &Graph, rows: &[usize], style: Style) -> String {
    let mut cols: Vec<Column> = TASK_HEADER
        .iter()
        .map(|&h| Column {
            header: h,
            cells: Vec::with_capacity(rows.len()),
            colors: Vec::new(),
        })
        .collect();
    for &i in rows {
        for (c, cell) in cols.iter_mut().zip(row_cells(plan, graph, i)) {
            c.cells.push(cell);
        }
        if style.color {
            cols[STATUS]
                .colors
                .push(Some(state_color(graph.state(plan, i))));
        }
    }
    if !rows.iter().any(|&i| plan.facts(i).priority.is_some()) {
        return layout(&cols, &TASK_STEPS, style);
    }
    let pri = STATUS + 1;
    cols.insert(
        pri,
        Column {
            header: "PRI",
            cells: rows
                .iter()
                .map(|&i| {
                    let p = plan
                        .facts(i)
                        .priority
                        .unwrap_or(crate::model::DEFAULT_PRIORITY);
                    format!("P{p}")
                })
                .collect(),
            colors: Vec::new(),
        },
    );
    let shift = |c: usize| if c >= pri { c + 1 } else { c };
    let steps: Vec<Step> = std::iter::once(Step::Drop(pri))
        .chain(TASK_STEPS.iter().map(|s| match *s {
            Step::Cut(c, f) => Step::Cut(shift(c), f),
            Step::Drop(c) => Step::Drop(shift(c)),
        }))
        .collect();
    layout(&cols, &steps, style)
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
    let natural: Vec<usize> = cols
        .iter()
        .map(|c| {
            c.cells
                .iter()
                .map(|s| width(s))
                .max()
                .unwrap_or(0)
                .max(width(c.header))
        })
        .collect();
    let (shown, fitted) = fit(&natural, steps, style.width);
    let w = if style.truncate { fitted } else { natural };
    let rows = cols.first().map_or(0, |c| c.cells.len());
    let mut out = String::with_capacity((rows + 1) * 100);
    // Padding is owed, not written, until a later cell has text: a wide
    // last column (one task with 20,000 dependencies) must not make every
    // other row write and then trim that many spaces, which was quadratic.
    let mut line = |cells: &mut dyn Iterator<Item = (usize, &str, Option<&str>)>| {
        let start = out.len();
        let mut owed = 0;
        for (c, text, color) in cells {
            owed += 1;
            let cut;
            let text = if style.truncate && width(text) > w[c] {
                cut = truncate(text, w[c]);
                cut.as_str()
            } else {
                text
            };
            if !text.is_empty() || (color.is_some() && style.color) {
                out.extend(std::iter::repeat_n(' ', owed));
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
            owed += (w[c] + 1).saturating_sub(width(text));
        }
        let trimmed = out[start..].trim_end_matches(' ').len();
        out.truncate(start + trimmed);
        out.push('\n');
    };
    let visible: Vec<usize> = (0..cols.len()).filter(|&c| shown[c]).collect();
    line(&mut visible.iter().map(|&c| (c, cols[c].header, None)));
    for r in 0..rows {
        line(&mut visible.iter().map(|&c| {
            (
                c,
                cols[c].cells[r].as_str(),
                cols[c].colors.get(r).copied().flatten(),
            )
        }));
    }
    out
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
