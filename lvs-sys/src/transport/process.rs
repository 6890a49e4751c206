//! This process's id, without a system call per request.
//!
//! The transport checks on every request that its socket is still this process's own (a
//! child made by `fork()` must not read its parent's answers), and glibc no longer caches
//! `getpid()`: that was a system call per request, three with libipvs's bookkeeping, which
//! under emulation cost as much as the request itself. The id is kept here instead and
//! forgotten in every child `fork()` makes (a `pthread_atfork` handler), so the child's
//! first request asks the kernel again.
//!
//! A child made without `fork()`'s handlers (a raw `clone` system call, which no libc
//! user makes by accident) would keep its parent's id; such a child must not use handles
//! opened before it was made.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;

/// The id found last, 0 when not known (no process has id 0).
static PID: AtomicU32 = AtomicU32::new(0);
static FORGET_IN_CHILDREN: Once = Once::new();

extern "C" fn forget_in_child() {
    // Async-signal-safe, as a child handler must be: one atomic store.
    PID.store(0, Ordering::Relaxed);
}

/// The calling process's id, as [`std::process::id`] gives it, with one system call per
/// process instead of one per call: the id is kept, and forgotten in each child `fork()`
/// makes. lvs's handles check it on every request; lvs-ffi's libipvs calls too.
pub fn id() -> u32 {
    match PID.load(Ordering::Relaxed) {
        0 => {}
        pid => return pid,
    }
    // The handler is in place before any id is kept, so no fork can copy a kept id into a
    // child without the child forgetting it.
    FORGET_IN_CHILDREN.call_once(|| {
        // SAFETY: registers a handler with no preconditions; it only stores to an atomic.
        unsafe { libc::pthread_atfork(None, None, Some(forget_in_child)) };
    });
    let pid = std::process::id();
    PID.store(pid, Ordering::Relaxed);
    pid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_this_processs_and_a_forked_child_finds_its_own() {
        assert_eq!(id(), std::process::id());
        assert_eq!(id(), std::process::id(), "kept");
        // SAFETY: the child only calls async-signal-safe functions and this crate's `id`
        // (atomics and getpid), then _exit; the parent waits for it.
        let child = unsafe { libc::fork() };
        assert!(child >= 0, "fork failed");
        if child == 0 {
            let right = id() == std::process::id();
            // SAFETY: ends the child at once, running nothing of the parent's (no atexit
            // handlers, no test harness).
            unsafe { libc::_exit(if right { 0 } else { 1 }) };
        }
        let mut status = 0;
        // SAFETY: waits for the child just made; status is a valid out pointer.
        let waited = unsafe { libc::waitpid(child, &mut status, 0) };
        assert_eq!(waited, child);
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "the child saw its parent's id"
        );
        assert_eq!(id(), std::process::id());
    }
}
