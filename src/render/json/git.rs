//! COMMIT (a linked commit as the repository sees it), `scan`, `log`.

use chrono::Utc;
use serde::Serialize;

use super::Document;
use crate::git::CommitInfo;
use crate::model::format_time;

/// COMMIT: a commit sha and what the repository knows of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitView {
    /// The author's name.
    pub author: Option<String>,
    /// The author date, RFC 3339 UTC.
    pub date: Option<String>,
    /// The repository has the commit; when false the other fields are null.
    pub found: bool,
    /// The full sha.
    pub sha: String,
    /// The first line of the message, exactly as written.
    pub summary: Option<String>,
}

impl CommitView {
    /// `sha` as the repository sees it: `c`, or not found.
    pub fn new(sha: &str, c: Option<&CommitInfo>) -> CommitView {
        match c {
            Some(c) => CommitView {
                sha: c.sha.clone(),
                found: true,
                author: Some(c.author.clone()),
                date: Some(format_time(&c.time.with_timezone(&Utc))),
                summary: Some(c.summary.clone()),
            },
            None => CommitView {
                sha: sha.to_string(),
                found: false,
                author: None,
                date: None,
                summary: None,
            },
        }
    }
}

/// `log --json`: the commits of an issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogDoc {
    /// Newest first: those reachable from HEAD, then linked commits that
    /// are not (on another branch, or gone).
    pub commits: Vec<LogCommit>,
    /// The issue number.
    pub issue: u64,
}

/// One commit of `log`: COMMIT and what ties it to the issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogCommit {
    /// The commit (`found: false` when the repository lacks it).
    #[serde(flatten)]
    pub commit: CommitView,
    /// Ids of the issue's tasks the commit is linked to, in store order.
    pub tasks: Vec<String>,
    /// The message mentions `GH#N` for the issue.
    pub mentions_issue: bool,
}

/// `log --json` of `issue`.
pub fn log_doc(issue: u64, commits: Vec<LogCommit>) -> Document<LogDoc> {
    Document::new(LogDoc { issue, commits })
}

/// `scan --json`: what a scan read and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanDoc {
    /// Tasks completed by `Closes/Fixes/Resolves <id>` (with `--close`).
    pub closed: Vec<ScanItem>,
    /// Incremental scan: the HEAD now remembered (null with a REV-RANGE).
    pub head: Option<String>,
    /// Links added (a commit referencing a task it was not linked to).
    pub linked: Vec<ScanItem>,
    /// The REV-RANGE given, or null for an incremental scan.
    pub range: Option<String>,
    /// Closes the rules refused, with why (the exit code stays 0).
    pub refused: Vec<ScanRefused>,
    /// Number of commits read.
    pub scanned: usize,
    /// Incremental scan: the commit the last scan stopped at (null on the
    /// first scan, and with a REV-RANGE).
    pub since: Option<String>,
    /// `Task: <ref>` trailers that name no task.
    pub unknown: Vec<ScanUnknown>,
}

/// A task and the commit that references it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanItem {
    /// The commit's full sha.
    pub commit: String,
    /// The commit's first message line.
    pub summary: String,
    /// The task's full id.
    pub task: String,
}

impl ScanItem {
    /// Task `task` referenced by commit `c`.
    pub fn new(task: &str, c: &CommitInfo) -> ScanItem {
        ScanItem {
            task: task.to_string(),
            commit: c.sha.clone(),
            summary: c.summary.clone(),
        }
    }
}

/// A close the rules refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanRefused {
    /// The task and the closing commit.
    #[serde(flatten)]
    pub item: ScanItem,
    /// The refusal, as `done` would print it.
    pub reason: String,
}

/// A reference to no known task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanUnknown {
    /// The commit's full sha.
    pub commit: String,
    /// The reference as written in the trailer.
    pub reference: String,
    /// The commit's first message line.
    pub summary: String,
}

impl ScanUnknown {
    /// `reference`, named by commit `c`.
    pub fn new(reference: &str, c: &CommitInfo) -> ScanUnknown {
        ScanUnknown {
            reference: reference.to_string(),
            commit: c.sha.clone(),
            summary: c.summary.clone(),
        }
    }
}
