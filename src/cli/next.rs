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
        message: idle_message(idle, plan, graph),
    }
}

/// Why nothing can be picked, for people: what is going on and what to do
/// (in this command line's words, so here and not in the scheduler).
fn idle_message(idle: &Idle, plan: &Plan, graph: &Graph) -> String {
    let ids = |v: &[usize]| {
        let mut s: Vec<String> = v.iter().take(5).map(|&i| plan.task(i).id.clone()).collect();
        if v.len() > 5 {
            s.push(format!("and {} more", v.len() - 5));
        }
        s.join(", ")
    };
    match idle {
        Idle::NoTasks => {
            "nothing to do: no tasks match (create some with `wm tasks create`)".to_string()
        }
        Idle::AllDone { open_epics } if open_epics.is_empty() => {
            "nothing to do: every task is done (completed or cancelled)".to_string()
        }
        Idle::AllDone { open_epics } => format!(
            "nothing to do: every task is done; close the open epic{} with `wm tasks done {}`",
            if open_epics.len() == 1 { "" } else { "s" },
            open_epics
                .iter()
                .map(|&i| plan.task(i).id.clone())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Idle::InProgress {
            in_progress,
            blocked,
        } => {
            let mut s = format!(
                "nothing is ready: {} task{} in progress ({})",
                in_progress.len(),
                if in_progress.len() == 1 {
                    " is"
                } else {
                    "s are"
                },
                ids(in_progress)
            );
            if !blocked.is_empty() {
                s.push_str(&format!(
                    " and {} blocked task{} wait{} for unfinished work",
                    blocked.len(),
                    if blocked.len() == 1 { "" } else { "s" },
                    if blocked.len() == 1 { "s" } else { "" },
                ));
            }
            s.push_str("; try again when they are done");
            s
        }
        Idle::Blocked { blocked } => {
            let waits: Vec<String> = blocked
                .iter()
                .take(3)
                .map(|&i| {
                    let on: Vec<String> = graph
                        .unsettled_deps(plan, i)
                        .into_iter()
                        .map(|j| format!("{} ({})", plan.task(j).id, plan.task(j).status))
                        .collect();
                    format!("{} waits for {}", plan.task(i).id, on.join(", "))
                })
                .collect();
            format!(
                "nothing is ready: {} task{} blocked by work outside this selection ({}); \
                 see `wm tasks blocked`",
                blocked.len(),
                if blocked.len() == 1 { " is" } else { "s are" },
                waits.join("; ")
            )
        }
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
