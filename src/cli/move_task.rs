use clap::Args;

use super::{CliResult, Ctx, print};
use wm::model::{title_issue, title_without_issue};
use wm::ops::{Changes, Op};

/// Move a task to another issue. A `GH#N:` prefix of its title is changed
/// to the new issue's; the task then belongs to that issue's epic, and its
/// phase-derived edges follow its new issue.
///
/// Examples:
///   wm tasks move k3m9 --issue 43
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct MoveArgs {
    /// Task id or unique prefix.
    pub id: String,
    /// The issue to move it to.
    #[arg(long, value_name = "N")]
    pub issue: u64,
}

pub fn run(ctx: &Ctx, a: MoveArgs) -> CliResult {
    let (plan, outcomes) = ctx.write(false, false, |l| {
        let i = l.plan().resolve(&a.id)?;
        let t = l.plan().task(i);
        let title = title_issue(&t.title)
            .filter(|&m| m != a.issue)
            .map(|_| format!("GH#{}: {}", a.issue, title_without_issue(&t.title)));
        // An explicit parent of the old issue would hold it back there.
        let parent = t
            .parent
            .as_deref()
            .and_then(|p| l.plan().get(p))
            .filter(|&e| l.plan().task(e).issue != Some(a.issue))
            .map(|_| None);
        Ok(vec![Op::Update {
            id: t.id.clone(),
            changes: Changes {
                issue: Some(Some(a.issue)),
                title,
                parent,
                ..Changes::default()
            },
        }])
    })?;
    let outcomes: Vec<_> = outcomes
        .into_iter()
        .map(|mut o| {
            o.notes.retain(|n| *n != wm::ops::Notice::Unchanged);
            o
        })
        .collect();
    ctx.notes(&outcomes);
    for o in &outcomes {
        if let Some(i) = plan.get(&o.id) {
            let t = plan.task(i);
            if o.changed {
                print(&format!(
                    "{} moved to #{}: {}\n",
                    t.id,
                    a.issue,
                    wm::render::escape(&t.title)
                ))?;
            } else {
                ctx.note(&format!("{} is already in #{}", t.id, a.issue));
            }
        }
    }
    Ok(())
}
