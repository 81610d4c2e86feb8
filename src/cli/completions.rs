use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, CliResult, print};

/// Print a shell completion script.
///
/// Examples:
///   wm completions bash > ~/.local/share/bash-completion/completions/wm
///   wm completions zsh > "${fpath[1]}/_wm"
///   wm completions fish > ~/.config/fish/completions/wm.fish
///   wm completions powershell >> $PROFILE
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(a: CompletionsArgs) -> CliResult {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "wm", &mut out);
    print(&String::from_utf8_lossy(&out))
}
