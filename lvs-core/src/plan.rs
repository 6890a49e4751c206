//! Desired state: the minimal, ordered operations that turn the current table into the
//! desired one, touching only what a [`Scope`] allows.
//!
//! Both tables are compared as the kernel stores them (the same mapping `MemoryIpvs` uses:
//! `HASHED` ignored, schedulers by name, netmasks by their raw value, persistence timeouts
//! in jiffies), so a table read back from the kernel and one parsed from rule text that
//! mean the same thing produce an empty plan.
//!
//! The plan is minimal: a service that changes is edited, never deleted and re-added
//! (the kernel can change every property but the key in place), a real server likewise;
//! deleting a service takes its real servers with it, so they get no operations of their
//! own. Services are added before their real servers, real servers removed before anything
//! is added (so a replacement never meets a stale one), services removed last.

mod apply;
mod scope;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;

pub use self::apply::{apply_plan, PlanApplyError, Rollback};
pub use self::scope::Scope;
use crate::error::Error;
use crate::memory::canonical;
use crate::model::{RealServer, RealServerEntry, Service, ServiceFlags, ServiceKey};
use crate::ops::Operation;
use crate::order::cmp_services;
use crate::rules;
use crate::table::Table;

/// How to plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PlanOptions {
    /// Drain real servers instead of deleting them: a real server that is to go is first
    /// set to weight 0 (the kernel sends it no new connections) and listed in
    /// [`Plan::draining`]; [`finish_drain`] deletes it once its connections are gone.
    /// Real servers of a service that is deleted as a whole go with it.
    pub drain: bool,
}

impl PlanOptions {
    /// Plans with graceful draining of removed real servers.
    pub const fn draining() -> PlanOptions {
        PlanOptions { drain: true }
    }
}

/// What it takes to reach a desired table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Plan {
    /// The operations, in the order to apply them.
    pub operations: Vec<Operation>,
    /// Real servers being drained (weight 0 now, to delete once idle): only with
    /// [`PlanOptions::drain`].
    pub draining: Vec<(ServiceKey, SocketAddr)>,
}

impl Plan {
    /// Whether the current table already is the desired one.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// The plan as ipvsadm rule lines (`-A`, `-E`, `-D`, `-a`, `-e`, `-d`), one per
    /// operation: what a dry run prints.
    pub fn to_rules(&self) -> String {
        self.operations
            .iter()
            .map(|op| rules::operation_line(op) + "\n")
            .collect()
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rules())
    }
}

/// The operations that turn `current` into `desired` within `scope`.
///
/// Services outside the scope are neither read nor touched, in either table; a desired
/// service outside the scope is an error (the plan could not honour it), as is a desired
/// table that lists a service or a real server twice.
pub fn plan(
    current: &Table,
    desired: &Table,
    scope: &Scope,
    options: &PlanOptions,
) -> Result<Plan, Error> {
    let current = index(current, scope, "current")?;
    if let Some(vs) = desired
        .services
        .iter()
        .find(|vs| !scope.contains(&vs.service.key))
    {
        return Err(Error::invalid(
            "desired",
            format!("{} is outside the scope of this plan", vs.service.key),
        ));
    }
    let desired = index(desired, scope, "desired")?;

    let mut remove_servers = Vec::new();
    let mut add_services = Vec::new();
    let mut edit_services = Vec::new();
    let mut add_servers = Vec::new();
    let mut edit_servers = Vec::new();
    let mut remove_services = Vec::new();
    let mut draining = Vec::new();

    for (key, want) in &desired {
        match current.get(key) {
            None => {
                add_services.push(Operation::AddService(want.service.clone()));
                add_servers.extend(
                    want.servers
                        .values()
                        .map(|s| Operation::AddServer(**key, *s)),
                );
            }
            Some(have) => {
                if have.service != want.service {
                    edit_services.push(Operation::EditService(want.service.clone()));
                }
                for (addr, server) in &want.servers {
                    match have.servers.get(addr) {
                        None => add_servers.push(Operation::AddServer(**key, *server)),
                        Some(old) if old != server => {
                            edit_servers.push(Operation::EditServer(**key, *server))
                        }
                        Some(_) => {}
                    }
                }
                for (addr, old) in &have.servers {
                    if want.servers.contains_key(addr) {
                        continue;
                    }
                    if options.drain {
                        if old.weight != 0 {
                            remove_servers.push(Operation::EditServer(**key, old.with_weight(0)));
                        }
                        draining.push((**key, *addr));
                    } else {
                        remove_servers.push(Operation::DeleteServer(**key, *addr));
                    }
                }
            }
        }
    }
    for key in current.keys() {
        if !desired.contains_key(key) {
            remove_services.push(Operation::DeleteService(**key));
        }
    }

    let mut operations = remove_servers;
    operations.extend(add_services);
    operations.extend(edit_services);
    operations.extend(edit_servers);
    operations.extend(add_servers);
    operations.extend(remove_services);
    Ok(Plan {
        operations,
        draining,
    })
}

/// The second step of a drain: deletes for the real servers of `draining` that are idle in
/// `servers` (a fresh listing of their service: weight 0, no active or inactive
/// connections). Servers that still have connections are left for a later call.
pub fn finish_drain(
    draining: &[(ServiceKey, SocketAddr)],
    service: &ServiceKey,
    servers: &[RealServerEntry],
) -> Vec<Operation> {
    servers
        .iter()
        .filter(|e| draining.contains(&(*service, e.server.addr)))
        .filter(|e| e.server.weight == 0 && e.active_conns == 0 && e.inactive_conns == 0)
        .map(|e| Operation::DeleteServer(*service, e.server.addr))
        .collect()
}

/// A service as compared: what the kernel would list, keyed by what it files it under.
struct Indexed {
    service: Service,
    servers: BTreeMap<SocketAddr, RealServer>,
}

/// The services of `table` within `scope`, as the kernel stores them, in lvs's order.
fn index(
    table: &Table,
    scope: &Scope,
    which: &'static str,
) -> Result<BTreeMap<OrderedKey, Indexed>, Error> {
    let mut out = BTreeMap::new();
    for vs in &table.services {
        if !scope.contains(&vs.service.key) {
            continue;
        }
        let mut service = canonical::service(&vs.service);
        service.flags -= ServiceFlags::HASHED;
        let key = OrderedKey(service.key);
        let mut servers = BTreeMap::new();
        for server in &vs.servers {
            let server = canonical::server(server);
            if servers.insert(server.addr, server).is_some() {
                return Err(Error::invalid(
                    which,
                    format!("{} lists real server {} twice", service.key, server.addr),
                ));
            }
        }
        if out.insert(key, Indexed { service, servers }).is_some() {
            return Err(Error::invalid(
                which,
                format!("{} is listed twice", vs.service.key),
            ));
        }
    }
    Ok(out)
}

/// A service key ordered like ipvsadm lists services, so plans come out in a stable,
/// readable order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OrderedKey(ServiceKey);

impl std::ops::Deref for OrderedKey {
    type Target = ServiceKey;
    fn deref(&self) -> &ServiceKey {
        &self.0
    }
}

impl PartialOrd for OrderedKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        cmp_services(&self.0, &other.0)
    }
}
