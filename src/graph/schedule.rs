//! Choosing the one task to do next, for `next` and `claim`.
//!
//! Among ready tasks (pending, not epics, every dependency settled) the
//! earliest workflow phase wins, then the most urgent priority (0 before 4;
//! unset counts as 2), then the task on the longest chain of
//! unfinished work that waits on it (the critical path), then the oldest,
//! then the smallest id. When nothing is ready, [`Idle`] says why.

use std::cmp::Reverse;

use crate::graph::plan::Plan;
use crate::graph::{Graph, State};

pub use crate::graph::query::Scope;

/// For every task, the number of unfinished non-epic tasks on the longest
/// chain that starts at it and follows its dependents (the task itself
/// counts when it is unfinished). A ready task with a long chain holds up
/// the most work. Cyclic parts get finite, arbitrary values.
pub fn remaining_chain(plan: &Plan, graph: &Graph) -> Vec<usize> {
    let mut chain = vec![0usize; plan.len()];
    // `order` puts dependencies first, so dependents come later: walk it
    // backwards and every dependent is done before the task it waits on.
    for &i in graph.order().iter().rev() {
        let own = usize::from(plan.status(i).is_open() && !plan.is_epic(i));
        let longest = graph
            .dependents(i)
            .iter()
            .map(|&j| chain[j])
            .max()
            .unwrap_or(0);
        chain[i] = own + longest;
    }
    chain
}

/// Why there is nothing to pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idle {
    /// No task matches the scope at all.
    NoTasks,
    /// Every matching task is completed or cancelled. `open_epics` are
    /// epics of the scope still pending or in progress.
    AllDone { open_epics: Vec<usize> },
    /// Nothing is ready, and these tasks are in progress; the `blocked`
    /// ones wait (directly or not) for them.
    InProgress {
        in_progress: Vec<usize>,
        blocked: Vec<usize>,
    },
    /// Nothing is ready or in progress in the scope: the blocked tasks wait
    /// for work outside it (another issue, an open epic).
    Blocked { blocked: Vec<usize> },
}

impl Idle {
    /// A stable machine-readable reason, used in JSON output.
    pub fn code(&self) -> &'static str {
        match self {
            Idle::NoTasks => "no_tasks",
            Idle::AllDone { .. } => "all_done",
            Idle::InProgress { .. } => "in_progress",
            Idle::Blocked { .. } => "blocked",
        }
    }
}

/// Ready tasks of the scope, best first.
pub fn candidates(plan: &Plan, graph: &Graph, scope: &Scope) -> Vec<usize> {
    let chain = remaining_chain(plan, graph);
    let catalog = plan.catalog();
    let mut ready: Vec<usize> = graph
        .ready(plan)
        .into_iter()
        .filter(|&i| scope.contains(plan, graph, i))
        .collect();
    ready.sort_by_cached_key(|&i| {
        let t = plan.task(i);
        let phase = plan
            .slot(i)
            .map(|s| (catalog.rank(s.phase), s.instance))
            .unwrap_or((catalog.len(), 0));
        (
            phase,
            t.priority_or_default(),
            Reverse(chain[i]),
            t.created_at,
            t.id.clone(),
        )
    });
    ready
}

/// The one task to do next, or why there is none.
pub fn next(plan: &Plan, graph: &Graph, scope: &Scope) -> Result<usize, Idle> {
    if let Some(&i) = candidates(plan, graph, scope).first() {
        return Ok(i);
    }
    let in_scope: Vec<usize> = graph
        .order()
        .iter()
        .copied()
        .filter(|&i| scope.contains(plan, graph, i))
        .collect();
    if in_scope.is_empty() {
        return Err(Idle::NoTasks);
    }
    let of = |s: State| -> Vec<usize> {
        in_scope
            .iter()
            .copied()
            .filter(|&i| graph.state(plan, i) == s)
            .collect()
    };
    let in_progress: Vec<usize> = of(State::InProgress)
        .into_iter()
        .filter(|&i| !plan.is_epic(i))
        .collect();
    let blocked = of(State::Blocked);
    if !in_progress.is_empty() {
        return Err(Idle::InProgress {
            in_progress,
            blocked,
        });
    }
    if !blocked.is_empty() {
        return Err(Idle::Blocked { blocked });
    }
    let open_epics = in_scope
        .iter()
        .copied()
        .filter(|&i| plan.is_epic(i) && plan.status(i).is_open())
        .collect();
    Err(Idle::AllDone { open_epics })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Status, StoreFile, Task, TaskType};
    use chrono::{TimeZone, Utc};

    fn task(id: &str, phase: Option<&str>, secs: i64, deps: &[&str]) -> Task {
        let now = Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap();
        let mut t = Task::new(id.into(), id.into(), TaskType::Impl, now);
        t.phase = phase.map(String::from);
        t.depends_on = deps.iter().map(|d| d.to_string()).collect();
        t
    }

    fn plan(tasks: Vec<Task>) -> (Plan, Graph) {
        let p = Plan::new(StoreFile {
            tasks,
            ..StoreFile::default()
        });
        let g = Graph::build(&p);
        (p, g)
    }

    fn id(p: &Plan, r: Result<usize, Idle>) -> String {
        p.task(r.unwrap()).id.clone()
    }

    #[test]
    fn earliest_phase_wins_over_age() {
        let (p, g) = plan(vec![
            task("old-docs", Some("docs"), 0, &[]),
            task("new-analysis", Some("analysis"), 9, &[]),
        ]);
        assert_eq!(id(&p, next(&p, &g, &Scope::default())), "new-analysis");
    }

    #[test]
    fn critical_path_wins_within_a_phase() {
        // `short` is older, but three tasks wait on `long`.
        let (p, g) = plan(vec![
            task("short", None, 0, &[]),
            task("long", None, 1, &[]),
            task("l2", None, 2, &["long"]),
            task("l3", None, 3, &["l2"]),
        ]);
        let chain = remaining_chain(&p, &g);
        assert_eq!(chain[p.get("long").unwrap()], 3);
        assert_eq!(chain[p.get("short").unwrap()], 1);
        assert_eq!(id(&p, next(&p, &g, &Scope::default())), "long");
    }

    #[test]
    fn oldest_wins_otherwise() {
        let (p, g) = plan(vec![task("b", None, 1, &[]), task("a", None, 2, &[])]);
        assert_eq!(id(&p, next(&p, &g, &Scope::default())), "b");
    }

    #[test]
    fn idle_reasons() {
        let (p, g) = plan(vec![]);
        assert_eq!(next(&p, &g, &Scope::default()), Err(Idle::NoTasks));

        let mut a = task("a", None, 0, &[]);
        a.status = Status::InProgress;
        let (p, g) = plan(vec![a.clone(), task("b", None, 1, &["a"])]);
        assert_eq!(
            next(&p, &g, &Scope::default()).unwrap_err().code(),
            "in_progress"
        );

        a.status = Status::Completed;
        let (p, g) = plan(vec![a]);
        assert_eq!(
            next(&p, &g, &Scope::default()),
            Err(Idle::AllDone { open_epics: vec![] })
        );
    }
}
