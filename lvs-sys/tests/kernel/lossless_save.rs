//! The lossless save against the kernel: random tables (every forwarding method, thresholds,
//! weights up to i32::MAX, tunnels with their flags, one-packet, port 0, netmasks, unknown
//! protocols and flags), timeouts and a sync daemon are applied to a namespace, read back,
//! saved and parsed: the text must give the same table, and a plan between the two must be
//! empty. What the kernel refuses is skipped: only what it holds is saved.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use lvs_core::plan::{plan, PlanOptions, Scope};
use lvs_core::rules::{save, table_from_rules};
use lvs_core::{
    DaemonRole, Family, ForwardMethod, Ipvs, Netmask, Protocol, RealServer, Scheduler, Service,
    ServiceFlags, ServiceKey, SyncDaemon, Table, Timeouts, Tunnel, TunnelChecksum, TunnelKind,
    VirtualService,
};
use proptest::prelude::*;

use crate::support::{require_ipvs_kernel, Netns};

const CASES: u32 = 300;

fn key() -> impl Strategy<Value = ServiceKey> {
    let v4 = (1u32..6).prop_map(|n| IpAddr::V4(Ipv4Addr::from(0xc000_0200 | n)));
    let v6 = (1u128..6).prop_map(|n| IpAddr::V6(Ipv6Addr::from((0x2001_0db8u128 << 96) | n)));
    let protocol = prop_oneof![
        3 => Just(Protocol::Tcp),
        2 => Just(Protocol::Udp),
        1 => Just(Protocol::Sctp),
        1 => (0u16..300).prop_map(Protocol::from_number),
    ];
    prop_oneof![
        4 => (protocol, prop_oneof![v4, v6], prop_oneof![Just(0u16), Just(80), any::<u16>()])
            .prop_map(|(protocol, ip, port)| ServiceKey::Addr {
                protocol,
                addr: SocketAddr::new(ip, port),
            }),
        1 => (prop_oneof![1u32..5, 1u32..=u32::MAX], any::<bool>()).prop_map(|(mark, v6)| {
            ServiceKey::fwmark(mark, if v6 { Family::Ipv6 } else { Family::Ipv4 })
        }),
    ]
}

fn service() -> impl Strategy<Value = Service> {
    (
        key(),
        proptest::sample::select(vec![
            Scheduler::Rr,
            Scheduler::Wlc,
            Scheduler::Sh,
            Scheduler::Mh,
        ]),
        prop_oneof![Just(0u32), Just(1), Just(4), Just(0x25), Just(0x40)],
        prop_oneof![Just(0u32), Just(300), Just(5_000_000), Just(17_179_869)],
        prop_oneof![Just(u32::MAX), Just(0xffff_ff00), any::<u32>()],
        1u32..=128,
        any::<bool>(),
    )
        .prop_map(|(key, scheduler, flags, timeout, mask, prefix, pe)| {
            let mut s = Service::new(key).with_scheduler(scheduler);
            s.flags = ServiceFlags::from_bits_retain(flags);
            s.timeout = timeout;
            s.netmask = match key.family() {
                Family::Ipv6 => Netmask::V6Prefix(prefix),
                _ => Netmask::V4(Ipv4Addr::from(mask)),
            };
            if pe {
                s.pe_name = Some("sip".to_owned());
            }
            s
        })
}

fn forward() -> impl Strategy<Value = ForwardMethod> {
    let checksum = prop_oneof![
        Just(TunnelChecksum::None),
        Just(TunnelChecksum::Checksum),
        Just(TunnelChecksum::Remote),
        Just(TunnelChecksum::Other(3)),
    ];
    let kind = prop_oneof![
        Just(TunnelKind::Ipip),
        (1u16..=u16::MAX).prop_map(|port| TunnelKind::Gue { port }),
        Just(TunnelKind::Gre),
    ];
    prop_oneof![
        Just(ForwardMethod::Masquerade),
        Just(ForwardMethod::Local),
        Just(ForwardMethod::DirectRoute),
        Just(ForwardMethod::Bypass),
        (5u32..=7).prop_map(ForwardMethod::Other),
        (kind, checksum).prop_map(|(k, c)| ForwardMethod::Tunnel(Tunnel::new(k, c))),
    ]
}

fn server() -> impl Strategy<Value = RealServer> {
    let ip = prop_oneof![
        3 => (1u32..6).prop_map(|n| IpAddr::V4(Ipv4Addr::from(0xc633_6400 | n))),
        1 => (1u128..6).prop_map(|n| IpAddr::V6(Ipv6Addr::from((0x2001_0db8_0001u128 << 80) | n))),
    ];
    (
        ip,
        prop_oneof![Just(80u16), any::<u16>()],
        forward(),
        prop_oneof![Just(1u32), 0u32..=65535, 0u32..=i32::MAX as u32],
        prop_oneof![Just(0u32), 1u32..1000, any::<u32>()],
        any::<proptest::sample::Index>(),
    )
        .prop_map(|(ip, port, forward, weight, upper, lower)| {
            lvs_core::testing::server(
                SocketAddr::new(ip, port),
                forward,
                weight,
                lvs_core::testing::thresholds(upper, lower),
            )
        })
}

fn state() -> impl Strategy<Value = (Vec<VirtualService>, Timeouts, Option<SyncDaemon>)> {
    let vs = (service(), proptest::collection::vec(server(), 0..4))
        .prop_map(|(s, servers)| VirtualService::new(s, servers));
    let timeouts =
        (0u32..=8_589_934, 0u32..=3000, 0u32..=3000).prop_map(|(a, b, c)| Timeouts::new(a, b, c));
    let daemon = (
        any::<bool>(),
        0u32..=255,
        proptest::option::of(1500u16..9000),
    )
        .prop_map(|(backup, id, len)| {
            let role = if backup {
                DaemonRole::Backup
            } else {
                DaemonRole::Master
            };
            let mut d = SyncDaemon::new(role, "lo").with_sync_id(id);
            d.max_len = len;
            d
        });
    (
        proptest::collection::vec(vs, 0..5),
        timeouts,
        prop_oneof![3 => Just(None), 1 => daemon.prop_map(Some)],
    )
}

#[test]
fn kernel_tables_save_and_read_back_unchanged() {
    let release = require_ipvs_kernel();
    let ns = Netns::new("lossless");
    let ipvs = ns.lvs();
    let mut runner = lvs_core::testing::seeded_runner(CASES, 11);
    let held = std::cell::Cell::new(0usize);
    let result = runner.run(&state(), |(services, timeouts, daemon)| {
        ipvs.flush().unwrap();
        for role in [DaemonRole::Master, DaemonRole::Backup] {
            let _ = ipvs.stop_daemon(role);
        }
        let _ = ipvs.set_timeouts(&timeouts);
        if let Some(d) = &daemon {
            let _ = ipvs.start_daemon(d);
        }
        for vs in &services {
            if ipvs.add_service(&vs.service).is_ok() {
                for s in &vs.servers {
                    let _ = ipvs.add_server(&vs.service.key, s);
                }
            }
        }
        let state = ipvs.read_config().unwrap();
        held.set(held.get() + state.services.len());
        let text = save(&state).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let back: Table =
            table_from_rules(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        // The same table: the kernel's listing without HASHED, in the text's order.
        let mut want = state.clone();
        for vs in &mut want.services {
            vs.service = vs.service.clone().as_configured();
        }
        lvs_core::order::sort_table(&mut want);
        want.daemons.sort_by_key(|d| d.role.number());
        prop_assert_eq!(&back, &want, "{}", text);
        let p = plan(&state, &back, &Scope::all(), &PlanOptions::default()).unwrap();
        prop_assert!(p.is_empty(), "{}\n{}", text, p);
        Ok(())
    });
    let _ = ipvs.flush();
    for role in [DaemonRole::Master, DaemonRole::Backup] {
        let _ = ipvs.stop_daemon(role);
    }
    if let Err(e) = result {
        panic!("kernel {release}: {e}");
    }
    let held = held.get();
    println!("kernel {release}: {CASES} random tables ({held} services) saved losslessly");
    assert!(
        held > CASES as usize,
        "the kernel held too little to test: {held} services"
    );
}
