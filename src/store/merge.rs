//! A three-way merge of two versions of a store against their common
//! ancestor, by meaning rather than by lines: the engine of the git merge
//! driver (`wm tasks merge-driver`).
//!
//! Tasks are matched by id. For each task:
//! - added on one or both sides: kept;
//! - changed on one side: that side's version;
//! - changed on both sides: field by field; a field changed on one side
//!   takes that change; lists (`depends_on`, `labels`, `commits`, `forced`)
//!   merge as sets (additions and removals of both sides); a scalar field
//!   changed differently on both sides takes the side whose task has the
//!   later `updated_at`, and the choice is reported;
//! - deleted on one side and unchanged on the other: deleted;
//! - deleted on one side and changed on the other: kept, and reported.

use std::collections::{HashMap, HashSet};

use crate::model::{StoreFile, Task};

/// What the merge produced.
#[derive(Debug, Clone)]
pub struct Merged {
    pub file: StoreFile,
    /// Decisions a person should know about (same field changed on both
    /// sides, delete against edit).
    pub reports: Vec<String>,
    /// Differences the merge could not decide; the file keeps our side
    /// for them, and the driver reports a conflict so git stops.
    pub conflicts: Vec<String>,
}

/// Merge `ours` and `theirs` against `base`.
pub fn merge(base: &StoreFile, ours: &StoreFile, theirs: &StoreFile) -> Merged {
    let mut reports = Vec::new();
    let index = |f: &StoreFile| -> HashMap<String, Task> {
        f.tasks.iter().map(|t| (t.id.clone(), t.clone())).collect()
    };
    let (b, o, t) = (index(base), index(ours), index(theirs));

    // Every id in the order it first appears: ours, then theirs' additions.
    let mut ids: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for f in [ours, theirs, base] {
        for task in &f.tasks {
            if seen.insert(task.id.clone()) {
                ids.push(task.id.clone());
            }
        }
    }

    let mut tasks = Vec::new();
    for id in ids {
        match (b.get(&id), o.get(&id), t.get(&id)) {
            (_, Some(x), None) | (_, None, Some(x)) if !b.contains_key(&id) => {
                tasks.push(x.clone());
            }
            (None, Some(x), Some(y)) => {
                // Added on both sides with one id: the same task created
                // twice (or, astronomically rarely, a collision).
                if x != y {
                    let later = if (y.updated_at, &y.title) > (x.updated_at, &x.title) {
                        y
                    } else {
                        x
                    };
                    reports.push(format!(
                        "task {id} was added on both sides with different content; kept the later (\"{}\")",
                        later.title
                    ));
                    tasks.push(later.clone());
                } else {
                    tasks.push(x.clone());
                }
            }
            (Some(base_t), Some(x), Some(y)) => tasks.push(merge_task(base_t, x, y, &mut reports)),
            (Some(base_t), Some(x), None) | (Some(base_t), None, Some(x)) if x != base_t => {
                reports.push(format!(
                    "task {id} (\"{}\") was deleted on one side and changed on the other; kept it",
                    x.title
                ));
                tasks.push(x.clone());
            }
            _ => {}
        }
    }

    let workflow = if ours.workflow == theirs.workflow || theirs.workflow == base.workflow {
        ours.workflow.clone()
    } else if ours.workflow == base.workflow {
        theirs.workflow.clone()
    } else {
        reports.push("the workflow was changed on both sides; kept ours".into());
        ours.workflow.clone()
    };

    Merged {
        file: StoreFile {
            version: ours.version.max(theirs.version),
            // Either bookmark is correct: scans are idempotent, and an older
            // one only makes the next scan re-read a few commits.
            scan: ours.scan.clone().or_else(|| theirs.scan.clone()),
            workflow,
            tasks,
        },
        reports,
        conflicts: Vec::new(),
    }
}

/// Three-way merge of a list as a set: items removed on either side are
/// removed, items added on either side are added; order follows ours, then
/// theirs' additions.
fn merge_list<T: PartialEq + Clone>(base: &[T], ours: &[T], theirs: &[T]) -> Vec<T> {
    let mut out: Vec<T> = ours
        .iter()
        .filter(|x| !base.contains(x) || theirs.contains(x))
        .cloned()
        .collect();
    for x in theirs {
        if !base.contains(x) && !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

fn merge_task(base: &Task, ours: &Task, theirs: &Task, reports: &mut Vec<String>) -> Task {
    if ours == theirs || theirs == base {
        return ours.clone();
    }
    if ours == base {
        return theirs.clone();
    }
    let theirs_later = (theirs.updated_at, &theirs.id) > (ours.updated_at, &ours.id);
    let mut conflicted: Vec<&str> = Vec::new();
    macro_rules! field {
        ($name:ident) => {{
            let (b, o, t) = (&base.$name, &ours.$name, &theirs.$name);
            if o == t || t == b {
                o.clone()
            } else if o == b {
                t.clone()
            } else {
                conflicted.push(stringify!($name));
                if theirs_later { t.clone() } else { o.clone() }
            }
        }};
    }
    let mut merged = Task {
        id: ours.id.clone(),
        title: field!(title),
        kind: field!(kind),
        status: field!(status),
        phase: field!(phase),
        role: field!(role),
        workflow: field!(workflow),
        issue: field!(issue),
        parent: field!(parent),
        depends_on: merge_list(&base.depends_on, &ours.depends_on, &theirs.depends_on),
        labels: merge_list(&base.labels, &ours.labels, &theirs.labels),
        assignee: field!(assignee),
        description: field!(description),
        estimate: field!(estimate),
        commits: merge_list(&base.commits, &ours.commits, &theirs.commits),
        created_at: field!(created_at),
        updated_at: ours.updated_at.max(theirs.updated_at),
        closed_at: field!(closed_at),
        forced: merge_list(&base.forced, &ours.forced, &theirs.forced),
    };
    // closed_at follows the status that won.
    if merged.status == theirs.status && merged.status != ours.status {
        merged.closed_at = theirs.closed_at;
    } else if merged.status == ours.status && merged.status != theirs.status {
        merged.closed_at = ours.closed_at;
    }
    conflicted.retain(|f| *f != "closed_at");
    if !conflicted.is_empty() {
        reports.push(format!(
            "task {} (\"{}\"): {} changed on both sides; kept {} (the later update)",
            merged.id,
            merged.title,
            conflicted.join(", "),
            if theirs_later { "theirs" } else { "ours" }
        ));
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Status, TaskType};
    use chrono::{TimeZone, Utc};

    fn task(id: &str, secs: i64) -> Task {
        Task::new(
            id.into(),
            format!("task {id}"),
            TaskType::Task,
            Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap(),
        )
    }

    fn store(tasks: Vec<Task>) -> StoreFile {
        StoreFile {
            tasks,
            ..StoreFile::default()
        }
    }

    #[test]
    fn additions_on_both_sides_are_kept() {
        let base = store(vec![task("a", 0)]);
        let ours = store(vec![task("a", 0), task("b", 1)]);
        let theirs = store(vec![task("a", 0), task("c", 2)]);
        let m = merge(&base, &ours, &theirs);
        let ids: Vec<&str> = m.file.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "b", "c"]);
        assert!(m.reports.is_empty());
    }

    #[test]
    fn different_fields_merge_and_the_same_field_takes_the_later_side() {
        let base = task("a", 0);
        let mut ours = base.clone();
        ours.assignee = Some("alice".into());
        ours.status = Status::InProgress;
        ours.updated_at = Utc.timestamp_opt(1_700_000_100, 0).unwrap();
        let mut theirs = base.clone();
        theirs.labels = vec!["net".into()];
        theirs.status = Status::Completed;
        theirs.updated_at = Utc.timestamp_opt(1_700_000_200, 0).unwrap();
        let m = merge(&store(vec![base]), &store(vec![ours]), &store(vec![theirs]));
        let t = &m.file.tasks[0];
        assert_eq!(t.assignee.as_deref(), Some("alice"));
        assert_eq!(t.labels, vec!["net".to_string()]);
        assert_eq!(t.status, Status::Completed);
        assert_eq!(m.reports.len(), 1);
        assert!(m.reports[0].contains("status") && m.reports[0].contains("theirs"));
    }

    #[test]
    fn delete_against_edit_keeps_the_task() {
        let base = task("a", 0);
        let mut theirs = base.clone();
        theirs.title = "renamed".into();
        let m = merge(
            &store(vec![base.clone()]),
            &store(vec![]),
            &store(vec![theirs]),
        );
        assert_eq!(m.file.tasks.len(), 1);
        assert!(m.reports[0].contains("deleted on one side"));
        // Deleted on one side, untouched on the other: deleted.
        let m = merge(
            &store(vec![base.clone()]),
            &store(vec![]),
            &store(vec![base]),
        );
        assert!(m.file.tasks.is_empty());
    }

    #[test]
    fn lists_merge_as_sets() {
        assert_eq!(merge_list(&[1, 2], &[1, 2, 3], &[2, 4]), vec![2, 3, 4]);
    }
}
