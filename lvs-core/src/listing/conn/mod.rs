//! The kernel's connection table: `/proc/net/ip_vs_conn` and `ipvsadm -L -n -c`.

mod format;
mod parse;
mod types;

pub use format::{format_connections, ConnectionColumns};
pub use parse::{parse_connection_line, parse_connections, ConnParseError, ConnParseErrorKind};
pub use types::{Connection, ConnectionProtocol, ConnectionState};
