//! A three-way merge of two versions of a store against their common
//! ancestor, by meaning rather than by lines: the engine of the git merge
//! driver (`wm tasks merge-driver`). No clock decides anything.
//!
//! Tasks are matched by id. For each task:
//! - added on one side only: kept;
//! - changed on one side: that side's version;
//! - present on both sides and different, whatever their history (changed
//!   on both, or added on both, as a cherry-pick does): field by field:
//!   - a field changed on one side takes that change (with no common
//!     version, a field empty or unset on one side takes the other's value);
//!   - lists (`depends_on`, `labels`, `commits`, `forced`, `notes`) merge as
//!     sets: an item added on either side is added, one removed on either
//!     side is removed; the kept items stay in the base's order and the
//!     additions follow sorted (notes and overrides by time), so the order
//!     does not depend on the merge direction either;
//!   - `status` set differently on both sides takes the one further along
//!     (pending < in progress < completed or cancelled), whichever side is
//!     ours; `closed_at` follows the status kept;
//!   - `created_at` is the earlier of the two and `updated_at` the later:
//!     bookkeeping, not a decision;
//!   - any other field set differently on both sides (title, type,
//!     priority, phase, role, workflow, issue, parent, assignee,
//!     description, estimate, reason; completed against cancelled) is a
//!     [`Conflict`]: the merge cannot know which is right, so it keeps both
//!     versions of the task (each with everything decided merged in) and
//!     never picks one;
//! - deleted on one side and unchanged on the other: deleted;
//! - deleted on one side and changed on the other: kept, and reported.
//!
//! The store's `workflow` changed differently on both sides is a conflict
//! too. Every decision on a field set on both sides is reported with the
//! side that won and why; the result is the same whichever side is ours
//! (up to which side is called ours in a conflict).

use std::collections::{HashMap, HashSet};

use crate::model::workflow::Workflow;
use crate::model::{Role, Status, StoreFile, Task, TaskType};

/// What the merge produced.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The merged store; for a conflict, our version of it (see
    /// [`with_markers`] for the file that holds both).
    pub file: StoreFile,
    /// Decisions a person should know about (the same field changed on
    /// both sides, delete against edit), each saying which side won and why.
    pub reports: Vec<String>,
    /// Differences no rule decides: the merge is not finished until a
    /// person keeps one side of each.
    pub conflicts: Vec<Conflict>,
}

/// One field set differently on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldConflict {
    pub field: &'static str,
    /// Our value, as a person reads it (`"text"`, a number, `unset`).
    pub ours: String,
    pub theirs: String,
}

/// Something the merge could not decide.
#[derive(Debug, Clone, PartialEq)]
pub enum Conflict {
    /// A task with fields set differently on both sides. `ours` and
    /// `theirs` are the merged task with our, or their, values of those
    /// fields; every other field is merged in both.
    Task {
        ours: Box<Task>,
        theirs: Box<Task>,
        fields: Vec<FieldConflict>,
    },
    /// The store's workflow, changed differently on both sides.
    Workflow {
        ours: Option<Box<Workflow>>,
        theirs: Option<Box<Workflow>>,
    },
}

impl Conflict {
    /// What differs, in a few words (the label of the conflict markers).
    pub fn summary(&self) -> String {
        match self {
            Conflict::Task { ours, fields, .. } => {
                let names: Vec<&str> = fields.iter().map(|f| f.field).collect();
                format!(
                    "task {}: {} differ{}",
                    ours.id,
                    names.join(", "),
                    if names.len() == 1 { "s" } else { "" }
                )
            }
            Conflict::Workflow { .. } => "workflow differs".into(),
        }
    }

    /// One line per undecided field: the task's id and title, the field,
    /// our value and theirs.
    pub fn details(&self) -> Vec<String> {
        match self {
            Conflict::Task { ours, fields, .. } => fields
                .iter()
                .map(|f| {
                    format!(
                        "task {} (\"{}\"): `{}` is {} on our side and {} on theirs",
                        ours.id, ours.title, f.field, f.ours, f.theirs
                    )
                })
                .collect(),
            Conflict::Workflow { ours, theirs } => {
                let name = |w: &Option<Box<Workflow>>| match w {
                    None => "none".to_string(),
                    Some(w) => w
                        .name
                        .as_deref()
                        .map(|n| format!("\"{n}\""))
                        .unwrap_or_else(|| "unnamed".into()),
                };
                vec![format!(
                    "the store's workflow was changed differently on both sides (ours: {}, theirs: {})",
                    name(ours),
                    name(theirs)
                )]
            }
        }
    }
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
        conflicts.push(Conflict::Workflow {
            ours: ours.workflow.clone().map(Box::new),
            theirs: theirs.workflow.clone().map(Box::new),
        });
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

/// Three-way merge of a list as a set, the same whichever side is ours: a
/// list changed on one side only is that side's; else items removed on
/// either side are removed, the kept ones stay in the base's order, and
/// the additions of both sides follow in sorted order (notes and overrides
/// sort by time). Hashed, so a list of 20,000 dependencies merges in
/// linear time.
fn merge_list<T: Ord + std::hash::Hash + Clone>(base: &[T], ours: &[T], theirs: &[T]) -> Vec<T> {
    if ours == theirs || theirs == base {
        return ours.to_vec();
    }
    if ours == base {
        return theirs.to_vec();
    }
    let set = |v: &[T]| v.iter().cloned().collect::<HashSet<T>>();
    let (b, o, t) = (set(base), set(ours), set(theirs));
    let mut out: Vec<T> = base
        .iter()
        .filter(|x| o.contains(*x) && t.contains(*x))
        .cloned()
        .collect();
    let added: std::collections::BTreeSet<&T> = ours
        .iter()
        .chain(theirs)
        .filter(|x| !b.contains(*x))
        .collect();
    out.extend(added.into_iter().cloned());
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

/// A field's value as a person reads it in a conflict report.
trait Shown {
    fn shown(&self) -> String;
}

impl Shown for String {
    fn shown(&self) -> String {
        format!("{self:?}")
    }
}

impl Shown for u8 {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for u64 {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for Status {
    fn shown(&self) -> String {
        self.as_str().to_string()
    }
}

impl Shown for TaskType {
    fn shown(&self) -> String {
        self.as_str().to_string()
    }
}

impl Shown for Role {
    fn shown(&self) -> String {
        self.as_str().to_string()
    }
}

impl<T: Shown> Shown for Option<T> {
    fn shown(&self) -> String {
        match self {
            Some(v) => v.shown(),
            None => "unset".into(),
        }
    }
}

/// A field's value in our version of the merged task and in theirs: the
/// same unless the field is in conflict.
struct Both<T> {
    ours: T,
    theirs: T,
}

/// What the merge of one task's fields decided, and what it could not.
#[derive(Default)]
struct Fields {
    /// "`field` kept theirs (why)" for each field set on both sides.
    decided: Vec<String>,
    /// Fields no rule decides.
    undecided: Vec<FieldConflict>,
}

impl Fields {
    /// One scalar field: `base` is the common version's value (None when
    /// the task has no common version), `empty` the value a field has when
    /// never set (None when it has none).
    fn pick<T: PartialEq + Clone + Shown>(
        &mut self,
        name: &'static str,
        base: Option<&T>,
        empty: Option<&T>,
        o: &T,
        t: &T,
    ) -> Both<T> {
        let one = |v: &T| Both {
            ours: v.clone(),
            theirs: v.clone(),
        };
        if o == t {
            return one(o);
        }
        match base.or(empty) {
            Some(b) if t == b => return one(o),
            Some(b) if o == b => return one(t),
            _ => {}
        }
        self.undecided.push(FieldConflict {
            field: name,
            ours: o.shown(),
            theirs: t.shown(),
        });
        Both {
            ours: o.clone(),
            theirs: t.clone(),
        }
    }

    /// `status`, set differently on both sides: the one further along,
    /// whichever side is ours. Completed against cancelled is a conflict.
    fn status(&mut self, base: Option<&Status>, o: &Status, t: &Status) -> Both<Status> {
        // Changed on one side (or, with no common version, left pending on
        // one): `pick` takes the change.
        let reference = base.unwrap_or(&Status::Pending);
        if reference != o && reference != t && progress(*o) != progress(*t) {
            let theirs_wins = progress(*t) > progress(*o);
            let (w, l) = if theirs_wins { (t, o) } else { (o, t) };
            self.decided.push(format!(
                "`status` kept {} ({w} is further along than {l})",
                if theirs_wins { "theirs" } else { "ours" }
            ));
            return Both {
                ours: *w,
                theirs: *w,
            };
        }
        self.pick("status", base, Some(&Status::Pending), o, t)
    }
}

fn merge_task(
    base: Option<&Task>,
    ours: &Task,
    theirs: &Task,
    reports: &mut Vec<String>,
    conflicts: &mut Vec<Conflict>,
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
    // Destructured without `..`: a field added to `Task` does not compile
    // until the merge decides how it merges.
    let Task {
        id,
        title,
        kind,
        status,
        priority,
        phase,
        role,
        workflow,
        issue,
        parent,
        depends_on,
        labels,
        assignee,
        description,
        estimate,
        commits,
        created_at,
        updated_at,
        closed_at: _,
        reason,
        forced,
        notes,
    } = ours;
    let mut f = Fields::default();
    macro_rules! scalar {
        ($name:ident, $empty:expr) => {
            f.pick(
                stringify!($name),
                base.map(|b| &b.$name),
                $empty,
                $name,
                &theirs.$name,
            )
        };
    }
    macro_rules! list {
        ($name:ident) => {{
            let empty = Vec::new();
            let b = base.map(|b| &b.$name).unwrap_or(&empty);
            merge_list(b, $name, &theirs.$name)
        }};
    }
    let title = scalar!(title, None);
    let kind = scalar!(kind, None);
    let status = f.status(base.map(|b| &b.status), status, &theirs.status);
    let priority = scalar!(priority, Some(&None));
    let phase = scalar!(phase, Some(&None));
    let role = scalar!(role, Some(&None));
    let workflow = scalar!(workflow, Some(&None));
    let issue = scalar!(issue, Some(&None));
    let parent = scalar!(parent, Some(&None));
    let assignee = scalar!(assignee, Some(&None));
    let description = scalar!(description, Some(&None));
    let estimate = scalar!(estimate, Some(&None));
    let reason = scalar!(reason, Some(&None));
    let depends_on = list!(depends_on);
    let labels = list!(labels);
    let commits = list!(commits);
    let forced = list!(forced);
    let notes = list!(notes);
    // closed_at follows the status kept: the later of the two when both
    // sides closed the task the same way.
    let closed_at = |status: Status| match (status == ours.status, status == theirs.status) {
        (true, true) => match (ours.closed_at, theirs.closed_at) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        },
        (true, false) => ours.closed_at,
        (false, _) => theirs.closed_at,
    };
    macro_rules! version {
        ($side:ident) => {
            Task {
                id: id.clone(),
                title: title.$side.clone(),
                kind: kind.$side,
                status: status.$side,
                priority: priority.$side,
                phase: phase.$side.clone(),
                role: role.$side,
                workflow: workflow.$side.clone(),
                issue: issue.$side,
                parent: parent.$side.clone(),
                depends_on: depends_on.clone(),
                labels: labels.clone(),
                assignee: assignee.$side.clone(),
                description: description.$side.clone(),
                estimate: estimate.$side.clone(),
                commits: commits.clone(),
                created_at: (*created_at).min(theirs.created_at),
                updated_at: (*updated_at).max(theirs.updated_at),
                closed_at: closed_at(status.$side),
                reason: reason.$side.clone(),
                forced: forced.clone(),
                notes: notes.clone(),
            }
        };
    }
    let merged = version!(ours);
    if !f.decided.is_empty() {
        reports.push(format!(
            "task {} (\"{}\") changed on both sides: {}",
            merged.id,
            merged.title,
            f.decided.join("; ")
        ));
    }
    if !f.undecided.is_empty() {
        conflicts.push(Conflict::Task {
            ours: Box::new(merged.clone()),
            theirs: Box::new(version!(theirs)),
            fields: f.undecided,
        });
    }
    merged
}

/// Append one conflict to `out` in git's format: `ours` and `theirs`
/// (with `base` between them when given, as diff3 does) between
/// `<<<<<<< LABEL`, `|||||||`, `=======` and `>>>>>>> LABEL` lines.
pub fn push_conflict(
    out: &mut Vec<u8>,
    ours: (&str, &[u8]),
    base: Option<(&str, &[u8])>,
    theirs: (&str, &[u8]),
) {
    let mut side = |marker: &str, label: &str, text: &[u8]| {
        out.extend_from_slice(marker.as_bytes());
        if !label.is_empty() {
            out.push(b' ');
            out.extend_from_slice(label.as_bytes());
        }
        out.push(b'\n');
        out.extend_from_slice(text);
        if !text.is_empty() && !text.ends_with(b"\n") {
            out.push(b'\n');
        }
    };
    side("<<<<<<<", ours.0, ours.1);
    if let Some((label, text)) = base {
        side("|||||||", label, text);
    }
    side("=======", "", theirs.1);
    out.extend_from_slice(b">>>>>>>");
    if !theirs.0.is_empty() {
        out.push(b' ');
        out.extend_from_slice(theirs.0.as_bytes());
    }
    out.push(b'\n');
}

/// The canonical text of one task's block, as it appears in a store.
fn task_block(t: &Task) -> Option<String> {
    let text = super::yaml::emit(&StoreFile {
        tasks: vec![t.clone()],
        ..StoreFile::default()
    });
    let (_, block) = text.split_once("\ntasks:\n\n")?;
    Some(block.to_string())
}

/// The canonical text of a store's workflow section (empty for none).
fn workflow_section(w: Option<&Workflow>) -> Option<String> {
    let Some(w) = w else {
        return Some(String::new());
    };
    let text = super::yaml::emit(&StoreFile {
        workflow: Some(w.clone()),
        ..StoreFile::default()
    });
    let start = text.find("\nworkflow:\n")? + 1;
    let end = start + text[start..].find("\ntasks:")? + 1;
    Some(text[start..end].to_string())
}

/// Where in `text` (a store written from [`Merged::file`]) a conflict's
/// our side is, and the text of both sides.
fn locate(text: &str, c: &Conflict) -> Option<(std::ops::Range<usize>, String, String)> {
    match c {
        Conflict::Task { ours, theirs, .. } => {
            let block = task_block(ours)?;
            let needle = format!("\n{block}");
            let start = text.match_indices(&needle).find_map(|(i, _)| {
                let end = i + needle.len();
                (end == text.len() || text[end..].starts_with('\n')).then_some(i + 1)
            })?;
            Some((start..start + block.len(), block, task_block(theirs)?))
        }
        Conflict::Workflow { ours, theirs } => {
            let section = workflow_section(ours.as_deref())?;
            let start = if section.is_empty() {
                text.find("\ntasks:")? + 1
            } else {
                text.find(&format!("\n{section}"))? + 1
            };
            Some((
                start..start + section.len(),
                section,
                workflow_section(theirs.as_deref())?,
            ))
        }
    }
}

/// `text`, the store written from [`Merged::file`] (which holds our side of
/// each conflict), with each conflict's part (a task's block, the workflow
/// section) replaced by both sides between git's conflict markers, labelled
/// `our_label (what differs)` and `their_label`. None if a part is not
/// where the canonical layout puts it (the caller then has no safe file to
/// write from the merge).
pub fn with_markers(
    text: &str,
    conflicts: &[Conflict],
    our_label: &str,
    their_label: &str,
) -> Option<Vec<u8>> {
    let mut parts = conflicts
        .iter()
        .map(|c| locate(text, c).map(|(range, o, t)| (range, o, t, c.summary())))
        .collect::<Option<Vec<_>>>()?;
    parts.sort_by_key(|p| p.0.start);
    let mut out = Vec::with_capacity(text.len() * 2);
    let mut at = 0;
    for (range, o, t, summary) in parts {
        if range.start < at {
            return None;
        }
        out.extend_from_slice(&text.as_bytes()[at..range.start]);
        push_conflict(
            &mut out,
            (&format!("{our_label} ({summary})"), o.as_bytes()),
            None,
            (their_label, t.as_bytes()),
        );
        at = range.end;
    }
    out.extend_from_slice(&text.as_bytes()[at..]);
    Some(out)
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
    fn different_fields_merge_and_status_takes_the_one_further_along() {
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
        // Changed on one side only: that side, as it is.
        assert_eq!(merge_list(&[1, 2], &[2, 1, 9], &[1, 2]), vec![2, 1, 9]);
        assert_eq!(merge_list(&[1, 2], &[1, 2], &[2, 1, 9]), vec![2, 1, 9]);
    }

    #[test]
    fn a_list_changed_on_both_sides_has_one_order_whichever_side_is_ours() {
        let (base, ours, theirs) = (["a", "m"], ["z", "a", "m", "b"], ["m", "y", "a"]);
        let one = merge_list(&base, &ours, &theirs);
        assert_eq!(one, merge_list(&base, &theirs, &ours));
        assert_eq!(one, vec!["a", "m", "b", "y", "z"]);
    }

    /// The merge gives the same store whichever side is ours: the same
    /// tasks where it decided, the same conflicts (sides swapped) where it
    /// did not.
    fn same_either_way(base: &StoreFile, a: &StoreFile, b: &StoreFile) -> Merged {
        let one = merge(base, a, b);
        let two = merge(base, b, a);
        let conflicted = |m: &Merged| -> HashSet<String> {
            m.conflicts
                .iter()
                .filter_map(|c| match c {
                    Conflict::Task { ours, .. } => Some(ours.id.clone()),
                    Conflict::Workflow { .. } => None,
                })
                .collect()
        };
        assert_eq!(conflicted(&one), conflicted(&two));
        let decided = |m: &Merged| {
            let skip = conflicted(m);
            let mut t: Vec<Task> = m
                .file
                .tasks
                .iter()
                .filter(|t| !skip.contains(&t.id))
                .cloned()
                .collect();
            t.sort_by(|x, y| x.id.cmp(&y.id));
            t
        };
        assert_eq!(decided(&one), decided(&two));
        let swapped: Vec<Conflict> = two
            .conflicts
            .iter()
            .map(|c| match c.clone() {
                Conflict::Task {
                    ours,
                    theirs,
                    fields,
                } => Conflict::Task {
                    ours: theirs,
                    theirs: ours,
                    fields: fields
                        .into_iter()
                        .map(|f| FieldConflict {
                            field: f.field,
                            ours: f.theirs,
                            theirs: f.ours,
                        })
                        .collect(),
                },
                Conflict::Workflow { ours, theirs } => Conflict::Workflow {
                    ours: theirs,
                    theirs: ours,
                },
            })
            .collect();
        assert_eq!(one.conflicts, swapped);
        one
    }

    fn at(secs: i64) -> chrono::DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
    }

    /// The fields in conflict, by task id.
    fn conflicting_fields(m: &Merged) -> Vec<(String, &'static str)> {
        m.conflicts
            .iter()
            .flat_map(|c| match c {
                Conflict::Task { ours, fields, .. } => fields
                    .iter()
                    .map(|f| (ours.id.clone(), f.field))
                    .collect::<Vec<_>>(),
                Conflict::Workflow { .. } => vec![(String::new(), "workflow")],
            })
            .collect()
    }

    #[test]
    fn a_task_added_on_both_sides_merges_field_by_field() {
        // Cherry-picked to main (no common version), then completed and
        // assigned there, labelled on the branch.
        let picked = task("a", 0);
        let mut main = picked.clone();
        main.status = Status::Completed;
        main.closed_at = Some(at(50));
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
        ours.updated_at = at(100);
        let mut theirs = base.clone();
        theirs.title = "theirs".into();
        theirs.updated_at = ours.updated_at;
        let m = same_either_way(&store(vec![base]), &store(vec![ours]), &store(vec![theirs]));
        assert_eq!(conflicting_fields(&m), vec![("a".to_string(), "title")]);
        let details = m.conflicts[0].details();
        assert!(
            details[0].contains(r#"`title` is "ours" on our side and "theirs" on theirs"#),
            "{details:?}"
        );
    }

    /// A clock an hour fast does not win: a field set differently on both
    /// sides is a conflict whatever the time stamps say, and both versions
    /// of the task carry everything that was decided.
    #[test]
    fn a_later_update_does_not_decide_a_field() {
        let base = task("a", 0);
        let mut ours = base.clone();
        ours.title = "fast clock".into();
        ours.assignee = Some("alice".into());
        ours.labels = vec!["ours".into()];
        ours.updated_at = at(3_700);
        let mut theirs = base.clone();
        theirs.title = "later edit".into();
        theirs.assignee = Some("bob".into());
        theirs.priority = Some(1);
        theirs.updated_at = at(200);
        let m = same_either_way(&store(vec![base]), &store(vec![ours]), &store(vec![theirs]));
        assert_eq!(
            conflicting_fields(&m),
            vec![("a".to_string(), "title"), ("a".to_string(), "assignee")]
        );
        let Conflict::Task { ours, theirs, .. } = &m.conflicts[0] else {
            panic!("{:?}", m.conflicts);
        };
        assert_eq!(ours.title, "fast clock");
        assert_eq!(theirs.title, "later edit");
        assert_eq!(theirs.assignee.as_deref(), Some("bob"));
        for t in [ours, theirs] {
            assert_eq!(t.priority, Some(1));
            assert_eq!(t.labels, vec!["ours".to_string()]);
            assert_eq!(t.updated_at, at(3_700));
        }
        assert_eq!(m.conflicts[0].summary(), "task a: title, assignee differ");
    }

    #[test]
    fn completed_against_cancelled_is_a_conflict() {
        let base = task("a", 0);
        let mut ours = base.clone();
        ours.status = Status::Completed;
        ours.closed_at = Some(at(100));
        let mut theirs = base.clone();
        theirs.status = Status::Cancelled;
        theirs.closed_at = Some(at(200));
        theirs.reason = Some("not needed".into());
        let m = same_either_way(&store(vec![base]), &store(vec![ours]), &store(vec![theirs]));
        assert_eq!(conflicting_fields(&m), vec![("a".to_string(), "status")]);
        let Conflict::Task { ours, theirs, .. } = &m.conflicts[0] else {
            panic!("{:?}", m.conflicts);
        };
        assert_eq!(ours.closed_at, Some(at(100)));
        assert_eq!(theirs.closed_at, Some(at(200)));
    }

    #[test]
    fn a_workflow_changed_differently_on_both_sides_is_a_conflict() {
        let wf = |name: &str| crate::model::workflow::Workflow {
            name: Some(name.into()),
            ..Default::default()
        };
        let base = store(vec![task("a", 0)]);
        let mut ours = base.clone();
        ours.workflow = Some(wf("ours"));
        let mut theirs = base.clone();
        theirs.workflow = Some(wf("theirs"));
        let m = same_either_way(&base, &ours, &theirs);
        assert_eq!(conflicting_fields(&m), vec![(String::new(), "workflow")]);
        let text = crate::store::yaml::emit(&m.file);
        let marked = with_markers(&text, &m.conflicts, "ours", "theirs").unwrap();
        let marked = String::from_utf8(marked).unwrap();
        assert!(
            marked.contains("<<<<<<< ours (workflow differs)\nworkflow:\n  name: ours\n"),
            "{marked}"
        );
        assert!(
            marked.contains("=======\nworkflow:\n  name: theirs\n"),
            "{marked}"
        );
        assert!(marked.contains(">>>>>>> theirs\ntasks:\n"), "{marked}");
    }

    /// The file of a conflict holds both versions of the task between
    /// markers, and nothing else changes: keeping either side gives a
    /// store that parses to that side.
    #[test]
    fn markers_surround_the_conflicting_task_only() {
        let base = task("a", 0);
        let mut ours = base.clone();
        ours.title = "A".into();
        let mut theirs = base.clone();
        theirs.title = "B".into();
        let other = task("b", 1);
        let m = merge(
            &store(vec![base, other.clone()]),
            &store(vec![ours, other.clone()]),
            &store(vec![theirs, other]),
        );
        let text = crate::store::yaml::emit(&m.file);
        let marked = with_markers(&text, &m.conflicts, "HEAD", "left").unwrap();
        let marked = String::from_utf8(marked).unwrap();
        assert_eq!(
            marked
                .matches("<<<<<<< HEAD (task a: title differs)\n")
                .count(),
            1
        );
        assert_eq!(marked.matches("\n=======\n").count(), 1);
        assert_eq!(marked.matches("\n>>>>>>> left\n").count(), 1);
        let (before, rest) = marked.split_once("<<<<<<<").unwrap();
        let (ours_side, rest) = rest.split_once("=======\n").unwrap();
        let (theirs_side, after) = rest.split_once(">>>>>>> left\n").unwrap();
        let ours_side = ours_side.split_once('\n').unwrap().1;
        for (side, title) in [(ours_side, "A"), (theirs_side, "B")] {
            let kept = format!("{before}{side}{after}");
            let parsed =
                crate::store::parse(std::path::Path::new("tasks.yaml"), kept.as_bytes()).unwrap();
            assert_eq!(parsed.tasks.len(), 2);
            assert_eq!(parsed.tasks[0].title, title);
            assert_eq!(parsed.tasks[1], m.file.tasks[1]);
        }
        assert!(
            crate::store::parse(std::path::Path::new("tasks.yaml"), marked.as_bytes()).is_err()
        );
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
