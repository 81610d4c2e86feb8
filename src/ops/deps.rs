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
    let id = t.id.clone();
    Ok(add_once(
        t,
        ids,
        now,
        |t| &mut t.depends_on,
        |d| format!("{id} already depends on {d}"),
    ))
}

/// Append each item the list (of `t`, chosen by `list`) lacks; an item it
/// already has is a note (`said`), not a change. `updated_at` moves only
/// when something was added.
fn add_once(
    t: &mut Task,
    items: Vec<String>,
    now: DateTime<Utc>,
    list: impl Fn(&mut Task) -> &mut Vec<String>,
    said: impl Fn(&str) -> String,
) -> Outcome {
    let mut out = Outcome::new(&t.id);
    out.changed = false;
    for item in items {
        let l = list(t);
        if l.contains(&item) {
            out.notes.push(said(&item).into());
        } else {
            l.push(item);
            out.changed = true;
        }
    }
    if out.changed {
        t.updated_at = now;
    }
    out
}

pub(super) fn add_commits(
    plan: &mut Plan,
    id: &str,
    commits: Vec<String>,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let i = plan.resolve(id)?;
    let t = plan.task_mut(i);
    let id = t.id.clone();
    let commits = commits
        .into_iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    Ok(add_once(
        t,
        commits,
        now,
        |t| &mut t.commits,
        |c| format!("{id} is already linked to {c}"),
    ))
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
