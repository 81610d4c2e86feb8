use clap::Args;

use super::{CliResult, Ctx, print, print_json};
use wm::graph::State;
use wm::graph::analysis;
use wm::render::{escape, json};

/// Why a task is not ready: what it waits for, down to work that can start now.
///
/// For each unfinished dependency, follows the longest chain of unfinished
/// work beneath it to a task that is ready (can start now) or in progress.
/// For an epic, lists its unfinished members the same way.
///
/// Examples:
///   wm tasks why k3m9
///   wm tasks why k3m9 --json | jq '.blockers[].chain[-1].id'
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct WhyArgs {
    /// Task id or unique prefix.
    pub id: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn end_note(s: State) -> &'static str {
    match s {
        State::Ready => "ready: can start now",
        State::InProgress => "in progress",
        State::Blocked => "blocked",
        State::OpenEpic => "open epic",
        State::Completed => "completed",
        State::Cancelled => "cancelled",
    }
}

pub fn run(ctx: &Ctx, a: WhyArgs) -> CliResult {
    let loaded = ctx.load_valid()?;
    let (plan, graph) = (loaded.plan(), loaded.graph());
    let i = plan.resolve(&a.id)?;
    let t = plan.task(i);
    let state = graph.state(plan, i);
    let blockers = analysis::why(plan, graph, i);
    if a.json {
        return print_json(&json::analysis::why_doc(plan, graph, i, &blockers));
    }
    let head = format!("{} \"{}\"", t.id, escape(&t.title));
    let mut s = match state {
        State::Ready => format!("{head} is ready: nothing holds it back\n"),
        State::Completed | State::Cancelled => format!("{head} is {}\n", state.as_str()),
        State::InProgress if blockers.is_empty() => format!("{head} is in progress\n"),
        _ => {
            let n = blockers.len();
            let what = if t.is_epic() {
                "unfinished member"
            } else {
                "unfinished dependency"
            };
            let plural = if n == 1 {
                what.to_string()
            } else if t.is_epic() {
                format!("{what}s")
            } else {
                "unfinished dependencies".into()
            };
            format!(
                "{head} is {}: waiting on {n} {plural}\n",
                state.as_str().replace('_', " ")
            )
        }
    };
    for b in &blockers {
        for (k, &c) in b.chain.iter().enumerate() {
            let d = plan.task(c);
            let st = graph.state(plan, c);
            let lead = if k == 0 {
                "  waits on"
            } else {
                "    which waits on"
            };
            let how = match (k, b.kind) {
                (0, Some(wm::graph::EdgeKind::Phase)) => {
                    match wm::graph::derive::explain(plan, i, c) {
                        Some(why) => format!(", phase edge: {why}"),
                        None => ", phase edge".to_string(),
                    }
                }
                (0, Some(kind)) => format!(", {} edge", kind.as_str()),
                _ => String::new(),
            };
            s.push_str(&format!(
                "{lead} {} \"{}\" ({}{how})\n",
                d.id,
                escape(&d.title),
                end_note(st)
            ));
        }
    }
    print(&s)
}
