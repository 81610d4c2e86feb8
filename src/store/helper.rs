//! Helper threads that run beside the thread that starts them.
//!
//! Why: Linux often puts a new thread on its parent's CPU even with
//! another CPU idle, where it either waits until the parent blocks or
//! preempts the parent and runs its whole job there while the parent
//! waits: the work meant to overlap runs one after the other. Timed marks
//! of 30 10,000-task `create`s (kernel 6.18, 2 CPUs, 2026-12-04): the
//! restore's hash helper started on the parent's CPU 57 times in 60 and
//! held the parent 1.3 ms (median); the write's helper was queued behind
//! its parent until the parent gave up waiting for it (0.3 ms).
//!
//! So the helper's first act is to leave its parent's CPU when it finds
//! itself there: it asks for every CPU but that one, which moves it at
//! once, and then allows itself every CPU again (it stays where it
//! moved). The parent yields its CPU a few times right after the start,
//! so that a helper queued behind it gets to run those first lines; a
//! helper the kernel put elsewhere is left alone. The parent never moves:
//! its caches stay warm, and moving it onto the helper's CPU was seen to
//! queue it behind its own helper (2026-12-03). Same 30 creates: the
//! restore 3.1 -> 2.2 ms, the write's helper started 0.32 -> 0.12 ms
//! after the call.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{Scope, ScopedJoinHandle};

/// Stores from this size on (about 2,300 tasks) have helpers that run
/// beside the thread that starts them. On a smaller one the work overlapped
/// is a fraction of a millisecond, less than starting a helper costs: the
/// hash is then worked out before the restore, and the write's helper runs
/// while the writer waits for the disk.
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
        // Without a CPU to compare there is nothing to decide.
        _ => return std::thread::Builder::new().spawn_scoped(s, f).ok(),
    };
    let started = Arc::new(AtomicBool::new(false));
    let tell = Arc::clone(&started);
    let h = std::thread::Builder::new()
        .spawn_scoped(s, move || {
            if sys::cpu() == Some(here) {
                sys::leave(here);
            }
            tell.store(true, Ordering::Release);
            drop(tell);
            f()
        })
        .ok()?;
    // A helper queued behind this thread runs as soon as it yields; one
    // elsewhere has nothing to wait for. A few yields, not a wait: each
    // returns at once when nothing else is queued here.
    for _ in 0..YIELDS {
        if started.load(Ordering::Acquire) {
            break;
        }
        std::thread::yield_now();
    }
    Some(h)
}

/// How many times [`spawn`] yields for its helper to start. In the marks
/// above, the helper queued behind its parent ran within these yields
/// every time (57 in 60; the other 3 started on the idle CPU).
const YIELDS: u32 = 3;

#[cfg(target_os = "linux")]
mod sys {
    /// The CPU this thread runs on.
    pub(super) fn cpu() -> Option<i32> {
        // SAFETY: sched_getcpu takes no arguments and touches no memory.
        let cpu = unsafe { libc::sched_getcpu() };
        (cpu >= 0).then_some(cpu)
    }

    /// Move this thread off `cpu` to another CPU it may run on, if there
    /// is one, and allow it every CPU again: it stays where it moved.
    pub(super) fn leave(cpu: i32) {
        let Ok(cpu) = usize::try_from(cpu) else {
            return;
        };
        if cpu >= libc::CPU_SETSIZE as usize {
            return;
        }
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: the cpu_set_t values are plain bit sets owned here,
        // zeroed before use; the calls read or write only them, for this
        // thread (pid 0). A failure leaves the thread where it is.
        unsafe {
            let mut all: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(0, size, &mut all) != 0 {
                return;
            }
            let mut others = all;
            libc::CPU_CLR(cpu, &mut others);
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

    pub(super) fn leave(_cpu: i32) {}
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The CPUs this thread may run on.
    fn allowed() -> Vec<usize> {
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: a zeroed bit set owned here, filled by the kernel.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            assert_eq!(libc::sched_getaffinity(0, size, &mut set), 0);
            (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| libc::CPU_ISSET(c, &set))
                .collect()
        }
    }

    fn only(cpu: usize) {
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: as in `allowed`; this sets the mask of this thread only.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpu, &mut set);
            assert_eq!(libc::sched_setaffinity(0, size, &set), 0);
        }
    }

    // A helper that left its parent's CPU may run anywhere again, and its
    // parent's CPUs are untouched: nothing stays pinned.
    #[test]
    fn a_helper_does_its_job_and_leaves_every_cpu_allowed() {
        let before = allowed();
        let (answer, its) = std::thread::scope(|s| {
            let h = spawn(s, true, || (6 * 7, allowed())).expect("a thread");
            h.join().expect("the helper finished")
        });
        assert_eq!(answer, 42);
        assert_eq!(its, before);
        assert_eq!(allowed(), before);
    }

    // Leaving a CPU moves the thread but does not pin it: afterwards it
    // may run on every CPU it could before.
    #[test]
    fn leaving_a_cpu_keeps_every_cpu_allowed() {
        std::thread::spawn(|| {
            let before = allowed();
            let here = sys::cpu().expect("a CPU");
            sys::leave(here);
            assert_eq!(allowed(), before);
        })
        .join()
        .expect("the test thread finished");
    }

    // With one CPU to run on there is nowhere to go: the helper runs its
    // job there, after its parent yields or waits.
    #[test]
    fn a_helper_confined_to_one_cpu_still_runs() {
        std::thread::spawn(|| {
            let cpu = *allowed().first().expect("some CPU");
            only(cpu);
            let (answer, its) = std::thread::scope(|s| {
                let h = spawn(s, true, || (6 * 7, allowed())).expect("a thread");
                h.join().expect("the helper finished")
            });
            assert_eq!(answer, 42);
            assert_eq!(its, vec![cpu]);
        })
        .join()
        .expect("the test thread finished");
    }
}
