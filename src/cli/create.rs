use clap::Args;

use super::{CliResult, Ctx, print};
use wm::model::TaskType;
use wm::ops::{NewTask, Op};

/// Create a task and print its id (alone on stdout, for `id=$(...)`).
///
/// The phase comes from --phase, else from what the title names in the
/// issue's workflow, else its type, else its position: the phase of the
/// task created just before it in the same issue. The issue's workflow is
/// its epic's --workflow, else the one its tasks follow, else the one the
/// first title is recognised by (`wm tasks workflows` lists them). stderr
/// says what was decided and why. A task belongs
/// to its issue's epic; `GH#N:` in the title sets the issue when --issue is
/// not given, else a branch named like `feature/GH-42-...` or
/// `feature/42-...` does (with a note on stderr).
///
/// Re-running is safe: when the issue already has a task of this title and
/// type, its id is printed and nothing is created (a note says so), unless
/// --allow-duplicate.
///
/// Examples:
///   wm tasks create --title="GH#42: Network hardening" --type=epic --issue=42
///   wm tasks create --title="GH#42: Analyze current infrastructure" --type=impl --issue=42
///   wm tasks create --title="GH#7: Invoices" --type=epic --issue=7 --workflow full-stack
///   wm tasks create --title="GH#7: IMPL InvoiceStore" --type=impl --issue=7
///   id=$(wm tasks create --title "Rotate keys" --depends-on k3m9 --label security)
///   wm tasks create --title="Add tests" --type=test --priority=1 --labels=testing,tdd --external-ref=gh-244 --silent
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct CreateArgs {
    /// The task's title (may start with `-`).
    #[arg(long, allow_hyphen_values = true)]
    pub title: String,
    /// epic, impl, verify, test, task, feature, review or research.
    #[arg(long = "type", value_name = "TYPE", default_value = "task")]
    pub kind: TaskType,
    /// The GitHub issue the task belongs to.
    #[arg(long, value_name = "N")]
    pub issue: Option<u64>,
    /// The issue as beads writes it: gh-N, GH-N, #N or an issue URL (same
    /// as --issue N).
    #[arg(long, value_name = "REF", value_parser = parse_external_ref)]
    pub external_ref: Option<u64>,
    /// Priority: 0 (most urgent) to 4 (least); P0-P4 accepted. Unset counts
    /// as 2. `next` and `claim` prefer lower numbers after phase order.
    #[arg(long, short = 'p', value_name = "P", value_parser = super::list::parse_priority)]
    pub priority: Option<u8>,
    /// The workflow phase (default: from the title, type or position).
    #[arg(long)]
    pub phase: Option<String>,
    /// The role in a role-ordered phase: test, impl or verify (default: the
    /// title's TEST/IMPL/VERIFY marker, else the type).
    #[arg(long, value_name = "ROLE")]
    pub role: Option<wm::model::Role>,
    /// With --type=epic: the workflow the issue follows (see `wm tasks
    /// workflows`).
    #[arg(long, value_name = "NAME")]
    pub workflow: Option<String>,
    /// Attach to this epic explicitly (id or unique prefix).
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,
    /// An explicit dependency (repeatable).
    #[arg(long = "depends-on", value_name = "ID")]
    pub depends_on: Vec<String>,
    /// Labels (repeatable or comma-separated: --labels=testing,tdd).
    #[arg(
        long = "label",
        visible_alias = "labels",
        value_name = "L",
        value_delimiter = ','
    )]
    pub labels: Vec<String>,
    /// Who works on it.
    #[arg(long, value_name = "NAME")]
    pub assignee: Option<String>,
    /// Free text: what is to be done and why.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Expected duration: a number and a unit (m, h, d = 8h, w = 5d), e.g. 2h, 3d, 1d4h.
    /// Used by `critical-path`.
    #[arg(long, value_name = "DURATION")]
    pub estimate: Option<String>,
    /// If the issue already has a task with this title, print its id and
    /// change nothing (makes planning scripts re-runnable).
    /// (Any type counts here; without it, a task of the same title and type
    /// is found and kept anyway.)
    #[arg(long, conflicts_with = "allow_duplicate")]
    pub if_missing: bool,
    /// Create the task even if the issue has one of this title and type.
    #[arg(long)]
    pub allow_duplicate: bool,
}

/// `gh-244`, `GH-244`, `#244`, `244` or `https://github.com/o/r/issues/244`.
pub fn parse_external_ref(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let digits = if let Some(pos) = lower.rfind("/issues/").or_else(|| lower.rfind("/pull/")) {
        let rest = &t[pos..];
        rest.trim_start_matches(|c: char| !c.is_ascii_digit())
    } else {
        lower
            .strip_prefix("gh-")
            .or_else(|| lower.strip_prefix("gh#"))
            .or_else(|| lower.strip_prefix('#'))
            .map(|_| t.trim_start_matches(|c: char| !c.is_ascii_digit()))
            .unwrap_or(t)
    };
    let digits = digits.trim_end_matches('/');
    match digits.parse::<u64>() {
        Ok(n) if digits.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(format!(
            "bad external ref `{s}`: use gh-N (or GH-N, #N, N, or the issue's URL)"
        )),
    }
}

pub fn run(ctx: &Ctx, a: CreateArgs) -> CliResult {
    let mut issue = a.issue;
    if let Some(n) = a.external_ref {
        match issue {
            Some(m) if m != n => {
                return Err(wm::error::Error::Usage(format!(
                    "--issue {m} and --external-ref gh-{n} disagree; give one"
                ))
                .into());
            }
            _ => issue = Some(n),
        }
    }
    if issue.is_none()
        && wm::model::title_issue(&a.title).is_none()
        && let Some((n, branch)) = super::git_default_issue(ctx)
    {
        super::git_util::note_branch_issue(ctx, n, &branch);
        issue = Some(n);
    }
    let spec = NewTask {
        title: a.title,
        kind: Some(a.kind),
        issue,
        phase: a.phase,
        role: a.role,
        workflow: a.workflow,
        parent: a.parent,
        depends_on: a.depends_on,
        labels: a.labels,
        assignee: a.assignee,
        description: a.description,
        estimate: a.estimate,
        if_missing: a.if_missing,
        dedupe: !a.allow_duplicate,
        priority: a.priority,
        ..Default::default()
    };
    let (_, outcomes) = ctx.write(true, true, |_| Ok(vec![Op::Create(spec.clone())]))?;
    ctx.notes(&outcomes);
    for o in &outcomes {
        print(&format!("{}\n", o.id))?;
    }
    Ok(())
}
