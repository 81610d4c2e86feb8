//! Time the stages of loading a store: `cargo run --release --example profile-load -- FILE`.
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: profile-load FILE")?;
    let path = std::path::Path::new(&path);
    let t = Instant::now();
    let bytes = std::fs::read(path)?;
    let read = t.elapsed();
    let t = Instant::now();
    let file = wm::store::parse(path, &bytes)?;
    let parse = t.elapsed();
    let t = Instant::now();
    let plan = wm::Plan::new(file);
    let index = t.elapsed();
    let t = Instant::now();
    let graph = wm::Graph::build(&plan);
    let build = t.elapsed();
    let t = Instant::now();
    let problems = wm::validate::check(&plan, &graph);
    let check = t.elapsed();
    let t = Instant::now();
    let text = wm::store::yaml::emit(plan.file());
    let emit = t.elapsed();
    println!(
        "{} tasks: read {read:?}, parse {parse:?}, index {index:?}, graph {build:?}, check {check:?} ({} problems), emit {emit:?} ({} bytes)",
        plan.len(),
        problems.len(),
        text.len()
    );
    Ok(())
}
