//! The graph after a batch of creates, from the graph before it.
//!
//! Why: a create changes one group of a store (its new tasks, and the
//! phases of that group's tasks when placing them moves some), yet building
//! the graph of 10,000 tasks resolves every explicit dependency, derives
//! every group's phase edges and works out every epic. Here only the
//! changed groups are derived again; every other task's edges and epic are
//! the old ones, renumbered. The topological order is computed afresh (one
//! task can move many others), but not the key order it breaks ties by:
//! the old one is kept, and the changed groups' tasks are put into it by
//! binary search.
//!
//! The result is exactly [`Graph::build`]'s: the incremental-validation
//! proptest compares the two after every random batch.

use foldhash::HashSet;

use super::derive::{self, GroupRef};
use super::{EdgeKind, Graph, Lists, order_key};
use crate::graph::plan::Plan;

impl Graph {
    /// The graph of `plan` after a batch that added tasks and changed
    /// nothing but the phases of tasks in the new tasks' groups, from
    /// `old`, the graph of the plan before the batch (`old_len` tasks).
    /// `perm` is how the plan was re-sorted after the batch (the task now
    /// at `k` was at `perm[k]`; the batch's own tasks were at `old_len`
    /// and after), None if it was not. None when the shortcut does not
    /// apply (the old graph had cycles, a new task is an epic, an old
    /// dependency that named no task now names a new one): then build.
    pub fn after_creates(
        old: &Graph,
        plan: &Plan,
        old_len: usize,
        perm: Option<&[usize]>,
    ) -> Option<Graph> {
        let n = plan.len();
        if !old.cycles.is_empty()
            || old.order.len() != old_len
            || old.by_key.len() != old_len
            || old_len > n
        {
            return None;
        }
        // Where each task of before the sort is now.
        let mut place = vec![usize::MAX; n];
        match perm {
            Some(perm) if perm.len() == n => {
                for (k, &p) in perm.iter().enumerate() {
                    if p >= n || place[p] != usize::MAX {
                        return None;
                    }
                    place[p] = k;
                }
            }
            Some(_) => return None,
            None => place.iter_mut().enumerate().for_each(|(k, p)| *p = k),
        }
        let added: Vec<usize> = place[old_len..].to_vec();
        if added.iter().any(|&k| plan.is_epic(k)) {
            return None;
        }
        // An old reference to a missing id (a dependency or a parent) that
        // a new task now has.
        if old
            .dangling
            .iter()
            .any(|(_, missing)| plan.get(missing).is_some())
        {
            return None;
        }
        let mut is_added = vec![false; n];
        for &k in &added {
            is_added[k] = true;
        }
        let new_ids: HashSet<&str> = added.iter().map(|&k| plan.id(k)).collect();
        // An old task whose parent is a new task had a missing parent, and
        // so no epic (a task whose parent exists has it as its epic): only
        // those are looked at (in a store of issues' groups, a few).
        if old.epic.len() != old_len
            || old.epic.iter().enumerate().any(|(p, e)| {
                e.is_none() && plan.parent(place[p]).is_some_and(|id| new_ids.contains(id))
            })
        {
            return None;
        }
        let groups: HashSet<GroupRef<'_>> = added
            .iter()
            .filter_map(|&k| derive::group_ref(plan, k))
            .collect();
        // The members of those groups: in a sorted plan, within the runs of
        // their issues (a task without an issue, grouped by its parent, is
        // in the run of tasks without one), found by binary search; else
        // anywhere.
        let mut changed = is_added.clone();
        let mut runs: Vec<std::ops::Range<usize>> = groups
            .iter()
            .map(|g| match g {
                GroupRef::Issue(k) => plan.maybe_with_issue(Some(*k)),
                GroupRef::Parent(_) => plan.maybe_with_issue(None),
            })
            .collect();
        runs.sort_by_key(|r| (r.start, r.end));
        runs.dedup();
        for k in runs.into_iter().flatten() {
            if !changed[k] && derive::group_ref(plan, k).is_some_and(|g| groups.contains(&g)) {
                changed[k] = true;
            }
        }
        // The task now at `k` was at `was[k]` (usize::MAX: added).
        let mut was = vec![usize::MAX; n];
        for (p, &k) in place.iter().enumerate().take(old_len) {
            was[k] = p;
        }

        // Edges: the old ones renumbered, but for the changed groups' phase
        // edges (derived again) and the new tasks' explicit ones.
        let mut edges: Vec<(usize, (usize, EdgeKind))> =
            Vec::with_capacity(old.deps.items.len() + 64);
        let mut dangling: Vec<(usize, String)> = Vec::new();
        for k in 0..n {
            if is_added[k] {
                for on in plan.depends_on(k) {
                    match plan.get(on) {
                        Some(j) => edges.push((k, (j, EdgeKind::Explicit))),
                        None => dangling.push((k, on.to_string())),
                    }
                }
                continue;
            }
            for &(j, kind) in old.deps(was[k]) {
                // A changed group's derived edges are derived again below;
                // an explicit edge that repeated one stays.
                if kind == EdgeKind::Phase && changed[k] {
                    continue;
                }
                edges.push((k, (*place.get(j)?, kind)));
            }
        }
        let among = (0..n)
            .filter(|&k| changed[k])
            .filter_map(|k| Some((k, plan.slot(k)?)));
        edges.extend(
            derive::phase_edges_among(plan, among)
                .into_iter()
                .map(|(i, j)| (i, (j, EdgeKind::Phase))),
        );
        let mut deps = Lists::grouped(n, (0, EdgeKind::Explicit), || edges.iter().copied());
        drop(edges);
        deps.sort_dedup_each(|a, b| a.0 == b.0);
        for (i, missing) in &old.dangling {
            dangling.push((*place.get(*i)?, missing.clone()));
        }
        // In task order, each task's in the order of its dependencies, as a
        // build finds them.
        dangling.sort_by_key(|&(i, _)| i);

        // Epics: a new task's is its parent or its issue's epic; nobody
        // else's changed (no epic was added).
        let mut epic: Vec<Option<usize>> = Vec::with_capacity(n);
        for k in 0..n {
            epic.push(if is_added[k] {
                match plan.parent(k) {
                    Some(p) => plan.get(p),
                    None => plan.issue(k).and_then(|i| plan.issue_epic(i)),
                }
            } else {
                match old.epic.get(was[k])? {
                    Some(e) => Some(*place.get(*e)?),
                    None => None,
                }
            });
        }
        let by_key = key_order_after(old, plan, &place, &changed);
        Some(Graph::ordered(plan, deps, dangling, epic, by_key))
    }
}

/// The key order after the batch: the old one without the changed tasks
/// (every other task keeps its key, so their order holds), renumbered
/// through `place`, with each changed task put in by binary search. A few
/// dozen keys are computed instead of all of them.
fn key_order_after(old: &Graph, plan: &Plan, place: &[usize], changed: &[bool]) -> Vec<usize> {
    let key = |k: usize| (order_key(plan, plan.slot(k), k), k);
    let kept: Vec<usize> = old
        .by_key
        .iter()
        .map(|&p| place[p])
        .filter(|&k| !changed[k])
        .collect();
    let mut moved: Vec<_> = (0..plan.len()).filter(|&k| changed[k]).map(key).collect();
    moved.sort_unstable();
    let mut out = Vec::with_capacity(plan.len());
    let mut from = 0;
    for m in &moved {
        let at = from + kept[from..].partition_point(|&j| key(j) < *m);
        out.extend_from_slice(&kept[from..at]);
        out.push(m.1);
        from = at;
    }
    out.extend_from_slice(&kept[from..]);
    out
}
