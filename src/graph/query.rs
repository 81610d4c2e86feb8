//! Which tasks a question is about: the one filter type of the core,
//! [`Scope`], used by `list` and its relatives (`ready`, `blocked`,
//! `search`), the views (`graph`, `order`, `waves`, `critical-path`),
//! `next` and `claim`, and job summaries.

use std::collections::BTreeSet;

use crate::error::{Error, Result};
use crate::graph::plan::Plan;
use crate::graph::{Graph, State};
use crate::model::{DEFAULT_PRIORITY, Task, TaskType};

/// A filter on tasks; the default takes every task. Every field narrows:
/// a task is in scope when it passes all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Only the tasks of this issue.
    pub issue: Option<u64>,
    /// Only the members of this epic (task index).
    pub parent: Option<usize>,
    /// Only tasks of this type.
    pub kind: Option<TaskType>,
    /// Only tasks in any one of these states (empty: any state).
    pub states: Vec<StateSel>,
    /// Only tasks in every one of these states (each narrows further).
    pub require: Vec<StateSel>,
    /// Only tasks in this phase (as stored, e.g. `step-2`).
    pub phase: Option<String>,
    /// Only tasks carrying every one of these labels.
    pub labels: Vec<String>,
    /// Only tasks assigned to this person.
    pub assignee: Option<String>,
    /// Only tasks of these priorities (unset counts as the default).
    pub priorities: Vec<u8>,
    /// Only tasks that mention this text, case-insensitively, in their id,
    /// title, description, labels, close reason or notes.
    pub text: Option<String>,
}

impl Scope {
    /// Whether task `i` is in this scope.
    pub fn contains(&self, plan: &Plan, graph: &Graph, i: usize) -> bool {
        let needle = self.text.as_ref().map(|s| s.to_lowercase());
        self.test(plan, graph, i, needle.as_deref())
    }

    fn test(&self, plan: &Plan, graph: &Graph, i: usize, needle: Option<&str>) -> bool {
        // The facts first: they need no decoding of the task, and settle
        // most questions (an issue, a type, a state). Each read only when
        // asked about: a restored plan reads them from the snapshot.
        let mut simple = self.issue.is_none_or(|n| plan.issue(i) == Some(n))
            && self.parent.is_none_or(|e| graph.epic_of(i) == Some(e))
            && self.kind.is_none_or(|k| plan.kind(i) == k)
            && (self.priorities.is_empty()
                || self
                    .priorities
                    .contains(&plan.facts(i).priority.unwrap_or(DEFAULT_PRIORITY)));
        if simple
            && (self.phase.is_some()
                || !self.labels.is_empty()
                || self.assignee.is_some()
                || needle.is_some())
        {
            let t = plan.task(i);
            simple = self
                .phase
                .as_ref()
                .is_none_or(|p| t.phase.as_ref() == Some(p))
                && self.labels.iter().all(|l| t.labels.contains(l))
                && self
                    .assignee
                    .as_ref()
                    .is_none_or(|a| t.assignee.as_ref() == Some(a))
                && needle.is_none_or(|n| mentions(t, n));
        }
        if !simple || (self.states.is_empty() && self.require.is_empty()) {
            return simple;
        }
        let state = graph.state(plan, i);
        (self.states.is_empty() || self.states.iter().any(|s| s.matches(state)))
            && self.require.iter().all(|s| s.matches(state))
    }

    /// The non-epic tasks in scope, in the graph's stable topological order.
    pub fn tasks(&self, plan: &Plan, graph: &Graph) -> Vec<usize> {
        let needle = self.text.as_ref().map(|s| s.to_lowercase());
        graph
            .order()
            .iter()
            .copied()
            .filter(|&i| !plan.is_epic(i) && self.test(plan, graph, i, needle.as_deref()))
            .collect()
    }

    /// Every task in scope (epics too), by issue (tasks without one last),
    /// then in dependency order: the rows of a list. Refuses a phase or
    /// label no task has, naming the known ones, since a typo would
    /// otherwise look like an empty answer.
    pub fn select(&self, plan: &Plan, graph: &Graph) -> Result<Vec<usize>> {
        self.check_known(plan)?;
        let needle = self.text.as_ref().map(|s| s.to_lowercase());
        let mut rows: Vec<usize> = (0..plan.len())
            .filter(|&i| self.test(plan, graph, i, needle.as_deref()))
            .collect();
        sort_by_issue(plan, graph, &mut rows);
        Ok(rows)
    }

    fn check_known(&self, plan: &Plan) -> Result<()> {
        if let Some(p) = &self.phase {
            let used: BTreeSet<&str> = plan
                .tasks()
                .iter()
                .filter_map(|t| t.phase.as_deref())
                .collect();
            if !used.contains(p.as_str()) && plan.catalog().resolve(p).is_none() {
                return Err(Error::Usage(format!(
                    "unknown phase `{p}` (phases in use: {})",
                    known(used)
                )));
            }
        }
        if self.labels.is_empty() {
            return Ok(());
        }
        let labels: BTreeSet<&str> = plan
            .tasks()
            .iter()
            .flat_map(|t| t.labels.iter().map(String::as_str))
            .collect();
        match self.labels.iter().find(|l| !labels.contains(l.as_str())) {
            Some(l) => Err(Error::Usage(format!(
                "unknown label `{l}` (labels in use: {})",
                known(labels)
            ))),
            None => Ok(()),
        }
    }
}

fn known(names: BTreeSet<&str>) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.into_iter().collect::<Vec<_>>().join(", ")
    }
}

/// Order rows by issue (tasks without one last), then dependency order.
pub fn sort_by_issue(plan: &Plan, graph: &Graph, rows: &mut [usize]) {
    let order = graph.order();
    // A task's rank is its place in `order`, a permutation: no two rows
    // tie, and a rank names its task. So each row's key is one number,
    // (no issue, issue, rank) packed in 97 bits, and the sorted keys give
    // the rows back through `order`: 16 bytes a row, where a key and its
    // row side by side took 40 (at 100,000 rows, a thousand fresh pages).
    if u32::try_from(order.len()).is_ok() {
        let mut keys: Vec<u128> = rows
            .iter()
            .map(|&i| {
                let issue = plan.issue(i).map_or(1 << 64, u128::from);
                issue << 32 | graph.rank(i) as u128
            })
            .collect();
        keys.sort_unstable();
        for (row, key) in rows.iter_mut().zip(&keys) {
            if let Some(&i) = order.get(*key as u32 as usize) {
                *row = i;
            }
        }
        return;
    }
    // Each key asked for once, not twice per comparison: for 10,000 tasks
    // that was most of the sort.
    rows.sort_by_cached_key(|&i| {
        let issue = plan.issue(i);
        (issue.is_none(), issue, graph.rank(i))
    });
}

/// Whether `t` mentions `needle` (already lowercased) anywhere a person
/// would look.
pub fn mentions(t: &Task, needle: &str) -> bool {
    let has = |s: &str| s.to_lowercase().contains(needle);
    has(&t.id)
        || has(&t.title)
        || t.description.as_deref().is_some_and(has)
        || t.reason.as_deref().is_some_and(has)
        || t.labels.iter().any(|l| has(l))
        || t.notes.iter().any(|n| has(&n.text))
}

/// A state a filter asks for: one the STATUS column shows, or a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateSel {
    /// Pending and not blocked: work that can start (epics are not work).
    Pending,
    Ready,
    Blocked,
    InProgress,
    Completed,
    Cancelled,
    /// Pending or in progress.
    Open,
    /// Completed or cancelled.
    Closed,
}

impl std::str::FromStr for StateSel {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(
            match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
                "pending" | "todo" => StateSel::Pending,
                "ready" => StateSel::Ready,
                "blocked" => StateSel::Blocked,
                "in_progress" => StateSel::InProgress,
                "completed" | "done" => StateSel::Completed,
                "cancelled" | "canceled" => StateSel::Cancelled,
                "open" => StateSel::Open,
                "closed" => StateSel::Closed,
                _ => {
                    return Err(format!(
                        "unknown status `{s}` (expected one of: pending, ready, blocked, \
                         in_progress, completed, cancelled, open, closed; todo and done are \
                         accepted as aliases)"
                    ));
                }
            },
        )
    }
}

impl StateSel {
    pub fn matches(self, state: State) -> bool {
        match self {
            // What `--status=pending` is for: work that can start. Epics
            // are containers, never work (`--type epic` lists them).
            StateSel::Pending | StateSel::Ready => state == State::Ready,
            StateSel::Blocked => state == State::Blocked,
            StateSel::InProgress => state == State::InProgress,
            StateSel::Completed => state == State::Completed,
            StateSel::Cancelled => state == State::Cancelled,
            StateSel::Open => !matches!(state, State::Completed | State::Cancelled),
            StateSel::Closed => matches!(state, State::Completed | State::Cancelled),
        }
    }
}
