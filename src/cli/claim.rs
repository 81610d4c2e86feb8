use std::path::Path;

use clap::Args;

use super::next::{ScopeArgs, idle_error, picked_doc, print_idle_json};
use super::{CliError, CliResult, Ctx, print};
use crate::error::Error;
use crate::ops::{Op, Transition};
use crate::render::escape;
use crate::schedule;

/// Atomically pick the next task (as `wm tasks next` would), set it
/// in_progress with an assignee, and print its id.
///
/// Selection and update happen under the store's lock in one
/// read-modify-write, so processes claiming at the same time never get the
/// same task. Exits 4 when there is nothing to claim, saying why.
///
/// The assignee is --assignee, else $WM_ASSIGNEE, else the git user name
/// (user.name in .git/config or ~/.gitconfig), else $USER.
///
/// Examples:
///   id=$(wm tasks claim --issue 42) && echo "working on $id"
///   WM_ASSIGNEE=agent-3 wm tasks claim --type impl --json
#[derive(Debug, Args)]
pub struct ClaimArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Who claims the task.
    #[arg(long, value_name = "NAME")]
    pub assignee: Option<String>,
    /// Print JSON (the claimed task).
    #[arg(long)]
    pub json: bool,
}

/// `name` from the `[user]` section of git config text.
fn config_user_name(text: &str) -> Option<String> {
    let mut in_user = false;
    let mut found = None;
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_user = l.trim_start_matches('[').trim_end_matches(']').trim() == "user";
            continue;
        }
        if !in_user {
            continue;
        }
        if let Some((k, v)) = l.split_once('=')
            && k.trim().eq_ignore_ascii_case("name")
        {
            let v = v.trim().trim_matches('"').trim();
            if !v.is_empty() {
                // Later settings override earlier ones, as in git.
                found = Some(v.to_string());
            }
        }
    }
    found
}

fn git_user_name(cwd: &Path) -> Option<String> {
    let read = |p: &Path| std::fs::read_to_string(p).ok();
    let local = crate::gitrefs::discover(cwd)
        .and_then(|r| read(&r.common_dir.join("config")))
        .and_then(|t| config_user_name(&t));
    if local.is_some() {
        return local;
    }
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".config")));
    home.map(|h| h.join(".gitconfig"))
        .into_iter()
        .chain(xdg.map(|x| x.join("git/config")))
        .find_map(|p| read(&p).and_then(|t| config_user_name(&t)))
}

/// --assignee, else $WM_ASSIGNEE, else git's user.name, else $USER.
fn assignee(ctx: &Ctx, flag: Option<String>) -> CliResult<String> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    flag.filter(|v| !v.trim().is_empty())
        .or_else(|| env("WM_ASSIGNEE"))
        .or_else(|| git_user_name(&ctx.cwd))
        .or_else(|| env("USER"))
        .or_else(|| env("USERNAME"))
        .map(|v| v.trim().to_string())
        .ok_or_else(|| {
            CliError::Core(Error::Usage(
                "no assignee: pass --assignee NAME or set $WM_ASSIGNEE".into(),
            ))
        })
}

pub fn run(ctx: &Ctx, a: ClaimArgs) -> CliResult {
    let who = assignee(ctx, a.assignee)?;
    let scope = a.scope.scope();
    let result = ctx.write(false, true, |loaded| {
        let (plan, graph) = (&loaded.plan, &loaded.graph);
        match schedule::next(plan, graph, &scope) {
            Ok(i) => Ok(vec![Op::SetStatus {
                id: plan.task(i).id.clone(),
                to: Transition::Start,
                force: false,
                assignee: Some(who.clone()),
            }]),
            Err(idle) => Err(CliError::Core(idle_error(plan, graph, &idle))),
        }
    });
    let (plan, outcomes) = match result {
        Ok(r) => r,
        Err(CliError::Core(e @ Error::NothingReady { .. })) => {
            if a.json {
                print_idle_json(&e)?;
            }
            return Err(CliError::Core(e));
        }
        Err(e) => return Err(e),
    };
    let Some(i) = outcomes.first().and_then(|o| plan.get(&o.id)) else {
        return Err(CliError::Io(std::io::Error::other("claim changed nothing")));
    };
    if a.json {
        let graph = crate::graph::Graph::build(&plan);
        return super::print_json(&picked_doc(&plan, &graph, i));
    }
    let t = plan.task(i);
    print(&format!("{}\n", t.id))?;
    ctx.note(&format!(
        "claimed for {}: {}",
        escape(&who),
        escape(&t.title)
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::config_user_name;

    #[test]
    fn reads_user_name_from_git_config() {
        let text = "[core]\n\tname = no\n[user]\n\temail = a@b\n\tname = Ada Lovelace\n";
        assert_eq!(config_user_name(text).as_deref(), Some("Ada Lovelace"));
        assert_eq!(config_user_name("[core]\nname = x\n"), None);
    }
}
