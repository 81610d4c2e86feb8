//! Should the snapshot (`.git/wm/*.cache`) use a well-kept binary codec
//! instead of our hand-written one? This measures, on the benchmark
//! workload, the hand codec (`wm::store::snapshot`, which writes the tasks,
//! the graph and the problems, and checks an xxh3 checksum on decode)
//! against postcard (serde) and bitcode (its own derive) writing a plain
//! mirror of the same tasks plus the graph's adjacency and order.
//!
//! The mirror is what a crate codec would need: our `Task` cannot go
//! through postcard or bitcode's serde mode as it is, because its serde
//! attributes (`skip_serializing_if`, a custom YAML layout) assume a
//! self-describing format. The mirror leaves out the checksum and the
//! conversion to and from `Task`, so the crates' figures are a lower bound
//! of what they would cost here.
//!
//!     cargo bench --bench codec

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};
use wm::Graph;
use wm::model::{Status, Task};
use wm::validate as check;

mod workload;

#[derive(Serialize, Deserialize, bitcode::Encode, bitcode::Decode, PartialEq, Debug)]
struct MTask {
    id: String,
    title: String,
    kind: u8,
    status: u8,
    priority: Option<u8>,
    phase: Option<String>,
    role: Option<u8>,
    workflow: Option<String>,
    issue: Option<u64>,
    parent: Option<String>,
    depends_on: Vec<String>,
    labels: Vec<String>,
    assignee: Option<String>,
    description: Option<String>,
    estimate: Option<String>,
    commits: Vec<String>,
    created_at: i64,
    updated_at: i64,
    closed_at: Option<i64>,
    reason: Option<String>,
    // Overrides and notes are rare; the workload has none.
    notes: Vec<(i64, String)>,
}

#[derive(Serialize, Deserialize, bitcode::Encode, bitcode::Decode, PartialEq, Debug)]
struct MSnapshot {
    tasks: Vec<MTask>,
    deps: Vec<Vec<u32>>,
    order: Vec<u32>,
}

fn mirror(t: &Task) -> MTask {
    let nanos = |d: &chrono::DateTime<chrono::Utc>| d.timestamp_nanos_opt().unwrap_or_default();
    MTask {
        id: t.id.clone(),
        title: t.title.clone(),
        kind: t.kind as u8,
        status: match t.status {
            Status::Pending => 0,
            Status::InProgress => 1,
            Status::Completed => 2,
            Status::Cancelled => 3,
        },
        priority: t.priority,
        phase: t.phase.clone(),
        role: t.role.map(|r| r as u8),
        workflow: t.workflow.clone(),
        issue: t.issue,
        parent: t.parent.clone(),
        depends_on: t.depends_on.clone(),
        labels: t.labels.clone(),
        assignee: t.assignee.clone(),
        description: t.description.clone(),
        estimate: t.estimate.clone(),
        commits: t.commits.clone(),
        created_at: nanos(&t.created_at),
        updated_at: nanos(&t.updated_at),
        closed_at: t.closed_at.as_ref().map(nanos),
        reason: t.reason.clone(),
        notes: t
            .notes
            .iter()
            .map(|n| (nanos(&n.at), n.text.clone()))
            .collect(),
    }
}

fn codec(c: &mut Criterion) {
    for n in [1_000usize, 10_000] {
        let plan = workload::generate(n, 1);
        let graph = Graph::build(&plan);
        let problems = check::check(&plan, &graph);
        let ours = wm::store::snapshot::encode(7, plan.file(), &graph, &problems, None)
            .unwrap_or_default();
        let m = MSnapshot {
            tasks: plan.tasks().iter().map(mirror).collect(),
            deps: (0..plan.len())
                .map(|i| graph.deps(i).iter().map(|&(j, _)| j as u32).collect())
                .collect(),
            order: graph.order().iter().map(|&i| i as u32).collect(),
        };
        let post = postcard::to_allocvec(&m).unwrap_or_default();
        let bit = bitcode::encode(&m);
        eprintln!(
            "{n} tasks: snapshot bytes: hand {} / postcard {} / bitcode {}",
            ours.len(),
            post.len(),
            bit.len()
        );

        let mut g = c.benchmark_group(format!("codec {n} tasks"));
        g.sample_size(if n >= 10_000 { 20 } else { 50 });
        g.bench_function("encode hand (tasks+graph+problems+checksum)", |b| {
            b.iter(|| {
                wm::store::snapshot::encode(7, black_box(plan.file()), &graph, &problems, None)
            })
        });
        g.bench_function("encode postcard (mirror)", |b| {
            b.iter(|| postcard::to_allocvec(black_box(&m)))
        });
        g.bench_function("encode bitcode (mirror)", |b| {
            b.iter(|| bitcode::encode(black_box(&m)))
        });
        // What a read command pays: the snapshot checked and its graph
        // decoded, the tasks left in the bytes until asked for.
        g.bench_function("decode hand (verified, tasks lazy)", |b| {
            b.iter(|| wm::store::snapshot::decode(black_box(ours.clone()), 7))
        });
        // What a command that needs every task pays.
        g.bench_function("decode hand (verified, to Task and Graph)", |b| {
            b.iter(|| {
                wm::store::snapshot::decode(black_box(ours.clone()), 7)
                    .map(|s| s.plan.tasks().len())
            })
        });
        g.bench_function("decode postcard (mirror)", |b| {
            b.iter(|| postcard::from_bytes::<MSnapshot>(black_box(&post)))
        });
        g.bench_function("decode bitcode (mirror)", |b| {
            b.iter(|| bitcode::decode::<MSnapshot>(black_box(&bit)))
        });
        g.finish();
    }
}

criterion_group!(benches, codec);
criterion_main!(benches);
