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
    // Most addresses of a rule file are dotted IPv4 with a numeric port: read in one pass.
    // Anything else takes the general reading, which gives the same answer for these.
    match plain_ipv4(text.as_bytes()) {
        Some((ip, port)) => Some((IpAddr::V4(ip), port)),
        None => address_in_full(text),
    }
}

/// [`address`] by std's parsers, on each form in turn.
fn address_in_full(text: &str) -> Option<(IpAddr, Option<u16>)> {
    if let Some(inner) = text.strip_prefix('[') {
        let (v6, after) = inner.split_once(']')?;
        let v6: Ipv6Addr = v6.parse().ok()?;
        let p = port(after.strip_prefix(':')?)?;
        return Some((IpAddr::V6(v6), Some(p)));
    }
    // Every textual IPv6 address has at least two colons (`::` at the shortest), an
    // IPv4 address with its port one.
    if text.bytes().filter(|&b| b == b':').nth(1).is_some() {
        if let Ok(v6) = text.parse::<Ipv6Addr>() {
            return Some((IpAddr::V6(v6), None));
        }
    }
    match text.split_once(':') {
        Some((v4, p)) => Some((IpAddr::V4(v4.parse().ok()?), Some(port(p)?))),
        None => Some((IpAddr::V4(text.parse().ok()?), None)),
    }
}

/// `a.b.c.d` or `a.b.c.d:port` with a port of digits only, read as [`address`] reads it:
/// octets of one to three digits up to 255 without a leading zero (std's IPv4 syntax), a
/// port up to 65535 (leading zeros allowed, as `strtol` reads it). `None` when the text is
/// anything else, including what [`address`] refuses: [`address_in_full`] then reads it.
fn plain_ipv4(text: &[u8]) -> Option<(Ipv4Addr, Option<u16>)> {
    let mut octets = [0u8; 4];
    let (mut filled, mut value, mut digits) = (0, 0u32, 0);
    for (at, &b) in text.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                // A second digit after a leading zero, or a fourth digit.
                if (digits > 0 && value == 0) || digits == 3 {
                    return None;
                }
                value = value * 10 + u32::from(b - b'0');
                digits += 1;
            }
            b'.' | b':' if digits > 0 && (filled < 3) == (b == b'.') => {
                octets[filled] = u8::try_from(value).ok()?;
                (filled, value, digits) = (filled + 1, 0, 0);
                if b == b':' {
                    let port = plain_port(&text[at + 1..])?;
                    return Some((Ipv4Addr::from(octets), Some(port)));
                }
            }
            _ => return None,
        }
    }
    if filled != 3 || digits == 0 {
        return None;
    }
    octets[3] = u8::try_from(value).ok()?;
    Some((Ipv4Addr::from(octets), None))
}

/// Digits only, up to 65535: the ports [`plain_ipv4`] reads.
fn plain_port(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() {
        return None;
    }
    let mut port = 0u32;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        port = port * 10 + u32::from(d - b'0');
        if port > u32::from(u16::MAX) {
            return None;
        }
    }
    u16::try_from(port).ok()
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

    #[test]
    fn the_one_pass_ipv4_reading_agrees_with_the_full_one_at_its_edges() {
        for text in [
            "0.0.0.0",
            "255.255.255.255",
            "256.0.0.1",
            "01.2.3.4",
            "1.2.3.04",
            "1.2.3",
            "1.2.3.4.",
            "1.2.3.4.5",
            "1..3.4",
            "1.2.3.4:0",
            "1.2.3.4:65535",
            "1.2.3.4:65536",
            "1.2.3.4:080",
            "1.2.3.4:0000000000000000000080",
            "1.2.3.4:99999999999999999999",
            "1.2.3.4:+80",
            "1.2.3.4:-1",
            "1.2.3.4:",
            "1.2.3.4:http",
            "1.2.3.4:80:1",
            "1234.2.3.4",
            "1.2.3.4 ",
            "::1.2.3.4",
            "::ffff:1.2.3.4",
            "1.2.3.4::",
            "1.2.3.4:ab",
        ] {
            assert_eq!(address(text), address_in_full(text), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
        fn every_text_reads_as_the_full_reading_reads_it(
            text in "[0-9.:+a-f\\[\\]]{0,24}|([0-9]{1,4}\\.){3}[0-9]{1,4}(:[0-9+]{0,7})?"
        ) {
            proptest::prop_assert_eq!(address(&text), address_in_full(&text));
            // What lets the full reading skip IPv6 for a text with fewer colons.
            if text.parse::<Ipv6Addr>().is_ok() {
                proptest::prop_assert!(text.matches(':').count() >= 2);
            }
        }
    }
}
