use clap::{Args, ValueEnum};

use super::{CliResult, Ctx, print, print_json};
use wm::error::Error;
use wm::graph::analysis::Scope;
use wm::graph::plan::Plan;
use wm::render::ascii::{self, AsciiOptions};
use wm::render::{dot, json, mermaid, view};

/// Draw the dependency graph: boxes and arrows, Mermaid, DOT or JSON.
///
/// The ASCII drawing (the default, on a terminal or not) shows one box per
/// task with its short id, title and status mark, arrows running from a
/// dependency down to its dependents. Without --issue/--parent every
/// connected component is drawn, one after another, under its issue/epic.
/// It fits $COLUMNS (else 100 columns); a component that cannot fit, or is
/// more than 40 tasks deep, is drawn one line per task instead (`git log
/// --graph` style), with a note on stderr.
///
/// Mermaid and DOT draw phase-derived edges dotted/dashed and explicit
/// ones solid; JSON lists nodes and edges with each edge's kind.
///
/// Examples:
///   wm tasks graph --issue 42
///   wm tasks graph --issue 42 --by-phase
///   wm tasks graph --issue 42 --format mermaid >> docs/plan.md
///   wm tasks graph --format dot | dot -Tsvg > plan.svg
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct GraphArgs {
    /// Only the tasks of this issue.
    #[arg(long, value_name = "N", conflicts_with = "parent")]
    pub issue: Option<u64>,
    /// Only the members of this epic (id or unique prefix).
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,
    /// Output format (default: ascii).
    #[arg(long, value_enum, conflicts_with = "json")]
    pub format: Option<GraphFormat>,
    /// Print JSON (same as --format json).
    #[arg(long)]
    pub json: bool,
    /// Draw the workflow instead: one box per phase with its task counts.
    #[arg(long)]
    pub by_phase: bool,
    /// ASCII characters only in the drawing (no box-drawing characters).
    #[arg(long)]
    pub plain: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Ascii,
    Mermaid,
    Dot,
    Json,
}

/// The scope of a graph command from --issue/--parent.
pub(super) fn scope(plan: &Plan, issue: Option<u64>, parent: Option<&str>) -> CliResult<Scope> {
    let parent = match parent {
        Some(p) => {
            let e = plan.resolve(p)?;
            if !plan.task(e).is_epic() {
                let kind = plan.task(e).kind.to_string();
                let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                };
                return Err(Error::Usage(format!(
                    "--parent {} is {article} {kind} task, not an epic",
                    plan.task(e).id,
                ))
                .into());
            }
            Some(e)
        }
        None => None,
    };
    Ok(Scope {
        issue,
        parent,
        ..Scope::default()
    })
}

/// `--issue N | --parent ID`: the part of the graph a view covers.
#[derive(Debug, Args, Clone)]
pub struct ViewScope {
    /// Only the tasks of this issue.
    #[arg(long, value_name = "N", conflicts_with = "parent")]
    pub issue: Option<u64>,
    /// Only the members of this epic.
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,
}

impl ViewScope {
    pub fn resolve(&self, plan: &Plan) -> CliResult<Scope> {
        scope(plan, self.issue, self.parent.as_deref())
    }
}

/// Columns to draw in: $COLUMNS, else 100.
pub(super) fn width(ctx: &Ctx) -> usize {
    ctx.width.map(usize::from).filter(|&w| w > 0).unwrap_or(100)
}

pub fn run(ctx: &Ctx, a: GraphArgs) -> CliResult {
    let loaded = ctx.load_valid()?;
    let (plan, graph) = (loaded.plan(), loaded.graph());
    let sc = scope(plan, a.issue, a.parent.as_deref())?;
    let format = if a.json {
        GraphFormat::Json
    } else {
        a.format.unwrap_or(GraphFormat::Ascii)
    };
    let v = if a.by_phase {
        let title = match (sc.issue, sc.parent) {
            (Some(n), _) => format!("#{n} by phase"),
            (None, Some(e)) => format!("{} by phase", plan.task(e).title),
            (None, None) => "all tasks by phase".into(),
        };
        view::phases(plan, graph, &sc, &title)
    } else {
        view::tasks(plan, graph, &sc)
    };
    match format {
        GraphFormat::Json => print_json(&json::graph::graph_doc(&v, plan, a.by_phase)),
        GraphFormat::Mermaid => print(&mermaid::render(&v)),
        GraphFormat::Dot => print(&dot::render(&v)),
        GraphFormat::Ascii => {
            if v.is_empty() {
                ctx.note("no tasks to draw");
                return Ok(());
            }
            let opts = AsciiOptions {
                width: width(ctx),
                plain: a.plain,
                color: ctx.color,
                ..AsciiOptions::default()
            };
            let d = ascii::draw(&v, &opts);
            for (title, reason) in &d.compact {
                ctx.note(&format!(
                    "note: {}: {reason}; drawn one line per task instead",
                    wm::render::escape(title)
                ));
            }
            print(&format!(
                "{}\n{}\n",
                d.text,
                ascii::legend_fit(a.plain, opts.width)
            ))
        }
    }
}
