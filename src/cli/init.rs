use clap::Args;

use super::{CliResult, Ctx};
use wm::store;

/// Create an empty tasks.yaml (at the repository root, or here outside one).
///
/// Does nothing when the store already exists. In a git repository it also
/// sets up the merge driver (`wm tasks merge-driver install`: a
/// `.gitattributes` line and the repository's config), which two branches
/// that each add a new issue need; a clone without the driver still merges
/// line by line.
///
/// Examples:
///   wm tasks init
///   wm tasks init --no-merge-driver
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct InitArgs {
    /// Do not set up the merge driver.
    #[arg(long)]
    pub no_merge_driver: bool,
}

pub fn run(ctx: &Ctx, args: InitArgs) -> CliResult {
    let result = create(ctx);
    if result.is_ok() && !args.no_merge_driver && wm::git::root::find(&ctx.cwd).is_some() {
        // Best effort: a store without the driver is still a valid store.
        if let Err(e) = super::merge_driver::install(ctx) {
            let why = match e {
                super::CliError::Core(e) => super::command_error::describe(&e),
                super::CliError::Io(e) => e.to_string(),
                _ => "unknown error".into(),
            };
            ctx.note(&format!(
                "warning: could not set up the merge driver ({why}); run `wm tasks merge-driver install` later"
            ));
        }
    }
    result
}

fn create(ctx: &Ctx) -> CliResult {
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
