//! The destination (real server) nest (`IPVS_CMD_ATTR_DEST`).

use std::net::SocketAddr;

use lvs_core::{
    Family, ForwardMethod, RealServer, RealServerEntry, Stats, Tunnel, TunnelChecksum, TunnelKind,
};

use super::consts::dest as a;
use super::nla::{Attr, AttrWriter};
use super::service::{family, inet_addr, inet_addr_bytes};
use super::{stats, DecodeError, Unknown, UnknownAttr};

/// Writes a real server, in the order ipvsadm 1.31 sends it. The tunnel attributes are always
/// sent (zeros unless tunnelling); kernels older than 5.2 ignore them.
pub fn encode(w: &mut AttrWriter<'_>, server: &RealServer) {
    let tunnel = server.forward.tunnel().unwrap_or(Tunnel::IPIP);
    w.u16(a::ADDR_FAMILY, server.family().af());
    w.bytes(a::ADDR, &inet_addr_bytes(&server.addr.ip()));
    w.be16(a::PORT, server.addr.port());
    w.u32(a::FWD_METHOD, server.forward.number());
    w.u32(a::WEIGHT, server.weight);
    w.u8(a::TUN_TYPE, tunnel.kind.number());
    w.be16(a::TUN_PORT, tunnel.kind.port());
    w.u16(a::TUN_FLAGS, tunnel.checksum.flags());
    w.u32(a::U_THRESH, server.upper_threshold);
    w.u32(a::L_THRESH, server.lower_threshold);
}

/// Writes the attributes that identify a real server for deletion: family, address, port.
pub fn encode_id(w: &mut AttrWriter<'_>, addr: &SocketAddr) {
    let family = Family::of(&addr.ip());
    w.u16(a::ADDR_FAMILY, family.af());
    w.bytes(a::ADDR, &inet_addr_bytes(&addr.ip()));
    w.be16(a::PORT, addr.port());
}

/// A real server read from the kernel, with what this decoder did not recognise.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodedDest {
    /// The real server with its connection counts and counters.
    pub entry: RealServerEntry,
    /// Attributes of the nest this decoder does not know.
    pub unknown: Unknown,
}

/// Decodes a destination nest of a `GET_DEST` reply. `service_family` is used when the
/// kernel does not say the real server's own family (before Linux 3.18).
pub fn decode(nest: &Attr<'_>, service_family: Family) -> Result<DecodedDest, DecodeError> {
    const WHAT: &str = "real server";
    let mut addr = None;
    let mut port = None;
    let mut fwd = None;
    let mut weight = None;
    let mut upper = None;
    let mut lower = None;
    let mut active = 0;
    let mut inactive = 0;
    let mut persistent = 0;
    let mut af = None;
    let mut tun_type = 0;
    let mut tun_port = 0;
    let mut tun_flags = 0;
    let mut stats32 = None;
    let mut stats64 = None;
    let mut unknown = Unknown::new();
    for attr in nest.nested() {
        let attr = attr?;
        match attr.kind {
            a::ADDR => addr = Some(attr.payload),
            a::PORT => port = Some(attr.be16("real server port")?),
            a::FWD_METHOD => fwd = Some(attr.u32("forwarding method")?),
            a::WEIGHT => weight = Some(attr.u32("weight")?),
            a::U_THRESH => upper = Some(attr.u32("upper threshold")?),
            a::L_THRESH => lower = Some(attr.u32("lower threshold")?),
            a::ACTIVE_CONNS => active = attr.u32("active connections")?,
            a::INACT_CONNS => inactive = attr.u32("inactive connections")?,
            a::PERSIST_CONNS => persistent = attr.u32("persistent connections")?,
            a::ADDR_FAMILY => af = Some(attr.u16("real server family")?),
            a::TUN_TYPE => tun_type = attr.u8("tunnel type")?,
            a::TUN_PORT => tun_port = attr.be16("tunnel port")?,
            a::TUN_FLAGS => tun_flags = attr.u16("tunnel flags")?,
            a::STATS => stats32 = Some(stats::decode(&attr)?),
            a::STATS64 => stats64 = Some(stats::decode(&attr)?),
            kind => unknown.push(UnknownAttr {
                kind,
                payload: attr.payload.to_vec(),
            }),
        }
    }
    let missing = |attr| DecodeError::Missing { what: WHAT, attr };
    let family = match af {
        Some(0) | None => service_family,
        Some(af) => family(af, "real server family")?,
    };
    let ip = inet_addr(
        family,
        addr.ok_or_else(|| missing("ADDR"))?,
        "real server address",
    )?;
    let tunnel = Tunnel::new(
        TunnelKind::from_wire(tun_type, tun_port),
        TunnelChecksum::from_flags(tun_flags),
    );
    let mut server = RealServer::new(SocketAddr::new(ip, port.ok_or_else(|| missing("PORT"))?));
    server.forward = ForwardMethod::from_wire(fwd.ok_or_else(|| missing("FWD_METHOD"))?, tunnel);
    server.weight = weight.ok_or_else(|| missing("WEIGHT"))?;
    server.upper_threshold = upper.ok_or_else(|| missing("U_THRESH"))?;
    server.lower_threshold = lower.ok_or_else(|| missing("L_THRESH"))?;
    let mut entry = RealServerEntry::new(server);
    entry.active_conns = active;
    entry.inactive_conns = inactive;
    entry.persistent_conns = persistent;
    entry.stats = stats64.or(stats32).unwrap_or_else(Stats::default);
    Ok(DecodedDest { entry, unknown })
}
