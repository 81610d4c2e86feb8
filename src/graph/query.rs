//! Which tasks a question is about: the one scope type of the core, used by
//! the views (`graph`, `order`, `waves`, `critical-path`), by `next` and
//! `claim`, and by job summaries.

use crate::graph::Graph;
use crate::graph::plan::Plan;
use crate::model::TaskType;

/// A filter on tasks; the default takes every task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    /// Only the tasks of this issue.
    pub issue: Option<u64>,
    /// Only the members of this epic (task index).
    pub parent: Option<usize>,
    /// Only tasks of this type.
    pub kind: Option<TaskType>,
}

impl Scope {
    /// Whether task `i` is in this scope.
    pub fn contains(&self, plan: &Plan, graph: &Graph, i: usize) -> bool {
        let t = plan.task(i);
        self.issue.is_none_or(|n| t.issue == Some(n))
            && self.parent.is_none_or(|e| graph.epic_of(i) == Some(e))
            && self.kind.is_none_or(|k| t.kind == k)
    }

    /// The non-epic tasks in scope, in the graph's stable topological order.
    pub fn tasks(&self, plan: &Plan, graph: &Graph) -> Vec<usize> {
        graph
            .order()
            .iter()
            .copied()
            .filter(|&i| !plan.task(i).is_epic() && self.contains(plan, graph, i))
            .collect()
    }
}
