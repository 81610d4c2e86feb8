//! `wm tasks check`: validate the whole store.
//!
//! Structure: [`check_store`] validates tasks.yaml and prints its findings;
//! `run` combines its verdict with any other gate (kept separate so more
//! checks can be added beside it).

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{CliError, CliResult, Ctx, print, print_json};
use crate::check::Severity;
use crate::error::{Error, ErrorClass};
use crate::render::{self, json::SCHEMA_VERSION};
use crate::report::{self, Report};

/// Validate the whole store: parse and schema errors (unknown fields, wrong
/// types, with line and column), duplicate ids, dangling references, cycles
/// (with the path), phase-order edges, unknown phases, completed tasks with
/// unfinished dependencies, completed epics with open children, and tasks
/// whose `issue` disagrees with their `GH#N` title.
///
/// Exit 0 when there is no error (warnings are printed), 5 when there is
/// one; --strict counts warnings as errors. `--format github` prints
/// GitHub Actions annotations on the offending task's line.
///
/// Examples:
///   wm tasks check
///   wm tasks check --strict --format github
///   wm tasks check --json | jq '.problems[] | select(.severity == "error")'
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Print JSON (same as --format json).
    #[arg(long)]
    pub json: bool,
    /// Treat warnings as errors (exit 5 on any finding).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// `file:line: error[code]: message` lines and a summary.
    Text,
    /// The documented JSON contract (docs/json.md).
    Json,
    /// GitHub Actions workflow commands (`::error file=..,line=..::msg`).
    Github,
}

pub fn run(ctx: &Ctx, a: CheckArgs) -> CliResult {
    let format = if a.json { CheckFormat::Json } else { a.format };
    let store_ok = check_store(ctx, format, a.strict)?;
    if store_ok {
        Ok(())
    } else {
        Err(CliError::Exit(ErrorClass::Store))
    }
}

/// The store path as annotations and messages show it: relative to the
/// repository root (GitHub resolves annotation paths from there), else to
/// the current directory, else as is.
fn display_path(ctx: &Ctx, path: &Path) -> PathBuf {
    let root = crate::gitrefs::discover(path.parent().unwrap_or(path)).map(|r| r.work_tree);
    for base in root.iter().chain(std::iter::once(&ctx.cwd)) {
        if let Ok(rel) = path.strip_prefix(base) {
            return rel.to_path_buf();
        }
    }
    path.to_path_buf()
}

/// Validate tasks.yaml and print the findings in `format`. Returns whether
/// the store passes (no errors; with `strict`, no warnings either).
pub fn check_store(ctx: &Ctx, format: CheckFormat, strict: bool) -> CliResult<bool> {
    let loc = ctx.location();
    if !loc.exists {
        return Err(Error::NoStore {
            searched: if ctx.file.is_some() {
                loc.path
            } else {
                ctx.cwd.clone()
            },
        }
        .into());
    }
    let bytes = crate::store::read(&loc.path)?;
    let mut report = report::validate(&loc.path, &bytes)?;
    if strict {
        report = report.strict();
    }
    let shown = display_path(ctx, &loc.path);
    let file = shown.to_string_lossy();
    let errors = report.count(Severity::Error);
    match format {
        CheckFormat::Json => print_json(&json_doc(&file, &report, strict))?,
        CheckFormat::Github => {
            let mut s = String::new();
            for f in &report.findings {
                s.push_str(&render::github_annotation(
                    match f.problem.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    },
                    &file,
                    f.line,
                    f.column,
                    &format!("wm tasks check: {}", f.problem.code),
                    &problem_text(&f.problem),
                ));
                s.push('\n');
            }
            print(&s)?;
            ctx.note(&summary(&file, &report));
        }
        CheckFormat::Text => {
            let mut s = String::new();
            for f in &report.findings {
                let at = match f.column {
                    Some(c) => format!("{file}:{}:{c}", f.line),
                    None => format!("{file}:{}", f.line),
                };
                s.push_str(&format!(
                    "{at}: {}\n",
                    render::escape(&f.problem.to_string())
                ));
            }
            s.push_str(&summary(&file, &report));
            s.push('\n');
            print(&s)?;
        }
    }
    Ok(errors == 0)
}

fn problem_text(p: &crate::check::Problem) -> String {
    match &p.hint {
        Some(h) => format!("{}; {h}", p.message),
        None => p.message.clone(),
    }
}

fn summary(file: &str, r: &Report) -> String {
    let (e, w) = (r.count(Severity::Error), r.count(Severity::Warning));
    let tasks = r
        .tasks
        .map(|n| format!(" ({n} task{})", if n == 1 { "" } else { "s" }))
        .unwrap_or_default();
    if e == 0 && w == 0 {
        return format!("{file}: ok{tasks}");
    }
    format!(
        "{file}: {e} error{}, {w} warning{}{tasks}",
        if e == 1 { "" } else { "s" },
        if w == 1 { "" } else { "s" },
    )
}

fn json_doc(file: &str, r: &Report, strict: bool) -> serde_json::Value {
    serde_json::json!({
        "schema_version": SCHEMA_VERSION,
        "file": file,
        "ok": r.count(Severity::Error) == 0,
        "strict": strict,
        "errors": r.count(Severity::Error),
        "warnings": r.count(Severity::Warning),
        "tasks": r.tasks,
        "problems": r.findings,
    })
}
