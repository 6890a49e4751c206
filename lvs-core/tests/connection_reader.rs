//! Reading the connection table entry by entry, choosing entries, and the origin file.

use std::io::{BufReader, Read};
use std::net::SocketAddr;

use lvs_core::listing::{
    parse_connections, ConnParseErrorKind, ConnReadError, ConnectionFile, ConnectionFilter,
    ConnectionOrigin, ConnectionProtocol, ConnectionReader, ConnectionState,
};
use lvs_core::{Family, ServiceKey};

const PROC: &str = concat!(
    "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n",
    "TCP 0A010101 C738 0A000001 0050 C0A80101 0050 ESTABLISHED     899\n",
    "TCP 0A010102 0000 0A000001 0050 C0A80102 0050 NONE            300\n",
    "UDP 0A010103 E2A4 0A000001 0035 C0A80101 0035 UDP             287\n",
    "IP  0A010105 0000 00000005 0000 C0A80201 0000 NONE            351\n",
    "IP  2001:0db8:0000:0000:0000:0000:0000:0100 0000 0000:0007:0000:0000:0000:0000:0000:0000 0000 2001:0db8:0000:0000:0000:0000:0000:0010 0000 NONE             95\n",
);

/// The kernel's `ip_vs_conn_sync` file: an `Origin` column before `Expires`, no engine
/// columns.
const SYNC: &str = concat!(
    "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Origin Expires\n",
    "TCP 0A010101 C738 0A000001 0050 C0A80101 0050 ESTABLISHED LOCAL      899\n",
    "UDP 0A010103 E2A4 0A000001 0035 C0A80101 0035 UDP         SYNC       287\n",
    "TCP 0A010104 E2A5 0A000001 0050 C0A80101 0050 CLOSE       RELAYED     12\n",
);

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A reader that hands out one byte per read, so every line arrives in pieces.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Some((first, rest)) = self.0.split_first() else {
            return Ok(0);
        };
        buf[0] = *first;
        self.0 = rest;
        Ok(1)
    }
}

#[test]
fn the_reader_gives_what_the_whole_text_parser_gives_however_the_bytes_arrive() {
    let whole = parse_connections(PROC).unwrap();
    let streamed: Vec<_> =
        ConnectionReader::new(BufReader::with_capacity(1, Trickle(PROC.as_bytes())))
            .collect::<Result<_, _>>()
            .unwrap();
    assert_eq!(whole, streamed);
    assert_eq!(whole.len(), 5);
}

#[test]
fn the_sync_file_tells_each_entrys_origin() {
    let mut reader = ConnectionReader::new(SYNC.as_bytes());
    let entries: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(reader.file(), Some(ConnectionFile::WithOrigin));
    let origins: Vec<_> = entries.iter().map(|c| c.origin.clone()).collect();
    assert_eq!(
        origins,
        [
            Some(ConnectionOrigin::Local),
            Some(ConnectionOrigin::Sync),
            Some(ConnectionOrigin::Other("RELAYED".into()))
        ]
    );
    assert_eq!(entries[0].expires_secs, 899);
    assert_eq!(entries[1].state, ConnectionState::Udp);
    assert!(entries.iter().all(|c| c.pe_name.is_none()));
    // The plain file has no origins.
    assert!(parse_connections(PROC)
        .unwrap()
        .iter()
        .all(|c| c.origin.is_none()));
}

#[test]
fn templates_are_told_apart_by_their_client_port() {
    let entries = parse_connections(PROC).unwrap();
    let templates: Vec<bool> = entries.iter().map(|c| c.is_template()).collect();
    assert_eq!(templates, [false, true, false, true, true]);
}

#[test]
fn a_filter_chooses_by_service_server_and_kind() {
    let entries = parse_connections(PROC).unwrap();
    let chosen = |filter: ConnectionFilter| -> Vec<usize> {
        (0..entries.len())
            .filter(|&i| filter.matches(&entries[i]))
            .collect()
    };
    assert_eq!(chosen(ConnectionFilter::all()), [0, 1, 2, 3, 4]);
    let web = ServiceKey::tcp(addr("10.0.0.1:80"));
    assert_eq!(chosen(ConnectionFilter::service(&web)), [0, 1]);
    assert_eq!(
        chosen(ConnectionFilter::service(&web).templates(false)),
        [0]
    );
    assert_eq!(chosen(ConnectionFilter::service(&web).templates(true)), [1]);
    assert_eq!(
        chosen(ConnectionFilter::service(&web).to_server(addr("192.168.1.2:80"))),
        [1]
    );
    // A port-0 service takes every port of its address.
    let any_port = ServiceKey::udp(addr("10.0.0.1:0"));
    assert_eq!(chosen(ConnectionFilter::service(&any_port)), [2]);
    // Firewall-mark services: their templates, the mark in the address (IPv4 and IPv6).
    let mark5 = ServiceKey::try_fwmark(5, Family::Ipv4).unwrap();
    assert_eq!(chosen(ConnectionFilter::service(&mark5)), [3]);
    let mark7 = ServiceKey::try_fwmark(7, Family::Ipv6).unwrap();
    assert_eq!(chosen(ConnectionFilter::service(&mark7)), [4]);
    assert_eq!(
        chosen(ConnectionFilter::all().to_server(addr("[2001:db8::10]:0"))),
        [4]
    );
    // Server port 0 takes any port.
    assert_eq!(
        chosen(ConnectionFilter::all().to_server(addr("192.168.1.1:0"))),
        [0, 2]
    );
}

#[test]
fn a_bad_line_stops_the_reader_with_its_number() {
    let text = format!("{PROC}TCP nothex\nTCP 0A010101 C738 0A000001 0050 C0A80101 0050 CLOSE 1\n");
    let mut reader = ConnectionReader::new(text.as_bytes());
    let results: Vec<_> = reader.by_ref().collect();
    assert_eq!(
        results.len(),
        6,
        "five entries, then the error, then nothing"
    );
    match &results[5] {
        Err(ConnReadError::Parse(e)) => {
            assert_eq!(e.line, 7);
            assert!(matches!(
                e.kind,
                ConnParseErrorKind::InvalidAddress {
                    column: "FromIP",
                    ..
                }
            ));
        }
        other => panic!("{other:?}"),
    }
    assert!(reader.next().is_none());
    // No header at all.
    let mut empty = ConnectionReader::new(&b""[..]);
    assert!(matches!(
        empty.next(),
        Some(Err(ConnReadError::Parse(e))) if e.kind == ConnParseErrorKind::Empty
    ));
    assert!(empty.next().is_none());
}

#[test]
fn protocol_numbers_are_named_as_the_kernel_names_them() {
    for (n, name) in [
        (0, "IP"),
        (6, "TCP"),
        (17, "UDP"),
        (132, "SCTP"),
        (47, "IP_47"),
    ] {
        let p = ConnectionProtocol::from_number(n);
        assert_eq!(p.name(), name);
        assert_eq!(p.number(), Some(n as u8));
    }
}

#[test]
fn a_stream_that_is_not_text_is_an_io_error() {
    let bytes = b"Pro FromIP\nTCP \xff\xfe\n";
    let mut reader = ConnectionReader::new(BufReader::new(&bytes[..]));
    assert!(matches!(reader.next(), Some(Err(ConnReadError::Io(_)))));
    assert!(reader.next().is_none());
}

#[test]
fn the_reader_ends_lines_as_the_whole_text_parser_does() {
    // Found by the conn_parse fuzz target: an engine's data ending in carriage returns lost
    // all of them in the reader but only the one before the newline in parse_connections.
    let text = "Pro FromIP\r\nTCP 0A010101 C738 0A000001 0050 C0A80101 0050 NONE 1 sip a\r\r\r\nTCP 0A010101 C738 0A000001 0050 C0A80101 0050 NONE 1 sip b\r";
    let whole = parse_connections(text).unwrap();
    let streamed: Vec<_> = ConnectionReader::new(text.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(whole, streamed);
    assert_eq!(whole[0].pe_data.as_deref(), Some("a\r\r"));
    assert_eq!(whole[1].pe_data.as_deref(), Some("b\r"));
}
