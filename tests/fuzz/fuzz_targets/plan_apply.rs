//! Builds two tables from the fuzzer's bytes (services, real servers, timeouts and sync
//! daemons drawn from small pools, so that the two tables share keys and addresses, with
//! values the kernel refuses among them), fills a `MemoryIpvs` with what it accepts of the
//! first, plans from what it lists to the second and applies the plan with `apply_plan`.
//! What the planner and `apply_plan` promise, checked on every input:
//!
//! - the plan is refused exactly when the desired table lists a service, a real server or a
//!   daemon role twice, or a service outside the scope;
//! - each operation that applies changes the table (the plan is minimal);
//! - a plan that applies leaves the services in scope as `MemoryIpvs` holds the desired
//!   ones (after deleting what a draining plan drained), the services out of scope as they
//!   were, and nothing left to plan;
//! - a plan that fails is undone completely: the table, timeouts and daemons are as before.

#![no_main]

use std::net::{IpAddr, SocketAddr};

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use lvs_core::plan::{apply_plan, finish_drain, plan, PlanOptions, Scope};
use lvs_core::{
    DaemonRole, Family, ForwardMethod, Ipvs, MemoryIpvs, Netmask, Protocol, RealServer, Scheduler,
    Service, ServiceFlags, ServiceKey, SyncDaemon, Table, Timeouts, Tunnel, TunnelChecksum,
    VirtualService,
};

/// The interface every namespace has besides `lo`; `nosuch0` in the pool is refused.
const INTERFACES: [&str; 1] = ["eth0"];

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(input) = Input::draw(&mut u) else {
        return;
    };
    check(&input);
});

/// What one run plans: the tables, the scope and whether to drain.
#[derive(Debug)]
struct Input {
    current: Table,
    desired: Table,
    scope: usize,
    drain: bool,
}

impl Input {
    fn draw(u: &mut Unstructured<'_>) -> Result<Input> {
        let current = table(u)?;
        let mut desired = table(u)?;
        let scope = u.choose_index(SCOPES)?;
        // Mostly a desired table within the scope, as callers give it; sometimes not, to
        // check that the plan refuses it.
        if u.ratio(7, 8)? {
            let s = scope_of(scope);
            desired.services.retain(|vs| s.contains(&vs.service.key));
        }
        Ok(Input {
            current,
            desired,
            scope,
            drain: u.arbitrary()?,
        })
    }
}

/// How many scopes [`scope_of`] has.
const SCOPES: usize = 5;

fn scope_of(n: usize) -> Scope {
    match n {
        0 => Scope::all(),
        1 => Scope::addresses([ip("192.0.2.1")]),
        2 => Scope::fwmarks([1, 2]),
        3 => Scope::addresses([ip("2001:db8::1")]).or(Scope::fwmarks([1])),
        _ => Scope::predicate(|k| k.protocol() == Protocol::Udp),
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("a literal address")
}

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("a literal socket address")
}

/// Keys that collide between the two tables, of both families and every kind, with one
/// the kernel refuses unless persistent (port 0).
fn key(u: &mut Unstructured<'_>) -> Result<ServiceKey> {
    Ok(match u.int_in_range(0..=9u8)? {
        0 => ServiceKey::tcp(addr("192.0.2.1:80")),
        1 => ServiceKey::tcp(addr("192.0.2.1:443")),
        2 => ServiceKey::udp(addr("192.0.2.2:53")),
        3 => ServiceKey::sctp(addr("192.0.2.3:9")),
        4 => ServiceKey::tcp(addr("[2001:db8::1]:80")),
        5 => ServiceKey::udp(addr("[2001:db8::1]:53")),
        6 => ServiceKey::fwmark(1, Family::Ipv4),
        7 => ServiceKey::fwmark(2, Family::Ipv6),
        8 => ServiceKey::tcp(addr("192.0.2.1:0")),
        _ => ServiceKey::Addr {
            protocol: Protocol::from_number(47),
            addr: addr("192.0.2.4:0"),
        },
    })
}

fn service(u: &mut Unstructured<'_>, key: ServiceKey) -> Result<Service> {
    let scheduler = match u.int_in_range(0..=6u8)? {
        0 => Scheduler::Wlc,
        1 => Scheduler::Rr,
        2 => Scheduler::Sh,
        3 => Scheduler::Mh,
        4 => Scheduler::None,
        5 => Scheduler::Other("rr".into()),
        _ => Scheduler::Other("nosuch".into()),
    };
    let mut s = Service::new(key).with_scheduler(scheduler);
    if u.ratio(1, 2)? {
        s = s.persistent(*u.choose(&[300, 60, 0, 2_678_400, u32::MAX])?);
    }
    // Flag bits besides persistence: none mostly, else any (HASHED, one-packet, scheduler
    // flags, unknown bits).
    if u.ratio(1, 4)? {
        s.flags |= ServiceFlags::from_bits_retain(u.arbitrary()?);
    }
    let v4 = key.family() == Family::Ipv4;
    let mask24 = || Netmask::V4("255.255.255.0".parse().expect("a literal mask"));
    s.netmask = match u.int_in_range(0..=3u8)? {
        0 => Netmask::full(key.family()),
        1 if v4 => mask24(),
        1 => Netmask::V6Prefix(64),
        2 => Netmask::from_raw(key.family(), u.arbitrary()?),
        // A netmask of the other family's kind.
        _ if v4 => Netmask::V6Prefix(24),
        _ => mask24(),
    };
    s.pe_name = u
        .choose(&[None, None, Some("sip"), Some(""), Some("nosuch")])?
        .map(Into::into);
    Ok(s)
}

fn server(u: &mut Unstructured<'_>, family: Family) -> Result<RealServer> {
    // Mostly of the service's family; sometimes of the other one (tunnels only).
    let v6 = (family == Family::Ipv6) != u.ratio(1, 8)?;
    let addr = if v6 {
        *u.choose(&[addr("[2001:db8:1::1]:80"), addr("[2001:db8:1::2]:8080")])?
    } else {
        *u.choose(&[
            addr("198.51.100.1:80"),
            addr("198.51.100.2:80"),
            addr("198.51.100.3:8080"),
        ])?
    };
    let forward = match u.int_in_range(0..=8u8)? {
        0 => ForwardMethod::Masquerade,
        1 => ForwardMethod::DirectRoute,
        2 => ForwardMethod::Local,
        3 => ForwardMethod::Tunnel(Tunnel::IPIP),
        4 => ForwardMethod::Tunnel(Tunnel::gue(6080, TunnelChecksum::Checksum)),
        5 => ForwardMethod::Tunnel(Tunnel::gue(0, TunnelChecksum::Remote)),
        6 => ForwardMethod::Tunnel(Tunnel::gre(TunnelChecksum::Remote)),
        7 => ForwardMethod::Bypass,
        _ => ForwardMethod::Other(u.int_in_range(5..=9)?),
    };
    let weight = *u.choose(&[1, 0, 3, 65_535, 65_536, u32::MAX])?;
    let (upper, lower) = *u.choose(&[(0, 0), (100, 10), (10, 100), (0, 5), (u32::MAX, 0)])?;
    Ok(RealServer::new(addr)
        .with_forward(forward)
        .with_weight(weight)
        .with_thresholds(upper, lower))
}

fn daemon(u: &mut Unstructured<'_>) -> Result<SyncDaemon> {
    let role = *u.choose(&[DaemonRole::Master, DaemonRole::Backup, DaemonRole::Other(3)])?;
    let interface = *u.choose(&["eth0", "lo", "nosuch0"])?;
    let mut d = SyncDaemon::new(role, interface).with_sync_id(*u.choose(&[0, 1, 255, 256])?);
    if u.ratio(1, 3)? {
        d = d.with_max_len(*u.choose(&[0, 1, 1500, 65_535])?);
    }
    if u.ratio(1, 3)? {
        d = d.with_group(*u.choose(&[ip("224.0.0.81"), ip("239.1.1.1"), ip("ff02::81")])?);
    }
    if u.ratio(1, 3)? {
        d = d.with_port(*u.choose(&[0, 8848, 9000])?);
    }
    if u.ratio(1, 3)? {
        d = d.with_ttl(*u.choose(&[0, 1, 255])?);
    }
    Ok(d)
}

fn table(u: &mut Unstructured<'_>) -> Result<Table> {
    let mut services = Vec::new();
    for _ in 0..u.int_in_range(0..=5u8)? {
        let key = key(u)?;
        let service = service(u, key)?;
        let mut servers = Vec::new();
        for _ in 0..u.int_in_range(0..=3u8)? {
            servers.push(server(u, key.family())?);
        }
        services.push(VirtualService::new(service, servers));
    }
    let mut table = Table::new(services);
    if u.ratio(1, 3)? {
        let t = |u: &mut Unstructured<'_>| u.choose(&[0, 900, 120, 1, 2_678_401]).copied();
        table = table.with_timeouts(Timeouts::new(t(u)?, t(u)?, t(u)?));
    }
    let mut daemons = Vec::new();
    for _ in 0..u.int_in_range(0..=2u8)? {
        daemons.push(daemon(u)?);
    }
    Ok(table.with_daemons(daemons))
}

/// A namespace holding what it accepts of `table`, set in the order `ipvsadm -R` would.
fn held(table: &Table) -> MemoryIpvs {
    let ipvs = MemoryIpvs::new().with_interfaces(INTERFACES);
    if let Some(t) = &table.timeouts {
        let _ = ipvs.set_timeouts(t);
    }
    for d in &table.daemons {
        let _ = ipvs.start_daemon(d);
    }
    for vs in &table.services {
        if ipvs.add_service(&vs.service).is_ok() {
            for server in &vs.servers {
                let _ = ipvs.add_server(&vs.service.key, server);
            }
        }
    }
    ipvs
}

/// Everything a plan can change, in a comparable order: services and real servers sorted
/// (the kernel lists real servers newest first, so an undo reorders them), daemons by role.
fn state(ipvs: &MemoryIpvs) -> Table {
    let mut t = ipvs.read_config().expect("MemoryIpvs reads").sorted();
    t.daemons.sort_by_key(|d| d.role);
    t
}

fn within(table: &Table, scope: &Scope, inside: bool) -> Vec<VirtualService> {
    table
        .services
        .iter()
        .filter(|vs| scope.contains(&vs.service.key) == inside)
        .cloned()
        .collect()
}

/// Whether the planner must refuse `desired` (see `plan`'s documentation). The pools hold
/// no spelling the kernel files under another key or address (firewall mark 0, IPv6 scope
/// ids), so equal values are the duplicates.
fn refused(desired: &Table, scope: &Scope) -> bool {
    let services = &desired.services;
    let outside = services.iter().any(|vs| !scope.contains(&vs.service.key));
    let twice = services.iter().enumerate().any(|(i, vs)| {
        services[..i]
            .iter()
            .any(|o| o.service.key == vs.service.key)
            || vs
                .servers
                .iter()
                .enumerate()
                .any(|(j, s)| vs.servers[..j].iter().any(|o| o.addr == s.addr))
    });
    let daemons = &desired.daemons;
    let role_twice = daemons
        .iter()
        .enumerate()
        .any(|(i, d)| daemons[..i].iter().any(|o| o.role == d.role));
    outside || twice || role_twice
}

fn check(input: &Input) {
    let scope = scope_of(input.scope);
    let options = if input.drain {
        PlanOptions::draining()
    } else {
        PlanOptions::default()
    };
    let ipvs = held(&input.current);
    // What a caller plans from: the namespace as read (HASHED set, newest servers first).
    let current = ipvs.read_config().expect("MemoryIpvs reads");
    let before = state(&ipvs);

    let planned = plan(&current, &input.desired, &scope, &options);
    assert_eq!(
        planned.is_err(),
        refused(&input.desired, &scope),
        "{planned:?}\n{input:?}"
    );
    let Ok(p) = planned else { return };

    // One operation at a time on a copy: each one that applies changes something.
    let copy = ipvs.clone();
    let mut last = before.clone();
    for op in &p.operations {
        if copy.apply_one(op).is_err() {
            break;
        }
        let now = state(&copy);
        assert_ne!(now, last, "{op:?} changed nothing\n{p}");
        last = now;
    }

    match apply_plan(&ipvs, &current, &p) {
        Ok(()) => {
            let mut drained = Vec::new();
            for vs in &ipvs.table().services {
                let key = vs.service.key;
                let servers = ipvs.servers(&key).expect("MemoryIpvs lists");
                drained.extend(finish_drain(&p.draining, &key, &servers));
            }
            // MemoryIpvs has no connections: every drained server is idle at once.
            assert_eq!(drained.len(), p.draining.len(), "{p}");
            ipvs.apply(&drained).expect("idle drained servers delete");

            let after = ipvs.table();
            let wanted = MemoryIpvs::from_table(&Table::new(input.desired.services.clone()))
                .unwrap_or_else(|e| panic!("the plan applied, so a namespace holds it: {e}"))
                .table();
            assert_eq!(within(&after, &scope, true), wanted.services, "{p}");
            assert_eq!(
                within(&state(&ipvs), &scope, false),
                within(&before, &scope, false),
                "{p}"
            );
            let config = ipvs.read_config().expect("MemoryIpvs reads");
            let again = plan(&config, &input.desired, &scope, &options).expect("it plans again");
            assert!(again.is_empty(), "left to do:\n{again}\nafter\n{p}");
        }
        Err(e) => {
            assert!(e.rollback.is_complete(), "{e}\n{p}");
            assert_eq!(state(&ipvs), before, "{e}\n{p}");
        }
    }
}
