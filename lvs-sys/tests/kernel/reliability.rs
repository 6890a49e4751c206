//! A handle used by parent and child after `fork()`, a batch across the sequence-number wrap,
//! and a `for_each_service` visitor that uses the handle it is visiting.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use lvs_core::{
    ApplyError, Classify, ErrorKind, ForwardMethod, Ipvs, Operation, Outcome, RealServer, Service,
    ServiceKey,
};

use crate::support::{assert_new_fds_close_on_exec, open_fds, require_ipvs_kernel, Netns};

fn key(third: u32, port: u32) -> ServiceKey {
    ServiceKey::tcp(format!("192.0.2.{third}:{port}").parse().unwrap())
}

/// Adds, checks and edits services `first..first + n` on `third`, checking every answer is
/// the answer to this process's own request.
fn busy_loop(ipvs: &lvs_sys::NetlinkIpvs, third: u32, n: u32) {
    for i in 0..n {
        let k = key(third, 1000 + i);
        ipvs.add_service(&Service::new(k)).expect("add a service");
        let server = RealServer::new(format!("198.51.100.{third}:{}", 80 + i).parse().unwrap())
            .with_forward(ForwardMethod::Masquerade);
        ipvs.add_server(&k, &server).expect("add a real server");
        assert_eq!(ipvs.service(&k).expect("get the service").service.key, k);
        let servers = ipvs.servers(&k).expect("list its real servers");
        assert_eq!(servers.len(), 1);
        assert_eq!(servers[0].server.addr, server.addr);
        let e = ipvs.add_service(&Service::new(k)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}");
    }
}

/// Forks; the child runs `child` (a panic or a minute without finishing fails it) and
/// exits. Returns a function that waits for the child, at most `limit`, and says whether it
/// succeeded.
fn fork_child(child: impl FnOnce()) -> impl FnOnce(Duration) -> Result<(), String> {
    // SAFETY: the child only runs `child` and then _exit()s; the test harness's other
    // threads do not exist in it, and nothing here relies on them.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        // SAFETY: alarm has no preconditions; its default action ends a hung child.
        unsafe { libc::alarm(60) };
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(child)).is_ok();
        // SAFETY: _exit ends the child without running the parent's atexit handlers.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    move |limit: Duration| {
        let deadline = Instant::now() + limit;
        loop {
            let mut status = 0;
            // SAFETY: pid is our child; status is a valid int to write.
            let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if r == pid {
                return if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
                    Ok(())
                } else {
                    Err(format!("the child failed (wait status {status:#x})"))
                };
            }
            if Instant::now() > deadline {
                // SAFETY: pid is our child, not yet reaped.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, &mut status, 0);
                }
                return Err(format!("the child did not finish within {limit:?}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn parent_and_child_both_use_one_handle_after_fork() {
    require_ipvs_kernel();
    let ns = Netns::new("fork");
    let ipvs = ns.lvs();
    ipvs.add_service(&Service::new(key(9, 9))).unwrap();
    let wait = fork_child(|| busy_loop(&ipvs, 2, 150));
    busy_loop(&ipvs, 1, 150);
    wait(Duration::from_secs(120)).unwrap();
    // Both processes' services are in the handle's namespace (not the one the test's own
    // thread is in): the child reopened in the namespace the handle was opened in.
    let services = ipvs.services().unwrap();
    assert_eq!(services.len(), 301);
    for third in [1, 2] {
        for i in 0..150 {
            assert!(services
                .iter()
                .any(|s| s.service.key == key(third, 1000 + i)));
        }
    }
    // And the parent's handle still works as before.
    ipvs.flush().unwrap();
    assert!(ipvs.services().unwrap().is_empty());
}

#[test]
fn a_child_that_moved_to_another_namespace_reopens_in_the_handles() {
    require_ipvs_kernel();
    let ns = Netns::new("fork-moved");
    let ipvs = ns.lvs();
    ipvs.info().unwrap();
    let wait = fork_child(|| {
        // SAFETY: unshare only changes this (child) process's namespace.
        assert_eq!(unsafe { libc::unshare(libc::CLONE_NEWNET) }, 0);
        let before = open_fds();
        ipvs.add_service(&Service::new(key(3, 3))).unwrap();
        assert_new_fds_close_on_exec(&before);
        // One socket replaced another: no descriptor more than before.
        assert_eq!(open_fds().len(), before.len());
    });
    wait(Duration::from_secs(60)).unwrap();
    let services = ipvs.services().unwrap();
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].service.key, key(3, 3));
}

#[test]
fn a_batch_across_the_sequence_number_wrap_gets_each_outcome_right() {
    require_ipvs_kernel();
    let ns = Netns::new("seq-wrap");
    let ipvs = ns.lvs();
    for start in [u32::MAX - 10, u32::MAX - 1, u32::MAX] {
        ipvs.flush().unwrap();
        ipvs.set_sequence_for_tests(start).unwrap();
        let mut ops: Vec<Operation> = (0..30)
            .map(|i| Operation::AddService(Service::new(key(4, 1 + i))))
            .collect();
        // A refusal in the middle of the batch, across the wrap for the first start.
        ops[15] = Operation::AddService(Service::new(key(4, 1)));
        let started = Instant::now();
        let ApplyError { outcomes } = ipvs.apply(&ops).unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the batch waited"
        );
        for (i, outcome) in outcomes.iter().enumerate() {
            match outcome {
                Outcome::Failed(e) if i == 15 => assert_eq!(e.kind(), ErrorKind::AlreadyExists),
                Outcome::Applied if i != 15 => {}
                other => panic!("from {start}: operation {i}: {other:?}"),
            }
        }
        assert_eq!(ipvs.services().unwrap().len(), 29);
    }
}

/// Runs `f` on a thread of its own; fails if it does not finish within `limit`.
fn bounded(limit: Duration, f: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = done.send(());
    });
    finished
        .recv_timeout(limit)
        .expect("finished in time (or panicked)");
}

#[test]
fn a_visitor_may_use_the_handle_it_visits() {
    require_ipvs_kernel();
    for services in [5u32, 300] {
        let ns = Netns::new("visit");
        let ipvs = std::sync::Arc::new(ns.lvs());
        let ops: Vec<Operation> = (0..services)
            .flat_map(|i| {
                let k = key(5 + i / 200, 1 + i);
                [
                    Operation::AddService(Service::new(k)),
                    Operation::AddServer(
                        k,
                        RealServer::new("198.51.100.7:80".parse().unwrap())
                            .with_forward(ForwardMethod::Masquerade),
                    ),
                ]
            })
            .collect();
        ipvs.apply(&ops).unwrap();
        assert_eq!(ipvs.services().unwrap().len(), services as usize, "before");
        assert_eq!(
            ipvs.table_with_stats().unwrap().len(),
            services as usize,
            "before"
        );
        let shared = std::sync::Arc::clone(&ipvs);
        bounded(Duration::from_secs(120), move || {
            let ipvs = shared;
            let mut visited = 0;
            ipvs.for_each_service(|service, servers| {
                let k = service.service.key;
                // The same handle, from inside the visit: a request, a dump, a write, and
                // for the first service a whole nested read.
                assert_eq!(ipvs.service(&k).unwrap().service.key, k);
                assert_eq!(ipvs.servers(&k).unwrap().len(), servers.len());
                ipvs.zero(Some(&k)).unwrap();
                if visited == 0 {
                    let s1 = ipvs.services().unwrap().len();
                    let t = ipvs.table_with_stats().unwrap().len();
                    let s2 = ipvs.services().unwrap().len();
                    assert_eq!(
                        (s1, t, s2),
                        (services as usize, services as usize, services as usize)
                    );
                }
                visited += 1;
            })
            .unwrap();
            assert_eq!(visited, services);
        });
    }
}
