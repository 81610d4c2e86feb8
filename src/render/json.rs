//! The JSON contract of read commands. Field names here are stable; add
//! fields rather than rename them, and bump [`SCHEMA_VERSION`] on any
//! incompatible change. Documented in README.md ("JSON output").

use serde::Serialize;

use crate::graph::Graph;
use crate::graph::plan::Plan;
use crate::model::{Forced, format_time};

/// Version of the JSON output contract, at the top of every document.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Dependency {
    pub id: String,
    /// `explicit` (from depends_on) or `phase` (derived from the workflow).
    pub kind: &'static str,
    pub status: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ForcedView {
    pub at: String,
    pub to: &'static str,
    pub reason: String,
}

/// One task as the JSON contract shows it.
#[derive(Debug, Serialize)]
pub struct TaskView {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub status: &'static str,
    /// Derived: ready, blocked, in_progress, completed, cancelled, open (epic).
    pub state: &'static str,
    pub ready: bool,
    pub blocked: bool,
    pub phase: Option<String>,
    /// The task's role in a role-ordered phase: test, impl or verify.
    pub role: Option<&'static str>,
    /// On an epic: the workflow its issue follows (chosen, or the one its
    /// tasks' phases belong to).
    pub workflow: Option<String>,
    pub issue: Option<u64>,
    /// The stored parent, if any.
    pub parent: Option<String>,
    /// The epic the task belongs to (its parent, or its issue's epic).
    pub epic: Option<String>,
    /// Explicit dependencies as stored.
    pub depends_on: Vec<String>,
    /// All effective dependencies, explicit and derived.
    pub dependencies: Vec<Dependency>,
    /// Dependencies not yet completed or cancelled.
    pub blocked_by: Vec<String>,
    pub labels: Vec<String>,
    pub assignee: Option<String>,
    pub description: Option<String>,
    /// A duration estimate such as `2h` or `3d`, if set.
    pub estimate: Option<String>,
    pub commits: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
    pub forced: Vec<ForcedView>,
    /// 0 (most urgent) to 4; 2 when none was set.
    pub priority: u8,
    /// Why the task was closed (`done --reason`, `cancel --reason`).
    pub reason: Option<String>,
    /// Timestamped notes, oldest first.
    pub notes: Vec<NoteView>,
}

#[derive(Debug, Serialize)]
pub struct NoteView {
    pub at: String,
    pub text: String,
}

fn forced_view(f: &Forced) -> ForcedView {
    ForcedView {
        at: format_time(&f.at),
        to: f.to.as_str(),
        reason: f.reason.clone(),
    }
}

pub fn task_view(plan: &Plan, graph: &Graph, i: usize) -> TaskView {
    let t = plan.task(i);
    let state = graph.state(plan, i);
    TaskView {
        id: t.id.clone(),
        title: t.title.clone(),
        kind: t.kind.as_str(),
        status: t.status.as_str(),
        state: state.as_str(),
        ready: state == crate::graph::State::Ready,
        blocked: state == crate::graph::State::Blocked,
        phase: t.phase.clone(),
        role: t.role.map(|r| r.as_str()),
        workflow: if t.is_epic() {
            let mut members = graph.children(i).to_vec();
            members.insert(0, i);
            plan.workflow_of_tasks(&members)
        } else {
            None
        },
        issue: t.issue,
        parent: t.parent.clone(),
        epic: graph.epic_of(i).map(|e| plan.task(e).id.clone()),
        depends_on: t.depends_on.clone(),
        dependencies: graph
            .deps(i)
            .iter()
            .map(|&(j, k)| Dependency {
                id: plan.task(j).id.clone(),
                kind: k.as_str(),
                status: plan.task(j).status.as_str(),
            })
            .collect(),
        blocked_by: graph
            .unsettled_deps(plan, i)
            .into_iter()
            .map(|j| plan.task(j).id.clone())
            .collect(),
        labels: t.labels.clone(),
        assignee: t.assignee.clone(),
        description: t.description.clone(),
        estimate: t.estimate.clone(),
        commits: t.commits.clone(),
        created_at: format_time(&t.created_at),
        updated_at: format_time(&t.updated_at),
        closed_at: t.closed_at.as_ref().map(format_time),
        forced: t.forced.iter().map(forced_view).collect(),
        priority: t.priority_or_default(),
        reason: t.reason.clone(),
        notes: t
            .notes
            .iter()
            .map(|n| NoteView {
                at: format_time(&n.at),
                text: n.text.clone(),
            })
            .collect(),
    }
}

/// `{"schema_version": 1, "tasks": [...]}`
pub fn tasks_doc(plan: &Plan, graph: &Graph, tasks: &[usize]) -> serde_json::Value {
    serde_json::json!({
        "schema_version": SCHEMA_VERSION,
        "tasks": tasks.iter().map(|&i| task_view(plan, graph, i)).collect::<Vec<_>>(),
    })
}

/// `graph --json`: `{"schema_version": 1, "components": [{"title", "nodes":
/// [id...]}], "nodes": [NODE...], "edges": [{"from", "to", "kind"}]}`.
/// Edges run from a dependency to its dependent; `kind` is `explicit` or
/// `phase`. In a phase view (`by_phase`), nodes are phases with counts.
pub fn graph_doc(
    view: &crate::render::view::View,
    plan: &Plan,
    by_phase: bool,
) -> serde_json::Value {
    let mut components = Vec::new();
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for g in &view.groups {
        components.push(serde_json::json!({
            "title": g.title,
            "nodes": g.nodes.iter().map(|n| n.id.clone()).collect::<Vec<_>>(),
        }));
        for n in &g.nodes {
            let state = n.state.map(|s| s.as_str());
            let mut v = serde_json::json!({
                "id": n.id,
                "short_id": n.key,
                "state": state,
            });
            if let Some(i) = n.task {
                let t = plan.task(i);
                v["title"] = serde_json::json!(t.title);
                v["status"] = serde_json::json!(t.status.as_str());
                v["phase"] = serde_json::json!(t.phase);
                v["issue"] = serde_json::json!(t.issue);
                v["estimate"] = serde_json::json!(t.estimate);
            } else {
                v["summary"] = serde_json::json!(n.title);
            }
            if let Some(c) = &n.counts {
                v["counts"] = serde_json::json!({
                    "total": c.total(),
                    "completed": c.completed,
                    "in_progress": c.in_progress,
                    "ready": c.ready,
                    "blocked": c.blocked,
                    "cancelled": c.cancelled,
                });
            }
            nodes.push(v);
        }
        for e in &g.edges {
            edges.push(serde_json::json!({
                "from": g.nodes[e.from].id,
                "to": g.nodes[e.to].id,
                "kind": e.kind.as_str(),
            }));
        }
    }
    serde_json::json!({
        "schema_version": SCHEMA_VERSION,
        "view": if by_phase { "phases" } else { "tasks" },
        "components": components,
        "nodes": nodes,
        "edges": edges,
    })
}
