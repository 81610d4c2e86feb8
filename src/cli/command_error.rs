//! Core errors in the command line's words, in one place: the exit code of
//! each class, and the hint that names the flag or command that helps (the
//! core never names them; it says what kind of remedy there is).

use wm::error::{Error, ErrorClass, Remedy};
use wm::ops::Notice;
use wm::validate::{Fix, Problem};

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
            Remedy::Evidence { task } => format!(
                "{msg}.\nSay what was checked with `wm tasks done {task} --reason \"...\"`, or \
                 link the commit that shows it with `wm tasks done {task} --commit`."
            ),
            _ => msg,
        },
        Error::Request { remedy, .. } => match remedy {
            Remedy::WorkflowOnEpic => format!(
                "{msg} (create it with --type=epic --workflow NAME, or change an issue's with \
                 `wm tasks update EPIC --workflow NAME`)"
            ),
            Remedy::SeeWorkflows => format!("{msg}; see `wm tasks workflows`"),
            Remedy::SeeTemplates => format!("{msg}; see `wm tasks templates`"),
            Remedy::MoveTask { task, issue } => {
                format!("{msg} (`wm tasks move {task} --issue {issue}` moves it and its title)")
            }
            Remedy::PlanIssue { issue } => {
                format!("{msg}; plan it with `wm tasks plan --issue {issue} --template NAME`")
            }
            Remedy::ChangePhase => format!("{msg} (change a phase with `wm tasks update --phase`)"),
            _ => msg,
        },
        Error::NoFile { path } => format!(
            "{msg} (named by --file or $WM_TASKS_FILE).\nCreate it with `wm tasks init --file {}`, \
             or fix the path.",
            path.display()
        ),
        // The core lists the problems; each gets its repair here.
        Error::Invalid { path, problems } => format!(
            "{}: the store is invalid:\n{}",
            path.display(),
            problems
                .iter()
                .map(|p| format!("  {}", problem_line(p)))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        Error::UnknownId(_) => format!("{msg} (see `wm tasks list`)"),
        Error::NoStore { .. } => format!(
            "{msg}\nCreate one with `wm tasks init`, or name one with --file or $WM_TASKS_FILE."
        ),
        Error::Locked { .. } => format!("{msg}\nTry again, or raise --lock-timeout."),
        _ => msg,
    }
}

/// A problem's repair in this command line's words.
pub fn fix_hint(fix: &Fix) -> String {
    match fix {
        Fix::Estimate { task } => format!("fix it with `wm tasks update {task} --estimate 2h`"),
        Fix::Priority { task } => format!("fix it with `wm tasks update {task} --priority 2`"),
        Fix::Delete { task } => format!("delete the extra one with `wm tasks delete {task}`"),
        Fix::RemoveEdge { task, on } => {
            format!("remove the edge with `wm tasks dep rm {task} --on {on}`")
        }
        Fix::BreakCycle { edges, more } => {
            let cmds: Vec<String> = edges
                .iter()
                .map(|(t, on)| format!("`wm tasks dep rm {t} --on {on}`"))
                .collect();
            let mut hint = format!("break it with {}", cmds.join(" or "));
            if *more > 0 {
                hint.push_str(&format!(
                    " (or any of {more} more explicit edges of the cycle)"
                ));
            }
            hint
        }
        Fix::RemoveEdgeOrMove { task, on } => format!(
            "remove the edge with `wm tasks dep rm {task} --on {on}`, or move a task with \
             `wm tasks update ID --phase PHASE`"
        ),
        Fix::LeavePhase { task, phase } => format!(
            "remove the explicit edge of {task} with `wm tasks dep rm`, or move it out of phase \
             {phase} with `wm tasks update {task} --phase PHASE`"
        ),
        Fix::Gate { task } => format!(
            "check its phase with `wm tasks show {task}`; fix it with `wm tasks update {task} \
             --phase PHASE --role verify`"
        ),
        _ => String::new(),
    }
}

/// A problem's message followed by its repair, as every text output
/// says it.
pub fn problem_text(p: &Problem) -> String {
    match p.fix.as_ref().map(fix_hint).filter(|h| !h.is_empty()) {
        Some(h) => format!("{}; {h}", p.message),
        None => p.message.clone(),
    }
}

/// A problem as one line of text: `error[code]: message; repair`.
pub fn problem_line(p: &Problem) -> String {
    match p.fix.as_ref().map(fix_hint).filter(|h| !h.is_empty()) {
        Some(h) => format!("{p}; {h}"),
        None => p.to_string(),
    }
}

/// What an op tells the user, with the flag that changes it where there is
/// one.
pub fn notice_text(n: &Notice) -> String {
    match n {
        Notice::Duplicate { .. } => format!("{n} (pass --allow-duplicate to create another)"),
        Notice::NoPhase { workflow: None } => {
            format!("{n}; set one with --phase (see `wm tasks workflows`)")
        }
        Notice::NoPhase { workflow: Some(_) } => format!("{n}; set one with --phase"),
        _ => n.to_string(),
    }
}

/// A gate's finding with the command that settles it.
pub fn violation_text(v: &wm::git::gates::Violation) -> String {
    match (v.code, &v.task) {
        ("unlinked-task", Some(id)) => format!("{} (`wm tasks link {id} REV`)", v.message),
        _ => v.message.clone(),
    }
}
