use std::path::Path;

use clap::Args;

use super::next::{ScopeArgs, idle_error, print_idle_json};
use super::{CliError, CliResult, Ctx, print};
use wm::error::Error;
use wm::graph::schedule;
use wm::ops::{Op, Transition};
use wm::render::escape;

/// Atomically pick the next task (as `wm tasks next` would), set it
/// in_progress with an assignee, and print its id.
///
/// Selection and update happen under the store's lock in one
/// read-modify-write, so processes claiming at the same time never get the
/// same task. Exits 4 when there is nothing to claim, saying why.
///
/// The assignee is --assignee, else $WM_ASSIGNEE, else the git user name
/// (user.name in .git/config or ~/.gitconfig), else $USER.
///
/// Examples:
///   id=$(wm tasks claim --issue 42) && echo "working on $id"
///   WM_ASSIGNEE=agent-3 wm tasks claim --type impl --json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ClaimArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Who claims the task.
    #[arg(long, value_name = "NAME")]
    pub assignee: Option<String>,
    /// Print JSON (the claimed task).
    #[arg(long)]
    pub json: bool,
}

fn git_user_name(cwd: &Path) -> Option<String> {
    wm::git::user_name(cwd)
}

/// --assignee, else $WM_ASSIGNEE, else git's user.name, else $USER.
fn assignee(ctx: &Ctx, flag: Option<String>) -> CliResult<String> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    flag.filter(|v| !v.trim().is_empty())
        .or_else(|| env("WM_ASSIGNEE"))
        .or_else(|| git_user_name(&ctx.cwd))
        .or_else(|| env("USER"))
        .or_else(|| env("USERNAME"))
        .map(|v| v.trim().to_string())
        .ok_or_else(|| {
            CliError::Core(Error::Usage(
                "no assignee: pass --assignee NAME or set $WM_ASSIGNEE".into(),
            ))
        })
}

pub fn run(ctx: &Ctx, a: ClaimArgs) -> CliResult {
    let who = assignee(ctx, a.assignee)?;
    let scope = a.scope.scope();
    let result = ctx.write(false, true, |loaded| {
        let (plan, graph) = (loaded.plan(), loaded.graph());
        match schedule::next(plan, graph, &scope) {
            Ok(i) => Ok(vec![Op::SetStatus {
                reason: None,
                commit: None,
                id: plan.task(i).id.clone(),
                to: Transition::Start,
                force: false,
                assignee: Some(who.clone()),
            }]),
            Err(idle) => Err(CliError::Core(idle_error(plan, graph, &idle))),
        }
    });
    let (plan, outcomes) = match result {
        Ok(r) => r,
        Err(CliError::Core(e @ Error::NothingReady { .. })) => {
            if a.json {
                print_idle_json(&e)?;
            }
            return Err(CliError::Core(e));
        }
        Err(e) => return Err(e),
    };
    let Some(i) = outcomes.first().and_then(|o| plan.get(&o.id)) else {
        return Err(CliError::Io(std::io::Error::other("claim changed nothing")));
    };
    if a.json {
        let graph = wm::graph::Graph::build(&plan);
        return super::print_json(&wm::render::json::schedule::picked_doc(&plan, &graph, i));
    }
    let t = plan.task(i);
    print(&format!("{}\n", t.id))?;
    ctx.note(&format!(
        "claimed for {}: {}",
        escape(&who),
        escape(&t.title)
    ));
    Ok(())
}
