use clap::Args;

use super::{CliResult, Ctx, print};
use wm::model::TaskType;
use wm::ops::{NewTask, Op};

/// Create a task and print its id (alone on stdout, for `id=$(...)`).
///
/// The phase comes from --phase, else from what the title names in the
/// issue's workflow, else its type, else its position: the phase of the
/// task created just before it in the same issue. The issue's workflow is
/// its epic's --workflow, else the one its tasks follow, else the one the
/// first title is recognised by (`wm tasks workflows` lists them). stderr
/// says what was decided and why. A task belongs
/// to its issue's epic; `GH#N:` in the title sets the issue when --issue is
/// not given, else a branch named like `feature/GH-42-...` does (with a
/// note on stderr).
///
/// Examples:
///   wm tasks create --title="GH#42: Network hardening" --type=epic --issue=42
///   wm tasks create --title="GH#42: Analyze current infrastructure" --type=impl --issue=42
///   wm tasks create --title="GH#7: Invoices" --type=epic --issue=7 --workflow full-stack
///   wm tasks create --title="GH#7: IMPL InvoiceStore" --type=impl --issue=7
///   id=$(wm tasks create --title "Rotate keys" --depends-on k3m9 --label security)
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct CreateArgs {
    /// The task's title.
    #[arg(long)]
    pub title: String,
    /// epic, impl, verify, test, task, feature, review or research.
    #[arg(long = "type", value_name = "TYPE", default_value = "task")]
    pub kind: TaskType,
    /// The GitHub issue the task belongs to.
    #[arg(long, value_name = "N")]
    pub issue: Option<u64>,
    /// The workflow phase (default: from the title, type or position).
    #[arg(long)]
    pub phase: Option<String>,
    /// The role in a role-ordered phase: test, impl or verify (default: the
    /// title's TEST/IMPL/VERIFY marker, else the type).
    #[arg(long, value_name = "ROLE")]
    pub role: Option<wm::model::Role>,
    /// With --type=epic: the workflow the issue follows (see `wm tasks
    /// workflows`).
    #[arg(long, value_name = "NAME")]
    pub workflow: Option<String>,
    /// Attach to this epic explicitly (id or unique prefix).
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,
    /// An explicit dependency (repeatable).
    #[arg(long = "depends-on", value_name = "ID")]
    pub depends_on: Vec<String>,
    /// A label (repeatable).
    #[arg(long = "label", value_name = "L")]
    pub labels: Vec<String>,
    /// Who works on it.
    #[arg(long, value_name = "NAME")]
    pub assignee: Option<String>,
    /// Free text: what is to be done and why.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Expected duration: a number and a unit (m, h, d = 8h, w = 5d), e.g. 2h, 3d, 1d4h.
    /// Used by `critical-path`.
    #[arg(long, value_name = "DURATION")]
    pub estimate: Option<String>,
    /// If the issue already has a task with this title, print its id and
    /// change nothing (makes planning scripts re-runnable).
    #[arg(long)]
    pub if_missing: bool,
}

pub fn run(ctx: &Ctx, a: CreateArgs) -> CliResult {
    let mut issue = a.issue;
    if issue.is_none()
        && wm::model::title_issue(&a.title).is_none()
        && let Some((n, branch)) = super::git_default_issue(ctx)
    {
        super::git_util::note_branch_issue(ctx, n, &branch);
        issue = Some(n);
    }
    let spec = NewTask {
        title: a.title,
        kind: Some(a.kind),
        issue,
        phase: a.phase,
        role: a.role,
        workflow: a.workflow,
        parent: a.parent,
        depends_on: a.depends_on,
        labels: a.labels,
        assignee: a.assignee,
        description: a.description,
        estimate: a.estimate,
        if_missing: a.if_missing,
        ..Default::default()
    };
    let (_, outcomes) = ctx.write(true, true, |_| Ok(vec![Op::Create(spec.clone())]))?;
    ctx.notes(&outcomes);
    for o in &outcomes {
        print(&format!("{}\n", o.id))?;
    }
    Ok(())
}
