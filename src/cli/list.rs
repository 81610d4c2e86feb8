use clap::Args;

use super::{CliResult, Ctx, Format, OutputArgs, print, print_json};
use wm::error::Error;
use wm::graph::plan::Plan;
use wm::graph::{Graph, State};
use wm::model::TaskType;
use wm::render::{json, table};

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

/// A `--status` value: a stored status or a state the STATUS column shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusSel {
    /// Pending and not blocked: ready work (epics are not work).
    Pending,
    Ready,
    Blocked,
    InProgress,
    Completed,
    Cancelled,
    /// Pending or in progress.
    Open,
    /// Completed or cancelled.
    Closed,
}

impl std::str::FromStr for StatusSel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(
            match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
                "pending" | "todo" => StatusSel::Pending,
                "ready" => StatusSel::Ready,
                "blocked" => StatusSel::Blocked,
                "in_progress" => StatusSel::InProgress,
                "completed" | "done" => StatusSel::Completed,
                "cancelled" | "canceled" => StatusSel::Cancelled,
                "open" => StatusSel::Open,
                "closed" => StatusSel::Closed,
                _ => {
                    return Err(format!(
                        "unknown status `{s}` (expected one of: pending, ready, blocked, \
                         in_progress, completed, cancelled, open, closed; todo and done are \
                         accepted as aliases)"
                    ));
                }
            },
        )
    }
}

impl StatusSel {
    pub fn matches(self, state: State) -> bool {
        match self {
            // What `list --status=pending` is for: work that can start.
            // Epics are containers, never work (`--type epic` lists them).
            StatusSel::Pending => state == State::Ready,
            StatusSel::Ready => state == State::Ready,
            StatusSel::Blocked => state == State::Blocked,
            StatusSel::InProgress => state == State::InProgress,
            StatusSel::Completed => state == State::Completed,
            StatusSel::Cancelled => state == State::Cancelled,
            StatusSel::Open => !matches!(state, State::Completed | State::Cancelled),
            StatusSel::Closed => matches!(state, State::Completed | State::Cancelled),
        }
    }
}

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

/// Whether `t` mentions `needle` (already lowercased) anywhere a person
/// would look.
pub fn mentions(t: &wm::Task, needle: &str) -> bool {
    let has = |s: &str| s.to_lowercase().contains(needle);
    has(&t.id)
        || has(&t.title)
        || t.description.as_deref().is_some_and(has)
        || t.reason.as_deref().is_some_and(has)
        || t.labels.iter().any(|l| has(l))
        || t.notes.iter().any(|n| has(&n.text))
}

impl Filter {
    /// Refuse a phase or label no task has (a typo would otherwise print
    /// "no tasks match" and exit 0), naming the known ones.
    fn check_known(&self, plan: &Plan) -> CliResult {
        use std::collections::BTreeSet;
        if let Some(p) = &self.phase {
            let used: BTreeSet<&str> = plan
                .tasks()
                .iter()
                .filter_map(|t| t.phase.as_deref())
                .collect();
            if !used.contains(p.as_str()) && plan.catalog().resolve(p).is_none() {
                return Err(Error::Usage(format!(
                    "unknown phase `{p}` (phases in use: {})",
                    if used.is_empty() {
                        "none".to_string()
                    } else {
                        used.into_iter().collect::<Vec<_>>().join(", ")
                    }
                ))
                .into());
            }
        }
        let labels: BTreeSet<&str> = plan
            .tasks()
            .iter()
            .flat_map(|t| t.labels.iter().map(String::as_str))
            .collect();
        for l in &self.label {
            if !labels.contains(l.as_str()) {
                return Err(Error::Usage(format!(
                    "unknown label `{l}` (labels in use: {})",
                    if labels.is_empty() {
                        "none".to_string()
                    } else {
                        labels.iter().copied().collect::<Vec<_>>().join(", ")
                    }
                ))
                .into());
            }
        }
        Ok(())
    }

    /// Indexes of matching tasks, ordered by issue then topological order.
    pub fn apply(&self, plan: &Plan, graph: &Graph) -> CliResult<Vec<usize>> {
        self.check_known(plan)?;
        let parent = match &self.parent {
            Some(p) => Some(plan.resolve(p)?),
            None => None,
        };
        let needle = self.grep.as_ref().map(|g| g.to_lowercase());
        let mut rows: Vec<usize> = (0..plan.len())
            .filter(|&i| {
                let t = plan.task(i);
                let state = graph.state(plan, i);
                self.issue.is_none_or(|n| t.issue == Some(n))
                    && (self.status.is_empty() || self.status.iter().any(|s| s.matches(state)))
                    && (!self.open || StatusSel::Open.matches(state))
                    && self.kind.is_none_or(|k| t.kind == k)
                    && self
                        .phase
                        .as_ref()
                        .is_none_or(|p| t.phase.as_ref() == Some(p))
                    && parent.is_none_or(|e| graph.epic_of(i) == Some(e))
                    && self.label.iter().all(|l| t.labels.contains(l))
                    && self
                        .assignee
                        .as_ref()
                        .is_none_or(|a| t.assignee.as_ref() == Some(a))
                    && (self.priority.is_empty()
                        || self.priority.contains(&t.priority_or_default()))
                    && needle.as_deref().is_none_or(|n| mentions(t, n))
                    && (!self.ready || state == State::Ready)
                    && (!self.blocked || state == State::Blocked)
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
