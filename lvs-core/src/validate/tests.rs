use std::net::{IpAddr, SocketAddr};

use super::*;
use crate::error::Classify;
use crate::model::{ForwardMethod, Scheduler, Tunnel, TunnelChecksum};

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn tcp(s: &str) -> ServiceKey {
    ServiceKey::tcp(addr(s))
}

/// The field of an `Invalid` error, or a panic naming what came instead.
fn invalid_field(result: Result<(), Error>) -> &'static str {
    match result {
        Err(Error::Invalid { field, .. }) => field,
        other => panic!("expected Error::Invalid, got {other:?}"),
    }
}

/// The field and value of an `OutOfRange` error.
fn out_of_range(result: Result<(), Error>) -> (&'static str, i64) {
    match result {
        Err(Error::OutOfRange { field, value, .. }) => (field, value),
        other => panic!("expected Error::OutOfRange, got {other:?}"),
    }
}

// --- services ---

#[test]
fn a_default_service_is_valid() {
    assert_eq!(validate_service(&Service::new(tcp("10.0.0.1:80"))), Ok(()));
    let v6 = Service::new(tcp("[2001:db8::1]:80")).with_netmask(Netmask::V6Prefix(64));
    assert_eq!(validate_service(&v6), Ok(()));
    let mark = Service::new(ServiceKey::fwmark(1, Family::Ipv6));
    assert_eq!(validate_service(&mark), Ok(()));
}

#[test]
fn scheduler_name_of_15_bytes_passes_and_16_is_invalid() {
    let ok = Service::new(tcp("10.0.0.1:80")).with_scheduler(Scheduler::Other("a".repeat(15)));
    assert_eq!(validate_service(&ok), Ok(()));
    let long = Service::new(tcp("10.0.0.1:80")).with_scheduler(Scheduler::Other("a".repeat(16)));
    assert_eq!(invalid_field(validate_service(&long)), "scheduler");
}

#[test]
fn empty_scheduler_name_is_invalid() {
    let s = Service::new(tcp("10.0.0.1:80")).with_scheduler(Scheduler::Other(String::new()));
    assert_eq!(invalid_field(validate_service(&s)), "scheduler");
}

#[test]
fn scheduler_name_with_nul_is_invalid() {
    let s = Service::new(tcp("10.0.0.1:80")).with_scheduler(Scheduler::Other("r\0r".into()));
    assert_eq!(invalid_field(validate_service(&s)), "scheduler");
}

#[test]
fn pe_name_of_16_bytes_passes_and_17_is_invalid() {
    let ok = Service::new(tcp("10.0.0.1:80")).with_pe_name("p".repeat(16));
    assert_eq!(validate_service(&ok), Ok(()));
    let long = Service::new(tcp("10.0.0.1:80")).with_pe_name("p".repeat(17));
    assert_eq!(invalid_field(validate_service(&long)), "pe_name");
}

#[test]
fn empty_pe_name_is_invalid() {
    let s = Service::new(tcp("10.0.0.1:80")).with_pe_name("");
    assert_eq!(invalid_field(validate_service(&s)), "pe_name");
}

#[test]
fn ipv6_prefix_must_be_1_to_128() {
    for bad in [0, 129, u32::MAX] {
        let s = Service::new(tcp("[2001:db8::1]:80")).with_netmask(Netmask::V6Prefix(bad));
        assert_eq!(
            invalid_field(validate_service(&s)),
            "netmask",
            "prefix {bad}"
        );
    }
    for good in [1, 128] {
        let s = Service::new(tcp("[2001:db8::1]:80")).with_netmask(Netmask::V6Prefix(good));
        assert_eq!(validate_service(&s), Ok(()));
    }
}

#[test]
fn ipv6_fwmark_service_checks_its_prefix_too() {
    let s = Service::new(ServiceKey::fwmark(3, Family::Ipv6)).with_netmask(Netmask::V6Prefix(0));
    assert_eq!(invalid_field(validate_service(&s)), "netmask");
}

#[test]
fn ipv6_service_with_ipv4_mask_is_invalid() {
    let s = Service::new(tcp("[2001:db8::1]:80"))
        .with_netmask(Netmask::V4("255.255.255.0".parse().unwrap()));
    assert_eq!(invalid_field(validate_service(&s)), "netmask");
}

#[test]
fn ipv4_service_with_ipv6_prefix_is_invalid() {
    let s = Service::new(tcp("10.0.0.1:80")).with_netmask(Netmask::V6Prefix(24));
    assert_eq!(invalid_field(validate_service(&s)), "netmask");
}

#[test]
fn fwmark_0_is_invalid() {
    let s = Service::new(ServiceKey::fwmark(0, Family::Ipv4));
    assert_eq!(invalid_field(validate_service(&s)), "fwmark");
}

#[test]
fn persistence_timeout_that_would_wrap_in_ticks_is_out_of_range() {
    let ok = Service::new(tcp("10.0.0.1:80")).persistent(MAX_PERSISTENCE_TIMEOUT);
    assert_eq!(validate_service(&ok), Ok(()));
    let s = Service::new(tcp("10.0.0.1:80")).persistent(MAX_PERSISTENCE_TIMEOUT + 1);
    assert_eq!(
        out_of_range(validate_service(&s)),
        ("timeout", i64::from(MAX_PERSISTENCE_TIMEOUT) + 1)
    );
}

// --- real servers ---

#[test]
fn a_default_real_server_is_valid() {
    let rs = RealServer::new(addr("192.168.1.1:80"));
    assert_eq!(validate_server(&tcp("10.0.0.1:80"), &rs), Ok(()));
    let quiescent = rs.with_weight(0);
    assert_eq!(validate_server(&tcp("10.0.0.1:80"), &quiescent), Ok(()));
}

#[test]
fn weight_above_i32_max_is_out_of_range() {
    let ok = RealServer::new(addr("192.168.1.1:80")).with_weight(i32::MAX as u32);
    assert_eq!(validate_server(&tcp("10.0.0.1:80"), &ok), Ok(()));
    let rs = RealServer::new(addr("192.168.1.1:80")).with_weight(1 << 31);
    assert_eq!(
        out_of_range(validate_server(&tcp("10.0.0.1:80"), &rs)),
        ("weight", 1 << 31)
    );
}

#[test]
fn lower_threshold_above_upper_is_out_of_range() {
    let rs = RealServer::new(addr("192.168.1.1:80")).with_thresholds(10, 11);
    assert_eq!(
        out_of_range(validate_server(&tcp("10.0.0.1:80"), &rs)),
        ("lower_threshold", 11)
    );
    let equal = RealServer::new(addr("192.168.1.1:80")).with_thresholds(10, 10);
    assert_eq!(validate_server(&tcp("10.0.0.1:80"), &equal), Ok(()));
}

#[test]
fn lower_threshold_without_upper_is_out_of_range() {
    let rs = RealServer::new(addr("192.168.1.1:80")).with_thresholds(0, 5);
    assert_eq!(
        out_of_range(validate_server(&tcp("10.0.0.1:80"), &rs)),
        ("lower_threshold", 5)
    );
}

#[test]
fn gue_tunnel_without_port_is_invalid() {
    let gue = |port| {
        RealServer::new(addr("192.168.1.1:80")).with_forward(ForwardMethod::Tunnel(Tunnel::gue(
            port,
            TunnelChecksum::None,
        )))
    };
    assert_eq!(
        invalid_field(validate_server(&tcp("10.0.0.1:80"), &gue(0))),
        "tunnel port"
    );
    assert_eq!(validate_server(&tcp("10.0.0.1:80"), &gue(6080)), Ok(()));
}

#[test]
fn other_family_without_tunnel_is_invalid() {
    let rs = RealServer::new(addr("[2001:db8::5]:80")).with_forward(ForwardMethod::Masquerade);
    assert_eq!(
        invalid_field(validate_server(&tcp("10.0.0.1:80"), &rs)),
        "addr"
    );
    let mark4 = ServiceKey::fwmark(7, Family::Ipv4);
    assert_eq!(invalid_field(validate_server(&mark4, &rs)), "addr");
}

#[test]
fn other_family_with_tunnel_is_valid() {
    let rs =
        RealServer::new(addr("[2001:db8::5]:80")).with_forward(ForwardMethod::Tunnel(Tunnel::IPIP));
    assert_eq!(validate_server(&tcp("10.0.0.1:80"), &rs), Ok(()));
}

#[test]
fn forward_number_beyond_3_bits_is_invalid() {
    let rs = RealServer::new(addr("192.168.1.1:80")).with_forward(ForwardMethod::Other(9));
    assert_eq!(
        invalid_field(validate_server(&tcp("10.0.0.1:80"), &rs)),
        "forward"
    );
}

fn server_addr_result(ip: &str) -> Result<(), Error> {
    let ip: IpAddr = ip.parse().unwrap();
    let service = match ip {
        IpAddr::V4(_) => tcp("10.0.0.1:80"),
        IpAddr::V6(_) => tcp("[2001:db8::1]:80"),
    };
    validate_server(&service, &RealServer::new(SocketAddr::new(ip, 80)))
}

#[test]
fn ipv4_unspecified_is_not_unicast() {
    assert_eq!(invalid_field(server_addr_result("0.0.0.0")), "addr");
}

#[test]
fn ipv4_limited_broadcast_is_not_unicast() {
    assert_eq!(invalid_field(server_addr_result("255.255.255.255")), "addr");
}

#[test]
fn ipv4_multicast_is_not_unicast() {
    assert_eq!(invalid_field(server_addr_result("224.0.0.1")), "addr");
    assert_eq!(invalid_field(server_addr_result("239.255.255.255")), "addr");
}

#[test]
fn ipv4_unicast_and_loopback_are_accepted() {
    for ip in [
        "10.0.0.2",
        "127.0.0.1",
        "0.0.0.1",
        "240.0.0.1",
        "192.168.1.255",
    ] {
        assert_eq!(server_addr_result(ip), Ok(()), "{ip}");
    }
}

#[test]
fn ipv6_unspecified_is_not_unicast() {
    assert_eq!(invalid_field(server_addr_result("::")), "addr");
}

#[test]
fn ipv6_multicast_is_not_unicast() {
    assert_eq!(invalid_field(server_addr_result("ff02::1")), "addr");
}

#[test]
fn ipv6_link_local_is_refused() {
    assert_eq!(invalid_field(server_addr_result("fe80::1")), "addr");
    assert_eq!(invalid_field(server_addr_result("febf::1")), "addr");
}

#[test]
fn ipv6_ipv4_mapped_is_not_unicast() {
    assert_eq!(invalid_field(server_addr_result("::ffff:10.0.0.2")), "addr");
}

#[test]
fn ipv6_unicast_and_loopback_are_accepted() {
    for ip in ["2001:db8::2", "::1", "fc00::1", "fec0::1", "::10.0.0.2"] {
        assert_eq!(server_addr_result(ip), Ok(()), "{ip}");
    }
}

#[test]
fn family_is_checked_before_the_numbers_as_the_kernel_does() {
    let rs = RealServer::new(addr("[2001:db8::5]:80"))
        .with_forward(ForwardMethod::Masquerade)
        .with_weight(u32::MAX);
    assert_eq!(
        invalid_field(validate_server(&tcp("10.0.0.1:80"), &rs)),
        "addr"
    );
}

// --- timeouts ---

#[test]
fn timeouts_up_to_int_max_over_hz_are_valid() {
    assert_eq!(MAX_CONNECTION_TIMEOUT, 8_589_934);
    let t = Timeouts::new(MAX_CONNECTION_TIMEOUT, 0, MAX_CONNECTION_TIMEOUT);
    assert_eq!(validate_timeouts(&t), Ok(()));
}

#[test]
fn tcp_timeout_above_the_limit_is_invalid() {
    let t = Timeouts::new(MAX_CONNECTION_TIMEOUT + 1, 1, 1);
    assert_eq!(invalid_field(validate_timeouts(&t)), "tcp");
}

#[test]
fn tcp_fin_timeout_above_the_limit_is_invalid() {
    let t = Timeouts::new(1, u32::MAX, 1);
    assert_eq!(invalid_field(validate_timeouts(&t)), "tcp_fin");
}

#[test]
fn udp_timeout_above_the_limit_is_invalid() {
    let t = Timeouts::new(1, 1, MAX_CONNECTION_TIMEOUT + 1);
    assert_eq!(invalid_field(validate_timeouts(&t)), "udp");
}

// --- daemons ---

#[test]
fn master_and_backup_daemons_are_valid() {
    let m = SyncDaemon::new(DaemonRole::Master, "eth0").with_group("239.1.2.3".parse().unwrap());
    assert_eq!(validate_daemon(&m), Ok(()));
    let b =
        SyncDaemon::new(DaemonRole::Backup, "a".repeat(15)).with_group("ff15::81".parse().unwrap());
    assert_eq!(validate_daemon(&b), Ok(()));
}

#[test]
fn daemon_role_other_than_master_or_backup_is_invalid() {
    let d = SyncDaemon::new(DaemonRole::Other(3), "eth0");
    assert_eq!(invalid_field(validate_daemon(&d)), "role");
}

#[test]
fn daemon_interface_empty_is_invalid() {
    let d = SyncDaemon::new(DaemonRole::Master, "");
    assert_eq!(invalid_field(validate_daemon(&d)), "interface");
}

#[test]
fn daemon_interface_longer_than_15_bytes_is_invalid() {
    let d = SyncDaemon::new(DaemonRole::Master, "a".repeat(16));
    assert_eq!(invalid_field(validate_daemon(&d)), "interface");
}

#[test]
fn daemon_ipv4_group_must_be_multicast() {
    let d = SyncDaemon::new(DaemonRole::Master, "eth0").with_group("10.0.0.1".parse().unwrap());
    assert_eq!(invalid_field(validate_daemon(&d)), "group");
}

#[test]
fn daemon_ipv6_group_must_be_multicast() {
    let d = SyncDaemon::new(DaemonRole::Backup, "eth0").with_group("2001:db8::1".parse().unwrap());
    assert_eq!(invalid_field(validate_daemon(&d)), "group");
}

#[test]
fn a_prefix_length_becomes_the_mask_of_its_family() {
    use crate::model::Family;
    use std::net::Ipv4Addr;
    let mask = |len| Netmask::from_prefix(Family::Ipv4, len);
    assert_eq!(mask(24), Ok(Netmask::V4(Ipv4Addr::new(255, 255, 255, 0))));
    assert_eq!(mask(32), Ok(Netmask::V4(Ipv4Addr::BROADCAST)));
    assert_eq!(mask(0), Ok(Netmask::V4(Ipv4Addr::UNSPECIFIED)));
    assert_eq!(mask(1), Ok(Netmask::V4(Ipv4Addr::new(128, 0, 0, 0))));
    assert_eq!(mask(33).unwrap_err().kind(), crate::ErrorKind::OutOfRange);
    assert_eq!(
        mask(u32::MAX).unwrap_err().kind(),
        crate::ErrorKind::OutOfRange
    );
    assert_eq!(
        Netmask::from_prefix(Family::Ipv6, 64),
        Ok(Netmask::V6Prefix(64))
    );
    for bad in [0, 129, u32::MAX] {
        let e = Netmask::from_prefix(Family::Ipv6, bad).unwrap_err();
        assert!(
            matches!(
                e,
                Error::OutOfRange {
                    field: "netmask",
                    ..
                }
            ),
            "{e}"
        );
    }
    // What from_prefix builds always passes the service check.
    for len in 0..=32 {
        let s = Service::new(tcp("10.0.0.1:80")).with_netmask(mask(len).unwrap());
        assert_eq!(validate_service(&s), Ok(()));
    }
}

#[test]
fn wire_bytes_round_trip_by_family() {
    use crate::model::Family;
    use std::net::Ipv4Addr;
    let m = Netmask::V4(Ipv4Addr::new(255, 255, 255, 0));
    assert_eq!(m.to_wire(), [255, 255, 255, 0]);
    assert_eq!(Netmask::from_wire(Family::Ipv4, m.to_wire()), m);
    let p = Netmask::V6Prefix(64);
    assert_eq!(p.to_wire(), 64u32.to_ne_bytes());
    assert_eq!(Netmask::from_wire(Family::Ipv6, p.to_wire()), p);
}

#[test]
fn try_constructors_refuse_what_the_kernel_would_change() {
    use crate::model::Family;
    let e = ServiceKey::try_fwmark(0, Family::Ipv4).unwrap_err();
    assert!(
        matches!(
            e,
            Error::OutOfRange {
                field: "fwmark",
                value: 0,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("1 to 4294967295"), "{e}");
    assert_eq!(
        ServiceKey::try_fwmark(5, Family::Ipv6),
        Ok(ServiceKey::fwmark(5, Family::Ipv6))
    );
    assert_eq!(
        ForwardMethod::try_from_number(0),
        Ok(ForwardMethod::Masquerade)
    );
    assert_eq!(
        ForwardMethod::try_from_number(2),
        Ok(ForwardMethod::Tunnel(Tunnel::IPIP))
    );
    assert_eq!(
        ForwardMethod::try_from_number(7),
        Ok(ForwardMethod::Other(7))
    );
    let e = ForwardMethod::try_from_number(9).unwrap_err();
    assert!(
        matches!(
            e,
            Error::OutOfRange {
                field: "forward",
                value: 9,
                ..
            }
        ),
        "{e}"
    );
}
