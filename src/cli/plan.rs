use clap::Args;

use super::list::{Filter, output};
use super::{CliResult, Ctx, OutputArgs, print, templates};
use wm::error::Error;
use wm::graph::Graph;
use wm::graph::plan::Plan;
use wm::model::title_without_issue;
use wm::ops::{self, Op, Outcome, Subject};
use wm::render::escape;

/// Create an issue's epic and tasks from a template, in one write.
///
/// Every task gets its phase and dependencies; the template's phases are
/// added to the store's workflow if it lacks them. Safe to re-run: tasks the
/// issue already has (same title) are kept with their status, missing ones
/// are added. Prints one line per task (`created` or `kept`), then the
/// issue's task list.
///
/// --title fills `{title}` in the template; without it, the title of the
/// issue's existing epic is used.
///
/// Examples:
///   wm tasks plan --issue 42 --template infrastructure --title "Network hardening"
///   wm tasks plan --issue 42 --template infrastructure --dry-run
///   wm tasks plan --issue 7 --template devops --title "Redis cluster"
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct PlanArgs {
    /// The GitHub issue to plan (default: from a branch named like
    /// `feature/GH-42-...`).
    #[arg(long, value_name = "N")]
    pub issue: Option<u64>,
    /// The template's name (see `wm tasks templates`).
    #[arg(long, value_name = "NAME")]
    pub template: String,
    /// The feature title, for `{title}` in the template's titles.
    #[arg(long)]
    pub title: Option<String>,
    /// Print what would be created; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(ctx: &Ctx, a: PlanArgs) -> CliResult {
    let issue = match a.issue {
        Some(n) => n,
        None => match super::git_default_issue(ctx) {
            Some((n, branch)) => {
                super::git_util::note_branch_issue(ctx, n, &branch);
                n
            }
            None => {
                return Err(Error::Usage(
                    "which issue? pass --issue N (or work on a branch named like feature/GH-42-...)"
                        .into(),
                )
                .into());
            }
        },
    };
    let t = templates::load(ctx, &a.template)?;
    let build = |plan: &Plan| -> CliResult<Vec<Op>> {
        let title = match a.title.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => s.to_string(),
            Some(_) => return Err(Error::Usage("--title cannot be empty".into()).into()),
            None => match plan.issue_epic(issue) {
                Some(e) => title_without_issue(&plan.task(e).title).to_string(),
                None if !t.uses_title() => String::new(),
                None => {
                    return Err(Error::Usage(format!(
                        "issue #{} has no epic yet: name the feature with --title \"...\"",
                        issue
                    ))
                    .into());
                }
            },
        };
        if let Some(e) = plan.issue_epic(issue) {
            let want = wm::authoring::template::render(&t.epic, issue, &title);
            let have = &plan.task(e).title;
            if &want != have {
                return Err(Error::Usage(format!(
                    "issue #{} already has the epic {} \"{have}\"; this would add a second epic \
                     \"{want}\". Leave out --title to plan under the existing epic, or rename it \
                     first with `wm tasks update {} --title ...`",
                    issue,
                    plan.task(e).id,
                    plan.task(e).id
                ))
                .into());
            }
        }
        Ok(t.ops(issue, &title))
    };
    run_ops(ctx, issue, a.dry_run, build)
}

/// Apply (or with `dry_run`, only try) the ops `build` makes, then report
/// each created or kept task and show the issue's tasks.
pub(super) fn run_ops<F>(ctx: &Ctx, issue: u64, dry_run: bool, build: F) -> CliResult
where
    F: Fn(&Plan) -> CliResult<Vec<Op>>,
{
    // Which ops create tasks (others, such as an epic's new labels, are
    // reported but not counted).
    let creates = std::cell::RefCell::new(Vec::new());
    let build = |p: &Plan| -> CliResult<Vec<Op>> {
        let ops = build(p)?;
        *creates.borrow_mut() = ops.iter().map(|o| matches!(o, Op::Create(_))).collect();
        Ok(ops)
    };
    let (plan, outcomes) = if dry_run {
        let before = if ctx.location().exists {
            ctx.load_valid()?.into_inner().into_plan()
        } else {
            Plan::empty()
        };
        let ops = build(&before)?;
        ops::apply(before, ops, wm::model::now_millis())?
    } else {
        ctx.write(true, true, |l| build(l.plan()))?
    };
    report(ctx, &plan, &outcomes, &creates.borrow(), dry_run)?;
    let graph = Graph::build(&plan);
    let filter = Filter {
        issue: Some(issue),
        ..Filter::default()
    };
    let rows = filter.apply(&plan, &graph)?;
    print("\n")?;
    output(
        ctx,
        &plan,
        &graph,
        &rows,
        OutputArgs {
            json: false,
            format: None,
            width: None,
        },
    )
}

fn report(
    ctx: &Ctx,
    plan: &Plan,
    outcomes: &[Outcome],
    creates: &[bool],
    dry_run: bool,
) -> CliResult {
    let mut out = String::new();
    let (mut created, mut kept) = (0, 0);
    for (k, o) in outcomes.iter().enumerate() {
        if o.subject == Subject::Task
            && !creates.get(k).copied().unwrap_or(true)
            && plan.get(&o.id).is_some()
        {
            if o.changed {
                let verb = if dry_run { "would update" } else { "updated" };
                ctx.note(&escape(&format!("{verb} {}", o.id)));
            }
            continue;
        }
        let i = match o.subject {
            Subject::Task => plan.get(&o.id),
            Subject::Workflow | Subject::ScanHead => None,
        };
        let Some(i) = i else {
            // Not a task: the workflow merge.
            for n in &o.notes {
                let n = match n {
                    wm::ops::Notice::PhaseAdded { phase } if dry_run => {
                        format!("would add phase `{phase}` to the store's workflow")
                    }
                    n => super::command_error::notice_text(n),
                };
                ctx.note(&escape(&n));
            }
            continue;
        };
        let t = plan.task(i);
        let verb = match (o.changed, dry_run) {
            (true, false) => {
                created += 1;
                "created"
            }
            (true, true) => {
                created += 1;
                "would create"
            }
            (false, _) => {
                kept += 1;
                "kept"
            }
        };
        if dry_run && o.changed {
            out.push_str(&format!(
                "{verb}  {:<8}  {}\n",
                t.kind.as_str(),
                escape(&t.title)
            ));
        } else {
            out.push_str(&format!(
                "{verb}  {}  {:<8}  {}  ({})\n",
                t.id,
                t.kind.as_str(),
                escape(&t.title),
                t.status
            ));
        }
    }
    print(&out)?;
    ctx.note(&format!(
        "{}{created} task{} {}, {kept} already there",
        if dry_run { "dry run: " } else { "" },
        if created == 1 { "" } else { "s" },
        if dry_run {
            "would be created"
        } else {
            "created"
        },
    ));
    Ok(())
}
