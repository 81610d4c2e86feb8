//! The core's one error type. Each variant knows which class of failure it
//! is; the CLI maps classes to exit codes in one place (`cli::exit_code`).

use std::path::PathBuf;

use crate::model::problem::Problem;

/// What kind of failure an error is; one exit code per class.
/// Exhaustive on purpose: a new class must get its own exit code in the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// I/O or internal error (exit 1).
    Io,
    /// The request itself is wrong: bad value, conflicting flags (exit 2).
    Usage,
    /// A rule of the plan refuses the change (exit 3).
    Rule,
    /// An id that matches no task, or more than one (exit 4).
    Id,
    /// The store cannot be read or is invalid (exit 5).
    Store,
    /// Another process holds the store's lock (exit 6).
    Locked,
}

/// How a refused change can still be made. The core names the way; a
/// caller (the CLI) says it in its own terms (`--force`, `wm tasks reopen`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Remedy {
    /// Reopen `task` first.
    Reopen { task: String },
    /// Finish the unfinished dependencies of `task` first, or force the
    /// change (recorded on the task as an override).
    FinishDependenciesOrForce { task: String },
    /// Complete or cancel the epic's open children first, or force.
    CloseChildrenOrForce,
    /// Force the delete, which removes the references to the task.
    ForceDelete,
    /// Give the verification `task` evidence: a reason saying what was
    /// checked, or the commit that shows it.
    Evidence { task: String },
    /// Only an epic carries a workflow: create one with it, or change the
    /// issue's epic.
    WorkflowOnEpic,
    /// The known workflows are listed elsewhere (the CLI's `workflows`).
    SeeWorkflows,
    /// The known templates are listed elsewhere.
    SeeTemplates,
    /// Move `task` to `issue` (its title follows).
    MoveTask { task: String, issue: u64 },
    /// Plan `issue` from a template first.
    PlanIssue { issue: u64 },
    /// The edge is derived from the phases: change a task's phase instead.
    ChangePhase,
}

/// The core's errors. New variants may come: match with a `_` arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("could not generate a random id: {0}")]
    Random(String),

    #[error("{0}")]
    Usage(String),

    /// A wrong request that can be put right as `remedy` says (exit as
    /// [`Error::Usage`]).
    #[error("{message}")]
    Request { message: String, remedy: Remedy },

    /// A rule of the plan refuses the change. `remedy` says how the change
    /// can still be made, for the caller to put in its own words (the CLI
    /// names its flags and commands).
    #[error("{message}")]
    Rule {
        message: String,
        tasks: Vec<String>,
        remedy: Option<Remedy>,
    },

    #[error("no task has an id starting with `{0}`")]
    UnknownId(String),

    #[error("`{prefix}` is ambiguous; it starts {} ids:\n{}\nType more characters of the id.", candidates.len(), candidates.iter().map(|(id, t)| format!("  {id}  {t}")).collect::<Vec<_>>().join("\n"))]
    AmbiguousId {
        prefix: String,
        candidates: Vec<(String, String)>,
    },

    /// `next` or `claim` found nothing to pick; `reason` is
    /// the code of the scheduler's `Idle` reason (`no-tasks`, `all-done`, ...).
    #[error("{message}")]
    NothingReady {
        reason: &'static str,
        message: String,
    },

    #[error("no tasks.yaml found in {searched} or its parents (up to the repository root).")]
    NoStore { searched: PathBuf },

    /// The store the caller named does not exist.
    #[error("{path} does not exist")]
    NoFile { path: PathBuf },

    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },

    #[error(
        "{path} has format version {found}, but this wm understands up to version {supported}.\n\
         Upgrade wm to read it; the file was left unchanged."
    )]
    NewerVersion {
        path: PathBuf,
        found: u64,
        supported: u32,
    },

    #[error(
        "this command needs a Git repository, and {searched} is not inside one.\n\
         Run it inside a clone (or `git init` first); the commands that do not read \
         history work anywhere."
    )]
    NoRepo { searched: PathBuf },

    /// The repository could not be read (corrupt objects, I/O).
    #[error("git: {0}")]
    Git(String),

    #[error("{path}: the store is invalid:\n{}", problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },

    /// Another process created the store while this one was creating it;
    /// retrying the whole operation is safe.
    #[error("{path} was created by another process at the same time; run the command again")]
    Raced { path: PathBuf },

    /// tasks.yaml changed under the lock (a program that does not take
    /// wm's lock wrote it: `git checkout`, an editor) between the read and
    /// the write, on every attempt; nothing was written.
    #[error(
        "{path} was changed by another program (one that does not take wm's lock, such as \
         `git checkout` or an editor) while this command was writing it, {attempts} times; \
         nothing was written. Run the command again"
    )]
    Changed { path: PathBuf, attempts: u32 },

    #[error(
        "{path} is locked by another wm process{} and stayed locked for {waited_ms} ms.",
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    Locked {
        path: PathBuf,
        pid: Option<u32>,
        waited_ms: u128,
    },
}

impl Error {
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Io { .. } | Error::Random(_) | Error::Git(_) => ErrorClass::Io,
            Error::Usage(_) | Error::Request { .. } | Error::NoRepo { .. } => ErrorClass::Usage,
            Error::Rule { .. } => ErrorClass::Rule,
            Error::UnknownId(_) | Error::AmbiguousId { .. } | Error::NothingReady { .. } => {
                ErrorClass::Id
            }
            Error::NoStore { .. }
            | Error::NoFile { .. }
            | Error::Parse { .. }
            | Error::NewerVersion { .. }
            | Error::Invalid { .. } => ErrorClass::Store,
            Error::Locked { .. } | Error::Raced { .. } | Error::Changed { .. } => {
                ErrorClass::Locked
            }
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn rule(message: impl Into<String>, tasks: Vec<String>) -> Error {
        Error::Rule {
            message: message.into(),
            tasks,
            remedy: None,
        }
    }

    /// A wrong request, put right in the way `remedy` says.
    pub fn request(message: impl Into<String>, remedy: Remedy) -> Error {
        Error::Request {
            message: message.into(),
            remedy,
        }
    }

    /// A refusal that can be overcome in the way `remedy` says.
    pub fn refused(message: impl Into<String>, tasks: Vec<String>, remedy: Remedy) -> Error {
        Error::Rule {
            message: message.into(),
            tasks,
            remedy: Some(remedy),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
