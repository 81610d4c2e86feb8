use clap::Args;
use comfy_table::Table;
use comfy_table::presets::{NOTHING, UTF8_FULL_CONDENSED};

use super::list::Filter;
use super::{CliResult, Ctx, Format, OutputArgs, print, print_json};
use wm::render::{escape, json, truncate};

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
    let (plan, graph) = (&loaded.plan, &loaded.graph);
    let filter = Filter {
        issue: a.issue,
        blocked: true,
        ..Filter::default()
    };
    let rows = filter.apply(plan, graph)?;
    match a.out.format() {
        Format::Json => print_json(&json::tasks_doc(plan, graph, &rows)),
        Format::Ids => super::list::output(ctx, plan, graph, &rows, a.out),
        Format::Table => {
            if rows.is_empty() {
                ctx.note("nothing is blocked");
                return Ok(());
            }
            let mut table = Table::new();
            table.load_style(if ctx.tty {
                UTF8_FULL_CONDENSED
            } else {
                NOTHING
            });
            table.set_header(["ID", "PHASE", "TITLE", "BLOCKED BY"]);
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
                table.add_row(vec![
                    t.id.clone(),
                    t.phase.clone().unwrap_or_else(|| "-".into()),
                    truncate(&escape(&t.title), 60),
                    by.join(", "),
                ]);
            }
            let mut s: String = table
                .to_string()
                .lines()
                .map(|l| if ctx.tty { l } else { l.trim_end() })
                .collect::<Vec<_>>()
                .join("\n");
            s.push('\n');
            print(&s)
        }
    }
}
