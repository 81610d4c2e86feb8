use std::fmt::Write;

use clap::Args;

use super::{CliResult, Ctx, print, print_json};
use wm::model::format_time;
use wm::render::{escape, json, table::status_label};

/// Show one task: its fields, dependencies, dependents, close reason,
/// notes and problems. For an epic, also its tasks and the progress made.
///
/// Works on an invalid store too, so you can see what to repair.
///
/// Examples:
///   wm tasks show k3m9
///   wm tasks show EPIC
///   wm tasks show k3m9 --json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {
    /// Task id or unique prefix.
    pub id: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: ShowArgs) -> CliResult {
    let loaded = ctx.load()?;
    let (plan, graph) = (loaded.plan(), loaded.graph());
    let i = plan.resolve(&a.id)?;
    if a.json {
        let commits = super::git_util::commit_views(ctx, &plan.task(i).commits);
        let mut members = Vec::new();
        if plan.task(i).is_epic() {
            members = graph.children(i).to_vec();
            wm::graph::query::sort_by_issue(plan, graph, &mut members);
        }
        return print_json(&json::tasks::show_doc(plan, graph, i, commits, &members));
    }
    ctx.warn_problems(&loaded);
    let t = plan.task(i);
    let mut s = String::new();
    let _ = writeln!(s, "{}  {}", t.id, escape(&t.title));
    let row = |s: &mut String, k: &str, v: &str| {
        let _ = writeln!(s, "  {k:<11} {v}");
    };
    row(&mut s, "type:", t.kind.as_str());
    let state = graph.state(plan, i);
    let label = status_label(plan, graph, i);
    let status =
        if label == t.status.as_str() && state.as_str() != label && state.as_str() != "open" {
            format!("{} ({})", t.status, state.as_str())
        } else {
            label.to_string()
        };
    row(&mut s, "status:", &status);
    if let Some(p) = t.priority {
        row(&mut s, "priority:", &p.to_string());
    }
    row(&mut s, "phase:", t.phase.as_deref().unwrap_or("-"));
    if let Some(r) = t.role {
        row(&mut s, "role:", r.as_str());
    }
    if t.is_epic() {
        let mut members = graph.children(i).to_vec();
        members.insert(0, i);
        let w = plan.workflow_of_tasks(&members);
        let how = if t.workflow.is_some() {
            ""
        } else {
            " (from its tasks' phases)"
        };
        row(
            &mut s,
            "workflow:",
            &w.map(|w| format!("{w}{how}")).unwrap_or_else(|| "-".into()),
        );
    }
    row(
        &mut s,
        "issue:",
        &t.issue
            .map(|n| format!("#{n}"))
            .unwrap_or_else(|| "-".into()),
    );
    if let Some(e) = graph.epic_of(i) {
        let e = plan.task(e);
        row(&mut s, "epic:", &format!("{}  {}", e.id, escape(&e.title)));
    } else if let Some(p) = &t.parent {
        row(&mut s, "epic:", &format!("{p} (missing)"));
    }
    if !t.labels.is_empty() {
        row(&mut s, "labels:", &escape(&t.labels.join(", ")));
    }
    if let Some(a) = &t.assignee {
        row(&mut s, "assignee:", &escape(a));
    }
    if let Some(e) = &t.estimate {
        row(&mut s, "estimate:", &escape(e));
    }
    row(&mut s, "created:", &format_time(&t.created_at));
    row(&mut s, "updated:", &format_time(&t.updated_at));
    if let Some(c) = &t.closed_at {
        row(&mut s, "closed:", &format_time(c));
    }
    if let Some(r) = &t.reason {
        row(&mut s, "reason:", &escape(r));
    }
    let deps = graph.deps(i);
    let dangling: Vec<&String> = graph
        .dangling()
        .iter()
        .filter(|(k, _)| *k == i)
        .map(|(_, d)| d)
        .collect();
    if !deps.is_empty() || !dangling.is_empty() {
        let _ = writeln!(s, "  depends on:");
        for &(j, kind) in deps {
            let d = plan.task(j);
            let _ = writeln!(
                s,
                "    {}  {:<11} {:<8} {}",
                d.id,
                d.status.as_str(),
                kind.as_str(),
                escape(&d.title)
            );
            if kind == wm::graph::EdgeKind::Phase
                && let Some(why) = wm::graph::derive::explain(plan, i, j)
            {
                let _ = writeln!(s, "              ({})", escape(&why));
            }
        }
        for d in dangling {
            let _ = writeln!(s, "    {}  MISSING (no such task)", escape(d));
        }
    }
    let dependents = graph.dependents(i);
    if !dependents.is_empty() {
        let _ = writeln!(s, "  needed by:");
        for &j in dependents {
            let d = plan.task(j);
            let _ = writeln!(
                s,
                "    {}  {:<11} {}",
                d.id,
                d.status.as_str(),
                escape(&d.title)
            );
        }
    }
    if t.is_epic() {
        let children = graph.children(i);
        let done = children
            .iter()
            .filter(|&&c| plan.status(c).is_settled())
            .count();
        let _ = writeln!(s, "  children:   {done}/{} settled", children.len());
        let mut rows = children.to_vec();
        wm::graph::query::sort_by_issue(plan, graph, &mut rows);
        if !rows.is_empty() {
            let completed = rows
                .iter()
                .filter(|&&c| plan.status(c) == wm::model::Status::Completed)
                .count();
            let _ = writeln!(
                s,
                "  progress:   {}% ({completed} completed, {} cancelled, {} open)",
                done * 100 / rows.len(),
                done - completed,
                rows.len() - done
            );
            let _ = writeln!(s, "  tasks:");
            for &c in &rows {
                let d = plan.task(c);
                let _ = writeln!(
                    s,
                    "    {}  {:<11} {:<10} {}",
                    d.id,
                    status_label(plan, graph, c),
                    d.phase.as_deref().map(escape).unwrap_or_else(|| "-".into()),
                    escape(&d.title)
                );
            }
        }
    }
    if !t.commits.is_empty() {
        let _ = writeln!(s, "  commits:");
        s.push_str(&super::git_util::commit_lines(ctx, &t.commits));
    }
    for f in &t.forced {
        let _ = writeln!(
            s,
            "  forced:     {} to {} past {}",
            format_time(&f.at),
            f.to,
            escape(&f.reason)
        );
    }
    if !t.notes.is_empty() {
        let _ = writeln!(s, "  notes:");
        for n in &t.notes {
            let _ = writeln!(s, "    {}  {}", format_time(&n.at), escape(&n.text));
        }
    }
    if let Some(d) = &t.description {
        let _ = writeln!(s, "\n{}", wm::render::escape_message(d).trim_end());
    }
    let problems: Vec<_> = loaded
        .problems()
        .iter()
        .filter(|p| p.tasks.contains(&t.id))
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(s, "\nproblems:");
        for p in problems {
            let _ = writeln!(s, "  {}", escape(&super::command_error::problem_line(p)));
        }
    }
    print(&s)
}
