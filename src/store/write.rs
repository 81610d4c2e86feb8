//! The write transaction: the one way anything changes a store.
//!
//! Lock the file, read it (restoring the snapshot when it matches the bytes
//! read under the lock), optionally refuse an invalid store, let the caller
//! build its ops from what was read, apply them all-or-nothing (the plan is
//! re-checked: a change that would add an error is refused), skip the write
//! when nothing changed, and replace the file atomically. The check runs
//! on a helper thread while this one writes and syncs the new text; the
//! file is replaced only when it passes. Two processes
//! creating the same new store race on the rename; the loser retries against
//! the winner's file.
//!
//! The CLI, the merge driver, `scan` and library users all come through
//! here, so they share every guarantee: nothing lost under concurrency, the
//! editor modeline kept, the canonical layout written.
//!
//! ```
//! use std::time::Duration;
//! use wm::model::TaskType;
//! use wm::ops::{NewTask, Op};
//! use wm::store::{self, WriteOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join(store::FILE_NAME);
//! let opts = WriteOptions { create: true, ..WriteOptions::default() };
//! let done = store::write(&path, &opts, |_loaded| {
//!     Ok::<_, wm::Error>(vec![Op::Create(NewTask {
//!         title: "GH#42: Analyze current infrastructure".into(),
//!         kind: Some(TaskType::Impl),
//!         issue: Some(42),
//!         ..NewTask::default()
//!     })])
//! })?;
//! assert!(done.written && done.created);
//! let loaded = store::load(&path)?;
//! assert_eq!(loaded.plan().len(), 1);
//! assert_eq!(loaded.plan().task(0).phase.as_deref(), Some("analysis"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::graph::plan::Plan;
use crate::ops::{self, Op, Outcome};
use crate::store::{Checked, Loaded, lock_cached};

/// How a write transaction runs.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// Treat a missing store as empty and create it (else: `NoStore`).
    pub create: bool,
    /// Refuse (`Invalid`) when the store already has errors.
    pub require_valid: bool,
    /// How long to wait for another writer's lock before `Locked`.
    pub lock_timeout: Duration,
    /// The snapshot file to restore from and refresh, if any.
    pub snapshot: Option<PathBuf>,
    /// The time stamped on changes (default: now, to the millisecond).
    pub now: Option<DateTime<Utc>>,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            create: false,
            require_valid: false,
            lock_timeout: Duration::from_secs(5),
            snapshot: None,
            now: None,
        }
    }
}

/// What a write transaction did.
#[derive(Debug)]
pub struct Written {
    /// The plan as it now is (as written, or as read when nothing changed).
    pub plan: Plan,
    /// One outcome per op, in order.
    pub outcomes: Vec<Outcome>,
    /// Whether the file was replaced (false: every op was a no-op).
    pub written: bool,
    /// Whether the store did not exist before and was created.
    pub created: bool,
}

/// A write's check, run while its text is written (see [`write`]).
type Deferred<'a> = Box<dyn FnOnce(&Plan) -> Result<Checked> + Send + 'a>;

/// How many times a write re-reads and re-applies when the file changed
/// under it (another process created it, or a program that does not take
/// the lock wrote it).
const ATTEMPTS: u32 = 3;

/// Run one read-modify-write of the store at `path`: `build` turns what was
/// read into ops; they are applied all-or-nothing and written atomically.
/// `build` may run more than once (when another process created the store
/// at the same moment, or a program that does not take the lock changed
/// the file between the read and the rename); it must not have side
/// effects it cannot repeat. After three such changes in a row the write
/// gives up with [`Error::Changed`] (exit 6), having written nothing.
pub fn write<F, E>(path: &Path, opts: &WriteOptions, mut build: F) -> Result<Written, E>
where
    F: FnMut(&Loaded) -> Result<Vec<Op>, E>,
    E: From<Error>,
{
    let mut changed = 0;
    for _ in 0..ATTEMPTS {
        let mut locked = lock_cached(
            path,
            opts.lock_timeout,
            opts.create,
            opts.snapshot.as_deref(),
        )?;
        if opts.require_valid {
            locked.loaded.require_valid()?;
        }
        let ops = build(&locked.loaded)?;
        let before = std::mem::take(&mut locked.loaded.problems);
        // The loaded plan is ours to change: no copy of a large store.
        let plan = std::mem::replace(&mut locked.loaded.plan, Plan::empty());
        let graph = std::mem::replace(&mut locked.loaded.graph, Graph::build(&Plan::empty()));
        let now = opts.now.unwrap_or_else(crate::model::now_millis);
        let ops::Staged {
            mut plan,
            outcomes,
            check,
        } = ops::stage(plan, &before, Some(graph), ops, now)?;
        if outcomes.iter().all(|o| !o.changed) {
            return Ok(Written {
                plan,
                outcomes,
                written: false,
                created: false,
            });
        }
        let created = !locked.existed;
        // The ops are checked (a change that would add an error is
        // refused) while the new text is written and synced; the store is
        // replaced only when the check passes. A store that had errors is
        // checked first, in the order it was read: some errors' messages
        // follow the order of the tasks, and the write then sorts them.
        let check: Deferred<'_> = if check.sorted() {
            Box::new(|plan: &Plan| check.run(plan, &outcomes))
        } else {
            let checked = check.run(&plan, &outcomes)?;
            Box::new(move |_: &Plan| Ok(checked))
        };
        // The write leaves a snapshot of what it wrote: the next command,
        // read or write, restores it instead of parsing the file.
        match locked.commit_with(&mut plan, opts.snapshot.as_deref(), Some(check)) {
            Ok(()) => {
                return Ok(Written {
                    plan,
                    outcomes,
                    written: true,
                    created,
                });
            }
            Err(Error::Raced { .. }) => continue,
            // Someone else's write landed between our read and our rename:
            // read it again and re-apply the ops to what is there now.
            Err(Error::Changed { .. }) => {
                changed += 1;
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
    if changed > 0 {
        return Err(Error::Changed {
            path: path.to_path_buf(),
            attempts: changed,
        }
        .into());
    }
    Err(Error::Raced {
        path: path.to_path_buf(),
    }
    .into())
}

/// Replace the store at `path` with `plan` (the merge driver's result),
/// under the lock, keeping the file's editor modeline. Validity is the
/// caller's business: a merge must write what it merged, valid or not, so
/// that nothing is lost.
pub fn replace(path: &Path, lock_timeout: Duration, mut plan: Plan) -> Result<Plan> {
    let locked = lock_cached(path, lock_timeout, true, None)?;
    locked.commit(&mut plan)?;
    Ok(plan)
}
