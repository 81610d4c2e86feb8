//! What the git commands share: finding the repository of the store, the
//! branch's default issue, and showing commits.

use std::fmt::Write;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, Local, Utc};

use super::{CliResult, Ctx};
use wm::git::{self, CommitInfo, Repo};
use wm::render::escape;
use wm::render::json::git::CommitView;

/// The directory the repository is searched from: the store's directory
/// (so `--file` points at the right repository), else the working directory.
fn repo_dir(ctx: &Ctx) -> PathBuf {
    ctx.location()
        .path
        .parent()
        .filter(|d| d.is_dir())
        .map(|d| d.to_path_buf())
        .unwrap_or_else(|| ctx.cwd.clone())
}

/// The repository holding the store; exit 2 with a clear message outside one.
pub fn repo(ctx: &Ctx) -> CliResult<Repo> {
    Ok(Repo::discover(&repo_dir(ctx))?)
}

/// The repository if there is one (for commands that work without it).
pub fn repo_opt(ctx: &Ctx) -> Option<Repo> {
    Repo::discover(&repo_dir(ctx)).ok()
}

/// The issue the checked-out branch names (`feature/GH-42-...` gives 42),
/// with the branch name. None outside a repository, on a detached HEAD, or
/// when the branch names no issue. For `create`, `list`, `plan`: a default
/// for `--issue` when none is given; say so with [`note_branch_issue`].
pub fn git_default_issue(ctx: &Ctx) -> Option<(u64, String)> {
    let branch = repo_opt(ctx)?.branch()?;
    git::issue_from_branch(&branch).map(|n| (n, branch))
}

/// Tell the user an issue came from the branch name.
pub fn note_branch_issue(ctx: &Ctx, issue: u64, branch: &str) {
    ctx.note(&format!(
        "using issue #{issue} from the branch {} (pass --issue to choose another)",
        escape(branch)
    ));
}

/// A commit date for people: local time on a terminal, UTC otherwise (so
/// logs and CI output do not depend on the machine's zone).
pub fn show_time(ctx: &Ctx, t: &DateTime<FixedOffset>) -> String {
    if ctx.tty {
        t.with_timezone(&Local)
            .format("%Y-%m-%d %H:%M %:z")
            .to_string()
    } else {
        format!("{} UTC", t.with_timezone(&Utc).format("%Y-%m-%d %H:%M"))
    }
}

/// One line about a commit: short sha, date, author, summary.
pub fn commit_line(ctx: &Ctx, c: &CommitInfo) -> String {
    format!(
        "{}  {}  {}  {}",
        c.short(),
        show_time(ctx, &c.time),
        escape(&c.author),
        escape(&c.summary)
    )
}

/// The `commits:` lines of `show`: each linked commit read from the
/// repository, or marked missing.
pub fn commit_lines(ctx: &Ctx, shas: &[String]) -> String {
    let repo = repo_opt(ctx);
    let mut s = String::new();
    for sha in shas {
        let line = match repo.as_ref().map(|r| r.commit(sha)) {
            Some(Some(c)) => commit_line(ctx, &c),
            Some(None) => format!(
                "{}  MISSING (not in this repository: rebased away or not fetched)",
                escape(git::short_sha(sha))
            ),
            None => format!("{}  (no repository to read it from)", escape(sha)),
        };
        let _ = writeln!(s, "    {line}");
    }
    s
}

/// The linked commits of `show --json`, as the repository sees them.
pub fn commit_views(ctx: &Ctx, shas: &[String]) -> Vec<CommitView> {
    let repo = repo_opt(ctx);
    shas.iter()
        .map(|sha| CommitView::new(sha, repo.as_ref().and_then(|r| r.commit(sha)).as_ref()))
        .collect()
}
