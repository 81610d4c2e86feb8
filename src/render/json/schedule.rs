//! What `next` and `claim` print: the picked task, or why nothing was.

use serde::Serialize;

use super::Document;
use super::tasks::{TaskView, task_view};
use crate::graph::Graph;
use crate::graph::plan::Plan;
use crate::graph::schedule;

/// `next --json` and `claim --json` when a task was picked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Picked {
    /// Unfinished tasks on the longest chain starting at the picked task,
    /// itself included: how much work waits on it.
    pub critical_path: usize,
    /// The picked task (for `claim`, after the claim: `in_progress`, with
    /// its assignee).
    pub task: TaskView,
}

/// The picked-task document of task `i`.
pub fn picked_doc(plan: &Plan, graph: &Graph, i: usize) -> Document<Picked> {
    let chain = schedule::remaining_chain(plan, graph);
    Document::new(Picked {
        task: task_view(plan, graph, i),
        critical_path: chain.get(i).copied().unwrap_or(0),
    })
}

/// `next --json` and `claim --json` when nothing can be picked (exit 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NothingToPick {
    /// The explanation printed on stderr.
    pub message: String,
    /// `no_tasks`, `all_done`, `in_progress` or `blocked`.
    pub reason: &'static str,
    /// Always null: no task was picked (the key of [`Picked::task`], so
    /// `.task` reads null).
    pub task: (),
}

/// The nothing-to-pick document.
pub fn nothing_to_pick_doc(reason: &'static str, message: &str) -> Document<NothingToPick> {
    Document::new(NothingToPick {
        task: (),
        reason,
        message: message.to_string(),
    })
}
