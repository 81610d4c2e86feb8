//! Spare files: a write fills the spare of the file it replaces and swaps
//! the two names, instead of writing a new file and freeing the old one.
//!
//! Why: a new file's every block is allocated as it is written, and the
//! old file's blocks are freed when its last name and descriptor go, on the
//! write's critical path after the rename; on ext4 mounted with `discard`
//! that free waits for the device. Measured on a 4.3 MB store (`perf`
//! `sched_switch` events of a 10,000-task `done`, and the same steps in a
//! script): a new file 4.5-6.0 ms from first byte to closed old file, the
//! spare 2.1-2.4 ms. Overwriting blocks that exist allocates nothing, its
//! fsync writes no allocation metadata, and the exchange frees nothing.
//!
//! How: the spare of `tasks.yaml` is `.git/wm/tasks-<hash>.yaml.spare`
//! (the snapshot's, `.cache.spare`): the file the last write replaced. A
//! write overwrites it from the first byte where it differs from the new
//! text (the bytes before are already right, on disk: neither written nor
//! synced again), cuts it to the new length,
//! syncs it and exchanges it with the store in one atomic step (Linux
//! `renameat2(RENAME_EXCHANGE)`): `tasks.yaml` then names the new bytes,
//! the spare the old ones. Readers see the old or the new file, never a
//! mix, as with a plain rename.
//!
//! The one thing the spare must never be is a file someone still reads:
//! a program that opened the store before the write that made it the
//! spare (a pager, a slow reader, a writer waiting for the lock) would see
//! its bytes change. So a spare is only taken when the kernel grants a
//! write lease on it, which it does only when no other descriptor or
//! mapping of the file is open anywhere; nobody opens a spare by its name.
//! Otherwise, or off Linux, or on a file system without exchange or
//! leases, the write makes a new file as before, and the file it replaces
//! becomes the next spare (its previous spare is removed while the write
//! waits for the disk anyway).

use std::fs::{self, File, Metadata};
use std::path::{Path, PathBuf};

/// Whether writes use spares here: Linux, on the architectures whose
/// F_SETSIG is known. Elsewhere a write makes a new file each time and
/// keeps no spare.
pub(crate) const SUPPORTED: bool = sys::SUPPORTED;

/// The spare of one file (the store, or its snapshot).
pub(crate) struct Spare {
    path: PathBuf,
}

impl Spare {
    /// The spare of the store whose snapshot is `cache_file`
    /// (`tasks-<hash>.cache` gives `tasks-<hash>.yaml.spare`).
    pub(crate) fn of_store(cache_file: &Path) -> Self {
        Spare {
            path: cache_file.with_extension("yaml.spare"),
        }
    }

    /// The spare of the snapshot `cache_file` (`tasks-<hash>.cache.spare`).
    pub(crate) fn of_snapshot(cache_file: &Path) -> Self {
        Spare {
            path: cache_file.with_extension("cache.spare"),
        }
    }

    /// The spare, open for overwriting, when it can stand in for the file
    /// whose metadata is `target`: a regular file of its own (one link, not
    /// `target` itself), on the same device, and open nowhere else.
    pub(crate) fn take(&self, target: &Metadata) -> Option<File> {
        sys::take(&self.path, target)
    }

    /// Exchange the spare, filled and synced, with `target`: afterwards
    /// `target` names the new bytes and the spare the old file. Where the
    /// file system cannot exchange, the spare is renamed over `target` (the
    /// old file is then freed, and the next write makes a new file).
    pub(crate) fn swap_in(&self, target: &Path) -> std::io::Result<()> {
        sys::swap_in(&self.path, target)
    }

    /// For a write that could not take the spare: remove it, when it is not
    /// a name of `target` (it never is, short of a crash between the two
    /// directory updates of an exchange on a file system without a
    /// journal; removing it then would free the store). Best effort.
    pub(crate) fn clear(&self, target: &Path) {
        if same_file(&self.path, target) {
            return;
        }
        let _ = fs::remove_file(&self.path);
    }

    /// ... and make `target`, about to be replaced, the next spare (a
    /// second name for it, which the replacing rename leaves). Best
    /// effort: where the name is still taken, or links are not possible,
    /// the old file is freed at the rename.
    pub(crate) fn keep(&self, target: &Path) {
        let _ = fs::hard_link(target, &self.path);
    }

    /// The directory holding the spare (synced after an exchange).
    pub(crate) fn dir(&self) -> Option<&Path> {
        self.path.parent()
    }
}

#[cfg(all(
    target_os = "linux",
    any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "x86",
        target_arch = "arm",
        target_arch = "riscv64"
    )
))]
mod sys {
    use std::fs::{self, File, Metadata};
    use std::path::Path;

    pub(super) const SUPPORTED: bool = true;

    /// `fcntl`'s F_SETSIG (not in the libc crate): which signal tells a
    /// lease holder of a break. 10 on these architectures (asm-generic and
    /// x86); others number it differently.
    const F_SETSIG: libc::c_int = 10;

    pub(super) fn take(path: &Path, target: &Metadata) -> Option<File> {
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)
            .ok()?;
        let m = file.metadata().ok()?;
        if !m.is_file() || m.nlink() != 1 || m.dev() != target.dev() || m.ino() == target.ino() {
            return None;
        }
        let fd = file.as_raw_fd();
        // SAFETY: fcntl on a descriptor this function owns. A lease is
        // granted only if no other open file (descriptor or mapping) of
        // the inode exists; it is dropped at once. Should someone open the
        // spare in between, the kernel signals the lease's break with
        // SIGURG (ignored unless handled) rather than SIGIO (which would
        // end the process).
        let leased = unsafe {
            libc::fcntl(fd, F_SETSIG, libc::SIGURG) == 0
                && libc::fcntl(fd, libc::F_SETLEASE, libc::F_WRLCK) == 0
        };
        if !leased {
            return None;
        }
        // SAFETY: as above.
        if unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_UNLCK) } != 0 {
            return None;
        }
        Some(file)
    }

    pub(super) fn swap_in(spare: &Path, target: &Path) -> std::io::Result<()> {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
        let (from, to) = (c(spare)?, c(target)?);
        // SAFETY: two NUL-terminated paths that outlive the call. Through
        // syscall(): musl's libc may lack the wrapper.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_renameat2,
                libc::AT_FDCWD,
                from.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => fs::rename(spare, target),
            _ => Err(e),
        }
    }
}

#[cfg(not(all(
    target_os = "linux",
    any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "x86",
        target_arch = "arm",
        target_arch = "riscv64"
    )
)))]
mod sys {
    use std::fs::{File, Metadata};
    use std::path::Path;

    pub(super) const SUPPORTED: bool = false;

    pub(super) fn take(_path: &Path, _target: &Metadata) -> Option<File> {
        None
    }

    pub(super) fn swap_in(spare: &Path, target: &Path) -> std::io::Result<()> {
        std::fs::rename(spare, target)
    }
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::symlink_metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_a: &Path, _b: &Path) -> bool {
    false
}
