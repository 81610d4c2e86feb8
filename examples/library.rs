//! The `wm` library from Rust: create a store, add the planning template's
//! tasks for an issue, pick work and complete it, all through the same write
//! transaction as the CLI (`store::write`: lock, apply ops all-or-nothing,
//! atomic save).
//!
//! Run: cargo run --example library

use std::time::Duration;

use wm::graph::schedule::{self, Scope};
use wm::model::TaskType;
use wm::ops::{NewTask, Op, Transition};
use wm::store::{self, WriteOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join(store::FILE_NAME);
    store::init(&path)?;

    // One locked read-modify-write: the epic and its tasks. Phases are
    // inferred from the titles, so the tasks need no explicit edges.
    let opts = WriteOptions {
        lock_timeout: Duration::from_secs(5),
        ..WriteOptions::default()
    };
    let mut batch = vec![Op::Create(NewTask {
        title: "GH#42: Network hardening".into(),
        kind: Some(TaskType::Epic),
        issue: Some(42),
        ..NewTask::default()
    })];
    for title in [
        "Analyze current infrastructure",
        "Create backups/snapshots",
        "Implement infrastructure changes",
        "Deploy and verify on staging",
    ] {
        batch.push(Op::Create(NewTask {
            title: format!("GH#42: {title}"),
            kind: Some(TaskType::Impl),
            issue: Some(42),
            ..NewTask::default()
        }));
    }
    store::write(&path, &opts, |_| Ok::<_, wm::Error>(batch.clone()))?;

    // Work through the plan in order: what `wm tasks claim` + `done` do.
    loop {
        let loaded = store::load(&path)?;
        let (plan, graph) = (loaded.plan(), loaded.graph());
        let i = match schedule::next(plan, graph, &Scope::default()) {
            Ok(i) => i,
            Err(idle) => {
                // The reason is data (`Idle`); a caller words it.
                println!("nothing to pick ({})", idle.code());
                break;
            }
        };
        let id = plan.task(i).id.clone();
        println!("doing {id}: {}", plan.task(i).title);
        let done = [Transition::Start, Transition::Done].map(|to| Op::SetStatus {
            id: id.clone(),
            to,
            force: false,
            assignee: Some("example".into()),
            reason: None,
            commit: None,
        });
        store::write(&path, &opts, |_| Ok::<_, wm::Error>(done.to_vec()))?;
    }

    // The dependency order, as a small text graph.
    let loaded = store::load(&path)?;
    for &i in loaded.graph().order() {
        let t = loaded.plan().task(i);
        let deps: Vec<&str> = loaded
            .graph()
            .deps(i)
            .iter()
            .map(|&(j, _)| loaded.plan().task(j).id.as_str())
            .collect();
        println!(
            "{} {:<10} <- [{}]",
            t.id,
            t.status.as_str(),
            deps.join(", ")
        );
    }
    Ok(())
}
