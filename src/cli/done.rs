use clap::Args;

use super::{CliResult, Ctx, transition};
use crate::ops::Transition;

/// Mark tasks completed.
///
/// Refused (exit 3) while a dependency is unfinished, or for an epic while
/// its children are open, unless --force, which records the override.
///
/// Example: wm tasks done k3m9
#[derive(Debug, Args)]
pub struct DoneArgs {
    /// Task ids or unique prefixes.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// Skip the dependency rules and record the override on the task.
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, a: DoneArgs) -> CliResult {
    transition::run(ctx, &a.ids, Transition::Done, a.force)
}
