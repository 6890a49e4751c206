//! The typed model of an IPVS table.
//!
//! Types mirror what the kernel stores and reports, field for field, so that reading a table
//! and writing it back loses nothing; every set of kernel numbers has a catch-all variant
//! (`Other`) so values from newer kernels round-trip instead of failing.

mod daemon;
mod server;
mod service;
mod stats;

pub use daemon::{DaemonRole, SyncDaemon};
pub(crate) use server::SCANNED_SERVERS;
pub use server::{ForwardMethod, RealServer, RealServerEntry, Tunnel, TunnelChecksum, TunnelKind};
pub use service::{
    Family, Netmask, Persistence, Protocol, SchedFlags, Scheduler, Service, ServiceEntry,
    ServiceFlags, ServiceKey, DEFAULT_PERSISTENCE_TIMEOUT,
};
pub use stats::{KernelInfo, Stats, Timeouts};
