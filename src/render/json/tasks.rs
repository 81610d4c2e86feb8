//! TASK, the object every command that shows tasks shows each task as; the
//! task list (`list`, `ready`, `blocked`, `order`); one task (`show`).

use serde::Serialize;

use super::Document;
use super::git::CommitView;
use crate::graph::plan::Plan;
use crate::graph::{Graph, State};
use crate::model::{Forced, format_time};

/// One effective dependency of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// The dependency's full id.
    pub id: String,
    /// `explicit` (from depends_on) or `phase` (derived from the workflow).
    pub kind: &'static str,
    /// The dependency's stored status (`pending`, `in_progress`,
    /// `completed`, `cancelled`).
    pub status: &'static str,
}

/// A transition forced past a rule with `--force`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForcedView {
    /// When, RFC 3339 UTC.
    pub at: String,
    /// The status the task was forced to.
    pub to: &'static str,
    /// The rule that was overridden, as the refusal said it.
    pub reason: String,
}

/// TASK: one task as the JSON contract shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskView {
    /// The full id.
    pub id: String,
    /// The title, exactly as stored.
    pub title: String,
    /// `epic`, `impl`, `verify`, `test`, `task`, `feature`, `review`,
    /// `research`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The stored status: `pending`, `in_progress`, `completed`, `cancelled`.
    pub status: &'static str,
    /// Derived: ready, blocked, in_progress, completed, cancelled, open (epic).
    pub state: &'static str,
    /// Pending, not an epic, every dependency completed or cancelled.
    pub ready: bool,
    /// Pending, not an epic, with an unfinished dependency.
    pub blocked: bool,
    /// The workflow phase, if any.
    pub phase: Option<String>,
    /// The task's role in a role-ordered phase: test, impl or verify.
    pub role: Option<&'static str>,
    /// On an epic: the workflow its issue follows (chosen, or the one its
    /// tasks' phases belong to).
    pub workflow: Option<String>,
    /// The GitHub issue number.
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
    /// Labels as stored.
    pub labels: Vec<String>,
    /// Who works on it.
    pub assignee: Option<String>,
    /// The description, exactly as stored.
    pub description: Option<String>,
    /// A duration estimate in its shortest form, such as `2h` or `1d4h`.
    pub estimate: Option<String>,
    /// Linked commit shas (full).
    pub commits: Vec<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
    /// When it was completed or cancelled, RFC 3339 UTC.
    pub closed_at: Option<String>,
    /// Transitions forced past a rule with `--force`.
    pub forced: Vec<ForcedView>,
    /// 0 (most urgent) to 4; 2 when none was set.
    pub priority: u8,
    /// Why the task was closed (`done --reason`, `cancel --reason`).
    pub reason: Option<String>,
    /// Timestamped notes, oldest first.
    pub notes: Vec<NoteView>,
}

/// One timestamped note (`wm tasks note`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteView {
    /// When it was written (RFC 3339 UTC).
    pub at: String,
    /// What it says.
    pub text: String,
}

fn forced_view(f: &Forced) -> ForcedView {
    ForcedView {
        at: format_time(&f.at),
        to: f.to.as_str(),
        reason: f.reason.clone(),
    }
}

/// Task `i` as TASK.
pub fn task_view(plan: &Plan, graph: &Graph, i: usize) -> TaskView {
    let t = plan.task(i);
    let state = graph.state(plan, i);
    TaskView {
        id: t.id.clone(),
        title: t.title.clone(),
        kind: t.kind.as_str(),
        status: t.status.as_str(),
        state: state.as_str(),
        ready: state == State::Ready,
        blocked: state == State::Blocked,
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

/// The task list of `list`, `ready`, `blocked` and `order`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskList {
    /// The selected tasks, in the command's order.
    pub tasks: Vec<TaskView>,
}

/// `{"schema_version": 1, "tasks": [TASK...]}` of `tasks`, in that order.
pub fn tasks_doc(plan: &Plan, graph: &Graph, tasks: &[usize]) -> Document<TaskList> {
    Document::new(TaskList {
        tasks: tasks.iter().map(|&i| task_view(plan, graph, i)).collect(),
    })
}

/// `show --json`: one task and its linked commits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShowDoc {
    /// The task.
    pub task: TaskView,
    /// Each sha of `task.commits`, in the same order, as the repository
    /// holding the store sees it (`found: false` outside one).
    pub linked_commits: Vec<CommitView>,
    /// For an epic: its tasks counted by stored status (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    /// For an epic: the ids of its tasks, in list order (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<Vec<String>>,
}

/// An epic's tasks counted by stored status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// All of its tasks.
    pub total: usize,
    /// Completed ones.
    pub completed: usize,
    /// Cancelled ones.
    pub cancelled: usize,
    /// In progress.
    pub in_progress: usize,
    /// Pending (ready or blocked).
    pub pending: usize,
}

/// `show --json` of task `i`, with its commits already looked up; `members`
/// are an epic's tasks in the order to list them (empty for a task).
pub fn show_doc(
    plan: &Plan,
    graph: &Graph,
    i: usize,
    linked_commits: Vec<CommitView>,
    members: &[usize],
) -> Document<ShowDoc> {
    let epic = plan.task(i).is_epic();
    let count = |s: crate::model::Status| {
        members
            .iter()
            .filter(|&&c| plan.task(c).status == s)
            .count()
    };
    Document::new(ShowDoc {
        task: task_view(plan, graph, i),
        linked_commits,
        progress: epic.then(|| Progress {
            total: members.len(),
            completed: count(crate::model::Status::Completed),
            cancelled: count(crate::model::Status::Cancelled),
            in_progress: count(crate::model::Status::InProgress),
            pending: count(crate::model::Status::Pending),
        }),
        tasks: epic.then(|| members.iter().map(|&c| plan.task(c).id.clone()).collect()),
    })
}
