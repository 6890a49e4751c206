//! The service nest (`IPVS_CMD_ATTR_SERVICE`): encoding requests, decoding listed services.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use lvs_core::{
    Family, Netmask, Protocol, Scheduler, Service, ServiceEntry, ServiceFlags, ServiceKey, Stats,
};

use super::consts::svc as a;
use super::nla::{Attr, AttrWriter};
use super::{stats, DecodeError, Unknown, UnknownAttr};

/// An address as the kernel's 16-byte `union nf_inet_addr` (IPv4 in the first 4 bytes).
pub(crate) fn inet_addr_bytes(addr: &IpAddr) -> [u8; 16] {
    let mut out = [0; 16];
    match addr {
        IpAddr::V4(a) => out[..4].copy_from_slice(&a.octets()),
        IpAddr::V6(a) => out = a.octets(),
    }
    out
}

/// An address of a family from a `union nf_inet_addr` payload (4 or 16 bytes).
pub(crate) fn inet_addr(
    family: Family,
    payload: &[u8],
    what: &'static str,
) -> Result<IpAddr, DecodeError> {
    let need = match family {
        Family::Ipv4 => 4,
        _ => 16,
    };
    let bytes = payload.get(..need).ok_or(DecodeError::Truncated {
        what,
        need,
        have: payload.len(),
    })?;
    Ok(match family {
        Family::Ipv4 => IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3])),
        _ => {
            let mut b = [0u8; 16];
            b.copy_from_slice(bytes);
            IpAddr::V6(Ipv6Addr::from(b))
        }
    })
}

/// The address family of an `AF` attribute value.
pub(crate) fn family(af: u16, what: &'static str) -> Result<Family, DecodeError> {
    Family::from_af(af).ok_or_else(|| DecodeError::Invalid {
        what,
        reason: format!("address family {af} is neither AF_INET nor AF_INET6"),
    })
}

/// Writes the attributes that identify a service: `AF`, then `FWMARK` or
/// `PROTOCOL`+`ADDR`+`PORT`. The kernel needs only these for delete, zero, get and the
/// real-server commands.
pub fn encode_key(w: &mut AttrWriter<'_>, key: &ServiceKey) {
    w.u16(a::AF, key.family().af());
    match key {
        ServiceKey::Fwmark { mark, .. } => w.u32(a::FWMARK, *mark),
        ServiceKey::Addr { protocol, addr } => {
            w.u16(a::PROTOCOL, protocol.number());
            w.bytes(a::ADDR, &inet_addr_bytes(&addr.ip()));
            w.be16(a::PORT, addr.port());
        }
        _ => unreachable!("lvs-sys and lvs-core are released together"),
    }
}

/// Writes a full service, as add and edit need it, in the order ipvsadm 1.31 sends it.
///
/// `HASHED` is never sent: it is the kernel's own bookkeeping bit (reading ip_vs_ctl.c, its
/// hashing step skips a new service whose flags already carry it; not tested on a kernel,
/// since lvs never sends it).
pub fn encode(w: &mut AttrWriter<'_>, service: &Service) {
    encode_key(w, &service.key);
    w.string(a::SCHED_NAME, service.scheduler.name());
    if let Some(pe) = &service.pe_name {
        w.string(a::PE_NAME, pe);
    }
    let flags = service.flags.as_configured().bits();
    let mut flags_payload = [0u8; 8];
    flags_payload[..4].copy_from_slice(&flags.to_ne_bytes());
    flags_payload[4..].copy_from_slice(&u32::MAX.to_ne_bytes());
    w.bytes(a::FLAGS, &flags_payload);
    w.u32(a::TIMEOUT, service.timeout);
    // An IPv4 mask's bytes in network order, an IPv6 prefix length as a host-order number:
    // lvs-core defines the bytes so that MemoryIpvs stores what the kernel makes of them.
    w.bytes(a::NETMASK, &service.netmask.to_wire());
}

/// A service read from the kernel, with what this decoder did not recognise.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodedService {
    /// The service and its counters (64-bit when the kernel sent them).
    pub entry: ServiceEntry,
    /// Attributes of the nest this decoder does not know.
    pub unknown: Unknown,
}

/// Decodes a service nest from a `GET_SERVICE` reply.
pub fn decode(nest: &Attr<'_>) -> Result<DecodedService, DecodeError> {
    const WHAT: &str = "service";
    let mut af = None;
    let mut protocol = None;
    let mut addr = None;
    let mut port = None;
    let mut fwmark = None;
    let mut sched = None;
    let mut flags = None;
    let mut timeout = None;
    let mut netmask = None;
    let mut pe_name = None;
    let mut stats32 = None;
    let mut stats64 = None;
    let mut unknown = Unknown::new();
    for attr in nest.nested() {
        let attr = attr?;
        match attr.kind {
            a::AF => af = Some(attr.u16("service AF")?),
            a::PROTOCOL => protocol = Some(attr.u16("service protocol")?),
            a::ADDR => addr = Some(attr.payload),
            a::PORT => port = Some(attr.be16("service port")?),
            a::FWMARK => fwmark = Some(attr.u32("service fwmark")?),
            a::SCHED_NAME => sched = Some(attr.string("service scheduler")?),
            a::FLAGS => {
                let f = attr.payload;
                if f.len() < 8 {
                    return Err(DecodeError::Truncated {
                        what: "service flags",
                        need: 8,
                        have: f.len(),
                    });
                }
                let bits = u32::from_ne_bytes([f[0], f[1], f[2], f[3]]);
                let mask = u32::from_ne_bytes([f[4], f[5], f[6], f[7]]);
                flags = Some(bits & mask);
            }
            a::TIMEOUT => timeout = Some(attr.u32("service timeout")?),
            a::NETMASK => netmask = Some(attr.payload),
            a::PE_NAME => pe_name = Some(attr.string("service persistence engine")?),
            a::STATS => stats32 = Some(stats::decode(&attr)?),
            a::STATS64 => stats64 = Some(stats::decode(&attr)?),
            kind => unknown.push(UnknownAttr {
                kind,
                payload: attr.payload.to_vec(),
            }),
        }
    }
    let missing = |attr| DecodeError::Missing { what: WHAT, attr };
    let family = family(af.ok_or_else(|| missing("AF"))?, "service AF")?;
    let key = match fwmark {
        Some(mark) if mark != 0 => ServiceKey::fwmark(mark, family),
        _ => {
            let ip = inet_addr(
                family,
                addr.ok_or_else(|| missing("ADDR"))?,
                "service address",
            )?;
            ServiceKey::Addr {
                protocol: Protocol::from_number(protocol.ok_or_else(|| missing("PROTOCOL"))?),
                addr: SocketAddr::new(ip, port.ok_or_else(|| missing("PORT"))?),
            }
        }
    };
    let netmask_payload = netmask.ok_or_else(|| missing("NETMASK"))?;
    let raw: [u8; 4] = netmask_payload
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .ok_or(DecodeError::Truncated {
            what: "service netmask",
            need: 4,
            have: netmask_payload.len(),
        })?;
    let netmask = Netmask::from_wire(family, raw);
    let mut service = Service::new(key);
    service.scheduler = Scheduler::from_name(&sched.ok_or_else(|| missing("SCHED_NAME"))?);
    service.flags = ServiceFlags::from_bits_retain(flags.ok_or_else(|| missing("FLAGS"))?);
    service.timeout = timeout.ok_or_else(|| missing("TIMEOUT"))?;
    service.netmask = netmask;
    service.pe_name = pe_name.filter(|p| !p.is_empty());
    let stats = stats64.or(stats32).unwrap_or_else(Stats::default);
    Ok(DecodedService {
        entry: ServiceEntry::new(service, stats),
        unknown,
    })
}
