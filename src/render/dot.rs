//! Graphviz DOT of a [`View`]: one cluster per group, nodes filled by
//! status, phase-derived edges dashed.

use std::fmt::Write;

use super::view::View;
use crate::graph::{EdgeKind, State};

/// A DOT double-quoted string body.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn fill(state: Option<State>) -> (&'static str, &'static str) {
    match state {
        Some(State::Completed) => ("#d3f9d8", "completed"),
        Some(State::InProgress) => ("#fff3bf", "in progress"),
        Some(State::Ready) => ("#d0ebff", "ready"),
        Some(State::Blocked | State::OpenEpic) => ("#ffe3e3", "blocked"),
        Some(State::Cancelled) => ("#f1f3f5", "cancelled"),
        None => ("#ffffff", "no tasks"),
    }
}

pub fn render(view: &View) -> String {
    let mut out = String::from(
        "digraph wm {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n  edge [color=\"#495057\"];\n",
    );
    for (k, g) in view.groups.iter().enumerate() {
        if g.nodes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  subgraph cluster_{} {{", k + 1);
        let _ = writeln!(out, "    label={};", quote(&g.title));
        for n in &g.nodes {
            let (color, status) = fill(n.state);
            let _ = writeln!(
                out,
                "    {} [label={}, fillcolor=\"{color}\", tooltip={}];",
                quote(&n.id),
                quote(&format!("{} ({status})\n{}", n.key, n.title)),
                quote(status)
            );
        }
        out.push_str("  }\n");
        for e in &g.edges {
            let style = match e.kind {
                EdgeKind::Explicit => "",
                EdgeKind::Phase => " [style=dashed]",
            };
            let _ = writeln!(
                out,
                "  {} -> {}{style};",
                quote(&g.nodes[e.from].id),
                quote(&g.nodes[e.to].id)
            );
        }
    }
    out.push_str("}\n");
    out
}
