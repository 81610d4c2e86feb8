//! Mutations as values, applied to a plan all-or-nothing and checked by the
//! same rules whatever their origin. This is the one path every write takes.

pub mod place;

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::graph::plan::Plan;
use crate::model::workflow::Phase;
use crate::model::{Forced, Role, Status, Task, TaskType, title_issue};
use crate::validate::{self, Problem, Severity};

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
    /// The full id of the task the op was about.
    pub id: String,
    /// False when the op found nothing to change (idempotent repeats).
    pub changed: bool,
    /// Things the user should be told (inferred phase, forced rules, ...).
    pub notes: Vec<String>,
}

impl Outcome {
    fn new(id: &str) -> Outcome {
        Outcome {
            id: id.to_string(),
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
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The verdict only ([`apply_known`]).
    Verdict,
    /// The verdict, the graph and every problem, incrementally.
    Tracked,
    /// As `Tracked`, re-checking the whole store.
    Full,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Batch {
    /// Statuses, commits, the scan bookmark: no edge changes.
    StatusOnly,
    /// New tasks, none an epic.
    Creates,
    Other,
}

fn apply_inner(
    mut plan: Plan,
    before: &[Problem],
    graph: Option<Graph>,
    ops: Vec<Op>,
    now: DateTime<Utc>,
    mode: Mode,
) -> Result<Applied> {
    let track = mode != Mode::Verdict;
    let incremental = mode != Mode::Full;
    let batch = if ops.iter().all(|op| {
        matches!(
            op,
            Op::SetStatus { .. } | Op::AddCommits { .. } | Op::Link { .. } | Op::SetScanHead { .. }
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
    let mut graph = graph;
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
        let g = graph.as_ref();
        outcomes.push(apply_one(&mut plan, op, at, g)?);
        if batch != Batch::StatusOnly {
            graph = None;
        }
    }
    let errors_before: HashSet<&Problem> = before
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    let has_errors = !errors_before.is_empty();
    let duplicates = before.iter().any(|p| p.code == "duplicate-id");
    // A write saves the canonical order; the graph is built for it. Not
    // when the store already has errors: the messages of some (which of
    // two duplicates is "first", where a cycle starts) follow the order of
    // the tasks, and a re-sort must not make an old error look new. The
    // write then sorts on its own and keeps no snapshot.
    let resorted = track && !has_errors && plan.sort_canonical_changed();
    let (graph, problems, new_errors) = match batch {
        // No error-level rule looks at statuses, assignees, commits or the
        // scan bookmark (they are about ids, references, phases and the
        // shape of the graph), so a batch that changes only those cannot
        // add an error. A proptest checks that premise.
        Batch::StatusOnly if !track => return Ok(untracked(plan, outcomes)),
        Batch::StatusOnly if incremental && !duplicates && graph.is_some() && !resorted => {
            let graph = graph.unwrap_or_else(|| Graph::build(&plan));
            let changed = touched(&plan, &outcomes);
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
            let fresh = validate::check_scoped(&plan, &graph, &scope);
            let problems = merge(before, &plan, &scope, fresh);
            (graph, problems, Vec::new())
        }
        Batch::Creates if incremental && !has_errors && !duplicates => {
            let graph = Graph::build(&plan);
            match creates_scope(&plan, &graph, &outcomes, old_len) {
                Some(scope) => {
                    let fresh = validate::check_scoped(&plan, &graph, &scope);
                    let new: Vec<Problem> = fresh
                        .iter()
                        .filter(|p| p.severity == Severity::Error && !errors_before.contains(p))
                        .cloned()
                        .collect();
                    let problems = if track && new.is_empty() {
                        merge(before, &plan, &scope, fresh)
                    } else {
                        Vec::new()
                    };
                    (graph, problems, new)
                }
                None => full(&plan, graph, &errors_before),
            }
        }
        Batch::StatusOnly => {
            let graph = Graph::build(&plan);
            let problems = validate::check(&plan, &graph);
            (graph, problems, Vec::new())
        }
        _ => full(&plan, Graph::build(&plan), &errors_before),
    };
    if !new_errors.is_empty() {
        // Phase-order problems explain themselves better than the cycle
        // they may also close, so they come first.
        let mut new = new_errors;
        new.sort_by_key(|p| p.code != "phase-order");
        let first = &new[0];
        let mut msg = match first.code {
            "cycle" => format!("refused: this change would create a {}", first.message),
            _ => format!("refused: {}", first.message),
        };
        for more in &new[1..] {
            msg.push_str(&format!("\nand: {}", more.message));
        }
        return Err(Error::rule(msg, first.tasks.clone()));
    }
    Ok(Applied {
        plan,
        outcomes,
        graph,
        problems,
    })
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
    let groups: HashSet<crate::graph::plan::Group> = new
        .iter()
        .filter_map(|&i| plan.group(plan.task(i)))
        .collect();
    let mut changed = new.clone();
    if !groups.is_empty() {
        changed.extend((0..n).filter(|&i| {
            plan.group(plan.task(i))
                .is_some_and(|g| groups.contains(&g))
        }));
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
            !matches!(p.code, "workflow" | "cycle")
                && !p
                    .tasks
                    .first()
                    .and_then(|id| plan.get(id))
                    .is_some_and(|i| scope[i])
        })
        .cloned()
        .collect();
    out.extend(fresh);
    out.sort_by(|a, b| (a.severity, a.code, &a.tasks).cmp(&(b.severity, b.code, &b.tasks)));
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
            "--parent {} is a {} task; a parent must be an epic",
            e.id, e.kind
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
    match catalog.find(name) {
        Some(w) => Ok(catalog.workflows()[w].label().to_string()),
        None => Err(Error::Usage(format!(
            "unknown workflow `{name}` (workflows: {}; see `wm tasks workflows`)",
            catalog
                .workflows()
                .iter()
                .map(|w| w.label())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
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
        } => set_status(plan, &id, to, force, assignee, now, graph),
        Op::Delete { id, force } => delete(plan, &id, force),
        Op::AddDeps { id, on } => add_deps(plan, &id, &on, now),
        Op::RemoveDeps { id, on } => remove_deps(plan, &id, &on, now),
        Op::AddCommits { id, commits } => add_commits(plan, &id, commits, now),
        Op::Link { id, commit } => link(plan, &id, commit),
        Op::SetScanHead { head } => {
            let mut out = Outcome::new("");
            out.changed = plan.scan_head() != Some(head.as_str());
            plan.set_scan_head(head);
            Ok(out)
        }
        Op::AddPhases(phases) => add_phases(plan, phases),
    }
}

fn create(plan: &mut Plan, spec: NewTask, now: DateTime<Utc>) -> Result<Outcome> {
    let title = spec.title.trim().to_string();
    if title.is_empty() {
        return Err(Error::Usage("a task needs a non-empty --title".into()));
    }
    let kind = spec.kind.unwrap_or(TaskType::Task);
    let mut notes = Vec::new();
    let issue = match (spec.issue, title_issue(&title)) {
        (Some(n), Some(m)) if n != m => {
            return Err(Error::Usage(format!(
                "the title says GH#{m} but --issue is {n}; make them agree"
            )));
        }
        (Some(n), _) => Some(n),
        (None, Some(m)) => {
            notes.push(format!("issue #{m} taken from the title"));
            Some(m)
        }
        (None, None) => None,
    };

    if spec.if_missing
        && let Some(t) = plan
            .tasks()
            .iter()
            .find(|t| t.issue == issue && t.title == title)
    {
        return Ok(Outcome {
            id: t.id.clone(),
            changed: false,
            notes: vec![format!("already exists: {} \"{}\"", t.id, t.title)],
        });
    }

    let parent = match clean_opt(spec.parent) {
        Some(p) => Some(resolve_epic(plan, &p)?),
        None => None,
    };
    let workflow = match clean_opt(spec.workflow) {
        Some(w) if kind == TaskType::Epic => Some(check_workflow(plan, &w)?),
        Some(_) => {
            return Err(Error::Usage(
                "only an epic carries a workflow (create it with --type=epic --workflow NAME, or \
                 change an issue's with `wm tasks update EPIC --workflow NAME`)"
                    .into(),
            ));
        }
        None => None,
    };
    let mut moves = Vec::new();
    let (phase, role) = match clean_opt(spec.phase) {
        Some(p) => {
            if kind == TaskType::Epic {
                return Err(Error::Usage(
                    "epics have no phase; they contain the phases of their issue".into(),
                ));
            }
            check_phase(plan, &p)?;
            let role = role_for(plan, Some(&p), spec.role, &title, kind);
            (Some(p), role)
        }
        None if kind == TaskType::Epic || spec.no_infer => (None, None),
        None => {
            let placed = place::place(plan, &title, kind, issue, parent.as_deref());
            notes.extend(placed.notes);
            moves = placed.moves;
            let role = match (placed.role, spec.role) {
                (Some(_), Some(given)) => Some(given),
                (r, _) => r,
            };
            (placed.phase, role)
        }
    };
    let mut depends_on = Vec::new();
    for d in &spec.depends_on {
        let j = plan.resolve(d)?;
        let id = plan.task(j).id.clone();
        if !depends_on.contains(&id) {
            depends_on.push(id);
        }
    }
    let mut labels: Vec<String> = Vec::new();
    for l in spec.labels {
        let l = l.trim().to_string();
        if !l.is_empty() && !labels.contains(&l) {
            labels.push(l);
        }
    }

    let id = plan.new_id()?;
    let mut task = Task::new(id.clone(), title, kind, now);
    task.issue = issue;
    task.phase = phase;
    task.role = role;
    task.workflow = workflow;
    task.parent = parent;
    task.depends_on = depends_on;
    task.labels = labels;
    task.assignee = clean_opt(spec.assignee);
    task.description = spec.description.filter(|d| !d.trim().is_empty());
    task.estimate = clean_estimate(spec.estimate)?;
    if spec.completed {
        task.status = Status::Completed;
        task.closed_at = Some(now);
    }
    if let Some(s) = spec.status {
        task.status = s;
        task.closed_at = s.is_settled().then_some(now);
    }
    plan.push(task);
    for (k, phase) in moves {
        let t = plan.task_mut(k);
        t.phase = Some(phase);
        t.updated_at = now;
    }
    Ok(Outcome {
        id,
        changed: true,
        notes,
    })
}

/// Validate an estimate and store it in its shortest form (`120m` -> `2h`);
/// empty means none.
fn clean_estimate(e: Option<String>) -> Result<Option<String>> {
    match e.map(|e| e.trim().to_string()).filter(|e| !e.is_empty()) {
        None => Ok(None),
        Some(e) => {
            let minutes = crate::model::parse_estimate(&e).map_err(Error::Usage)?;
            Ok(Some(crate::model::format_estimate(minutes)))
        }
    }
}

fn add_phases(plan: &mut Plan, phases: Vec<Phase>) -> Result<Outcome> {
    let mut wf = plan.workflow().clone();
    let mut out = Outcome::new("workflow");
    out.changed = false;
    for p in phases {
        match wf.get(&p.id) {
            Some(have) => {
                let mut a = have.depends_on.clone();
                let mut b = p.depends_on.clone();
                a.sort();
                b.sort();
                if a != b {
                    return Err(Error::Usage(format!(
                        "phase `{}` depends on [{}] in the store's workflow but on [{}] here; \
                         rename the phase or make them agree",
                        p.id,
                        have.depends_on.join(", "),
                        p.depends_on.join(", ")
                    )));
                }
            }
            None => {
                out.notes
                    .push(format!("added phase `{}` to the store's workflow", p.id));
                wf.phases.push(p);
                out.changed = true;
            }
        }
    }
    if out.changed {
        wf.validate()
            .map_err(|e| Error::Usage(format!("the merged workflow is invalid: {e}")))?;
        plan.set_workflow(Some(wf));
    }
    Ok(out)
}

fn update(plan: &mut Plan, id: &str, c: Changes, now: DateTime<Utc>) -> Result<Outcome> {
    let i = plan.resolve(id)?;
    let parent = match c.parent {
        Some(Some(p)) => Some(Some(resolve_epic(plan, &p)?)),
        other => other,
    };
    if let Some(Some(p)) = &c.phase {
        check_phase(plan, p)?;
    }
    let workflow = match c.workflow {
        Some(Some(w)) => Some(Some(check_workflow(plan, &w)?)),
        other => other,
    };
    let estimate = match c.estimate {
        Some(e) => Some(clean_estimate(e)?),
        None => None,
    };
    let before = plan.task(i).clone();
    let t = plan.task_mut(i);
    if let Some(e) = estimate {
        t.estimate = e;
    }
    if let Some(title) = c.title {
        let title = title.trim().to_string();
        if title.is_empty() {
            return Err(Error::Usage("the title cannot be empty".into()));
        }
        t.title = title;
    }
    if let Some(k) = c.kind {
        t.kind = k;
    }
    let phase_changed = c.phase.as_ref().is_some_and(|p| *p != t.phase);
    if let Some(p) = c.phase {
        t.phase = p;
    }
    if let Some(w) = &workflow {
        if !t.is_epic() {
            return Err(Error::Usage(
                "only an epic carries a workflow; pass the epic of the issue".into(),
            ));
        }
        t.workflow = w.clone();
    }
    if let Some(n) = c.issue {
        t.issue = n;
    }
    if let Some(p) = parent {
        t.parent = p;
    }
    if let Some(a) = c.assignee {
        t.assignee = clean_opt(a);
    }
    if let Some(d) = c.description {
        t.description = d.filter(|d| !d.trim().is_empty());
    }
    for l in c.add_labels {
        let l = l.trim().to_string();
        if !l.is_empty() && !t.labels.contains(&l) {
            t.labels.push(l);
        }
    }
    t.labels.retain(|l| !c.remove_labels.contains(l));
    if t.is_epic() && t.phase.is_some() {
        return Err(Error::Usage("epics have no phase".into()));
    }
    if c.role.is_some() || phase_changed {
        let (phase, title, kind) = (t.phase.clone(), t.title.clone(), t.kind);
        let given = match c.role {
            Some(r) => r,
            None => before.role,
        };
        let role = role_for(plan, phase.as_deref(), given, &title, kind);
        if c.role.is_some_and(|r| r.is_some()) && role.is_none() {
            return Err(Error::Usage(format!(
                "a role only means something in a phase ordered by roles (test -> impl -> verify); \
                 phase `{}` is not one",
                phase.unwrap_or_default()
            )));
        }
        plan.task_mut(i).role = role;
    }
    let mut moved = Vec::new();
    if workflow.is_some()
        && let Some(n) = plan.task(i).issue
    {
        for (k, phase, role) in place::replan(plan, n) {
            let t = plan.task_mut(k);
            moved.push(format!(
                "{}: {} -> {}",
                t.id,
                t.phase.as_deref().unwrap_or("-"),
                phase.as_deref().unwrap_or("-")
            ));
            t.phase = phase;
            t.role = role;
            t.updated_at = now;
        }
    }
    let t = plan.task_mut(i);
    let mut out = Outcome::new(&t.id);
    if !moved.is_empty() {
        out.notes.push(format!(
            "placed the issue's tasks again: {}",
            moved.join(", ")
        ));
    }
    if *t == before {
        out.changed = false;
        out.notes.push("nothing to change".into());
    } else {
        t.updated_at = now;
        if let Some(n) = Plan::title_issue_mismatch(t) {
            out.notes.push(format!(
                "warning: the title says GH#{n} but the task is for issue {}",
                t.issue.unwrap_or_default()
            ));
        }
    }
    Ok(out)
}

fn set_status(
    plan: &mut Plan,
    id: &str,
    to: Transition,
    force: bool,
    assignee: Option<String>,
    now: DateTime<Utc>,
    graph: Option<&Graph>,
) -> Result<Outcome> {
    let i = plan.resolve(id)?;
    let t = plan.task(i);
    let tid = t.id.clone();
    let from = t.status;
    let target = to.target();
    let mut out = Outcome::new(&tid);

    if from == target && assignee.is_none() {
        out.changed = false;
        out.notes.push(format!("{tid} is already {target}"));
        return Ok(out);
    }
    match (to, from) {
        (Transition::Start, Status::Completed | Status::Cancelled)
        | (Transition::Done, Status::Cancelled) => {
            return Err(Error::rule(
                format!(
                    "cannot {} {tid}: it is {from}; `wm tasks reopen {tid}` first",
                    to.verb()
                ),
                vec![tid],
            ));
        }
        (Transition::Reopen, Status::Pending) => {}
        _ => {}
    }

    let mut skipped: Vec<String> = Vec::new();
    if matches!(to, Transition::Start | Transition::Done) {
        let built;
        let graph = match graph {
            Some(g) => g,
            None => {
                built = Graph::build(plan);
                &built
            }
        };
        if !graph.is_acyclic() {
            let p = validate::check(plan, graph)
                .into_iter()
                .find(|p| p.code == "cycle");
            return Err(Error::Usage(format!(
                "cannot {} {tid} while the graph has a cycle: {}",
                to.verb(),
                p.map(|p| p.message).unwrap_or_default()
            )));
        }
        let open = graph.unsettled_deps(plan, i);
        if !open.is_empty() {
            let list: Vec<String> = open
                .iter()
                .map(|&j| {
                    let d = plan.task(j);
                    format!("{} ({}, \"{}\")", d.id, d.status, d.title)
                })
                .collect();
            let reason = format!("unfinished dependencies: {}", list.join(", "));
            if !force {
                return Err(Error::rule(
                    format!(
                        "cannot {} {tid}: {reason}.\nFinish them first (`wm tasks why {tid}`), \
                         or pass --force to record an override.",
                        to.verb()
                    ),
                    std::iter::once(tid)
                        .chain(open.iter().map(|&j| plan.task(j).id.clone()))
                        .collect(),
                ));
            }
            skipped.push(reason);
        }
        if to == Transition::Done && plan.task(i).is_epic() {
            let open: Vec<usize> = graph
                .children(i)
                .iter()
                .copied()
                .filter(|&c| plan.task(c).status.is_open())
                .collect();
            if !open.is_empty() {
                let list: Vec<String> = open
                    .iter()
                    .map(|&c| format!("{} ({})", plan.task(c).id, plan.task(c).status))
                    .collect();
                let reason = format!("open children: {}", list.join(", "));
                if !force {
                    return Err(Error::rule(
                        format!(
                            "cannot complete epic {tid}: {reason}.\nComplete or cancel them \
                             first, or pass --force to record an override."
                        ),
                        std::iter::once(tid)
                            .chain(open.iter().map(|&c| plan.task(c).id.clone()))
                            .collect(),
                    ));
                }
                skipped.push(reason);
            }
        }
    }

    let t = plan.task_mut(i);
    t.status = target;
    t.updated_at = now;
    t.closed_at = if target.is_settled() { Some(now) } else { None };
    if let Some(a) = assignee {
        t.assignee = Some(a);
    }
    for reason in skipped {
        out.notes
            .push(format!("forced past {reason}; recorded on the task"));
        t.forced.push(Forced {
            at: now,
            to: target,
            reason,
        });
    }
    Ok(out)
}

fn delete(plan: &mut Plan, id: &str, force: bool) -> Result<Outcome> {
    let i = plan.resolve(id)?;
    let tid = plan.task(i).id.clone();
    let dependents: Vec<usize> = (0..plan.len())
        .filter(|&j| plan.task(j).depends_on.contains(&tid))
        .collect();
    let children: Vec<usize> = (0..plan.len())
        .filter(|&j| plan.task(j).parent.as_deref() == Some(tid.as_str()))
        .collect();
    if !force && (!dependents.is_empty() || !children.is_empty()) {
        let mut why = Vec::new();
        if !dependents.is_empty() {
            why.push(format!(
                "{} {} on it",
                dependents
                    .iter()
                    .map(|&j| plan.task(j).id.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                if dependents.len() == 1 {
                    "depends"
                } else {
                    "depend"
                }
            ));
        }
        if !children.is_empty() {
            why.push(format!(
                "{} name it as parent",
                children
                    .iter()
                    .map(|&j| plan.task(j).id.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        return Err(Error::rule(
            format!(
                "cannot delete {tid}: {}.\nPass --force to delete it and remove those references.",
                why.join("; ")
            ),
            std::iter::once(tid.clone())
                .chain(
                    dependents
                        .iter()
                        .chain(&children)
                        .map(|&j| plan.task(j).id.clone()),
                )
                .collect(),
        ));
    }
    let mut out = Outcome::new(&tid);
    for &j in &dependents {
        let t = plan.task_mut(j);
        t.depends_on.retain(|d| d != &tid);
        out.notes
            .push(format!("removed the dependency of {} on {tid}", t.id));
    }
    for &j in &children {
        let t = plan.task_mut(j);
        t.parent = None;
        out.notes.push(format!("cleared the parent of {}", t.id));
    }
    plan.remove(i);
    Ok(out)
}

fn add_deps(plan: &mut Plan, id: &str, on: &[String], now: DateTime<Utc>) -> Result<Outcome> {
    let i = plan.resolve(id)?;
    let mut ids = Vec::new();
    for d in on {
        let j = plan.resolve(d)?;
        if j == i {
            return Err(Error::rule(
                format!("a task cannot depend on itself ({})", plan.task(i).id),
                vec![plan.task(i).id.clone()],
            ));
        }
        ids.push(plan.task(j).id.clone());
    }
    let t = plan.task_mut(i);
    let mut out = Outcome::new(&t.id);
    out.changed = false;
    for d in ids {
        if t.depends_on.contains(&d) {
            out.notes.push(format!("{} already depends on {d}", t.id));
        } else {
            t.depends_on.push(d);
            out.changed = true;
        }
    }
    if out.changed {
        t.updated_at = now;
    }
    Ok(out)
}

fn add_commits(
    plan: &mut Plan,
    id: &str,
    commits: Vec<String>,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let i = plan.resolve(id)?;
    let t = plan.task_mut(i);
    let mut out = Outcome::new(&t.id);
    out.changed = false;
    for c in commits {
        let c = c.trim().to_string();
        if c.is_empty() {
            continue;
        }
        if t.commits.contains(&c) {
            out.notes
                .push(format!("{} is already linked to {}", t.id, c));
        } else {
            t.commits.push(c);
            out.changed = true;
        }
    }
    if out.changed {
        t.updated_at = now;
    }
    Ok(out)
}

fn link(plan: &mut Plan, id: &str, commit: String) -> Result<Outcome> {
    let i = plan.resolve(id)?;
    let t = plan.task_mut(i);
    let mut out = Outcome::new(&t.id);
    if t.commits.contains(&commit) {
        out.changed = false;
        out.notes
            .push(format!("{} is already linked to {}", short(&commit), t.id));
    } else {
        t.commits.push(commit);
    }
    Ok(out)
}

/// The 7-character form of a sha people read.
fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

fn remove_deps(plan: &mut Plan, id: &str, on: &[String], now: DateTime<Utc>) -> Result<Outcome> {
    let i = plan.resolve(id)?;
    // `--on` may name a task that no longer exists (a dangling edge being
    // repaired), so match it against the task's own list first.
    let mut targets = Vec::new();
    for d in on {
        let t = plan.task(i);
        if t.depends_on.iter().any(|x| x == d) {
            targets.push(d.clone());
            continue;
        }
        let matching: Vec<&String> = t
            .depends_on
            .iter()
            .filter(|x| x.starts_with(d.as_str()))
            .collect();
        match matching.as_slice() {
            [one] => targets.push((*one).clone()),
            [] => {
                let j = plan.resolve(d)?;
                let (dep, derived) = {
                    let g = Graph::build(plan);
                    (
                        plan.task(j).id.clone(),
                        g.deps(i).iter().any(|&(k, _)| k == j),
                    )
                };
                let why = if derived {
                    format!(
                        "{} does not list {dep} in depends_on; that edge is derived from the phases \
                         (change a phase with `wm tasks update --phase`)",
                        t.id
                    )
                } else {
                    format!("{} does not depend on {dep}", t.id)
                };
                return Err(Error::Usage(why));
            }
            _ => {
                return Err(Error::AmbiguousId {
                    prefix: d.clone(),
                    candidates: matching
                        .iter()
                        .map(|m| ((*m).clone(), String::new()))
                        .collect(),
                });
            }
        }
    }
    let t = plan.task_mut(i);
    let n = t.depends_on.len();
    t.depends_on.retain(|d| !targets.contains(d));
    let mut out = Outcome::new(&t.id);
    out.changed = t.depends_on.len() != n;
    if out.changed {
        t.updated_at = now;
    }
    Ok(out)
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
