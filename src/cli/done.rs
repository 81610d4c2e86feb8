use clap::Args;

use super::{CliResult, Ctx, print, transition};
use wm::ops::{Op, Transition};

/// Mark tasks completed (`close` is the same command, as in beads).
///
/// Refused (exit 3) while a dependency is unfinished, or for an epic while
/// its children are open, unless --force, which records the override.
/// --reason says how it was done; it is stored and shown by `show`. A
/// workflow may ask for evidence to close its verification tasks (the
/// gated one does): a --reason or a --commit, else refused (exit 3).
///
/// --commit links a commit of the current directory's repository in the
/// same write: HEAD when given alone, or any revision git understands (a
/// full or short sha, a branch, a tag, `HEAD~1`). Put it after the ids
/// (`done k3m9 --commit`); `done --commit k3m9` with no other id means the
/// same (HEAD linked to k3m9).
///
/// Examples:
///   wm tasks done k3m9
///   wm tasks done k3m9 --reason "all 42 checks green on staging"
///   wm tasks close k3m9 --reason="done"
///   git commit -m "..." && wm tasks done k3m9 --commit
///   wm tasks done k3m9 --commit 3f2c9e1
///   wm tasks done k3m9 --commit HEAD~1
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct DoneArgs {
    /// Task ids or unique prefixes.
    #[arg(required_unless_present = "commit", value_name = "ID")]
    pub ids: Vec<String>,
    /// Skip the dependency rules and record the override on the task.
    #[arg(long)]
    pub force: bool,
    /// Also link a commit (default HEAD) to each task.
    #[arg(long, value_name = "REV", num_args = 0..=1, default_missing_value = "HEAD")]
    pub commit: Option<String>,
    /// How it was done, or what shows it (stored on the task).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

pub fn run(ctx: &Ctx, mut a: DoneArgs) -> CliResult {
    // `done --commit ID`: the value clap gave --commit is the task.
    if a.ids.is_empty() {
        match a.commit.take() {
            Some(id) if id != "HEAD" => {
                a.ids.push(id);
                a.commit = Some("HEAD".into());
            }
            _ => {
                return Err(wm::error::Error::Usage(
                    "which task? `wm tasks done ID --commit [REV]`".into(),
                )
                .into());
            }
        }
    }
    let Some(rev) = a.commit else {
        return transition::run(ctx, &a.ids, Transition::Done, a.force, a.reason);
    };
    // The commit is in the repository you are in (which may be a worktree
    // sharing another checkout's store through --file); resolved before
    // taking the lock, which stays short.
    let sha = wm::git::resolve_commit(&ctx.cwd, &rev)?;
    let (plan, outcomes) = ctx.write(false, true, |_| {
        Ok(a.ids
            .iter()
            .map(|id| Op::SetStatus {
                id: id.clone(),
                to: Transition::Done,
                force: a.force,
                assignee: None,
                reason: a.reason.clone(),
                commit: Some(sha.clone()),
            })
            .collect())
    })?;
    ctx.notes(&outcomes);
    let mut s = String::new();
    for o in &outcomes {
        if let Some(i) = plan.get(&o.id) {
            s.push_str(&format!("{} {} {}\n", o.id, plan.task(i).status, sha));
        }
    }
    print(&s)
}
