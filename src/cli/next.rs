use clap::Args;

use super::{CliError, CliResult, Ctx, print, print_json};
use wm::error::Error;
use wm::graph::Graph;
use wm::graph::plan::Plan;
use wm::graph::schedule::{self, Idle, Scope};
use wm::model::TaskType;
use wm::render::{escape, json};

/// The one task to do next: ready (pending, dependencies settled), then the
/// earliest phase, then the most urgent priority (0 first; unset is 2),
/// then on the critical path (the longest chain of
/// unfinished work waiting on it), then the oldest. Prints its id.
///
/// When nothing is ready, exits 4 and says why: everything is done, work is
/// in progress, or the remaining tasks are blocked. `wm tasks claim` picks
/// the same task and starts it atomically.
///
/// Examples:
///   wm tasks next
///   wm tasks next --issue 42 --type verify
///   wm tasks next --json | jq -r .task.id
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct NextArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Which tasks `next` and `claim` pick from.
#[derive(Debug, Args, Clone)]
pub struct ScopeArgs {
    /// Only tasks of this issue.
    #[arg(long, value_name = "N")]
    pub issue: Option<u64>,
    /// Only tasks of this type.
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<TaskType>,
}

impl ScopeArgs {
    pub fn scope(&self) -> Scope {
        Scope {
            issue: self.issue,
            kind: self.kind,
            ..Scope::default()
        }
    }
}

/// The error for "nothing to pick", with its reason code.
pub fn idle_error(plan: &Plan, graph: &Graph, idle: &Idle) -> Error {
    Error::NothingReady {
        reason: idle.code(),
        message: idle.message(plan, graph),
    }
}

/// With --json, the document printed when nothing can be picked (before
/// exiting 4): `{"schema_version": 1, "task": null, "reason": "...", "message": "..."}`.
pub fn print_idle_json(e: &Error) -> CliResult {
    if let Error::NothingReady { reason, message } = e {
        print_json(&json::schedule::nothing_to_pick_doc(reason, message))?;
    }
    Ok(())
}

pub fn run(ctx: &Ctx, a: NextArgs) -> CliResult {
    let loaded = ctx.load_valid()?;
    let (plan, graph) = (loaded.plan(), loaded.graph());
    match schedule::next(plan, graph, &a.scope.scope()) {
        Ok(i) => {
            if a.json {
                return print_json(&json::schedule::picked_doc(plan, graph, i));
            }
            let t = plan.task(i);
            print(&format!("{}\n", t.id))?;
            ctx.note(&format!(
                "next: {} ({})",
                escape(&t.title),
                t.phase.as_deref().unwrap_or("no phase")
            ));
            Ok(())
        }
        Err(idle) => {
            let e = idle_error(plan, graph, &idle);
            if a.json {
                print_idle_json(&e)?;
            }
            Err(CliError::Core(e))
        }
    }
}
