//! The table, timeouts, daemons and interfaces of one simulated network namespace, and the
//! kernel's checks on each change, in the kernel's order.
//!
//! Every operation checks everything before it changes anything, as the kernel does, so a
//! refused operation leaves the state as it was.

use std::net::SocketAddr;

use crate::canonical;
use crate::error::Error;
use crate::model::{
    DaemonRole, Family, Netmask, RealServer, Service, ServiceKey, SyncDaemon, Timeouts,
};
use crate::validate;

use super::sysctls::Sysctls;

/// A network interface the sync daemon can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Interface {
    pub(super) name: String,
    pub(super) mtu: u32,
}

/// A service with its real servers, newest first (the kernel adds at the head of its list).
#[derive(Debug, Clone)]
pub(super) struct Stored {
    pub(super) service: Service,
    pub(super) servers: Vec<RealServer>,
}

/// Everything the kernel keeps per network namespace that lvs can see.
#[derive(Debug, Clone)]
pub(super) struct State {
    pub(super) services: Vec<Stored>,
    pub(super) timeouts: Timeouts,
    pub(super) master: Option<SyncDaemon>,
    pub(super) backup: Option<SyncDaemon>,
    pub(super) interfaces: Vec<Interface>,
    pub(super) sysctls: Sysctls,
}

impl State {
    /// A fresh namespace: no services, default timeouts, no daemons, only `lo`.
    pub(super) fn new() -> State {
        State {
            services: Vec::new(),
            timeouts: Timeouts::KERNEL_DEFAULT,
            master: None,
            backup: None,
            interfaces: vec![Interface {
                name: "lo".to_owned(),
                mtu: 65536,
            }],
            sysctls: Sysctls::new(),
        }
    }

    fn find(&self, key: &ServiceKey) -> Option<usize> {
        let key = canonical::key(key);
        self.services.iter().position(|s| s.service.key == key)
    }

    pub(super) fn get(&self, key: &ServiceKey) -> Result<&Stored, Error> {
        self.find(key)
            .map(|i| &self.services[i])
            .ok_or(Error::ServiceNotFound(*key))
    }

    fn index(&self, key: &ServiceKey) -> Result<usize, Error> {
        self.find(key).ok_or(Error::ServiceNotFound(*key))
    }

    fn daemon_running(&self) -> bool {
        self.master.is_some() || self.backup.is_some()
    }

    fn has_mixed_family_servers(&self) -> bool {
        self.services.iter().any(|s| {
            let family = s.service.key.family();
            s.servers.iter().any(|d| d.family() != family)
        })
    }

    pub(super) fn add_service(&mut self, service: &Service) -> Result<(), Error> {
        validate::check_service_names(service)?;
        if self.find(&service.key).is_some() {
            return Err(Error::ServiceExists(service.key));
        }
        check_service_settings(service)?;
        self.services.push(Stored {
            service: canonical::service(service),
            servers: Vec::new(),
        });
        Ok(())
    }

    pub(super) fn edit_service(&mut self, service: &Service) -> Result<(), Error> {
        validate::check_service_names(service)?;
        let i = self.index(&service.key)?;
        check_service_settings(service)?;
        self.services[i].service = canonical::service(service);
        Ok(())
    }

    pub(super) fn delete_service(&mut self, key: &ServiceKey) -> Result<(), Error> {
        let i = self.index(key)?;
        // The kernel keeps deleted real servers in a trash list to revive them on a later
        // add; nothing of that is visible apart from counters, which are all zero here.
        self.services.remove(i);
        Ok(())
    }

    pub(super) fn add_server(
        &mut self,
        key: &ServiceKey,
        server: &RealServer,
    ) -> Result<(), Error> {
        let i = self.index(key)?;
        self.check_server(i, server)?;
        if position(&self.services[i].servers, &server.addr).is_some() {
            return Err(Error::ServerExists {
                service: *key,
                server: server.addr,
            });
        }
        // Only a new server's address is classified; the kernel skips it when it revives
        // one from its trash, which could only hold addresses it accepted before.
        validate::check_real_server_addr(server.addr.ip())?;
        self.services[i]
            .servers
            .insert(0, canonical::server(server));
        Ok(())
    }

    pub(super) fn edit_server(
        &mut self,
        key: &ServiceKey,
        server: &RealServer,
    ) -> Result<(), Error> {
        let i = self.index(key)?;
        self.check_server(i, server)?;
        let servers = &mut self.services[i].servers;
        let Some(j) = position(servers, &server.addr) else {
            return Err(Error::ServerNotFound {
                service: *key,
                server: server.addr,
            });
        };
        servers[j] = canonical::server(server);
        Ok(())
    }

    pub(super) fn delete_server(
        &mut self,
        key: &ServiceKey,
        addr: &SocketAddr,
    ) -> Result<(), Error> {
        let i = self.index(key)?;
        let servers = &mut self.services[i].servers;
        let Some(j) = position(servers, addr) else {
            return Err(Error::ServerNotFound {
                service: *key,
                server: *addr,
            });
        };
        servers.remove(j);
        Ok(())
    }

    /// The checks of add and edit server after the service lookup: family, then numbers.
    fn check_server(&self, service: usize, server: &RealServer) -> Result<(), Error> {
        let family = self.services[service].service.key.family();
        if server.family() != family && self.daemon_running() {
            return Err(Error::invalid(
                "addr",
                format!(
                    "{} real server {} in an {family} service: the sync protocol cannot carry \
                     mixed families while a sync daemon runs",
                    server.family(),
                    server.addr
                ),
            ));
        }
        validate::check_server_family(family, server)?;
        validate::check_server_numbers(server)
    }

    pub(super) fn zero(&self, key: Option<&ServiceKey>) -> Result<(), Error> {
        // Counters are always zero here; only the lookup can fail.
        match key {
            Some(key) => self.index(key).map(drop),
            None => Ok(()),
        }
    }

    pub(super) fn set_timeouts(&mut self, timeouts: &Timeouts) -> Result<(), Error> {
        validate::check_connection_timeouts(timeouts)?;
        let current = &mut self.timeouts;
        for (value, slot) in [
            (timeouts.tcp, &mut current.tcp),
            (timeouts.tcp_fin, &mut current.tcp_fin),
            (timeouts.udp, &mut current.udp),
        ] {
            if value != 0 {
                *slot = value;
            }
        }
        Ok(())
    }

    pub(super) fn start_daemon(&mut self, daemon: &SyncDaemon) -> Result<(), Error> {
        validate::check_interface_name(&daemon.interface)?;
        if let Some(group) = daemon.group {
            validate::check_group(group)?;
        }
        if self.has_mixed_family_servers() {
            return Err(Error::invalid(
                "daemon",
                "the sync protocol cannot carry real servers of another family than their \
                 service, and some exist",
            ));
        }
        let Some(interface) = self.interfaces.iter().find(|i| i.name == daemon.interface) else {
            return Err(Error::InterfaceNotFound(daemon.interface.clone()));
        };
        let listed = canonical::daemon(daemon, interface.mtu);
        let slot = match daemon.role {
            DaemonRole::Master => &mut self.master,
            DaemonRole::Backup => &mut self.backup,
            other => {
                return Err(Error::invalid(
                    "role",
                    format!("{other} is neither master nor backup"),
                ))
            }
        };
        if slot.is_some() {
            return Err(Error::DaemonRunning(daemon.role));
        }
        *slot = Some(listed);
        Ok(())
    }

    pub(super) fn stop_daemon(&mut self, role: DaemonRole) -> Result<(), Error> {
        let slot = match role {
            DaemonRole::Master => &mut self.master,
            DaemonRole::Backup => &mut self.backup,
            other => {
                return Err(Error::invalid(
                    "role",
                    format!("{other} is neither master nor backup"),
                ))
            }
        };
        if slot.take().is_none() {
            return Err(Error::DaemonNotRunning(role));
        }
        Ok(())
    }

    pub(super) fn daemons(&self) -> Vec<SyncDaemon> {
        self.master.iter().chain(&self.backup).cloned().collect()
    }

    pub(super) fn set_interface(&mut self, name: String, mtu: u32) {
        match self.interfaces.iter_mut().find(|i| i.name == name) {
            Some(interface) => interface.mtu = mtu,
            None => self.interfaces.push(Interface { name, mtu }),
        }
    }
}

/// The real server with this address (family, address and port; no IPv6 scope).
fn position(servers: &[RealServer], addr: &SocketAddr) -> Option<usize> {
    let addr = canonical::plain(*addr);
    servers.iter().position(|s| s.addr == addr)
}

/// The checks of add and edit service after the lookup: scheduler, engine, IPv6 prefix.
fn check_service_settings(service: &Service) -> Result<(), Error> {
    if !canonical::scheduler_exists(&service.scheduler) {
        return Err(Error::SchedulerNotFound {
            name: service.scheduler.name().to_owned(),
        });
    }
    if let Some(pe) = canonical::pe_name(&service.pe_name) {
        if !canonical::pe_exists(&pe) {
            return Err(Error::SchedulerNotFound { name: pe });
        }
    }
    if service.key.family() == Family::Ipv6 {
        // The kernel tests the 32-bit value it read from the attribute's bytes, whatever
        // kind of mask they came from.
        let raw = u32::from_ne_bytes(service.netmask.to_wire());
        if !(1..=128).contains(&raw) {
            return Err(Error::invalid(
                "netmask",
                format!(
                    "IPv6 prefix length {} is not in 1..=128",
                    match service.netmask {
                        Netmask::V6Prefix(p) => p.to_string(),
                        Netmask::V4(m) => format!("{raw} (from the mask {m})"),
                    }
                ),
            ));
        }
    }
    Ok(())
}
