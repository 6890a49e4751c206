//! Reading the kernel's `/proc/net/ip_vs_conn`.
//!
//! The file is a header line followed by one line per connection:
//!
//! ```text
//! Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
//! TCP 0A000101 C738 0A000001 0050 C0A80101 0050 ESTABLISHED     899
//! ```
//!
//! IPv4 addresses are 8 hex digits (the address as a big-endian number), ports 4 hex
//! digits; IPv6 connections write their addresses as colon-separated text (the kernel uses
//! the uncompressed form; any valid form is read). The real server's address may be of the
//! other family. A persistence engine adds its name and data at the end of the line.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::types::{Connection, ConnectionOrigin, ConnectionProtocol, ConnectionState};

/// Why `/proc/net/ip_vs_conn` text could not be read, and on which line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("/proc/net/ip_vs_conn line {line}: {kind}")]
#[non_exhaustive]
pub struct ConnParseError {
    /// The line, counting from 1 (the header is line 1).
    pub line: usize,
    /// What was wrong with it.
    pub kind: ConnParseErrorKind,
}

/// What was wrong with a line of `/proc/net/ip_vs_conn`.
///
/// Columns are named as in the kernel's header: `Pro`, `FromIP`, `FPrt`, `ToIP`, `TPrt`,
/// `DestIP`, `DPrt`, `State`, `Expires`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnParseErrorKind {
    /// There was no text at all, not even the header.
    #[error("empty input, expected the header line")]
    Empty,
    /// The first line is not the kernel's header.
    #[error("expected the header line starting with `Pro `, found {found:?}")]
    NotAHeader {
        /// The first line.
        found: String,
    },
    /// The line ends before a column.
    #[error("missing the {column} column")]
    MissingColumn {
        /// The column's header name.
        column: &'static str,
    },
    /// An address column is neither 8 hex digits nor IPv6 (or dotted IPv4) text.
    #[error("{column} is not an address: {text:?}")]
    InvalidAddress {
        /// The column's header name.
        column: &'static str,
        /// The text found.
        text: String,
    },
    /// A port column is not 1 to 4 hex digits.
    #[error("{column} is not a hex port: {text:?}")]
    InvalidPort {
        /// The column's header name.
        column: &'static str,
        /// The text found.
        text: String,
    },
    /// The client and virtual addresses are of different families (the kernel writes both
    /// in the connection's family).
    #[error("FromIP {client} and ToIP {virtual_addr} are of different families")]
    MixedFamilies {
        /// The client address read.
        client: IpAddr,
        /// The virtual address read.
        virtual_addr: IpAddr,
    },
    /// The expiry is not a decimal number of seconds that fits 64 bits.
    #[error("Expires is not a number of seconds: {text:?}")]
    InvalidExpires {
        /// The text found.
        text: String,
    },
}

/// Which of the kernel's two connection files a text is, told by its header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectionFile {
    /// `/proc/net/ip_vs_conn`: `... State Expires PEName PEData`.
    Connections,
    /// `/proc/net/ip_vs_conn_sync`: `... State Origin Expires`, no engine columns.
    WithOrigin,
}

impl ConnectionFile {
    /// The file a header line belongs to.
    pub fn from_header(header: &str) -> Result<ConnectionFile, ConnParseErrorKind> {
        let mut columns = header.split_ascii_whitespace();
        if columns.next() != Some("Pro") {
            return Err(ConnParseErrorKind::NotAHeader {
                found: header.to_owned(),
            });
        }
        Ok(if columns.any(|c| c == "Origin") {
            ConnectionFile::WithOrigin
        } else {
            ConnectionFile::Connections
        })
    }

    /// The file's name under `/proc/net/` (per network namespace).
    pub fn proc_name(self) -> &'static str {
        match self {
            ConnectionFile::Connections => "ip_vs_conn",
            ConnectionFile::WithOrigin => "ip_vs_conn_sync",
        }
    }
}

/// Reads the whole text of `/proc/net/ip_vs_conn` (or `ip_vs_conn_sync`): the header line,
/// then one connection per line. Blank lines are skipped.
///
/// Unknown protocols and states are kept ([`ConnectionProtocol::Other`],
/// [`ConnectionState::Other`]). The first malformed line stops reading with its line number.
/// [`ConnectionReader`] reads the same text line by line from a stream instead.
pub fn parse_connections(text: &str) -> Result<Vec<Connection>, ConnParseError> {
    let mut lines = Lines::default();
    let mut connections = Vec::new();
    for line in text.lines() {
        connections.extend(lines.feed(line)?);
    }
    lines.finish()?;
    Ok(connections)
}

/// Why a connection stream could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnReadError {
    /// A line is not what the kernel writes.
    #[error(transparent)]
    Parse(#[from] ConnParseError),
    /// The stream failed (or was not UTF-8 text).
    #[error("reading the connection table: {0}")]
    Io(#[from] std::io::Error),
}

/// The state of reading a connection file line by line: the header first, then entries.
#[derive(Debug, Default)]
struct Lines {
    file: Option<ConnectionFile>,
    number: usize,
}

impl Lines {
    /// One line (without its newline): the header, a blank line, or an entry.
    fn feed(&mut self, text: &str) -> Result<Option<Connection>, ConnParseError> {
        self.number += 1;
        let line = self.number;
        let fail = |kind| ConnParseError { line, kind };
        let Some(file) = self.file else {
            self.file = Some(ConnectionFile::from_header(text).map_err(fail)?);
            return Ok(None);
        };
        if text.trim().is_empty() {
            return Ok(None);
        }
        parse_line_of(file, text).map(Some).map_err(fail)
    }

    /// The end of the text: it had at least its header.
    fn finish(&self) -> Result<(), ConnParseError> {
        match self.file {
            Some(_) => Ok(()),
            None => Err(ConnParseError {
                line: 1,
                kind: ConnParseErrorKind::Empty,
            }),
        }
    }
}

/// The connections of a connection file's text, read one line at a time from any buffered
/// reader, so a table of millions of entries is never held whole: memory stays that of the
/// longest line. The header line tells which file it is ([`ConnectionFile`]).
///
/// After the first error the reader yields nothing more.
#[derive(Debug)]
pub struct ConnectionReader<R> {
    input: R,
    buf: String,
    lines: Lines,
    done: bool,
}

impl<R: std::io::BufRead> ConnectionReader<R> {
    /// A reader of `input`, which starts with the header line.
    pub fn new(input: R) -> ConnectionReader<R> {
        ConnectionReader {
            input,
            buf: String::new(),
            lines: Lines::default(),
            done: false,
        }
    }

    /// Which file the header said it is, once the first entry (or the end) was read.
    pub fn file(&self) -> Option<ConnectionFile> {
        self.lines.file
    }
}

impl<R: std::io::BufRead> Iterator for ConnectionReader<R> {
    type Item = Result<Connection, ConnReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            let read = match self.input.read_line(&mut self.buf) {
                Ok(0) => {
                    self.done = true;
                    return self.lines.finish().err().map(|e| Err(e.into()));
                }
                Ok(_) => self.lines.feed(line_text(&self.buf)),
                Err(e) => {
                    self.done = true;
                    return Some(Err(e.into()));
                }
            };
            match read {
                Ok(None) => continue,
                Ok(Some(connection)) => return Some(Ok(connection)),
                Err(e) => {
                    self.done = true;
                    return Some(Err(e.into()));
                }
            }
        }
        None
    }
}

/// A line read with its ending, without it: `\n` or `\r\n`, as [`str::lines`] splits (so
/// [`ConnectionReader`] and [`parse_connections`] read the same text alike; other carriage
/// returns belong to the line, e.g. to an engine's data).
fn line_text(line: &str) -> &str {
    match line.strip_suffix('\n') {
        Some(text) => text.strip_suffix('\r').unwrap_or(text),
        None => line,
    }
}

/// Reads one connection line of `/proc/net/ip_vs_conn` (not the header).
pub fn parse_connection_line(line: &str) -> Result<Connection, ConnParseErrorKind> {
    parse_line_of(ConnectionFile::Connections, line)
}

/// Reads one connection line of the given file (not the header).
pub fn parse_line_of(file: ConnectionFile, line: &str) -> Result<Connection, ConnParseErrorKind> {
    let mut columns = Columns { rest: line };
    let protocol = ConnectionProtocol::from_name(columns.expect("Pro")?);
    let client_ip = parse_ip(columns.expect("FromIP")?, "FromIP")?;
    let client_port = parse_port(columns.expect("FPrt")?, "FPrt")?;
    let virtual_ip = parse_ip(columns.expect("ToIP")?, "ToIP")?;
    let virtual_port = parse_port(columns.expect("TPrt")?, "TPrt")?;
    let dest_ip = parse_ip(columns.expect("DestIP")?, "DestIP")?;
    let dest_port = parse_port(columns.expect("DPrt")?, "DPrt")?;
    let state = ConnectionState::from_name(columns.expect("State")?);
    let origin = match file {
        ConnectionFile::WithOrigin => Some(ConnectionOrigin::from_name(columns.expect("Origin")?)),
        ConnectionFile::Connections => None,
    };
    let expires_secs = parse_expires(columns.expect("Expires")?)?;

    if client_ip.is_ipv4() != virtual_ip.is_ipv4() {
        return Err(ConnParseErrorKind::MixedFamilies {
            client: client_ip,
            virtual_addr: virtual_ip,
        });
    }

    let mut connection = Connection::new(
        protocol,
        SocketAddr::new(client_ip, client_port),
        SocketAddr::new(virtual_ip, virtual_port),
        SocketAddr::new(dest_ip, dest_port),
        state,
        expires_secs,
    );
    connection.origin = origin;
    if file == ConnectionFile::Connections {
        if let Some(pe_name) = columns.next() {
            connection.pe_name = Some(pe_name.to_owned());
            // The kernel writes one space, then the engine's data as it is.
            let data = columns.rest.get(1..).unwrap_or_default();
            if !data.is_empty() {
                connection.pe_data = Some(data.to_owned());
            }
        }
    }
    Ok(connection)
}

/// The whitespace-separated columns of a line, with what is left after them.
struct Columns<'a> {
    rest: &'a str,
}

impl<'a> Columns<'a> {
    fn next(&mut self) -> Option<&'a str> {
        let start = self.rest.trim_start_matches(is_separator);
        if start.is_empty() {
            self.rest = start;
            return None;
        }
        let end = start.find(is_separator).unwrap_or(start.len());
        let (column, rest) = start.split_at(end);
        self.rest = rest;
        Some(column)
    }

    fn expect(&mut self, column: &'static str) -> Result<&'a str, ConnParseErrorKind> {
        self.next()
            .ok_or(ConnParseErrorKind::MissingColumn { column })
    }
}

fn is_separator(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// An address column: IPv6 text, 8 hex digits (IPv4), or dotted IPv4 (which ipvsadm also
/// accepts).
fn parse_ip(text: &str, column: &'static str) -> Result<IpAddr, ConnParseErrorKind> {
    let invalid = || ConnParseErrorKind::InvalidAddress {
        column,
        text: text.to_owned(),
    };
    if text.contains(':') {
        return text
            .parse::<Ipv6Addr>()
            .map(IpAddr::V6)
            .map_err(|_| invalid());
    }
    if let Some(number) = parse_hex(text, 8) {
        return Ok(IpAddr::V4(Ipv4Addr::from(number)));
    }
    text.parse::<Ipv4Addr>()
        .map(IpAddr::V4)
        .map_err(|_| invalid())
}

/// A port column: 1 to 4 hex digits.
fn parse_port(text: &str, column: &'static str) -> Result<u16, ConnParseErrorKind> {
    parse_hex(text, 4)
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| ConnParseErrorKind::InvalidPort {
            column,
            text: text.to_owned(),
        })
}

/// 1 to `max_digits` hex digits and nothing else (no sign, no `0x`).
fn parse_hex(text: &str, max_digits: usize) -> Option<u32> {
    let digits_ok =
        (1..=max_digits).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit());
    digits_ok
        .then(|| u32::from_str_radix(text, 16).ok())
        .flatten()
}

fn parse_expires(text: &str) -> Result<u64, ConnParseErrorKind> {
    let invalid = || ConnParseErrorKind::InvalidExpires {
        text: text.to_owned(),
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    text.parse().map_err(|_| invalid())
}
