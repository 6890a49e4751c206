//! Netlink attributes (TLVs): writing them into a buffer and walking them in a payload.
//!
//! An attribute is a 4-byte header (`nla_len` u16 = header + payload, `nla_type` u16 whose top
//! two bits are flags) followed by the payload, padded to a multiple of 4. Integers are in host
//! byte order unless the IPVS family says otherwise (ports and IPv4 netmasks travel in network
//! order; the callers handle that).

use super::DecodeError;

/// `NLA_F_NESTED`: set by some senders on nested attributes.
const NLA_F_NESTED: u16 = 1 << 15;
/// `NLA_F_NET_BYTEORDER`.
const NLA_F_NET_BYTEORDER: u16 = 1 << 14;
/// The attribute type without its flag bits.
const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
const NLA_HDRLEN: usize = 4;

/// The longest payload an attribute can carry: its length field is a `u16` and counts the
/// 4-byte header; one less than that, so that the padded length still fits.
pub const MAX_PAYLOAD: usize = u16::MAX as usize - NLA_HDRLEN - 3;

/// The longest string [`AttrWriter::string`] writes, in bytes (without its NUL).
pub const MAX_STRING: usize = 4096;

/// Rounds a length up to netlink's 4-byte alignment.
pub const fn align4(len: usize) -> usize {
    (len + 3) & !3
}

/// Appends attributes to a message buffer.
#[derive(Debug)]
pub struct AttrWriter<'a> {
    buf: &'a mut Vec<u8>,
}

impl<'a> AttrWriter<'a> {
    /// A writer appending to `buf`, which must end 4-byte aligned.
    pub fn new(buf: &'a mut Vec<u8>) -> AttrWriter<'a> {
        debug_assert_eq!(buf.len() % 4, 0);
        AttrWriter { buf }
    }

    /// Appends an attribute with a raw payload.
    ///
    /// An attribute's length is a `u16`, so a payload longer than [`MAX_PAYLOAD`] is cut to
    /// it rather than written with a wrapped length (which would corrupt the message).
    pub fn bytes(&mut self, kind: u16, payload: &[u8]) {
        let payload = &payload[..payload.len().min(MAX_PAYLOAD)];
        let len = NLA_HDRLEN + payload.len();
        let len16 = u16::try_from(len).unwrap_or(u16::MAX);
        // Numbers and addresses, most of every request: the attribute is put together on
        // the stack and appended at once, one capacity check instead of four.
        const SMALL: usize = 16;
        if payload.len() <= SMALL {
            let mut attr = [0u8; NLA_HDRLEN + SMALL];
            attr[..2].copy_from_slice(&len16.to_ne_bytes());
            attr[2..4].copy_from_slice(&kind.to_ne_bytes());
            attr[NLA_HDRLEN..len].copy_from_slice(payload);
            self.buf.extend_from_slice(&attr[..align4(len)]);
            return;
        }
        self.buf.extend_from_slice(&len16.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(payload);
        self.buf.resize(self.buf.len() + align4(len) - len, 0);
    }

    /// Appends a `u8` attribute.
    pub fn u8(&mut self, kind: u16, value: u8) {
        self.bytes(kind, &[value]);
    }

    /// Appends a host-order `u16` attribute.
    pub fn u16(&mut self, kind: u16, value: u16) {
        self.bytes(kind, &value.to_ne_bytes());
    }

    /// Appends a `u16` attribute whose value travels in network byte order.
    pub fn be16(&mut self, kind: u16, value: u16) {
        self.bytes(kind, &value.to_be_bytes());
    }

    /// Appends a host-order `u32` attribute.
    pub fn u32(&mut self, kind: u16, value: u32) {
        self.bytes(kind, &value.to_ne_bytes());
    }

    /// Appends a NUL-terminated string attribute.
    ///
    /// A string longer than [`MAX_STRING`] bytes is cut to that length. Every string the
    /// kernel takes in these families (scheduler, engine, interface and family names) has
    /// a limit of 16 bytes and is refused above it (EINVAL), so the cut string gets the
    /// kernel's answer to the whole one, and a nest of a few strings stays far below the
    /// 64 KiB an attribute can hold.
    pub fn string(&mut self, kind: u16, value: &str) {
        let value = &value.as_bytes()[..value.len().min(MAX_STRING)];
        // Written in place rather than through `bytes` with a copy ending in NUL: a
        // scheduler name goes into every service request.
        let len = NLA_HDRLEN + value.len() + 1;
        let len16 = u16::try_from(len).unwrap_or(u16::MAX);
        self.buf.extend_from_slice(&len16.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(value);
        self.buf.resize(self.buf.len() + 1 + align4(len) - len, 0);
    }

    /// Appends a nested attribute whose payload `fill` writes.
    pub fn nested(&mut self, kind: u16, fill: impl FnOnce(&mut AttrWriter<'_>)) {
        let start = self.buf.len();
        self.buf.extend_from_slice(&[0; NLA_HDRLEN]);
        fill(&mut AttrWriter { buf: self.buf });
        // A nest longer than an attribute can hold (only possible by filling it with many
        // large attributes by hand) keeps the whole attributes that fit.
        if self.buf.len() - start > usize::from(u16::MAX) {
            let mut end = start + NLA_HDRLEN;
            while end + NLA_HDRLEN <= self.buf.len() {
                let inner = usize::from(u16::from_ne_bytes([self.buf[end], self.buf[end + 1]]));
                let next = end + align4(inner.max(NLA_HDRLEN));
                if next - start > usize::from(u16::MAX) {
                    break;
                }
                end = next;
            }
            self.buf.truncate(end);
        }
        let len = self.buf.len() - start;
        let len16 = u16::try_from(len).unwrap_or(u16::MAX);
        self.buf[start..start + 2].copy_from_slice(&len16.to_ne_bytes());
        // NLA_F_NESTED, as libnl sets it: strict kernels require it, lenient ones ignore it.
        self.buf[start + 2..start + 4].copy_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
    }
}

/// One attribute found in a payload: its type (flags removed) and payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    /// The attribute type, without `NLA_F_NESTED`/`NLA_F_NET_BYTEORDER`.
    pub kind: u16,
    /// The payload, without padding.
    pub payload: &'a [u8],
}

impl<'a> Attr<'a> {
    /// The payload as exactly `N` bytes.
    fn exact<const N: usize>(&self, what: &'static str) -> Result<[u8; N], DecodeError> {
        self.payload
            .get(..N)
            .and_then(|b| b.try_into().ok())
            .ok_or(DecodeError::Truncated {
                what,
                need: N,
                have: self.payload.len(),
            })
    }

    /// A `u8` payload.
    pub fn u8(&self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.exact::<1>(what)?[0])
    }

    /// A host-order `u16` payload.
    pub fn u16(&self, what: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_ne_bytes(self.exact(what)?))
    }

    /// A network-order `u16` payload.
    pub fn be16(&self, what: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.exact(what)?))
    }

    /// A host-order `u32` payload.
    pub fn u32(&self, what: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_ne_bytes(self.exact(what)?))
    }

    /// A host-order `u64` payload.
    pub fn u64(&self, what: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_ne_bytes(self.exact(what)?))
    }

    /// A NUL-terminated (or unterminated) string payload, up to its first NUL.
    pub fn string(&self, what: &'static str) -> Result<String, DecodeError> {
        let end = self
            .payload
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.payload.len());
        String::from_utf8(self.payload[..end].to_vec()).map_err(|_| DecodeError::Invalid {
            what,
            reason: "not UTF-8".into(),
        })
    }

    /// The attributes nested in this one.
    pub fn nested(&self) -> Attrs<'a> {
        Attrs::new(self.payload)
    }
}

/// An iterator over the attributes of a payload; yields an error once on a malformed one.
#[derive(Debug, Clone)]
pub struct Attrs<'a> {
    rest: &'a [u8],
}

impl<'a> Attrs<'a> {
    /// The attributes in `payload`.
    pub fn new(payload: &'a [u8]) -> Attrs<'a> {
        Attrs { rest: payload }
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<Attr<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let fail = |e| Some(Err(e));
        if self.rest.len() < NLA_HDRLEN {
            let have = self.rest.len();
            self.rest = &[];
            return fail(DecodeError::Truncated {
                what: "attribute header",
                need: NLA_HDRLEN,
                have,
            });
        }
        let len = usize::from(u16::from_ne_bytes([self.rest[0], self.rest[1]]));
        let kind = u16::from_ne_bytes([self.rest[2], self.rest[3]]) & NLA_TYPE_MASK;
        if len < NLA_HDRLEN || len > self.rest.len() {
            let have = self.rest.len();
            self.rest = &[];
            return fail(DecodeError::Truncated {
                what: "attribute",
                need: len.max(NLA_HDRLEN),
                have,
            });
        }
        let payload = &self.rest[NLA_HDRLEN..len];
        self.rest = self.rest.get(align4(len)..).unwrap_or(&[]);
        Some(Ok(Attr { kind, payload }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_padded_to_four_bytes_and_read_back() {
        let mut buf = Vec::new();
        let mut w = AttrWriter::new(&mut buf);
        w.u16(1, 2);
        w.string(6, "wlc");
        w.nested(10, |n| n.u32(1, 7));
        assert_eq!(
            buf,
            [
                6, 0, 1, 0, 2, 0, 0, 0, // len 6, type 1, u16 2, 2 bytes padding
                8, 0, 6, 0, b'w', b'l', b'c', 0, // len 8, type 6, "wlc\0"
                12, 0, 10, 0x80, 8, 0, 1, 0, 7, 0, 0,
                0, // nested (flag 0x8000) len 12 holding u32 7
            ]
        );
        let attrs: Vec<_> = Attrs::new(&buf).collect::<Result<_, _>>().unwrap();
        assert_eq!(attrs[0].u16("af").unwrap(), 2);
        assert_eq!(attrs[1].string("sched").unwrap(), "wlc");
        let inner: Vec<_> = attrs[2].nested().collect::<Result<_, _>>().unwrap();
        assert_eq!(inner[0].u32("conns").unwrap(), 7);
    }

    #[test]
    fn every_payload_length_is_framed_and_padded_alike() {
        // Across the stack-built small attributes and the appended large ones.
        for n in 0..=24usize {
            let payload: Vec<u8> = (1..=n as u8).collect();
            let mut buf = vec![0xaa; 4];
            AttrWriter::new(&mut buf).bytes(9, &payload);
            let mut expected = vec![0xaa; 4];
            expected.extend_from_slice(&((4 + n) as u16).to_ne_bytes());
            expected.extend_from_slice(&9u16.to_ne_bytes());
            expected.extend_from_slice(&payload);
            expected.resize(4 + align4(4 + n), 0);
            assert_eq!(buf, expected, "payload of {n} bytes");
        }
    }

    #[test]
    fn truncated_attributes_are_errors_not_panics() {
        let mut buf = Vec::new();
        AttrWriter::new(&mut buf).u32(5, 1);
        for cut in 1..buf.len() {
            let items: Vec<_> = Attrs::new(&buf[..cut]).collect();
            assert!(items.iter().any(Result::is_err), "cut at {cut}: {items:?}");
        }
        // A short integer payload is an error too.
        let attr = Attr {
            kind: 1,
            payload: &[1, 2],
        };
        assert!(matches!(
            attr.u32("fwmark"),
            Err(DecodeError::Truncated {
                need: 4,
                have: 2,
                ..
            })
        ));
    }

    #[test]
    fn flag_bits_are_stripped_from_the_type() {
        let buf = [8u8, 0, 0x01, 0x80, 0, 0, 0, 0];
        let attr = Attrs::new(&buf).next().unwrap().unwrap();
        assert_eq!(attr.kind, 1);
    }

    #[test]
    fn oversized_payloads_are_cut_instead_of_panicking() {
        let mut buf = Vec::new();
        let mut w = AttrWriter::new(&mut buf);
        w.bytes(1, &vec![7; 70_000]);
        w.string(2, &"x".repeat(100_000));
        let attrs: Vec<_> = Attrs::new(&buf).collect::<Result<_, _>>().unwrap();
        assert_eq!(attrs[0].payload.len(), MAX_PAYLOAD);
        assert_eq!(attrs[1].payload.len(), MAX_STRING + 1);
        assert_eq!(buf.len() % 4, 0);
    }

    #[test]
    fn an_overfull_nest_keeps_the_attributes_that_fit() {
        let mut buf = Vec::new();
        AttrWriter::new(&mut buf).nested(9, |n| {
            for _ in 0..3 {
                n.bytes(1, &vec![1; 30_000]);
            }
        });
        let attrs: Vec<_> = Attrs::new(&buf).collect::<Result<_, _>>().unwrap();
        assert_eq!(attrs.len(), 1);
        let inner: Vec<_> = attrs[0].nested().collect::<Result<_, _>>().unwrap();
        assert_eq!(inner.len(), 2);
        assert!(inner.iter().all(|a| a.payload.len() == 30_000));
    }
}
