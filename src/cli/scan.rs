use std::fmt::Write;

use clap::Args;

use super::{CliResult, Ctx, git_util, print, print_json};
use wm::git::{CommitInfo, IdMatcher, references, short_sha};
use wm::ops::{self, Op, Transition};
use wm::render::escape;
use wm::render::json::Document;
use wm::render::json::git::{ScanDoc, ScanItem, ScanRefused, ScanUnknown};

/// Link tasks to the commits whose messages reference them.
///
/// A message references a task by its full id or a unique prefix of at
/// least 8 characters (a whole word), or by a `Task: <id>` trailer. Without
/// REV-RANGE, scans everything reachable from HEAD that the last scan did
/// not read, and remembers HEAD in tasks.yaml (`scan: head:`); with a
/// REV-RANGE (`origin/main..HEAD`, `v1.2..`, a single revision) it scans
/// that range and leaves the bookmark alone. Re-scanning is harmless.
///
/// With --close, `Closes <id>`, `Fixes <id>` or `Resolves <id>` also
/// completes the task, under the usual rules: a close the rules refuse
/// (unfinished dependencies, open children) is reported, not forced, and
/// the exit code stays 0.
///
/// Examples:
///   wm tasks scan
///   wm tasks scan --close
///   wm tasks scan origin/main..HEAD --json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ScanArgs {
    /// The commits to read (default: new since the last scan).
    #[arg(value_name = "REV-RANGE")]
    pub range: Option<String>,
    /// Complete tasks named by `Closes/Fixes/Resolves <id>`.
    #[arg(long)]
    pub close: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Default, Clone)]
struct Report {
    since: Option<String>,
    since_lost: bool,
    head: Option<String>,
    scanned: usize,
    linked: Vec<(String, CommitInfo)>,
    closed: Vec<(String, CommitInfo)>,
    refused: Vec<(String, CommitInfo, String)>,
    unknown: Vec<(String, CommitInfo)>,
}

pub fn run(ctx: &Ctx, a: ScanArgs) -> CliResult {
    let repo = git_util::repo(ctx)?;
    let mut report = Report::default();
    ctx.write(false, a.close, |loaded| {
        let plan = loaded.plan();
        let mut r = Report::default();
        let commits = match &a.range {
            Some(range) => repo.range(range)?,
            None => {
                let since = plan.scan_head().map(String::from);
                let (commits, head, found) = repo.since(since.as_deref())?;
                r.since_lost = !found;
                r.since = since;
                r.head = head;
                commits
            }
        };
        r.scanned = commits.len();
        let ids = IdMatcher::new(plan);
        let mut ops = Vec::new();
        let mut closes = Vec::new();
        for c in &commits {
            let refs = references(&c.message, &ids);
            for id in &refs.tasks {
                let known = plan
                    .get(id)
                    .is_some_and(|i| plan.task(i).commits.contains(&c.sha));
                if !known {
                    ops.push(Op::Link {
                        id: id.clone(),
                        commit: c.sha.clone(),
                    });
                    r.linked.push((id.clone(), c.clone()));
                }
            }
            for u in refs.unknown {
                r.unknown.push((u, c.clone()));
            }
            if a.close {
                closes.extend(refs.closes.into_iter().map(|id| (id, c.clone())));
            }
        }
        if let Some(h) = &r.head {
            ops.push(Op::SetScanHead { head: h.clone() });
        }
        if !closes.is_empty() {
            // Try each close in history order on top of the links, keeping
            // the ones the rules allow.
            let now = wm::model::now_millis();
            let (mut sim, _) = ops::apply(plan.clone(), ops.clone(), now)?;
            for (id, c) in closes {
                let op = Op::SetStatus {
                    reason: None,
                    commit: None,
                    id: id.clone(),
                    to: Transition::Done,
                    force: false,
                    assignee: None,
                };
                match ops::apply(sim.clone(), vec![op.clone()], now) {
                    Ok((next, outs)) => {
                        if outs.iter().any(|o| o.changed) {
                            ops.push(op);
                            r.closed.push((id, c));
                        }
                        sim = next;
                    }
                    Err(e) => r.refused.push((id, c, super::command_error::describe(&e))),
                }
            }
        }
        report = r;
        Ok(ops)
    })?;
    let r = report;
    if r.since_lost
        && let Some(s) = &r.since
    {
        ctx.note(&format!(
            "the last scan stopped at {}, which is no longer in the history (rebased?); \
             scanned everything reachable from HEAD",
            short_sha(s)
        ));
    }
    if a.json {
        return print_json(&Document::new(ScanDoc {
            range: a.range,
            since: r.since,
            head: r.head,
            scanned: r.scanned,
            linked: r
                .linked
                .iter()
                .map(|(id, c)| ScanItem::new(id, c))
                .collect(),
            closed: r
                .closed
                .iter()
                .map(|(id, c)| ScanItem::new(id, c))
                .collect(),
            refused: r
                .refused
                .iter()
                .map(|(id, c, why)| ScanRefused {
                    item: ScanItem::new(id, c),
                    reason: why.clone(),
                })
                .collect(),
            unknown: r
                .unknown
                .iter()
                .map(|(u, c)| ScanUnknown::new(u, c))
                .collect(),
        }));
    }
    let mut s = String::new();
    for (id, c) in &r.linked {
        let _ = writeln!(s, "linked   {id}  {}  {}", c.short(), escape(&c.summary));
    }
    for (id, c) in &r.closed {
        let _ = writeln!(s, "closed   {id}  {}  {}", c.short(), escape(&c.summary));
    }
    for (id, c, why) in &r.refused {
        let why = why.lines().next().unwrap_or("");
        let _ = writeln!(s, "refused  {id}  {}  {}", c.short(), escape(why));
    }
    for (u, c) in &r.unknown {
        let _ = writeln!(
            s,
            "unknown  {}  {}  `Task: {}` names no task",
            escape(u),
            c.short(),
            escape(u)
        );
    }
    print(&s)?;
    ctx.note(&format!(
        "scanned {} commit{}: {} linked, {} closed, {} refused",
        r.scanned,
        if r.scanned == 1 { "" } else { "s" },
        r.linked.len(),
        r.closed.len(),
        r.refused.len()
    ));
    Ok(())
}
