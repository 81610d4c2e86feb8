//! Completion that offers values: task ids (with their titles), types,
//! statuses, phases and templates, read from the store when the shell
//! asks. The shell script `wm completions SHELL` prints registers `wm`
//! itself as the completer (clap_complete's dynamic completion): on TAB
//! the shell runs `COMPLETE=SHELL wm -- WORDS...`, answered here before
//! any command runs.

use std::ffi::OsStr;
use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};

use super::Cli;
use wm::model::{Status, TaskType};

/// The variable that turns a run into a completion request.
pub const VAR: &str = "COMPLETE";

/// `wm`'s command tree with value completers on every argument that takes
/// a task id, a type, a status, a phase or a template.
pub fn command() -> clap::Command {
    // Built first: a subcommand's arguments exist only once it is (see
    // `defer` on `TasksCommand`), and building gives every subcommand its
    // copy of the global options to attach completers to.
    let mut cmd = Cli::command();
    cmd.build();
    attach(cmd)
}

fn attach(mut cmd: clap::Command) -> clap::Command {
    // `mut_arg` moves an argument to the end: pin positionals' indexes
    // first (moving each, in order, keeps their order).
    let positionals: Vec<String> = cmd
        .get_positionals()
        .map(|a| a.get_id().to_string())
        .collect();
    for (k, id) in positionals.into_iter().enumerate() {
        cmd = cmd.mut_arg(id, |a| a.index(k + 1));
    }
    let ids: Vec<(String, Kind)> = cmd
        .get_arguments()
        .filter_map(|a| kind(a).map(|k| (a.get_id().to_string(), k)))
        .collect();
    for (id, k) in ids {
        cmd = cmd.mut_arg(id, |a| a.add(completer(k)));
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        cmd = cmd.mut_subcommand(name, attach);
    }
    cmd
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Id,
    Type,
    Status,
    Phase,
    Template,
    Workflow,
    Role,
}

fn kind(a: &clap::Arg) -> Option<Kind> {
    let names: Vec<&str> = a
        .get_value_names()
        .map(|v| v.iter().map(|s| s.as_str()).collect())
        .unwrap_or_default();
    match a.get_id().as_str() {
        "id" | "ids" | "parent" | "depends_on" | "on" => Some(Kind::Id),
        "kind" => Some(Kind::Type),
        "status" => Some(Kind::Status),
        "phase" => Some(Kind::Phase),
        "template" => Some(Kind::Template),
        "workflow" => Some(Kind::Workflow),
        "role" => Some(Kind::Role),
        _ if names.iter().any(|n| *n == "ID" || *n == "DEP") => Some(Kind::Id),
        _ => None,
    }
}

fn completer(k: Kind) -> ArgValueCompleter {
    match k {
        Kind::Id => ArgValueCompleter::new(ids),
        Kind::Type => ArgValueCompleter::new(types),
        Kind::Status => ArgValueCompleter::new(statuses),
        Kind::Phase => ArgValueCompleter::new(phases),
        Kind::Template => ArgValueCompleter::new(templates),
        Kind::Workflow => ArgValueCompleter::new(workflows),
        Kind::Role => ArgValueCompleter::new(roles),
    }
}

fn matching(current: &OsStr, items: Vec<(String, Option<String>)>) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    items
        .into_iter()
        .filter(|(v, _)| v.starts_with(prefix.as_ref()))
        .map(|(v, help)| CompletionCandidate::new(v).help(help.map(Into::into)))
        .collect()
}

/// The store completion reads: $WM_TASKS_FILE, else the nearest
/// tasks.yaml. (`--file` on the command line being completed is not
/// seen: completion runs before parsing.)
fn store() -> Option<wm::store::Loaded> {
    let explicit = std::env::var_os("WM_TASKS_FILE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let cwd = std::env::current_dir().ok()?;
    let loc = wm::store::locate(explicit.as_deref(), &cwd);
    if !loc.exists {
        return None;
    }
    // Through the snapshot, as every read: a TAB press on a big store
    // should not parse it.
    let cache = super::cache_file(&loc.path);
    wm::store::load_cached_or(&loc.path, cache.as_deref(), || {
        crate::memory::for_store(&loc.path)
    })
    .ok()
}

fn ids(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(loaded) = store() else {
        return Vec::new();
    };
    let items = loaded
        .plan()
        .tasks()
        .iter()
        .map(|t| {
            (
                t.id.clone(),
                Some(wm::render::truncate(&wm::render::escape(&t.title), 60)),
            )
        })
        .collect();
    matching(current, items)
}

fn types(current: &OsStr) -> Vec<CompletionCandidate> {
    let items = TaskType::ALL
        .iter()
        .map(|t| (t.as_str().to_string(), None))
        .collect();
    matching(current, items)
}

fn statuses(current: &OsStr) -> Vec<CompletionCandidate> {
    let items = Status::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), None))
        .collect();
    matching(current, items)
}

/// The store's catalog of workflows (the built-ins outside a store).
fn catalog() -> wm::model::workflow::Catalog {
    match store() {
        Some(loaded) => loaded.plan().catalog().clone(),
        None => wm::model::workflow::Catalog::new(&wm::model::workflow::Workflow::default()),
    }
}

/// Every phase of every workflow the store knows; a repeated phase as its
/// first instances (`step-1`, `step-2`, `step-3`).
fn phases(current: &OsStr) -> Vec<CompletionCandidate> {
    let catalog = catalog();
    let mut items = Vec::new();
    for w in catalog.workflows() {
        for p in &w.phases {
            let help = Some(format!("{} ({})", p.name, w.label()));
            match p.repeat {
                wm::model::workflow::Repeat::Once => items.push((p.id.clone(), help)),
                _ => {
                    for n in 1..=3 {
                        items.push((format!("{}-{n}", p.id), help.clone()));
                    }
                }
            }
        }
    }
    matching(current, items)
}

fn workflows(current: &OsStr) -> Vec<CompletionCandidate> {
    let catalog = catalog();
    let mut items = Vec::new();
    for w in catalog.workflows() {
        let help = w.description.clone();
        items.push((w.label().to_string(), help.clone()));
        for a in &w.aliases {
            items.push((a.clone(), Some(format!("= {}", w.label()))));
        }
    }
    matching(current, items)
}

fn roles(current: &OsStr) -> Vec<CompletionCandidate> {
    let items = wm::model::Role::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), None))
        .collect();
    matching(current, items)
}

fn templates(current: &OsStr) -> Vec<CompletionCandidate> {
    let dir = std::env::current_dir()
        .ok()
        .and_then(|d| wm::authoring::template::find_user_dir(&d));
    let Ok(all) = wm::authoring::template::catalog(dir.as_deref()) else {
        return Vec::new();
    };
    let items = all.into_iter().map(|e| (e.name, None)).collect();
    matching(current, items)
}
