use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use clap::Args;

use super::{CliResult, Ctx, plan::run_ops, print};
use wm::authoring::{block, checklist};
use wm::error::Error;
use wm::render::escape;

/// Bodies larger than this are refused.
const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// Turn the work in a GitHub issue body (Markdown) into tasks of the issue.
///
/// Reads the body as a filled-in form, by its structure:
///   work     items of sections that plan work (implementation plan or
///            checklist, migration plan, `### Phase 1: ...` or
///            `**Phase 1:** ...`, execution order, rollout/rollback steps,
///            follow-up tasks) and a task list with no heading: tasks, in
///            order; each phase or section waits for the one before. Phases
///            whose name names a phase of the issue's workflow (`Phase 2:
///            Implementation` -> impl) land in it instead.
///   option   pick lists (type, component, environment, labels, priority,
///            roadmap phase, rollout strategy, ...): facts, not tasks; the
///            ticked ones become labels (`section:option`) of the issue's epic
///   skipped  self-checks (`I have ...`), review sign-offs, unfilled
///            placeholders (`Task 1`, an empty `**Phase 1:**`, `___`)
/// A body written by `wm tasks export` carries a hidden plan block; it is
/// imported exactly (types, phases, dependencies, epic, statuses).
/// Safe to re-run: tasks the issue already has (same title) are kept.
///
/// Examples:
///   gh issue view 42 --json body -q .body | wm tasks import --issue 42
///   wm tasks import --issue 42 body.md --dry-run
///   wm tasks import --issue 42 body.md --as-work "Testing Strategy"
///   wm tasks export --issue 42 > plan.md; wm tasks import --issue 50 plan.md
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ImportArgs {
    /// The GitHub issue the tasks belong to.
    #[arg(long, value_name = "N")]
    pub issue: u64,
    /// The body: a Markdown file, or `-` for stdin (the default when stdin
    /// is piped; on a terminal, import says what it expects instead).
    #[arg(value_name = "FILE|-")]
    pub body: Option<PathBuf>,
    /// Print what each item was taken for (work, option, skipped, and why)
    /// and what would be created; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Take this section's items as work (the section's name as the body
    /// spells it, without emoji; repeatable).
    #[arg(long = "as-work", value_name = "SECTION")]
    pub as_work: Vec<String>,
    /// Take this section's items as options, not work (repeatable).
    #[arg(long = "as-options", value_name = "SECTION")]
    pub as_options: Vec<String>,
    /// The title of the epic created to hold the ticked options' labels when
    /// the issue has none (default: the body's `# Heading`).
    #[arg(long)]
    pub title: Option<String>,
}

pub fn run(ctx: &Ctx, a: ImportArgs) -> CliResult {
    let (source, bytes) = match a.body.as_deref() {
        None if std::io::stdin().is_terminal() => {
            return Err(Error::Usage(format!(
                "import reads an issue body (Markdown): give a file, or pipe it in, as in \
                 `gh issue view {n} --json body -q .body | wm tasks import --issue {n}` \
                 (use `-` to type it on the terminal, ending with Ctrl-D)",
                n = a.issue
            ))
            .into());
        }
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
    let overrides = checklist::Overrides {
        work: a.as_work.clone(),
        options: a.as_options.clone(),
    };
    let list = checklist::parse_with(&checklist::decode(&bytes), &overrides);
    let issue = a.issue;

    // A body written by `export`: recreate its plan exactly.
    if let Some(lines) = &list.block {
        let b = block::parse(lines).map_err(|e| match e {
            Error::Usage(m) => Error::Usage(format!("{source}: {m}")),
            other => other,
        })?;
        ctx.note(&format!(
            "{source}: a plan exported from issue #{} ({} tasks); importing it as written",
            b.issue,
            b.records.len()
        ));
        return run_ops(ctx, issue, a.dry_run, |plan| {
            let (ops, notes) = b.ops(plan, issue);
            for n in notes {
                ctx.note(&escape(&n));
            }
            Ok(ops)
        });
    }

    check_overrides(&list, &overrides)?;
    if a.dry_run {
        print(&explain(&list, &source))?;
    } else {
        for s in &list.skipped {
            ctx.note(&format!(
                "skipped {source}:{}: {}",
                s.line,
                escape(&s.reason)
            ));
        }
    }
    let ticked = list.labels();
    if !list.options.is_empty() {
        ctx.note(&format!(
            "{} option{} of pick lists, not tasks ({} ticked{}){}",
            list.options.len(),
            if list.options.len() == 1 { "" } else { "s" },
            list.options.iter().filter(|c| c.checked).count(),
            if ticked.is_empty() {
                String::new()
            } else {
                format!(": {}", escape(&ticked.join(", ")))
            },
            if a.dry_run {
                ""
            } else {
                "; --dry-run shows each item and why"
            }
        ));
    }
    if list.items.is_empty() {
        let placeholders = list.skipped.len();
        let why = if list.options.is_empty() {
            if placeholders == 0 {
                String::new()
            } else {
                format!(
                    " ({placeholders} placeholder item{} skipped)",
                    if placeholders == 1 { "" } else { "s" }
                )
            }
        } else {
            format!(
                " (only pick-list options{}; to take a section as work anyway: \
                 --as-work SECTION)",
                if placeholders == 0 {
                    String::new()
                } else {
                    ", self-checks and placeholders".to_string()
                }
            )
        };
        return Err(Error::Usage(format!(
            "{source} has no task list items to import{why}: no work found, nothing was \
             created. Work is written as `- [ ] item` under a section that plans it \
             (Implementation Plan, ### Phase 1: ..., Follow-up Tasks); to plan from a \
             template instead: `wm tasks plan --issue N --template NAME`"
        ))
        .into());
    }
    run_ops(ctx, issue, a.dry_run, |plan| {
        let planned = list.ops(plan, issue, a.title.as_deref());
        for (g, landed) in planned.landed.iter().enumerate() {
            if let (Some(p), Some(name)) = (landed, list.phases.get(g)) {
                ctx.note(&escape(&format!(
                    "\"{name}\" lands in the workflow's phase `{p}`"
                )));
            }
        }
        for n in &planned.notes {
            ctx.note(&escape(n));
        }
        Ok(planned.ops)
    })
}

/// An override must name a section of the body.
fn check_overrides(list: &checklist::Checklist, o: &checklist::Overrides) -> CliResult {
    let mut sections: Vec<&str> = Vec::new();
    for e in &list.entries {
        if !e.section.is_empty() && !sections.contains(&e.section.as_str()) {
            sections.push(&e.section);
        }
    }
    for name in o.work.iter().chain(&o.options) {
        if !sections.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            return Err(Error::Usage(format!(
                "no section \"{}\" with list items in the body; its sections: {}",
                escape(name),
                escape(&sections.join(", "))
            ))
            .into());
        }
    }
    Ok(())
}

/// One line per list item: what it was taken for, and why.
fn explain(list: &checklist::Checklist, source: &str) -> String {
    let mut out = String::new();
    for e in &list.entries {
        out.push_str(&format!(
            "{:<7}  {source}:{:<4}  {}{}  ({})\n",
            e.class.as_str(),
            e.line,
            if e.checked { "[x] " } else { "" },
            escape(&e.text),
            escape(&e.reason)
        ));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
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
