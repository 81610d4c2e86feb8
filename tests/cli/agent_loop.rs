//! examples/agent-loop.sh as written: two copies in parallel on one store
//! finish every task exactly once, each stops only when everything is
//! done, and polling prints no `error:` lines.

use crate::common::Env;
use std::process::Command;

fn git(env: &Env, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(env.path())
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn two_agents_in_parallel_finish_every_task_once_and_quietly() {
    let env = Env::new();
    std::fs::remove_dir(env.path().join(".git")).unwrap();
    git(&env, &["init", "-q", "-b", "main"]);
    git(&env, &["commit", "-q", "--allow-empty", "-m", "start"]);
    let seed = env.seed_plan(42);
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/agent-loop.sh");
    let wm = assert_cmd::cargo::cargo_bin!("wm");
    // The work: note the id, take a little while (so the other copy polls
    // while this one holds what the rest waits for).
    let work = r#"echo "$WM_ASSIGNEE $1" >> work.log; sleep 0.3"#;
    let agents: Vec<_> = ["agent-a", "agent-b"]
        .iter()
        .map(|name| {
            Command::new("bash")
                .arg(&script)
                .args(["bash", "-c", work, "work"])
                .current_dir(env.path())
                .env("WM", wm)
                .env("WM_ASSIGNEE", name)
                .env("WM_POLL", "0.1")
                .env_remove("WM_TASKS_FILE")
                .env_remove("WM_ISSUE")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("bash runs")
        })
        .collect();
    let outs: Vec<_> = agents
        .into_iter()
        .map(|a| a.wait_with_output().unwrap())
        .collect();
    let log = std::fs::read_to_string(env.path().join("work.log")).unwrap();
    for (name, out) in ["agent-a", "agent-b"].iter().zip(&outs) {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{name}:\n{err}");
        assert!(
            !err.contains("error:"),
            "{name} printed an error line:\n{err}"
        );
        let last = err.lines().last().unwrap_or_default();
        assert!(
            last.starts_with(&format!(
                "{name}: stopping: nothing to do: every task is done"
            )),
            "{name} stopped early or without saying why:\n{err}\nwork log:\n{log}"
        );
    }
    // Every task was worked on exactly once, and is completed with the
    // commit linked.
    let mut worked: Vec<&str> = log.lines().filter_map(|l| l.split(' ').nth(1)).collect();
    worked.sort();
    let mut expected: Vec<&str> = seed.tasks().to_vec();
    expected.sort();
    assert_eq!(worked, expected, "work log:\n{log}");
    let doc = env.json(&["tasks", "list", "--json"]);
    for t in doc["tasks"].as_array().unwrap() {
        if t["type"] != "epic" {
            assert_eq!(t["status"], "completed", "{t}");
            assert_eq!(t["commits"].as_array().unwrap().len(), 1, "{t}");
        }
    }
}
