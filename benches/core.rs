//! In-process costs of the core on generated stores (criterion):
//! load (parse), save (canonical emit), graph build (which includes the
//! stable topological order and cycle detection), validation, ready, and
//! one issue's listing and the ASCII drawing of one issue's graph. Whole-command timings live in `bench/cli.sh`.
//!
//!     cargo bench --bench core

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use wm::Graph;
use wm::store::{self, yaml};
use wm::validate as check;

mod workload;

fn core(c: &mut Criterion) {
    for n in [1_000usize, 10_000] {
        let plan = workload::generate(n, 1);
        let text = yaml::emit(plan.file());
        let graph = Graph::build(&plan);
        let issue = plan.tasks()[plan.len() / 2].issue;

        let mut g = c.benchmark_group(format!("{n} tasks"));
        g.sample_size(if n >= 10_000 { 20 } else { 50 });
        g.bench_function(BenchmarkId::new("load", "canonical"), |b| {
            b.iter(|| store::parse(Path::new("tasks.yaml"), black_box(text.as_bytes())))
        });
        g.bench_function(BenchmarkId::new("load", "full YAML parser"), |b| {
            b.iter(|| store::parse_full(Path::new("tasks.yaml"), black_box(&text)))
        });
        g.bench_function("save", |b| b.iter(|| yaml::emit(black_box(plan.file()))));
        g.bench_function("graph build + order", |b| {
            b.iter(|| Graph::build(black_box(&plan)))
        });
        g.bench_function("check", |b| {
            b.iter(|| check::check(black_box(&plan), &graph))
        });
        g.bench_function("ready", |b| b.iter(|| graph.ready(black_box(&plan))));
        g.bench_function("list one issue", |b| {
            b.iter(|| {
                let mut rows: Vec<usize> = (0..plan.len())
                    .filter(|&i| plan.task(i).issue == issue)
                    .collect();
                rows.sort_by_key(|&i| graph.rank(i));
                wm::render::json::tasks_doc(&plan, &graph, &rows)
            })
        });
        g.bench_function("render one issue's graph (ascii)", |b| {
            b.iter(|| {
                let sc = wm::graph::query::Scope {
                    issue,
                    ..Default::default()
                };
                let v = wm::render::view::tasks(&plan, &graph, &sc);
                wm::render::ascii::draw(&v, &wm::render::ascii::AsciiOptions::default())
            })
        });
        g.finish();
    }
}

criterion_group!(benches, core);
criterion_main!(benches);
