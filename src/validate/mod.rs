//! Whole-store validation, shared by every load, by `wm tasks check`, and by
//! every write (a write may not introduce a new error).

use foldhash::HashMap;

use crate::graph::Graph;
use crate::graph::plan::Plan;
use crate::model::valid_id;

pub use crate::model::problem::{Code, Fix, Problem, Severity};

/// All problems of a plan, errors first, in a stable order.
pub fn check(plan: &Plan, graph: &Graph) -> Vec<Problem> {
    check_in(plan, graph, None)
}

/// The problems whose offending task (the first of [`Problem::tasks`]) is
/// one of `scope` (indexes into `plan`), plus the whole-store ones (the
/// workflow, every cycle of `graph`), in the order of [`check`]. A rule
/// runs only for the tasks in scope, so the cost follows the scope, not the
/// store: an incremental check after a write passes the tasks the write
/// could have affected (see `ops::apply_tracked`), and keeps the problems
/// of every other task from before.
pub fn check_scoped(plan: &Plan, graph: &Graph, scope: &[bool]) -> Vec<Problem> {
    check_in(plan, graph, Some(scope))
}

fn check_in(plan: &Plan, graph: &Graph, scope: Option<&[bool]>) -> Vec<Problem> {
    let mut out = Vec::new();
    let wf = plan.workflow();
    // Tasks one at a time, and only the facts where they do: a plan
    // restored from a snapshot then decodes only the tasks in scope.
    let n = plan.len();
    let id = |i: usize| plan.id(i).to_string();
    let in_scope = |i: usize| scope.is_none_or(|s| s.get(i).copied().unwrap_or(false));
    // The tasks the per-task rules visit: all of them, or the scope's.
    let visit: Vec<usize> = match scope {
        None => (0..n).collect(),
        Some(s) => (0..n)
            .filter(|&i| s.get(i).copied().unwrap_or(false))
            .collect(),
    };

    if let Err(e) = wf.validate() {
        out.push(Problem::error(
            Code::Workflow,
            format!("workflow: {e}"),
            vec![],
        ));
    }

    // The index keeps the first task of each id: a later one is a duplicate.
    // (Without a scope, a map of its own, as the index may be stale.)
    let mut seen: HashMap<&str, usize> = HashMap::default();
    for &i in &visit {
        let t = plan.task(i);
        let first = if scope.is_some() {
            plan.get(&t.id).filter(|&f| f < i)
        } else {
            seen.get(t.id.as_str()).copied()
        };
        if let Some(first) = first {
            out.push(Problem::error(
                Code::DuplicateId,
                format!(
                    "id `{}` is used by two tasks: \"{}\" and \"{}\"; give one of them a new id",
                    t.id,
                    plan.title(first),
                    t.title
                ),
                vec![t.id.clone()],
            ));
        } else if scope.is_none() {
            seen.insert(&t.id, i);
        }
        if !valid_id(&t.id) {
            out.push(Problem::error(
                Code::InvalidId,
                format!(
                    "id `{}` is not valid: use 1-64 letters, digits, `-`, `_` or `.`",
                    t.id
                ),
                vec![t.id.clone()],
            ));
        }
        if t.title.trim().is_empty() {
            out.push(Problem::error(
                Code::EmptyTitle,
                format!("task {} has an empty title", t.id),
                vec![t.id.clone()],
            ));
        }
        if let Some(p) = &t.phase
            && plan.catalog().resolve(p).is_none()
        {
            out.push(Problem::error(
                Code::UnknownPhase,
                format!(
                    "task {} has phase `{p}`, which the workflow does not define (phases: {})",
                    t.id,
                    wf.ids().join(", ")
                ),
                vec![t.id.clone()],
            ));
        }
        if let Some(p) = &t.parent {
            match plan.get(p) {
                None => out.push(Problem::error(
                    Code::DanglingParent,
                    format!("task {} has parent `{p}`, which does not exist", t.id),
                    vec![t.id.clone(), p.clone()],
                )),
                Some(j) if !plan.is_epic(j) => out.push(Problem::error(
                    Code::ParentNotEpic,
                    format!(
                        "task {} has parent {p}, which is {} task, not an epic",
                        t.id,
                        plan.kind(j).with_article()
                    ),
                    vec![t.id.clone(), p.clone()],
                )),
                _ => {}
            }
        }
        if let Some(e) = &t.estimate
            && let Err(msg) = crate::model::parse_estimate(e)
        {
            out.push(
                Problem::warning(
                    Code::BadEstimate,
                    format!("task {}: {msg}", t.id),
                    vec![t.id.clone()],
                )
                .with_fix(Fix::Estimate { task: t.id.clone() }),
            );
        }
        if let Some(n) = Plan::title_issue_mismatch(t) {
            out.push(Problem::warning(
                Code::IssueMismatch,
                format!(
                    "task {} is for issue {} but its title says GH#{n}",
                    t.id,
                    t.issue.unwrap_or_default()
                ),
                vec![t.id.clone()],
            ));
        }
    }

    // The same title twice in one issue (and type): usually a plan run twice.
    // Sized once: growing a table this big page by page costs more than
    // the lookups.
    // A scoped check reports a duplicate by its later task, and the two
    // share an issue: only the issues of the tasks in scope need looking at.
    // (foldhash, not std's SipHash: this is asked for every task of the
    // store, and SipHash was a tenth of a 10,000-task create.)
    let issues: Option<foldhash::HashSet<Option<u64>>> =
        scope.map(|_| visit.iter().map(|&i| plan.issue(i)).collect());
    let mut titles: HashMap<(Option<u64>, &str, crate::model::TaskType), usize> =
        HashMap::with_capacity_and_hasher(
            if issues.is_some() { 64 } else { n },
            Default::default(),
        );
    // In a sorted plan each issue's tasks are one run, found by binary
    // search: a create's check reads a few dozen tasks' issues, not all
    // 10,000 (0.55 M instructions, 2026-12-04). Runs in task order, so
    // duplicates are found as a scan of every task finds them.
    let ranges: Vec<std::ops::Range<usize>> = match &issues {
        Some(s) if plan.known_sorted() => {
            let mut r: Vec<_> = s.iter().map(|&k| plan.maybe_with_issue(k)).collect();
            r.sort_by_key(|r| r.start);
            r
        }
        _ => std::iter::once(0..n).collect(),
    };
    for i in ranges.into_iter().flatten() {
        if issues.as_ref().is_some_and(|s| !s.contains(&plan.issue(i))) {
            continue;
        }
        let f = plan.facts(i);
        if let Some(p) = f.priority
            && p > crate::model::MAX_PRIORITY
        {
            out.push(
                Problem::warning(
                    Code::BadPriority,
                    format!(
                        "task {} has priority {p}; priorities are 0 (most urgent) to 4",
                        plan.id(i)
                    ),
                    vec![id(i)],
                )
                .with_fix(Fix::Priority { task: id(i) }),
            );
        }
        let key = (f.issue, plan.title(i).trim(), f.kind);
        match titles.get(&key) {
            Some(&first) => out.push(
                Problem::warning(
                    Code::DuplicateTitle,
                    format!(
                        "tasks {} and {} of {} are both {} \"{}\" (a plan run twice?)",
                        plan.id(first),
                        plan.id(i),
                        f.issue
                            .map(|n| format!("issue #{n}"))
                            .unwrap_or_else(|| "no issue".into()),
                        f.kind,
                        key.1
                    ),
                    // The extra one is the offending task (first).
                    vec![id(i), id(first)],
                )
                .with_fix(Fix::Delete { task: id(i) }),
            ),
            None => {
                titles.insert(key, i);
            }
        }
    }

    for (i, missing) in graph.dangling() {
        if !in_scope(*i) {
            continue;
        }
        out.push(
            Problem::error(
                Code::DanglingDependency,
                format!(
                    "task {} depends on `{missing}`, which does not exist",
                    id(*i)
                ),
                vec![id(*i), missing.clone()],
            )
            .with_fix(Fix::RemoveEdge {
                task: id(*i),
                on: missing.clone(),
            }),
        );
    }

    for cycle in graph.cycles() {
        let path: Vec<String> = cycle.iter().map(|&i| id(i)).collect();
        let mut explicit: Vec<(String, String)> = cycle
            .windows(2)
            .filter(|w| {
                plan.task(w[0])
                    .depends_on
                    .iter()
                    .any(|d| d == plan.id(w[1]))
            })
            .map(|w| (id(w[0]), id(w[1])))
            .collect();
        // A long cycle (a hostile or generated store) is shown by its ends:
        // a message of 100,000 ids helps nobody.
        let shown = if path.len() > 12 {
            format!(
                "{} -> ... ({} more) ... -> {}",
                path[..8].join(" -> "),
                path.len() - 10,
                path[path.len() - 2..].join(" -> ")
            )
        } else {
            path.join(" -> ")
        };
        let mut p = Problem::error(
            Code::Cycle,
            format!(
                "dependency cycle of {} tasks: {shown} (each depends on the next)",
                path.len() - 1
            ),
            path[..path.len().saturating_sub(1)].to_vec(),
        );
        if !explicit.is_empty() {
            // Three edges to choose from are enough; the rest are counted.
            let more = explicit.len().saturating_sub(3);
            explicit.truncate(3);
            p = p.with_fix(Fix::BreakCycle {
                edges: explicit,
                more,
            });
        }
        out.push(p);
    }

    // Explicit edges against the phase order, within one issue.
    let catalog = plan.catalog();
    for &i in &visit {
        let t = plan.task(i);
        let (Some(sa), Some(ga)) = (plan.slot(i), plan.group(t)) else {
            continue;
        };
        for d in &t.depends_on {
            let Some(j) = plan.get(d) else { continue };
            let u = plan.task(j);
            if let Some(sb) = plan.slot(j)
                && plan.group(u).as_ref() == Some(&ga)
                && catalog.precedes(sa, sb)
            {
                let (pa, pb) = (catalog.stored(sa), catalog.stored(sb));
                out.push(
                    Problem::error(
                        Code::PhaseOrder,
                        format!(
                            "task {} ({pa}) depends on {} ({pb}), but {pb} comes after {pa} in the \
                         workflow",
                            t.id, u.id
                        ),
                        vec![id(i), id(j)],
                    )
                    .with_fix(Fix::RemoveEdgeOrMove {
                        task: t.id.clone(),
                        on: u.id.clone(),
                    }),
                );
            }
        }
    }

    // Verification before work: a baseline exists to find a broken base
    // before anything is built on it, so it must never wait for the work.
    for &i in &visit {
        let t = plan.task(i);
        let Some(s) = plan.slot(i) else { continue };
        if catalog.phase(s.phase).absorb || t.depends_on.is_empty() {
            continue;
        }
        // Iterative walk over every dependency of the baseline task.
        let mut seen = vec![false; n];
        let mut stack: Vec<usize> = graph.deps(i).iter().map(|&(j, _)| j).collect();
        let mut found = None;
        while let Some(j) = stack.pop() {
            if std::mem::replace(&mut seen[j], true) {
                continue;
            }
            if let Some(sj) = plan.slot(j)
                && sj.phase != s.phase
                && plan.group_of(j) == plan.group(t)
            {
                found = Some(j);
                break;
            }
            stack.extend(graph.deps(j).iter().map(|&(k, _)| k));
        }
        if let Some(j) = found {
            let p = catalog.stored(s);
            out.push(
                Problem::error(
                    Code::BaselineAfterWork,
                    format!(
                        "task {} ({p}) waits for {} ({}): a {p} task must come before the work it \
                         checks, never after it",
                        t.id,
                        plan.id(j),
                        plan.slot(j).map(|x| catalog.stored(x)).unwrap_or_default()
                    ),
                    vec![id(i), id(j)],
                )
                .with_fix(Fix::LeavePhase {
                    task: t.id.clone(),
                    phase: p.to_string(),
                }),
            );
        }
    }

    // A verification in a gated phase that gates nothing: the work after it
    // can start without it.
    for &i in &visit {
        let t = plan.task(i);
        let Some(s) = plan.slot(i) else { continue };
        if catalog.phase(s.phase).order != crate::model::workflow::Order::Roles
            || crate::graph::derive::role_of(t) != crate::model::Role::Verify
            || t.status.is_settled()
            || !graph.dependents(i).is_empty()
        {
            continue;
        }
        let group = plan.group(t);
        let later = (0..n).any(|k| {
            plan.slot(k).is_some_and(|x| catalog.precedes(s, x)) && plan.group_of(k) == group
        });
        if later {
            out.push(
                Problem::warning(
                    Code::UngatedVerify,
                    format!(
                        "task {} verifies phase {} but nothing waits for it: the work after that \
                         phase can start before it",
                        t.id,
                        catalog.stored(s)
                    ),
                    vec![id(i)],
                )
                .with_fix(Fix::Gate { task: t.id.clone() }),
            );
        }
    }

    // Consistency of statuses (warnings: a forced transition can cause them).
    for &i in &visit {
        let t = plan.task(i);
        if t.status == crate::model::Status::Completed {
            let open: Vec<String> = graph.unsettled_deps(plan, i).into_iter().map(id).collect();
            if !open.is_empty() {
                out.push(Problem::warning(
                    Code::CompletedBeforeDependencies,
                    format!(
                        "task {} is completed but depends on unfinished {}",
                        t.id,
                        open.join(", ")
                    ),
                    std::iter::once(t.id.clone()).chain(open).collect(),
                ));
            }
            if t.is_epic() {
                let open: Vec<String> = graph
                    .children(i)
                    .iter()
                    .copied()
                    .filter(|&c| plan.status(c).is_open())
                    .map(id)
                    .collect();
                if !open.is_empty() {
                    out.push(Problem::warning(
                        Code::EpicOpenChildren,
                        format!(
                            "epic {} is completed but has open children {}",
                            t.id,
                            open.join(", ")
                        ),
                        std::iter::once(t.id.clone()).chain(open).collect(),
                    ));
                }
            }
        }
    }

    // A scoped check reports only what it was asked about: the problems
    // whose offending task is in scope, and the whole-store ones. (A rule
    // that compares tasks may find a problem owned by one out of scope;
    // the caller keeps that one from before.)
    if scope.is_some() {
        out.retain(|p| {
            matches!(p.code, Code::Workflow | Code::Cycle)
                || p.tasks
                    .first()
                    .and_then(|id| plan.get(id))
                    .is_none_or(in_scope)
        });
    }
    // By code name (alphabetical), as the output has always been ordered.
    out.sort_by(|a, b| {
        (a.severity, a.code.as_str(), &a.tasks).cmp(&(b.severity, b.code.as_str(), &b.tasks))
    });
    out
}

/// Only the errors of a list of problems.
pub fn errors(problems: &[Problem]) -> Vec<Problem> {
    problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .cloned()
        .collect()
}
