//! Workflows: the planning templates' task blocks, run verbatim through the
//! real binary, derive the graphs their templates draw; generated plans in
//! the templates' style never order a verification before its work; an
//! issue's workflow is recorded, shown and correctable.
//!
//! `tests/fixtures/workflows/` is a copy of `../shared/workflows/{blocks,
//! expected}` (the family's task blocks and the graphs they must produce);
//! `.ci/run` also runs the shared `check.py` against the built binary.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::Env;
use proptest::prelude::*;
use wm::Graph;
use wm::graph::plan::Plan;
use wm::model::{StoreFile, TaskType};
use wm::ops::{self, NewTask, Op};

const FILL: [(&str, &str); 5] = [
    ("{{ISSUE}}", "104"),
    ("{{FEATURE_TITLE}}", "Invoice management"),
    ("{{Domain}}", "Invoice"),
    ("{{domain}}", "invoice"),
    ("{{entity}}", "invoice"),
];

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/workflows/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `--key=value` arguments of one block line, placeholders filled.
fn args_of(line: &str) -> Vec<String> {
    let mut line = line.to_string();
    for (k, v) in FILL {
        line = line.replace(k, v);
    }
    let re = regex::Regex::new(r#"--([a-z-]+)=("([^"]*)"|\S+)"#).unwrap();
    let mut out = vec!["tasks".to_string(), "create".to_string()];
    for c in re.captures_iter(&line) {
        let value = c.get(3).or(c.get(2)).unwrap().as_str();
        out.push(format!("--{}={value}", &c[1]));
    }
    out
}

fn name_of(title: &str) -> String {
    regex::Regex::new(r"^GH#\d+:\s*")
        .unwrap()
        .replace(title, "")
        .into_owned()
}

/// All pairs (a, b) with a path a -> ... -> b.
fn closure(nodes: &BTreeSet<String>, edges: &[(String, String)]) -> BTreeSet<(String, String)> {
    let mut after: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        after.entry(a).or_default().push(b);
    }
    let mut out = BTreeSet::new();
    for n in nodes {
        let mut stack = vec![n.as_str()];
        let mut seen = BTreeSet::new();
        while let Some(c) = stack.pop() {
            for &m in after.get(c).map(|v| v.as_slice()).unwrap_or(&[]) {
                if seen.insert(m) {
                    out.insert((n.clone(), m.to_string()));
                    stack.push(m);
                }
            }
        }
    }
    out
}

/// Run a block in a fresh repository; the task names and derived edges.
fn run_block(name: &str) -> (Env, BTreeSet<String>, Vec<(String, String)>) {
    let env = Env::new();
    for line in fixture(&format!("{name}.sh")).lines() {
        if !line.starts_with("wm tasks create") {
            continue;
        }
        let args = args_of(line);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        env.run(&refs).code(0);
    }
    let doc = env.json(&["tasks", "list", "--issue=104", "--json"]);
    let tasks: Vec<&serde_json::Value> = doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["type"] != "epic")
        .collect();
    let names: BTreeMap<String, String> = tasks
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                name_of(t["title"].as_str().unwrap()),
            )
        })
        .collect();
    let mut edges = Vec::new();
    for t in &tasks {
        for d in t["dependencies"].as_array().unwrap() {
            if let Some(from) = names.get(d["id"].as_str().unwrap()) {
                edges.push((from.clone(), names[t["id"].as_str().unwrap()].clone()));
            }
        }
    }
    (env, names.into_values().collect(), edges)
}

type Pair = (String, String);

/// The expected edges, and the pairs a `# either:` line lets go either way.
fn expected(name: &str) -> (Vec<Pair>, BTreeSet<Pair>) {
    let either_re = regex::Regex::new(r#"#\s*either:.*"(.+)\s+->\s+(.+)""#).unwrap();
    let mut edges = Vec::new();
    let mut either = BTreeSet::new();
    for line in fixture(&format!("{name}.edges")).lines() {
        let line = line.trim();
        if let Some(c) = either_re.captures(line) {
            let (a, b) = (c[1].trim().to_string(), c[2].trim().to_string());
            either.insert((b.clone(), a.clone()));
            either.insert((a, b));
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (a, b) = line.split_once("->").unwrap();
        edges.push((a.trim().to_string(), b.trim().to_string()));
    }
    (edges, either)
}

fn assert_block(name: &str) {
    let (env, nodes, got) = run_block(name);
    let (want, either) = expected(name);
    for (a, b) in &want {
        assert!(
            nodes.contains(a) && nodes.contains(b),
            "{name}: {a} or {b} not created"
        );
    }
    let (got, want) = (closure(&nodes, &got), closure(&nodes, &want));
    let missing: Vec<_> = want
        .difference(&got)
        .filter(|p| !either.contains(*p))
        .collect();
    let extra: Vec<_> = got
        .difference(&want)
        .filter(|p| !either.contains(*p))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{name}: missing {missing:#?}\nextra {extra:#?}"
    );
    // The store the block made is valid and says so.
    env.run(&["tasks", "check"]).code(0);
}

#[test]
fn infrastructure_block_derives_the_seed_drawing() {
    assert_block("infrastructure");
}

#[test]
fn backend_only_block_derives_foundation_then_quality() {
    assert_block("backend-only");
}

#[test]
fn frontend_only_block_is_verification_gated() {
    assert_block("frontend-only");
}

#[test]
fn full_stack_block_fans_out_and_in() {
    assert_block("full-stack");
}

#[test]
fn create_says_what_it_decided_and_why() {
    let env = Env::new();
    env.run(&[
        "tasks",
        "create",
        "--title=GH#7: VERIFY baseline works",
        "--type=verify",
        "--issue=7",
    ])
    .code(0)
    .stderr_has("workflow `gated` recognised from the title")
    .stderr_has("phase `baseline` inferred from the title (`baseline`)");
    env.run(&[
        "tasks",
        "create",
        "--title=GH#7: TEST Phase 1 - store tests",
        "--type=test",
        "--issue=7",
    ])
    .code(0)
    .stderr_has("phase `step-1` inferred from the title (`Phase 1`), role test");
    env.run(&[
        "tasks",
        "create",
        "--title=GH#7: IMPL PropertySheet keyboard navigation",
        "--type=impl",
        "--issue=7",
    ])
    .code(0)
    .stderr_has(
        "phase `step-1` by position: created after `TEST Phase 1 - store tests` in it, role impl",
    );
}

#[test]
fn a_fix_that_agrees_with_the_order_is_accepted() {
    // The issue's complaint: `dep add <Implement Store> --on <VERIFY
    // baseline>` was refused as against the phase order.
    let env = Env::new();
    let base = env.create(
        "GH#3: VERIFY baseline works",
        &["--type=verify", "--issue=3"],
    );
    let store = env.create(
        "GH#3: Implement InvoiceStore",
        &["--type=impl", "--issue=3"],
    );
    env.run(&["tasks", "dep", "add", &store, "--on", &base])
        .code(0);
    // The opposite is refused: a baseline never waits for the work.
    env.run(&["tasks", "dep", "add", &base, "--on", &store])
        .code(3)
        .stderr_has("refused");
}

#[test]
fn a_hand_edited_baseline_after_work_is_refused_by_check() {
    let env = Env::new();
    let base = env.create(
        "GH#3: VERIFY baseline works",
        &["--type=verify", "--issue=3"],
    );
    let work = env.create("GH#3: IMPL store", &["--type=impl", "--issue=3"]);
    let text = env.read().replace(
        &format!("  - id: {base}\n"),
        &format!("  - id: {base}\n    depends_on:\n      - {work}\n"),
    );
    env.write(&text);
    let out = env.run(&["tasks", "check"]).code(5).stdout();
    assert!(
        out.contains("baseline-after-work") || out.contains("cycle"),
        "{out}"
    );
}

#[test]
fn a_mixed_store_keeps_a_new_task_in_the_templates_chain() {
    let env = Env::new();
    env.run(&[
        "tasks",
        "plan",
        "--template",
        "infra-request",
        "--issue",
        "101",
        "--title",
        "Move Postgres to managed RDS",
    ])
    .code(0);
    let id = env.create("GH#101: Snapshot the primary DB", &["--type=impl"]);
    let doc = env.json(&["tasks", "show", &id, "--json"]);
    let phase = doc["task"]["phase"].as_str().unwrap_or("").to_string();
    assert_ne!(
        phase, "backup",
        "joined the default workflow's backup phase"
    );
    // It is ordered with the plan, not a separate parallel chain.
    let deps = doc["task"]["dependencies"].as_array().unwrap();
    assert!(!deps.is_empty(), "{doc:#}");
}

#[test]
fn an_issue_workflow_is_chosen_shown_and_corrected() {
    let env = Env::new();
    let epic = env.create(
        "GH#5: Invoices",
        &["--type=epic", "--issue=5", "--workflow=full-stack"],
    );
    // Not a workflow name: a usage error listing them.
    env.run(&[
        "tasks",
        "create",
        "--title=GH#6: x",
        "--type=epic",
        "--issue=6",
        "--workflow=nope",
    ])
    .code(2)
    .stderr_has("gated");
    let a = env.create("GH#5: Write the store", &["--type=impl", "--issue=5"]);
    let b = env.create("GH#5: VERIFY store works", &["--type=verify", "--issue=5"]);
    let show = env.ok(&["tasks", "show", &epic]);
    assert!(show.contains("gated"), "{show}");
    let doc = env.json(&["tasks", "show", &b, "--json"]);
    assert_eq!(doc["task"]["phase"], "track-1");
    let deps: Vec<&str> = doc["task"]["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(deps, vec![a.as_str()]);
    // A wrong guess is fixed with --phase; the graph follows.
    env.run(&["tasks", "update", &a, "--phase", "step-1"])
        .code(0);
    let doc = env.json(&["tasks", "show", &a, "--json"]);
    assert_eq!(doc["task"]["phase"], "step-1");
    assert_eq!(doc["task"]["role"], "impl");
    // And the VERIFY (still track-1) now waits for it through the phases.
    let why = env.ok(&["tasks", "why", &b]);
    assert!(why.contains(&a[..4]), "{why}");
    // Switching the issue to the infrastructure workflow places every task
    // again.
    env.run(&["tasks", "update", &epic, "--workflow", "infrastructure"])
        .code(0)
        .stderr_has("placed the issue's tasks again");
}

#[test]
fn workflows_lists_the_built_ins() {
    let env = Env::new();
    let out = env.ok(&["tasks", "workflows"]);
    for name in [
        "infrastructure",
        "gated",
        "backend",
        "frontend-only",
        "full-stack",
    ] {
        assert!(out.contains(name), "{name} missing:\n{out}");
    }
    let doc = env.json(&["tasks", "workflows", "--json"]);
    let names: Vec<&str> = doc["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["infrastructure", "gated", "backend"]);
}

/// One generated plan in a template's style: (title, type) in creation
/// order, with what each task is.
#[derive(Debug, Clone)]
enum Kind {
    Baseline,
    /// Work of numbered phase N (a TEST, an IMPL or an extra task).
    Work(u32),
    /// The VERIFY of numbered phase N.
    Gate(u32),
    /// Anything after the numbered phases.
    After,
}

fn plan_in_style(
    full_stack: bool,
    phases: Vec<(usize, bool)>,
    criteria: usize,
) -> Vec<(String, TaskType, Kind)> {
    let mut out = vec![
        (
            "GH#9: VERIFY baseline works before implementing".to_string(),
            TaskType::Verify,
            Kind::Baseline,
        ),
        ("GH#9: Invoices".to_string(), TaskType::Epic, Kind::After),
        (
            "GH#9: VERIFY baseline - env ready".to_string(),
            TaskType::Verify,
            Kind::Baseline,
        ),
    ];
    for (k, (impls, extra)) in phases.into_iter().enumerate() {
        let n = k as u32 + 1;
        if full_stack {
            out.push((
                format!("GH#9: TEST Phase {n} - write unit tests"),
                TaskType::Test,
                Kind::Work(n),
            ));
        }
        for i in 0..impls {
            let title = if full_stack {
                format!("GH#9: IMPL part {i} of phase work")
            } else {
                format!("GH#9: Create Widget{i} component")
            };
            out.push((title, TaskType::Impl, Kind::Work(n)));
            if extra && i == 0 {
                out.push((
                    "GH#9: Write developer documentation".to_string(),
                    TaskType::Task,
                    Kind::Work(n),
                ));
            }
        }
        out.push((
            format!("GH#9: VERIFY Phase {n} - it works"),
            TaskType::Verify,
            Kind::Gate(n),
        ));
    }
    if full_stack {
        for t in ["error handling", "edge cases"] {
            out.push((
                format!("GH#9: TEST {t} - write tests"),
                TaskType::Test,
                Kind::After,
            ));
            out.push((format!("GH#9: IMPL {t}"), TaskType::Impl, Kind::After));
            out.push((
                format!("GH#9: VERIFY {t} handled"),
                TaskType::Verify,
                Kind::After,
            ));
        }
        for c in 0..criteria {
            out.push((
                format!("GH#9: SC: Users can do thing {c}"),
                TaskType::Verify,
                Kind::After,
            ));
        }
        out.push((
            "GH#9: VERIFY all success criteria passed".to_string(),
            TaskType::Verify,
            Kind::After,
        ));
    } else {
        out.push((
            "GH#9: Add unit tests".to_string(),
            TaskType::Test,
            Kind::After,
        ));
        out.push((
            "GH#9: VERIFY accessibility".to_string(),
            TaskType::Verify,
            Kind::After,
        ));
    }
    out.push((
        "GH#9: DEMO to user - feature complete".to_string(),
        TaskType::Verify,
        Kind::After,
    ));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Generated plans in the templates' style: a phase's VERIFY waits for
    /// all the phase's work and never comes before it; nothing of a later
    /// phase (or after the phases) is ready before the phase's VERIFY; the
    /// baselines come before everything.
    #[test]
    fn generated_plans_never_verify_before_the_work(
        full_stack in any::<bool>(),
        phases in proptest::collection::vec((1usize..5, any::<bool>()), 2..8),
        criteria in 3usize..13,
    ) {
        let tasks = plan_in_style(full_stack, phases, criteria);
        let mut plan = Plan::new(StoreFile::default());
        let start = chrono::Utc::now();
        for (k, (title, kind, _)) in tasks.iter().enumerate() {
            let op = Op::Create(NewTask {
                title: title.clone(),
                kind: Some(*kind),
                issue: Some(9),
                ..NewTask::default()
            });
            let now = start + chrono::Duration::milliseconds(k as i64);
            plan = ops::apply(plan, vec![op], now).map_err(|e| TestCaseError::fail(e.to_string()))?.0;
        }
        let graph = Graph::build(&plan);
        prop_assert!(graph.cycles().is_empty());
        // Task index by creation order (apply appends).
        let reach = |from: usize, to: usize| -> bool {
            // Is `to` reachable from `from` along dependencies (to before from)?
            let mut stack = vec![from];
            let mut seen = vec![false; plan.len()];
            while let Some(c) = stack.pop() {
                for &(d, _) in graph.deps(c) {
                    if d == to { return true; }
                    if !std::mem::replace(&mut seen[d], true) { stack.push(d); }
                }
            }
            false
        };
        for (g, (_, _, gk)) in tasks.iter().enumerate() {
            match gk {
                Kind::Gate(n) => {
                    for (w, (title, _, wk)) in tasks.iter().enumerate() {
                        match wk {
                            Kind::Work(m) if m == n => {
                                prop_assert!(reach(g, w), "VERIFY of phase {n} does not wait for {title}");
                                prop_assert!(!reach(w, g), "{title} waits for its own VERIFY");
                            }
                            Kind::Work(m) if m > n => {
                                prop_assert!(reach(w, g), "{title} (phase {m}) is not gated by phase {n}");
                            }
                            Kind::After => {
                                if plan.task(w).is_epic() { continue; }
                                prop_assert!(reach(w, g), "{title} is not gated by phase {n}");
                            }
                            _ => {}
                        }
                    }
                }
                Kind::Baseline => {
                    prop_assert!(graph.deps(g).is_empty(), "a baseline waits for something");
                    for (w, _) in tasks.iter().enumerate() {
                        if w != g && !plan.task(w).is_epic() && !matches!(tasks[w].2, Kind::Baseline) {
                            prop_assert!(reach(w, g), "{} does not wait for the baseline", tasks[w].0);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn git(env: &Env, args: &[&str]) -> String {
    env.git(args)
}

/// (phase, role) of every task of issue 104, by title.
fn placements(env: &Env) -> BTreeMap<String, (String, String)> {
    let doc = env.json(&["tasks", "list", "--issue=104", "--json"]);
    doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                name_of(t["title"].as_str().unwrap()),
                (
                    t["phase"].as_str().unwrap_or("-").to_string(),
                    t["role"].as_str().unwrap_or("-").to_string(),
                ),
            )
        })
        .collect()
}

#[test]
fn merging_two_branches_of_one_gated_issue_keeps_every_placement() {
    let env = crate::merge::repo_with_driver();
    let create = |title: &str, kind: &str| {
        env.create(
            &format!("GH#104: {title}"),
            &[&format!("--type={kind}"), "--issue=104"],
        )
    };
    create("VERIFY baseline works before implementing", "verify");
    create("Invoices", "epic");
    create("TEST Phase 1 - write backend unit tests", "test");
    create("IMPL archetype/migration", "impl");
    create("VERIFY Phase 1 - backend tests pass", "verify");
    git(&env, &["add", "."]);
    git(&env, &["commit", "-q", "-m", "phase 1"]);

    git(&env, &["checkout", "-q", "-b", "left"]);
    create("TEST Phase 2 - write store unit tests", "test");
    create("IMPL InvoiceStore", "impl");
    create("VERIFY Phase 2 - store tests pass", "verify");
    let left = placements(&env);
    git(&env, &["commit", "-q", "-am", "phase 2"]);

    git(&env, &["checkout", "-q", "main"]);
    create("SC: Users can create invoice", "verify");
    create("SC: Users can view invoice list", "verify");
    create("VERIFY all success criteria passed", "verify");
    let right = placements(&env);
    git(&env, &["commit", "-q", "-am", "criteria"]);

    git(&env, &["merge", "-q", "--no-edit", "left"]);
    let merged = placements(&env);
    for (title, placed) in left.iter().chain(right.iter()) {
        assert_eq!(
            merged.get(title),
            Some(placed),
            "{title} moved in the merge"
        );
    }
    assert_eq!(merged.len(), 11);
    env.run(&["tasks", "check"]).code(0);
    // The merged graph is what one branch would have drawn: the criteria
    // now wait for phase 2's gate, which waits for phase 1's.
    let doc = env.json(&["tasks", "list", "--issue=104", "--json"]);
    let by_title: BTreeMap<String, &serde_json::Value> = doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (name_of(t["title"].as_str().unwrap()), t))
        .collect();
    let deps = |title: &str| -> BTreeSet<String> {
        let ids: BTreeMap<&str, String> = by_title
            .iter()
            .map(|(n, t)| (t["id"].as_str().unwrap(), n.clone()))
            .collect();
        by_title[title]["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| ids[d["id"].as_str().unwrap()].clone())
            .collect()
    };
    assert_eq!(
        deps("SC: Users can create invoice"),
        BTreeSet::from(["VERIFY Phase 2 - store tests pass".to_string()])
    );
    assert_eq!(
        deps("TEST Phase 2 - write store unit tests"),
        BTreeSet::from(["VERIFY Phase 1 - backend tests pass".to_string()])
    );
}

#[test]
fn a_task_called_workflow_is_not_mistaken_for_the_workflow() {
    // Outcomes are typed: the workflow merge of `plan` is not looked up as
    // a task id (it once was, by the string "workflow").
    let env = Env::new();
    env.write(
        "version: 1\ntasks:\n  - id: workflow\n    title: A task named workflow\n    type: task\n    status: pending\n    created_at: 2026-01-01T00:00:00Z\n    updated_at: 2026-01-01T00:00:00Z\n",
    );
    let run = env
        .run(&[
            "tasks",
            "plan",
            "--template",
            "infra-request",
            "--issue",
            "5",
            "--title",
            "Move Postgres",
        ])
        .code(0);
    let err = run.stderr();
    assert!(err.contains("added phase"), "{err}");
    assert!(!err.contains("A task named workflow"), "{err}");
    let out = run.stdout();
    assert!(!out.contains("A task named workflow"), "{out}");
}

#[test]
fn completion_offers_workflows_phases_and_roles() {
    let env = Env::new();
    let complete = |words: &[&str]| -> String {
        let mut c = env.spawnable(&["--"]);
        c.env("COMPLETE", "fish").args(words);
        let out = c.output().expect("complete");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let w = complete(&["wm", "tasks", "create", "--workflow", "f"]);
    assert!(w.contains("full-stack\t= gated"), "{w}");
    let p = complete(&["wm", "tasks", "update", "x", "--phase", "st"]);
    assert!(p.contains("step-1\tPhase (gated)"), "{p}");
    assert!(p.contains("staging\tStaging (infrastructure)"), "{p}");
    let r = complete(&["wm", "tasks", "update", "x", "--role", ""]);
    assert_eq!(r.lines().collect::<Vec<_>>(), ["test", "impl", "verify"]);
}
