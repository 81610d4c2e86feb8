use std::path::PathBuf;

use clap::{Args, CommandFactory};

use super::{Cli, CliResult, print};
use wm::error::Error;

/// Print or install the man pages: wm(1), and one page per command
/// (wm-tasks(1), wm-tasks-create(1), ...).
///
/// Without arguments, prints wm(1). With a command path, prints that
/// command's page. With --dir, writes every page into DIR (created if
/// missing) and prints the files written.
///
/// Examples:
///   wm man --dir ~/.local/share/man/man1 && man wm-tasks-create
///   wm man tasks list | man -l -
///   sudo wm man --dir /usr/local/share/man/man1
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {
    /// Write every page into this directory instead of printing one.
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath, conflicts_with = "command")]
    pub dir: Option<PathBuf>,
    /// The command whose page to print (`tasks create`).
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// The clap command named by `path` under `wm`, with the name its page
/// uses (`wm-tasks-create`).
fn find(path: &[String]) -> CliResult<clap::Command> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut name = String::from("wm");
    for part in path {
        let Some(sub) = cmd.find_subcommand(part).cloned() else {
            return Err(Error::Usage(format!(
                "no command `{}` under `{}`; see `wm man --dir` for every page",
                wm::render::escape(part),
                name.replace('-', " ")
            ))
            .into());
        };
        name = format!("{name}-{}", sub.get_name());
        cmd = sub;
    }
    Ok(cmd.display_name(name))
}

pub fn run(a: ManArgs) -> CliResult {
    if let Some(dir) = a.dir {
        std::fs::create_dir_all(&dir)?;
        let mut cmd = Cli::command().disable_help_subcommand(true);
        cmd.build();
        let mut written = Vec::new();
        write_pages(&cmd, "wm", &dir, &mut written)?;
        let mut out = String::new();
        for p in written {
            out.push_str(&p.display().to_string());
            out.push('\n');
        }
        return print(&out);
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(find(&a.command)?).render(&mut out)?;
    print(&String::from_utf8_lossy(&out))
}

/// Write `cmd`'s page as `name.1`, then its subcommands' pages.
fn write_pages(
    cmd: &clap::Command,
    name: &str,
    dir: &std::path::Path,
    written: &mut Vec<PathBuf>,
) -> CliResult {
    let page = cmd.clone().display_name(name.to_string());
    let path = dir.join(format!("{name}.1"));
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    std::fs::write(&path, out)?;
    written.push(path);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}
