use clap::Args;

use super::{CliResult, Ctx, git_util, print};
use wm::git::short_sha;
use wm::ops::Op;
use wm::render::escape;

/// Link a commit to a task (idempotent).
///
/// Records the full sha REV resolves to on the task; `show` then lists it
/// and `check --require-linked` counts it. Needs a Git repository (exit 2
/// outside one).
///
/// Examples:
///   wm tasks link k3m9abcd            # HEAD
///   wm tasks link k3m9abcd 4f2a9c1
///   wm tasks link k3m9abcd feature/GH-42-vpn~2
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct LinkArgs {
    /// Task id or unique prefix.
    pub id: String,
    /// The commit: a sha, branch, tag or any revision (default: HEAD).
    #[arg(default_value = "HEAD")]
    pub rev: String,
}

pub fn run(ctx: &Ctx, a: LinkArgs) -> CliResult {
    let repo = git_util::repo(ctx)?;
    let sha = repo.resolve_commit(&a.rev)?;
    let (_, outcomes) = ctx.write(false, false, |_| {
        Ok(vec![Op::Link {
            id: a.id.clone(),
            commit: sha.clone(),
        }])
    })?;
    ctx.notes(&outcomes);
    let summary = repo.commit(&sha).map(|c| c.summary).unwrap_or_default();
    for o in outcomes.iter().filter(|o| o.changed) {
        print(&format!(
            "linked {} \"{}\" to {}\n",
            short_sha(&sha),
            escape(&summary),
            o.id
        ))?;
    }
    Ok(())
}
