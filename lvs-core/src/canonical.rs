//! What the kernel makes of a request: the values it stores and reports back.
//!
//! The model can say things the kernel's wire format cannot (an IPv6 scope id, a
//! firewall mark of 0, a prefix length on an IPv4 service, a scheduler spelled
//! `Other("rr")`); these functions map a request onto what the kernel would list after
//! taking it. It is the one statement of "the table as the kernel keeps it": the memory
//! backend ([`crate::MemoryIpvs`]) stores these values so that it lists what the kernel
//! lists, and the planner compares tables in these terms so that a plan towards a table
//! the kernel already holds (in any spelling) is empty. It lives at the crate's top, not
//! inside either user, so that neither reaches into the other.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::model::{
    DaemonRole, Family, ForwardMethod, Netmask, Protocol, RealServer, Scheduler, Service,
    ServiceKey, SyncDaemon, Tunnel, TunnelChecksum, TunnelKind,
};
use crate::validate::HZ;

/// The kernel's sync defaults: group 224.0.0.81, port 8848, TTL 1.
const SYNC_GROUP: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 81);
const SYNC_PORT: u16 = 8848;
const SYNC_TTL: u8 = 1;

/// An address and port as the kernel keeps them: no IPv6 flow label or scope id.
pub(crate) fn plain(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(addr.ip(), addr.port())
}

/// The key the kernel files a service under.
///
/// The kernel reads firewall mark 0 as "no mark": the service becomes the TCP service on
/// the unspecified address, port 0, of its family.
pub(crate) fn key(key: &ServiceKey) -> ServiceKey {
    match *key {
        ServiceKey::Addr { protocol, addr } => ServiceKey::Addr {
            protocol: Protocol::from_number(protocol.number()),
            addr: plain(addr),
        },
        ServiceKey::Fwmark { mark: 0, family } => {
            let any = match family {
                Family::Ipv4 => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                Family::Ipv6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            };
            ServiceKey::tcp(SocketAddr::new(any, 0))
        }
        ServiceKey::Fwmark { mark, family } => ServiceKey::Fwmark { mark, family },
    }
}

/// The scheduler the kernel reports for a requested one (by name; `none` for no scheduler).
pub(crate) fn scheduler(scheduler: &Scheduler) -> Scheduler {
    Scheduler::from_name(scheduler.name())
}

/// Whether the kernel has the scheduler: every one shipped with Linux, and `none`.
pub(crate) fn scheduler_exists(scheduler: &Scheduler) -> bool {
    let name = scheduler.name();
    name == Scheduler::None.name() || Scheduler::KNOWN.iter().any(|s| s.name() == name)
}

/// The persistence engine the kernel binds: an empty name means none.
pub(crate) fn pe_name(pe_name: &Option<String>) -> Option<String> {
    pe_name.clone().filter(|name| !name.is_empty())
}

/// Whether the kernel has the persistence engine: Linux ships only `sip`.
pub(crate) fn pe_exists(name: &str) -> bool {
    name == "sip"
}

/// The persistence timeout the kernel reports: it stores seconds × HZ in 32 bits.
fn persistence_timeout(seconds: u32) -> u32 {
    seconds.wrapping_mul(HZ) / HZ
}

/// A service as the kernel stores it after an add or edit (without `HASHED`, which it adds
/// to every listed service).
pub(crate) fn service(requested: &Service) -> Service {
    let key = key(&requested.key);
    let mut stored = Service::new(key);
    stored.scheduler = scheduler(&requested.scheduler);
    stored.flags = requested.flags.as_configured();
    stored.timeout = persistence_timeout(requested.timeout);
    // The netmask travels as 4 raw bytes (a `__be32`) and the kernel reads them by the
    // service's family, so a netmask of the other kind keeps its bytes, not its number.
    stored.netmask = Netmask::from_wire(key.family(), requested.netmask.to_wire());
    stored.pe_name = pe_name(&requested.pe_name);
    stored
}

/// A real server as the kernel stores it: 3 forwarding bits, tunnel fields by number.
pub(crate) fn server(requested: &RealServer) -> RealServer {
    let tunnel = requested.forward.tunnel().unwrap_or(Tunnel::IPIP);
    let tunnel = Tunnel::new(
        TunnelKind::from_wire(tunnel.kind.number(), tunnel.kind.port()),
        TunnelChecksum::from_flags(tunnel.checksum.flags()),
    );
    let mut stored = *requested;
    stored.addr = plain(requested.addr);
    stored.forward = ForwardMethod::from_wire(requested.forward.number() & 7, tunnel);
    stored
}

/// A sync daemon with the kernel's defaults for group, port and TTL filled in where it
/// leaves them out (the maximum length, which depends on the interface, stays as given).
pub(crate) fn daemon_defaults(requested: &SyncDaemon) -> SyncDaemon {
    let mut daemon = requested.clone();
    daemon.group = Some(requested.group.unwrap_or(IpAddr::V4(SYNC_GROUP)));
    daemon.port = Some(requested.port.filter(|&p| p != 0).unwrap_or(SYNC_PORT));
    daemon.ttl = Some(requested.ttl.filter(|&t| t != 0).unwrap_or(SYNC_TTL));
    daemon
}

/// The IP and UDP headers of a sync message to `group` (the default group is IPv4): 20 + 8
/// for IPv4, 40 + 8 for IPv6; the kernel takes them off the maximum length.
fn sync_headers(group: Option<IpAddr>) -> u32 {
    if group.is_some_and(|g| g.is_ipv6()) {
        48
    } else {
        28
    }
}

/// The maximum length the kernel uses for a daemon started with `requested`, where the
/// request decides it: a length given (not 0) clamped to what the kernel takes (a backup
/// takes at least 1024). `None` where the kernel takes it from the interface's MTU instead
/// (no length, or 0).
pub(crate) fn daemon_max_len(requested: &SyncDaemon) -> Option<u16> {
    let len = requested.max_len.filter(|&len| len != 0)?;
    let least = if requested.role == DaemonRole::Backup {
        1024
    } else {
        1
    };
    let most = 65535 - sync_headers(requested.group);
    // At most 65535 by construction.
    Some(u16::try_from(u32::from(len).clamp(least, most)).unwrap_or(u16::MAX))
}

/// A sync daemon as the kernel lists it once started: defaults filled in, length clamped.
///
/// `mtu` is the MTU of the daemon's interface; only a backup uses it.
pub(crate) fn daemon(requested: &SyncDaemon, mtu: u32) -> SyncDaemon {
    let group = requested.group.unwrap_or(IpAddr::V4(SYNC_GROUP));
    let header = sync_headers(Some(group));
    let max_len = match daemon_max_len(requested) {
        Some(len) => u32::from(len),
        None if requested.role == DaemonRole::Backup => mtu.clamp(1500, 65535) - header,
        None => 1500 - header,
    };
    let mut listed = requested.clone();
    // Every value is at most 65535 by construction.
    listed.max_len = Some(u16::try_from(max_len).unwrap_or(u16::MAX));
    listed.group = Some(group);
    listed.port = Some(requested.port.filter(|&p| p != 0).unwrap_or(SYNC_PORT));
    listed.ttl = Some(requested.ttl.filter(|&t| t != 0).unwrap_or(SYNC_TTL));
    listed
}
