use clap::Args;

use super::{CliResult, Ctx, print, print_json};
use wm::graph::analysis::{self, Measure};
use wm::model::format_estimate;
use wm::render::{escape, json, truncate};

/// The longest chain of unfinished work: what decides when it can all be done.
///
/// Measured by total estimate when any unfinished task in view has an
/// `estimate` (tasks without one count as zero and are listed), else by
/// the number of tasks.
///
/// Examples:
///   wm tasks critical-path --issue 42
///   wm tasks update k3m9 --estimate 3d && wm tasks critical-path
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct CriticalPathArgs {
    #[command(flatten)]
    pub scope: super::graph::ViewScope,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: CriticalPathArgs) -> CliResult {
    let loaded = ctx.load_valid()?;
    let (plan, graph) = (loaded.plan(), loaded.graph());
    let sc = a.scope.resolve(plan)?;
    let cp = analysis::critical_path(plan, graph, &sc);
    if a.json {
        return print_json(&json::analysis::critical_path_doc(plan, graph, cp.as_ref()));
    }
    let Some(cp) = cp else {
        ctx.note("nothing left to do");
        return Ok(());
    };
    let n = cp.tasks.len();
    let mut s = match cp.measure {
        Measure::Estimate => format!(
            "critical path: {} over {n} task{}\n",
            format_estimate(cp.minutes),
            if n == 1 { "" } else { "s" }
        ),
        Measure::Count => format!(
            "critical path: {n} task{} (no estimates; set them with `update --estimate`)\n",
            if n == 1 { "" } else { "s" }
        ),
    };
    for (k, &i) in cp.tasks.iter().enumerate() {
        let t = plan.task(i);
        s.push_str(&format!(
            "{:>3}. {}  {:<11} {:>7}  {}\n",
            k + 1,
            t.id,
            graph.state(plan, i).as_str(),
            t.estimate
                .as_deref()
                .map(escape)
                .unwrap_or_else(|| "-".into()),
            truncate(&escape(&t.title), 60)
        ));
    }
    print(&s)?;
    if cp.measure == Measure::Estimate && !cp.unestimated.is_empty() {
        let ids: Vec<&str> = cp
            .unestimated
            .iter()
            .map(|&i| plan.task(i).id.as_str())
            .collect();
        ctx.note(&format!(
            "note: counted as 0: {} on the path {} no estimate",
            ids.join(", "),
            if ids.len() == 1 { "has" } else { "have" }
        ));
    }
    Ok(())
}
