//! The names ipvsadm writes for services, real servers, forwarding and tunnels.

use std::net::Ipv4Addr;

use super::inet::addr_port_text;
use super::numbers::cut;
use crate::model::{
    Family, ForwardMethod, Netmask, Protocol, RealServer, Service, ServiceFlags, ServiceKey,
    TunnelChecksum, TunnelKind,
};

/// ipvsadm keeps only this many characters of a non-IPv6 service name. Numeric names never
/// reach it (`SCTP 255.255.255.255:65535` has 26); ipvsadm needs it for host names, and the
/// cut is kept so the rule is in one place should names ever be resolved by a caller.
const SERVICE_NAME_MAX: usize = 33;
/// ipvsadm keeps only this many characters of a non-IPv6 real-server name (numeric names
/// have at most 21).
const SERVER_NAME_MAX: usize = 28;

/// The service as the listing names it: `TCP  10.0.0.1:80`, `SCTP [2001:db8::1]:80`,
/// `FWM  5`, `FWM  5 IPv6`.
///
/// The protocol is padded to four characters, so TCP and UDP are followed by two spaces.
/// Marks are written as ipvsadm 1.31 writes them, as a signed number (`%d`): marks of 2^31
/// and above come out negative (ipvsadm releases after 1.31 write them unsigned).
pub(crate) fn service_name(key: &ServiceKey) -> String {
    match key {
        ServiceKey::Fwmark { mark, family } => {
            // 1.31's `%d`: the reinterpretation as signed is the point.
            let shown = *mark as i32;
            match family {
                Family::Ipv6 => format!("FWM  {shown} IPv6"),
                _ => format!("FWM  {shown}"),
            }
        }
        ServiceKey::Addr { protocol, addr } => {
            let name = format!("{:<4} {}", protocol_name(*protocol), addr_port_text(addr));
            if addr.is_ipv6() {
                name
            } else {
                cut(name, SERVICE_NAME_MAX)
            }
        }
    }
}

/// ipvsadm's protocol names; it knows only these three and writes `?` for others.
fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "TCP",
        Protocol::Udp => "UDP",
        Protocol::Sctp => "SCTP",
        _ => "?",
    }
}

/// The real server as the listing names it: `192.168.1.1:80`, `[2001:db8::2]:80`.
pub(crate) fn server_name(server: &RealServer) -> String {
    let name = addr_port_text(&server.addr);
    if server.addr.is_ipv6() {
        name
    } else {
        cut(name, SERVER_NAME_MAX)
    }
}

/// The forwarding column: `Masq`, `Local`, `Tunnel`, `Route`.
///
/// ipvsadm has no name for bypass or unknown methods: its lookup yields a NULL string,
/// which glibc's printf writes as `(null)`. The listing reproduces that text so it stays
/// byte for byte what ipvsadm prints.
pub(crate) fn forward_name(forward: &ForwardMethod) -> &'static str {
    match forward {
        ForwardMethod::Masquerade => "Masq",
        ForwardMethod::Local => "Local",
        ForwardMethod::Tunnel(_) => "Tunnel",
        ForwardMethod::DirectRoute => "Route",
        _ => "(null)",
    }
}

/// The `--tun-info` column: `ipip`, `gue:PORT:CSUM`, `gre:CSUM` for tunnels, `n/a` for
/// other forwarding methods and unknown tunnel kinds.
///
/// CSUM is `-c` (no checksum), `+c` (checksum) or `r+c` (remote checksum offload). ipvsadm
/// indexes a table with the kernel's flags word, so an unknown word is undefined there; the
/// listing writes `?` for it.
pub(crate) fn tunnel_info(forward: &ForwardMethod) -> String {
    let Some(tunnel) = forward.tunnel() else {
        return "n/a".to_owned();
    };
    let checksum = match tunnel.checksum {
        TunnelChecksum::None => "-c",
        TunnelChecksum::Checksum => "+c",
        TunnelChecksum::Remote => "r+c",
        _ => "?",
    };
    match tunnel.kind {
        TunnelKind::Ipip => "ipip".to_owned(),
        TunnelKind::Gue { port } => format!("gue:{port}:{checksum}"),
        TunnelKind::Gre => format!("gre:{checksum}"),
        _ => "n/a".to_owned(),
    }
}

/// The scheduler flags of a service, comma-separated, by the names its scheduler gives
/// them: `sh-fallback`/`sh-port` for `sh`, `mh-fallback`/`mh-port` for `mh`, and
/// `flag-1`/`flag-2`/`flag-3` for every other scheduler. `None` when no flag bit is set.
///
/// `sh` and `mh` have no name for flag 3, so a service with only that bit gets an empty
/// string, and ipvsadm prints ` ()` for it; the listing does too.
pub(crate) fn sched_flag_names(service: &Service) -> Option<String> {
    let bits = service.flags & (ServiceFlags::SCHED1 | ServiceFlags::SCHED2 | ServiceFlags::SCHED3);
    if bits.is_empty() {
        return None;
    }
    let names: &[(ServiceFlags, &str)] = match service.scheduler.name() {
        "sh" => &[
            (ServiceFlags::SCHED1, "sh-fallback"),
            (ServiceFlags::SCHED2, "sh-port"),
        ],
        "mh" => &[
            (ServiceFlags::SCHED1, "mh-fallback"),
            (ServiceFlags::SCHED2, "mh-port"),
        ],
        _ => &[
            (ServiceFlags::SCHED1, "flag-1"),
            (ServiceFlags::SCHED2, "flag-2"),
            (ServiceFlags::SCHED3, "flag-3"),
        ],
    };
    let shown: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| bits.contains(*bit))
        .map(|(_, name)| *name)
        .collect();
    Some(shown.join(","))
}

/// The persistence mask part of a service line (` mask 255.255.255.0`, ` mask 64`), empty
/// when the mask is the full one of the service's family.
///
/// The raw value is read in the service's family, as ipvsadm does, so a mask of the other
/// kind is shown as the kernel would hold it.
pub(crate) fn mask_suffix(service: &Service) -> String {
    let raw = Netmask::from_wire(service.key.family(), service.netmask.to_wire()).to_raw();
    match service.key.family() {
        Family::Ipv6 if raw != 128 => format!(" mask {}", raw as i32),
        Family::Ipv6 => String::new(),
        _ if raw != u32::MAX => format!(" mask {}", Ipv4Addr::from(raw)),
        _ => String::new(),
    }
}
