//! `ipvsadm -L -n` listings, byte for byte, and `/proc/net/ip_vs_conn` parsing.
//!
//! The formatters write exactly what ipvsadm 1.31 prints with `-n` (numeric addresses: this
//! crate does no name lookups), trailing spaces included:
//!
//! * [`format_table`] — `ipvsadm -L -n` with the banner, in any [`ListFormat`] (and
//!   [`format_table_in_parts`], the same text a service at a time, and [`format_table_header`]
//!   with [`format_table_entry`] for a caller that reads the table a service at a time);
//! * [`format_service`] — `ipvsadm -L -n -t|-u|-f SERVICE` (no banner);
//! * [`format_timeouts`] — `ipvsadm -L --timeout`;
//! * [`format_daemons`] — `ipvsadm -L --daemon`;
//! * [`format_connections`] — `ipvsadm -L -n -c` from [`Connection`]s read by
//!   [`parse_connections`] (or, entry by entry, [`ConnectionReader`]) out of the kernel's
//!   `/proc/net/ip_vs_conn`.
//!
//! Where ipvsadm's output is not well defined (values its tables have no name for), the
//! listing documents what it writes instead.

mod conn;
mod inet;
mod json;
mod json_forms;
mod names;
mod numbers;
mod options;
mod proc_table;
mod services;
mod settings;

pub use conn::{
    format_connections, parse_connection_line, parse_connections, parse_line_of, write_connection,
    write_connection_json, ConnParseError, ConnParseErrorKind, ConnReadError, Connection,
    ConnectionColumns, ConnectionFile, ConnectionFilter, ConnectionOrigin, ConnectionProtocol,
    ConnectionReader, ConnectionState,
};
pub use json_forms::{daemons_json, plan_json, sysctls_json, table_json, timeouts_json};
pub use options::{ListFormat, ListOptions};
pub use proc_table::{ProcTable, ProcTableError};
pub use services::{
    format_service, format_table, format_table_entry, format_table_header, format_table_in_parts,
};
pub use settings::{format_daemons, format_timeouts};
