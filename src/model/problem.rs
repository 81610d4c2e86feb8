//! Problems with a store: what `check` reports, what a write may not add,
//! what an invalid store is refused with. Plain data (the rules that find
//! them are `validate`), so that errors can carry them without depending
//! on the rules.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The graph cannot be trusted: commands that need it refuse.
    Error,
    /// Suspicious but consistent; `check --strict` makes it an error.
    Warning,
}

/// What kind of problem a [`Problem`] is: a stable, machine-readable code
/// (`cycle`, `dangling-dependency`, ...), the same in text, JSON and
/// annotations. Parse errors of a file are problems too (`parse`,
/// `unknown-field`, ...), when `check` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    BadEstimate,
    BaselineAfterWork,
    CompletedBeforeDependencies,
    Cycle,
    DanglingDependency,
    DanglingParent,
    DuplicateId,
    EmptyTitle,
    EpicOpenChildren,
    InvalidId,
    IssueMismatch,
    ParentNotEpic,
    PhaseOrder,
    UngatedVerify,
    UnknownPhase,
    Workflow,
    Parse,
    UnknownField,
    MissingField,
    InvalidValue,
    NewerVersion,
    DuplicateTitle,
    BadPriority,
}

impl Code {
    /// Every code, for documentation and codecs.
    pub const ALL: [Code; 23] = [
        Code::BadEstimate,
        Code::BaselineAfterWork,
        Code::CompletedBeforeDependencies,
        Code::Cycle,
        Code::DanglingDependency,
        Code::DanglingParent,
        Code::DuplicateId,
        Code::EmptyTitle,
        Code::EpicOpenChildren,
        Code::InvalidId,
        Code::IssueMismatch,
        Code::ParentNotEpic,
        Code::PhaseOrder,
        Code::UngatedVerify,
        Code::UnknownPhase,
        Code::Workflow,
        Code::Parse,
        Code::UnknownField,
        Code::MissingField,
        Code::InvalidValue,
        Code::NewerVersion,
        Code::DuplicateTitle,
        Code::BadPriority,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::BadEstimate => "bad-estimate",
            Code::BaselineAfterWork => "baseline-after-work",
            Code::CompletedBeforeDependencies => "completed-before-dependencies",
            Code::Cycle => "cycle",
            Code::DanglingDependency => "dangling-dependency",
            Code::DanglingParent => "dangling-parent",
            Code::DuplicateId => "duplicate-id",
            Code::EmptyTitle => "empty-title",
            Code::EpicOpenChildren => "epic-open-children",
            Code::InvalidId => "invalid-id",
            Code::IssueMismatch => "issue-mismatch",
            Code::ParentNotEpic => "parent-not-epic",
            Code::PhaseOrder => "phase-order",
            Code::UngatedVerify => "ungated-verify",
            Code::UnknownPhase => "unknown-phase",
            Code::Workflow => "workflow",
            Code::Parse => "parse",
            Code::UnknownField => "unknown-field",
            Code::MissingField => "missing-field",
            Code::InvalidValue => "invalid-value",
            Code::NewerVersion => "newer-version",
            Code::DuplicateTitle => "duplicate-title",
            Code::BadPriority => "bad-priority",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One finding about a store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Problem {
    pub severity: Severity,
    /// Stable machine-readable kind, e.g. `cycle`, `dangling-dependency`.
    pub code: Code,
    pub message: String,
    /// Ids of the tasks involved, the offending task first.
    pub tasks: Vec<String>,
    /// How to repair it, when there is a way. The core names the repair;
    /// a caller says it in its own terms (the CLI names the command).
    pub fix: Option<Fix>,
}

/// How a [`Problem`] can be repaired, by task id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fix {
    /// Give `task` a valid estimate.
    Estimate { task: String },
    /// Give `task` a priority from 0 to 4.
    Priority { task: String },
    /// Delete `task`, an extra copy.
    Delete { task: String },
    /// Remove the edge `task` -> `on` (a dependency that does not exist).
    RemoveEdge { task: String, on: String },
    /// Break a cycle by removing any one of these explicit edges (task,
    /// dependency); `more` further explicit edges of it would do as well.
    BreakCycle {
        edges: Vec<(String, String)>,
        more: usize,
    },
    /// Remove the edge `task` -> `on`, or move one of them to another phase.
    RemoveEdgeOrMove { task: String, on: String },
    /// Remove `task`'s explicit edges, or move it out of `phase`.
    LeavePhase { task: String, phase: String },
    /// Check `task`'s phase, and make it that phase's verification.
    Gate { task: String },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}[{}]: {}", self.code, self.message)
    }
}

impl Problem {
    pub(crate) fn error(code: Code, message: String, tasks: Vec<String>) -> Problem {
        Problem {
            severity: Severity::Error,
            code,
            message,
            tasks,
            fix: None,
        }
    }

    pub(crate) fn with_fix(mut self, fix: Fix) -> Problem {
        self.fix = Some(fix);
        self
    }
    pub(crate) fn warning(code: Code, message: String, tasks: Vec<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            code,
            message,
            tasks,
            fix: None,
        }
    }
}
