//! Every request the codec encodes decodes back to the same values: the attributes lvs
//! sends for a service, a real server, timeouts or a sync daemon are the ones its decoder
//! reads from the kernel's replies, so nothing is lost or changed between the two (the
//! kernel's own reading of the values is `lvs_core`'s canonical module, tested elsewhere).

use lvs_core::testing;
use lvs_core::{DaemonRole, Family, Operation};
use lvs_sys::codec::consts::attr;
use lvs_sys::codec::message::{attrs, find_attr, OperationRequest, Request};
use lvs_sys::codec::{config, daemon, dest, service};
use proptest::prelude::*;

/// The nest of `kind` among a request's attributes.
fn nest(request: &Request, kind: u16) -> lvs_sys::codec::nla::Attr<'_> {
    find_attr(&request.attrs, kind)
        .expect("well-formed attributes")
        .expect("the nest is there")
}

/// Any operation, of every kind.
fn operation() -> impl Strategy<Value = Operation> {
    let with_server = || testing::key().prop_flat_map(|k| (Just(k), testing::server_for(k)));
    prop_oneof![
        testing::service().prop_map(Operation::AddService),
        testing::service().prop_map(Operation::EditService),
        testing::key().prop_map(Operation::DeleteService),
        with_server().prop_map(|(k, s)| Operation::AddServer(k, s)),
        with_server().prop_map(|(k, s)| Operation::EditServer(k, s)),
        with_server().prop_map(|(k, s)| Operation::DeleteServer(k, s.addr)),
        Just(Operation::Flush),
        proptest::option::of(testing::key()).prop_map(Operation::Zero),
        testing::timeouts().prop_map(Operation::SetTimeouts),
        testing::daemon(&["lo", "eth0"]).prop_map(Operation::StartDaemon),
        prop_oneof![Just(DaemonRole::Master), Just(DaemonRole::Backup)]
            .prop_map(Operation::StopDaemon),
        testing::sysctl_setting().prop_map(Operation::SetSysctl),
    ]
}

proptest! {
    /// What a single operation sends (written straight into the send buffer) is what the
    /// batches send for it, and the two agree on which operations are requests.
    #[test]
    fn an_operation_request_is_its_request_byte_for_byte(
        op in operation(),
        family in any::<u16>(),
        seq in any::<u32>(),
    ) {
        let request = Request::from_operation(&op);
        prop_assert_eq!(OperationRequest::new(&op).is_some(), request.is_some());
        if let (Some(direct), Some(request)) = (OperationRequest::new(&op), request) {
            // Appended after what the buffer holds, as a batch appends.
            let mut ours = vec![9; 8];
            direct.encode_into(&mut ours, family, seq);
            let mut theirs = vec![9; 8];
            request.encode_into(&mut theirs, family, seq);
            prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn services_decode_as_encoded(s in testing::service()) {
        let request = Request::add_service(&s);
        let decoded = service::decode(&nest(&request, attr::SERVICE)).unwrap();
        prop_assert!(decoded.unknown.is_empty());
        // The encoder leaves out HASHED, the kernel's own bit (ServiceFlags::as_configured).
        prop_assert_eq!(decoded.entry.service, s.as_configured());
    }

    #[test]
    fn real_servers_decode_as_encoded(
        (key, server) in testing::key().prop_flat_map(|k| (Just(k), testing::server_for(k)))
    ) {
        let request = Request::add_server(&key, &server);
        let decoded = dest::decode(&nest(&request, attr::DEST), key.family()).unwrap();
        prop_assert!(decoded.unknown.is_empty());
        prop_assert_eq!(decoded.entry.server, server);
    }

    #[test]
    fn timeouts_decode_as_encoded(t in testing::timeouts()) {
        let request = Request::set_timeouts(&t);
        prop_assert_eq!(config::decode_timeouts(attrs(&request.attrs)).unwrap(), t);
    }

    #[test]
    fn daemons_decode_as_encoded(d in testing::daemon(&["lo", "eth0"])) {
        let request = Request::start_daemon(&d);
        let decoded = daemon::decode(&nest(&request, attr::DAEMON)).unwrap();
        prop_assert!(decoded.unknown.is_empty());
        prop_assert_eq!(decoded.daemon, d);
    }
}

/// The family argument of the real-server decoder is only a fallback: a request always
/// carries the real server's own family, so either service family decodes the same.
#[test]
fn a_real_server_carries_its_own_family() {
    let key = lvs_core::ServiceKey::fwmark(1, Family::Ipv4);
    let server = lvs_core::RealServer::new("[2001:db8::1]:80".parse().unwrap());
    let request = Request::add_server(&key, &server);
    let v6 = dest::decode(&nest(&request, attr::DEST), Family::Ipv6).unwrap();
    let v4 = dest::decode(&nest(&request, attr::DEST), Family::Ipv4).unwrap();
    assert_eq!(v6.entry.server, v4.entry.server);
}
