//! Golden tests of `ipvsadm -L -n` listings: each expected text is what ipvsadm 1.31 prints
//! for the same table, trailing spaces included.

use std::net::SocketAddr;

use lvs_core::listing::{
    format_service, format_table, format_table_in_parts, ListFormat, ListOptions,
};
use lvs_core::{
    Family, ForwardMethod, KernelInfo, Netmask, RealServer, RealServerEntry, SchedFlags, Scheduler,
    Service, ServiceEntry, ServiceFlags, ServiceKey, Stats, Tunnel, TunnelChecksum,
};

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Counters in the order of the `--stats` columns.
fn counters(conns: u64, in_packets: u64, out_packets: u64, in_bytes: u64, out_bytes: u64) -> Stats {
    let mut s = Stats::default();
    s.conns = conns;
    s.in_packets = in_packets;
    s.out_packets = out_packets;
    s.in_bytes = in_bytes;
    s.out_bytes = out_bytes;
    s
}

/// Rates in the order of the `--rate` columns, added to `s`.
fn with_rates(
    mut s: Stats,
    cps: u64,
    in_pps: u64,
    out_pps: u64,
    in_bps: u64,
    out_bps: u64,
) -> Stats {
    s.cps = cps;
    s.in_pps = in_pps;
    s.out_pps = out_pps;
    s.in_bps = in_bps;
    s.out_bps = out_bps;
    s
}

fn server(a: &str, forward: ForwardMethod, weight: u32) -> RealServerEntry {
    RealServerEntry::new(
        RealServer::new(addr(a))
            .with_forward(forward)
            .with_weight(weight),
    )
}

fn conns(mut e: RealServerEntry, active: u32, inactive: u32) -> RealServerEntry {
    e.active_conns = active;
    e.inactive_conns = inactive;
    e
}

/// A table with every kind of service and real server, in a scrambled "kernel" order.
fn kernel_table() -> Vec<(ServiceEntry, Vec<RealServerEntry>)> {
    let fwm5 = Service::new(ServiceKey::fwmark(5, Family::Ipv4))
        .with_scheduler(Scheduler::Wrr)
        .persistent(600)
        .with_pe_name("sip");
    let fwm5_stats = with_rates(
        counters(
            100_000_000,
            5_000_000_000,
            0,
            250_000_000_000,
            7_000_000_000_000_000,
        ),
        12,
        3400,
        0,
        123_456_789,
        0,
    );
    let fwm5_servers = vec![
        conns(server("192.168.2.2:0", ForwardMethod::DirectRoute, 3), 1, 4),
        server("192.168.2.1:0", ForwardMethod::DirectRoute, 3),
    ];

    let web6 = Service::new(ServiceKey::tcp(addr("[2001:db8::1]:443")))
        .with_scheduler(Scheduler::Mh)
        .with_sched_flags(SchedFlags::MH_PORT)
        .persistent(300)
        .with_netmask(Netmask::V6Prefix(64));
    let mut gue = conns(
        server(
            "[2001:db8::10]:443",
            ForwardMethod::Tunnel(Tunnel::gue(6080, TunnelChecksum::Remote)),
            2,
        ),
        7,
        1,
    );
    gue.persistent_conns = 2;
    let web6_servers = vec![
        server(
            "[2001:db8::11]:443",
            ForwardMethod::Tunnel(Tunnel::gre(TunnelChecksum::Checksum)),
            1,
        ),
        gue,
        server("10.9.9.9:443", ForwardMethod::Tunnel(Tunnel::IPIP), 1),
    ];

    let dns = Service::new(ServiceKey::udp(addr("10.0.0.1:53")))
        .with_scheduler(Scheduler::Rr)
        .one_packet();
    let mut dns_server = conns(
        server("192.168.1.1:53", ForwardMethod::Masquerade, 1),
        0,
        250,
    );
    dns_server.stats = with_rates(
        counters(
            99_999_999,
            100_000_000,
            999_999_999,
            1_000_000_000,
            99_999_999_999_999,
        ),
        7,
        123_456_789,
        3,
        100_000_000_000_000,
        5,
    );

    let web = Service::new(ServiceKey::tcp(addr("10.0.0.1:80")))
        .persistent(360)
        .with_netmask(Netmask::V4("255.255.255.0".parse().unwrap()));
    let web_stats = with_rates(
        counters(5, 100, 90, 123_456_789, 12_345_678_901),
        1,
        20,
        18,
        4096,
        1_000_000_000,
    );
    let mut busy = conns(
        server("192.168.1.2:80", ForwardMethod::Masquerade, 1),
        3,
        12,
    );
    busy.persistent_conns = 1;
    busy.server = busy.server.with_thresholds(100, 50);
    busy.stats = counters(5, 100, 90, 123_456_789, 12_345_678_901);
    let web_servers = vec![
        busy,
        server("192.168.1.1:80", ForwardMethod::Masquerade, 1),
        server("192.168.1.9:80", ForwardMethod::Bypass, 0),
    ];

    let fwm7 = Service::new(ServiceKey::fwmark(7, Family::Ipv6))
        .with_scheduler(Scheduler::Lc)
        .with_sched_flags(SchedFlags::FLAG_1 | SchedFlags::FLAG_3);

    let diameter = Service::new(ServiceKey::sctp(addr("10.0.0.2:3868")))
        .with_scheduler(Scheduler::Sh)
        .with_sched_flags(SchedFlags::SH_FALLBACK | SchedFlags::SH_PORT);
    let mut diameter_server = server("192.168.1.3:3868", ForwardMethod::Tunnel(Tunnel::IPIP), 5);
    diameter_server.server = diameter_server.server.with_thresholds(100, 50);

    let sip = Service::new(ServiceKey::udp(addr("10.0.0.3:5060")))
        .with_scheduler(Scheduler::Rr)
        .persistent(360)
        .with_pe_name("sip")
        .one_packet();

    // The kernel sets HASHED on every service it lists; the listing must ignore it.
    let hashed = |s: Service| {
        let mut s = s;
        s.flags |= ServiceFlags::HASHED;
        s
    };
    vec![
        (ServiceEntry::new(hashed(fwm5), fwm5_stats), fwm5_servers),
        (
            ServiceEntry::new(hashed(web6), Stats::default()),
            web6_servers,
        ),
        (
            ServiceEntry::new(hashed(dns), Stats::default()),
            vec![dns_server],
        ),
        (ServiceEntry::new(hashed(web), web_stats), web_servers),
        (
            ServiceEntry::new(hashed(fwm7), Stats::default()),
            vec![server("[2001:db8::20]:0", ForwardMethod::DirectRoute, 1)],
        ),
        (
            ServiceEntry::new(hashed(diameter), Stats::default()),
            vec![diameter_server],
        ),
        (
            ServiceEntry::new(hashed(sip), Stats::default()),
            vec![server("192.168.1.5:5060", ForwardMethod::Local, 1)],
        ),
    ]
}

fn list(opts: ListOptions) -> String {
    format_table(&KernelInfo::DEFAULT, &kernel_table(), &opts)
}

#[test]
fn the_listing_in_parts_is_the_banner_then_one_service_a_part() {
    let table = kernel_table();
    let opts = ListOptions::default();
    let mut parts = Vec::new();
    let done: Result<(), ()> = format_table_in_parts(&KernelInfo::DEFAULT, &table, &opts, |p| {
        parts.push(p.to_owned());
        Ok(())
    });
    assert_eq!(done, Ok(()));
    assert_eq!(parts.len(), 1 + table.len());
    assert_eq!(parts.concat(), list(opts));
    // The first error ends it.
    let mut calls = 0;
    let stopped = format_table_in_parts(&KernelInfo::DEFAULT, &table, &opts, |_| {
        calls += 1;
        if calls == 2 {
            Err("full")
        } else {
            Ok(())
        }
    });
    assert_eq!((stopped, calls), (Err("full"), 2));
}

#[test]
fn default_listing_is_sorted_like_ipvsadm() {
    assert_eq!(list(ListOptions::new()), DEFAULT);
}

#[test]
fn nosort_keeps_the_kernel_order() {
    assert_eq!(list(ListOptions::new().nosort()), NOSORT);
}

#[test]
fn stats_abbreviate_counters() {
    assert_eq!(
        list(ListOptions::new().with_format(ListFormat::Stats)),
        STATS
    );
}

#[test]
fn exact_stats_write_counters_in_full() {
    let opts = ListOptions::new().with_format(ListFormat::Stats).exact();
    assert_eq!(list(opts), STATS_EXACT);
}

#[test]
fn rate_abbreviates_only_byte_rates_of_real_servers() {
    assert_eq!(list(ListOptions::new().with_format(ListFormat::Rate)), RATE);
}

#[test]
fn exact_rate_writes_rates_in_full() {
    let opts = ListOptions::new().with_format(ListFormat::Rate).exact();
    assert_eq!(list(opts), RATE_EXACT);
}

#[test]
fn thresholds() {
    let opts = ListOptions::new().with_format(ListFormat::Thresholds);
    assert_eq!(list(opts), THRESHOLDS);
}

#[test]
fn persistent_conn() {
    let opts = ListOptions::new().with_format(ListFormat::PersistentConn);
    assert_eq!(list(opts), PERSISTENT_CONN);
}

#[test]
fn tun_info() {
    let opts = ListOptions::new().with_format(ListFormat::TunInfo);
    assert_eq!(list(opts), TUN_INFO);
}

#[test]
fn exact_changes_nothing_outside_stats_and_rate() {
    assert_eq!(list(ListOptions::new().exact()), DEFAULT);
}

#[test]
fn one_service_has_no_banner() {
    let table = kernel_table();
    let (entry, servers) = &table[3];
    assert_eq!(
        format_service(entry, servers, &ListOptions::new()),
        ONE_SERVICE
    );
}

#[test]
fn empty_table_has_banner_and_header_only() {
    let info = KernelInfo::DEFAULT;
    assert_eq!(format_table(&info, &[], &ListOptions::new()), EMPTY);
    let stats = ListOptions::new().with_format(ListFormat::Stats);
    assert_eq!(format_table(&info, &[], &stats), EMPTY_STATS);
}

#[test]
fn banner_shows_the_kernel_version_and_table_size() {
    let info = KernelInfo::new(0x01_02_00, 1 << 20);
    let text = format_table(&info, &[], &ListOptions::new());
    assert_eq!(
        text.lines().next(),
        Some("IP Virtual Server version 1.2.0 (size=1048576)")
    );
}

const DEFAULT: &str = concat!(
    "IP Virtual Server version 1.2.1 (size=4096)\n",
    "Prot LocalAddress:Port Scheduler Flags\n",
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
    "TCP  10.0.0.1:80 wlc persistent 360 mask 255.255.255.0\n",
    "  -> 192.168.1.1:80               Masq    1      0          0         \n",
    "  -> 192.168.1.2:80               Masq    1      3          12        \n",
    "  -> 192.168.1.9:80               (null)  0      0          0         \n",
    "UDP  10.0.0.1:53 rr ops\n",
    "  -> 192.168.1.1:53               Masq    1      0          250       \n",
    "UDP  10.0.0.3:5060 rr persistent 360 pe sip ops\n",
    "  -> 192.168.1.5:5060             Local   1      0          0         \n",
    "SCTP 10.0.0.2:3868 sh (sh-fallback,sh-port)\n",
    "  -> 192.168.1.3:3868             Tunnel  5      0          0         \n",
    "TCP  [2001:db8::1]:443 mh (mh-port) persistent 300 mask 64\n",
    "  -> 10.9.9.9:443                 Tunnel  1      0          0         \n",
    "  -> [2001:db8::10]:443           Tunnel  2      7          1         \n",
    "  -> [2001:db8::11]:443           Tunnel  1      0          0         \n",
    "FWM  5 wrr persistent 600 pe sip\n",
    "  -> 192.168.2.1:0                Route   3      0          0         \n",
    "  -> 192.168.2.2:0                Route   3      1          4         \n",
    "FWM  7 IPv6 lc (flag-1,flag-3)\n",
    "  -> [2001:db8::20]:0             Route   1      0          0         \n",
);

const NOSORT: &str = concat!(
    "IP Virtual Server version 1.2.1 (size=4096)\n",
    "Prot LocalAddress:Port Scheduler Flags\n",
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
    "FWM  5 wrr persistent 600 pe sip\n",
    "  -> 192.168.2.2:0                Route   3      1          4         \n",
    "  -> 192.168.2.1:0                Route   3      0          0         \n",
    "TCP  [2001:db8::1]:443 mh (mh-port) persistent 300 mask 64\n",
    "  -> [2001:db8::11]:443           Tunnel  1      0          0         \n",
    "  -> [2001:db8::10]:443           Tunnel  2      7          1         \n",
    "  -> 10.9.9.9:443                 Tunnel  1      0          0         \n",
    "UDP  10.0.0.1:53 rr ops\n",
    "  -> 192.168.1.1:53               Masq    1      0          250       \n",
    "TCP  10.0.0.1:80 wlc persistent 360 mask 255.255.255.0\n",
    "  -> 192.168.1.2:80               Masq    1      3          12        \n",
    "  -> 192.168.1.1:80               Masq    1      0          0         \n",
    "  -> 192.168.1.9:80               (null)  0      0          0         \n",
    "FWM  7 IPv6 lc (flag-1,flag-3)\n",
    "  -> [2001:db8::20]:0             Route   1      0          0         \n",
    "SCTP 10.0.0.2:3868 sh (sh-fallback,sh-port)\n",
    "  -> 192.168.1.3:3868             Tunnel  5      0          0         \n",
    "UDP  10.0.0.3:5060 rr persistent 360 pe sip ops\n",
    "  -> 192.168.1.5:5060             Local   1      0          0         \n",
);

const STATS: &str = concat!(
    "IP Virtual Server version 1.2.1 (size=4096)\n",
    "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n",
    "  -> RemoteAddress:Port\n",
    "TCP  10.0.0.1:80                         5      100       90  123456K   12345M\n",
    "  -> 192.168.1.1:80                      0        0        0        0        0\n",
    "  -> 192.168.1.2:80                      5      100       90  123456K   12345M\n",
    "  -> 192.168.1.9:80                      0        0        0        0        0\n",
    "UDP  10.0.0.1:53                         0        0        0        0        0\n",
    "  -> 192.168.1.1:53               99999999  100000K  999999K    1000M   99999G\n",
    "UDP  10.0.0.3:5060                       0        0        0        0        0\n",
    "  -> 192.168.1.5:5060                    0        0        0        0        0\n",
    "SCTP 10.0.0.2:3868                       0        0        0        0        0\n",
    "  -> 192.168.1.3:3868                    0        0        0        0        0\n",
    "TCP  [2001:db8::1]:443                   0        0        0        0        0\n",
    "  -> 10.9.9.9:443                        0        0        0        0        0\n",
    "  -> [2001:db8::10]:443                  0        0        0        0        0\n",
    "  -> [2001:db8::11]:443                  0        0        0        0        0\n",
    "FWM  5                             100000K    5000M        0     250G    7000T\n",
    "  -> 192.168.2.1:0                       0        0        0        0        0\n",
    "  -> 192.168.2.2:0                       0        0        0        0        0\n",
    "FWM  7 IPv6                              0        0        0        0        0\n",
    "  -> [2001:db8::20]:0                    0        0        0        0        0\n",
);

const STATS_EXACT: &str = concat!(
        "IP Virtual Server version 1.2.1 (size=4096)\n",
        "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n",
        "  -> RemoteAddress:Port\n",
        "TCP  10.0.0.1:80                         5      100       90 123456789 12345678901\n",
        "  -> 192.168.1.1:80                      0        0        0        0        0\n",
        "  -> 192.168.1.2:80                      5      100       90 123456789 12345678901\n",
        "  -> 192.168.1.9:80                      0        0        0        0        0\n",
        "UDP  10.0.0.1:53                         0        0        0        0        0\n",
        "  -> 192.168.1.1:53               99999999 100000000 999999999 1000000000 99999999999999\n",
        "UDP  10.0.0.3:5060                       0        0        0        0        0\n",
        "  -> 192.168.1.5:5060                    0        0        0        0        0\n",
        "SCTP 10.0.0.2:3868                       0        0        0        0        0\n",
        "  -> 192.168.1.3:3868                    0        0        0        0        0\n",
        "TCP  [2001:db8::1]:443                   0        0        0        0        0\n",
        "  -> 10.9.9.9:443                        0        0        0        0        0\n",
        "  -> [2001:db8::10]:443                  0        0        0        0        0\n",
        "  -> [2001:db8::11]:443                  0        0        0        0        0\n",
        "FWM  5                            100000000 5000000000        0 250000000000 7000000000000000\n",
        "  -> 192.168.2.1:0                       0        0        0        0        0\n",
        "  -> 192.168.2.2:0                       0        0        0        0        0\n",
        "FWM  7 IPv6                              0        0        0        0        0\n",
        "  -> [2001:db8::20]:0                    0        0        0        0        0\n",
);

const RATE: &str = concat!(
    "IP Virtual Server version 1.2.1 (size=4096)\n",
    "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n",
    "  -> RemoteAddress:Port\n",
    "TCP  10.0.0.1:80                         1       20       18     4096    1000M\n",
    "  -> 192.168.1.1:80                      0        0        0        0        0\n",
    "  -> 192.168.1.2:80                      0        0        0        0        0\n",
    "  -> 192.168.1.9:80                      0        0        0        0        0\n",
    "UDP  10.0.0.1:53                         0        0        0        0        0\n",
    "  -> 192.168.1.1:53                      7 123456789        3     100T        5\n",
    "UDP  10.0.0.3:5060                       0        0        0        0        0\n",
    "  -> 192.168.1.5:5060                    0        0        0        0        0\n",
    "SCTP 10.0.0.2:3868                       0        0        0        0        0\n",
    "  -> 192.168.1.3:3868                    0        0        0        0        0\n",
    "TCP  [2001:db8::1]:443                   0        0        0        0        0\n",
    "  -> 10.9.9.9:443                        0        0        0        0        0\n",
    "  -> [2001:db8::10]:443                  0        0        0        0        0\n",
    "  -> [2001:db8::11]:443                  0        0        0        0        0\n",
    "FWM  5                                  12     3400        0  123456K        0\n",
    "  -> 192.168.2.1:0                       0        0        0        0        0\n",
    "  -> 192.168.2.2:0                       0        0        0        0        0\n",
    "FWM  7 IPv6                              0        0        0        0        0\n",
    "  -> [2001:db8::20]:0                    0        0        0        0        0\n",
);

const RATE_EXACT: &str = concat!(
    "IP Virtual Server version 1.2.1 (size=4096)\n",
    "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n",
    "  -> RemoteAddress:Port\n",
    "TCP  10.0.0.1:80                         1       20       18     4096 1000000000\n",
    "  -> 192.168.1.1:80                      0        0        0        0        0\n",
    "  -> 192.168.1.2:80                      0        0        0        0        0\n",
    "  -> 192.168.1.9:80                      0        0        0        0        0\n",
    "UDP  10.0.0.1:53                         0        0        0        0        0\n",
    "  -> 192.168.1.1:53                      7 123456789        3 100000000000000        5\n",
    "UDP  10.0.0.3:5060                       0        0        0        0        0\n",
    "  -> 192.168.1.5:5060                    0        0        0        0        0\n",
    "SCTP 10.0.0.2:3868                       0        0        0        0        0\n",
    "  -> 192.168.1.3:3868                    0        0        0        0        0\n",
    "TCP  [2001:db8::1]:443                   0        0        0        0        0\n",
    "  -> 10.9.9.9:443                        0        0        0        0        0\n",
    "  -> [2001:db8::10]:443                  0        0        0        0        0\n",
    "  -> [2001:db8::11]:443                  0        0        0        0        0\n",
    "FWM  5                                  12     3400        0 123456789        0\n",
    "  -> 192.168.2.1:0                       0        0        0        0        0\n",
    "  -> 192.168.2.2:0                       0        0        0        0        0\n",
    "FWM  7 IPv6                              0        0        0        0        0\n",
    "  -> [2001:db8::20]:0                    0        0        0        0        0\n",
);

const THRESHOLDS: &str = concat!(
    "IP Virtual Server version 1.2.1 (size=4096)\n",
    "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n",
    "  -> RemoteAddress:Port\n",
    "TCP  10.0.0.1:80 wlc persistent 360 mask 255.255.255.0\n",
    "  -> 192.168.1.1:80               0          0          0          0         \n",
    "  -> 192.168.1.2:80               100        50         3          12        \n",
    "  -> 192.168.1.9:80               0          0          0          0         \n",
    "UDP  10.0.0.1:53 rr ops\n",
    "  -> 192.168.1.1:53               0          0          0          250       \n",
    "UDP  10.0.0.3:5060 rr persistent 360 pe sip ops\n",
    "  -> 192.168.1.5:5060             0          0          0          0         \n",
    "SCTP 10.0.0.2:3868 sh (sh-fallback,sh-port)\n",
    "  -> 192.168.1.3:3868             100        50         0          0         \n",
    "TCP  [2001:db8::1]:443 mh (mh-port) persistent 300 mask 64\n",
    "  -> 10.9.9.9:443                 0          0          0          0         \n",
    "  -> [2001:db8::10]:443           0          0          7          1         \n",
    "  -> [2001:db8::11]:443           0          0          0          0         \n",
    "FWM  5 wrr persistent 600 pe sip\n",
    "  -> 192.168.2.1:0                0          0          0          0         \n",
    "  -> 192.168.2.2:0                0          0          1          4         \n",
    "FWM  7 IPv6 lc (flag-1,flag-3)\n",
    "  -> [2001:db8::20]:0             0          0          0          0         \n",
);

const PERSISTENT_CONN: &str = concat!(
    "IP Virtual Server version 1.2.1 (size=4096)\n",
    "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n",
    "  -> RemoteAddress:Port\n",
    "TCP  10.0.0.1:80 wlc persistent 360 mask 255.255.255.0\n",
    "  -> 192.168.1.1:80               1         0           0          0         \n",
    "  -> 192.168.1.2:80               1         1           3          12        \n",
    "  -> 192.168.1.9:80               0         0           0          0         \n",
    "UDP  10.0.0.1:53 rr ops\n",
    "  -> 192.168.1.1:53               1         0           0          250       \n",
    "UDP  10.0.0.3:5060 rr persistent 360 pe sip ops\n",
    "  -> 192.168.1.5:5060             1         0           0          0         \n",
    "SCTP 10.0.0.2:3868 sh (sh-fallback,sh-port)\n",
    "  -> 192.168.1.3:3868             5         0           0          0         \n",
    "TCP  [2001:db8::1]:443 mh (mh-port) persistent 300 mask 64\n",
    "  -> 10.9.9.9:443                 1         0           0          0         \n",
    "  -> [2001:db8::10]:443           2         2           7          1         \n",
    "  -> [2001:db8::11]:443           1         0           0          0         \n",
    "FWM  5 wrr persistent 600 pe sip\n",
    "  -> 192.168.2.1:0                3         0           0          0         \n",
    "  -> 192.168.2.2:0                3         0           1          4         \n",
    "FWM  7 IPv6 lc (flag-1,flag-3)\n",
    "  -> [2001:db8::20]:0             1         0           0          0         \n",
);

const TUN_INFO: &str = concat!(
    "IP Virtual Server version 1.2.1 (size=4096)\n",
    "Prot LocalAddress:Port Scheduler Flags\n",
    "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n",
    "TCP  10.0.0.1:80 wlc persistent 360 mask 255.255.255.0\n",
    "  -> 192.168.1.1:80               Masq    n/a           1      0          0         \n",
    "  -> 192.168.1.2:80               Masq    n/a           1      3          12        \n",
    "  -> 192.168.1.9:80               (null)  n/a           0      0          0         \n",
    "UDP  10.0.0.1:53 rr ops\n",
    "  -> 192.168.1.1:53               Masq    n/a           1      0          250       \n",
    "UDP  10.0.0.3:5060 rr persistent 360 pe sip ops\n",
    "  -> 192.168.1.5:5060             Local   n/a           1      0          0         \n",
    "SCTP 10.0.0.2:3868 sh (sh-fallback,sh-port)\n",
    "  -> 192.168.1.3:3868             Tunnel  ipip          5      0          0         \n",
    "TCP  [2001:db8::1]:443 mh (mh-port) persistent 300 mask 64\n",
    "  -> 10.9.9.9:443                 Tunnel  ipip          1      0          0         \n",
    "  -> [2001:db8::10]:443           Tunnel  gue:6080:r+c  2      7          1         \n",
    "  -> [2001:db8::11]:443           Tunnel  gre:+c        1      0          0         \n",
    "FWM  5 wrr persistent 600 pe sip\n",
    "  -> 192.168.2.1:0                Route   n/a           3      0          0         \n",
    "  -> 192.168.2.2:0                Route   n/a           3      1          4         \n",
    "FWM  7 IPv6 lc (flag-1,flag-3)\n",
    "  -> [2001:db8::20]:0             Route   n/a           1      0          0         \n",
);

const ONE_SERVICE: &str = concat!(
    "Prot LocalAddress:Port Scheduler Flags\n",
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
    "TCP  10.0.0.1:80 wlc persistent 360 mask 255.255.255.0\n",
    "  -> 192.168.1.1:80               Masq    1      0          0         \n",
    "  -> 192.168.1.2:80               Masq    1      3          12        \n",
    "  -> 192.168.1.9:80               (null)  0      0          0         \n",
);

const EMPTY: &str = concat!(
    "IP Virtual Server version 1.2.1 (size=4096)\n",
    "Prot LocalAddress:Port Scheduler Flags\n",
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
);

const EMPTY_STATS: &str = concat!(
    "IP Virtual Server version 1.2.1 (size=4096)\n",
    "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n",
    "  -> RemoteAddress:Port\n",
);
