use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{CliError, CliResult, Ctx};
use wm::error::{Error, ErrorClass};
use wm::graph::Graph;
use wm::graph::plan::Plan;
use wm::model::StoreFile;
use wm::store::{self, merge};
use wm::validate;

/// Merge tasks.yaml by meaning, as a git merge driver.
///
/// git runs the driver with %O %A %B and expects the result in %A.
/// Tasks are matched by id; a task present on both sides (changed on both,
/// or added on both, as by a cherry-pick) merges field by field, and no
/// clock decides anything: a field changed on one side takes that change;
/// lists merge as sets; a status set differently on both sides takes the
/// one further along, and the report says which side won and why. Any
/// other field set differently on both sides is a conflict: the task is
/// written twice, our version and theirs, between conflict markers, the
/// fields are listed, and the driver exits 3 so git stops; keep one side
/// of each, run `wm tasks check`, then `git add` the file. A task deleted
/// on one side and changed on the other is kept. A result with a cycle or a
/// dangling reference is written but reported as a conflict, so `git
/// merge` stops and `wm tasks check` explains it. If the driver fails (a
/// side that does not parse, I/O), it writes both sides with conflict
/// markers and exits 1: git never takes our side alone.
///
/// Set up once per clone: wm tasks merge-driver install
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MergeDriverArgs {
    #[command(subcommand)]
    pub command: Option<MergeDriverCommand>,
    /// The common ancestor (%O).
    pub base: Option<PathBuf>,
    /// Our version (%A); receives the result.
    pub ours: Option<PathBuf>,
    /// Their version (%B).
    pub theirs: Option<PathBuf>,
    /// The name of our side in conflict markers (git's %X).
    #[arg(long, value_name = "LABEL")]
    pub our_label: Option<String>,
    /// The name of their side in conflict markers (git's %Y).
    #[arg(long, value_name = "LABEL")]
    pub their_label: Option<String>,
}

/// The names of the two sides in conflict markers.
struct Labels {
    ours: String,
    theirs: String,
}

impl Labels {
    /// The labels git passed, else `ours` and `theirs`. A git older than
    /// 2.44 passes `%X` and `%Y` unexpanded: no label then.
    fn new(ours: Option<String>, theirs: Option<String>) -> Labels {
        let label = |l: Option<String>, default: &str| {
            l.map(|l| l.replace(['\n', '\r'], " "))
                .filter(|l| !l.trim().is_empty() && l != "%X" && l != "%Y")
                .unwrap_or_else(|| default.to_string())
        };
        Labels {
            ours: label(ours, "ours"),
            theirs: label(theirs, "theirs"),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum MergeDriverCommand {
    /// Register the driver: a `.gitattributes` line and the repository's
    /// git config entry (`merge.wm-tasks.driver`).
    ///
    /// Example: wm tasks merge-driver install
    Install,
}

fn read(path: &Path) -> Result<StoreFile, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    // An empty side (file added on both branches) merges as an empty store.
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(StoreFile::default());
    }
    store::parse(path, &bytes)
}

pub fn run(ctx: &Ctx, a: MergeDriverArgs) -> CliResult {
    if let Some(MergeDriverCommand::Install) = a.command {
        return install(ctx);
    }
    let (Some(base), Some(ours), Some(theirs)) = (a.base, a.ours, a.theirs) else {
        return Err(Error::Usage(
            "usage: wm tasks merge-driver BASE OURS THEIRS (or `merge-driver install`)".into(),
        )
        .into());
    };
    let labels = Labels::new(a.our_label, a.their_label);
    match merge_stores(ctx, &base, &ours, &theirs, &labels) {
        Ok(Merge::Clean) => Ok(()),
        Ok(Merge::Invalid(e)) => Err(e.into()),
        // Whatever went wrong before the merged store was written (a side
        // that does not parse, I/O, a lock), %A must not be left holding our
        // side alone: git would take it as the result and, after `git add`,
        // their side would be gone. Write both sides with conflict markers.
        Err(e) => {
            let written = write_conflict(&base, &ours, &theirs, &labels);
            ctx.note(&format!(
                "wm merge: could not merge by meaning: {}",
                wm::render::escape_message(&super::command_error::describe(&e))
            ));
            match written {
                Ok(()) => ctx.note(
                    "wm merge: wrote both sides with conflict markers; resolve them (keep the \
                     tasks of both sides), run `wm tasks check`, then `git add` the file",
                ),
                Err(w) => ctx.note(&format!(
                    "wm merge: could not write the conflict either ({w}); resolve the merge by \
                     hand from `git show :2:PATH` and `git show :3:PATH`"
                )),
            }
            // Exit 1 whatever the class: git records a conflict.
            Err(CliError::Exit(ErrorClass::Io))
        }
    }
}

enum Merge {
    Clean,
    /// Written, but the result breaks a rule (a cycle): git stops.
    Invalid(Error),
}

fn merge_stores(
    ctx: &Ctx,
    base: &Path,
    ours: &Path,
    theirs: &Path,
    labels: &Labels,
) -> Result<Merge, Error> {
    let (b, o, t) = (read(base)?, read(ours)?, read(theirs)?);
    let merged = merge::merge(&b, &o, &t);
    for r in &merged.reports {
        ctx.note(&format!("wm merge: {}", wm::render::escape(r)));
    }
    let conflicts = merged.conflicts;
    let plan = Plan::new(merged.file);
    let graph = Graph::build(&plan);
    let errors = validate::errors(&validate::check(&plan, &graph));
    // Through the store's write path: locked, atomic, the modeline of our
    // side kept. With conflicts, that is our side of each, replaced below
    // by both sides between conflict markers.
    store::replace(ours, ctx.lock_timeout, plan)?;
    if !conflicts.is_empty() {
        let text = std::fs::read_to_string(ours).map_err(|e| Error::Io {
            path: ours.to_path_buf(),
            source: e,
        })?;
        let Some(marked) = merge::with_markers(&text, &conflicts, &labels.ours, &labels.theirs)
        else {
            return Err(Error::Io {
                path: ours.to_path_buf(),
                source: std::io::Error::other(
                    "the merged tasks are not where the canonical layout puts them",
                ),
            });
        };
        store::write_atomic(ours, &marked, false)?;
        let mut msg = format!(
            "the merge could not decide {} difference{}; the file holds both versions of each, \
             between conflict markers. Keep one side of each, run `wm tasks check`, then `git \
             add` the file:",
            conflicts.len(),
            if conflicts.len() == 1 { "" } else { "s" }
        );
        for c in &conflicts {
            for line in c.details() {
                msg.push_str(&format!("\n  {}", wm::render::escape(&line)));
            }
        }
        return Ok(Merge::Invalid(Error::rule(msg, vec![])));
    }
    if errors.is_empty() {
        return Ok(Merge::Clean);
    }
    let mut msg = String::from(
        "the merged tasks.yaml is invalid; fix it (`wm tasks show`, `wm tasks dep rm`), then `git add` it:",
    );
    for p in errors {
        msg.push_str(&format!("\n  {p}"));
    }
    Ok(Merge::Invalid(Error::rule(msg, vec![])))
}

/// The three sides merged line by line (libgit2's merge, diff3 style) into
/// `ours`, always with conflict markers: when the line merge is clean, the
/// whole of both sides is written as one conflict, so the file never looks
/// like a finished store (the parser refuses markers; `check` says so).
fn write_conflict(base: &Path, ours: &Path, theirs: &Path, labels: &Labels) -> std::io::Result<()> {
    let read = |p: &Path| {
        std::fs::read(p).or_else(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Ok(Vec::new()),
            _ => Err(e),
        })
    };
    let (b, o, t) = (read(base)?, read(ours)?, read(theirs)?);
    fn input(bytes: &[u8]) -> git2::MergeFileInput<'_> {
        let mut i = git2::MergeFileInput::new();
        i.content(bytes).path(store::FILE_NAME);
        i
    }
    let (ib, io, it) = (input(&b), input(&o), input(&t));
    let mut opts = git2::MergeFileOptions::new();
    opts.ancestor_label("base")
        .our_label(&labels.ours)
        .their_label(&labels.theirs)
        .style_diff3(true);
    let lines = git2::merge_file(&ib, &io, &it, Some(&mut opts))
        .ok()
        .filter(|m| !m.is_automergeable())
        .map(|m| m.content().to_vec());
    let text = match lines {
        Some(text) => text,
        None => {
            let mut out = Vec::with_capacity(b.len() + o.len() + t.len() + 64);
            merge::push_conflict(
                &mut out,
                (&labels.ours, &o),
                Some(("base", &b)),
                (&labels.theirs, &t),
            );
            out
        }
    };
    store::write_atomic(ours, &text, false).map_err(std::io::Error::other)
}

pub(super) fn install(ctx: &Ctx) -> CliResult {
    let Some(wm::git::root::Root {
        work_tree: root,
        git_dir: git,
    }) = wm::git::root::find(&ctx.cwd)
    else {
        return Err(Error::Usage(
            "`merge-driver install` needs a git repository; run it inside one".into(),
        )
        .into());
    };
    let store_path = ctx.location().path;
    let rel = store_path
        .strip_prefix(&root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| store::FILE_NAME.to_string());
    install_attributes(ctx, &root, &rel)?;
    // The common config (not a worktree's private one) carries the driver.
    let common = std::fs::read_to_string(git.join("commondir"))
        .ok()
        .map(|c| git.join(c.trim()))
        .unwrap_or(git);
    let config_path = common.join("config");
    let exe = std::env::current_exe().ok();
    let line = driver_line(exe.as_deref());
    let config = git2::Config::open(&config_path).map_err(|e| Error::Git(e.message().into()))?;
    let current = config.get_string("merge.wm-tasks.driver").ok();
    if current.as_deref() == Some(line.as_str()) {
        ctx.note(&format!(
            "{} already defines the wm-tasks merge driver",
            config_path.display()
        ));
        return Ok(());
    }
    let mut config = config;
    config
        .set_str(
            "merge.wm-tasks.name",
            "wm tasks semantic merge of tasks.yaml",
        )
        .and_then(|()| config.set_str("merge.wm-tasks.driver", &line))
        .map_err(|e| Error::Git(format!("{}: {}", config_path.display(), e.message())))?;
    ctx.note(&format!(
        "{} the wm-tasks merge driver in {} (runs {})",
        if current.is_some() {
            "updated"
        } else {
            "registered"
        },
        config_path.display(),
        exe.as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "`wm` from PATH".into())
    ));
    Ok(())
}

/// The `.gitattributes` line routing the store to the driver. A path with
/// spaces (or quotes) is quoted C-style, which git reads as one pattern.
pub fn attributes_line(rel: &str) -> String {
    if rel.contains([' ', '\t', '"', '\\']) {
        let quoted = rel.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{quoted}\" merge=wm-tasks")
    } else {
        format!("{rel} merge=wm-tasks")
    }
}

fn install_attributes(ctx: &Ctx, root: &Path, rel: &str) -> CliResult {
    let attributes = root.join(".gitattributes");
    let line = attributes_line(rel);
    let existing = std::fs::read_to_string(&attributes).unwrap_or_default();
    if existing.lines().any(|l| l.trim() == line) {
        ctx.note(&format!(
            "{} already routes {rel} to the driver",
            attributes.display()
        ));
        return Ok(());
    }
    // An unquoted line for a path with spaces (older wm) is one git cannot
    // read: replace it.
    let broken = format!("{rel} merge=wm-tasks");
    let mut text: String = existing
        .lines()
        .filter(|l| l.trim() != broken)
        .map(|l| format!("{l}\n"))
        .collect();
    text.push_str(&line);
    text.push('\n');
    store::write_atomic(&attributes, text.as_bytes(), false)?;
    ctx.note(&format!("added `{line}` to {}", attributes.display()));
    Ok(())
}

/// Quote for a POSIX shell, and double `%` (git expands `%O`, `%A`, `%B`
/// and `%%` in the driver line).
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''").replace('%', "%%"))
}

/// The marker that starts every driver line this wm writes; `check`
/// recognises it.
pub const DRIVER_MARK: &str = "wm_bin=";

/// The driver command git runs (through `sh -c`): this binary by its
/// resolved path; else `wm` from PATH; else git's own line merge, which
/// leaves conflict markers, and a conflict, never our side alone.
pub fn driver_line(exe: Option<&Path>) -> String {
    let bin = exe
        .map(|p| sh_quote(&p.to_string_lossy()))
        .unwrap_or_else(|| "wm".into());
    format!(
        "{DRIVER_MARK}{bin}; if [ -x \"$wm_bin\" ]; then \"$wm_bin\" tasks merge-driver \
         --our-label %X --their-label %Y %O %A %B; \
         elif command -v wm >/dev/null 2>&1; then wm tasks merge-driver \
         --our-label %X --their-label %Y %O %A %B; \
         else echo \"wm merge: $wm_bin is gone and no wm is on PATH; %P merged line by line (run wm tasks merge-driver install)\" >&2; \
         git merge-file --diff3 -L ours -L base -L theirs %A %O %B; exit 1; fi"
    )
}

/// Why the store's merge driver cannot run in this clone, if it cannot:
/// `.gitattributes` routes the store to `wm-tasks` but the config has no
/// driver, or the driver's program is neither an executable file nor on
/// PATH. `check` warns with this.
pub fn driver_problem(store_path: &Path) -> Option<String> {
    let root = wm::git::root::find(store_path.parent()?)?.work_tree;
    let attributes = std::fs::read_to_string(root.join(".gitattributes")).ok()?;
    if !attributes
        .lines()
        .any(|l| !l.trim_start().starts_with('#') && l.contains("merge=wm-tasks"))
    {
        return None;
    }
    let repo = git2::Repository::open(&root).ok()?;
    let config = repo.config().ok()?;
    let Ok(line) = config.get_string("merge.wm-tasks.driver") else {
        return Some(
            ".gitattributes sends tasks.yaml to the wm-tasks merge driver, but this clone \
             does not define it, so git merges the file line by line; run \
             `wm tasks merge-driver install`"
                .into(),
        );
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = |name: &str| {
        std::env::split_paths(&path).any(|d| !d.as_os_str().is_empty() && executable(&d.join(name)))
    };
    let runnable = |program: &str| {
        if program.contains('/') {
            executable(Path::new(program))
        } else {
            on_path(program)
        }
    };
    let program = first_word(line.strip_prefix(DRIVER_MARK).unwrap_or(&line))?;
    let ok = if line.starts_with(DRIVER_MARK) {
        // This wm's own line falls back to `wm` on PATH.
        runnable(&program) || on_path("wm")
    } else {
        runnable(&program)
    };
    if ok {
        return None;
    }
    Some(format!(
        "the wm-tasks merge driver cannot run: `{program}` is not an executable file{}; \
         a merge of tasks.yaml would fail. Run `wm tasks merge-driver install` to register \
         this wm",
        if program.contains('/') {
            ""
        } else {
            " on PATH"
        }
    ))
}

#[cfg(unix)]
fn executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn executable(p: &Path) -> bool {
    p.is_file()
}

/// The first word of a shell command line (single and double quotes and
/// backslashes undone; `%%` is git's escape for `%`).
fn first_word(line: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = line.trim_start().chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, ' ' | '\t' | ';') => break,
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None | Some('"'), '\\') => out.push(chars.next()?),
            (_, '%') if chars.peek() == Some(&'%') => {
                chars.next();
                out.push('%');
            }
            _ => out.push(c),
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::Labels;

    #[test]
    fn labels_are_gits_else_ours_and_theirs() {
        let l = Labels::new(Some("HEAD".into()), Some("feature\nx".into()));
        assert_eq!((l.ours.as_str(), l.theirs.as_str()), ("HEAD", "feature x"));
        // A git that does not know %X and %Y passes them as they are.
        let l = Labels::new(Some("%X".into()), Some("%Y".into()));
        assert_eq!((l.ours.as_str(), l.theirs.as_str()), ("ours", "theirs"));
        let l = Labels::new(None, Some(" ".into()));
        assert_eq!((l.ours.as_str(), l.theirs.as_str()), ("ours", "theirs"));
    }
}
