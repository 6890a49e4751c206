//! Public functions of lvs-sys given extreme input: each answers (or refuses with a typed
//! error) instead of panicking. These need no kernel.

use std::time::Duration;

use lvs_core::{Classify, ErrorKind, Family, Netmask, RealServer, Service, ServiceKey};
use lvs_sys::codec::message::Request;
use lvs_sys::{Error, NetlinkIpvs, Options};

#[test]
fn names_over_64_kib_encode_without_panicking() {
    let huge = "s".repeat(70_000);
    let service = Service::new(ServiceKey::fwmark(1, Family::Ipv4))
        .with_scheduler(lvs_core::Scheduler::Other(huge.clone()))
        .with_pe_name(huge.clone());
    let request = Request::add_service(&service);
    let mut buf = Vec::new();
    request.encode_into(&mut buf, 0x20, 1);
    assert!(buf.len() < 65_536 + 64, "{} bytes", buf.len());
    let daemon = lvs_core::SyncDaemon::new(lvs_core::DaemonRole::Master, huge);
    Request::start_daemon(&daemon).encode_into(&mut buf, 0x20, 2);
}

#[test]
fn the_netmask_is_sent_as_its_wire_bytes() {
    // Persistence(300, 24)-style input on an IPv4 service: the bytes of 24 as a host-order
    // u32, which the kernel reads as the mask 24.0.0.0 on a little-endian host.
    let service = Service::new(ServiceKey::tcp("10.0.0.1:80".parse().unwrap()))
        .persistent(300)
        .with_netmask(Netmask::V6Prefix(24));
    let request = Request::add_service(&service);
    let needle = [
        8,
        0,
        9,
        0,
        24u32.to_ne_bytes()[0],
        24u32.to_ne_bytes()[1],
        24u32.to_ne_bytes()[2],
        24u32.to_ne_bytes()[3],
    ];
    assert!(
        request.attrs.windows(8).any(|w| w == needle),
        "{:?}",
        request.attrs
    );
    let _ = RealServer::new("10.0.0.2:80".parse().unwrap());
}

#[test]
fn a_missing_namespace_is_named_in_the_error() {
    let e = NetlinkIpvs::open_in_netns("/run/netns/lvs-test-nope").unwrap_err();
    assert!(matches!(e, Error::Netns { .. }), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Io);
    assert_eq!(e.errno(), Some(libc::ENOENT));
    let text = e.to_string();
    assert!(text.contains("/run/netns/lvs-test-nope"), "{text}");
    assert!(text.contains("no such file"), "{text}");
    assert!(!text.contains("os error"), "{text}");
}

#[test]
fn the_longest_timeout_opens_without_panicking() {
    // On a host without IPVS (or without privileges) opening fails with a typed error; it
    // must not panic on the deadline arithmetic.
    match NetlinkIpvs::open_with(&Options::default().timeout(Duration::MAX)) {
        Ok(ipvs) => {
            let _ = lvs_core::Ipvs::info(&ipvs);
        }
        Err(e) => {
            let _ = e.kind();
        }
    }
}
