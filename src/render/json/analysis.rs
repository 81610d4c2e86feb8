//! Questions about the DAG: `waves`, `critical-path`, `why`.

use serde::Serialize;

use super::Document;
use super::tasks::{TaskView, task_view};
use crate::graph::analysis::{Blocker, CriticalPath, Measure};
use crate::graph::plan::Plan;
use crate::graph::{EdgeKind, Graph, derive};
use crate::model::format_estimate;

/// `waves --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WavesDoc {
    /// The number of tasks in the largest wave (0 when nothing is left).
    pub max_parallelism: usize,
    /// Wave 1 first. Only unfinished tasks appear.
    pub waves: Vec<Wave>,
}

/// One wave: tasks that can run in parallel once earlier waves are done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wave {
    /// The wave's tasks.
    pub tasks: Vec<TaskView>,
    /// The wave's number, from 1 (what can be worked on now).
    pub wave: usize,
}

/// The waves document of `waves` (task indexes, wave 1 first).
pub fn waves_doc(plan: &Plan, graph: &Graph, waves: &[Vec<usize>]) -> Document<WavesDoc> {
    Document::new(WavesDoc {
        waves: waves
            .iter()
            .enumerate()
            .map(|(k, w)| Wave {
                wave: k + 1,
                tasks: w.iter().map(|&i| task_view(plan, graph, i)).collect(),
            })
            .collect(),
        max_parallelism: waves.iter().map(Vec::len).max().unwrap_or(0),
    })
}

/// `critical-path --json`: the longest chain of unfinished work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriticalPathDoc {
    /// The same, in its shortest form (`1w1h`; null when measured by count).
    pub estimate: Option<String>,
    /// The total estimate in minutes (null when measured by count).
    pub estimate_minutes: Option<u64>,
    /// The number of tasks on the path.
    pub length: usize,
    /// `estimate` when any unfinished task in view has an estimate, else
    /// `count`.
    pub measure: &'static str,
    /// The path, first task first.
    pub tasks: Vec<TaskView>,
    /// Ids on the path without an estimate (counted as zero).
    pub unestimated: Vec<String>,
}

/// The critical-path document; `None` (nothing left) is an empty path
/// measured by count.
pub fn critical_path_doc(
    plan: &Plan,
    graph: &Graph,
    cp: Option<&CriticalPath>,
) -> Document<CriticalPathDoc> {
    Document::new(match cp {
        Some(cp) => {
            let by_estimate = cp.measure == Measure::Estimate;
            CriticalPathDoc {
                measure: cp.measure.as_str(),
                length: cp.tasks.len(),
                estimate_minutes: by_estimate.then_some(cp.minutes),
                estimate: by_estimate.then(|| format_estimate(cp.minutes)),
                unestimated: cp
                    .unestimated
                    .iter()
                    .map(|&i| plan.task(i).id.clone())
                    .collect(),
                tasks: cp
                    .tasks
                    .iter()
                    .map(|&i| task_view(plan, graph, i))
                    .collect(),
            }
        }
        None => CriticalPathDoc {
            measure: Measure::Count.as_str(),
            length: 0,
            estimate_minutes: None,
            estimate: None,
            unestimated: Vec::new(),
            tasks: Vec::new(),
        },
    })
}

/// `why --json`: what a task waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhyDoc {
    /// Empty unless the task is `blocked` (or `open`, for an epic).
    pub blockers: Vec<BlockerView>,
    /// Its derived state.
    pub state: &'static str,
    /// The task asked about.
    pub task: TaskView,
}

/// One unfinished dependency (for an epic, one unfinished member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockerView {
    /// For a `phase` edge: which workflow rule derives it (null otherwise).
    pub because: Option<String>,
    /// The longest chain of unfinished work from the blocker itself down to
    /// a task that is ready or in progress.
    pub chain: Vec<ChainStep>,
    /// The blocker's full id.
    pub id: String,
    /// `explicit`, `phase` or `member` (of an epic).
    pub kind: &'static str,
    /// The blocker's derived state.
    pub state: &'static str,
}

/// One task of a blocker's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainStep {
    /// The full id.
    pub id: String,
    /// The derived state.
    pub state: &'static str,
    /// The title, exactly as stored.
    pub title: String,
}

/// The why document of task `i` and its blockers.
pub fn why_doc(plan: &Plan, graph: &Graph, i: usize, blockers: &[Blocker]) -> Document<WhyDoc> {
    Document::new(WhyDoc {
        task: task_view(plan, graph, i),
        state: graph.state(plan, i).as_str(),
        blockers: blockers
            .iter()
            .map(|b| BlockerView {
                id: plan.task(b.task).id.clone(),
                kind: b.kind.map(|k| k.as_str()).unwrap_or("member"),
                because: b
                    .kind
                    .filter(|&k| k == EdgeKind::Phase)
                    .and_then(|_| derive::explain(plan, i, b.task)),
                state: graph.state(plan, b.task).as_str(),
                chain: b
                    .chain
                    .iter()
                    .map(|&c| ChainStep {
                        id: plan.task(c).id.clone(),
                        title: plan.task(c).title.clone(),
                        state: graph.state(plan, c).as_str(),
                    })
                    .collect(),
            })
            .collect(),
    })
}
