//! Whole-table reads of large tables, which list real servers over several sockets at once:
//! the extra sockets live in the handle's namespace, are close-on-exec, and the services
//! come back whole and in the kernel's order whichever way the table is read.

use lvs_core::{
    ForwardMethod, Ipvs, Operation, RealServer, RealServerEntry, Service, ServiceEntry, ServiceKey,
    Table,
};

use crate::support::{assert_new_fds_close_on_exec, open_fds, require_ipvs_kernel, run_ok, Netns};

/// Services enough to be read over several sockets, with 0 to 4 real servers each.
fn fill(ipvs: &lvs_sys::NetlinkIpvs) -> Table {
    let mut ops = Vec::new();
    let mut services = Vec::new();
    for i in 0..600u32 {
        let key = ServiceKey::tcp(
            format!("192.0.2.{}:{}", 1 + i / 300, 1 + i)
                .parse()
                .unwrap(),
        );
        let service = Service::new(key);
        ops.push(Operation::AddService(service.clone()));
        let servers: Vec<RealServer> = (0..i % 5)
            .map(|s| {
                RealServer::new(format!("198.51.100.{}:{}", s + 1, 80 + i).parse().unwrap())
                    .with_forward(ForwardMethod::Masquerade)
                    .with_weight(s + 1)
            })
            .collect();
        ops.extend(servers.iter().map(|s| Operation::AddServer(key, *s)));
        services.push(lvs_core::VirtualService::new(service, servers));
    }
    ipvs.apply(&ops).expect("create the table");
    Table::new(services)
}

#[test]
fn a_large_read_opens_its_extra_sockets_in_the_handles_namespace() {
    require_ipvs_kernel();
    let ns = Netns::new("parallel");
    let ipvs = ns.lvs();
    let written = fill(&ipvs);
    // With its name gone, only the handle itself still knows the namespace: sockets opened
    // anywhere else would find none of these services.
    run_ok(std::process::Command::new("ip").args(["netns", "del", ns.name()]));
    std::mem::forget(ns); // its name is gone already

    let order: Vec<ServiceKey> = ipvs
        .services()
        .unwrap()
        .iter()
        .map(|s| s.service.key)
        .collect();
    let read = ipvs.read_table().expect("read the table");
    assert_eq!(
        lvs_core::rules::save_ipvsadm(&read),
        lvs_core::rules::save_ipvsadm(&written),
        "the table reads back as written"
    );
    let keys =
        |t: &Table| -> Vec<ServiceKey> { t.services.iter().map(|vs| vs.service.key).collect() };
    assert_eq!(keys(&read), order, "services come in the kernel's order");

    let with_stats = ipvs.table_with_stats().expect("read with stats");
    let mut visited = Vec::new();
    ipvs.for_each_service(|service, servers| visited.push((service, servers)))
        .expect("visit the table");
    // In listing order, as `lvsctl save` reads: every service once, sorted, with the same
    // real servers.
    let mut sorted = Vec::new();
    ipvs.for_each_service_sorted(|service, servers| sorted.push((service, servers)))
        .expect("visit the table sorted");
    let mut by_key = visited.clone();
    lvs_core::order::sort_by_service(&mut by_key, |(entry, _)| &entry.service.key);
    let addrs = |listing: &[(ServiceEntry, Vec<RealServerEntry>)]| -> Vec<_> {
        listing
            .iter()
            .map(|(s, servers)| {
                let addrs: Vec<_> = servers.iter().map(|e| e.server.addr).collect();
                (s.service.key, addrs)
            })
            .collect()
    };
    assert_eq!(addrs(&sorted), addrs(&by_key));
    for listing in [&with_stats, &visited] {
        assert_eq!(listing.len(), read.services.len());
        for ((service, servers), vs) in listing.iter().zip(&read.services) {
            assert_eq!(service.service.key, vs.service.key);
            let addrs: Vec<_> = servers.iter().map(|e| e.server.addr).collect();
            let want: Vec<_> = vs.servers.iter().map(|s| s.addr).collect();
            assert_eq!(addrs, want, "real servers of {}", vs.service.key);
        }
    }
}

#[test]
fn the_extra_read_sockets_are_close_on_exec() {
    require_ipvs_kernel();
    let ns = Netns::new("parallel-cloexec");
    let before = open_fds();
    let ipvs = ns.lvs();
    fill(&ipvs);
    ipvs.read_table().expect("read the table");
    assert_new_fds_close_on_exec(&before);
}
