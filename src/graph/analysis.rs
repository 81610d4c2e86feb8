//! Questions asked of the dependency graph: which tasks a view covers and
//! how they split into connected components, the plan as parallel waves,
//! the critical path, and why a task is not ready.
//!
//! Epics are containers: they are never scheduled, so they appear in no
//! wave or path, and an edge to an epic does not hold work back here.
//! Completed and cancelled tasks count as done.

use std::collections::HashMap;

use crate::graph::plan::Plan;
use crate::graph::{EdgeKind, Graph, State};
use crate::model::{parse_estimate, title_without_issue};

pub use crate::graph::query::Scope;

/// One connected component of a view, with a title naming its issue/epic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub title: String,
    /// Its tasks in topological order.
    pub tasks: Vec<usize>,
    /// Its edges `(dependency, dependent, kind)` between those tasks.
    pub edges: Vec<(usize, usize, EdgeKind)>,
}

/// Edges of the graph whose both ends are in `nodes`, as
/// `(dependency, dependent, kind)`, in a stable order.
pub fn edges_within(graph: &Graph, nodes: &[usize]) -> Vec<(usize, usize, EdgeKind)> {
    let inside: std::collections::HashSet<usize> = nodes.iter().copied().collect();
    let mut out = Vec::new();
    for &i in nodes {
        for &(j, k) in graph.deps(i) {
            if inside.contains(&j) {
                out.push((j, i, k));
            }
        }
    }
    out
}

/// Split `nodes` (in topological order) into connected components, ordered
/// by issue (tasks without one last), then by their first task.
pub fn components(plan: &Plan, graph: &Graph, nodes: &[usize]) -> Vec<Component> {
    let pos: HashMap<usize, usize> = nodes.iter().enumerate().map(|(p, &i)| (i, p)).collect();
    let mut parent: Vec<usize> = (0..nodes.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let edges = edges_within(graph, nodes);
    for &(a, b, _) in &edges {
        let (ra, rb) = (find(&mut parent, pos[&a]), find(&mut parent, pos[&b]));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: HashMap<usize, usize> = HashMap::new();
    for (p, &i) in nodes.iter().enumerate() {
        let r = find(&mut parent, p);
        let g = *group_of.entry(r).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    let mut comps: Vec<Component> = groups
        .into_iter()
        .map(|tasks| {
            let edges = edges_within(graph, &tasks);
            let mut title = component_title(plan, graph, &tasks);
            // The workflow, when it is not the store's own (the default,
            // which every issue follows unless told otherwise).
            if let Some(w) = plan.workflow_of_tasks(&tasks)
                && plan
                    .catalog()
                    .workflows()
                    .first()
                    .is_none_or(|d| d.label() != w)
            {
                title.push_str(&format!("  [workflow {w}]"));
            }
            Component {
                title,
                tasks,
                edges,
            }
        })
        .collect();
    comps.sort_by_key(|c| {
        let issue = c.tasks.iter().filter_map(|&i| plan.task(i).issue).min();
        (issue.is_none(), issue, graph.rank(c.tasks[0]))
    });
    comps
}

/// `#42 Network hardening` for an issue with an epic, `#42` without one,
/// the epic's title for tasks without an issue, else a description.
pub fn component_title(plan: &Plan, graph: &Graph, tasks: &[usize]) -> String {
    let mut issues: Vec<u64> = tasks.iter().filter_map(|&i| plan.task(i).issue).collect();
    issues.sort();
    issues.dedup();
    let no_issue = tasks.iter().any(|&i| plan.task(i).issue.is_none());
    match (issues.as_slice(), no_issue) {
        ([n], false) => match plan.issue_epic(*n) {
            Some(e) => format!("#{n} {}", title_without_issue(&plan.task(e).title)),
            None => format!("#{n}"),
        },
        ([], _) => {
            let mut epics: Vec<usize> = tasks.iter().filter_map(|&i| graph.epic_of(i)).collect();
            epics.sort();
            epics.dedup();
            match epics.as_slice() {
                [e] if tasks.iter().all(|&i| graph.epic_of(i).is_some()) => {
                    format!("epic {} {}", plan.task(*e).id, plan.task(*e).title)
                }
                _ => "tasks without an issue".into(),
            }
        }
        (many, _) => {
            let list: Vec<String> = many.iter().map(|n| format!("#{n}")).collect();
            let more = if no_issue {
                " and tasks without one"
            } else {
                ""
            };
            format!("issues {}{more}", list.join(", "))
        }
    }
}

/// Whether `i` still has to be done (and is schedulable work).
fn open_work(plan: &Plan, i: usize) -> bool {
    let t = plan.task(i);
    !t.is_epic() && t.status.is_open()
}

/// The plan as successive waves: wave 1 holds the open tasks that can run
/// now (ready or in progress), wave k+1 the tasks whose open dependencies
/// all lie in waves 1..=k. Computed over the whole store so that a task
/// waiting on another issue is placed correctly, then restricted to
/// `scope`; empty waves are dropped. Each wave is in topological order.
pub fn waves(plan: &Plan, graph: &Graph, scope: &Scope) -> Vec<Vec<usize>> {
    let mut level: Vec<usize> = vec![0; plan.len()];
    let mut max_level = 0;
    for &i in graph.order() {
        if !open_work(plan, i) {
            continue;
        }
        let l = graph
            .deps(i)
            .iter()
            .filter(|&&(j, _)| open_work(plan, j))
            .map(|&(j, _)| level[j])
            .max()
            .unwrap_or(0)
            + 1;
        level[i] = l;
        max_level = max_level.max(l);
    }
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); max_level];
    for &i in graph.order() {
        if level[i] > 0 && scope.contains(plan, graph, i) {
            out[level[i] - 1].push(i);
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

/// How a critical path was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// By the sum of the tasks' estimates (in minutes).
    Estimate,
    /// By the number of tasks (no task in scope has an estimate).
    Count,
}

impl Measure {
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Estimate => "estimate",
            Measure::Count => "count",
        }
    }
}

/// The longest chain of unfinished work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriticalPath {
    /// From the first task to do to the last.
    pub tasks: Vec<usize>,
    pub measure: Measure,
    /// Total estimate in minutes along the path (tasks without one count 0).
    pub minutes: u64,
    /// Tasks on the path that have no (valid) estimate.
    pub unestimated: Vec<usize>,
}

/// A task's estimate in minutes, if it has a valid one.
pub fn estimate_minutes(plan: &Plan, i: usize) -> Option<u64> {
    plan.task(i)
        .estimate
        .as_deref()
        .and_then(|e| parse_estimate(e).ok())
}

/// The longest chain of open tasks in `scope` (edges between open tasks
/// only), by total estimate when any open task in scope has one, else by
/// task count. Ties go to the chain that starts and ends earlier in the
/// topological order. `None` when nothing is left to do.
pub fn critical_path(plan: &Plan, graph: &Graph, scope: &Scope) -> Option<CriticalPath> {
    let nodes: Vec<usize> = scope
        .tasks(plan, graph)
        .into_iter()
        .filter(|&i| open_work(plan, i))
        .collect();
    if nodes.is_empty() {
        return None;
    }
    let measure = if nodes.iter().any(|&i| estimate_minutes(plan, i).is_some()) {
        Measure::Estimate
    } else {
        Measure::Count
    };
    let weight = |i: usize| -> u64 {
        match measure {
            Measure::Estimate => estimate_minutes(plan, i).unwrap_or(0),
            Measure::Count => 1,
        }
    };
    // best[i] = (length of the longest chain ending at i, its task count).
    let mut best: HashMap<usize, ((u64, usize), Option<usize>)> = HashMap::new();
    for &i in &nodes {
        let mut pick: Option<(u64, usize, usize)> = None;
        for &(j, _) in graph.deps(i) {
            if let Some(&((len, cnt), _)) = best.get(&j) {
                let better = match pick {
                    None => true,
                    Some((l, c, p)) => {
                        (len, cnt) > (l, c)
                            || ((len, cnt) == (l, c) && graph.rank(j) < graph.rank(p))
                    }
                };
                if better {
                    pick = Some((len, cnt, j));
                }
            }
        }
        let (len, cnt, prev) = match pick {
            Some((l, c, p)) => (l, c, Some(p)),
            None => (0, 0, None),
        };
        best.insert(i, ((len + weight(i), cnt + 1), prev));
    }
    // The end: the longest total; ties to the earliest in order.
    let mut end = nodes[0];
    for &i in &nodes {
        if best[&i].0 > best[&end].0 {
            end = i;
        }
    }
    let mut tasks = vec![end];
    let mut cur = end;
    while let Some(p) = best[&cur].1 {
        tasks.push(p);
        cur = p;
    }
    tasks.reverse();
    let minutes = tasks
        .iter()
        .filter_map(|&i| estimate_minutes(plan, i))
        .sum();
    let unestimated = tasks
        .iter()
        .copied()
        .filter(|&i| estimate_minutes(plan, i).is_none())
        .collect();
    Some(CriticalPath {
        tasks,
        measure,
        minutes,
        unestimated,
    })
}

/// One reason a task is not ready: an unfinished dependency (or, for an
/// epic, an unfinished member) and the chain from it down to work that
/// can start now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    pub task: usize,
    pub kind: Option<EdgeKind>,
    /// `task` first, then each time its longest chain of unfinished
    /// dependencies, ending at a task with none (ready or in progress).
    pub chain: Vec<usize>,
}

/// Why task `i` is not ready (empty when nothing holds it back).
pub fn why(plan: &Plan, graph: &Graph, i: usize) -> Vec<Blocker> {
    // Depth of unfinished work below each task, over the whole graph.
    let mut depth: Vec<usize> = vec![0; plan.len()];
    let mut next: Vec<Option<usize>> = vec![None; plan.len()];
    for &k in graph.order() {
        if plan.task(k).status.is_settled() {
            continue;
        }
        let mut best: Option<usize> = None;
        for j in graph.unsettled_deps(plan, k) {
            if best.is_none_or(|b| depth[j] > depth[b]) {
                best = Some(j);
            }
        }
        depth[k] = best.map_or(0, |b| depth[b]) + 1;
        next[k] = best;
    }
    let chain = |start: usize| {
        let mut c = vec![start];
        let mut cur = start;
        while let Some(n) = next[cur] {
            if c.contains(&n) {
                break; // only on a cyclic graph, which commands refuse
            }
            c.push(n);
            cur = n;
        }
        c
    };
    let t = plan.task(i);
    if t.is_epic() {
        return graph
            .children(i)
            .iter()
            .copied()
            .filter(|&c| !plan.task(c).status.is_settled())
            .map(|c| Blocker {
                task: c,
                kind: None,
                chain: chain(c),
            })
            .collect();
    }
    graph
        .deps(i)
        .iter()
        .filter(|&&(j, _)| !plan.task(j).status.is_settled())
        .map(|&(j, k)| Blocker {
            task: j,
            kind: Some(k),
            chain: chain(j),
        })
        .collect()
}

/// Counts of a group of tasks by derived state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateCounts {
    pub completed: usize,
    pub in_progress: usize,
    pub ready: usize,
    pub blocked: usize,
    pub cancelled: usize,
}

impl StateCounts {
    pub fn add(&mut self, s: State) {
        match s {
            State::Completed => self.completed += 1,
            State::InProgress => self.in_progress += 1,
            State::Ready => self.ready += 1,
            State::Blocked | State::OpenEpic => self.blocked += 1,
            State::Cancelled => self.cancelled += 1,
        }
    }
    pub fn total(&self) -> usize {
        self.completed + self.in_progress + self.ready + self.blocked + self.cancelled
    }
}

/// For `--by-phase`: the workflow's phases with the task counts of
/// `tasks` in each, plus tasks without a (known) phase under `None`.
pub fn by_phase(plan: &Plan, graph: &Graph, tasks: &[usize]) -> Vec<(Option<String>, StateCounts)> {
    let wf = plan.workflow();
    let catalog = plan.catalog();
    let mut out: Vec<(Option<String>, StateCounts)> = wf
        .phases
        .iter()
        .map(|p| (Some(p.id.clone()), StateCounts::default()))
        .collect();
    // Phases of the other workflows the tasks use, in workflow order.
    let mut extra: std::collections::BTreeMap<(usize, u32), StateCounts> = Default::default();
    let mut none = StateCounts::default();
    for &i in tasks {
        let s = graph.state(plan, i);
        let phase = plan.task(i).phase.as_deref();
        match (phase.and_then(|p| wf.position(p)), plan.slot(i)) {
            (Some(k), _) => out[k].1.add(s),
            (None, Some(slot)) => extra
                .entry((catalog.rank(slot.phase), slot.instance))
                .or_default()
                .add(s),
            (None, None) => none.add(s),
        }
    }
    for ((rank, instance), c) in extra {
        // Ranks are flat phase indexes.
        let slot = crate::model::workflow::Slot {
            phase: rank,
            instance,
        };
        out.push((Some(catalog.stored(slot)), c));
    }
    if none.total() > 0 {
        out.push((None, none));
    }
    out
}

/// The shortest prefix length (at least 4) that tells every id of the
/// plan apart, so short ids in drawings can be typed back.
pub fn short_id_len(plan: &Plan) -> usize {
    // Fast path, for ASCII ids that differ within 8 bytes (all generated
    // ones): compare the first 8 bytes as big-endian numbers, so sorting is
    // cheap and the common prefix of neighbours is their equal leading
    // bytes.
    let mut keys: Vec<u64> = Vec::with_capacity(plan.len());
    for t in plan.tasks() {
        if !t.id.is_ascii() {
            return short_id_len_slow(plan);
        }
        let b = t.id.as_bytes();
        let mut k = [0u8; 8];
        let m = b.len().min(8);
        k[..m].copy_from_slice(&b[..m]);
        keys.push(u64::from_be_bytes(k));
    }
    keys.sort_unstable();
    let mut len = 4;
    for w in keys.windows(2) {
        let x = w[0] ^ w[1];
        if x == 0 {
            return short_id_len_slow(plan);
        }
        len = len.max((x.leading_zeros() / 8) as usize + 1);
    }
    len
}

fn short_id_len_slow(plan: &Plan) -> usize {
    let mut ids: Vec<&str> = plan.tasks().iter().map(|t| t.id.as_str()).collect();
    ids.sort();
    let mut len = 4;
    for w in ids.windows(2) {
        let common = w[0]
            .chars()
            .zip(w[1].chars())
            .take_while(|(a, b)| a == b)
            .count();
        len = len.max(common + 1);
    }
    len
}

/// The first `len` characters of an id.
pub fn short_id(id: &str, len: usize) -> String {
    id.chars().take(len).collect()
}

#[cfg(test)]
mod short_id_tests {
    use super::*;

    #[test]
    fn short_id_len_fast_and_slow_agree() {
        use crate::model::{StoreFile, Task, TaskType};
        let sets: [&[&str]; 5] = [
            &["abcd1234", "abce1234", "zzzz0000"],
            &["abc", "abcd", "abcde"],
            &["a", "b"],
            &["same5678", "same5678", "other"],
            &["0123456789", "0123456780", "x"],
        ];
        for ids in sets {
            let tasks = ids
                .iter()
                .map(|id| {
                    Task::new(
                        id.to_string(),
                        "t".into(),
                        TaskType::Task,
                        chrono::Utc::now(),
                    )
                })
                .collect();
            let plan = Plan::new(StoreFile {
                tasks,
                ..StoreFile::default()
            });
            assert_eq!(short_id_len(&plan), short_id_len_slow(&plan), "{ids:?}");
        }
    }
}
