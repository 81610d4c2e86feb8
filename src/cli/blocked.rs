use clap::Args;

use super::list::Filter;
use super::{CliResult, Ctx, Format, OutputArgs, print, print_tasks_json};
use wm::render::table;

/// Blocked tasks, each with the unfinished tasks it waits for.
///
/// Examples:
///   wm tasks blocked --issue 42
///   wm tasks blocked --json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct BlockedArgs {
    /// Only tasks of this issue.
    #[arg(long, value_name = "N")]
    pub issue: Option<u64>,
    #[command(flatten)]
    pub out: OutputArgs,
}

pub fn run(ctx: &Ctx, a: BlockedArgs) -> CliResult {
    let loaded = ctx.load_valid()?;
    let (plan, graph) = (loaded.plan(), loaded.graph());
    let filter = Filter {
        issue: a.issue,
        blocked: true,
        ..Filter::default()
    };
    let rows = filter.apply(plan, graph)?;
    match a.out.format() {
        Format::Json => print_tasks_json(plan, graph, &rows),
        Format::Ids => super::list::output(ctx, plan, graph, &rows, a.out),
        Format::Table => {
            if rows.is_empty() {
                ctx.note("nothing is blocked");
                return Ok(());
            }
            use table::{Column, Step};
            let mut cols: Vec<Column> = ["ID", "PHASE", "TITLE", "BLOCKED BY"]
                .into_iter()
                .map(|header| Column::new(header, rows.len(), 24))
                .collect();
            for &i in &rows {
                let t = plan.task(i);
                let by: Vec<String> = graph
                    .unsettled_deps(plan, i)
                    .into_iter()
                    .map(|j| {
                        let d = plan.task(j);
                        format!("{} ({})", d.id, d.status)
                    })
                    .collect();
                cols[0].push_escaped(&t.id);
                cols[1].push_escaped(t.phase.as_deref().unwrap_or("-"));
                cols[2].push_escaped(&t.title);
                cols[3].push_escaped(&by.join(", "));
            }
            // BLOCKED BY is cut to 20 columns, TITLE to 30; PHASE goes;
            // BLOCKED BY is cut to one id, then TITLE to 10.
            let steps = [
                Step::Cut(3, 20),
                Step::Cut(2, 30),
                Step::Drop(1),
                Step::Cut(3, 10),
                Step::Cut(2, 10),
            ];
            let s = table::layout(&cols, &steps, a.out.table_style(ctx));
            print(&s)
        }
    }
}
