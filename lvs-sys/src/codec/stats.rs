//! The statistics nests (`STATS`, 32-bit counters and rates; `STATS64`, all 64-bit).

use lvs_core::Stats;

use super::consts::stats as a;
use super::nla::Attr;
use super::DecodeError;

/// Reads a counter of either width: `STATS` carries u32 conns/packets/rates and u64 bytes,
/// `STATS64` carries u64 throughout; the payload length tells which.
fn counter(attr: &Attr<'_>, what: &'static str) -> Result<u64, DecodeError> {
    match attr.payload.len() {
        4 => attr.u32(what).map(u64::from),
        _ => attr.u64(what),
    }
}

/// Decodes a `STATS` or `STATS64` nest. Unknown and padding attributes are skipped: the
/// stats nest has no identity to keep them for.
pub fn decode(attr: &Attr<'_>) -> Result<Stats, DecodeError> {
    let mut stats = Stats::default();
    for inner in attr.nested() {
        let inner = inner?;
        let field = match inner.kind {
            a::CONNS => &mut stats.conns,
            a::INPKTS => &mut stats.in_packets,
            a::OUTPKTS => &mut stats.out_packets,
            a::INBYTES => &mut stats.in_bytes,
            a::OUTBYTES => &mut stats.out_bytes,
            a::CPS => &mut stats.cps,
            a::INPPS => &mut stats.in_pps,
            a::OUTPPS => &mut stats.out_pps,
            a::INBPS => &mut stats.in_bps,
            a::OUTBPS => &mut stats.out_bps,
            _ => continue,
        };
        *field = counter(&inner, "stats counter")?;
    }
    Ok(stats)
}
