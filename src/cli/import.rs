use std::io::Read;
use std::path::PathBuf;

use clap::Args;

use super::{CliResult, Ctx, plan::run_ops};
use wm::authoring::checklist;
use wm::error::Error;
use wm::render::escape;

/// Bodies larger than this are refused.
const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// Turn the task lists of a GitHub issue body (Markdown) into tasks.
///
/// Each `- [ ] item` / `- [x] item` becomes a task of the issue (checked
/// ones completed). `### Phase 1: Preparation` or `**Phase 2:**` starts a
/// phase; each phase's tasks depend on the tasks of the phase before.
/// Items under other headings get the heading as a label. Placeholder items
/// (`Task 1`, empty items, `___` blanks, unfilled `Field:`) are skipped and
/// reported. Safe to re-run: items the issue already has are kept.
///
/// Examples:
///   gh issue view 42 --json body -q .body | wm tasks import --issue 42
///   wm tasks import --issue 42 body.md --dry-run
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ImportArgs {
    /// The GitHub issue the tasks belong to.
    #[arg(long, value_name = "N")]
    pub issue: u64,
    /// The body: a Markdown file, or `-` (the default) for stdin.
    #[arg(value_name = "FILE|-")]
    pub body: Option<PathBuf>,
    /// Print what would be created; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(ctx: &Ctx, a: ImportArgs) -> CliResult {
    let (source, bytes) = match a.body.as_deref() {
        None => ("stdin".to_string(), read_stdin()?),
        Some(p) if p.as_os_str() == "-" => ("stdin".to_string(), read_stdin()?),
        Some(p) => {
            let path = ctx.cwd.join(p);
            let meta = std::fs::metadata(&path).map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            if meta.len() > MAX_BODY_BYTES {
                return Err(Error::Usage(format!(
                    "{}: larger than {MAX_BODY_BYTES} bytes; is this an issue body?",
                    p.display()
                ))
                .into());
            }
            let bytes = std::fs::read(&path).map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            (p.display().to_string(), bytes)
        }
    };
    let list = checklist::parse(&checklist::decode(&bytes));
    for s in &list.skipped {
        ctx.note(&format!(
            "skipped {source}:{}: {}",
            s.line,
            escape(&s.reason)
        ));
    }
    if list.items.is_empty() {
        let why = if list.skipped.is_empty() {
            String::new()
        } else {
            format!(
                " ({} placeholder item{} skipped)",
                list.skipped.len(),
                if list.skipped.len() == 1 { "" } else { "s" }
            )
        };
        return Err(Error::Usage(format!(
            "{source} has no task list items to import{why}: write them as `- [ ] item` \
             or `- [x] item`; nothing was created (to plan from a template instead: \
             `wm tasks plan --issue N --template NAME`)"
        ))
        .into());
    }
    let issue = a.issue;
    run_ops(ctx, issue, a.dry_run, |_| Ok(list.ops(issue)))
}

fn read_stdin() -> CliResult<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_BODY_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_BODY_BYTES {
        return Err(Error::Usage(format!(
            "stdin is larger than {MAX_BODY_BYTES} bytes; is this an issue body?"
        ))
        .into());
    }
    Ok(bytes)
}
