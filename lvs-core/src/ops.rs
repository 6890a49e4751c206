//! The operations every IPVS backend offers, and the ordered operation lists they apply.

use std::fmt;
use std::net::SocketAddr;
use std::ops::ControlFlow;

use crate::error::{Classify, Error, ErrorKind};
use crate::listing::{Connection, ConnectionFilter};
use crate::model::{
    DaemonRole, KernelInfo, RealServer, RealServerEntry, Service, ServiceEntry, ServiceKey,
    SyncDaemon, Timeouts,
};
use crate::sysctl::{SysctlSetting, SysctlValue};
use crate::table::{Table, VirtualService};

/// How many operations [`Ipvs::apply`] sends at once: the kernel backend sends each group in
/// one system call, and the kernel carries out every request of it even after one fails.
pub const APPLY_GROUP: usize = 64;

/// One change to an IPVS table, as a batch or a plan lists them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// Add a service (`-A`).
    AddService(Service),
    /// Replace the settings of a service (`-E`); the key selects it.
    EditService(Service),
    /// Delete a service and its real servers (`-D`).
    DeleteService(ServiceKey),
    /// Add a real server to a service (`-a`).
    AddServer(ServiceKey, RealServer),
    /// Replace the settings of a real server (`-e`); its address selects it.
    EditServer(ServiceKey, RealServer),
    /// Remove a real server from a service (`-d`).
    DeleteServer(ServiceKey, SocketAddr),
    /// Delete every service (`-C`).
    Flush,
    /// Zero the counters of one service, or of all and the global ones (`-Z`).
    Zero(Option<ServiceKey>),
    /// Set the connection timeouts (`--set`); zeros leave a value as it is.
    SetTimeouts(Timeouts),
    /// Start a sync daemon (`--start-daemon`).
    StartDaemon(SyncDaemon),
    /// Stop the sync daemon of a role (`--stop-daemon`).
    StopDaemon(DaemonRole),
    /// Set a `net.ipv4.vs` sysctl of the namespace (`--lvs-sysctl NAME=VALUE`): a write of
    /// its `/proc/sys` file, not a netlink request.
    SetSysctl(SysctlSetting),
}

/// Writes [`OperationKind`] with its names from one table of (kind, name, description),
/// so that an operation is named in one place for every face.
macro_rules! operation_kinds {
    ($($(#[$doc:meta])* $kind:ident => $name:literal, $description:literal;)*) => {
        /// What an [`Operation`] does, without its values: the one home of the operations'
        /// names (lvs-py's `Operation.kind`, lvs-sys's error messages).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum OperationKind {
            $($(#[$doc])* $kind,)*
        }

        impl OperationKind {
            /// Every kind, in the order of [`Operation`]'s variants.
            pub const ALL: [OperationKind; [$($name),*].len()] = [$(OperationKind::$kind),*];

            /// The name in code: `"add_service"`, `"add_server"`, ... (lvs-py's
            /// `Operation.kind`, also the name of the static method that builds one).
            pub fn name(self) -> &'static str {
                match self {
                    $(OperationKind::$kind => $name,)*
                }
            }

            /// The name in prose, for messages: `"add service"`, `"add real server"`, ...
            pub fn description(self) -> &'static str {
                match self {
                    $(OperationKind::$kind => $description,)*
                }
            }
        }
    };
}

operation_kinds! {
    /// [`Operation::AddService`].
    AddService => "add_service", "add service";
    /// [`Operation::EditService`].
    EditService => "edit_service", "edit service";
    /// [`Operation::DeleteService`].
    DeleteService => "delete_service", "delete service";
    /// [`Operation::AddServer`].
    AddServer => "add_server", "add real server";
    /// [`Operation::EditServer`].
    EditServer => "edit_server", "edit real server";
    /// [`Operation::DeleteServer`].
    DeleteServer => "delete_server", "delete real server";
    /// [`Operation::Flush`].
    Flush => "flush", "flush";
    /// [`Operation::Zero`].
    Zero => "zero", "zero";
    /// [`Operation::SetTimeouts`].
    SetTimeouts => "set_timeouts", "set timeouts";
    /// [`Operation::StartDaemon`].
    StartDaemon => "start_daemon", "start daemon";
    /// [`Operation::StopDaemon`].
    StopDaemon => "stop_daemon", "stop daemon";
    /// [`Operation::SetSysctl`].
    SetSysctl => "set_sysctl", "set sysctl";
}

impl Operation {
    /// What the operation does. The match is exhaustive here, inside the crate that
    /// defines [`Operation`], so a new variant fails to compile until it has a kind (and
    /// so a name) rather than falling into other crates' wildcard arms.
    pub fn kind(&self) -> OperationKind {
        match self {
            Operation::AddService(_) => OperationKind::AddService,
            Operation::EditService(_) => OperationKind::EditService,
            Operation::DeleteService(_) => OperationKind::DeleteService,
            Operation::AddServer(..) => OperationKind::AddServer,
            Operation::EditServer(..) => OperationKind::EditServer,
            Operation::DeleteServer(..) => OperationKind::DeleteServer,
            Operation::Flush => OperationKind::Flush,
            Operation::Zero(_) => OperationKind::Zero,
            Operation::SetTimeouts(_) => OperationKind::SetTimeouts,
            Operation::StartDaemon(_) => OperationKind::StartDaemon,
            Operation::StopDaemon(_) => OperationKind::StopDaemon,
            Operation::SetSysctl(_) => OperationKind::SetSysctl,
        }
    }
}

/// A visitor with one method per [`Operation`] variant, for the workspace's own crates.
///
/// `Operation` is `#[non_exhaustive]`, so a `match` on it outside lvs-core needs a wildcard
/// arm, and a new variant would fall into it at run time. Implementing this trait instead
/// (see [`Operation::visit`]) makes a new variant a compile error in every crate that
/// handles operations, since the trait gains a required method. Hidden: it is for lvs's
/// crates, which are released together, not part of the public API.
#[doc(hidden)]
pub trait OperationVisitor {
    /// What each method returns.
    type Output;
    /// [`Operation::AddService`].
    fn add_service(&mut self, service: &Service) -> Self::Output;
    /// [`Operation::EditService`].
    fn edit_service(&mut self, service: &Service) -> Self::Output;
    /// [`Operation::DeleteService`].
    fn delete_service(&mut self, key: &ServiceKey) -> Self::Output;
    /// [`Operation::AddServer`].
    fn add_server(&mut self, key: &ServiceKey, server: &RealServer) -> Self::Output;
    /// [`Operation::EditServer`].
    fn edit_server(&mut self, key: &ServiceKey, server: &RealServer) -> Self::Output;
    /// [`Operation::DeleteServer`].
    fn delete_server(&mut self, key: &ServiceKey, addr: &SocketAddr) -> Self::Output;
    /// [`Operation::Flush`].
    fn flush(&mut self) -> Self::Output;
    /// [`Operation::Zero`].
    fn zero(&mut self, key: Option<&ServiceKey>) -> Self::Output;
    /// [`Operation::SetTimeouts`].
    fn set_timeouts(&mut self, timeouts: &Timeouts) -> Self::Output;
    /// [`Operation::StartDaemon`].
    fn start_daemon(&mut self, daemon: &SyncDaemon) -> Self::Output;
    /// [`Operation::StopDaemon`].
    fn stop_daemon(&mut self, role: DaemonRole) -> Self::Output;
    /// [`Operation::SetSysctl`].
    fn set_sysctl(&mut self, setting: &SysctlSetting) -> Self::Output;
}

impl Operation {
    /// Calls the visitor's method for this operation's variant (an exhaustive match, here
    /// in the crate that defines the enum).
    #[doc(hidden)]
    pub fn visit<V: OperationVisitor>(&self, visitor: &mut V) -> V::Output {
        match self {
            Operation::AddService(s) => visitor.add_service(s),
            Operation::EditService(s) => visitor.edit_service(s),
            Operation::DeleteService(k) => visitor.delete_service(k),
            Operation::AddServer(k, d) => visitor.add_server(k, d),
            Operation::EditServer(k, d) => visitor.edit_server(k, d),
            Operation::DeleteServer(k, a) => visitor.delete_server(k, a),
            Operation::Flush => visitor.flush(),
            Operation::Zero(k) => visitor.zero(k.as_ref()),
            Operation::SetTimeouts(t) => visitor.set_timeouts(t),
            Operation::StartDaemon(d) => visitor.start_daemon(d),
            Operation::StopDaemon(r) => visitor.stop_daemon(*r),
            Operation::SetSysctl(s) => visitor.set_sysctl(s),
        }
    }
}

/// What happened to one operation of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome<E> {
    /// The operation took effect.
    Applied,
    /// The operation was refused; nothing of it took effect.
    Failed(E),
    /// The operation was never sent, because an operation of an earlier group failed.
    NotSent,
    /// The operation was sent but its answer was lost (e.g. the socket overran), so whether
    /// it took effect is unknown; read the table to find out.
    Unknown,
}

/// A batch that did not fully apply: what happened to each operation, in order.
///
/// Nothing is lost silently: every operation of the batch has exactly one outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyError<E> {
    /// One outcome per operation, in the order of the batch.
    pub outcomes: Vec<Outcome<E>>,
}

impl<E> ApplyError<E> {
    /// The index and error of the first operation that failed.
    pub fn first_failure(&self) -> Option<(usize, &E)> {
        self.outcomes.iter().enumerate().find_map(|(i, o)| match o {
            Outcome::Failed(e) => Some((i, e)),
            _ => None,
        })
    }

    /// The indices of the operations that took effect.
    pub fn applied(&self) -> Vec<usize> {
        self.indices(|o| matches!(o, Outcome::Applied))
    }

    /// The indices of the operations that were not sent.
    pub fn not_sent(&self) -> Vec<usize> {
        self.indices(|o| matches!(o, Outcome::NotSent))
    }

    fn indices(&self, pick: impl Fn(&Outcome<E>) -> bool) -> Vec<usize> {
        (0..self.outcomes.len())
            .filter(|&i| pick(&self.outcomes[i]))
            .collect()
    }
}

impl<E: fmt::Display> fmt::Display for ApplyError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.first_failure() {
            Some((i, e)) => write!(
                f,
                "operation {} of {} failed: {e} ({} applied, {} not sent)",
                i + 1,
                self.outcomes.len(),
                self.applied().len(),
                self.not_sent().len()
            ),
            None => write!(f, "batch of {} operations failed", self.outcomes.len()),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for ApplyError<E> {}

impl<E: Classify> Classify for ApplyError<E> {
    fn kind(&self) -> ErrorKind {
        self.first_failure()
            .map_or(ErrorKind::Other, |(_, e)| e.kind())
    }
}

/// The operations of an IPVS backend: the kernel over netlink (`lvs-sys`), or
/// [`crate::MemoryIpvs`].
///
/// Methods take `&self`: a backend is shared between threads. Listing methods return the
/// kernel's order; callers that need a stable order sort.
pub trait Ipvs {
    /// The backend's error, which keeps the model's [`Error`] where there is one.
    type Error: std::error::Error + Classify + From<Error>;

    /// IPVS version and connection table size.
    fn info(&self) -> Result<KernelInfo, Self::Error>;

    /// Adds a service.
    fn add_service(&self, service: &Service) -> Result<(), Self::Error>;

    /// Replaces a service's scheduler, flags, persistence and engine.
    fn edit_service(&self, service: &Service) -> Result<(), Self::Error>;

    /// Deletes a service with its real servers.
    fn delete_service(&self, key: &ServiceKey) -> Result<(), Self::Error>;

    /// One service with its counters, without listing the others.
    fn service(&self, key: &ServiceKey) -> Result<ServiceEntry, Self::Error>;

    /// Every service with its counters.
    fn services(&self) -> Result<Vec<ServiceEntry>, Self::Error>;

    /// The real servers of a service with their counters (empty if the service does not
    /// exist, as the kernel answers).
    fn servers(&self, key: &ServiceKey) -> Result<Vec<RealServerEntry>, Self::Error>;

    /// Adds a real server to a service.
    fn add_server(&self, service: &ServiceKey, server: &RealServer) -> Result<(), Self::Error>;

    /// Replaces a real server's forwarding, weight and thresholds.
    fn edit_server(&self, service: &ServiceKey, server: &RealServer) -> Result<(), Self::Error>;

    /// Removes a real server from a service.
    fn delete_server(&self, service: &ServiceKey, server: &SocketAddr) -> Result<(), Self::Error>;

    /// Deletes every service.
    fn flush(&self) -> Result<(), Self::Error>;

    /// Zeroes the counters of one service, or of everything with `None`.
    fn zero(&self, service: Option<&ServiceKey>) -> Result<(), Self::Error>;

    /// The connection timeouts.
    fn timeouts(&self) -> Result<Timeouts, Self::Error>;

    /// Sets the connection timeouts; zeros leave a value as it is.
    fn set_timeouts(&self, timeouts: &Timeouts) -> Result<(), Self::Error>;

    /// Starts a sync daemon.
    fn start_daemon(&self, daemon: &SyncDaemon) -> Result<(), Self::Error>;

    /// Stops the sync daemon of a role.
    fn stop_daemon(&self, role: DaemonRole) -> Result<(), Self::Error>;

    /// The running sync daemons, master first.
    fn daemons(&self) -> Result<Vec<SyncDaemon>, Self::Error>;

    /// The value of the sysctl `net.ipv4.vs.NAME` of the backend's network namespace (the
    /// handle's, not the caller's); `name` with or without the `net.ipv4.vs.` prefix.
    ///
    /// A knob lvs knows comes in its kind ([`crate::sysctl`]); one it does not know, as the
    /// kernel's text. A knob the namespace does not have is
    /// [`Error::SysctlUnavailable`].
    fn sysctl(&self, name: &str) -> Result<SysctlValue, Self::Error>;

    /// Sets the sysctl `net.ipv4.vs.NAME` of the backend's network namespace.
    ///
    /// For a knob lvs knows, the value (or text, read as the knob's kind) is checked
    /// against what the kernel takes before anything is written ([`crate::sysctl::check`]:
    /// [`Error::OutOfRange`] or [`Error::Invalid`] naming the knob); a knob lvs does not
    /// know is written as given. Then a knob the namespace does not have is
    /// [`Error::SysctlUnavailable`], and a value the kernel refuses
    /// [`Error::SysctlRefused`]. Some knobs act on being written (see the module's table):
    /// the defense modes are re-evaluated at once, `run_estimation` and `est_*` restart
    /// the estimator.
    fn set_sysctl(&self, name: &str, value: &SysctlValue) -> Result<(), Self::Error>;

    /// Every `net.ipv4.vs` sysctl the namespace has, known to lvs or not, in name order.
    fn sysctls(&self) -> Result<Vec<SysctlSetting>, Self::Error>;

    /// Hands `visit` each entry of the connection table (client connections and
    /// persistence templates) that `filter` chooses, in the kernel's order, one at a time:
    /// the table is never held whole, so memory does not grow with it. `visit` returns
    /// [`ControlFlow::Break`] to stop early.
    ///
    /// The kernel backend reads the table of its handle's network namespace (not the
    /// caller's); [`crate::MemoryIpvs`] has no traffic and so an empty table.
    fn for_each_connection(
        &self,
        filter: &ConnectionFilter,
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<(), Self::Error>;

    /// The entries of the connection table that `filter` chooses, collected (see
    /// [`Ipvs::for_each_connection`], which does not hold them all).
    fn connections(&self, filter: &ConnectionFilter) -> Result<Vec<Connection>, Self::Error> {
        let mut all = Vec::new();
        self.for_each_connection(filter, &mut |c| {
            all.push(c);
            ControlFlow::Continue(())
        })?;
        Ok(all)
    }

    /// Every service with its real servers, as listed (the kernel adds `HASHED` to every
    /// service's flags): one listing of the services, then one of each service's servers.
    fn read_table(&self) -> Result<Table, Self::Error> {
        let services = self
            .services()?
            .into_iter()
            .map(|entry| {
                let servers = self.servers(&entry.service.key)?;
                Ok(VirtualService::new(
                    entry.service,
                    servers.into_iter().map(|s| s.server).collect(),
                ))
            })
            .collect::<Result<_, Self::Error>>()?;
        Ok(Table::new(services))
    }

    /// The table with the settings that [`crate::rules::save`] also writes: the services
    /// as [`Ipvs::read_table`] reads them, the connection timeouts and the running sync
    /// daemons.
    fn read_config(&self) -> Result<Table, Self::Error> {
        Ok(self
            .read_table()?
            .with_timeouts(self.timeouts()?)
            .with_daemons(self.daemons()?))
    }

    /// What a plan towards `desired` needs to know of this table: [`Ipvs::read_config`],
    /// plus the current value of each sysctl `desired` states (a sysctl it does not state
    /// is not read; one the namespace lacks fails the read with
    /// [`Error::SysctlUnavailable`], as applying it would).
    fn read_config_for(&self, desired: &Table) -> Result<Table, Self::Error> {
        let mut current = self.read_config()?;
        current.sysctls = stated_sysctls(self, desired)?;
        Ok(current)
    }

    /// Applies operations in order, in groups of [`APPLY_GROUP`]: every operation of the
    /// group in which one fails is still attempted, and no later group is sent.
    ///
    /// That is what the kernel does with a batch: it carries out every request of one
    /// `sendmsg`, failed ones or not, so the kernel backend (which sends a group per system
    /// call) and every other backend leave the same table after the same failure. To
    /// change a table all or nothing, apply a plan with [`crate::plan::apply_plan`], which
    /// undoes what it applied when an operation fails.
    fn apply(&self, operations: &[Operation]) -> Result<(), ApplyError<Self::Error>> {
        let mut outcomes = Vec::with_capacity(operations.len());
        let mut failed = false;
        for group in operations.chunks(APPLY_GROUP) {
            if failed {
                outcomes.extend(group.iter().map(|_| Outcome::NotSent));
                continue;
            }
            for op in group {
                match self.apply_one(op) {
                    Ok(()) => outcomes.push(Outcome::Applied),
                    Err(e) => {
                        failed = true;
                        outcomes.push(Outcome::Failed(e));
                    }
                }
            }
        }
        if failed {
            Err(ApplyError { outcomes })
        } else {
            Ok(())
        }
    }

    /// Applies one operation.
    fn apply_one(&self, operation: &Operation) -> Result<(), Self::Error> {
        match operation {
            Operation::AddService(s) => self.add_service(s),
            Operation::EditService(s) => self.edit_service(s),
            Operation::DeleteService(k) => self.delete_service(k),
            Operation::AddServer(k, d) => self.add_server(k, d),
            Operation::EditServer(k, d) => self.edit_server(k, d),
            Operation::DeleteServer(k, a) => self.delete_server(k, a),
            Operation::Flush => self.flush(),
            Operation::Zero(k) => self.zero(k.as_ref()),
            Operation::SetTimeouts(t) => self.set_timeouts(t),
            Operation::StartDaemon(d) => self.start_daemon(d),
            Operation::StopDaemon(r) => self.stop_daemon(*r),
            Operation::SetSysctl(s) => self.set_sysctl(&s.name, &s.value),
        }
    }
}

/// The current value of each sysctl `desired` states, in its order (what
/// [`Ipvs::read_config_for`] adds to the configuration).
pub(crate) fn stated_sysctls<I: Ipvs + ?Sized>(
    ipvs: &I,
    desired: &Table,
) -> Result<Vec<SysctlSetting>, I::Error> {
    desired
        .sysctls
        .iter()
        .map(|s| Ok(SysctlSetting::new(&s.name, ipvs.sysctl(&s.name)?)))
        .collect()
}
