//! What listings return: `Stats`, `ServiceEntry`, `RealServerEntry`, and the configuration
//! view `VirtualService`.

use super::pickle;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::types::PyTuple;

use super::server::{server_of, RealServer};
use super::service::Service;
use crate::convert::{number, type_name};

/// Counters and rates of a service or real server (64-bit), since the last zeroing.
///
/// Rates are the kernel estimator's per-second averages. All fields default to 0 in the
/// keyword constructor.
#[pyclass(module = "lvs", frozen, eq, hash)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stats {
    pub(crate) inner: lvs_core::Stats,
}

#[pymethods]
impl Stats {
    #[new]
    #[pyo3(signature = (*, conns = 0, in_packets = 0, out_packets = 0, in_bytes = 0, out_bytes = 0, cps = 0, in_pps = 0, out_pps = 0, in_bps = 0, out_bps = 0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        conns: u64,
        in_packets: u64,
        out_packets: u64,
        in_bytes: u64,
        out_bytes: u64,
        cps: u64,
        in_pps: u64,
        out_pps: u64,
        in_bps: u64,
        out_bps: u64,
    ) -> Stats {
        let mut inner = lvs_core::Stats::default();
        inner.conns = conns;
        inner.in_packets = in_packets;
        inner.out_packets = out_packets;
        inner.in_bytes = in_bytes;
        inner.out_bytes = out_bytes;
        inner.cps = cps;
        inner.in_pps = in_pps;
        inner.out_pps = out_pps;
        inner.in_bps = in_bps;
        inner.out_bps = out_bps;
        Stats { inner }
    }

    /// Connections scheduled.
    #[getter]
    fn conns(&self) -> u64 {
        self.inner.conns
    }

    /// Packets from clients.
    #[getter]
    fn in_packets(&self) -> u64 {
        self.inner.in_packets
    }

    /// Packets to clients (0 for direct routing and tunnels: replies bypass the director).
    #[getter]
    fn out_packets(&self) -> u64 {
        self.inner.out_packets
    }

    /// Bytes from clients.
    #[getter]
    fn in_bytes(&self) -> u64 {
        self.inner.in_bytes
    }

    /// Bytes to clients.
    #[getter]
    fn out_bytes(&self) -> u64 {
        self.inner.out_bytes
    }

    /// Connections per second.
    #[getter]
    fn cps(&self) -> u64 {
        self.inner.cps
    }

    /// Packets from clients per second.
    #[getter]
    fn in_pps(&self) -> u64 {
        self.inner.in_pps
    }

    /// Packets to clients per second.
    #[getter]
    fn out_pps(&self) -> u64 {
        self.inner.out_pps
    }

    /// Bytes from clients per second.
    #[getter]
    fn in_bps(&self) -> u64 {
        self.inner.in_bps
    }

    /// Bytes to clients per second.
    #[getter]
    fn out_bps(&self) -> u64 {
        self.inner.out_bps
    }

    /// The constructor's arguments: every counter and rate by name.
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = &self.inner;
        pickle::dict(
            py,
            [
                ("conns", s.conns),
                ("in_packets", s.in_packets),
                ("out_packets", s.out_packets),
                ("in_bytes", s.in_bytes),
                ("out_bytes", s.out_bytes),
                ("cps", s.cps),
                ("in_pps", s.in_pps),
                ("out_pps", s.out_pps),
                ("in_bps", s.in_bps),
                ("out_bps", s.out_bps),
            ]
            .into_iter()
            .map(|(name, v)| Ok((name, v.into_pyobject(py)?.into_any())))
            .collect::<PyResult<Vec<_>>>()?,
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
        let s = &self.inner;
        format!(
            "Stats(conns={}, in_packets={}, out_packets={}, in_bytes={}, out_bytes={}, \
             cps={}, in_pps={}, out_pps={}, in_bps={}, out_bps={})",
            s.conns,
            s.in_packets,
            s.out_packets,
            s.in_bytes,
            s.out_bytes,
            s.cps,
            s.in_pps,
            s.out_pps,
            s.in_bps,
            s.out_bps
        )
    }
}

fn stats_of(value: Option<&Bound<'_, PyAny>>) -> PyResult<lvs_core::Stats> {
    match value {
        None => Ok(lvs_core::Stats::default()),
        Some(v) => v.cast::<Stats>().map(|s| s.get().inner).map_err(|_| {
            PyTypeError::new_err(format!("stats must be an lvs.Stats, not {}", type_name(v)))
        }),
    }
}

fn service_of(value: &Bound<'_, PyAny>) -> PyResult<lvs_core::Service> {
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

/// A service as listed: the service and its counters.
#[pyclass(module = "lvs", frozen, eq, hash)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceEntry {
    pub(crate) inner: lvs_core::ServiceEntry,
}

impl ServiceEntry {
    /// An entry as a backend lists it (without the kernel's `HASHED` flag).
    pub(crate) fn listed(entry: lvs_core::ServiceEntry) -> ServiceEntry {
        let service = Service::listed(entry.service).inner;
        ServiceEntry {
            inner: lvs_core::ServiceEntry::new(service, entry.stats),
        }
    }
}

#[pymethods]
impl ServiceEntry {
    #[new]
    #[pyo3(signature = (service, stats = None))]
    fn new(service: &Bound<'_, PyAny>, stats: Option<&Bound<'_, PyAny>>) -> PyResult<ServiceEntry> {
        Ok(ServiceEntry {
            inner: lvs_core::ServiceEntry::new(service_of(service)?, stats_of(stats)?),
        })
    }

    /// The service.
    #[getter]
    fn service(&self) -> Service {
        Service {
            inner: self.inner.service.clone(),
        }
    }

    /// Its counters and rates.
    #[getter]
    fn stats(&self) -> Stats {
        Stats {
            inner: self.inner.stats,
        }
    }

    /// The constructor's arguments: `service`, `stats`.
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        pickle::dict(
            py,
            vec![
                ("service", self.service().into_pyobject(py)?.into_any()),
                ("stats", self.stats().into_pyobject(py)?.into_any()),
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
        format!(
            "ServiceEntry({}, stats={})",
            self.service().__repr__(),
            self.stats().__repr__()
        )
    }
}

/// A real server as listed: the server, its connection counts and counters.
#[pyclass(module = "lvs", frozen, eq, hash)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RealServerEntry {
    pub(crate) inner: lvs_core::RealServerEntry,
}

#[pymethods]
impl RealServerEntry {
    #[new]
    #[pyo3(signature = (server, *, active_conns = None, inactive_conns = None, persistent_conns = None, stats = None))]
    fn new(
        server: &Bound<'_, PyAny>,
        active_conns: Option<&Bound<'_, PyAny>>,
        inactive_conns: Option<&Bound<'_, PyAny>>,
        persistent_conns: Option<&Bound<'_, PyAny>>,
        stats: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<RealServerEntry> {
        let count = |v: Option<&Bound<'_, PyAny>>, what| v.map_or(Ok(0), |v| number(v, what));
        let mut inner = lvs_core::RealServerEntry::new(server_of(server)?);
        inner.active_conns = count(active_conns, "active_conns")?;
        inner.inactive_conns = count(inactive_conns, "inactive_conns")?;
        inner.persistent_conns = count(persistent_conns, "persistent_conns")?;
        inner.stats = stats_of(stats)?;
        Ok(RealServerEntry { inner })
    }

    /// The real server.
    #[getter]
    fn server(&self) -> RealServer {
        RealServer::from(self.inner.server)
    }

    /// Connections in an active state (for TCP: established).
    #[getter]
    fn active_conns(&self) -> u32 {
        self.inner.active_conns
    }

    /// Connections in other states.
    #[getter]
    fn inactive_conns(&self) -> u32 {
        self.inner.inactive_conns
    }

    /// Persistence templates pointing at the server.
    #[getter]
    fn persistent_conns(&self) -> u32 {
        self.inner.persistent_conns
    }

    /// Its counters and rates.
    #[getter]
    fn stats(&self) -> Stats {
        Stats {
            inner: self.inner.stats,
        }
    }

    /// The constructor's arguments: `server`, `active_conns`, `inactive_conns`,
    /// `persistent_conns`, `stats`.
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        pickle::dict(
            py,
            vec![
                ("server", self.server().into_pyobject(py)?.into_any()),
                (
                    "active_conns",
                    self.active_conns().into_pyobject(py)?.into_any(),
                ),
                (
                    "inactive_conns",
                    self.inactive_conns().into_pyobject(py)?.into_any(),
                ),
                (
                    "persistent_conns",
                    self.persistent_conns().into_pyobject(py)?.into_any(),
                ),
                ("stats", self.stats().into_pyobject(py)?.into_any()),
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
        let e = &self.inner;
        format!(
            "RealServerEntry({}, active_conns={}, inactive_conns={}, persistent_conns={}, stats={})",
            self.server().__repr__(),
            e.active_conns,
            e.inactive_conns,
            e.persistent_conns,
            self.stats().__repr__()
        )
    }
}

/// A service with its real servers, as rule text saves it (no counters).
///
/// `VirtualService(service, servers=())`; `servers` is a tuple of `RealServer`.
#[pyclass(module = "lvs", frozen, eq, hash)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VirtualService {
    pub(crate) inner: lvs_core::VirtualService,
}

#[pymethods]
impl VirtualService {
    #[new]
    #[pyo3(signature = (service, servers = None))]
    fn new(
        service: &Bound<'_, PyAny>,
        servers: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<VirtualService> {
        let servers = match servers {
            None => Vec::new(),
            Some(items) => items
                .try_iter()
                .map_err(|_| {
                    PyTypeError::new_err(format!(
                        "servers must be an iterable of lvs.RealServer, not {}",
                        type_name(items)
                    ))
                })?
                .map(|item| server_of(&item?))
                .collect::<PyResult<Vec<_>>>()?,
        };
        Ok(VirtualService {
            inner: lvs_core::VirtualService::new(service_of(service)?, servers),
        })
    }

    /// The service.
    #[getter]
    fn service(&self) -> Service {
        Service {
            inner: self.inner.service.clone(),
        }
    }

    /// Its real servers, a tuple of `RealServer`.
    #[getter]
    fn servers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner.servers.iter().map(|s| RealServer::from(*s)))
    }

    /// The constructor's arguments: `service`, `servers`.
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        pickle::dict(
            py,
            vec![
                ("service", self.service().into_pyobject(py)?.into_any()),
                ("servers", self.servers(py)?.into_any()),
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
        let servers: Vec<String> = self
            .inner
            .servers
            .iter()
            .map(|s| RealServer::from(*s).__repr__())
            .collect();
        let trailing = if servers.len() == 1 { "," } else { "" };
        format!(
            "VirtualService({}, ({}{trailing}))",
            self.service().__repr__(),
            servers.join(", ")
        )
    }
}

/// Reads a table argument: an iterable of `VirtualService`.
pub(crate) fn table_of(value: &Bound<'_, PyAny>) -> PyResult<lvs_core::Table> {
    let not_a_table = || {
        PyTypeError::new_err(format!(
            "table must be an iterable of lvs.VirtualService, not {}",
            type_name(value)
        ))
    };
    let services = value
        .try_iter()
        .map_err(|_| not_a_table())?
        .map(|item| {
            let item = item?;
            item.cast::<VirtualService>()
                .map(|vs| vs.get().inner.clone())
                .map_err(|_| {
                    PyTypeError::new_err(format!(
                        "table items must be lvs.VirtualService, not {}",
                        type_name(&item)
                    ))
                })
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(lvs_core::Table::new(services))
}
