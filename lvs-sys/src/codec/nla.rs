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
    pub fn bytes(&mut self, kind: u16, payload: &[u8]) {
        let len = NLA_HDRLEN + payload.len();
        let len16 = u16::try_from(len).expect("netlink attribute longer than 64 KiB");
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
    pub fn string(&mut self, kind: u16, value: &str) {
        let mut payload = Vec::with_capacity(value.len() + 1);
        payload.extend_from_slice(value.as_bytes());
        payload.push(0);
        self.bytes(kind, &payload);
    }

    /// Appends a nested attribute whose payload `fill` writes.
    pub fn nested(&mut self, kind: u16, fill: impl FnOnce(&mut AttrWriter<'_>)) {
        let start = self.buf.len();
        self.buf.extend_from_slice(&[0; NLA_HDRLEN]);
        fill(&mut AttrWriter { buf: self.buf });
        let len = self.buf.len() - start;
        let len16 = u16::try_from(len).expect("nested netlink attribute longer than 64 KiB");
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
}
