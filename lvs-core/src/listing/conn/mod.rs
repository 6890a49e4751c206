//! The kernel's connection table: `/proc/net/ip_vs_conn` and `ipvsadm -L -n -c`.

mod filter;
mod format;
mod parse;
mod types;

pub use filter::ConnectionFilter;
pub use format::{format_connections, write_connection, write_connection_json, ConnectionColumns};
pub use parse::{
    parse_connection_line, parse_connections, parse_line_of, ConnParseError, ConnParseErrorKind,
    ConnReadError, ConnectionFile, ConnectionReader,
};
pub use types::{Connection, ConnectionOrigin, ConnectionProtocol, ConnectionState};
