//! GitHub Actions: after `wm tasks check`, when `GITHUB_ACTIONS=true`,
//! append a job summary to `$GITHUB_STEP_SUMMARY` and step outputs
//! (`errors`, `warnings`, `ready`, `tasks`) to `$GITHUB_OUTPUT`.

use std::io::Write as _;
use std::path::PathBuf;

use super::Ctx;
use wm::git::gates;
use wm::render::summary::{self, Item, Totals};
use wm::store::report::Report;
use wm::validate::Severity;

/// Where the summary and outputs go, when running in GitHub Actions.
pub struct Actions {
    pub summary: Option<PathBuf>,
    pub output: Option<PathBuf>,
}

impl Actions {
    /// From the environment: `None` outside GitHub Actions.
    pub fn from_env() -> Option<Actions> {
        if std::env::var("GITHUB_ACTIONS").ok().as_deref() != Some("true") {
            return None;
        }
        let path = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Some(Actions {
            summary: path("GITHUB_STEP_SUMMARY"),
            output: path("GITHUB_OUTPUT"),
        })
    }
}

/// Write the summary and outputs of a check whose store findings are
/// `report` (None when the store could not be read) and whose gate
/// findings are `gate`. Failing to write them is a warning, not a change
/// of check's verdict.
pub fn after_check(ctx: &Ctx, file: &str, report: Option<&Report>, gate: &[gates::Violation]) {
    let Some(gh) = Actions::from_env() else {
        return;
    };
    let mut items: Vec<Item> = Vec::new();
    if let Some(r) = report {
        items.extend(r.findings.iter().map(|f| Item {
            severity: match f.problem.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            code: f.problem.code.to_string(),
            message: super::command_error::problem_text(&f.problem),
            line: Some(f.line),
            task: f.problem.tasks.first().cloned(),
        }));
    }
    items.extend(gate.iter().map(|f| {
        Item {
            severity: "error",
            code: f.code.to_string(),
            message: super::command_error::violation_text(f),
            line: f
                .task
                .as_ref()
                .and_then(|t| report.and_then(|r| r.lines.line_of(t))),
            task: f.task.clone(),
        }
    }));
    let loaded = ctx.load().ok();
    let valid = loaded.as_ref().is_some_and(|l| l.errors().is_empty());
    let plan = loaded.as_ref().map(|l| (l.plan(), l.graph()));
    if let Some(path) = &gh.summary {
        let text = summary::render(file, &items, plan, valid);
        if let Err(e) = append(path, &text) {
            warn(&format!(
                "warning: cannot write the job summary to {}: {e}",
                path.display()
            ));
        }
    }
    if let Some(path) = &gh.output {
        let text = summary::outputs(&Totals::of(&items, plan, valid));
        if let Err(e) = append(path, &text) {
            warn(&format!(
                "warning: cannot write step outputs to {}: {e}",
                path.display()
            ));
        }
    }
}

fn warn(msg: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{msg}");
}

fn append(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())
}
