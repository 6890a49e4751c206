//! The planner's properties: applying a plan to `MemoryIpvs` yields the desired table within
//! scope and leaves the rest alone; every operation changes something; the plan has exactly
//! as many operations as there are differences.

use std::collections::HashMap;
use std::net::SocketAddr;

use proptest::prelude::*;

use super::*;
use crate::memory::MemoryIpvs;
use crate::model::{
    Family, ForwardMethod, Netmask, Scheduler, ServiceFlags, Tunnel, TunnelChecksum,
};
use crate::ops::Ipvs;
use crate::table::VirtualService;

fn keys() -> impl Strategy<Value = ServiceKey> {
    prop_oneof![
        Just(ServiceKey::tcp("192.0.2.1:80".parse().unwrap())),
        Just(ServiceKey::tcp("192.0.2.1:443".parse().unwrap())),
        Just(ServiceKey::udp("192.0.2.2:53".parse().unwrap())),
        Just(ServiceKey::tcp("[2001:db8::1]:80".parse().unwrap())),
        Just(ServiceKey::fwmark(1, Family::Ipv4)),
        Just(ServiceKey::fwmark(2, Family::Ipv6)),
    ]
}

fn service(key: ServiceKey) -> impl Strategy<Value = Service> {
    (
        prop_oneof![
            Just(Scheduler::Wlc),
            Just(Scheduler::Rr),
            Just(Scheduler::Sh)
        ],
        prop_oneof![Just(None), Just(Some(300u32)), Just(Some(60))],
        any::<bool>(),
    )
        .prop_map(move |(scheduler, persistent, mask)| {
            let mut s = Service::new(key).with_scheduler(scheduler);
            if let Some(t) = persistent {
                s = s.persistent(t);
                if mask {
                    s = s.with_netmask(match key.family() {
                        Family::Ipv4 => Netmask::V4("255.255.255.0".parse().unwrap()),
                        Family::Ipv6 => Netmask::V6Prefix(64),
                    });
                }
            }
            s
        })
}

fn server(family: Family) -> impl Strategy<Value = RealServer> {
    let addrs: Vec<SocketAddr> = match family {
        Family::Ipv4 => vec!["198.51.100.1:80", "198.51.100.2:80", "198.51.100.3:8080"],
        Family::Ipv6 => vec!["[2001:db8:1::1]:80", "[2001:db8:1::2]:80"],
    }
    .into_iter()
    .map(|a| a.parse().unwrap())
    .collect();
    (
        proptest::sample::select(addrs),
        prop_oneof![
            Just(ForwardMethod::Masquerade),
            Just(ForwardMethod::DirectRoute),
            Just(ForwardMethod::Tunnel(Tunnel::IPIP)),
            Just(ForwardMethod::Tunnel(Tunnel::gue(
                6080,
                TunnelChecksum::Checksum
            ))),
        ],
        0u32..4,
        prop_oneof![Just((0u32, 0u32)), Just((100, 10))],
    )
        .prop_map(|(addr, forward, weight, thresholds)| {
            crate::testing::server(addr, forward, weight, thresholds)
        })
}

fn virtual_service() -> impl Strategy<Value = VirtualService> {
    keys().prop_flat_map(|key| {
        (
            service(key),
            proptest::collection::vec(server(key.family()), 0..4),
        )
            .prop_map(|(service, mut servers)| {
                servers.sort_by_key(|s| s.addr);
                servers.dedup_by_key(|s| s.addr);
                VirtualService::new(service, servers)
            })
    })
}

fn table() -> impl Strategy<Value = Table> {
    proptest::collection::vec(virtual_service(), 0..6).prop_map(|mut services| {
        crate::order::sort_services(&mut services);
        services.dedup_by(|a, b| a.service.key == b.service.key);
        Table::new(services)
    })
}

fn scopes() -> impl Strategy<Value = Scope> {
    prop_oneof![
        Just(Scope::all()),
        Just(Scope::addresses(["192.0.2.1".parse().unwrap()])),
        Just(Scope::fwmarks([1, 2])),
        Just(Scope::addresses(["2001:db8::1".parse().unwrap()]).or(Scope::fwmarks([1]))),
        Just(Scope::predicate(
            |k| k.protocol() == crate::model::Protocol::Udp
        )),
    ]
}

/// A table as `MemoryIpvs` lists it, services and real servers in lvs's order.
fn listed(ipvs: &MemoryIpvs) -> Table {
    ipvs.table().sorted()
}

fn within(table: &Table, scope: &Scope, inside: bool) -> Table {
    Table::new(
        table
            .services
            .iter()
            .filter(|vs| scope.contains(&vs.service.key) == inside)
            .cloned()
            .collect(),
    )
}

/// How many operations the differences need: one per service added, edited or deleted, and
/// one per real server added, edited or deleted in a service that stays.
fn differences(current: &Table, desired: &Table) -> usize {
    // By lookups in maps, not the plan's side-by-side walk, so the two can disagree.
    type ByKey<'a> = HashMap<ServiceKey, (&'a Service, HashMap<SocketAddr, &'a RealServer>)>;
    fn by_key(indexed: &[Indexed]) -> ByKey<'_> {
        indexed
            .iter()
            .map(|i| {
                let servers = i.servers.0.iter().map(|s| (s.addr, s)).collect();
                (i.service.key, (&i.service, servers))
            })
            .collect()
    }
    let current = index(current, &Scope::all(), "current").unwrap();
    let desired = index(desired, &Scope::all(), "desired").unwrap();
    let (current, desired) = (by_key(&current), by_key(&desired));
    let mut n = 0;
    for (key, (service, servers)) in &desired {
        match current.get(key) {
            None => n += 1 + servers.len(),
            Some((have, have_servers)) => {
                n += usize::from(have != service);
                n += servers
                    .iter()
                    .filter(|(addr, s)| have_servers.get(*addr) != Some(*s))
                    .count();
                n += have_servers
                    .keys()
                    .filter(|addr| !servers.contains_key(*addr))
                    .count();
            }
        }
    }
    n + current.keys().filter(|k| !desired.contains_key(*k)).count()
}

proptest! {
    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn a_plan_reaches_the_desired_table_and_touches_nothing_else(
        current in table(),
        desired in table(),
        scope in scopes(),
    ) {
        let desired = within(&desired, &scope, true);
        let ipvs = MemoryIpvs::from_table(&current).unwrap();
        let before = listed(&ipvs);
        let plan = plan(&before, &desired, &scope, &PlanOptions::default()).unwrap();

        // Every operation applies and changes the table: none is redundant.
        let mut last = before.clone();
        for op in &plan.operations {
            ipvs.apply_one(op).unwrap();
            let now = listed(&ipvs);
            prop_assert_ne!(&now, &last, "{:?} changed nothing", op);
            last = now;
        }
        let after = listed(&ipvs);
        let wanted = listed(&MemoryIpvs::from_table(&desired).unwrap());
        prop_assert_eq!(within(&after, &scope, true), wanted);
        prop_assert_eq!(within(&after, &scope, false), within(&before, &scope, false));
        prop_assert_eq!(plan.operations.len(), differences(
            &within(&before, &scope, true), &desired));

        // Planning again from the result has nothing left to do.
        let again = super::plan(&after, &desired, &scope, &PlanOptions::default()).unwrap();
        prop_assert!(again.is_empty(), "{}", again);
    }

    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn a_draining_plan_zeroes_weights_instead_of_deleting(
        current in table(),
        desired in table(),
    ) {
        let scope = Scope::all();
        let ipvs = MemoryIpvs::from_table(&current).unwrap();
        let before = listed(&ipvs);
        let plan = plan(&before, &desired, &scope, &PlanOptions::draining()).unwrap();
        prop_assert!(!plan.operations.iter().any(|op| matches!(op, Operation::DeleteServer(..))));
        ipvs.apply(&plan.operations).unwrap();
        let mut keys: Vec<ServiceKey> = plan.draining.iter().map(|(k, _)| *k).collect();
        keys.dedup();
        for key in &keys {
            let servers = ipvs.servers(key).unwrap();
            for (_, addr) in plan.draining.iter().filter(|(k, _)| k == key) {
                let drained = servers.iter().find(|e| e.server.addr == *addr).unwrap();
                prop_assert_eq!(drained.server.weight, 0);
            }
            // MemoryIpvs has no connections: every drained server is idle at once.
            let finish = finish_drain(&plan.draining, key, &servers);
            prop_assert_eq!(
                finish.len(),
                plan.draining.iter().filter(|(k, _)| k == key).count()
            );
            ipvs.apply(&finish).unwrap();
        }
        prop_assert_eq!(listed(&ipvs), listed(&MemoryIpvs::from_table(&desired).unwrap()));
    }
}

#[test]
fn a_real_server_listed_twice_is_named_however_many_the_service_has() {
    let key = ServiceKey::tcp("10.0.0.1:80".parse().unwrap());
    let server = |i: usize| {
        RealServer::new(SocketAddr::from((
            [10, 1, (i / 250) as u8, (i % 250) as u8 + 1],
            80,
        )))
    };
    let plan_from_empty = |servers: Vec<RealServer>| {
        let desired = Table::new(vec![VirtualService::new(Service::new(key), servers)]);
        plan(
            &Table::default(),
            &desired,
            &Scope::all(),
            &PlanOptions::default(),
        )
    };
    for count in [
        1,
        5,
        crate::model::SCANNED_SERVERS - 1,
        crate::model::SCANNED_SERVERS,
        crate::model::SCANNED_SERVERS + 1,
        40,
    ] {
        for repeat in [0, count / 2, count - 1] {
            // Listed out of address order, so the index sorts them.
            let mut servers: Vec<RealServer> = (0..count).rev().map(server).collect();
            servers.push(server(repeat).with_weight(7));
            let e = plan_from_empty(servers.clone()).unwrap_err();
            let named = format!("lists real server {} twice", server(repeat).addr);
            assert!(e.to_string().contains(&named), "{count}, {repeat}: {e}");
            servers.pop();
            let planned = plan_from_empty(servers).unwrap();
            let added: Vec<SocketAddr> = planned
                .operations
                .iter()
                .filter_map(|op| match op {
                    Operation::AddServer(_, s) => Some(s.addr),
                    _ => None,
                })
                .collect();
            let mut sorted = added.clone();
            sorted.sort();
            assert_eq!((added.len(), &added), (count, &sorted), "in address order");
        }
    }
}

#[test]
fn a_table_with_repeats_is_refused_with_the_first_a_reading_in_its_order_meets() {
    let (a, b) = (
        ServiceKey::tcp("10.0.0.1:80".parse().unwrap()),
        ServiceKey::tcp("10.0.0.2:80".parse().unwrap()),
    );
    let server = RealServer::new("192.168.1.1:80".parse().unwrap());
    let once = |key| VirtualService::new(Service::new(key), vec![server]);
    let twice = |key| VirtualService::new(Service::new(key), vec![server, server]);
    let service_twice = format!("{a} is listed twice");
    let server_twice = |key: ServiceKey| format!("{key} lists real server {} twice", server.addr);
    for (services, expected) in [
        (vec![once(a), twice(b), once(a)], server_twice(b)),
        (vec![once(a), once(a), twice(b)], service_twice.clone()),
        (vec![once(a), twice(a)], server_twice(a)),
        (
            vec![once(b), once(a), once(b), once(a)],
            format!("{b} is listed twice"),
        ),
        (vec![once(a), once(b), once(a)], service_twice),
    ] {
        let desired = Table::new(services);
        let e = plan(
            &Table::default(),
            &desired,
            &Scope::all(),
            &PlanOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains(&expected), "{expected}: {e}");
    }
}

#[test]
fn a_desired_service_outside_the_scope_is_refused() {
    let desired = Table::new(vec![VirtualService::new(
        Service::new(ServiceKey::fwmark(9, Family::Ipv4)),
        vec![],
    )]);
    let e = plan(
        &Table::default(),
        &desired,
        &Scope::fwmarks([1]),
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("outside the scope"), "{e}");
}

#[test]
fn rule_text_and_a_kernel_listing_of_the_same_table_plan_nothing() {
    let text = "-A -t 192.0.2.1:80 -s rr -p 300 -M 255.255.255.0\n\
                -a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 2\n";
    let desired = crate::rules::table_from_rules(text).unwrap();
    let ipvs = MemoryIpvs::from_table(&desired).unwrap();
    // What a read of the kernel gives: services flagged HASHED, real servers as listed.
    let listed = ipvs.read_table().unwrap();
    assert!(listed.services[0]
        .service
        .flags
        .contains(ServiceFlags::HASHED));
    let plan = plan(&listed, &desired, &Scope::all(), &PlanOptions::default()).unwrap();
    assert!(plan.is_empty(), "{plan}");
}

#[test]
fn a_dry_run_prints_rule_lines_that_read_back_as_the_plan() {
    let current = crate::rules::table_from_rules(
        "-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1\n\
         -a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1\n-A -f 7 -s wlc\n",
    )
    .unwrap();
    let desired = crate::rules::table_from_rules(
        "-A -t 192.0.2.1:80 -s wrr\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 5\n\
         -a -t 192.0.2.1:80 -r 198.51.100.3:80 -i --tun-type gue --tun-port 6080 -w 1\n",
    )
    .unwrap();
    let plan = plan(&current, &desired, &Scope::all(), &PlanOptions::default()).unwrap();
    assert_eq!(
        plan.to_rules().unwrap(),
        "-d -t 192.0.2.1:80 -r 198.51.100.2:80\n\
         -E -t 192.0.2.1:80 -s wrr\n\
         -e -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 5\n\
         -a -t 192.0.2.1:80 -r 198.51.100.3:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum\n\
         -D -f 7\n"
    );
    let reread: Vec<Operation> = crate::rules::parse(&plan.to_rules().unwrap())
        .unwrap()
        .into_iter()
        .map(|c| match c {
            crate::rules::Command::Operation(op) => op,
            other => panic!("{other:?}"),
        })
        .collect();
    let ipvs = MemoryIpvs::from_table(&current).unwrap();
    ipvs.apply(&reread).unwrap();
    assert_eq!(
        listed(&ipvs),
        listed(&MemoryIpvs::from_table(&desired).unwrap())
    );
}

/// A service the table cannot take: its scheduler is not one the kernel has.
fn refused_service(n: u32) -> Operation {
    Operation::AddService(
        Service::new(ServiceKey::fwmark(10_000 + n, Family::Ipv4))
            .with_scheduler(Scheduler::Other("nosuch".into())),
    )
}

proptest! {
    /// A plan that fails anywhere leaves the table exactly as it was: every operation
    /// applied before the failure (and after it, in the same group) is undone.
    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn a_failed_plan_leaves_the_table_as_it_was(
        current in table(),
        desired in table(),
        at in any::<prop::sample::Index>(),
    ) {
        let ipvs = MemoryIpvs::from_table(&current).unwrap();
        let before = listed(&ipvs);
        let mut plan = plan(&current, &desired, &Scope::all(), &PlanOptions::default()).unwrap();
        let at = at.index(plan.operations.len() + 1);
        plan.operations.insert(at, refused_service(0));
        let err = apply_plan(&ipvs, &current, &plan).unwrap_err();
        prop_assert!(err.rollback.is_complete(), "{err}");
        prop_assert_eq!(err.failure.first_failure().map(|(i, _)| i), Some(at));
        prop_assert_eq!(listed(&ipvs), before);
    }
}

#[test]
#[cfg_attr(miri, ignore = "750 operations: too slow for Miri")]
fn a_failure_in_the_middle_of_a_long_plan_is_undone_across_groups() {
    // 150 services with 4 real servers each: 750 operations, the failure at 400 (group 7).
    let rules: String = (0..150)
        .map(|i| {
            let vip = format!("10.0.{}.{}:80", i / 250, i % 250 + 1);
            let mut s = format!("-A -t {vip} -s wrr\n");
            for r in 1..=4 {
                s += &format!("-a -t {vip} -r 192.0.2.{r}:8080 -m -w {r} -x 100 -y 50\n");
            }
            s
        })
        .collect();
    let desired = crate::rules::table_from_rules(&rules).unwrap();
    // The current table: a third of it, different, so edits and deletes are undone too.
    let current_rules: String = rules
        .lines()
        .take(250)
        .map(|l| l.replace("-s wrr", "-s rr").replace("-w 4 ", "-w 9 ") + "\n")
        .chain(["-A -u 203.0.113.1:53 -s sh\n".to_owned()])
        .collect();
    let current = crate::rules::table_from_rules(&current_rules).unwrap();
    let ipvs = MemoryIpvs::from_table(&current).unwrap();
    let before = listed(&ipvs);
    let mut plan = plan(&current, &desired, &Scope::all(), &PlanOptions::default()).unwrap();
    assert!(plan.operations.len() > 500, "{}", plan.operations.len());
    plan.operations.insert(400, refused_service(1));
    let err = apply_plan(&ipvs, &current, &plan).unwrap_err();
    assert!(err.rollback.is_complete(), "{err}");
    assert_eq!(err.failure.first_failure().map(|(i, _)| i), Some(400));
    // The kernel's rule: the rest of the failing group was applied, later groups not sent.
    assert_eq!(err.failure.applied().len(), 447);
    assert_eq!(listed(&ipvs), before);
    assert!(err.to_string().contains("every change was undone"), "{err}");
}

#[test]
fn undoing_restores_timeouts_and_daemons_the_plan_changed() {
    use crate::model::{DaemonRole, SyncDaemon, Timeouts};
    let ipvs = MemoryIpvs::new().with_interface("eth0", 1500);
    ipvs.set_timeouts(&Timeouts::new(900, 120, 300)).unwrap();
    ipvs.start_daemon(&SyncDaemon::new(DaemonRole::Backup, "eth0"))
        .unwrap();
    let before = (ipvs.timeouts().unwrap(), ipvs.daemons().unwrap());
    let plan = Plan {
        operations: vec![
            Operation::SetTimeouts(Timeouts::new(60, 10, 20)),
            Operation::StopDaemon(DaemonRole::Backup),
            Operation::StartDaemon(SyncDaemon::new(DaemonRole::Master, "eth0")),
            refused_service(2),
        ],
        draining: vec![],
    };
    let err = apply_plan(&ipvs, &Table::default(), &plan).unwrap_err();
    assert!(err.rollback.is_complete(), "{err}");
    assert_eq!((ipvs.timeouts().unwrap(), ipvs.daemons().unwrap()), before);
}

/// Found by fuzzing (tests/fuzz, plan_apply): a desired daemon with a maximum length of 0
/// (the kernel's default) or one the kernel clamps was never the running one, so every plan
/// stopped and restarted it.
#[test]
fn a_running_daemon_with_a_defaulted_or_clamped_length_is_not_restarted() {
    use crate::model::{DaemonRole, SyncDaemon};
    let wanted = [
        SyncDaemon::new(DaemonRole::Master, "eth0").with_max_len(0),
        SyncDaemon::new(DaemonRole::Backup, "eth0").with_max_len(0),
        // The least a backup takes is 1024; the most is 65535 less the headers.
        SyncDaemon::new(DaemonRole::Backup, "eth0").with_max_len(1),
        SyncDaemon::new(DaemonRole::Master, "eth0").with_max_len(65535),
        SyncDaemon::new(DaemonRole::Master, "eth0")
            .with_max_len(65535)
            .with_group("ff02::81".parse().unwrap()),
    ];
    for want in wanted {
        let ipvs = MemoryIpvs::new().with_interface("eth0", 9000);
        ipvs.start_daemon(&want).unwrap();
        let current = ipvs.read_config().unwrap();
        assert_ne!(current.daemons[0].max_len, want.max_len);
        let desired = Table::default().with_daemons(vec![want.clone()]);
        let plan = plan(&current, &desired, &Scope::all(), &PlanOptions::default()).unwrap();
        assert!(plan.is_empty(), "{want:?}: {plan}");
    }
    // Found by fuzzing too (rules_roundtrip): two tables stating the same backup daemon with
    // a length the kernel raises to 1024 plan nothing.
    let backup = Table::default().with_daemons(vec![
        SyncDaemon::new(DaemonRole::Backup, "eth0").with_max_len(400)
    ]);
    let same = plan(&backup, &backup, &Scope::all(), &PlanOptions::default()).unwrap();
    assert!(same.is_empty(), "{same}");
    // A different length still restarts the daemon.
    let ipvs = MemoryIpvs::new().with_interface("eth0", 9000);
    ipvs.start_daemon(&SyncDaemon::new(DaemonRole::Master, "eth0").with_max_len(1200))
        .unwrap();
    let desired = Table::default().with_daemons(vec![
        SyncDaemon::new(DaemonRole::Master, "eth0").with_max_len(1300)
    ]);
    let current = ipvs.read_config().unwrap();
    let plan = plan(&current, &desired, &Scope::all(), &PlanOptions::default()).unwrap();
    assert_eq!(plan.operations.len(), 2, "{plan}");
}

#[test]
fn a_plan_that_flushed_before_failing_says_nothing_could_be_undone() {
    let current = crate::rules::table_from_rules("-A -t 192.0.2.1:80 -s rr\n").unwrap();
    let ipvs = MemoryIpvs::from_table(&current).unwrap();
    let plan = Plan {
        operations: vec![Operation::Flush, refused_service(3)],
        draining: vec![],
    };
    let err = apply_plan(&ipvs, &current, &plan).unwrap_err();
    assert!(
        matches!(&err.rollback, Rollback::Impossible { operation } if **operation == Operation::Flush),
        "{err}"
    );
}

mod sysctls {
    use super::*;
    use crate::sysctl::{SysctlSetting, SysctlValue};

    fn desired(settings: &[(&str, SysctlValue)]) -> Table {
        Table::default().with_sysctls(
            settings
                .iter()
                .map(|(n, v)| SysctlSetting::new(n, v.clone()))
                .collect(),
        )
    }

    #[test]
    fn only_stated_sysctls_that_differ_are_set_first() {
        let ipvs = MemoryIpvs::new().with_cpus(2);
        let want = desired(&[
            ("sync_ports", 4.into()),
            ("conn_reuse_mode", 1.into()),
            ("est_cpulist", "1,0".into()),
            ("drop_entry", 2.into()),
        ])
        .with_timeouts(crate::model::Timeouts::new(60, 0, 0));
        ipvs.set_sysctl("drop_entry", &1.into()).unwrap();
        let current = ipvs.read_config_for(&want).unwrap();
        assert_eq!(current.sysctls.len(), 4);
        let plan = plan(&current, &want, &Scope::all(), &PlanOptions::default()).unwrap();
        // conn_reuse_mode is 1 already, est_cpulist names the same CPUs, and drop_entry
        // 1 and 2 are the same automatic mode.
        assert_eq!(
            plan.operations,
            [
                Operation::SetSysctl(SysctlSetting::new("sync_ports", 4)),
                Operation::SetTimeouts(crate::model::Timeouts::new(60, 0, 0)),
            ]
        );
        assert_eq!(
            plan.to_rules().unwrap(),
            "--lvs-sysctl sync_ports=4\n--set 60 0 0\n"
        );
        apply_plan(&ipvs, &current, &plan).unwrap();
        let again = plan_of(&ipvs, &want);
        assert!(again.is_empty(), "{again}");
    }

    fn plan_of(ipvs: &MemoryIpvs, want: &Table) -> Plan {
        let current = ipvs.read_config_for(want).unwrap();
        plan(&current, want, &Scope::all(), &PlanOptions::default()).unwrap()
    }

    #[test]
    fn a_table_that_states_no_sysctls_leaves_them_alone() {
        let ipvs = MemoryIpvs::new();
        ipvs.set_sysctl("sync_ports", &8.into()).unwrap();
        assert!(plan_of(&ipvs, &Table::default()).is_empty());
        assert_eq!(ipvs.sysctl("sync_ports"), Ok(8.into()));
    }

    #[test]
    fn a_bad_or_repeated_desired_sysctl_is_an_error() {
        let current = Table::default();
        let bad = desired(&[("sync_retries", 7.into())]);
        let e = plan(&current, &bad, &Scope::all(), &PlanOptions::default()).unwrap_err();
        assert!(
            matches!(
                e,
                Error::OutOfRange {
                    field: "sync_retries",
                    ..
                }
            ),
            "{e:?}"
        );
        let twice = desired(&[("conntrack", 1.into()), ("net.ipv4.vs.conntrack", 0.into())]);
        let e = plan(&current, &twice, &Scope::all(), &PlanOptions::default()).unwrap_err();
        assert!(e.to_string().contains("listed twice"), "{e}");
    }

    #[test]
    fn a_sysctl_the_namespace_lacks_fails_the_read_for_the_plan() {
        let ipvs = MemoryIpvs::new().for_kernel(6, 1);
        let want = desired(&[("est_nice", 5.into())]);
        let e = ipvs.read_config_for(&want).unwrap_err();
        assert!(matches!(e, Error::SysctlUnavailable { .. }), "{e:?}");
    }

    #[test]
    fn undoing_puts_sysctls_back() {
        let ipvs = MemoryIpvs::new();
        ipvs.set_sysctl("sync_version", &0.into()).unwrap();
        let plan = Plan {
            operations: vec![
                Operation::SetSysctl(SysctlSetting::new("sync_version", 1)),
                Operation::SetSysctl(SysctlSetting::new("sync_threshold", (1, 2))),
                refused_service(2),
            ],
            draining: vec![],
        };
        let err = apply_plan(&ipvs, &Table::default(), &plan).unwrap_err();
        assert!(err.rollback.is_complete(), "{err}");
        assert_eq!(ipvs.sysctl("sync_version"), Ok(0.into()));
        assert_eq!(ipvs.sysctl("sync_threshold"), Ok((3, 50).into()));
    }

    #[test]
    fn a_sysctl_the_namespace_lacks_fails_in_its_place_and_the_rest_is_undone() {
        let ipvs = MemoryIpvs::new().for_kernel(6, 1);
        let plan = Plan {
            operations: vec![
                Operation::SetSysctl(SysctlSetting::new("sync_ports", 2)),
                Operation::SetSysctl(SysctlSetting::new("est_nice", 1)),
            ],
            draining: vec![],
        };
        let err = apply_plan(&ipvs, &Table::default(), &plan).unwrap_err();
        assert_eq!(err.failure.first_failure().map(|(i, _)| i), Some(1));
        assert!(err.rollback.is_complete(), "{err}");
        assert_eq!(ipvs.sysctl("sync_ports"), Ok(1.into()));
    }
}
