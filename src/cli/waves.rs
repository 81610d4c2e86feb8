use clap::Args;

use super::{CliResult, Ctx, print, print_json};
use wm::graph::analysis;
use wm::render::{escape, json, truncate};

/// The remaining work as waves of tasks that can run in parallel.
///
/// Wave 1 is what can be worked on now (ready or in progress); each later
/// wave can start once the waves before it are done. Completed and
/// cancelled tasks count as done; epics are containers and not scheduled.
/// Ends with the maximum parallelism (the largest wave).
///
/// Examples:
///   wm tasks waves --issue 42
///   wm tasks waves --json | jq '.max_parallelism'
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct WavesArgs {
    #[command(flatten)]
    pub scope: super::graph::ViewScope,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: WavesArgs) -> CliResult {
    let loaded = ctx.load_valid()?;
    let (plan, graph) = (loaded.plan(), loaded.graph());
    let sc = a.scope.resolve(plan)?;
    let waves = analysis::waves(plan, graph, &sc);
    let max = waves.iter().map(Vec::len).max().unwrap_or(0);
    if a.json {
        return print_json(&json::analysis::waves_doc(plan, graph, &waves));
    }
    if waves.is_empty() {
        ctx.note("nothing left to do");
        return Ok(());
    }
    let mut s = String::new();
    for (k, w) in waves.iter().enumerate() {
        s.push_str(&format!(
            "wave {} ({} task{}):\n",
            k + 1,
            w.len(),
            if w.len() == 1 { "" } else { "s" }
        ));
        for &i in w {
            let t = plan.task(i);
            s.push_str(&format!(
                "  {}  {:<11} {}\n",
                t.id,
                graph.state(plan, i).as_str(),
                truncate(&escape(&t.title), 70)
            ));
        }
    }
    let widest = waves.iter().position(|w| w.len() == max).unwrap_or(0) + 1;
    s.push_str(&format!(
        "{} wave{}, max parallelism {max} (wave {widest})\n",
        waves.len(),
        if waves.len() == 1 { "" } else { "s" }
    ));
    print(&s)
}
