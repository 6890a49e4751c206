//! Feeds arbitrary text to the reader of `/proc/net/ip_vs_conn` (IPv4 and IPv6 rows,
//! protocols and states it has no name for, persistence-engine data): it must give rows or
//! an error with a line number inside the text, never panic.
//!
//! Whatever it reads must be written back by `Connection::proc_line`, the kernel's own
//! format, as a line that reads as the same connection (the promise of `proc_line` and
//! `parse_connection_line`, also a property test in `lvs-core/tests/listing_connections.rs`
//! on generated rows), and as a whole file too unless a row ends in a carriage return; and
//! both of ipvsadm's listings of them must be written without a panic. `format_connections` is ipvsadm's listing, which no reader takes back, so it is
//! only written.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lvs_core::listing::{
    format_connections, parse_connection_line, parse_connections, ConnectionColumns, ConnectionFile,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for line in text.lines() {
        if let Ok(connection) = parse_connection_line(line) {
            let written = connection.proc_line();
            assert_eq!(
                parse_connection_line(&written).as_ref(),
                Ok(&connection),
                "{line:?} was written as {written:?}"
            );
        }
    }
    match parse_connections(text) {
        Ok(connections) => {
            let mut written = String::from(
                "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n",
            );
            for c in &connections {
                written.push_str(&c.proc_line());
                written.push('\n');
            }
            // The reader takes CRLF line ends, so a row that ends in `\r` (a last line
            // without its newline can) reads shorter once it has one: only the rest compare.
            // `proc_line` writes `ip_vs_conn`'s columns: a text whose header makes it the
            // origin file (`ip_vs_conn_sync`, with an Origin column) is not written back.
            let plain = text.lines().next().map(ConnectionFile::from_header)
                == Some(Ok(ConnectionFile::Connections));
            if plain && !written.contains("\r\n") {
                assert_eq!(parse_connections(&written).as_ref(), Ok(&connections));
            }
            for columns in [
                ConnectionColumns::Standard,
                ConnectionColumns::WithPersistence,
            ] {
                let listing = format_connections(&connections, columns);
                // A title, a header and one line per connection (engine data is cut to its
                // first word, so no connection spans two lines).
                assert_eq!(listing.lines().count(), 2 + connections.len(), "{listing}");
            }
        }
        Err(e) => {
            // Line 1 is the header; an error is on a line the text has (an empty text's
            // error is on line 1).
            assert!(e.line >= 1 && e.line <= text.lines().count().max(1), "{e}");
            let _ = e.to_string();
        }
    }
});
