//! `/proc/net/ip_vs_conn` reading and `ipvsadm -L -n -c` listings.
//!
//! The sample text follows the kernel's format: IPv4 rows in hex, IPv6 rows uncompressed,
//! a SIP persistence engine's Call-ID at the end of its rows, a firewall-mark template
//! (`IP`, the mark in the virtual address), an SCTP row, an IPv6 row with an IPv4 real
//! server, and a protocol and state this crate has no names for.

use std::net::SocketAddr;

use lvs_core::listing::{
    format_connections, parse_connection_line, parse_connections, ConnParseError,
    ConnParseErrorKind, Connection, ConnectionColumns, ConnectionProtocol, ConnectionState,
};
use proptest::prelude::*;

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[test]
fn reads_every_kind_of_row() {
    let conns = parse_connections(PROC).unwrap();
    assert_eq!(conns.len(), 11);

    let first = Connection::new(
        ConnectionProtocol::Tcp,
        addr("10.1.1.1:51000"),
        addr("10.0.0.1:80"),
        addr("192.168.1.1:80"),
        ConnectionState::Established,
        899,
    );
    assert_eq!(conns[0], first);

    let sip = Connection::new(
        ConnectionProtocol::Udp,
        addr("10.1.1.4:5060"),
        addr("10.0.0.3:5060"),
        addr("192.168.1.5:5060"),
        ConnectionState::Udp,
        179,
    )
    .with_pe("sip", "3c26700f8d5e-zzfx1@10.1.1.4");
    assert_eq!(conns[3], sip);

    let template = &conns[4];
    assert_eq!(template.protocol, ConnectionProtocol::Ip);
    assert_eq!(template.protocol.number(), Some(0));
    assert_eq!(template.virtual_addr, addr("0.0.0.5:0"));
    assert_eq!(template.state, ConnectionState::None);
    assert_eq!(conns[5].state, ConnectionState::SynRecv);

    assert_eq!(conns[6].protocol, ConnectionProtocol::Sctp);
    assert_eq!(conns[6].expires_secs, 3600);

    let v6 = &conns[7];
    assert_eq!(v6.client, addr("[2001:db8::100]:49153"));
    assert_eq!(v6.virtual_addr, addr("[2001:db8::1]:443"));
    assert_eq!(v6.destination, addr("[2001:db8::10]:443"));
    assert_eq!(v6.state, ConnectionState::FinWait);
    assert_eq!(conns[8].destination, addr("10.9.9.9:443"));
    assert_eq!(
        conns[9].pe_data.as_deref(),
        Some("a84b4c76e66710@pc33.example.org")
    );

    let unknown = &conns[10];
    assert_eq!(unknown.protocol, ConnectionProtocol::Other("IP_47".into()));
    assert_eq!(unknown.protocol.number(), Some(47));
    assert_eq!(unknown.state, ConnectionState::Other("ERR!".into()));
}

#[test]
fn rows_are_written_back_as_the_kernel_wrote_them() {
    let conns = parse_connections(PROC).unwrap();
    let rows: Vec<&str> = PROC.lines().skip(1).collect();
    let written: Vec<String> = conns.iter().map(Connection::proc_line).collect();
    assert_eq!(written, rows);
}

#[test]
fn lists_connections_like_ipvsadm() {
    let conns = parse_connections(PROC).unwrap();
    assert_eq!(
        format_connections(&conns, ConnectionColumns::Standard),
        LISTING
    );
}

#[test]
fn lists_persistence_engine_data_like_ipvsadm() {
    let conns = parse_connections(PROC).unwrap();
    let text = format_connections(&conns, ConnectionColumns::WithPersistence);
    assert_eq!(text, LISTING_PERSISTENT);
}

#[test]
fn an_empty_table_lists_the_title_and_header() {
    let conns = parse_connections(
        "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n",
    )
    .unwrap();
    assert!(conns.is_empty());
    assert_eq!(
        format_connections(&conns, ConnectionColumns::Standard),
        concat!(
            "IPVS connection entries\n",
            "pro expire state       source             virtual            destination\n",
        )
    );
}

#[test]
fn older_headers_crlf_and_blank_lines_are_accepted() {
    let text = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires\r\n\r\n\
                TCP 0A010101 C738 0A000001 0050 C0A80101 0050 ESTABLISHED     899\r\n";
    let conns = parse_connections(text).unwrap();
    assert_eq!(conns.len(), 1);
    assert_eq!(conns[0].expires_secs, 899);
    assert_eq!(conns[0].pe_name, None);
}

#[test]
fn an_engine_without_data_has_a_name_only() {
    let line = "UDP 0A010104 13C4 0A000003 13C4 C0A80105 13C4 UDP             179 sip ";
    let conn = parse_connection_line(line).unwrap();
    assert_eq!(conn.pe_name.as_deref(), Some("sip"));
    assert_eq!(conn.pe_data, None);
    assert_eq!(conn.proc_line(), line);
    // ipvsadm shows the extra columns only when there is data.
    let text = format_connections(&[conn], ConnectionColumns::WithPersistence);
    assert!(text.ends_with("192.168.1.5:5060\n"), "{text}");
}

fn error_of(text: &str) -> ConnParseError {
    parse_connections(text).unwrap_err()
}

const HEADER: &str =
    "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n";

#[test]
fn malformed_text_gives_the_line_and_what_is_wrong() {
    assert_eq!(error_of("").line, 1);
    assert_eq!(error_of("").kind, ConnParseErrorKind::Empty);
    assert_eq!(
        error_of("TCP 0A010101 C738 0A000001 0050 C0A80101 0050 ESTABLISHED 899\n").kind,
        ConnParseErrorKind::NotAHeader {
            found: "TCP 0A010101 C738 0A000001 0050 C0A80101 0050 ESTABLISHED 899".into()
        }
    );

    let row = |line: &str| {
        error_of(&format!(
            "{HEADER}TCP 0A010101 C738 0A000001 0050 C0A80101 0050 NONE 1\n{line}\n"
        ))
    };
    let e = row("TCP 0A010101 C738");
    assert_eq!(e.line, 3);
    assert_eq!(e.kind, ConnParseErrorKind::MissingColumn { column: "ToIP" });
    assert_eq!(
        row("TCP 0A010101 C738 0A000001 0050 C0A80101 0050 ESTABLISHED").kind,
        ConnParseErrorKind::MissingColumn { column: "Expires" }
    );
    assert_eq!(
        row("TCP 0A01010G C738 0A000001 0050 C0A80101 0050 NONE 1").kind,
        ConnParseErrorKind::InvalidAddress {
            column: "FromIP",
            text: "0A01010G".into()
        }
    );
    assert_eq!(
        row("TCP 0A010101 C738 0A000001 0050 1C0A80101 0050 NONE 1").kind,
        ConnParseErrorKind::InvalidAddress {
            column: "DestIP",
            text: "1C0A80101".into()
        }
    );
    assert_eq!(
        row("TCP 0A010101 C738 2001:db8:::1 0050 C0A80101 0050 NONE 1").kind,
        ConnParseErrorKind::InvalidAddress {
            column: "ToIP",
            text: "2001:db8:::1".into()
        }
    );
    assert_eq!(
        row("TCP 0A010101 1C738 0A000001 0050 C0A80101 0050 NONE 1").kind,
        ConnParseErrorKind::InvalidPort {
            column: "FPrt",
            text: "1C738".into()
        }
    );
    assert_eq!(
        row("TCP 0A010101 C738 0A000001 +050 C0A80101 0050 NONE 1").kind,
        ConnParseErrorKind::InvalidPort {
            column: "TPrt",
            text: "+050".into()
        }
    );
    assert_eq!(
        row("TCP 0A010101 C738 0A000001 0050 C0A80101 0050 NONE -1").kind,
        ConnParseErrorKind::InvalidExpires { text: "-1".into() }
    );
    assert_eq!(
        row("TCP 0A010101 C738 0A000001 0050 C0A80101 0050 NONE 99999999999999999999").kind,
        ConnParseErrorKind::InvalidExpires {
            text: "99999999999999999999".into()
        }
    );
    assert_eq!(
        row("TCP 0A010101 C738 2001:db8::1 0050 C0A80101 0050 NONE 1").kind,
        ConnParseErrorKind::MixedFamilies {
            client: "10.1.1.1".parse().unwrap(),
            virtual_addr: "2001:db8::1".parse().unwrap(),
        }
    );
}

#[test]
fn errors_read_well() {
    let text = format!("{HEADER}\nTCP zz C738 0A000001 0050 C0A80101 0050 NONE 1\n");
    assert_eq!(
        error_of(&text).to_string(),
        "/proc/net/ip_vs_conn line 3: FromIP is not an address: \"zz\""
    );
}

/// Column texts, valid and not, for shuffling into lines.
const TOKENS: &[&str] = &[
    "TCP",
    "IP_47",
    "0A010101",
    "C738",
    "0050",
    "FFFFFFFFF",
    "2001:db8::1",
    "::",
    "1.2.3.4",
    "ESTABLISHED",
    "899",
    "-1",
    "sip",
    "\t",
    "",
    "é",
    "G",
    "0x10",
];

fn arb_socket(v6: bool) -> BoxedStrategy<SocketAddr> {
    if v6 {
        (any::<[u8; 16]>(), any::<u16>())
            .prop_map(|(a, p)| SocketAddr::from((a, p)))
            .boxed()
    } else {
        (any::<[u8; 4]>(), any::<u16>())
            .prop_map(|(a, p)| SocketAddr::from((a, p)))
            .boxed()
    }
}

fn arb_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("TCP".to_owned()),
        Just("ESTABLISHED".to_owned()),
        Just("UDP".to_owned()),
        Just("C-SENT".to_owned()),
        "[A-Za-z0-9_!?-]{1,12}",
    ]
}

fn arb_connection() -> impl Strategy<Value = Connection> {
    (any::<bool>(), any::<bool>())
        .prop_flat_map(|(v6, dest_v6)| {
            (
                arb_name(),
                arb_socket(v6),
                arb_socket(v6),
                arb_socket(dest_v6),
                arb_name(),
                any::<u64>(),
                proptest::option::of(("[a-z]{1,16}", "[!-~][ -~]{0,40}")),
            )
        })
        .prop_map(|(proto, client, virt, dest, state, expires, pe)| {
            let conn = Connection::new(
                ConnectionProtocol::from_name(&proto),
                client,
                virt,
                dest,
                ConnectionState::from_name(&state),
                expires,
            );
            match pe {
                Some((name, data)) => conn.with_pe(name, data),
                None => conn,
            }
        })
}

proptest! {
    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), with_header in any::<bool>()) {
        let body = String::from_utf8_lossy(&bytes);
        let text = if with_header { format!("{HEADER}{body}") } else { body.into_owned() };
        let _ = parse_connections(&text);
        for line in text.lines() {
            let _ = parse_connection_line(line);
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn shuffled_columns_never_panic(tokens in proptest::collection::vec(proptest::sample::select(TOKENS), 0..14)) {
        let line = tokens.join(" ");
        let _ = parse_connection_line(&line);
        let _ = parse_connections(&format!("{HEADER}{line}\n"));
    }

    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn truncated_text_never_panics(cut in 0..PROC.len()) {
        if let Some(prefix) = PROC.get(..cut) {
            match parse_connections(prefix) {
                Ok(conns) => prop_assert!(conns.len() <= 11),
                Err(e) => prop_assert!(e.line >= 1 && e.line <= 12),
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn every_line_cut_short_is_an_error_or_a_shorter_row(line in 1usize..12, cut in 0usize..200) {
        let row = PROC.lines().nth(line).unwrap();
        let prefix = row.get(..cut.min(row.len())).unwrap_or(row);
        if let Ok(conn) = parse_connection_line(prefix) {
            // Only a cut inside the expiry or the engine columns still reads.
            let whole = parse_connection_line(row).unwrap();
            prop_assert_eq!(conn.client, whole.client);
            prop_assert_eq!(conn.destination, whole.destination);
            prop_assert_eq!(conn.state, whole.state);
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn kernel_lines_round_trip(conn in arb_connection()) {
        let line = conn.proc_line();
        prop_assert_eq!(parse_connection_line(&line), Ok(conn));
    }
}

const PROC: &str = concat!(
    "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n",
    "TCP 0A010101 C738 0A000001 0050 C0A80101 0050 ESTABLISHED     899\n",
    "TCP 0A010102 D431 0A000001 0050 C0A80102 0050 TIME_WAIT        73\n",
    "UDP 0A010103 E2A4 0A000001 0035 C0A80101 0035 UDP             287\n",
    "UDP 0A010104 13C4 0A000003 13C4 C0A80105 13C4 UDP             179 sip 3c26700f8d5e-zzfx1@10.1.1.4\n",
    "IP  0A010105 0000 00000005 0000 C0A80201 0000 NONE            351\n",
    "TCP 0A010105 E0F2 0A000009 01BB C0A80201 01BB SYN_RECV         52\n",
    "SCTP 0A010106 0F1C 0A000002 0F1C C0A80103 0F1C ESTABLISHED    3600\n",
    "TCP 2001:0db8:0000:0000:0000:0000:0000:0100 C001 2001:0db8:0000:0000:0000:0000:0000:0001 01BB 2001:0db8:0000:0000:0000:0000:0000:0010 01BB FIN_WAIT         95\n",
    "TCP 2001:0db8:0000:0000:0000:0000:0000:0101 C002 2001:0db8:0000:0000:0000:0000:0000:0001 01BB 0A090909 01BB CLOSE_WAIT       42\n",
    "UDP 2001:0db8:0000:0000:0000:0000:0000:0102 13C4 2001:0db8:0000:0000:0000:0000:0000:0003 13C4 2001:0db8:0000:0000:0000:0000:0000:0030 13C4 UDP               5 sip a84b4c76e66710@pc33.example.org\n",
    "IP_47 0A010107 0000 0A00000A 0000 C0A80109 0000 ERR!              0\n",
);

const LISTING: &str = concat!(
    "IPVS connection entries\n",
    "pro expire state       source             virtual            destination\n",
    "TCP 14:59  ESTABLISHED 10.1.1.1:51000     10.0.0.1:80        192.168.1.1:80\n",
    "TCP 01:13  TIME_WAIT   10.1.1.2:54321     10.0.0.1:80        192.168.1.2:80\n",
    "UDP 04:47  UDP         10.1.1.3:58020     10.0.0.1:53        192.168.1.1:53\n",
    "UDP 02:59  UDP         10.1.1.4:5060      10.0.0.3:5060      192.168.1.5:5060\n",
    "IP  05:51  NONE        10.1.1.5:0         0.0.0.5:0          192.168.2.1:0\n",
    "TCP 00:52  SYN_RECV    10.1.1.5:57586     10.0.0.9:443       192.168.2.1:443\n",
    "SCTP 60:00  ESTABLISHED 10.1.1.6:3868      10.0.0.2:3868      192.168.1.3:3868\n",
    "TCP 01:35  FIN_WAIT    [2001:db8::100]:49153 [2001:db8::1]:443  [2001:db8::10]:443\n",
    "TCP 00:42  CLOSE_WAIT  [2001:db8::101]:49154 [2001:db8::1]:443  10.9.9.9:443\n",
    "UDP 00:05  UDP         [2001:db8::102]:5060 [2001:db8::3]:5060 [2001:db8::30]:5060\n",
    "IP_47 00:00  ERR!        10.1.1.7:0         10.0.0.10:0        192.168.1.9:0\n",
);

const LISTING_PERSISTENT: &str = concat!(
    "IPVS connection entries\n",
    "pro expire state       source             virtual            destination        pe name          pe_data\n",
    "TCP 14:59  ESTABLISHED 10.1.1.1:51000     10.0.0.1:80        192.168.1.1:80\n",
    "TCP 01:13  TIME_WAIT   10.1.1.2:54321     10.0.0.1:80        192.168.1.2:80\n",
    "UDP 04:47  UDP         10.1.1.3:58020     10.0.0.1:53        192.168.1.1:53\n",
    "UDP 02:59  UDP         10.1.1.4:5060      10.0.0.3:5060      192.168.1.5:5060 sip                3c26700f8d5e-zzfx1@10.1.1.4\n",
    "IP  05:51  NONE        10.1.1.5:0         0.0.0.5:0          192.168.2.1:0\n",
    "TCP 00:52  SYN_RECV    10.1.1.5:57586     10.0.0.9:443       192.168.2.1:443\n",
    "SCTP 60:00  ESTABLISHED 10.1.1.6:3868      10.0.0.2:3868      192.168.1.3:3868\n",
    "TCP 01:35  FIN_WAIT    [2001:db8::100]:49153 [2001:db8::1]:443  [2001:db8::10]:443\n",
    "TCP 00:42  CLOSE_WAIT  [2001:db8::101]:49154 [2001:db8::1]:443  10.9.9.9:443\n",
    "UDP 00:05  UDP         [2001:db8::102]:5060 [2001:db8::3]:5060 [2001:db8::30]:5060 sip                a84b4c76e66710@pc33.example.org\n",
    "IP_47 00:00  ERR!        10.1.1.7:0         10.0.0.10:0        192.168.1.9:0\n",
);
