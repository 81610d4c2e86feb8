//! The core store, DAG and CLI, driven through the real binary.

use crate::common::Env;

#[test]
fn seed_workflow_verbatim_yields_the_template_graph() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let doc = env.json(&["tasks", "list", "--issue=42", "--json"]);
    let tasks = doc["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 8);
    let deps = |id: &str| -> Vec<String> {
        let t = tasks.iter().find(|t| t["id"] == id).unwrap();
        t["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(deps(&s.analysis).is_empty());
    assert_eq!(deps(&s.backup), vec![s.analysis.clone()]);
    assert_eq!(deps(&s.implement), vec![s.backup.clone()]);
    assert_eq!(deps(&s.config), vec![s.implement.clone()]);
    assert_eq!(deps(&s.staging), vec![s.config.clone()]);
    assert_eq!(deps(&s.rollback), vec![s.staging.clone()]);
    assert_eq!(deps(&s.docs), vec![s.staging.clone()]);
}

fn ready(env: &Env, issue: &str) -> Vec<String> {
    env.ids(&["tasks", "ready", "--issue", issue])
}

fn blocked(env: &Env) -> Vec<String> {
    env.ids(&["tasks", "blocked"])
}

#[test]
fn ready_and_blocked_follow_each_transition() {
    let env = Env::new();
    let s = env.seed_plan(42);
    assert_eq!(ready(&env, "42"), vec![s.analysis.clone()]);
    assert_eq!(blocked(&env).len(), 6);

    env.ok(&["tasks", "start", &s.analysis]);
    assert!(
        ready(&env, "42").is_empty(),
        "in-progress work is not ready"
    );
    env.ok(&["tasks", "done", &s.analysis]);
    assert_eq!(ready(&env, "42"), vec![s.backup.clone()]);
    env.ok(&["tasks", "done", &s.backup]);
    env.ok(&["tasks", "done", &s.implement]);
    env.ok(&["tasks", "done", &s.config]);
    assert_eq!(ready(&env, "42"), vec![s.staging.clone()]);
    env.ok(&["tasks", "done", &s.staging]);
    // Staging forks into rollback and docs, in phase order.
    assert_eq!(ready(&env, "42"), vec![s.rollback.clone(), s.docs.clone()]);
    assert!(blocked(&env).is_empty());

    // Reopening staging blocks both again.
    env.ok(&["tasks", "reopen", &s.staging]);
    assert_eq!(ready(&env, "42"), vec![s.staging.clone()]);
    let b = blocked(&env);
    assert_eq!(b, vec![s.rollback.clone(), s.docs.clone()]);

    // A cancelled dependency counts as settled.
    env.ok(&["tasks", "cancel", &s.staging]);
    assert_eq!(ready(&env, "42"), vec![s.rollback.clone(), s.docs.clone()]);

    // The blocked view names what blocks each task.
    env.ok(&["tasks", "reopen", &s.staging]);
    let out = env.ok(&["tasks", "blocked"]);
    assert!(
        out.contains(&s.rollback) && out.contains(&format!("{} (pending)", s.staging)),
        "{out}"
    );
}

#[test]
fn creation_order_does_not_change_the_graph() {
    let env = Env::new();
    // Docs first, analysis last: the derived edges are the same.
    let docs = env.create("GH#7: Update documentation", &["--issue=7"]);
    let staging = env.create("GH#7: Deploy and verify on staging", &["--issue=7"]);
    let analysis = env.create("GH#7: Analyze current infrastructure", &["--issue=7"]);
    let doc = env.json(&["tasks", "show", &docs, "--json"]);
    assert_eq!(doc["task"]["dependencies"][0]["id"], staging.as_str());
    assert_eq!(doc["task"]["dependencies"][0]["kind"], "phase");
    let doc = env.json(&["tasks", "show", &staging, "--json"]);
    // No backup/impl/config tasks: staging waits for the nearest non-empty phase.
    assert_eq!(doc["task"]["dependencies"][0]["id"], analysis.as_str());
    let order = env.ids(&["tasks", "list", "--issue=7"]);
    assert_eq!(order, vec![analysis, staging, docs]);
}

#[test]
fn create_reports_the_inferred_phase_and_prints_only_the_id() {
    let env = Env::new();
    let run = env
        .run(&[
            "tasks",
            "create",
            "--title=GH#9: Create backups/snapshots",
            "--issue=9",
        ])
        .code(0)
        .stderr_has("phase `backup` inferred from the title");
    let id = run.stdout();
    assert_eq!(id.trim().len(), 8);
    assert_eq!(id.lines().count(), 1);
    // The issue is taken from the title when --issue is missing.
    let id2 = env.create("GH#9: Update configuration", &[]);
    let doc = env.json(&["tasks", "show", &id2, "--json"]);
    assert_eq!(doc["task"]["issue"], 9);
    assert_eq!(doc["task"]["phase"], "config");
    // A title and --issue that disagree are a usage error.
    env.run(&["tasks", "create", "--title=GH#9: x", "--issue=10"])
        .code(2)
        .stderr_has("GH#9");
}

#[test]
fn rule_violations_exit_3_and_name_the_tasks() {
    let env = Env::new();
    let s = env.seed_plan(42);

    // Starting or completing with unfinished dependencies.
    env.run(&["tasks", "start", &s.backup])
        .code(3)
        .stderr_has(&s.analysis);
    env.run(&["tasks", "done", &s.docs])
        .code(3)
        .stderr_has(&s.staging);

    // Phase order: an analysis task cannot depend on a docs task.
    env.run(&["tasks", "dep", "add", &s.analysis, "--on", &s.docs])
        .code(3)
        .stderr_has("comes after");

    // A cycle through explicit edges prints its path.
    let a = env.create("Alpha", &[]);
    let b = env.create("Beta", &["--depends-on", &a]);
    let c = env.create("Gamma", &["--depends-on", &b]);
    let run = env
        .run(&["tasks", "dep", "add", &a, "--on", &c])
        .code(3)
        .stderr_has("cycle");
    let err = run.stderr();
    assert!(err.contains(" -> "), "{err}");
    for id in [&a, &b, &c] {
        assert!(err.contains(id.as_str()), "{err}");
    }

    // A task cannot depend on itself.
    env.run(&["tasks", "dep", "add", &a, "--on", &a]).code(3);

    // An epic cannot be completed while its children are open.
    env.run(&["tasks", "done", &s.epic])
        .code(3)
        .stderr_has("open children");

    // Deleting a task others depend on.
    env.run(&["tasks", "delete", &a]).code(3).stderr_has(&b);

    // Nothing was written by any refused command.
    let doc = env.json(&["tasks", "show", &a, "--json"]);
    assert_eq!(doc["task"]["depends_on"].as_array().unwrap().len(), 0);
}

#[test]
fn force_overrides_are_recorded_on_the_task() {
    let env = Env::new();
    let s = env.seed_plan(42);
    env.run(&["tasks", "done", &s.backup, "--force"])
        .code(0)
        .stderr_has("forced");
    let doc = env.json(&["tasks", "show", &s.backup, "--json"]);
    let t = &doc["task"];
    assert_eq!(t["status"], "completed");
    assert_eq!(t["forced"][0]["to"], "completed");
    assert!(
        t["forced"][0]["reason"]
            .as_str()
            .unwrap()
            .contains(&s.analysis)
    );
    assert!(env.read().contains("forced:"));
}

#[test]
fn delete_force_removes_the_edges_pointing_at_it() {
    let env = Env::new();
    let a = env.create("Alpha", &[]);
    let b = env.create("Beta", &["--depends-on", &a]);
    env.ok(&["tasks", "delete", &a, "--force"]);
    let doc = env.json(&["tasks", "show", &b, "--json"]);
    assert!(doc["task"]["depends_on"].as_array().unwrap().is_empty());
    env.run(&["tasks", "show", &a]).code(4);
}

#[test]
fn ids_accept_unique_prefixes_and_reject_ambiguous_ones() {
    let env = Env::new();
    // Hand-written ids make the prefixes predictable.
    env.write(
        "version: 1\ntasks:\n  - id: abc111\n    title: One\n    type: task\n    status: pending\n    created_at: 2026-01-01T00:00:00Z\n    updated_at: 2026-01-01T00:00:00Z\n  - id: abc222\n    title: Two\n    type: task\n    status: pending\n    created_at: 2026-01-01T00:00:01Z\n    updated_at: 2026-01-01T00:00:01Z\n",
    );
    let doc = env.json(&["tasks", "show", "abc1", "--json"]);
    assert_eq!(doc["task"]["id"], "abc111");
    let run = env.run(&["tasks", "show", "abc"]).code(4);
    let err = run.stderr();
    assert!(
        err.contains("ambiguous") && err.contains("abc111") && err.contains("abc222"),
        "{err}"
    );
    env.run(&["tasks", "start", "zzz"])
        .code(4)
        .stderr_has("zzz");
    env.ok(&["tasks", "start", "abc2"]);
    assert_eq!(
        env.json(&["tasks", "show", "abc222", "--json"])["task"]["status"],
        "in_progress"
    );
}

#[test]
fn if_missing_returns_the_existing_task() {
    let env = Env::new();
    let args = [
        "tasks",
        "create",
        "--if-missing",
        "--title=GH#5: Update configuration",
        "--issue=5",
    ];
    let first = env.ok(&args);
    let bytes = env.read();
    let second = env.ok(&args);
    assert_eq!(first, second);
    assert_eq!(
        env.read(),
        bytes,
        "a repeated --if-missing create changes nothing"
    );
    // Issue 14: without the flag, a task of the same title and type is
    // kept too (create is re-runnable); --allow-duplicate creates another.
    let plain: Vec<&str> = args[..2].iter().chain(&args[3..]).copied().collect();
    assert_eq!(env.ok(&plain), first);
    assert_eq!(env.read(), bytes);
    let third = env.ok(&[plain.as_slice(), &["--allow-duplicate"]].concat());
    assert_ne!(first, third);
}

#[test]
fn json_output_has_the_documented_fields() {
    let env = Env::new();
    let s = env.seed_plan(42);
    env.ok(&[
        "tasks",
        "update",
        &s.analysis,
        "--assignee",
        "alice",
        "--add-label",
        "net",
    ]);
    let doc = env.json(&["tasks", "list", "--json"]);
    assert_eq!(doc["schema_version"], 1);
    let t = doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == s.analysis.as_str())
        .unwrap();
    crate::common::assert_task_fields(t);
    assert_eq!(t["title"], "GH#42: Analyze current infrastructure");
    assert_eq!(t["type"], "impl");
    assert_eq!(t["state"], "ready");
    assert_eq!(t["ready"], true);
    assert_eq!(t["epic"], s.epic.as_str());
    assert_eq!(t["labels"][0], "net");
    assert_eq!(t["assignee"], "alice");
    let blocked = env.json(&["tasks", "blocked", "--json"]);
    let docs = blocked["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == s.docs.as_str())
        .unwrap();
    assert_eq!(docs["blocked_by"][0], s.staging.as_str());
    assert_eq!(docs["state"], "blocked");
    let ready = env.json(&["tasks", "ready", "--json"]);
    assert_eq!(ready["tasks"].as_array().unwrap().len(), 1);
}

#[test]
fn list_filters() {
    let env = Env::new();
    let s = env.seed_plan(42);
    env.seed_plan(43);
    assert_eq!(env.ids(&["tasks", "list", "--issue", "42"]).len(), 8);
    assert_eq!(env.ids(&["tasks", "list", "--type", "verify"]).len(), 4);
    assert_eq!(
        env.ids(&["tasks", "list", "--phase", "docs", "--issue", "42"]),
        vec![s.docs.clone()]
    );
    assert_eq!(env.ids(&["tasks", "list", "--parent", &s.epic]).len(), 7);
    env.ok(&["tasks", "done", &s.analysis]);
    assert_eq!(
        env.ids(&["tasks", "list", "--status", "done"]),
        vec![s.analysis.clone()]
    );
    assert_eq!(
        env.ids(&["tasks", "list", "--ready", "--issue", "42"]),
        vec![s.backup.clone()]
    );
    assert_eq!(
        env.ids(&["tasks", "list", "--blocked", "--issue", "42"])
            .len(),
        5
    );
    // Issue 14: --status filters on what STATUS shows, so `blocked` (once
    // refused with exit 2) is the same as --blocked; a typo still exits 2.
    assert_eq!(
        env.ids(&["tasks", "list", "--status", "blocked", "--issue", "42"]),
        env.ids(&["tasks", "list", "--blocked", "--issue", "42"])
    );
    env.run(&["tasks", "list", "--status", "blokced"]).code(2);
}

const CYCLIC: &str = "version: 1
tasks:
  - id: aaaa1111
    title: First
    type: task
    status: pending
    depends_on:
      - bbbb2222
    created_at: 2026-01-01T00:00:00Z
    updated_at: 2026-01-01T00:00:00Z
  - id: bbbb2222
    title: Second
    type: task
    status: pending
    depends_on:
      - aaaa1111
      - gone9999
    created_at: 2026-01-01T00:00:01Z
    updated_at: 2026-01-01T00:00:01Z
";

#[test]
fn a_hand_edited_cycle_is_refused_by_graph_commands_and_repaired_with_dep_rm() {
    let env = Env::new();
    env.write(CYCLIC);
    let run = env.run(&["tasks", "ready"]).code(5);
    let err = run.stderr();
    assert!(err.contains("aaaa1111 -> bbbb2222 -> aaaa1111"), "{err}");
    assert!(err.contains("gone9999"), "dangling reference named: {err}");
    env.run(&["tasks", "start", "aaaa"]).code(5);
    env.run(&["tasks", "create", "--title=x"]).code(5);
    // show still works and says what is wrong.
    env.run(&["tasks", "show", "aaaa"])
        .code(0)
        .stdout_has("cycle");
    // list refuses rather than exit 0 on an invalid graph.
    env.run(&["tasks", "list"]).code(5).stderr_has("cycle");
    // A repair may not add a new problem...
    env.run(&["tasks", "dep", "add", "aaaa", "--on", "aaaa"])
        .code(3);
    // ...but removing edges works, including a dangling one.
    env.ok(&["tasks", "dep", "rm", "bbbb", "--on", "gone9999"]);
    env.run(&["tasks", "ready"]).code(5);
    env.ok(&["tasks", "dep", "rm", "bbbb", "--on", "aaaa"]);
    assert_eq!(env.ids(&["tasks", "ready"]), vec!["bbbb2222".to_string()]);
}

#[test]
fn a_newer_format_version_is_refused_and_left_unchanged() {
    let env = Env::new();
    let text = "version: 99\nfuture_field: true\ntasks: []\n";
    env.write(text);
    for args in [
        vec!["tasks", "list"],
        vec!["tasks", "create", "--title=x"],
        vec!["tasks", "init"],
    ] {
        env.run(&args).code(5).stderr_has("version 99");
    }
    assert_eq!(env.read(), text);
}

#[test]
fn broken_files_get_line_and_column_and_stay_unchanged() {
    let env = Env::new();
    let cases: &[(&str, &str)] = &[
        ("", "empty"),
        (
            "version: 1\ntasks:\n  - id: a\n    title: [unclosed\n",
            ":4:",
        ),
        ("version: 1\ntasks: 5\n", ":2:"),
        (
            "version: 1\ntasks:\n  - id: a\n    titel: x\n    type: task\n    status: pending\n",
            "did you mean `title`",
        ),
        (
            "version: 1\n<<<<<<< HEAD\ntasks: []\n=======\n>>>>>>> other\n",
            "merge is unfinished",
        ),
    ];
    for (text, needle) in cases {
        env.write(text);
        env.run(&["tasks", "list"]).code(5).stderr_has(needle);
        env.run(&["tasks", "create", "--title=x"]).code(5);
        assert_eq!(&env.read(), text, "file changed after failing on {needle}");
    }
    std::fs::write(env.store(), b"version: 1\ntasks: []\n\xff\xfe\n").unwrap();
    env.run(&["tasks", "list"]).code(5).stderr_has("UTF-8");
}

#[test]
fn the_store_is_found_upward_and_created_at_the_repository_root() {
    let env = Env::new();
    let sub = env.path().join("a/b");
    std::fs::create_dir_all(&sub).unwrap();
    let mut cmd = env.cmd(&["tasks", "create", "--title=From below"]);
    cmd.current_dir(&sub).assert().success();
    assert!(env.store().exists(), "created at the repository root");
    assert!(!sub.join("tasks.yaml").exists());
    let mut cmd = env.cmd(&["tasks", "list", "--format", "ids"]);
    let out = cmd.current_dir(&sub).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);

    // $WM_TASKS_FILE and --file take precedence, in that order.
    let other = env.path().join("other.yaml");
    let mut cmd = env.cmd(&["tasks", "init"]);
    cmd.env("WM_TASKS_FILE", &other).assert().success();
    assert!(other.exists());
    let mut cmd = env.cmd(&["tasks", "list", "--format", "ids"]);
    let out = cmd.env("WM_TASKS_FILE", &other).output().unwrap();
    assert!(out.stdout.is_empty());
    let third = env.path().join("third.yaml");
    let mut cmd = env.cmd(&[
        "tasks",
        "create",
        "--title=x",
        "--file",
        third.to_str().unwrap(),
    ]);
    cmd.env("WM_TASKS_FILE", &other).assert().success();
    assert!(third.exists());

    // No store anywhere: a clear error.
    let empty = Env::new();
    empty
        .run(&["tasks", "list"])
        .code(5)
        .stderr_has("wm tasks init");
}

#[test]
fn canonical_output_is_stable_and_changes_only_the_touched_task() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let before = env.read();
    // A no-op rewrite gives the same bytes.
    env.ok(&[
        "tasks",
        "update",
        &s.config,
        "--title=GH#42: Update configuration",
    ]);
    assert_eq!(env.read(), before);
    env.ok(&["tasks", "start", &s.analysis]);
    let after = env.read();
    // Same number of lines; exactly the status and updated_at lines of the
    // started task differ.
    assert_eq!(before.lines().count(), after.lines().count());
    let changed: Vec<(usize, &str)> = before
        .lines()
        .zip(after.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(n, (_, b))| (n, b))
        .collect();
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert_eq!(changed[0].1.trim(), "status: in_progress");
    assert!(changed[1].1.trim().starts_with("updated_at:"));
    let id_line = after
        .lines()
        .position(|l| l.trim() == format!("- id: {}", s.analysis))
        .unwrap();
    assert!(changed[0].0 > id_line && changed[0].0 < id_line + 10);
}

#[test]
fn a_held_lock_makes_writers_exit_6_naming_the_holder() {
    let env = Env::new();
    env.create("Something", &[]);
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(env.store())
        .unwrap();
    f.lock().unwrap();
    let run = env
        .run(&[
            "tasks",
            "create",
            "--title=blocked",
            "--lock-timeout",
            "0.2",
        ])
        .code(6)
        .stderr_has("locked");
    if cfg!(target_os = "linux") {
        assert!(
            run.stderr()
                .contains(&format!("pid {}", std::process::id())),
            "{}",
            run.stderr()
        );
    }
    // Readers do not wait for the lock.
    env.ok(&["tasks", "list"]);
    f.unlock().unwrap();
    env.create("Now it works", &[]);
}

#[test]
fn hostile_titles_are_stored_faithfully_and_shown_escaped() {
    let env = Env::new();
    let title = "evil\u{1b}[2J\nsecond line\u{7}";
    let id = env.create(title, &[]);
    let doc = env.json(&["tasks", "show", &id, "--json"]);
    assert_eq!(doc["task"]["title"], title);
    let table = env.ok(&["tasks", "list"]);
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table:?}"
    );
    assert!(table.contains("evil\\x1b[2J\\nsecond line\\x07"), "{table}");
    let shown = env.ok(&["tasks", "show", &id]);
    assert!(!shown.contains('\u{1b}'));
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    env.run(&["tasks", "create"]).code(2);
    env.run(&["tasks", "create", "--title=x", "--type=bogus"])
        .code(2);
    env.run(&["tasks", "create", "--title=x", "--phase=nope"])
        .code(2)
        .stderr_has("analysis");
    env.run(&["tasks", "frobnicate"]).code(2);
    env.ok(&["tasks", "--help"]);
}

/// Every repair the validator knows is said with the command that does
/// it, the same in `check` and in a refusal (exit 5). The core names the
/// repair; the CLI words it (src/cli/command_error.rs), so this snapshot
/// is the whole table of hints.
#[test]
fn every_problem_says_the_command_that_repairs_it() {
    let env = Env::new();
    let issue = ["--issue=7"];
    let mut names: Vec<(String, String)> = Vec::new();
    let mut make = |env: &Env, title: &str, extra: &[&str], name: &str| -> String {
        let id = env.create(title, extra);
        names.push((id.clone(), name.to_string()));
        id
    };
    let base = make(&env, "GH#7: VERIFY baseline passes", &issue, "BASE");
    let imp = make(&env, "GH#7: IMPL Phase 1: build it", &issue, "IMPL1");
    make(&env, "GH#7: VERIFY Phase 1 works", &issue, "VER1");
    make(&env, "Estimate me", &["--estimate=2h"], "EST");
    make(&env, "Prioritise me", &["--priority=1"], "PRI");
    let twice = make(&env, "Twice", &[], "TWICE1");
    make(&env, "Twice", &["--allow-duplicate"], "TWICE2");
    let ring: Vec<String> = (0..5)
        .map(|k| make(&env, &format!("ring {k}"), &[], &format!("RING{k}")))
        .collect();
    // Hand edits a merge or a person could make: each line goes right
    // after the task's `status:` line (the full parser takes any order).
    let mut text = env.read();
    let mut add = |id: &str, line: &str| {
        let at = text.find(&format!("  - id: {id}\n")).unwrap();
        let status = at + text[at..].find("    status: ").unwrap();
        let eol = status + text[status..].find('\n').unwrap() + 1;
        text.insert_str(eol, line);
    };
    add(&base, &format!("    depends_on:\n      - {imp}\n"));
    add(&twice, "    depends_on:\n      - nope1234\n");
    for k in 0..5 {
        add(
            &ring[k],
            &format!("    depends_on:\n      - {}\n", ring[(k + 1) % 5]),
        );
    }
    // Readable fixed ids: where a cycle's path starts depends on them.
    let text = names
        .iter()
        .fold(text, |t, (id, name)| {
            t.replace(id.as_str(), &name.to_lowercase())
        })
        .replace("estimate: \"2h\"", "estimate: soon")
        .replace("priority: 1", "priority: 9");
    assert!(text.contains("estimate: soon") && text.contains("priority: 9"));
    env.write(&text);
    let dir = env.path().display().to_string();
    let redact = |s: String| s.replace(&dir, "<dir>");
    let check = env.run(&["tasks", "check"]).code(5);
    let refused = env.run(&["tasks", "list"]).code(5);
    insta::assert_snapshot!(
        "every_problem_says_its_repair",
        format!(
            "$ wm tasks check\n{}\n$ wm tasks list\n{}",
            redact(check.stdout()),
            redact(refused.stderr())
        )
    );
}
