//! Property-test generators of the model, shared by the tests of every crate.
//!
//! **Unstable, for tests only**: behind the non-default `proptest` feature, which lvs's own
//! crates enable through their dev-dependencies. Nothing here is part of lvs-core's API; it
//! may change in any release.
//!
//! The full-range generators (values as `MemoryIpvs` takes them, including ones ipvsadm
//! cannot write) serve the lossless-save tests; tests that want collisions (the planner's,
//! the memory backend's, the kernel differential) draw from small pools of their own but
//! build their values with [`server`], [`thresholds`] and run with [`seeded_runner`], so
//! that a real server is built one way everywhere.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::model::{
    DaemonRole, Family, ForwardMethod, Netmask, Protocol, RealServer, Scheduler, Service,
    ServiceFlags, ServiceKey, SyncDaemon, Timeouts, Tunnel, TunnelChecksum, TunnelKind,
};
use crate::sysctl::{SysctlKind, SysctlSetting, SysctlValue, KNOBS};
use crate::table::VirtualService;
use crate::validate::{MAX_CONNECTION_TIMEOUT, MAX_PERSISTENCE_TIMEOUT};

/// A real server with its forwarding method, weight and thresholds.
pub fn server(
    addr: SocketAddr,
    forward: ForwardMethod,
    weight: u32,
    (upper, lower): (u32, u32),
) -> RealServer {
    RealServer::new(addr)
        .with_forward(forward)
        .with_weight(weight)
        .with_thresholds(upper, lower)
}

/// Thresholds with the lower one picked by `lower` at or below the upper one (0 without
/// an upper threshold), as the kernel requires.
pub fn thresholds(upper: u32, lower: proptest::sample::Index) -> (u32, u32) {
    let lower = if upper == 0 {
        0
    } else {
        lower.index(upper as usize) as u32
    };
    (upper, lower)
}

/// A runner with a fixed seed and case count and no failure file: the same cases in
/// every run, so a failure is reproducible and a suite's time is stable.
pub fn seeded_runner(cases: u32, seed: u8) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        ..Config::default()
    };
    TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
    )
}

/// Addresses of a family: unspecified, a few neighbours, and any.
pub fn ip(family: Family) -> BoxedStrategy<IpAddr> {
    match family {
        Family::Ipv6 => prop_oneof![
            Just(Ipv6Addr::UNSPECIFIED),
            (1u128..5).prop_map(|n| Ipv6Addr::from((0x2001_0db8u128 << 96) | n)),
            any::<u128>().prop_map(Ipv6Addr::from),
            (1u128..0x1_0000_0000).prop_map(Ipv6Addr::from),
        ]
        .prop_map(IpAddr::V6)
        .boxed(),
        _ => prop_oneof![
            Just(Ipv4Addr::UNSPECIFIED),
            (1u32..5).prop_map(|n| Ipv4Addr::from(0x0a00_0000 | n)),
            any::<u32>().prop_map(Ipv4Addr::from),
        ]
        .prop_map(IpAddr::V4)
        .boxed(),
    }
}

/// Either family.
pub fn family() -> impl Strategy<Value = Family> {
    prop_oneof![Just(Family::Ipv4), Just(Family::Ipv6)]
}

/// Ports: 0, 80, a few low ones, and any.
pub fn port() -> impl Strategy<Value = u16> {
    prop_oneof![Just(0u16), Just(80), 1u16..4, any::<u16>()]
}

/// TCP, UDP, SCTP, and any protocol number.
pub fn protocol() -> impl Strategy<Value = Protocol> {
    prop_oneof![
        Just(Protocol::Tcp),
        Just(Protocol::Udp),
        Just(Protocol::Sctp),
        any::<u16>().prop_map(Protocol::from_number),
    ]
}

/// Service keys the kernel files services under (no firewall mark 0).
pub fn key() -> impl Strategy<Value = ServiceKey> {
    prop_oneof![
        3 => (protocol(), family(), port()).prop_flat_map(|(protocol, family, port)| {
            ip(family).prop_map(move |ip| ServiceKey::Addr {
                protocol,
                addr: SocketAddr::new(ip, port),
            })
        }),
        1 => (prop_oneof![1u32..4, 1u32..=u32::MAX], family())
            .prop_map(|(mark, family)| ServiceKey::fwmark(mark, family)),
    ]
}

/// Every scheduler that ships with Linux, and `none`.
pub fn scheduler() -> impl Strategy<Value = Scheduler> {
    let mut all: Vec<Scheduler> = Scheduler::KNOWN.to_vec();
    all.push(Scheduler::None);
    proptest::sample::select(all)
}

/// Netmasks of a family: the full mask, a common one, and any.
pub fn netmask(family: Family) -> BoxedStrategy<Netmask> {
    match family {
        Family::Ipv6 => prop_oneof![Just(128u32), 1u32..=128]
            .prop_map(Netmask::V6Prefix)
            .boxed(),
        _ => prop_oneof![Just(u32::MAX), Just(0xffff_ff00), any::<u32>()]
            .prop_map(|raw| Netmask::V4(Ipv4Addr::from(raw)))
            .boxed(),
    }
}

/// Services as `MemoryIpvs` takes them, including values ipvsadm cannot write.
pub fn service() -> impl Strategy<Value = Service> {
    key().prop_flat_map(|key| {
        (
            scheduler(),
            prop_oneof![Just(0u32), Just(1), Just(4), any::<u32>()],
            prop_oneof![
                Just(0u32),
                Just(360),
                1u32..=2_678_400,
                0u32..=MAX_PERSISTENCE_TIMEOUT,
                any::<u32>()
            ],
            netmask(key.family()),
            prop_oneof![Just(None), Just(Some("sip".to_owned()))],
        )
            .prop_map(move |(scheduler, flags, timeout, netmask, pe)| {
                let mut s = Service::new(key).with_scheduler(scheduler);
                s.flags = ServiceFlags::from_bits_retain(flags);
                s.timeout = timeout;
                s.netmask = netmask;
                s.pe_name = pe;
                s
            })
    })
}

/// Tunnels of every kind and checksum, unknown numbers included.
pub fn tunnel() -> impl Strategy<Value = Tunnel> {
    let kind = prop_oneof![
        Just(TunnelKind::Ipip),
        (1u16..=u16::MAX).prop_map(|port| TunnelKind::Gue { port }),
        Just(TunnelKind::Gre),
        (any::<u8>(), any::<u16>()).prop_map(|(k, p)| TunnelKind::from_wire(k, p)),
    ];
    let checksum = prop_oneof![
        Just(TunnelChecksum::None),
        Just(TunnelChecksum::Checksum),
        Just(TunnelChecksum::Remote),
        any::<u16>().prop_map(TunnelChecksum::from_flags),
    ];
    (kind, checksum).prop_map(|(kind, checksum)| Tunnel::new(kind, checksum))
}

/// Every forwarding method the kernel's 3 bits hold.
pub fn forward() -> impl Strategy<Value = ForwardMethod> {
    prop_oneof![
        Just(ForwardMethod::Masquerade),
        Just(ForwardMethod::Local),
        Just(ForwardMethod::DirectRoute),
        Just(ForwardMethod::Bypass),
        (5u32..=7).prop_map(ForwardMethod::Other),
        tunnel().prop_map(ForwardMethod::Tunnel),
    ]
}

/// A real server for a service key: of the service's family unless `mixed`.
pub fn server_for(key: ServiceKey) -> impl Strategy<Value = RealServer> {
    let addr_family =
        prop_oneof![4 => Just(false), 1 => Just(true)].prop_map(move |mixed| {
            match (key.family(), mixed) {
                (Family::Ipv4, true) => Family::Ipv6,
                (_, true) => Family::Ipv4,
                (f, false) => f,
            }
        });
    let same_port = match key {
        ServiceKey::Addr { addr, .. } => addr.port(),
        _ => 0,
    };
    (
        addr_family.prop_flat_map(ip),
        prop_oneof![Just(same_port), port()],
        forward(),
        prop_oneof![Just(1u32), 0u32..=65535, 0u32..=i32::MAX as u32],
        prop_oneof![Just(0u32), 0u32..200, any::<u32>()],
        any::<proptest::sample::Index>(),
    )
        .prop_map(|(ip, port, forward, weight, upper, lower)| {
            server(
                SocketAddr::new(ip, port),
                forward,
                weight,
                thresholds(upper, lower),
            )
        })
}

/// A service with up to three real servers for it.
pub fn virtual_service() -> impl Strategy<Value = VirtualService> {
    service().prop_flat_map(|s| {
        proptest::collection::vec(server_for(s.key), 0..4)
            .prop_map(move |servers| VirtualService::new(s.clone(), servers))
    })
}

/// Sync daemons on one of `interfaces`, with every optional value given or left out.
pub fn daemon(interfaces: &[&'static str]) -> impl Strategy<Value = SyncDaemon> {
    let group = prop_oneof![
        Just(None),
        (0u32..0x1000_0000).prop_map(|n| Some(IpAddr::V4(Ipv4Addr::from(0xe000_0000 | n)))),
        any::<u16>().prop_map(|n| Some(IpAddr::V6(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, n)))),
    ];
    (
        prop_oneof![Just(DaemonRole::Master), Just(DaemonRole::Backup)],
        proptest::sample::select(interfaces.to_vec()),
        0u32..=255,
        proptest::option::of(any::<u16>()),
        group,
        proptest::option::of(any::<u16>()),
        proptest::option::of(any::<u8>()),
    )
        .prop_map(|(role, interface, sync_id, max_len, group, port, ttl)| {
            let mut d = SyncDaemon::new(role, interface).with_sync_id(sync_id);
            d.max_len = max_len;
            d.group = group;
            d.port = port;
            d.ttl = ttl;
            d
        })
}

/// Connection timeouts: 0 (leave as it is), ipvsadm's range, and the kernel's.
pub fn timeouts() -> impl Strategy<Value = Timeouts> {
    let one = prop_oneof![Just(0u32), 1u32..=2_678_400, 0u32..=MAX_CONNECTION_TIMEOUT];
    (one.clone(), one.clone(), one).prop_map(|(a, b, c)| Timeouts::new(a, b, c))
}

/// The name of a knob lvs does not know, which [`sysctl_setting`] also draws.
pub const UNKNOWN_KNOB: &str = "future_knob";

/// A value of a knob's kind that the kernel takes, as [`crate::sysctl::check`] returns it.
pub fn sysctl_value(kind: SysctlKind) -> BoxedStrategy<SysctlValue> {
    let c_int = || prop_oneof![Just(0i64), Just(1), any::<i32>().prop_map(i64::from)];
    match kind {
        SysctlKind::Switch | SysctlKind::Bitmap => c_int().prop_map(SysctlValue::Integer).boxed(),
        SysctlKind::DefenseMode => (0i64..=3).prop_map(SysctlValue::Integer).boxed(),
        SysctlKind::Integer { min, max } => prop_oneof![Just(min), Just(max), min..=max]
            .prop_map(SysctlValue::Integer)
            .boxed(),
        SysctlKind::Unsigned => any::<u64>().prop_map(SysctlValue::Unsigned).boxed(),
        SysctlKind::Seconds => {
            let max = i64::from(MAX_CONNECTION_TIMEOUT);
            (-max..=max).prop_map(SysctlValue::Integer).boxed()
        }
        SysctlKind::PowerOfTwo => (0u32..=30)
            .prop_map(|k| SysctlValue::Integer(1 << k))
            .boxed(),
        SysctlKind::ThresholdPeriod => (0i64..=i64::from(i32::MAX), any::<bool>())
            .prop_flat_map(|(period, once)| {
                let threshold = if once || period == 0 {
                    (0i64..=i64::from(i32::MAX)).boxed()
                } else {
                    (0..period).boxed()
                };
                let period = if once { 0 } else { period };
                threshold.prop_map(move |t| SysctlValue::Pair(t, period))
            })
            .boxed(),
        SysctlKind::CpuList => proptest::sample::select(vec![
            "", "0", "1", "0-1", "0,2-3", "all", "0-N", "N", "0-7:1/2",
        ])
        .prop_map(|t| SysctlValue::Text(t.to_owned()))
        .boxed(),
    }
}

/// A setting the kernel takes, as [`crate::sysctl::check`] returns it: any knob of lvs's
/// table with a value of its kind, or [`UNKNOWN_KNOB`] with words as its text.
pub fn sysctl_setting() -> impl Strategy<Value = SysctlSetting> {
    let known = proptest::sample::select(KNOBS.to_vec()).prop_flat_map(|knob| {
        sysctl_value(knob.kind).prop_map(move |v| SysctlSetting::new(knob.name, v))
    });
    let unknown = proptest::collection::vec("[a-z0-9]{1,6}", 1..3)
        .prop_map(|words| SysctlSetting::new(UNKNOWN_KNOB, words.join(" ")));
    prop_oneof![6 => known, 1 => unknown]
}
