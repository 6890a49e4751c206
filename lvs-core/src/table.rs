//! A whole IPVS configuration: services with their real servers, as rule text saves it.

use crate::model::{RealServer, Service, SyncDaemon, Timeouts};
use crate::sysctl::SysctlSetting;

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
/// of it. The connection timeouts, the sync daemons and the `net.ipv4.vs` sysctls are
/// global settings that a table may state or leave out: `timeouts: None`, an empty
/// `daemons` and an empty `sysctls` say nothing about them, and a plan towards such a table
/// leaves them as they are. [`crate::Ipvs::read_table`] reads only the services;
/// [`crate::Ipvs::read_config`] reads the timeouts and daemons too (not the sysctls: a
/// namespace has some thirty, and a saved table states only those it means to set);
/// [`crate::Ipvs::read_config_for`] also reads the sysctls a desired table states.
/// Counters are never part of it.
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
    /// The sysctls the table states (`--lvs-sysctl`), at most one per knob. A knob not
    /// listed is left as it is.
    pub sysctls: Vec<SysctlSetting>,
}

impl Table {
    /// A table of services, stating no timeouts and no daemons.
    pub fn new(services: Vec<VirtualService>) -> Table {
        Table {
            services,
            timeouts: None,
            daemons: Vec::new(),
            sysctls: Vec::new(),
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

    /// The same table, stating sysctls (at most one per knob).
    pub fn with_sysctls(mut self, sysctls: Vec<SysctlSetting>) -> Table {
        self.sysctls = sysctls;
        self
    }
}
