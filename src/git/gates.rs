//! CI gates over the link between tasks and commits: every commit of a
//! range references a task or issue; every completed task has a commit.
//! Pure: the caller reads the repository (`git`) and the store, and renders
//! the findings.

use std::collections::HashSet;

use regex::Regex;

use crate::git::{CommitInfo, IdMatcher, references, short_sha};
use crate::graph::plan::Plan;
use crate::model::{Status, TaskType};

/// One thing a gate found wrong (a located store problem is a
/// `store::report::Finding`; this is about commits and tasks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// `unreferenced-commit` or `unlinked-task`.
    pub code: &'static str,
    pub message: String,
    /// The task it is about, if any.
    pub task: Option<String>,
    /// The commit it is about (full sha), if any.
    pub commit: Option<String>,
}

/// The non-merge commits of `commits` that reference no task or issue the
/// plan knows and are not linked to a task; messages matching one of
/// `allow` are exempt.
pub fn unreferenced_commits(
    plan: &Plan,
    commits: &[CommitInfo],
    allow: &[Regex],
) -> Vec<Violation> {
    let ids = IdMatcher::new(plan);
    let issues: HashSet<u64> = plan.tasks().iter().filter_map(|t| t.issue).collect();
    let linked: HashSet<&str> = plan
        .tasks()
        .iter()
        .flat_map(|t| t.commits.iter().map(String::as_str))
        .collect();
    commits
        .iter()
        .filter(|c| !c.is_merge())
        .filter(|c| !linked.contains(c.sha.as_str()))
        .filter(|c| !allow.iter().any(|re| re.is_match(&c.message)))
        .filter(|c| {
            let r = references(&c.message, &ids);
            r.tasks.is_empty() && !r.issues.iter().any(|n| issues.contains(n))
        })
        .map(|c| Violation {
            code: "unreferenced-commit",
            message: format!(
                "commit {} \"{}\" references no task or issue (add `Task: <id>` or GH#N to its message)",
                short_sha(&c.sha),
                c.summary
            ),
            task: None,
            commit: Some(c.sha.clone()),
        })
        .collect()
}

/// Completed tasks without a linked commit (epics and cancelled tasks are
/// exempt).
pub fn unlinked_completed(plan: &Plan) -> Vec<Violation> {
    plan.tasks()
        .iter()
        .filter(|t| t.status == Status::Completed && t.kind != TaskType::Epic)
        .filter(|t| t.commits.is_empty())
        .map(|t| Violation {
            code: "unlinked-task",
            message: format!(
                "completed task {} \"{}\" has no linked commit",
                t.id, t.title
            ),
            task: Some(t.id.clone()),
            commit: None,
        })
        .collect()
}
