use clap::Args;

use super::{CliResult, Ctx, transition};
use wm::ops::Transition;

/// Cancel tasks: they will not be done; dependents treat them as settled.
///
/// Example: wm tasks cancel k3m9
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct CancelArgs {
    /// Task ids or unique prefixes.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
}

pub fn run(ctx: &Ctx, a: CancelArgs) -> CliResult {
    transition::run(ctx, &a.ids, Transition::Cancel, false)
}
