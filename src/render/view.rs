//! What the graph drawings draw: groups (connected components, each titled
//! by its issue/epic) of nodes and edges, built from a plan. The ASCII,
//! Mermaid, DOT and JSON renderers all take a [`View`], so they always
//! show the same graph.

use crate::graph::analysis::{self, Scope, StateCounts};
use crate::graph::plan::Plan;
use crate::graph::{EdgeKind, Graph, State};
use crate::model::title_without_issue;

/// One box of a drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewNode {
    /// The full task id (or phase id in a phase view).
    pub id: String,
    /// The short id shown in drawings (a unique prefix).
    pub key: String,
    /// The text shown after the key (title without its `GH#N:` prefix).
    pub title: String,
    /// The derived state; `None` for an empty phase.
    pub state: Option<State>,
    /// The task index in the plan, when the node is a task.
    pub task: Option<usize>,
    /// Task counts by state, when the node is a phase.
    pub counts: Option<StateCounts>,
}

/// An arrow from a dependency to its dependent (indexes into the nodes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewEdge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
}

/// A connected component (or the whole workflow in a phase view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewGroup {
    pub title: String,
    /// In topological order.
    pub nodes: Vec<ViewNode>,
    pub edges: Vec<ViewEdge>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct View {
    pub groups: Vec<ViewGroup>,
}

impl View {
    pub fn is_empty(&self) -> bool {
        self.groups.iter().all(|g| g.nodes.is_empty())
    }
}

/// The task graph of `scope`, one group per connected component.
pub fn tasks(plan: &Plan, graph: &Graph, scope: &Scope) -> View {
    let nodes = scope.tasks(plan, graph);
    let key_len = analysis::short_id_len(plan);
    let groups = analysis::components(plan, graph, &nodes)
        .into_iter()
        .map(|c| {
            let at: std::collections::HashMap<usize, usize> =
                c.tasks.iter().enumerate().map(|(k, &i)| (i, k)).collect();
            let pos = |i: usize| at.get(&i).copied().unwrap_or(0);
            ViewGroup {
                title: c.title.clone(),
                nodes: c
                    .tasks
                    .iter()
                    .map(|&i| {
                        let t = plan.task(i);
                        ViewNode {
                            id: t.id.clone(),
                            key: analysis::short_id(&t.id, key_len),
                            title: title_without_issue(&t.title).to_string(),
                            state: Some(graph.state(plan, i)),
                            task: Some(i),
                            counts: None,
                        }
                    })
                    .collect(),
                edges: c
                    .edges
                    .iter()
                    .map(|&(a, b, kind)| ViewEdge {
                        from: pos(a),
                        to: pos(b),
                        kind,
                    })
                    .collect(),
            }
        })
        .collect();
    View { groups }
}

/// Summary text of a phase's counts: `1/3 done, 1 in progress, 1 ready`.
pub fn counts_text(c: &StateCounts) -> String {
    if c.total() == 0 {
        return "no tasks".into();
    }
    let mut parts = vec![format!("{}/{} done", c.completed + c.cancelled, c.total())];
    for (n, what) in [
        (c.in_progress, "in progress"),
        (c.ready, "ready"),
        (c.blocked, "blocked"),
        (c.cancelled, "cancelled"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    parts.join(", ")
}

/// The state a phase box shows: done when all its tasks are settled, else
/// the most advanced state among its open tasks.
pub fn phase_state(c: &StateCounts) -> Option<State> {
    if c.total() == 0 {
        None
    } else if c.completed + c.cancelled == c.total() {
        Some(if c.completed == 0 {
            State::Cancelled
        } else {
            State::Completed
        })
    } else if c.in_progress > 0 {
        Some(State::InProgress)
    } else if c.ready > 0 {
        Some(State::Ready)
    } else {
        Some(State::Blocked)
    }
}

/// The workflow itself: one node per phase with the counts of the tasks of
/// `scope` in it, and the phase order as edges. Tasks without a phase get
/// a node of their own (with no edges).
pub fn phases(plan: &Plan, graph: &Graph, scope: &Scope, title: &str) -> View {
    let tasks = scope.tasks(plan, graph);
    let counts = analysis::by_phase(plan, graph, &tasks);
    let wf = plan.workflow();
    let nodes: Vec<ViewNode> = counts
        .iter()
        .map(|(p, c)| ViewNode {
            id: p.clone().unwrap_or_else(|| "(no phase)".into()),
            key: p.clone().unwrap_or_else(|| "(no phase)".into()),
            title: counts_text(c),
            state: phase_state(c),
            task: None,
            counts: Some(*c),
        })
        .collect();
    let mut edges = Vec::new();
    for (k, p) in wf.phases.iter().enumerate() {
        for d in &p.depends_on {
            if let Some(j) = wf.position(d) {
                edges.push(ViewEdge {
                    from: j,
                    to: k,
                    kind: EdgeKind::Phase,
                });
            }
        }
    }
    View {
        groups: vec![ViewGroup {
            title: title.to_string(),
            nodes,
            edges,
        }],
    }
}
