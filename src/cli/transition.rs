//! Shared by `start`, `done`, `reopen` and `cancel`.

use super::{CliResult, Ctx, print};
use wm::ops::{Op, Transition};

pub fn run(
    ctx: &Ctx,
    ids: &[String],
    to: Transition,
    force: bool,
    reason: Option<String>,
) -> CliResult {
    // Start and done need a trustworthy graph; reopen and cancel can help
    // repair a broken one.
    let valid = matches!(to, Transition::Start | Transition::Done);
    let (plan, outcomes) = ctx.write(false, valid, |_| {
        Ok(ids
            .iter()
            .map(|id| Op::SetStatus {
                id: id.clone(),
                to,
                force,
                assignee: None,
                reason: reason.clone(),
                commit: None,
            })
            .collect())
    })?;
    ctx.notes(&outcomes);
    let mut s = String::new();
    for o in &outcomes {
        if let Some(i) = plan.get(&o.id) {
            s.push_str(&format!("{} {}\n", o.id, plan.task(i).status));
        }
    }
    print(&s)
}
