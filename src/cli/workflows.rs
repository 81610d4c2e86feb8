use std::fmt::Write;

use clap::Args;

use super::{CliResult, Ctx, print, print_json};
use wm::error::Error;
use wm::model::workflow::{Catalog, Order, Repeat, Workflow};
use wm::render::escape;
use wm::render::json::catalog::{PhaseView, WorkflowView, workflows_doc};

/// List the workflows an issue can follow, or show one in detail.
///
/// A workflow is a small DAG of phases; each phase says which tasks belong
/// to it (title patterns, types, else the position a task was created in)
/// and how the tasks inside it are ordered. An issue follows the workflow
/// its epic names (`create --type=epic --workflow NAME`, `update EPIC
/// --workflow NAME`), else the one its tasks' phases belong to, else the
/// one its first title is recognised by. A store defines its own with a
/// `workflow:` block (it replaces the default).
///
/// Examples:
///   wm tasks workflows
///   wm tasks workflows full-stack
///   wm tasks workflows --json | jq '.workflows[].name'
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct WorkflowsArgs {
    /// Show this workflow's phases and how tasks are matched to them.
    pub name: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn order_str(o: Order) -> &'static str {
    match o {
        Order::Parallel => "parallel",
        Order::Roles => "roles",
        Order::Chain => "chain",
    }
}

fn repeat_str(r: Repeat) -> &'static str {
    match r {
        Repeat::Once => "once",
        Repeat::Sequential => "sequential",
        Repeat::Parallel => "parallel",
    }
}

/// A phase as the outline names it: `step-N` for a repeated phase.
fn label(p: &wm::model::workflow::Phase) -> String {
    match p.repeat {
        Repeat::Once => p.id.clone(),
        _ => format!("{}-N", p.id),
    }
}

/// The phase DAG in one line: phases at the same depth side by side in
/// braces, depths joined by arrows.
pub fn outline(wf: &Workflow) -> String {
    let n = wf.phases.len();
    // Longest path from a root, iteratively (phases are few, at most
    // MAX_PHASES, and validated acyclic; a bound guards a broken one).
    let mut depth = vec![0usize; n];
    for _ in 0..n.min(wm::model::workflow::MAX_PHASES) {
        let mut changed = false;
        for (k, p) in wf.phases.iter().enumerate() {
            for d in &p.depends_on {
                if let Some(j) = wf.position(d)
                    && depth[j] + 1 > depth[k]
                {
                    depth[k] = depth[j] + 1;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let max = depth.iter().copied().max().unwrap_or(0);
    (0..=max)
        .map(|d| {
            let at: Vec<String> = wf
                .phases
                .iter()
                .enumerate()
                .filter(|(k, _)| depth[*k] == d)
                .map(|(_, p)| label(p))
                .collect();
            if at.len() == 1 {
                at[0].clone()
            } else {
                format!("{{{}}}", at.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

fn find<'a>(catalog: &'a Catalog, name: &str) -> CliResult<&'a Workflow> {
    match wm::ops::workflow_named(catalog, name) {
        Ok(k) => Ok(&catalog.workflows()[k]),
        // This command is the list the hint would point to.
        Err(Error::Request { message, .. }) => Err(Error::Usage(message).into()),
        Err(e) => Err(e.into()),
    }
}

pub fn run(ctx: &Ctx, a: WorkflowsArgs) -> CliResult {
    // Outside a store the built-ins are still listed.
    let loc = ctx.location();
    let plan = if loc.exists {
        Some(ctx.load()?.into_inner().into_plan())
    } else {
        None
    };
    let catalog = match &plan {
        Some(p) => p.catalog().clone(),
        None => Catalog::new(&Workflow::default()),
    };
    let chosen: Vec<&Workflow> = match &a.name {
        Some(n) => vec![find(&catalog, n)?],
        None => catalog.workflows().iter().collect(),
    };
    if a.json {
        let list: Vec<WorkflowView> = chosen
            .iter()
            .map(|w| WorkflowView {
                name: w.label(),
                aliases: &w.aliases,
                description: w.description.as_deref(),
                default: std::ptr::eq(*w, &catalog.workflows()[0]),
                outline: outline(w),
                phases: w
                    .phases
                    .iter()
                    .map(|p| PhaseView {
                        id: &p.id,
                        name: &p.name,
                        group: p.group.as_deref(),
                        depends_on: &p.depends_on,
                        order: order_str(p.order),
                        repeat: repeat_str(p.repeat),
                        keywords: &p.keywords,
                        patterns: &p.patterns,
                        types: p.types.iter().map(|t| t.as_str()).collect(),
                    })
                    .collect(),
            })
            .collect();
        return print_json(&workflows_doc(list));
    }
    let mut s = String::new();
    for w in &chosen {
        let default = if std::ptr::eq(*w, &catalog.workflows()[0]) {
            " (default)"
        } else {
            ""
        };
        let _ = write!(s, "{}{default}", escape(w.label()));
        if !w.aliases.is_empty() {
            let _ = write!(s, "  aliases: {}", escape(&w.aliases.join(", ")));
        }
        s.push('\n');
        if let Some(d) = &w.description {
            let _ = writeln!(s, "  {}", escape(d));
        }
        let _ = writeln!(s, "  {}", escape(&outline(w)));
        if a.name.is_some() {
            for p in &w.phases {
                let mut how = vec![order_str(p.order).to_string()];
                if p.repeat != Repeat::Once {
                    how.push(format!("repeats {}", repeat_str(p.repeat)));
                }
                let _ = writeln!(
                    s,
                    "  {:<14} {} ({})",
                    label(p),
                    escape(&p.name),
                    how.join(", ")
                );
                let mut names: Vec<String> = p.keywords.iter().map(|k| format!("{k}*")).collect();
                names.extend(p.patterns.iter().map(|r| format!("/{r}/")));
                if !names.is_empty() {
                    let _ = writeln!(s, "  {:<14}   titles: {}", "", escape(&names.join("  ")));
                }
                if !p.types.is_empty() {
                    let types: Vec<&str> = p.types.iter().map(|t| t.as_str()).collect();
                    let _ = writeln!(s, "  {:<14}   types: {}", "", types.join(", "));
                }
            }
            if !w.recognise.is_empty() {
                let _ = writeln!(
                    s,
                    "  recognised by a first title matching: {}",
                    escape(
                        &w.recognise
                            .iter()
                            .map(|r| format!("/{r}/"))
                            .collect::<Vec<_>>()
                            .join("  ")
                    )
                );
            }
        }
    }
    print(&s)
}
