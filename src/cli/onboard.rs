//! `wm tasks onboard`: the block that tells a coding agent how to use
//! `wm tasks` in this repository (AGENTS.md, CLAUDE.md), spelled the way
//! the repository runs wm.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{CliResult, Ctx, print};
use wm::error::Error;

/// The block's text, with `{wm}` for the command that runs wm. The npm
/// package ships the same text as `skills/wm-tasks/SKILL.md` (a test keeps
/// the two in step).
pub const BLOCK: &str = include_str!("onboard.md");

pub const BEGIN: &str = "<!-- wm-tasks:begin";
pub const END: &str = "<!-- wm-tasks:end -->";

/// Print a short AGENTS.md / CLAUDE.md block for coding agents, or write it.
///
/// The block (~300 tokens) says how to work with `wm tasks` here: the loop
/// (`claim`, `show --json`, commit, `done --commit`, `reopen`), `next
/// --json`'s reasons, `--json` for scripts and the exit codes. It is
/// spelled the way this repository runs wm: `pnpm wm` when the npm package
/// is installed (node_modules/.bin/wm, or a package.json dependency on a
/// `<scope>/wm` package, from here up to the repository root) and pnpm is
/// the package manager (pnpm-lock.yaml, pnpm-workspace.yaml or
/// `packageManager: pnpm@...`); `yarn wm` or `npx wm` for yarn and npm;
/// otherwise `wm`. --command overrides the spelling.
///
/// --write [FILE] puts the block between marker comments in FILE (default:
/// AGENTS.md at the repository root), replacing the block written before
/// and leaving the rest of the file alone, or appending it; a file that
/// already holds the same block is not touched. Printed, the block comes
/// with its markers, so `>> AGENTS.md` then `--write` does not duplicate it.
///
/// Examples:
///   wm tasks onboard
///   wm tasks onboard --write
///   wm tasks onboard --write CLAUDE.md
///   wm tasks onboard --command "pnpm wm" --write AGENTS.md
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct OnboardArgs {
    /// Write the block into FILE (default AGENTS.md at the repository root)
    /// instead of printing it.
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    pub write: Option<Option<PathBuf>>,
    /// The command that runs wm in this repository (default: detected).
    #[arg(long, value_name = "CMD")]
    pub command: Option<String>,
}

pub fn run(ctx: &Ctx, a: OnboardArgs) -> CliResult {
    let root = wm::git::root::find(&ctx.cwd).map(|r| r.work_tree);
    let wm = match &a.command {
        Some(c) if !c.trim().is_empty() => c.trim().to_string(),
        Some(_) => return Err(Error::Usage("--command must not be empty".into()).into()),
        None => detect_command(&ctx.cwd, root.as_deref()),
    };
    let block = render(&wm);
    let Some(file) = a.write else {
        return print(&block);
    };
    let file = match file {
        Some(f) => ctx.cwd.join(f),
        None => root.as_deref().unwrap_or(&ctx.cwd).join("AGENTS.md"),
    };
    let old = match std::fs::read_to_string(&file) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e.into()),
    };
    let new = splice(&old, &block).map_err(|m| Error::Usage(format!("{}: {m}", file.display())))?;
    if new == old {
        ctx.note(&format!("{} is up to date", file.display()));
        return Ok(());
    }
    write_atomic(&file, &new)?;
    ctx.note(&format!(
        "wrote the wm tasks block (as `{wm}`) to {}",
        file.display()
    ));
    Ok(())
}

/// The block for `wm`, between its markers.
pub fn render(wm: &str) -> String {
    format!(
        "{BEGIN} (written by `{wm} tasks onboard --write`; edits between the markers are replaced) -->\n{}{END}\n",
        BLOCK.replace("{wm}", wm)
    )
}

/// `old` with its marked block replaced by `block`, or `block` appended
/// (after a blank line) when it has none.
fn splice(old: &str, block: &str) -> Result<String, String> {
    let begin = old
        .match_indices(BEGIN)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || old.as_bytes()[i - 1] == b'\n');
    let Some(begin) = begin else {
        if old.contains(END) {
            return Err(format!("has `{END}` without `{BEGIN} ... -->`"));
        }
        let mut s = old.to_string();
        if !s.is_empty() {
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s.push('\n');
        }
        s.push_str(block);
        return Ok(s);
    };
    let Some(end) = old[begin..].find(END).map(|i| begin + i + END.len()) else {
        return Err(format!("has `{BEGIN} ... -->` without `{END}`"));
    };
    // The end marker's line break belongs to the block.
    let end = if old[end..].starts_with("\r\n") {
        end + 2
    } else if old[end..].starts_with('\n') {
        end + 1
    } else {
        end
    };
    Ok(format!("{}{block}{}", &old[..begin], &old[end..]))
}

fn write_atomic(file: &Path, text: &str) -> CliResult {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    tmp.write_all(text.as_bytes())?;
    if let Ok(meta) = std::fs::metadata(file) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

/// How this repository runs wm: through the npm package when it is
/// installed between `cwd` and the repository root, else `wm`.
pub fn detect_command(cwd: &Path, root: Option<&Path>) -> String {
    let dirs: Vec<&Path> = match root {
        Some(r) => cwd.ancestors().take_while(|d| d.starts_with(r)).collect(),
        None => vec![cwd],
    };
    if !dirs.iter().any(|d| npm_package_installed(d)) {
        return "wm".into();
    }
    for d in &dirs {
        if let Some(pm) = package_manager(d) {
            return format!("{pm} wm");
        }
    }
    "npx wm".into()
}

/// `node_modules/.bin/wm`, or a package.json dependency on `<scope>/wm`.
fn npm_package_installed(dir: &Path) -> bool {
    let bin = dir.join("node_modules").join(".bin");
    if ["wm", "wm.cmd"].iter().any(|b| bin.join(b).exists()) {
        return true;
    }
    let Some(pkg) = package_json(dir) else {
        return false;
    };
    [
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "peerDependencies",
    ]
    .iter()
    .filter_map(|k| pkg.get(k).and_then(|v| v.as_object()))
    .flat_map(|deps| deps.keys())
    .any(|name| name.starts_with('@') && name.ends_with("/wm"))
}

fn package_json(dir: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// The package manager `dir` declares: by lock file, workspace file, or
/// package.json's `packageManager`.
fn package_manager(dir: &Path) -> Option<&'static str> {
    if let Some(pm) = package_json(dir)
        .as_ref()
        .and_then(|p| p.get("packageManager"))
        .and_then(|v| v.as_str())
    {
        for name in ["pnpm", "yarn", "npm"] {
            if pm.starts_with(&format!("{name}@")) {
                return Some(if name == "npm" { "npx" } else { name });
            }
        }
    }
    let has = |f: &str| dir.join(f).exists();
    if has("pnpm-lock.yaml") || has("pnpm-workspace.yaml") {
        Some("pnpm")
    } else if has("yarn.lock") {
        Some("yarn")
    } else if has("package-lock.json") || has("npm-shrinkwrap.json") {
        Some("npx")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_appends_then_replaces() {
        let b1 = render("wm");
        let b2 = render("pnpm wm");
        let once = splice("# Notes\n", &b1).unwrap();
        assert_eq!(once, format!("# Notes\n\n{b1}"));
        assert_eq!(splice(&once, &b1).unwrap(), once);
        let after = format!("{once}\n## Mine\n");
        let replaced = splice(&after, &b2).unwrap();
        assert_eq!(replaced, format!("# Notes\n\n{b2}\n## Mine\n"));
        assert!(splice("<!-- wm-tasks:begin x -->\n", &b1).is_err());
        assert!(splice("x\n<!-- wm-tasks:end -->\n", &b1).is_err());
    }
}
