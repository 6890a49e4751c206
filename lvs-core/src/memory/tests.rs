use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::*;
use crate::model::{
    Family, ForwardMethod, Netmask, Scheduler, ServiceFlags, Tunnel, TunnelChecksum,
};
use crate::ops::{Operation, Outcome};

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn tcp(s: &str) -> ServiceKey {
    ServiceKey::tcp(addr(s))
}

fn rs(s: &str) -> RealServer {
    RealServer::new(addr(s))
}

fn invalid_field(result: Result<(), Error>) -> &'static str {
    match result {
        Err(Error::Invalid { field, .. }) => field,
        other => panic!("expected Error::Invalid, got {other:?}"),
    }
}

fn out_of_range_field(result: Result<(), Error>) -> &'static str {
    match result {
        Err(Error::OutOfRange { field, .. }) => field,
        other => panic!("expected Error::OutOfRange, got {other:?}"),
    }
}

/// A table with one TCP service on 10.0.0.1:80.
fn with_web() -> (MemoryIpvs, ServiceKey) {
    let ipvs = MemoryIpvs::new();
    let key = tcp("10.0.0.1:80");
    ipvs.add_service(&Service::new(key)).unwrap();
    (ipvs, key)
}

fn server_addrs(ipvs: &MemoryIpvs, key: &ServiceKey) -> Vec<SocketAddr> {
    ipvs.servers(key)
        .unwrap()
        .into_iter()
        .map(|e| e.server.addr)
        .collect()
}

// --- defaults ---

#[test]
fn memory_ipvs_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<MemoryIpvs>();
}

#[test]
fn a_fresh_table_has_the_kernels_defaults() {
    let ipvs = MemoryIpvs::default();
    assert_eq!(ipvs.info(), Ok(KernelInfo::DEFAULT));
    assert_eq!(ipvs.timeouts(), Ok(Timeouts::new(900, 120, 300)));
    assert_eq!(ipvs.services(), Ok(vec![]));
    assert_eq!(ipvs.daemons(), Ok(vec![]));
    assert_eq!(ipvs.table(), Table::default());
}

// --- services ---

#[test]
fn a_listed_service_carries_hashed_and_its_flags_with_zero_stats() {
    let ipvs = MemoryIpvs::new();
    let service = Service::new(tcp("10.0.0.1:80"))
        .with_scheduler(Scheduler::Rr)
        .persistent(360)
        .with_netmask(Netmask::V4(Ipv4Addr::new(255, 255, 255, 0)));
    ipvs.add_service(&service).unwrap();
    let entry = ipvs.service(&service.key).unwrap();
    let mut expected = service.clone();
    expected.flags |= ServiceFlags::HASHED;
    assert_eq!(entry.service, expected);
    assert_eq!(entry.stats, Stats::default());
    assert_eq!(ipvs.services().unwrap(), vec![entry]);
}

#[test]
fn hashed_given_on_add_is_not_kept_twice() {
    let ipvs = MemoryIpvs::new();
    let mut service = Service::new(tcp("10.0.0.1:80"));
    service.flags = ServiceFlags::HASHED | ServiceFlags::ONE_PACKET;
    ipvs.add_service(&service).unwrap();
    assert_eq!(
        ipvs.service(&service.key).unwrap().service.flags,
        ServiceFlags::HASHED | ServiceFlags::ONE_PACKET
    );
    assert_eq!(
        ipvs.table().services[0].service.flags,
        ServiceFlags::ONE_PACKET
    );
}

#[test]
fn adding_an_existing_service_is_service_exists() {
    let (ipvs, key) = with_web();
    assert_eq!(
        ipvs.add_service(&Service::new(key)),
        Err(Error::ServiceExists(key))
    );
}

#[test]
fn existence_is_checked_before_the_scheduler() {
    let (ipvs, key) = with_web();
    let unknown = Service::new(key).with_scheduler(Scheduler::Other("nope".into()));
    assert_eq!(ipvs.add_service(&unknown), Err(Error::ServiceExists(key)));
}

#[test]
fn an_overlong_scheduler_name_is_invalid_before_anything_else() {
    let (ipvs, key) = with_web();
    let long = Service::new(key).with_scheduler(Scheduler::Other("x".repeat(16)));
    assert_eq!(invalid_field(ipvs.add_service(&long)), "scheduler");
    let missing = Service::new(tcp("10.9.9.9:80")).with_scheduler(Scheduler::Other("x".repeat(16)));
    assert_eq!(invalid_field(ipvs.edit_service(&missing)), "scheduler");
}

#[test]
fn an_overlong_pe_name_is_invalid() {
    let ipvs = MemoryIpvs::new();
    let s = Service::new(tcp("10.0.0.1:80")).with_pe_name("p".repeat(17));
    assert_eq!(invalid_field(ipvs.add_service(&s)), "pe_name");
}

#[test]
fn an_unknown_scheduler_is_scheduler_not_found() {
    let ipvs = MemoryIpvs::new();
    let s = Service::new(tcp("10.0.0.1:80")).with_scheduler(Scheduler::Other("fancy".into()));
    assert_eq!(
        ipvs.add_service(&s),
        Err(Error::SchedulerNotFound {
            name: "fancy".into()
        })
    );
    assert_eq!(ipvs.services(), Ok(vec![]));
}

#[test]
fn an_empty_scheduler_name_is_scheduler_not_found() {
    let ipvs = MemoryIpvs::new();
    let s = Service::new(tcp("10.0.0.1:80")).with_scheduler(Scheduler::Other(String::new()));
    assert_eq!(
        ipvs.add_service(&s),
        Err(Error::SchedulerNotFound {
            name: String::new()
        })
    );
}

#[test]
fn every_linux_scheduler_and_none_are_accepted_and_listed_by_name() {
    let ipvs = MemoryIpvs::new();
    let all = Scheduler::KNOWN.iter().chain([&Scheduler::None]);
    for (port, scheduler) in (1u16..).zip(all) {
        let key = ServiceKey::tcp(SocketAddr::new([10, 0, 0, 1].into(), port));
        ipvs.add_service(&Service::new(key).with_scheduler(scheduler.clone()))
            .unwrap();
        assert_eq!(&ipvs.service(&key).unwrap().service.scheduler, scheduler);
    }
    // A known name spelled as `Other` is the same scheduler to the kernel.
    let key = tcp("10.0.0.2:80");
    ipvs.add_service(&Service::new(key).with_scheduler(Scheduler::Other("rr".into())))
        .unwrap();
    assert_eq!(ipvs.service(&key).unwrap().service.scheduler, Scheduler::Rr);
}

#[test]
fn an_unknown_persistence_engine_is_scheduler_not_found_with_its_name() {
    let ipvs = MemoryIpvs::new();
    let s = Service::new(tcp("10.0.0.1:80"))
        .persistent(60)
        .with_pe_name("twos");
    assert_eq!(
        ipvs.add_service(&s),
        Err(Error::SchedulerNotFound {
            name: "twos".into()
        })
    );
}

#[test]
fn the_scheduler_is_checked_before_the_engine() {
    let ipvs = MemoryIpvs::new();
    let s = Service::new(tcp("10.0.0.1:80"))
        .with_scheduler(Scheduler::Other("fancy".into()))
        .with_pe_name("twos");
    assert_eq!(
        ipvs.add_service(&s),
        Err(Error::SchedulerNotFound {
            name: "fancy".into()
        })
    );
}

#[test]
fn sip_is_accepted_and_an_empty_engine_name_means_none() {
    let ipvs = MemoryIpvs::new();
    let sip = Service::new(tcp("10.0.0.1:5060"))
        .persistent(60)
        .with_pe_name("sip");
    ipvs.add_service(&sip).unwrap();
    let listed = ipvs.service(&sip.key).unwrap().service;
    assert_eq!(listed.pe_name.as_deref(), Some("sip"));

    let empty = Service::new(tcp("10.0.0.1:80")).with_pe_name("");
    ipvs.add_service(&empty).unwrap();
    assert_eq!(ipvs.service(&empty.key).unwrap().service.pe_name, None);
}

#[test]
fn an_ipv6_prefix_outside_1_to_128_is_invalid() {
    let ipvs = MemoryIpvs::new();
    for bad in [0, 129] {
        let s = Service::new(tcp("[2001:db8::1]:80")).with_netmask(Netmask::V6Prefix(bad));
        assert_eq!(invalid_field(ipvs.add_service(&s)), "netmask");
    }
    let fwm = Service::new(ServiceKey::fwmark(1, Family::Ipv6)).with_netmask(Netmask::V6Prefix(0));
    assert_eq!(invalid_field(ipvs.add_service(&fwm)), "netmask");
    assert_eq!(ipvs.services(), Ok(vec![]));
}

#[test]
fn the_netmask_travels_as_its_wire_bytes() {
    let ipvs = MemoryIpvs::new();
    // An IPv6 service given the mask 0.0.0.64 sends the bytes 0, 0, 0, 64, which the kernel
    // reads as a host-order number: on a little-endian host 0x40000000, out of 1..=128.
    let v6 =
        Service::new(tcp("[2001:db8::1]:80")).with_netmask(Netmask::V4(Ipv4Addr::new(0, 0, 0, 64)));
    let expected = u32::from_ne_bytes([0, 0, 0, 64]);
    if (1..=128).contains(&expected) {
        ipvs.add_service(&v6).unwrap();
        assert_eq!(
            ipvs.service(&v6.key).unwrap().service.netmask,
            Netmask::V6Prefix(expected)
        );
    } else {
        assert_eq!(invalid_field(ipvs.add_service(&v6)), "netmask");
    }
    // An IPv4 service given /24 sends 24 as a host-order u32; the kernel keeps those bytes
    // as the mask: 24.0.0.0 on a little-endian host (0.0.0.24 on a big-endian one).
    let v4 = Service::new(tcp("10.0.0.1:80")).with_netmask(Netmask::V6Prefix(24));
    ipvs.add_service(&v4).unwrap();
    assert_eq!(
        ipvs.service(&v4.key).unwrap().service.netmask,
        Netmask::V4(Ipv4Addr::from(24u32.to_ne_bytes()))
    );
    if cfg!(target_endian = "little") {
        assert_eq!(
            ipvs.service(&v4.key).unwrap().service.netmask,
            Netmask::V4(Ipv4Addr::new(24, 0, 0, 0))
        );
    }
}

#[test]
fn a_persistence_timeout_wraps_in_ticks_as_in_the_kernel() {
    let ipvs = MemoryIpvs::new();
    // 17179870 s × 250 = 4294967500 ticks, which wraps to 204 ticks: 0 s.
    let s = Service::new(tcp("10.0.0.1:80")).persistent(17_179_870);
    ipvs.add_service(&s).unwrap();
    assert_eq!(ipvs.service(&s.key).unwrap().service.timeout, 0);
}

#[test]
fn fwmark_0_is_filed_as_tcp_on_the_unspecified_address() {
    let ipvs = MemoryIpvs::new();
    let mark0 = ServiceKey::fwmark(0, Family::Ipv4);
    ipvs.add_service(&Service::new(mark0)).unwrap();
    let any = tcp("0.0.0.0:0");
    assert_eq!(ipvs.services().unwrap()[0].service.key, any);
    assert_eq!(
        ipvs.add_service(&Service::new(any)),
        Err(Error::ServiceExists(any))
    );
    assert_eq!(ipvs.service(&mark0).unwrap().service.key, any);
}

#[test]
fn fwmark_services_of_two_families_are_distinct() {
    let ipvs = MemoryIpvs::new();
    ipvs.add_service(&Service::new(ServiceKey::fwmark(5, Family::Ipv4)))
        .unwrap();
    ipvs.add_service(&Service::new(ServiceKey::fwmark(5, Family::Ipv6)))
        .unwrap();
    assert_eq!(ipvs.services().unwrap().len(), 2);
}

#[test]
fn ipv6_scope_ids_do_not_make_another_service() {
    let ipvs = MemoryIpvs::new();
    let plain = tcp("[2001:db8::1]:80");
    let scoped = tcp("[2001:db8::1%3]:80");
    ipvs.add_service(&Service::new(plain)).unwrap();
    assert_eq!(
        ipvs.add_service(&Service::new(scoped)),
        Err(Error::ServiceExists(scoped))
    );
}

#[test]
fn edit_replaces_everything_but_the_key_and_keeps_hashed() {
    let ipvs = MemoryIpvs::new();
    let key = tcp("10.0.0.1:80");
    let first = Service::new(key)
        .with_scheduler(Scheduler::Sh)
        .persistent(300)
        .with_netmask(Netmask::V4(Ipv4Addr::new(255, 255, 0, 0)))
        .with_pe_name("sip");
    ipvs.add_service(&first).unwrap();
    let second = Service::new(key).with_scheduler(Scheduler::Rr).one_packet();
    ipvs.edit_service(&second).unwrap();
    let listed = ipvs.service(&key).unwrap().service;
    let mut expected = second.clone();
    expected.flags |= ServiceFlags::HASHED;
    assert_eq!(listed, expected);
}

#[test]
fn editing_a_missing_service_is_service_not_found_before_the_scheduler() {
    let ipvs = MemoryIpvs::new();
    let key = tcp("10.0.0.1:80");
    let s = Service::new(key).with_scheduler(Scheduler::Other("nope".into()));
    assert_eq!(ipvs.edit_service(&s), Err(Error::ServiceNotFound(key)));
}

#[test]
fn a_refused_edit_changes_nothing() {
    let (ipvs, key) = with_web();
    let before = ipvs.services().unwrap();
    let s = Service::new(key).with_scheduler(Scheduler::Other("nope".into()));
    assert_eq!(
        ipvs.edit_service(&s),
        Err(Error::SchedulerNotFound {
            name: "nope".into()
        })
    );
    let v6 = tcp("[2001:db8::1]:80");
    ipvs.add_service(&Service::new(v6)).unwrap();
    let bad = Service::new(v6).with_netmask(Netmask::V6Prefix(200));
    assert_eq!(invalid_field(ipvs.edit_service(&bad)), "netmask");
    assert_eq!(ipvs.service(&key).unwrap(), before[0]);
    assert_eq!(
        ipvs.service(&v6).unwrap().service.netmask,
        Netmask::V6Prefix(128)
    );
}

#[test]
fn deleting_a_missing_service_is_service_not_found() {
    let ipvs = MemoryIpvs::new();
    let key = tcp("10.0.0.1:80");
    assert_eq!(ipvs.delete_service(&key), Err(Error::ServiceNotFound(key)));
}

#[test]
fn getting_a_missing_service_is_service_not_found() {
    let ipvs = MemoryIpvs::new();
    let key = ServiceKey::fwmark(9, Family::Ipv4);
    assert_eq!(ipvs.service(&key), Err(Error::ServiceNotFound(key)));
}

#[test]
fn services_are_listed_in_lvs_order() {
    let ipvs = MemoryIpvs::new();
    for key in [
        ServiceKey::fwmark(1, Family::Ipv4),
        tcp("10.0.0.2:80"),
        tcp("10.0.0.1:80"),
    ] {
        ipvs.add_service(&Service::new(key)).unwrap();
    }
    let keys: Vec<String> = ipvs
        .services()
        .unwrap()
        .iter()
        .map(|e| e.service.key.to_string())
        .collect();
    assert_eq!(keys, ["TCP 10.0.0.1:80", "TCP 10.0.0.2:80", "FWM 1"]);
}

// --- real servers ---

#[test]
fn servers_of_a_missing_service_are_an_empty_list() {
    let ipvs = MemoryIpvs::new();
    assert_eq!(ipvs.servers(&tcp("10.0.0.1:80")), Ok(vec![]));
}

#[test]
fn server_operations_on_a_missing_service_are_service_not_found_first() {
    let ipvs = MemoryIpvs::new();
    let key = tcp("10.0.0.1:80");
    let bad = rs("224.0.0.1:80")
        .with_weight(u32::MAX)
        .with_thresholds(0, 9);
    assert_eq!(
        ipvs.add_server(&key, &bad),
        Err(Error::ServiceNotFound(key))
    );
    assert_eq!(
        ipvs.edit_server(&key, &bad),
        Err(Error::ServiceNotFound(key))
    );
    assert_eq!(
        ipvs.delete_server(&key, &bad.addr),
        Err(Error::ServiceNotFound(key))
    );
}

#[test]
fn a_listed_server_has_what_was_added_and_no_connections() {
    let (ipvs, key) = with_web();
    let server = rs("192.168.1.1:80")
        .with_forward(ForwardMethod::Masquerade)
        .with_weight(5)
        .with_thresholds(100, 50);
    ipvs.add_server(&key, &server).unwrap();
    assert_eq!(ipvs.servers(&key), Ok(vec![RealServerEntry::new(server)]));
}

#[test]
fn a_weight_above_i32_max_is_out_of_range() {
    let (ipvs, key) = with_web();
    let s = rs("192.168.1.1:80").with_weight(1 << 31);
    assert_eq!(out_of_range_field(ipvs.add_server(&key, &s)), "weight");
}

#[test]
fn a_lower_threshold_above_the_upper_is_out_of_range() {
    let (ipvs, key) = with_web();
    let s = rs("192.168.1.1:80").with_thresholds(0, 1);
    assert_eq!(
        out_of_range_field(ipvs.add_server(&key, &s)),
        "lower_threshold"
    );
}

#[test]
fn a_gue_tunnel_without_port_is_invalid() {
    let (ipvs, key) = with_web();
    let s = rs("192.168.1.1:80")
        .with_forward(ForwardMethod::Tunnel(Tunnel::gue(0, TunnelChecksum::None)));
    assert_eq!(invalid_field(ipvs.add_server(&key, &s)), "tunnel port");
}

#[test]
fn a_server_address_that_is_not_unicast_is_invalid() {
    let (ipvs, key) = with_web();
    for bad in ["0.0.0.0:80", "255.255.255.255:80", "239.1.1.1:80"] {
        assert_eq!(
            invalid_field(ipvs.add_server(&key, &rs(bad))),
            "addr",
            "{bad}"
        );
    }
    let v6 = tcp("[2001:db8::1]:80");
    ipvs.add_service(&Service::new(v6)).unwrap();
    for bad in [
        "[::]:80",
        "[ff02::1]:80",
        "[fe80::1]:80",
        "[::ffff:10.0.0.1]:80",
    ] {
        assert_eq!(
            invalid_field(ipvs.add_server(&v6, &rs(bad))),
            "addr",
            "{bad}"
        );
    }
    assert_eq!(server_addrs(&ipvs, &key), vec![]);
}

#[test]
fn a_server_of_another_family_must_be_tunnelled() {
    let (ipvs, key) = with_web();
    let v6 = rs("[2001:db8::5]:80").with_forward(ForwardMethod::DirectRoute);
    assert_eq!(invalid_field(ipvs.add_server(&key, &v6)), "addr");
    let tunnelled = v6.with_forward(ForwardMethod::Tunnel(Tunnel::IPIP));
    ipvs.add_server(&key, &tunnelled).unwrap();
    // Changing it to direct routing is refused the same way.
    assert_eq!(invalid_field(ipvs.edit_server(&key, &v6)), "addr");
}

#[test]
fn the_family_is_checked_before_the_numbers() {
    let (ipvs, key) = with_web();
    let s = rs("[2001:db8::5]:80").with_weight(u32::MAX);
    assert_eq!(invalid_field(ipvs.add_server(&key, &s)), "addr");
}

#[test]
fn the_numbers_are_checked_before_existence() {
    let (ipvs, key) = with_web();
    ipvs.add_server(&key, &rs("192.168.1.1:80")).unwrap();
    let s = rs("192.168.1.1:80").with_weight(u32::MAX);
    assert_eq!(out_of_range_field(ipvs.add_server(&key, &s)), "weight");
    let missing = rs("192.168.1.9:80").with_thresholds(1, 2);
    assert_eq!(
        out_of_range_field(ipvs.edit_server(&key, &missing)),
        "lower_threshold"
    );
}

#[test]
fn existence_is_checked_before_the_address_class() {
    let ipvs = MemoryIpvs::new();
    let key = tcp("10.0.0.1:80");
    ipvs.add_service(&Service::new(key)).unwrap();
    // An address the kernel refuses can only be found by edit: edit does not classify it.
    let bad = rs("239.1.1.1:80");
    assert_eq!(
        ipvs.edit_server(&key, &bad),
        Err(Error::ServerNotFound {
            service: key,
            server: bad.addr
        })
    );
}

#[test]
fn adding_an_existing_server_is_server_exists() {
    let (ipvs, key) = with_web();
    let s = rs("192.168.1.1:80");
    ipvs.add_server(&key, &s).unwrap();
    assert_eq!(
        ipvs.add_server(&key, &s.with_weight(3)),
        Err(Error::ServerExists {
            service: key,
            server: s.addr
        })
    );
    // Another port of the same address is another server.
    ipvs.add_server(&key, &rs("192.168.1.1:8080")).unwrap();
}

#[test]
fn editing_or_deleting_a_missing_server_is_server_not_found() {
    let (ipvs, key) = with_web();
    let s = rs("192.168.1.1:80");
    let missing = Err(Error::ServerNotFound {
        service: key,
        server: s.addr,
    });
    assert_eq!(ipvs.edit_server(&key, &s), missing);
    assert_eq!(ipvs.delete_server(&key, &s.addr), missing);
}

#[test]
fn edit_server_replaces_forwarding_weight_and_thresholds_in_place() {
    let (ipvs, key) = with_web();
    ipvs.add_server(&key, &rs("192.168.1.1:80")).unwrap();
    ipvs.add_server(&key, &rs("192.168.1.2:80")).unwrap();
    let changed = rs("192.168.1.1:80")
        .with_forward(ForwardMethod::Masquerade)
        .with_weight(0)
        .with_thresholds(10, 5);
    ipvs.edit_server(&key, &changed).unwrap();
    let listed = ipvs.servers(&key).unwrap();
    assert_eq!(listed[1].server, changed);
    assert_eq!(listed[0].server.addr, addr("192.168.1.2:80"));
}

#[test]
fn servers_are_listed_newest_first() {
    let (ipvs, key) = with_web();
    for a in ["192.168.1.1:80", "192.168.1.3:80", "192.168.1.2:80"] {
        ipvs.add_server(&key, &rs(a)).unwrap();
    }
    assert_eq!(
        server_addrs(&ipvs, &key),
        [
            addr("192.168.1.2:80"),
            addr("192.168.1.3:80"),
            addr("192.168.1.1:80")
        ]
    );
}

#[test]
fn a_deleted_server_can_be_added_again_and_weight_0_is_accepted() {
    let (ipvs, key) = with_web();
    let s = rs("192.168.1.1:80");
    ipvs.add_server(&key, &s).unwrap();
    ipvs.delete_server(&key, &s.addr).unwrap();
    assert_eq!(server_addrs(&ipvs, &key), vec![]);
    ipvs.add_server(&key, &s.with_weight(0)).unwrap();
    assert_eq!(ipvs.servers(&key).unwrap()[0].server.weight, 0);
}

#[test]
fn forwarding_numbers_keep_3_bits() {
    let (ipvs, key) = with_web();
    let s = rs("192.168.1.1:80").with_forward(ForwardMethod::Other(10));
    ipvs.add_server(&key, &s).unwrap();
    assert_eq!(
        ipvs.servers(&key).unwrap()[0].server.forward,
        ForwardMethod::Tunnel(Tunnel::IPIP)
    );
}

#[test]
fn deleting_a_service_deletes_its_servers() {
    let (ipvs, key) = with_web();
    ipvs.add_server(&key, &rs("192.168.1.1:80")).unwrap();
    ipvs.delete_service(&key).unwrap();
    assert_eq!(ipvs.servers(&key), Ok(vec![]));
    ipvs.add_service(&Service::new(key)).unwrap();
    assert_eq!(ipvs.servers(&key), Ok(vec![]));
}

// --- zero, flush, timeouts ---

#[test]
fn zeroing_a_missing_service_is_service_not_found() {
    let (ipvs, key) = with_web();
    let missing = tcp("10.0.0.2:80");
    assert_eq!(
        ipvs.zero(Some(&missing)),
        Err(Error::ServiceNotFound(missing))
    );
    assert_eq!(ipvs.zero(Some(&key)), Ok(()));
    assert_eq!(ipvs.zero(None), Ok(()));
    assert_eq!(MemoryIpvs::new().zero(None), Ok(()));
}

#[test]
fn flush_deletes_every_service_and_keeps_timeouts_and_daemons() {
    let (ipvs, key) = with_web();
    ipvs.add_server(&key, &rs("192.168.1.1:80")).unwrap();
    ipvs.set_timeouts(&Timeouts::new(10, 0, 0)).unwrap();
    ipvs.start_daemon(&SyncDaemon::new(DaemonRole::Master, "lo"))
        .unwrap();
    ipvs.flush().unwrap();
    assert_eq!(ipvs.services(), Ok(vec![]));
    assert_eq!(ipvs.servers(&key), Ok(vec![]));
    assert_eq!(ipvs.timeouts(), Ok(Timeouts::new(10, 120, 300)));
    assert_eq!(ipvs.daemons().unwrap().len(), 1);
    assert_eq!(MemoryIpvs::new().flush(), Ok(()));
}

#[test]
fn a_zero_timeout_keeps_the_current_value() {
    let ipvs = MemoryIpvs::new();
    ipvs.set_timeouts(&Timeouts::new(0, 30, 0)).unwrap();
    assert_eq!(ipvs.timeouts(), Ok(Timeouts::new(900, 30, 300)));
    ipvs.set_timeouts(&Timeouts::new(1, 2, 3)).unwrap();
    assert_eq!(ipvs.timeouts(), Ok(Timeouts::new(1, 2, 3)));
}

#[test]
fn a_timeout_above_the_limit_is_invalid_and_changes_nothing() {
    let ipvs = MemoryIpvs::new();
    let t = Timeouts::new(5, 5, 8_589_935);
    assert_eq!(invalid_field(ipvs.set_timeouts(&t)), "udp");
    assert_eq!(ipvs.timeouts(), Ok(Timeouts::KERNEL_DEFAULT));
}

// --- daemons ---

fn master(interface: &str) -> SyncDaemon {
    SyncDaemon::new(DaemonRole::Master, interface)
}

fn backup(interface: &str) -> SyncDaemon {
    SyncDaemon::new(DaemonRole::Backup, interface)
}

#[test]
fn a_master_lists_the_kernels_defaults() {
    let ipvs = MemoryIpvs::new();
    ipvs.start_daemon(&master("lo").with_sync_id(7)).unwrap();
    let expected = master("lo")
        .with_sync_id(7)
        .with_group(IpAddr::V4(Ipv4Addr::new(224, 0, 0, 81)))
        .with_port(8848)
        .with_ttl(1)
        .with_max_len(1472);
    assert_eq!(ipvs.daemons(), Ok(vec![expected]));
}

#[test]
fn a_master_with_an_ipv6_group_has_room_for_the_ipv6_header() {
    let ipvs = MemoryIpvs::new();
    ipvs.start_daemon(&master("lo").with_group("ff02::81".parse().unwrap()))
        .unwrap();
    assert_eq!(ipvs.daemons().unwrap()[0].max_len, Some(1452));
}

#[test]
fn a_backup_takes_its_length_from_the_interface_mtu() {
    let ipvs = MemoryIpvs::new()
        .with_interface("jumbo0", 9000)
        .with_interfaces(["eth0"])
        .with_interface("tiny0", 576);
    ipvs.start_daemon(&backup("lo")).unwrap();
    assert_eq!(ipvs.daemons().unwrap()[0].max_len, Some(65507));
    for (interface, expected) in [("jumbo0", 8972), ("eth0", 1472), ("tiny0", 1472)] {
        ipvs.stop_daemon(DaemonRole::Backup).unwrap();
        ipvs.start_daemon(&backup(interface)).unwrap();
        assert_eq!(
            ipvs.daemons().unwrap()[0].max_len,
            Some(expected),
            "{interface}"
        );
    }
}

#[test]
fn a_given_length_is_clamped_as_the_kernel_does() {
    let ipvs = MemoryIpvs::new();
    ipvs.start_daemon(&master("lo").with_max_len(65535))
        .unwrap();
    ipvs.start_daemon(&backup("lo").with_max_len(100)).unwrap();
    let lens: Vec<_> = ipvs.daemons().unwrap().iter().map(|d| d.max_len).collect();
    assert_eq!(lens, [Some(65507), Some(1024)]);
    ipvs.stop_daemon(DaemonRole::Master).unwrap();
    // A length of 0, a port of 0 and a TTL of 0 mean "the default".
    let zeros = master("lo").with_max_len(0).with_port(0).with_ttl(0);
    ipvs.start_daemon(&zeros).unwrap();
    let listed = &ipvs.daemons().unwrap()[0];
    assert_eq!(
        (listed.max_len, listed.port, listed.ttl),
        (Some(1472), Some(8848), Some(1))
    );
}

#[test]
fn daemons_are_listed_master_first() {
    let ipvs = MemoryIpvs::new();
    ipvs.start_daemon(&backup("lo")).unwrap();
    ipvs.start_daemon(&master("lo")).unwrap();
    let roles: Vec<_> = ipvs.daemons().unwrap().iter().map(|d| d.role).collect();
    assert_eq!(roles, [DaemonRole::Master, DaemonRole::Backup]);
}

#[test]
fn starting_a_running_role_is_daemon_running() {
    let ipvs = MemoryIpvs::new();
    ipvs.start_daemon(&master("lo")).unwrap();
    assert_eq!(
        ipvs.start_daemon(&master("lo")),
        Err(Error::DaemonRunning(DaemonRole::Master))
    );
    ipvs.start_daemon(&backup("lo")).unwrap();
    assert_eq!(
        ipvs.start_daemon(&backup("lo")),
        Err(Error::DaemonRunning(DaemonRole::Backup))
    );
}

#[test]
fn stopping_a_role_that_does_not_run_is_daemon_not_running() {
    let ipvs = MemoryIpvs::new();
    assert_eq!(
        ipvs.stop_daemon(DaemonRole::Master),
        Err(Error::DaemonNotRunning(DaemonRole::Master))
    );
    ipvs.start_daemon(&master("lo")).unwrap();
    assert_eq!(
        ipvs.stop_daemon(DaemonRole::Backup),
        Err(Error::DaemonNotRunning(DaemonRole::Backup))
    );
    ipvs.stop_daemon(DaemonRole::Master).unwrap();
    assert_eq!(ipvs.daemons(), Ok(vec![]));
}

#[test]
fn an_unknown_interface_is_interface_not_found() {
    let ipvs = MemoryIpvs::new();
    assert_eq!(
        ipvs.start_daemon(&master("eth0")),
        Err(Error::InterfaceNotFound("eth0".into()))
    );
    assert_eq!(
        ipvs.start_daemon(&master("")),
        Err(Error::InterfaceNotFound(String::new()))
    );
    let declared = MemoryIpvs::new().with_interfaces(["eth0"]);
    assert_eq!(declared.start_daemon(&master("eth0")), Ok(()));
}

#[test]
fn an_overlong_interface_name_is_invalid() {
    let ipvs = MemoryIpvs::new();
    assert_eq!(
        invalid_field(ipvs.start_daemon(&master(&"e".repeat(16)))),
        "interface"
    );
}

#[test]
fn a_group_that_is_not_multicast_is_invalid() {
    let ipvs = MemoryIpvs::new();
    let v4 = master("lo").with_group("10.0.0.1".parse().unwrap());
    assert_eq!(invalid_field(ipvs.start_daemon(&v4)), "group");
    let v6 = backup("lo").with_group("2001:db8::1".parse().unwrap());
    assert_eq!(invalid_field(ipvs.start_daemon(&v6)), "group");
}

#[test]
fn another_role_is_invalid_after_the_interface_check() {
    let ipvs = MemoryIpvs::new();
    let other = SyncDaemon::new(DaemonRole::Other(3), "lo");
    assert_eq!(invalid_field(ipvs.start_daemon(&other)), "role");
    let nowhere = SyncDaemon::new(DaemonRole::Other(3), "eth9");
    assert_eq!(
        ipvs.start_daemon(&nowhere),
        Err(Error::InterfaceNotFound("eth9".into()))
    );
    assert_eq!(
        invalid_field(ipvs.stop_daemon(DaemonRole::Other(0))),
        "role"
    );
}

#[test]
fn no_daemon_starts_while_mixed_family_servers_exist() {
    let (ipvs, key) = with_web();
    let v6 = rs("[2001:db8::5]:80").with_forward(ForwardMethod::Tunnel(Tunnel::IPIP));
    ipvs.add_server(&key, &v6).unwrap();
    assert_eq!(invalid_field(ipvs.start_daemon(&master("lo"))), "daemon");
    ipvs.delete_server(&key, &v6.addr).unwrap();
    assert_eq!(ipvs.start_daemon(&master("lo")), Ok(()));
}

#[test]
fn no_mixed_family_server_is_added_while_a_daemon_runs() {
    let (ipvs, key) = with_web();
    ipvs.start_daemon(&backup("lo")).unwrap();
    let v6 = rs("[2001:db8::5]:80").with_forward(ForwardMethod::Tunnel(Tunnel::IPIP));
    assert_eq!(invalid_field(ipvs.add_server(&key, &v6)), "addr");
    // Servers of the service's own family are still fine.
    ipvs.add_server(&key, &rs("192.168.1.1:80")).unwrap();
}

// --- tables, snapshots, batches ---

#[test]
fn a_table_round_trips_sorted() {
    let web = VirtualService::new(
        Service::new(tcp("10.0.0.2:80")).with_scheduler(Scheduler::Rr),
        vec![rs("192.168.1.2:80"), rs("192.168.1.1:80")],
    );
    let dns = VirtualService::new(
        Service::new(ServiceKey::udp(addr("10.0.0.1:53"))).one_packet(),
        vec![rs("192.168.2.1:53").with_weight(2)],
    );
    let table = Table::new(vec![web.clone(), dns.clone()]);
    let ipvs = MemoryIpvs::from_table(&table).unwrap();
    let mut web_sorted = web;
    web_sorted.servers.reverse();
    assert_eq!(ipvs.table(), Table::new(vec![web_sorted, dns]));
}

#[test]
fn a_table_the_kernel_would_refuse_is_refused() {
    let key = tcp("10.0.0.1:80");
    let table = Table::new(vec![
        VirtualService::new(Service::new(key), vec![]),
        VirtualService::new(Service::new(key), vec![]),
    ]);
    assert_eq!(
        MemoryIpvs::from_table(&table).map(|_| ()),
        Err(Error::ServiceExists(key))
    );
}

#[test]
fn a_clone_is_an_independent_snapshot() {
    let (ipvs, key) = with_web();
    let copy = ipvs.clone();
    copy.delete_service(&key).unwrap();
    assert_eq!(ipvs.services().unwrap().len(), 1);
    assert_eq!(copy.services(), Ok(vec![]));
}

#[test]
fn apply_finishes_the_group_of_a_refusal_like_the_kernel() {
    // The kernel carries out every request of one send after a refusal: the fwmark service
    // after the duplicate real server is added, as by the kernel backend.
    let ipvs = MemoryIpvs::new();
    let key = tcp("10.0.0.1:80");
    let mark = ServiceKey::fwmark(3, Family::Ipv4);
    let ops = [
        Operation::AddService(Service::new(key)),
        Operation::AddServer(key, rs("192.168.1.1:80")),
        Operation::AddServer(key, rs("192.168.1.1:80")),
        Operation::AddService(Service::new(mark)),
    ];
    let err = ipvs.apply(&ops).unwrap_err();
    assert_eq!(
        err.outcomes,
        [
            Outcome::Applied,
            Outcome::Applied,
            Outcome::Failed(Error::ServerExists {
                service: key,
                server: addr("192.168.1.1:80")
            }),
            Outcome::Applied,
        ]
    );
    assert_eq!(ipvs.services().unwrap().len(), 2);
}

#[test]
fn apply_sends_no_group_after_the_one_that_failed() {
    let ipvs = MemoryIpvs::new();
    let key = tcp("10.0.0.1:80");
    let mut ops = vec![Operation::AddService(Service::new(key))];
    ops.push(Operation::AddService(Service::new(key)));
    ops.extend(
        (1..=100).map(|i| Operation::AddService(Service::new(ServiceKey::fwmark(i, Family::Ipv4)))),
    );
    let err = ipvs.apply(&ops).unwrap_err();
    assert_eq!(err.first_failure().map(|(i, _)| i), Some(1));
    assert_eq!(err.applied().len(), crate::ops::APPLY_GROUP - 1);
    assert_eq!(
        err.not_sent(),
        (crate::ops::APPLY_GROUP..ops.len()).collect::<Vec<_>>()
    );
    assert_eq!(ipvs.services().unwrap().len(), crate::ops::APPLY_GROUP - 1);
}

#[test]
fn a_whole_session_adds_edits_lists_deletes_readds_and_flushes() {
    let ipvs = MemoryIpvs::new();
    let web = tcp("10.0.0.1:80");
    let mark = ServiceKey::fwmark(42, Family::Ipv6);

    ipvs.add_service(&Service::new(web)).unwrap();
    ipvs.add_service(&Service::new(mark).persistent(600))
        .unwrap();
    ipvs.add_server(&web, &rs("192.168.1.1:80")).unwrap();
    ipvs.add_server(&web, &rs("192.168.1.2:80").with_weight(3))
        .unwrap();
    ipvs.add_server(&mark, &rs("[2001:db8::10]:0")).unwrap();
    assert_eq!(ipvs.services().unwrap().len(), 2);

    ipvs.edit_service(&Service::new(web).with_scheduler(Scheduler::Wrr))
        .unwrap();
    ipvs.edit_server(&web, &rs("192.168.1.1:80").with_weight(0))
        .unwrap();
    let listed = ipvs.servers(&web).unwrap();
    assert_eq!(
        listed.iter().map(|e| e.server.weight).collect::<Vec<_>>(),
        [3, 0]
    );
    assert_eq!(
        ipvs.service(&web).unwrap().service.scheduler,
        Scheduler::Wrr
    );

    ipvs.delete_server(&web, &addr("192.168.1.2:80")).unwrap();
    ipvs.delete_service(&mark).unwrap();
    assert_eq!(ipvs.service(&mark), Err(Error::ServiceNotFound(mark)));
    assert_eq!(server_addrs(&ipvs, &web), [addr("192.168.1.1:80")]);

    ipvs.add_service(&Service::new(mark)).unwrap();
    ipvs.add_server(&web, &rs("192.168.1.2:80")).unwrap();
    assert_eq!(ipvs.servers(&web).unwrap().len(), 2);
    assert_eq!(ipvs.servers(&mark), Ok(vec![]));

    ipvs.flush().unwrap();
    assert_eq!(ipvs.table(), Table::default());
    ipvs.add_service(&Service::new(web)).unwrap();
    assert_eq!(ipvs.servers(&web), Ok(vec![]));
}

mod sysctls {
    use super::*;
    use crate::error::{Classify, ErrorKind};
    use crate::sysctl::{self, SysctlSetting, SysctlValue};

    fn unavailable(result: Result<impl std::fmt::Debug, Error>) -> String {
        match result {
            Err(Error::SysctlUnavailable { name, kernel: None }) => name,
            other => panic!("expected SysctlUnavailable, got {other:?}"),
        }
    }

    #[test]
    fn a_fresh_namespace_has_every_knob_at_its_default() {
        let ipvs = MemoryIpvs::new();
        let listed = ipvs.sysctls().unwrap();
        let expected: Vec<SysctlSetting> = sysctl::KNOBS
            .iter()
            .map(|k| SysctlSetting::new(k.name, k.default_value()))
            .collect();
        assert_eq!(listed, expected);
        assert_eq!(
            ipvs.sysctl("net.ipv4.vs.sync_threshold"),
            Ok((3, 50).into())
        );
        assert_eq!(ipvs.sysctl("conn_reuse_mode"), Ok(1.into()));
    }

    #[test]
    fn an_older_kernel_lacks_the_newer_knobs() {
        let ipvs = MemoryIpvs::new().for_kernel(6, 1);
        assert_eq!(ipvs.sysctls().unwrap().len(), 29);
        assert_eq!(unavailable(ipvs.sysctl("est_nice")), "est_nice");
        assert_eq!(
            unavailable(ipvs.set_sysctl("est_nice", &5.into())),
            "est_nice"
        );
        // lvs's check comes first, as in the kernel backend.
        let e = ipvs.set_sysctl("est_nice", &50.into()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::OutOfRange);
        let text = Error::SysctlUnavailable {
            name: "est_nice".into(),
            kernel: Some("6.1.0-57-amd64".into()),
        }
        .to_string();
        assert_eq!(
            text,
            "net.ipv4.vs.est_nice is not available in this kernel (Linux 6.1.0-57-amd64; \
             it came in Linux 6.2)"
        );
    }

    #[test]
    fn values_are_set_and_read_back_and_refusals_change_nothing() {
        let ipvs = MemoryIpvs::new();
        ipvs.set_sysctl("sync_threshold", &"2 10".into()).unwrap();
        assert_eq!(ipvs.sysctl("sync_threshold"), Ok((2, 10).into()));
        ipvs.set_sysctl("sync_qlen_max", &SysctlValue::Integer(77))
            .unwrap();
        assert_eq!(ipvs.sysctl("sync_qlen_max"), Ok(77u64.into()));
        ipvs.set_sysctl("conntrack", &true.into()).unwrap();
        assert_eq!(ipvs.sysctl("conntrack"), Ok(1.into()));
        let before = ipvs.sysctls().unwrap();
        for (name, bad) in [
            ("sync_retries", SysctlValue::Integer(4)),
            ("sync_ports", 3.into()),
            ("sync_threshold", (9, 9).into()),
            ("est_cpulist", "0-".into()),
            ("conntrack", "yes".into()),
        ] {
            assert!(ipvs.set_sysctl(name, &bad).is_err(), "{name}={bad}");
        }
        assert_eq!(ipvs.sysctls().unwrap(), before);
    }

    #[test]
    fn cpu_lists_name_only_the_machines_cpus_and_read_as_the_kernel_prints() {
        let ipvs = MemoryIpvs::new().with_cpus(2);
        assert_eq!(ipvs.sysctl("est_cpulist"), Ok("0-1".into()));
        ipvs.set_sysctl("est_cpulist", &"1,0".into()).unwrap();
        assert_eq!(ipvs.sysctl("est_cpulist"), Ok("0-1".into()));
        ipvs.set_sysctl("est_cpulist", &"N".into()).unwrap();
        assert_eq!(ipvs.sysctl("est_cpulist"), Ok("1".into()));
        ipvs.set_sysctl("est_cpulist", &"".into()).unwrap();
        assert_eq!(ipvs.sysctl("est_cpulist"), Ok("".into()));
        let e = ipvs.set_sysctl("est_cpulist", &"0-2".into()).unwrap_err();
        assert!(
            matches!(&e, Error::SysctlRefused { name, value, .. } if name == "est_cpulist" && value == "0-2"),
            "{e:?}"
        );
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(ipvs.sysctl("est_cpulist"), Ok("".into()));
    }

    #[test]
    fn automatic_defense_modes_follow_the_memory_threshold() {
        let ipvs = MemoryIpvs::new();
        ipvs.set_sysctl("drop_entry", &2.into()).unwrap();
        assert_eq!(ipvs.sysctl("drop_entry"), Ok(1.into()));
        ipvs.set_sysctl("amemthresh", &(MODEL_FREE_PAGES + 1).into())
            .unwrap();
        ipvs.set_sysctl("secure_tcp", &1.into()).unwrap();
        assert_eq!(ipvs.sysctl("secure_tcp"), Ok(2.into()));
        ipvs.set_sysctl("drop_packet", &3.into()).unwrap();
        assert_eq!(ipvs.sysctl("drop_packet"), Ok(3.into()));
        // A mode set before the threshold changed follows it, as after the kernel's
        // once-a-second evaluation.
        assert_eq!(ipvs.sysctl("drop_entry"), Ok(2.into()));
        ipvs.set_sysctl("amemthresh", &1024.into()).unwrap();
        assert_eq!(ipvs.sysctl("drop_entry"), Ok(1.into()));
        assert_eq!(ipvs.sysctl("secure_tcp"), Ok(1.into()));
    }

    #[test]
    fn a_knob_lvs_does_not_know_is_read_and_written_by_name() {
        let ipvs = MemoryIpvs::new().with_sysctl("future_knob", "1\t2");
        assert_eq!(ipvs.sysctl("future_knob"), Ok("1 2".into()));
        ipvs.set_sysctl("net.ipv4.vs.future_knob", &"anything  at all".into())
            .unwrap();
        assert_eq!(ipvs.sysctl("future_knob"), Ok("anything at all".into()));
        ipvs.set_sysctl("future_knob", &SysctlValue::Integer(-3))
            .unwrap();
        assert_eq!(ipvs.sysctl("future_knob"), Ok("-3".into()));
        assert_eq!(unavailable(ipvs.sysctl("no_such_knob")), "no_such_knob");
        let e = ipvs.sysctl("../../kernel/hostname").unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: "sysctl name",
                    ..
                }
            ),
            "{e:?}"
        );
        let without = MemoryIpvs::new().without_sysctl("lblc_expiration");
        assert_eq!(
            unavailable(without.sysctl("lblc_expiration")),
            "lblc_expiration"
        );
    }

    #[test]
    fn sysctls_apply_as_operations_in_their_place() {
        let ipvs = MemoryIpvs::new();
        let ops = [
            Operation::SetSysctl(SysctlSetting::new("sync_ports", 4)),
            Operation::SetSysctl(SysctlSetting::new("sync_retries", 9)),
            Operation::SetSysctl(SysctlSetting::new("sync_version", 0)),
        ];
        let err = ipvs.apply(&ops).unwrap_err();
        assert!(matches!(err.outcomes[0], Outcome::Applied));
        assert!(matches!(
            err.outcomes[1],
            Outcome::Failed(Error::OutOfRange { .. })
        ));
        // The same group: still attempted, as the kernel does with a batch.
        assert!(matches!(err.outcomes[2], Outcome::Applied));
        assert_eq!(ipvs.sysctl("sync_ports"), Ok(4.into()));
        assert_eq!(ipvs.sysctl("sync_version"), Ok(0.into()));
        assert_eq!(ops[0].kind().name(), "set_sysctl");
    }
}
