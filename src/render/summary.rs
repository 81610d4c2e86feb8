//! The Markdown job summary of `wm tasks check` for GitHub Actions: the
//! totals, every finding (annotations stop at 10 of each kind per step,
//! this table does not), and per issue its progress and Mermaid graph.
//! Pure text: the CLI decides where it goes.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{mermaid, view};
use crate::graph::Graph;
use crate::graph::analysis::{Scope, StateCounts};
use crate::graph::plan::Plan;

/// GitHub refuses a step summary over 1 MiB; stay well under it.
pub const MAX_BYTES: usize = 900 * 1024;
/// Issues drawn as a Mermaid graph at most (those with open work first).
pub const MAX_GRAPHS: usize = 20;
/// GitHub's cap on annotations of one kind in one step.
pub const ANNOTATION_CAP: usize = 10;

/// One finding, whatever found it (store validation or a git gate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// `error` or `warning`.
    pub severity: &'static str,
    pub code: String,
    pub message: String,
    /// 1-based line in the store file, when it points at one.
    pub line: Option<u64>,
    /// The task it is about, first if several.
    pub task: Option<String>,
}

/// The numbers a summary reports, also written as step outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub errors: usize,
    pub warnings: usize,
    /// Tasks ready to start (0 when the store could not be loaded).
    pub ready: usize,
    pub tasks: Option<usize>,
}

impl Totals {
    /// `valid`: the store has no errors; an invalid store has no ready
    /// tasks (the commands that would start one refuse it).
    pub fn of(items: &[Item], plan: Option<(&Plan, &Graph)>, valid: bool) -> Totals {
        Totals {
            errors: items.iter().filter(|i| i.severity == "error").count(),
            warnings: items.iter().filter(|i| i.severity != "error").count(),
            ready: plan.filter(|_| valid).map_or(0, |(p, g)| g.ready(p).len()),
            tasks: plan.map(|(p, _)| p.tasks().iter().filter(|t| !t.is_epic()).count()),
        }
    }
}

/// Text safe in a Markdown table cell.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' => out.push('\''),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A ten-cell bar of the completed share.
fn bar(done: usize, total: usize) -> String {
    let full = (done * 10).checked_div(total).unwrap_or(0);
    format!("{}{}", "█".repeat(full), "░".repeat(10 - full))
}

/// The summary of checking `file`. `plan` is the loaded store (None when it
/// could not be parsed); `valid` (no errors) draws each issue's Mermaid
/// graph (a drawing of a cyclic graph would mislead).
pub fn render(file: &str, items: &[Item], plan: Option<(&Plan, &Graph)>, valid: bool) -> String {
    let graphs = valid;
    let totals = Totals::of(items, plan, valid);
    let mut s = String::new();
    let verdict = if totals.errors == 0 { "✅" } else { "❌" };
    let _ = writeln!(s, "## {verdict} wm tasks check: `{}`\n", cell(file));
    let _ = write!(
        s,
        "**{}, {}**",
        plural(totals.errors, "error"),
        plural(totals.warnings, "warning")
    );
    if let Some(n) = totals.tasks {
        let _ = write!(s, " · {} · {} ready", plural(n, "task"), totals.ready);
    }
    s.push_str("\n\n");

    // Which issue each task belongs to, for the findings table.
    let issue_of = |id: &str| -> Option<u64> {
        let (p, _) = plan?;
        p.get(id).and_then(|i| p.task(i).issue)
    };
    let mut findings = String::new();
    if !items.is_empty() {
        let over = ["error", "warning"]
            .iter()
            .any(|sev| items.iter().filter(|i| i.severity == *sev).count() > ANNOTATION_CAP);
        if over {
            let _ = writeln!(
                findings,
                "GitHub shows at most {ANNOTATION_CAP} annotations of each kind per step; every finding is listed here.\n"
            );
        }
        findings.push_str("| | code | where | issue | message |\n|---|---|---|---|---|\n");
        for (shown, it) in items.iter().enumerate() {
            let mark = if it.severity == "error" {
                "❌"
            } else {
                "⚠️"
            };
            let at = match it.line {
                Some(l) => format!("`{}:{l}`", cell(file)),
                None => String::new(),
            };
            let issue = it
                .task
                .as_deref()
                .and_then(issue_of)
                .map(|n| format!("#{n}"))
                .unwrap_or_default();
            let row = format!(
                "| {mark} | `{}` | {at} | {issue} | {} |\n",
                cell(&it.code),
                cell(&it.message)
            );
            if s.len() + findings.len() + row.len() > MAX_BYTES / 2 {
                let _ = writeln!(
                    findings,
                    "\n…and {} more: run `wm tasks check` for all of them.",
                    items.len() - shown
                );
                break;
            }
            findings.push_str(&row);
        }
        s.push_str(&findings);
        s.push('\n');
    }

    let Some((plan, graph)) = plan else {
        return s;
    };
    // Per issue: tasks (not epics) by state, in issue order.
    let mut issues: BTreeMap<Option<u64>, StateCounts> = BTreeMap::new();
    for (i, t) in plan.tasks().iter().enumerate() {
        if !t.is_epic() {
            issues.entry(t.issue).or_default().add(graph.state(plan, i));
        }
    }
    if issues.is_empty() {
        return s;
    }
    s.push_str("### Progress by issue\n\n| issue | done | | in progress | ready | blocked | cancelled |\n|---|---|---|---|---|---|---|\n");
    for (issue, c) in &issues {
        let name = match issue {
            Some(n) => match plan.issue_epic(*n) {
                Some(e) => format!(
                    "#{n} {}",
                    cell(crate::model::title_without_issue(&plan.task(e).title))
                ),
                None => format!("#{n}"),
            },
            None => "(no issue)".into(),
        };
        let total = c.total() - c.cancelled;
        let row = format!(
            "| {name} | {}/{total} | `{}` | {} | {} | {} | {} |\n",
            c.completed,
            bar(c.completed, total),
            c.in_progress,
            c.ready,
            c.blocked,
            c.cancelled
        );
        if s.len() + row.len() > MAX_BYTES {
            s.push_str("\n…more issues left out: the summary would exceed GitHub's size limit.\n");
            return s;
        }
        s.push_str(&row);
    }
    s.push('\n');

    if !graphs {
        s.push_str("The graphs are not drawn while the store has errors.\n");
        return s;
    }
    // Issues with open work first, then the rest, in issue order.
    let open = |c: &StateCounts| c.in_progress + c.ready + c.blocked > 0;
    let mut order: Vec<u64> = issues
        .iter()
        .filter(|(n, c)| n.is_some() && open(c))
        .filter_map(|(n, _)| *n)
        .collect();
    order.extend(
        issues
            .iter()
            .filter(|(n, c)| n.is_some() && !open(c))
            .filter_map(|(n, _)| *n),
    );
    let skipped = order.len().saturating_sub(MAX_GRAPHS);
    for n in order.into_iter().take(MAX_GRAPHS) {
        let v = view::tasks(
            plan,
            graph,
            &Scope {
                issue: Some(n),
                ..Scope::default()
            },
        );
        let block = format!("#### #{n}\n\n```mermaid\n{}```\n\n", mermaid::render(&v));
        if s.len() + block.len() > MAX_BYTES {
            s.push_str("…more graphs left out: the summary would exceed GitHub's size limit.\n");
            return s;
        }
        s.push_str(&block);
    }
    if skipped > 0 {
        let _ = writeln!(
            s,
            "{skipped} more issue{} not drawn: `wm tasks graph --issue N --format mermaid` draws one.",
            if skipped == 1 { "" } else { "s" }
        );
    }
    s
}

/// `key=value` lines for `$GITHUB_OUTPUT`.
pub fn outputs(t: &Totals) -> String {
    format!(
        "errors={}\nwarnings={}\nready={}\ntasks={}\n",
        t.errors,
        t.warnings,
        t.ready,
        t.tasks.unwrap_or(0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(k: usize) -> Item {
        Item {
            severity: if k.is_multiple_of(2) {
                "error"
            } else {
                "warning"
            },
            code: "bad-estimate".into(),
            message: format!("task t{k:07}: {} | <b>", "x".repeat(200)),
            line: Some(k as u64 + 1),
            task: None,
        }
    }

    #[test]
    fn every_finding_fits_until_the_size_limit() {
        let items: Vec<Item> = (0..30).map(item).collect();
        let s = render("tasks.yaml", &items, None, false);
        assert_eq!(s.matches("| `bad-estimate` |").count(), 30);
        assert!(s.contains("at most 10 annotations"));
        assert!(s.contains("**15 errors, 15 warnings**"));
        // Cells cannot break the table or inject HTML.
        assert!(s.contains("\\| &lt;b&gt; |"));

        let many: Vec<Item> = (0..20_000).map(item).collect();
        let s = render("tasks.yaml", &many, None, false);
        assert!(s.len() < MAX_BYTES, "{} bytes", s.len());
        assert!(s.contains("more: run `wm tasks check` for all of them"));
        assert!(s.contains("**10000 errors, 10000 warnings**"));
    }

    #[test]
    fn outputs_are_key_value_lines() {
        let t = Totals {
            errors: 2,
            warnings: 1,
            ready: 3,
            tasks: Some(9),
        };
        assert_eq!(outputs(&t), "errors=2\nwarnings=1\nready=3\ntasks=9\n");
    }
}
