//! Core errors in the command line's words, in one place: the exit code of
//! each class, and the hint that names the flag or command that helps (the
//! core never names them; it says what kind of remedy there is).

use wm::error::{Error, ErrorClass, Remedy};

/// The documented exit codes.
pub fn exit_code(class: ErrorClass) -> u8 {
    match class {
        ErrorClass::Io => 1,
        ErrorClass::Usage => 2,
        ErrorClass::Rule => 3,
        ErrorClass::Id => 4,
        ErrorClass::Store => 5,
        ErrorClass::Locked => 6,
    }
}

/// The error as the command line says it: the core's message, then what to
/// do about it in terms of this command line.
pub fn describe(e: &Error) -> String {
    let msg = e.to_string();
    match e {
        Error::Rule {
            remedy: Some(r), ..
        } => match r {
            Remedy::Reopen { task } => format!("{msg}; `wm tasks reopen {task}` first"),
            Remedy::FinishDependenciesOrForce { task } => format!(
                "{msg}.\nFinish them first (`wm tasks why {task}`), or pass --force to record an \
                 override."
            ),
            Remedy::CloseChildrenOrForce => format!(
                "{msg}.\nComplete or cancel them first, or pass --force to record an override."
            ),
            Remedy::ForceDelete => {
                format!(
                    "{msg}.\nPass --force to delete it anyway (and remove the references to it)."
                )
            }
            _ => msg,
        },
        Error::UnknownId(_) => format!("{msg} (see `wm tasks list`)"),
        Error::NoStore { .. } => format!(
            "{msg}\nCreate one with `wm tasks init`, or name one with --file or $WM_TASKS_FILE."
        ),
        Error::Locked { .. } => format!("{msg}\nTry again, or raise --lock-timeout."),
        _ => msg,
    }
}
