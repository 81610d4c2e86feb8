//! Planning templates (`templates`, `plan`) and issue bodies in and out
//! (`import`, `export`), driven through the real binary.

use std::collections::HashMap;
use std::path::Path;

use crate::common::Env;

const BUILTINS: [&str; 5] = [
    "infrastructure",
    "infra-request",
    "devops",
    "architecture",
    "deployment",
];

/// The issue's tasks as `wm tasks list --json` shows them, with ids replaced
/// by placeholders in list order (T0, T1, ...), one line per task:
/// type, phase, status, title, epic, labels and every dependency with its kind.
fn shape(env: &Env, issue: u64) -> String {
    let doc = env.json(&["tasks", "list", "--issue", &issue.to_string(), "--json"]);
    let tasks = doc["tasks"].as_array().expect("tasks array");
    let name: HashMap<String, String> = tasks
        .iter()
        .enumerate()
        .map(|(n, t)| (t["id"].as_str().unwrap().to_string(), format!("T{n}")))
        .collect();
    let mut out = String::new();
    for (n, t) in tasks.iter().enumerate() {
        let deps: Vec<String> = t["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                format!(
                    "{}({})",
                    name[d["id"].as_str().unwrap()],
                    d["kind"].as_str().unwrap()
                )
            })
            .collect();
        let labels: Vec<&str> = t["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        out.push_str(&format!(
            "T{n} {:<8} {:<16} {:<10} {:?} epic={} labels={:?} deps=[{}]\n",
            t["type"].as_str().unwrap(),
            t["phase"].as_str().unwrap_or("-"),
            t["status"].as_str().unwrap(),
            t["title"].as_str().unwrap(),
            t["epic"]
                .as_str()
                .map(|e| name.get(e).cloned().unwrap_or_else(|| "other".into()))
                .unwrap_or_else(|| "-".into()),
            labels,
            deps.join(", ")
        ));
    }
    out
}

fn plan(env: &Env, issue: u64, template: &str, title: &str) -> String {
    env.ok(&[
        "tasks",
        "plan",
        "--issue",
        &issue.to_string(),
        "--template",
        template,
        "--title",
        title,
    ])
}

fn write_user_template(env: &Env, name: &str, text: &str) -> std::path::PathBuf {
    let dir = env.path().join(".wm/templates");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, text).unwrap();
    path
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

// ---------------------------------------------------------------- templates

#[test]
fn templates_lists_every_builtin_with_its_task_count() {
    let env = Env::new();
    let out = env.ok(&["tasks", "templates"]);
    for (name, count) in [
        ("architecture", 7),
        ("deployment", 8),
        ("devops", 13),
        ("infra-request", 7),
        ("infrastructure", 7),
    ] {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} missing:\n{out}"));
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols[1], "built-in", "{line}");
        assert_eq!(cols[2], count.to_string(), "{line}");
    }
    let doc = env.json(&["tasks", "templates", "--json"]);
    let names: Vec<&str> = doc["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "architecture",
            "deployment",
            "devops",
            "infra-request",
            "infrastructure"
        ]
    );
    // Each names the seed it was drawn from.
    for t in doc["templates"].as_array().unwrap() {
        assert!(
            t["description"].as_str().unwrap().contains("(seed 00"),
            "{t}"
        );
    }
}

#[test]
fn templates_show_prints_yaml_that_works_as_a_user_template() {
    let env = Env::new();
    let yaml = env.ok(&["tasks", "templates", "show", "infrastructure"]);
    assert!(yaml.contains("name: infrastructure"), "{yaml}");
    assert!(yaml.contains("GH#{issue}: Analyze current infrastructure"));
    // Copied unchanged into .wm/templates (with the shell's redirection,
    // which creates the file empty before wm reads the catalog), it is
    // listed as the override and plans the same graph.
    let path = write_user_template(&env, "infrastructure", "");
    let shown = env.ok(&["tasks", "templates", "show", "infrastructure"]);
    assert_eq!(shown, yaml, "an empty user file hid the built-in");
    std::fs::write(&path, &shown).unwrap();
    env.run(&["tasks", "templates"])
        .code(0)
        .stdout_has(".wm/templates/infrastructure.yaml (overrides built-in)");
    plan(&env, 42, "infrastructure", "Network hardening");
    let seeded = Env::new();
    seeded.seed_plan(42);
    assert_eq!(shape(&env, 42), shape(&seeded, 42));
}

#[test]
fn unknown_template_names_the_choices() {
    let env = Env::new();
    env.run(&["tasks", "templates", "show", "nope"])
        .code(2)
        .stderr_has("no template named `nope`")
        .stderr_has("infrastructure");
    env.run(&[
        "tasks",
        "plan",
        "--issue",
        "1",
        "--template",
        "nope",
        "--title",
        "x",
    ])
    .code(2)
    .stderr_has("no template named `nope`");
    assert!(!env.store().exists());
}

// --------------------------------------------------------------------- plan

#[test]
fn infrastructure_plan_is_the_seed_commands_graph() {
    let seeded = Env::new();
    seeded.seed_plan(42);
    let planned = Env::new();
    let out = plan(&planned, 42, "infrastructure", "Network hardening");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("created ")).count(),
        8,
        "{out}"
    );
    assert_eq!(shape(&planned, 42), shape(&seeded, 42));
    // The default workflow is used as is: no `workflow:` is written.
    assert!(!planned.read().contains("workflow:"));
}

#[test]
fn every_builtin_plans_its_graph_and_rerunning_changes_nothing() {
    for (k, name) in BUILTINS.iter().enumerate() {
        let env = Env::new();
        let issue = 40 + k as u64;
        plan(&env, issue, name, "Feature X");
        let first = env.read();
        insta::assert_snapshot!(format!("plan_{name}"), shape(&env, issue));
        let drawing = env.ok(&["tasks", "graph", "--issue", &issue.to_string()]);
        insta::assert_snapshot!(format!("graph_{name}"), env.redact_ids(&drawing));

        let again = plan(&env, issue, name, "Feature X");
        assert!(!again.contains("created "), "{name}: {again}");
        assert!(again.lines().any(|l| l.starts_with("kept ")), "{again}");
        assert_eq!(
            env.read(),
            first,
            "{name}: re-running plan changed the file"
        );
        // Without --title, the existing epic's title is used.
        env.ok(&[
            "tasks",
            "plan",
            "--issue",
            &issue.to_string(),
            "--template",
            name,
        ]);
        assert_eq!(
            env.read(),
            first,
            "{name}: plan without --title changed the file"
        );
        env.ok(&["tasks", "ready"]);
    }
}

#[test]
fn all_builtins_share_one_store() {
    let env = Env::new();
    for (k, name) in BUILTINS.iter().enumerate() {
        plan(&env, k as u64 + 1, name, "Shared");
    }
    let before = env.read();
    for (k, name) in BUILTINS.iter().enumerate() {
        plan(&env, k as u64 + 1, name, "Shared");
    }
    assert_eq!(env.read(), before);
    // The infrastructure issue still has the seed's graph.
    let seeded = Env::new();
    seeded.create("GH#1: Shared", &["--type=epic", "--issue=1"]);
    for (title, kind) in crate::common::SEED_TASKS {
        seeded.create(
            &format!("GH#1: {title}"),
            &[&format!("--type={kind}"), "--issue=1"],
        );
    }
    assert_eq!(shape(&env, 1), shape(&seeded, 1));
}

#[test]
fn dry_run_changes_nothing() {
    let env = Env::new();
    let out = env
        .run(&[
            "tasks",
            "plan",
            "--issue",
            "7",
            "--template",
            "devops",
            "--title",
            "Redis",
            "--dry-run",
        ])
        .code(0)
        .stderr_has("would add phase `design-review`")
        .stderr_has("dry run: 14 tasks would be created")
        .stdout();
    assert!(out.contains("would create  epic      GH#7: Redis"), "{out}");
    assert!(
        out.contains("would create  verify    GH#7: Load testing"),
        "{out}"
    );
    assert!(!env.store().exists(), "a dry run created the store");

    plan(&env, 42, "infrastructure", "Network hardening");
    let before = env.read();
    env.run(&[
        "tasks",
        "plan",
        "--issue",
        "7",
        "--template",
        "devops",
        "--title",
        "Redis",
        "--dry-run",
    ])
    .code(0);
    assert_eq!(env.read(), before);
    // A dry run of an issue that is already planned reports every task kept.
    let out = env.ok(&[
        "tasks",
        "plan",
        "--issue",
        "42",
        "--template",
        "infrastructure",
        "--dry-run",
    ]);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("kept ")).count(),
        8,
        "{out}"
    );
    assert_eq!(env.read(), before);
}

#[test]
fn rerun_keeps_status_and_adds_only_missing_tasks() {
    let env = Env::new();
    plan(&env, 42, "infrastructure", "Network hardening");
    let analysis = env
        .ids(&["tasks", "list", "--issue", "42", "--phase", "analysis"])
        .remove(0);
    env.ok(&["tasks", "start", &analysis]);
    let docs = env
        .ids(&["tasks", "list", "--issue", "42", "--phase", "docs"])
        .remove(0);
    env.ok(&["tasks", "delete", &docs]);

    let out = plan(&env, 42, "infrastructure", "Network hardening");
    let created: Vec<&str> = out.lines().filter(|l| l.starts_with("created ")).collect();
    assert_eq!(created.len(), 1, "{out}");
    assert!(created[0].contains("GH#42: Update documentation"));
    let doc = env.json(&["tasks", "show", &analysis, "--json"]);
    let text = doc.to_string();
    assert!(text.contains("\"in_progress\""), "{text}");
    assert_eq!(env.ids(&["tasks", "list", "--issue", "42"]).len(), 8);
}

#[test]
fn a_different_title_on_rerun_is_refused() {
    let env = Env::new();
    plan(&env, 42, "infrastructure", "Network hardening");
    let before = env.read();
    env.run(&[
        "tasks",
        "plan",
        "--issue",
        "42",
        "--template",
        "infrastructure",
        "--title",
        "Something else",
    ])
    .code(2)
    .stderr_has("already has the epic")
    .stderr_has("second epic");
    assert_eq!(env.read(), before);
}

#[test]
fn first_plan_needs_a_title() {
    let env = Env::new();
    env.run(&[
        "tasks",
        "plan",
        "--issue",
        "42",
        "--template",
        "infrastructure",
    ])
    .code(2)
    .stderr_has("--title");
    assert!(!env.store().exists());
}

#[test]
fn plan_is_all_or_nothing() {
    let env = Env::new();
    // The store defines `design-review` with a different dependency than the
    // devops template: the whole plan is refused, nothing is created.
    env.write(
        "version: 1\nworkflow:\n  phases:\n  - id: start\n    name: Start\n  - id: design-review\n    name: Design review\n    depends_on: [start]\ntasks: []\n",
    );
    let before = env.read();
    env.run(&[
        "tasks",
        "plan",
        "--issue",
        "3",
        "--template",
        "devops",
        "--title",
        "X",
    ])
    .code(2)
    .stderr_has("phase `design-review` depends on [start] in the store's workflow");
    assert_eq!(env.read(), before);
}

// ------------------------------------------------------------ user templates

const USER_TEMPLATE: &str = "\
name: infrastructure
description: Our own infrastructure flow (seed 002, trimmed)
phases:
  - id: analysis
    name: Analysis
  - id: ship
    name: Ship
    depends_on: [analysis]
tasks:
  - id: look
    title: \"GH#{issue}: Look around\"
    type: research
    phase: analysis
  - id: ship
    title: \"GH#{issue}: Ship {title}\"
    type: impl
    phase: ship
  - id: announce
    title: \"GH#{issue}: Announce {title}\"
    phase: ship
    depends_on: [ship]
";

#[test]
fn user_template_overrides_the_builtin() {
    let env = Env::new();
    write_user_template(&env, "infrastructure", USER_TEMPLATE);
    write_user_template(
        &env,
        "mine",
        &USER_TEMPLATE.replace("name: infrastructure", "name: mine"),
    );
    let out = env.ok(&["tasks", "templates"]);
    let line = out
        .lines()
        .find(|l| l.starts_with("infrastructure "))
        .unwrap();
    assert!(
        line.contains(".wm/templates/infrastructure.yaml (overrides built-in)"),
        "{line}"
    );
    assert!(line.split_whitespace().any(|c| c == "3"), "{line}");
    let line = out.lines().find(|l| l.starts_with("mine ")).unwrap();
    assert!(line.contains(".wm/templates/mine.yaml"), "{line}");
    assert_eq!(
        env.ok(&["tasks", "templates", "show", "infrastructure"]),
        USER_TEMPLATE
    );

    // From a subdirectory too.
    std::fs::create_dir(env.path().join("sub")).unwrap();
    let mut c = env.cmd(&[
        "tasks",
        "plan",
        "--issue",
        "5",
        "--template",
        "infrastructure",
        "--title",
        "Thing",
    ]);
    c.current_dir(env.path().join("sub"));
    c.assert().success();
    insta::assert_snapshot!("plan_user_override", shape(&env, 5));
    // New phases went into the store's workflow, after the default ones.
    let store = env.read();
    assert!(store.contains("workflow:"), "{store}");
    assert!(store.contains("id: ship"), "{store}");
}

#[test]
fn invalid_templates_are_refused_with_the_file_and_the_problem() {
    let base = "name: bad\ndescription: d\nphases:\n  - id: a\n    name: A\n  - id: b\n    name: B\n    depends_on: [a]\ntasks:\n";
    let cases: [(&str, String, &str); 6] = [
        (
            "unknown phase",
            format!("{base}  - id: x\n    title: X\n    phase: nowhere\n"),
            "task `x` names unknown phase `nowhere` (phases: a, b)",
        ),
        (
            "phase cycle",
            "name: bad\ndescription: d\nphases:\n  - id: a\n    name: A\n    depends_on: [b]\n  - id: b\n    name: B\n    depends_on: [a]\ntasks:\n  - id: x\n    title: X\n    phase: a\n".to_string(),
            "the phases form a cycle: a -> b -> a",
        ),
        (
            "task cycle",
            format!(
                "{base}  - id: x\n    title: X\n    phase: a\n    depends_on: [y]\n  - id: y\n    title: Y\n    phase: a\n    depends_on: [x]\n"
            ),
            "its tasks form a cycle (phases included): x -> y -> x",
        ),
        (
            "task against its phase",
            format!(
                "{base}  - id: x\n    title: X\n    phase: a\n    depends_on: [y]\n  - id: y\n    title: Y\n    phase: b\n"
            ),
            "its tasks form a cycle (phases included)",
        ),
        (
            "duplicate task",
            format!("{base}  - id: x\n    title: X\n    phase: a\n  - id: x\n    title: Z\n    phase: b\n"),
            "duplicate task `x`",
        ),
        (
            "unknown field",
            format!("{base}  - id: x\n    title: X\n    phase: a\n    colour: red\n"),
            "unknown field `colour`",
        ),
    ];
    for (what, text, message) in cases {
        let env = Env::new();
        let path = write_user_template(&env, "bad", &text);
        env.run(&[
            "tasks",
            "plan",
            "--issue",
            "1",
            "--template",
            "bad",
            "--title",
            "T",
        ])
        .code(2)
        .stderr_has(&format!("{}: invalid template: ", path.display()))
        .stderr_has(message);
        assert!(!env.store().exists(), "{what}: something was written");
        // The list still works and flags it.
        env.run(&["tasks", "templates"])
            .code(0)
            .stdout_has("INVALID")
            .stderr_has(message);
    }
    // A file whose `name:` disagrees with its file name.
    let env = Env::new();
    write_user_template(&env, "other", USER_TEMPLATE);
    env.run(&[
        "tasks",
        "plan",
        "--issue",
        "1",
        "--template",
        "other",
        "--title",
        "T",
    ])
    .code(2)
    .stderr_has("its name is `infrastructure` but it is found as `other`");
}

// ------------------------------------------------------------------- import

fn import(env: &Env, issue: u64, file: &Path) -> crate::common::Run {
    env.run(&[
        "tasks",
        "import",
        "--issue",
        &issue.to_string(),
        file.to_str().unwrap(),
    ])
}

fn seed(prefix: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no seed {prefix}* in {}", dir.display()))
}

/// Titles (without `GH#N: `) with their status, labels and dependency titles.
fn imported(env: &Env, issue: u64) -> Vec<(String, String, Vec<String>, Vec<String>)> {
    let doc = env.json(&["tasks", "list", "--issue", &issue.to_string(), "--json"]);
    let tasks = doc["tasks"].as_array().unwrap();
    let title_of: HashMap<&str, &str> = tasks
        .iter()
        .map(|t| (t["id"].as_str().unwrap(), t["title"].as_str().unwrap()))
        .collect();
    let prefix = format!("GH#{issue}: ");
    let strip = |s: &str| s.strip_prefix(&prefix).unwrap_or(s).to_string();
    tasks
        .iter()
        .map(|t| {
            (
                strip(t["title"].as_str().unwrap()),
                t["status"].as_str().unwrap().to_string(),
                t["labels"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.as_str().unwrap().to_string())
                    .collect(),
                t["dependencies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| strip(title_of[d["id"].as_str().unwrap()]))
                    .collect(),
            )
        })
        .collect()
}

fn find<'a>(
    tasks: &'a [(String, String, Vec<String>, Vec<String>)],
    title: &str,
) -> &'a (String, String, Vec<String>, Vec<String>) {
    tasks
        .iter()
        .find(|t| t.0 == title)
        .unwrap_or_else(|| panic!("no task {title:?} in {tasks:#?}"))
}

/// The dry run's account of every list item, with provisional ids hidden.
fn dry_run(env: &Env, issue: u64, file: &Path, extra: &[&str]) -> crate::common::Run {
    let mut args = vec![
        "tasks",
        "import",
        "--issue",
        Box::leak(issue.to_string().into_boxed_str()),
        file.to_str().unwrap(),
        "--dry-run",
    ];
    args.extend_from_slice(extra);
    env.run(&args)
}

#[test]
fn blank_seed_forms_give_no_tasks_from_options_or_self_checks() {
    let env = Env::new();
    // 000 infrastructure request, 003 architecture proposal, 004 deployment
    // doc: nothing but options, self-checks and unfilled placeholders.
    for (prefix, options) in [("000", 14), ("003", 27), ("004", 0)] {
        let body = seed(prefix);
        let run = import(&env, 1, &body).code(2);
        let err = run.stderr();
        assert!(
            err.contains("has no task list items to import") && err.contains("nothing was created"),
            "{prefix}: {err}"
        );
        if options > 0 {
            assert!(
                err.contains(&format!(
                    "{options} options of pick lists, not tasks (0 ticked)"
                )),
                "{prefix}: {err}"
            );
        }
        assert!(!env.store().exists(), "{prefix} created a store");
    }
    // 001: its pick lists (type, components, environments, rollout
    // alternatives, ...) give nothing; its implementation checklist and
    // follow-up tasks are the form's own steps, less the review sign-offs.
    let body = seed("001");
    let run = dry_run(&env, 1, &body, &[]).code(0);
    let out = run.stdout();
    let work: Vec<&str> = out.lines().filter(|l| l.starts_with("work ")).collect();
    assert_eq!(work.len(), 10, "{out}");
    for not_work in ["Canary release", "Production", "Deployment/CI-CD", "CDN"] {
        let line = out
            .lines()
            .find(|l| {
                l.ends_with(&format!("  {not_work}  ")) || l.contains(&format!("  {not_work}  ("))
            })
            .unwrap_or_else(|| panic!("no line for {not_work}:\n{out}"));
        assert!(line.starts_with("option "), "{line}");
    }
    assert!(out.contains("Design review completed  (a review sign-off, not work)"));
    run.stderr_has("71 options of pick lists, not tasks (0 ticked)");
}

#[test]
fn import_infra_request_body() {
    let env = Env::new();
    let body = fixture("000-infra-request.md");
    env.run(&[
        "tasks",
        "import",
        "--issue",
        "10",
        body.to_str().unwrap(),
        "--title",
        "Feed read replica",
    ])
    .code(0)
    .stderr_has("unfilled field \"Other:\"")
    .stderr_has("unfilled phase \"Phase 4\"")
    .stderr_has("the author's self-check, not work")
    .stderr_has("5 tasks created");
    insta::assert_snapshot!("import_infra_request", shape(&env, 10));
    let tasks = imported(&env, 10);
    // `**Phase N:** text` bullets are phases, each after the one before; a
    // phase line with no items under it is its own work.
    let p2 = find(&tasks, "Cache the feed query in Redis");
    assert_eq!(
        p2.3,
        vec![
            "Provision the read replica".to_string(),
            "Route read-only queries to the replica".to_string()
        ]
    );
    let p3 = find(&tasks, "Remove the legacy query path");
    assert_eq!(p3.3, vec!["Cache the feed query in Redis".to_string()]);
    // Ticked options are labels of the epic, never tasks.
    let epic = find(&tasks, "Feed read replica");
    assert_eq!(
        epic.2,
        vec![
            "component-affected:database",
            "component-affected:caching",
            "database",
            "priority-high"
        ]
    );
    assert!(tasks.iter().all(|t| !t.0.contains("Supabase")));

    // Idempotent: importing again changes nothing.
    let before = env.read();
    import(&env, 10, &body)
        .code(0)
        .stderr_has("0 tasks created, 4 already there");
    assert_eq!(env.read(), before);
}

#[test]
fn import_devops_body_with_mojibake() {
    let env = Env::new();
    let body = fixture("001-devops.md");
    let run = dry_run(&env, 11, &body, &[]).code(0);
    // Every list item, what it was taken for and why (before the ops).
    let out = run
        .stdout()
        .replace(body.to_str().unwrap(), "001-devops.md");
    let explained = out.split("\n\n").next().unwrap_or_default();
    insta::assert_snapshot!("import_devops_dry_run", explained);
    import(&env, 11, &body)
        .code(0)
        .stderr_has("skipped ")
        .stderr_has("template placeholder \"Task 3\"")
        .stderr_has("10 tasks created");
    let tasks = imported(&env, 11);
    // Headings spelled with broken emoji still give clean labels.
    let t = find(&tasks, "Infrastructure provisioned");
    assert_eq!(
        (t.1.as_str(), t.2.clone()),
        ("pending", vec!["Implementation Checklist".to_string()])
    );
    // Follow-up tasks wait for the implementation checklist.
    let f = find(&tasks, "Write the restore runbook for the second region");
    assert_eq!(f.3.len(), 7);
    let epic = find(&tasks, "Issue #11");
    assert_eq!(
        epic.2,
        vec![
            "task-type:deployment-ci-cd",
            "task-type:backup-recovery",
            "primary-goals:improve-system-reliability",
            "components-affected:database",
            "environment-path:staging",
            "environment-path:production",
            "rollout-plan:canary-release"
        ]
    );
    assert!(
        tasks
            .iter()
            .all(|t| t.2.iter().all(|l| !l.contains('\u{f0}'))),
        "a label kept mojibake: {tasks:#?}"
    );

    // Raw invalid UTF-8 (a Latin-1 body) is read, not refused.
    let latin1 = env.path().join("latin1.md");
    std::fs::write(&latin1, b"## Caf\xe9 \xf0\x9f\n- [ ] R\xe9sum\xe9 check\n").unwrap();
    env.run(&[
        "tasks",
        "import",
        "--issue",
        "12",
        latin1.to_str().unwrap(),
        "--as-work",
        "Caf\u{fffd}",
    ])
    .code(0)
    .stderr_has("1 task created");
    let tasks = imported(&env, 12);
    assert_eq!(tasks.len(), 1);
    assert!(tasks[0].0.starts_with('R') && tasks[0].0.ends_with("sum\u{fffd} check"));
}

#[test]
fn import_planning_template_body() {
    let env = Env::new();
    let body = fixture("002-infrastructure.md");
    import(&env, 42, &body)
        .code(0)
        .stderr_has("002-infrastructure.md:204: empty item")
        .stderr_has("1 task created");
    let tasks = imported(&env, 42);
    let titles: Vec<&str> = tasks.iter().map(|t| t.0.as_str()).collect();
    // "Rollback if:" lists conditions, not work.
    assert_eq!(
        titles,
        vec!["Port scan shows only 443 open on the staging load balancer"]
    );
    assert_eq!(tasks[0].2, vec!["Staging verification".to_string()]);
}

#[test]
fn import_architecture_body_orders_its_phases() {
    let env = Env::new();
    let body = fixture("003-architecture.md");
    let run = import(&env, 31, &body).code(0);
    let err = run.stderr();
    for skipped in [
        ":49: template placeholder \"Task 2\"",
        ":57: template placeholder \"Task 2\"",
        "unfilled blank in \"Risk 2: ___ → Mitigation: ___\"",
        "unfilled blank in \"Other: _______________\"",
        "\"Phase 2: Implementation\" lands in the workflow's phase `impl`",
    ] {
        assert!(err.contains(skipped), "stderr lacks {skipped}:\n{err}");
    }
    insta::assert_snapshot!("import_architecture", shape(&env, 31));
    let tasks = imported(&env, 31);
    let bench = find(&tasks, "Benchmark the current write path");
    assert_eq!(bench.1, "completed");
    assert_eq!(bench.2, vec!["Phase 1: Preparation".to_string()]);
    let shard = find(&tasks, "Add the sharding layer");
    assert_eq!(
        shard.3,
        vec![
            "Benchmark the current write path".to_string(),
            "Choose the shard key".to_string()
        ]
    );
    let rollout = find(&tasks, "Enable sharding for 10% of users");
    assert_eq!(
        rollout.3,
        vec![
            "Add the sharding layer".to_string(),
            "Migrate existing rows".to_string()
        ]
    );
    assert_eq!(rollout.2, vec!["Phase 3: Rollout".to_string()]);
    // The roadmap phase ticked is a label, not a phase of work.
    let epic = find(&tasks, "Issue #31");
    assert!(
        epic.2
            .contains(&"roadmap-alignment:phase-2-decentralization-foundation".to_string()),
        "{:?}",
        epic.2
    );
    let ready = env.ids(&["tasks", "ready", "--issue", "31"]);
    assert_eq!(ready.len(), 1);
    let blocked = env.ids(&["tasks", "blocked", "--issue", "31"]);
    assert_eq!(blocked.len(), 3);
}

#[test]
fn import_of_a_body_without_work_creates_nothing() {
    let env = Env::new();
    // The filled deployment description (seed 004) has no work.
    import(&env, 4, &fixture("004-deployment.md"))
        .code(2)
        .stderr_has("004-deployment.md has no task list items to import")
        .stderr_has("nothing was created");
    assert!(!env.store().exists());

    // Only placeholders: the same, with how many were skipped; via stdin.
    plan(&env, 42, "infrastructure", "Network hardening");
    let before = env.read();
    let out = env
        .cmd(&["tasks", "import", "--issue", "42"])
        .write_stdin("### Phase 1: Preparation\n- [ ] Task 1\n- [ ] \n- [ ] ___\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("stdin has no task list items to import (3 placeholder items skipped)"),
        "{err}"
    );
    assert_eq!(env.read(), before);
}

#[test]
fn import_dry_run_changes_nothing_and_says_why() {
    let env = Env::new();
    let run = dry_run(&env, 31, &fixture("003-architecture.md"), &[])
        .code(0)
        .stdout_has("would create  task      GH#31: Add the sharding layer")
        .stderr_has("dry run: 6 tasks would be created");
    assert!(!env.store().exists());
    let out = run.stdout();
    for line in [
        "work     ",
        "[x] Benchmark the current write path  (in \"Phase 1: Preparation\")",
        "[x] User growth (handling more concurrent users)  (\"Scalability Problem\" is a pick list; ticked: label scalability-problem:user-growth)",
        "Task 2  (template placeholder \"Task 2\")",
        "Frontend Development  (\"Required Expertise\" is a pick list; not ticked)",
    ] {
        assert!(out.contains(line), "stdout lacks {line}:\n{out}");
    }
    // A section taken as work for once.
    dry_run(
        &env,
        31,
        &fixture("003-architecture.md"),
        &["--as-work", "Testing Strategy"],
    )
    .code(0)
    .stdout_has("work     ")
    .stdout_has(
        "Staging environment validation  (section \"Testing Strategy\" is work (--as-work))",
    )
    .stderr_has("dry run: 11 tasks would be created");
    dry_run(
        &env,
        31,
        &fixture("003-architecture.md"),
        &["--as-work", "Nope"],
    )
    .code(2)
    .stderr_has("no section \"Nope\" with list items in the body; its sections: ");
}

#[test]
fn import_on_a_terminal_says_what_it_expects() {
    // `script` gives the command a terminal for stdin.
    let Ok(script) = which("script") else {
        panic!("this test needs `script` (util-linux) to give import a terminal");
    };
    let env = Env::new();
    let bin = assert_cmd::cargo::cargo_bin("wm");
    let out = std::process::Command::new(script)
        .args([
            "-qec",
            &format!("{} tasks import --issue 7", bin.display()),
            "/dev/null",
        ])
        .current_dir(env.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("import reads an issue body (Markdown): give a file, or pipe it in"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(2), "{text}");
}

fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
        .ok_or(())
}

// ------------------------------------------------------------------- export

#[test]
fn export_writes_a_checklist_by_phase_with_the_graph() {
    let env = Env::new();
    plan(&env, 42, "infrastructure", "Network hardening");
    let analysis = env
        .ids(&["tasks", "list", "--issue", "42", "--phase", "analysis"])
        .remove(0);
    env.ok(&["tasks", "done", &analysis]);
    let md = env.ok(&["tasks", "export", "--issue", "42", "--format", "markdown"]);
    insta::assert_snapshot!("export_infrastructure", md);

    // Pasting it back into the issue and importing changes nothing.
    let before = env.read();
    let body = env.path().join("body.md");
    std::fs::write(&body, &md).unwrap();
    import(&env, 42, &body)
        .code(0)
        .stderr_has("0 tasks created, 8 already there");
    assert_eq!(env.read(), before);

    // Imported into a fresh issue: the same graph, phases and epic included.
    import(&env, 43, &body)
        .code(0)
        .stderr_has("8 tasks created");
    assert_eq!(shape(&env, 43).replace("GH#43", "GH#42"), shape(&env, 42));
    let tasks = imported(&env, 43);
    assert_eq!(
        find(&tasks, "Analyze current infrastructure").1,
        "completed"
    );
    assert_eq!(
        find(&tasks, "Create backups/snapshots").3,
        vec!["Analyze current infrastructure".to_string()]
    );
    // Docs wait for staging, not for rollback.
    assert_eq!(
        find(&tasks, "Update documentation").3,
        vec!["Deploy and verify on staging".to_string()]
    );
}

#[test]
fn export_keeps_what_the_visible_list_cannot() {
    let env = Env::new();
    let a = env.create(
        "GH#42: Ship the `config` loader",
        &["--issue", "42", "--type", "impl"],
    );
    let b = env.create("No prefix at all", &["--issue", "42", "--type", "review"]);
    env.ok(&["tasks", "dep", "add", &b, "--on", &a]);
    env.ok(&["tasks", "cancel", &a]);
    let md = env.ok(&["tasks", "export", "--issue", "42"]);
    let body = env.path().join("body.md");
    std::fs::write(&body, &md).unwrap();
    let before = env.read();
    import(&env, 42, &body)
        .code(0)
        .stderr_has("0 tasks created, 2 already there");
    assert_eq!(env.read(), before);
    import(&env, 50, &body)
        .code(0)
        .stderr_has("2 tasks created");
    let tasks = imported(&env, 50);
    assert_eq!(find(&tasks, "Ship the `config` loader").1, "cancelled");
    assert_eq!(
        find(&tasks, "No prefix at all").3,
        vec!["Ship the `config` loader".to_string()]
    );
}

#[test]
fn export_of_an_issue_without_tasks_is_refused() {
    let env = Env::new();
    plan(&env, 42, "infrastructure", "Network hardening");
    env.run(&["tasks", "export", "--issue", "9"])
        .code(2)
        .stderr_has("issue #9 has no tasks");
}
