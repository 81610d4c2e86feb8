//! Many processes writing one store at once lose nothing.

use crate::common::Env;
use std::sync::Arc;

#[test]
fn eight_writers_creating_fifty_tasks_each_lose_nothing() {
    let env = Arc::new(Env::new());
    env.ok(&["tasks", "init"]);
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let env = Arc::clone(&env);
            std::thread::spawn(move || {
                let mut mine: Vec<(String, Option<String>)> = Vec::new();
                for k in 0..50 {
                    let title = format!("--title=worker {w} task {k}");
                    let issue = format!("--issue={}", 100 + w);
                    let mut args = vec!["tasks", "create", "--lock-timeout", "120", &title, &issue];
                    let prev = mine.last().map(|(id, _)| id.clone());
                    if let Some(p) = &prev {
                        args.push("--depends-on");
                        args.push(p);
                    }
                    let id = env.ok(&args).trim().to_string();
                    mine.push((id, prev));
                }
                mine
            })
        })
        .collect();
    let created: Vec<(String, Option<String>)> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert_eq!(created.len(), 400);

    let doc = env.json(&["tasks", "list", "--json"]);
    let tasks = doc["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 400, "every create survived");
    for (id, dep) in &created {
        let t = tasks.iter().find(|t| t["id"] == id.as_str()).unwrap();
        let deps: Vec<&str> = t["depends_on"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap())
            .collect();
        assert_eq!(deps, dep.iter().map(String::as_str).collect::<Vec<_>>());
    }
    // Each worker's chain: exactly one ready task per issue.
    assert_eq!(env.ids(&["tasks", "ready"]).len(), 8);
}

#[test]
fn mixed_concurrent_writes_keep_the_store_valid() {
    let env = Arc::new(Env::new());
    let seeds: Vec<_> = (0..4).map(|k| env.seed_plan(10 + k)).collect();
    let workers: Vec<_> = seeds
        .into_iter()
        .enumerate()
        .map(|(k, s)| {
            let env = Arc::clone(&env);
            std::thread::spawn(move || {
                let t = ["--lock-timeout", "120"];
                for id in s.tasks() {
                    env.ok(&[&["tasks", "start", id][..], &t].concat());
                    let title = format!("--title=GH#{}: extra after {id}", 10 + k);
                    let extra = env
                        .ok(&[&["tasks", "create", &title, "--depends-on", id][..], &t].concat());
                    env.ok(&[&["tasks", "done", id][..], &t].concat());
                    env.ok(&[&["tasks", "dep", "rm", extra.trim(), "--on", id][..], &t].concat());
                    env.ok(&[
                        &["tasks", "update", extra.trim(), "--add-label", "x"][..],
                        &t,
                    ]
                    .concat());
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let doc = env.json(&["tasks", "list", "--json"]);
    let tasks = doc["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 4 * 8 + 4 * 7);
    let completed = tasks.iter().filter(|t| t["status"] == "completed").count();
    assert_eq!(completed, 4 * 7);
    let labelled = tasks.iter().filter(|t| t["labels"][0] == "x").count();
    assert_eq!(labelled, 4 * 7);
    assert!(
        tasks
            .iter()
            .all(|t| t["depends_on"].as_array().unwrap().is_empty())
    );
    env.ok(&["tasks", "ready"]);
}

/// The first writes to a repository with no store yet, at the same moment:
/// every process exits 0 and every task is kept (one process's clean-up of
/// temporary files once deleted another's in-flight file, and the loser
/// failed with "tasks.yaml: No such file or directory"). Several rounds,
/// since the race is a matter of timing.
#[test]
fn concurrent_first_creates_of_a_new_store_all_land() {
    for round in 0..5 {
        let env = Arc::new(Env::new());
        let barrier = Arc::new(std::sync::Barrier::new(8));
        let workers: Vec<_> = (0..8)
            .map(|w| {
                let (env, barrier) = (Arc::clone(&env), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    let title = format!("--title=round {round} worker {w}");
                    let mut cmd = env.cmd(&["tasks", "create", "--lock-timeout", "120", &title]);
                    barrier.wait();
                    cmd.output().expect("wm runs")
                })
            })
            .collect();
        for w in workers {
            let out = w.join().unwrap();
            assert!(out.status.success(), "round {round}: {out:?}");
        }
        assert_eq!(env.ids(&["tasks", "list"]).len(), 8, "round {round}");
    }
}
