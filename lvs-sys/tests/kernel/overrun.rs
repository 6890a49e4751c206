//! The socket's receive buffer and the answers lost when it overruns: the buffer is forced
//! past `net.core.rmem_max` with CAP_NET_ADMIN (and capped without it), a dump whose socket
//! overran is read again whole, a batch whose acknowledgements were lost says which
//! outcomes are unknown and never calls one applied or refused that was not, and how many
//! answers batches of each size lose with each buffer.

use std::collections::HashSet;

use lvs_core::{
    ApplyError, Classify, ErrorKind, ForwardMethod, Ipvs, Operation, Outcome, RealServer, Service,
    ServiceKey,
};

use crate::support::{require_ipvs_kernel, Netns};

/// The receive buffer lvs asks for (`transport::SOCKET_BUFFER`).
const ASKED: usize = 4 << 20;

fn key(third: u32, port: u32) -> ServiceKey {
    ServiceKey::tcp(format!("192.0.2.{third}:{port}").parse().unwrap())
}

fn rmem_max() -> usize {
    std::fs::read_to_string("/proc/sys/net/core/rmem_max")
        .expect("read net.core.rmem_max")
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn the_receive_buffer_is_forced_past_rmem_max_and_capped_by_it_without_cap_net_admin() {
    require_ipvs_kernel();
    // The child runs without CAP_NET_ADMIN (still uid 0, so only that capability is
    // missing), as in robustness.rs.
    const CHILD: &str = "LVS_TEST_RCVBUF_NETNS";
    let Some(netns) = std::env::var_os(CHILD) else {
        let ns = Netns::new("rcvbuf");
        let ipvs = ns.lvs();
        // The kernel doubles what it grants; rmem_max is 208 KiB by default, well below.
        assert!(rmem_max() < ASKED, "rmem_max {} proves nothing", rmem_max());
        assert_eq!(ipvs.recv_buffer_for_tests().unwrap(), 2 * ASKED);
        let child = std::process::Command::new("setpriv")
            .args(["--bounding-set=-net_admin", "--inh-caps=-net_admin", "--"])
            .arg(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "overrun::the_receive_buffer_is_forced_past_rmem_max_and_capped_by_it_without_cap_net_admin",
                "--nocapture",
            ])
            .env(CHILD, ns.path())
            .output()
            .expect("run setpriv (util-linux)");
        let stdout = String::from_utf8_lossy(&child.stdout);
        assert!(
            child.status.success() && stdout.contains("test result: ok. 1 passed"),
            "the child test failed ({}):\n{stdout}\n{}",
            child.status,
            String::from_utf8_lossy(&child.stderr)
        );
        return;
    };
    let ipvs = lvs_sys::NetlinkIpvs::open_in_netns(&netns).expect("open without CAP_NET_ADMIN");
    assert_eq!(
        ipvs.recv_buffer_for_tests().unwrap(),
        2 * rmem_max().min(ASKED),
        "SO_RCVBUF capped by rmem_max"
    );
}

/// Adds `n` services on `third` in one apply, every `refused`-th one a duplicate of a
/// service added before; returns the operations and which of them must be refused.
fn adds_with_duplicates(
    ipvs: &lvs_sys::NetlinkIpvs,
    third: u32,
    n: u32,
    refused: &[u32],
) -> (Vec<Operation>, HashSet<usize>) {
    for &i in refused {
        ipvs.add_service(&Service::new(key(third, 1 + i))).unwrap();
    }
    let ops = (0..n)
        .map(|i| Operation::AddService(Service::new(key(third, 1 + i))))
        .collect();
    (ops, refused.iter().map(|&i| i as usize).collect())
}

#[test]
fn a_batch_whose_acknowledgements_were_lost_reports_each_outcome_honestly() {
    require_ipvs_kernel();
    let ns = Netns::new("lost-acks");
    let ipvs = ns.lvs();
    let (ops, duplicates) = adds_with_duplicates(&ipvs, 1, 64, &[1, 40]);
    // The smallest buffer the kernel allows holds two or three acknowledgements.
    let small = ipvs.set_recv_buffer_for_tests(1).unwrap();
    assert!(small < 16 * 1024, "{small}");
    let before = ipvs.transport_stats_for_tests().unwrap();
    let ApplyError { outcomes } = ipvs.apply(&ops).expect_err("a lost answer is no success");
    let stats = ipvs.transport_stats_for_tests().unwrap();
    let listed: HashSet<ServiceKey> = ipvs
        .services()
        .unwrap()
        .into_iter()
        .map(|e| e.service.key)
        .collect();
    let mut unknown = 0;
    for (i, (op, outcome)) in ops.iter().zip(&outcomes).enumerate() {
        let Operation::AddService(service) = op else {
            unreachable!()
        };
        assert!(
            listed.contains(&service.key),
            "operation {i} is not in the table"
        );
        match outcome {
            // Every operation the kernel carried out, and only those, may be applied.
            Outcome::Applied => assert!(!duplicates.contains(&i), "operation {i}: {outcome:?}"),
            Outcome::Failed(e) => {
                assert!(duplicates.contains(&i), "operation {i} took effect: {e}");
                assert_eq!(e.kind(), ErrorKind::AlreadyExists, "operation {i}: {e}");
            }
            Outcome::Unknown => unknown += 1,
            other => panic!("operation {i}: {other:?}"),
        }
    }
    println!(
        "64 adds with a {small}-byte receive buffer: {} answered, {unknown} lost",
        64 - unknown
    );
    assert!(unknown > 0, "no answer was lost: the test proves nothing");
    assert!(
        matches!(outcomes[1], Outcome::Failed(_)),
        "the refusal answered first: {:?}",
        outcomes[1]
    );
    assert_eq!(stats.overruns - before.overruns, 1, "{stats:?}");
    assert_eq!(
        stats.lost_answers - before.lost_answers,
        unknown,
        "{stats:?}"
    );
    // The handle goes on: the next request gets its own answer.
    let e = ipvs.add_service(&Service::new(key(1, 1))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}");
}

#[test]
fn a_dump_whose_socket_overran_is_read_again_whole() {
    require_ipvs_kernel();
    let ns = Netns::new("dump-overrun");
    let ipvs = ns.lvs();
    // Enough services for a dump of several parts, and a service with enough real servers
    // for a real-server dump of several parts.
    let mut ops: Vec<Operation> = (0..600)
        .map(|i| Operation::AddService(Service::new(key(2 + i / 300, 1 + i % 300))))
        .collect();
    let big = key(9, 80);
    ops.push(Operation::AddService(Service::new(big)));
    ops.extend((0..600u32).map(|i| {
        Operation::AddServer(
            big,
            RealServer::new(
                format!("198.51.100.{}:{}", 1 + i / 200, 1000 + i)
                    .parse()
                    .unwrap(),
            )
            .with_forward(ForwardMethod::Masquerade),
        )
    }));
    ipvs.apply(&ops).expect("create the table");
    let want: HashSet<ServiceKey> = ops
        .iter()
        .filter_map(|op| match op {
            Operation::AddService(s) => Some(s.key),
            _ => None,
        })
        .collect();

    for round in 0..2 {
        ipvs.set_recv_buffer_for_tests(1).unwrap();
        let before = ipvs.transport_stats_for_tests().unwrap();
        // Once the dump's first part is read, 64 answers no one reads overrun the socket
        // while the kernel still has the rest of the dump to send.
        ipvs.flood_next_dump_for_tests(64).unwrap();
        let (listed, what) = if round == 0 {
            let keys: Vec<ServiceKey> = ipvs
                .services()
                .expect("list the services")
                .into_iter()
                .map(|e| e.service.key)
                .collect();
            (keys.len(), HashSet::from_iter(keys) == want)
        } else {
            let servers = ipvs.servers(&big).expect("list the real servers");
            let addrs: HashSet<_> = servers.iter().map(|e| e.server.addr).collect();
            (servers.len(), addrs.len() == 600)
        };
        let stats = ipvs.transport_stats_for_tests().unwrap();
        println!("dump {round} with a flooded small buffer: {listed} listed; {stats:?}");
        assert!(
            stats.overruns > before.overruns,
            "no overrun: the test proves nothing"
        );
        assert!(stats.reopened > before.reopened, "{stats:?}");
        assert_eq!(
            listed,
            if round == 0 { 601 } else { 600 },
            "listed once each"
        );
        assert!(what, "dump {round} lists what the table holds");
    }
}

/// Applies `n` additions in groups of `group` and counts the answers lost, checking that
/// none is called refused (they all take effect) and that the table holds them all.
fn lost_in_groups(ipvs: &lvs_sys::NetlinkIpvs, n: u32, group: usize) -> usize {
    ipvs.flush().unwrap();
    let ops: Vec<Operation> = (0..n)
        .map(|i| Operation::AddService(Service::new(key(10 + i / 60000, 1 + i % 60000))))
        .collect();
    let lost = match ipvs.apply_in_groups_for_tests(&ops, group) {
        Ok(()) => 0,
        Err(ApplyError { outcomes }) => {
            for (i, outcome) in outcomes.iter().enumerate() {
                assert!(
                    matches!(
                        outcome,
                        Outcome::Applied | Outcome::Unknown | Outcome::NotSent
                    ),
                    "operation {i}: {outcome:?}"
                );
            }
            // Nothing is sent after a group with an unknown outcome: send the rest.
            let rest: Vec<Operation> = ops
                .iter()
                .zip(&outcomes)
                .filter(|(_, o)| matches!(o, Outcome::NotSent))
                .map(|(op, _)| op.clone())
                .collect();
            let unknown = outcomes
                .iter()
                .filter(|o| matches!(o, Outcome::Unknown))
                .count();
            unknown + lost_rest(ipvs, &rest, group)
        }
    };
    assert_eq!(
        ipvs.services().unwrap().len(),
        n as usize,
        "every addition took effect"
    );
    lost
}

/// Applies what a batch did not send, group after group, counting lost answers.
fn lost_rest(ipvs: &lvs_sys::NetlinkIpvs, ops: &[Operation], group: usize) -> usize {
    ops.chunks(group)
        .map(|chunk| match ipvs.apply_in_groups_for_tests(chunk, group) {
            Ok(()) => 0,
            Err(ApplyError { outcomes }) => outcomes
                .iter()
                .filter(|o| matches!(o, Outcome::Unknown))
                .count(),
        })
        .sum()
}

#[test]
fn batches_of_64_lose_no_answer_with_the_default_cap_and_larger_ones_report_their_losses() {
    require_ipvs_kernel();
    let ns = Netns::new("batch-sizes");
    let n = 2048;
    let forced = ns.lvs();
    let capped = ns.lvs();
    let capped_size = capped.set_recv_buffer_for_tests(ASKED).unwrap();
    assert_eq!(capped_size, 2 * rmem_max().min(ASKED));
    let sizes = [
        ("forced", &forced, forced.recv_buffer_for_tests().unwrap()),
        ("rmem_max", &capped, capped_size),
    ];
    for (name, ipvs, size) in sizes {
        // (2048 additions in one datagram pass the default send buffer: EMSGSIZE.)
        for group in [64, 256, 1024] {
            let before = ipvs.transport_stats_for_tests().unwrap();
            let lost = lost_in_groups(ipvs, n, group);
            let stats = ipvs.transport_stats_for_tests().unwrap();
            println!(
                "{n} adds in groups of {group}, {name} buffer ({size} bytes): {lost} answers \
                 lost, {} overruns",
                stats.overruns - before.overruns
            );
            if group == lvs_core::ops::APPLY_GROUP {
                assert_eq!(lost, 0, "groups of APPLY_GROUP with the {name} buffer");
            }
        }
    }
    // Refusals echo the request they refuse, so their answers are larger.
    for (name, ipvs) in [("forced", &forced), ("rmem_max", &capped)] {
        let ops: Vec<Operation> = (0..n)
            .map(|i| Operation::AddService(Service::new(key(10 + i / 60000, 1 + i % 60000))))
            .collect();
        let ApplyError { outcomes } = ipvs.apply(&ops).unwrap_err();
        let failed = outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Failed(e) if e.kind() == ErrorKind::AlreadyExists))
            .count();
        println!("64 refused adds, {name} buffer: {failed} refusals answered");
        assert_eq!(
            failed,
            lvs_core::ops::APPLY_GROUP,
            "one group, all answered"
        );
    }
}
