//! A whole IPVS configuration: services with their real servers, as rule text saves it.

use crate::model::{RealServer, Service};

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

/// The configuration of an IPVS table: what `ipvsadm -S` saves and `ipvsadm -R` restores.
///
/// Counters, thresholds, timeouts and daemons are not part of it (ipvsadm does not save
/// them either).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Table {
    /// The services, each with its real servers.
    pub services: Vec<VirtualService>,
}

impl Table {
    /// A table of services.
    pub fn new(services: Vec<VirtualService>) -> Table {
        Table { services }
    }
}
