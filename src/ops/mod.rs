//! Mutations as values, applied to a plan all-or-nothing and checked by the
//! same rules whatever their origin. This is the one path every write takes.

mod create;
mod delete;
mod deps;
pub mod place;
mod status;
mod update;

use create::create;
use delete::delete;
use deps::{add_commits, add_deps, link, remove_deps};
pub use status::needs_evidence;
use status::set_status;
use update::{add_note, add_phases, update};

// foldhash, not std's SipHash: these sets are asked about every task of a
// store, and SipHash was a tenth of a 10,000-task create.
use foldhash::HashSet;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::graph::plan::Plan;
use crate::model::workflow::Phase;
use crate::model::{Forced, Role, Status, Task, TaskType, title_issue};
use crate::validate::{self, Code, Problem, Severity};

/// The fields of a task to create. Ids in `parent` and `depends_on` may be
/// unique prefixes.
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    pub title: String,
    pub kind: Option<TaskType>,
    pub issue: Option<u64>,
    pub phase: Option<String>,
    /// The role in a role-ordered phase (default: the title's marker, else
    /// the type).
    pub role: Option<Role>,
    /// For an epic: the workflow its issue follows.
    pub workflow: Option<String>,
    pub parent: Option<String>,
    pub depends_on: Vec<String>,
    pub labels: Vec<String>,
    pub assignee: Option<String>,
    pub description: Option<String>,
    /// A duration estimate such as `2h` or `3d`.
    pub estimate: Option<String>,
    /// Return the existing task when the issue already has one of this title.
    pub if_missing: bool,
    /// Return the existing task when the issue already has one of this
    /// title and type (what `create` does unless `--allow-duplicate`).
    pub dedupe: bool,
    /// 0 (most urgent) to 4.
    pub priority: Option<u8>,
    /// Dependencies on the tasks of earlier `Create` ops of the same batch,
    /// by their position in the batch (ids are not known before `apply`).
    pub after: Vec<usize>,
    /// Leave the phase unset instead of inferring it from the title (for
    /// tasks ordered by explicit edges only, such as imported checklists).
    pub no_infer: bool,
    /// Create the task already completed (a checked checklist item).
    pub completed: bool,
    /// Create the task in this status (wins over `completed`; an imported
    /// plan recreates cancelled and in-progress tasks too).
    pub status: Option<Status>,
}

/// Field changes for `update`. `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub title: Option<String>,
    pub kind: Option<TaskType>,
    pub phase: Option<Option<String>>,
    /// `Some(None)` clears the role.
    pub role: Option<Option<Role>>,
    /// For an epic: the workflow its issue follows; its tasks are placed
    /// again under it. `Some(None)` goes back to recognition.
    pub workflow: Option<Option<String>>,
    pub issue: Option<Option<u64>>,
    pub parent: Option<Option<String>>,
    pub assignee: Option<Option<String>>,
    pub description: Option<Option<String>>,
    /// `Some(None)` clears the estimate.
    pub estimate: Option<Option<String>>,
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
    /// `Some(None)` clears the priority.
    pub priority: Option<Option<u8>>,
}

/// A status change with its rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// pending -> in_progress; dependencies must be settled.
    Start,
    /// -> completed; dependencies settled, an epic's children closed.
    Done,
    /// completed, cancelled or in_progress -> pending.
    Reopen,
    /// -> cancelled.
    Cancel,
}

impl Transition {
    pub fn target(self) -> Status {
        match self {
            Transition::Start => Status::InProgress,
            Transition::Done => Status::Completed,
            Transition::Reopen => Status::Pending,
            Transition::Cancel => Status::Cancelled,
        }
    }
    fn verb(self) -> &'static str {
        match self {
            Transition::Start => "start",
            Transition::Done => "complete",
            Transition::Reopen => "reopen",
            Transition::Cancel => "cancel",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Op {
    Create(NewTask),
    Update {
        id: String,
        changes: Changes,
    },
    SetStatus {
        id: String,
        to: Transition,
        force: bool,
        /// Set the assignee with the transition (used by `claim`).
        assignee: Option<String>,
        /// Why (`done --reason`, `cancel --reason`); kept while the task is
        /// closed, dropped when it is reopened.
        reason: Option<String>,
        /// A commit (full sha) linked with the transition: evidence for a
        /// workflow that asks for it.
        commit: Option<String>,
    },
    /// Add a timestamped note to a task.
    AddNote {
        id: String,
        text: String,
    },
    Delete {
        id: String,
        force: bool,
    },
    AddDeps {
        id: String,
        on: Vec<String>,
    },
    RemoveDeps {
        id: String,
        on: Vec<String>,
    },
    /// Link commits (full shas) to a task; already linked ones are kept once.
    AddCommits {
        id: String,
        commits: Vec<String>,
    },
    /// Record a commit (full sha) on a task. Idempotent. Bookkeeping from
    /// the history, not an edit: `updated_at` is left alone, so two branches
    /// that link the same commits write the same bytes.
    Link {
        id: String,
        commit: String,
    },
    /// Move the incremental scan's bookmark.
    SetScanHead {
        head: String,
    },
    /// Merge phases into the store's workflow: a phase the workflow lacks is
    /// appended (the default workflow is written out first); a phase it has
    /// must list the same `depends_on`, or the op is refused.
    AddPhases(Vec<Phase>),
}

/// What one op did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// What the op was about.
    pub subject: Subject,
    /// The full id of the task the op was about (empty when the subject is
    /// not a task).
    pub id: String,
    /// False when the op found nothing to change (idempotent repeats).
    pub changed: bool,
    /// Things the user should be told (inferred phase, forced rules, ...).
    pub notes: Vec<Notice>,
}

/// Something an op tells its caller. Most are sentences in the core's
/// words ([`Notice::Said`]); the ones a caller acts on, or would word with
/// its own commands and flags, are typed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// A sentence (no command-line words in it).
    Said(String),
    /// An update found nothing to change.
    Unchanged,
    /// `create` (if missing) found a task of that title in the issue and
    /// kept it.
    Exists { id: String, title: String },
    /// `create` found the same task (issue, title and type) and kept it;
    /// creating another needs the caller to ask for a duplicate.
    Duplicate {
        id: String,
        title: String,
        kind: TaskType,
    },
    /// No phase was decided: the title names none of the issue's
    /// workflow's phases (`workflow`), or the issue has no workflow yet.
    NoPhase { workflow: Option<String> },
    /// A phase was added to the store's workflow.
    PhaseAdded { phase: String },
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::Said(s) => f.write_str(s),
            Notice::Unchanged => f.write_str("nothing to change"),
            Notice::Exists { id, title } => write!(f, "already exists: {id} \"{title}\""),
            Notice::Duplicate { id, title, kind } => {
                write!(f, "already exists: {id} \"{title}\" ({kind}); kept it")
            }
            Notice::NoPhase { workflow: None } => {
                f.write_str("no phase: the title names none and the issue has no workflow yet")
            }
            Notice::NoPhase { workflow: Some(w) } => {
                write!(
                    f,
                    "no phase: the title names none of workflow `{w}`'s phases"
                )
            }
            Notice::PhaseAdded { phase } => {
                write!(f, "added phase `{phase}` to the store's workflow")
            }
        }
    }
}

impl From<String> for Notice {
    fn from(s: String) -> Notice {
        Notice::Said(s)
    }
}

/// What an op was about: a task, or a part of the store that is not one.
/// Typed, so that no task id (a task may be called `workflow`) is ever
/// mistaken for something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Task,
    /// The store's workflow (`AddPhases`).
    Workflow,
    /// The scan bookmark (`SetScanHead`).
    ScanHead,
}

impl Outcome {
    fn new(id: &str) -> Outcome {
        Outcome {
            subject: Subject::Task,
            id: id.to_string(),
            changed: true,
            notes: Vec::new(),
        }
    }

    fn about(subject: Subject) -> Outcome {
        Outcome {
            subject,
            id: String::new(),
            changed: true,
            notes: Vec::new(),
        }
    }
}

/// Apply `ops` in order. On success returns the new plan and one outcome per
/// op; on error the plan is consumed and dropped, so nothing half-applied
/// can ever be saved. A batch may not introduce any new error-level problem
/// (cycle, phase-order edge, dangling reference...).
pub fn apply(plan: Plan, ops: Vec<Op>, now: DateTime<Utc>) -> Result<(Plan, Vec<Outcome>)> {
    let graph = Graph::build(&plan);
    let before = validate::errors(&validate::check(&plan, &graph));
    apply_known(plan, &before, Some(graph), ops, now)
}

/// [`apply`] for a plan whose error-level problems are already known
/// (the store just checked them on load), saving a graph build.
///
/// `graph`, when given, must be the graph of `plan` as passed: the first op
/// may use it instead of building its own.
pub fn apply_known(
    plan: Plan,
    before: &[Problem],
    graph: Option<Graph>,
    ops: Vec<Op>,
    now: DateTime<Utc>,
) -> Result<(Plan, Vec<Outcome>)> {
    let a = apply_inner(plan, before, graph, ops, now, Mode::Verdict)?;
    Ok((a.plan, a.outcomes))
}

/// What [`apply_tracked`] hands back: the new plan (in canonical order,
/// unless the store had errors before) with
/// its graph and all its problems, as a load of the written file would
/// find them, so that a write can leave a snapshot without reading back.
#[derive(Debug)]
pub struct Applied {
    pub plan: Plan,
    pub outcomes: Vec<Outcome>,
    /// The graph of `plan`.
    pub graph: Graph,
    /// Every problem of `plan` (what `validate::check` gives).
    pub problems: Vec<Problem>,
}

/// [`apply_known`] for a write: `before` holds *all* problems of `plan`
/// (warnings too) and `graph` its graph; the result is sorted canonically
/// and carries its graph and problems.
///
/// Validation is incremental where the ops allow. Status changes (and
/// commits, the scan bookmark) change no edge and no error-level rule, so
/// only the status warnings of the touched tasks, their dependents and
/// their epics are re-checked. New tasks (not epics) in an error-free store
/// change edges only within their own group (issue or parent epic) and by
/// their own `depends_on`: every new edge has a new task at one end, so a
/// new cycle runs through one, and a rule can change its verdict only for
/// the group, the tasks that now reach a new task, and the tasks a new one
/// depends on; those are re-checked, everything else keeps its problems.
/// Anything else re-checks the whole store. A proptest compares this with
/// the whole-store check on random op sequences.
pub fn apply_tracked(
    plan: Plan,
    before: &[Problem],
    graph: Option<Graph>,
    ops: Vec<Op>,
    now: DateTime<Utc>,
) -> Result<Applied> {
    apply_inner(plan, before, graph, ops, now, Mode::Tracked)
}

/// [`apply_tracked`] re-checking the whole store whatever the ops: the
/// reference the incremental check is tested against.
#[doc(hidden)]
pub fn apply_checking_all(
    plan: Plan,
    before: &[Problem],
    ops: Vec<Op>,
    now: DateTime<Utc>,
) -> Result<Applied> {
    apply_inner(plan, before, None, ops, now, Mode::Full)
}

/// How much [`apply_inner`] computes and checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The verdict only ([`apply_known`]).
    Verdict,
    /// The verdict, the graph and every problem, incrementally.
    Tracked,
    /// As `Tracked`, re-checking the whole store.
    Full,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Batch {
    /// Statuses, commits, the scan bookmark: no edge changes.
    StatusOnly,
    /// New tasks, none an epic.
    Creates,
    Other,
}

fn apply_inner(
    plan: Plan,
    before: &[Problem],
    graph: Option<Graph>,
    ops: Vec<Op>,
    now: DateTime<Utc>,
    mode: Mode,
) -> Result<Applied> {
    let Staged {
        plan,
        outcomes,
        check,
    } = stage_inner(plan, before, graph, ops, now, mode)?;
    if mode == Mode::Verdict && check.batch == Batch::StatusOnly {
        // No error-level rule looks at statuses, assignees, commits or the
        // scan bookmark (they are about ids, references, phases and the
        // shape of the graph), so a batch that changes only those cannot
        // add an error. A proptest checks that premise.
        return Ok(untracked(plan, outcomes));
    }
    let (graph, problems) = check.run(&plan, &outcomes)?;
    Ok(Applied {
        plan,
        outcomes,
        graph,
        problems,
    })
}

/// A write's ops applied to its plan (sorted canonically, unless the store
/// had errors), their check still to come: [`Check::run`] gives the graph
/// and the problems, or refuses. A write puts the new text on disk while
/// the check runs, and replaces the store only when it passes.
#[derive(Debug)]
pub struct Staged<'b> {
    pub plan: Plan,
    pub outcomes: Vec<Outcome>,
    pub check: Check<'b>,
}

/// What checking a [`Staged`] plan needs besides the plan and outcomes.
#[derive(Debug)]
pub struct Check<'b> {
    before: &'b [Problem],
    graph: Option<Graph>,
    batch: Batch,
    mode: Mode,
    old_len: usize,
    perm: Option<Vec<usize>>,
    sorted: bool,
}

/// [`apply_tracked`] in two steps: the ops now, the check when the caller
/// runs it ([`Check::run`], with the staged plan and outcomes).
pub fn stage<'b>(
    plan: Plan,
    before: &'b [Problem],
    graph: Option<Graph>,
    ops: Vec<Op>,
    now: DateTime<Utc>,
) -> Result<Staged<'b>> {
    stage_inner(plan, before, graph, ops, now, Mode::Tracked)
}

fn stage_inner<'b>(
    mut plan: Plan,
    before: &'b [Problem],
    graph: Option<Graph>,
    ops: Vec<Op>,
    now: DateTime<Utc>,
    mode: Mode,
) -> Result<Staged<'b>> {
    let track = mode != Mode::Verdict;
    let batch = if ops.iter().all(|op| {
        matches!(
            op,
            Op::SetStatus { .. }
                | Op::AddCommits { .. }
                | Op::Link { .. }
                | Op::SetScanHead { .. }
                | Op::AddNote { .. }
        )
    }) {
        Batch::StatusOnly
    } else if ops
        .iter()
        .all(|op| matches!(op, Op::Create(spec) if spec.kind != Some(TaskType::Epic)))
    {
        Batch::Creates
    } else {
        Batch::Other
    };
    let old_len = plan.len();
    // Whether the graph given is no longer the plan's.
    let mut stale = false;
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(ops.len());
    // Tasks created by one batch get creation times a millisecond apart, so
    // that the order they were asked for is the order they sort in.
    let mut created: i64 = 0;
    for mut op in ops {
        let mut at = now;
        if let Op::Create(spec) = &mut op {
            for &k in &spec.after {
                let Some(o) = outcomes.get(k) else {
                    return Err(Error::Usage(format!(
                        "op {} depends on op {k}, which is not earlier in the batch",
                        outcomes.len()
                    )));
                };
                spec.depends_on.push(o.id.clone());
            }
            at = now + chrono::Duration::milliseconds(created);
            created += 1;
        }
        // The graph stays the plan's as long as only statuses change;
        // otherwise only the first op sees the plan it was built from.
        let g = graph.as_ref().filter(|_| !stale);
        outcomes.push(apply_one(&mut plan, op, at, g)?);
        if batch != Batch::StatusOnly {
            stale = true;
        }
    }
    let has_errors = before.iter().any(|p| p.severity == Severity::Error);
    // A write saves the canonical order; the graph is built for it. Not
    // when the store already has errors: the messages of some (which of
    // two duplicates is "first", where a cycle starts) follow the order of
    // the tasks, and a re-sort must not make an old error look new. The
    // write then sorts on its own and keeps no snapshot.
    let sorted = track && !has_errors;
    let perm = if sorted {
        plan.sort_canonical_perm()
    } else {
        None
    };
    Ok(Staged {
        plan,
        outcomes,
        check: Check {
            before,
            graph,
            batch,
            mode,
            old_len,
            perm,
            sorted,
        },
    })
}

impl Check<'_> {
    /// Whether the staged plan is in canonical order, as it is written:
    /// not when the store had errors before (see [`stage`]); such a plan
    /// is to be checked before it is sorted.
    pub fn sorted(&self) -> bool {
        self.sorted
    }

    /// The graph of the staged `plan` and all its problems; or the rule
    /// error (exit 3) when the ops would add an error-level problem.
    pub fn run(self, plan: &Plan, outcomes: &[Outcome]) -> Result<(Graph, Vec<Problem>)> {
        let (before, graph, batch, mode) = (self.before, self.graph, self.batch, self.mode);
        let (old_len, perm) = (self.old_len, self.perm);
        let track = mode != Mode::Verdict;
        let incremental = mode != Mode::Full;
        let errors_before: HashSet<&Problem> = before
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .collect();
        let has_errors = !errors_before.is_empty();
        let duplicates = before.iter().any(|p| p.code == Code::DuplicateId);
        let resorted = perm.is_some();
        let (graph, problems, new_errors) = match batch {
            // Never here: apply_inner answers without a check (see there).
            Batch::StatusOnly if !track => (Graph::build(&Plan::empty()), Vec::new(), Vec::new()),
            Batch::StatusOnly if incremental && !duplicates && graph.is_some() && !resorted => {
                let graph = graph.unwrap_or_else(|| Graph::build(plan));
                let changed = touched(plan, outcomes);
                let mut scope = vec![false; plan.len()];
                for &i in &changed {
                    scope[i] = true;
                    for &k in graph.dependents(i) {
                        scope[k] = true;
                    }
                    if let Some(e) = graph.epic_of(i) {
                        scope[e] = true;
                    }
                }
                let fresh = validate::check_scoped(plan, &graph, &scope);
                let problems = merge(before, plan, &scope, fresh);
                (graph, problems, Vec::new())
            }
            Batch::Creates if incremental && !has_errors && !duplicates => {
                // Only the new tasks' groups changed: the graph from before the
                // batch, with those groups derived again.
                let graph = graph
                    .as_ref()
                    .and_then(|old| Graph::after_creates(old, plan, old_len, perm.as_deref()))
                    .unwrap_or_else(|| Graph::build(plan));
                match creates_scope(plan, &graph, outcomes, old_len) {
                    Some(scope) => {
                        let fresh = validate::check_scoped(plan, &graph, &scope);
                        let new: Vec<Problem> = fresh
                            .iter()
                            .filter(|p| p.severity == Severity::Error && !errors_before.contains(p))
                            .cloned()
                            .collect();
                        let problems = if track && new.is_empty() {
                            merge(before, plan, &scope, fresh)
                        } else {
                            Vec::new()
                        };
                        (graph, problems, new)
                    }
                    None => full(plan, graph, &errors_before),
                }
            }
            Batch::StatusOnly => {
                let graph = Graph::build(plan);
                let problems = validate::check(plan, &graph);
                (graph, problems, Vec::new())
            }
            _ => full(plan, Graph::build(plan), &errors_before),
        };
        if !new_errors.is_empty() {
            // Phase-order problems explain themselves better than the cycle
            // they may also close, so they come first.
            let mut new = new_errors;
            new.sort_by_key(|p| p.code != Code::PhaseOrder);
            let first = &new[0];
            let mut msg = match first.code {
                Code::Cycle => format!("refused: this change would create a {}", first.message),
                _ => format!("refused: {}", first.message),
            };
            for more in &new[1..] {
                msg.push_str(&format!("\nand: {}", more.message));
            }
            return Err(Error::rule(msg, first.tasks.clone()));
        }
        Ok((graph, problems))
    }
}

/// A result for [`apply_known`], which needs neither graph nor problems.
fn untracked(plan: Plan, outcomes: Vec<Outcome>) -> Applied {
    Applied {
        plan,
        outcomes,
        graph: Graph::build(&Plan::empty()),
        problems: Vec::new(),
    }
}

/// The whole-store check: the graph, every problem, the new errors.
fn full(
    plan: &Plan,
    graph: Graph,
    errors_before: &HashSet<&Problem>,
) -> (Graph, Vec<Problem>, Vec<Problem>) {
    let problems = validate::check(plan, &graph);
    let new = problems
        .iter()
        .filter(|p| p.severity == Severity::Error && !errors_before.contains(p))
        .cloned()
        .collect();
    (graph, problems, new)
}

/// The tasks the changed outcomes name (by full id).
fn touched(plan: &Plan, outcomes: &[Outcome]) -> Vec<usize> {
    outcomes
        .iter()
        .filter(|o| o.changed && !o.id.is_empty())
        .filter_map(|o| plan.get(&o.id))
        .collect()
}

/// The tasks whose problems new tasks can change (see [`apply_tracked`]);
/// None when that is most of the store (then checking all of it is as
/// cheap).
fn creates_scope(
    plan: &Plan,
    graph: &Graph,
    outcomes: &[Outcome],
    old_len: usize,
) -> Option<Vec<bool>> {
    let n = plan.len();
    if n != old_len + outcomes.iter().filter(|o| o.changed).count() {
        return None;
    }
    let new = touched(plan, outcomes);
    // Placing a task may move its group's tasks to another phase: the
    // whole group of every new task counts as changed.
    let groups: HashSet<crate::graph::plan::Group> =
        new.iter().filter_map(|&i| plan.group_of(i)).collect();
    let mut changed = new.clone();
    // An issue's tasks are found by binary search when the plan is in
    // canonical order (see `maybe_with_issue`); only a group by parent
    // epic looks at every task.
    for g in &groups {
        let may = match g {
            crate::graph::plan::Group::Issue(n) => plan.maybe_with_issue(Some(*n)),
            crate::graph::plan::Group::Parent(_) => 0..n,
        };
        changed.extend(may.filter(|&i| plan.group_of(i).as_ref() == Some(g)));
    }
    let mut scope = vec![false; n];
    let mut stack = Vec::new();
    for &i in &changed {
        stack.push(i);
        for &(j, _) in graph.deps(i) {
            scope[j] = true;
        }
        if let Some(e) = graph.epic_of(i) {
            scope[e] = true;
        }
    }
    // Everything that reaches a changed task: its reachability changed.
    let mut seen = vec![false; n];
    let mut count = 0;
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        scope[i] = true;
        count += 1;
        if count > n / 2 + 64 {
            return None;
        }
        stack.extend(graph.dependents(i).iter().copied().filter(|&k| !seen[k]));
    }
    Some(scope)
}

/// The problems of the tasks out of `scope` from `before`, with `fresh`
/// (the scope's and the whole-store ones), in [`validate::check`]'s order.
fn merge(before: &[Problem], plan: &Plan, scope: &[bool], fresh: Vec<Problem>) -> Vec<Problem> {
    let mut out: Vec<Problem> = before
        .iter()
        .filter(|p| {
            !matches!(p.code, Code::Workflow | Code::Cycle)
                && !p
                    .tasks
                    .first()
                    .and_then(|id| plan.get(id))
                    .is_some_and(|i| scope[i])
        })
        .cloned()
        .collect();
    out.extend(fresh);
    out.sort_by(|a, b| {
        (a.severity, a.code.as_str(), &a.tasks).cmp(&(b.severity, b.code.as_str(), &b.tasks))
    });
    out
}

fn clean_opt(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn resolve_epic(plan: &Plan, prefix: &str) -> Result<String> {
    let j = plan.resolve(prefix)?;
    let e = plan.task(j);
    if !e.is_epic() {
        return Err(Error::Usage(format!(
            "the parent {} is {} task; a parent must be an epic",
            e.id,
            e.kind.with_article()
        )));
    }
    Ok(e.id.clone())
}

fn check_phase(plan: &Plan, phase: &str) -> Result<()> {
    if plan.catalog().resolve(phase).is_none() {
        let catalog = plan.catalog();
        let names: Vec<String> = catalog
            .workflows()
            .iter()
            .map(|w| {
                let ids: Vec<String> = w
                    .phases
                    .iter()
                    .map(|p| match p.repeat {
                        crate::model::workflow::Repeat::Once => p.id.clone(),
                        _ => format!("{}-N", p.id),
                    })
                    .collect();
                format!("{}: {}", w.label(), ids.join(", "))
            })
            .collect();
        return Err(Error::Usage(format!(
            "unknown phase `{phase}` (phases: {})",
            names.join("; ")
        )));
    }
    Ok(())
}

fn check_workflow(plan: &Plan, name: &str) -> Result<String> {
    let catalog = plan.catalog();
    let w = workflow_named(catalog, name)?;
    Ok(catalog.workflows()[w].label().to_string())
}

/// The index of the workflow called `name` (or one of its aliases) in
/// `catalog`; an unknown name is a wrong request naming the known ones.
pub fn workflow_named(catalog: &crate::model::workflow::Catalog, name: &str) -> Result<usize> {
    catalog.find(name).ok_or_else(|| {
        Error::request(
            format!(
                "unknown workflow `{name}` (workflows: {})",
                catalog
                    .workflows()
                    .iter()
                    .map(|w| w.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            crate::error::Remedy::SeeWorkflows,
        )
    })
}

/// The role a task in `phase` gets: the one given, else its title's marker
/// or type; none outside role-ordered phases.
fn role_for(
    plan: &Plan,
    phase: Option<&str>,
    given: Option<Role>,
    title: &str,
    kind: TaskType,
) -> Option<Role> {
    let slot = plan.catalog().resolve(phase?)?;
    if plan.catalog().phase(slot.phase).order != crate::model::workflow::Order::Roles {
        return None;
    }
    Some(given.unwrap_or_else(|| {
        place::title_role(title).unwrap_or(match kind {
            TaskType::Test => Role::Test,
            TaskType::Verify => Role::Verify,
            _ => Role::Impl,
        })
    }))
}

fn apply_one(
    plan: &mut Plan,
    op: Op,
    now: DateTime<Utc>,
    graph: Option<&Graph>,
) -> Result<Outcome> {
    match op {
        Op::Create(spec) => create(plan, spec, now),
        Op::Update { id, changes } => update(plan, &id, changes, now),
        Op::SetStatus {
            id,
            to,
            force,
            assignee,
            reason,
            commit,
        } => set_status(
            plan,
            &id,
            to,
            Extra {
                force,
                assignee,
                reason,
                commit,
            },
            now,
            graph,
        ),
        Op::AddNote { id, text } => add_note(plan, &id, text, now),
        Op::Delete { id, force } => delete(plan, &id, force),
        Op::AddDeps { id, on } => add_deps(plan, &id, &on, now),
        Op::RemoveDeps { id, on } => remove_deps(plan, &id, &on, now),
        Op::AddCommits { id, commits } => add_commits(plan, &id, commits, now),
        Op::Link { id, commit } => link(plan, &id, commit),
        Op::SetScanHead { head } => {
            let mut out = Outcome::about(Subject::ScanHead);
            out.changed = plan.scan_head() != Some(head.as_str());
            plan.set_scan_head(head);
            Ok(out)
        }
        Op::AddPhases(phases) => add_phases(plan, phases),
    }
}

/// What a status change carries besides its target.
struct Extra {
    force: bool,
    assignee: Option<String>,
    reason: Option<String>,
    commit: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::workflow::Workflow;

    fn create(title: &str, after: Vec<usize>) -> Op {
        Op::Create(NewTask {
            title: title.into(),
            issue: Some(1),
            phase: Some("impl".into()),
            if_missing: true,
            after,
            ..Default::default()
        })
    }

    #[test]
    fn later_creates_depend_on_earlier_ones_by_position() {
        let now = crate::model::now_millis();
        let ops = vec![create("GH#1: A", vec![]), create("GH#1: B", vec![0])];
        let (plan, out) = apply(Plan::empty(), ops, now).unwrap();
        let b = plan.task(plan.get(&out[1].id).unwrap());
        assert_eq!(b.depends_on, vec![out[0].id.clone()]);
        // Created in the order asked for.
        assert!(plan.task(plan.get(&out[0].id).unwrap()).created_at < b.created_at);
        // Re-applied: both exist, the reference resolves to the kept task.
        let ops = vec![create("GH#1: A", vec![]), create("GH#1: B", vec![0])];
        let (again, out2) = apply(plan.clone(), ops, now).unwrap();
        assert!(out2.iter().all(|o| !o.changed));
        assert_eq!(again.len(), 2);
        assert_eq!(out2[0].id, out[0].id);
    }

    #[test]
    fn a_reference_to_a_later_op_is_refused() {
        let now = crate::model::now_millis();
        let err = apply(Plan::empty(), vec![create("GH#1: A", vec![1])], now).unwrap_err();
        assert!(
            err.to_string().contains("not earlier in the batch"),
            "{err}"
        );
    }

    #[test]
    fn add_phases_appends_new_and_refuses_conflicts() {
        let now = crate::model::now_millis();
        let mut ship = Workflow::default().phases[0].clone();
        ship.id = "ship".into();
        ship.depends_on = vec!["docs".into()];
        let (plan, out) = apply(Plan::empty(), vec![Op::AddPhases(vec![ship])], now).unwrap();
        assert!(out[0].changed);
        assert_eq!(plan.workflow().phases.len(), 8);
        assert!(plan.file().workflow.is_some());

        // The default phases themselves change nothing.
        let same = Workflow::default().phases;
        let (plan2, out) = apply(Plan::empty(), vec![Op::AddPhases(same)], now).unwrap();
        assert!(!out[0].changed);
        assert!(plan2.file().workflow.is_none());

        let mut bad = Workflow::default().phases[1].clone();
        bad.depends_on.clear();
        let err = apply(Plan::empty(), vec![Op::AddPhases(vec![bad])], now).unwrap_err();
        assert!(
            err.to_string()
                .contains("phase `backup` depends on [analysis]"),
            "{err}"
        );
    }
}
