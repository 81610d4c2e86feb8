use clap::{Args, Subcommand};

use super::{CliResult, Ctx, print};
use wm::ops::Op;

/// Add or remove explicit dependencies; draw them (`dep tree`).
///
/// Edges derived from phases are not stored and cannot be removed; change a
/// task's phase instead.
#[derive(Debug, Subcommand)]
pub enum DepCommand {
    Add(DepAddArgs),
    Rm(DepRmArgs),
    Tree(DepTreeArgs),
}

/// Draw the dependency graph (the same as `wm tasks graph`): of an epic's
/// tasks, of a task's issue, or of everything.
///
/// Examples:
///   wm tasks dep tree
///   wm tasks dep tree EPIC
///   wm tasks dep tree k3m9 --format mermaid
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct DepTreeArgs {
    /// An epic (its tasks) or a task (its issue's tasks); default: all.
    #[arg(value_name = "ID")]
    pub id: Option<String>,
    #[command(flatten)]
    pub graph: super::graph::GraphArgs,
}

/// Make a task depend on others: ID waits for every --on task. The beads
/// form `dep add CHILD PARENT` (CHILD waits for PARENT) does the same.
///
/// Refused (exit 3) if it would close a cycle or run against the phase
/// order.
///
/// Examples:
///   wm tasks dep add k3m9 --on x7pq --on a2b4
///   wm tasks dep add k3m9 x7pq
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct DepAddArgs {
    /// The task that waits.
    pub id: String,
    /// The task(s) it waits for, as positional arguments (beads' form).
    #[arg(value_name = "DEP", required_unless_present = "on")]
    pub deps: Vec<String>,
    /// The task(s) it waits for.
    #[arg(long, num_args = 1.., value_name = "DEP")]
    pub on: Vec<String>,
}

/// Remove explicit dependencies (also repairs a dangling one).
///
/// Example: wm tasks dep rm k3m9 --on x7pq
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct DepRmArgs {
    /// The task that waits.
    pub id: String,
    /// The dependency (or dependencies) to remove.
    #[arg(long, required = true, num_args = 1.., value_name = "DEP")]
    pub on: Vec<String>,
}

pub fn run(ctx: &Ctx, cmd: DepCommand) -> CliResult {
    let (op, verb) = match cmd {
        DepCommand::Tree(a) => return tree(ctx, a),
        DepCommand::Add(a) => {
            let mut on = a.on;
            on.extend(a.deps);
            (Op::AddDeps { id: a.id, on }, "now depends on")
        }
        DepCommand::Rm(a) => (
            Op::RemoveDeps { id: a.id, on: a.on },
            "no longer depends on",
        ),
    };
    let on = match &op {
        Op::AddDeps { on, .. } | Op::RemoveDeps { on, .. } => on.clone(),
        _ => Vec::new(),
    };
    let (_, outcomes) = ctx.write(false, false, |_| Ok(vec![op.clone()]))?;
    ctx.notes(&outcomes);
    for o in &outcomes {
        if o.changed {
            print(&format!("{} {verb} {}\n", o.id, on.join(", ")))?;
        }
    }
    Ok(())
}

fn tree(ctx: &Ctx, a: DepTreeArgs) -> CliResult {
    let mut g = a.graph;
    if let Some(id) = a.id {
        if g.issue.is_some() || g.parent.is_some() {
            return Err(
                wm::error::Error::Usage("give an ID or --issue/--parent, not both".into()).into(),
            );
        }
        let loaded = ctx.load()?;
        let plan = loaded.plan();
        let i = plan.resolve(&id)?;
        let t = plan.task(i);
        if t.is_epic() {
            g.parent = Some(t.id.clone());
        } else if let Some(e) = loaded.graph().epic_of(i) {
            g.parent = Some(plan.task(e).id.clone());
        } else if let Some(n) = t.issue {
            g.issue = Some(n);
        }
    }
    super::graph::run(ctx, g)
}
