use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{CliResult, Ctx};
use wm::error::Error;
use wm::graph::Graph;
use wm::graph::plan::Plan;
use wm::model::StoreFile;
use wm::store::{self, merge};
use wm::validate;

/// Merge tasks.yaml by meaning, as a git merge driver.
///
/// git runs `wm tasks merge-driver %O %A %B` and expects the result in %A.
/// Tasks added on both sides are kept; different fields of one task changed
/// on the two sides are both kept; the same field changed on both sides
/// keeps the later update; a task deleted on one side and changed on the
/// other is kept. Every such decision is reported on stderr. A result with a
/// cycle or a dangling reference is written but reported as a conflict
/// (exit 1), so `git merge` stops and `wm tasks check` explains it.
///
/// Set up once per clone: wm tasks merge-driver install
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MergeDriverArgs {
    #[command(subcommand)]
    pub command: Option<MergeDriverCommand>,
    /// The common ancestor (%O).
    pub base: Option<PathBuf>,
    /// Our version (%A); receives the result.
    pub ours: Option<PathBuf>,
    /// Their version (%B).
    pub theirs: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum MergeDriverCommand {
    /// Register the driver: a `.gitattributes` line and the repository's
    /// git config entry (`merge.wm-tasks.driver`).
    ///
    /// Example: wm tasks merge-driver install
    Install,
}

fn read(path: &Path) -> CliResult<StoreFile> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    // An empty side (file added on both branches) merges as an empty store.
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(StoreFile::default());
    }
    Ok(store::parse(path, &bytes)?)
}

pub fn run(ctx: &Ctx, a: MergeDriverArgs) -> CliResult {
    if let Some(MergeDriverCommand::Install) = a.command {
        return install(ctx);
    }
    let (Some(base), Some(ours), Some(theirs)) = (a.base, a.ours, a.theirs) else {
        return Err(Error::Usage(
            "usage: wm tasks merge-driver BASE OURS THEIRS (or `merge-driver install`)".into(),
        )
        .into());
    };
    // Any side that cannot be read leaves %A untouched: git then reports a
    // conflict and nothing is lost.
    let (b, o, t) = (read(&base)?, read(&ours)?, read(&theirs)?);
    let merged = merge::merge(&b, &o, &t);
    for r in &merged.reports {
        ctx.note(&format!("wm merge: {}", wm::render::escape(r)));
    }
    let plan = Plan::new(merged.file);
    let graph = Graph::build(&plan);
    let errors = validate::errors(&validate::check(&plan, &graph));
    // Through the store's write path: locked, atomic, the modeline of our
    // side kept.
    store::replace(&ours, ctx.lock_timeout, plan)?;
    if errors.is_empty() {
        return Ok(());
    }
    let mut msg = String::from(
        "the merged tasks.yaml is invalid; fix it (`wm tasks show`, `wm tasks dep rm`), then `git add` it:",
    );
    for p in errors {
        msg.push_str(&format!("\n  {p}"));
    }
    Err(Error::rule(msg, vec![]).into())
}

fn install(ctx: &Ctx) -> CliResult {
    let Some((root, git)) = store::git_dir(&ctx.cwd) else {
        return Err(Error::Usage(
            "`merge-driver install` needs a git repository; run it inside one".into(),
        )
        .into());
    };
    let store_path = ctx.location().path;
    let rel = store_path
        .strip_prefix(&root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| store::FILE_NAME.to_string());
    let attributes = root.join(".gitattributes");
    let line = format!("{rel} merge=wm-tasks");
    let existing = std::fs::read_to_string(&attributes).unwrap_or_default();
    if existing.lines().any(|l| l.trim() == line) {
        ctx.note(&format!(
            "{} already routes {rel} to the driver",
            attributes.display()
        ));
    } else {
        let mut text = existing.clone();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&line);
        text.push('\n');
        store::write_atomic(&attributes, text.as_bytes(), false)?;
        ctx.note(&format!("added `{line}` to {}", attributes.display()));
    }
    // The common config (not a worktree's private one) carries the driver.
    let common = std::fs::read_to_string(git.join("commondir"))
        .ok()
        .map(|c| git.join(c.trim()))
        .unwrap_or(git);
    let config = common.join("config");
    let text = std::fs::read_to_string(&config).unwrap_or_default();
    if text.contains("[merge \"wm-tasks\"]") {
        ctx.note(&format!(
            "{} already defines the wm-tasks merge driver",
            config.display()
        ));
    } else {
        let mut text = text;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(
            "[merge \"wm-tasks\"]\n\tname = wm tasks semantic merge of tasks.yaml\n\tdriver = wm tasks merge-driver %O %A %B\n",
        );
        store::write_atomic(&config, text.as_bytes(), false)?;
        ctx.note(&format!(
            "registered the wm-tasks merge driver in {}",
            config.display()
        ));
    }
    Ok(())
}
