use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{CliError, CliResult, Ctx, git_util};
use wm::error::Error;
use wm::git::{self, IdMatcher};
use wm::model::Status;

/// Git hooks that tie commits to tasks.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Install a prepare-commit-msg hook that adds a `Task: <id>` trailer.
    ///
    /// The hook adds the trailer when exactly one task of the branch's
    /// issue (`feature/GH-42-...`) is in progress, and does nothing
    /// otherwise (other branches, none or several tasks in progress, merge
    /// and squash messages, amends, messages that already name a task).
    /// It never fails a commit. Installing again updates a hook wm wrote; a
    /// hook someone else wrote is left alone (exit 3): call
    /// `wm tasks hook prepare-commit-msg "$@"` from it instead.
    ///
    /// Example: wm tasks hook install
    Install(InstallArgs),
    /// Remove the prepare-commit-msg hook `install` wrote. A hook someone
    /// else wrote is left alone (exit 3); no hook at all is fine.
    ///
    /// Example: wm tasks hook uninstall
    Uninstall(InstallArgs),
    /// What the installed hook runs (git passes the message file, the
    /// message source and a sha).
    #[command(name = "prepare-commit-msg", hide = true)]
    PrepareCommitMsg(PrepareArgs),
}

#[derive(Debug, Args)]
pub struct InstallArgs {}

#[derive(Debug, Args)]
pub struct PrepareArgs {
    #[arg(value_name = "MSG-FILE")]
    pub msg_file: PathBuf,
    pub source: Option<String>,
    pub sha: Option<String>,
}

/// Marks a hook as ours: only such a hook is ever replaced.
const MARKER: &str = "# wm-hook: prepare-commit-msg";

fn script() -> String {
    format!(
        "#!/bin/sh\n\
         {MARKER} (written by `wm tasks hook install`; delete this file to uninstall)\n\
         # Adds a `Task: <id>` trailer when exactly one task of the branch's issue is in progress.\n\
         wm=\"${{WM_BIN:-wm}}\"\n\
         command -v \"$wm\" >/dev/null 2>&1 || exit 0\n\
         exec \"$wm\" tasks hook prepare-commit-msg \"$@\"\n"
    )
}

pub fn run(ctx: &Ctx, cmd: HookCommand) -> CliResult {
    match cmd {
        HookCommand::Install(_) => install(ctx),
        HookCommand::Uninstall(_) => uninstall(ctx),
        HookCommand::PrepareCommitMsg(a) => {
            // A hook must never stop a commit: report and succeed.
            if let Err(e) = prepare(ctx, &a) {
                let msg = match e {
                    CliError::Core(e) => super::command_error::describe(&e),
                    CliError::Io(e) => e.to_string(),
                    CliError::BrokenPipe | CliError::Exit(_) => return Ok(()),
                };
                ctx.note(&format!("wm hook: no trailer added: {msg}"));
            }
            Ok(())
        }
    }
}

fn install(ctx: &Ctx) -> CliResult {
    let repo = git_util::repo(ctx)?;
    let dir = repo.hooks_dir();
    let path = dir.join("prepare-commit-msg");
    let io = |e| Error::Io {
        path: path.clone(),
        source: e,
    };
    let existed = match std::fs::read(&path) {
        Ok(bytes) => {
            if !String::from_utf8_lossy(&bytes).contains(MARKER) {
                return Err(Error::rule(
                    format!(
                        "{} exists and was not written by wm; it was left unchanged.\n\
                         Add this line to it to get the trailer: \
                         wm tasks hook prepare-commit-msg \"$@\"",
                        path.display()
                    ),
                    Vec::new(),
                )
                .into());
            }
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(io(e).into()),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::Io {
        path: dir.clone(),
        source: e,
    })?;
    wm::store::write_atomic(&path, script().as_bytes(), false)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
    }
    ctx.note(&format!(
        "{} {}",
        if existed { "updated" } else { "installed" },
        path.display()
    ));
    Ok(())
}

fn uninstall(ctx: &Ctx) -> CliResult {
    let repo = git_util::repo(ctx)?;
    let path = repo.hooks_dir().join("prepare-commit-msg");
    match std::fs::read(&path) {
        Ok(bytes) => {
            if !String::from_utf8_lossy(&bytes).contains(MARKER) {
                return Err(Error::rule(
                    format!(
                        "{} was not written by wm; it was left unchanged",
                        path.display()
                    ),
                    Vec::new(),
                )
                .into());
            }
            std::fs::remove_file(&path).map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            ctx.note(&format!("removed {}", path.display()));
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            ctx.note(&format!("no hook to remove at {}", path.display()));
            Ok(())
        }
        Err(e) => Err(Error::Io { path, source: e }.into()),
    }
}

fn prepare(ctx: &Ctx, a: &PrepareArgs) -> CliResult {
    if matches!(a.source.as_deref(), Some("merge" | "squash" | "commit")) {
        return Ok(());
    }
    let Some((issue, _)) = git_util::git_default_issue(ctx) else {
        return Ok(());
    };
    if !ctx.location().exists {
        return Ok(());
    }
    let loaded = ctx.load()?;
    let plan = loaded.plan();
    let active: Vec<&str> = plan
        .tasks()
        .iter()
        .filter(|t| t.issue == Some(issue) && t.status == Status::InProgress && !t.is_epic())
        .map(|t| t.id.as_str())
        .collect();
    let [id] = active.as_slice() else {
        return Ok(());
    };
    let msg = std::fs::read_to_string(&a.msg_file).map_err(|e| Error::Io {
        path: a.msg_file.clone(),
        source: e,
    })?;
    let text: String = msg
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    // A message that already names a task (this one or another) says what
    // it is about.
    if !git::references(&text, &IdMatcher::new(plan))
        .tasks
        .is_empty()
    {
        return Ok(());
    }
    std::fs::write(&a.msg_file, git::add_trailer(&msg, "Task", id)).map_err(|e| Error::Io {
        path: a.msg_file.clone(),
        source: e,
    })?;
    ctx.note(&format!(
        "wm hook: added `Task: {id}` (the task in progress for #{issue})"
    ));
    Ok(())
}
