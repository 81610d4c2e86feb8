//! Issue 14: the command line agents and people actually type: beads (`bd`)
//! spellings, filters that mean what the screen shows, re-runnable plans,
//! priorities, close reasons, notes, and the smaller commands.

use crate::common::Env;

/// Run one shell-like line (`wm tasks ...`, words split on spaces outside
/// double quotes; `$NAME` replaced from `vars`), as an agent would type it.
fn line(env: &Env, text: &str, vars: &[(&str, &str)]) -> crate::common::Run {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    let words: Vec<String> = words
        .into_iter()
        .map(|w| {
            let mut w = w;
            for (k, v) in vars {
                w = w.replace(&format!("${k}"), v);
            }
            w
        })
        .collect();
    assert_eq!(words[0], "wm", "{text}");
    let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
    env.run(&args)
}

fn task(env: &Env, id: &str) -> serde_json::Value {
    env.json(&["tasks", "show", id, "--json"])["task"].clone()
}

#[test]
fn a_bd_form_plan_runs_verbatim() {
    let env = Env::new();
    // The lines of a filled plan still in its beads form, `bd` replaced by
    // `wm tasks` and nothing else.
    let epic = line(
        &env,
        r#"wm tasks create --title="GH#244: Invoice CSV export" --type=epic --priority=1 --external-ref=gh-244 --silent"#,
        &[],
    )
    .code(0);
    assert_eq!(epic.stderr(), "", "--silent silences notes");
    let epic = epic.stdout().trim().to_string();
    let test = line(
        &env,
        r#"wm tasks create --title="GH#244: Write failing tests for CSV export" --type=test --priority=0 --labels=testing,tdd --external-ref=gh-244 --silent"#,
        &[],
    )
    .code(0)
    .stdout()
    .trim()
    .to_string();
    let imp = line(
        &env,
        r#"wm tasks create --title="GH#244: Implement CSV export" --type=impl --priority=2 --label backend,csv --external-ref=gh-244 --silent"#,
        &[],
    )
    .code(0)
    .stdout()
    .trim()
    .to_string();
    let vars = [
        ("EPIC", epic.as_str()),
        ("TEST", test.as_str()),
        ("IMPL", imp.as_str()),
    ];
    line(&env, "wm tasks dep add $IMPL $TEST", &vars).code(0);

    let t = task(&env, &test);
    assert_eq!(t["issue"], 244);
    assert_eq!(t["priority"], 0);
    assert_eq!(t["labels"], serde_json::json!(["testing", "tdd"]));
    let i = task(&env, &imp);
    assert_eq!(i["labels"], serde_json::json!(["backend", "csv"]));
    assert_eq!(i["depends_on"], serde_json::json!([test.clone()]));
    assert_eq!(task(&env, &epic)["priority"], 1);

    let open = line(&env, "wm tasks list --status=open --format ids", &vars).code(0);
    assert_eq!(open.stdout().lines().count(), 3);
    line(&env, "wm tasks dep tree $EPIC", &vars)
        .code(0)
        .stdout_has("Implement CSV export");
    line(
        &env,
        r#"wm tasks close $TEST --reason="tests written and failing as expected""#,
        &vars,
    )
    .code(0)
    .stdout_has(&format!("{test} completed"));
    assert_eq!(
        task(&env, &test)["reason"],
        "tests written and failing as expected"
    );
    let closed = line(&env, "wm tasks list --status=closed --format ids", &vars).code(0);
    assert_eq!(closed.stdout().trim(), test);
    // A bd word with no meaning here: a one-line hint, exit 2.
    let sync = line(&env, "wm tasks sync", &vars).code(2);
    assert!(sync.stderr().contains("commit it"), "{}", sync.stderr());
    assert_eq!(sync.stderr().trim().lines().count(), 1, "{}", sync.stderr());
}

#[test]
fn did_you_mean_for_commands_and_flags() {
    let env = Env::new();
    env.seed_plan(42);
    env.run(&["tasks", "lsit"]).code(2).stderr_has("list");
    env.run(&["tasks", "list", "--isue", "42"])
        .code(2)
        .stderr_has("--issue");
}

#[test]
fn the_templates_readme_lines_do_what_their_comments_say() {
    let env = Env::new();
    let a = env.seed_plan(42);
    let b = env.seed_plan(43);
    // `wm tasks list  # List all tasks`
    assert_eq!(env.ids(&["tasks", "list"]).len(), 16);
    // `wm tasks list --issue=N`
    let only: Vec<String> = env.ids(&["tasks", "list", "--issue=43"]);
    assert_eq!(only.len(), 8);
    assert!(only.contains(&b.epic) && !only.contains(&a.epic));
    // `wm tasks list --status=pending  # Find unblocked work`: ready work,
    // no blocked task, no epic.
    let mut pending = env.ids(&["tasks", "list", "--status=pending"]);
    pending.sort();
    let mut want = vec![a.analysis.clone(), b.analysis.clone()];
    want.sort();
    assert_eq!(pending, want);
    let table = env.ok(&["tasks", "list", "--status=pending"]);
    assert!(!table.contains("blocked"), "{table}");
}

#[test]
fn status_filters_match_the_status_column() {
    let env = Env::new();
    let s = env.seed_plan(42);
    env.ok(&["tasks", "start", &s.analysis]);
    let blocked = env.ids(&["tasks", "list", "--status=blocked"]);
    assert_eq!(blocked, env.ids(&["tasks", "list", "--blocked"]));
    assert_eq!(blocked.len(), 6);
    assert_eq!(
        env.ids(&["tasks", "list", "--status", "in_progress"]),
        vec![s.analysis.clone()]
    );
    // Several statuses, and --open.
    assert_eq!(
        env.ids(&["tasks", "list", "--status", "blocked,in_progress"])
            .len(),
        7
    );
    assert_eq!(env.ids(&["tasks", "list", "--open"]).len(), 8);
    env.ok(&["tasks", "done", &s.analysis]);
    assert_eq!(
        env.ids(&["tasks", "list", "--status=ready"]),
        vec![s.backup.clone()]
    );
    // Unknown values are errors that list the known ones.
    env.run(&["tasks", "list", "--phase", "typo"])
        .code(2)
        .stderr_has("phases in use: analysis, backup");
    env.run(&["tasks", "list", "--label", "nope"])
        .code(2)
        .stderr_has("labels in use: none");
    env.run(&["tasks", "list", "--type", "bug"])
        .code(2)
        .stderr_has("epic, impl, verify");
    env.run(&["tasks", "list", "--status", "stuck"])
        .code(2)
        .stderr_has("blocked");
}

#[test]
fn running_a_plan_twice_creates_nothing_new() {
    let env = Env::new();
    let first = env.seed_plan(42);
    let bytes = env.read();
    let run = env
        .run(&[
            "tasks",
            "create",
            "--title=GH#42: Network hardening",
            "--type=epic",
            "--issue=42",
        ])
        .code(0)
        .stderr_has("already exists")
        .stderr_has("--allow-duplicate");
    assert_eq!(run.stdout().trim(), first.epic);
    let again = env.seed_plan(42);
    assert_eq!(again.tasks(), first.tasks());
    assert_eq!(again.epic, first.epic);
    assert_eq!(env.read(), bytes, "the store did not change");
    env.run(&["tasks", "check"]).code(0);

    // The same title with another type is another task; --allow-duplicate
    // makes a copy, and `check` warns about it.
    let dup = env.create(
        "GH#42: Update documentation",
        &["--type=impl", "--issue=42", "--allow-duplicate"],
    );
    assert_ne!(dup, first.docs);
    env.run(&["tasks", "check"])
        .code(0)
        .stdout_has("duplicate-title");
}

#[test]
fn priority_orders_ready_work_after_phase() {
    let env = Env::new();
    let old = env.create("Old task", &["--phase=impl", "--issue=1"]);
    let urgent = env.create(
        "Urgent task",
        &["--phase=impl", "--issue=1", "--priority=0"],
    );
    let early = env.create("Look around", &["--phase=analysis", "--issue=2", "-p", "4"]);
    // Phase first: analysis comes before impl whatever the priority.
    assert_eq!(env.ok(&["tasks", "next"]).trim(), early);
    env.ok(&["tasks", "done", &early]);
    // Then priority, over age.
    assert_eq!(env.ok(&["tasks", "next"]).trim(), urgent);
    env.ok(&["tasks", "claim", "--assignee", "ci"]);
    assert_eq!(task(&env, &urgent)["status"], "in_progress");
    assert_eq!(task(&env, &old)["priority"], 2, "unset counts as 2");
    // Shown in list, filterable, sortable; bad values refused.
    let table = env.ok(&["tasks", "list"]);
    assert!(table.contains("PRI") && table.contains("P0"), "{table}");
    assert_eq!(
        env.ids(&["tasks", "list", "--priority", "0"]),
        vec![urgent.clone()]
    );
    assert_eq!(
        env.ids(&["tasks", "list", "--sort", "priority", "--limit", "1"]),
        vec![urgent.clone()]
    );
    env.run(&["tasks", "create", "--title=x", "--priority=7"])
        .code(2);
    env.ok(&["tasks", "update", &old, "--priority", "P1"]);
    assert_eq!(task(&env, &old)["priority"], 1);
}

#[test]
fn close_reasons_are_stored_and_gated_verification_needs_evidence() {
    let env = Env::new();
    env.create(
        "GH#7: Checkout",
        &["--type=epic", "--issue=7", "--workflow=gated"],
    );
    let test = env.create(
        "GH#7: TEST Phase 1: cart tests",
        &["--type=test", "--issue=7"],
    );
    let imp = env.create("GH#7: IMPL Phase 1: cart", &["--type=impl", "--issue=7"]);
    let verify = env.create(
        "GH#7: VERIFY Phase 1: cart works",
        &["--type=verify", "--issue=7"],
    );
    assert_eq!(task(&env, &verify)["role"], "verify");
    env.ok(&["tasks", "done", &test]);
    env.ok(&["tasks", "done", &imp]);
    // No evidence: refused (exit 3), saying how to give it.
    env.run(&["tasks", "done", &verify])
        .code(3)
        .stderr_has("--reason")
        .stderr_has("--commit");
    assert_eq!(task(&env, &verify)["status"], "pending");
    env.run(&["tasks", "close", &verify, "--reason", "cart e2e green"])
        .code(0);
    let v = task(&env, &verify);
    assert_eq!(v["status"], "completed");
    assert_eq!(v["reason"], "cart e2e green");
    env.run(&["tasks", "show", &verify])
        .code(0)
        .stdout_has("reason:     cart e2e green");
    // Reopened: the reason goes with the closing.
    env.ok(&["tasks", "reopen", &verify]);
    assert_eq!(task(&env, &verify)["reason"], serde_json::Value::Null);

    // Outside a gated workflow no evidence is needed; cancel takes a reason.
    let s = env.seed_plan(42);
    env.ok(&["tasks", "done", &s.analysis]);
    env.ok(&[
        "tasks",
        "cancel",
        &s.rollback,
        "--reason",
        "no rollback path",
    ]);
    assert_eq!(task(&env, &s.rollback)["reason"], "no rollback path");
}

#[test]
fn notes_search_and_epic_progress() {
    let env = Env::new();
    let s = env.seed_plan(42);
    env.ok(&[
        "tasks",
        "note",
        &s.backup,
        "snapshots",
        "take",
        "20 minutes",
    ]);
    let n = &task(&env, &s.backup)["notes"];
    assert_eq!(n[0]["text"], "snapshots take 20 minutes");
    assert!(n[0]["at"].as_str().unwrap().ends_with('Z'));
    env.run(&["tasks", "show", &s.backup])
        .code(0)
        .stdout_has("notes:")
        .stdout_has("snapshots take 20 minutes");
    // search finds titles and notes, case-insensitively; list --grep too.
    assert_eq!(
        env.ids(&["tasks", "search", "20 MINUTES"]),
        vec![s.backup.clone()]
    );
    assert_eq!(
        env.ids(&["tasks", "list", "--grep", "rollback"]),
        vec![s.rollback.clone()]
    );
    env.ok(&["tasks", "done", &s.analysis]);
    env.run(&["tasks", "show", &s.epic])
        .code(0)
        .stdout_has("progress:   14% (1 completed, 0 cancelled, 6 open)")
        .stdout_has(&s.docs);
    let doc = env.json(&["tasks", "show", &s.epic, "--json"]);
    assert_eq!(doc["progress"]["completed"], 1);
    assert_eq!(doc["tasks"].as_array().unwrap().len(), 7);
}

#[test]
fn move_ls_rm_and_delete_of_a_derived_predecessor() {
    let env = Env::new();
    let s = env.seed_plan(42);
    env.seed_plan(43);
    env.run(&["tasks", "move", &s.docs, "--issue", "43"])
        .code(0)
        .stdout_has("GH#43: Update documentation");
    let d = task(&env, &s.docs);
    assert_eq!(d["issue"], 43);
    assert_eq!(d["title"], "GH#43: Update documentation");
    // ls is list.
    assert_eq!(env.ids(&["tasks", "ls", "--issue", "42"]).len(), 7);
    // The analysis task has no explicit dependents, but backup follows it
    // by phase: delete says so and wants --force.
    env.run(&["tasks", "delete", &s.analysis])
        .code(3)
        .stderr_has(&s.backup)
        .stderr_has("--force");
    env.run(&["tasks", "rm", &s.analysis, "--force"])
        .code(0)
        .stderr_has("no longer waits for");
    assert_eq!(env.ids(&["tasks", "list", "--issue", "42"]).len(), 6);
}

#[test]
fn update_status_alone_and_title_rule() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let run = env
        .run(&["tasks", "update", &s.analysis, "--status=in_progress"])
        .code(0)
        .stdout_has("updated");
    assert!(
        !run.stderr().contains("nothing to change"),
        "{}",
        run.stderr()
    );
    env.run(&["tasks", "update", &s.backup, "--title", "GH#43: Backups"])
        .code(2)
        .stderr_has("GH#43")
        .stderr_has("move");
    // Titles may start with a dash.
    env.create("- list item", &["--issue=42", "--phase=docs"]);
}

#[test]
fn store_and_file_errors_say_what_is_wrong() {
    let env = Env::new();
    env.write(
        "version: 1\ntasks:\n  - id: aaaa1111\n    title: First\n    type: task\n    status: pending\n",
    );
    env.run(&["tasks", "list"])
        .code(5)
        .stderr_has("missing field `created_at`");
    env.write(
        "version: 1\ntasks:\n  - id: aaaa1111\n    title: First\n    type: task\n    status: pending\n    issue: abc\n    created_at: 2026-01-01T00:00:00Z\n    updated_at: 2026-01-01T00:00:00Z\n",
    );
    env.run(&["tasks", "list"]).code(5).stderr_has("not `abc`");
    env.run(&["tasks", "list", "--file", "nope.yaml"])
        .code(5)
        .stderr_has("nope.yaml does not exist");
    // An empty WM_TASKS_FILE is unset, not an error.
    env.write("version: 1\ntasks: []\n");
    let out = env
        .cmd(&["tasks", "list"])
        .env("WM_TASKS_FILE", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}
