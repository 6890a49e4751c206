//! Golden tests of `save`: the exact text `ipvsadm -S -n` prints, feature by feature.

use std::net::SocketAddr;

use lvs_core::rules::{save_ipvsadm as save, table_from_rules};
use lvs_core::{
    Family, ForwardMethod, Netmask, Protocol, RealServer, SchedFlags, Scheduler, Service,
    ServiceKey, Table, Tunnel, TunnelChecksum, TunnelKind, VirtualService,
};

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn table(services: Vec<(Service, Vec<RealServer>)>) -> Table {
    Table::new(
        services
            .into_iter()
            .map(|(s, d)| VirtualService::new(s, d))
            .collect(),
    )
}

fn only(service: Service) -> String {
    save(&table(vec![(service, vec![])]))
}

fn server_line(server: RealServer) -> String {
    let key = ServiceKey::tcp(sa("10.0.0.1:80"));
    save(&table(vec![(Service::new(key), vec![server])]))
        .lines()
        .nth(1)
        .unwrap()
        .to_owned()
}

#[test]
fn empty_table_saves_nothing() {
    assert_eq!(save(&Table::default()), "");
}

#[test]
fn service_kinds() {
    assert_eq!(
        only(Service::new(ServiceKey::tcp(sa("10.0.0.1:80")))),
        "-A -t 10.0.0.1:80 -s wlc\n"
    );
    assert_eq!(
        only(Service::new(ServiceKey::udp(sa("10.0.0.1:53"))).with_scheduler(Scheduler::Rr)),
        "-A -u 10.0.0.1:53 -s rr\n"
    );
    assert_eq!(
        only(Service::new(ServiceKey::sctp(sa("10.0.0.1:5000")))),
        "-A --sctp-service 10.0.0.1:5000 -s wlc\n"
    );
    assert_eq!(
        only(Service::new(ServiceKey::tcp(sa("[2001:db8::1]:443")))),
        "-A -t [2001:db8::1]:443 -s wlc\n"
    );
    assert_eq!(
        only(Service::new(ServiceKey::Addr {
            protocol: Protocol::Other(33),
            addr: sa("10.0.0.1:1")
        })),
        "-A --xxx-service 10.0.0.1:1 -s wlc\n"
    );
    assert_eq!(
        only(Service::new(ServiceKey::fwmark(1, Family::Ipv4))),
        "-A -f 1 -s wlc\n"
    );
    assert_eq!(
        only(Service::new(ServiceKey::fwmark(2, Family::Ipv6))),
        "-A -f 2 -6 -s wlc\n"
    );
    // Unsigned, where ipvsadm 1.31 printed -1.
    assert_eq!(
        only(Service::new(ServiceKey::fwmark(u32::MAX, Family::Ipv4))),
        "-A -f 4294967295 -s wlc\n"
    );
    assert_eq!(
        only(Service::new(ServiceKey::tcp(sa("10.0.0.1:80"))).with_scheduler(Scheduler::None)),
        "-A -t 10.0.0.1:80 -s none\n"
    );
    assert_eq!(
        only(
            Service::new(ServiceKey::tcp(sa("10.0.0.1:80")))
                .with_scheduler(Scheduler::Other("twos".into()))
        ),
        "-A -t 10.0.0.1:80 -s twos\n"
    );
}

#[test]
fn ipv6_addresses_as_inet_ntop_writes_them() {
    assert_eq!(
        only(Service::new(ServiceKey::udp(sa("[::ffff:10.0.0.1]:53")))),
        "-A -u [::ffff:10.0.0.1]:53 -s wlc\n"
    );
    assert_eq!(
        only(Service::new(ServiceKey::udp(sa("[::10.0.0.1]:53")))),
        "-A -u [::10.0.0.1]:53 -s wlc\n"
    );
    assert_eq!(
        only(Service::new(ServiceKey::tcp(sa(
            "[2001:db8:0:0:1:0:0:1]:80"
        )))),
        "-A -t [2001:db8::1:0:0:1]:80 -s wlc\n"
    );
}

#[test]
fn persistence() {
    let key = ServiceKey::tcp(sa("10.0.0.1:80"));
    assert_eq!(
        only(Service::new(key).persistent(360)),
        "-A -t 10.0.0.1:80 -s wlc -p 360\n"
    );
    assert_eq!(
        only(
            Service::new(key)
                .persistent(60)
                .with_netmask(Netmask::V4("255.255.255.0".parse().unwrap()))
        ),
        "-A -t 10.0.0.1:80 -s wlc -p 60 -M 255.255.255.0\n"
    );
    assert_eq!(
        only(
            Service::new(ServiceKey::tcp(sa("[2001:db8::1]:0")))
                .persistent(60)
                .with_netmask(Netmask::V6Prefix(64))
        ),
        "-A -t [2001:db8::1]:0 -s wlc -p 60 -M 64\n"
    );
    assert_eq!(
        only(
            Service::new(ServiceKey::fwmark(3, Family::Ipv6))
                .persistent(10)
                .with_netmask(Netmask::V6Prefix(128))
        ),
        "-A -f 3 -6 -s wlc -p 10\n"
    );
    assert_eq!(
        only(
            Service::new(ServiceKey::udp(sa("10.0.0.1:5060")))
                .persistent(30)
                .with_pe_name("sip")
        ),
        "-A -u 10.0.0.1:5060 -s wlc -p 30 --pe sip\n"
    );
    // Netmask and engine of a service that is not persistent are not saved.
    assert_eq!(
        only(
            Service::new(key)
                .with_netmask(Netmask::V4("255.0.0.0".parse().unwrap()))
                .with_pe_name("sip")
        ),
        "-A -t 10.0.0.1:80 -s wlc\n"
    );
}

#[test]
fn one_packet_and_sched_flags() {
    assert_eq!(
        only(Service::new(ServiceKey::udp(sa("10.0.0.1:53"))).one_packet()),
        "-A -u 10.0.0.1:53 -s wlc -o\n"
    );
    let key = ServiceKey::tcp(sa("10.0.0.1:80"));
    assert_eq!(
        only(
            Service::new(key)
                .with_scheduler(Scheduler::Sh)
                .with_sched_flags(SchedFlags::SH_FALLBACK | SchedFlags::SH_PORT)
        ),
        "-A -t 10.0.0.1:80 -s sh -b sh-fallback,sh-port\n"
    );
    assert_eq!(
        only(
            Service::new(key)
                .with_scheduler(Scheduler::Mh)
                .with_sched_flags(SchedFlags::MH_PORT)
        ),
        "-A -t 10.0.0.1:80 -s mh -b mh-port\n"
    );
    assert_eq!(
        only(
            Service::new(key)
                .with_scheduler(Scheduler::Rr)
                .with_sched_flags(SchedFlags::all())
        ),
        "-A -t 10.0.0.1:80 -s rr -b flag-1,flag-2,flag-3\n"
    );
    // Everything at once, in ipvsadm's order.
    assert_eq!(
        only(
            Service::new(ServiceKey::fwmark(9, Family::Ipv4))
                .with_scheduler(Scheduler::Sh)
                .persistent(100)
                .with_netmask(Netmask::V4("255.255.0.0".parse().unwrap()))
                .with_pe_name("sip")
                .one_packet()
                .with_sched_flags(SchedFlags::SH_PORT)
        ),
        "-A -f 9 -s sh -p 100 -M 255.255.0.0 --pe sip -o -b sh-port\n"
    );
}

#[test]
fn forwarding_methods() {
    let d = RealServer::new(sa("192.168.1.1:8080"));
    assert_eq!(
        server_line(d.with_forward(ForwardMethod::Masquerade).with_weight(5)),
        "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 5"
    );
    assert_eq!(
        server_line(d),
        "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -g -w 1"
    );
    assert_eq!(
        server_line(d.with_forward(ForwardMethod::Local)),
        "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -g -w 1"
    );
    assert_eq!(
        server_line(d.with_forward(ForwardMethod::Bypass)),
        "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 (null) -w 1"
    );
    assert_eq!(
        server_line(d.with_weight(0)),
        "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -g -w 0"
    );
    // Thresholds are not saved.
    assert_eq!(
        server_line(d.with_thresholds(100, 10).with_weight(65535)),
        "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -g -w 65535"
    );
    assert_eq!(
        server_line(
            RealServer::new(sa("[2001:db8::2]:80"))
                .with_forward(ForwardMethod::Tunnel(Tunnel::IPIP))
        ),
        "-a -t 10.0.0.1:80 -r [2001:db8::2]:80 -i -w 1 --tun-type ipip"
    );
}

#[test]
fn tunnels() {
    let tunnel = |t: Tunnel| {
        server_line(RealServer::new(sa("10.1.1.1:80")).with_forward(ForwardMethod::Tunnel(t)))
    };
    let prefix = "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -i -w 1";
    assert_eq!(tunnel(Tunnel::IPIP), format!("{prefix} --tun-type ipip"));
    assert_eq!(
        tunnel(Tunnel::gue(6080, TunnelChecksum::None)),
        format!("{prefix} --tun-type gue --tun-port 6080 --tun-nocsum")
    );
    assert_eq!(
        tunnel(Tunnel::gue(6080, TunnelChecksum::Checksum)),
        format!("{prefix} --tun-type gue --tun-port 6080 --tun-csum")
    );
    assert_eq!(
        tunnel(Tunnel::gue(1, TunnelChecksum::Remote)),
        format!("{prefix} --tun-type gue --tun-port 1 --tun-remcsum")
    );
    assert_eq!(
        tunnel(Tunnel::gre(TunnelChecksum::None)),
        format!("{prefix} --tun-type gre --tun-nocsum")
    );
    assert_eq!(
        tunnel(Tunnel::gre(TunnelChecksum::Checksum)),
        format!("{prefix} --tun-type gre --tun-csum")
    );
    assert_eq!(
        tunnel(Tunnel::new(
            TunnelKind::Other { kind: 7, port: 0 },
            TunnelChecksum::None
        )),
        prefix
    );
}

#[test]
fn services_and_servers_are_sorted() {
    let rs = |a: &str| RealServer::new(sa(a)).with_forward(ForwardMethod::Masquerade);
    let t = table(vec![
        (
            Service::new(ServiceKey::fwmark(2, Family::Ipv4)),
            vec![rs("10.9.0.1:0")],
        ),
        (
            Service::new(ServiceKey::tcp(sa("[2001:db8::1]:80"))),
            vec![
                rs("[2001:db8::3]:80"),
                rs("[2001:db8::2]:80"),
                RealServer::new(sa("10.0.0.1:80"))
                    .with_forward(ForwardMethod::Tunnel(Tunnel::IPIP)),
            ],
        ),
        (Service::new(ServiceKey::fwmark(1, Family::Ipv6)), vec![]),
        (Service::new(ServiceKey::udp(sa("10.0.0.1:53"))), vec![]),
        (
            Service::new(ServiceKey::tcp(sa("10.0.0.2:80"))),
            vec![
                rs("10.2.0.1:8080"),
                rs("10.1.0.1:8081"),
                rs("10.1.0.1:8080"),
            ],
        ),
        (Service::new(ServiceKey::tcp(sa("10.0.0.1:443"))), vec![]),
        (Service::new(ServiceKey::fwmark(1, Family::Ipv4)), vec![]),
    ]);
    let expected = "\
-A -t 10.0.0.1:443 -s wlc
-A -t 10.0.0.2:80 -s wlc
-a -t 10.0.0.2:80 -r 10.1.0.1:8080 -m -w 1
-a -t 10.0.0.2:80 -r 10.1.0.1:8081 -m -w 1
-a -t 10.0.0.2:80 -r 10.2.0.1:8080 -m -w 1
-A -u 10.0.0.1:53 -s wlc
-A -t [2001:db8::1]:80 -s wlc
-a -t [2001:db8::1]:80 -r 10.0.0.1:80 -i -w 1 --tun-type ipip
-a -t [2001:db8::1]:80 -r [2001:db8::2]:80 -m -w 1
-a -t [2001:db8::1]:80 -r [2001:db8::3]:80 -m -w 1
-A -f 1 -s wlc
-A -f 1 -6 -s wlc
-A -f 2 -s wlc
-a -f 2 -r 10.9.0.1:0 -m -w 1
";
    assert_eq!(save(&t), expected);
    // And it reads back to the same text.
    assert_eq!(save(&table_from_rules(expected).unwrap()), expected);
}
