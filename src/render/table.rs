//! The task table of `list`, `ready` and `blocked`.

use comfy_table::presets::{NOTHING, UTF8_FULL_CONDENSED};
use comfy_table::{Cell, Color, ContentArrangement, Table};

use super::{escape, truncate};
use crate::graph::{Graph, State};
use crate::plan::Plan;

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

pub fn tasks(plan: &Plan, graph: &Graph, rows: &[usize], style: Style) -> String {
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
    table.set_header(["ID", "TYPE", "PHASE", "STATUS", "ISSUE", "TITLE", "DEPS"]);
    for &i in rows {
        let t = plan.task(i);
        let state = graph.state(plan, i);
        let mut status = Cell::new(status_label(plan, graph, i));
        if style.color {
            status = status.fg(state_color(state));
        }
        let deps: Vec<&str> = graph
            .deps(i)
            .iter()
            .map(|&(j, _)| plan.task(j).id.as_str())
            .collect();
        table.add_row(vec![
            Cell::new(&t.id),
            Cell::new(t.kind.as_str()),
            Cell::new(t.phase.as_deref().unwrap_or("-")),
            status,
            Cell::new(
                t.issue
                    .map(|n| format!("#{n}"))
                    .unwrap_or_else(|| "-".into()),
            ),
            Cell::new(truncate(&escape(&t.title), 72)),
            Cell::new(if deps.is_empty() {
                "-".to_string()
            } else {
                deps.join(",")
            }),
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
