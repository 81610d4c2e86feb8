//! The one repository-root finder: where the working tree and the git
//! directory of the repository around a path are, read from the file
//! system without git itself (fast, and works with no git installed).

use std::fs;
use std::path::{Path, PathBuf};

/// A repository found around a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    /// The working-tree root (the directory holding `.git`).
    pub work_tree: PathBuf,
    /// The git directory: `.git`, or the directory a `.git` file points to
    /// (worktrees, submodules).
    pub git_dir: PathBuf,
}

/// The repository around `start`, if any.
pub fn find(start: &Path) -> Option<Root> {
    for d in start.ancestors() {
        let dot = d.join(".git");
        if dot.is_dir() {
            return Some(Root {
                work_tree: d.to_path_buf(),
                git_dir: dot,
            });
        }
        if dot.is_file() {
            let text = fs::read_to_string(&dot).ok()?;
            let target = Path::new(text.trim().strip_prefix("gitdir:")?.trim());
            return Some(Root {
                work_tree: d.to_path_buf(),
                git_dir: d.join(target),
            });
        }
    }
    None
}

/// `start` and its parents up to and including the repository root (all
/// of them outside a repository): where a per-repository file is looked
/// for, so that a search never leaves the repository it started in.
pub fn up_to_root(start: &Path) -> impl Iterator<Item = &Path> {
    let mut done = false;
    start.ancestors().take_while(move |d| {
        if done {
            return false;
        }
        done = d.join(".git").exists();
        true
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_stops_at_the_repository_root() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let deep = repo.join("a/b");
        fs::create_dir_all(&deep).unwrap();
        fs::create_dir(repo.join(".git")).unwrap();
        let walked: Vec<&Path> = up_to_root(&deep).collect();
        assert_eq!(walked.last(), Some(&repo.as_path()));
        assert_eq!(walked.len(), 3);
        let root = find(&deep).unwrap();
        assert_eq!(root.work_tree, repo);
        assert_eq!(root.git_dir, repo.join(".git"));
        // A worktree's `.git` file points elsewhere.
        let wt = dir.path().join("wt");
        fs::create_dir(&wt).unwrap();
        fs::write(wt.join(".git"), "gitdir: ../repo/.git/worktrees/wt\n").unwrap();
        assert_eq!(
            find(&wt).unwrap().git_dir,
            wt.join("../repo/.git/worktrees/wt")
        );
    }
}
