//! Huge pages for big stores only.
//!
//! mimalloc asks the kernel for transparent huge pages (2 MiB) for its
//! arenas. On a store of 10,000 tasks that saves thousands of page faults
//! (reads are about a third faster), but every huge page touched counts
//! whole in the resident set, so a command on a small store peaked at
//! 23 MB where 12 MB is enough. So the binary starts with huge pages off
//! for itself (`PR_SET_THP_DISABLE`) and turns them back on for the work
//! that allocates in proportion to a big store: a write (the text it reads,
//! the restored plan and graph), `check`, or parsing the file when no
//! snapshot matches. A read that
//! restores a snapshot decodes little of it and is as fast without them
//! (10,000 tasks: 18 MB instead of 30 MB).

/// Stores at least this large get huge pages (about 2,300 tasks).
const HUGE_PAGES_FROM: u64 = 1 << 20;

/// At start: no huge pages until a big store is known.
pub fn start() {
    set_huge_pages(false);
}

/// Before a write, or before parsing the store.
pub fn for_store(path: &std::path::Path) {
    if std::fs::metadata(path).is_ok_and(|m| m.len() >= HUGE_PAGES_FROM) {
        set_huge_pages(true);
    }
}

#[cfg(target_os = "linux")]
fn set_huge_pages(on: bool) {
    // SAFETY: PR_SET_THP_DISABLE takes an integer flag and no pointers; it
    // changes how the kernel backs this process's future page faults and
    // cannot affect memory safety. Failure (an old kernel) changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, libc::c_ulong::from(!on), 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn set_huge_pages(_on: bool) {}
