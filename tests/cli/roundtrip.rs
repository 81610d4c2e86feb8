//! `export | import` round trips, for random plans, through the real
//! binary: into the same issue nothing changes; into a fresh issue the
//! graph comes back the same (titles, types, phases, roles, statuses,
//! labels, the epic, and every dependency with its kind).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::common::Env;
use proptest::prelude::*;
use wm::Plan;
use wm::model::{Status, TaskType};
use wm::ops::{self, NewTask, Op};
use wm::store::yaml;

const TITLES: &[&str] = &[
    "Ship the `config` loader",
    "Deploy <b>now</b> --> then rest",
    "Update docs & runbook",
    "Phase 2: Rollout",
    "- [ ] looks like an item",
    "Analyze \"quoted\" paths",
    "[x] done? ~~no~~",
    "Rollback | revert **bold**",
    "Task 1",
    "I have checked this",
];

const PHASES: &[&str] = &[
    "analysis", "backup", "impl", "config", "staging", "rollback", "docs",
];

#[derive(Debug, Clone)]
struct Spec {
    title: usize,
    prefixed: bool,
    kind: TaskType,
    status: Status,
    phase: Option<usize>,
    after: Vec<bool>,
    label: Option<usize>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..TITLES.len(),
        any::<bool>(),
        proptest::sample::select(
            TaskType::ALL
                .into_iter()
                .filter(|k| *k != TaskType::Epic)
                .collect::<Vec<_>>(),
        ),
        proptest::sample::select(Status::ALL.to_vec()),
        proptest::option::weighted(0.6, 0..PHASES.len()),
        proptest::collection::vec(proptest::bool::weighted(0.25), 0..8),
        proptest::option::of(0..TITLES.len()),
    )
        .prop_map(
            |(title, prefixed, kind, status, phase, after, label)| Spec {
                title,
                prefixed,
                kind,
                status,
                phase,
                after,
                label,
            },
        )
}

/// A plan of issue 42 (and a task of another issue), or None when the
/// random choices make an invalid store.
fn build(epic: Option<bool>, specs: &[Spec]) -> Option<Plan> {
    let mut ops = vec![Op::Create(NewTask {
        title: "GH#7: Elsewhere".into(),
        issue: Some(7),
        no_infer: true,
        ..NewTask::default()
    })];
    if let Some(with_workflow) = epic {
        ops.push(Op::Create(NewTask {
            title: "GH#42: The feature".into(),
            kind: Some(TaskType::Epic),
            issue: Some(42),
            workflow: with_workflow.then(|| "infrastructure".to_string()),
            labels: vec!["component:db".into()],
            ..NewTask::default()
        }));
    }
    let first = ops.len();
    for (n, s) in specs.iter().enumerate() {
        let text = format!("{} {n}", TITLES[s.title]);
        ops.push(Op::Create(NewTask {
            title: if s.prefixed {
                format!("GH#42: {text}")
            } else {
                text
            },
            kind: Some(s.kind),
            issue: Some(42),
            phase: s.phase.map(|p| PHASES[p].to_string()),
            labels: s.label.map(|l| TITLES[l].to_string()).into_iter().collect(),
            after: s
                .after
                .iter()
                .enumerate()
                .filter(|&(k, &on)| on && k < n)
                .map(|(k, _)| first + k)
                .collect(),
            no_infer: true,
            status: Some(s.status),
            ..NewTask::default()
        }));
    }
    ops::apply(Plan::empty(), ops, wm::model::now_millis())
        .ok()
        .map(|(p, _)| p)
}

/// The issue's tasks by title (`GH#N` made `GH#_`): type, phase, role,
/// status, labels, epic title, and each dependency's title and kind.
fn graph_of(env: &Env, issue: u64) -> BTreeMap<String, String> {
    let doc = env.json(&["tasks", "list", "--issue", &issue.to_string(), "--json"]);
    let tasks = doc["tasks"].as_array().unwrap();
    let prefix = format!("GH#{issue}:");
    let norm = |s: &str| s.replace(&prefix, "GH#_:");
    let title: HashMap<&str, String> = tasks
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap(),
                norm(t["title"].as_str().unwrap()),
            )
        })
        .collect();
    let all = env.json(&["tasks", "list", "--json"]);
    let any_title: HashMap<&str, &str> = all["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_str().unwrap(), t["title"].as_str().unwrap()))
        .collect();
    let mut out = BTreeMap::new();
    for t in tasks {
        let deps: BTreeSet<String> = t["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let id = d["id"].as_str().unwrap();
                let name = title
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| any_title.get(id).unwrap_or(&id).to_string());
                format!("{name} ({})", d["kind"].as_str().unwrap())
            })
            .collect();
        let epic = t["epic"]
            .as_str()
            .map(|e| title.get(e).cloned().unwrap_or_else(|| "other".into()));
        out.insert(
            title[t["id"].as_str().unwrap()].clone(),
            format!(
                "{} phase={} role={} {} labels={} epic={:?} deps={:?}",
                t["type"], t["phase"], t["role"], t["status"], t["labels"], epic, deps
            ),
        );
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn export_then_import_is_a_no_op_here_and_the_same_graph_elsewhere(
        epic in proptest::option::of(any::<bool>()),
        specs in proptest::collection::vec(spec(), 1..8),
    ) {
        let Some(plan) = build(epic, &specs) else {
            return Err(TestCaseError::reject("invalid random plan"));
        };
        let env = Env::new();
        env.write(&yaml::emit(plan.file()));
        let md = env.ok(&["tasks", "export", "--issue", "42"]);
        let body = env.path().join("body.md");
        std::fs::write(&body, &md).unwrap();

        let before = env.read();
        env.run(&["tasks", "import", "--issue", "42", body.to_str().unwrap()]).code(0);
        prop_assert_eq!(env.read(), before, "re-import changed the store:\n{}", md);

        env.run(&["tasks", "import", "--issue", "50", body.to_str().unwrap()]).code(0);
        prop_assert_eq!(graph_of(&env, 50), graph_of(&env, 42), "{}", md);
    }
}
