use clap::Args;

use super::list::{Filter, SortKey, output, sort_by};
use super::{CliResult, Ctx, OutputArgs};

/// Find tasks whose id, title, description, labels, close reason or notes
/// contain TEXT (case-insensitive); the same as `list --grep TEXT`, and
/// takes the same filters.
///
/// Examples:
///   wm tasks search backup
///   wm tasks search "rate limit" --status open
///   wm tasks search invoice --issue 7 --format ids
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct SearchArgs {
    /// The text to look for.
    pub text: String,
    #[command(flatten)]
    pub filter: Filter,
    /// Order rows by: issue (the default), priority, created, updated, id
    /// or title.
    #[arg(long, value_enum, value_name = "KEY", default_value_t = SortKey::Issue)]
    pub sort: SortKey,
    /// Show at most N rows.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    #[command(flatten)]
    pub out: OutputArgs,
}

pub fn run(ctx: &Ctx, a: SearchArgs) -> CliResult {
    let loaded = ctx.load_valid()?;
    let (plan, graph) = (loaded.plan(), loaded.graph());
    let mut filter = a.filter;
    filter.grep = Some(a.text);
    let mut rows = filter.apply(plan, graph)?;
    sort_by(plan, a.sort, &mut rows);
    if let Some(n) = a.limit {
        rows.truncate(n);
    }
    output(ctx, plan, graph, &rows, a.out)
}
