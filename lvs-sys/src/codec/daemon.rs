//! The sync-daemon nest (`IPVS_CMD_ATTR_DAEMON`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use lvs_core::{DaemonRole, SyncDaemon};

use super::consts::daemon as a;
use super::nla::{Attr, AttrWriter};
use super::{DecodeError, Unknown, UnknownAttr};

/// Writes a daemon to start, in the order ipvsadm 1.31 sends it: the optional values only
/// when set, so the kernel applies its defaults otherwise.
pub fn encode(w: &mut AttrWriter<'_>, daemon: &SyncDaemon) {
    w.u32(a::STATE, daemon.role.number());
    w.string(a::MCAST_IFN, &daemon.interface);
    w.u32(a::SYNC_ID, daemon.sync_id);
    if let Some(max_len) = daemon.max_len {
        w.u16(a::SYNC_MAXLEN, max_len);
    }
    if let Some(port) = daemon.port {
        // Host byte order, unlike every other port of the family.
        w.u16(a::MCAST_PORT, port);
    }
    if let Some(ttl) = daemon.ttl {
        w.u8(a::MCAST_TTL, ttl);
    }
    match daemon.group {
        Some(IpAddr::V6(g)) => w.bytes(a::MCAST_GROUP6, &g.octets()),
        Some(IpAddr::V4(g)) => w.bytes(a::MCAST_GROUP, &g.octets()),
        None => {}
    }
}

/// Writes what stopping a daemon needs: its state (role).
pub fn encode_stop(w: &mut AttrWriter<'_>, role: DaemonRole) {
    w.u32(a::STATE, role.number());
}

/// A daemon read from the kernel, with what this decoder did not recognise.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodedDaemon {
    /// The daemon with the values in effect.
    pub daemon: SyncDaemon,
    /// Attributes of the nest this decoder does not know.
    pub unknown: Unknown,
}

/// Decodes a daemon nest of a `GET_DAEMON` reply.
pub fn decode(nest: &Attr<'_>) -> Result<DecodedDaemon, DecodeError> {
    let mut state = None;
    let mut ifname = None;
    let mut sync_id = None;
    let mut daemon_extra = (None, None, None, None);
    let mut unknown = Unknown::new();
    for attr in nest.nested() {
        let attr = attr?;
        match attr.kind {
            a::STATE => state = Some(attr.u32("daemon state")?),
            a::MCAST_IFN => ifname = Some(attr.string("daemon interface")?),
            a::SYNC_ID => sync_id = Some(attr.u32("daemon sync id")?),
            a::SYNC_MAXLEN => daemon_extra.0 = Some(attr.u16("daemon max length")?),
            a::MCAST_GROUP => {
                let b = attr.u32("daemon group")?.to_ne_bytes();
                daemon_extra.1 = Some(IpAddr::V4(Ipv4Addr::from(b)));
            }
            a::MCAST_GROUP6 => {
                let b: [u8; 16] = attr
                    .payload
                    .get(..16)
                    .and_then(|b| b.try_into().ok())
                    .ok_or(DecodeError::Truncated {
                        what: "daemon IPv6 group",
                        need: 16,
                        have: attr.payload.len(),
                    })?;
                daemon_extra.1 = Some(IpAddr::V6(Ipv6Addr::from(b)));
            }
            a::MCAST_PORT => daemon_extra.2 = Some(attr.u16("daemon port")?),
            a::MCAST_TTL => daemon_extra.3 = Some(attr.u8("daemon ttl")?),
            kind => unknown.push(UnknownAttr {
                kind,
                payload: attr.payload.to_vec(),
            }),
        }
    }
    let missing = |attr| DecodeError::Missing {
        what: "sync daemon",
        attr,
    };
    let role = DaemonRole::from_number(state.ok_or_else(|| missing("STATE"))?);
    let mut daemon = SyncDaemon::new(role, ifname.ok_or_else(|| missing("MCAST_IFN"))?);
    daemon.sync_id = sync_id.ok_or_else(|| missing("SYNC_ID"))?;
    (daemon.max_len, daemon.group, daemon.port, daemon.ttl) = daemon_extra;
    Ok(DecodedDaemon { daemon, unknown })
}
