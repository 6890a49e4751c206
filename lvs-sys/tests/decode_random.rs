//! The decoders never panic, whatever the kernel (or a corrupted buffer) sends.

use lvs_core::Family;
use lvs_sys::codec::message::{find_attr, Replies};
use lvs_sys::codec::nla::Attr;
use lvs_sys::codec::{config, daemon, dest, service};
use proptest::prelude::*;

fn decode_all(bytes: &[u8]) {
    for reply in Replies::new(bytes) {
        let _ = reply;
    }
    let attr = Attr {
        kind: 1,
        payload: bytes,
    };
    let _ = service::decode(&attr);
    let _ = dest::decode(&attr, Family::Ipv4);
    let _ = dest::decode(&attr, Family::Ipv6);
    let _ = daemon::decode(&attr);
    let _ = config::decode_timeouts(lvs_sys::codec::message::attrs(bytes));
    let _ = config::decode_info(lvs_sys::codec::message::attrs(bytes));
    let _ = find_attr(bytes, 1);
}

/// Attribute-shaped bytes: mostly well-formed headers with random types and payloads, so the
/// decoders get past the framing and into the fields.
fn attr_soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((1u16..16, prop::collection::vec(any::<u8>(), 0..24)), 0..20).prop_map(
        |attrs| {
            let mut out = Vec::new();
            for (kind, payload) in attrs {
                let len = (4 + payload.len()) as u16;
                out.extend_from_slice(&len.to_ne_bytes());
                out.extend_from_slice(&kind.to_ne_bytes());
                out.extend_from_slice(&payload);
                out.resize((out.len() + 3) & !3, 0);
            }
            out
        },
    )
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&bytes);
    }

    #[test]
    fn random_attributes_never_panic(bytes in attr_soup()) {
        decode_all(&bytes);
    }
}
