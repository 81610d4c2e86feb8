//! The binary's memory: huge pages for big stores only, and an exit that
//! leaves giving memory back to the kernel.
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

/// No huge pages until a big store is known, from before the first
/// allocation. mimalloc reserves its arena and advises huge pages for it
/// before `main` runs, and the runtime's first allocations (the thread's
/// name, the arguments) then faulted in a whole 2 MiB page, which stayed
/// resident: turning huge pages off at the start of `main` was too late
/// for it. Off from here, a read of a 1,000-task store peaks at 7.5 MB
/// instead of 10.7 (a write 8.5 instead of 12.5; `/usr/bin/time`). A
/// function in a priority section of `.init_array` runs before every
/// constructor without one, mimalloc's among them, and before `main`.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array.00100")]
static NO_HUGE_PAGES_AT_START: extern "C" fn() = no_huge_pages_at_start;

#[cfg(target_os = "linux")]
extern "C" fn no_huge_pages_at_start() {
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

/// End the process with `code` once its output is out, skipping the
/// allocator's work at exit: mimalloc's exit handler gathers and returns
/// every page it holds to the kernel one madvise at a time (83 calls after
/// a 10,000-task create, strace), which the kernel does at once for a process that
/// ends. Nothing else runs at exit: the standard streams are flushed here,
/// and every file and thread of a command is closed or joined before it
/// returns.
pub fn exit(code: u8) -> std::process::ExitCode {
    use std::io::Write;
    let flushed = std::io::stdout().flush().is_ok() && std::io::stderr().flush().is_ok();
    #[cfg(unix)]
    if flushed {
        // SAFETY: _exit ends the process at once; it takes an integer and
        // touches no memory of ours.
        unsafe { libc::_exit(libc::c_int::from(code)) }
    }
    let _ = flushed;
    std::process::ExitCode::from(code)
}
