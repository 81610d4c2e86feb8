//! `graph --json`: the drawn graph as data.

use serde::Serialize;

use super::Document;
use crate::graph::plan::Plan;
use crate::render::view::View;

/// `graph --json`. Edges run from a dependency to its dependent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphDoc {
    /// The connected components in drawing order.
    pub components: Vec<Component>,
    /// Every edge of every component.
    pub edges: Vec<Edge>,
    /// Every node of every component, component by component, each in
    /// topological order.
    pub nodes: Vec<Node>,
    /// `tasks`, or `phases` with `--by-phase`.
    pub view: &'static str,
}

/// A connected component (in a phase view, the whole workflow).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Component {
    /// The ids of its nodes, in topological order.
    pub nodes: Vec<String>,
    /// `#N <epic title>`, or `#N by phase`.
    pub title: String,
}

/// A node: a task, or (in a phase view) a phase. A task node has the
/// fields of [`NodeDetail::Task`]; a phase node those of
/// [`NodeDetail::Phase`] and `counts`. Epics are not nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// The full task id, or the phase id.
    pub id: String,
    /// The shortest unique prefix (at least 4 characters), or the phase id.
    pub short_id: String,
    /// The derived state; for a phase its overall state (null when empty).
    pub state: Option<&'static str>,
    /// The fields of a task node or of a phase node.
    #[serde(flatten)]
    pub detail: NodeDetail,
    /// Phase nodes only (the key is absent on a task node): tasks by state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<Counts>,
}

/// What only one kind of node has (flattened into [`Node`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum NodeDetail {
    /// A task node.
    Task {
        /// The title, exactly as stored.
        title: String,
        /// The stored status.
        status: &'static str,
        /// The workflow phase.
        phase: Option<String>,
        /// The GitHub issue number.
        issue: Option<u64>,
        /// The duration estimate.
        estimate: Option<String>,
    },
    /// A phase node.
    Phase {
        /// The node's text as drawn.
        summary: String,
    },
}

/// A phase's tasks by state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Tasks waiting on unfinished dependencies.
    pub blocked: usize,
    /// Tasks cancelled.
    pub cancelled: usize,
    /// Tasks completed.
    pub completed: usize,
    /// Tasks in progress.
    pub in_progress: usize,
    /// Tasks ready to start.
    pub ready: usize,
    /// All the phase's tasks.
    pub total: usize,
}

/// An arrow from a dependency to its dependent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// The dependency's node id.
    pub from: String,
    /// `explicit` or `phase`.
    pub kind: &'static str,
    /// The dependent's node id.
    pub to: String,
}

/// The graph document of a view (`by_phase`: nodes are phases).
pub fn graph_doc(view: &View, plan: &Plan, by_phase: bool) -> Document<GraphDoc> {
    let mut components = Vec::new();
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for g in &view.groups {
        components.push(Component {
            title: g.title.clone(),
            nodes: g.nodes.iter().map(|n| n.id.clone()).collect(),
        });
        for n in &g.nodes {
            let detail = match n.task {
                Some(i) => {
                    let t = plan.task(i);
                    NodeDetail::Task {
                        title: t.title.clone(),
                        status: t.status.as_str(),
                        phase: t.phase.clone(),
                        issue: t.issue,
                        estimate: t.estimate.clone(),
                    }
                }
                None => NodeDetail::Phase {
                    summary: n.title.clone(),
                },
            };
            nodes.push(Node {
                id: n.id.clone(),
                short_id: n.key.clone(),
                state: n.state.map(|s| s.as_str()),
                detail,
                counts: n.counts.as_ref().map(|c| Counts {
                    total: c.total(),
                    completed: c.completed,
                    in_progress: c.in_progress,
                    ready: c.ready,
                    blocked: c.blocked,
                    cancelled: c.cancelled,
                }),
            });
        }
        for e in &g.edges {
            edges.push(Edge {
                from: g.nodes[e.from].id.clone(),
                to: g.nodes[e.to].id.clone(),
                kind: e.kind.as_str(),
            });
        }
    }
    Document::new(GraphDoc {
        view: if by_phase { "phases" } else { "tasks" },
        components,
        nodes,
        edges,
    })
}
