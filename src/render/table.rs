//! The task table of `list`, `ready` and `blocked`.

use comfy_table::presets::{NOTHING, UTF8_FULL_CONDENSED};
use comfy_table::{Cell, Color, ContentArrangement, Table};

use super::{escape, truncate};
use crate::graph::plan::Plan;
use crate::graph::{Graph, State};

/// How the table is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Box-drawing borders (on a terminal) or plain aligned columns.
    pub borders: bool,
    pub color: bool,
    /// Total width to fit, if known.
    pub width: Option<u16>,
}

fn state_color(s: State) -> Color {
    match s {
        State::Ready => Color::Green,
        State::Blocked => Color::Red,
        State::InProgress => Color::Yellow,
        State::Completed => Color::DarkGrey,
        State::Cancelled => Color::DarkGrey,
        State::OpenEpic => Color::Cyan,
    }
}

/// What the status column shows: the stored status, or `blocked` for a
/// pending task waiting on others.
pub fn status_label(plan: &Plan, graph: &Graph, i: usize) -> &'static str {
    match graph.state(plan, i) {
        State::Blocked => "blocked",
        _ => plan.task(i).status.as_str(),
    }
}

/// The cells of one task's row, as the table shows them.
fn row_cells(plan: &Plan, graph: &Graph, i: usize) -> [String; 7] {
    let t = plan.task(i);
    let deps: Vec<&str> = graph
        .deps(i)
        .iter()
        .map(|&(j, _)| plan.task(j).id.as_str())
        .collect();
    [
        t.id.clone(),
        t.kind.as_str().to_string(),
        t.phase.clone().unwrap_or_else(|| "-".into()),
        status_label(plan, graph, i).to_string(),
        t.issue
            .map(|n| format!("#{n}"))
            .unwrap_or_else(|| "-".into()),
        truncate(&escape(&t.title), 72),
        if deps.is_empty() {
            "-".to_string()
        } else {
            deps.join(",")
        },
    ]
}

const HEADER: [&str; 7] = ["ID", "TYPE", "PHASE", "STATUS", "ISSUE", "TITLE", "DEPS"];

/// Plain aligned columns, laid out as comfy-table's borderless preset
/// does (one space of padding each side, trailing spaces trimmed), without
/// its per-cell work: scripts list thousands of rows.
fn plain(plan: &Plan, graph: &Graph, rows: &[usize]) -> String {
    use unicode_width::UnicodeWidthStr;
    let cells: Vec<[String; 7]> = rows.iter().map(|&i| row_cells(plan, graph, i)).collect();
    let mut widths = HEADER.map(|h| h.width());
    for r in &cells {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let mut out = String::with_capacity((rows.len() + 1) * 120);
    let line = |out: &mut String, cells: [&str; 7]| {
        let start = out.len();
        for (c, w) in cells.iter().zip(widths) {
            out.push(' ');
            out.push_str(c);
            for _ in c.width()..w + 1 {
                out.push(' ');
            }
        }
        let trimmed = out[start..].trim_end().len();
        out.truncate(start + trimmed);
        out.push('\n');
    };
    line(&mut out, HEADER);
    for r in &cells {
        line(&mut out, [&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]]);
    }
    out
}

pub fn tasks(plan: &Plan, graph: &Graph, rows: &[usize], style: Style) -> String {
    if !style.borders && !style.color && style.width.is_none() {
        return plain(plan, graph, rows);
    }
    let mut table = Table::new();
    table.load_style(if style.borders {
        UTF8_FULL_CONDENSED
    } else {
        NOTHING
    });
    if style.color {
        table.enforce_styling();
    } else if !style.borders {
        table.force_no_tty();
    }
    if let Some(w) = style.width {
        table.set_width(w);
    }
    if style.borders || style.width.is_some() {
        table.set_content_arrangement(ContentArrangement::Dynamic);
    }
    table.set_header(HEADER);
    for &i in rows {
        let [id, kind, phase, status, issue, title, deps] = row_cells(plan, graph, i);
        let mut status = Cell::new(status);
        if style.color {
            status = status.fg(state_color(graph.state(plan, i)));
        }
        table.add_row(vec![
            Cell::new(id),
            Cell::new(kind),
            Cell::new(phase),
            status,
            Cell::new(issue),
            Cell::new(title),
            Cell::new(deps),
        ]);
    }
    let mut out = table.to_string();
    // Plain tables pad with trailing spaces; strip them for clean pipes.
    if !style.borders {
        out = out
            .lines()
            .map(|l| l.trim_end())
            .collect::<Vec<_>>()
            .join("\n");
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{StoreFile, Task, TaskType};
    use chrono::{TimeZone, Utc};

    #[test]
    fn plain_columns_match_the_borderless_table() {
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
        let rows: Vec<usize> = (0..plan.len()).collect();
        let fast = tasks(
            &plan,
            &graph,
            &rows,
            Style {
                borders: false,
                color: false,
                width: None,
            },
        );
        // The same table through comfy-table (a width forces that path; a
        // wide one changes nothing).
        let slow = tasks(
            &plan,
            &graph,
            &rows,
            Style {
                borders: false,
                color: false,
                width: Some(500),
            },
        );
        assert_eq!(fast, slow);
    }
}
