//! Every scheduler, service kind and forwarding method written by lvs, read back by lvs and by
//! Debian's ipvsadm; zero, flush and sync daemons.

use std::net::SocketAddr;

use lvs_core::{
    rules, DaemonRole, Family, ForwardMethod, Ipvs, Netmask, RealServer, SchedFlags, Scheduler,
    Service, ServiceFlags, ServiceKey, SyncDaemon, Table, Tunnel, TunnelChecksum, VirtualService,
};

use crate::support::{require_ipvs_kernel, run_ok, Netns};

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// The table as lvs reads it back, `HASHED` removed so it compares with what was written.
fn read_table(ipvs: &lvs_sys::NetlinkIpvs) -> Table {
    let mut table = ipvs.read_table().unwrap();
    for vs in &mut table.services {
        assert!(vs.service.flags.contains(ServiceFlags::HASHED));
        vs.service = vs.service.clone().as_configured();
    }
    table
}

fn write(ipvs: &lvs_sys::NetlinkIpvs, table: &Table) {
    for vs in &table.services {
        ipvs.add_service(&vs.service)
            .unwrap_or_else(|e| panic!("add {}: {e}", vs.service.key));
        for s in &vs.servers {
            ipvs.add_server(&vs.service.key, s)
                .unwrap_or_else(|e| panic!("add {} to {}: {e}", s.addr, vs.service.key));
        }
    }
}

#[test]
fn every_scheduler_round_trips() {
    require_ipvs_kernel();
    let ns = Netns::new("scheds");
    let ipvs = ns.lvs();
    let mut table = Table::default();
    for (i, sched) in Scheduler::KNOWN.iter().enumerate() {
        let key = ServiceKey::tcp(sa(&format!("192.0.2.1:{}", 100 + i)));
        let mut service = Service::new(key).with_scheduler(sched.clone());
        if matches!(sched, Scheduler::Sh) {
            service = service.with_sched_flags(SchedFlags::SH_FALLBACK | SchedFlags::SH_PORT);
        }
        if matches!(sched, Scheduler::Mh) {
            service = service.with_sched_flags(SchedFlags::MH_PORT);
        }
        table.services.push(VirtualService::new(service, vec![]));
    }
    write(&ipvs, &table);
    let saved = rules::save_ipvsadm(&table);
    assert_eq!(rules::save_ipvsadm(&read_table(&ipvs)), saved);
    assert_eq!(ns.ipvsadm(&["-Sn"]), saved);
}

#[test]
fn every_service_kind_and_forwarding_method_round_trips() {
    require_ipvs_kernel();
    let ns = Netns::new("kinds");
    let ipvs = ns.lvs();
    let masq = |a: &str| RealServer::new(sa(a)).with_forward(ForwardMethod::Masquerade);
    let tun = |a: &str, t: Tunnel| RealServer::new(sa(a)).with_forward(ForwardMethod::Tunnel(t));
    let table = Table::new(vec![
        VirtualService::new(
            Service::new(ServiceKey::tcp(sa("192.0.2.10:80"))).with_scheduler(Scheduler::Rr),
            vec![
                masq("198.51.100.1:8080").with_weight(5),
                RealServer::new(sa("198.51.100.2:80")),
                tun("198.51.100.3:80", Tunnel::IPIP),
                tun("198.51.100.4:80", Tunnel::gue(6080, TunnelChecksum::None)),
                tun(
                    "198.51.100.5:80",
                    Tunnel::gue(6081, TunnelChecksum::Checksum),
                ),
                tun("198.51.100.6:80", Tunnel::gue(6082, TunnelChecksum::Remote)),
                tun("198.51.100.7:80", Tunnel::gre(TunnelChecksum::None)),
                tun("198.51.100.8:80", Tunnel::gre(TunnelChecksum::Checksum)),
                masq("198.51.100.9:80").with_weight(0),
            ],
        ),
        VirtualService::new(
            Service::new(ServiceKey::sctp(sa("192.0.2.11:5000"))).persistent(600),
            vec![masq("198.51.100.20:5000")],
        ),
        VirtualService::new(
            Service::new(ServiceKey::udp(sa("[2001:db8::10]:53")))
                .with_scheduler(Scheduler::Sh)
                .one_packet(),
            vec![
                masq("[2001:db8::20]:53"),
                // A mixed-family real server: only tunnels may differ from the service.
                tun("198.51.100.30:53", Tunnel::IPIP),
            ],
        ),
        VirtualService::new(
            Service::new(ServiceKey::fwmark(5, Family::Ipv6))
                .persistent(300)
                .with_netmask(Netmask::V6Prefix(64)),
            vec![RealServer::new(sa("[2001:db8::30]:0"))],
        ),
        VirtualService::new(
            Service::new(ServiceKey::fwmark(6, Family::Ipv4))
                .persistent(120)
                .with_netmask(Netmask::V4("255.255.255.0".parse().unwrap()))
                .with_pe_name("sip"),
            vec![masq("198.51.100.40:5060")],
        ),
    ]);
    write(&ipvs, &table);
    let saved = rules::save_ipvsadm(&table);
    assert_eq!(rules::save_ipvsadm(&read_table(&ipvs)), saved);
    assert_eq!(ns.ipvsadm(&["-Sn"]), saved);
    let read = read_table(&ipvs);
    let udp6 = read
        .services
        .iter()
        .find(|v| v.service.key == table.services[2].service.key);
    assert!(udp6
        .unwrap()
        .service
        .flags
        .contains(ServiceFlags::ONE_PACKET));

    // Zero one, zero all, then flush.
    ipvs.zero(Some(&table.services[0].service.key)).unwrap();
    ipvs.zero(None).unwrap();
    ipvs.flush().unwrap();
    assert!(ipvs.services().unwrap().is_empty());
    assert_eq!(ns.ipvsadm(&["-Sn"]), "");
}

#[test]
fn sync_daemons_start_list_and_stop() {
    require_ipvs_kernel();
    let ns = Netns::new("syncd");
    run_ok(
        ns.command("ip")
            .args(["link", "add", "sync0", "type", "dummy"]),
    );
    run_ok(ns.command("ip").args(["link", "set", "sync0", "up"]));
    let ipvs = ns.lvs();
    let master = SyncDaemon::new(DaemonRole::Master, "sync0")
        .with_sync_id(7)
        .with_group("239.1.2.3".parse().unwrap())
        .with_port(8849)
        .with_ttl(2)
        .with_max_len(1400);
    ipvs.start_daemon(&master).unwrap();
    let backup = SyncDaemon::new(DaemonRole::Backup, "sync0").with_sync_id(7);
    ipvs.start_daemon(&backup).unwrap();
    let listed = ipvs.daemons().unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[0], master);
    assert_eq!(listed[1].role, DaemonRole::Backup);
    assert_eq!(
        listed[1].group,
        Some("224.0.0.81".parse().unwrap()),
        "kernel default group"
    );
    assert_eq!(listed[1].port, Some(8848), "kernel default port");
    assert_eq!(
        ns.ipvsadm(&["-L", "-n", "--daemon"]),
        lvs_core::listing::format_daemons(&listed)
    );

    let e = ipvs.start_daemon(&master).unwrap_err();
    assert!(
        matches!(
            e.ipvs_error(),
            Some(lvs_core::Error::DaemonRunning(DaemonRole::Master))
        ),
        "{e}"
    );
    let e = ipvs
        .start_daemon(&SyncDaemon::new(DaemonRole::Master, "nosuch0"))
        .unwrap_err();
    assert!(
        matches!(
            e.ipvs_error(),
            Some(lvs_core::Error::DaemonRunning(_) | lvs_core::Error::InterfaceNotFound(_))
        ),
        "{e}"
    );
    ipvs.stop_daemon(DaemonRole::Master).unwrap();
    ipvs.stop_daemon(DaemonRole::Backup).unwrap();
    let e = ipvs.stop_daemon(DaemonRole::Master).unwrap_err();
    assert!(
        matches!(
            e.ipvs_error(),
            Some(lvs_core::Error::DaemonNotRunning(DaemonRole::Master))
        ),
        "{e}"
    );
    let e = ipvs
        .start_daemon(&SyncDaemon::new(DaemonRole::Master, "nosuch0"))
        .unwrap_err();
    assert!(
        matches!(e.ipvs_error(), Some(lvs_core::Error::InterfaceNotFound(i)) if i == "nosuch0"),
        "{e}"
    );
    assert!(ipvs.daemons().unwrap().is_empty());
}
