//! `wm tasks check`: validate the whole store, and the CI gates.
//!
//! Two independent parts add findings: store validation (always), and the
//! git gates (`--commits`, `--require-linked`) when asked for. Both are
//! rendered in one of three formats.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use regex::Regex;

use super::command_error::{fix_hint, problem_line, problem_text, violation_text};
use super::{CliError, CliResult, Ctx, git_util, print, print_json};
use wm::error::{Error, ErrorClass};
use wm::git::gates::{self, Violation};
use wm::render::json::check::{GateFinding, check_doc, gate_doc};
use wm::render::{self, escape};
use wm::store::report::{self, Report};
use wm::validate::Severity;

/// Validate the whole store, and optionally gate CI on the git history.
///
/// Store validation: parse and schema errors (unknown fields, wrong types,
/// with line and column), duplicate ids, dangling references, cycles (with
/// the path), phase-order edges, unknown phases, completed tasks with
/// unfinished dependencies, completed epics with open children, and tasks
/// whose `issue` disagrees with their `GH#N` title. Exit 0 when there is no
/// error (warnings are printed), 5 when there is one; --strict counts
/// warnings as errors.
///
/// Git gates (need a repository; exit 3 when one fails):
/// --commits REV-RANGE fails for every non-merge commit of the range whose
/// message references no task (id, unique 8+ character prefix, `Task:`
/// trailer) and no issue that has tasks (`GH#N`), and that is not linked
/// with `wm tasks link`; --allow exempts messages matching a regular
/// expression (repeatable). --require-linked fails for every completed task
/// with no linked commit (epics and cancelled tasks are exempt). With a
/// gate, store validation reports only its errors.
///
/// `--format github` prints GitHub Actions annotations on the offending
/// task's line (`::error file=tasks.yaml,line=L::...`).
///
/// In GitHub Actions (GITHUB_ACTIONS=true), whatever the format, check also
/// appends a job summary to $GITHUB_STEP_SUMMARY (totals, every finding,
/// per issue its progress and Mermaid graph) and `errors`, `warnings`,
/// `ready` and `tasks` to $GITHUB_OUTPUT.
///
/// Examples:
///   wm tasks check
///   wm tasks check --strict --format github
///   wm tasks check --json | jq '.problems[] | select(.severity == "error")'
///   wm tasks check --commits origin/main..HEAD --allow '^chore:'
///   wm tasks check --require-linked --format github
///   GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=summary.md wm tasks check
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
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
    /// Fail for commits of this range that reference no task or issue.
    #[arg(long, value_name = "REV-RANGE")]
    pub commits: Option<String>,
    /// Exempt commits whose message matches this regex (repeatable).
    #[arg(long, value_name = "PATTERN", requires = "commits")]
    pub allow: Vec<String>,
    /// Fail for completed tasks without a linked commit.
    #[arg(long)]
    pub require_linked: bool,
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
    let gated = a.commits.is_some() || a.require_linked;
    let mut gate_findings = Vec::new();
    let result = if !gated {
        match check_store(ctx, format, a.strict) {
            Ok(true) => Ok(()),
            Ok(false) => Err(CliError::Exit(ErrorClass::Store)),
            Err(e) => Err(e),
        }
    } else {
        run_gates(ctx, &a, format, &mut gate_findings)
    };
    // In GitHub Actions: the job summary and step outputs (cli/actions.rs).
    if super::actions::Actions::from_env().is_some()
        && let Ok((file, mut report)) = store_report(ctx, a.strict && !gated, true)
    {
        if gated {
            report
                .findings
                .retain(|f| f.problem.severity == Severity::Error);
        }
        super::actions::after_check(ctx, &file, Some(&report), &gate_findings);
    }
    result
}

/// The store path as annotations and messages show it: relative to the
/// repository root (GitHub resolves annotation paths from there), else to
/// the current directory, else as is.
fn display_path(ctx: &Ctx, path: &Path) -> PathBuf {
    // The repository root as `store::locate` sees it: the nearest
    // directory holding `.git`.
    let root = wm::git::root::find(path.parent().unwrap_or(path)).map(|r| r.work_tree);
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
    let (file, report) = store_report(ctx, strict, false)?;
    let file = file.as_str();
    if let Some(problem) = ctx
        .existing_location()
        .ok()
        .and_then(|l| super::merge_driver::driver_problem(&l.path))
    {
        ctx.note(&format!("warning: {}", escape(&problem)));
    }
    let errors = report.count(Severity::Error);
    match format {
        CheckFormat::Json => print_json(&check_doc(file, &report, strict, fix_hint))?,
        CheckFormat::Github => {
            print(&github_lines(file, &report))?;
            ctx.note(&summary(file, &report));
        }
        CheckFormat::Text => {
            let mut s = text_lines(file, &report);
            s.push_str(&summary(file, &report));
            s.push('\n');
            print(&s)?;
        }
    }
    Ok(errors == 0)
}

/// Validate tasks.yaml: the path as shown, and the located findings.
/// With `lines`, every task's line is known too (not only the lines of
/// findings), for what places tasks in the file.
fn store_report(ctx: &Ctx, strict: bool, lines: bool) -> CliResult<(String, Report)> {
    let loc = ctx.existing_location()?;
    // A store whose snapshot matches is checked from it, as every read
    // restores it: the snapshot holds the problems its plan has (a write
    // leaves the ones its check found, which are the same).
    let cache = super::cache_file(&loc.path);
    let mut report = report::validate_cached(
        &loc.path,
        cache.as_deref(),
        // Parsing the whole file: huge pages help on a big store.
        || crate::memory::for_store(&loc.path),
        lines,
    )?;
    if strict {
        report = report.strict();
    }
    let shown = display_path(ctx, &loc.path);
    Ok((shown.to_string_lossy().replace('\\', "/"), report))
}

fn github_lines(file: &str, report: &Report) -> String {
    let mut s = String::new();
    for f in &report.findings {
        s.push_str(&render::github_annotation(
            match f.problem.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            file,
            f.line,
            f.column,
            &format!("wm tasks check: {}", f.problem.code),
            &problem_text(&f.problem),
        ));
        s.push('\n');
    }
    s
}

fn text_lines(file: &str, report: &Report) -> String {
    let mut s = String::new();
    for f in &report.findings {
        let at = match f.column {
            Some(c) => format!("{file}:{}:{c}", f.line),
            None => format!("{file}:{}", f.line),
        };
        s.push_str(&format!(
            "{at}: {}\n",
            render::escape(&problem_line(&f.problem))
        ));
    }
    s
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

/// The git gates, with the store's errors (not its warnings) beside them.
fn run_gates(
    ctx: &Ctx,
    a: &CheckArgs,
    format: CheckFormat,
    found: &mut Vec<Violation>,
) -> CliResult {
    let allow = a
        .allow
        .iter()
        .map(|p| {
            Regex::new(p)
                .map_err(|e| Error::Usage(format!("--allow `{p}` is not a valid regex: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (shown, mut report) = store_report(ctx, false, true)?;
    report
        .findings
        .retain(|f| f.problem.severity == Severity::Error);
    let store_errors = report.findings.len();
    if store_errors > 0 {
        // The gates need a readable, valid store: report why not.
        match format {
            CheckFormat::Json => print_json(&check_doc(&shown, &report, false, fix_hint))?,
            CheckFormat::Github => print(&github_lines(&shown, &report))?,
            CheckFormat::Text => print(&text_lines(&shown, &report))?,
        }
        return Err(CliError::Exit(ErrorClass::Store));
    }
    let loaded = ctx.load()?;
    let mut findings: Vec<Violation> = Vec::new();
    if let Some(range) = &a.commits {
        let repo = git_util::repo(ctx)?;
        let commits = repo.range(range)?;
        findings.extend(gates::unreferenced_commits(loaded.plan(), &commits, &allow));
    }
    if a.require_linked {
        findings.extend(gates::unlinked_completed(loaded.plan()));
    }
    found.extend(findings.iter().cloned());
    let file = annotation_path(ctx, loaded.path());
    let line_of = |f: &Violation| f.task.as_ref().and_then(|t| report.lines.line_of(t));

    match format {
        CheckFormat::Json => {
            let gated = findings
                .iter()
                .map(|f| GateFinding {
                    code: f.code,
                    message: violation_text(f),
                    task: f.task.clone(),
                    commit: f.commit.clone(),
                    file: f.task.as_ref().map(|_| file.clone()),
                    line: line_of(f),
                })
                .collect();
            print_json(&gate_doc(&shown, &report, gated, fix_hint))?
        }
        CheckFormat::Text => {
            let mut s = String::new();
            for f in &findings {
                match line_of(f) {
                    Some(l) => {
                        let _ = writeln!(s, "{file}:{l}: {}", escape(&violation_text(f)));
                    }
                    None => {
                        let _ = writeln!(s, "{}", escape(&violation_text(f)));
                    }
                }
            }
            print(&s)?;
        }
        CheckFormat::Github => {
            let mut s = String::new();
            for f in &findings {
                let msg = gh_escape(&violation_text(f), false);
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
