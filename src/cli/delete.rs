use clap::Args;

use super::{CliResult, Ctx, print};
use wm::ops::Op;

/// Delete a task.
///
/// Refused (exit 3) while other tasks depend on it or name it as parent,
/// unless --force, which also removes those references. Works on an invalid
/// store, to repair it.
///
/// Example: wm tasks delete k3m9 --force
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct DeleteArgs {
    /// Task id or unique prefix.
    pub id: String,
    /// Also remove the edges and parent links that point at it.
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, a: DeleteArgs) -> CliResult {
    let (_, outcomes) = ctx.write(false, false, |_| {
        Ok(vec![Op::Delete {
            id: a.id.clone(),
            force: a.force,
        }])
    })?;
    ctx.notes(&outcomes);
    for o in &outcomes {
        print(&format!("{} deleted\n", o.id))?;
    }
    Ok(())
}
