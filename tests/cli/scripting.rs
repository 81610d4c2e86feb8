//! The scripting surface: `check` (every finding, exit codes, GitHub
//! annotation lines), `next` and `claim` (including 8 concurrent claimers),
//! `done --commit`, the JSON contract of every read command, the JSON
//! Schema, completions and man page, broken pipes and colour.

use crate::common::Env;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::process::{Command, Stdio};

const WM: &str = env!("CARGO_BIN_EXE_wm");

/// A std `Command` for `wm` in `env` (for spawning with custom pipes).
fn spawnable(env: &Env, args: &[&str]) -> Command {
    let mut c = Command::new(WM);
    c.current_dir(env.path())
        .env_remove("WM_TASKS_FILE")
        .env_remove("WM_ASSIGNEE")
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .args(args);
    c
}

/// One task block in canonical layout; `n` orders creation times.
fn block(id: &str, title: &str, kind: &str, status: &str, n: u32, extra: &[&str]) -> String {
    let mut s =
        format!("  - id: {id}\n    title: \"{title}\"\n    type: {kind}\n    status: {status}\n");
    for e in extra {
        s.push_str(&format!("    {e}\n"));
    }
    s.push_str(&format!(
        "    created_at: 2026-01-01T00:{:02}:{:02}Z\n    updated_at: 2026-01-01T00:{:02}:{:02}Z\n",
        n / 60,
        n % 60,
        n / 60,
        n % 60
    ));
    s
}

fn store(blocks: &[String]) -> String {
    format!("version: 1\ntasks:\n\n{}", blocks.join("\n"))
}

/// 1-based line of the `nth` (0-based) line of `text` equal to `line`.
fn line_of(text: &str, line: &str, nth: usize) -> u64 {
    text.lines()
        .enumerate()
        .filter(|(_, l)| *l == line)
        .nth(nth)
        .map(|(k, _)| k as u64 + 1)
        .unwrap_or_else(|| panic!("no line {line:?} (#{nth}) in:\n{text}"))
}

/// A parsed `::level file=F,line=L[,col=C],title=T::message` annotation.
#[derive(Debug)]
struct Annotation {
    level: String,
    file: String,
    line: u64,
    col: Option<u64>,
    code: String,
    message: String,
}

fn annotations(stdout: &str) -> Vec<Annotation> {
    stdout
        .lines()
        .map(|l| {
            let rest = l
                .strip_prefix("::")
                .unwrap_or_else(|| panic!("not an annotation: {l}"));
            let (head, message) = rest.split_once("::").unwrap();
            let (level, props) = head.split_once(' ').unwrap();
            let props: BTreeMap<&str, &str> =
                props.split(',').filter_map(|p| p.split_once('=')).collect();
            Annotation {
                level: level.into(),
                file: props["file"].into(),
                line: props["line"].parse().unwrap(),
                col: props.get("col").map(|c| c.parse().unwrap()),
                code: props["title"]
                    .strip_prefix("wm tasks check%3A ")
                    .unwrap()
                    .into(),
                message: message.into(),
            }
        })
        .collect()
}

/// Run `check --format github` on `text`; require `code` to be reported at
/// `line` with `level`, and the exit status.
fn expect_finding(text: &str, code: &str, level: &str, line: u64, exit: i32) -> Annotation {
    let env = Env::new();
    env.write(text);
    let run = env
        .run(&["tasks", "check", "--format", "github"])
        .code(exit);
    let found = annotations(&run.stdout());
    let a = found
        .into_iter()
        .find(|a| a.code == code)
        .unwrap_or_else(|| panic!("no {code} annotation in:\n{}", run.stdout()));
    assert_eq!(a.level, level, "{a:?}");
    assert_eq!(a.file, "tasks.yaml", "{a:?}");
    assert_eq!(a.line, line, "{code} at the wrong line: {a:?}\n{text}");
    a
}

#[test]
fn check_clean_store_exits_0() {
    let env = Env::new();
    env.seed_plan(42);
    let out = env.ok(&["tasks", "check"]);
    assert_eq!(out, "tasks.yaml: ok (8 tasks)\n");
    assert_eq!(env.ok(&["tasks", "check", "--format", "github"]), "");
    let doc = env.json(&["tasks", "check", "--json"]);
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["problems"].as_array().unwrap().len(), 0);
}

#[test]
fn check_duplicate_id_points_at_the_second_task() {
    let text = store(&[
        block("a", "one", "task", "pending", 0, &[]),
        block("b", "two", "task", "pending", 1, &[]),
        block("a", "three", "task", "pending", 2, &[]),
    ]);
    expect_finding(
        &text,
        "duplicate-id",
        "error",
        line_of(&text, "  - id: a", 1),
        5,
    );
}

#[test]
fn check_dangling_references() {
    let text = store(&[
        block("a", "one", "task", "pending", 0, &[]),
        block(
            "b",
            "two",
            "task",
            "pending",
            1,
            &["depends_on:", "  - nope"],
        ),
        block("c", "three", "task", "pending", 2, &["parent: gone"]),
    ]);
    let a = expect_finding(
        &text,
        "dangling-dependency",
        "error",
        line_of(&text, "  - id: b", 0),
        5,
    );
    assert!(a.message.contains("`nope`"), "{a:?}");
    expect_finding(
        &text,
        "dangling-parent",
        "error",
        line_of(&text, "  - id: c", 0),
        5,
    );
}

#[test]
fn check_cycle_reports_its_path() {
    let text = store(&[
        block("x", "free", "task", "pending", 0, &[]),
        block("a", "one", "task", "pending", 1, &["depends_on:", "  - b"]),
        block("b", "two", "task", "pending", 2, &["depends_on:", "  - a"]),
    ]);
    let a = expect_finding(&text, "cycle", "error", line_of(&text, "  - id: a", 0), 5);
    assert!(a.message.contains("a -> b -> a"), "{a:?}");
}

#[test]
fn check_phase_order_edge() {
    let text = store(&[
        block(
            "docs",
            "GH#1: Update documentation",
            "impl",
            "pending",
            0,
            &["phase: docs", "issue: 1"],
        ),
        block(
            "ana",
            "GH#1: Analyze",
            "impl",
            "pending",
            1,
            &["phase: analysis", "issue: 1", "depends_on:", "  - docs"],
        ),
    ]);
    let a = expect_finding(
        &text,
        "phase-order",
        "error",
        line_of(&text, "  - id: ana", 0),
        5,
    );
    assert!(a.message.contains("docs comes after analysis"), "{a:?}");
}

#[test]
fn check_unknown_phase() {
    let text = store(&[
        block("a", "one", "task", "pending", 0, &[]),
        block("b", "two", "task", "pending", 1, &["phase: nope"]),
    ]);
    expect_finding(
        &text,
        "unknown-phase",
        "error",
        line_of(&text, "  - id: b", 0),
        5,
    );
}

#[test]
fn check_warnings_exit_0_and_strict_makes_them_errors() {
    let text = store(&[
        block("e", "GH#1: Epic", "epic", "completed", 0, &["issue: 1"]),
        block("a", "GH#1: first", "task", "pending", 1, &["issue: 1"]),
        block(
            "b",
            "GH#1: second",
            "task",
            "completed",
            2,
            &["issue: 1", "depends_on:", "  - a"],
        ),
        block("m", "GH#2: mismatch", "task", "pending", 3, &["issue: 1"]),
    ]);
    let (e, b, m) = (
        line_of(&text, "  - id: e", 0),
        line_of(&text, "  - id: b", 0),
        line_of(&text, "  - id: m", 0),
    );
    expect_finding(&text, "epic-open-children", "warning", e, 0);
    expect_finding(&text, "completed-before-dependencies", "warning", b, 0);
    let a = expect_finding(&text, "issue-mismatch", "warning", m, 0);
    assert!(a.message.contains("GH#2"), "{a:?}");

    let env = Env::new();
    env.write(&text);
    let run = env
        .run(&["tasks", "check", "--strict", "--format", "github"])
        .code(5);
    let found = annotations(&run.stdout());
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().all(|a| a.level == "error"), "{found:?}");
    let text_out = env.run(&["tasks", "check"]).code(0).stdout();
    assert!(text_out.contains(&format!("tasks.yaml:{m}: warning[issue-mismatch]")));
    assert!(text_out.ends_with("tasks.yaml: 0 errors, 3 warnings (4 tasks)\n"));
}

#[test]
fn check_reports_unknown_fields_and_wrong_types_with_line_and_column() {
    let mut text = store(&[
        block("a", "one", "task", "pending", 0, &[]),
        block("b", "two", "task", "pending", 1, &["titel: oops"]),
    ]);
    let a = expect_finding(
        &text,
        "unknown-field",
        "error",
        line_of(&text, "    titel: oops", 0),
        5,
    );
    assert_eq!(a.col, Some(5));
    assert!(a.message.contains("did you mean `title`"), "{a:?}");

    text = store(&[
        block("a", "one", "task", "pending", 0, &[]),
        block("b", "two", "task", "pending", 1, &["issue: many"]),
    ]);
    let a = expect_finding(
        &text,
        "invalid-value",
        "error",
        line_of(&text, "    issue: many", 0),
        5,
    );
    assert!(a.col.is_some(), "{a:?}");

    // The text format names the file, line and column.
    let env = Env::new();
    env.write(&text);
    let line = line_of(&text, "    issue: many", 0);
    env.run(&["tasks", "check"])
        .code(5)
        .stdout_has(&format!("tasks.yaml:{line}:"))
        .stdout_has("error[invalid-value]");
}

#[test]
fn check_annotation_paths_are_relative_to_the_repository_root() {
    let env = Env::new();
    let dir = env.path().join("infra");
    std::fs::create_dir(&dir).unwrap();
    let text = store(&[block("b", "two", "task", "pending", 1, &["phase: nope"])]);
    std::fs::write(dir.join("tasks.yaml"), &text).unwrap();
    let sub = dir.join("deep");
    std::fs::create_dir(&sub).unwrap();
    let out = env
        .cmd(&["tasks", "check", "--format", "github"])
        .current_dir(&sub)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let found = annotations(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(found[0].file, "infra/tasks.yaml");
    assert_eq!(found[0].line, 4);
}

#[test]
fn check_json_contract() {
    let text = store(&[
        block(
            "a",
            "one",
            "task",
            "pending",
            0,
            &["depends_on:", "  - nope"],
        ),
        block("m", "GH#2: x", "task", "pending", 1, &["issue: 1"]),
    ]);
    let env = Env::new();
    env.write(&text);
    let run = env.run(&["tasks", "check", "--json"]).code(5);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["file"], "tasks.yaml");
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["strict"], false);
    assert_eq!(doc["errors"], 1);
    assert_eq!(doc["warnings"], 1);
    assert_eq!(doc["tasks"], 2);
    let p = &doc["problems"][0];
    assert_eq!(p["severity"], "error");
    assert_eq!(p["code"], "dangling-dependency");
    assert_eq!(p["tasks"], serde_json::json!(["a", "nope"]));
    assert_eq!(p["line"], line_of(&text, "  - id: a", 0));
    assert!(p["column"].is_null());
    assert!(p["hint"].as_str().unwrap().contains("dep rm a --on nope"));
    assert!(p["message"].as_str().unwrap().contains("nope"));
    assert_eq!(doc["problems"][1]["severity"], "warning");
}

// ---------------------------------------------------------------- next

#[test]
fn next_picks_earliest_phase_then_critical_path_then_oldest() {
    let env = Env::new();
    let s = env.seed_plan(42);
    assert_eq!(env.ok(&["tasks", "next"]).trim(), s.analysis);
    // Two free tasks in no phase: the newer one has two tasks waiting on it.
    let old = env.create("Old chore", &["--phase=docs"]);
    let long = env.create("Long chore", &["--phase=docs"]);
    let dep = format!("--depends-on={long}");
    let mid = env.create("Waits on long", &["--phase=docs", &dep]);
    let dep2 = format!("--depends-on={mid}");
    env.create("Waits on mid", &["--phase=docs", &dep2]);
    env.ok(&["tasks", "start", &s.analysis]);
    // analysis is in progress: the docs-phase tasks outside issue 42 are
    // next; the critical path beats age.
    assert_eq!(env.ok(&["tasks", "next"]).trim(), long);
    env.ok(&["tasks", "cancel", &long, &mid]);
    let waiting = env.ids(&["tasks", "ready"]);
    assert!(waiting.contains(&old));
    // Filters.
    env.run(&["tasks", "next", "--issue", "42"]).code(4);
    let doc = env.json(&["tasks", "next", "--json"]);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["task"]["id"], old);
    assert_eq!(doc["task"]["state"], "ready");
    assert!(doc["critical_path"].as_u64().unwrap() >= 1);
}

#[test]
fn next_with_no_tasks() {
    let env = Env::new();
    env.ok(&["tasks", "init"]);
    let run = env
        .run(&["tasks", "next"])
        .code(4)
        .stderr_has("no tasks match");
    assert_eq!(run.stdout(), "");
    let run = env.run(&["tasks", "next", "--json"]).code(4);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert!(doc["task"].is_null());
    assert_eq!(doc["reason"], "no_tasks");
}

#[test]
fn next_when_everything_is_done() {
    let env = Env::new();
    let a = env.create("Only task", &[]);
    env.ok(&["tasks", "done", &a]);
    env.run(&["tasks", "next"])
        .code(4)
        .stderr_has("every task is done");
    // An epic left open is named.
    let env = Env::new();
    let s = env.seed_plan(7);
    for id in s.tasks() {
        env.ok(&["tasks", "done", id]);
    }
    env.run(&["tasks", "next"])
        .code(4)
        .stderr_has("every task is done")
        .stderr_has(&format!("wm tasks done {}", s.epic));
    let run = env.run(&["tasks", "next", "--json"]).code(4);
    assert!(run.stdout().contains("\"all_done\""));
}

#[test]
fn next_when_work_is_in_progress() {
    let env = Env::new();
    let s = env.seed_plan(42);
    env.ok(&["tasks", "start", &s.analysis]);
    env.run(&["tasks", "next"])
        .code(4)
        .stderr_has("1 task is in progress")
        .stderr_has(&s.analysis)
        .stderr_has("6 blocked tasks");
    let run = env.run(&["tasks", "next", "--json"]).code(4);
    assert!(run.stdout().contains("\"in_progress\""));
}

#[test]
fn next_when_blocked_by_work_outside_the_selection() {
    let env = Env::new();
    let a = env.create("GH#1: Analyze the network", &[]);
    let dep = format!("--depends-on={a}");
    env.create("GH#2: Analyze the firewall", &[&dep]);
    env.run(&["tasks", "next", "--issue", "2"])
        .code(4)
        .stderr_has("blocked by work outside this selection")
        .stderr_has(&format!("waits for {a} (pending)"));
    let run = env
        .run(&["tasks", "next", "--issue", "2", "--json"])
        .code(4);
    assert!(run.stdout().contains("\"blocked\""));
    // Without the filter, the blocking task itself is next.
    assert_eq!(env.ok(&["tasks", "next"]).trim(), a);
}

// ---------------------------------------------------------------- claim

/// A store of `n` independent ready tasks, written directly.
fn ready_store(n: u32) -> String {
    let blocks: Vec<String> = (0..n)
        .map(|k| {
            block(
                &format!("t{k:03}"),
                &format!("task {k}"),
                "task",
                "pending",
                k,
                &[],
            )
        })
        .collect();
    store(&blocks)
}

#[test]
fn eight_concurrent_claimers_never_get_the_same_task() {
    let env = Env::new();
    env.write(&ready_store(40));
    let dir = env.path().to_path_buf();
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut got = Vec::new();
                loop {
                    let out = Command::new(WM)
                        .current_dir(&dir)
                        .env_remove("WM_TASKS_FILE")
                        .args(["tasks", "claim", "--lock-timeout", "120"])
                        .args(["--assignee", &format!("w{w}")])
                        .output()
                        .unwrap();
                    match out.status.code() {
                        Some(0) => {
                            got.push(String::from_utf8(out.stdout).unwrap().trim().to_string())
                        }
                        Some(4) => return got,
                        other => panic!(
                            "claim exited {other:?}: {}",
                            String::from_utf8_lossy(&out.stderr)
                        ),
                    }
                }
            })
        })
        .collect();
    let mut all: Vec<(usize, String)> = Vec::new();
    for (w, h) in workers.into_iter().enumerate() {
        for id in h.join().unwrap() {
            all.push((w, id));
        }
    }
    let unique: BTreeSet<&String> = all.iter().map(|(_, id)| id).collect();
    assert_eq!(all.len(), 40, "claims: {all:?}");
    assert_eq!(unique.len(), 40, "a task was claimed twice: {all:?}");
    // The store agrees: every task in progress, assigned to its claimer.
    let doc = env.json(&["tasks", "list", "--json"]);
    let tasks = doc["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 40);
    for (w, id) in &all {
        let t = tasks.iter().find(|t| t["id"] == id.as_str()).unwrap();
        assert_eq!(t["status"], "in_progress");
        assert_eq!(t["assignee"], format!("w{w}"));
    }
    env.run(&["tasks", "claim", "--assignee", "w9"])
        .code(4)
        .stderr_has("40 tasks are in progress");
}

#[test]
fn claim_assignee_defaults() {
    let env = Env::new();
    env.write(&ready_store(4));
    let home = tempfile::tempdir().unwrap();
    let claim = |envs: &[(&str, &str)]| -> String {
        let mut c = env.cmd(&["tasks", "claim", "--json"]);
        c.env("HOME", home.path())
            .env_remove("XDG_CONFIG_HOME")
            .env("USER", "os-user");
        for (k, v) in envs {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["schema_version"], 1);
        assert_eq!(doc["task"]["status"], "in_progress");
        doc["task"]["assignee"].as_str().unwrap().to_string()
    };
    assert_eq!(claim(&[]), "os-user");
    std::fs::write(
        home.path().join(".gitconfig"),
        "[user]\n\tname = Global Git\n",
    )
    .unwrap();
    assert_eq!(claim(&[]), "Global Git");
    std::fs::remove_dir_all(env.path().join(".git")).unwrap();
    let repo = git2::Repository::init(env.path()).unwrap();
    repo.config()
        .unwrap()
        .open_level(git2::ConfigLevel::Local)
        .unwrap()
        .set_str("user.name", "Repo Git")
        .unwrap();
    assert_eq!(claim(&[]), "Repo Git");
    assert_eq!(claim(&[("WM_ASSIGNEE", "agent-7")]), "agent-7");
    env.run(&["tasks", "claim", "--json"])
        .code(4)
        .stdout_has("\"task\": null");
}

// ---------------------------------------------------------------- done --commit

/// Make the test directory a real repository with two commits: B, tagged
/// `v1`, then A on top (HEAD). Returns (A, B) as full shas.
fn real_git(env: &Env) -> (String, String) {
    std::fs::remove_dir_all(env.path().join(".git")).unwrap();
    let repo = git2::Repository::init(env.path()).unwrap();
    let sig = git2::Signature::now("Test", "test@example.com").unwrap();
    let tree_id = repo.index().unwrap().write_tree().unwrap();
    let tree = repo.find_tree(tree_id).unwrap();
    let b = repo
        .commit(Some("HEAD"), &sig, &sig, "B", &tree, &[])
        .unwrap();
    let b_commit = repo.find_commit(b).unwrap();
    repo.tag_lightweight("v1", b_commit.as_object(), false)
        .unwrap();
    let a = repo
        .commit(Some("HEAD"), &sig, &sig, "A", &tree, &[&b_commit])
        .unwrap();
    (a.to_string(), b.to_string())
}

#[test]
fn done_commit_completes_and_links_in_one_step() {
    let env = Env::new();
    let (sha_a, sha_b) = real_git(&env);
    let (sha_a, sha_b) = (sha_a.as_str(), sha_b.as_str());
    let s = env.seed_plan(42);
    let out = env.ok(&["tasks", "done", &s.analysis, "--commit"]);
    assert_eq!(out, format!("{} completed {sha_a}\n", s.analysis));
    let doc = env.json(&["tasks", "show", &s.analysis, "--json"]);
    assert_eq!(doc["task"]["status"], "completed");
    assert_eq!(doc["task"]["commits"], serde_json::json!([sha_a]));
    env.ok(&["tasks", "done", &s.backup, "--commit", "v1"]);
    let doc = env.json(&["tasks", "show", &s.backup, "--json"]);
    assert_eq!(doc["task"]["commits"], serde_json::json!([sha_b]));
    // Short shas and revision expressions resolve too.
    env.ok(&["tasks", "done", &s.docs, "--commit", &sha_b[..8], "--force"]);
    env.ok(&["tasks", "done", &s.docs, "--commit", "HEAD~1"]);
    let doc = env.json(&["tasks", "show", &s.docs, "--json"]);
    assert_eq!(doc["task"]["commits"], serde_json::json!([sha_b]));

    // Refused by the rules: nothing is linked either.
    let before = env.read();
    env.run(&["tasks", "done", &s.config, "--commit"]).code(3);
    assert_eq!(env.read(), before);
    // An unresolvable revision is a clear error.
    env.run(&["tasks", "done", &s.staging, "--commit", "HEAD~3"])
        .code(2)
        .stderr_has("names no commit");
}

#[test]
fn done_commit_outside_a_repository_is_a_clear_error() {
    let env = Env::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("tasks.yaml");
    let f = file.to_str().unwrap();
    let id = env.create("A task", &["--file", f]);
    let out = env
        .cmd(&["tasks", "done", &id, "--commit", "--file", f])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a Git repository"));
    assert!(
        env.ok(&["tasks", "show", &id, "--file", f])
            .contains("pending")
    );
}

// ---------------------------------------------------------------- JSON contract

#[test]
fn every_read_command_follows_the_json_contract() {
    let env = Env::new();
    let s = env.seed_plan(42);
    for args in [
        &["tasks", "list", "--json"][..],
        &["tasks", "ready", "--json"],
        &["tasks", "blocked", "--json"],
    ] {
        let doc = env.json(args);
        assert_eq!(doc["schema_version"], 1, "{args:?}");
        let tasks = doc["tasks"].as_array().unwrap();
        assert!(!tasks.is_empty(), "{args:?}");
        tasks.iter().for_each(crate::common::assert_task_fields);
    }
    let ready = env.json(&["tasks", "ready", "--json"]);
    assert_eq!(ready["tasks"][0]["id"], s.analysis.as_str());
    assert_eq!(ready["tasks"][0]["ready"], true);
    let blocked = env.json(&["tasks", "blocked", "--json"]);
    assert_eq!(
        blocked["tasks"][0]["blocked_by"],
        serde_json::json!([s.analysis])
    );

    let show = env.json(&["tasks", "show", &s.backup, "--json"]);
    assert_eq!(show["schema_version"], 1);
    crate::common::assert_task_fields(&show["task"]);
    assert_eq!(show["task"]["dependencies"][0]["kind"], "phase");
    assert_eq!(show["task"]["epic"], s.epic.as_str());

    let next = env.json(&["tasks", "next", "--json"]);
    assert_eq!(next["schema_version"], 1);
    crate::common::assert_task_fields(&next["task"]);
    assert_eq!(next["task"]["id"], s.analysis.as_str());
    // analysis -> backup -> impl -> config -> staging -> rollback/docs.
    assert_eq!(next["critical_path"], 6);

    let claim = env.json(&["tasks", "claim", "--assignee", "ci", "--json"]);
    assert_eq!(claim["schema_version"], 1);
    crate::common::assert_task_fields(&claim["task"]);
    assert_eq!(claim["task"]["id"], s.analysis.as_str());
    assert_eq!(claim["task"]["assignee"], "ci");
    assert_eq!(claim["task"]["state"], "in_progress");

    let check = env.json(&["tasks", "check", "--json"]);
    assert_eq!(check["schema_version"], 1);
    for k in [
        "file", "ok", "strict", "errors", "warnings", "tasks", "problems",
    ] {
        assert!(check.get(k).is_some(), "check JSON lacks `{k}`");
    }
}

// ---------------------------------------------------------------- schema

fn schema(env: &Env) -> jsonschema::Validator {
    let doc = env.json(&["tasks", "schema"]);
    assert_eq!(
        doc["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::validator_for(&doc).expect("a valid JSON Schema")
}

fn yaml_value(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).expect("YAML")
}

#[test]
fn the_example_store_validates_against_the_schema() {
    let env = Env::new();
    let v = schema(&env);
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tasks.yaml.example"),
    )
    .unwrap();
    let value = yaml_value(&example);
    let errors: Vec<String> = v.iter_errors(&value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");

    // A store written by wm validates too, and the schema rejects what
    // the parser rejects.
    env.seed_plan(3);
    assert!(v.is_valid(&yaml_value(&env.read())));
    let typo = example.replacen("    title:", "    titel:", 1);
    assert!(!v.is_valid(&yaml_value(&typo)));
    let bad_status = example.replacen("status: pending", "status: blocked", 1);
    assert!(!v.is_valid(&yaml_value(&bad_status)));
    let alias = example.replacen("status: pending", "status: todo", 1);
    assert!(v.is_valid(&yaml_value(&alias)));
}

// ---------------------------------------------------------------- completions, man

#[test]
fn completions_and_man_page_are_produced() {
    let env = Env::new();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef wm"),
        ("fish", "complete -c wm"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        // The self-contained script (the default until issue 15, which
        // made the default ask `wm` for values: see tests/docs.rs).
        let out = env.ok(&["completions", shell, "--static"]);
        assert!(out.contains(marker), "{shell}: no {marker:?}");
        assert!(
            out.contains("claim"),
            "{shell} completions lack subcommands"
        );
    }
    env.run(&["completions", "tcsh"]).code(2);
    let man = env.ok(&["man"]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH wm"),
        "{}",
        &man[..200]
    );
    assert!(man.contains(".TH wm 1"));
    assert!(man.contains("tasks"));
}

// ---------------------------------------------------------------- pipes and colour

#[test]
fn a_closed_stdout_exits_quietly() {
    let env = Env::new();
    env.write(&ready_store(3000));
    let mut child = spawnable(&env, &["tasks", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout); // like `| head -1`
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "exit {status:?}, stderr {stderr}");
    assert_eq!(stderr, "", "a broken pipe must not print");
}

/// Run `wm` with stdout on a pseudo-terminal; return what it printed.
fn on_terminal(env: &Env, args: &[&str], envs: &[(&str, &str)]) -> String {
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two new descriptors into the given ints.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty failed");
    // SAFETY: both descriptors were just opened and are owned here only.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = spawnable(env, args);
    cmd.stdout(Stdio::from(slave));
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    drop(cmd); // close our copy of the terminal's slave side
    let mut out = Vec::new();
    let mut master = std::fs::File::from(master);
    let mut buf = [0u8; 4096];
    loop {
        match master.read(&mut buf) {
            Ok(0) | Err(_) => break, // EIO once the child closed the terminal
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    assert!(child.wait().unwrap().success());
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let env = Env::new();
    env.seed_plan(42);
    let list = ["tasks", "list"];
    assert!(
        on_terminal(&env, &list, &[]).contains("\x1b["),
        "a terminal is coloured"
    );
    assert!(!on_terminal(&env, &list, &[("NO_COLOR", "1")]).contains("\x1b["));
    assert!(!on_terminal(&env, &["tasks", "list", "--color", "never"], &[]).contains("\x1b["));
    assert!(!env.ok(&list).contains('\x1b'), "a pipe is never coloured");
    assert!(
        env.ok(&["tasks", "list", "--color", "always"])
            .contains("\x1b[")
    );
}

#[test]
fn quiet_silences_notes() {
    let env = Env::new();
    let run = env
        .run(&["tasks", "create", "--title", "Analyze things"])
        .code(0);
    assert!(run.stderr().contains("inferred"), "{}", run.stderr());
    let run = env
        .run(&["tasks", "create", "--title", "Analyze more", "--quiet"])
        .code(0);
    assert_eq!(run.stderr(), "");
    let run = env
        .run(&["tasks", "claim", "--assignee", "me", "-q"])
        .code(0);
    assert_eq!(run.stderr(), "");
    assert_eq!(run.stdout().trim().len(), 8);
}

// ---------------------------------------------------------------- examples

#[test]
fn three_copies_of_the_agent_loop_finish_the_plan() {
    let env = Env::new();
    let (sha_a, _) = real_git(&env);
    // Nine independent tasks and a chain of three: copies that find only
    // the chain left wait for the one working on it.
    let mut blocks: Vec<String> = (0..9)
        .map(|k| {
            block(
                &format!("t{k}"),
                &format!("task {k}"),
                "task",
                "pending",
                k,
                &[],
            )
        })
        .collect();
    blocks.push(block("c1", "chain 1", "task", "pending", 20, &[]));
    blocks.push(block(
        "c2",
        "chain 2",
        "task",
        "pending",
        21,
        &["depends_on:", "  - c1"],
    ));
    blocks.push(block(
        "c3",
        "chain 3",
        "task",
        "pending",
        22,
        &["depends_on:", "  - c2"],
    ));
    env.write(&store(&blocks));
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/agent-loop.sh");
    let log = env.path().join("work.log");
    let copies: Vec<_> = (0..3)
        .map(|k| {
            Command::new("bash")
                .arg(&script)
                .args(["sh", "-c", "echo \"$0 $1\" >> \"$WORK_LOG\""])
                .arg(format!("agent-{k}"))
                .current_dir(env.path())
                .env("WM", WM)
                .env("WM_ASSIGNEE", format!("agent-{k}"))
                .env("WM_POLL", "0.05")
                .env("WORK_LOG", &log)
                .env_remove("WM_TASKS_FILE")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in copies {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let doc = env.json(&["tasks", "list", "--json"]);
    for t in doc["tasks"].as_array().unwrap() {
        assert_eq!(t["status"], "completed", "{t}");
        assert_eq!(t["commits"], serde_json::json!([sha_a]), "{t}");
    }
    // Each task was worked on exactly once.
    let worked = std::fs::read_to_string(&log).unwrap();
    let ids: Vec<&str> = worked.lines().filter_map(|l| l.split(' ').nth(1)).collect();
    assert_eq!(ids.len(), 12, "{worked}");
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 12, "{worked}");
}

#[test]
fn the_github_actions_example_runs_both_checks_on_pull_requests() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/github-actions.yml");
    let wf: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(wf["on"].get("pull_request").is_some(), "{wf}");
    // The checks run through the wm action (action.yml), whose `args` go
    // to `wm tasks check`.
    let runs: Vec<String> = wf["jobs"]["tasks"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.ends_with("/wm@main")))
        .filter_map(|s| s["with"]["args"].as_str())
        .map(|args| format!("wm tasks check {args}"))
        .collect();
    assert!(
        runs.contains(&"wm tasks check --format github".to_string()),
        "{runs:?}"
    );
    assert!(
        runs.iter()
            .any(|r| r.starts_with("wm tasks check --commits ")),
        "{runs:?}"
    );
}

#[test]
fn the_schema_modeline_survives_writes() {
    let env = Env::new();
    env.seed_plan(42);
    let line = "# yaml-language-server: $schema=tasks.schema.json";
    env.write(&format!("{line}\n{}", env.read()));
    env.create("GH#42: Update the runbook", &["--issue=42"]);
    let text = env.read();
    assert_eq!(text.lines().next(), Some(line));
    assert_eq!(text.matches("yaml-language-server").count(), 1);
    assert!(text.contains("Update the runbook"));
}
