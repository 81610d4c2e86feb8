//! Graph views (issue 3): drawings through the library with fixed ids, and
//! the `graph`, `order`, `waves`, `critical-path` and `why` commands
//! through the real binary.

use crate::common::Env;

use chrono::{TimeZone, Utc};
use wm::graph::analysis::{self, Measure, Scope};
use wm::render::ascii::{self, AsciiOptions};
use wm::render::{dot, mermaid, view};
use wm::{Graph, Plan, Status, StoreFile, Task, TaskType};

// ---------------------------------------------------------------------
// Plans with fixed ids, built in memory.

fn task(id: &str, title: &str, issue: Option<u64>, phase: Option<&str>, n: i64) -> Task {
    let at = Utc.timestamp_opt(1_700_000_000 + n, 0).unwrap();
    let mut t = Task::new(id.into(), title.into(), TaskType::Impl, at);
    t.issue = issue;
    t.phase = phase.map(String::from);
    t
}

fn plan(tasks: Vec<Task>) -> (Plan, Graph) {
    let p = Plan::new(StoreFile {
        tasks,
        ..StoreFile::default()
    });
    let g = Graph::build(&p);
    assert!(g.is_acyclic());
    (p, g)
}

const SEED: [(&str, &str, &str); 7] = [
    ("analysis", "Analyze current infrastructure", "analysis"),
    ("backup", "Create backups/snapshots", "backup"),
    ("impl", "Implement infrastructure changes", "impl"),
    ("config", "Update configuration", "config"),
    ("staging", "Deploy and verify on staging", "staging"),
    ("rollback", "Test rollback procedure", "rollback"),
    ("docs", "Update documentation", "docs"),
];

/// The seed plan for issue 42 with readable ids; `status` sets states.
fn seed(status: &[(&str, Status)]) -> Vec<Task> {
    let mut tasks = vec![task(
        "epic42",
        "Epic: GH#42: Network hardening",
        Some(42),
        None,
        0,
    )];
    tasks[0].kind = TaskType::Epic;
    tasks[0].title = "GH#42: Network hardening".into();
    for (k, (id, title, phase)) in SEED.iter().enumerate() {
        let mut t = task(
            id,
            &format!("GH#42: {title}"),
            Some(42),
            Some(phase),
            k as i64 + 1,
        );
        if let Some((_, s)) = status.iter().find(|(i, _)| i == id) {
            t.status = *s;
        }
        tasks.push(t);
    }
    tasks
}

fn draw(p: &Plan, g: &Graph, opts: AsciiOptions) -> ascii::Drawing {
    ascii::draw(&view::tasks(p, g, &Scope::default()), &opts)
}

fn boxes(p: &Plan, g: &Graph) -> String {
    let d = draw(p, g, AsciiOptions::default());
    assert!(d.compact.is_empty(), "fell back: {:?}", d.compact);
    d.text
}

/// The column (in characters) of the first occurrence of `needle` on the
/// line holding it, and that line's number.
fn locate(text: &str, needle: &str) -> (usize, usize) {
    for (n, line) in text.lines().enumerate() {
        if let Some(b) = line.find(needle) {
            return (n, line[..b].chars().count());
        }
    }
    panic!("{needle:?} not drawn:\n{text}");
}

#[test]
fn seed_plan_draws_the_template_picture() {
    let (p, g) = plan(seed(&[]));
    let text = boxes(&p, &g);
    insta::assert_snapshot!("seed_fresh", text);
    // Analysis .. Staging stacked in one column, top to bottom.
    let rows: Vec<(usize, usize)> = ["anal", "back", "impl", "conf", "stag"]
        .iter()
        .map(|k| locate(&text, &format!(" {k} ")))
        .collect();
    for w in rows.windows(2) {
        assert!(w[0].0 < w[1].0, "not top to bottom:\n{text}");
    }
    // Then Rollback and Docs side by side on one row, below Staging.
    let (r_line, r_col) = locate(&text, "roll ");
    let (d_line, d_col) = locate(&text, "docs ");
    assert_eq!(
        r_line, d_line,
        "rollback and docs not side by side:\n{text}"
    );
    assert!(r_line > rows[4].0 && r_col < d_col);
    assert!(text.contains("○ anal Analyze current infrastructure"));
    assert!(text.contains("⊘ stag Deploy and verify on staging"));
}

#[test]
fn seed_plan_half_done() {
    use Status::*;
    let (p, g) = plan(seed(&[
        ("analysis", Completed),
        ("backup", Completed),
        ("impl", Completed),
        ("config", InProgress),
    ]));
    let text = boxes(&p, &g);
    insta::assert_snapshot!("seed_half_done", text);
    assert!(text.contains("✓ impl Implement"));
    assert!(text.contains("◐ conf Update configuration"));
}

#[test]
fn seed_plan_with_a_cancelled_task() {
    use Status::*;
    let (p, g) = plan(seed(&[("analysis", Completed), ("backup", Cancelled)]));
    let text = boxes(&p, &g);
    insta::assert_snapshot!("seed_cancelled", text);
    assert!(text.contains("✗ back Create backups/snapshots"));
    // A cancelled dependency counts as settled: impl is ready.
    assert!(text.contains("○ impl Implement"));
}

#[test]
fn seed_plan_plain_is_ascii_only_and_colour_marks_status() {
    let (p, g) = plan(seed(&[("analysis", Status::Completed)]));
    let plain = draw(
        &p,
        &g,
        AsciiOptions {
            plain: true,
            ..AsciiOptions::default()
        },
    );
    insta::assert_snapshot!("seed_plain", plain.text);
    assert!(
        plain.text.is_ascii(),
        "non-ASCII in --plain:\n{}",
        plain.text
    );
    let colored = draw(
        &p,
        &g,
        AsciiOptions {
            color: true,
            ..AsciiOptions::default()
        },
    );
    assert!(colored.text.contains("\x1b[32m✓\x1b[0m anal"));
    assert!(colored.text.contains("\x1b[36m○\x1b[0m back"));
    assert!(!draw(&p, &g, AsciiOptions::default()).text.contains('\x1b'));
}

#[test]
fn diamond() {
    let mut a = task("aaaa", "Design", None, None, 0);
    a.kind = TaskType::Task;
    let mut b = task("bbbb", "Build left", None, None, 1);
    b.depends_on = vec!["aaaa".into()];
    let mut c = task("cccc", "Build right", None, None, 2);
    c.depends_on = vec!["aaaa".into()];
    let mut d = task("dddd", "Integrate", None, None, 3);
    d.depends_on = vec!["bbbb".into(), "cccc".into()];
    let (p, g) = plan(vec![a, b, c, d]);
    let text = boxes(&p, &g);
    insta::assert_snapshot!("diamond", text);
    let (lb, _) = locate(&text, "bbbb");
    let (lc, _) = locate(&text, "cccc");
    let (la, _) = locate(&text, "aaaa");
    let (ld, _) = locate(&text, "dddd");
    assert!(la < lb && lb == lc && lc < ld, "{text}");
}

#[test]
fn two_disconnected_issues_are_drawn_one_after_another() {
    let mut tasks = Vec::new();
    for (issue, base) in [(7u64, 0), (3u64, 10)] {
        let mut e = task(
            &format!("epic{issue}"),
            &format!("GH#{issue}: Rotate keys {issue}"),
            Some(issue),
            None,
            base,
        );
        e.kind = TaskType::Epic;
        tasks.push(e);
        tasks.push(task(
            &format!("i{issue}an"),
            "Analyze key usage",
            Some(issue),
            Some("analysis"),
            base + 1,
        ));
        tasks.push(task(
            &format!("i{issue}im"),
            "Implement rotation",
            Some(issue),
            Some("impl"),
            base + 2,
        ));
        tasks.push(task(
            &format!("i{issue}dc"),
            "Update documentation",
            Some(issue),
            Some("docs"),
            base + 3,
        ));
    }
    let (p, g) = plan(tasks);
    let text = boxes(&p, &g);
    insta::assert_snapshot!("two_issues", text);
    // Titled by issue and epic, lower issue first; epics are not boxes.
    let (t3, _) = locate(&text, "#3 Rotate keys 3");
    let (t7, _) = locate(&text, "#7 Rotate keys 7");
    let (i3, _) = locate(&text, "i3an");
    let (i7, _) = locate(&text, "i7an");
    assert!(t3 < i3 && i3 < t7 && t7 < i7, "{text}");
    assert!(!text.contains("epic"));
}

fn wide() -> (Plan, Graph) {
    let mut tasks = vec![task(
        "root0000",
        "Provision the shared VPC",
        Some(5),
        None,
        0,
    )];
    for k in 0..12 {
        let mut t = task(
            &format!("leaf{k:04}"),
            &format!("Migrate service {k}"),
            Some(5),
            None,
            k + 1,
        );
        t.depends_on = vec!["root0000".into()];
        tasks.push(t);
    }
    plan(tasks)
}

#[test]
fn wide_graph_fits_a_wide_terminal_and_falls_back_on_a_narrow_one() {
    let (p, g) = wide();
    let at_420 = draw(
        &p,
        &g,
        AsciiOptions {
            width: 420,
            ..AsciiOptions::default()
        },
    );
    assert!(at_420.compact.is_empty());
    insta::assert_snapshot!("wide_420", at_420.text);
    assert!(at_420.text.lines().all(|l| l.chars().count() <= 420));
    // All twelve dependents on one row.
    let (row, _) = locate(&at_420.text, "leaf0000");
    for k in 1..12 {
        assert_eq!(locate(&at_420.text, &format!("leaf{k:04}")).0, row);
    }
    let at_100 = draw(&p, &g, AsciiOptions::default());
    assert_eq!(at_100.compact.len(), 1, "{}", at_100.text);
    insta::assert_snapshot!("wide_100", at_100.text);
    assert!(at_100.text.lines().all(|l| l.chars().count() <= 100));
}

#[test]
fn long_chain_falls_back_to_the_compact_view_at_100_columns() {
    let mut tasks = Vec::new();
    for k in 0..60 {
        let mut t = task(
            &format!("step{k:04}"),
            &format!("Step {k} of the migration"),
            Some(9),
            None,
            k,
        );
        if k > 0 {
            t.depends_on = vec![format!("step{:04}", k - 1)];
        }
        if k < 20 {
            t.status = Status::Completed;
        }
        tasks.push(t);
    }
    let (p, g) = plan(tasks);
    let d = draw(&p, &g, AsciiOptions::default());
    assert_eq!(d.compact.len(), 1);
    assert!(d.compact[0].1.contains("60 tasks deep"), "{:?}", d.compact);
    insta::assert_snapshot!("chain_60", d.text);
    // One line per task plus the title.
    assert_eq!(d.text.lines().count(), 61);
    assert!(
        d.text
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("✓  step0000 Step 0")
    );
    assert!(d.text.lines().nth(21).unwrap().starts_with("○  step0020"));
    assert!(d.text.lines().all(|l| l.chars().count() <= 100));
}

#[test]
fn seed_plan_mermaid_and_dot() {
    let (p, g) = plan(seed(&[("analysis", Status::Completed)]));
    let mut tasks = p.tasks().to_vec();
    // One explicit edge, to show both edge kinds.
    tasks
        .iter_mut()
        .find(|t| t.id == "docs")
        .unwrap()
        .depends_on = vec!["impl".into()];
    let (p, g2) = plan(tasks);
    let _ = g;
    let v = view::tasks(&p, &g2, &Scope::default());
    let m = mermaid::render(&v);
    insta::assert_snapshot!("seed_mermaid", m);
    assert!(m.starts_with("flowchart TD\n"));
    assert!(m.contains("n1 -.-> n2"), "phase edges dotted:\n{m}");
    assert!(m.contains("n2 --> n6"), "explicit edges solid:\n{m}");
    assert!(m.contains(":::completed") && m.contains("classDef completed"));
    let d = dot::render(&v);
    insta::assert_snapshot!("seed_dot", d);
    assert!(d.contains("\"staging\" -> \"rollback\" [style=dashed];"));
    assert!(d.contains("\"impl\" -> \"docs\";"));
    dot_accepts(&d);
}

/// `dot -Tsvg` must accept the text, when Graphviz is installed.
fn dot_accepts(text: &str) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("note: graphviz `dot` not installed; DOT syntax not validated");
        return;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "dot rejected the DOT:\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
}

// ---------------------------------------------------------------------
// Graph questions with answers known by hand.

fn ids(p: &Plan, v: &[usize]) -> Vec<String> {
    v.iter().map(|&i| p.task(i).id.clone()).collect()
}

/// a -> b -> d, a -> c -> d, c -> e; x alone. (arrows: dependency first)
fn known() -> Vec<Task> {
    let mk = |id: &str, n: i64, deps: &[&str], est: Option<&str>| {
        let mut t = task(id, &format!("Task {id}"), Some(1), None, n);
        t.depends_on = deps.iter().map(|s| s.to_string()).collect();
        t.estimate = est.map(String::from);
        t
    };
    vec![
        mk("a", 0, &[], Some("1h")),
        mk("b", 1, &["a"], Some("1d")),
        mk("c", 2, &["a"], Some("2h")),
        mk("d", 3, &["b", "c"], Some("1h")),
        mk("e", 4, &["c"], Some("3h")),
        mk("x", 5, &[], None),
    ]
}

#[test]
fn waves_of_a_known_graph() {
    let (p, g) = plan(known());
    let w: Vec<Vec<String>> = analysis::waves(&p, &g, &Scope::default())
        .iter()
        .map(|w| ids(&p, w))
        .collect();
    assert_eq!(w, vec![vec!["a", "x"], vec!["b", "c"], vec!["d", "e"]]);
    // Completed work counts as done; cancelled too.
    let mut t = known();
    t[0].status = Status::Completed;
    t[2].status = Status::Cancelled;
    t[5].status = Status::Completed;
    let (p, g) = plan(t);
    let w: Vec<Vec<String>> = analysis::waves(&p, &g, &Scope::default())
        .iter()
        .map(|w| ids(&p, w))
        .collect();
    assert_eq!(w, vec![vec!["b", "e"], vec!["d"]]);
}

#[test]
fn critical_path_by_estimate_and_by_count() {
    let (p, g) = plan(known());
    let cp = analysis::critical_path(&p, &g, &Scope::default()).unwrap();
    // a(1h) b(8h) d(1h) = 10h beats a c e = 6h.
    assert_eq!(cp.measure, Measure::Estimate);
    assert_eq!(ids(&p, &cp.tasks), vec!["a", "b", "d"]);
    assert_eq!(cp.minutes, 600);
    // Without estimates: by count, 3 tasks; ties go to the earlier chain.
    let mut t = known();
    for x in &mut t {
        x.estimate = None;
    }
    let (p, g) = plan(t);
    let cp = analysis::critical_path(&p, &g, &Scope::default()).unwrap();
    assert_eq!(cp.measure, Measure::Count);
    assert_eq!(ids(&p, &cp.tasks), vec!["a", "b", "d"]);
    // Finished work drops out: with a and b done, c -> e (5h) is longest.
    let mut t = known();
    t[0].status = Status::Completed;
    t[1].status = Status::Completed;
    let (p, g) = plan(t);
    let cp = analysis::critical_path(&p, &g, &Scope::default()).unwrap();
    assert_eq!(ids(&p, &cp.tasks), vec!["c", "e"]);
    assert_eq!(cp.minutes, 300);
}

#[test]
fn why_follows_chains_down_to_startable_work() {
    let (p, g) = plan(known());
    let d = p.get("d").unwrap();
    let w = analysis::why(&p, &g, d);
    let chains: Vec<Vec<String>> = w.iter().map(|b| ids(&p, &b.chain)).collect();
    assert_eq!(chains, vec![vec!["b", "a"], vec!["c", "a"]]);
    assert!(analysis::why(&p, &g, p.get("a").unwrap()).is_empty());
}

// ---------------------------------------------------------------------
// Through the binary.

fn redact(env: &Env, text: &str) -> String {
    env.redact_ids(text)
}

#[test]
fn cli_graph_draws_the_seed_plan() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let out = env.ok(&["tasks", "graph"]);
    insta::assert_snapshot!("cli_seed_fresh", redact(&env, &out));
    assert!(out.starts_with("#42 Network hardening\n"));
    assert!(out.contains("┌") && out.contains("completed  ◐ in progress"));
    assert!(!out.contains('\x1b'), "colour off a terminal");

    env.ok(&["tasks", "done", &s.analysis, &s.backup]);
    env.ok(&["tasks", "start", &s.implement]);
    env.ok(&["tasks", "cancel", &s.rollback]);
    let out = env.ok(&["tasks", "graph", "--issue", "42"]);
    insta::assert_snapshot!("cli_seed_progress", redact(&env, &out));

    let colored = env.ok(&["--color", "always", "tasks", "graph"]);
    assert!(colored.contains("\x1b[32m✓\x1b[0m"));
    let no_color = env
        .cmd(&["tasks", "graph"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&no_color.stdout).contains('\x1b'));

    let plain = env.ok(&["tasks", "graph", "--plain"]);
    assert!(plain.is_ascii(), "{plain}");
    assert!(plain.contains("+---") && plain.contains("| + "));
}

#[test]
fn cli_graph_falls_back_and_says_so_when_it_cannot_fit() {
    let env = Env::new();
    env.seed_plan(42);
    let run = env
        .cmd(&["tasks", "graph"])
        .env("COLUMNS", "30")
        .output()
        .unwrap();
    assert!(run.status.success());
    let out = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("drawn one line per task"), "{err}");
    assert!(!out.contains('┌'), "{out}");
    // Title, one line per task, blank, legend.
    let rows = out.lines().filter(|l| l.contains('○') || l.contains('⊘'));
    assert_eq!(rows.count(), 7 + 1, "seven tasks and the legend:\n{out}");
    assert!(out.lines().nth(1).unwrap().starts_with("○  "), "{out}");
    assert!(
        out.lines()
            .all(|l| l.chars().count() <= 30 || l.contains("completed")),
        "{out}"
    );
    insta::assert_snapshot!("cli_seed_compact_30", redact(&env, &out));
}

#[test]
fn cli_graph_formats_and_scopes() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let other = env.create("GH#43: Analyze current infrastructure", &["--issue=43"]);
    env.ok(&["tasks", "dep", "add", &s.docs, "--on", &s.implement]);

    let doc = env.json(&["tasks", "graph", "--json"]);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["components"].as_array().unwrap().len(), 2);
    assert_eq!(doc["nodes"].as_array().unwrap().len(), 8);
    let edges = doc["edges"].as_array().unwrap();
    let kind = |from: &str, to: &str| {
        edges
            .iter()
            .find(|e| e["from"] == from && e["to"] == to)
            .map(|e| e["kind"].as_str().unwrap().to_string())
    };
    assert_eq!(kind(&s.staging, &s.rollback).as_deref(), Some("phase"));
    assert_eq!(kind(&s.implement, &s.docs).as_deref(), Some("explicit"));
    assert_eq!(edges.len(), 7);

    let only = env.json(&["tasks", "graph", "--issue", "43", "--json"]);
    assert_eq!(only["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(only["nodes"][0]["id"], other.as_str());
    let by_parent = env.json(&["tasks", "graph", "--parent", &s.epic, "--json"]);
    assert_eq!(by_parent["nodes"].as_array().unwrap().len(), 7);
    env.run(&["tasks", "graph", "--parent", &s.docs])
        .code(2)
        .stderr_has("not an epic");

    let m = env.ok(&["tasks", "graph", "--issue", "42", "--format", "mermaid"]);
    assert!(m.starts_with("flowchart TD\n"));
    assert_eq!(m.matches("-.->").count(), 6);
    assert_eq!(m.matches(" --> ").count(), 1);
    let d = env.ok(&["tasks", "graph", "--format", "dot"]);
    assert_eq!(d.matches("[style=dashed]").count(), 6);
    dot_accepts(&d);

    let phases = env.ok(&["tasks", "graph", "--issue", "42", "--by-phase"]);
    assert!(phases.contains("○ analysis 0/1 done, 1 ready"), "{phases}");
    let pj = env.json(&["tasks", "graph", "--issue", "42", "--by-phase", "--json"]);
    assert_eq!(pj["view"], "phases");
    assert_eq!(pj["nodes"][0]["counts"]["ready"], 1);
}

#[test]
fn cli_graph_commands_refuse_an_invalid_store() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let text = env.read().replace(
        &format!("  - id: {}\n", s.analysis),
        &format!(
            "  - id: {}\n    depends_on:\n      - nosuchtask\n",
            s.analysis
        ),
    );
    env.write(&text);
    for cmd in ["graph", "order", "waves", "critical-path"] {
        env.run(&["tasks", cmd]).code(5);
    }
    env.run(&["tasks", "why", &s.docs]).code(5);
}

#[test]
fn cli_order_waves_critical_path_and_why() {
    let env = Env::new();
    let s = env.seed_plan(42);
    assert_eq!(
        env.ids(&["tasks", "order", "--issue", "42"]),
        s.tasks().to_vec()
    );

    let w = env.json(&["tasks", "waves", "--json"]);
    assert_eq!(w["schema_version"], 1);
    assert_eq!(w["max_parallelism"], 2);
    let waves = w["waves"].as_array().unwrap();
    assert_eq!(waves.len(), 6);
    assert_eq!(waves[5]["tasks"].as_array().unwrap().len(), 2);
    let text = env.ok(&["tasks", "waves"]);
    assert!(
        text.contains("6 waves, max parallelism 2 (wave 6)"),
        "{text}"
    );

    // Estimates: create and update take --estimate; bad ones are refused.
    env.ok(&["tasks", "update", &s.implement, "--estimate", "3d"]);
    env.ok(&["tasks", "update", &s.rollback, "--estimate", "120m"]);
    env.run(&["tasks", "update", &s.docs, "--estimate", "soon"])
        .code(2)
        .stderr_has("bad estimate");
    assert!(
        env.read().contains("estimate: \"2h\""),
        "normalised and stored"
    );
    let shown = env.json(&["tasks", "show", &s.implement, "--json"]);
    assert_eq!(shown["task"]["estimate"], "3d");

    let cp = env.json(&["tasks", "critical-path", "--json"]);
    assert_eq!(cp["measure"], "estimate");
    assert_eq!(cp["estimate_minutes"], 3 * 480 + 120);
    let path: Vec<&str> = cp["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = s.tasks()[..6].to_vec();
    expected.truncate(5);
    expected.push(&s.rollback);
    assert_eq!(path, expected);
    let text = env.ok(&["tasks", "critical-path"]);
    assert!(
        text.starts_with("critical path: 3d2h over 6 tasks\n"),
        "{text}"
    );

    env.ok(&["tasks", "done", &s.analysis]);
    let why = env.ok(&["tasks", "why", &s.config]);
    assert!(
        why.contains("is blocked: waiting on 1 unfinished dependency"),
        "{why}"
    );
    assert!(why.contains(&format!("waits on {} ", s.implement)));
    assert!(
        why.contains(&format!(
            "which waits on {} \"GH#42: Create backups/snapshots\" (ready: can start now)",
            s.backup
        )),
        "{why}"
    );
    let wj = env.json(&["tasks", "why", &s.config, "--json"]);
    let chain = wj["blockers"][0]["chain"].as_array().unwrap();
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[1]["state"], "ready");
    assert_eq!(wj["blockers"][0]["kind"], "phase");
    let ready = env.ok(&["tasks", "why", &s.backup]);
    assert!(ready.contains("is ready"));
}

#[test]
fn cli_create_with_estimate() {
    let env = Env::new();
    let id = env.create("Rotate keys", &["--estimate", "1d4h"]);
    let t = env.json(&["tasks", "show", &id, "--json"]);
    assert_eq!(t["task"]["estimate"], "1d4h");
    env.run(&["tasks", "create", "--title", "x", "--estimate", "4"])
        .code(2);
    env.ok(&["tasks", "update", &id, "--estimate", ""]);
    assert!(!env.read().contains("estimate"));
}

#[test]
fn dense_graph_too_wide_even_for_graph_lines_is_listed_with_dependencies() {
    // 60 tasks, each depending on all of another 60.
    let mut tasks = Vec::new();
    for k in 0..60 {
        tasks.push(task(
            &format!("up{k:04}"),
            &format!("Upstream {k}"),
            Some(3),
            None,
            k,
        ));
    }
    for k in 0..60 {
        let mut t = task(
            &format!("dn{k:04}"),
            &format!("Downstream {k}"),
            Some(3),
            None,
            100 + k,
        );
        t.depends_on = (0..60).map(|j| format!("up{j:04}")).collect();
        tasks.push(t);
    }
    let (p, g) = plan(tasks);
    let d = draw(&p, &g, AsciiOptions::default());
    assert_eq!(d.compact.len(), 1);
    assert!(
        d.compact[0].1.contains("listed with dependencies"),
        "{:?}",
        d.compact
    );
    assert!(
        d.text.lines().all(|l| l.chars().count() <= 100),
        "{}",
        d.text
    );
    assert_eq!(d.text.lines().count(), 121);
    let last = d.text.lines().last().unwrap();
    assert!(
        last.starts_with("⊘ dn0059 Downstream 59  ← up0000 up0001"),
        "{last}"
    );
    assert!(last.ends_with(" more"), "{last}");
}

#[test]
fn colour_marks_only_the_status_not_lookalikes_in_titles() {
    let mut t = seed(&[("analysis", Status::Completed)]);
    t[2].title = "GH#42: │ ✓ not a mark".into();
    let (p, g) = plan(t);
    let opts = AsciiOptions {
        color: true,
        ..AsciiOptions::default()
    };
    let boxes = draw(&p, &g, opts).text;
    assert!(
        boxes.contains("│ \x1b[36m○\x1b[0m back │ ✓ not a mark"),
        "{boxes}"
    );
    assert_eq!(boxes.matches("\x1b[32m").count(), 1);
    let compact = draw(&p, &g, AsciiOptions { width: 30, ..opts });
    assert_eq!(compact.compact.len(), 1);
    assert!(
        compact.text.contains("\x1b[32m✓\x1b[0m  anal"),
        "{}",
        compact.text
    );
    assert_eq!(compact.text.matches("\x1b[").count(), 7 * 2);
}

#[test]
fn cli_hand_written_bad_estimate_is_a_warning_and_counts_as_none() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let text = env.read().replace(
        &format!("  - id: {}\n", s.docs),
        &format!("  - id: {}\n    estimate: soon\n", s.docs),
    );
    env.write(&text);
    env.run(&["tasks", "show", &s.docs])
        .code(0)
        .stdout_has("warning[bad-estimate]");
    let cp = env.json(&["tasks", "critical-path", "--json"]);
    assert_eq!(cp["measure"], "count");
    assert_eq!(cp["length"], 6);
}
