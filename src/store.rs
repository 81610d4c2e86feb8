//! Finding, locking, reading and atomically writing `tasks.yaml`.
//!
//! Every write is a read-modify-write under an exclusive lock on the store
//! file itself, and replaces the file by renaming a fully written, fsynced
//! temporary file over it, so readers (who never lock) see the old or the
//! new content, never a mix. A store that fails to load is never written.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::check;
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::model::{FORMAT_VERSION, StoreFile};
use crate::plan::Plan;
use crate::yaml;

pub const FILE_NAME: &str = "tasks.yaml";

/// Files larger than this are refused before parsing: a real store of
/// 100,000 tasks is about 40 MB.
pub const MAX_FILE_BYTES: u64 = 96 * 1024 * 1024;

/// Where the store is, and whether it exists yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub exists: bool,
}

/// Find the store: an explicit path (from `--file` or the environment, as
/// the caller decides), else the nearest `tasks.yaml` from `cwd` upward,
/// stopping at the repository root (a directory holding `.git`). When none
/// exists, the location where one would be created: the repository root, or
/// `cwd` outside a repository.
pub fn locate(explicit: Option<&Path>, cwd: &Path) -> Location {
    if let Some(p) = explicit {
        let path = if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        };
        return Location {
            exists: path.exists(),
            path,
        };
    }
    let mut dir = Some(cwd);
    let mut root = None;
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Location {
                path: candidate,
                exists: true,
            };
        }
        if d.join(".git").exists() {
            root = Some(d);
            break;
        }
        dir = d.parent();
    }
    Location {
        path: root.unwrap_or(cwd).join(FILE_NAME),
        exists: false,
    }
}

/// A plan loaded from disk, with what validation found.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub plan: Plan,
    pub graph: Graph,
    pub problems: Vec<check::Problem>,
}

impl Loaded {
    /// Errors only (the store is unusable for graph commands if any).
    pub fn errors(&self) -> Vec<check::Problem> {
        check::errors(&self.problems)
    }

    /// Fail with exit class `Store` when the graph has errors.
    pub fn require_valid(&self) -> Result<()> {
        let errors = self.errors();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid {
                path: self.path.clone(),
                problems: errors,
            })
        }
    }
}

/// Parse store text (already read from `path`, used only in messages).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<StoreFile> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(bytes, e.valid_up_to());
        Error::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message:
                "the file is not valid UTF-8; save it as UTF-8 (the last good content is in git)"
                    .into(),
        }
    })?;
    if text.trim().is_empty() {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: "the file is empty; a store holds at least `version: 1` \
                      (restore it from git, or delete it and run `wm tasks init`)"
                .into(),
        });
    }
    if let Some(line) = conflict_marker_line(text) {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            line,
            column: 1,
            message: "the file holds Git conflict markers: a merge is unfinished. Resolve the \
                      conflicts (keep the tasks of both sides), then `git add` the file and \
                      finish the merge; `wm tasks check` validates the result"
                .into(),
        });
    }
    if let Some(found) = declared_version(text)
        && found > u64::from(FORMAT_VERSION)
    {
        return Err(Error::NewerVersion {
            path: path.to_path_buf(),
            found,
            supported: FORMAT_VERSION,
        });
    }
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: 100_000_000,
            max_nodes: 50_000_000,
            max_depth: 64,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_total_scalar_bytes: MAX_FILE_BYTES as usize,
        },
        with_snippet: false,
    };
    let file: StoreFile = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        Error::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: explain_parse_error(&e.to_string(), text),
        }
    })?;
    if file.version == 0 || file.version > FORMAT_VERSION {
        return Err(Error::NewerVersion {
            path: path.to_path_buf(),
            found: u64::from(file.version),
            supported: FORMAT_VERSION,
        });
    }
    Ok(file)
}

/// Make serde's messages say what to do.
fn explain_parse_error(msg: &str, text: &str) -> String {
    // serde-saphyr prefixes its own location; we print ours.
    let msg = strip_location_suffix(msg);
    if let Some(rest) = msg.split("unknown field `").nth(1) {
        let field = rest.split('`').next().unwrap_or("");
        let known = [
            "id",
            "title",
            "type",
            "status",
            "phase",
            "issue",
            "parent",
            "depends_on",
            "labels",
            "assignee",
            "description",
            "commits",
            "created_at",
            "updated_at",
            "closed_at",
            "forced",
            "version",
            "workflow",
            "tasks",
            "phases",
            "name",
            "group",
            "keywords",
            "at",
            "to",
            "reason",
            "scan",
            "head",
        ];
        if let Some(best) = known
            .iter()
            .filter(|k| edit_distance(field, k) <= 2.max(field.len() / 3))
            .min_by_key(|k| edit_distance(field, k))
        {
            return format!("{msg}; did you mean `{best}`?");
        }
        return msg;
    }
    if text.lines().any(|l| l.starts_with('\t')) && msg.to_lowercase().contains("tab") {
        return format!("{msg} (YAML indents with spaces, never tabs)");
    }
    msg
}

fn strip_location_suffix(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Levenshtein distance, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn line_col(bytes: &[u8], offset: usize) -> (u64, u64) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() as u64 + 1;
    (line, col)
}

fn conflict_marker_line(text: &str) -> Option<u64> {
    text.lines()
        .position(|l| {
            l.starts_with("<<<<<<< ")
                || l == "<<<<<<<"
                || l.starts_with(">>>>>>> ")
                || l == "======="
        })
        .map(|i| i as u64 + 1)
}

/// The `version:` a file declares at top level, read before full parsing so
/// that a newer file is refused with the right message even if its fields
/// are unknown to us.
fn declared_version(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix("version:"))
        .and_then(|v| v.split('#').next())
        .and_then(|v| v.trim().trim_matches(['"', '\'']).parse().ok())
}

fn read_bytes(path: &Path, file: &mut File) -> Result<Vec<u8>> {
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len > MAX_FILE_BYTES {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: format!(
                "the file is {} MB, over the {} MB limit for a store; is it really a tasks.yaml?",
                len / 1_000_000,
                MAX_FILE_BYTES / 1_000_000
            ),
        });
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

fn analyse(path: &Path, file: StoreFile) -> Loaded {
    let plan = Plan::new(file);
    let graph = Graph::build(&plan);
    let problems = check::check(&plan, &graph);
    Loaded {
        path: path.to_path_buf(),
        plan,
        graph,
        problems,
    }
}

/// Load a store for reading (no lock: writers replace the file atomically).
pub fn load(path: &Path) -> Result<Loaded> {
    let mut f = File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::NoStore {
                searched: path.parent().unwrap_or(path).to_path_buf(),
            }
        } else {
            Error::io(path, e)
        }
    })?;
    let bytes = read_bytes(path, &mut f)?;
    Ok(analyse(path, parse(path, &bytes)?))
}

/// An exclusive hold on a store, for one read-modify-write.
#[derive(Debug)]
pub struct Locked {
    /// The store as read under the lock (an empty plan if it did not exist).
    pub loaded: Loaded,
    /// Whether the file existed when locked.
    pub existed: bool,
    /// The open, locked store file (None when creating a new store).
    file: Option<File>,
}

/// Lock the store at `path` for writing, waiting up to `timeout`, and load
/// it. With `create`, a missing store is treated as empty (it is created
/// without clobbering one made meanwhile).
pub fn lock(path: &Path, timeout: Duration, create: bool) -> Result<Locked> {
    let start = Instant::now();
    loop {
        let mut f = match OpenOptions::new().read(true).write(true).open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !create {
                    return Err(Error::NoStore {
                        searched: path.parent().unwrap_or(path).to_path_buf(),
                    });
                }
                return Ok(Locked {
                    loaded: analyse(path, StoreFile::default()),
                    existed: false,
                    file: None,
                });
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        match f.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                if start.elapsed() >= timeout {
                    return Err(Error::Locked {
                        path: path.to_path_buf(),
                        pid: lock_holder(&f),
                        waited_ms: start.elapsed().as_millis(),
                    });
                }
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(path, e)),
        }
        // The file may have been replaced between open and lock; then our
        // lock is on a dead inode and we must lock the new file instead.
        if !same_file(&f, path) {
            continue;
        }
        let bytes = read_bytes(path, &mut f)?;
        let file = parse(path, &bytes)?;
        return Ok(Locked {
            loaded: analyse(path, file),
            existed: true,
            file: Some(f),
        });
    }
}

#[cfg(unix)]
fn same_file(f: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_f: &File, path: &Path) -> bool {
    path.exists()
}

/// The pid holding a lock on `f`, read from /proc/locks (Linux only).
#[cfg(target_os = "linux")]
fn lock_holder(f: &File) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    let ino = f.metadata().ok()?.ino();
    let locks = fs::read_to_string("/proc/locks").ok()?;
    locks.lines().find_map(|l| {
        let fields: Vec<&str> = l.split_whitespace().collect();
        // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
        let dev_ino = fields.get(5)?;
        let lock_ino: u64 = dev_ino.rsplit(':').next()?.parse().ok()?;
        if lock_ino == ino && fields.get(1) == Some(&"FLOCK") {
            fields.get(4)?.parse().ok()
        } else {
            None
        }
    })
}

#[cfg(not(target_os = "linux"))]
fn lock_holder(_f: &File) -> Option<u32> {
    None
}

impl Locked {
    /// Write `plan` as the new content and release the lock. Fails (and
    /// writes nothing) if a store appeared meanwhile where none existed.
    pub fn commit(self, mut plan: Plan) -> Result<()> {
        plan.sort_canonical();
        let text = yaml::emit(plan.file());
        write_atomic(&self.loaded.path, text.as_bytes(), !self.existed)?;
        drop(self.file);
        Ok(())
    }
}

/// Temporary files of interrupted writes look like `.tasks.yaml.XXXXXX.tmp`.
fn temp_prefix(path: &Path) -> String {
    format!(
        ".{}.",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| FILE_NAME.into())
    )
}

/// Remove temporary files left by writers that were killed mid-write. Only
/// called under the lock, when no other writer can own one.
fn clean_stale_temps(dir: &Path, prefix: &str) {
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(prefix) && name.ends_with(".tmp") {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

/// Write `bytes` to `path` atomically: temp file in the same directory,
/// fsync, rename over the target, fsync the directory.
pub fn write_atomic(path: &Path, bytes: &[u8], must_not_exist: bool) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let prefix = temp_prefix(path);
    if !must_not_exist {
        clean_stale_temps(&dir, &prefix);
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(tmp.path(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(tmp.path(), e))?;
    // Keep the store's permissions when replacing it.
    if let Ok(meta) = fs::metadata(path) {
        let _ = fs::set_permissions(tmp.path(), meta.permissions());
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o644));
        }
    }
    if must_not_exist {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::Raced {
                    path: path.to_path_buf(),
                }
            } else {
                Error::io(path, e.error)
            }
        })?;
    } else {
        tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    }
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Create an empty store at `path`; refuses to replace an existing one.
pub fn init(path: &Path) -> Result<()> {
    if path.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; nothing to do",
            path.display()
        )));
    }
    write_atomic(path, yaml::emit(&StoreFile::default()).as_bytes(), true)
}
