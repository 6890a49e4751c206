//! What the kernel makes of input that lvs's faces refuse or map before sending: the
//! netmask of the other kind, firewall mark 0 and forwarding numbers above 7. Each case
//! shows the kernel's silent change (so that `MemoryIpvs` is checked to make the same one)
//! and that the fallible constructors refuse it before anything is sent.

use std::net::Ipv4Addr;
use std::time::Duration;

use lvs_core::{
    Classify, ErrorKind, Family, ForwardMethod, Ipvs, MemoryIpvs, Netmask, RealServer, Service,
    ServiceKey,
};

use crate::support::{require_ipvs_kernel, Netns};

fn vip() -> ServiceKey {
    ServiceKey::tcp("192.0.2.1:80".parse().unwrap())
}

#[test]
fn an_integer_netmask_on_ipv4_is_kept_as_its_wire_bytes() {
    require_ipvs_kernel();
    let ns = Netns::new("in-mask");
    let ipvs = ns.lvs();
    let memory = MemoryIpvs::new();
    // Persistence(300, 24) given as a prefix length on an IPv4 service.
    let service = Service::new(vip())
        .persistent(300)
        .with_netmask(Netmask::V6Prefix(24));
    ipvs.add_service(&service).unwrap();
    memory.add_service(&service).unwrap();
    let kernel = ipvs.service(&vip()).unwrap().service.netmask;
    assert_eq!(kernel, Netmask::V4(Ipv4Addr::from(24u32.to_ne_bytes())));
    if cfg!(target_endian = "little") {
        assert_eq!(kernel, Netmask::V4(Ipv4Addr::new(24, 0, 0, 0)));
        assert!(ns.ipvsadm(&["-Sn"]).contains("-M 24.0.0.0"));
    }
    assert_eq!(memory.service(&vip()).unwrap().service.netmask, kernel);

    // The faces' rule for a prefix length: /24 is the mask 255.255.255.0.
    let mapped = Service::new(vip())
        .persistent(300)
        .with_netmask(Netmask::from_prefix(Family::Ipv4, 24).unwrap());
    ipvs.edit_service(&mapped).unwrap();
    assert_eq!(
        ipvs.service(&vip()).unwrap().service.netmask,
        Netmask::V4(Ipv4Addr::new(255, 255, 255, 0))
    );
    assert!(ns.ipvsadm(&["-Sn"]).contains("-M 255.255.255.0"));
}

#[test]
fn an_ipv4_mask_on_ipv6_is_read_as_a_host_order_number() {
    require_ipvs_kernel();
    let ns = Netns::new("in-mask6");
    let ipvs = ns.lvs();
    let memory = MemoryIpvs::new();
    let key = ServiceKey::tcp("[2001:db8::1]:443".parse().unwrap());
    for mask in [Ipv4Addr::new(64, 0, 0, 0), Ipv4Addr::new(0, 0, 0, 64)] {
        let service = Service::new(key)
            .persistent(60)
            .with_netmask(Netmask::V4(mask));
        let (k, m) = (ipvs.add_service(&service), memory.add_service(&service));
        assert_eq!(
            k.as_ref().map_err(Classify::kind),
            m.as_ref().map_err(Classify::kind),
            "{mask}"
        );
        if k.is_ok() {
            assert_eq!(
                ipvs.service(&key).unwrap().service.netmask,
                memory.service(&key).unwrap().service.netmask
            );
            assert_eq!(
                ipvs.service(&key).unwrap().service.netmask,
                Netmask::V6Prefix(u32::from_ne_bytes(mask.octets()))
            );
            ipvs.delete_service(&key).unwrap();
            memory.delete_service(&key).unwrap();
        }
    }
}

#[test]
fn fwmark_0_becomes_tcp_on_the_unspecified_address_so_it_is_refused_first() {
    require_ipvs_kernel();
    let ns = Netns::new("in-fwm0");
    let ipvs = ns.lvs();
    let memory = MemoryIpvs::new();

    // The refusal path: nothing reaches the kernel.
    let e = ServiceKey::try_fwmark(0, Family::Ipv4).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert!(
        matches!(
            e,
            lvs_core::Error::OutOfRange {
                field: "fwmark",
                ..
            }
        ),
        "{e}"
    );
    let e =
        lvs_core::validate::validate_service(&Service::new(ServiceKey::fwmark(0, Family::Ipv4)))
            .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(ipvs.services().unwrap().is_empty());

    // Why: sent anyway, the kernel files it as TCP 0.0.0.0:0, and MemoryIpvs does the same.
    let mark0 = Service::new(ServiceKey::fwmark(0, Family::Ipv4));
    ipvs.add_service(&mark0).unwrap();
    memory.add_service(&mark0).unwrap();
    let any = ServiceKey::tcp("0.0.0.0:0".parse().unwrap());
    let listed: Vec<_> = ipvs
        .services()
        .unwrap()
        .into_iter()
        .map(|e| e.service.key)
        .collect();
    assert_eq!(listed, vec![any]);
    let in_memory: Vec<_> = memory
        .services()
        .unwrap()
        .into_iter()
        .map(|e| e.service.key)
        .collect();
    assert_eq!(in_memory, listed);
    // And a second add of the same mark-0 service fails as "exists" on both.
    assert_eq!(
        ipvs.add_service(&mark0).unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );
    assert_eq!(
        memory.add_service(&mark0).unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );
}

#[test]
fn forward_9_is_kept_as_local_so_it_is_refused_first() {
    require_ipvs_kernel();
    let ns = Netns::new("in-fwd9");
    let ipvs = ns.lvs();
    let memory = MemoryIpvs::new();
    assert_eq!(
        ForwardMethod::try_from_number(9).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    let service = Service::new(vip());
    ipvs.add_service(&service).unwrap();
    memory.add_service(&service).unwrap();
    let server =
        RealServer::new("198.51.100.1:80".parse().unwrap()).with_forward(ForwardMethod::Other(9));
    ipvs.add_server(&vip(), &server).unwrap();
    memory.add_server(&vip(), &server).unwrap();
    let kernel = ipvs.servers(&vip()).unwrap()[0].server.forward;
    assert_eq!(kernel, ForwardMethod::Local);
    assert_eq!(memory.servers(&vip()).unwrap()[0].server.forward, kernel);
}

#[test]
fn the_longest_timeout_works_without_panicking() {
    require_ipvs_kernel();
    let ns = Netns::new("in-timeout");
    let options = lvs_sys::Options::default()
        .timeout(Duration::MAX)
        .netns(ns.path());
    let ipvs = lvs_sys::NetlinkIpvs::open_with(&options).unwrap();
    assert!(ipvs.services().unwrap().is_empty());
    ipvs.info().unwrap();
}
