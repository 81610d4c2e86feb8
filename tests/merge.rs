//! The canonical layout makes plain `git merge` work in the common case.

mod common;
use common::Env;
use std::process::Command;

fn git(env: &Env, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(env.path())
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn branches_adding_tasks_to_different_issues_merge_without_conflict() {
    let env = Env::new();
    std::fs::remove_dir(env.path().join(".git")).unwrap();
    git(&env, &["init", "-q", "-b", "main"]);
    env.seed_plan(41);
    env.seed_plan(42);
    env.seed_plan(43);
    git(&env, &["add", "tasks.yaml"]);
    git(&env, &["commit", "-q", "-m", "plan"]);

    git(&env, &["checkout", "-q", "-b", "left"]);
    let left = env.create("GH#41: Audit firewall rules", &[]);
    let left2 = env.create("GH#41: Review runbook wording", &["--type=review"]);
    git(&env, &["commit", "-q", "-am", "left"]);

    git(&env, &["checkout", "-q", "main"]);
    let right = env.create("GH#43: Snapshot the databases", &[]);
    let s42 = env.ids(&["tasks", "list", "--issue=42", "--phase=analysis"]);
    env.ok(&["tasks", "start", &s42[0]]);
    git(&env, &["commit", "-q", "-am", "right"]);

    git(&env, &["merge", "-q", "--no-edit", "left"]);
    let ids = env.ids(&["tasks", "list"]);
    assert_eq!(ids.len(), 3 * 8 + 3);
    for id in [&left, &left2, &right] {
        assert!(ids.contains(id), "{id} survived the merge");
    }
    env.ok(&["tasks", "ready"]);
}

/// A repository whose tasks.yaml merges through `wm tasks merge-driver`.
fn repo_with_driver() -> Env {
    let env = Env::new();
    std::fs::remove_dir(env.path().join(".git")).unwrap();
    git(&env, &["init", "-q", "-b", "main"]);
    env.ok(&["tasks", "init"]);
    env.ok(&["tasks", "merge-driver", "install"]);
    // Point the driver at the binary under test rather than a `wm` on PATH.
    let bin = assert_cmd::cargo::cargo_bin!("wm");
    git(
        &env,
        &[
            "config",
            "merge.wm-tasks.driver",
            &format!("'{}' tasks merge-driver %O %A %B", bin.display()),
        ],
    );
    let attrs = std::fs::read_to_string(env.path().join(".gitattributes")).unwrap();
    assert_eq!(attrs, "tasks.yaml merge=wm-tasks\n");
    git(&env, &["add", "."]);
    git(&env, &["commit", "-q", "-m", "init"]);
    env
}

/// Run `git merge`, returning (success, stderr).
fn try_merge(env: &Env, branch: &str) -> (bool, String) {
    let out = Command::new("git")
        .current_dir(env.path())
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@e",
            "merge",
            "--no-edit",
            branch,
        ])
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn field(env: &Env, id: &str, name: &str) -> serde_json::Value {
    env.json(&["tasks", "show", id, "--json"])["task"][name].clone()
}

#[test]
fn driver_install_is_idempotent() {
    let env = repo_with_driver();
    env.ok(&["tasks", "merge-driver", "install"]);
    let attrs = std::fs::read_to_string(env.path().join(".gitattributes")).unwrap();
    assert_eq!(attrs.lines().count(), 1);
    let config = std::fs::read_to_string(env.path().join(".git/config")).unwrap();
    assert_eq!(config.matches("[merge \"wm-tasks\"]").count(), 1);
}

#[test]
fn driver_keeps_tasks_added_to_the_same_issue_on_both_branches() {
    let env = repo_with_driver();
    env.seed_plan(42);
    git(&env, &["commit", "-q", "-am", "plan"]);
    git(&env, &["checkout", "-q", "-b", "left"]);
    let left = env.create("GH#42: Audit firewall rules", &[]);
    git(&env, &["commit", "-q", "-am", "left"]);
    git(&env, &["checkout", "-q", "main"]);
    let right = env.create("GH#42: Review TLS settings", &["--type=review"]);
    git(&env, &["commit", "-q", "-am", "right"]);
    let (ok, out) = try_merge(&env, "left");
    assert!(ok, "{out}");
    let ids = env.ids(&["tasks", "list", "--issue=42"]);
    assert!(ids.contains(&left) && ids.contains(&right), "{ids:?}");
    assert_eq!(ids.len(), 10);
}

#[test]
fn driver_merges_concurrent_edits_field_by_field() {
    let env = repo_with_driver();
    let s = env.seed_plan(42);
    git(&env, &["commit", "-q", "-am", "plan"]);
    git(&env, &["checkout", "-q", "-b", "left"]);
    env.ok(&["tasks", "update", &s.docs, "--assignee", "alice"]);
    env.ok(&[
        "tasks",
        "update",
        &s.config,
        "--title",
        "GH#42: Update configuration (left)",
    ]);
    env.ok(&["tasks", "start", &s.analysis]);
    git(&env, &["commit", "-q", "-am", "left"]);
    git(&env, &["checkout", "-q", "main"]);
    env.ok(&["tasks", "update", &s.docs, "--add-label", "docs"]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    env.ok(&[
        "tasks",
        "update",
        &s.config,
        "--title",
        "GH#42: Update configuration (main, later)",
    ]);
    env.ok(&["tasks", "cancel", &s.rollback]);
    git(&env, &["commit", "-q", "-am", "main"]);
    let (ok, out) = try_merge(&env, "left");
    assert!(ok, "{out}");
    // Different fields of one task: both kept.
    assert_eq!(field(&env, &s.docs, "assignee"), "alice");
    assert_eq!(field(&env, &s.docs, "labels")[0], "docs");
    // Status changes of different tasks: both kept.
    assert_eq!(field(&env, &s.analysis, "status"), "in_progress");
    assert_eq!(field(&env, &s.rollback, "status"), "cancelled");
    // The same field on both sides: the later update wins, and it is said.
    assert_eq!(
        field(&env, &s.config, "title"),
        "GH#42: Update configuration (main, later)"
    );
    assert!(out.contains("changed on both sides"), "{out}");
}

#[test]
fn driver_keeps_a_task_deleted_on_one_side_and_edited_on_the_other() {
    let env = repo_with_driver();
    let a = env.create("Alpha", &[]);
    git(&env, &["commit", "-q", "-am", "a"]);
    git(&env, &["checkout", "-q", "-b", "left"]);
    env.ok(&["tasks", "delete", &a]);
    git(&env, &["commit", "-q", "-am", "delete"]);
    git(&env, &["checkout", "-q", "main"]);
    env.ok(&["tasks", "update", &a, "--title", "Alpha, edited"]);
    git(&env, &["commit", "-q", "-am", "edit"]);
    let (ok, out) = try_merge(&env, "left");
    assert!(ok, "{out}");
    assert_eq!(field(&env, &a, "title"), "Alpha, edited");
    assert!(out.contains("deleted on one side"), "{out}");
}

#[test]
fn driver_reports_a_merge_that_would_close_a_cycle() {
    let env = repo_with_driver();
    let a = env.create("Alpha", &[]);
    let b = env.create("Beta", &[]);
    git(&env, &["commit", "-q", "-am", "ab"]);
    git(&env, &["checkout", "-q", "-b", "left"]);
    env.ok(&["tasks", "dep", "add", &a, "--on", &b]);
    git(&env, &["commit", "-q", "-am", "a on b"]);
    git(&env, &["checkout", "-q", "main"]);
    env.ok(&["tasks", "dep", "add", &b, "--on", &a]);
    git(&env, &["commit", "-q", "-am", "b on a"]);
    let (ok, out) = try_merge(&env, "left");
    assert!(!ok, "the merge must stop: {out}");
    assert!(out.contains("cycle"), "{out}");
    // The file holds the merged content, which `check`-style commands explain.
    env.run(&["tasks", "ready"]).code(5).stderr_has("cycle");
    env.ok(&["tasks", "dep", "rm", &a, "--on", &b]);
    env.ok(&["tasks", "ready"]);
}
