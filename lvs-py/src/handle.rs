//! The IPVS handles: `IpvsHandle` with every operation, and its two constructors `Ipvs` (the
//! kernel, over netlink) and `MemoryIpvs` (lvs-core's in-memory table).
//!
//! Every call converts its Python arguments first, then runs on the backend with the GIL
//! released (netlink I/O may wait on the kernel), then converts the answer back.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use lvs_core::listing::{
    format_daemons, format_service, format_table, format_timeouts, ConnectionFilter, ListFormat,
    ListOptions,
};
use lvs_core::plan::{apply_plan, plan_live};
use lvs_core::{Ipvs as _, MemoryIpvs as CoreMemory, RealServerEntry as CoreServerEntry};
use lvs_core::{ServiceEntry as CoreServiceEntry, Table};
use lvs_sys::{NetlinkIpvs, Options};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyMapping, PyString, PyTuple, PyType};

use crate::connections::Connections;
use crate::convert::{ip_addr, string, type_name};
use crate::errors::{invalid_input, BatchFailure, Failure, PlanFailure};
use crate::plan::{options_of, scope_arg, table_arg, LivePlan};
use crate::rules::operations_from_text;
use crate::values::{
    daemon_of, key_of, py_value, role, server_addr_of, server_of, timeouts_of, value_of,
    KernelInfo, Operation, RealServer, RealServerEntry, Service, ServiceEntry, SyncDaemon,
    Timeouts, VirtualService,
};

/// The table behind a handle.
#[derive(Debug)]
enum Backend {
    Kernel(NetlinkIpvs),
    Memory(CoreMemory),
}

/// Runs `$body` with `$b` bound to the backend's `Ipvs` implementation, whichever it is,
/// converting its error with `$error::from`.
macro_rules! on_backend {
    ($backend:expr, $error:ident, $b:ident => $body:expr) => {
        match $backend {
            Backend::Kernel($b) => $body.map_err($error::from),
            Backend::Memory($b) => $body.map_err($error::from),
        }
    };
}

/// Reads the table's configuration (services and real servers, no counters) in lvs's order.
fn read_table<I: lvs_core::Ipvs>(ipvs: &I) -> Result<Table, I::Error> {
    let mut services = Vec::new();
    for entry in ipvs.services()? {
        let servers: Vec<lvs_core::RealServer> = ipvs
            .servers(&entry.service.key)?
            .into_iter()
            .map(|e| e.server)
            .collect();
        let service = Service::listed(entry.service).inner;
        services.push(lvs_core::VirtualService::new(service, servers));
    }
    Ok(Table::new(services).sorted())
}

/// The table with its timeouts and running sync daemons: what the lossless save writes.
fn read_config<I: lvs_core::Ipvs>(ipvs: &I) -> Result<Table, I::Error> {
    Ok(read_table(ipvs)?
        .with_timeouts(ipvs.timeouts()?)
        .with_daemons(ipvs.daemons()?))
}

/// Every service with its real servers and counters, as a listing shows them: the kernel's
/// read spreads the real servers over several sockets for a large table.
fn listed_table(
    backend: &Backend,
    format: ListFormat,
) -> Result<Vec<(CoreServiceEntry, Vec<CoreServerEntry>)>, Failure> {
    match backend {
        // The plain listing shows no counters: two reads instead of one per service.
        Backend::Kernel(i) if format == ListFormat::Default => {
            i.table_for_listing().map_err(Failure::from)
        }
        Backend::Kernel(i) => i.table_with_stats().map_err(Failure::from),
        Backend::Memory(i) => {
            let mut table = Vec::new();
            for entry in i.services()? {
                let servers = i.servers(&entry.service.key)?;
                table.push((entry, servers));
            }
            Ok(table)
        }
    }
}

/// The layouts of `list(format=...)`, by the name of the ipvsadm option that asks for each
/// (`"default"` for none).
const LIST_FORMATS: [(&str, ListFormat); 6] = [
    ("default", ListFormat::Default),
    ("stats", ListFormat::Stats),
    ("rate", ListFormat::Rate),
    ("thresholds", ListFormat::Thresholds),
    ("persistent-conn", ListFormat::PersistentConn),
    ("tun-info", ListFormat::TunInfo),
];

/// Reads `list`'s `format`: one of the names of [`LIST_FORMATS`] (a `lvs.ListFormat`
/// member is one).
fn list_format(py: Python<'_>, format: &Bound<'_, PyAny>) -> PyResult<ListFormat> {
    let name = string(format, "format")?;
    LIST_FORMATS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            let names: Vec<String> = LIST_FORMATS.iter().map(|(n, _)| format!("{n:?}")).collect();
            invalid_input(
                py,
                "format",
                &format!("{name:?} is not a listing format ({})", names.join(", ")),
            )
        })
}

/// The operations of an IPVS table, shared by `Ipvs` (the kernel) and `MemoryIpvs`.
///
/// Methods that need a service take a `ServiceKey` or a `Service`; errors are `lvs.LvsError`
/// subclasses. A handle is a context manager that closes on exit; after `close()` every call
/// raises `ValueError`. Handles may be shared between threads.
#[pyclass(module = "lvs", subclass, frozen)]
#[derive(Debug)]
pub struct IpvsHandle {
    backend: RwLock<Option<Arc<Backend>>>,
}

impl IpvsHandle {
    fn new(backend: Backend) -> IpvsHandle {
        IpvsHandle {
            backend: RwLock::new(Some(Arc::new(backend))),
        }
    }

    fn backend(&self) -> PyResult<Arc<Backend>> {
        self.backend
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| PyValueError::new_err("the IPVS handle is closed"))
    }

    /// Runs a backend call without the GIL and turns its failure into the Python exception.
    fn call<T, F>(&self, py: Python<'_>, f: F) -> PyResult<T>
    where
        T: Send,
        F: FnOnce(&Backend) -> Result<T, Failure> + Send,
    {
        let backend = self.backend()?;
        py.detach(move || f(&backend))
            .map_err(|failure| failure.into_pyerr(py))
    }
}

fn service_arg(value: &Bound<'_, PyAny>) -> PyResult<lvs_core::Service> {
    value
        .cast::<Service>()
        .map(|s| s.get().inner.clone())
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "service must be an lvs.Service, not {}",
                type_name(value)
            ))
        })
}

/// Reads the real server a connection listing is narrowed to: a `RealServer`, an
/// `(address, port)` tuple, or an address alone (any port, as port 0 also means).
fn connection_server_arg(value: &Bound<'_, PyAny>) -> PyResult<SocketAddr> {
    let is_address = value.is_instance_of::<PyString>()
        || ["IPv4Address", "IPv6Address"].contains(&type_name(value).as_str());
    if is_address {
        return Ok(SocketAddr::new(ip_addr(value, "server")?, 0));
    }
    if value.is_instance_of::<RealServer>() || value.is_instance_of::<PyTuple>() {
        return server_addr_of(value);
    }
    Err(PyTypeError::new_err(format!(
        "server must be an lvs.RealServer, an (address, port) tuple or an address, not {}",
        type_name(value)
    )))
}

/// The handle's timeout: a positive number of seconds. One too long for a `Duration`
/// (`1e19`, `math.inf`) saturates to the longest, which waits without a practical limit.
fn timeout_arg(py: Python<'_>, timeout: f64) -> PyResult<Duration> {
    if timeout.is_nan() || timeout <= 0.0 {
        return Err(invalid_input(
            py,
            "timeout",
            &format!("{timeout} is not a positive number of seconds"),
        ));
    }
    Ok(Duration::try_from_secs_f64(timeout).unwrap_or(Duration::MAX))
}

/// Reads `apply`'s argument: rule text, or an iterable of `Operation`.
pub(crate) fn operations_arg(
    py: Python<'_>,
    operations: &Bound<'_, PyAny>,
) -> PyResult<Vec<lvs_core::Operation>> {
    if let Ok(text) = operations.cast::<PyString>() {
        return operations_from_text(py, &text.to_cow()?);
    }
    // Bytes iterate as ints, which would only give a confusing error about the items.
    if operations.is_instance_of::<PyBytes>() || operations.is_instance_of::<PyByteArray>() {
        return Err(PyTypeError::new_err(format!(
            "operations must be rule text (str) or an iterable of lvs.Operation; {} is not \
             rule text: decode it first (e.g. data.decode())",
            type_name(operations)
        )));
    }
    let not_operations = || {
        PyTypeError::new_err(format!(
            "operations must be rule text (str) or an iterable of lvs.Operation, not {}",
            type_name(operations)
        ))
    };
    operations
        .try_iter()
        .map_err(|_| not_operations())?
        .map(|item| {
            let item = item?;
            item.cast::<Operation>()
                .map(|op| op.get().inner.clone())
                .map_err(|_| {
                    PyTypeError::new_err(format!(
                        "operations must be lvs.Operation items, not {}",
                        type_name(&item)
                    ))
                })
        })
        .collect()
}

#[pymethods]
impl IpvsHandle {
    /// The IPVS version and connection table size.
    fn info(&self, py: Python<'_>) -> PyResult<KernelInfo> {
        let inner = self.call(py, |b| on_backend!(b, Failure, i => i.info()))?;
        Ok(KernelInfo { inner })
    }

    /// Adds a service (`ipvsadm -A`).
    fn add_service(&self, py: Python<'_>, service: &Bound<'_, PyAny>) -> PyResult<()> {
        let s = service_arg(service)?;
        self.call(py, move |b| on_backend!(b, Failure, i => i.add_service(&s)))
    }

    /// Replaces a service's scheduler, persistence and flags (`ipvsadm -E`).
    fn edit_service(&self, py: Python<'_>, service: &Bound<'_, PyAny>) -> PyResult<()> {
        let s = service_arg(service)?;
        self.call(
            py,
            move |b| on_backend!(b, Failure, i => i.edit_service(&s)),
        )
    }

    /// Deletes a service with its real servers (`ipvsadm -D`).
    fn delete_service(&self, py: Python<'_>, service: &Bound<'_, PyAny>) -> PyResult<()> {
        let k = key_of(service)?;
        self.call(
            py,
            move |b| on_backend!(b, Failure, i => i.delete_service(&k)),
        )
    }

    /// One service with its counters; raises `ServiceNotFound` if it does not exist.
    fn service(&self, py: Python<'_>, service: &Bound<'_, PyAny>) -> PyResult<ServiceEntry> {
        let k = key_of(service)?;
        let entry = self.call(py, move |b| on_backend!(b, Failure, i => i.service(&k)))?;
        Ok(ServiceEntry::listed(entry))
    }

    /// Every service with its counters, a list of `ServiceEntry`.
    fn services(&self, py: Python<'_>) -> PyResult<Vec<ServiceEntry>> {
        let entries = self.call(py, |b| on_backend!(b, Failure, i => i.services()))?;
        Ok(entries.into_iter().map(ServiceEntry::listed).collect())
    }

    /// The real servers of a service with their counters, a list of `RealServerEntry`
    /// (empty if the service does not exist, as the kernel answers).
    fn servers(
        &self,
        py: Python<'_>,
        service: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<RealServerEntry>> {
        let k = key_of(service)?;
        let entries = self.call(py, move |b| on_backend!(b, Failure, i => i.servers(&k)))?;
        Ok(entries
            .into_iter()
            .map(|inner| RealServerEntry { inner })
            .collect())
    }

    /// Adds a real server to a service (`ipvsadm -a`).
    fn add_server(
        &self,
        py: Python<'_>,
        service: &Bound<'_, PyAny>,
        server: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (k, s) = (key_of(service)?, server_of(server)?);
        self.call(
            py,
            move |b| on_backend!(b, Failure, i => i.add_server(&k, &s)),
        )
    }

    /// Replaces a real server's forwarding, weight and thresholds (`ipvsadm -e`).
    fn edit_server(
        &self,
        py: Python<'_>,
        service: &Bound<'_, PyAny>,
        server: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (k, s) = (key_of(service)?, server_of(server)?);
        self.call(
            py,
            move |b| on_backend!(b, Failure, i => i.edit_server(&k, &s)),
        )
    }

    /// Removes a real server (a `RealServer` or an `(address, port)` tuple) from a service
    /// (`ipvsadm -d`).
    fn delete_server(
        &self,
        py: Python<'_>,
        service: &Bound<'_, PyAny>,
        server: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (k, a) = (key_of(service)?, server_addr_of(server)?);
        self.call(
            py,
            move |b| on_backend!(b, Failure, i => i.delete_server(&k, &a)),
        )
    }

    /// Deletes every service (`ipvsadm -C`).
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        self.call(py, |b| on_backend!(b, Failure, i => i.flush()))
    }

    /// Zeroes the counters of one service, or of everything when `service` is `None`
    /// (`ipvsadm -Z`).
    #[pyo3(signature = (service = None))]
    fn zero(&self, py: Python<'_>, service: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let k = service.map(key_of).transpose()?;
        self.call(
            py,
            move |b| on_backend!(b, Failure, i => i.zero(k.as_ref())),
        )
    }

    /// The connection timeouts.
    fn timeouts(&self, py: Python<'_>) -> PyResult<Timeouts> {
        let inner = self.call(py, |b| on_backend!(b, Failure, i => i.timeouts()))?;
        Ok(Timeouts { inner })
    }

    /// Sets the connection timeouts; zeros leave a value as it is (`ipvsadm --set`).
    fn set_timeouts(&self, py: Python<'_>, timeouts: &Bound<'_, PyAny>) -> PyResult<()> {
        let t = timeouts_of(timeouts)?;
        self.call(
            py,
            move |b| on_backend!(b, Failure, i => i.set_timeouts(&t)),
        )
    }

    /// Starts a connection-sync daemon (`ipvsadm --start-daemon`).
    fn start_daemon(&self, py: Python<'_>, daemon: &Bound<'_, PyAny>) -> PyResult<()> {
        let d = daemon_of(daemon)?;
        self.call(
            py,
            move |b| on_backend!(b, Failure, i => i.start_daemon(&d)),
        )
    }

    /// Stops the sync daemon of a role (`ipvsadm --stop-daemon`).
    fn stop_daemon(&self, py: Python<'_>, role: &Bound<'_, PyAny>) -> PyResult<()> {
        let r = self::role(role)?;
        self.call(py, move |b| on_backend!(b, Failure, i => i.stop_daemon(r)))
    }

    /// The running sync daemons, master first, a list of `SyncDaemon`.
    fn daemons(&self, py: Python<'_>) -> PyResult<Vec<SyncDaemon>> {
        let daemons = self.call(py, |b| on_backend!(b, Failure, i => i.daemons()))?;
        Ok(daemons
            .into_iter()
            .map(|inner| SyncDaemon { inner })
            .collect())
    }

    /// The value of the sysctl `net.ipv4.vs.NAME` of the handle's network namespace
    /// (`name` with or without the prefix): an int, a `(threshold, period)` tuple for
    /// `sync_threshold`, or a str (a CPU list, or a knob lvs does not know, as the kernel
    /// prints it). Raises `SysctlUnavailable` when the namespace has no such knob.
    fn sysctl<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let name = name.to_owned();
        let value = self.call(py, move |b| on_backend!(b, Failure, i => i.sysctl(&name)))?;
        py_value(py, &value)
    }

    /// Sets the sysctl `net.ipv4.vs.NAME` of the handle's network namespace: an int (or
    /// bool), a `(threshold, period)` tuple, or a str read as the knob's kind. A knob lvs
    /// knows is checked against what the kernel takes first (`OutOfRange` or
    /// `InvalidInput`, whose `field` is the knob); then `SysctlUnavailable` when the
    /// namespace lacks it, `SysctlRefused` when the kernel refuses the value.
    fn set_sysctl(&self, py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let (name, value) = (name.to_owned(), value_of(value)?);
        self.call(
            py,
            move |b| on_backend!(b, Failure, i => i.set_sysctl(&name, &value)),
        )
    }

    /// Every `net.ipv4.vs` sysctl of the handle's network namespace, as a dict from name
    /// (without the prefix) to value, in name order.
    fn sysctls<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let all = self.call(py, |b| on_backend!(b, Failure, i => i.sysctls()))?;
        let dict = PyDict::new(py);
        for setting in all {
            dict.set_item(setting.name, py_value(py, &setting.value)?)?;
        }
        Ok(dict)
    }

    /// Applies operations in order: an iterable of `Operation`, or a block of ipvsadm rule
    /// text (`ipvsadm -R` input).
    ///
    /// They go in groups of 64 (the kernel handle sends a group per system call). As the
    /// kernel does with one system call, every operation of the group in which one fails is
    /// still attempted, and no later group is sent; `MemoryIpvs` follows the same rule, so
    /// both leave the same table. On failure it raises
    /// the failed operation's exception with `index` (its position) and `outcomes` (an
    /// `Outcome` per operation: applied, failed, not sent, or unknown).
    fn apply(&self, py: Python<'_>, operations: &Bound<'_, PyAny>) -> PyResult<()> {
        let ops = operations_arg(py, operations)?;
        let backend = self.backend()?;
        py.detach(move || on_backend!(&*backend, BatchFailure, i => i.apply(&ops)))
            .map_err(|failure| failure.into_pyerr(py))
    }

    /// The table's configuration (services with their real servers, no counters) as a list
    /// of `VirtualService`, in ipvsadm's order.
    fn table(&self, py: Python<'_>) -> PyResult<Vec<VirtualService>> {
        let table = self.call(py, |b| on_backend!(b, Failure, i => read_table(i)))?;
        Ok(table
            .services
            .into_iter()
            .map(|inner| VirtualService { inner })
            .collect())
    }

    /// The table as rule text. By default lossless, with the timeouts and sync daemons:
    /// applying the text to this table changes nothing (see `lvs.rules.save`). With
    /// `sysctls=True`, every `net.ipv4.vs` sysctl too, as `--lvs-sysctl` lines (without it
    /// none: a rule file states the knobs it means to set). With `ipvsadm=True`, only the
    /// services, exactly as `ipvsadm -S -n` prints them.
    #[pyo3(signature = (*, ipvsadm = false, sysctls = false))]
    fn save(&self, py: Python<'_>, ipvsadm: bool, sysctls: bool) -> PyResult<String> {
        if ipvsadm {
            if sysctls {
                return Err(PyValueError::new_err(
                    "the ipvsadm form saves only services: leave out sysctls",
                ));
            }
            let table = self.call(py, |b| on_backend!(b, Failure, i => read_table(i)))?;
            return Ok(lvs_core::rules::save_ipvsadm(&table));
        }
        let table = self.call(py, move |b| {
            on_backend!(b, Failure, i => read_config(i).and_then(|mut t| {
                if sysctls {
                    t.sysctls = i.sysctls()?;
                }
                Ok(t)
            }))
        })?;
        lvs_core::rules::save(&table).map_err(|e| crate::errors::rule_error(py, &e))
    }

    /// The entries of the connection table (`ipvsadm -L -n -c`) of the handle's network
    /// namespace, as an iterator of `Connection` that reads the kernel's table as it goes
    /// (a chunk at a time, without the GIL), so the table is never held whole.
    ///
    /// `service` (a `ServiceKey` or `Service`) keeps its entries: its protocol, virtual
    /// address and port (any port for a port-0 service); for a firewall-mark service, its
    /// persistence templates only, the kernel's table not telling marks of connections.
    /// `server` (a `RealServer`, an `(address, port)` tuple, or an address for any port)
    /// keeps the entries to that real server. `templates=True` keeps persistence templates
    /// only, `False` client connections only. `origin=True` reads the kernel's
    /// `ip_vs_conn_sync` instead, which tells each entry's `origin` but has no persistence
    /// engine columns. `MemoryIpvs` has no traffic, so its table is always empty.
    #[pyo3(signature = (service = None, server = None, *, templates = None, origin = false))]
    fn connections(
        &self,
        py: Python<'_>,
        service: Option<&Bound<'_, PyAny>>,
        server: Option<&Bound<'_, PyAny>>,
        templates: Option<bool>,
        origin: bool,
    ) -> PyResult<Connections> {
        let mut filter = match service {
            Some(service) => ConnectionFilter::service(&key_of(service)?),
            None => ConnectionFilter::all(),
        };
        if let Some(server) = server {
            filter = filter.to_server(connection_server_arg(server)?);
        }
        if let Some(templates) = templates {
            filter = filter.templates(templates);
        }
        if origin {
            filter = filter.with_origin();
        }
        self.call(py, move |b| match b {
            Backend::Kernel(i) => i
                .connections_iter(&filter)
                .map(Connections::streaming)
                .map_err(Failure::from),
            Backend::Memory(i) => i
                .connections(&filter)
                .map(Connections::of)
                .map_err(Failure::from),
        })
    }

    /// Plans the fewest operations that make this table `desired` (rule text, as `save`
    /// writes it, or an iterable of `VirtualService`) within `scope` (a `Scope`; `None`: the
    /// whole table), and returns them as a `LivePlan`, changing nothing. It is lvs's one
    /// planner against a live table, the one `lvsctl diff` and C's `lvs_plan_rules` use:
    /// the table is read with its timeouts, sync daemons and the sysctls `desired` states.
    ///
    /// `drain=True` sets real servers to remove to weight 0 instead of deleting them, and
    /// follows every one already draining: its service is listed again and the connection
    /// table read, and the delete of each idle one (weight 0, no connections) joins the
    /// plan, so a drain ends on the run after its servers went quiet.
    /// `expire_connections=True` deletes real servers to remove now (draining ones too) and
    /// is refused with `InvalidInput` unless `desired` states `--lvs-sysctl
    /// expire_nodest_conn=1` or the namespace has it at 1. A desired service outside the
    /// scope raises `InvalidInput`; bad rule text `RuleSyntaxError`.
    #[pyo3(signature = (desired, *, scope = None, drain = false, expire_connections = false))]
    fn plan(
        &self,
        py: Python<'_>,
        desired: &Bound<'_, PyAny>,
        scope: Option<&Bound<'_, PyAny>>,
        drain: bool,
        expire_connections: bool,
    ) -> PyResult<LivePlan> {
        let desired = table_arg(py, desired, "desired")?;
        let scope = scope_arg(scope)?;
        let options = options_of(drain, expire_connections);
        let inner = self.call(
            py,
            move |b| on_backend!(b, Failure, i => plan_live(i, &desired, &scope, &options)),
        )?;
        Ok(LivePlan { inner })
    }

    /// The rule text of `plan(desired, ...)`'s operations, one line each (empty when the
    /// table is as desired): byte for byte what `lvsctl diff FILE` prints with the same
    /// scope and options.
    #[pyo3(signature = (desired, *, scope = None, drain = false, expire_connections = false))]
    fn diff(
        &self,
        py: Python<'_>,
        desired: &Bound<'_, PyAny>,
        scope: Option<&Bound<'_, PyAny>>,
        drain: bool,
        expire_connections: bool,
    ) -> PyResult<String> {
        let live = self.plan(py, desired, scope, drain, expire_connections)?;
        live.inner
            .plan
            .to_rules()
            .map_err(|e| crate::errors::rule_error(py, &e))
    }

    /// Applies a `LivePlan` (from `plan()` on this handle) all or nothing: when an
    /// operation fails, what the plan already changed is undone from the table it was made
    /// against, and the failed operation's exception is raised with `index`, `outcomes` and
    /// `rolled_back` (whether the table is back as it was; the message says what is left
    /// if not). Changes other programs made since the plan are not undone.
    fn apply_plan(&self, py: Python<'_>, plan: &Bound<'_, PyAny>) -> PyResult<()> {
        let live = plan
            .cast::<LivePlan>()
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "plan must be an lvs.LivePlan (from IpvsHandle.plan), not {}",
                    type_name(plan)
                ))
            })?
            .get()
            .inner
            .clone();
        let backend = self.backend()?;
        py.detach(move || match &*backend {
            Backend::Kernel(i) => apply_plan(i, &live.current, &live.plan)
                .map_err(|e| PlanFailure::new(e, &live.plan)),
            Backend::Memory(i) => apply_plan(i, &live.current, &live.plan)
                .map_err(|e| PlanFailure::new(e, &live.plan)),
        })
        .map_err(|failure| failure.into_pyerr(py))
    }

    /// `plan(desired, ...)` and `apply_plan` of it in one call, without the GIL for both;
    /// returns the `LivePlan` applied (its `draining` tells how far drains are).
    #[pyo3(signature = (desired, *, scope = None, drain = false, expire_connections = false))]
    fn apply_desired(
        &self,
        py: Python<'_>,
        desired: &Bound<'_, PyAny>,
        scope: Option<&Bound<'_, PyAny>>,
        drain: bool,
        expire_connections: bool,
    ) -> PyResult<LivePlan> {
        let desired = table_arg(py, desired, "desired")?;
        let scope = scope_arg(scope)?;
        let options = options_of(drain, expire_connections);
        let backend = self.backend()?;
        // A planning failure is raised like `plan`'s, an apply failure like `apply_plan`'s.
        let applied = py.detach(move || {
            fn run<I: lvs_core::Ipvs>(
                i: &I,
                desired: &Table,
                scope: &lvs_core::plan::Scope,
                options: &lvs_core::plan::PlanOptions,
            ) -> Result<lvs_core::plan::LivePlan, Result<Failure, PlanFailure>>
            where
                I::Error: Into<Failure> + std::fmt::Display,
            {
                let live = plan_live(i, desired, scope, options).map_err(|e| Ok(e.into()))?;
                apply_plan(i, &live.current, &live.plan)
                    .map_err(|e| Err(PlanFailure::new(e, &live.plan)))?;
                Ok(live)
            }
            match &*backend {
                Backend::Kernel(i) => run(i, &desired, &scope, &options),
                Backend::Memory(i) => run(i, &desired, &scope, &options),
            }
        });
        match applied {
            Ok(inner) => Ok(LivePlan { inner }),
            Err(Ok(failure)) => Err(failure.into_pyerr(py)),
            Err(Err(failure)) => Err(failure.into_pyerr(py)),
        }
    }

    /// The table as `ipvsadm -L -n` lists it, byte for byte: with `service` (a
    /// `ServiceKey` or `Service`) that one service as `ipvsadm -L -n -t|-u|-f SERVICE`
    /// does (raising `ServiceNotFound` if it does not exist). `format` is the layout, by
    /// the ipvsadm option's name: `"default"`, `"stats"`, `"rate"`, `"thresholds"`,
    /// `"persistent-conn"` or `"tun-info"` (or a `ListFormat`); `exact=True` writes
    /// counters in full (`--exact`) instead of with K/M/G suffixes.
    #[pyo3(signature = (service = None, *, format = None, exact = false))]
    fn list(
        &self,
        py: Python<'_>,
        service: Option<&Bound<'_, PyAny>>,
        format: Option<&Bound<'_, PyAny>>,
        exact: bool,
    ) -> PyResult<String> {
        let key = service.map(key_of).transpose()?;
        let format = format.map(|f| list_format(py, f)).transpose()?;
        let format = format.unwrap_or_default();
        let mut options = ListOptions::new().with_format(format);
        if exact {
            options = options.exact();
        }
        self.call(py, move |b| match key {
            Some(key) => {
                let (entry, servers) = on_backend!(b, Failure, i => i.service(&key)
                    .and_then(|entry| Ok((entry, i.servers(&key)?))))?;
                Ok(format_service(&entry, &servers, &options))
            }
            None => {
                let info = on_backend!(b, Failure, i => i.info())?;
                Ok(format_table(&info, &listed_table(b, format)?, &options))
            }
        })
    }

    /// The connection timeouts as `ipvsadm -L --timeout` lists them
    /// (`Timeout (tcp tcpfin udp): 900 120 300`).
    fn list_timeouts(&self, py: Python<'_>) -> PyResult<String> {
        let timeouts = self.call(py, |b| on_backend!(b, Failure, i => i.timeouts()))?;
        Ok(format_timeouts(&timeouts))
    }

    /// The running sync daemons as `ipvsadm -L --daemon` lists them, one line each.
    fn list_daemons(&self, py: Python<'_>) -> PyResult<String> {
        let daemons = self.call(py, |b| on_backend!(b, Failure, i => i.daemons()))?;
        Ok(format_daemons(&daemons))
    }

    /// Releases the handle (the kernel handle's netlink socket). Closing twice is allowed.
    fn close(&self) {
        self.backend
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.backend
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (exc_type, exc_value, traceback))]
    fn __exit__(
        &self,
        exc_type: Option<&Bound<'_, PyType>>,
        exc_value: Option<&Bound<'_, PyAny>>,
        traceback: Option<&Bound<'_, PyAny>>,
    ) -> bool {
        let _ = (exc_type, exc_value, traceback);
        self.close();
        false
    }
}

/// A handle on the kernel's IPVS table, over generic netlink.
///
/// `Ipvs(netns=None, *, timeout=10.0)`: `netns` is the path of a network namespace (e.g.
/// `"/run/netns/lb"`) to work in without moving the calling thread; `timeout` is the longest
/// wait for any one answer, in seconds. Needs CAP_NET_ADMIN; raises `IpvsUnavailable` when
/// the kernel has no IPVS.
///
/// After `os.fork()` the child's copy of a handle opens sockets of its own on its first call,
/// in the namespace the handle was opened in, so parent and child can both use it at once
/// without taking each other's answers. If another thread was inside a call on the handle at
/// the moment of the fork, the child's calls on it fail at once (errno `EDEADLK`) instead of
/// waiting: open a new handle in the child.
#[pyclass(module = "lvs", extends = IpvsHandle, frozen)]
#[derive(Debug)]
pub struct Ipvs {
    netns: Option<PathBuf>,
}

#[pymethods]
impl Ipvs {
    #[new]
    #[pyo3(signature = (netns = None, *, timeout = 10.0))]
    fn new(
        py: Python<'_>,
        netns: Option<PathBuf>,
        timeout: f64,
    ) -> PyResult<PyClassInitializer<Ipvs>> {
        let timeout = timeout_arg(py, timeout)?;
        let mut options = Options::default().timeout(timeout);
        if let Some(path) = &netns {
            options = options.netns(path);
        }
        let opened = py.detach(move || NetlinkIpvs::open_with(&options));
        let ipvs = opened.map_err(|e| Failure::from(e).into_pyerr(py))?;
        Ok(
            PyClassInitializer::from(IpvsHandle::new(Backend::Kernel(ipvs)))
                .add_subclass(Ipvs { netns }),
        )
    }

    /// The network namespace path given when opening, or `None`.
    #[getter]
    fn netns(&self) -> Option<String> {
        self.netns.as_ref().map(|p| p.display().to_string())
    }

    pub(crate) fn __repr__(&self) -> String {
        match &self.netns {
            Some(path) => format!("Ipvs(netns='{}')", path.display()),
            None => "Ipvs()".to_owned(),
        }
    }
}

/// An in-memory IPVS table that answers like the kernel's (same defaults, same errors, same
/// errnos), for dry runs and tests without root.
///
/// `MemoryIpvs(*, interfaces=(), kernel=None, cpus=1, sysctls=None)`: a fresh namespace with
/// the interface `lo`, plus the named interfaces (MTU 1500) for sync daemons. Counters are
/// always zero. Its `net.ipv4.vs` sysctls are Linux 6.12's with their defaults, or those of
/// `kernel` (a `(major, minor)` tuple: knobs that came later are missing), on a machine of
/// `cpus` CPUs; `sysctls` (a mapping from name to value) declares values as the kernel
/// has them, unchecked: a default the kernel computes from the machine, or a knob lvs does
/// not know.
#[pyclass(module = "lvs", extends = IpvsHandle, frozen)]
#[derive(Debug)]
pub struct MemoryIpvs;

#[pymethods]
impl MemoryIpvs {
    #[new]
    #[pyo3(signature = (*, interfaces = None, kernel = None, cpus = 1, sysctls = None))]
    fn new(
        interfaces: Option<&Bound<'_, PyAny>>,
        kernel: Option<(u32, u32)>,
        cpus: u32,
        sysctls: Option<&Bound<'_, PyMapping>>,
    ) -> PyResult<PyClassInitializer<MemoryIpvs>> {
        let mut names = Vec::new();
        if let Some(items) = interfaces {
            if items.is_instance_of::<PyString>() {
                return Err(PyTypeError::new_err(
                    "interfaces must be an iterable of names, not a single str",
                ));
            }
            for item in items.try_iter()? {
                names.push(string(&item?, "interface")?);
            }
        }
        let mut memory = CoreMemory::new().with_interfaces(names).with_cpus(cpus);
        if let Some((major, minor)) = kernel {
            memory = memory.for_kernel(major, minor);
        }
        if let Some(declared) = sysctls {
            for item in declared.items()?.iter() {
                let (name, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
                memory = memory.with_sysctl(&string(&name, "sysctl name")?, value_of(&value)?);
            }
        }
        Ok(
            PyClassInitializer::from(IpvsHandle::new(Backend::Memory(memory)))
                .add_subclass(MemoryIpvs),
        )
    }

    pub(crate) fn __repr__(&self) -> String {
        "MemoryIpvs()".to_owned()
    }
}
