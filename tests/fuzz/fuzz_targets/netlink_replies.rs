//! Feeds arbitrary bytes to lvs-sys's reply decoders, as the kernel (or a corrupted buffer)
//! could send them: the splitter of a received buffer into netlink messages, then every
//! decoder on each data message's attributes, and on the whole input read as attributes and
//! as the payload of a nest. None may panic or loop.
//!
//! Where a decode succeeds and the codec has an encoder for the value (services, real
//! servers, sync daemons, timeouts), the value is encoded as lvs's request and decoded
//! again: it must come back as it was (as `tests/codec_roundtrip.rs` asserts for generated
//! values), so that nothing lvs reads from the kernel changes when lvs writes it back. The
//! two documented exceptions are left out: `HASHED`, the kernel's own flag, is never sent
//! (`Service::as_configured`), and a string over `MAX_STRING` bytes is cut when written.
//! Kernel info, nlctrl's family id and stats nests have no encoder and are only decoded.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lvs_core::Family;
use lvs_sys::codec::consts::{attr, svc};
use lvs_sys::codec::message::{self, decode_family_id, find_attr, Replies, Reply, Request};
use lvs_sys::codec::nla::{Attr, MAX_STRING};
use lvs_sys::codec::{config, daemon, dest, service, stats};

fuzz_target!(|data: &[u8]| {
    // As one received buffer: a sequence of netlink messages.
    for reply in Replies::new(data) {
        let Ok(reply) = reply else { continue };
        if let Reply::Data { attrs, .. } = reply {
            decode_reply_attrs(attrs);
        }
    }
    // As the attributes of a data message, and as the payload of each kind of nest.
    decode_reply_attrs(data);
    decode_nests(data);
});

/// Every decoder that reads a reply's top-level attributes.
fn decode_reply_attrs(attrs: &[u8]) {
    let _ = decode_family_id(attrs);
    let _ = config::decode_info(message::attrs(attrs));
    if let Ok(timeouts) = config::decode_timeouts(message::attrs(attrs)) {
        let request = Request::set_timeouts(&timeouts);
        let again = config::decode_timeouts(message::attrs(&request.attrs))
            .expect("encoded timeouts decode");
        assert_eq!(again, timeouts);
    }
    for kind in [attr::SERVICE, attr::DEST, attr::DAEMON] {
        if let Ok(Some(nest)) = find_attr(attrs, kind) {
            decode_nests(nest.payload);
        }
    }
}

/// Every nest decoder on the same payload.
fn decode_nests(payload: &[u8]) {
    let nest = Attr { kind: 1, payload };
    if let Ok(decoded) = service::decode(&nest) {
        service_round_trip(&decoded.entry.service);
    }
    for family in [Family::Ipv4, Family::Ipv6] {
        if let Ok(decoded) = dest::decode(&nest, family) {
            server_round_trip(&decoded.entry.server, family);
        }
    }
    if let Ok(decoded) = daemon::decode(&nest) {
        daemon_round_trip(&decoded.daemon);
    }
    let _ = stats::decode(&nest);
    // The stats nests where services and real servers carry them.
    for kind in [svc::STATS, svc::STATS64] {
        if let Ok(Some(inner)) = find_attr(payload, kind) {
            let _ = stats::decode(&inner);
        }
    }
}

fn fits(s: &str) -> bool {
    s.len() <= MAX_STRING
}

fn service_round_trip(s: &lvs_core::Service) {
    if !fits(s.scheduler.name()) || !s.pe_name.as_deref().is_none_or(fits) {
        return;
    }
    let request = Request::add_service(s);
    let nest = find_attr(&request.attrs, attr::SERVICE)
        .expect("well-formed request")
        .expect("the service nest is there");
    let again = service::decode(&nest).expect("an encoded service decodes");
    assert!(again.unknown.is_empty(), "{:?}", again.unknown);
    assert_eq!(again.entry.service, s.clone().as_configured());
}

fn server_round_trip(server: &lvs_core::RealServer, service_family: Family) {
    // The key only frames the request; the real server's nest is compared.
    let key = lvs_core::ServiceKey::fwmark(1, service_family);
    let request = Request::add_server(&key, server);
    let nest = find_attr(&request.attrs, attr::DEST)
        .expect("well-formed request")
        .expect("the dest nest is there");
    let again = dest::decode(&nest, service_family).expect("an encoded real server decodes");
    assert!(again.unknown.is_empty(), "{:?}", again.unknown);
    assert_eq!(again.entry.server, *server);
}

fn daemon_round_trip(d: &lvs_core::SyncDaemon) {
    if !fits(&d.interface) {
        return;
    }
    let request = Request::start_daemon(d);
    let nest = find_attr(&request.attrs, attr::DAEMON)
        .expect("well-formed request")
        .expect("the daemon nest is there");
    let again = daemon::decode(&nest).expect("an encoded daemon decodes");
    assert!(again.unknown.is_empty(), "{:?}", again.unknown);
    assert_eq!(again.daemon, *d);
}
