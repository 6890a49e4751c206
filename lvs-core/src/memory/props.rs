//! Properties over random operation sequences: a refused operation changes nothing, and a
//! table read back restores to itself.

use std::net::SocketAddr;

use proptest::prelude::*;

use super::*;
use crate::model::{Family, ForwardMethod, Scheduler, Tunnel, TunnelChecksum};
use crate::ops::Operation;

fn keys() -> impl Strategy<Value = ServiceKey> {
    prop_oneof![
        Just(ServiceKey::tcp("10.0.0.1:80".parse().unwrap())),
        Just(ServiceKey::udp("10.0.0.1:53".parse().unwrap())),
        Just(ServiceKey::tcp("[2001:db8::1]:80".parse().unwrap())),
        Just(ServiceKey::fwmark(1, Family::Ipv4)),
        Just(ServiceKey::fwmark(0, Family::Ipv6)),
    ]
}

fn services() -> impl Strategy<Value = Service> {
    let schedulers = prop_oneof![
        Just(Scheduler::Wlc),
        Just(Scheduler::Rr),
        Just(Scheduler::None),
        Just(Scheduler::Other("nope".into())),
    ];
    (keys(), schedulers, any::<bool>(), 0u32..3).prop_map(|(key, scheduler, persistent, pe)| {
        let mut s = Service::new(key).with_scheduler(scheduler);
        if persistent {
            s = s.persistent(300);
        }
        match pe {
            0 => s,
            1 => s.with_pe_name("sip"),
            _ => s.with_pe_name("nope"),
        }
    })
}

fn server_addrs() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        Just("192.168.1.1:80".parse().unwrap()),
        Just("192.168.1.2:80".parse().unwrap()),
        Just("[2001:db8::5]:80".parse().unwrap()),
        Just("224.0.0.1:80".parse().unwrap()),
    ]
}

fn servers() -> impl Strategy<Value = RealServer> {
    let forwards = prop_oneof![
        Just(ForwardMethod::DirectRoute),
        Just(ForwardMethod::Masquerade),
        Just(ForwardMethod::Tunnel(Tunnel::IPIP)),
        Just(ForwardMethod::Tunnel(Tunnel::gue(0, TunnelChecksum::None))),
    ];
    let weights = prop_oneof![Just(0u32), Just(1), Just(1 << 31)];
    (server_addrs(), forwards, weights, 0u32..3, 0u32..3).prop_map(
        |(addr, forward, weight, upper, lower)| {
            crate::testing::server(addr, forward, weight, (upper, lower))
        },
    )
}

fn daemons() -> impl Strategy<Value = SyncDaemon> {
    let roles = prop_oneof![Just(DaemonRole::Master), Just(DaemonRole::Backup)];
    let interfaces = prop_oneof![Just("lo"), Just("eth9")];
    (roles, interfaces).prop_map(|(role, interface)| SyncDaemon::new(role, interface))
}

fn operations() -> impl Strategy<Value = Operation> {
    prop_oneof![
        services().prop_map(Operation::AddService),
        services().prop_map(Operation::EditService),
        keys().prop_map(Operation::DeleteService),
        (keys(), servers()).prop_map(|(k, s)| Operation::AddServer(k, s)),
        (keys(), servers()).prop_map(|(k, s)| Operation::EditServer(k, s)),
        (keys(), server_addrs()).prop_map(|(k, a)| Operation::DeleteServer(k, a)),
        Just(Operation::Flush),
        proptest::option::of(keys()).prop_map(Operation::Zero),
        (0u32..3, prop_oneof![Just(0u32), Just(u32::MAX)])
            .prop_map(|(a, b)| Operation::SetTimeouts(Timeouts::new(a, b, a))),
        daemons().prop_map(Operation::StartDaemon),
        prop_oneof![Just(DaemonRole::Master), Just(DaemonRole::Backup)]
            .prop_map(Operation::StopDaemon),
        crate::testing::sysctl_setting().prop_map(Operation::SetSysctl),
        // Values the kernel refuses, which must change nothing.
        (0i64..10).prop_map(|n| Operation::SetSysctl(crate::sysctl::SysctlSetting::new(
            "sync_retries",
            n
        ))),
    ]
}

/// What [`observe`] sees: services, their servers, timeouts, daemons, sysctls.
type Observed = (
    Vec<ServiceEntry>,
    Vec<Vec<RealServerEntry>>,
    Timeouts,
    Vec<SyncDaemon>,
    Vec<crate::sysctl::SysctlSetting>,
);

/// Everything a caller can observe.
fn observe(ipvs: &MemoryIpvs) -> Observed {
    let services = ipvs.services().unwrap();
    let servers = services
        .iter()
        .map(|e| ipvs.servers(&e.service.key).unwrap())
        .collect();
    (
        services,
        servers,
        ipvs.timeouts().unwrap(),
        ipvs.daemons().unwrap(),
        ipvs.sysctls().unwrap(),
    )
}

proptest! {
    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn a_refused_operation_changes_nothing(ops in proptest::collection::vec(operations(), 1..40)) {
        let ipvs = MemoryIpvs::new();
        for op in &ops {
            let before = observe(&ipvs);
            if ipvs.apply_one(op).is_err() {
                prop_assert_eq!(observe(&ipvs), before, "after refusing {:?}", op);
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn a_table_read_back_restores_to_itself(ops in proptest::collection::vec(operations(), 1..40)) {
        let ipvs = MemoryIpvs::new();
        for op in &ops {
            let _ = ipvs.apply_one(op);
        }
        let table = ipvs.table();
        let restored = MemoryIpvs::from_table(&table).unwrap();
        prop_assert_eq!(restored.table(), table);
    }
}
