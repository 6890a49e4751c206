//! `MemoryIpvs`: an in-memory IPVS table that behaves like the kernel's.
//!
//! It is lvs's dry-run and planning backend: the same operations as the kernel, the same
//! defaults, the same answers and the same errors for the same mistakes, checked in the
//! order the kernel's IPVS handlers check them, so that a request with several mistakes gets
//! the error the kernel gives. What it models of the kernel:
//!
//! * services keep what the kernel keeps: the flags given plus `HASHED` when listed, a
//!   persistence timeout as seconds × HZ in 32 bits (HZ = [`crate::validate::HZ`]), the
//!   netmask as a raw number read back by the service's family, no engine for an empty
//!   name, and firewall mark 0 filed as the TCP service on the unspecified address, port 0
//!   (the kernel reads mark 0 as "no mark");
//! * real servers are identified by family, address and port; a new one goes to the head
//!   of its service's list, so [`Ipvs::servers`] lists the newest first, as the kernel does;
//!   a deleted server may be added again (the kernel revives it from its trash);
//! * schedulers are those shipped with Linux ([`Scheduler::KNOWN`](crate::Scheduler::KNOWN))
//!   and `none`; the only persistence engine is `sip`;
//! * a fresh namespace has only the interface `lo` (MTU 65536); others are declared with
//!   [`MemoryIpvs::with_interface`]. A backup daemon started without a maximum length gets
//!   the kernel's `clamp(MTU, 1500, 65535)` minus the IP and UDP headers, a master 1500 minus
//!   the headers;
//! * the `net.ipv4.vs` sysctls are those of Linux 6.12 with every scheduler module loaded
//!   (all 31 knobs of [`crate::sysctl::KNOBS`]; [`MemoryIpvs::for_kernel`] keeps an older
//!   kernel's), with their defaults, on a machine of one CPU ([`MemoryIpvs::with_cpus`])
//!   with [`MODEL_FREE_PAGES`] of free memory; a write is checked like the kernel's
//!   ([`crate::sysctl::check`], then CPUs the machine lacks are refused), a CPU list is
//!   kept as the kernel prints it, and an automatic defense mode reads 2 while
//!   `amemthresh` is above the free memory, else 1 (as the kernel has it once its
//!   once-a-second evaluation ran);
//! * counters and rates are always zero, and no connections exist.
//!
//! [`Ipvs::services`] lists in lvs's order ([`crate::order`]); the kernel lists in the order
//! of its hash table, which depends on kernel memory addresses and cannot be reproduced.

mod state;
mod sysctls;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::sync::{Mutex, MutexGuard};

use self::state::State;
pub use self::sysctls::MODEL_FREE_PAGES;
use crate::error::Error;
use crate::listing::{Connection, ConnectionFilter};
use crate::model::{
    DaemonRole, KernelInfo, RealServer, RealServerEntry, Service, ServiceEntry, ServiceFlags,
    ServiceKey, Stats, SyncDaemon, Timeouts,
};
use crate::ops::Ipvs;
use crate::order;
use crate::sysctl::{SysctlSetting, SysctlValue};
use crate::table::{Table, VirtualService};

/// The MTU [`MemoryIpvs::with_interfaces`] gives an interface: Ethernet's 1500.
pub const DEFAULT_MTU: u32 = 1500;

/// An IPVS table in memory that answers like the kernel's (see the [module docs](self)).
///
/// It is shared between threads like a kernel backend: every method takes `&self` and the
/// state sits behind a mutex. Cloning takes a snapshot, handy to try a plan on a copy.
#[derive(Debug)]
pub struct MemoryIpvs {
    state: Mutex<State>,
}

impl MemoryIpvs {
    /// The IPVS of a fresh network namespace: no services, default timeouts, no daemons,
    /// and only the interface `lo`.
    pub fn new() -> MemoryIpvs {
        MemoryIpvs {
            state: Mutex::new(State::new()),
        }
    }

    /// Declares a network interface with its MTU (or changes the MTU of a known one), so
    /// that a sync daemon can use it.
    pub fn with_interface(self, name: impl Into<String>, mtu: u32) -> MemoryIpvs {
        self.lock().set_interface(name.into(), mtu);
        self
    }

    /// The sysctls of Linux `major.minor`: the knobs of lvs's table that came later are
    /// missing ([`crate::sysctl::knobs_of`]), as in that kernel.
    pub fn for_kernel(self, major: u32, minor: u32) -> MemoryIpvs {
        self.lock().sysctls.for_kernel(major, minor);
        self
    }

    /// A machine of `cpus` CPUs (at least one): `est_cpulist` starts with all of them, and
    /// names no other.
    pub fn with_cpus(self, cpus: u32) -> MemoryIpvs {
        self.lock().sysctls.set_cpus(cpus);
        self
    }

    /// Declares a sysctl with its value, unchecked, as the kernel has it: a default the
    /// kernel computes from the machine (`sync_qlen_max`), or a knob lvs does not know.
    pub fn with_sysctl(self, name: &str, value: impl Into<SysctlValue>) -> MemoryIpvs {
        self.lock().sysctls.declare(name, &value.into());
        self
    }

    /// Removes a sysctl, as from a kernel without it (a scheduler module not loaded).
    pub fn without_sysctl(self, name: &str) -> MemoryIpvs {
        self.lock().sysctls.remove(name);
        self
    }

    /// Declares network interfaces with the MTU [`DEFAULT_MTU`].
    pub fn with_interfaces<I>(self, names: I) -> MemoryIpvs
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        names
            .into_iter()
            .fold(self, |ipvs, name| ipvs.with_interface(name, DEFAULT_MTU))
    }

    /// The IPVS of a fresh namespace after adding the services and real servers of `table`
    /// in order, as `ipvsadm -R` would.
    ///
    /// Fails with the kernel's error for the first service or server it would refuse.
    pub fn from_table(table: &Table) -> Result<MemoryIpvs, Error> {
        let ipvs = MemoryIpvs::new();
        {
            let mut state = ipvs.lock();
            for vs in &table.services {
                state.add_service(&vs.service)?;
                for server in &vs.servers {
                    state.add_server(&vs.service.key, server)?;
                }
            }
        }
        Ok(ipvs)
    }

    /// The services and real servers as a table, both sorted in lvs's order
    /// ([`crate::order`]).
    ///
    /// Services appear as configured, without the `HASHED` flag the kernel adds to listed
    /// services, so that a table read back equals the table that was restored.
    pub fn table(&self) -> Table {
        let state = self.lock();
        let services: Vec<VirtualService> = state
            .services
            .iter()
            .map(|stored| VirtualService::new(stored.service.clone(), stored.servers.clone()))
            .collect();
        Table::new(services).sorted()
    }

    /// The state, even if another thread panicked while holding it: every operation checks
    /// before it changes anything, so the state is always consistent.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Default for MemoryIpvs {
    /// The same as [`MemoryIpvs::new`].
    fn default() -> MemoryIpvs {
        MemoryIpvs::new()
    }
}

impl Clone for MemoryIpvs {
    /// A snapshot: an independent table with the same contents.
    fn clone(&self) -> MemoryIpvs {
        MemoryIpvs {
            state: Mutex::new(self.lock().clone()),
        }
    }
}

/// A service as listed: the kernel sets `HASHED` on every service in its table.
fn listed(service: &Service) -> ServiceEntry {
    let mut service = service.clone();
    service.flags |= ServiceFlags::HASHED;
    ServiceEntry::new(service, Stats::default())
}

impl Ipvs for MemoryIpvs {
    type Error = Error;

    fn info(&self) -> Result<KernelInfo, Error> {
        Ok(KernelInfo::DEFAULT)
    }

    fn add_service(&self, service: &Service) -> Result<(), Error> {
        self.lock().add_service(service)
    }

    fn edit_service(&self, service: &Service) -> Result<(), Error> {
        self.lock().edit_service(service)
    }

    fn delete_service(&self, key: &ServiceKey) -> Result<(), Error> {
        self.lock().delete_service(key)
    }

    fn service(&self, key: &ServiceKey) -> Result<ServiceEntry, Error> {
        self.lock().get(key).map(|stored| listed(&stored.service))
    }

    fn services(&self) -> Result<Vec<ServiceEntry>, Error> {
        let state = self.lock();
        let mut services: Vec<ServiceEntry> =
            state.services.iter().map(|s| listed(&s.service)).collect();
        order::sort_by_service(&mut services, |entry| &entry.service.key);
        Ok(services)
    }

    fn servers(&self, key: &ServiceKey) -> Result<Vec<RealServerEntry>, Error> {
        // The kernel's dump of a missing service is empty, not an error.
        Ok(self
            .lock()
            .get(key)
            .map(|stored| {
                stored
                    .servers
                    .iter()
                    .copied()
                    .map(RealServerEntry::new)
                    .collect()
            })
            .unwrap_or_default())
    }

    fn add_server(&self, service: &ServiceKey, server: &RealServer) -> Result<(), Error> {
        self.lock().add_server(service, server)
    }

    fn edit_server(&self, service: &ServiceKey, server: &RealServer) -> Result<(), Error> {
        self.lock().edit_server(service, server)
    }

    fn delete_server(&self, service: &ServiceKey, server: &SocketAddr) -> Result<(), Error> {
        self.lock().delete_server(service, server)
    }

    fn flush(&self) -> Result<(), Error> {
        self.lock().services.clear();
        Ok(())
    }

    fn zero(&self, service: Option<&ServiceKey>) -> Result<(), Error> {
        self.lock().zero(service)
    }

    fn timeouts(&self) -> Result<Timeouts, Error> {
        Ok(self.lock().timeouts)
    }

    fn set_timeouts(&self, timeouts: &Timeouts) -> Result<(), Error> {
        self.lock().set_timeouts(timeouts)
    }

    fn start_daemon(&self, daemon: &SyncDaemon) -> Result<(), Error> {
        self.lock().start_daemon(daemon)
    }

    fn stop_daemon(&self, role: DaemonRole) -> Result<(), Error> {
        self.lock().stop_daemon(role)
    }

    fn daemons(&self) -> Result<Vec<SyncDaemon>, Error> {
        Ok(self.lock().daemons())
    }

    fn sysctl(&self, name: &str) -> Result<SysctlValue, Error> {
        self.lock().sysctls.get(name)
    }

    fn set_sysctl(&self, name: &str, value: &SysctlValue) -> Result<(), Error> {
        self.lock().sysctls.set(name, value)
    }

    fn sysctls(&self) -> Result<Vec<SysctlSetting>, Error> {
        Ok(self.lock().sysctls.list())
    }

    /// No packets pass through a model, so its connection table is always empty (what a
    /// kernel's is with no traffic): the read succeeds and visits nothing.
    fn for_each_connection(
        &self,
        _filter: &ConnectionFilter,
        _visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<(), Error> {
        Ok(())
    }
}
