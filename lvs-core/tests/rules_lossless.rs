//! The lossless save: for every table `MemoryIpvs` (standing in for the kernel) can hold,
//! with its timeouts, sync daemons and sysctls, the saved text reads back as the same table and a
//! plan between the two is empty; applying the text to a fresh namespace gives the same
//! state. Every dry-run line reads back as its operation. Names the text cannot carry are
//! refused with a typed error.

use std::net::{Ipv4Addr, SocketAddr};

use lvs_core::order::{cmp_servers, sort_by_service};
use lvs_core::plan::{plan, PlanOptions, Scope};
use lvs_core::rules::{
    operation_line, parse, parse_line, save, save_ipvsadm, table_from_rules, Command, Problem,
    RuleError, SaveWriter,
};
use lvs_core::testing::{
    daemon, key, server_for, service, sysctl_setting, timeouts, virtual_service, UNKNOWN_KNOB,
};
use lvs_core::validate::MAX_PERSISTENCE_TIMEOUT;
use lvs_core::{
    DaemonRole, Family, ForwardMethod, Ipvs, MemoryIpvs, Netmask, Operation, Protocol, RealServer,
    Scheduler, Service, ServiceKey, SyncDaemon, Table, Timeouts, Tunnel, TunnelChecksum,
    VirtualService,
};
use proptest::prelude::*;

/// The interfaces every simulated namespace has, for the sync daemons.
const INTERFACES: [&str; 3] = ["lo", "eth0", "bond0.100"];

/// A namespace of a machine with 8 CPUs that has, besides lvs's knobs, one lvs does not
/// know.
fn namespace() -> MemoryIpvs {
    MemoryIpvs::new()
        .with_interfaces(INTERFACES[1..].iter().copied())
        .with_cpus(8)
        .with_sysctl(UNKNOWN_KNOB, "0")
}

/// A namespace filled with what it accepted of random services, servers, timeouts,
/// daemons and sysctls (what it refuses is skipped, as the kernel would refuse it).
fn held_state() -> impl Strategy<Value = MemoryIpvs> {
    (
        proptest::collection::vec(virtual_service(), 0..6),
        proptest::option::of(timeouts()),
        proptest::collection::vec(daemon(&INTERFACES), 0..3),
        proptest::collection::vec(sysctl_setting(), 0..4),
    )
        .prop_map(|(services, timeouts, daemons, sysctls)| {
            let ipvs = namespace();
            for s in &sysctls {
                let _ = ipvs.set_sysctl(&s.name, &s.value);
            }
            if let Some(t) = timeouts {
                let _ = ipvs.set_timeouts(&t);
            }
            for d in &daemons {
                let _ = ipvs.start_daemon(d);
            }
            for vs in &services {
                if ipvs.add_service(&vs.service).is_ok() {
                    for server in &vs.servers {
                        let _ = ipvs.add_server(&vs.service.key, server);
                    }
                }
            }
            ipvs
        })
}

/// A table as saved text lists it: no `HASHED` (the kernel adds it to every listed
/// service), real servers in lvs's order (the kernel lists the newest first).
fn as_saved(mut table: Table) -> Table {
    for vs in &mut table.services {
        vs.service = vs.service.clone().as_configured();
        vs.servers.sort_by(cmp_servers);
    }
    table
}

fn operations_of(text: &str) -> Vec<Operation> {
    parse(text)
        .unwrap()
        .into_iter()
        .map(|c| match c {
            Command::Operation(op) => op,
            other => panic!("not an operation: {other:?}"),
        })
        .collect()
}

/// Operations with values as the kernel keeps them (each line must read back exactly).
fn operation() -> impl Strategy<Value = Operation> {
    let service = || {
        service().prop_map(|mut s| {
            s.flags = s.flags.as_configured();
            s.timeout = s.timeout.min(MAX_PERSISTENCE_TIMEOUT);
            s
        })
    };
    let server = || {
        key().prop_flat_map(|k| {
            server_for(k).prop_map(move |mut s| {
                if s.family() != k.family() && s.forward.tunnel().is_none() {
                    s.forward = ForwardMethod::Tunnel(Tunnel::IPIP);
                }
                (k, s)
            })
        })
    };
    prop_oneof![
        service().prop_map(Operation::AddService),
        service().prop_map(Operation::EditService),
        key().prop_map(Operation::DeleteService),
        server().prop_map(|(k, s)| Operation::AddServer(k, s)),
        server().prop_map(|(k, s)| Operation::EditServer(k, s)),
        server().prop_map(|(k, s)| Operation::DeleteServer(k, s.addr)),
        Just(Operation::Flush),
        proptest::option::of(key()).prop_map(Operation::Zero),
        (any::<u32>(), any::<u32>(), any::<u32>())
            .prop_map(|(a, b, c)| Operation::SetTimeouts(Timeouts::new(a, b, c))),
        daemon(&INTERFACES)
            .prop_filter("values ipvsadm's reader takes", |d| {
                d.max_len.is_none_or(|l| (1..=65507).contains(&l))
                    && d.port != Some(0)
                    && d.ttl != Some(0)
            })
            .prop_map(Operation::StartDaemon),
        prop_oneof![Just(DaemonRole::Master), Just(DaemonRole::Backup)]
            .prop_map(Operation::StopDaemon),
        sysctl_setting().prop_map(Operation::SetSysctl),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn save_then_read_is_the_identity(ipvs in held_state()) {
        // With every sysctl, as `lvsctl save --sysctls` saves them.
        let state = ipvs.read_config().unwrap().with_sysctls(ipvs.sysctls().unwrap());
        let text = save(&state).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let back = table_from_rules(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&back, &as_saved(state.clone()), "{}", text);
        let p = plan(&state, &back, &Scope::all(), &PlanOptions::default()).unwrap();
        prop_assert!(p.is_empty(), "{}\n{}", text, p);
        // The text restores the same state into a fresh namespace.
        let fresh = namespace();
        fresh.apply(&operations_of(&text)).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(
            as_saved(fresh.read_config().unwrap().with_sysctls(fresh.sysctls().unwrap())),
            as_saved(state.clone()),
            "{}",
            text
        );
        // Saving is canonical.
        prop_assert_eq!(save(&back).unwrap(), text.clone());
        // Written a service at a time, taken after each, the text is the same: the
        // writer sorts the real servers itself (given here newest last).
        let mut services: Vec<&VirtualService> = state.services.iter().collect();
        sort_by_service(&mut services, |vs| &vs.service.key);
        for (mut saver, whole) in [
            (SaveWriter::lossless(), text),
            (SaveWriter::ipvsadm(), save_ipvsadm(&state)),
        ] {
            saver.settings(&state.sysctls, state.timeouts.as_ref(), &state.daemons);
            let mut parts = saver.take().unwrap();
            for vs in &services {
                let reversed: Vec<RealServer> = vs.servers.iter().rev().copied().collect();
                saver.service(&vs.service, &reversed);
                parts.push_str(&saver.take().unwrap());
            }
            prop_assert_eq!(parts, whole);
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn every_dry_run_line_reads_back_as_its_operation(op in operation()) {
        let line = operation_line(&op).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert!(!line.contains('\n'));
        let read = parse_line(&line).map_err(|e| TestCaseError::fail(format!("{e}\n{line}")))?;
        prop_assert_eq!(read, Some(Command::Operation(op)), "{}", line);
    }
}

fn one_service(service: Service, servers: Vec<RealServer>) -> Table {
    Table::new(vec![VirtualService::new(service, servers)])
}

fn tcp(addr: &str) -> ServiceKey {
    ServiceKey::tcp(addr.parse().unwrap())
}

/// Saves, reads back and plans against a table `MemoryIpvs` holds: nothing may change.
fn assert_lossless(table: &Table) -> String {
    let ipvs = MemoryIpvs::from_table(table).unwrap();
    let state = ipvs.read_config().unwrap();
    let text = save(&state).unwrap();
    let back = table_from_rules(&text).unwrap();
    assert_eq!(back, as_saved(state.clone()), "{text}");
    let p = plan(&state, &back, &Scope::all(), &PlanOptions::default()).unwrap();
    assert!(p.is_empty(), "{text}\n{p}");
    // The services' lines only (the first line sets the namespace's timeouts).
    assert!(text.starts_with("--set 900 120 300\n"), "{text}");
    text["--set 900 120 300\n".len()..].to_owned()
}

#[test]
fn thresholds_are_saved() {
    let server = RealServer::new("10.1.1.1:80".parse().unwrap()).with_thresholds(100, 50);
    let table = one_service(Service::new(tcp("10.0.0.1:80")), vec![server]);
    let text = assert_lossless(&table);
    assert!(text.ends_with("-a -t 10.0.0.1:80 -r 10.1.1.1:80 -g -w 1 -x 100 -y 50\n"));
    // ipvsadm's text still leaves them out.
    assert!(save_ipvsadm(&table).ends_with("-r 10.1.1.1:80 -g -w 1\n"));
}

#[test]
fn values_ipvsadm_cannot_say_use_lvs_options() {
    let key = tcp("10.0.0.1:80");
    let addr = |s: &str| -> SocketAddr { s.parse().unwrap() };
    let servers = vec![
        RealServer::new(addr("10.1.1.1:80")).with_forward(ForwardMethod::Local),
        RealServer::new(addr("10.1.1.2:80")).with_forward(ForwardMethod::Bypass),
        RealServer::new(addr("10.1.1.3:80")).with_forward(ForwardMethod::Other(6)),
        RealServer::new(addr("10.1.1.4:80")).with_weight(100_000),
        RealServer::new(addr("10.1.1.5:80"))
            .with_forward(ForwardMethod::Tunnel(Tunnel::gre(TunnelChecksum::Remote))),
        RealServer::new(addr("10.1.1.6:8080")).with_forward(ForwardMethod::DirectRoute),
    ];
    let table = one_service(Service::new(key).one_packet(), servers);
    let text = assert_lossless(&table);
    assert_eq!(
        text,
        "-A -t 10.0.0.1:80 -s wlc --lvs-flags 0x4\n\
         -a -t 10.0.0.1:80 -r 10.1.1.1:80 --lvs-forward local -w 1\n\
         -a -t 10.0.0.1:80 -r 10.1.1.2:80 --lvs-forward bypass -w 1\n\
         -a -t 10.0.0.1:80 -r 10.1.1.3:80 --lvs-forward 6 -w 1\n\
         -a -t 10.0.0.1:80 -r 10.1.1.4:80 -g --lvs-weight 100000\n\
         -a -t 10.0.0.1:80 -r 10.1.1.5:80 --lvs-tunnel 2,0,2 -w 1\n\
         -a -t 10.0.0.1:80 -r 10.1.1.6:8080 --lvs-forward route -w 1\n"
    );
    let zero_port = one_service(Service::new(tcp("10.0.0.2:0")), vec![]);
    assert_eq!(
        assert_lossless(&zero_port),
        "-A --lvs-service tcp,10.0.0.2:0 -s wlc\n"
    );
    let gre = ServiceKey::Addr {
        protocol: Protocol::from_number(47),
        addr: addr("10.0.0.3:0"),
    };
    let odd = Service::new(gre)
        .persistent(0)
        .with_netmask(Netmask::V4(Ipv4Addr::new(255, 255, 0, 0)));
    assert_eq!(
        assert_lossless(&one_service(odd, vec![])),
        "-A --lvs-service 47,10.0.0.3:0 -s wlc -p --lvs-timeout 0 -M 255.255.0.0\n"
    );
}

#[test]
fn timeouts_and_daemons_are_saved_and_restored_only_when_stated() {
    let ipvs = namespace();
    ipvs.set_timeouts(&Timeouts::new(3_000_000, 60, 0)).unwrap();
    ipvs.start_daemon(&SyncDaemon::new(DaemonRole::Backup, "eth0").with_sync_id(7))
        .unwrap();
    let state = ipvs.read_config().unwrap();
    let text = save(&state).unwrap();
    assert_eq!(
        text,
        "--lvs-set 3000000 60 300\n\
         --start-daemon backup --mcast-interface eth0 --syncid 7 --sync-maxlen 1472 \
         --mcast-group 224.0.0.81 --mcast-port 8848 --mcast-ttl 1\n"
    );
    let back = table_from_rules(&text).unwrap();
    assert_eq!(back, state);
    assert!(plan(&state, &back, &Scope::all(), &PlanOptions::default())
        .unwrap()
        .is_empty());
    // Text without --set or --start-daemon leaves both alone.
    let services_only = table_from_rules("-A -t 10.0.0.1:80 -s rr\n").unwrap();
    assert_eq!(services_only.timeouts, None);
    assert!(services_only.daemons.is_empty());
    let p = plan(
        &state,
        &services_only,
        &Scope::all(),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(p.operations.len(), 1, "{p}");
    // A stated change is planned: new timeouts, the daemon restarted with its new id.
    let wanted = table_from_rules(
        "--set 900 0 0\n--start-daemon backup --mcast-interface eth0 --syncid 8\n",
    )
    .unwrap();
    let p = plan(&state, &wanted, &Scope::all(), &PlanOptions::default()).unwrap();
    assert_eq!(
        p.to_rules().unwrap(),
        "--set 900 0 0\n--stop-daemon backup\n\
         --start-daemon backup --mcast-interface eth0 --syncid 8\n"
    );
    ipvs.apply(&p.operations).unwrap();
    let again = plan(
        &ipvs.read_config().unwrap(),
        &wanted,
        &Scope::all(),
        &PlanOptions::default(),
    )
    .unwrap();
    assert!(again.is_empty(), "{again}");
}

#[test]
fn a_dry_run_shows_engine_and_netmask_without_persistence() {
    let service = Service::new(tcp("10.0.0.1:80"))
        .with_netmask(Netmask::V4(Ipv4Addr::new(255, 255, 255, 0)))
        .with_pe_name("sip");
    let line = operation_line(&Operation::EditService(service.clone())).unwrap();
    assert_eq!(line, "-E -t 10.0.0.1:80 -s wlc -M 255.255.255.0 --pe sip");
    assert_eq!(
        parse_line(&line).unwrap(),
        Some(Command::Operation(Operation::EditService(service)))
    );
}

/// The error of saving a table with one bad scheduler name.
fn scheduler_error(name: &str) -> RuleError {
    let service = Service::new(tcp("10.0.0.1:80")).with_scheduler(Scheduler::Other(name.into()));
    save(&one_service(service, vec![])).unwrap_err()
}

#[test]
fn bad_scheduler_names_are_refused() {
    for (name, problem) in [
        ("rr\n-C", Problem::UnsafeName("scheduler")),
        ("r r", Problem::UnsafeName("scheduler")),
        ("rr\t", Problem::UnsafeName("scheduler")),
        ("rr\r", Problem::UnsafeName("scheduler")),
        ("a\u{7f}", Problem::UnsafeName("scheduler")),
        ("a\u{a0}b", Problem::UnsafeName("scheduler")),
        ("", Problem::EmptyName("scheduler")),
        ("ipvsadm", Problem::ReservedName("scheduler")),
        (
            "abcdefghijklmnop",
            Problem::NameTooLong {
                what: "scheduler",
                max: 15,
            },
        ),
    ] {
        let e = scheduler_error(name);
        assert_eq!(e.problem, problem, "{name:?}");
        // Line 1, where the name would go: after `-A -t 10.0.0.1:80 -s `.
        assert_eq!(
            (e.line, e.column, e.token.as_str()),
            (1, 22, name),
            "{name:?}"
        );
    }
}

#[test]
fn bad_engine_names_are_refused() {
    for (name, problem) in [
        ("sip\n-C", Problem::UnsafeName("persistence engine")),
        ("s p", Problem::UnsafeName("persistence engine")),
        ("ipvsadm", Problem::ReservedName("persistence engine")),
        (
            "abcdefghijklmnopq",
            Problem::NameTooLong {
                what: "persistence engine",
                max: 16,
            },
        ),
    ] {
        let service = Service::new(tcp("10.0.0.1:80"))
            .persistent(300)
            .with_pe_name(name);
        let e = save(&one_service(service.clone(), vec![])).unwrap_err();
        assert_eq!(e.problem, problem, "{name:?}");
        let e = operation_line(&Operation::AddService(service)).unwrap_err();
        assert_eq!(e.problem, problem, "{name:?}");
    }
    // An empty engine name is no engine, for the kernel as for the text.
    let service = Service::new(tcp("10.0.0.1:80")).with_pe_name("");
    assert_eq!(
        save(&one_service(service, vec![])).unwrap(),
        "-A -t 10.0.0.1:80 -s wlc\n"
    );
}

#[test]
fn bad_interface_names_are_refused() {
    for (name, problem) in [
        ("eth0\n-C", Problem::UnsafeName("interface")),
        ("eth 0", Problem::UnsafeName("interface")),
        ("", Problem::EmptyName("interface")),
        ("ipvsadm", Problem::ReservedName("interface")),
        (
            "abcdefghijklmnop",
            Problem::NameTooLong {
                what: "interface",
                max: 15,
            },
        ),
    ] {
        let daemon = SyncDaemon::new(DaemonRole::Master, name);
        let e = save(&Table::default().with_daemons(vec![daemon.clone()])).unwrap_err();
        assert_eq!(e.problem, problem, "{name:?}");
        // Where the name would go: after `--start-daemon master --mcast-interface `.
        assert_eq!((e.line, e.column), (1, 41), "{name:?}");
        let e = operation_line(&Operation::StartDaemon(daemon)).unwrap_err();
        assert_eq!(e.problem, problem, "{name:?}");
    }
}

#[test]
fn values_no_kernel_holds_are_refused() {
    let e = save(&one_service(
        Service::new(ServiceKey::fwmark(0, Family::Ipv4)),
        vec![],
    ))
    .unwrap_err();
    assert!(
        matches!(
            e.problem,
            Problem::Unsaveable {
                field: "fwmark",
                ..
            }
        ),
        "{e}"
    );
    let daemon = SyncDaemon::new(DaemonRole::Master, "eth0").with_sync_id(256);
    let e = operation_line(&Operation::StartDaemon(daemon)).unwrap_err();
    assert!(
        matches!(
            e.problem,
            Problem::Unsaveable {
                field: "sync_id",
                ..
            }
        ),
        "{e}"
    );
    let e = operation_line(&Operation::StopDaemon(DaemonRole::Other(3))).unwrap_err();
    assert!(
        matches!(e.problem, Problem::Unsaveable { field: "role", .. }),
        "{e}"
    );
}

#[test]
fn the_reader_refuses_names_the_text_cannot_carry() {
    let e = parse_line("-A -t 10.0.0.1:80 -s a\u{7f}").unwrap_err();
    assert_eq!(e.problem, Problem::UnsafeName("scheduler"));
    let e = parse_line("--start-daemon master --mcast-interface e\u{b}th0").unwrap_err();
    assert_eq!(e.problem, Problem::UnsafeName("interface"));
}

#[test]
fn extension_options_take_the_place_of_ipvsadm_s() {
    let e = parse_line("-a -t 10.0.0.1:80 -r 10.1.1.1 -w 1 --lvs-weight 70000").unwrap_err();
    assert!(matches!(e.problem, Problem::Multiple(_)), "{e}");
    let e = parse_line("-a -t 10.0.0.1:80 -r 10.1.1.1 -g --lvs-forward local").unwrap_err();
    assert!(matches!(e.problem, Problem::Multiple(_)), "{e}");
    let e =
        parse_line("-a -t 10.0.0.1:80 -r 10.1.1.1 --lvs-tunnel 2,0,2 --tun-type gre").unwrap_err();
    assert_eq!(e.problem, Problem::TunnelOptionsWithLvsTunnel);
    let e = parse_line("-A -t 10.0.0.1:80 -p 300 --lvs-timeout 20").unwrap_err();
    assert!(matches!(e.problem, Problem::Conflict { .. }), "{e}");
    let e = parse_line("-a -t 10.0.0.1:80 -r 10.1.1.1 --lvs-forward 2").unwrap_err();
    assert!(
        matches!(
            e.problem,
            Problem::InvalidExtensionValue {
                option: "--lvs-forward",
                ..
            }
        ),
        "{e}"
    );
    // ipvsadm's own options keep ipvsadm's ranges.
    let e = parse_line("-a -t 10.0.0.1:80 -r 10.1.1.1 -w 70000").unwrap_err();
    assert_eq!(e.problem, Problem::IllegalWeight);
    let e = parse_line("-A -t 10.0.0.1:0 -s rr").unwrap_err();
    assert_eq!(e.problem, Problem::ZeroPort);
}

#[test]
fn a_service_saved_alone_fails_at_its_line_of_the_whole_text() {
    let good = Service::new(tcp("10.0.0.1:80"));
    let bad = Service::new(tcp("10.0.0.2:80")).with_scheduler(Scheduler::Other("bad name".into()));
    let server = RealServer::new("10.1.1.1:80".parse().unwrap());
    let mut saver = SaveWriter::lossless();
    saver.settings(&[], Some(&Timeouts::new(900, 120, 300)), &[]);
    saver.service(&good, &[server, server]);
    assert_eq!(saver.take().unwrap().lines().count(), 4);
    saver.service(&bad, &[server]);
    let whole = save(
        &Table::new(vec![
            VirtualService::new(good, vec![server, server]),
            VirtualService::new(bad, vec![server]),
        ])
        .with_timeouts(Timeouts::new(900, 120, 300)),
    )
    .unwrap_err();
    let err = saver.take().unwrap_err();
    assert_eq!(err, whole);
    assert_eq!(err.line, 5, "{err}");
    // Every later take fails the same way.
    saver.service(&Service::new(tcp("10.0.0.3:80")), &[]);
    assert_eq!(saver.take().unwrap_err(), whole);
}
