//! Finding, locking, reading and atomically writing `tasks.yaml`.
//!
//! Every write is a read-modify-write under an exclusive lock on the store
//! file itself, and replaces the file by renaming a fully written, fsynced
//! temporary file over it, so readers (who never lock) see the old or the
//! new content, never a mix. A store that fails to load is never written.

pub mod hash;
mod helper;
pub mod merge;
pub mod report;
pub mod snapshot;
mod spare;
mod stamp;
pub mod write;
pub mod yaml;

pub use write::{WriteOptions, Written, replace, write};

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::graph::plan::Plan;
use crate::model::{FORMAT_VERSION, StoreFile};
use crate::validate;

pub const FILE_NAME: &str = "tasks.yaml";

/// Files larger than this are refused before parsing: a real store of
/// 100,000 tasks is about 30 to 40 MB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The size of the pieces a write reads, compares and writes files in
/// (the store's text, its spare, the snapshot). Why not bigger: each
/// buffer is fresh memory, which costs about 2.5 µs a page to fault in on
/// the machine measured. With 256 KiB pieces a 10,000-task `done` faulted
/// in 595 pages, with 64 KiB ones 534 (a `create`, 625 either way); the
/// few dozen more system calls made no difference measurable in time.
pub(crate) const PIECE: usize = 64 * 1024;

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
    let mut last = cwd;
    for d in crate::git::root::up_to_root(cwd) {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Location {
                path: candidate,
                exists: true,
            };
        }
        last = d;
    }
    // None found: a new store goes at the repository root (or in `cwd`
    // outside a repository).
    let root = if last.join(".git").exists() {
        last
    } else {
        cwd
    };
    Location {
        path: root.join(FILE_NAME),
        exists: false,
    }
}

/// A plan loaded from disk, with what validation found.
#[derive(Debug)]
pub struct Loaded {
    pub(crate) path: PathBuf,
    pub(crate) plan: Plan,
    pub(crate) graph: Graph,
    pub(crate) problems: Vec<validate::Problem>,
}

impl Loaded {
    /// Where it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tasks, indexed.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The effective dependency graph of [`Loaded::plan`].
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Every problem validation found, errors first.
    pub fn problems(&self) -> &[validate::Problem] {
        &self.problems
    }

    /// The plan, giving up the rest.
    pub fn into_plan(self) -> Plan {
        self.plan
    }

    /// Errors only (the store is unusable for graph commands if any).
    pub fn errors(&self) -> Vec<validate::Problem> {
        validate::errors(&self.problems)
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
    // Files in the canonical layout (everything wm writes) take a fast
    // path; anything else goes through the full parser.
    if let Some(file) = yaml::parse_canonical(text)
        && file.version >= 1
        && file.version <= FORMAT_VERSION
    {
        return Ok(file);
    }
    parse_full(path, text)
}

/// The full YAML parser, for any layout: what [`parse`] falls back to when
/// the file is not in the canonical layout.
pub fn parse_full(path: &Path, text: &str) -> Result<StoreFile> {
    if let Some(line) = conflict_marker_line(text) {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            line,
            column: 1,
            message: "unresolved merge conflict markers (a merge is unfinished): between \
                      `<<<<<<<` and `>>>>>>>`, keep one side of each conflict (of a whole \
                      file, the tasks of both sides) and delete the marker lines, then run \
                      `wm tasks check` and `git add` the file"
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
            message: explain_parse_error(&e.to_string(), text, line),
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

/// Make the parser's messages say what to do.
fn explain_parse_error(msg: &str, text: &str, line: u64) -> String {
    // serde-saphyr may append its own location; we print ours.
    let msg = strip_location_suffix(msg);
    let source_line = text
        .lines()
        .nth(line.saturating_sub(1) as usize)
        .unwrap_or("");
    let key = source_line
        .trim_start()
        .trim_start_matches("- ")
        .split(':')
        .next()
        .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if let Some(rest) = msg.split("unknown field `").nth(1) {
        let field = rest.split('`').next().unwrap_or("");
        // Suggest from the fields the parser expected at that place.
        let expected: Vec<&str> = msg
            .split("expected one of ")
            .nth(1)
            .map(|l| l.split(',').map(|k| k.trim().trim_matches('`')).collect())
            .unwrap_or_default();
        if let Some(best) = expected
            .iter()
            .filter(|k| edit_distance(field, k) <= 2.max(field.len() / 3))
            .min_by_key(|k| edit_distance(field, k))
        {
            return format!("unknown field `{field}`; did you mean `{best}`?");
        }
        return msg;
    }
    if let Some(rest) = msg.split("duplicate mapping key: ").nth(1) {
        let k = rest.split(',').next().unwrap_or(rest).trim();
        return format!("the key `{k}` appears twice in the same task or mapping; keep one");
    }
    if let Some(rest) = msg.split("missing field `").nth(1) {
        // Reported where the mapping ends, on whatever key is there: name
        // the missing one, not that key.
        let field = rest.split('`').next().unwrap_or("");
        let what = match field {
            "created_at" | "updated_at" => " (an RFC 3339 time such as 2026-01-31T12:00:00Z)",
            "type" => " (epic, impl, verify, test, task, feature, review or research)",
            "status" => " (pending, in_progress, completed or cancelled)",
            _ => "",
        };
        return format!(
            "missing field `{field}`: the task or mapping that ends here needs a `{field}:` line{what}"
        );
    }
    if text.lines().any(|l| l.starts_with('\t')) && msg.to_lowercase().contains("tab") {
        return format!("{msg} (YAML indents with spaces, never tabs)");
    }
    if let Some(k) = key {
        let want = match k {
            "depends_on" | "labels" | "commits" | "keywords" | "forced" | "tasks" | "phases" => {
                Some("a list (one `- item` per line)")
            }
            "issue" | "version" => Some("a whole number"),
            "priority" => Some("a whole number from 0 (most urgent) to 4"),
            "created_at" | "updated_at" | "closed_at" | "at" => {
                Some("an RFC 3339 time such as 2026-01-31T12:00:00Z")
            }
            "type" => Some("one of epic, impl, verify, test, task, feature, review, research"),
            "status" => Some("one of pending, in_progress, completed, cancelled"),
            _ => None,
        };
        if msg.contains("unknown variant") {
            return format!("`{k}`: {msg}");
        }
        if let Some(want) = want {
            let given = source_line
                .split_once(':')
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty());
            return match given {
                Some(v) => format!("wrong type: `{k}` must be {want}, not `{v}` ({msg})"),
                None => format!("wrong type: `{k}` must be {want} ({msg})"),
            };
        }
    }
    // serde-saphyr names Rust types; say what the file should hold.
    let wrong = |expected: &str| format!("wrong type: expected {expected} here ({msg})");
    if msg.starts_with("invalid u") || msg.starts_with("invalid i") {
        return wrong("a whole number, 0 or more");
    }
    if msg.contains("expected sequence") {
        return wrong("a list (`- item` lines)");
    }
    if msg.contains("expected scalar") || msg.contains("expected string") {
        return wrong("a single value");
    }
    if msg.contains("expected mapping") {
        return wrong("`key: value` fields");
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
    let len = check_len(path, file)?;
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

/// The length of a store file, refusing one too big to be a store.
fn check_len(path: &Path, file: &File) -> Result<u64> {
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
    Ok(len)
}

fn analyse(path: &Path, file: StoreFile) -> Loaded {
    let plan = Plan::new(file);
    let graph = Graph::build(&plan);
    let problems = validate::check(&plan, &graph);
    Loaded {
        path: path.to_path_buf(),
        plan,
        graph,
        problems,
    }
}

/// Load a store for reading (no lock: writers replace the file atomically).
pub fn load(path: &Path) -> Result<Loaded> {
    let bytes = read(path)?;
    let file = parse(path, &bytes)?;
    // The text is not needed past parsing: free it before the graph is
    // built, which lowers the peak memory of every command.
    drop(bytes);
    Ok(analyse(path, file))
}

/// [`load`], through a snapshot in `cache_file` when one matches the
/// file's exact bytes; otherwise the file is parsed and the snapshot
/// written for next time (best effort: a cache that cannot be written is
/// no error).
pub fn load_cached(path: &Path, cache_file: Option<&Path>) -> Result<Loaded> {
    load_cached_or(path, cache_file, || {})
}

/// [`load_cached`], calling `on_miss` before the file is parsed (when no
/// snapshot matches): parsing a big store wants other settings (more
/// memory, say) than restoring one.
pub fn load_cached_or(
    path: &Path,
    cache_file: Option<&Path>,
    on_miss: impl FnOnce(),
) -> Result<Loaded> {
    let Some(cache_file) = cache_file else {
        on_miss();
        return load(path);
    };
    load_keyed(path, cache_file, on_miss).map(|k| k.loaded)
}

/// A store loaded with what [`load_keyed`] knows of its bytes.
#[derive(Debug)]
pub struct Keyed {
    pub loaded: Loaded,
    /// The key of the bytes it was loaded from (see [`snapshot::key`]).
    pub key: u128,
    /// Where each task's block starts in those bytes, when a snapshot
    /// says they are laid out as wm writes them (see
    /// [`snapshot::Snapshot::blocks`]).
    pub blocks: Option<Vec<u32>>,
}

/// [`load_cached_or`] with a snapshot file, giving also the key of the
/// bytes the store was loaded from and, from a snapshot, where its
/// tasks' blocks are.
pub fn load_keyed(path: &Path, cache_file: &Path, on_miss: impl FnOnce()) -> Result<Keyed> {
    let file = open(path)?;
    // Taken before the bytes are hashed: a write while they are changes it.
    let stamp = stamp::Stamp::of(&file);
    // A reader before this one hashed these very bytes (same identity,
    // size and time stamps, settled): its record gives the key.
    if let Some((key, len)) = vouched_key(stamp.as_ref(), cache_file)
        && let Some((loaded, blocks)) = restore(path, cache_file, key, len)
    {
        return Ok(Keyed {
            loaded,
            key,
            blocks,
        });
    }
    let (key, len) = key_of_open(path, &file)?;
    drop(file);
    if let Some((loaded, blocks)) = restore(path, cache_file, key, len) {
        if let Some(st) = stamp.filter(stamp::Stamp::conclusive) {
            let _ = write_cache(&stamp_record_file(cache_file), &st.record(key));
        }
        return Ok(Keyed {
            loaded,
            key,
            blocks,
        });
    }
    on_miss();
    // A miss: read the text, and key the new snapshot by exactly the bytes
    // parsed (the file may have changed since it was hashed).
    let bytes = read(path)?;
    let key = snapshot::key(&bytes);
    Ok(Keyed {
        loaded: parse_and_keep(path, bytes, key, cache_file)?,
        key,
        blocks: None,
    })
}

/// The key of the bytes of the store at `path` and their length (see
/// [`snapshot::key`]), read a piece at a time, each piece handed to
/// `visit` as well: for a caller that needs the text besides the plan
/// without holding it whole (`check` locates findings by line), and then
/// the plan of exactly those bytes from [`restore_keyed`].
pub fn key_visiting_file(path: &Path, mut visit: impl FnMut(&[u8])) -> Result<(u128, u64)> {
    let file = open(path)?;
    check_len(path, &file)?;
    key_visiting(&file, &mut visit).map_err(|e| Error::io(path, e))
}

/// The store at `path` from the snapshot in `cache_file`, if it is for
/// the `len` bytes with `key`.
pub fn restore_keyed(path: &Path, cache_file: &Path, key: u128, len: u64) -> Option<Loaded> {
    restore(path, cache_file, key, len).map(|(loaded, _)| loaded)
}

/// Parse store `bytes` (whose key is `key`) and write their snapshot to
/// `cache_file` for next time (best effort). The text is freed before the
/// graph is built when the caller gives it up.
fn parse_and_keep(
    path: &Path,
    bytes: impl AsRef<[u8]>,
    key: u128,
    cache_file: &Path,
) -> Result<Loaded> {
    let file = parse(path, bytes.as_ref())?;
    let blocks = canonical_blocks(bytes.as_ref(), &file);
    drop(bytes);
    let loaded = analyse(path, file);
    if let Some(encoded) = snapshot::encode(
        key,
        loaded.plan.file(),
        &loaded.graph,
        &loaded.problems,
        blocks.as_deref(),
    ) {
        let _ = write_cache(cache_file, &encoded);
    }
    Ok(loaded)
}

/// The starts of the task blocks of `bytes` when they are exactly what
/// `yaml::emit` writes for `file`, after at most an editor modeline line
/// (as a write leaves them): then the next write can copy the blocks of
/// the tasks it leaves alone.
fn canonical_blocks(bytes: &[u8], file: &StoreFile) -> Option<Vec<u32>> {
    let (body, starts) = yaml::emit_blocks(file);
    let prefix = bytes.len().checked_sub(body.len())?;
    if &bytes[prefix..] != body.as_bytes() {
        return None;
    }
    if prefix > 0 {
        let m = modeline(bytes)?;
        if prefix != m.len() + 1 || !bytes.starts_with(m.as_bytes()) || bytes[m.len()] != b'\n' {
            return None;
        }
    }
    let prefix = u32::try_from(prefix).ok()?;
    starts?.into_iter().map(|s| s.checked_add(prefix)).collect()
}

/// Whether `starts` can be the block starts of `n` tasks in the `len`
/// bytes of `file`: one per task, increasing, inside the text, and the
/// first and the last at a blank line before a task's first line. (The
/// snapshot that gave them is for these exact bytes; this is a cheap second
/// check, which reads 18 bytes, not 4 MB.)
fn blocks_fit(file: &File, len: usize, starts: &[u32], n: usize) -> bool {
    const BLOCK: &[u8] = b"\n  - id: ";
    let at_block = |s: u32| {
        let mut buf = [0u8; BLOCK.len()];
        read_at(file, &mut buf, u64::from(s)).is_ok_and(|k| k == BLOCK.len()) && buf == BLOCK
    };
    starts.len() == n
        && starts.windows(2).all(|w| w[0] < w[1])
        && starts.last().is_none_or(|&l| (l as usize) < len)
        && starts.first().is_none_or(|&s| at_block(s))
        && starts.last().is_none_or(|&s| at_block(s))
}

/// The store as the snapshot in `cache_file` holds it, if that snapshot is
/// for the bytes with `key`, with the starts of its task blocks if known.
fn restore(
    path: &Path,
    cache_file: &Path,
    key: u128,
    store_len: u64,
) -> Option<(Loaded, Option<Vec<u32>>)> {
    let bytes = read_snapshot(cache_file, snapshot::max_len(store_len))?;
    snapshot::decode(bytes, key).map(|s| loaded_of(path, s))
}

/// The store at `path` from its snapshot, and the starts of its blocks.
fn loaded_of(path: &Path, s: snapshot::Snapshot) -> (Loaded, Option<Vec<u32>>) {
    let loaded = Loaded {
        path: path.to_path_buf(),
        plan: s.plan,
        graph: s.graph,
        problems: s.problems,
    };
    (loaded, s.blocks)
}

/// A snapshot file's bytes, if it is a regular file (not a symlink, a
/// FIFO or a device) of at most `max` bytes, mapped read-only: a read uses
/// a few of a snapshot's tasks, and mapping spares copying the rest into
/// fresh memory.
fn read_snapshot(cache_file: &Path, max: u64) -> Option<memmap2::Mmap> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO without O_NONBLOCK waits for a writer forever; a
        // symlink could point anywhere (/dev/zero).
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = options.open(cache_file).ok()?;
    let meta = f.metadata().ok()?;
    if !meta.is_file() || meta.len() > max || meta.len() == 0 {
        return None;
    }
    // SAFETY: a mapping is only sound while nobody changes the file in
    // place. wm never does: snapshots are written whole to a temporary
    // file and renamed over the old one, so the inode mapped here keeps
    // its bytes (a replaced one lives on until unmapped). Only a foreign
    // program truncating a file in `.git/wm` while a command reads it
    // could break that. The bytes are checked against their checksum
    // before anything is read from them.
    // Populated: every page is mapped at once, not one fault per 64 KiB
    // the checksum then reads.
    unsafe { memmap2::MmapOptions::new().populate().map(&f) }.ok()
}

/// Where the record of the last hashed stamp of a store sits: beside its
/// snapshot (see [`stamp::Stamp::record`]).
fn stamp_record_file(cache_file: &Path) -> PathBuf {
    cache_file.with_extension("stamp")
}

/// A small regular file's bytes (at most 4 KiB), opened as a snapshot is:
/// without following a link or waiting on a FIFO.
fn read_small(path: &Path) -> Option<Vec<u8>> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = options.open(path).ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut out = Vec::new();
    f.take(4096).read_to_end(&mut out).ok()?;
    Some(out)
}

/// The start of the name of a snapshot's temporary file.
const CACHE_TEMP_PREFIX: &str = ".wm-cache.";

/// Replace a snapshot atomically, so a concurrent reader sees a whole one
/// or none. Its temporary file is `.wm-cache.<pid>.<random>.tmp`, and those
/// of writers that are gone (killed mid-write) are removed first, as
/// tasks.yaml's are.
fn write_cache(cache_file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp =
        cache_temp(cache_file).ok_or_else(|| std::io::Error::other("no temporary file"))?;
    tmp.write_all(bytes)?;
    tmp.persist(cache_file).map_err(|e| e.error)?;
    Ok(())
}

/// A new temporary file for a snapshot beside `cache_file`, once the
/// temporary files of dead writers are gone.
fn cache_temp(cache_file: &Path) -> Option<tempfile::NamedTempFile> {
    let dir = cache_file.parent()?;
    fs::create_dir_all(dir).ok()?;
    clean_stale_temps(dir, CACHE_TEMP_PREFIX);
    tempfile::Builder::new()
        .prefix(&format!("{CACHE_TEMP_PREFIX}{}.", std::process::id()))
        .suffix(".tmp")
        .tempfile_in(dir)
        .ok()
}

/// Read a store file's bytes (refusing oversized files), for callers that
/// need the text as well as the plan (`check` maps problems to lines).
pub fn read(path: &Path) -> Result<Vec<u8>> {
    read_bytes(path, &mut open(path)?)
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::NoStore {
                searched: path.parent().unwrap_or(path).to_path_buf(),
            }
        } else {
            Error::io(path, e)
        }
    })
}

/// The snapshot key of a store file's bytes and their length, read a
/// piece at a time: on a snapshot hit the text itself is never needed, and
/// not holding it saves a few megabytes of fresh memory on a big store.
fn key_of_file(path: &Path) -> Result<(u128, u64)> {
    key_of_open(path, &open(path)?)
}

/// [`key_of_file`] for the file open as `f` (from its start).
fn key_of_open(path: &Path, f: &File) -> Result<(u128, u64)> {
    check_len(path, f)?;
    key_at(f).map_err(|e| Error::io(path, e))
}

/// Parse and analyse store bytes already read from `path`.
pub fn load_bytes(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    Ok(analyse(path, parse(path, bytes)?))
}

/// [`load_bytes`], through the snapshot in `cache_file` when one is for
/// exactly these bytes (else they are parsed, and the snapshot written for
/// next time, as [`load_cached`] does). For a caller that needs the text
/// too (`check` locates problems by line): the plan is the text's, even
/// if the file changes meanwhile.
pub fn load_bytes_cached(path: &Path, bytes: &[u8], cache_file: &Path) -> Result<Loaded> {
    let key = snapshot::key(bytes);
    if let Some((loaded, _)) = restore(path, cache_file, key, bytes.len() as u64) {
        return Ok(loaded);
    }
    parse_and_keep(path, bytes, key, cache_file)
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
    /// A `# yaml-language-server: ...` line from the file's leading
    /// comments, kept at the top when the file is rewritten.
    modeline: Option<String>,
    /// The hash of the bytes read under the lock: the file must still hold
    /// them just before the rename.
    read_key: Option<u128>,
    /// The file's metadata, taken before those bytes were read: when it
    /// is conclusive and unchanged, the file need not be hashed again.
    stamp: Option<stamp::Stamp>,
    /// The length of the text under the lock and where its task blocks
    /// start, when known (from the snapshot): the write copies unchanged
    /// blocks from `file` to the new file.
    text: Option<(usize, Vec<u32>)>,
    /// The hasher's states partway through the text under the lock, when
    /// it was hashed: the new text's key is hashed from the last one
    /// before the first change.
    prefixes: hash::Prefixes,
}

/// The editor modeline among the leading comment lines of store text.
/// Only those lines are looked at (and checked to be UTF-8), not the whole
/// text: a write must not pay for the rest.
fn modeline(bytes: &[u8]) -> Option<String> {
    let line = bytes
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .take_while(|l| l.is_empty() || l.starts_with(b"#"))
        .find(|l| l.starts_with(b"# yaml-language-server:"))?;
    std::str::from_utf8(line).ok().map(str::to_string)
}

/// Lock the store at `path` for writing, waiting up to `timeout`, and load
/// it. With `create`, a missing store is treated as empty (it is created
/// without clobbering one made meanwhile).
pub fn lock(path: &Path, timeout: Duration, create: bool) -> Result<Locked> {
    lock_cached(path, timeout, create, None)
}

/// [`lock`], restoring the store from the snapshot in `cache_file` when it
/// matches the bytes read under the lock (see [`load_cached`]).
pub fn lock_cached(
    path: &Path,
    timeout: Duration,
    create: bool,
    cache_file: Option<&Path>,
) -> Result<Locked> {
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
                    modeline: None,
                    read_key: None,
                    stamp: None,
                    text: None,
                    prefixes: hash::Prefixes::default(),
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
        let stamp = stamp::Stamp::of(&f);
        let restored = match cache_file {
            Some(c) => restore_locked(path, c, &mut f, stamp.as_ref())?,
            None => None,
        };
        let (loaded, text, modeline, read_key, prefixes) = match restored {
            Some(r) => r,
            None => {
                // No snapshot for these bytes: read and parse them, keyed by
                // exactly what is parsed.
                f.seek(std::io::SeekFrom::Start(0))
                    .map_err(|e| Error::io(path, e))?;
                let bytes = read_bytes(path, &mut f)?;
                let key = crate::store::snapshot::key(&bytes);
                let modeline = modeline(&bytes);
                let file = parse(path, &bytes)?;
                drop(bytes);
                let none = hash::Prefixes::default();
                (analyse(path, file), None, modeline, key, none)
            }
        };
        return Ok(Locked {
            loaded,
            existed: true,
            file: Some(f),
            modeline,
            read_key: Some(read_key),
            stamp,
            text,
            prefixes,
        });
    }
}

/// The key and length of the file whose stamp is `stamp`, when a reader
/// before hashed exactly these bytes (same identity, size and time stamps,
/// settled) and recorded it beside the snapshot `cache_file`.
fn vouched_key(stamp: Option<&stamp::Stamp>, cache_file: &Path) -> Option<(u128, u64)> {
    let st = stamp?;
    let key = read_small(&stamp_record_file(cache_file)).and_then(|r| st.vouches(&r))?;
    Some((key, st.len()))
}

/// What [`lock_cached`] gets from a snapshot of the locked file `f`: the
/// store, the starts of its blocks (when they can be copied), its modeline
/// its key and the hasher's states partway through the text (when it was
/// hashed); None when no snapshot matches (`f` is then read to its end).
/// The text is hashed a piece at a time, or not at all when a reader's
/// stamp record vouches for it, and never held: a write copies the blocks
/// it keeps from `f` to the new file.
#[allow(clippy::type_complexity)]
fn restore_locked(
    path: &Path,
    cache_file: &Path,
    f: &mut File,
    stamp: Option<&stamp::Stamp>,
) -> Result<
    Option<(
        Loaded,
        Option<(usize, Vec<u32>)>,
        Option<String>,
        u128,
        hash::Prefixes,
    )>,
> {
    let (key, len, restored, prefixes) = match vouched_key(stamp, cache_file) {
        Some((key, len)) => (
            key,
            len,
            restore(path, cache_file, key, len),
            hash::Prefixes::default(),
        ),
        None => restore_while_hashing(path, cache_file, f)?,
    };
    let Some((mut loaded, blocks)) = restored else {
        return Ok(None);
    };
    // The leading comments, for the modeline.
    let mut head = vec![0u8; 64 * 1024];
    let n = read_at(f, &mut head, 0).map_err(|e| Error::io(path, e))?;
    head.truncate(n);
    let modeline = modeline(&head);
    let text = match (blocks, usize::try_from(len)) {
        (Some(b), Ok(len)) if blocks_fit(f, len, &b, loaded.plan.len()) => Some((len, b)),
        _ => None,
    };
    if text.is_some() {
        loaded.plan.track_origins(key);
    }
    Ok(Some((loaded, text, modeline, key, prefixes)))
}

/// The key and length of the store open as `f`, and what its snapshot
/// holds when it is for those bytes: the text is hashed on another thread
/// while the snapshot is restored here (on a 10,000-task store, 0.6 ms of
/// hashing beside 2 to 3 ms of restoring). A snapshot for other bytes is
/// dropped once the key is known.
#[allow(clippy::type_complexity)]
fn restore_while_hashing(
    path: &Path,
    cache_file: &Path,
    f: &File,
) -> Result<(
    u128,
    u64,
    Option<(Loaded, Option<Vec<u32>>)>,
    hash::Prefixes,
)> {
    let len = check_len(path, f)?;
    if len < helper::BESIDE_FROM {
        let (key, len) = key_of_open(path, f)?;
        return Ok((
            key,
            len,
            restore(path, cache_file, key, len),
            hash::Prefixes::default(),
        ));
    }
    // The helper hashes the text while this thread maps the snapshot and
    // checks where its records are; the graph's part and the pieces of the
    // checksum are then done by whichever thread is free first
    // (snapshot::Rest): this thread takes the graph's part at once, and
    // both take pieces of the checksum once done with the rest (10,000
    // tasks: hash 0.7-0.9 ms, graph 0.7, checksum 0.4-0.5).
    //
    // The helper does nothing else: the built-in workflows a create needs
    // were parsed here once its hash was done, and cost 0.3 ms there (the
    // first memory a new thread asks for is fresh to it) against little on
    // the thread that places the task; a `done` needs none of them.
    let opened: OnceLock<Option<snapshot::Opened<memmap2::Mmap>>> = OnceLock::new();
    let rest: OnceLock<Option<snapshot::Rest<'_, memmap2::Mmap>>> = OnceLock::new();
    let help = || {
        let key = key_keeping(f);
        // Not for a snapshot of other bytes.
        if let (Ok((k, _, _)), Some(Some(r))) = (&key, rest.get())
            && opened.get().and_then(Option::as_ref).map(|o| o.key()) == Some(*k)
        {
            r.work();
        }
        key
    };
    let (records, hashed) = std::thread::scope(|s| {
        let hashing = helper::spawn(s, true, help);
        let o = opened
            .get_or_init(|| {
                read_snapshot(cache_file, snapshot::max_len(len)).and_then(snapshot::open)
            })
            .as_ref();
        let r = rest.get_or_init(|| o.map(snapshot::Rest::of)).as_ref();
        let records = o.and_then(|o| o.records());
        let hashed = match hashing {
            Some(h) => {
                if let Some(r) = r {
                    r.work();
                }
                h.join().ok()
            }
            None => None,
        };
        (records, hashed)
    });
    // No thread to be had, or it failed: the hash on this thread.
    let hashed = match hashed {
        Some(h) => h,
        None => key_keeping(f),
    };
    let (key, len, prefixes) = hashed.map_err(|e| Error::io(path, e))?;
    let matches = opened.get().and_then(Option::as_ref).map(|o| o.key()) == Some(key);
    let (intact, parts) = match rest.into_inner().flatten() {
        Some(r) => {
            // What is left when there was no helper.
            if matches {
                r.work();
            }
            r.done()
        }
        None => (None, None),
    };
    let restored = match (opened.into_inner().flatten(), intact, records, parts) {
        (Some(o), Some(intact), Some(records), Some(parts)) if matches => {
            o.finish(intact, records, parts).map(|s| loaded_of(path, s))
        }
        _ => None,
    };
    Ok((key, len, restored, prefixes))
}

/// The snapshot key of the bytes of `f` and their length, read with
/// `read_at` (the file's offset left alone) into a buffer on the stack: it
/// also runs on a helper thread, for which memory from the heap would be
/// fresh memory of its own.
fn key_at(f: &File) -> std::io::Result<(u128, u64)> {
    key_visiting(f, &mut |_| {})
}

/// [`key_at`], keeping the hasher's states partway through (see
/// [`hash::Prefixes`]) where the pieces read end.
fn key_keeping(f: &File) -> std::io::Result<(u128, u64, hash::Prefixes)> {
    let mut prefixes = hash::Prefixes::default();
    let stride = hash::Prefixes::stride(f.metadata()?.len(), PIECE as u64);
    let (key, len) = key_hashing(f, &mut |_, at, hasher| {
        if at % stride == 0 {
            prefixes.keep(at, hasher);
        }
    })?;
    Ok((key, len, prefixes))
}

/// [`key_at`], handing each piece read to `visit` as well.
fn key_visiting(f: &File, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<(u128, u64)> {
    key_hashing(f, &mut |piece, _, _| visit(piece))
}

/// [`key_at`], handing each piece read to `visit`, with how many bytes
/// were read then and the hasher's state after them.
fn key_hashing(
    f: &File,
    visit: &mut dyn FnMut(&[u8], u64, &hash::Hasher),
) -> std::io::Result<(u128, u64)> {
    let mut hasher = hash::Hasher::new();
    let mut buf = [0u8; PIECE];
    let mut len = 0u64;
    loop {
        match read_at(f, &mut buf, len) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                len += n as u64;
                visit(&buf[..n], len, &hasher);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((hasher.digest128(), len))
}

/// Read into `buf` from `file` at `at`, leaving the file's offset alone
/// (so threads can read one file at once).
#[cfg(unix)]
pub(crate) fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, at)
}

#[cfg(windows)]
pub(crate) fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, at)
}

/// Read `len` bytes of `file` from `at` a piece at a time into `buf`
/// (grown to [`PIECE`], reused across calls), handing each piece to `each`.
/// Fails if the file ends early: it changed while being read.
pub(crate) fn read_range(
    file: &File,
    at: u64,
    len: u64,
    buf: &mut Vec<u8>,
    mut each: impl FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let piece = len.min(PIECE as u64) as usize;
    if buf.len() < piece {
        buf.resize(piece, 0);
    }
    let mut done = 0u64;
    while done < len {
        let want = (len - done).min(buf.len() as u64) as usize;
        let n = read_at(file, &mut buf[..want], at + done)?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the store ended early while it was read: it changed meanwhile",
            ));
        }
        each(&buf[..n])?;
        done += n as u64;
    }
    Ok(())
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

/// A plan's graph and every problem, as a write's check gives them.
pub(crate) type Checked = (Graph, Vec<validate::Problem>);

impl Locked {
    /// Write `plan` as the new content and release the lock. Fails (and
    /// writes nothing) if a store appeared meanwhile where none existed.
    pub(crate) fn commit(self, plan: &mut Plan) -> Result<()> {
        self.commit_with(plan, None, None::<fn(&Plan) -> Result<Checked>>)
    }

    /// [`Locked::commit`] once `check` passes, then (best effort) a
    /// snapshot of the written bytes in `cache`, from the graph and
    /// problems `check` gives: they must be the graph and every problem
    /// of `plan` as it is then, in canonical order (`ops::Check::run`
    /// gives them). `check` runs on a helper thread while this one writes
    /// the new text and waits for the disk; when it fails, nothing is
    /// replaced and its error is the answer.
    pub(crate) fn commit_with<C>(
        self,
        plan: &mut Plan,
        cache: Option<&Path>,
        check: Option<C>,
    ) -> Result<()>
    where
        C: FnOnce(&Plan) -> Result<Checked> + Send,
    {
        let resorted = plan.sort_canonical_changed();
        let plan = &*plan;
        // Tasks still as read are copied from the text read, as bytes.
        let old = match (&self.text, &self.file) {
            (Some((len, starts)), Some(f)) => Some(yaml::Blocks {
                text: yaml::Old::File(f, *len),
                starts,
            }),
            _ => None,
        };
        let origins = self.read_key.and_then(|k| plan.origins(k));
        let prefix = self
            .modeline
            .as_ref()
            .map(|m| format!("{m}\n"))
            .unwrap_or_default();
        let laid = yaml::layout(plan, &prefix, origins, old);
        let path = &self.loaded.path;
        // The new text goes straight to the file, written on this thread
        // (see `write_atomic_checked`), through buffers reused for every
        // piece.
        let mut compare = [Vec::new(), Vec::new()];
        let mut buffer = Vec::with_capacity(WRITE_BUFFER);
        // From the first byte that differs from the old text on, the new
        // text is written whatever a spare holds.
        let changed = laid.same_as_old().map_err(|e| Error::io(path, e))?;
        // The new snapshot's key, the hash of the new text: hashed by
        // whichever thread is done with its own work first, while the
        // other still works (at 10,000 tasks, the writer, while a helper
        // waits for the disk). The snapshot's checksum leaves the key
        // out, so it is filled in last.
        let key_taken = AtomicBool::new(cache.is_none());
        let new_key: OnceLock<u128> = OnceLock::new();
        // Hashed from the old text's hasher state at the last piece read
        // before the first change, when the restore hashed the old text
        // (the bytes before are the same): a create in the middle of a
        // 10,000-task store hashes half its text instead of all of it.
        let (hashed_to, hashed) = self.prefixes.before(changed);
        let take_key = || {
            if !key_taken.swap(true, Ordering::AcqRel)
                && let Ok(k) = laid.key_after(hashed_to, hashed.clone())
            {
                let _ = new_key.set(k);
            }
        };
        // The snapshot's first part, the header and the tasks, needs neither
        // the graph nor the problems: whichever thread comes to it first
        // writes it to the snapshot's file (on a big store the writer, once
        // its text is out, while the helper still checks: 0.4 ms at 10,000
        // tasks), and the helper writes the rest after it once its check
        // is done. Not for a plan re-sorted since it was checked (no
        // snapshot then, see `snapshot` below).
        let tasks_taken = AtomicBool::new(cache.is_none() || resorted);
        let tasks_sent: OnceLock<Option<(SnapshotFile, snapshot::TasksSent)>> = OnceLock::new();
        let send_tasks = || {
            if tasks_taken.swap(true, Ordering::AcqRel) {
                return;
            }
            // Whatever happens, the other thread must not wait for ever.
            let _unblock = SetOnDrop(&tasks_sent);
            let sent = cache.and_then(|cache| {
                let out = SnapshotFile::new(cache)?;
                let mut buf = std::io::BufWriter::with_capacity(PIECE, out.file());
                let mut sink = |b: &[u8]| buf.write_all(b).ok();
                let sent = snapshot::encode_plan_tasks_to(plan, &mut sink);
                let flushed = buf.flush().is_ok();
                drop(buf);
                Some((out, sent.filter(|_| flushed)?))
            });
            let _ = tasks_sent.set(sent);
        };
        // The check and the snapshot run beside the writing on a big store,
        // and its sync waits on a helper of its own (below).
        let beside = self
            .text
            .as_ref()
            .is_some_and(|(len, _)| *len as u64 >= helper::BESIDE_FROM);
        let mut fill = |file: &mut File, settle: Settle<'_>| -> std::io::Result<()> {
            let mut write = |file: &mut File, from: u64, to: u64| -> std::io::Result<()> {
                file.seek(std::io::SeekFrom::Start(from))?;
                let mut out = EarlyWriteback::new(file, from, &mut buffer);
                for run in laid.runs_between(from, to) {
                    match run? {
                        yaml::Run::Bytes(b) => out.write_all(b)?,
                        yaml::Run::File { file, at, len } => out.copy_from(file, at, len)?,
                    }
                }
                out.flush()
            };
            // A spare holds an older text of this store: the bytes it
            // already has right are neither written nor synced again (on a
            // create in the middle of a 4 MB store, about half of them).
            // The bytes from the first change on are written whatever the
            // spare holds: they go first, and are synced at once. The
            // sync's time grows with the bytes written since the last one
            // (on the virtual disk measured, whether or not the device had
            // been writing them meanwhile: 3.3 MB took 4.1 ms to sync
            // straight away and 3.4 ms after an early writeback and a 6 ms
            // wait), so it starts as soon as they are written.
            let first = if file.metadata()?.len() == 0 {
                0
            } else {
                changed
            };
            write(file, first, u64::MAX)?;
            let end = file.stream_position()?;
            // The sync waits for the disk (0.7 to 3 ms for a create at
            // 10,000 tasks) on a helper, through a second handle on the
            // file; meanwhile this thread compares the spare's bytes
            // before the first change (reading at offsets, leaving the
            // file's own offset alone) and hashes the new text. Both took
            // 0.9 ms after the sync before. The helper is started first
            // and this thread yields once: one queued behind it starts the
            // sync at once. (The other way round, the comparison on a
            // helper while this thread synced, it ran on the other CPU,
            // beside the check, and took 0.8 ms instead of 0.3.) On a
            // small store there is little to overlap, and a 1,000-task
            // `done` was 0.1 ms slower with the helper.
            let overlapped = if beside {
                let mut synced = file.try_clone()?;
                std::thread::scope(|s| {
                    let settle = &mut *settle;
                    let h = helper::spawn(s, false, move || settle(&mut synced))?;
                    std::thread::yield_now();
                    send_tasks();
                    let keep = laid.common_prefix(file, first, &mut compare);
                    take_key();
                    let synced = h
                        .join()
                        .unwrap_or_else(|_| Err(std::io::Error::other("the sync failed")));
                    Some((synced, keep))
                })
            } else {
                None
            };
            let keep = match overlapped {
                Some((synced, keep)) => {
                    synced?;
                    keep?
                }
                // A small store, or no thread to be had: one after the other.
                None => {
                    settle(file)?;
                    let keep = laid.common_prefix(file, first, &mut compare)?;
                    take_key();
                    keep
                }
            };
            // Then the bytes before, where the spare lacks them: usually
            // none (the write before changed the same part of the store),
            // else written and synced in turn.
            if keep < first {
                write(file, keep, first)?;
                file.seek(std::io::SeekFrom::Start(end))?;
                settle(file)?;
            }
            Ok(())
        };
        // While this thread writes and syncs the new text, a helper checks
        // the plan and writes the snapshot of the text to a temporary file
        // or the spare (its key, see `take_key`, is written last), and it
        // is put in place after the rename. A
        // graph for another order of the tasks would be wrong: no snapshot
        // then (`ops::stage` sorts, so this does not happen).
        let mut snapshot_at: Option<u64> = None;
        let mut refused: Option<Error> = None;
        let mut check = check;
        // Check, then write the snapshot: false when the check refuses.
        let mut snapshot = || -> (bool, Option<u64>) {
            let checked = match check.take().map(|c| c(plan)) {
                Some(Ok(checked)) => checked,
                Some(Err(e)) => {
                    refused = Some(e);
                    return (false, None);
                }
                None => return (true, None),
            };
            let (graph, problems) = (&checked.0, checked.1.as_slice());
            if cache.is_none() || resorted || graph.order().len() != plan.len() {
                return (true, None);
            }
            // The tasks first, sent by whichever thread came to them
            // first; then the rest after them.
            send_tasks();
            let Some((out, sent)) = tasks_sent.wait() else {
                return (true, None);
            };
            let mut buf = std::io::BufWriter::with_capacity(PIECE, out.file());
            let mut sink = |b: &[u8]| buf.write_all(b).ok();
            let key_at = snapshot::encode_plan_rest_to(
                sent,
                plan,
                graph,
                problems,
                laid.starts(),
                &mut sink,
            );
            let flushed = buf.flush().is_ok();
            drop(buf);
            (true, key_at.filter(|_| flushed))
        };
        let mut meanwhile = || {
            let (go, made) = snapshot();
            match made {
                Some(at) => {
                    snapshot_at = Some(at);
                    take_key();
                }
                // No snapshot: nobody need hash the new text.
                None => key_taken.store(true, Ordering::Release),
            }
            go
        };
        let before_rename = || match self.read_key {
            // A program that ignores our lock (`git checkout`, an editor)
            // may have written the file since we read it: never rename
            // over its write. Its metadata tells when it can; else its
            // bytes are hashed again.
            Some(_) if self.stamp.as_ref().is_some_and(|s| s.still(path)) => Ok(()),
            Some(key) => match key_of_file(path) {
                Ok((now, _)) if now == key => Ok(()),
                _ => Err(Error::Changed {
                    path: path.clone(),
                    attempts: 1,
                }),
            },
            None => Ok(()),
        };
        let spare = cache
            .filter(|_| spare::SUPPORTED)
            .map(spare::Spare::of_store);
        let replaced = write_atomic_checked(
            path,
            !self.existed,
            spare.as_ref(),
            &mut fill,
            &mut meanwhile,
            &before_rename,
            beside,
        )?;
        if !replaced {
            return Err(refused.unwrap_or_else(|| {
                Error::io(path, std::io::Error::other("the write was cancelled"))
            }));
        }
        drop(self.file);
        if let (Some(cache), Some(at), Some(&key)) = (cache, snapshot_at, new_key.get())
            && let Some(Some((mut out, _))) = tasks_sent.into_inner()
            && out.written(cache)
        {
            out.finish(cache, at, key);
        }
        Ok(())
    }
}

/// Sets an unset cell to None when dropped: a thread waiting for the cell
/// then goes on, whatever became of the one that was to set it.
struct SetOnDrop<'a, T>(&'a OnceLock<Option<T>>);

impl<T> Drop for SetOnDrop<'_, T> {
    fn drop(&mut self) {
        let _ = self.0.set(None);
    }
}

/// Where a write's new snapshot goes: the snapshot's spare when it can be
/// taken (see `spare.rs`), else a new temporary file. Snapshots are derived
/// data and not synced: one torn by a crash fails its checksum.
enum SnapshotFile {
    Spare(spare::Spare, File),
    Fresh(tempfile::NamedTempFile, Option<spare::Spare>),
}

impl SnapshotFile {
    fn new(cache: &Path) -> Option<Self> {
        let spare = spare::SUPPORTED.then(|| spare::Spare::of_snapshot(cache));
        let taken = spare
            .as_ref()
            .and_then(|s| s.take(&fs::metadata(cache).ok()?));
        match (spare, taken) {
            (Some(s), Some(f)) => Some(SnapshotFile::Spare(s, f)),
            (spare, _) => cache_temp(cache).map(|t| SnapshotFile::Fresh(t, spare)),
        }
    }

    fn file(&self) -> &File {
        match self {
            SnapshotFile::Spare(_, f) => f,
            SnapshotFile::Fresh(t, _) => t.as_file(),
        }
    }

    /// Once written: a spare is cut to the length written; a spare that
    /// could not be taken is removed (the write waits for the disk anyway).
    fn written(&mut self, cache: &Path) -> bool {
        match self {
            SnapshotFile::Spare(_, f) => f.stream_position().and_then(|len| f.set_len(len)).is_ok(),
            SnapshotFile::Fresh(_, spare) => {
                if let Some(s) = spare {
                    s.clear(cache);
                }
                true
            }
        }
    }

    /// Write the key at `at` and put the snapshot in place (best effort).
    fn finish(self, cache: &Path, at: u64, key: u128) {
        let mut f = self.file();
        let keyed = f
            .seek(std::io::SeekFrom::Start(at))
            .and_then(|_| f.write_all(&key.to_le_bytes()));
        if keyed.is_err() {
            return;
        }
        match self {
            SnapshotFile::Spare(spare, _) => {
                let _ = spare.swap_in(cache);
            }
            SnapshotFile::Fresh(tmp, spare) => {
                if let Some(s) = spare {
                    s.keep(cache);
                }
                let _ = tmp.persist(cache);
            }
        }
    }
}

/// A file writer that asks the kernel to start writing each megabyte to
/// the device as soon as it is written (Linux's `sync_file_range`, which
/// does not wait): the fsync after the last byte then waits for the tail,
/// not for the whole file. Elsewhere a plain writer. Bytes written are
/// gathered in a buffer the caller owns (see `commit_with`) and go out when
/// it is full, before a copy, and on flush.
struct EarlyWriteback<'f> {
    file: &'f mut File,
    written: u64,
    started: u64,
    buffer: &'f mut Vec<u8>,
}

/// The capacity of a write's buffer.
const WRITE_BUFFER: usize = PIECE;

impl<'f> EarlyWriteback<'f> {
    const STEP: u64 = 1 << 20;

    /// Writing `file` from offset `at`, where it is positioned, through
    /// `buffer` (emptied first).
    fn new(file: &'f mut File, at: u64, buffer: &'f mut Vec<u8>) -> Self {
        buffer.clear();
        EarlyWriteback {
            file,
            written: at,
            started: at,
            buffer,
        }
    }

    /// Write out what the buffer holds.
    fn drain(&mut self) -> std::io::Result<()> {
        if !self.buffer.is_empty() {
            self.file.write_all(self.buffer)?;
            let n = self.buffer.len() as u64;
            self.buffer.clear();
            self.advance(n);
        }
        Ok(())
    }

    #[cfg(target_os = "linux")]
    fn start_writeback(&mut self) {
        use std::os::fd::AsRawFd;
        let (Ok(from), Ok(len)) = (
            libc::off64_t::try_from(self.started),
            libc::off64_t::try_from(self.written - self.started),
        ) else {
            return;
        };
        // SAFETY: sync_file_range takes a descriptor this struct borrows
        // open for its whole life, two offsets and a flag; it touches no
        // memory of ours. Failing only means the fsync does all the work.
        unsafe {
            libc::sync_file_range(
                self.file.as_raw_fd(),
                from,
                len,
                libc::SYNC_FILE_RANGE_WRITE,
            );
        }
        self.started = self.written;
    }

    #[cfg(not(target_os = "linux"))]
    fn start_writeback(&mut self) {}
}

impl EarlyWriteback<'_> {
    fn advance(&mut self, n: u64) {
        self.written += n;
        if self.written - self.started >= Self::STEP {
            self.start_writeback();
        }
    }

    /// Append `len` bytes of `from` at `at`, copied from file to file by
    /// the kernel where it can (Linux `copy_file_range`: no pass through
    /// this process's memory), else read and written a piece at a time.
    /// Fails if `from` ends early (it changed under us: the check before
    /// the rename then tells so).
    fn copy_from(&mut self, from: &File, at: u64, len: u64) -> std::io::Result<()> {
        self.drain()?;
        #[cfg_attr(not(target_os = "linux"), allow(unused_mut))]
        let mut done = 0u64;
        #[cfg(target_os = "linux")]
        while done < len {
            use std::os::fd::AsRawFd;
            // A step at a time, so that the device writes the first
            // megabytes while the kernel copies the next.
            let (Ok(mut off_in), Ok(want)) = (
                libc::loff_t::try_from(at + done),
                usize::try_from((len - done).min(Self::STEP)),
            ) else {
                break;
            };
            // SAFETY: two descriptors borrowed for the call, a pointer to a
            // local offset, a null output offset (the file's own is used and
            // advanced, as write does) and a length. Through syscall():
            // musl's libc may lack the wrapper.
            let n = unsafe {
                libc::syscall(
                    libc::SYS_copy_file_range,
                    from.as_raw_fd(),
                    &mut off_in as *mut libc::loff_t,
                    self.file.as_raw_fd(),
                    std::ptr::null_mut::<libc::loff_t>(),
                    want,
                    0u32,
                )
            };
            match u64::try_from(n) {
                // The end of `from` before `len`: the piecewise read below
                // meets it too and says so.
                Ok(0) => break,
                Ok(n) => {
                    done += n;
                    self.advance(n);
                }
                Err(_) => {
                    let e = std::io::Error::last_os_error();
                    match e.raw_os_error() {
                        Some(libc::EINTR) => {}
                        // Not between these files here: copy by hand.
                        Some(
                            libc::EXDEV
                            | libc::ENOSYS
                            | libc::EINVAL
                            | libc::EOPNOTSUPP
                            | libc::EBADF,
                        ) => break,
                        _ => return Err(e),
                    }
                }
            }
        }
        read_range(from, at + done, len - done, &mut Vec::new(), |b| {
            self.write_all(b)
        })
    }
}

impl Write for EarlyWriteback<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = WRITE_BUFFER.saturating_sub(self.buffer.len());
        if buf.len() > room {
            self.drain()?;
            if buf.len() >= WRITE_BUFFER {
                let n = self.file.write(buf)?;
                self.advance(n as u64);
                return Ok(n);
            }
        }
        self.buffer.extend_from_slice(buf);
        Ok(buf.len())
    }
    /// Writes out the buffer and starts the writeback of all written.
    fn flush(&mut self) -> std::io::Result<()> {
        self.drain()?;
        if self.written > self.started {
            self.start_writeback();
        }
        self.file.flush()
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

/// Whether process `pid` is still running. Unknown (not Unix): assume it is,
/// so nothing of a live writer is ever removed.
fn process_alive(pid: u32) -> bool {
    #[cfg(target_os = "linux")]
    {
        Path::new("/proc").join(pid.to_string()).exists()
    }
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // SAFETY: signal 0 only checks that the process exists.
        let rc = unsafe { libc::kill(pid, 0) };
        rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Remove temporary files left by writers that were killed mid-write.
/// A temp file is named `.tasks.yaml.<pid>.<random>.tmp` by its writer, and
/// only those whose writer is gone are removed (a name without a pid, from
/// an older wm, has no owner to wait for).
fn clean_stale_temps(dir: &Path, prefix: &str) {
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            let Some(rest) = name.strip_prefix(prefix) else {
                continue;
            };
            if !rest.ends_with(".tmp") {
                continue;
            }
            let owner = rest.split('.').next().and_then(|p| p.parse::<u32>().ok());
            if owner.is_none_or(|pid| !process_alive(pid)) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

/// The file a path names once symbolic links are followed (the last
/// component only, as often as it is a link): writes replace the target
/// and keep the link. A path that is no link is returned as is.
pub fn resolve_links(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => match fs::read_link(&p) {
                Ok(target) => {
                    p = match p.parent() {
                        Some(dir) if target.is_relative() => dir.join(target),
                        _ => target,
                    };
                }
                Err(_) => break,
            },
            _ => break,
        }
    }
    p
}

/// Write `bytes` to `path` atomically: temp file in the same directory,
/// fsync, rename over the target, fsync the directory. A symlink at `path`
/// is followed: its target is replaced, the link kept.
pub fn write_atomic(path: &Path, bytes: &[u8], must_not_exist: bool) -> Result<()> {
    write_atomic_checked(
        path,
        must_not_exist,
        None,
        &mut |f: &mut File, _: Settle<'_>| f.write_all(bytes),
        &mut || true,
        &|| Ok(()),
        false,
    )
    .map(|_| ())
}

/// The file a write fills before it replaces the target.
enum Temp<'s> {
    /// A new temporary file beside the target, renamed over it; the target
    /// then becomes the `spare` for the next write, if one is given.
    Fresh(tempfile::NamedTempFile, Option<&'s spare::Spare>),
    /// The target's spare, exchanged with it.
    Spare(&'s spare::Spare, File),
}

impl Temp<'_> {
    fn file(&mut self) -> &mut File {
        match self {
            Temp::Fresh(t, _) => t.as_file_mut(),
            Temp::Spare(_, f) => f,
        }
    }
}

/// What a fill calls once its file holds bytes to be synced: it cuts a
/// spare to the file's position (the text's length) and syncs the file.
/// `write_atomic_checked` settles a file whose fill did not.
type Settle<'a> = &'a mut (dyn FnMut(&mut File) -> std::io::Result<()> + Send);

/// [`write_atomic`], the content written by `fill` and synced to disk here
/// while `meanwhile` runs on a helper thread (made to run beside this one
/// when `beside`: see `helper.rs`), and `before_rename` after both, just
/// before the rename (an error from it cancels the write). With a `spare` (see `spare.rs`) the
/// content goes into it when it can be taken, and it is exchanged with the
/// target. When `meanwhile` says no (false), nothing is synced or replaced,
/// and the answer is false.
fn write_atomic_checked(
    path: &Path,
    must_not_exist: bool,
    spare: Option<&spare::Spare>,
    fill: &mut dyn FnMut(&mut File, Settle<'_>) -> std::io::Result<()>,
    meanwhile: &mut (dyn FnMut() -> bool + Send),
    before_rename: &dyn Fn() -> Result<()>,
    beside: bool,
) -> Result<bool> {
    let resolved = resolve_links(path);
    let path = resolved.as_path();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let target = fs::metadata(path).ok().filter(|_| !must_not_exist);
    let taken = spare
        .zip(target.as_ref())
        .and_then(|(s, m)| Some((s, s.take(m)?)));
    let mut tmp = match taken {
        Some((s, f)) => Temp::Spare(s, f),
        None => {
            let prefix = temp_prefix(path);
            // Only dead writers' temps go, so this is safe even without
            // the lock (the first write of a new store).
            clean_stale_temps(&dir, &prefix);
            let mine = format!("{prefix}{}.", std::process::id());
            let t = tempfile::Builder::new()
                .prefix(&mine)
                .suffix(".tmp")
                .tempfile_in(&dir)
                .map_err(|e| Error::io(&dir, e))?;
            Temp::Fresh(t, spare.filter(|_| target.is_some()))
        }
    };
    // A spare holds an older text: what is written replaces it from the
    // first byte that differs (see `fill` in `commit_with`), and the file
    // is cut to its new length.
    let cut = matches!(tmp, Temp::Spare(..));
    let declined = std::sync::atomic::AtomicBool::new(false);
    // Cut a spare to the length written (the file's position), and sync.
    let settle = |file: &mut File| -> std::io::Result<()> {
        // Cutting a file to the length it already has is not free: 0.8 to
        // 1.5 ms of a 10,000-task write on ext4, with its writeback under
        // way. Only a spare longer than the new text needs it.
        if cut {
            let len = file.stream_position()?;
            if file.metadata()?.len() != len {
                file.set_len(len)?;
            }
        }
        // A write refused meanwhile replaces nothing: no need to wait.
        if declined.load(std::sync::atomic::Ordering::Acquire) {
            return Ok(());
        }
        file.sync_all()
    };
    let work = |file: &mut File| -> std::io::Result<()> {
        let mut settled = false;
        fill(file, &mut |f: &mut File| {
            settled = true;
            settle(f)
        })?;
        // A fill that never settled its file is settled here.
        if !settled {
            settle(file)?;
        }
        Ok(())
    };
    let mut work = work;
    let clear = match &tmp {
        Temp::Fresh(_, Some(s)) => Some(*s),
        _ => None,
    };
    let mut rest = || {
        let go = meanwhile();
        if !go {
            declined.store(true, std::sync::atomic::Ordering::Release);
            return false;
        }
        // The spare that could not be taken goes now, while the other
        // thread writes or syncs; the target replaces it before the rename.
        if let Some(s) = clear {
            s.clear(path);
        }
        true
    };
    let file = tmp.file();
    let on_thread = std::thread::scope(|s| {
        let h = helper::spawn(s, beside, &mut rest)?;
        let written = work(file);
        let go = h.join().unwrap_or(false);
        Some((go, written))
    });
    let (go, written) = match on_thread {
        Some(r) => r,
        // No thread to be had: one after the other.
        None => match rest() {
            true => (true, work(tmp.file())),
            false => (false, Ok(())),
        },
    };
    if !go {
        return Ok(false);
    }
    if let Err(e) = written {
        // A store that changed under the copy says so (and the write is
        // tried again) rather than failing as an I/O error.
        before_rename()?;
        return Err(Error::io(path, e));
    }
    // Keep the store's permissions when replacing it.
    let mode = match &target {
        Some(meta) => Some(meta.permissions()),
        #[cfg(unix)]
        None => {
            use std::os::unix::fs::PermissionsExt;
            Some(fs::Permissions::from_mode(0o644))
        }
        #[cfg(not(unix))]
        None => None,
    };
    if let Some(mode) = mode {
        let _ = tmp.file().set_permissions(mode);
    }
    before_rename()?;
    // The exchange changed both directories; the spare's is synced too, so
    // that no crash leaves both names on one file.
    let mut spare_dir = None;
    match tmp {
        Temp::Spare(s, _) => {
            s.swap_in(path).map_err(|e| Error::io(path, e))?;
            spare_dir = s.dir().and_then(|d| File::open(d).ok());
        }
        Temp::Fresh(t, keep) if must_not_exist => {
            debug_assert!(keep.is_none());
            t.persist_noclobber(path).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::Raced {
                        path: path.to_path_buf(),
                    }
                } else {
                    Error::io(path, e.error)
                }
            })?;
        }
        Temp::Fresh(t, keep) => {
            if let Some(s) = keep {
                s.keep(path);
            }
            t.persist(path).map_err(|e| Error::io(path, e.error))?;
        }
    }
    // The two directories' syncs wait for the disk together on a big
    // store: the spare's on a helper (started on this CPU, it runs once
    // this thread waits).
    let store_dir = File::open(&dir).ok();
    std::thread::scope(|s| {
        let syncing = spare_dir
            .as_ref()
            .filter(|_| beside)
            .and_then(|d| helper::spawn(s, false, move || d.sync_all()));
        if let Some(d) = &store_dir {
            let _ = d.sync_all();
        }
        match (syncing, &spare_dir) {
            (Some(h), _) => {
                let _ = h.join();
            }
            (None, Some(d)) => {
                let _ = d.sync_all();
            }
            (None, None) => {}
        }
    });
    Ok(true)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A hit needs the key hashed a piece at a time to be the key of the
    /// whole bytes, which is what a write keys its snapshot by.
    #[test]
    fn the_key_read_in_pieces_is_the_key_of_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        for len in [0usize, 1, 255, PIECE - 1, PIECE, PIECE + 1, 1_000_003] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            fs::write(&path, &bytes).unwrap();
            assert_eq!(
                key_of_file(&path).unwrap(),
                (snapshot::key(&bytes), len as u64),
                "{len} bytes"
            );
        }
    }
}
