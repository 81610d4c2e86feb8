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

use crate::graph::plan::{Group, Plan};
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

/// The units of one group before `slot`'s unit.
fn pred_units(catalog: &Catalog, units: &BTreeMap<Slot, Vec<usize>>, slot: Slot) -> Vec<Slot> {
    let phase = catalog.phase(slot.phase);
    if phase.repeat == Repeat::Sequential
        && let Some((&prev, _)) = units
            .range(
                Slot {
                    phase: slot.phase,
                    instance: 0,
                }..slot,
            )
            .next_back()
    {
        return vec![prev];
    }
    let present = |p: usize| {
        units
            .range(
                Slot {
                    phase: p,
                    instance: 0,
                }..=Slot {
                    phase: p,
                    instance: u32::MAX,
                },
            )
            .next()
            .is_some()
    };
    let mut out = Vec::new();
    for q in catalog.nearest_present_predecessors(slot.phase, &present) {
        let mut inst = units
            .range(
                Slot {
                    phase: q,
                    instance: 0,
                }..=Slot {
                    phase: q,
                    instance: u32::MAX,
                },
            )
            .map(|(s, _)| *s);
        if catalog.phase(q).repeat == Repeat::Sequential {
            out.extend(inst.next_back());
        } else {
            out.extend(inst);
        }
    }
    out
}

/// For every task, the tasks it depends on by the workflow (unsorted,
/// possibly repeated).
pub fn phase_edges(plan: &Plan) -> Vec<Vec<usize>> {
    let catalog = plan.catalog();
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); plan.len()];
    let mut groups: HashMap<Group, BTreeMap<Slot, Vec<usize>>> = HashMap::default();
    for i in 0..plan.len() {
        if let (Some(slot), Some(g)) = (plan.slot(i), plan.group_of(i)) {
            groups
                .entry(g)
                .or_default()
                .entry(slot)
                .or_default()
                .push(i);
        }
    }
    for units in groups.values() {
        let built: BTreeMap<Slot, Unit> = units
            .iter()
            .map(|(&s, m)| (s, unit(plan, catalog.phase(s.phase).order, m)))
            .collect();
        for (&slot, u) in &built {
            for &(i, j) in &u.inner {
                deps[i].push(j);
            }
            for p in pred_units(catalog, units, slot) {
                if let Some(before) = built.get(&p) {
                    for &e in &u.entries {
                        deps[e].extend(before.exits.iter().copied());
                    }
                }
            }
        }
    }
    deps
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
    let Some(g) = plan.group_of(i) else {
        return Vec::new();
    };
    let catalog = plan.catalog();
    let mut units: BTreeMap<Slot, Vec<usize>> = BTreeMap::new();
    for k in 0..plan.len() {
        if plan.group_of(k).as_ref() == Some(&g)
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
        for p in pred_units(catalog, &units, slot) {
            if let Some(m) = units.get(&p) {
                out.extend(unit(plan, catalog.phase(p.phase).order, m).exits);
            }
        }
    }
    out
}
