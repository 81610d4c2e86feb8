use clap::Args;

use super::list::{Filter, output};
use super::{CliResult, Ctx, OutputArgs};

/// Tasks that can start now: pending, not epics, every dependency completed
/// or cancelled; in dependency order.
///
/// Refuses (exit 5) while the graph is invalid (a cycle, a dangling
/// reference): fix it first with `wm tasks dep rm`.
///
/// Examples:
///   wm tasks ready --issue 42
///   wm tasks ready --format ids | head -1
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ReadyArgs {
    /// Only tasks of this issue.
    #[arg(long, value_name = "N")]
    pub issue: Option<u64>,
    #[command(flatten)]
    pub out: OutputArgs,
}

pub fn run(ctx: &Ctx, a: ReadyArgs) -> CliResult {
    let loaded = ctx.load_valid()?;
    let filter = Filter {
        issue: a.issue,
        ready: true,
        ..Filter::default()
    };
    let rows = filter.apply(loaded.plan(), loaded.graph())?;
    output(ctx, loaded.plan(), loaded.graph(), &rows, a.out)
}
