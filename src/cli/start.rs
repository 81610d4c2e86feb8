use clap::Args;

use super::{CliResult, Ctx, transition};
use wm::ops::Transition;

/// Mark tasks in progress.
///
/// Refused (exit 3) while a dependency is unfinished, unless --force, which
/// records the override on the task.
///
/// Example: wm tasks start k3m9
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct StartArgs {
    /// Task ids or unique prefixes.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// Skip the dependency rules and record the override on the task.
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, a: StartArgs) -> CliResult {
    transition::run(ctx, &a.ids, Transition::Start, a.force, None)
}
