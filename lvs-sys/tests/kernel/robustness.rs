//! A handle shared by threads, handles opened and closed in a loop, and a caller without
//! CAP_NET_ADMIN.

use std::sync::Arc;

use lvs_core::{
    Classify, ErrorKind, ForwardMethod, Ipvs, Operation, RealServer, Service, ServiceKey, Table,
};

use crate::support::{assert_new_fds_close_on_exec, open_fds, require_ipvs_kernel, Netns};

#[test]
fn eight_threads_share_one_handle_without_mixing_replies() {
    require_ipvs_kernel();
    let ns = Netns::new("threads");
    let ipvs = Arc::new(ns.lvs());
    let threads: Vec<_> = (0..8u16)
        .map(|t| {
            let ipvs = Arc::clone(&ipvs);
            std::thread::spawn(move || {
                for i in 0..100u16 {
                    let key =
                        ServiceKey::tcp(format!("192.0.2.{}:{}", t + 1, 1000 + i).parse().unwrap());
                    ipvs.add_service(&Service::new(key)).unwrap();
                    let server =
                        RealServer::new(format!("198.51.100.{}:80", t + 1).parse().unwrap())
                            .with_forward(ForwardMethod::Masquerade);
                    ipvs.add_server(&key, &server).unwrap();
                    // Reads interleaved with other threads' writes must see this thread's own.
                    let entry = ipvs.service(&key).unwrap();
                    assert_eq!(entry.service.key, key);
                    let servers = ipvs.servers(&key).unwrap();
                    assert_eq!(servers.len(), 1);
                    assert_eq!(servers[0].server.addr, server.addr);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(ipvs.services().unwrap().len(), 800);
}

#[test]
fn ten_thousand_handles_leave_no_descriptor_behind() {
    require_ipvs_kernel();
    // Other tests open descriptors in this process at the same time, so the counting runs
    // in a child process running only this test.
    const CHILD: &str = "LVS_TEST_FD_CHILD";
    if std::env::var_os(CHILD).is_none() {
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "robustness::ten_thousand_handles_leave_no_descriptor_behind",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        assert_child_ran_one_test(&child);
        return;
    }
    let ns = Netns::new("fds");
    let path = ns.path();
    // Warm up (thread stacks, lazily opened files), then count.
    drop(lvs_sys::NetlinkIpvs::open_in_netns(&path).unwrap());
    let before = open_fds().len();
    for _ in 0..10_000 {
        let ipvs = lvs_sys::NetlinkIpvs::open_in_netns(&path).unwrap();
        drop(ipvs);
    }
    assert_eq!(open_fds().len(), before, "descriptors leaked");
}

#[test]
fn the_socket_is_close_on_exec() {
    require_ipvs_kernel();
    let ns = Netns::new("cloexec");
    let before = open_fds();
    let _ipvs = ns.lvs();
    assert_new_fds_close_on_exec(&before);
}

#[test]
fn without_cap_net_admin_every_request_is_permission_denied() {
    require_ipvs_kernel();
    // The check runs in a child started without CAP_NET_ADMIN (still uid 0, so only that
    // capability is missing); the parent owns the namespace and checks nothing changed.
    const CHILD: &str = "LVS_TEST_NO_NET_ADMIN_NETNS";
    let Some(netns) = std::env::var_os(CHILD) else {
        let ns = Netns::new("noperm");
        ns.ipvsadm(&["-A", "-t", "192.0.2.1:80", "-s", "rr"]);
        let before = ns.ipvsadm(&["-Sn"]);
        let child = std::process::Command::new("setpriv")
            .args(["--bounding-set=-net_admin", "--inh-caps=-net_admin", "--"])
            .arg(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "robustness::without_cap_net_admin_every_request_is_permission_denied",
                "--nocapture",
            ])
            .env(CHILD, ns.path())
            .output()
            .expect("run setpriv (util-linux)");
        assert_child_ran_one_test(&child);
        assert_eq!(ns.ipvsadm(&["-Sn"]), before, "the table changed");
        return;
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let effective = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .map(|v| u64::from_str_radix(v.trim(), 16).unwrap())
        .unwrap();
    assert_eq!(
        effective & (1 << 12),
        0,
        "the child still has CAP_NET_ADMIN"
    );

    let ipvs = lvs_sys::NetlinkIpvs::open_in_netns(&netns)
        .expect("opening needs no privilege (family lookup)");
    let key = ServiceKey::tcp("192.0.2.1:80".parse().unwrap());
    let results: Vec<(&str, Result<(), lvs_sys::Error>)> = vec![
        ("services", ipvs.services().map(drop)),
        ("service", ipvs.service(&key).map(drop)),
        ("servers", ipvs.servers(&key).map(drop)),
        ("info", ipvs.info().map(drop)),
        ("timeouts", ipvs.timeouts().map(drop)),
        ("daemons", ipvs.daemons().map(drop)),
        (
            "add",
            ipvs.add_service(&Service::new(ServiceKey::tcp(
                "192.0.2.2:80".parse().unwrap(),
            ))),
        ),
        ("delete", ipvs.delete_service(&key)),
        ("flush", ipvs.flush()),
        ("zero", ipvs.zero(None)),
    ];
    for (what, result) in results {
        let e = result.expect_err(what);
        assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{what}: {e}");
        assert_eq!(e.errno(), Some(libc::EPERM), "{what}: {e}");
        assert!(
            matches!(e, lvs_sys::Error::PermissionDenied { .. }),
            "{what}: {e:?}"
        );
    }
}

/// A child test process must have passed, and must have run exactly the one test it was
/// started for (a filter matching nothing would pass too).
fn assert_child_ran_one_test(child: &std::process::Output) {
    let stdout = String::from_utf8_lossy(&child.stdout);
    assert!(
        child.status.success() && stdout.contains("test result: ok. 1 passed"),
        "the child test failed ({}):\n{stdout}\n{}",
        child.status,
        String::from_utf8_lossy(&child.stderr)
    );
}

#[test]
fn a_table_of_ten_thousand_services_with_four_real_servers_each_reads_back_whole() {
    require_ipvs_kernel();
    let ns = Netns::new("big");
    let ipvs = ns.lvs();
    let mut ops = Vec::with_capacity(50_000);
    let mut services = Vec::with_capacity(10_000);
    for i in 0..10_000u32 {
        let key = ServiceKey::tcp(
            format!("192.0.2.{}:{}", 1 + i / 5000, 1 + i % 5000)
                .parse()
                .unwrap(),
        );
        let service = Service::new(key).with_scheduler(lvs_core::Scheduler::Wrr);
        ops.push(Operation::AddService(service.clone()));
        let servers: Vec<RealServer> = (1..=4u32)
            .map(|s| {
                RealServer::new(
                    format!("198.51.100.{s}:{}", 8000 + i % 1000)
                        .parse()
                        .unwrap(),
                )
                .with_forward(ForwardMethod::Masquerade)
                .with_weight(s)
            })
            .collect();
        ops.extend(servers.iter().map(|s| Operation::AddServer(key, *s)));
        services.push(lvs_core::VirtualService::new(service, servers));
    }
    ipvs.apply(&ops).expect("create the table");

    let read = ipvs.read_table().expect("dump the table");
    let stats = ipvs.transport_stats_for_tests().unwrap();
    println!(
        "10,000 services x 4 real servers, created in groups of 64 and read with the forced \
         buffer ({} bytes): {stats:?}",
        ipvs.recv_buffer_for_tests().unwrap()
    );
    // Dumps are flow controlled and every group's acknowledgements fit: nothing was lost.
    assert_eq!((stats.overruns, stats.lost_answers), (0, 0), "{stats:?}");
    // And the same read over the main socket alone, its buffer as rmem_max caps it and
    // then as small as the kernel allows.
    for asked in [4 << 20, 1] {
        let size = ipvs.set_recv_buffer_for_tests(asked).unwrap();
        let before = ipvs.transport_stats_for_tests().unwrap();
        let services = ipvs.services().unwrap();
        let servers: usize = services[..100]
            .iter()
            .map(|s| ipvs.servers(&s.service.key).unwrap().len())
            .sum();
        let stats = ipvs.transport_stats_for_tests().unwrap();
        println!(
            "read over one socket with a {size}-byte buffer: {} services and the {servers} \
             real servers of 100, {} overruns, {} dumps read again",
            services.len(),
            stats.overruns - before.overruns,
            stats.dump_retries - before.dump_retries
        );
        assert_eq!((services.len(), servers), (10_000, 400));
        assert_eq!(stats.overruns, before.overruns, "a dump overran on its own");
    }
    assert_eq!(read.services.len(), 10_000);
    assert!(read.services.iter().all(|vs| vs.servers.len() == 4));
    let written = Table::new(services);
    assert_eq!(
        lvs_core::rules::save_ipvsadm(&read),
        lvs_core::rules::save_ipvsadm(&written)
    );
    // ipvsadm has no defence against the kernel resuming a dump by position in hash tables
    // all namespaces share (README, "Kernels"): while other tests change their tables, its
    // dumps can repeat or skip services (a CI run on 6.12 saw one listed twice). This table
    // does not change, so a read is whole unless the churn elsewhere disturbs it; after a
    // few reads that are not, what ipvsadm printed must still be lvs's text service for
    // service, bar the services it skipped.
    let saved = lvs_core::rules::save_ipvsadm(&read);
    let mut by_ipvsadm = String::new();
    for _ in 0..3 {
        by_ipvsadm = ns.ipvsadm(&["-Sn"]);
        if by_ipvsadm == saved {
            return;
        }
    }
    let ours = service_blocks(&saved);
    let theirs = service_blocks(&by_ipvsadm);
    let foreign: Vec<&String> = theirs.difference(&ours).collect();
    assert!(
        foreign.is_empty(),
        "ipvsadm printed services as lvs does not: {:?}",
        &foreign[..foreign.len().min(3)]
    );
    println!(
        "ipvsadm's reads were disturbed by changes elsewhere: {} of {} services printed, \
         each as lvs saves it",
        theirs.len(),
        ours.len()
    );
}

/// The services of an `ipvsadm -Sn` text, each an `-A` line with the `-a` lines after it,
/// once each (a disturbed dump can print one twice).
fn service_blocks(text: &str) -> std::collections::BTreeSet<String> {
    let mut blocks = std::collections::BTreeSet::new();
    let mut block = String::new();
    for line in text.lines() {
        if line.starts_with("-A ") && !block.is_empty() {
            blocks.insert(std::mem::take(&mut block));
        }
        block.push_str(line);
        block.push('\n');
    }
    if !block.is_empty() {
        blocks.insert(block);
    }
    blocks
}
