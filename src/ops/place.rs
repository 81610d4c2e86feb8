//! Where a new task goes: its phase and role, decided once, when it is
//! created, and stored.
//!
//! In order: an explicit `--phase`; else what the title names (patterns and
//! keywords of the issue's workflow, on word boundaries; a tie goes to the
//! phase that lists the task's type); else the type alone; else the
//! position: the phase of the task created just before it in the same issue
//! (tests, implementation and the verification that closes them stay
//! together; work after a closed phase opens a new one). The issue's
//! workflow is the one its epic names, else the one its tasks already use,
//! else the one the first title is recognised by.

use std::collections::BTreeSet;

use crate::graph::derive::role_of;
use crate::graph::plan::{Group, Plan};
use crate::model::workflow::{Catalog, Order, Repeat, Slot};
use crate::model::{Role, Task, TaskType, title_without_issue};

/// What placement decided for a new task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    pub phase: Option<String>,
    pub role: Option<Role>,
    /// Tasks of the same issue that move to this task's phase (a
    /// `VERIFY Phase N` closing work created before it): (index, phase).
    pub moves: Vec<(usize, String)>,
    /// What was decided and why, for the user.
    pub notes: Vec<super::Notice>,
}

/// The role a title's first word names: `TEST`, `IMPL`, `VERIFY` (the
/// templates' markers, upper case).
pub fn title_role(title: &str) -> Option<Role> {
    let text = title_without_issue(title);
    let first = text
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    match first {
        "TEST" | "TESTS" => Some(Role::Test),
        "IMPL" | "IMPLEMENT" => Some(Role::Impl),
        "VERIFY" | "VERIFIES" => Some(Role::Verify),
        _ => None,
    }
}

/// The role of a new task: what its title's marker says, else its type.
fn new_role(title: &str, kind: TaskType) -> Role {
    title_role(title).unwrap_or(match kind {
        TaskType::Test => Role::Test,
        TaskType::Verify => Role::Verify,
        _ => Role::Impl,
    })
}

/// Words that carry no subject: markers, verbs of the templates, fillers.
const STOPWORDS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "impl",
    "implement",
    "verify",
    "write",
    "add",
    "create",
    "update",
    "the",
    "and",
    "for",
    "with",
    "phase",
    "pass",
    "passes",
    "passed",
    "works",
    "work",
    "handled",
    "handle",
    "handling",
    "met",
    "done",
    "all",
    "are",
    "is",
    "be",
    "of",
    "to",
    "in",
    "on",
    "a",
    "an",
    "new",
    "make",
    "ensure",
    "check",
    "checks",
];

/// The subject words of a title, lower case, crudely stemmed, split at
/// camelCase (`InvoiceStore` -> invoice, store).
fn subject(title: &str) -> BTreeSet<String> {
    let text = title_without_issue(title);
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_lowercase();
            cur.extend(c.to_lowercase());
        } else {
            prev_lower = false;
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
        .into_iter()
        .filter(|w| w.chars().count() >= 3 && !STOPWORDS.contains(&w.as_str()))
        .map(|w| {
            let mut w = w;
            for suffix in ["ing", "es", "ed", "s"] {
                if w.len() > suffix.len() + 3 && w.ends_with(suffix) {
                    w.truncate(w.len() - suffix.len());
                    break;
                }
            }
            w
        })
        .collect()
}

/// The group a new task will belong to.
fn group_of(issue: Option<u64>, parent: Option<&str>) -> Option<Group> {
    match (issue, parent) {
        (Some(n), _) => Some(Group::Issue(n)),
        (None, Some(p)) => Some(Group::Parent(p.to_string())),
        _ => None,
    }
}

/// The tasks (not epics) of a group, in creation order. By the plan's
/// facts: a plan restored from a snapshot decodes none of them for this.
fn members(plan: &Plan, group: &Group) -> Vec<usize> {
    let issue = match group {
        Group::Issue(n) => Some(*n),
        Group::Parent(_) => None,
    };
    let mut members: Vec<usize> = plan
        .maybe_with_issue(issue)
        .filter(|&k| {
            !plan.is_epic(k) && plan.issue(k) == issue && plan.group_of(k).as_ref() == Some(group)
        })
        .collect();
    members.sort_by(|&a, &b| {
        (plan.facts(a).created_at, plan.id(a)).cmp(&(plan.facts(b).created_at, plan.id(b)))
    });
    members
}

/// The workflow (an index into the catalog) issue `issue` follows, or would
/// follow if its first task were titled like one of `titles`: its epic's,
/// else its tasks', else the first title's that a workflow recognises.
pub fn workflow_of_issue<'a>(
    plan: &Plan,
    issue: u64,
    titles: impl IntoIterator<Item = &'a str>,
) -> Option<usize> {
    let group = Group::Issue(issue);
    let members = members(plan, &group);
    let mut titles = titles.into_iter().peekable();
    if titles.peek().is_none() {
        return issue_workflow(plan, Some(&group), &members, "").map(|(w, _)| w);
    }
    titles.find_map(|t| issue_workflow(plan, Some(&group), &members, t).map(|(w, _)| w))
}

/// The issue's workflow (an index into the catalog) and how it is known.
fn issue_workflow(
    plan: &Plan,
    group: Option<&Group>,
    members: &[usize],
    title: &str,
) -> Option<(usize, String)> {
    let catalog = plan.catalog();
    if let Some(Group::Issue(n)) = group
        && let Some(e) = plan.issue_epic(*n)
        && let Some(name) = plan.task(e).workflow.as_deref()
        && let Some(w) = catalog.find(name)
    {
        return Some((w, format!("the epic's workflow `{name}`")));
    }
    if let Some(&last) = members.iter().rev().find(|&&k| plan.slot(k).is_some())
        && let Some(s) = plan.slot(last)
    {
        let w = catalog.workflow_of(s.phase);
        return Some((
            w,
            format!(
                "the workflow `{}` its tasks follow",
                catalog.workflows()[w].label()
            ),
        ));
    }
    // Recognition: the built-ins with their own recognisers first; the
    // store's (or the default) workflow for titles that name its phases.
    let wfs = catalog.workflows();
    for (w, wf) in wfs.iter().enumerate().skip(1) {
        if !wf.recognise.is_empty() && wf.recognises(title) {
            return Some((
                w,
                format!("workflow `{}` recognised from the title", wf.label()),
            ));
        }
    }
    if wfs.first().is_some_and(|wf| wf.recognises(title)) {
        return Some((0, String::new()));
    }
    None
}

/// The flat phase indexes a title may be matched against: the workflow's,
/// narrowed for the store's own workflow to the part the issue already
/// uses (a template's phases, say), so that a title never starts a second
/// chain beside the plan.
fn candidates(catalog: &Catalog, w: usize, plan: &Plan, members: &[usize]) -> Vec<usize> {
    let all: Vec<usize> = (0..catalog.len())
        .filter(|&i| catalog.workflow_of(i) == w)
        .collect();
    let used: BTreeSet<usize> = members
        .iter()
        .filter_map(|&k| plan.slot(k))
        .map(|s| s.phase)
        .filter(|&p| catalog.workflow_of(p) == w)
        .collect();
    if used.is_empty() {
        return all;
    }
    // Connected components of the workflow's phase DAG (undirected).
    let mut comp: Vec<usize> = (0..catalog.len()).collect();
    fn find(comp: &mut [usize], mut x: usize) -> usize {
        while comp[x] != x {
            comp[x] = comp[comp[x]];
            x = comp[x];
        }
        x
    }
    for &i in &all {
        for &d in catalog.preds(i) {
            let (a, b) = (find(&mut comp, i), find(&mut comp, d));
            comp[a] = b;
        }
    }
    let roots: BTreeSet<usize> = used.iter().map(|&p| find(&mut comp, p)).collect();
    all.into_iter()
        .filter(|&i| roots.contains(&find(&mut comp, i)))
        .collect()
}

/// The next free instance of a repeated phase in the issue.
fn next_instance(plan: &Plan, members: &[usize], phase: usize) -> u32 {
    members
        .iter()
        .filter_map(|&k| plan.slot(k))
        .filter(|s| s.phase == phase)
        .map(|s| s.instance)
        .max()
        .unwrap_or(0)
        .saturating_add(1)
}

fn quote(plan: &Plan, k: usize) -> String {
    format!("`{}`", title_without_issue(&plan.task(k).title))
}

/// Decide the phase and role of a new task.
pub fn place(
    plan: &Plan,
    title: &str,
    kind: TaskType,
    issue: Option<u64>,
    parent: Option<&str>,
) -> Placement {
    let mut out = Placement::default();
    let catalog = plan.catalog();
    let group = group_of(issue, parent);
    // The issue's tasks in creation order.
    let members: Vec<usize> = match &group {
        Some(g) => members(plan, g),
        None => Vec::new(),
    };
    let Some((w, how)) = issue_workflow(plan, group.as_ref(), &members, title) else {
        out.notes.push(super::Notice::NoPhase { workflow: None });
        return out;
    };
    // Said once, with the issue's first placed task.
    let recognised = !how.is_empty() && members.iter().all(|&k| plan.slot(k).is_none());
    let role = new_role(title, kind);
    let text = title_without_issue(title);
    let marked = matches!(title_role(title), Some(Role::Test | Role::Impl));
    let phases = candidates(catalog, w, plan, &members);
    let roles_phase = |i: usize| catalog.phase(i).order == Order::Roles;

    // 1. The title (a tie goes to a phase listing the task's type).
    let mut best: Option<(bool, usize, usize, usize, Option<u32>)> = None;
    for &p in &phases {
        if marked && phases.iter().any(|&q| roles_phase(q)) && !roles_phase(p) {
            continue;
        }
        if let Some(m) = catalog.phase(p).matches(text) {
            let typed = catalog.phase(p).types.contains(&kind);
            let key = (typed, m.at, m.len);
            let better = match best {
                None => true,
                Some((bt, ba, bl, _, _)) => {
                    (key.0 && !bt) || (key.0 == bt && (m.at < ba || (m.at == ba && m.len > bl)))
                }
            };
            if better {
                best = Some((typed, m.at, m.len, p, m.instance));
            }
        }
    }
    let mut slot: Option<Slot> = None;
    let mut why = String::new();
    if let Some((_, at, len, p, instance)) = best {
        let ph = catalog.phase(p);
        let words = text.get(at..at + len).unwrap_or("").trim();
        if ph.repeat == Repeat::Once {
            slot = Some(Slot {
                phase: p,
                instance: 0,
            });
            why = format!("inferred from the title (`{words}`)");
        } else if let Some(n) = instance.filter(|&n| n > 0) {
            slot = Some(Slot {
                phase: p,
                instance: n,
            });
            why = format!("inferred from the title (`{words}`)");
        }
    }
    // 2. The type.
    if slot.is_none()
        && let Some(&p) = phases.iter().find(|&&p| {
            catalog.phase(p).types.contains(&kind) && catalog.phase(p).repeat == Repeat::Once
        })
    {
        slot = Some(Slot {
            phase: p,
            instance: 0,
        });
        why = format!("from the type ({kind})");
    }
    // 3. The position.
    let prev = members.iter().rev().copied().find(|&k| {
        plan.slot(k)
            .is_some_and(|s| catalog.workflow_of(s.phase) == w)
    });
    let new_track = |why_prefix: String| -> Option<(Slot, String)> {
        let t = phases
            .iter()
            .copied()
            .find(|&p| roles_phase(p) && catalog.phase(p).repeat == Repeat::Parallel)?;
        let n = next_instance(plan, &members, t);
        Some((
            Slot {
                phase: t,
                instance: n,
            },
            why_prefix,
        ))
    };
    if slot.is_none() {
        match prev {
            None => {
                if let Some((s, y)) = new_track("by position: it starts the issue's work".into()) {
                    slot = Some(s);
                    why = y;
                }
            }
            Some(k) => {
                let s = plan.slot(k).unwrap_or(Slot {
                    phase: 0,
                    instance: 0,
                });
                let ph = catalog.phase(s.phase);
                if ph.order == Order::Roles {
                    let cluster: Vec<usize> = members
                        .iter()
                        .copied()
                        .filter(|&m| plan.slot(m) == Some(s))
                        .collect();
                    let roles: Vec<Role> = cluster.iter().map(|&m| role_of(plan.task(m))).collect();
                    let closed = roles.contains(&Role::Verify);
                    let has_impl = roles.contains(&Role::Impl);
                    let overlap = || {
                        let mine = subject(title);
                        cluster
                            .iter()
                            .any(|&m| !subject(&plan.task(m).title).is_disjoint(&mine))
                    };
                    let join = match role {
                        Role::Test => !closed && roles.iter().all(|&r| r == Role::Test),
                        Role::Impl => !closed,
                        Role::Verify => {
                            !closed && (has_impl || ph.repeat == Repeat::Sequential || overlap())
                        }
                    };
                    if join {
                        slot = Some(s);
                        why = format!("by position: created after {} in it", quote(plan, k));
                    } else if let Some((t, y)) = new_track(format!(
                        "by position: a new track ({} closed the one before)",
                        quote(plan, k)
                    )) {
                        slot = Some(t);
                        why = if closed {
                            y
                        } else {
                            format!("by position: a new track beside {}", quote(plan, k))
                        };
                    } else {
                        slot = Some(s);
                        why = format!("by position: created after {}", quote(plan, k));
                    }
                } else if ph.absorb {
                    slot = Some(s);
                    why = format!("by position: created after {} in it", quote(plan, k));
                } else if let Some((t, y)) =
                    new_track(format!("by position: work after {}", quote(plan, k)))
                {
                    slot = Some(t);
                    why = y;
                }
            }
        }
    }
    let Some(slot) = slot else {
        out.notes.push(super::Notice::NoPhase {
            workflow: Some(catalog.workflows()[w].label().to_string()),
        });
        return out;
    };
    // A numbered phase's verification claims the open track created just
    // before it: that work was this phase's all along.
    let ph = catalog.phase(slot.phase);
    if ph.repeat == Repeat::Sequential
        && role == Role::Verify
        && let Some(k) = prev
        && let Some(s) = plan.slot(k)
        && s != slot
        && catalog.phase(s.phase).order == Order::Roles
        && catalog.phase(s.phase).repeat == Repeat::Parallel
    {
        let cluster: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&m| plan.slot(m) == Some(s))
            .collect();
        if !cluster
            .iter()
            .any(|&m| role_of(plan.task(m)) == Role::Verify)
        {
            let to = catalog.stored(slot);
            for &m in &cluster {
                out.moves.push((m, to.clone()));
            }
            out.notes.push(
                format!(
                    "moved {} to phase {to}: this task closes {}",
                    cluster
                        .iter()
                        .map(|&m| plan.task(m).id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if cluster.len() == 1 { "it" } else { "them" }
                )
                .into(),
            );
        }
    }
    let stored = catalog.stored(slot);
    let decided = if ph.order == Order::Roles {
        out.role = Some(role);
        format!("phase `{stored}` {why}, role {role}")
    } else {
        format!("phase `{stored}` {why}")
    };
    out.notes.insert(0, decided.into());
    if recognised {
        out.notes.insert(0, how.into());
    }
    out.phase = Some(stored);
    out
}

/// Re-decide the phases and roles of an issue's tasks, in creation order,
/// as if they were created again under the issue's (new) workflow. Returns
/// (index, phase, role) for every task whose placement changes.
pub fn replan(plan: &Plan, issue: u64) -> Vec<(usize, Option<String>, Option<Role>)> {
    let mut sim = plan.clone();
    let mut members: Vec<usize> = (0..sim.len())
        .filter(|&k| {
            let t = sim.task(k);
            !t.is_epic() && t.issue == Some(issue)
        })
        .collect();
    members.sort_by(|&a, &b| {
        let (x, y) = (plan.task(a), plan.task(b));
        (x.created_at, &x.id).cmp(&(y.created_at, &y.id))
    });
    // Forget every placement, then place the tasks one by one.
    for &k in &members {
        let t = sim.task_mut(k);
        t.phase = None;
        t.role = None;
    }
    let original: Vec<(Option<String>, Option<Role>)> = members
        .iter()
        .map(|&k| (plan.task(k).phase.clone(), plan.task(k).role))
        .collect();
    // Hide the tasks not yet placed: move their issue away while placing.
    let mut hidden: Vec<(usize, Task)> = Vec::new();
    for &k in &members {
        hidden.push((k, sim.task(k).clone()));
        sim.task_mut(k).issue = None;
    }
    for (k, t) in hidden {
        let p = place(&sim, &t.title, t.kind, Some(issue), t.parent.as_deref());
        for (m, phase) in &p.moves {
            sim.task_mut(*m).phase = Some(phase.clone());
        }
        let task = sim.task_mut(k);
        task.issue = Some(issue);
        task.phase = p.phase;
        task.role = p.role;
    }
    members
        .iter()
        .zip(original)
        .filter_map(|(&k, (phase, role))| {
            let t = sim.task(k);
            (t.phase != phase || t.role != role).then(|| (k, t.phase.clone(), t.role))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_come_from_markers_then_types() {
        assert_eq!(
            title_role("GH#1: TEST Phase 1 - write tests"),
            Some(Role::Test)
        );
        assert_eq!(title_role("GH#1: IMPL router"), Some(Role::Impl));
        assert_eq!(title_role("GH#1: VERIFY all"), Some(Role::Verify));
        assert_eq!(title_role("GH#1: Test rollback procedure"), None);
        assert_eq!(new_role("Write E2E tests", TaskType::Test), Role::Test);
    }

    #[test]
    fn subjects_are_stemmed_words() {
        let a = subject("GH#1: VERIFY errors handled gracefully");
        let b = subject("GH#1: IMPL error handling");
        assert!(!a.is_disjoint(&b), "{a:?} {b:?}");
        let c = subject("GH#1: VERIFY accessibility");
        let d = subject("GH#1: Add E2E tests");
        assert!(c.is_disjoint(&d), "{c:?} {d:?}");
        assert!(subject("InvoiceStore").contains("store"));
    }
}
