use clap::Args;

use super::{CliResult, Ctx, print};
use wm::error::Error;
use wm::model::{Role, Status, TaskType};
use wm::ops::{Changes, Op, Transition};

/// Change a task's fields.
///
/// Works on an invalid store, to repair it, but never introduces a new
/// problem. --status goes through the same rules as start/done/reopen/cancel.
/// A `GH#N:` title must agree with the task's issue, as in `create`
/// (`wm tasks move` changes both).
///
/// Examples:
///   wm tasks update k3m9 --phase config
///   wm tasks update k3m9 --phase step-2 --role impl
///   wm tasks update EPIC --workflow full-stack   (places the issue's tasks again)
///   wm tasks update k3m9 --assignee alice --add-label security
///   wm tasks update k3m9 --status done
///   wm tasks update k3m9 --priority 1 --labels security,infra
///   wm tasks update k3m9 --title "GH#42: Rotate the keys"
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct UpdateArgs {
    /// Task id or unique prefix.
    pub id: String,
    /// The new title.
    #[arg(long)]
    pub title: Option<String>,
    /// The new type: epic, impl, verify, test, task, feature, review or
    /// research.
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<TaskType>,
    /// Move to this phase of the workflow.
    #[arg(long, conflicts_with = "clear_phase")]
    pub phase: Option<String>,
    /// Remove the phase (the task leaves the phase ordering).
    #[arg(long)]
    pub clear_phase: bool,
    /// The task's role in a role-ordered phase: test, impl or verify.
    #[arg(long, value_name = "ROLE")]
    pub role: Option<Role>,
    /// On an epic: the workflow its issue follows (see `wm tasks
    /// workflows`); every task of the issue is placed again under it.
    #[arg(long, value_name = "NAME")]
    pub workflow: Option<String>,
    /// Move to this GitHub issue.
    #[arg(long, value_name = "N", conflicts_with = "clear_issue")]
    pub issue: Option<u64>,
    /// Remove the issue.
    #[arg(long)]
    pub clear_issue: bool,
    /// Attach to this epic.
    #[arg(long, value_name = "ID", conflicts_with = "clear_parent")]
    pub parent: Option<String>,
    /// Detach from its epic.
    #[arg(long)]
    pub clear_parent: bool,
    /// The assignee ("" clears it).
    #[arg(long)]
    pub assignee: Option<String>,
    /// The description ("" clears it).
    #[arg(long)]
    pub description: Option<String>,
    /// Expected duration, e.g. 2h, 3d, 1d4h ("" clears it).
    #[arg(long, value_name = "DURATION")]
    pub estimate: Option<String>,
    /// Add labels (repeatable or comma-separated).
    #[arg(long, visible_aliases = ["label", "labels"], value_name = "L", value_delimiter = ',')]
    pub add_label: Vec<String>,
    /// Priority: 0 (most urgent) to 4 (least); P0-P4 accepted.
    #[arg(long, short = 'p', value_name = "P", value_parser = super::list::parse_priority, conflicts_with = "clear_priority")]
    pub priority: Option<u8>,
    /// Remove the priority (it counts as 2 again).
    #[arg(long)]
    pub clear_priority: bool,
    /// With --status completed/cancelled: why (stored on the task).
    #[arg(long, value_name = "TEXT", requires = "status")]
    pub reason: Option<String>,
    /// Remove labels (repeatable or comma-separated).
    #[arg(long, value_name = "L", value_delimiter = ',')]
    pub remove_label: Vec<String>,
    /// Change the status, with the rules of start/done/reopen/cancel.
    #[arg(long, value_name = "S")]
    pub status: Option<Status>,
    /// With --status: skip the dependency rules and record the override.
    #[arg(long, requires = "status")]
    pub force: bool,
}

pub fn run(ctx: &Ctx, a: UpdateArgs) -> CliResult {
    let changes = Changes {
        title: a.title,
        kind: a.kind,
        phase: if a.clear_phase {
            Some(None)
        } else {
            a.phase.map(Some)
        },
        role: a.role.map(Some),
        workflow: a.workflow.map(Some),
        issue: if a.clear_issue {
            Some(None)
        } else {
            a.issue.map(Some)
        },
        parent: if a.clear_parent {
            Some(None)
        } else {
            a.parent.map(Some)
        },
        assignee: a.assignee.map(Some),
        description: a.description.map(Some),
        estimate: a.estimate.map(Some),
        add_labels: a.add_label,
        remove_labels: a.remove_label,
        priority: if a.clear_priority {
            Some(None)
        } else {
            a.priority.map(Some)
        },
    };
    let fields = changes.title.is_some()
        || changes.kind.is_some()
        || changes.phase.is_some()
        || changes.role.is_some()
        || changes.workflow.is_some()
        || changes.issue.is_some()
        || changes.parent.is_some()
        || changes.assignee.is_some()
        || changes.description.is_some()
        || changes.estimate.is_some()
        || !changes.add_labels.is_empty()
        || !changes.remove_labels.is_empty()
        || changes.priority.is_some();
    // Only --status: no field update, so no "nothing to change" before
    // the status change says what it did.
    let mut ops = Vec::new();
    if fields || a.status.is_none() {
        ops.push(Op::Update {
            id: a.id.clone(),
            changes,
        });
    }
    if let Some(s) = a.status {
        let to = match s {
            Status::Pending => Transition::Reopen,
            Status::InProgress => Transition::Start,
            Status::Completed => Transition::Done,
            Status::Cancelled => Transition::Cancel,
        };
        ops.push(Op::SetStatus {
            id: a.id.clone(),
            to,
            force: a.force,
            assignee: None,
            reason: a.reason.clone(),
            commit: None,
        });
    }
    let needs_valid = matches!(a.status, Some(Status::InProgress | Status::Completed));
    let (plan, mut outcomes) = ctx.write(false, needs_valid, |_| Ok(ops.clone()))?;
    if outcomes.iter().any(|o| o.changed) {
        for o in &mut outcomes {
            o.notes.retain(|n| *n != wm::ops::Notice::Unchanged);
        }
    }
    ctx.notes(&outcomes);
    let id = outcomes.first().map(|o| o.id.clone()).unwrap_or_default();
    if plan.get(&id).is_none() {
        return Err(Error::UnknownId(id).into());
    }
    if outcomes.iter().any(|o| o.changed) {
        print(&format!("{id} updated\n"))?;
    }
    Ok(())
}
