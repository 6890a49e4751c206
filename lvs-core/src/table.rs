//! A whole IPVS configuration: services with their real servers, as rule text saves it.

use crate::model::{RealServer, Service, SyncDaemon, Timeouts};

/// One virtual service with its real servers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct VirtualService {
    /// The service.
    pub service: Service,
    /// Its real servers.
    pub servers: Vec<RealServer>,
}

impl VirtualService {
    /// A service with real servers.
    pub fn new(service: Service, servers: Vec<RealServer>) -> VirtualService {
        VirtualService { service, servers }
    }
}

/// The configuration of an IPVS table: what [`crate::rules::save`] saves and
/// [`crate::plan::plan`] restores.
///
/// The services (with every property the kernel keeps, thresholds included) always are part
/// of it. The connection timeouts and the sync daemons are global settings that a table may
/// state or leave out: `timeouts: None` and an empty `daemons` say nothing about them, and
/// a plan towards such a table leaves them as they are. [`crate::Ipvs::read_table`] reads
/// only the services; [`crate::Ipvs::read_config`] reads the settings too. Counters are
/// never part of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Table {
    /// The services, each with its real servers.
    pub services: Vec<VirtualService>,
    /// The connection timeouts, when the table states them (`--set`). As in `--set`, a
    /// value 0 leaves that timeout as it is.
    pub timeouts: Option<Timeouts>,
    /// The sync daemons the table states (`--start-daemon`), at most one per role. A daemon
    /// of a role not listed is left alone: it is neither started nor stopped.
    pub daemons: Vec<SyncDaemon>,
}

impl Table {
    /// A table of services, stating no timeouts and no daemons.
    pub fn new(services: Vec<VirtualService>) -> Table {
        Table {
            services,
            timeouts: None,
            daemons: Vec::new(),
        }
    }

    /// The same table, stating the connection timeouts.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Table {
        self.timeouts = Some(timeouts);
        self
    }

    /// The same table in the order ipvsadm lists and saves it ([`crate::order::sort_table`]).
    pub fn sorted(mut self) -> Table {
        crate::order::sort_table(&mut self);
        self
    }

    /// The same table, stating the sync daemons (at most one per role).
    pub fn with_daemons(mut self, daemons: Vec<SyncDaemon>) -> Table {
        self.daemons = daemons;
        self
    }
}
