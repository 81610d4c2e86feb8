//! Resolving a revision to a commit sha by reading the `.git` directory
//! directly: `HEAD`, branch, tag and remote names (loose refs and
//! `packed-refs`, linked worktrees included) and full shas. Abbreviated
//! shas and revision expressions (`HEAD~1`) need the object database and
//! are refused with a hint to pass a full sha.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A repository's directories: `git_dir` holds `HEAD` (per worktree),
/// `common_dir` holds shared refs and `packed-refs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub work_tree: PathBuf,
    pub git_dir: PathBuf,
    pub common_dir: PathBuf,
}

/// The repository containing `start`, if any.
pub fn discover(start: &Path) -> Option<Repo> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let dot = d.join(".git");
        if dot.is_dir() {
            return Some(repo_at(d, dot));
        }
        if dot.is_file() {
            // A linked worktree or submodule: `gitdir: PATH`.
            let text = fs::read_to_string(&dot).ok()?;
            let target = text.lines().find_map(|l| l.strip_prefix("gitdir:"))?.trim();
            let git_dir = if Path::new(target).is_absolute() {
                PathBuf::from(target)
            } else {
                d.join(target)
            };
            return Some(repo_at(d, git_dir));
        }
        dir = d.parent();
    }
    None
}

fn repo_at(work_tree: &Path, git_dir: PathBuf) -> Repo {
    let common_dir = fs::read_to_string(git_dir.join("commondir"))
        .ok()
        .map(|c| {
            let c = c.trim();
            if Path::new(c).is_absolute() {
                PathBuf::from(c)
            } else {
                git_dir.join(c)
            }
        })
        .unwrap_or_else(|| git_dir.clone());
    Repo {
        work_tree: work_tree.to_path_buf(),
        git_dir,
        common_dir,
    }
}

fn is_full_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.chars().all(|c| c.is_ascii_hexdigit())
}

impl Repo {
    /// The sha a ref name (`refs/heads/main`, `HEAD`) points to, following
    /// symbolic refs.
    fn read_ref(&self, name: &str, depth: u8) -> Result<Option<String>> {
        if depth > 8 {
            return Err(Error::Git(format!("the ref `{name}` is a loop")));
        }
        let per_worktree = name == "HEAD" || !name.starts_with("refs/");
        let dirs: &[&Path] = if per_worktree {
            &[&self.git_dir]
        } else {
            &[&self.git_dir, &self.common_dir]
        };
        for dir in dirs {
            if let Ok(text) = fs::read_to_string(dir.join(name)) {
                let text = text.trim();
                if let Some(target) = text.strip_prefix("ref:") {
                    return self.read_ref(target.trim(), depth + 1);
                }
                if is_full_sha(text) {
                    return Ok(Some(text.to_ascii_lowercase()));
                }
            }
        }
        Ok(self.packed_ref(name))
    }

    /// A ref from `packed-refs`, peeled to the commit for annotated tags.
    fn packed_ref(&self, name: &str) -> Option<String> {
        let text = fs::read_to_string(self.common_dir.join("packed-refs")).ok()?;
        let mut lines = text.lines().peekable();
        while let Some(l) = lines.next() {
            let mut parts = l.splitn(2, ' ');
            let (Some(sha), Some(r)) = (parts.next(), parts.next()) else {
                continue;
            };
            if r.trim() == name && is_full_sha(sha) {
                if let Some(peeled) = lines.peek().and_then(|n| n.strip_prefix('^'))
                    && is_full_sha(peeled.trim())
                {
                    return Some(peeled.trim().to_ascii_lowercase());
                }
                return Some(sha.to_ascii_lowercase());
            }
        }
        None
    }

    /// Resolve `rev`: a full sha, `HEAD`, or a branch, tag or remote name.
    pub fn resolve(&self, rev: &str) -> Result<String> {
        let rev = rev.trim();
        if is_full_sha(rev) {
            return Ok(rev.to_ascii_lowercase());
        }
        if rev.is_empty() || rev.contains("..") || rev.starts_with('-') {
            return Err(Error::Git(format!("`{rev}` is not a revision name")));
        }
        let candidates: Vec<String> = if rev == "HEAD" || rev.starts_with("refs/") {
            vec![rev.to_string()]
        } else {
            ["refs/heads/", "refs/tags/", "refs/remotes/"]
                .iter()
                .map(|p| format!("{p}{rev}"))
                .collect()
        };
        for c in &candidates {
            if let Some(sha) = self.read_ref(c, 0)? {
                return Ok(sha);
            }
        }
        if rev == "HEAD" {
            return Err(Error::Git(
                "HEAD has no commit yet; commit first, then link it".into(),
            ));
        }
        Err(Error::Git(format!(
            "cannot resolve `{rev}`: wm reads branch, tag and remote names, HEAD and full \
             40-character shas; pass the full sha (`git rev-parse {rev}`)"
        )))
    }
}

/// Resolve `rev` in the repository containing `start`.
pub fn resolve_commit(start: &Path, rev: &str) -> Result<String> {
    let repo = discover(start).ok_or_else(|| {
        Error::Git(format!(
            "{} is not inside a git repository; --commit links a git commit",
            start.display()
        ))
    })?;
    repo.resolve(rev)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const C: &str = "3333333333333333333333333333333333333333";

    #[test]
    fn resolves_head_branches_packed_refs_and_worktrees() {
        let dir = tempfile::tempdir().unwrap();
        let git = dir.path().join("main/.git");
        fs::create_dir_all(git.join("refs/heads")).unwrap();
        fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        fs::write(git.join("refs/heads/main"), format!("{A}\n")).unwrap();
        fs::write(
            git.join("packed-refs"),
            format!("# pack-refs with: peeled\n{B} refs/heads/old\n{B} refs/tags/v1\n^{C}\n"),
        )
        .unwrap();
        let sub = dir.path().join("main/src");
        fs::create_dir_all(&sub).unwrap();
        assert_eq!(resolve_commit(&sub, "HEAD").unwrap(), A);
        assert_eq!(resolve_commit(&sub, "main").unwrap(), A);
        assert_eq!(resolve_commit(&sub, "old").unwrap(), B);
        assert_eq!(resolve_commit(&sub, "v1").unwrap(), C);
        assert_eq!(resolve_commit(&sub, &C.to_uppercase()).unwrap(), C);
        assert!(resolve_commit(&sub, "abc123").is_err());

        // A linked worktree: `.git` is a file, HEAD is its own, refs shared.
        let wt_git = git.join("worktrees/wt");
        fs::create_dir_all(&wt_git).unwrap();
        fs::write(wt_git.join("HEAD"), "ref: refs/heads/old\n").unwrap();
        fs::write(wt_git.join("commondir"), "../..\n").unwrap();
        let wt = dir.path().join("wt");
        fs::create_dir_all(&wt).unwrap();
        fs::write(wt.join(".git"), format!("gitdir: {}\n", wt_git.display())).unwrap();
        assert_eq!(resolve_commit(&wt, "HEAD").unwrap(), B);
        assert_eq!(resolve_commit(&wt, "main").unwrap(), A);
    }

    #[test]
    fn outside_a_repository_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = resolve_commit(dir.path(), "HEAD").unwrap_err();
        assert!(e.to_string().contains("not inside a git repository"));
    }
}
