//! Helper threads that run beside the thread that starts them.
//!
//! Why: Linux may queue a new thread on its parent's CPU, to wait there
//! until the parent blocks or a balancer moves one of them, even with
//! another CPU idle. `perf` scheduler events of 10,000-task writes showed
//! both helpers of a write woken on the parent's CPU and run only when the
//! parent waited for them: the hash "beside" the restore ran after it.
//! So after starting a helper the parent moves itself to another CPU it
//! may use (the helper then runs where it was queued) and at once allows
//! itself every CPU again: it stays where it moved.
//!
//! Not always: on other days, same machine kind, the kernel gave the
//! new thread the idle CPU, and moving the parent there queued it behind
//! its own helper. Timed marks of 30 interleaved 10,000-task `create`s
//! (2026-12-03): moving every time 19.4 ms, never 16.0 ms; the write's
//! helper, started on the other CPU, held the moved parent 2.5 ms. So the
//! parent first waits a moment for the helper to say where it started,
//! and moves only if the helper started on its own CPU or has not started
//! (16.6 ms, within the noise of never moving on that day, and no slower
//! than moving on the day helpers were queued behind their parent).

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::{Duration, Instant};

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
    let here = match sys::cpu() {
        Some(cpu) if beside => cpu,
        // Without a CPU to compare there is nothing to decide: step_aside
        // does nothing where sys::cpu cannot tell.
        _ => return std::thread::Builder::new().spawn_scoped(s, f).ok(),
    };
    // The CPU the helper started on; NOT_YET until it has.
    let started = Arc::new(AtomicI32::new(NOT_YET));
    let tell = Arc::clone(&started);
    let h = std::thread::Builder::new()
        .spawn_scoped(s, move || {
            tell.store(sys::cpu().unwrap_or(UNKNOWN), Ordering::Release);
            drop(tell);
            f()
        })
        .ok()?;
    let waited = Instant::now();
    loop {
        match started.load(Ordering::Acquire) {
            NOT_YET if waited.elapsed() < START_WITHIN => std::hint::spin_loop(),
            // Not started: it may be queued behind this thread.
            NOT_YET => break,
            // Started here: it runs only when this thread waits.
            cpu if cpu == here => break,
            // Running elsewhere: moving would queue this thread behind it.
            _ => return Some(h),
        }
    }
    sys::step_aside();
    Some(h)
}

/// How long [`spawn`] waits for its helper to start before it takes the
/// helper to be queued behind it (one that is never reports while this
/// thread spins). Measured on 30 10,000-task `create`s (kernel 6.18): the
/// restore's hash helper reported from the other CPU within it every time,
/// the write's helper 16 times (its median start 0.5 ms; the other 14 the
/// parent moved). A longer wait spins away what the move saves on days
/// when helpers are queued behind their parent.
const START_WITHIN: Duration = Duration::from_micros(200);
const NOT_YET: i32 = -1;
const UNKNOWN: i32 = -2;

#[cfg(target_os = "linux")]
mod sys {
    /// The CPU this thread runs on.
    pub(super) fn cpu() -> Option<i32> {
        // SAFETY: sched_getcpu takes no arguments and touches no memory.
        let cpu = unsafe { libc::sched_getcpu() };
        (cpu >= 0).then_some(cpu)
    }

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
    pub(super) fn cpu() -> Option<i32> {
        None
    }

    pub(super) fn step_aside() {}
}
