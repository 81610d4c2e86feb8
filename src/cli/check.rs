//! `wm tasks check`: CI gates.
//!
//! Structured as a list of findings gathered by independent parts, then
//! rendered in one of three formats. This version holds the git gates
//! (`--commits`, `--allow`, `--require-linked`); store validation is one
//! more part that adds its findings to the same list (see `run`).

use std::fmt::Write;
use std::path::Path;

use clap::{Args, ValueEnum};
use regex::Regex;

use super::{CliResult, Ctx, git_util, print, print_json};
use crate::error::Error;
use crate::gates::{self, Finding};
use crate::render::{escape, json::SCHEMA_VERSION};

/// Check the plan for CI: commits that reference no task, completed tasks
/// without commits.
///
/// Exit 0 when every requested check passes, 3 when one fails (the
/// findings are printed on stdout), 2 outside a Git repository for the git
/// checks.
///
/// --commits REV-RANGE fails for every non-merge commit of the range whose
/// message references no task (id, unique 8+ character prefix, `Task:`
/// trailer) and no issue that has tasks (`GH#N`), and that is not linked
/// with `wm tasks link`. --allow exempts messages matching a regular
/// expression (repeatable).
///
/// --require-linked fails for every completed task with no linked commit;
/// epics and cancelled tasks are exempt.
///
/// --format github prints GitHub Actions annotations
/// (`::error file=tasks.yaml,line=L::...`, L being the task's `- id:` line).
///
/// Examples:
///   wm tasks check --commits origin/main..HEAD --allow '^chore:' --allow '^Merge'
///   wm tasks check --require-linked --format github
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Fail for commits of this range that reference no task or issue.
    #[arg(long, value_name = "REV-RANGE")]
    pub commits: Option<String>,
    /// Exempt commits whose message matches this regex (repeatable).
    #[arg(long, value_name = "PATTERN", requires = "commits")]
    pub allow: Vec<String>,
    /// Fail for completed tasks without a linked commit.
    #[arg(long)]
    pub require_linked: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// One line per finding.
    Text,
    /// `{"schema_version", "ok", "findings": [...]}`.
    Json,
    /// GitHub Actions workflow commands.
    Github,
}

pub fn run(ctx: &Ctx, a: CheckArgs) -> CliResult {
    let allow = a
        .allow
        .iter()
        .map(|p| {
            Regex::new(p)
                .map_err(|e| Error::Usage(format!("--allow `{p}` is not a valid regex: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let loaded = ctx.load()?;
    let mut findings: Vec<Finding> = Vec::new();
    // Store validation goes here (merged from the general `check`); until
    // then a store with errors is reported as such (exit 5).
    if a.commits.is_none() && !a.require_linked {
        loaded.require_valid()?;
    }
    if let Some(range) = &a.commits {
        let repo = git_util::repo(ctx)?;
        let commits = repo.range(range)?;
        findings.extend(gates::unreferenced_commits(&loaded.plan, &commits, &allow));
    }
    if a.require_linked {
        findings.extend(gates::unlinked_completed(&loaded.plan));
    }
    let text = std::fs::read_to_string(&loaded.path).unwrap_or_default();
    let lines = gates::task_lines(&text);
    let file = annotation_path(ctx, &loaded.path);
    let line_of = |f: &Finding| f.task.as_ref().and_then(|t| lines.get(t).copied());

    match a.format {
        CheckFormat::Json => print_json(&serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "ok": findings.is_empty(),
            "findings": findings.iter().map(|f| serde_json::json!({
                "code": f.code,
                "message": f.message,
                "task": f.task,
                "commit": f.commit,
                "file": f.task.as_ref().map(|_| &file),
                "line": line_of(f),
            })).collect::<Vec<_>>(),
        }))?,
        CheckFormat::Text => {
            let mut s = String::new();
            for f in &findings {
                match line_of(f) {
                    Some(l) => {
                        let _ = writeln!(s, "{file}:{l}: {}", escape(&f.message));
                    }
                    None => {
                        let _ = writeln!(s, "{}", escape(&f.message));
                    }
                }
            }
            print(&s)?;
        }
        CheckFormat::Github => {
            let mut s = String::new();
            for f in &findings {
                let msg = gh_escape(&f.message, false);
                match line_of(f) {
                    Some(l) => {
                        let _ =
                            writeln!(s, "::error file={},line={l}::{msg}", gh_escape(&file, true));
                    }
                    None => {
                        let _ = writeln!(s, "::error::{msg}");
                    }
                }
            }
            print(&s)?;
        }
    }
    if findings.is_empty() {
        ctx.note("check passed");
        Ok(())
    } else {
        Err(Error::rule(
            format!(
                "check failed: {} finding{}",
                findings.len(),
                if findings.len() == 1 { "" } else { "s" }
            ),
            findings.iter().filter_map(|f| f.task.clone()).collect(),
        )
        .into())
    }
}

/// The store's path as annotations name it: relative to the repository's
/// working tree (GitHub resolves it against the checkout), else as given.
fn annotation_path(ctx: &Ctx, store: &Path) -> String {
    let rel = git_util::repo_opt(ctx).and_then(|r| {
        let root = r.workdir()?.canonicalize().ok()?;
        let store = store.canonicalize().ok()?;
        store.strip_prefix(&root).ok().map(Path::to_path_buf)
    });
    rel.unwrap_or_else(|| store.file_name().map(Into::into).unwrap_or_default())
        .to_string_lossy()
        .replace('\\', "/")
}

/// Escape data (and with `property`, a property value) for a GitHub
/// workflow command.
fn gh_escape(s: &str, property: bool) -> String {
    let mut out = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}
