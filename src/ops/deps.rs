//! Edges and links: `Op::AddDeps`, `Op::RemoveDeps`, `Op::AddCommits`,
//! `Op::Link`.

use super::*;

pub(super) fn add_deps(
    plan: &mut Plan,
    id: &str,
    on: &[String],
    now: DateTime<Utc>,
) -> Result<Outcome> {
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
            out.notes
                .push(format!("{} already depends on {d}", t.id).into());
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

pub(super) fn add_commits(
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
                .push(format!("{} is already linked to {}", t.id, c).into());
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

pub(super) fn link(plan: &mut Plan, id: &str, commit: String) -> Result<Outcome> {
    let i = plan.resolve(id)?;
    let t = plan.task_mut(i);
    let mut out = Outcome::new(&t.id);
    if t.commits.contains(&commit) {
        out.changed = false;
        out.notes
            .push(format!("{} is already linked to {}", short(&commit), t.id).into());
    } else {
        t.commits.push(commit);
    }
    Ok(out)
}

/// The 7-character form of a sha people read.
pub(super) fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

pub(super) fn remove_deps(
    plan: &mut Plan,
    id: &str,
    on: &[String],
    now: DateTime<Utc>,
) -> Result<Outcome> {
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
                return Err(if derived {
                    Error::request(
                        format!(
                            "{} does not list {dep} in depends_on; that edge is derived from the \
                             phases",
                            t.id
                        ),
                        crate::error::Remedy::ChangePhase,
                    )
                } else {
                    Error::Usage(format!("{} does not depend on {dep}", t.id))
                });
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
