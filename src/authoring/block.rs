//! The hidden plan block `export` appends to an issue body, and `import`
//! reads back: everything needed to recreate the issue's plan exactly
//! (titles, types, statuses, phases, roles, explicit dependencies, labels,
//! the epic and its workflow), inside an HTML comment so that the body still
//! reads well on GitHub.
//!
//! ```text
//! <!-- wm:plan v1 (written by `wm tasks export`; `wm tasks import` reads it)
//! {"issue":42,"tasks":2}
//! {"title":"GH#42: Network hardening","type":"epic","status":"pending"}
//! {"title":"GH#42: Analyze current infrastructure","type":"impl","status":"completed","phase":"analysis"}
//! -->
//! ```
//!
//! One JSON object a line: a header, then one record per task, epics first,
//! then in dependency order; `after` lists earlier records (0-based, among
//! the task records) the task explicitly depends on, `deps` ids of tasks
//! outside the issue. A `>` in text is written `\u003e`, so that no string
//! can close the comment.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::graph::plan::Plan;
use crate::model::{Role, Status, TaskType, title_issue};
use crate::ops::{NewTask, Op};

/// How a plan block starts.
pub const OPEN: &str = "<!-- wm:plan";

/// The most records a block may hold.
const MAX_RECORDS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Head {
    issue: u64,
    tasks: usize,
}

/// One task of the block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub title: String,
    #[serde(rename = "type")]
    pub kind: TaskType,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deps: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A parsed block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The issue it was exported from.
    pub issue: u64,
    pub records: Vec<Record>,
}

/// JSON that cannot end an HTML comment.
fn json_line<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v)
        .unwrap_or_default()
        .replace('>', "\\u003e")
}

/// The block for the tasks `rows` of `issue` (indexes into `plan`).
pub fn write(plan: &Plan, graph: &Graph, issue: u64, rows: &[usize]) -> String {
    // Epics first (the issue's own first of all), then the rest in the
    // graph's order, which every dependency and every chain agrees with.
    let epic = plan.issue_epic(issue);
    let mut order: Vec<usize> = rows.to_vec();
    order.sort_by_key(|&i| (Some(i) != epic, !plan.task(i).is_epic(), graph.rank(i)));
    let pos: std::collections::HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(n, &i)| (plan.task(i).id.as_str(), n))
        .collect();
    let mut out = format!(
        "\n{OPEN} v1 (written by `wm tasks export`; `wm tasks import` recreates the plan from it)\n"
    );
    out.push_str(&json_line(&Head {
        issue,
        tasks: order.len(),
    }));
    out.push('\n');
    for (n, &i) in order.iter().enumerate() {
        let t = plan.task(i);
        let (mut after, mut deps) = (Vec::new(), Vec::new());
        for d in &t.depends_on {
            match pos.get(d.as_str()) {
                Some(&k) if k < n => after.push(k),
                _ => deps.push(d.clone()),
            }
        }
        let parent = t
            .parent
            .clone()
            .filter(|p| epic.is_none_or(|e| plan.task(e).id != *p));
        let rec = Record {
            title: t.title.clone(),
            kind: t.kind,
            status: t.status,
            phase: t.phase.clone(),
            role: t.role,
            workflow: t.workflow.clone(),
            labels: t.labels.clone(),
            after,
            deps,
            parent,
            assignee: t.assignee.clone(),
            estimate: t.estimate.clone(),
            description: t.description.clone(),
        };
        out.push_str(&json_line(&rec));
        out.push('\n');
    }
    out.push_str("-->\n");
    out
}

/// Read a block's lines (line number, text; the first is the `<!-- wm:plan`
/// line).
pub fn parse(lines: &[(usize, String)]) -> Result<Block> {
    let bad = |line: usize, what: String| Error::Usage(format!("plan block, line {line}: {what}"));
    let mut rest = lines.iter().skip(1).filter(|(_, l)| !l.trim().is_empty());
    let first_line = lines.first().map_or(0, |l| l.0);
    let Some((hl, head)) = rest.next() else {
        return Err(bad(first_line, "empty (no header line)".into()));
    };
    let head: Head = serde_json::from_str(head.trim()).map_err(|e| bad(*hl, e.to_string()))?;
    if head.tasks > MAX_RECORDS {
        return Err(bad(*hl, format!("more than {MAX_RECORDS} tasks")));
    }
    let mut records = Vec::with_capacity(head.tasks);
    for (n, text) in rest {
        if records.len() >= head.tasks {
            return Err(bad(
                *n,
                format!("more records than the {} announced", head.tasks),
            ));
        }
        let rec: Record = serde_json::from_str(text.trim()).map_err(|e| bad(*n, e.to_string()))?;
        if let Some(&k) = rec.after.iter().find(|&&k| k >= records.len()) {
            return Err(bad(
                *n,
                format!("`after` names record {k}, which does not come before it"),
            ));
        }
        records.push(rec);
    }
    if records.len() != head.tasks {
        return Err(bad(
            lines.last().map_or(first_line, |l| l.0),
            format!(
                "{} of the {} announced tasks (cut short? the block must end with `-->`)",
                records.len(),
                head.tasks
            ),
        ));
    }
    Ok(Block {
        issue: head.issue,
        records,
    })
}

impl Block {
    /// A record's title for `issue`: a `GH#N` prefix names the new issue
    /// (the same title when it is the block's own issue).
    pub fn title_for(&self, title: &str, issue: u64) -> String {
        match title_issue(title) {
            Some(n) if n == issue => title.to_string(),
            Some(_) => {
                // Only the number changes; the rest is kept as written.
                let rest = title
                    .trim_start()
                    .trim_start_matches("GH#")
                    .trim_start_matches(|c: char| c.is_ascii_digit());
                format!("GH#{issue}{rest}")
            }
            None => title.to_string(),
        }
    }

    /// The ops recreating the block's plan in `issue`: every task unless the
    /// issue already has one of that title, with its type, status, phase,
    /// role, labels, dependencies and the epic's workflow. Dependencies on
    /// tasks outside the issue are kept when `plan` has them.
    pub fn ops(&self, plan: &Plan, issue: u64) -> (Vec<Op>, Vec<String>) {
        let mut notes = Vec::new();
        let mut ops = Vec::with_capacity(self.records.len());
        for r in &self.records {
            let mut depends_on = Vec::new();
            for d in &r.deps {
                if plan.get(d).is_some() {
                    depends_on.push(d.clone());
                } else {
                    notes.push(format!(
                        "dropped the dependency of \"{}\" on {d}: no such task here",
                        r.title
                    ));
                }
            }
            let parent = r.parent.clone().filter(|p| {
                let ok = plan.get(p).is_some_and(|k| plan.task(k).is_epic());
                if !ok {
                    notes.push(format!(
                        "dropped the parent {p} of \"{}\": no such epic here",
                        r.title
                    ));
                }
                ok
            });
            ops.push(Op::Create(NewTask {
                title: self.title_for(&r.title, issue),
                kind: Some(r.kind),
                issue: Some(issue),
                phase: r.phase.clone(),
                role: r.role,
                workflow: r.workflow.clone(),
                parent,
                depends_on,
                labels: r.labels.clone(),
                assignee: r.assignee.clone(),
                description: r.description.clone(),
                estimate: r.estimate.clone(),
                if_missing: true,
                dedupe: false,
                priority: None,
                after: r.after.clone(),
                no_infer: true,
                completed: false,
                status: Some(r.status),
            }));
        }
        (ops, notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(usize, String)> {
        text.lines()
            .enumerate()
            .map(|(n, l)| (n + 1, l.to_string()))
            .collect()
    }

    #[test]
    fn refuses_forward_references_and_short_blocks() {
        let b = "<!-- wm:plan v1\n{\"issue\":1,\"tasks\":1}\n{\"title\":\"a\",\"type\":\"task\",\"status\":\"pending\",\"after\":[0]}\n";
        let e = parse(&lines(b)).unwrap_err().to_string();
        assert!(
            e.contains("line 3") && e.contains("does not come before"),
            "{e}"
        );
        let b = "<!-- wm:plan v1\n{\"issue\":1,\"tasks\":2}\n{\"title\":\"a\",\"type\":\"task\",\"status\":\"pending\"}\n";
        let e = parse(&lines(b)).unwrap_err().to_string();
        assert!(e.contains("1 of the 2 announced"), "{e}");
        let e = parse(&lines("<!-- wm:plan v1\n{\"issue\":1}\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn titles_follow_the_issue() {
        let b = Block {
            issue: 42,
            records: Vec::new(),
        };
        assert_eq!(b.title_for("GH#42: Ship `it`", 42), "GH#42: Ship `it`");
        assert_eq!(b.title_for("GH#42: Ship `it`", 50), "GH#50: Ship `it`");
        assert_eq!(b.title_for("No prefix", 50), "No prefix");
        assert_eq!(b.title_for("GH#42: - [ ] x", 50), "GH#50: - [ ] x");
    }

    proptest::proptest! {
        #[test]
        fn any_block_text_parses_or_errs(s in "(\\{|\\}|\"|:|,|\\[|\\]|issue|tasks|title|type|after|[0-9]|\n| ){0,80}") {
            let mut l = vec![(1, "<!-- wm:plan v1".to_string())];
            l.extend(s.lines().enumerate().map(|(n, x)| (n + 2, x.to_string())));
            let _ = parse(&l);
        }
    }
}
