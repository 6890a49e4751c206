//! The order in which ipvsadm lists and saves services and real servers.
//!
//! ipvsadm sorts with `ipvs_cmp_services` / `ipvs_cmp_dests`: by firewall mark, address
//! family, protocol, address and port, each compared by subtracting unsigned numbers and
//! reading the difference as a signed `int`. lvs sorts by the same keys in true numeric
//! order. The two agree whenever the differences are below 2^31; they differ when two
//! addresses (or marks) are 2^31 or more apart, e.g. ipvsadm puts 10.0.0.1 after
//! 200.0.0.1, and lvs puts it before. Its comparator is not transitive in such cases, so
//! ipvsadm's own order then depends on qsort.

use std::cmp::Ordering;
use std::net::{IpAddr, SocketAddr};

use crate::model::{RealServer, ServiceKey};
use crate::table::{Table, VirtualService};

/// The sort key of a service: (mark, family, protocol, address, port); address services
/// have mark 0 and so come before firewall-mark services.
fn service_sort_key(key: &ServiceKey) -> (u32, u16, u16, u128, u16) {
    match key {
        ServiceKey::Addr { protocol, addr } => (
            0,
            key.family().af(),
            protocol.number(),
            addr_number(&addr.ip()),
            addr.port(),
        ),
        ServiceKey::Fwmark { mark, family } => (*mark, family.af(), key.protocol().number(), 0, 0),
    }
}

/// An address as one number, in network byte order.
fn addr_number(addr: &IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(u32::from(*a)),
        IpAddr::V6(a) => u128::from(*a),
    }
}

/// Compares two services in lvs's listing order (see the module docs).
pub fn cmp_services(a: &ServiceKey, b: &ServiceKey) -> Ordering {
    service_sort_key(a).cmp(&service_sort_key(b))
}

/// Compares two real-server addresses in lvs's listing order: family, address, port.
pub fn cmp_server_addrs(a: &SocketAddr, b: &SocketAddr) -> Ordering {
    let key = |s: &SocketAddr| (s.is_ipv6(), addr_number(&s.ip()), s.port());
    key(a).cmp(&key(b))
}

/// Compares two real servers in lvs's listing order.
pub fn cmp_servers(a: &RealServer, b: &RealServer) -> Ordering {
    cmp_server_addrs(&a.addr, &b.addr)
}

/// Sorts anything that names a service (services of a table, listed entries) into lvs's
/// listing order, by the key `key` gives. The sort is stable: equal keys keep their order.
pub fn sort_by_service<T>(items: &mut [T], key: impl Fn(&T) -> &ServiceKey) {
    items.sort_by(|a, b| cmp_services(key(a), key(b)));
}

/// Sorts the services of a table into lvs's listing order, leaving each one's real
/// servers in the order given (the kernel lists the newest first).
pub fn sort_services(services: &mut [VirtualService]) {
    sort_by_service(services, |vs| &vs.service.key);
}

/// Sorts a table into the order ipvsadm lists and saves it: services by
/// [`cmp_services`], each one's real servers by [`cmp_servers`].
///
/// Every place that needs a table in that order (the saver, the memory backend, the
/// faces, the tests) calls this, so that the order has one definition.
pub fn sort_table(table: &mut Table) {
    sort_services(&mut table.services);
    for vs in &mut table.services {
        vs.servers.sort_by(cmp_servers);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Family, Protocol};

    fn key(s: &str, protocol: Protocol) -> ServiceKey {
        ServiceKey::Addr {
            protocol,
            addr: s.parse().unwrap(),
        }
    }

    #[test]
    fn address_services_come_before_fwmarks_then_by_family_protocol_address_port() {
        let mut keys = [
            ServiceKey::fwmark(2, Family::Ipv4),
            key("[2001:db8::1]:80", Protocol::Tcp),
            ServiceKey::fwmark(1, Family::Ipv6),
            key("10.0.0.2:80", Protocol::Udp),
            key("200.0.0.1:80", Protocol::Tcp),
            key("10.0.0.1:443", Protocol::Tcp),
            key("10.0.0.1:80", Protocol::Tcp),
            ServiceKey::fwmark(1, Family::Ipv4),
        ];
        keys.sort_by(cmp_services);
        let shown: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        assert_eq!(
            shown,
            [
                "TCP 10.0.0.1:80",
                "TCP 10.0.0.1:443",
                "TCP 200.0.0.1:80",
                "UDP 10.0.0.2:80",
                "TCP [2001:db8::1]:80",
                "FWM 1",
                "FWM 1 IPv6",
                "FWM 2",
            ]
        );
    }
}
