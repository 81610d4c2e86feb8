use clap::{Args, Subcommand};

use super::{CliResult, Ctx, print};
use wm::ops::Op;

/// Add or remove explicit dependencies.
///
/// Edges derived from phases are not stored and cannot be removed; change a
/// task's phase instead.
#[derive(Debug, Subcommand)]
pub enum DepCommand {
    Add(DepAddArgs),
    Rm(DepRmArgs),
}

/// Make a task depend on others: ID waits for every --on task.
///
/// Refused (exit 3) if it would close a cycle or run against the phase
/// order.
///
/// Example: wm tasks dep add k3m9 --on x7pq --on a2b4
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct DepAddArgs {
    /// The task that waits.
    pub id: String,
    /// The task(s) it waits for.
    #[arg(long, required = true, num_args = 1.., value_name = "DEP")]
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
        DepCommand::Add(a) => (Op::AddDeps { id: a.id, on: a.on }, "now depends on"),
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
