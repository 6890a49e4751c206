//! The corners of ipvsadm's listing: values its tables have no name for, signed printing,
//! name cuts, and the settings listings (`--timeout`, `--daemon`).

use std::net::SocketAddr;

use lvs_core::listing::{format_daemons, format_service, format_timeouts, ListFormat, ListOptions};
use lvs_core::{
    DaemonRole, Family, ForwardMethod, Netmask, Protocol, RealServer, RealServerEntry, SchedFlags,
    Scheduler, Service, ServiceEntry, ServiceKey, Stats, SyncDaemon, Timeouts, Tunnel,
    TunnelChecksum, TunnelKind,
};

const HEADER: &str = concat!(
    "Prot LocalAddress:Port Scheduler Flags\n",
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
);

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// The lines after the header of `-L -n -t SERVICE` in a format.
fn body(service: Service, servers: &[RealServer], format: ListFormat) -> String {
    let servers: Vec<RealServerEntry> = servers.iter().copied().map(RealServerEntry::new).collect();
    let entry = ServiceEntry::new(service, Stats::default());
    let text = format_service(&entry, &servers, &ListOptions::new().with_format(format));
    let header = format.header();
    assert!(text.starts_with(header));
    text[header.len()..].to_owned()
}

fn service_line(service: Service) -> String {
    body(service, &[], ListFormat::Default)
}

#[test]
fn format_service_starts_with_the_default_header() {
    let entry = ServiceEntry::new(
        Service::new(ServiceKey::tcp(addr("10.0.0.1:80"))),
        Stats::default(),
    );
    let text = format_service(&entry, &[], &ListOptions::new());
    assert_eq!(text, format!("{HEADER}TCP  10.0.0.1:80 wlc\n"));
}

#[test]
fn firewall_marks_are_signed_as_in_ipvsadm_1_31() {
    let line = service_line(Service::new(ServiceKey::fwmark(u32::MAX, Family::Ipv4)));
    assert_eq!(line, "FWM  -1 wlc\n");
    let line = service_line(Service::new(ServiceKey::fwmark(0x8000_0000, Family::Ipv6)));
    assert_eq!(line, "FWM  -2147483648 IPv6 wlc\n");
    let line = service_line(Service::new(ServiceKey::fwmark(0x7fff_ffff, Family::Ipv4)));
    assert_eq!(line, "FWM  2147483647 wlc\n");
}

#[test]
fn unknown_protocols_are_a_question_mark() {
    let key = ServiceKey::Addr {
        protocol: Protocol::Other(33),
        addr: addr("10.0.0.1:80"),
    };
    assert_eq!(service_line(Service::new(key)), "?    10.0.0.1:80 wlc\n");
}

#[test]
fn sh_and_mh_have_no_name_for_flag_3() {
    let sh = Service::new(ServiceKey::tcp(addr("10.0.0.1:80")))
        .with_scheduler(Scheduler::Sh)
        .with_sched_flags(SchedFlags::FLAG_3);
    assert_eq!(service_line(sh), "TCP  10.0.0.1:80 sh ()\n");
    let mh = Service::new(ServiceKey::tcp(addr("10.0.0.1:80")))
        .with_scheduler(Scheduler::Mh)
        .with_sched_flags(SchedFlags::MH_FALLBACK | SchedFlags::FLAG_3);
    assert_eq!(service_line(mh), "TCP  10.0.0.1:80 mh (mh-fallback)\n");
    let rr = Service::new(ServiceKey::tcp(addr("10.0.0.1:80")))
        .with_scheduler(Scheduler::Rr)
        .with_sched_flags(SchedFlags::SH_PORT);
    assert_eq!(service_line(rr), "TCP  10.0.0.1:80 rr (flag-2)\n");
}

#[test]
fn unknown_schedulers_are_listed_by_name() {
    let s = Service::new(ServiceKey::udp(addr("10.0.0.1:53")))
        .with_scheduler(Scheduler::from_name("twos"))
        .with_sched_flags(SchedFlags::FLAG_1);
    assert_eq!(service_line(s), "UDP  10.0.0.1:53 twos (flag-1)\n");
}

#[test]
fn full_masks_are_left_out() {
    let v4 = Service::new(ServiceKey::tcp(addr("10.0.0.1:80"))).persistent(360);
    assert_eq!(service_line(v4), "TCP  10.0.0.1:80 wlc persistent 360\n");
    let v6 = Service::new(ServiceKey::tcp(addr("[2001:db8::1]:80"))).persistent(0);
    assert_eq!(service_line(v6), "TCP  [2001:db8::1]:80 wlc persistent 0\n");
    let fwm6 = Service::new(ServiceKey::fwmark(3, Family::Ipv6))
        .persistent(60)
        .with_netmask(Netmask::V6Prefix(48));
    assert_eq!(
        service_line(fwm6),
        "FWM  3 IPv6 wlc persistent 60 mask 48\n"
    );
}

#[test]
fn the_engine_is_shown_only_for_persistent_services() {
    let s = Service::new(ServiceKey::udp(addr("10.0.0.1:5060"))).with_pe_name("sip");
    assert_eq!(service_line(s), "UDP  10.0.0.1:5060 wlc\n");
    let ops = Service::new(ServiceKey::udp(addr("10.0.0.1:5060"))).one_packet();
    assert_eq!(service_line(ops), "UDP  10.0.0.1:5060 wlc ops\n");
}

#[test]
fn ipv6_addresses_are_written_like_inet_ntop() {
    let s = Service::new(ServiceKey::tcp(addr("[::10.0.0.1]:80")));
    let servers = [RealServer::new(addr("[::ffff:192.168.1.1]:80")).with_weight(1)];
    assert_eq!(
        body(s, &servers, ListFormat::Default),
        concat!(
            "TCP  [::10.0.0.1]:80 wlc\n",
            "  -> [::ffff:192.168.1.1]:80      Route   1      0          0         \n",
        )
    );
}

#[test]
fn long_ipv6_names_are_not_cut_and_push_the_columns() {
    let s = Service::new(ServiceKey::sctp(addr(
        "[2001:db8:1111:2222:3333:4444:5555:6666]:65535",
    )));
    let servers = [RealServer::new(addr(
        "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:65535",
    ))];
    assert_eq!(
        body(s, &servers, ListFormat::Stats),
        concat!(
            "SCTP [2001:db8:1111:2222:3333:4444:5555:6666]:65535        0        0        0        0        0\n",
            "  -> [2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:65535        0        0        0        0        0\n",
        )
    );
}

#[test]
fn forwarding_methods_without_an_ipvsadm_name_print_null() {
    let s = Service::new(ServiceKey::tcp(addr("10.0.0.1:80")));
    let servers = [
        RealServer::new(addr("192.168.1.1:80")).with_forward(ForwardMethod::Bypass),
        RealServer::new(addr("192.168.1.2:80")).with_forward(ForwardMethod::Other(6)),
    ];
    assert_eq!(
        body(s, &servers, ListFormat::Default),
        concat!(
            "TCP  10.0.0.1:80 wlc\n",
            "  -> 192.168.1.1:80               (null)  1      0          0         \n",
            "  -> 192.168.1.2:80               (null)  1      0          0         \n",
        )
    );
}

#[test]
fn weights_are_signed() {
    let s = Service::new(ServiceKey::tcp(addr("10.0.0.1:80")));
    let servers = [RealServer::new(addr("192.168.1.1:80")).with_weight(u32::MAX)];
    assert_eq!(
        body(s, &servers, ListFormat::Default),
        concat!(
            "TCP  10.0.0.1:80 wlc\n",
            "  -> 192.168.1.1:80               Route   -1     0          0         \n",
        )
    );
}

#[test]
fn tunnel_info_of_every_kind() {
    let s = Service::new(ServiceKey::tcp(addr("10.0.0.1:80")));
    let tunnel = |kind, checksum| ForwardMethod::Tunnel(Tunnel::new(kind, checksum));
    let servers = [
        RealServer::new(addr("192.168.1.1:80"))
            .with_forward(tunnel(TunnelKind::Ipip, TunnelChecksum::None)),
        RealServer::new(addr("192.168.1.2:80")).with_forward(tunnel(
            TunnelKind::Gue { port: 65535 },
            TunnelChecksum::None,
        )),
        RealServer::new(addr("192.168.1.3:80")).with_forward(tunnel(
            TunnelKind::Gue { port: 6080 },
            TunnelChecksum::Checksum,
        )),
        RealServer::new(addr("192.168.1.4:80"))
            .with_forward(tunnel(TunnelKind::Gre, TunnelChecksum::None)),
        RealServer::new(addr("192.168.1.5:80"))
            .with_forward(tunnel(TunnelKind::Gre, TunnelChecksum::Remote)),
        RealServer::new(addr("192.168.1.6:80"))
            .with_forward(tunnel(TunnelKind::Gre, TunnelChecksum::Other(9))),
        RealServer::new(addr("192.168.1.7:80")).with_forward(tunnel(
            TunnelKind::Other { kind: 3, port: 1 },
            TunnelChecksum::None,
        )),
        RealServer::new(addr("192.168.1.8:80")).with_forward(ForwardMethod::DirectRoute),
    ];
    assert_eq!(
        body(s, &servers, ListFormat::TunInfo),
        concat!(
            "TCP  10.0.0.1:80 wlc\n",
            "  -> 192.168.1.1:80               Tunnel  ipip          1      0          0         \n",
            "  -> 192.168.1.2:80               Tunnel  gue:65535:-c  1      0          0         \n",
            "  -> 192.168.1.3:80               Tunnel  gue:6080:+c   1      0          0         \n",
            "  -> 192.168.1.4:80               Tunnel  gre:-c        1      0          0         \n",
            "  -> 192.168.1.5:80               Tunnel  gre:r+c       1      0          0         \n",
            "  -> 192.168.1.6:80               Tunnel  gre:?         1      0          0         \n",
            "  -> 192.168.1.7:80               Tunnel  n/a           1      0          0         \n",
            "  -> 192.168.1.8:80               Route   n/a           1      0          0         \n",
        )
    );
}

#[test]
fn precedence_picks_one_layout() {
    let picked = ListFormat::by_precedence([ListFormat::TunInfo, ListFormat::Thresholds]);
    assert_eq!(picked, ListFormat::Thresholds);
    let picked = ListFormat::by_precedence([ListFormat::Rate, ListFormat::Stats]);
    assert_eq!(picked, ListFormat::Stats);
}

#[test]
fn timeouts() {
    assert_eq!(
        format_timeouts(&Timeouts::KERNEL_DEFAULT),
        "Timeout (tcp tcpfin udp): 900 120 300\n"
    );
    assert_eq!(
        format_timeouts(&Timeouts::new(2_678_400, 0, 1)),
        "Timeout (tcp tcpfin udp): 2678400 0 1\n"
    );
}

#[test]
fn daemons_of_both_roles_with_and_without_options() {
    let master = SyncDaemon::new(DaemonRole::Master, "eth0").with_sync_id(1);
    let backup = SyncDaemon::new(DaemonRole::Backup, "bond0.100")
        .with_sync_id(255)
        .with_max_len(1472)
        .with_group("224.0.0.81".parse().unwrap())
        .with_port(8848)
        .with_ttl(1);
    assert_eq!(
        format_daemons(&[master, backup]),
        concat!(
            "master sync daemon (mcast=eth0, syncid=1)\n",
            "backup sync daemon (mcast=bond0.100, syncid=255, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n",
        )
    );
}

#[test]
fn daemons_leave_out_zero_values_and_write_ipv6_groups() {
    let d = SyncDaemon::new(DaemonRole::Master, "eth1")
        .with_max_len(0)
        .with_group("ff02::8848".parse().unwrap())
        .with_port(0)
        .with_ttl(0);
    assert_eq!(
        format_daemons(&[d]),
        "master sync daemon (mcast=eth1, syncid=0, group=ff02::8848)\n"
    );
}

#[test]
fn daemons_of_unknown_roles_are_read_by_their_bits() {
    let both = SyncDaemon::new(DaemonRole::Other(3), "eth0");
    let backup = SyncDaemon::new(DaemonRole::Other(6), "eth0");
    let neither = SyncDaemon::new(DaemonRole::Other(4), "eth0");
    assert_eq!(
        format_daemons(&[both, backup, neither]),
        concat!(
            "master sync daemon (mcast=eth0, syncid=0)\n",
            "backup sync daemon (mcast=eth0, syncid=0)\n",
        )
    );
    assert_eq!(format_daemons(&[]), "");
}
