//! Desired state for Python: `Scope`, `Plan`, `LivePlan`, `DrainingServer` and the pure
//! `lvs.plan`. Every plan is lvs-core's ([`lvs_core::plan::plan`], and against a handle
//! [`lvs_core::plan::plan_live`], the planner lvsctl and C use), so every face plans alike;
//! this module only converts arguments and answers.

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, SocketAddr};

use lvs_core::plan::{self as core_plan, PlanOptions};
use lvs_core::rules::table_from_rules;
use lvs_core::Table;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString, PyTuple};

use crate::convert::{ip_addr, number, py_ip, type_name};
use crate::errors::{model_error, rule_error};
use crate::values::pickle;
use crate::values::{
    key_of, key_repr, server_addr_of, Operation, RealServerEntry, ServiceKey, VirtualService,
};

/// Which services a plan may read and change; the rest of the table belongs to someone
/// else (another controller, keepalived, kube-proxy), and a plan never touches it.
///
/// Built with `Scope.all()`, `Scope.addresses(addresses)` (the services on these virtual
/// addresses, any protocol and port; `str` or `ipaddress` values), `Scope.fwmarks(marks)`
/// (the firewall-mark services with these marks, either family) and
/// `Scope.services(keys)` (exactly these services), combined with `|` (a service in
/// either), or all at once with the keyword constructor `Scope(addresses=(), fwmarks=(),
/// services=(), all=False)`. Where a method takes `scope=None`, that is the whole table,
/// `Scope.all()`. `key in scope` tells whether a plan in the scope may touch a service.
#[pyclass(module = "lvs", frozen, eq, hash)]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Scope {
    all: bool,
    addresses: BTreeSet<IpAddr>,
    marks: BTreeSet<u32>,
    // Python's keys, which order as ipvsadm lists services.
    services: BTreeSet<ServiceKey>,
}

impl Scope {
    /// The core scope this one describes: a service is in it when any part says so.
    pub(crate) fn to_core(&self) -> core_plan::Scope {
        if self.all {
            return core_plan::Scope::all();
        }
        core_plan::Scope::addresses(self.addresses.iter().copied())
            .or(core_plan::Scope::fwmarks(self.marks.iter().copied()))
            .or(core_plan::Scope::services(
                self.services.iter().map(|k| k.inner),
            ))
    }

    /// The services in either; a scope of every service is `Scope.all()` alone, so that
    /// it equals every other way of saying it.
    fn union(&self, other: &Scope) -> Scope {
        if self.all || other.all {
            return Scope::all();
        }
        let mut out = self.clone();
        out.addresses.extend(other.addresses.iter().copied());
        out.marks.extend(other.marks.iter().copied());
        out.services.extend(other.services.iter().cloned());
        out
    }
}

/// Refuses a str (or bytes) where an iterable of several values is meant: iterating it
/// would read its characters as values.
fn iterable_arg<'py>(value: &Bound<'py, PyAny>, what: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if value.is_instance_of::<PyString>()
        || value.is_instance_of::<PyBytes>()
        || value.is_instance_of::<PyByteArray>()
    {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an iterable of values, not a single {}: wrap it in a list",
            type_name(value)
        )));
    }
    value
        .try_iter()
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "{what} must be an iterable, not {}",
                type_name(value)
            ))
        })?
        .collect()
}

#[pymethods]
impl Scope {
    #[new]
    #[pyo3(signature = (*, addresses = None, fwmarks = None, services = None, all = false))]
    fn new(
        addresses: Option<&Bound<'_, PyAny>>,
        fwmarks: Option<&Bound<'_, PyAny>>,
        services: Option<&Bound<'_, PyAny>>,
        all: bool,
    ) -> PyResult<Scope> {
        let mut scope = Scope {
            all,
            ..Scope::default()
        };
        if let Some(addresses) = addresses {
            scope = scope.union(&Scope::addresses(addresses)?);
        }
        if let Some(marks) = fwmarks {
            scope = scope.union(&Scope::fwmarks(marks)?);
        }
        if let Some(keys) = services {
            scope = scope.union(&Scope::services(keys)?);
        }
        Ok(scope)
    }

    /// Every service of the table: the plan makes the whole table the desired one.
    #[staticmethod]
    fn all() -> Scope {
        Scope {
            all: true,
            ..Scope::default()
        }
    }

    /// The services on these virtual addresses (an iterable of `str` or
    /// `ipaddress.IPv4Address`/`IPv6Address`), whatever their protocol and port.
    #[staticmethod]
    fn addresses(addresses: &Bound<'_, PyAny>) -> PyResult<Scope> {
        let mut scope = Scope::default();
        for item in iterable_arg(addresses, "addresses")? {
            scope.addresses.insert(ip_addr(&item, "scope address")?);
        }
        Ok(scope)
    }

    /// The firewall-mark services with these marks (an iterable of int, 0 to 4294967295),
    /// of either family.
    #[staticmethod]
    fn fwmarks(marks: &Bound<'_, PyAny>) -> PyResult<Scope> {
        let mut scope = Scope::default();
        for item in iterable_arg(marks, "marks")? {
            scope.marks.insert(number::<u32>(&item, "mark")?);
        }
        Ok(scope)
    }

    /// Exactly these services (an iterable of `ServiceKey` or `Service`).
    #[staticmethod]
    fn services(services: &Bound<'_, PyAny>) -> PyResult<Scope> {
        let mut scope = Scope::default();
        for item in iterable_arg(services, "services")? {
            scope.services.insert(ServiceKey::from(key_of(&item)?));
        }
        Ok(scope)
    }

    /// Whether a plan in this scope may touch the service (a `ServiceKey` or `Service`).
    fn __contains__(&self, service: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.to_core().contains(&key_of(service)?))
    }

    /// The services in this scope or in `other`.
    fn __or__(&self, other: &Bound<'_, PyAny>) -> PyResult<Scope> {
        let other = other.cast::<Scope>().map_err(|_| {
            PyTypeError::new_err(format!(
                "a Scope combines with another lvs.Scope, not {}",
                type_name(other)
            ))
        })?;
        Ok(self.union(other.get()))
    }

    /// The constructor's arguments: `all`, and the `addresses` (as `ipaddress` objects),
    /// `fwmarks` and `services` (keys) of the scope.
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let addresses = self
            .addresses
            .iter()
            .map(|a| py_ip(py, *a))
            .collect::<PyResult<Vec<_>>>()?;
        let services: Vec<ServiceKey> = self.services.iter().cloned().collect();
        pickle::dict(
            py,
            vec![
                ("addresses", addresses.into_pyobject(py)?.into_any()),
                (
                    "fwmarks",
                    self.marks
                        .iter()
                        .copied()
                        .collect::<Vec<u32>>()
                        .into_pyobject(py)?
                        .into_any(),
                ),
                ("services", services.into_pyobject(py)?.into_any()),
                ("all", self.all.into_pyobject(py)?.to_owned().into_any()),
            ],
        )
    }

    /// Pickles through the constructor, with the arguments of `_asdict()`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        pickle::by_constructor(slf.as_any(), slf.get()._asdict(slf.py())?)
    }

    /// The value itself: it is immutable.
    fn __copy__<'py>(slf: &Bound<'py, Self>) -> Bound<'py, Self> {
        slf.clone()
    }

    /// The value itself: it is immutable and holds no mutable Python object.
    fn __deepcopy__<'py>(slf: &Bound<'py, Self>, _memo: &Bound<'py, PyAny>) -> Bound<'py, Self> {
        slf.clone()
    }

    pub(crate) fn __repr__(&self) -> String {
        if self.all {
            return "Scope.all()".to_owned();
        }
        let mut parts = Vec::new();
        if !self.addresses.is_empty() {
            let list: Vec<String> = self.addresses.iter().map(|a| format!("'{a}'")).collect();
            parts.push(format!("Scope.addresses([{}])", list.join(", ")));
        }
        if !self.marks.is_empty() {
            let list: Vec<String> = self.marks.iter().map(u32::to_string).collect();
            parts.push(format!("Scope.fwmarks([{}])", list.join(", ")));
        }
        if !self.services.is_empty() {
            let list: Vec<String> = self.services.iter().map(|k| key_repr(&k.inner)).collect();
            parts.push(format!("Scope.services([{}])", list.join(", ")));
        }
        if parts.is_empty() {
            // A scope of nothing: a plan in it touches no service.
            return "Scope.addresses([])".to_owned();
        }
        parts.join(" | ")
    }
}

/// Reads a `scope` argument: a `Scope`, or `None` for the whole table.
pub(crate) fn scope_arg(scope: Option<&Bound<'_, PyAny>>) -> PyResult<core_plan::Scope> {
    match scope.filter(|s| !s.is_none()) {
        None => Ok(core_plan::Scope::all()),
        Some(s) => s.cast::<Scope>().map(|s| s.get().to_core()).map_err(|_| {
            PyTypeError::new_err(format!(
                "scope must be an lvs.Scope or None, not {}",
                type_name(s)
            ))
        }),
    }
}

/// The options of the `drain` and `expire_connections` keywords.
pub(crate) fn options_of(drain: bool, expire_connections: bool) -> PlanOptions {
    let options = if drain {
        PlanOptions::draining()
    } else {
        PlanOptions::default()
    };
    if expire_connections {
        options.expiring_connections()
    } else {
        options
    }
}

/// Reads a table argument: rule text (as `save` and `ipvsadm -S -n` write it, with its
/// `--set`, `--start-daemon` and `--lvs-sysctl` lines), or an iterable of `VirtualService`.
pub(crate) fn table_arg(py: Python<'_>, value: &Bound<'_, PyAny>, what: &str) -> PyResult<Table> {
    if let Ok(text) = value.cast::<PyString>() {
        return table_from_rules(&text.to_cow()?).map_err(|e| rule_error(py, &e));
    }
    if value.is_instance_of::<PyBytes>() || value.is_instance_of::<PyByteArray>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be rule text (str) or an iterable of lvs.VirtualService; {} is not \
             rule text: decode it first (e.g. data.decode())",
            type_name(value)
        )));
    }
    crate::values::table_of(value).map_err(|e| {
        if e.is_instance_of::<PyTypeError>(py) {
            PyTypeError::new_err(format!(
                "{what} must be rule text (str) or an iterable of lvs.VirtualService, not {}",
                type_name(value)
            ))
        } else {
            e
        }
    })
}

fn server_tuple(py: Python<'_>, server: SocketAddr) -> PyResult<Bound<'_, PyTuple>> {
    PyTuple::new(
        py,
        [
            py_ip(py, server.ip())?,
            server.port().into_pyobject(py)?.into_any(),
        ],
    )
}

fn hash_of(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The operations that take a table to a desired one, in the order to apply them:
/// `lvs.plan(...)` over two tables, or the `plan` of `IpvsHandle.plan(...)`.
///
/// `operations` is a list of `Operation`; `draining` lists, with `drain=True`, the real
/// servers being drained (weight 0 now, deleted by a later plan once idle) as
/// `(ServiceKey, (address, port))` tuples. `to_rules()` (and `str()`) is the plan as
/// ipvsadm rule lines, what `lvsctl diff` prints. A plan is true when it changes
/// something; `len()` is its number of operations, and iterating it gives them.
/// `Plan(operations=(), draining=())` builds one by hand: `operations` as `apply` takes
/// them (an iterable of `Operation`, or rule text), `draining` as `(service, server)` pairs
/// (a `ServiceKey` or `Service`, and an `(address, port)` tuple or `RealServer`).
#[pyclass(module = "lvs", frozen, eq)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub(crate) inner: core_plan::Plan,
}

#[pymethods]
impl Plan {
    #[new]
    #[pyo3(signature = (operations = None, draining = None))]
    fn new(
        py: Python<'_>,
        operations: Option<&Bound<'_, PyAny>>,
        draining: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Plan> {
        let mut inner = core_plan::Plan::default();
        if let Some(ops) = operations {
            inner.operations = crate::handle::operations_arg(py, ops)?;
        }
        if let Some(items) = draining {
            for item in iterable_arg(items, "draining")? {
                let (service, server): (Bound<'_, PyAny>, Bound<'_, PyAny>) =
                    item.extract().map_err(|_| {
                        PyTypeError::new_err(format!(
                            "draining items must be (service, server) pairs, not {}",
                            type_name(&item)
                        ))
                    })?;
                inner
                    .draining
                    .push((key_of(&service)?, server_addr_of(&server)?));
            }
        }
        Ok(Plan { inner })
    }

    /// The operations, in the order to apply them.
    #[getter]
    fn operations(&self) -> Vec<Operation> {
        self.inner
            .operations
            .iter()
            .cloned()
            .map(Operation::from)
            .collect()
    }

    /// With `drain=True`, the real servers being drained, as `(ServiceKey, (address,
    /// port))` tuples; empty otherwise.
    #[getter]
    fn draining<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyTuple>>> {
        self.inner
            .draining
            .iter()
            .map(|(key, server)| {
                let key = Bound::new(py, ServiceKey::from(*key))?.into_any();
                PyTuple::new(py, [key, server_tuple(py, *server)?.into_any()])
            })
            .collect()
    }

    /// The plan as ipvsadm rule lines (`-A`, `-E`, `-a`, `-e`, `-d`, `-D`, `--set`,
    /// `--start-daemon`, `--stop-daemon`, `--lvs-sysctl`), one per operation, each ending
    /// with a newline: what `lvsctl diff` prints, and what `IpvsHandle.apply` reads back as
    /// exactly these operations. Raises `RuleSyntaxError` for an operation no line can say
    /// (such as a name with a blank).
    fn to_rules(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.to_rules().map_err(|e| rule_error(py, &e))
    }

    fn __len__(&self) -> usize {
        self.inner.operations.len()
    }

    fn __bool__(&self) -> bool {
        !self.inner.is_empty()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.operations()
            .into_pyobject(py)?
            .try_iter()
            .map(Bound::into_any)
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(&self.inner.operations, &self.inner.draining))
    }

    /// The constructor's arguments: `operations` and `draining`.
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        pickle::dict(
            py,
            vec![
                (
                    "operations",
                    self.operations().into_pyobject(py)?.into_any(),
                ),
                ("draining", self.draining(py)?.into_pyobject(py)?.into_any()),
            ],
        )
    }

    /// Pickles through the constructor, with the arguments of `_asdict()`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        pickle::by_constructor(slf.as_any(), slf.get()._asdict(slf.py())?)
    }

    /// The rule lines of `to_rules()`; an operation no line can say shows as a `#` comment
    /// telling why.
    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    /// The value itself: it is immutable.
    fn __copy__<'py>(slf: &Bound<'py, Self>) -> Bound<'py, Self> {
        slf.clone()
    }

    /// The value itself: it is immutable and holds no mutable Python object.
    fn __deepcopy__<'py>(slf: &Bound<'py, Self>, _memo: &Bound<'py, PyAny>) -> Bound<'py, Self> {
        slf.clone()
    }

    fn __repr__(&self) -> String {
        let ops: Vec<String> = self
            .inner
            .operations
            .iter()
            .map(|op| Operation::from(op.clone()).__repr__())
            .collect();
        format!(
            "<Plan of {} operations: [{}], {} draining>",
            ops.len(),
            ops.join(", "),
            self.inner.draining.len()
        )
    }
}

/// Where one draining real server stands, as `IpvsHandle.plan(..., drain=True)` found it.
///
/// `service` and `server` (an `(address, port)` tuple) say which; `listed` is its
/// `RealServerEntry` (weight and connection counters) from a fresh listing of its service,
/// or `None` when the listing no longer has it; `connections` and `templates` count its
/// client connections and persistence templates in the kernel's connection table (`None`
/// when the table was not read). `idle` is true when it can go: weight 0, no active or
/// inactive connections, no client connection in the table (templates do not hold it);
/// the plan then has its delete already.
#[pyclass(module = "lvs", frozen, eq)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrainingServer {
    pub(crate) inner: core_plan::DrainingServer,
}

#[pymethods]
impl DrainingServer {
    /// The key of its service.
    #[getter]
    fn service(&self) -> ServiceKey {
        ServiceKey::from(self.inner.service)
    }

    /// Its `(address, port)`.
    #[getter]
    fn server<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        server_tuple(py, self.inner.server)
    }

    /// Its weight and connection counters from the listing of its service, or `None` when
    /// the listing no longer has it.
    #[getter]
    fn listed(&self) -> Option<RealServerEntry> {
        self.inner.listed.map(|inner| RealServerEntry { inner })
    }

    /// Client connections to it in the connection table (`None`: the table was not read).
    #[getter]
    fn connections(&self) -> Option<usize> {
        self.inner.connections
    }

    /// Persistence templates pointing at it in the connection table (`None` likewise).
    #[getter]
    fn templates(&self) -> Option<usize> {
        self.inner.templates
    }

    /// Whether it can go now (its delete is in the plan): listed at weight 0 with no
    /// active or inactive connections, and no client connection in the table.
    #[getter]
    fn idle(&self) -> bool {
        self.inner.is_idle()
    }

    fn __hash__(&self) -> u64 {
        let s = &self.inner;
        hash_of(&(s.service, s.server, s.listed, s.connections, s.templates))
    }

    /// The value itself: it is immutable.
    fn __copy__<'py>(slf: &Bound<'py, Self>) -> Bound<'py, Self> {
        slf.clone()
    }

    /// The value itself: it is immutable and holds no mutable Python object.
    fn __deepcopy__<'py>(slf: &Bound<'py, Self>, _memo: &Bound<'py, PyAny>) -> Bound<'py, Self> {
        slf.clone()
    }

    fn __repr__(&self) -> String {
        let s = &self.inner;
        let listed = match &s.listed {
            Some(e) => format!(
                "weight={}, active_conns={}, inactive_conns={}",
                e.server.weight, e.active_conns, e.inactive_conns
            ),
            None => "listed=None".to_owned(),
        };
        let count = |n: Option<usize>| n.map_or("None".to_owned(), |n| n.to_string());
        format!(
            "<DrainingServer {} -> ('{}', {}): {listed}, connections={}, templates={}, idle={}>",
            key_repr(&s.service),
            s.server.ip(),
            s.server.port(),
            count(s.connections),
            count(s.templates),
            if s.is_idle() { "True" } else { "False" }
        )
    }
}

/// A plan made against a handle's table (`IpvsHandle.plan`), with what it was made from:
/// give it to `IpvsHandle.apply_plan` to apply it all or nothing.
///
/// `current` is the table as read (services with their real servers), `plan` the `Plan`
/// (the deletes of drained servers that are idle included), `draining` a
/// `DrainingServer` for every real server being drained.
#[pyclass(module = "lvs", frozen, eq)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivePlan {
    pub(crate) inner: core_plan::LivePlan,
}

#[pymethods]
impl LivePlan {
    /// The table the plan was made against, as a list of `VirtualService`; also what
    /// `apply_plan` restores if applying fails.
    #[getter]
    fn current(&self) -> Vec<VirtualService> {
        self.inner
            .current
            .services
            .iter()
            .cloned()
            .map(|inner| VirtualService { inner })
            .collect()
    }

    /// The operations, as a `Plan`.
    #[getter]
    fn plan(&self) -> Plan {
        Plan {
            inner: self.inner.plan.clone(),
        }
    }

    /// With `drain=True`, where every draining real server stands (a list of
    /// `DrainingServer`); those that are idle have their delete in `plan`.
    #[getter]
    fn draining(&self) -> Vec<DrainingServer> {
        self.inner
            .draining
            .iter()
            .cloned()
            .map(|inner| DrainingServer { inner })
            .collect()
    }

    fn __hash__(&self) -> u64 {
        let p = &self.inner.plan;
        hash_of(&(&self.inner.current, &p.operations, &p.draining))
    }

    fn __repr__(&self) -> String {
        format!(
            "<LivePlan of {} operations against {} services, {} draining>",
            self.inner.plan.operations.len(),
            self.inner.current.services.len(),
            self.inner.draining.len()
        )
    }
}

/// The operations that turn the table `current` into `desired` within `scope`: lvs's
/// planner (the one `IpvsHandle.plan`, lvsctl and C use), pure: nothing is read or changed.
///
/// `current` and `desired` are rule text (as `save` writes it; its `--set`,
/// `--start-daemon` and `--lvs-sysctl` lines are planned as far as `desired` states them)
/// or iterables of `VirtualService`. `scope` (a `Scope`; `None`: the whole table) keeps the
/// plan to the services it covers; a desired service outside it raises `InvalidInput`, as
/// does a table that lists a service or a real server twice. `drain=True` sets real
/// servers to remove to weight 0 and lists them in `Plan.draining` instead of deleting
/// them; `expire_connections=True` deletes them (draining ones too) and is refused with
/// `InvalidInput` (field `"expire connections"`) unless `desired` sets
/// `--lvs-sysctl expire_nodest_conn=1`, or else `current` has it at 1.
#[pyfunction]
#[pyo3(signature = (current, desired, *, scope = None, drain = false, expire_connections = false))]
pub(crate) fn plan(
    py: Python<'_>,
    current: &Bound<'_, PyAny>,
    desired: &Bound<'_, PyAny>,
    scope: Option<&Bound<'_, PyAny>>,
    drain: bool,
    expire_connections: bool,
) -> PyResult<Plan> {
    let current = table_arg(py, current, "current")?;
    let desired = table_arg(py, desired, "desired")?;
    let scope = scope_arg(scope)?;
    let options = options_of(drain, expire_connections);
    core_plan::plan(&current, &desired, &scope, &options)
        .map(|inner| Plan { inner })
        .map_err(|e| model_error(py, e))
}
