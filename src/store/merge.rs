//! A three-way merge of two versions of a store against their common
//! ancestor, by meaning rather than by lines: the engine of the git merge
//! driver (`wm tasks merge-driver`).
//!
//! Tasks are matched by id. For each task:
//! - added on one side only: kept;
//! - changed on one side: that side's version;
//! - present on both sides and different, whatever their history (changed
//!   on both, or added on both, as a cherry-pick does): field by field. A
//!   field changed on one side takes that change (with no common version, a
//!   field empty on one side takes the other's value); lists
//!   (`depends_on`, `labels`, `commits`, `forced`) merge as sets; a field
//!   set differently on both sides is decided by a rule that does not
//!   depend on the merge direction: `status` takes the one further along
//!   (pending < in progress < completed or cancelled), anything else the
//!   side whose task has the later `updated_at`; the report says which side
//!   won and why. Equal `updated_at` (hand edits) cannot decide: that is a
//!   conflict, never a silent choice;
//! - deleted on one side and unchanged on the other: deleted;
//! - deleted on one side and changed on the other: kept, and reported.

use std::collections::{HashMap, HashSet};

use crate::model::{Status, StoreFile, Task};

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
    let mut conflicts = Vec::new();
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
                // twice, or carried over by a cherry-pick and changed since.
                tasks.push(merge_task(None, x, y, &mut reports, &mut conflicts));
            }
            (Some(base_t), Some(x), Some(y)) => {
                tasks.push(merge_task(Some(base_t), x, y, &mut reports, &mut conflicts))
            }
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
        conflicts,
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

/// How far along a status is: the `status` rule keeps the further one.
fn progress(s: Status) -> u8 {
    match s {
        Status::Pending => 0,
        Status::InProgress => 1,
        Status::Completed | Status::Cancelled => 2,
    }
}

/// The two sides of one task and what the merge of its fields decided.
struct Fields<'a> {
    ours: &'a Task,
    theirs: &'a Task,
    /// "field: kept theirs (why)" for each field set on both sides.
    decided: Vec<String>,
    /// Fields no rule could decide.
    undecided: Vec<String>,
}

fn stamp(t: &Task) -> String {
    t.updated_at
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Fields<'_> {
    /// One scalar field: `base` is the common version's value (None when
    /// the task has no common version), `empty` the value a field has when
    /// never set (None when it has none).
    fn pick<T: PartialEq + Clone + std::fmt::Debug>(
        &mut self,
        name: &str,
        base: Option<&T>,
        empty: Option<&T>,
        o: &T,
        t: &T,
    ) -> T {
        if o == t {
            return o.clone();
        }
        match base.or(empty) {
            Some(b) if t == b => return o.clone(),
            Some(b) if o == b => return t.clone(),
            _ => {}
        }
        // Set differently on both sides: a rule that gives the same answer
        // whichever side is "ours".
        let (ours, theirs) = (self.ours, self.theirs);
        let (theirs_wins, why) = if name == "status"
            && progress(ours.status) != progress(theirs.status)
        {
            let later = progress(theirs.status) > progress(ours.status);
            let (w, l) = if later {
                (theirs.status, ours.status)
            } else {
                (ours.status, theirs.status)
            };
            (later, format!("{w} is further along than {l}"))
        } else if ours.updated_at != theirs.updated_at {
            let later = theirs.updated_at > ours.updated_at;
            let (w, l) = if later {
                (theirs, ours)
            } else {
                (ours, theirs)
            };
            (
                later,
                format!(
                    "its update ({}) is later than the other's ({})",
                    stamp(w),
                    stamp(l)
                ),
            )
        } else {
            // Nothing tells the two apart: a conflict. The file holds the
            // smaller value (the same whichever way the merge runs).
            let theirs_wins = format!("{t:?}") < format!("{o:?}");
            self.undecided.push(format!(
                "task {} (\"{}\"): `{name}` is {o:?} on our side and {t:?} on theirs, both updated at {}",
                ours.id,
                ours.title,
                stamp(ours)
            ));
            return if theirs_wins { t.clone() } else { o.clone() };
        };
        self.decided.push(format!(
            "`{name}` kept {} ({why})",
            if theirs_wins { "theirs" } else { "ours" }
        ));
        if theirs_wins { t.clone() } else { o.clone() }
    }
}

fn merge_task(
    base: Option<&Task>,
    ours: &Task,
    theirs: &Task,
    reports: &mut Vec<String>,
    conflicts: &mut Vec<String>,
) -> Task {
    if ours == theirs {
        return ours.clone();
    }
    if let Some(base) = base {
        if theirs == base {
            return ours.clone();
        }
        if ours == base {
            return theirs.clone();
        }
    }
    let mut f = Fields {
        ours,
        theirs,
        decided: Vec::new(),
        undecided: Vec::new(),
    };
    macro_rules! field {
        ($name:ident, $empty:expr) => {{
            f.pick(
                stringify!($name),
                base.map(|b| &b.$name),
                $empty,
                &ours.$name,
                &theirs.$name,
            )
        }};
    }
    macro_rules! list {
        ($name:ident) => {{
            let empty = Vec::new();
            let b = base.map(|b| &b.$name).unwrap_or(&empty);
            merge_list(b, &ours.$name, &theirs.$name)
        }};
    }
    let mut merged = Task {
        id: ours.id.clone(),
        title: field!(title, None),
        kind: field!(kind, None),
        status: field!(status, Some(&Status::Pending)),
        priority: field!(priority, Some(&None)),
        phase: field!(phase, Some(&None)),
        role: field!(role, Some(&None)),
        workflow: field!(workflow, Some(&None)),
        issue: field!(issue, Some(&None)),
        parent: field!(parent, Some(&None)),
        depends_on: list!(depends_on),
        labels: list!(labels),
        assignee: field!(assignee, Some(&None)),
        description: field!(description, Some(&None)),
        estimate: field!(estimate, Some(&None)),
        commits: list!(commits),
        created_at: ours.created_at.min(theirs.created_at),
        updated_at: ours.updated_at.max(theirs.updated_at),
        closed_at: None,
        reason: field!(reason, Some(&None)),
        forced: list!(forced),
        notes: list!(notes),
    };
    // closed_at follows the status that won.
    merged.closed_at = if merged.status == ours.status {
        ours.closed_at
    } else {
        theirs.closed_at
    };
    if merged.status == ours.status && merged.status == theirs.status {
        merged.closed_at = match (ours.closed_at, theirs.closed_at) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    if !f.decided.is_empty() {
        reports.push(format!(
            "task {} (\"{}\") changed on both sides: {}",
            merged.id,
            merged.title,
            f.decided.join("; ")
        ));
    }
    conflicts.extend(f.undecided);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TaskType;
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

    /// The merge gives the same store whichever side is ours.
    fn same_either_way(base: &StoreFile, a: &StoreFile, b: &StoreFile) -> Merged {
        let one = merge(base, a, b);
        let two = merge(base, b, a);
        let sorted = |m: &Merged| {
            let mut t = m.file.tasks.clone();
            t.sort_by(|x, y| x.id.cmp(&y.id));
            t
        };
        assert_eq!(sorted(&one), sorted(&two));
        assert_eq!(one.conflicts.len(), two.conflicts.len());
        one
    }

    #[test]
    fn a_task_added_on_both_sides_merges_field_by_field() {
        // Cherry-picked to main (no common version), then completed and
        // assigned there, labelled on the branch.
        let picked = task("a", 0);
        let mut main = picked.clone();
        main.status = Status::Completed;
        main.closed_at = Some(Utc.timestamp_opt(1_700_000_050, 0).unwrap());
        main.assignee = Some("alice".into());
        main.updated_at = Utc.timestamp_opt(1_700_000_050, 0).unwrap();
        let mut branch = picked.clone();
        branch.labels = vec!["net".into()];
        branch.updated_at = Utc.timestamp_opt(1_700_000_100, 0).unwrap();
        let m = same_either_way(&store(vec![]), &store(vec![main]), &store(vec![branch]));
        let t = &m.file.tasks[0];
        assert_eq!(t.status, Status::Completed);
        assert!(t.closed_at.is_some());
        assert_eq!(t.assignee.as_deref(), Some("alice"));
        assert_eq!(t.labels, vec!["net".to_string()]);
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn equal_time_stamps_are_a_conflict_whichever_the_direction() {
        let base = task("a", 0);
        let mut ours = base.clone();
        ours.title = "ours".into();
        ours.updated_at = Utc.timestamp_opt(1_700_000_100, 0).unwrap();
        let mut theirs = base.clone();
        theirs.title = "theirs".into();
        theirs.updated_at = ours.updated_at;
        let m = same_either_way(&store(vec![base]), &store(vec![ours]), &store(vec![theirs]));
        assert_eq!(m.conflicts.len(), 1);
        assert!(m.conflicts[0].contains("title"), "{:?}", m.conflicts);
    }

    #[test]
    fn the_report_says_which_side_won_and_why() {
        let base = task("a", 0);
        let mut ours = base.clone();
        ours.status = Status::Completed;
        ours.updated_at = Utc.timestamp_opt(1_700_000_100, 0).unwrap();
        let mut theirs = base.clone();
        theirs.status = Status::InProgress;
        theirs.updated_at = Utc.timestamp_opt(1_700_000_200, 0).unwrap();
        let m = same_either_way(&store(vec![base]), &store(vec![ours]), &store(vec![theirs]));
        assert_eq!(m.file.tasks[0].status, Status::Completed);
        assert!(
            m.reports[0].contains("kept ours (completed is further along than in_progress)"),
            "{:?}",
            m.reports
        );
    }
}
