//! Address classes the kernel refuses for real servers and sync groups.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::Error;

/// A real server's address must be unicast (kernel: EINVAL).
///
/// The kernel's IPv4 test (`inet_addr_type`) refuses 0.0.0.0, 255.255.255.255 and multicast
/// outright, then consults the routing table: subnet broadcast addresses of configured
/// interfaces are refused too, which needs the kernel. Its IPv6 test refuses addresses
/// without the unicast class (unspecified, multicast, IPv4-mapped) and link-local ones,
/// unless they route to the loopback device (are the director's own).
pub(crate) fn check_real_server_addr(addr: IpAddr) -> Result<(), Error> {
    let refused = match addr {
        IpAddr::V4(a) => ipv4_not_unicast(a),
        IpAddr::V6(a) => ipv6_not_unicast(a),
    };
    match refused {
        Some(class) => Err(Error::invalid(
            "addr",
            format!("address not unicast: {addr} is {class}"),
        )),
        None => Ok(()),
    }
}

/// A sync daemon's group must be multicast in its family (kernel: EINVAL).
pub(crate) fn check_group(group: IpAddr) -> Result<(), Error> {
    if group.is_multicast() {
        Ok(())
    } else {
        Err(Error::invalid(
            "group",
            format!("{group} is not a multicast address"),
        ))
    }
}

fn ipv4_not_unicast(a: Ipv4Addr) -> Option<&'static str> {
    if a.is_unspecified() {
        Some("the unspecified address")
    } else if a.is_broadcast() {
        Some("the broadcast address")
    } else if a.is_multicast() {
        Some("multicast")
    } else {
        None
    }
}

fn ipv6_not_unicast(a: Ipv6Addr) -> Option<&'static str> {
    if a.is_unspecified() {
        Some("the unspecified address")
    } else if a.is_multicast() {
        Some("multicast")
    } else if a.segments()[0] & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if a.to_ipv4_mapped().is_some() {
        Some("an IPv4-mapped address")
    } else {
        None
    }
}
