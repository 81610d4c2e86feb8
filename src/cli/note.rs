use clap::Args;

use super::{CliResult, Ctx, print};
use wm::ops::Op;

/// Add a timestamped note to a task (what was found, decided, tried);
/// `show` lists the notes, oldest first.
///
/// Examples:
///   wm tasks note k3m9 "staging DB is 2 minor versions behind prod"
///   wm tasks note k3m9 "blocked on the vendor; asked on ticket 123"
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct NoteArgs {
    /// Task id or unique prefix.
    pub id: String,
    /// The note (several words are joined with spaces).
    #[arg(required = true, num_args = 1.., allow_hyphen_values = true)]
    pub text: Vec<String>,
}

pub fn run(ctx: &Ctx, a: NoteArgs) -> CliResult {
    let text = a.text.join(" ");
    let (_, outcomes) = ctx.write(false, false, |_| {
        Ok(vec![Op::AddNote {
            id: a.id.clone(),
            text: text.clone(),
        }])
    })?;
    ctx.notes(&outcomes);
    for o in &outcomes {
        print(&format!("{} noted\n", o.id))?;
    }
    Ok(())
}
