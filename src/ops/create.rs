//! `Op::Create`: a new task, placed in its issue's workflow.

use super::*;

pub(super) fn create(plan: &mut Plan, spec: NewTask, now: DateTime<Utc>) -> Result<Outcome> {
    let title = spec.title.trim().to_string();
    if title.is_empty() {
        return Err(Error::Usage("a task needs a non-empty title".into()));
    }
    let kind = spec.kind.unwrap_or(TaskType::Task);
    let mut notes = Vec::new();
    let issue = match (spec.issue, title_issue(&title)) {
        (Some(n), Some(m)) if n != m => {
            return Err(Error::Usage(format!(
                "the title says GH#{m} but the task's issue is {n}; make them agree"
            )));
        }
        (Some(n), _) => Some(n),
        (None, Some(m)) => {
            notes.push(format!("issue #{m} taken from the title").into());
            Some(m)
        }
        (None, None) => None,
    };

    // By the facts and titles, which a plan restored from a snapshot has
    // without decoding its tasks.
    let same = |i: usize| plan.issue(i) == issue && plan.title(i) == title;
    if spec.if_missing
        && let Some(t) = plan
            .maybe_with_issue(issue)
            .find(|&i| same(i))
            .map(|i| plan.task(i))
    {
        return Ok(Outcome {
            subject: Subject::Task,
            id: t.id.clone(),
            changed: false,
            notes: vec![Notice::Exists {
                id: t.id.clone(),
                title: t.title.clone(),
            }],
        });
    }
    if spec.dedupe
        && let Some(t) = plan
            .maybe_with_issue(issue)
            .find(|&i| same(i) && plan.kind(i) == kind)
            .map(|i| plan.task(i))
    {
        return Ok(Outcome {
            subject: Subject::Task,
            id: t.id.clone(),
            changed: false,
            notes: vec![Notice::Duplicate {
                id: t.id.clone(),
                title: t.title.clone(),
                kind: t.kind,
            }],
        });
    }
    let priority = check_priority(spec.priority)?;

    let parent = match clean_opt(spec.parent) {
        Some(p) => Some(resolve_epic(plan, &p)?),
        None => None,
    };
    let workflow = match clean_opt(spec.workflow) {
        Some(w) if kind == TaskType::Epic => Some(check_workflow(plan, &w)?),
        Some(_) => {
            return Err(Error::request(
                "only an epic carries a workflow",
                crate::error::Remedy::WorkflowOnEpic,
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
    task.priority = priority;
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
        subject: Subject::Task,
        id,
        changed: true,
        notes,
    })
}

/// A priority must be 0-4.
pub(super) fn check_priority(p: Option<u8>) -> Result<Option<u8>> {
    match p {
        Some(n) if n > crate::model::MAX_PRIORITY => Err(Error::Usage(format!(
            "bad priority {n}: use 0 (most urgent) to {} (least)",
            crate::model::MAX_PRIORITY
        ))),
        p => Ok(p),
    }
}

/// Validate an estimate and store it in its shortest form (`120m` -> `2h`);
/// empty means none.
pub(super) fn clean_estimate(e: Option<String>) -> Result<Option<String>> {
    match e.map(|e| e.trim().to_string()).filter(|e| !e.is_empty()) {
        None => Ok(None),
        Some(e) => {
            let minutes = crate::model::parse_estimate(&e).map_err(Error::Usage)?;
            Ok(Some(crate::model::format_estimate(minutes)))
        }
    }
}
