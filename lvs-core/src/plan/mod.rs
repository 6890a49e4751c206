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
//!
//! Settings are planned only as far as the desired table states them: the sysctls first
//! (some, such as `sync_ports`, are read when a sync daemon starts), then the timeouts,
//! then the daemons around the services.

mod apply;
mod drain;
mod failover;
mod live;
mod scope;
#[cfg(test)]
mod tests;

use std::fmt;
use std::net::SocketAddr;

pub use self::apply::{apply_plan, PlanApplyError, Rollback};
pub use self::drain::{finish_drain, DrainTracker, DrainingServer};
pub use self::failover::{sync_daemons_for, VrrpState};
pub use self::live::{plan_live, plan_live_from, LivePlan};
pub use self::scope::Scope;
use crate::canonical;
use crate::error::Error;
use crate::model::{DaemonRole, RealServer, Service, ServiceKey, SyncDaemon, Timeouts};
use crate::ops::Operation;
use crate::order::cmp_services;
use crate::rules::{self, RuleError};
use crate::sysctl::{self, SysctlSetting};
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
    /// Delete real servers now and let the kernel end their connections: every real server
    /// the plan removes is deleted on this run (with [`PlanOptions::drain`], the draining
    /// ones too, whatever connections they still have), and a plan that deletes real
    /// servers or services is refused unless `net.ipv4.vs.expire_nodest_conn` is 1 in the desired table (a `--lvs-sysctl
    /// expire_nodest_conn=1` line) or, when the desired table does not state it, in the
    /// current one. With that sysctl the kernel ends a connection to a deleted real server
    /// at its next packet, and schedules that packet afresh (unless conntrack still holds
    /// the old flow, when it is dropped); without it the connection's packets are dropped
    /// until its entry times out. This is kube-proxy's choice for a backend that goes away.
    /// The setting holds for the whole namespace, so lvs never sets it unasked.
    pub expire_connections: bool,
}

impl PlanOptions {
    /// Plans with graceful draining of removed real servers.
    pub const fn draining() -> PlanOptions {
        PlanOptions {
            drain: true,
            expire_connections: false,
        }
    }

    /// These options with [`PlanOptions::expire_connections`] set.
    pub const fn expiring_connections(self) -> PlanOptions {
        PlanOptions {
            expire_connections: true,
            ..self
        }
    }
}

/// The sysctl [`PlanOptions::expire_connections`] relies on.
pub const EXPIRE_NODEST_CONN: &str = "expire_nodest_conn";

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

    /// The plan as rule lines (`-A`, `-E`, `-D`, `-a`, `-e`, `-d`, `--set`,
    /// `--start-daemon`, `--stop-daemon`, `--lvs-sysctl`), one per operation, each ending with a newline:
    /// what a dry run prints. Each line reads back as exactly its operation (see
    /// [`rules::operation_line`], which also says when a line cannot be written).
    pub fn to_rules(&self) -> Result<String, RuleError> {
        let mut out = String::new();
        for op in &self.operations {
            out.push_str(&rules::operation_line(op)?);
            out.push('\n');
        }
        Ok(out)
    }
}

impl fmt::Display for Plan {
    /// The lines of [`Plan::to_rules`]; an operation that cannot be written as a rule line
    /// shows as a `#` comment that says why (a comment reads back as nothing, never as
    /// another operation).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for op in &self.operations {
            match rules::operation_line(op) {
                Ok(line) => writeln!(f, "{line}")?,
                Err(e) => writeln!(f, "# {op:?} cannot be written as a rule line: {e}")?,
            }
        }
        Ok(())
    }
}

/// The operations that turn `current` into `desired` within `scope`.
///
/// Services outside the scope are neither read nor touched, in either table; a desired
/// service outside the scope is an error (the plan could not honour it), as is a desired
/// table that lists a service or a real server twice.
///
/// The timeouts and sync daemons are planned only as far as `desired` states them, and
/// whatever the scope (they are not services): `desired.timeouts` of `Some` gives a
/// `SetTimeouts` unless `current.timeouts` already has every non-zero value of it (an
/// unknown `None` current gets one); a desired daemon is started unless `current.daemons`
/// has the same one running, after stopping another daemon of its role. Daemons of roles
/// `desired` does not list are left alone. A daemon matches when role, interface and sync
/// id are equal and each optional value the desired one gives is equal as the kernel keeps
/// it: one left `None` (or 0, for port, TTL and maximum length) matches the kernel's default
/// for group, port and TTL, and any maximum length; a maximum length the kernel clamps
/// matches the clamped value. Each sysctl `desired` states (checked like
/// [`sysctl::check`]; a bad one is an error) is set unless `current.sysctls` has it with the
/// same value ([`sysctl::same_value`]: CPU lists by the CPUs they name, the two automatic
/// defense modes alike); one `current` does not list is set. Read the current state with
/// [`crate::Ipvs::read_config_for`] to plan settings.
pub fn plan(
    current: &Table,
    desired: &Table,
    scope: &Scope,
    options: &PlanOptions,
) -> Result<Plan, Error> {
    let (current_settings, desired_settings) = (current, desired);
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

    // Both lists are in lvs's order: one walk pairs each desired service with the current
    // one of its key.
    let mut current = current.into_iter().peekable();
    for want in desired {
        let key = want.service.key;
        while let Some(gone) = current.next_if(|have| cmp_services(&have.service.key, &key).is_lt())
        {
            remove_services.push(Operation::DeleteService(gone.service.key));
        }
        let Some(have) = current.next_if(|have| have.service.key == key) else {
            add_servers.extend(
                want.servers
                    .0
                    .into_iter()
                    .map(|s| Operation::AddServer(key, s)),
            );
            add_services.push(Operation::AddService(want.service));
            continue;
        };
        if have.service != want.service {
            edit_services.push(Operation::EditService(want.service));
        }
        for pair in merge_by_addr(&have.servers.0, &want.servers.0) {
            match pair {
                (None, Some(server)) => add_servers.push(Operation::AddServer(key, *server)),
                (Some(old), Some(server)) if old != server => {
                    edit_servers.push(Operation::EditServer(key, *server))
                }
                (Some(old), None) => {
                    if options.drain && !options.expire_connections {
                        if old.weight != 0 {
                            remove_servers.push(Operation::EditServer(key, old.with_weight(0)));
                        }
                        draining.push((key, old.addr));
                    } else {
                        remove_servers.push(Operation::DeleteServer(key, old.addr));
                    }
                }
                _ => {}
            }
        }
    }
    remove_services.extend(current.map(|gone| Operation::DeleteService(gone.service.key)));

    if options.expire_connections
        && remove_servers.iter().chain(&remove_services).any(|op| {
            matches!(
                op,
                Operation::DeleteServer(..) | Operation::DeleteService(_)
            )
        })
    {
        check_expire_nodest_conn(current_settings, desired_settings)?;
    }
    let mut operations = sysctl_changes(current_settings, desired_settings)?;
    operations.reserve(
        remove_servers.len()
            + add_services.len()
            + edit_services.len()
            + edit_servers.len()
            + add_servers.len()
            + remove_services.len()
            + 2,
    );
    if let Some(want) = desired_settings.timeouts {
        if current_settings
            .timeouts
            .is_none_or(|have| !timeouts_hold(&have, &want))
        {
            operations.push(Operation::SetTimeouts(want));
        }
    }
    // Daemons are stopped first and started last: the kernel refuses to start one while
    // real servers of another family than their service exist, and to add such servers
    // while one runs.
    let (stop_daemons, start_daemons) = daemon_changes(current_settings, desired_settings)?;
    operations.extend(stop_daemons);
    operations.extend(remove_servers);
    operations.extend(add_services);
    operations.extend(edit_services);
    operations.extend(edit_servers);
    operations.extend(add_servers);
    operations.extend(remove_services);
    operations.extend(start_daemons);
    Ok(Plan {
        operations,
        draining,
    })
}

/// Refuses [`PlanOptions::expire_connections`] unless `net.ipv4.vs.expire_nodest_conn` will
/// be 1 when the plan's deletes run: stated so in `desired`, or, when `desired` does not
/// state it, so in `current` (which [`live::plan_live`] reads for the purpose).
fn check_expire_nodest_conn(current: &Table, desired: &Table) -> Result<(), Error> {
    let find = |t: &Table| {
        t.sysctls
            .iter()
            .find(|s| s.name == EXPIRE_NODEST_CONN)
            .map(|s| s.value.as_i64())
    };
    let (value, whose) = match find(desired) {
        Some(value) => (value, "the desired rules set it to"),
        None => (find(current).flatten(), "the namespace has"),
    };
    if value == Some(1) {
        return Ok(());
    }
    let have = match value {
        Some(v) => format!("{whose} {v}"),
        None => "its value is not known".to_owned(),
    };
    Err(Error::invalid(
        "expire connections",
        format!(
            "deleting real servers with their connections ended needs \
             net.ipv4.vs.{EXPIRE_NODEST_CONN} = 1, and {have}: state \
             `--lvs-sysctl {EXPIRE_NODEST_CONN}=1` in the desired rules"
        ),
    ))
}

/// A service as compared: what the kernel would list, keyed by what it files it under.
struct Indexed {
    service: Service,
    servers: Servers,
}

/// A service's real servers in address order. Not a `BTreeMap`: one allocates a node of
/// eleven entries for the few real servers most services have, about 1 KB a service
/// (18 MiB of a no-op `lvsctl apply` of 10,000 services, which indexes two tables).
struct Servers(Vec<RealServer>);

impl Servers {
    /// The real servers of `list`, or the first one listed twice (in `list`'s order).
    fn new(list: impl ExactSizeIterator<Item = RealServer>) -> Result<Servers, RealServer> {
        let mut servers: Vec<RealServer> = Vec::with_capacity(list.len());
        let mut seen = std::collections::HashSet::new();
        for server in list {
            let repeated = if servers.len() < crate::model::SCANNED_SERVERS {
                servers.iter().any(|s| s.addr == server.addr)
            } else {
                if seen.is_empty() {
                    seen.extend(servers.iter().map(|s| s.addr));
                }
                !seen.insert(server.addr)
            };
            if repeated {
                return Err(server);
            }
            servers.push(server);
        }
        servers.sort_unstable_by_key(|s| s.addr);
        Ok(Servers(servers))
    }
}

/// The services of `table` within `scope`, as the kernel stores them, in lvs's order.
///
/// A sorted list, not a map: planning walks both tables once, side by side. The error is
/// the one a reading in the table's order meets first: a real server listed twice in one
/// service, or a service listed twice (named as its second listing spells it).
fn index(table: &Table, scope: &Scope, which: &'static str) -> Result<Vec<Indexed>, Error> {
    let mut listed: Vec<(usize, Service)> = table
        .services
        .iter()
        .enumerate()
        .filter(|(_, vs)| scope.contains(&vs.service.key))
        .map(|(at, vs)| (at, canonical::service(&vs.service)))
        .collect();
    // Stable: a key's listings stay in the table's order, so the second one follows the
    // first.
    listed.sort_by(|(_, a), (_, b)| cmp_services(&a.key, &b.key));
    let repeated = listed
        .windows(2)
        .filter(|pair| pair[0].1.key == pair[1].1.key)
        .map(|pair| pair[1].0)
        .min();
    let servers_of = |at: usize| {
        let vs = &table.services[at];
        Servers::new(vs.servers.iter().map(canonical::server)).map_err(|server| {
            Error::invalid(
                which,
                format!("{} lists real server {} twice", vs.service.key, server.addr),
            )
        })
    };
    if let Some(second) = repeated {
        // A real server repeated up to the service's second listing is met first.
        for at in (0..=second).filter(|&at| scope.contains(&table.services[at].service.key)) {
            servers_of(at)?;
        }
        return Err(Error::invalid(
            which,
            format!("{} is listed twice", table.services[second].service.key),
        ));
    }
    let mut servers: Vec<Option<Servers>> = Vec::with_capacity(table.services.len());
    for (at, vs) in table.services.iter().enumerate() {
        servers.push(if scope.contains(&vs.service.key) {
            Some(servers_of(at)?)
        } else {
            None
        });
    }
    Ok(listed
        .into_iter()
        .map(|(at, service)| Indexed {
            service,
            servers: servers[at].take().unwrap_or(Servers(Vec::new())),
        })
        .collect())
}

/// Pairs the real servers of two address-ordered lists by address: `(Some, Some)` for an
/// address in both, in address order.
fn merge_by_addr<'a>(
    have: &'a [RealServer],
    want: &'a [RealServer],
) -> impl Iterator<Item = (Option<&'a RealServer>, Option<&'a RealServer>)> {
    let (mut have, mut want) = (have.iter().peekable(), want.iter().peekable());
    std::iter::from_fn(move || match (have.peek(), want.peek()) {
        (None, None) => None,
        (Some(_), None) => Some((have.next(), None)),
        (None, Some(_)) => Some((None, want.next())),
        (Some(h), Some(w)) => match h.addr.cmp(&w.addr) {
            std::cmp::Ordering::Less => Some((have.next(), None)),
            std::cmp::Ordering::Greater => Some((None, want.next())),
            std::cmp::Ordering::Equal => Some((have.next(), want.next())),
        },
    })
}

/// Whether timeouts in effect already have every value `want` sets (0 leaves a value).
fn timeouts_hold(have: &Timeouts, want: &Timeouts) -> bool {
    [
        (have.tcp, want.tcp),
        (have.tcp_fin, want.tcp_fin),
        (have.udp, want.udp),
    ]
    .iter()
    .all(|&(have, want)| want == 0 || have == want)
}

/// Whether a running daemon is the desired one (see [`plan`]).
pub(super) fn daemon_matches(have: &SyncDaemon, want: &SyncDaemon) -> bool {
    let defaulted = canonical::daemon_defaults(want);
    // A value the kernel does not report (older kernels leave out group, port, TTL and
    // length) matches anything.
    have.role == want.role
        && have.interface == want.interface
        && have.sync_id == want.sync_id
        // Lengths compare as the kernel clamps them, on both sides (`current` may be a table
        // read from text rather than a listing); 0, the kernel's default, matches any, like
        // `None`.
        && canonical::daemon_max_len(want)
            .is_none_or(|len| canonical::daemon_max_len(have).is_none_or(|h| h == len))
        && have.group.is_none_or(|g| Some(g) == defaulted.group)
        && have.port.is_none_or(|p| Some(p) == defaulted.port)
        && have.ttl.is_none_or(|t| Some(t) == defaulted.ttl)
}

/// The sysctls to set to reach those `desired` states, in its order.
fn sysctl_changes(current: &Table, desired: &Table) -> Result<Vec<Operation>, Error> {
    let mut changes = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for want in &desired.sysctls {
        let name = sysctl::check_name(&want.name)?;
        if names.contains(&name) {
            return Err(Error::invalid(
                "desired",
                format!("net.ipv4.vs.{name} is listed twice"),
            ));
        }
        names.push(name);
        let value = sysctl::check(name, &want.value)?;
        let holds = current
            .sysctls
            .iter()
            .find(|have| sysctl::short_name(&have.name) == name)
            .is_some_and(|have| sysctl::same_value(name, &have.value, &value));
        if !holds {
            changes.push(Operation::SetSysctl(SysctlSetting::new(name, value)));
        }
    }
    Ok(changes)
}

/// The daemons to stop and to start to reach the daemons `desired` states.
fn daemon_changes(
    current: &Table,
    desired: &Table,
) -> Result<(Vec<Operation>, Vec<Operation>), Error> {
    let mut stop = Vec::new();
    let mut start = Vec::new();
    let mut roles: Vec<DaemonRole> = Vec::new();
    for want in &desired.daemons {
        if roles.contains(&want.role) {
            return Err(Error::invalid(
                "desired",
                format!("the {} sync daemon is listed twice", want.role),
            ));
        }
        roles.push(want.role);
        match current.daemons.iter().find(|d| d.role == want.role) {
            Some(have) if daemon_matches(have, want) => {}
            Some(_) => {
                stop.push(Operation::StopDaemon(want.role));
                start.push(Operation::StartDaemon(want.clone()));
            }
            None => start.push(Operation::StartDaemon(want.clone())),
        }
    }
    Ok((stop, start))
}
