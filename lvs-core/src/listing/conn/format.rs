//! Writing connections: as `ipvsadm -L -n -c` lists them, and as the kernel's file holds
//! them.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

use super::super::inet::addr_port_text;
use super::super::json;
use super::types::Connection;

/// Which columns a connection listing has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ConnectionColumns {
    /// Protocol, expiry, state, source, virtual, destination (`ipvsadm -L -n -c`).
    #[default]
    Standard,
    /// The standard columns, then the persistence engine and its data
    /// (`ipvsadm -L -n -c --persistent-conn`).
    WithPersistence,
}

/// The title and header of the standard columns.
const STANDARD_HEADER: &str = concat!(
    "IPVS connection entries\n",
    "pro expire state       source             virtual            destination\n",
);
/// The title and header with the persistence columns.
const PERSISTENCE_HEADER: &str = concat!(
    "IPVS connection entries\n",
    "pro expire state       source             virtual            ",
    "destination        pe name          pe_data\n",
);

/// The connections as `ipvsadm -L -n -c` lists them, in the order given: a title, a header
/// and one line per connection, e.g.
/// `TCP 14:59  ESTABLISHED 10.1.1.1:51000     10.0.0.1:80        192.168.1.1:80`.
///
/// Expiry is written `MM:SS` with as many minute digits as needed. With
/// [`ConnectionColumns::WithPersistence`], lines of connections that have engine data get
/// two more columns; the others keep the standard columns, as in ipvsadm. ipvsadm reads the
/// engine data as one word, so only its first word is shown. ipvsadm reads the kernel's
/// file in 256-byte pieces and so garbles longer lines; that is not reproduced.
pub fn format_connections(connections: &[Connection], columns: ConnectionColumns) -> String {
    let mut out = columns.header().to_owned();
    for connection in connections {
        write_connection(&mut out, connection, columns);
    }
    out
}

impl ConnectionColumns {
    /// The title and header lines that start a listing with these columns; a listing
    /// streamed entry by entry writes them, then [`write_connection`] per entry.
    pub fn header(self) -> &'static str {
        match self {
            ConnectionColumns::Standard => STANDARD_HEADER,
            ConnectionColumns::WithPersistence => PERSISTENCE_HEADER,
        }
    }
}

/// Appends one connection's line of an `ipvsadm -L -n -c` listing (see
/// [`format_connections`]) to `out`.
pub fn write_connection(out: &mut String, c: &Connection, columns: ConnectionColumns) {
    let expires = format!("{:02}:{:02}", c.expires_secs / 60, c.expires_secs % 60);
    let source = addr_port_text(&c.client);
    let virtual_addr = addr_port_text(&c.virtual_addr);
    let destination = addr_port_text(&c.destination);
    let _ = write!(
        out,
        "{:<3} {expires:<6} {:<11} {source:<18} {virtual_addr:<18} ",
        c.protocol, c.state
    );
    let engine = c.pe_name.as_deref().zip(
        c.pe_data
            .as_deref()
            .and_then(|data| data.split_whitespace().next()),
    );
    let _ = match (columns, engine) {
        (ConnectionColumns::WithPersistence, Some((name, data))) => {
            // ipvsadm's widths here (16, then 18) differ from its header's (18, then 16).
            writeln!(out, "{destination:<16} {name:<18} {data}")
        }
        _ => writeln!(out, "{destination}"),
    };
}

/// Appends one connection as a JSON object (no newline) to `out`, the form of
/// `lvsctl list --connections --json`:
///
/// ```json
/// {"protocol":"TCP","client":{"address":"10.1.1.1","port":51000},
///  "virtual":{"address":"10.0.0.1","port":80},"destination":{"address":"192.168.1.1","port":80},
///  "state":"ESTABLISHED","expires":899,"template":false,"pe_name":null,"pe_data":null,"origin":null}
/// ```
///
/// Names are the kernel's (`protocol`, `state`, `origin` as `/proc/net/ip_vs_conn` writes
/// them); `expires` is in seconds; `origin` is `"LOCAL"`, `"SYNC"` or null when not read.
pub fn write_connection_json(out: &mut String, c: &Connection) {
    out.push_str("{\"protocol\":");
    json::push_string(out, c.protocol.name());
    for (name, addr) in [
        ("client", &c.client),
        ("virtual", &c.virtual_addr),
        ("destination", &c.destination),
    ] {
        let _ = write!(
            out,
            ",\"{name}\":{{\"address\":\"{}\",\"port\":{}}}",
            addr.ip(),
            addr.port()
        );
    }
    out.push_str(",\"state\":");
    json::push_string(out, c.state.name());
    let _ = write!(
        out,
        ",\"expires\":{},\"template\":{}",
        c.expires_secs,
        c.is_template()
    );
    out.push_str(",\"pe_name\":");
    json::push_optional(out, c.pe_name.as_deref());
    out.push_str(",\"pe_data\":");
    json::push_optional(out, c.pe_data.as_deref());
    out.push_str(",\"origin\":");
    json::push_optional(out, c.origin.as_ref().map(|o| o.name()));
    out.push('}');
}

impl Connection {
    /// The connection as a line of `/proc/net/ip_vs_conn` (without the newline), the way
    /// the kernel writes it: IPv4 addresses and all ports as upper-case hex, IPv6
    /// addresses uncompressed, the expiry right-aligned in 7 characters, then the
    /// persistence engine's name and data if it has them.
    pub fn proc_line(&self) -> String {
        let mut line = format!("{:<3} ", self.protocol);
        push_proc_addr(&mut line, &self.client);
        line.push(' ');
        push_proc_addr(&mut line, &self.virtual_addr);
        line.push(' ');
        push_proc_addr(&mut line, &self.destination);
        let _ = write!(line, " {:<11} {:>7}", self.state, self.expires_secs);
        if let Some(name) = &self.pe_name {
            let _ = write!(line, " {name} {}", self.pe_data.as_deref().unwrap_or(""));
        }
        line
    }
}

/// `ADDR PORT` as the kernel's file writes them.
fn push_proc_addr(line: &mut String, addr: &SocketAddr) {
    let _ = match addr.ip() {
        IpAddr::V4(a) => write!(line, "{:08X}", u32::from(a)),
        IpAddr::V6(a) => {
            let groups: Vec<String> = a.segments().iter().map(|g| format!("{g:04x}")).collect();
            write!(line, "{}", groups.join(":"))
        }
    };
    let _ = write!(line, " {:04X}", addr.port());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_have_ipvsadm_widths() {
        let standard = format!(
            "IPVS connection entries\npro expire {:<11} {:<18} {:<18} {}\n",
            "state", "source", "virtual", "destination"
        );
        assert_eq!(STANDARD_HEADER, standard);
        let persistence = format!(
            "IPVS connection entries\npro expire {:<11} {:<18} {:<18} {:<18} {:<16} {}\n",
            "state", "source", "virtual", "destination", "pe name", "pe_data"
        );
        assert_eq!(PERSISTENCE_HEADER, persistence);
    }
}
