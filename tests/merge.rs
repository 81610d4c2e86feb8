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
