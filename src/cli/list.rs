use clap::Args;

use super::{CliResult, Ctx, Format, OutputArgs, print, print_json};
use wm::graph::plan::Plan;
use wm::graph::{Graph, State};
use wm::model::{Status, TaskType};
use wm::render::{json, table};

/// List tasks, by issue then in dependency order.
///
/// Refuses (exit 5) while the store is invalid, naming the problems.
///
/// STATUS shows `blocked` for pending tasks waiting on unfinished
/// dependencies. DEPS lists all dependencies, explicit and phase-derived.
///
/// Examples:
///   wm tasks list --issue=42
///   wm tasks list --status in_progress --assignee alice
///   wm tasks list --ready --format ids
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: Filter,
    /// Ignore the branch's issue: list every issue.
    #[arg(long, conflicts_with = "issue")]
    pub all_issues: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Task filters shared by list-like commands.
#[derive(Debug, Args, Clone, Default)]
pub struct Filter {
    /// Only tasks of this issue.
    #[arg(long, value_name = "N")]
    pub issue: Option<u64>,
    /// Only tasks with this stored status (todo/done accepted).
    #[arg(long, value_name = "S")]
    pub status: Option<Status>,
    /// Only tasks of this type.
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<TaskType>,
    /// Only tasks in this phase.
    #[arg(long, value_name = "P")]
    pub phase: Option<String>,
    /// Only members of this epic (id or prefix).
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,
    /// Only tasks with this label.
    #[arg(long, value_name = "L")]
    pub label: Option<String>,
    /// Only tasks assigned to this person.
    #[arg(long, value_name = "A")]
    pub assignee: Option<String>,
    /// Only ready tasks (pending, dependencies settled).
    #[arg(long)]
    pub ready: bool,
    /// Only blocked tasks (pending, waiting on others).
    #[arg(long)]
    pub blocked: bool,
}

impl Filter {
    /// Indexes of matching tasks, ordered by issue then topological order.
    pub fn apply(&self, plan: &Plan, graph: &Graph) -> CliResult<Vec<usize>> {
        let parent = match &self.parent {
            Some(p) => Some(plan.resolve(p)?),
            None => None,
        };
        let mut rows: Vec<usize> = (0..plan.len())
            .filter(|&i| {
                let t = plan.task(i);
                self.issue.is_none_or(|n| t.issue == Some(n))
                    && self.status.is_none_or(|s| t.status == s)
                    && self.kind.is_none_or(|k| t.kind == k)
                    && self
                        .phase
                        .as_ref()
                        .is_none_or(|p| t.phase.as_ref() == Some(p))
                    && parent.is_none_or(|e| graph.epic_of(i) == Some(e))
                    && self.label.as_ref().is_none_or(|l| t.labels.contains(l))
                    && self
                        .assignee
                        .as_ref()
                        .is_none_or(|a| t.assignee.as_ref() == Some(a))
                    && (!self.ready || graph.state(plan, i) == State::Ready)
                    && (!self.blocked || graph.state(plan, i) == State::Blocked)
            })
            .collect();
        sort_rows(plan, graph, &mut rows);
        Ok(rows)
    }
}

/// By issue (tasks without one last), then dependency order.
pub fn sort_rows(plan: &Plan, graph: &Graph, rows: &mut [usize]) {
    rows.sort_by_key(|&i| {
        let issue = plan.task(i).issue;
        (issue.is_none(), issue, graph.rank(i))
    });
}

/// Print tasks in the chosen format.
pub fn output(ctx: &Ctx, plan: &Plan, graph: &Graph, rows: &[usize], out: OutputArgs) -> CliResult {
    match out.format() {
        Format::Json => print_json(&json::tasks_doc(plan, graph, rows)),
        Format::Ids => {
            let mut s = String::with_capacity(rows.len() * 9);
            for &i in rows {
                s.push_str(&plan.task(i).id);
                s.push('\n');
            }
            print(&s)
        }
        Format::Table => {
            if rows.is_empty() {
                ctx.note("no tasks match");
                return Ok(());
            }
            print(&table::tasks(plan, graph, rows, out.table_style(ctx)))
        }
    }
}

pub fn run(ctx: &Ctx, a: ListArgs) -> CliResult {
    // Exit 0 on an invalid graph would hide it from scripts: refuse, and
    // let `show`, `dep rm`, `update` and `delete` do the repair.
    let loaded = ctx.load_valid()?;
    let mut filter = a.filter;
    if filter.issue.is_none()
        && !a.all_issues
        && let Some((n, branch)) = super::git_default_issue(ctx)
    {
        super::git_util::note_branch_issue(ctx, n, &branch);
        filter.issue = Some(n);
    }
    let rows = filter.apply(&loaded.plan, &loaded.graph)?;
    output(ctx, &loaded.plan, &loaded.graph, &rows, a.out)
}
