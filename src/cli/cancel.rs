use clap::Args;

use super::{CliResult, Ctx, transition};
use wm::ops::Transition;

/// Cancel tasks: they will not be done; dependents treat them as settled.
///
/// --reason says why; it is stored on the task and shown by `show`.
///
/// Examples:
///   wm tasks cancel k3m9
///   wm tasks cancel k3m9 --reason "superseded by x7pq"
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct CancelArgs {
    /// Task ids or unique prefixes.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// Why it will not be done (stored on the task, shown by `show`).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

pub fn run(ctx: &Ctx, a: CancelArgs) -> CliResult {
    transition::run(ctx, &a.ids, Transition::Cancel, false, a.reason)
}
