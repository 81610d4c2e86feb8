//! Git, read through libgit2 (the `git2` crate, built without network
//! support): opening the repository that holds the store, resolving
//! revisions, walking ranges, and the pure rules that find task and issue
//! references in commit messages and branch names.
//!
//! # How a message references a task
//!
//! * a word that is a task's full id, or a unique prefix of one at least
//!   [`ID_LEN`] (8) characters long: the length ids are displayed with, so a
//!   shorter word (`docs`, `fix`, a short sha) never matches by accident.
//!   A word is a run of letters, digits, `-`, `_` and `.`; a trailing `.`
//!   (end of a sentence) is dropped;
//! * a `Task: <id>` trailer line (the same matching; several ids may be
//!   separated by commas);
//! * `Closes <id>`, `Fixes <id>`, `Resolves <id>` (any case, also
//!   close/closed/fix/fixed/resolve/resolved, with or without a colon) both
//!   reference the task and ask `scan --close` to complete it;
//! * `GH#N` (a whole word) references issue N.
//!
//! Nothing here prints or shells out to `git`.

pub mod gates;
pub mod root;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Offset, TimeZone, Utc};
use git2::{ErrorCode, Oid, Repository, Sort};

use crate::error::{Error, Result};
use crate::graph::plan::Plan;
use crate::model::ID_LEN;

/// A repository opened through libgit2.
pub struct Repo {
    repo: Repository,
}

/// What `wm` shows of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full sha (40 hex characters).
    pub sha: String,
    pub author: String,
    /// The author date, in the author's own offset.
    pub time: DateTime<FixedOffset>,
    /// The first line of the message.
    pub summary: String,
    pub message: String,
    /// Number of parents; more than one is a merge.
    pub parents: usize,
}

impl CommitInfo {
    pub fn short(&self) -> &str {
        short_sha(&self.sha)
    }
    pub fn is_merge(&self) -> bool {
        self.parents > 1
    }
}

/// The 7-character form of a sha people read.
pub fn short_sha(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

fn git_err(e: git2::Error) -> Error {
    Error::Git(e.message().to_string())
}

impl Repo {
    /// The repository containing `dir` (searching its parents).
    pub fn discover(dir: &Path) -> Result<Repo> {
        match Repository::discover(dir) {
            Ok(repo) => Ok(Repo { repo }),
            Err(e) if e.code() == ErrorCode::NotFound => Err(Error::NoRepo {
                searched: dir.to_path_buf(),
            }),
            Err(e) => Err(git_err(e)),
        }
    }

    /// The working tree's root (None for a bare repository).
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// Where hooks live: `core.hooksPath` when set, else the common git
    /// directory's `hooks` (shared by all worktrees).
    pub fn hooks_dir(&self) -> PathBuf {
        if let Ok(cfg) = self.repo.config()
            && let Ok(p) = cfg.get_path("core.hooksPath")
        {
            if p.is_absolute() {
                return p;
            }
            if let Some(w) = self.repo.workdir() {
                return w.join(p);
            }
        }
        self.repo.commondir().join("hooks")
    }

    /// The full sha of the commit `rev` names (`HEAD`, a branch, a sha...).
    pub fn resolve_commit(&self, rev: &str) -> Result<String> {
        let obj = self.repo.revparse_single(rev).map_err(|e| match e.code() {
            ErrorCode::NotFound | ErrorCode::Ambiguous | ErrorCode::InvalidSpec => {
                Error::Usage(format!(
                    "`{rev}` names no commit in this repository ({})",
                    e.message()
                ))
            }
            ErrorCode::UnbornBranch => {
                Error::Usage(format!("`{rev}`: the repository has no commits yet"))
            }
            _ => git_err(e),
        })?;
        let c = obj
            .peel_to_commit()
            .map_err(|_| Error::Usage(format!("`{rev}` is not a commit")))?;
        Ok(c.id().to_string())
    }

    /// The commit HEAD points to; None on a branch with no commits yet.
    pub fn head(&self) -> Result<Option<String>> {
        match self.repo.head() {
            Ok(r) => match r.peel_to_commit() {
                Ok(c) => Ok(Some(c.id().to_string())),
                Err(e) => Err(git_err(e)),
            },
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
            Err(e) => Err(git_err(e)),
        }
    }

    /// The checked-out branch's short name (None when HEAD is detached).
    pub fn branch(&self) -> Option<String> {
        let head = self.repo.find_reference("HEAD").ok()?;
        let target = head.symbolic_target().ok()??;
        target.strip_prefix("refs/heads/").map(String::from)
    }

    /// A commit by full or abbreviated sha; None when the repository does
    /// not have it (rebased away, never fetched) or `sha` is not one.
    pub fn commit(&self, sha: &str) -> Option<CommitInfo> {
        let obj = self.repo.revparse_single(sha).ok()?;
        let c = obj.peel_to_commit().ok()?;
        if !c.id().to_string().starts_with(&sha.to_ascii_lowercase()) {
            return None;
        }
        Some(info(&c))
    }

    /// The commits of a revision range, oldest first. `A..B` is what B has
    /// and A has not, `A...B` what either has and their merge base has not,
    /// a single revision everything reachable from it.
    pub fn range(&self, spec: &str) -> Result<Vec<CommitInfo>> {
        let bad = |e: git2::Error| {
            Error::Usage(format!(
                "`{spec}` is not a revision range of this repository ({})",
                e.message()
            ))
        };
        let rs = self.repo.revparse(spec).map_err(bad)?;
        let id = |o: Option<&git2::Object>| -> Result<Option<Oid>> {
            match o {
                Some(o) => Ok(Some(o.peel_to_commit().map_err(bad)?.id())),
                None => Ok(None),
            }
        };
        let (from, to) = (id(rs.from())?, id(rs.to())?);
        let mode = rs.mode();
        let mut push = Vec::new();
        let mut hide = Vec::new();
        if mode.contains(git2::RevparseMode::SINGLE) {
            push.extend(from);
        } else {
            let head = || -> Result<Oid> {
                self.repo
                    .head()
                    .and_then(|h| h.peel_to_commit())
                    .map(|c| c.id())
                    .map_err(bad)
            };
            let from = match from {
                Some(f) => f,
                None => head()?,
            };
            let to = match to {
                Some(t) => t,
                None => head()?,
            };
            push.push(to);
            if mode.contains(git2::RevparseMode::MERGE_BASE) {
                push.push(from);
                if let Ok(base) = self.repo.merge_base(from, to) {
                    hide.push(base);
                }
            } else {
                hide.push(from);
            }
        }
        self.walk(&push, &hide)
    }

    /// Everything reachable from HEAD that is not reachable from `since`
    /// (when `since` is a commit this repository has), oldest first. Also
    /// returns HEAD and whether `since` was found.
    pub fn since(&self, since: Option<&str>) -> Result<(Vec<CommitInfo>, Option<String>, bool)> {
        let Some(head) = self.head()? else {
            return Ok((Vec::new(), None, since.is_none()));
        };
        let head_oid = Oid::from_str(&head).map_err(git_err)?;
        let mut hide = Vec::new();
        let mut found = since.is_none();
        if let Some(s) = since
            && let Ok(oid) = Oid::from_str(s)
            && s.len() == 40
            && self.repo.find_commit(oid).is_ok()
        {
            hide.push(oid);
            found = true;
        }
        Ok((self.walk(&[head_oid], &hide)?, Some(head), found))
    }

    fn walk(&self, push: &[Oid], hide: &[Oid]) -> Result<Vec<CommitInfo>> {
        let mut walk = self.repo.revwalk().map_err(git_err)?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME | Sort::REVERSE)
            .map_err(git_err)?;
        for &p in push {
            walk.push(p).map_err(git_err)?;
        }
        for &h in hide {
            walk.hide(h).map_err(git_err)?;
        }
        let mut out = Vec::new();
        for oid in walk {
            let oid = oid.map_err(git_err)?;
            let c = self.repo.find_commit(oid).map_err(git_err)?;
            out.push(info(&c));
        }
        Ok(out)
    }
}

fn info(c: &git2::Commit) -> CommitInfo {
    let t = c.author().when();
    let offset = FixedOffset::east_opt(t.offset_minutes() * 60).unwrap_or(Utc.fix());
    let time = offset
        .timestamp_opt(t.seconds(), 0)
        .single()
        .unwrap_or_else(|| DateTime::<Utc>::default().with_timezone(&offset));
    let message = String::from_utf8_lossy(c.message_bytes()).into_owned();
    CommitInfo {
        sha: c.id().to_string(),
        author: String::from_utf8_lossy(c.author().name_bytes()).into_owned(),
        time,
        summary: message.lines().next().unwrap_or("").trim().to_string(),
        message,
        parents: c.parent_count(),
    }
}

/// The full sha `rev` names in the repository containing `repo_dir`: for
/// `wm tasks done ID --commit [REV]` and anything else that records a commit.
pub fn resolve_commit(repo_dir: &Path, rev: &str) -> Result<String> {
    Repo::discover(repo_dir)?.resolve_commit(rev)
}

/// git's `user.name` for the repository containing `dir` (its config, then
/// the global ones), if set.
pub fn user_name(dir: &Path) -> Option<String> {
    let config = match git2::Repository::discover(dir) {
        Ok(repo) => repo.config().ok()?,
        Err(_) => git2::Config::open_default().ok()?,
    };
    config
        .get_string("user.name")
        .ok()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
}

// ---------------------------------------------------------------------------
// Pure rules: messages, trailers, branch names.

/// What a commit message mentions, before matching against the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mentions {
    /// Every word that could be an id, in order.
    pub words: Vec<String>,
    /// Values of `Task:` trailers.
    pub trailers: Vec<String>,
    /// Words following a closing keyword.
    pub closes: Vec<String>,
    /// Issue numbers from `GH#N`.
    pub issues: Vec<u64>,
}

const CLOSE_WORDS: [&str; 9] = [
    "close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved",
];

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// The id-like words of `text`: runs of id characters, trailing dots dropped.
fn id_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_id_char(c))
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
}

/// Find the words, trailers, closing keywords and issue mentions of a
/// commit message.
pub fn mentions(msg: &str) -> Mentions {
    let mut m = Mentions::default();
    for line in msg.lines() {
        let trimmed = line.trim_start();
        if let Some((key, value)) = trimmed.split_once(':')
            && key.eq_ignore_ascii_case("task")
        {
            m.trailers.extend(
                value
                    .split([',', ' ', '\t'])
                    .map(|v| v.trim().trim_end_matches('.'))
                    .filter(|v| !v.is_empty())
                    .map(String::from),
            );
        }
        m.words.extend(id_words(line).map(String::from));
        let raw: Vec<&str> = line.split_whitespace().collect();
        for (k, w) in raw.iter().enumerate() {
            let kw = w.trim_end_matches(':').to_ascii_lowercase();
            if CLOSE_WORDS.contains(&kw.as_str())
                && let Some(next) = raw.get(k + 1)
                && let Some(target) = id_words(next).next()
            {
                m.closes.push(target.to_string());
            }
        }
        m.issues.extend(issue_mentions(line));
    }
    m
}

/// Issue numbers of the `GH#N` words of `text`.
pub fn issue_mentions(text: &str) -> Vec<u64> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 3 <= bytes.len() {
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if at_word_start && bytes[i..i + 3].eq_ignore_ascii_case(b"gh#") {
            let digits: String = text[i + 3..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            let end = i + 3 + digits.len();
            let whole = end >= bytes.len() || !bytes[end].is_ascii_alphanumeric();
            if whole
                && let Ok(n) = digits.parse::<u64>()
                && !out.contains(&n)
            {
                out.push(n);
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Matches message words against the plan's ids: a full id, or a unique
/// prefix at least [`ID_LEN`] characters long.
pub struct IdMatcher {
    ids: Vec<String>,
}

impl IdMatcher {
    pub fn new(plan: &Plan) -> IdMatcher {
        let mut ids: Vec<String> = plan.tasks().iter().map(|t| t.id.clone()).collect();
        ids.sort();
        ids.dedup();
        IdMatcher { ids }
    }

    pub fn find(&self, word: &str) -> Option<&str> {
        for w in [word.to_string(), word.to_ascii_lowercase()] {
            if let Ok(k) = self.ids.binary_search(&w) {
                return Some(&self.ids[k]);
            }
            if w.len() >= ID_LEN {
                let start = self.ids.partition_point(|id| id.as_str() < w.as_str());
                let matching: Vec<&String> = self.ids[start..]
                    .iter()
                    .take_while(|id| id.starts_with(w.as_str()))
                    .take(2)
                    .collect();
                if let [one] = matching.as_slice() {
                    return Some(one.as_str());
                }
            }
        }
        None
    }
}

/// What a message references once matched against the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct References {
    /// Full ids of the referenced tasks, in order of first mention.
    pub tasks: Vec<String>,
    /// Full ids the message asks to complete (`Closes <id>`...).
    pub closes: Vec<String>,
    /// Issues mentioned as `GH#N`.
    pub issues: Vec<u64>,
    /// `Task:` trailer values that match no task.
    pub unknown: Vec<String>,
}

impl References {
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty() && self.issues.is_empty()
    }
}

/// Match a message's mentions against the plan's ids.
pub fn references(msg: &str, ids: &IdMatcher) -> References {
    let m = mentions(msg);
    let mut r = References {
        issues: m.issues,
        ..References::default()
    };
    let add = |list: &mut Vec<String>, id: &str| {
        if !list.iter().any(|x| x == id) {
            list.push(id.to_string());
        }
    };
    for t in &m.trailers {
        match ids.find(t) {
            Some(id) => add(&mut r.tasks, id),
            None => add(&mut r.unknown, t),
        }
    }
    for w in &m.words {
        if let Some(id) = ids.find(w) {
            add(&mut r.tasks, id);
        }
    }
    for w in &m.closes {
        if let Some(id) = ids.find(w) {
            add(&mut r.closes, id);
        }
    }
    r
}

/// The issue a branch name is for: a path segment starting with `GH-N`
/// (any case) followed by the end, `-`, `_` or `.`: `feature/GH-42-vpn`,
/// `gh-7`, `fix/GH-12_typo`; else a segment after the first made of the
/// number and a dash or underscore: `feature/104-invoice`.
pub fn issue_from_branch(branch: &str) -> Option<u64> {
    let number = |rest: &str| -> Option<u64> {
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        let after = rest[digits.len()..].chars().next();
        if digits.is_empty() || after.is_some_and(|c| !matches!(c, '-' | '_' | '.')) {
            return None;
        }
        digits.parse().ok()
    };
    let gh = branch.split('/').find_map(|seg| {
        let rest = seg
            .get(..3)?
            .eq_ignore_ascii_case("gh-")
            .then(|| &seg[3..])?;
        number(rest)
    });
    // The other convention, `feature/104-invoice`: a segment after the
    // first that starts with the number and a dash (`release/1.2` is not
    // an issue).
    gh.or_else(|| {
        branch.split('/').skip(1).find_map(|seg| {
            let digits = seg.chars().take_while(|c| c.is_ascii_digit()).count();
            match seg[digits..].chars().next() {
                Some('-' | '_') if digits > 0 => seg[..digits].parse().ok(),
                _ => None,
            }
        })
    })
}

/// Whether a line looks like a `Key: value` trailer.
fn is_trailer_line(line: &str) -> bool {
    match line.split_once(": ") {
        Some((key, _)) => {
            !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        }
        None => false,
    }
}

/// Add a `key: value` trailer to a commit message as git lays trailers
/// out: in the final paragraph when that is already a trailer block, else
/// after a blank line. Comment lines (`#`) that end the message, and
/// everything from a scissors line on, stay at the end, after it.
pub fn add_trailer(msg: &str, key: &str, value: &str) -> String {
    let lines: Vec<&str> = msg.lines().collect();
    let scissors = lines
        .iter()
        .position(|l| l.starts_with("# ") && l.contains(">8"))
        .unwrap_or(lines.len());
    let mut end = scissors;
    while end > 0 && (lines[end - 1].trim().is_empty() || lines[end - 1].starts_with('#')) {
        end -= 1;
    }
    let content = &lines[..end];
    let tail = &lines[end..];
    let mut out = String::with_capacity(msg.len() + key.len() + value.len() + 4);
    for l in content {
        out.push_str(l);
        out.push('\n');
    }
    let last_para: Vec<&&str> = content
        .iter()
        .rev()
        .take_while(|l| !l.trim().is_empty())
        .collect();
    let in_block = content.len() > last_para.len()
        && !last_para.is_empty()
        && last_para.iter().all(|l| is_trailer_line(l));
    if !in_block {
        out.push('\n');
    }
    out.push_str(&format!("{key}: {value}\n"));
    let tail: Vec<&&str> = tail.iter().skip_while(|l| l.trim().is_empty()).collect();
    if !tail.is_empty() {
        out.push('\n');
        for l in tail {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{StoreFile, Task, TaskType};

    fn plan(ids: &[&str]) -> Plan {
        let now = Utc::now();
        Plan::new(StoreFile {
            tasks: ids
                .iter()
                .map(|id| Task::new(id.to_string(), "t".into(), TaskType::Impl, now))
                .collect(),
            ..StoreFile::default()
        })
    }

    #[test]
    fn words_trailers_closes_and_issues() {
        let p = plan(&["k3m9abcd", "k3m9zzzz", "net-rollout-2026", "docs"]);
        let ids = IdMatcher::new(&p);
        let r = references(
            "Harden ssh (k3m9abcd), see GH#42.\n\nFixes: net-rollout-2026.\nTask: k3m9zzzz\nTask: nope1234\n",
            &ids,
        );
        assert_eq!(r.tasks, ["k3m9zzzz", "k3m9abcd", "net-rollout-2026"]);
        assert_eq!(r.closes, ["net-rollout-2026"]);
        assert_eq!(r.issues, [42]);
        assert_eq!(r.unknown, ["nope1234"]);
    }

    #[test]
    fn prefixes_need_the_display_length_and_whole_words() {
        let p = plan(&["k3m9abcd", "net-rollout-2026", "docs"]);
        let ids = IdMatcher::new(&p);
        // Short prefixes never match; 8+ character unique prefixes do.
        assert!(references("k3m9 and k3m9abc", &ids).tasks.is_empty());
        assert_eq!(
            references("net-roll done", &ids).tasks,
            ["net-rollout-2026"]
        );
        assert!(references("net-rol", &ids).tasks.is_empty());
        // Part of a longer word is not a reference.
        assert!(
            references("xk3m9abcd k3m9abcdx k3m9abcd-2", &ids)
                .tasks
                .is_empty()
        );
        // A full short id is a word like any other.
        assert_eq!(references("Update docs", &ids).tasks, ["docs"]);
        assert!(references("Update Docs2", &ids).tasks.is_empty());
    }

    #[test]
    fn ambiguous_prefixes_match_nothing() {
        let p = plan(&["abcdefgh-1", "abcdefgh-2"]);
        let ids = IdMatcher::new(&p);
        assert!(references("abcdefgh", &ids).tasks.is_empty());
        assert_eq!(references("abcdefgh-2", &ids).tasks, ["abcdefgh-2"]);
    }

    #[test]
    fn issue_mentions_are_whole_words() {
        assert_eq!(issue_mentions("GH#42, gh#7 and xGH#9 GH#10a GH#"), [42, 7]);
    }

    #[test]
    fn closing_keywords() {
        let m = mentions("closes k3m9abcd\nRESOLVED: abc, Fixed (x1234567).\nfixing nothing");
        assert_eq!(m.closes, ["k3m9abcd", "abc", "x1234567"]);
    }

    #[test]
    fn branch_names() {
        assert_eq!(
            issue_from_branch("feature/GH-42-network-hardening"),
            Some(42)
        );
        assert_eq!(issue_from_branch("gh-7"), Some(7));
        assert_eq!(issue_from_branch("fix/GH-12_typo"), Some(12));
        assert_eq!(issue_from_branch("main"), None);
        assert_eq!(issue_from_branch("feature/GH-42x"), None);
        assert_eq!(issue_from_branch("feature/myGH-42"), None);
        assert_eq!(issue_from_branch("GH-"), None);
        assert_eq!(issue_from_branch("feature/104-invoice"), Some(104));
        assert_eq!(issue_from_branch("fix/7_typo"), Some(7));
        assert_eq!(issue_from_branch("104-invoice"), None);
        assert_eq!(issue_from_branch("release/1.2"), None);
        assert_eq!(issue_from_branch("feature/2fa"), None);
    }

    #[test]
    fn trailers_join_a_trailer_block_or_start_one() {
        assert_eq!(
            add_trailer("Fix it\n", "Task", "k3m9abcd"),
            "Fix it\n\nTask: k3m9abcd\n"
        );
        assert_eq!(
            add_trailer("Fix it\n\nSigned-off-by: A <a@b>\n", "Task", "k3m9abcd"),
            "Fix it\n\nSigned-off-by: A <a@b>\nTask: k3m9abcd\n"
        );
        // The subject alone is never a trailer block.
        assert_eq!(
            add_trailer("fix: thing\n", "Task", "x"),
            "fix: thing\n\nTask: x\n"
        );
        // Comments and the scissors section stay last.
        assert_eq!(
            add_trailer(
                "Fix it\n\n# Please enter the commit message\n# ------------------------ >8 ------------------------\ndiff\n",
                "Task",
                "x"
            ),
            "Fix it\n\nTask: x\n\n# Please enter the commit message\n# ------------------------ >8 ------------------------\ndiff\n"
        );
        // An empty editor message gets the trailer below an empty subject.
        assert_eq!(
            add_trailer("\n# Please enter\n", "Task", "x"),
            "\nTask: x\n\n# Please enter\n"
        );
    }
}
