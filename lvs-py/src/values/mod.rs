//! The immutable value objects of the Python API, each wrapping the lvs-core type it shows.

mod connection;
mod entries;
mod operation;
pub(crate) mod pickle;
mod server;
mod service;
mod settings;
mod sysctl;

pub(crate) use connection::Connection;
pub(crate) use entries::{table_of, RealServerEntry, ServiceEntry, Stats, VirtualService};
pub(crate) use operation::Operation;
pub(crate) use server::{server_addr_of, server_of, RealServer, Tunnel};
pub(crate) use service::{key_of, key_repr, Persistence, Service, ServiceKey};
pub(crate) use settings::{daemon_of, role, timeouts_of, KernelInfo, SyncDaemon, Timeouts};
pub(crate) use sysctl::{py_value, value_of};
