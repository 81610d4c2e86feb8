//! `Op::Update`, `Op::AddPhases`, `Op::AddNote`: changing what a task (or
//! the store's workflow) says.

use super::create::{check_priority, clean_estimate};
use super::*;

pub(super) fn add_phases(plan: &mut Plan, phases: Vec<Phase>) -> Result<Outcome> {
    let mut wf = plan.workflow().clone();
    let mut out = Outcome::about(Subject::Workflow);
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
                out.notes.push(Notice::PhaseAdded {
                    phase: p.id.clone(),
                });
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

pub(super) fn update(plan: &mut Plan, id: &str, c: Changes, now: DateTime<Utc>) -> Result<Outcome> {
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
    let priority = match c.priority {
        Some(p) => Some(check_priority(p)?),
        None => None,
    };
    let before = plan.task(i).clone();
    let mut title_note = None;
    if let Some(title) = &c.title {
        let title = title.trim();
        if title.is_empty() {
            return Err(Error::Usage("the title cannot be empty".into()));
        }
        // The rule of `create`: a `GH#N:` prefix must agree with the issue
        // (the new one when --issue is given too), and sets it when the
        // task has none.
        if let Some(m) = title_issue(title) {
            match c.issue.unwrap_or(before.issue) {
                Some(n) if n != m => {
                    return Err(Error::request(
                        format!(
                            "the title says GH#{m} but the task is for issue {n}; make them agree"
                        ),
                        crate::error::Remedy::MoveTask {
                            task: before.id.clone(),
                            issue: m,
                        },
                    ));
                }
                Some(_) => {}
                None => title_note = Some(m),
            }
        }
    }
    let t = plan.task_mut(i);
    if let Some(e) = estimate {
        t.estimate = e;
    }
    if let Some(p) = priority {
        t.priority = p;
    }
    if let Some(title) = c.title {
        t.title = title.trim().to_string();
    }
    if let Some(m) = title_note {
        t.issue = Some(m);
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
    if let Some(m) = title_note
        && before.issue.is_none()
    {
        out.notes
            .push(format!("issue #{m} taken from the title").into());
    }
    if !moved.is_empty() {
        out.notes
            .push(format!("placed the issue's tasks again: {}", moved.join(", ")).into());
    }
    if *t == before {
        out.changed = false;
        out.notes.push(Notice::Unchanged);
    } else {
        t.updated_at = now;
        if let Some(n) = Plan::title_issue_mismatch(t) {
            out.notes.push(
                format!(
                    "warning: the title says GH#{n} but the task is for issue {}",
                    t.issue.unwrap_or_default()
                )
                .into(),
            );
        }
    }
    Ok(out)
}

pub(super) fn add_note(
    plan: &mut Plan,
    id: &str,
    text: String,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let i = plan.resolve(id)?;
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(Error::Usage("a note needs some text".into()));
    }
    let t = plan.task_mut(i);
    t.notes.push(crate::model::Note { at: now, text });
    t.updated_at = now;
    Ok(Outcome::new(&t.id))
}
