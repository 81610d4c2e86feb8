//! The edges derived from workflows: "dependencies managed via tasks.yaml
//! structure".
//!
//! Within one issue (or, for tasks without one, one parent epic), the tasks
//! of each phase instance form a *unit*. A unit's entry tasks depend on the
//! exit tasks of the units before it: the previous instance of a
//! sequentially repeated phase, else the nearest present phases before its
//! phase (every instance of a parallel repeated phase, the last instance of
//! a sequential one). Inside a unit, `order` decides: parallel (every task
//! is both entry and exit), roles (tests, then implementation, then the
//! verification; the verification alone is the exit), or a chain in
//! creation order.
//!
//! Everything here reads only what is stored (phase, role, type, creation
//! time), so a merge or a re-sort of the file never changes the graph.

use std::collections::BTreeMap;

use foldhash::HashMap;

use crate::graph::plan::Plan;
use crate::model::workflow::{Catalog, Order, Repeat, Slot};
use crate::model::{Role, Task, TaskType};

/// The role a task plays in a role-ordered phase: its stored role, else
/// what its type says.
pub fn role_of(t: &Task) -> Role {
    role_from(t.role, t.kind)
}

/// [`role_of`] from the stored role and the type.
pub fn role_from(role: Option<Role>, kind: TaskType) -> Role {
    role.unwrap_or(match kind {
        TaskType::Test => Role::Test,
        TaskType::Verify => Role::Verify,
        _ => Role::Impl,
    })
}

/// [`role_of`] task `i`, from its facts (no decoding).
fn role_at(plan: &Plan, i: usize) -> Role {
    let f = plan.facts(i);
    role_from(f.role, f.kind)
}

/// The structure of one unit: which tasks enter it, which leave it, and
/// the edges inside it (task, dependency).
struct Unit {
    entries: Vec<usize>,
    exits: Vec<usize>,
    inner: Vec<(usize, usize)>,
}

fn unit(plan: &Plan, order: Order, members: &[usize]) -> Unit {
    match order {
        Order::Parallel => Unit {
            entries: members.to_vec(),
            exits: members.to_vec(),
            inner: Vec::new(),
        },
        Order::Chain => {
            let mut sorted = members.to_vec();
            sorted.sort_by(|&a, &b| {
                (plan.facts(a).created_at, plan.id(a)).cmp(&(plan.facts(b).created_at, plan.id(b)))
            });
            let inner = sorted.windows(2).map(|w| (w[1], w[0])).collect();
            Unit {
                entries: sorted.first().copied().into_iter().collect(),
                exits: sorted.last().copied().into_iter().collect(),
                inner,
            }
        }
        Order::Roles => {
            let mut levels: BTreeMap<Role, Vec<usize>> = BTreeMap::new();
            for &i in members {
                levels.entry(role_at(plan, i)).or_default().push(i);
            }
            let levels: Vec<Vec<usize>> = levels.into_values().collect();
            let mut inner = Vec::new();
            for w in levels.windows(2) {
                for &i in &w[1] {
                    for &j in &w[0] {
                        inner.push((i, j));
                    }
                }
            }
            Unit {
                entries: levels.first().cloned().unwrap_or_default(),
                exits: levels.last().cloned().unwrap_or_default(),
                inner,
            }
        }
    }
}

/// The units of one group before `slot`'s unit. `units` is the slots of
/// the group's units, sorted.
fn pred_units(catalog: &Catalog, units: &[Slot], slot: Slot) -> Vec<Slot> {
    // The units of phase `p`, in instance order.
    let of_phase = |p: usize| {
        let from = units.partition_point(|s| s.phase < p);
        let to = units.partition_point(|s| s.phase <= p);
        &units[from..to]
    };
    let phase = catalog.phase(slot.phase);
    if phase.repeat == Repeat::Sequential {
        let earlier = of_phase(slot.phase);
        let before = earlier.partition_point(|s| *s < slot);
        if before > 0 {
            return vec![earlier[before - 1]];
        }
    }
    let present = |p: usize| !of_phase(p).is_empty();
    let mut out = Vec::new();
    for q in catalog.nearest_present_predecessors(slot.phase, &present) {
        let instances = of_phase(q);
        if catalog.phase(q).repeat == Repeat::Sequential {
            out.extend(instances.last().copied());
        } else {
            out.extend_from_slice(instances);
        }
    }
    out
}

/// A task's group as the plan holds it (no copy of a parent's id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum GroupRef<'a> {
    Issue(u64),
    Parent(&'a str),
}

pub(crate) fn group_ref(plan: &Plan, i: usize) -> Option<GroupRef<'_>> {
    match plan.issue(i) {
        Some(n) => Some(GroupRef::Issue(n)),
        None => plan.parent(i).map(GroupRef::Parent),
    }
}

/// The dependencies the workflow derives: (task, dependency) pairs, in no
/// particular order, possibly repeated. `slots` holds each task's
/// [`Plan::slot`].
///
/// The tasks are put in order by (group, slot, index) once, so each
/// group's units are runs of one sorted list: no map per group or per unit
/// (a store of 10,000 tasks has about a thousand groups).
pub fn phase_edges(plan: &Plan, slots: &[Option<Slot>]) -> Vec<(usize, usize)> {
    phase_edges_among(
        plan,
        slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i, (*s)?))),
    )
}

/// [`phase_edges`] among `tasks` (each with its slot): all the tasks of
/// the groups whose edges are wanted.
pub fn phase_edges_among(
    plan: &Plan,
    tasks: impl Iterator<Item = (usize, Slot)>,
) -> Vec<(usize, usize)> {
    // No tasks, no catalog: building it (the built-in workflows) costs
    // half a millisecond, and a write builds the graph of an empty plan
    // as a placeholder.
    let mut tasks = tasks.peekable();
    if tasks.peek().is_none() {
        return Vec::new();
    }
    let catalog = plan.catalog();
    let mut numbers: HashMap<GroupRef<'_>, u32> = HashMap::default();
    // A group's tasks sit together in the canonical order: the last group
    // seen is the likely one.
    let mut last: Option<(GroupRef<'_>, u32)> = None;
    let mut members: Vec<(u32, Slot, usize)> = Vec::with_capacity(plan.len());
    for (i, slot) in tasks {
        let Some(g) = group_ref(plan, i) else {
            continue;
        };
        let number = match last {
            Some((lg, n)) if lg == g => n,
            _ => {
                let next = u32::try_from(numbers.len()).unwrap_or(u32::MAX);
                let n = *numbers.entry(g).or_insert(next);
                last = Some((g, n));
                n
            }
        };
        members.push((number, slot, i));
    }
    members.sort_unstable();
    let mut out = Vec::with_capacity(members.len() * 2);
    let mut units: Vec<Unit> = Vec::new();
    let mut unit_slots: Vec<Slot> = Vec::new();
    let mut scratch: Vec<usize> = Vec::new();
    for group in members.chunk_by(|a, b| a.0 == b.0) {
        units.clear();
        unit_slots.clear();
        for one in group.chunk_by(|a, b| a.1 == b.1) {
            let slot = one[0].1;
            scratch.clear();
            scratch.extend(one.iter().map(|m| m.2));
            units.push(unit(plan, catalog.phase(slot.phase).order, &scratch));
            unit_slots.push(slot);
        }
        for (u, &slot) in units.iter().zip(&unit_slots) {
            out.extend_from_slice(&u.inner);
            for p in pred_units(catalog, &unit_slots, slot) {
                if let Ok(k) = unit_slots.binary_search(&p) {
                    for &e in &u.entries {
                        out.extend(units[k].exits.iter().map(|&x| (e, x)));
                    }
                }
            }
        }
    }
    out
}

/// Why task `i` depends on task `j` by the workflow, in words; None when the
/// workflow derives no such edge.
pub fn explain(plan: &Plan, i: usize, j: usize) -> Option<String> {
    let catalog = plan.catalog();
    let (a, b) = (plan.slot(i)?, plan.slot(j)?);
    let (ta, tb) = (plan.task(i), plan.task(j));
    if plan.group(ta) != plan.group(tb) || !phase_edges_of(plan, i).contains(&j) {
        return None;
    }
    let name = |s: Slot| catalog.stored(s);
    if a == b {
        let phase = catalog.phase(a.phase);
        return Some(match phase.order {
            Order::Chain => format!(
                "phase {}: its steps follow each other in the order they were created",
                name(a)
            ),
            _ => format!(
                "phase {}: {} ({}) comes after {} ({})",
                name(a),
                ta.id,
                role_of(ta),
                tb.id,
                role_of(tb)
            ),
        });
    }
    let gate = match catalog.phase(b.phase).order {
        Order::Roles => format!(", whose {} gates it", role_of(tb)),
        Order::Chain => ", whose last step gates it".to_string(),
        Order::Parallel => String::new(),
    };
    Some(format!(
        "phase {} comes after phase {}{gate} (workflow {})",
        name(a),
        name(b),
        catalog.workflows()[catalog.workflow_of(a.phase)].label()
    ))
}

/// The derived dependencies of one task (recomputed for its group only).
fn phase_edges_of(plan: &Plan, i: usize) -> Vec<usize> {
    let Some(g) = group_ref(plan, i) else {
        return Vec::new();
    };
    let catalog = plan.catalog();
    let mut units: BTreeMap<Slot, Vec<usize>> = BTreeMap::new();
    for k in 0..plan.len() {
        if group_ref(plan, k) == Some(g)
            && let Some(s) = plan.slot(k)
        {
            units.entry(s).or_default().push(k);
        }
    }
    let Some(slot) = plan.slot(i) else {
        return Vec::new();
    };
    let order = catalog.phase(slot.phase).order;
    let Some(members) = units.get(&slot) else {
        return Vec::new();
    };
    let u = unit(plan, order, members);
    let mut out: Vec<usize> = u
        .inner
        .iter()
        .filter(|&&(a, _)| a == i)
        .map(|&(_, b)| b)
        .collect();
    if u.entries.contains(&i) {
        let unit_slots: Vec<Slot> = units.keys().copied().collect();
        for p in pred_units(catalog, &unit_slots, slot) {
            if let Some(m) = units.get(&p) {
                out.extend(unit(plan, catalog.phase(p.phase).order, m).exits);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StoreFile;
    use chrono::DateTime;
    use proptest::prelude::*;

    /// The derived edges as they were first computed: a map of groups, a
    /// map of units per group. The faster [`phase_edges`] must give the
    /// same edges.
    fn reference(plan: &Plan) -> Vec<(usize, usize)> {
        let catalog = plan.catalog();
        let mut groups: HashMap<Option<GroupRef<'_>>, BTreeMap<Slot, Vec<usize>>> =
            HashMap::default();
        for i in 0..plan.len() {
            if let (Some(slot), Some(g)) = (plan.slot(i), group_ref(plan, i)) {
                groups
                    .entry(Some(g))
                    .or_default()
                    .entry(slot)
                    .or_default()
                    .push(i);
            }
        }
        let mut out = Vec::new();
        for units in groups.values() {
            let built: BTreeMap<Slot, Unit> = units
                .iter()
                .map(|(&s, m)| (s, unit(plan, catalog.phase(s.phase).order, m)))
                .collect();
            let slots: Vec<Slot> = units.keys().copied().collect();
            for (&slot, u) in &built {
                out.extend_from_slice(&u.inner);
                for p in pred_units(catalog, &slots, slot) {
                    if let Some(before) = built.get(&p) {
                        for &e in &u.entries {
                            out.extend(before.exits.iter().map(|&x| (e, x)));
                        }
                    }
                }
            }
        }
        out
    }

    const PHASES: &[&str] = &[
        "analysis",
        "backup",
        "impl",
        "config",
        "staging",
        "rollback",
        "docs",
        "baseline",
        "step",
        "step-2",
        "step-3",
        "track-1",
        "track-2",
        "criteria",
        "verify-all",
        "demo",
        "finalize",
        "data",
        "api",
        "quality",
        "bogus",
    ];

    fn task() -> impl Strategy<Value = (Option<usize>, u8, Option<u8>, u8, u8, i64)> {
        (
            proptest::option::of(0..PHASES.len()),
            0u8..4,
            proptest::option::of(0u8..3),
            0u8..4,
            0u8..3,
            0i64..4,
        )
    }

    proptest! {
        /// Tasks in any order (hand-edited stores are not sorted), several
        /// groups by issue or by parent, every kind of phase order and
        /// repeat: the same derived edges as the reference.
        #[test]
        fn phase_edges_match_the_reference(
            tasks in proptest::collection::vec(task(), 0..40),
            sorted in any::<bool>(),
        ) {
            let tasks = tasks
                .iter()
                .enumerate()
                .map(|(n, &(phase, kind, role, issue, parent, secs))| {
                    let kind = [TaskType::Impl, TaskType::Test, TaskType::Verify, TaskType::Epic]
                        [usize::from(kind)];
                    let at = DateTime::UNIX_EPOCH + chrono::Duration::seconds(secs);
                    let mut t = Task::new(format!("t{:02}", 40 - n), format!("task {n}"), kind, at);
                    t.phase = phase.map(|p| PHASES[p].to_string());
                    t.role = role.map(|r| [Role::Test, Role::Impl, Role::Verify][usize::from(r)]);
                    t.issue = (issue > 0).then_some(u64::from(issue));
                    t.parent = (parent > 0).then(|| format!("p{parent}"));
                    t
                })
                .collect();
            let mut plan = Plan::new(StoreFile { tasks, ..StoreFile::default() });
            if sorted {
                plan.sort_canonical();
            }
            let slots: Vec<Option<Slot>> = (0..plan.len()).map(|i| plan.slot(i)).collect();
            let mut got = phase_edges(&plan, &slots);
            let mut want = reference(&plan);
            got.sort_unstable();
            want.sort_unstable();
            prop_assert_eq!(got, want);
        }
    }
}
