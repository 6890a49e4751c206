//! Golden-byte tests: lvs's encoder against what Debian's ipvsadm sent, and lvs's decoder
//! against what the 6.1 kernel answered, for the same operations.

use std::net::SocketAddr;

use lvs_core::{
    ForwardMethod, KernelInfo, Netmask, RealServer, SchedFlags, Scheduler, Service, ServiceFlags,
    ServiceKey, Timeouts, Tunnel, TunnelChecksum,
};

use super::consts::{attr, cmd};
use super::golden_data::*;
use super::message::{find_attr, Request};
use super::nla::Attrs;
use super::{config, dest, service};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// The generic-netlink payload lvs sends for a request (genl header + attributes).
fn payload(r: &Request) -> Vec<u8> {
    let mut buf = Vec::new();
    r.encode_into(&mut buf, 0x20, 1);
    buf[16..].to_vec()
}

/// The attributes of a captured payload (after its 4-byte genl header).
fn attrs_of(bytes: &[u8]) -> &[u8] {
    &bytes[4..]
}

fn tcp_service() -> ServiceKey {
    ServiceKey::tcp(addr("192.0.2.10:80"))
}

fn udp6_service() -> Service {
    Service::new(ServiceKey::udp(addr("[2001:db8::1]:53")))
        .with_scheduler(Scheduler::Sh)
        .with_sched_flags(SchedFlags::SH_PORT)
        .persistent(120)
        .with_netmask(Netmask::V6Prefix(64))
}

fn fwmark_service() -> Service {
    Service::new(ServiceKey::fwmark(7, lvs_core::Family::Ipv4))
        .persistent(300)
        .with_netmask(Netmask::V4("255.255.255.0".parse().unwrap()))
        .with_pe_name("sip")
}

fn masq_server() -> RealServer {
    RealServer::new(addr("198.51.100.11:8080"))
        .with_forward(ForwardMethod::Masquerade)
        .with_weight(3)
        .with_thresholds(100, 10)
}

fn gue_server() -> RealServer {
    RealServer::new(addr("198.51.100.12:80")).with_forward(ForwardMethod::Tunnel(Tunnel::gue(
        6080,
        TunnelChecksum::Checksum,
    )))
}

#[test]
fn add_service_requests_match_ipvsadm_byte_for_byte() {
    let rr = Service::new(tcp_service()).with_scheduler(Scheduler::Rr);
    assert_eq!(payload(&Request::add_service(&rr)), hex(ADD_TCP_RR));
    assert_eq!(
        payload(&Request::add_service(&udp6_service())),
        hex(ADD_UDP6_SH)
    );
    assert_eq!(
        payload(&Request::add_service(&fwmark_service())),
        hex(ADD_FWM_SIP)
    );
}

#[test]
fn real_server_nests_match_ipvsadm_byte_for_byte() {
    // ipvsadm sends a full service nest with the dest (empty scheduler and all); lvs sends
    // only the service's identity, so only the dest nests are compared.
    for (server, captured) in [(masq_server(), ADD_DEST_MASQ), (gue_server(), ADD_DEST_GUE)] {
        let ours = payload(&Request::add_server(&tcp_service(), &server));
        let theirs = hex(captured);
        assert_eq!(ours[0], cmd::NEW_DEST);
        let our_dest = find_attr(attrs_of(&ours), attr::DEST).unwrap().unwrap();
        let their_dest = find_attr(attrs_of(&theirs), attr::DEST).unwrap().unwrap();
        assert_eq!(our_dest.payload, their_dest.payload, "{server:?}");
    }
}

#[test]
fn dest_dumps_and_timeouts_match_ipvsadm_byte_for_byte() {
    assert_eq!(
        payload(&Request::dump_servers(&tcp_service())),
        hex(DUMP_DESTS_TCP)
    );
    let fwm = ServiceKey::fwmark(7, lvs_core::Family::Ipv4);
    assert_eq!(payload(&Request::dump_servers(&fwm)), hex(DUMP_DESTS_FWM));
    let t = Timeouts::new(1000, 100, 200);
    assert_eq!(payload(&Request::set_timeouts(&t)), hex(SET_TIMEOUTS));
}

#[test]
fn kernel_service_replies_decode_to_the_services_ipvsadm_added() {
    let decode = |captured: &str| {
        let bytes = hex(captured);
        assert_eq!(
            bytes[0],
            cmd::NEW_SERVICE,
            "dump entries come as NEW_SERVICE"
        );
        let nest = find_attr(attrs_of(&bytes), attr::SERVICE).unwrap().unwrap();
        service::decode(&nest).unwrap()
    };
    let tcp = decode(SERVICE_TCP_REPLY);
    assert!(tcp.unknown.is_empty());
    let mut want = Service::new(tcp_service()).with_scheduler(Scheduler::Rr);
    want.flags |= ServiceFlags::HASHED;
    assert_eq!(tcp.entry.service, want);
    assert_eq!(tcp.entry.stats, lvs_core::Stats::default());

    let mut want = udp6_service();
    want.flags |= ServiceFlags::HASHED;
    assert_eq!(decode(SERVICE_UDP6_REPLY).entry.service, want);

    let mut want = fwmark_service();
    want.flags |= ServiceFlags::HASHED;
    assert_eq!(decode(SERVICE_FWM_REPLY).entry.service, want);
}

#[test]
fn kernel_dest_replies_decode_to_the_servers_ipvsadm_added() {
    let decode = |captured: &str| {
        let bytes = hex(captured);
        let nest = find_attr(attrs_of(&bytes), attr::DEST).unwrap().unwrap();
        dest::decode(&nest, lvs_core::Family::Ipv4).unwrap()
    };
    let masq = decode(DEST_MASQ_REPLY);
    assert_eq!(masq.entry.server, masq_server());
    assert_eq!((masq.entry.active_conns, masq.entry.inactive_conns), (0, 0));
    assert!(masq.unknown.is_empty());
    assert_eq!(decode(DEST_GUE_REPLY).entry.server, gue_server());
}

#[test]
fn kernel_config_and_info_replies_decode() {
    let bytes = hex(TIMEOUTS_REPLY);
    let t = config::decode_timeouts(Attrs::new(attrs_of(&bytes))).unwrap();
    assert_eq!(t, Timeouts::KERNEL_DEFAULT);
    let bytes = hex(INFO_REPLY);
    let info = config::decode_info(Attrs::new(attrs_of(&bytes))).unwrap();
    assert_eq!(info, KernelInfo::DEFAULT);
}

#[test]
fn every_truncation_of_a_kernel_reply_is_an_error_or_a_shorter_valid_nest() {
    // Cutting a reply anywhere must never panic; cut inside the service nest it must fail.
    let bytes = hex(SERVICE_UDP6_REPLY);
    for cut in 4..bytes.len() {
        let attrs = attrs_of(&bytes[..cut]);
        if let Ok(Some(nest)) = find_attr(attrs, attr::SERVICE) {
            let _ = service::decode(&nest);
        }
    }
    let nest_end = 4 + 300; // the nest is 0x12c bytes long
    for cut in 4..nest_end {
        let found = find_attr(attrs_of(&bytes[..cut]), attr::SERVICE);
        assert!(
            !matches!(found, Ok(Some(n)) if service::decode(&n).is_ok()),
            "a service nest cut at {cut} decoded"
        );
    }
}
