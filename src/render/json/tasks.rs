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
    /// The rule that was overridden, as the refusal said it.
    pub reason: String,
    /// The status the task was forced to.
    pub to: &'static str,
}

/// TASK: one task as the JSON contract shows it.
///
/// The fields are declared in the alphabetical order of their JSON names
/// (and so are those of the objects inside): serialised directly, a task
/// comes out with its keys sorted, as the contract prints them, without
/// going through a `serde_json::Value` ([`write_tasks_doc`]; a test
/// compares the two).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskView {
    /// Who works on it.
    pub assignee: Option<String>,
    /// Pending, not an epic, with an unfinished dependency.
    pub blocked: bool,
    /// Dependencies not yet completed or cancelled.
    pub blocked_by: Vec<String>,
    /// When it was completed or cancelled, RFC 3339 UTC.
    pub closed_at: Option<String>,
    /// Linked commit shas (full).
    pub commits: Vec<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// All effective dependencies, explicit and derived.
    pub dependencies: Vec<Dependency>,
    /// Explicit dependencies as stored.
    pub depends_on: Vec<String>,
    /// The description, exactly as stored.
    pub description: Option<String>,
    /// The epic the task belongs to (its parent, or its issue's epic).
    pub epic: Option<String>,
    /// A duration estimate in its shortest form, such as `2h` or `1d4h`.
    pub estimate: Option<String>,
    /// Transitions forced past a rule with `--force`.
    pub forced: Vec<ForcedView>,
    /// The full id.
    pub id: String,
    /// The GitHub issue number.
    pub issue: Option<u64>,
    /// Labels as stored.
    pub labels: Vec<String>,
    /// Timestamped notes, oldest first.
    pub notes: Vec<NoteView>,
    /// The stored parent, if any.
    pub parent: Option<String>,
    /// The workflow phase, if any.
    pub phase: Option<String>,
    /// 0 (most urgent) to 4; 2 when none was set.
    pub priority: u8,
    /// Pending, not an epic, every dependency completed or cancelled.
    pub ready: bool,
    /// Why the task was closed (`done --reason`, `cancel --reason`).
    pub reason: Option<String>,
    /// The task's role in a role-ordered phase: test, impl or verify.
    pub role: Option<&'static str>,
    /// Derived: ready, blocked, in_progress, completed, cancelled, open (epic).
    pub state: &'static str,
    /// The stored status: `pending`, `in_progress`, `completed`, `cancelled`.
    pub status: &'static str,
    /// The title, exactly as stored.
    pub title: String,
    /// `epic`, `impl`, `verify`, `test`, `task`, `feature`, `review`,
    /// `research`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// RFC 3339 UTC.
    pub updated_at: String,
    /// On an epic: the workflow its issue follows (chosen, or the one its
    /// tasks' phases belong to).
    pub workflow: Option<String>,
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
        epic: graph.epic_of(i).map(|e| plan.id(e).to_string()),
        depends_on: t.depends_on.clone(),
        dependencies: graph
            .deps(i)
            .iter()
            .map(|&(j, k)| Dependency {
                // From the dependency's record: not the whole task.
                id: plan.id(j).to_string(),
                kind: k.as_str(),
                status: plan.status(j).as_str(),
            })
            .collect(),
        blocked_by: graph
            .unsettled_deps(plan, i)
            .into_iter()
            .map(|j| plan.id(j).to_string())
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

/// [`tasks_doc`] exactly as [`super::to_string_pretty`] prints it, handed
/// to `sink` a piece at a time. Each task is serialised on its own and
/// directly (its keys come out sorted: see [`TaskView`]), so 10,000 tasks
/// are neither held as views nor as one tree of `serde_json::Value`s:
/// `list --json` of a 10,000-task store built a 90 MB tree for its 10 MB
/// of text.
pub fn write_tasks_doc(
    plan: &Plan,
    graph: &Graph,
    tasks: &[usize],
    sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    /// How much is gathered before it goes to `sink`.
    const PIECE: usize = 64 * 1024;
    let head = format!(
        "{{\n  \"schema_version\": {},\n  \"tasks\": [",
        super::SCHEMA_VERSION
    );
    if tasks.is_empty() {
        return sink(format!("{head}]\n}}\n").as_bytes());
    }
    let mut out = Vec::with_capacity(PIECE + 4096);
    out.extend_from_slice(head.as_bytes());
    for (k, &i) in tasks.iter().enumerate() {
        out.extend_from_slice(if k == 0 { b"\n    " } else { b",\n    " });
        // Each task on its own, its keys sorted (directly, as TASK declares
        // its fields in order; through a Value if that ever stops holding).
        super::sorted::write_value(&mut out, &task_view(plan, graph, i), 2)
            .map_err(std::io::Error::other)?;
        if out.len() >= PIECE {
            sink(&out)?;
            out.clear();
        }
    }
    out.extend_from_slice(b"\n  ]\n}\n");
    sink(&out)
}

/// `show --json`: one task and its linked commits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShowDoc {
    /// Each sha of `task.commits`, in the same order, as the repository
    /// holding the store sees it (`found: false` outside one).
    pub linked_commits: Vec<CommitView>,
    /// For an epic: its tasks counted by stored status (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    /// The task.
    pub task: TaskView,
    /// For an epic: the ids of its tasks, in list order (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<Vec<String>>,
}

/// An epic's tasks counted by stored status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Cancelled ones.
    pub cancelled: usize,
    /// Completed ones.
    pub completed: usize,
    /// In progress.
    pub in_progress: usize,
    /// Pending (ready or blocked).
    pub pending: usize,
    /// All of its tasks.
    pub total: usize,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field of TASK set, and of the objects inside it (a
    /// dependency, a forced transition, a note), with text
    /// that JSON escapes.
    const STORE: &str = r#"version: 1
tasks:

  - id: epic0001
    title: "GH#7: Epic"
    type: epic
    status: pending
    issue: 7
    workflow: backend-only
    created_at: 2025-01-01T00:00:00Z
    updated_at: 2025-01-01T00:00:00Z

  - id: aaaa0001
    title: "GH#7: Analyse \"it\"\nnow"
    type: impl
    status: completed
    phase: analysis
    issue: 7
    priority: 1
    labels:
      - db
      - "é ✓"
    assignee: ana
    description: "Line one\nline two\ttab \\ back"
    estimate: 2h
    commits:
      - 0123456789abcdef0123456789abcdef01234567
    reason: "done \"early\""
    forced:
      - at: 2025-01-02T00:00:00Z
        to: completed
        reason: "skipped a rule"
    notes:
      - at: 2025-01-02T01:00:00Z
        text: "a note: \U0001F680"
    created_at: 2025-01-01T00:00:01Z
    updated_at: 2025-01-02T00:00:00Z
    closed_at: 2025-01-02T00:00:00Z

  - id: bbbb0002
    title: "GH#7: Build"
    type: impl
    status: pending
    phase: implementation
    issue: 7
    parent: epic0001
    depends_on:
      - aaaa0001
    created_at: 2025-01-01T00:00:02Z
    updated_at: 2025-01-01T00:00:02Z
"#;

    /// Written directly, a task list is exactly what the contract's
    /// printer gave through a `serde_json::Value` (keys sorted): the
    /// fields of TASK and of the objects inside it are declared in that
    /// order. Empty lists and one-task lists too.
    #[test]
    fn the_direct_task_list_is_the_sorted_document() {
        let loaded =
            crate::store::load_bytes(std::path::Path::new("tasks.yaml"), STORE.as_bytes()).unwrap();
        let (plan, graph) = (loaded.plan(), loaded.graph());
        let all: Vec<usize> = (0..plan.len()).collect();
        let view = task_view(plan, graph, 1);
        assert!(!view.forced.is_empty() && !view.notes.is_empty());
        // Written directly, not through the Value fallback: the fields are
        // declared in order.
        assert!(super::super::sorted::to_string_pretty(&view).is_some());
        assert!(task_view(plan, graph, 2).dependencies.len() == 1);
        for rows in [&all[..], &all[1..2], &all[2..], &[]] {
            let mut direct = Vec::new();
            write_tasks_doc(plan, graph, rows, &mut |p| {
                direct.extend_from_slice(p);
                Ok(())
            })
            .unwrap();
            let direct = String::from_utf8(direct).unwrap();
            let value = serde_json::to_value(tasks_doc(plan, graph, rows)).unwrap();
            let sorted = serde_json::to_string_pretty(&value).unwrap() + "\n";
            assert_eq!(direct, sorted, "rows {rows:?}");
        }
    }
}
