use clap::Args;

use super::{CliResult, Ctx};
use wm::store;

/// Create an empty tasks.yaml (at the repository root, or here outside one).
///
/// Does nothing when the store already exists.
///
/// Example: wm tasks init
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct InitArgs {}

pub fn run(ctx: &Ctx, _args: InitArgs) -> CliResult {
    let loc = ctx.location();
    if loc.exists {
        // Validate it, so `init` on a broken store says so.
        store::load(&loc.path)?;
        ctx.note(&format!("{} already exists", loc.path.display()));
        return Ok(());
    }
    store::init(&loc.path)?;
    ctx.note(&format!("created {}", loc.path.display()));
    Ok(())
}
