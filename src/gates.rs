//! CI gates over the link between tasks and commits: every commit of a
//! range references a task or issue; every completed task has a commit.
//! Pure: the caller reads the repository (`git`) and the store, and renders
//! the findings.

use std::collections::{HashMap, HashSet};

use regex::Regex;

use crate::git::{CommitInfo, IdMatcher, references, short_sha};
use crate::model::{Status, TaskType};
use crate::plan::Plan;

/// One thing a gate found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
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
pub fn unreferenced_commits(plan: &Plan, commits: &[CommitInfo], allow: &[Regex]) -> Vec<Finding> {
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
        .map(|c| Finding {
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
pub fn unlinked_completed(plan: &Plan) -> Vec<Finding> {
    plan.tasks()
        .iter()
        .filter(|t| t.status == Status::Completed && t.kind != TaskType::Epic)
        .filter(|t| t.commits.is_empty())
        .map(|t| Finding {
            code: "unlinked-task",
            message: format!(
                "completed task {} \"{}\" has no linked commit (`wm tasks link {} REV`)",
                t.id, t.title, t.id
            ),
            task: Some(t.id.clone()),
            commit: None,
        })
        .collect()
}

/// The 1-based line of each task's `- id:` line in the store's text: the
/// `- id:` items of the top-level `tasks:` list, at that list's indent (the
/// workflow's phases have `- id:` lines too, deeper or elsewhere).
pub fn task_lines(text: &str) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    let mut in_tasks = false;
    let mut indent = None;
    for (n, line) in text.lines().enumerate() {
        if !line.starts_with([' ', '-', '#']) && !line.trim().is_empty() {
            in_tasks = line.trim_end() == "tasks:";
            continue;
        }
        if !in_tasks {
            continue;
        }
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix("- id:") else {
            continue;
        };
        let this = line.len() - trimmed.len();
        if *indent.get_or_insert(this) != this {
            continue;
        }
        let id = rest
            .split(" #")
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches(['"', '\'']);
        out.entry(id.to_string()).or_insert(n as u64 + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_lines_skip_workflow_phases() {
        let text = "# header\nversion: 1\nworkflow:\n  phases:\n    - id: analysis\n      name: A\ntasks:\n\n  - id: k3m9abcd\n    title: x\n  - id: \"0abc\"\n";
        let lines = task_lines(text);
        assert_eq!(lines.get("k3m9abcd"), Some(&9));
        assert_eq!(lines.get("0abc"), Some(&11));
        assert_eq!(lines.get("analysis"), None);
    }
}
