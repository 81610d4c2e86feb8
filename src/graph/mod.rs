//! The effective dependency DAG of a plan: explicit `depends_on` edges plus
//! the edges derived from phases, and the facts computed from it (cycles,
//! a stable topological order, ready and blocked tasks).
//!
//! Everything here is a pure function of a loaded [`Plan`]; nothing is stored.

pub mod analysis;
pub mod derive;
mod incremental;

pub mod plan;
pub mod query;
pub mod schedule;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::OnceLock;

use foldhash::HashMap;

use crate::graph::plan::Plan;
use crate::model::Status;
use crate::model::workflow::Slot;

/// Why one task depends on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Written in the task's `depends_on`.
    Explicit,
    /// Derived from the workflow: an earlier phase of the same issue.
    Phase,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Explicit => "explicit",
            EdgeKind::Phase => "phase",
        }
    }
}

/// A derived fact about a task's readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Pending with every dependency settled.
    Ready,
    /// Pending with at least one unsettled dependency.
    Blocked,
    InProgress,
    Completed,
    Cancelled,
    /// An epic that is still open (epics are containers, never "ready").
    OpenEpic,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ready => "ready",
            State::Blocked => "blocked",
            State::InProgress => "in_progress",
            State::Completed => "completed",
            State::Cancelled => "cancelled",
            State::OpenEpic => "open",
        }
    }
}

/// The effective dependency graph of a plan.
#[derive(Debug, Clone)]
pub struct Graph {
    /// For each task, its dependencies and why (sorted, no duplicates).
    deps: Lists<(usize, EdgeKind)>,
    /// For each task, the tasks that depend on it.
    dependents: OnceLock<Lists<usize>>,
    /// Explicit references that name no task: (task, missing id).
    dangling: Vec<(usize, String)>,
    /// Each dependency cycle as a path of task indexes, first == last.
    cycles: Vec<Vec<usize>>,
    /// A stable topological order (cyclic parts appended in file order).
    order: Vec<usize>,
    /// Position of each task in `order`.
    rank: OnceLock<Vec<usize>>,
    /// The epic each task belongs to.
    epic: Vec<Option<usize>>,
    /// The members of each epic.
    children: OnceLock<Lists<usize>>,
    /// Every task by its order key (see [`order_key`]): the order `order`
    /// breaks ties in. Kept (and stored in the snapshot) so that a create
    /// puts its new tasks in by binary search instead of computing and
    /// sorting 10,000 keys again.
    by_key: Vec<usize>,
}

/// One list per task, stored end to end (two allocations, not one per
/// task: a restored graph of 10,000 tasks is three of these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lists<T> {
    /// Where each list starts in `items`; one more entry than lists.
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T> Lists<T> {
    /// Lists from their starts and items, if they fit together.
    pub fn from_parts(starts: Vec<u32>, items: Vec<T>) -> Option<Lists<T>> {
        let fits = starts.first() == Some(&0)
            && starts.windows(2).all(|w| w[0] <= w[1])
            && starts.last().is_some_and(|&e| e as usize == items.len());
        fits.then_some(Lists { starts, items })
    }

    pub fn from_vecs(lists: Vec<Vec<T>>) -> Lists<T> {
        let mut starts = Vec::with_capacity(lists.len() + 1);
        let mut items = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        starts.push(0);
        for l in lists {
            items.extend(l);
            starts.push(u32::try_from(items.len()).unwrap_or(u32::MAX));
        }
        Lists { starts, items }
    }

    /// Lists `0..n` from (list, item) pairs, each list in the pairs' order.
    /// `pairs` is walked twice (count, then place), so nothing but the
    /// lists themselves is allocated.
    fn grouped<I>(n: usize, fill: T, pairs: impl Fn() -> I) -> Lists<T>
    where
        T: Copy,
        I: Iterator<Item = (usize, T)>,
    {
        let mut starts = vec![0u32; n + 1];
        for (l, _) in pairs() {
            starts[l + 1] += 1;
        }
        for k in 0..n {
            starts[k + 1] += starts[k];
        }
        let mut next: Vec<u32> = starts[..n].to_vec();
        let mut items = vec![fill; starts[n] as usize];
        for (l, item) in pairs() {
            items[next[l] as usize] = item;
            next[l] += 1;
        }
        Lists { starts, items }
    }

    /// Sort each list, and keep only the first of adjacent items `same`
    /// calls equal. In place: the lists only shrink.
    fn sort_dedup_each(&mut self, same: impl Fn(&T, &T) -> bool)
    where
        T: Ord + Copy,
    {
        let mut kept = 0usize;
        let mut start = 0usize;
        for l in 0..self.len() {
            let end = self.starts[l + 1] as usize;
            self.items[start..end].sort_unstable();
            let first = kept;
            for k in start..end {
                let item = self.items[k];
                if kept == first || !same(&self.items[kept - 1], &item) {
                    self.items[kept] = item;
                    kept += 1;
                }
            }
            self.starts[l] = first as u32;
            start = end;
        }
        if let Some(last) = self.starts.last_mut() {
            *last = kept as u32;
        }
        self.items.truncate(kept);
    }

    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> &[T] {
        let (a, b) = (self.starts[i] as usize, self.starts[i + 1] as usize);
        &self.items[a..b]
    }

    pub fn iter(&self) -> impl Iterator<Item = &[T]> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The starts and the items, as [`Lists::from_parts`] takes them.
    pub fn raw(&self) -> (&[u32], &[T]) {
        (&self.starts, &self.items)
    }
}

/// Tie-break key of the stable topological order: epics first, then by
/// phase (workflow order, then instance), then creation time, then id.
type OrderKey<'a> = (i64, u32, crate::graph::plan::Created, &'a str);

/// The order key of task `i`, whose [`Plan::slot`] is `slot`.
fn order_key(plan: &Plan, slot: Option<Slot>, i: usize) -> OrderKey<'_> {
    let catalog = plan.catalog();
    let (phase_rank, instance) = if plan.is_epic(i) {
        (-1, 0)
    } else {
        match slot {
            Some(s) => (catalog.rank(s.phase) as i64, s.instance),
            None => (catalog.len() as i64, 0),
        }
    };
    (phase_rank, instance, plan.facts(i).created_at, plan.id(i))
}

impl Graph {
    pub fn build(plan: &Plan) -> Graph {
        let n = plan.len();
        let mut dangling = Vec::new();
        // Each task's phase slot, resolved once: the derived edges and the
        // order keys both need it.
        let slots: Vec<Option<Slot>> = (0..n).map(|i| plan.slot(i)).collect();

        // Explicit edges. (Everything here reads the plan's accessors, not
        // its tasks: a plan restored from a snapshot decodes none.)
        let mut edges: Vec<(usize, (usize, EdgeKind))> = Vec::with_capacity(n * 3);
        for i in 0..n {
            for on in plan.depends_on(i) {
                match plan.get(on) {
                    Some(j) => edges.push((i, (j, EdgeKind::Explicit))),
                    None => dangling.push((i, on.to_string())),
                }
            }
        }
        // Edges derived from the workflows (see `derive`).
        edges.extend(
            derive::phase_edges(plan, &slots)
                .into_iter()
                .map(|(i, j)| (i, (j, EdgeKind::Phase))),
        );
        let mut deps = Lists::grouped(n, (0, EdgeKind::Explicit), || edges.iter().copied());
        drop(edges);
        // Dedupe: an explicit edge that repeats a derived one stays
        // explicit (it sorts first).
        deps.sort_dedup_each(|a, b| a.0 == b.0);
        let by_key = key_order(plan, |i| slots[i]);

        // Epic membership, computed once for every task.
        let mut issue_epic: HashMap<u64, usize> = HashMap::default();
        let created = |i: usize| (plan.facts(i).created_at, plan.id(i));
        for i in 0..n {
            if plan.is_epic(i)
                && let Some(n) = plan.issue(i)
            {
                let e = issue_epic.entry(n).or_insert(i);
                if created(i) < created(*e) {
                    *e = i;
                }
            }
        }
        let epic = (0..n)
            .map(|i| match plan.parent(i) {
                Some(p) => plan.get(p),
                None if plan.is_epic(i) => None,
                None => plan.issue(i).and_then(|n| issue_epic.get(&n).copied()),
            })
            .collect::<Vec<Option<usize>>>();
        Graph::ordered(plan, deps, dangling, epic, by_key)
    }

    /// The graph of these edges, dangling references and epics, with its
    /// stable topological order (ties broken by `by_key`) and its cycles
    /// worked out: what a build and a create's incremental graph share.
    pub(crate) fn ordered(
        plan: &Plan,
        deps: Lists<(usize, EdgeKind)>,
        dangling: Vec<(usize, String)>,
        epic: Vec<Option<usize>>,
        by_key: Vec<usize>,
    ) -> Graph {
        let (order, cycles, dependents) = order_from(plan, &deps, &by_key);
        Graph::assemble(
            deps,
            Some(dependents),
            dangling,
            cycles,
            order,
            epic,
            by_key,
        )
    }

    /// The graph from its parts; the indexes derived from them (the
    /// dependents, when not given, the ranks, each epic's members) are
    /// worked out when first asked for.
    fn assemble(
        deps: Lists<(usize, EdgeKind)>,
        dependents: Option<Lists<usize>>,
        dangling: Vec<(usize, String)>,
        cycles: Vec<Vec<usize>>,
        order: Vec<usize>,
        epic: Vec<Option<usize>>,
        by_key: Vec<usize>,
    ) -> Graph {
        let known = OnceLock::new();
        if let Some(d) = dependents {
            let _ = known.set(d);
        }
        Graph {
            deps,
            dependents: known,
            dangling,
            cycles,
            order,
            rank: OnceLock::new(),
            epic,
            children: OnceLock::new(),
            by_key,
        }
    }

    /// Rebuild a graph from its stored parts (see `cache`): the derived
    /// indexes (dependents, ranks, epic members) are worked out when first
    /// asked for (a read that prints ready tasks needs none of them). None
    /// if the parts do not fit together.
    pub fn from_parts(
        deps: Lists<(usize, EdgeKind)>,
        dangling: Vec<(usize, String)>,
        cycles: Vec<Vec<usize>>,
        order: Vec<usize>,
        epic: Vec<Option<usize>>,
        by_key: Vec<usize>,
    ) -> Option<Graph> {
        let n = deps.len();
        if epic.len() != n || !is_permutation(&order, n) || !is_permutation(&by_key, n) {
            return None;
        }
        let in_range = |i: usize| i < n;
        if !deps.raw().1.iter().all(|&(j, _)| in_range(j))
            || !dangling.iter().all(|&(i, _)| in_range(i))
            || !cycles.iter().flatten().all(|&i| in_range(i))
            || !epic.iter().flatten().all(|&e| in_range(e))
        {
            return None;
        }
        Some(Graph::assemble(
            deps, None, dangling, cycles, order, epic, by_key,
        ))
    }

    /// The parts [`Graph::from_parts`] takes back.
    #[allow(clippy::type_complexity)]
    pub fn parts(
        &self,
    ) -> (
        &Lists<(usize, EdgeKind)>,
        &[(usize, String)],
        &[Vec<usize>],
        &[usize],
        &[Option<usize>],
        &[usize],
    ) {
        (
            &self.deps,
            &self.dangling,
            &self.cycles,
            &self.order,
            &self.epic,
            &self.by_key,
        )
    }

    /// Dependencies of task `i` with the reason for each edge.
    pub fn deps(&self, i: usize) -> &[(usize, EdgeKind)] {
        self.deps.get(i)
    }

    /// Tasks that depend on task `i`.
    pub fn dependents(&self, i: usize) -> &[usize] {
        self.dependents
            .get_or_init(|| dependents_of(&self.deps))
            .get(i)
    }

    pub fn dangling(&self) -> &[(usize, String)] {
        &self.dangling
    }

    pub fn cycles(&self) -> &[Vec<usize>] {
        &self.cycles
    }

    pub fn is_acyclic(&self) -> bool {
        self.cycles.is_empty()
    }

    /// All tasks in a stable topological order (dependencies first).
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Position of a task in [`Graph::order`].
    pub fn rank(&self, i: usize) -> usize {
        self.rank.get_or_init(|| {
            let mut rank = vec![0; self.order.len()];
            for (r, &i) in self.order.iter().enumerate() {
                rank[i] = r;
            }
            rank
        })[i]
    }

    /// The epic task `i` belongs to (explicit parent or its issue's epic).
    pub fn epic_of(&self, i: usize) -> Option<usize> {
        self.epic[i]
    }

    /// Children of epic `e`.
    pub fn children(&self, e: usize) -> &[usize] {
        self.children.get_or_init(|| members_of(&self.epic)).get(e)
    }

    /// Dependencies of `i` that are not yet completed or cancelled.
    pub fn unsettled_deps(&self, plan: &Plan, i: usize) -> Vec<usize> {
        self.deps
            .get(i)
            .iter()
            .map(|&(j, _)| j)
            .filter(|&j| !plan.status(j).is_settled())
            .collect()
    }

    /// The derived state of task `i`.
    pub fn state(&self, plan: &Plan, i: usize) -> State {
        self.state_by(plan, i, |j| plan.status(j))
    }

    /// Every task's derived state, by index: the statuses read in order
    /// first, then each task's dependencies looked up in that dense array
    /// rather than in the plan (for 100,000 tasks with dependencies
    /// anywhere, each such lookup was a cache miss or two). For callers
    /// that want most tasks' states.
    pub fn states(&self, plan: &Plan) -> Vec<State> {
        let statuses: Vec<Status> = (0..plan.len()).map(|j| plan.status(j)).collect();
        (0..plan.len())
            .map(|i| {
                self.state_by(plan, i, |j| {
                    statuses.get(j).copied().unwrap_or(Status::Pending)
                })
            })
            .collect()
    }

    /// Task `i`'s state, given how to tell a task's status.
    fn state_by(&self, plan: &Plan, i: usize, status: impl Fn(usize) -> Status) -> State {
        match status(i) {
            Status::Completed => State::Completed,
            Status::Cancelled => State::Cancelled,
            Status::InProgress => State::InProgress,
            Status::Pending if plan.is_epic(i) => State::OpenEpic,
            Status::Pending => {
                if self
                    .deps
                    .get(i)
                    .iter()
                    .all(|&(j, _)| status(j).is_settled())
                {
                    State::Ready
                } else {
                    State::Blocked
                }
            }
        }
    }

    /// Pending, non-epic tasks whose dependencies are all settled, in
    /// topological order.
    pub fn ready(&self, plan: &Plan) -> Vec<usize> {
        self.order
            .iter()
            .copied()
            .filter(|&i| self.state(plan, i) == State::Ready)
            .collect()
    }

    /// Pending, non-epic tasks with at least one unsettled dependency, in
    /// topological order.
    pub fn blocked(&self, plan: &Plan) -> Vec<usize> {
        self.order
            .iter()
            .copied()
            .filter(|&i| self.state(plan, i) == State::Blocked)
            .collect()
    }
}

/// Every task of `plan` by its order key; `slot` gives each task's
/// [`Plan::slot`]. The index ends each key, so equal keys keep task order
/// (as a stable sort would) and an unstable sort of the pairs, in place,
/// is enough.
fn key_order(plan: &Plan, slot: impl Fn(usize) -> Option<Slot>) -> Vec<usize> {
    let mut keyed: Vec<(OrderKey<'_>, usize)> = (0..plan.len())
        .map(|i| (order_key(plan, slot(i), i), i))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Whether `v` holds each of `0..n` exactly once.
fn is_permutation(v: &[usize], n: usize) -> bool {
    let mut seen = vec![false; n];
    v.len() == n
        && v.iter()
            .all(|&i| i < n && !std::mem::replace(&mut seen[i], true))
}

/// A stable topological order by `deps` (Kahn's algorithm: among the tasks
/// whose dependencies are placed, the first in `by_key` first; cyclic
/// parts appended in key order), its cycles, and the dependents worked
/// out for it.
fn order_from(
    plan: &Plan,
    deps: &Lists<(usize, EdgeKind)>,
    by_key: &[usize],
) -> (Vec<usize>, Vec<Vec<usize>>, Lists<usize>) {
    let n = deps.len();
    // Keys were compared once, by sorting; the heap orders plain ranks.
    let mut key_rank = vec![0usize; n];
    for (r, &i) in by_key.iter().enumerate() {
        key_rank[i] = r;
    }
    let dependents = dependents_of(deps);
    let mut missing: Vec<usize> = deps.iter().map(<[_]>::len).collect();
    // Kahn's algorithm takes, of the tasks whose dependencies are all
    // placed, the first in key order. Usually a task's dependencies come
    // before it in key order (phases rank in workflow order, and work
    // mostly depends on earlier work), so that task is simply the next in
    // key order: a cursor walks `by_key`, and only a task it passes before
    // it is ready waits in a heap, which always comes first once it is
    // ready (it is before the cursor). A 10,000-task template store has
    // 321 edges in 8,242 that point forward; the order of its create's
    // check took 3.36 M instructions with every task through the heap,
    // 1.77 M so (callgrind, 2026-12-04).
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    let mut passed = vec![false; n];
    let mut waiting: BinaryHeap<Reverse<usize>> = BinaryHeap::new();
    let mut cursor = 0;
    loop {
        let next = match waiting.pop() {
            Some(Reverse(r)) => by_key.get(r).copied(),
            None => loop {
                let Some(&i) = by_key.get(cursor) else {
                    break None;
                };
                cursor += 1;
                if missing[i] == 0 {
                    break Some(i);
                }
                passed[i] = true;
            },
        };
        let Some(i) = next else {
            break;
        };
        order.push(i);
        placed[i] = true;
        for &k in dependents.get(i) {
            missing[k] -= 1;
            if missing[k] == 0 && passed[k] {
                waiting.push(Reverse(key_rank[k]));
            }
        }
    }
    let placed_count = order.len();
    if order.len() < n {
        // Cyclic parts: in key order.
        order.extend(by_key.iter().copied().filter(|&i| !placed[i]));
    }
    // Cycles: Kahn's algorithm above placed every task exactly when the
    // graph is acyclic, the common case, which then needs nothing more.
    // Otherwise the strongly connected components (petgraph's Tarjan)
    // among the unplaced tasks name each cycle.
    let mut cycles = Vec::new();
    if placed_count < n {
        let adj: Vec<Vec<usize>> = deps
            .iter()
            .enumerate()
            .map(|(i, d)| {
                if placed[i] {
                    Vec::new()
                } else {
                    d.iter().map(|&(j, _)| j).filter(|&j| !placed[j]).collect()
                }
            })
            .collect();
        cycles = crate::algo::cycles(&adj, |i| plan.id(i));
    }
    (order, cycles, dependents)
}

fn dependents_of(deps: &Lists<(usize, EdgeKind)>) -> Lists<usize> {
    Lists::grouped(deps.len(), 0, || {
        deps.iter()
            .enumerate()
            .flat_map(|(i, d)| d.iter().map(move |&(j, _)| (j, i)))
    })
}

/// For each epic, its members.
fn members_of(epic: &[Option<usize>]) -> Lists<usize> {
    Lists::grouped(epic.len(), 0, || {
        epic.iter()
            .enumerate()
            .filter_map(|(i, e)| e.filter(|&e| e != i).map(|e| (e, i)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{StoreFile, Task, TaskType};
    use chrono::{TimeZone, Utc};

    fn task(id: &str, issue: u64, phase: Option<&str>, secs: i64) -> Task {
        let now = Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap();
        let mut t = Task::new(id.into(), format!("GH#{issue}: {id}"), TaskType::Impl, now);
        t.issue = Some(issue);
        t.phase = phase.map(String::from);
        t
    }

    fn plan(tasks: Vec<Task>) -> Plan {
        Plan::new(StoreFile {
            tasks,
            ..StoreFile::default()
        })
    }

    /// Kahn's algorithm with every ready task in one heap by key rank:
    /// what `order_from` must give, cyclic tasks last in key order.
    fn kahn_by_heap(deps: &[Vec<usize>], by_key: &[usize]) -> Vec<usize> {
        let n = deps.len();
        let mut rank = vec![0; n];
        for (r, &i) in by_key.iter().enumerate() {
            rank[i] = r;
        }
        let mut missing: Vec<usize> = deps.iter().map(Vec::len).collect();
        let mut heap: BinaryHeap<Reverse<usize>> = (0..n)
            .filter(|&i| missing[i] == 0)
            .map(|i| Reverse(rank[i]))
            .collect();
        let mut order = Vec::new();
        while let Some(Reverse(r)) = heap.pop() {
            let i = by_key[r];
            order.push(i);
            for (k, d) in deps.iter().enumerate() {
                for &j in d {
                    if j == i {
                        missing[k] -= 1;
                        if missing[k] == 0 {
                            heap.push(Reverse(rank[k]));
                        }
                    }
                }
            }
        }
        let placed = order.clone();
        order.extend(by_key.iter().filter(|i| !placed.contains(i)));
        order
    }

    proptest::proptest! {
        // The cursor and its small heap give the order one heap of every
        // ready task would: on graphs whose edges mostly point back in key
        // order, or anywhere, with repeated edges, self-loops and cycles.
        #[test]
        fn the_order_is_kahns_by_key(
            n in 1usize..40,
            raw in proptest::collection::vec((0usize..40, 0usize..40, proptest::bool::weighted(0.8)), 0..120),
            shuffle in proptest::collection::vec(0usize..1000, 40),
        ) {
            let mut by_key: Vec<usize> = (0..n).collect();
            by_key.sort_by_key(|&i| (shuffle[i], i));
            let mut rank = vec![0; n];
            for (r, &i) in by_key.iter().enumerate() {
                rank[i] = r;
            }
            // Most edges point from a task to one before it in key order.
            let mut deps: Vec<Vec<usize>> = vec![Vec::new(); n];
            for &(a, b, back) in &raw {
                let (a, b) = (a % n, b % n);
                let (from, to) = if back == (rank[a] >= rank[b]) { (a, b) } else { (b, a) };
                deps[from].push(to);
            }
            let lists = Lists::grouped(n, (0, EdgeKind::Explicit), || {
                deps.iter()
                    .enumerate()
                    .flat_map(|(i, d)| d.iter().map(move |&j| (i, (j, EdgeKind::Explicit))))
            });
            let p = plan((0..n).map(|i| task(&format!("t{i}"), 1, None, i as i64)).collect());
            let (order, cycles, dependents) = order_from(&p, &lists, &by_key);
            proptest::prop_assert_eq!(&order, &kahn_by_heap(&deps, &by_key));
            proptest::prop_assert_eq!(cycles.is_empty(), order.iter().enumerate().all(|(at, &i)| {
                deps[i].iter().all(|j| order[..at].contains(j))
            }));
            for (i, d) in deps.iter().enumerate() {
                for &j in d {
                    proptest::prop_assert!(dependents.get(j).contains(&i));
                }
            }
        }
    }

    fn dep_ids(p: &Plan, g: &Graph, id: &str) -> Vec<(String, EdgeKind)> {
        let i = p.get(id).unwrap();
        g.deps(i)
            .iter()
            .map(|&(j, k)| (p.task(j).id.clone(), k))
            .collect()
    }

    #[test]
    fn seed_plan_derives_the_template_graph() {
        let phases = [
            "analysis", "backup", "impl", "config", "staging", "rollback", "docs",
        ];
        // Created in reverse order: the graph must not depend on it.
        let tasks = phases
            .iter()
            .rev()
            .enumerate()
            .map(|(k, p)| task(p, 42, Some(p), k as i64))
            .collect();
        let p = plan(tasks);
        let g = Graph::build(&p);
        assert!(g.is_acyclic());
        assert_eq!(dep_ids(&p, &g, "analysis"), vec![]);
        assert_eq!(
            dep_ids(&p, &g, "backup"),
            vec![("analysis".into(), EdgeKind::Phase)]
        );
        assert_eq!(
            dep_ids(&p, &g, "staging"),
            vec![("config".into(), EdgeKind::Phase)]
        );
        assert_eq!(
            dep_ids(&p, &g, "rollback"),
            vec![("staging".into(), EdgeKind::Phase)]
        );
        assert_eq!(
            dep_ids(&p, &g, "docs"),
            vec![("staging".into(), EdgeKind::Phase)]
        );
        let order: Vec<&str> = g.order().iter().map(|&i| p.task(i).id.as_str()).collect();
        assert_eq!(order, phases);
        let ready: Vec<&str> = g.ready(&p).iter().map(|&i| p.task(i).id.as_str()).collect();
        assert_eq!(ready, vec!["analysis"]);
    }

    #[test]
    fn empty_phases_are_skipped_and_issues_are_separate() {
        let p = plan(vec![
            task("a", 1, Some("analysis"), 0),
            task("d", 1, Some("docs"), 1),
            task("x", 2, Some("impl"), 2),
        ]);
        let g = Graph::build(&p);
        assert_eq!(dep_ids(&p, &g, "d"), vec![("a".into(), EdgeKind::Phase)]);
        assert_eq!(dep_ids(&p, &g, "x"), vec![]);
    }

    #[test]
    fn cycles_are_found_with_a_path() {
        let mut a = task("a", 1, None, 0);
        let mut b = task("b", 1, None, 1);
        let mut c = task("c", 1, None, 2);
        a.depends_on = vec!["b".into()];
        b.depends_on = vec!["c".into()];
        c.depends_on = vec!["a".into()];
        let p = plan(vec![a, b, c]);
        let g = Graph::build(&p);
        assert_eq!(g.cycles().len(), 1);
        let path: Vec<&str> = g.cycles()[0]
            .iter()
            .map(|&i| p.task(i).id.as_str())
            .collect();
        assert_eq!(path, vec!["a", "b", "c", "a"]);
    }

    #[test]
    fn dangling_references_are_reported() {
        let mut a = task("a", 1, None, 0);
        a.depends_on = vec!["nope".into()];
        let p = plan(vec![a]);
        let g = Graph::build(&p);
        assert_eq!(g.dangling(), &[(0, "nope".to_string())]);
    }

    #[test]
    fn cancelled_dependencies_count_as_settled() {
        let mut a = task("a", 1, Some("analysis"), 0);
        a.status = Status::Cancelled;
        let b = task("b", 1, Some("backup"), 1);
        let p = plan(vec![a, b]);
        let g = Graph::build(&p);
        assert_eq!(g.state(&p, 1), State::Ready);
    }

    #[test]
    fn all_states_at_once_are_each_tasks_state() {
        // Every state: done, cancelled, in progress, an open epic, ready
        // and blocked (on a pending and on an in-progress dependency).
        let mut tasks: Vec<Task> = ["analysis", "backup", "impl", "config", "staging", "docs"]
            .iter()
            .enumerate()
            .map(|(k, ph)| task(&format!("t{k}"), 1, Some(ph), k as i64))
            .collect();
        tasks[0].status = Status::Completed;
        tasks[1].status = Status::Cancelled;
        tasks[2].status = Status::InProgress;
        let mut epic = task("e", 1, None, 9);
        epic.kind = TaskType::Epic;
        tasks.push(epic);
        let mut other = task("x", 2, Some("analysis"), 10);
        other.depends_on = vec!["t4".into()];
        tasks.push(other);
        tasks.push(task("r", 3, Some("analysis"), 11));
        let p = plan(tasks);
        let g = Graph::build(&p);
        let all = g.states(&p);
        let each: Vec<State> = (0..p.len()).map(|i| g.state(&p, i)).collect();
        assert_eq!(all, each);
        for s in [
            State::Completed,
            State::Cancelled,
            State::InProgress,
            State::OpenEpic,
            State::Ready,
            State::Blocked,
        ] {
            assert!(all.contains(&s), "{s:?} in {all:?}");
        }
    }
}
