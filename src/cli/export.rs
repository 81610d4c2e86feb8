use clap::{Args, ValueEnum};

use super::{CliResult, Ctx, print};
use wm::authoring::checklist;

/// Write an issue's plan as a Markdown task list grouped by phase, with a
/// Mermaid dependency graph, ready to paste into the issue or a PR.
///
/// Checkboxes reflect status (cancelled tasks are checked and struck
/// through). A hidden `<!-- wm:plan v1 ... -->` block at the end keeps what
/// the list cannot show (types, phases, roles, dependencies, the epic and
/// its workflow, statuses), and `import` recreates the plan from it:
/// importing the output into the same issue changes nothing; into another
/// issue it gives the same graph.
///
/// Examples:
///   wm tasks export --issue 42 --format markdown
///   wm tasks export --issue 42 | gh issue comment 42 --body-file -
///   wm tasks export --issue 42 > plan.md; wm tasks import --issue 50 plan.md
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ExportArgs {
    /// The issue to export.
    #[arg(long, value_name = "N")]
    pub issue: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Markdown)]
    pub format: ExportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A GitHub task list and a Mermaid graph.
    Markdown,
}

pub fn run(ctx: &Ctx, a: ExportArgs) -> CliResult {
    let loaded = ctx.load()?;
    ctx.warn_problems(&loaded);
    match a.format {
        ExportFormat::Markdown => print(&checklist::markdown(
            loaded.plan(),
            loaded.graph(),
            a.issue,
        )?),
    }
}
