use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;

use clap::Args;

use super::{CliResult, Ctx, git_util, print, print_json};
use wm::error::Error;
use wm::git::{CommitInfo, issue_mentions, short_sha};
use wm::render::escape;
use wm::render::json::git::{CommitView, LogCommit, log_doc};

/// The commits of an issue: those linked to its tasks, plus those whose
/// message mentions `GH#N`, newest first.
///
/// Each line shows the short sha, date (local time on a terminal, UTC
/// otherwise), author and summary, then what ties the commit to the issue.
/// A linked commit the repository no longer has is listed as MISSING.
/// Without --issue, the branch's issue (`feature/GH-42-...`) is used.
///
/// Examples:
///   wm tasks log --issue 42
///   wm tasks log --issue 42 --json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct LogArgs {
    /// The GitHub issue (default: from the branch name).
    #[arg(long, value_name = "N")]
    pub issue: Option<u64>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: LogArgs) -> CliResult {
    let issue = match a.issue {
        Some(n) => n,
        None => match git_util::git_default_issue(ctx) {
            Some((n, branch)) => {
                git_util::note_branch_issue(ctx, n, &branch);
                n
            }
            None => {
                return Err(Error::Usage(
                    "which issue? pass --issue N (or work on a branch named like feature/GH-N-...)"
                        .into(),
                )
                .into());
            }
        },
    };
    let repo = git_util::repo(ctx)?;
    let loaded = ctx.load()?;
    // sha -> ids of the issue's tasks it is linked to (in store order).
    let mut linked: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in loaded
        .plan()
        .tasks()
        .iter()
        .filter(|t| t.issue == Some(issue))
    {
        for sha in &t.commits {
            linked.entry(sha.clone()).or_default().push(t.id.clone());
        }
    }
    // (sha, commit if found, tasks, mentions GH#N)
    let mut rows: Vec<(String, Option<CommitInfo>, Vec<String>, bool)> = Vec::new();
    let mut seen = HashSet::new();
    let (history, _, _) = repo.since(None)?;
    for c in history.into_iter().rev() {
        let mentions = issue_mentions(&c.message).contains(&issue);
        let tasks = linked.get(&c.sha).cloned().unwrap_or_default();
        if mentions || !tasks.is_empty() {
            seen.insert(c.sha.clone());
            rows.push((c.sha.clone(), Some(c), tasks, mentions));
        }
    }
    // Linked commits not reachable from HEAD: on another branch, or gone.
    for (sha, tasks) in &linked {
        if !seen.contains(sha) {
            rows.push((sha.clone(), repo.commit(sha), tasks.clone(), false));
        }
    }
    if a.json {
        let commits = rows
            .iter()
            .map(|(sha, c, tasks, mentions)| LogCommit {
                commit: CommitView::new(sha, c.as_ref()),
                tasks: tasks.clone(),
                mentions_issue: *mentions,
            })
            .collect();
        return print_json(&log_doc(issue, commits));
    }
    if rows.is_empty() {
        ctx.note(&format!(
            "no commits linked to issue #{issue} or mentioning GH#{issue}"
        ));
        return Ok(());
    }
    let mut s = String::new();
    for (sha, c, tasks, mentions) in &rows {
        let mut why: Vec<String> = tasks.clone();
        if *mentions {
            why.push(format!("GH#{issue}"));
        }
        let line = match c {
            Some(c) => git_util::commit_line(ctx, c),
            None => format!(
                "{}  MISSING (not in this repository)",
                escape(short_sha(sha))
            ),
        };
        let _ = writeln!(s, "{line}  [{}]", why.join(", "));
    }
    print(&s)
}
