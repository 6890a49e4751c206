//! A child forked while another thread of the parent is opening the process-wide handle:
//! its first libipvs call must not wait on a lock held by a thread it does not have.
//!
//! Needs no IPVS: without it each open is still a round trip to the kernel's nlctrl (which
//! answers that there is no IPVS family), and the children's calls end with an errno, in
//! bounded time, either way.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ipvs::libipvs::{ipvs_close, ipvs_getinfo, ipvs_init};

/// Forks a child that makes one libipvs call (ended by SIGALRM after 5 s if it hangs) and
/// says how it ended.
fn child_call() -> Result<(), String> {
    // SAFETY: the child makes one libipvs call and _exit()s; it relies on no other thread.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        // SAFETY: alarm has no preconditions; its default action ends a hung child.
        unsafe { libc::alarm(5) };
        ipvs_getinfo();
        // SAFETY: _exit ends the child at once, without the parent's atexit handlers.
        unsafe { libc::_exit(0) };
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut status = 0;
    loop {
        // SAFETY: pid is our child; status is a valid int to write.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            break;
        }
        if Instant::now() > deadline {
            // SAFETY: pid is our child, not yet reaped.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return Err("the child outlived its alarm".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    if libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGALRM {
        Err("the child hung in its first libipvs call".into())
    } else if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        Ok(())
    } else {
        Err(format!("the child ended with wait status {status:#x}"))
    }
}

#[test]
fn a_child_forked_while_another_thread_opens_the_handle_does_not_hang() {
    let stop = Arc::new(AtomicBool::new(false));
    let opener = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                // Both ways of opening: ipvs_init, and a call after ipvs_close.
                ipvs_init();
                ipvs_close();
                ipvs_getinfo();
            }
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    let outcomes: Vec<Result<(), String>> = (0..20).map(|_| child_call()).collect();
    stop.store(true, Ordering::Relaxed);
    opener.join().unwrap();
    let failed: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert!(
        failed.is_empty(),
        "{} of 20 children: {failed:?}",
        failed.len()
    );
}
