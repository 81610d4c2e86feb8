use clap::Args;
use clap_complete::env::Shells;

use super::{CliResult, print};
use wm::error::Error;

/// Print a shell completion script.
///
/// The script asks `wm` itself for completions on every TAB, so it offers
/// real values: task ids (with titles where the shell shows descriptions),
/// types, statuses, phases and templates, besides commands and flags. `wm`
/// must be on $PATH. --static prints the older self-contained script
/// (commands and flags only, no values).
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
    pub shell: clap_complete::Shell,
    /// A self-contained script: commands and flags only, no values.
    #[arg(long = "static")]
    pub static_script: bool,
}

pub fn run(a: CompletionsArgs) -> CliResult {
    if a.static_script {
        let mut cmd = <super::Cli as clap::CommandFactory>::command();
        let mut out = Vec::new();
        clap_complete::generate(a.shell, &mut cmd, "wm", &mut out);
        return print(&String::from_utf8_lossy(&out));
    }
    let name = a.shell.to_string();
    let shells = Shells::builtins();
    let Some(shell) = shells.completer(&name) else {
        return Err(Error::Usage(format!("no completion for {name}")).into());
    };
    let mut out = Vec::new();
    shell.write_registration(super::complete::VAR, "wm", "wm", "wm", &mut out)?;
    print(&String::from_utf8_lossy(&out))
}
