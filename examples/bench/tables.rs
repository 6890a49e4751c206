//! The tables the benchmark writes: N NAT services with 4 real servers each, and the 1% change of
//! one.

use lvs_core::{ForwardMethod, RealServer, Scheduler, Service, ServiceKey, Table, VirtualService};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::*;

/// The table of `n` services: distinct VIPs (10.0.0.0/8) and ports, 4 NAT real servers
/// each (172.16.0.0/12), round robin.
pub(crate) fn table(n: usize) -> Table {
    Table::new((0..n).map(|i| service(i, Scheduler::Rr)).collect())
}

pub(crate) fn vip(i: usize) -> SocketAddr {
    let i = u32::try_from(i).expect("fewer than 2^24 services");
    let ip = Ipv4Addr::from(0x0a00_0000 | (i + 1));
    SocketAddr::new(IpAddr::V4(ip), 80 + (i % 16) as u16)
}

pub(crate) fn real_server(i: usize, j: usize, weight: u32) -> RealServer {
    let i = u32::try_from(i).expect("fewer than 2^18 services");
    let ip = Ipv4Addr::from(0xac10_0000 | (i * 8 + j as u32 + 1));
    RealServer::new(SocketAddr::new(IpAddr::V4(ip), 8080))
        .with_forward(ForwardMethod::Masquerade)
        .with_weight(weight)
}

pub(crate) fn service(i: usize, scheduler: Scheduler) -> VirtualService {
    let key = ServiceKey::tcp(vip(i));
    VirtualService::new(
        Service::new(key).with_scheduler(scheduler),
        (0..SERVERS).map(|j| real_server(i, j, 1)).collect(),
    )
}

/// The table of `n` services changed in 1% of its services and 1% of its real servers,
/// with the number of operations the change takes at least.
///
/// Services: half of the 1% change scheduler (an edit each), a quarter are removed (one
/// delete each, their real servers go with them), the rest are new (an add and 4 real
/// servers each). Real servers, in other services: half of the 1% change weight (an edit
/// each), half are swapped for another address (a delete and an add each).
pub(crate) fn changed(n: usize) -> (Table, usize) {
    let k = (n / 100).max(4);
    let edit = k / 2;
    let remove = k / 4;
    let add = k - edit - remove;
    let servers = (n * SERVERS / 100).max(2);
    let reweigh = servers / 2;
    let swap = servers - reweigh;
    // Services are picked by stride so the changes spread over the table; service
    // changes take the first picks, real-server changes the next ones; new services go
    // past the end of the table.
    let picks = edit + remove + reweigh + swap;
    let stride = n / picks;
    assert!(stride >= 1, "table too small to change 1%");
    let mut services: Vec<Option<VirtualService>> =
        table(n).services.into_iter().map(Some).collect();
    let mut pick = (0..).map(|p| p * stride);
    for _ in 0..edit {
        let i = pick.next().unwrap();
        let vs = services[i].as_mut().unwrap();
        vs.service = vs.service.clone().with_scheduler(Scheduler::Wlc);
    }
    for _ in 0..remove {
        services[pick.next().unwrap()] = None;
    }
    for _ in 0..reweigh {
        let i = pick.next().unwrap();
        let vs = services[i].as_mut().unwrap();
        vs.servers[0] = vs.servers[0].with_weight(5);
    }
    for _ in 0..swap {
        let i = pick.next().unwrap();
        let vs = services[i].as_mut().unwrap();
        // Index 7 is never one of a service's own real servers (0..4) nor a neighbour's.
        vs.servers[1] = real_server(i, 7, 1);
    }
    let mut out: Vec<VirtualService> = services.into_iter().flatten().collect();
    out.extend((n..n + add).map(|i| service(i, Scheduler::Rr)));
    let ops = edit + remove + add * (1 + SERVERS) + reweigh + 2 * swap;
    (Table::new(out), ops)
}
