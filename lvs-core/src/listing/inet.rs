//! Address text as glibc's `inet_ntop` writes it, which is what ipvsadm prints with `-n`.
//!
//! Rust's `Ipv6Addr` display follows RFC 5952 and agrees with glibc except for
//! IPv4-compatible addresses (`::a.b.c.d`, the first 96 bits zero): glibc writes their last
//! 32 bits as a dotted quad, Rust as two hex groups. Listings must match ipvsadm, so IPv6
//! text is built here.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The address as glibc's `inet_ntop` writes it.
pub(crate) fn addr_text(addr: &IpAddr) -> String {
    match addr {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => ipv6_text(a),
    }
}

/// `ADDR:PORT`, with IPv6 addresses in brackets (ipvsadm's numeric address naming).
pub(crate) fn addr_port_text(addr: &SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(a) => format!("{a}:{}", addr.port()),
        IpAddr::V6(a) => format!("[{}]:{}", ipv6_text(&a), addr.port()),
    }
}

/// An IPv6 address as glibc writes it: the first longest run of two or more zero groups
/// becomes `::`, and an IPv4-compatible or IPv4-mapped address ends in a dotted quad.
pub(crate) fn ipv6_text(addr: &Ipv6Addr) -> String {
    let groups = addr.segments();
    let (run_start, run_len) = longest_zero_run(&groups);
    let embeds_ipv4 =
        run_start == Some(0) && (run_len == 6 || (run_len == 5 && groups[5] == 0xffff));

    let mut text = String::with_capacity(39);
    let mut i = 0;
    while i < 8 {
        if run_start == Some(i) {
            text.push_str("::");
            i += run_len;
            continue;
        }
        if i != 0 && !text.ends_with(':') {
            text.push(':');
        }
        if i == 6 && embeds_ipv4 {
            let [.., a, b, c, d] = addr.octets();
            let _ = write!(text, "{}", Ipv4Addr::new(a, b, c, d));
            break;
        }
        let _ = write!(text, "{:x}", groups[i]);
        i += 1;
    }
    text
}

/// The start and length of the first longest run of zero groups, if it is at least two
/// groups long (a single zero group is written out, not compressed).
fn longest_zero_run(groups: &[u16; 8]) -> (Option<usize>, usize) {
    let mut best: (Option<usize>, usize) = (None, 0);
    let mut i = 0;
    while i < groups.len() {
        if groups[i] != 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < groups.len() && groups[i] == 0 {
            i += 1;
        }
        if i - start > best.1 {
            best = (Some(start), i - start);
        }
    }
    if best.1 < 2 {
        (None, 0)
    } else {
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> String {
        ipv6_text(&s.parse().unwrap())
    }

    #[test]
    fn writes_ipv6_like_glibc() {
        assert_eq!(v6("::"), "::");
        assert_eq!(v6("::1"), "::1");
        assert_eq!(v6("2001:db8::1"), "2001:db8::1");
        assert_eq!(v6("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");
        assert_eq!(v6("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
        assert_eq!(v6("2001:db8:1:1:1:1:0:1"), "2001:db8:1:1:1:1:0:1");
        assert_eq!(v6("1::"), "1::");
        assert_eq!(v6("fe80::"), "fe80::");
        assert_eq!(v6("::ffff:10.0.0.1"), "::ffff:10.0.0.1");
        assert_eq!(v6("::10.0.0.1"), "::10.0.0.1");
        assert_eq!(v6("::0.0.1.0"), "::100");
        assert_eq!(v6("1:0:0:0:0:ffff:a00:1"), "1::ffff:a00:1");
    }

    #[test]
    fn agrees_with_rust_outside_ipv4_compatible_addresses() {
        for s in [
            "ffff::",
            "0:1::",
            "a:b:c:d:e:f:0:0",
            "::ffff:0:1",
            "0:0:1::1",
        ] {
            let a: Ipv6Addr = s.parse().unwrap();
            assert_eq!(ipv6_text(&a), a.to_string(), "{s}");
        }
    }
}
