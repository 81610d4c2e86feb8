//! The files a write replaced, kept under a second name until the next
//! write frees them at a moment it would otherwise spend waiting.
//!
//! A write replaces tasks.yaml (and its snapshot) by renaming a new file
//! over it. The old file's blocks are freed when its last name and its
//! last descriptor go, inside whichever call drops them: the rename, or the
//! close of the lock's descriptor just after it. On ext4 mounted with
//! `discard`, that call waits for the device to discard the blocks (about
//! 1 ms for a 4 MB store, measured with `perf` on the `sched_switch`
//! events of a 10,000-task `done`), after the rename, where nothing else
//! is left to do. So, just before each rename, the write links the file
//! about to be replaced into `.git/wm/`; the next write removes those links
//! while its writing thread syncs the new text and the calling thread has
//! finished the snapshot and would only wait.
//!
//! Costs: until the next write, `.git/wm/` holds the store and the snapshot
//! as they were before the last write (their disk space, not memory: the
//! kernel drops their cached pages under pressure). Where a link cannot be
//! made (another file system, a file system without hard links), the old
//! file is freed at the rename as before. Every step is best effort: a
//! link that fails, or one left by a write killed midway, only delays a
//! free; no command reads these files.

use std::fs;
use std::path::{Path, PathBuf};

/// The names given, beside a store's snapshot, to the files its last write
/// replaced.
pub(crate) struct Retired {
    store: PathBuf,
    snapshot: PathBuf,
}

impl Retired {
    /// The names for the store whose snapshot is `cache_file`
    /// (`tasks-<hash>.cache` gives `tasks-<hash>.yaml.replaced` and
    /// `tasks-<hash>.cache.replaced`).
    pub(crate) fn beside(cache_file: &Path) -> Self {
        Retired {
            store: cache_file.with_extension("yaml.replaced"),
            snapshot: cache_file.with_extension("cache.replaced"),
        }
    }

    /// Free what the previous write kept. A name may also be a leftover
    /// link to the current store (a write that failed after linking): then
    /// removing it only drops that name.
    pub(crate) fn free_previous(&self) {
        let _ = fs::remove_file(&self.store);
        let _ = fs::remove_file(&self.snapshot);
    }

    /// Keep the store at `path`, about to be replaced, alive under its
    /// retired name. Never removes anything: a name still taken (its free
    /// failed) just means the old file is freed at the rename.
    pub(crate) fn keep_store(&self, path: &Path) {
        let _ = fs::hard_link(path, &self.store);
    }

    /// [`Retired::keep_store`] for the snapshot at `path`.
    pub(crate) fn keep_snapshot(&self, path: &Path) {
        let _ = fs::hard_link(path, &self.snapshot);
    }
}
