use clap::Args;

use super::{CliResult, Ctx, Format, OutputArgs, print, print_tasks_json};
use wm::render::{escape, truncate};

/// Tasks in dependency order: every task after all it depends on.
///
/// The order is stable: ties are broken by phase order, then creation
/// time. Completed and cancelled tasks are included (marked by state).
///
/// Examples:
///   wm tasks order --issue 42
///   wm tasks order --format ids
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct OrderArgs {
    #[command(flatten)]
    pub scope: super::graph::ViewScope,
    #[command(flatten)]
    pub out: OutputArgs,
}

pub fn run(ctx: &Ctx, a: OrderArgs) -> CliResult {
    let loaded = ctx.load_valid()?;
    let (plan, graph) = (loaded.plan(), loaded.graph());
    let sc = a.scope.resolve(plan)?;
    let tasks = sc.tasks(plan, graph);
    match a.out.format() {
        Format::Json => print_tasks_json(plan, graph, &tasks),
        Format::Ids => print(
            &tasks
                .iter()
                .map(|&i| format!("{}\n", plan.task(i).id))
                .collect::<String>(),
        ),
        Format::Table => {
            if tasks.is_empty() {
                ctx.note("no tasks");
                return Ok(());
            }
            let mut s = String::new();
            for (k, &i) in tasks.iter().enumerate() {
                let t = plan.task(i);
                s.push_str(&format!(
                    "{:>3}. {}  {:<11} {:<9} {}\n",
                    k + 1,
                    t.id,
                    graph.state(plan, i).as_str(),
                    t.phase.as_deref().unwrap_or("-"),
                    truncate(&escape(&t.title), 60)
                ));
            }
            print(&s)
        }
    }
}
