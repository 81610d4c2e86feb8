use clap::{Args, CommandFactory};

use super::{Cli, CliResult, print};

/// Print the man page (roff) of wm.
///
/// Example: wm man > ~/.local/share/man/man1/wm.1 && man wm
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {}

pub fn run(_a: ManArgs) -> CliResult {
    let cmd = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut out)?;
    print(&String::from_utf8_lossy(&out))
}
