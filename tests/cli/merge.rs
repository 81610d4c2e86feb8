//! The canonical layout makes plain `git merge` work in the common case.

use crate::common::Env;
use std::process::Command;

fn git(env: &Env, args: &[&str]) -> String {
    env.git(args)
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
pub(crate) fn repo_with_driver() -> Env {
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
            &format!(
                "'{}' tasks merge-driver --our-label %X --their-label %Y %O %A %B",
                bin.display()
            ),
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
    env.ok(&["tasks", "update", &s.config, "--priority", "1"]);
    env.ok(&["tasks", "done", &s.analysis]);
    env.ok(&["tasks", "cancel", &s.rollback]);
    git(&env, &["commit", "-q", "-am", "main"]);
    let (ok, out) = try_merge(&env, "left");
    assert!(ok, "{out}");
    // Different fields of one task: both kept.
    assert_eq!(field(&env, &s.docs, "assignee"), "alice");
    assert_eq!(field(&env, &s.docs, "labels")[0], "docs");
    assert_eq!(
        field(&env, &s.config, "title"),
        "GH#42: Update configuration (left)"
    );
    assert_eq!(field(&env, &s.config, "priority"), 1);
    // Status changes of different tasks: both kept.
    assert_eq!(field(&env, &s.rollback, "status"), "cancelled");
    // The status of one task on both sides: the one further along, said.
    assert_eq!(field(&env, &s.analysis, "status"), "completed");
    assert!(
        out.contains("`status` kept ours (completed is further along than in_progress)"),
        "{out}"
    );
    env.ok(&["tasks", "check"]);
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

/// PATH without any directory holding a `wm`: git finds itself and `sh`,
/// but not the binary under test.
fn path_without_wm() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<_> = std::env::split_paths(&path)
        .filter(|d| !d.join("wm").exists())
        .collect();
    std::env::join_paths(dirs)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// `git` with PATH lacking wm (as an IDE's git or `pnpm wm` users have).
fn git_no_wm(env: &Env, args: &[&str]) -> (bool, String) {
    let out = Command::new("git")
        .current_dir(env.path())
        .env("PATH", path_without_wm())
        .args(["-c", "user.name=T", "-c", "user.email=t@e"])
        .args(args)
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

/// A repository in a directory whose name has a space, with the driver
/// installed by running `bin` (the binary under test, or a copy of it).
fn spaced_repo(bin: &std::path::Path) -> Env {
    let dir = tempfile::Builder::new()
        .prefix("wm merge ")
        .tempdir()
        .unwrap();
    let env = Env { dir };
    git(&env, &["init", "-q", "-b", "main"]);
    env.ok(&["tasks", "init"]);
    let out = Command::new(bin)
        .current_dir(env.path())
        .args(["tasks", "merge-driver", "install"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    git(&env, &["add", "."]);
    git(&env, &["commit", "-q", "-m", "init"]);
    env
}

/// Branches `left` and `main` each adding one task to the same place.
fn diverge(env: &Env) -> (String, String) {
    git(env, &["checkout", "-q", "-b", "left"]);
    let left = env.create("Left task", &[]);
    git(env, &["commit", "-q", "-am", "left"]);
    git(env, &["checkout", "-q", "main"]);
    let right = env.create("Right task", &[]);
    git(env, &["commit", "-q", "-am", "right"]);
    (left, right)
}

#[test]
fn the_installed_driver_runs_when_wm_is_not_on_path() {
    let env = spaced_repo(assert_cmd::cargo::cargo_bin!("wm"));
    env.ok(&["tasks", "check"]);
    let (left, right) = diverge(&env);
    let (ok, out) = git_no_wm(&env, &["merge", "--no-edit", "left"]);
    assert!(ok, "the driver ran by its resolved path: {out}");
    let ids = env.ids(&["tasks", "list"]);
    assert!(ids.contains(&left) && ids.contains(&right), "{ids:?}");
}

/// The binary the driver was registered with is gone and no wm is on
/// PATH: git's line merge leaves markers and a conflict, never our side
/// alone; `check` warns before the merge and fails after it.
#[test]
fn a_driver_that_cannot_run_leaves_conflict_markers_not_our_side() {
    // A copy of wm in a directory with a space, installed from there.
    let bins = tempfile::Builder::new()
        .prefix("wm bin ")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let copy = bins.path().join("wm");
    let real = assert_cmd::cargo::cargo_bin!("wm");
    std::fs::hard_link(real, &copy)
        .or_else(|_| std::fs::copy(real, &copy).map(|_| ()))
        .unwrap();
    let env = spaced_repo(&copy);
    let config = std::fs::read_to_string(env.path().join(".git/config")).unwrap();
    assert!(config.contains("wm bin "), "{config}");
    let (left, right) = diverge(&env);
    drop(bins);
    let check = env
        .cmd(&["tasks", "check"])
        .env("PATH", path_without_wm())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&check.stderr);
    assert!(err.contains("merge driver cannot run"), "{err}");
    let (ok, out) = git_no_wm(&env, &["merge", "--no-edit", "left"]);
    assert!(!ok, "the merge must stop: {out}");
    let text = env.read();
    assert!(text.contains(&left) && text.contains(&right), "{text}");
    assert!(text.contains("<<<<<<<"), "{text}");
    env.run(&["tasks", "check"]).code(5);
}

/// A side that does not parse (a typo in a hand edit): the driver writes
/// both sides with conflict markers and exits 1.
#[test]
fn a_side_that_does_not_parse_leaves_both_sides_with_markers() {
    let env = spaced_repo(assert_cmd::cargo::cargo_bin!("wm"));
    git(&env, &["checkout", "-q", "-b", "left"]);
    let left = env.create("Left task", &[]);
    let typo = env.read().replace("status: pending", "status: pendng");
    env.write(&typo);
    git(&env, &["commit", "-q", "-am", "left, with a typo"]);
    git(&env, &["checkout", "-q", "main"]);
    let right = env.create("Right task", &[]);
    git(&env, &["commit", "-q", "-am", "right"]);
    let (ok, out) = git_no_wm(&env, &["merge", "--no-edit", "left"]);
    assert!(!ok, "the merge must stop: {out}");
    assert!(out.contains("could not merge by meaning"), "{out}");
    let text = env.read();
    assert!(text.contains(&left) && text.contains(&right), "{text}");
    assert!(
        text.contains("<<<<<<<") && text.contains(">>>>>>>"),
        "{text}"
    );
    env.run(&["tasks", "check"])
        .code(5)
        .stdout_has("conflict markers");
}

/// A store in a directory whose name has a space: the attributes line is
/// quoted, and git routes the file to the driver.
#[test]
fn install_quotes_a_store_path_with_a_space() {
    let env = repo_with_driver();
    std::fs::create_dir(env.path().join("my plans")).unwrap();
    let store = env.path().join("my plans/tasks.yaml");
    let file = store.to_string_lossy().into_owned();
    env.ok(&["tasks", "--file", &file, "init"]);
    env.ok(&["tasks", "--file", &file, "merge-driver", "install"]);
    let attrs = std::fs::read_to_string(env.path().join(".gitattributes")).unwrap();
    assert!(
        attrs.contains("\"my plans/tasks.yaml\" merge=wm-tasks"),
        "{attrs}"
    );
    let out = git(&env, &["check-attr", "merge", "--", "my plans/tasks.yaml"]);
    assert_eq!(out.trim(), "my plans/tasks.yaml: merge: wm-tasks");
}

/// A task cherry-picked to main, completed and assigned there, labelled on
/// the branch: the merge (no common version of the task) keeps all three,
/// and gives the same result merged either way.
#[test]
fn a_cherry_picked_task_changed_on_both_sides_keeps_every_change() {
    let env = spaced_repo(assert_cmd::cargo::cargo_bin!("wm"));
    env.create("Base task", &[]);
    git(&env, &["commit", "-q", "-am", "base"]);
    git(&env, &["checkout", "-q", "-b", "left"]);
    let t = env.create("Picked task", &[]);
    git(&env, &["commit", "-q", "-am", "add the task"]);
    let pick = git(&env, &["rev-parse", "HEAD"]).trim().to_string();
    git(&env, &["checkout", "-q", "main"]);
    let (ok, out) = git_no_wm(&env, &["cherry-pick", &pick]);
    assert!(ok, "{out}");
    env.ok(&["tasks", "done", &t]);
    env.ok(&["tasks", "update", &t, "--assignee", "alice"]);
    git(&env, &["commit", "-q", "-am", "done on main"]);
    git(&env, &["checkout", "-q", "left"]);
    env.ok(&["tasks", "update", &t, "--add-label", "net"]);
    git(&env, &["commit", "-q", "-am", "label on the branch"]);
    let mut results = Vec::new();
    for (into, from) in [("main", "left"), ("left", "main")] {
        git(&env, &["checkout", "-q", into]);
        git(&env, &["checkout", "-q", "-B", "trial"]);
        let (ok, out) = git_no_wm(&env, &["merge", "--no-edit", from]);
        assert!(ok, "merge {from} into {into}: {out}");
        assert_eq!(field(&env, &t, "status"), "completed", "into {into}");
        assert_eq!(field(&env, &t, "assignee"), "alice", "into {into}");
        assert_eq!(field(&env, &t, "labels")[0], "net", "into {into}");
        results.push(env.json(&["tasks", "show", &t, "--json"])["task"].clone());
        git(&env, &["checkout", "-q", into]);
        git(&env, &["branch", "-q", "-D", "trial"]);
    }
    assert_eq!(results[0], results[1], "the same either way");
}

/// `text` with each conflict resolved: `keep_ours(ours, theirs)` says
/// which side of it to keep; the marker lines go.
fn resolve(text: &str, keep_ours: impl Fn(&str, &str) -> bool) -> String {
    let mut out = String::new();
    let (mut ours, mut theirs) = (String::new(), String::new());
    let mut side = 0; // 0 outside, 1 ours, 2 theirs
    for line in text.split_inclusive('\n') {
        if line.starts_with("<<<<<<<") {
            side = 1;
        } else if line.starts_with("=======") && side == 1 {
            side = 2;
        } else if line.starts_with(">>>>>>>") && side == 2 {
            out.push_str(if keep_ours(&ours, &theirs) {
                &ours
            } else {
                &theirs
            });
            ours.clear();
            theirs.clear();
            side = 0;
        } else {
            match side {
                1 => ours.push_str(line),
                2 => theirs.push_str(line),
                _ => out.push_str(line),
            }
        }
    }
    out
}

/// The part of `text` between conflict markers: (`<<<<<<<` line, ours,
/// theirs) for each conflict.
fn conflicts(text: &str) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("<<<<<<<") {
        let (head, after) = rest[i..].split_once('\n').unwrap();
        let (ours, after) = after.split_once("=======\n").unwrap();
        let (theirs, after) = after.split_once(">>>>>>>").unwrap();
        found.push((head.to_string(), ours.to_string(), theirs.to_string()));
        rest = after;
    }
    found
}

/// An RFC 3339 time an hour from now: the clock of a clone that runs fast.
fn an_hour_fast() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Set `updated_at` of task `id` in the store to `stamp`.
fn stamp_task(env: &Env, id: &str, stamp: &str) {
    let text = env.read();
    let start = text.find(&format!("  - id: {id}\n")).unwrap();
    let at = start + text[start..].find("    updated_at: ").unwrap();
    let end = at + text[at..].find('\n').unwrap();
    env.write(&format!(
        "{}    updated_at: {stamp}{}",
        &text[..at],
        &text[end..]
    ));
}

/// Both branches retitle one task; ours was edited on a clone whose clock
/// runs an hour fast, theirs is the genuinely later edit. No clock
/// decides: the merge stops with both versions of that task between
/// markers, every other change merged; `check` refuses the markers; keeping
/// one side finishes it.
#[test]
fn a_field_changed_on_both_branches_is_a_conflict_whatever_the_clocks() {
    let env = repo_with_driver();
    let a = env.create("Alpha", &[]);
    let b = env.create("Beta", &[]);
    let c = env.create("Gamma", &[]);
    git(&env, &["commit", "-q", "-am", "abc"]);
    git(&env, &["branch", "left"]);
    // main, on a clone whose clock is an hour fast.
    env.ok(&["tasks", "update", &a, "--title", "Alpha (main)"]);
    stamp_task(&env, &a, &an_hour_fast());
    env.ok(&["tasks", "start", &c]);
    git(&env, &["commit", "-q", "-am", "main"]);
    // left, later.
    git(&env, &["checkout", "-q", "left"]);
    env.ok(&["tasks", "update", &a, "--title", "Alpha (left)"]);
    env.ok(&["tasks", "update", &a, "--add-label", "net"]);
    env.ok(&["tasks", "update", &b, "--assignee", "alice"]);
    git(&env, &["commit", "-q", "-am", "left"]);
    git(&env, &["checkout", "-q", "main"]);

    let (ok, out) = try_merge(&env, "left");
    assert!(!ok, "the merge must stop: {out}");
    assert!(out.contains("CONFLICT"), "{out}");
    assert!(
        out.contains(&format!(
            "task {a} (\"Alpha (main)\"): `title` is \"Alpha (main)\" on our side and \"Alpha (left)\" on theirs"
        )),
        "{out}"
    );
    let text = env.read();
    let found = conflicts(&text);
    assert_eq!(found.len(), 1, "{text}");
    let (head, ours, theirs) = &found[0];
    assert_eq!(head, &format!("<<<<<<< HEAD (task {a}: title differs)"));
    assert!(text.contains("\n>>>>>>> left\n"), "{text}");
    for (side, title) in [(ours, "Alpha (main)"), (theirs, "Alpha (left)")] {
        assert!(side.starts_with(&format!("  - id: {a}\n")), "{side}");
        assert!(side.contains(&format!("title: {title}\n")), "{side}");
        // Each side carries what was decided: left's label.
        assert!(side.contains("labels:\n      - net\n"), "{side}");
        assert!(!side.contains(&b) && !side.contains(&c), "{side}");
    }
    let line = text.lines().position(|l| l.starts_with("<<<<<<<")).unwrap() + 1;
    env.run(&["tasks", "check"])
        .code(5)
        .stdout_has(&format!("tasks.yaml:{line}:"))
        .stdout_has("unresolved merge conflict markers");
    // Nothing else reads the file as a clean store either.
    env.run(&["tasks", "list"]).code(5);

    // Keep their side (the genuinely later edit).
    env.write(&resolve(&text, |_, _| false));
    env.ok(&["tasks", "check"]);
    assert_eq!(field(&env, &a, "title"), "Alpha (left)");
    assert_eq!(field(&env, &a, "labels")[0], "net");
    assert_eq!(field(&env, &b, "assignee"), "alice");
    assert_eq!(field(&env, &c, "status"), "in_progress");
    git(&env, &["commit", "-q", "-am", "merged"]);
}

/// Hand edits of `assignee` on both branches (equal time stamps): markers,
/// not a silent pick, and the same conflict and the same decided fields
/// whichever branch is merged into which.
#[test]
fn equal_time_stamps_are_a_conflict_the_same_either_way() {
    let env = repo_with_driver();
    let a = env.create("Alpha", &["--assignee", "carol"]);
    let b = env.create("Beta", &[]);
    git(&env, &["commit", "-q", "-am", "a"]);
    git(&env, &["checkout", "-q", "-b", "left"]);
    env.write(&env.read().replace("assignee: carol", "assignee: alice"));
    env.ok(&["tasks", "update", &b, "--add-label", "left"]);
    git(&env, &["commit", "-q", "-am", "left"]);
    git(&env, &["checkout", "-q", "main"]);
    env.write(&env.read().replace("assignee: carol", "assignee: bob"));
    env.ok(&["tasks", "start", &b]);
    git(&env, &["commit", "-q", "-am", "main"]);

    let mut results = Vec::new();
    for (into, from) in [("main", "left"), ("left", "main")] {
        git(&env, &["checkout", "-q", into]);
        git(&env, &["checkout", "-q", "-B", "trial"]);
        let (ok, out) = try_merge(&env, from);
        assert!(!ok, "merge {from} into {into} must stop: {out}");
        assert!(out.contains("CONFLICT"), "{out}");
        assert!(
            out.contains(&format!("task {a} (\"Alpha\"): `assignee` is")),
            "{out}"
        );
        let text = env.read();
        let found = conflicts(&text);
        assert_eq!(found.len(), 1, "{text}");
        assert_eq!(
            found[0].0,
            format!("<<<<<<< HEAD (task {a}: assignee differs)")
        );
        // Ours is the branch merged into.
        let (mine, other) = if into == "main" {
            ("bob", "alice")
        } else {
            ("alice", "bob")
        };
        assert!(found[0].1.contains(&format!("assignee: {mine}\n")));
        assert!(found[0].2.contains(&format!("assignee: {other}\n")));
        env.run(&["tasks", "check"])
            .code(5)
            .stdout_has("unresolved merge conflict markers");
        // Keep alice's version both times: the same store either way.
        env.write(&resolve(&text, |ours, _| ours.contains("assignee: alice")));
        env.ok(&["tasks", "check"]);
        assert_eq!(field(&env, &a, "assignee"), "alice");
        assert_eq!(field(&env, &b, "status"), "in_progress");
        assert_eq!(field(&env, &b, "labels")[0], "left");
        results.push(env.json(&["tasks", "list", "--json"]));
        git(&env, &["merge", "--abort"]);
        git(&env, &["checkout", "-q", into]);
        git(&env, &["branch", "-q", "-D", "trial"]);
    }
    assert_eq!(results[0], results[1], "the same either way");
}

#[test]
fn init_sets_up_the_merge_driver_in_a_repository() {
    let env = Env::new();
    std::fs::remove_dir(env.path().join(".git")).unwrap();
    git(&env, &["init", "-q", "-b", "main"]);
    env.run(&["tasks", "init"])
        .code(0)
        .stderr_has("created")
        .stderr_has(".gitattributes");
    let attrs = std::fs::read_to_string(env.path().join(".gitattributes")).unwrap();
    assert_eq!(attrs, "tasks.yaml merge=wm-tasks\n");
    let driver = git(&env, &["config", "merge.wm-tasks.driver"]);
    assert!(driver.contains("merge-driver"), "{driver}");
    // What it is for: two branches that each add a new issue (both append
    // at the end of the file, a line conflict for plain git) merge cleanly.
    git(&env, &["add", "."]);
    git(&env, &["commit", "-q", "-m", "init"]);
    git(&env, &["checkout", "-q", "-b", "left"]);
    env.seed_plan(7);
    git(&env, &["commit", "-q", "-am", "plan 7"]);
    git(&env, &["checkout", "-q", "main"]);
    env.seed_plan(8);
    git(&env, &["commit", "-q", "-am", "plan 8"]);
    let (merged, err) = try_merge(&env, "left");
    assert!(merged, "{err}");
    for issue in ["--issue=7", "--issue=8"] {
        assert_eq!(env.ids(&["tasks", "list", issue]).len(), 8, "{issue}");
    }
    env.ok(&["tasks", "check"]);

    let other = Env::new();
    std::fs::remove_dir(other.path().join(".git")).unwrap();
    git(&other, &["init", "-q", "-b", "main"]);
    other.ok(&["tasks", "init", "--no-merge-driver"]);
    assert!(!other.path().join(".gitattributes").exists());
}
