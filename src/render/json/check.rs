//! `check --json`: the store's validation report, and the CI gates.

use serde::Serialize;

use super::Document;
use crate::store::report::{Finding, Report};
use crate::validate::{Fix, Severity};

/// How a caller says a problem's repair (the CLI names its commands; the
/// library does not know them).
pub type HintText = fn(&Fix) -> String;

/// `check --json` without a gate: the store's validation report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// The number of problems of severity `error`.
    pub errors: usize,
    /// The store, relative to the repository root (else as found).
    pub file: String,
    /// No errors (with `--strict`, no warnings either).
    pub ok: bool,
    /// Errors first, then warnings, each in file order.
    pub problems: Vec<Problem>,
    /// `--strict` was given (warnings are then reported as errors).
    pub strict: bool,
    /// Tasks in the store; null when it could not be parsed.
    pub tasks: Option<usize>,
    /// The number of problems of severity `warning`.
    pub warnings: usize,
}

/// PROBLEM: one finding of store validation, located in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The stable kind, e.g. `cycle`, `dangling-dependency` (docs/json.md
    /// lists them all).
    pub code: &'static str,
    /// 1-based column, for parse errors.
    pub column: Option<u64>,
    /// A command that repairs it, when there is one.
    pub hint: Option<String>,
    /// 1-based line: the offending task's `id:` line, or the exact line of
    /// a parse error.
    pub line: u64,
    /// What is wrong, in a sentence.
    pub message: String,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// Ids of the tasks involved, the offending task first.
    pub tasks: Vec<String>,
}

impl Problem {
    /// A located finding of store validation as PROBLEM, its repair said
    /// by `hint`.
    pub fn new(f: &Finding, hint: HintText) -> Problem {
        Problem {
            severity: match f.problem.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            code: f.problem.code.as_str(),
            message: f.problem.message.clone(),
            tasks: f.problem.tasks.clone(),
            hint: f.problem.fix.as_ref().map(hint).filter(|h| !h.is_empty()),
            line: f.line,
            column: f.column,
        }
    }
}

/// The check report of `report` (already made strict if `strict`), for
/// the store shown as `file`.
pub fn check_doc(
    file: &str,
    report: &Report,
    strict: bool,
    hint: HintText,
) -> Document<CheckReport> {
    let errors = report.count(Severity::Error);
    Document::new(CheckReport {
        file: file.to_string(),
        ok: errors == 0,
        strict,
        errors,
        warnings: report.count(Severity::Warning),
        tasks: report.tasks,
        problems: report
            .findings
            .iter()
            .map(|f| Problem::new(f, hint))
            .collect(),
    })
}

/// `check --json` with `--commits` or `--require-linked`: the gates'
/// findings beside the store's errors (the gates need a valid store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateReport {
    /// The number of errors: the store's errors plus the gate findings
    /// (each finding is an error, printed as `::error` in GitHub format).
    pub errors: usize,
    /// The store, relative to the repository root (else as found).
    pub file: String,
    /// One per commit or task that fails a gate.
    pub findings: Vec<GateFinding>,
    /// No gate finding and no store error.
    pub ok: bool,
    /// The store's errors (the gates run only on a valid store, so in
    /// practice empty).
    pub problems: Vec<Problem>,
    /// Always 0: with a gate, store validation reports only its errors.
    pub warnings: usize,
}

/// One commit or task that fails a gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateFinding {
    /// `unreferenced-commit` (`--commits`) or `unlinked-task`
    /// (`--require-linked`).
    pub code: &'static str,
    /// The commit's full sha, for `unreferenced-commit`.
    pub commit: Option<String>,
    /// Where the task is: the store's path from the repository's working
    /// tree, for `unlinked-task`.
    pub file: Option<String>,
    /// The task's line in `file`, for `unlinked-task`.
    pub line: Option<u64>,
    /// As printed in text form.
    pub message: String,
    /// The task's id, for `unlinked-task`.
    pub task: Option<String>,
}

/// The gate report: `report` holds the store's errors (warnings dropped),
/// `findings` the gates' findings.
pub fn gate_doc(
    file: &str,
    report: &Report,
    findings: Vec<GateFinding>,
    hint: HintText,
) -> Document<GateReport> {
    let errors = report.count(Severity::Error) + findings.len();
    Document::new(GateReport {
        file: file.to_string(),
        ok: errors == 0,
        errors,
        warnings: report.count(Severity::Warning),
        problems: report
            .findings
            .iter()
            .map(|f| Problem::new(f, hint))
            .collect(),
        findings,
    })
}
