//! NetlinkIpvs against the real kernel, cross-checked with Debian's ipvsadm.

use lvs_core::{
    rules, Classify, ErrorKind, Family, ForwardMethod, Ipvs, Operation, Outcome, RealServer,
    RealServerEntry, Scheduler, Service, ServiceEntry, ServiceFlags, ServiceKey, Table, Timeouts,
    VirtualService,
};
use lvs_sys::Error;

use crate::support::{require_ipvs_kernel, Netns};

fn nat_table() -> (Service, Vec<RealServer>) {
    let key = ServiceKey::tcp("192.0.2.10:80".parse().unwrap());
    let service = Service::new(key).with_scheduler(Scheduler::Wrr);
    let servers = [("198.51.100.11:8080", 3), ("198.51.100.12:8080", 1)]
        .map(|(a, w)| {
            RealServer::new(a.parse().unwrap())
                .with_forward(ForwardMethod::Masquerade)
                .with_weight(w)
        })
        .to_vec();
    (service, servers)
}

#[test]
fn what_lvs_writes_ipvsadm_saves_as_lvs_saves_it() {
    require_ipvs_kernel();
    let ns = Netns::new("nl-write");
    let ipvs = ns.lvs();
    let (service, servers) = nat_table();
    ipvs.add_service(&service).unwrap();
    for s in &servers {
        ipvs.add_server(&service.key, s).unwrap();
    }
    let ours = rules::save_ipvsadm(&Table::new(vec![VirtualService::new(
        service.clone(),
        servers,
    )]));
    assert_eq!(ns.ipvsadm(&["-Sn"]), ours);
}

#[test]
fn what_ipvsadm_writes_lvs_reads_back() {
    require_ipvs_kernel();
    let ns = Netns::new("nl-read");
    let text = "-A -t 192.0.2.10:80 -s wrr\n\
                -a -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 3\n\
                -a -t 192.0.2.10:80 -r 198.51.100.12:8080 -m -w 1\n\
                -A -u [2001:db8::1]:53 -s sh -b sh-port -p 120 -M 64\n\
                -a -u [2001:db8::1]:53 -r [2001:db8::2]:53 -g -w 1\n\
                -A -f 7 -s wlc -p 300 -M 255.255.255.0 --pe sip\n\
                -a -f 7 -r 198.51.100.20:0 -i --tun-type gue --tun-port 6080 --tun-csum -w 1\n";
    let mut restore = ns.command("ipvsadm");
    restore.arg("-R").stdin(std::process::Stdio::piped());
    let mut child = restore.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), text.as_bytes()).unwrap();
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());

    let ipvs = ns.lvs();
    let mut services = Vec::new();
    for entry in ipvs.services().unwrap() {
        assert!(entry.service.flags.contains(ServiceFlags::HASHED));
        let servers = ipvs.servers(&entry.service.key).unwrap();
        let service = entry.service.as_configured();
        services.push(VirtualService::new(
            service,
            servers.into_iter().map(|e| e.server).collect(),
        ));
    }
    let read = rules::save_ipvsadm(&Table::new(services));
    let want = rules::save_ipvsadm(&rules::table_from_rules(text).unwrap());
    assert_eq!(read, want);
    assert_eq!(
        read,
        ns.ipvsadm(&["-Sn"]),
        "lvs's save differs from ipvsadm's"
    );
}

#[test]
fn kernel_refusals_come_back_as_typed_errors() {
    require_ipvs_kernel();
    let ns = Netns::new("nl-errors");
    let ipvs = ns.lvs();
    let (service, servers) = nat_table();
    let key = service.key;
    let missing = ServiceKey::tcp("192.0.2.99:80".parse().unwrap());

    ipvs.add_service(&service).unwrap();
    let e = ipvs.add_service(&service).unwrap_err();
    assert!(
        matches!(e.ipvs_error(), Some(lvs_core::Error::ServiceExists(k)) if *k == key),
        "{e}"
    );
    assert_eq!(e.errno(), Some(libc::EEXIST));

    let e = ipvs.delete_service(&missing).unwrap_err();
    assert!(
        matches!(e.ipvs_error(), Some(lvs_core::Error::ServiceNotFound(_))),
        "{e}"
    );
    assert_eq!(e.kind(), ErrorKind::NotFound);

    let bad = Service::new(missing).with_scheduler(Scheduler::Other("nosuch".into()));
    let e = ipvs.add_service(&bad).unwrap_err();
    assert!(
        matches!(e.ipvs_error(), Some(lvs_core::Error::SchedulerNotFound { name }) if name == "nosuch"),
        "{e}"
    );

    let e = ipvs.add_server(&missing, &servers[0]).unwrap_err();
    assert!(
        matches!(e.ipvs_error(), Some(lvs_core::Error::ServiceNotFound(_))),
        "{e}"
    );
    ipvs.add_server(&key, &servers[0]).unwrap();
    let e = ipvs.add_server(&key, &servers[0]).unwrap_err();
    assert!(
        matches!(e.ipvs_error(), Some(lvs_core::Error::ServerExists { .. })),
        "{e}"
    );
    let e = ipvs.edit_server(&key, &servers[1]).unwrap_err();
    assert!(
        matches!(e.ipvs_error(), Some(lvs_core::Error::ServerNotFound { .. })),
        "{e}"
    );

    let e = ipvs.service(&missing).unwrap_err();
    assert!(
        matches!(e.ipvs_error(), Some(lvs_core::Error::ServiceNotFound(_))),
        "{e}"
    );
    assert!(
        ipvs.servers(&missing).unwrap().is_empty(),
        "a dump of a missing service is empty"
    );
    assert!(matches!(
        Error::IpvsUnavailable.kind(),
        ErrorKind::IpvsUnavailable
    ));
}

#[test]
fn timeouts_info_and_single_service_reads() {
    require_ipvs_kernel();
    let ns = Netns::new("nl-config");
    let ipvs = ns.lvs();
    assert_eq!(ipvs.timeouts().unwrap(), Timeouts::KERNEL_DEFAULT);
    ipvs.set_timeouts(&Timeouts::new(1000, 0, 200)).unwrap();
    assert_eq!(ipvs.timeouts().unwrap(), Timeouts::new(1000, 120, 200));
    assert_eq!(
        ns.ipvsadm(&["-L", "-n", "--timeout"]),
        "Timeout (tcp tcpfin udp): 1000 120 200\n"
    );
    assert_eq!(ipvs.info().unwrap(), lvs_core::KernelInfo::DEFAULT);
    let (service, _) = nat_table();
    ipvs.add_service(&service).unwrap();
    let entry = ipvs.service(&service.key).unwrap();
    assert_eq!(entry.service.scheduler, Scheduler::Wrr);
}

#[test]
fn a_batch_applies_in_order_and_reports_each_outcome() {
    require_ipvs_kernel();
    let ns = Netns::new("nl-batch");
    let ipvs = ns.lvs();
    let mut ops = Vec::new();
    for i in 0..150u16 {
        let key = ServiceKey::tcp(format!("192.0.2.1:{}", 1000 + i).parse().unwrap());
        ops.push(Operation::AddService(Service::new(key)));
        let server = RealServer::new(format!("198.51.100.1:{}", 1000 + i).parse().unwrap())
            .with_forward(ForwardMethod::Masquerade);
        ops.push(Operation::AddServer(key, server));
    }
    ipvs.apply(&ops).unwrap();
    assert_eq!(ipvs.services().unwrap().len(), 150);
    assert_eq!(ns.ipvsadm(&["-Sn"]).lines().count(), 300);

    // Ops 0..=69: 70 new services (op 64 is in the second batch); op 70 re-adds one that
    // exists and fails; the rest of the second batch still reaches the kernel; the third
    // batch is never sent.
    let mut ops: Vec<Operation> = (0..70u16)
        .map(|i| {
            let key = ServiceKey::udp(format!("192.0.2.2:{}", 1000 + i).parse().unwrap());
            Operation::AddService(Service::new(key))
        })
        .collect();
    ops.push(ops[0].clone());
    for i in 70..200u16 {
        let key = ServiceKey::udp(format!("192.0.2.2:{}", 1000 + i).parse().unwrap());
        ops.push(Operation::AddService(Service::new(key)));
    }
    let err = ipvs.apply(&ops).unwrap_err();
    let (index, e) = err.first_failure().unwrap();
    assert_eq!(index, 70);
    assert!(
        matches!(e.ipvs_error(), Some(lvs_core::Error::ServiceExists(_))),
        "{e}"
    );
    assert_eq!(
        err.applied().len(),
        127,
        "70 before it, 57 after it in its batch"
    );
    assert_eq!(err.not_sent(), (128..201).collect::<Vec<_>>());
    assert!(matches!(err.outcomes[127], Outcome::Applied));
    assert_eq!(ipvs.services().unwrap().len(), 150 + 127);
}

#[test]
fn names_the_kernel_cannot_take_are_refused_before_sending() {
    require_ipvs_kernel();
    let ns = Netns::new("nl-limits");
    let ipvs = ns.lvs();
    let key = ServiceKey::tcp("192.0.2.10:80".parse().unwrap());
    // Far beyond what one netlink attribute can hold: must be a typed error, not a panic.
    let huge = Service::new(key).with_scheduler(Scheduler::Other("x".repeat(70_000)));
    let e = ipvs.add_service(&huge).unwrap_err();
    assert!(
        matches!(
            e.ipvs_error(),
            Some(lvs_core::Error::Invalid {
                field: "scheduler",
                ..
            })
        ),
        "{e}"
    );
    assert_eq!(e.errno(), None, "refused before sending");
    let sixteen = Service::new(key).with_scheduler(Scheduler::Other("s".repeat(16)));
    assert_eq!(
        ipvs.add_service(&sixteen).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );

    // Refused here as the kernel would refuse it; and as with a request the kernel
    // refuses, the rest of its group is still carried out.
    let ok = Operation::AddService(Service::new(key));
    let after = Operation::AddService(Service::new(ServiceKey::fwmark(5, Family::Ipv4)));
    let err = ipvs
        .apply(&[ok, Operation::AddService(huge), after])
        .unwrap_err();
    assert_eq!(err.applied(), vec![0, 2]);
    assert_eq!(err.first_failure().map(|(i, _)| i), Some(1));
    assert!(err.not_sent().is_empty());
    assert_eq!(
        ns.ipvsadm(&["-Sn"]),
        "-A -t 192.0.2.10:80 -s wlc\n-A -f 5 -s wlc\n"
    );
}

#[test]
fn the_listing_read_has_what_the_full_read_has_of_each_listed_column() {
    require_ipvs_kernel();
    let ns = Netns::new("nl-listing");
    let ipvs = ns.lvs();
    // Every forwarding method, IPv6, ports in hex, a mark with services of both families
    // (the file cannot tell them apart: read over netlink) and a service without servers.
    let rules = "\
-A -t 192.0.2.20:80 -s wlc -p 300
-a -t 192.0.2.20:80 -r 198.51.100.21:80 -m -w 2 -x 100 -y 50
-a -t 192.0.2.20:80 -r 198.51.100.22:80 -i -w 1 --tun-type gue --tun-port 6080
-a -t 192.0.2.20:80 -r 198.51.100.23:80 -g -w 0
-A -u [2001:db8::20]:53 -s rr
-a -u [2001:db8::20]:53 -r [2001:db8::21]:53 -m -w 1
-A -f 8 -s rr
-a -f 8 -r 198.51.100.25 -g -w 1
-A -f 8 -6 -s rr
-a -f 8 -6 -r 2001:db8::25 -g -w 2
-A --sctp-service 192.0.2.30:9000 -s sh
";
    ipvs.apply(
        &rules::parse_operations(rules)
            .unwrap()
            .into_iter()
            .map(|(_, op)| op)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let project = |table: Vec<(ServiceEntry, Vec<RealServerEntry>)>| {
        let mut out: Vec<_> = table
            .into_iter()
            .map(|(entry, servers)| {
                let mut servers: Vec<_> = servers
                    .into_iter()
                    .map(|s| {
                        let forward = match s.server.forward {
                            ForwardMethod::Tunnel(_) => "tunnel".to_owned(),
                            other => format!("{other:?}"),
                        };
                        (
                            s.server.addr,
                            forward,
                            s.server.weight,
                            s.active_conns,
                            s.inactive_conns,
                        )
                    })
                    .collect();
                servers.sort();
                (entry.service, servers)
            })
            .collect();
        out.sort_by(|a, b| lvs_core::order::cmp_services(&a.0.key, &b.0.key));
        out
    };
    let fast = ipvs.table_for_listing().unwrap();
    assert_eq!(fast.len(), 5);
    let want = project(ipvs.table_with_stats().unwrap());
    assert_eq!(project(fast), want);
    // Visited a service at a time in listing order: the same services, already sorted.
    let mut visited = Vec::new();
    ipvs.for_each_listed_service(true, |entry, servers| visited.push((entry, servers)))
        .unwrap();
    let order: Vec<ServiceKey> = visited.iter().map(|(e, _)| e.service.key).collect();
    let projected = project(visited);
    let sorted: Vec<ServiceKey> = projected.iter().map(|(s, _)| s.key).collect();
    assert_eq!(order, sorted);
    assert_eq!(projected, want);
}

#[test]
fn one_operation_applied_alone_gets_the_outcome_and_error_a_group_gives_it() {
    require_ipvs_kernel();
    let ns = Netns::new("nl-single");
    let ipvs = ns.lvs();
    let (service, servers) = nat_table();
    let key = service.key;
    ipvs.add_service(&service).unwrap();
    ipvs.add_server(&key, &servers[0]).unwrap();
    let missing = ServiceKey::tcp("192.0.2.99:80".parse().unwrap());
    let stranger = RealServer::new("198.51.100.99:8080".parse().unwrap());
    let heavy = RealServer::new("198.51.100.98:8080".parse().unwrap()).with_weight(u32::MAX);
    let mut long_engine = Service::new(ServiceKey::fwmark(9, Family::Ipv4));
    long_engine.pe_name = Some("e".repeat(40));
    // Refusals only, so that each leaves the table as it was for the other path: the
    // kernel's errnos of several commands, one refused before sending, a sysctl write.
    let refused = [
        Operation::AddService(service.clone()),
        Operation::AddService(
            Service::new(missing).with_scheduler(Scheduler::Other("nosuch".into())),
        ),
        Operation::AddService(long_engine),
        Operation::EditService(Service::new(missing)),
        Operation::DeleteService(missing),
        Operation::AddServer(key, servers[0]),
        Operation::AddServer(missing, servers[1]),
        Operation::AddServer(key, heavy),
        Operation::EditServer(key, stranger),
        Operation::DeleteServer(key, stranger.addr),
        Operation::StopDaemon(lvs_core::DaemonRole::Backup),
        Operation::SetSysctl(lvs_core::SysctlSetting::new("no_such_knob", "1")),
    ];
    for op in refused {
        let grouped = ipvs.apply_in_groups_for_tests(std::slice::from_ref(&op), 64);
        let alone = ipvs.apply(std::slice::from_ref(&op));
        assert!(
            grouped.is_err(),
            "{op:?} was not refused: the test proves nothing"
        );
        // The whole error: outcomes, kinds, errnos and the kernel's messages.
        assert_eq!(format!("{alone:?}"), format!("{grouped:?}"), "{op:?}");
    }
    // And one that is applied.
    let added = Operation::AddServer(key, servers[1]);
    assert!(ipvs.apply(std::slice::from_ref(&added)).is_ok());
    assert_eq!(
        ns.ipvsadm(&["-Sn"]),
        "-A -t 192.0.2.10:80 -s wrr\n\
         -a -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 3\n\
         -a -t 192.0.2.10:80 -r 198.51.100.12:8080 -m -w 1\n"
    );
}
