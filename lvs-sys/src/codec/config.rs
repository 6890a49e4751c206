//! Top-level attributes of the configuration commands: timeouts and kernel info.

use lvs_core::{KernelInfo, Timeouts};

use super::consts::{attr, info};
use super::nla::{AttrWriter, Attrs};
use super::DecodeError;

/// Writes the three timeouts of `SET_CONFIG` (zeros leave a value unchanged).
pub fn encode_timeouts(w: &mut AttrWriter<'_>, timeouts: &Timeouts) {
    w.u32(attr::TIMEOUT_TCP, timeouts.tcp);
    w.u32(attr::TIMEOUT_TCP_FIN, timeouts.tcp_fin);
    w.u32(attr::TIMEOUT_UDP, timeouts.udp);
}

/// Decodes the timeouts of a `GET_CONFIG` reply's attributes. A timeout the kernel leaves
/// out (its protocol is compiled out) reads as 0.
pub fn decode_timeouts(attrs: Attrs<'_>) -> Result<Timeouts, DecodeError> {
    let mut t = Timeouts::new(0, 0, 0);
    for a in attrs {
        let a = a?;
        match a.kind {
            attr::TIMEOUT_TCP => t.tcp = a.u32("tcp timeout")?,
            attr::TIMEOUT_TCP_FIN => t.tcp_fin = a.u32("tcp fin timeout")?,
            attr::TIMEOUT_UDP => t.udp = a.u32("udp timeout")?,
            _ => {}
        }
    }
    Ok(t)
}

/// Decodes a `GET_INFO` reply's attributes.
pub fn decode_info(attrs: Attrs<'_>) -> Result<KernelInfo, DecodeError> {
    let (mut version, mut size) = (None, None);
    for a in attrs {
        let a = a?;
        match a.kind {
            info::VERSION => version = Some(a.u32("IPVS version")?),
            info::CONN_TAB_SIZE => size = Some(a.u32("connection table size")?),
            _ => {}
        }
    }
    let missing = |attr| DecodeError::Missing {
        what: "IPVS info",
        attr,
    };
    Ok(KernelInfo::new(
        version.ok_or_else(|| missing("VERSION"))?,
        size.ok_or_else(|| missing("CONN_TAB_SIZE"))?,
    ))
}
