use clap::Args;
use std::io::Write;

use super::{CliResult, Ctx, Format, OutputArgs, print, print_tasks_json};
use wm::graph::Graph;
use wm::graph::plan::Plan;
use wm::graph::query::Scope;
use wm::model::TaskType;
use wm::render::table;

/// List tasks, by issue then in dependency order. With no filter, every
/// task of every issue (the branch's issue is a default for writes only).
///
/// Refuses (exit 5) while the store is invalid, naming the problems.
///
/// STATUS shows `blocked` for pending tasks waiting on unfinished
/// dependencies, and --status filters on what STATUS shows: `pending` means
/// pending and not blocked, `blocked` and `ready` are accepted, `open` is
/// pending or in progress, `closed` is completed or cancelled; give several
/// separated by commas. PRI appears when some listed task has a priority.
/// DEPS lists all dependencies, explicit and phase-derived.
///
/// Examples:
///   wm tasks list
///   wm tasks list --issue=42
///   wm tasks list --status=pending
///   wm tasks list --status blocked,in_progress --assignee alice
///   wm tasks list --open --priority 0,1 --sort priority --limit 5
///   wm tasks list --grep backup --label security
///   wm tasks ls --ready --format ids
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: Filter,
    /// Every issue (the default; kept for scripts that pass it).
    #[arg(long, conflicts_with = "issue")]
    pub all_issues: bool,
    /// Order rows by: issue (by issue, then dependency order; the default),
    /// priority, created, updated, id or title.
    #[arg(long, value_enum, value_name = "KEY", default_value_t = SortKey::Issue)]
    pub sort: SortKey,
    /// Show at most N rows (after sorting).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// How `list --sort` orders rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortKey {
    /// By issue, then dependency order.
    Issue,
    /// Most urgent first (0 before 4; unset counts as 2), then by issue.
    Priority,
    /// Oldest first.
    Created,
    /// Most recently changed first.
    Updated,
    /// By id.
    Id,
    /// By title.
    Title,
}

/// Task filters shared by list-like commands.
#[derive(Debug, Args, Clone, Default)]
pub struct Filter {
    /// Only tasks of this issue.
    #[arg(long, value_name = "N")]
    pub issue: Option<u64>,
    /// Only tasks whose STATUS is one of these (comma-separated): pending
    /// (not blocked, not an epic: work that can start), ready, blocked, in_progress, completed, cancelled,
    /// open (pending or in progress), closed (completed or cancelled);
    /// todo/done accepted.
    #[arg(long, value_name = "S", value_delimiter = ',')]
    pub status: Vec<StatusSel>,
    /// Only open tasks: pending or in progress (same as --status open).
    #[arg(long)]
    pub open: bool,
    /// Only tasks of this type.
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<TaskType>,
    /// Only tasks in this phase.
    #[arg(long, value_name = "P")]
    pub phase: Option<String>,
    /// Only members of this epic (id or prefix).
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,
    /// Only tasks with these labels (repeatable or comma-separated: all must
    /// match).
    #[arg(
        long,
        visible_alias = "labels",
        value_name = "L",
        value_delimiter = ','
    )]
    pub label: Vec<String>,
    /// Only tasks assigned to this person.
    #[arg(long, value_name = "A")]
    pub assignee: Option<String>,
    /// Only tasks of these priorities (0-4, comma-separated; unset counts as 2).
    #[arg(long, value_name = "P", value_delimiter = ',', value_parser = parse_priority)]
    pub priority: Vec<u8>,
    /// Only tasks whose id, title, description, labels, close reason or
    /// notes contain TEXT (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub grep: Option<String>,
    /// Only ready tasks (pending, dependencies settled).
    #[arg(long)]
    pub ready: bool,
    /// Only blocked tasks (pending, waiting on others).
    #[arg(long)]
    pub blocked: bool,
}

/// A `--status` value: a stored status or a state the STATUS column
/// shows (the core's filter type parses it).
pub use wm::graph::query::StateSel as StatusSel;

/// A priority: 0-4, `P0`-`P4` accepted (as beads writes them).
pub fn parse_priority(s: &str) -> Result<u8, String> {
    let t = s.trim();
    let t = t.strip_prefix(['P', 'p']).unwrap_or(t);
    match t.parse::<u8>() {
        Ok(n) if n <= wm::model::MAX_PRIORITY => Ok(n),
        _ => Err(format!(
            "bad priority `{s}`: use 0 (most urgent) to 4 (least); P0-P4 are accepted"
        )),
    }
}

impl Filter {
    /// The core's filter for these flags (the parent resolved to its
    /// task).
    pub fn scope(&self, plan: &Plan) -> CliResult<Scope> {
        let parent = match &self.parent {
            Some(p) => Some(plan.resolve(p)?),
            None => None,
        };
        let mut require = Vec::new();
        for (on, sel) in [
            (self.open, StatusSel::Open),
            (self.ready, StatusSel::Ready),
            (self.blocked, StatusSel::Blocked),
        ] {
            if on {
                require.push(sel);
            }
        }
        Ok(Scope {
            issue: self.issue,
            parent,
            kind: self.kind,
            states: self.status.clone(),
            require,
            phase: self.phase.clone(),
            labels: self.label.clone(),
            assignee: self.assignee.clone(),
            priorities: self.priority.clone(),
            text: self.grep.clone(),
        })
    }

    /// Indexes of matching tasks, ordered by issue then topological order.
    pub fn apply(&self, plan: &Plan, graph: &Graph) -> CliResult<Vec<usize>> {
        Ok(self.scope(plan)?.select(plan, graph)?)
    }
}

/// Print tasks in the chosen format.
pub fn output(ctx: &Ctx, plan: &Plan, graph: &Graph, rows: &[usize], out: OutputArgs) -> CliResult {
    match out.format() {
        Format::Json => print_tasks_json(plan, graph, rows),
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
            // Out a piece at a time: 10,000 rows are a megabyte.
            let mut stdout = std::io::stdout().lock();
            table::tasks_to(plan, graph, rows, out.table_style(ctx), &mut |piece| {
                stdout.write_all(piece)
            })?;
            stdout.flush()?;
            Ok(())
        }
    }
}

pub fn run(ctx: &Ctx, a: ListArgs) -> CliResult {
    // Exit 0 on an invalid graph would hide it from scripts: refuse, and
    // let `show`, `dep rm`, `update` and `delete` do the repair.
    let loaded = ctx.load_valid()?;
    let (plan, graph) = (loaded.plan(), loaded.graph());
    let mut rows = a.filter.apply(plan, graph)?;
    sort_by(plan, a.sort, &mut rows);
    if let Some(n) = a.limit {
        rows.truncate(n);
    }
    output(ctx, plan, graph, &rows, a.out)
}

/// Re-order rows already in issue order by `key` (stable: ties keep it).
pub fn sort_by(plan: &Plan, key: SortKey, rows: &mut [usize]) {
    match key {
        SortKey::Issue => {}
        SortKey::Priority => rows.sort_by_key(|&i| plan.task(i).priority_or_default()),
        SortKey::Created => rows.sort_by_key(|&i| plan.task(i).created_at),
        SortKey::Updated => rows.sort_by_key(|&i| std::cmp::Reverse(plan.task(i).updated_at)),
        SortKey::Id => rows.sort_by(|&a, &b| plan.task(a).id.cmp(&plan.task(b).id)),
        SortKey::Title => rows.sort_by(|&a, &b| plan.task(a).title.cmp(&plan.task(b).title)),
    }
}
