//! Reading option values: integers, addresses with ports, ports, netmasks.
//!
//! Everything is numeric: this crate does no I/O, so there is no DNS and no
//! `/etc/services`. Ports may also be given by a few well-known service names (see
//! [`WELL_KNOWN_PORTS`]), whatever the protocol.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Service names accepted in place of a port number, with their ports. They are the same
/// for TCP, UDP and SCTP here (`/etc/services` lists most of them for both TCP and UDP).
pub const WELL_KNOWN_PORTS: &[(&str, u16)] = &[
    ("ftp", 21),
    ("ssh", 22),
    ("telnet", 23),
    ("smtp", 25),
    ("domain", 53),
    ("http", 80),
    ("pop3", 110),
    ("ntp", 123),
    ("imap", 143),
    ("snmp", 161),
    ("ldap", 389),
    ("https", 443),
    ("submission", 587),
    ("imaps", 993),
    ("pop3s", 995),
    ("mysql", 3306),
    ("sip", 5060),
];

/// A decimal integer with an optional sign, as C's `strtol` reads a whole token; `None`
/// when the text is not one (or is too large for `i64`).
pub(crate) fn integer(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'+' => (false, &text[1..]),
        b'-' => (true, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude: i64 = digits.parse().ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// An integer within `min..=max`.
pub(crate) fn integer_in(text: &str, min: i64, max: i64) -> Option<i64> {
    integer(text).filter(|n| (min..=max).contains(n))
}

/// A port: a number 0..=65535 or a well-known service name.
pub(crate) fn port(text: &str) -> Option<u16> {
    if let Some(n) = integer(text) {
        return u16::try_from(n).ok();
    }
    WELL_KNOWN_PORTS
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, p)| *p)
}

/// An address with an optional port, in ipvsadm's forms: `a.b.c.d`, `a.b.c.d:port`,
/// `[v6]:port` (the brackets need the port) and a bare IPv6 address (no port).
/// A token of digits only is refused, as ipvsadm does.
pub(crate) fn address(text: &str) -> Option<(IpAddr, Option<u16>)> {
    if text.is_empty() || text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(inner) = text.strip_prefix('[') {
        let (v6, after) = inner.split_once(']')?;
        let v6: Ipv6Addr = v6.parse().ok()?;
        let p = port(after.strip_prefix(':')?)?;
        return Some((IpAddr::V6(v6), Some(p)));
    }
    if let Ok(v6) = text.parse::<Ipv6Addr>() {
        return Some((IpAddr::V6(v6), None));
    }
    match text.split_once(':') {
        Some((v4, p)) => Some((IpAddr::V4(v4.parse().ok()?), Some(port(p)?))),
        None => Some((IpAddr::V4(text.parse().ok()?), None)),
    }
}

/// A dotted IPv4 netmask (any 32-bit value, as the kernel keeps it).
pub(crate) fn ipv4_mask(text: &str) -> Option<Ipv4Addr> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_read_like_strtol_on_a_whole_token() {
        assert_eq!(integer("42"), Some(42));
        assert_eq!(integer("+7"), Some(7));
        assert_eq!(integer("-3"), Some(-3));
        assert_eq!(integer("007"), Some(7));
        assert_eq!(integer(""), None);
        assert_eq!(integer("-"), None);
        assert_eq!(integer("5x"), None);
        assert_eq!(integer("99999999999999999999"), None);
    }

    #[test]
    fn addresses_in_every_form() {
        let v4: IpAddr = "10.0.0.1".parse().unwrap();
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(address("10.0.0.1"), Some((v4, None)));
        assert_eq!(address("10.0.0.1:80"), Some((v4, Some(80))));
        assert_eq!(address("10.0.0.1:http"), Some((v4, Some(80))));
        assert_eq!(address("[2001:db8::1]:443"), Some((v6, Some(443))));
        assert_eq!(address("2001:db8::1"), Some((v6, None)));
        assert_eq!(address("[2001:db8::1]"), None);
        assert_eq!(address("[2001:db8::1]:"), None);
        assert_eq!(address("10.0.0.1:"), None);
        assert_eq!(address("10.0.0.1:65536"), None);
        assert_eq!(address("80"), None);
        assert_eq!(address("www.example.org"), None);
        assert_eq!(address(""), None);
    }
}
