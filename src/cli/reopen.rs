use clap::Args;

use super::{CliResult, Ctx, transition};
use wm::ops::Transition;

/// Put completed, cancelled or in-progress tasks back to pending.
///
/// Example: wm tasks reopen k3m9
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ReopenArgs {
    /// Task ids or unique prefixes.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
}

pub fn run(ctx: &Ctx, a: ReopenArgs) -> CliResult {
    transition::run(ctx, &a.ids, Transition::Reopen, false, None)
}
