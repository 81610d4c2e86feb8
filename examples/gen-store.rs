//! Generate a realistic tasks.yaml for benchmarks, through the library.
//!
//!     cargo run --release --example gen-store -- --tasks 10000 --seed 1 > tasks.yaml
//!     cargo run --release --example gen-store -- --tasks 10000 --out tasks.yaml
//!
//! The workload is described in `benches/workload/mod.rs`.

use std::io::Write;
use std::path::PathBuf;

use clap::Parser;
use wm::store::yaml;

#[path = "../benches/workload/mod.rs"]
mod workload;

#[derive(Parser)]
struct Args {
    /// Number of tasks (rounded down to whole issues of 8).
    #[arg(long, default_value_t = 10_000)]
    tasks: usize,
    /// Seed of the generator: the same seed gives the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write the same workload as a Taskwarrior `task import` JSON file.
    #[arg(long, value_name = "FILE")]
    taskwarrior: Option<PathBuf>,
    /// `template`: issues of 8 tasks in the template's phases (derived
    /// edges); `peers`: the workload of the comparisons with other
    /// trackers (N tasks in N/10 groups, 0-3 random earlier dependencies
    /// each, every edge explicit, no phases).
    #[arg(long, default_value = "template")]
    workload: String,
    /// Write this built-in workflow (e.g. `gated`) into the store's
    /// `workflow:` block.
    #[arg(long, value_name = "NAME")]
    workflow: Option<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut plan = match args.workload.as_str() {
        "template" => workload::generate(args.tasks, args.seed),
        "peers" => workload::peers(args.tasks, args.seed),
        other => return Err(format!("unknown workload `{other}` (template, peers)").into()),
    };
    if let Some(name) = &args.workflow {
        let wf = wm::model::workflow::builtins()
            .iter()
            .find(|w| w.label() == name.as_str())
            .cloned()
            .ok_or_else(|| format!("no built-in workflow `{name}`"))?;
        let mut file = plan.into_file();
        file.workflow = Some(wf);
        plan = wm::Plan::new(file);
    }
    if let Some(path) = &args.taskwarrior {
        std::fs::write(path, workload::taskwarrior_json(plan.tasks()))?;
    }
    let text = yaml::emit(plan.file());
    match args.out {
        Some(path) => std::fs::write(path, text)?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}
