//! Mermaid `flowchart TD` of a [`View`], for GitHub to render. Status is a
//! class per node; phase-derived edges are dotted (`-.->`), explicit ones
//! solid (`-->`).

use std::fmt::Write;

use super::view::View;
use crate::graph::{EdgeKind, State};

/// The class name of a state.
fn class(state: Option<State>) -> &'static str {
    match state {
        Some(State::Completed) => "completed",
        Some(State::InProgress) => "in_progress",
        Some(State::Ready) => "ready",
        Some(State::Blocked | State::OpenEpic) => "blocked",
        Some(State::Cancelled) => "cancelled",
        None => "empty",
    }
}

/// Text safe inside a quoted Mermaid label (`["..."]`): quotes, `#`, `&`,
/// angle brackets and line breaks become entity codes or spaces. The one
/// Mermaid escaper: graph drawings, exports and job summaries use it.
pub fn label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn render(view: &View) -> String {
    let mut out = String::from("flowchart TD\n");
    let mut n = 0usize;
    let mut used = std::collections::BTreeSet::new();
    for (k, g) in view.groups.iter().enumerate() {
        if g.nodes.is_empty() {
            continue;
        }
        let base = n;
        let _ = writeln!(out, "  subgraph g{}[\"{}\"]", k + 1, label(&g.title));
        for node in &g.nodes {
            let c = class(node.state);
            used.insert(c);
            let _ = writeln!(
                out,
                "    n{n}[\"{} {} {}\"]:::{c}",
                super::ascii::mark(node.state, false),
                label(&node.key),
                label(&node.title)
            );
            n += 1;
        }
        out.push_str("  end\n");
        for e in &g.edges {
            let arrow = match e.kind {
                EdgeKind::Explicit => "-->",
                EdgeKind::Phase => "-.->",
            };
            let _ = writeln!(out, "  n{} {arrow} n{}", base + e.from, base + e.to);
        }
    }
    for (c, style) in [
        ("completed", "fill:#d3f9d8,stroke:#2b8a3e,color:#1b4d2b"),
        ("in_progress", "fill:#fff3bf,stroke:#e67700,color:#5c3c00"),
        ("ready", "fill:#d0ebff,stroke:#1971c2,color:#0b3a66"),
        ("blocked", "fill:#ffe3e3,stroke:#c92a2a,color:#5c1010"),
        (
            "cancelled",
            "fill:#f1f3f5,stroke:#868e96,color:#495057,stroke-dasharray:4 3",
        ),
        ("empty", "fill:#ffffff,stroke:#ced4da,color:#868e96"),
    ] {
        if used.contains(c) {
            let _ = writeln!(out, "  classDef {c} {style}");
        }
    }
    out
}
