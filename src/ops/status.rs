//! `Op::SetStatus`: start, done, reopen, cancel, with their rules.

use super::*;

/// Whether closing task `i` needs evidence (a reason or a commit): it is a
/// verify-role task of a workflow that asks for it (`evidence: true`).
pub fn needs_evidence(plan: &Plan, i: usize) -> bool {
    let t = plan.task(i);
    let Some(slot) = t.phase.as_deref().and_then(|p| plan.catalog().resolve(p)) else {
        return false;
    };
    let catalog = plan.catalog();
    let phase = catalog.phase(slot.phase);
    let verify = t.role == Some(Role::Verify)
        || (t.role.is_none()
            && t.kind == TaskType::Verify
            && phase.order == crate::model::workflow::Order::Roles);
    verify && catalog.workflows()[catalog.workflow_of(slot.phase)].evidence
}

pub(super) fn set_status(
    plan: &mut Plan,
    id: &str,
    to: Transition,
    extra: Extra,
    now: DateTime<Utc>,
    graph: Option<&Graph>,
) -> Result<Outcome> {
    let Extra {
        force,
        assignee,
        reason,
        commit,
    } = extra;
    let reason = clean_opt(reason);
    let i = plan.resolve(id)?;
    let t = plan.task(i);
    let tid = t.id.clone();
    let from = t.status;
    let target = to.target();
    let mut out = Outcome::new(&tid);

    if from == target && assignee.is_none() {
        out.changed = false;
        out.notes.push(format!("{tid} is already {target}").into());
        let t = plan.task_mut(i);
        if let Some(r) = reason
            && target.is_settled()
            && t.reason.as_ref() != Some(&r)
        {
            t.reason = Some(r);
            t.updated_at = now;
            out.changed = true;
            out.notes
                .push(format!("recorded the reason on {tid}").into());
        }
        if let Some(c) = commit
            && !t.commits.contains(&c)
        {
            t.commits.push(c);
            t.updated_at = now;
            out.changed = true;
        }
        return Ok(out);
    }
    if reason.is_some() && !target.is_settled() {
        return Err(Error::Usage(format!(
            "a reason is given when closing a task (done, close, cancel), not to {} it",
            to.verb()
        )));
    }
    if to == Transition::Done
        && reason.is_none()
        && commit.is_none()
        && plan.task(i).commits.is_empty()
        && needs_evidence(plan, i)
    {
        return Err(Error::refused(
            format!(
                "cannot complete {tid}: it is a verification task, and its workflow asks for \
                 evidence to close it"
            ),
            vec![tid.clone()],
            crate::error::Remedy::Evidence { task: tid },
        ));
    }
    match (to, from) {
        (Transition::Start, Status::Completed | Status::Cancelled)
        | (Transition::Done, Status::Cancelled) => {
            return Err(Error::refused(
                format!("cannot {} {tid}: it is {from}", to.verb()),
                vec![tid.clone()],
                crate::error::Remedy::Reopen { task: tid },
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
                .find(|p| p.code == Code::Cycle);
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
                return Err(Error::refused(
                    format!("cannot {} {tid}: {reason}", to.verb()),
                    std::iter::once(tid.clone())
                        .chain(open.iter().map(|&j| plan.task(j).id.clone()))
                        .collect(),
                    crate::error::Remedy::FinishDependenciesOrForce { task: tid },
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
                    return Err(Error::refused(
                        format!("cannot complete epic {tid}: {reason}"),
                        std::iter::once(tid)
                            .chain(open.iter().map(|&c| plan.task(c).id.clone()))
                            .collect(),
                        crate::error::Remedy::CloseChildrenOrForce,
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
    t.reason = if target.is_settled() { reason } else { None };
    if let Some(c) = commit
        && !t.commits.contains(&c)
    {
        t.commits.push(c);
    }
    if let Some(a) = assignee {
        t.assignee = Some(a);
    }
    for reason in skipped {
        out.notes
            .push(format!("forced past {reason}; recorded on the task").into());
        t.forced.push(Forced {
            at: now,
            to: target,
            reason,
        });
    }
    Ok(out)
}
