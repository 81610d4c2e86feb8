//! Helper threads that run beside the thread that starts them.
//!
//! Why: Linux queues a new thread on its parent's CPU, and it waits there
//! until the parent blocks or a balancer moves one of them, even with
//! another CPU idle. `perf` scheduler events of 10,000-task writes showed
//! both helpers of a write woken on the parent's CPU and run only when the
//! parent waited for them: the hash "beside" the restore ran after it.
//! So after starting a helper the parent moves itself to another CPU it
//! may use (the helper then runs where it was queued) and at once allows
//! itself every CPU again: it stays where it moved.

use std::thread::{Scope, ScopedJoinHandle};

/// Stores from this size on (about 2,300 tasks) have helpers that run
/// beside the thread that starts them. On a smaller one the work overlapped
/// is a fraction of a millisecond, less than starting a helper and moving
/// a thread cost: the hash is then worked out before the restore, and the
/// write's helper runs while the writer waits for the disk.
pub(crate) const BESIDE_FROM: u64 = 1 << 20;

/// Start `f` on a scoped thread, made to run beside this one when
/// `beside`; None when no thread can be had.
pub(crate) fn spawn<'scope, F, T>(
    s: &'scope Scope<'scope, '_>,
    beside: bool,
    f: F,
) -> Option<ScopedJoinHandle<'scope, T>>
where
    F: FnOnce() -> T + Send + 'scope,
    T: Send + 'scope,
{
    let h = std::thread::Builder::new().spawn_scoped(s, f).ok()?;
    if beside {
        sys::step_aside();
    }
    Some(h)
}

#[cfg(target_os = "linux")]
mod sys {
    /// Move this thread to another CPU it may run on, if there is one,
    /// and allow it all of them again.
    pub(super) fn step_aside() {
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: the cpu_set_t values are plain bit sets owned here,
        // zeroed before use; the calls read or write only them, for this
        // thread (pid 0). A failure leaves the thread where it is.
        unsafe {
            let mut all: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(0, size, &mut all) != 0 {
                return;
            }
            let Ok(here) = usize::try_from(libc::sched_getcpu()) else {
                return;
            };
            let mut others = all;
            libc::CPU_CLR(here, &mut others);
            if libc::CPU_COUNT(&others) == 0 {
                return;
            }
            if libc::sched_setaffinity(0, size, &others) == 0 {
                libc::sched_setaffinity(0, size, &all);
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    pub(super) fn step_aside() {}
}
