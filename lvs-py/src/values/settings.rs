//! Namespace-wide settings: `Timeouts`, `SyncDaemon`, `KernelInfo`.

use super::pickle;
use lvs_core::DaemonRole;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::{enum_number, ip_addr, number, py_ip, string, type_name, PyEnum};

/// The connection timeouts of a network namespace, in seconds (`ipvsadm --set`).
///
/// `Timeouts(tcp=0, tcp_fin=0, udp=0)`; when setting, 0 leaves a timeout as it is. A fresh
/// namespace has 900, 120 and 300.
#[pyclass(module = "lvs", frozen, eq, hash)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timeouts {
    pub(crate) inner: lvs_core::Timeouts,
}

#[pymethods]
impl Timeouts {
    #[new]
    #[pyo3(signature = (*, tcp = None, tcp_fin = None, udp = None))]
    fn new(
        tcp: Option<&Bound<'_, PyAny>>,
        tcp_fin: Option<&Bound<'_, PyAny>>,
        udp: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Timeouts> {
        let seconds = |v: Option<&Bound<'_, PyAny>>, what| v.map_or(Ok(0), |v| number(v, what));
        Ok(Timeouts {
            inner: lvs_core::Timeouts::new(
                seconds(tcp, "tcp")?,
                seconds(tcp_fin, "tcp_fin")?,
                seconds(udp, "udp")?,
            ),
        })
    }

    /// TCP established connections.
    #[getter]
    fn tcp(&self) -> u32 {
        self.inner.tcp
    }

    /// TCP connections after a FIN.
    #[getter]
    fn tcp_fin(&self) -> u32 {
        self.inner.tcp_fin
    }

    /// UDP.
    #[getter]
    fn udp(&self) -> u32 {
        self.inner.udp
    }

    /// The constructor's arguments: `tcp`, `tcp_fin`, `udp`.
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        pickle::dict(
            py,
            vec![
                ("tcp", self.tcp().into_pyobject(py)?.into_any()),
                ("tcp_fin", self.tcp_fin().into_pyobject(py)?.into_any()),
                ("udp", self.udp().into_pyobject(py)?.into_any()),
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
        let t = &self.inner;
        format!(
            "Timeouts(tcp={}, tcp_fin={}, udp={})",
            t.tcp, t.tcp_fin, t.udp
        )
    }
}

/// A connection-sync daemon, as started or listed.
///
/// `SyncDaemon(role, interface, sync_id=0, max_len=None, group=None, port=None, ttl=None)`;
/// values left `None` take the kernel's defaults when starting (group 224.0.0.81, port 8848,
/// ttl 1, a length from the interface's MTU), and a listing reports the values in effect.
#[pyclass(module = "lvs", frozen, eq, hash)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SyncDaemon {
    pub(crate) inner: lvs_core::SyncDaemon,
}

/// Reads a `DaemonRole` member (or its number).
pub(crate) fn role(value: &Bound<'_, PyAny>) -> PyResult<DaemonRole> {
    Ok(DaemonRole::from_number(enum_number(value, "role")?))
}

#[pymethods]
impl SyncDaemon {
    #[new]
    #[pyo3(signature = (role, interface, *, sync_id = None, max_len = None, group = None, port = None, ttl = None))]
    fn new(
        role: &Bound<'_, PyAny>,
        interface: &Bound<'_, PyAny>,
        sync_id: Option<&Bound<'_, PyAny>>,
        max_len: Option<&Bound<'_, PyAny>>,
        group: Option<&Bound<'_, PyAny>>,
        port: Option<&Bound<'_, PyAny>>,
        ttl: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<SyncDaemon> {
        let mut inner =
            lvs_core::SyncDaemon::new(self::role(role)?, string(interface, "interface")?);
        if let Some(id) = sync_id {
            inner = inner.with_sync_id(number(id, "sync_id")?);
        }
        inner.max_len = max_len.map(|v| number(v, "max_len")).transpose()?;
        inner.group = group.map(|v| ip_addr(v, "group")).transpose()?;
        inner.port = port.map(|v| number(v, "port")).transpose()?;
        inner.ttl = ttl.map(|v| number(v, "ttl")).transpose()?;
        Ok(SyncDaemon { inner })
    }

    /// Master (sends) or backup (receives), a `DaemonRole`.
    #[getter]
    fn role<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyEnum::DaemonRole.member(py, self.inner.role.number())
    }

    /// The interface the sync messages use.
    #[getter]
    fn interface(&self) -> String {
        self.inner.interface.clone()
    }

    /// The sync id, so that several director pairs can share a segment.
    #[getter]
    fn sync_id(&self) -> u32 {
        self.inner.sync_id
    }

    /// The maximum payload of a sync message, or `None` for the kernel's choice.
    #[getter]
    fn max_len(&self) -> Option<u16> {
        self.inner.max_len
    }

    /// The multicast group as an `ipaddress` object, or `None` for the kernel's default.
    #[getter]
    fn group<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.group.map(|g| py_ip(py, g)).transpose()
    }

    /// The UDP port, or `None` for the kernel's default.
    #[getter]
    fn port(&self) -> Option<u16> {
        self.inner.port
    }

    /// The multicast TTL, or `None` for the kernel's default.
    #[getter]
    fn ttl(&self) -> Option<u8> {
        self.inner.ttl
    }

    /// The constructor's arguments: `role`, `interface`, `sync_id`, `max_len`, `group`,
    /// `port`, `ttl`.
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        pickle::dict(
            py,
            vec![
                ("role", self.role(py)?),
                ("interface", self.interface().into_pyobject(py)?.into_any()),
                ("sync_id", self.sync_id().into_pyobject(py)?.into_any()),
                ("max_len", self.max_len().into_pyobject(py)?.into_any()),
                ("group", self.group(py)?.into_pyobject(py)?.into_any()),
                ("port", self.port().into_pyobject(py)?.into_any()),
                ("ttl", self.ttl().into_pyobject(py)?.into_any()),
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
        let d = &self.inner;
        let role = match d.role {
            DaemonRole::Master => "DaemonRole.MASTER".to_owned(),
            DaemonRole::Backup => "DaemonRole.BACKUP".to_owned(),
            other => other.number().to_string(),
        };
        let mut text = format!(
            "SyncDaemon({role}, {:?}, sync_id={}",
            d.interface, d.sync_id
        );
        if let Some(v) = d.max_len {
            text.push_str(&format!(", max_len={v}"));
        }
        if let Some(v) = d.group {
            text.push_str(&format!(", group='{v}'"));
        }
        if let Some(v) = d.port {
            text.push_str(&format!(", port={v}"));
        }
        if let Some(v) = d.ttl {
            text.push_str(&format!(", ttl={v}"));
        }
        text + ")"
    }
}

/// Reads a `SyncDaemon` argument.
pub(crate) fn daemon_of(value: &Bound<'_, PyAny>) -> PyResult<lvs_core::SyncDaemon> {
    value
        .cast::<SyncDaemon>()
        .map(|d| d.get().inner.clone())
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "daemon must be an lvs.SyncDaemon, not {}",
                type_name(value)
            ))
        })
}

/// Reads a `Timeouts` argument.
pub(crate) fn timeouts_of(value: &Bound<'_, PyAny>) -> PyResult<lvs_core::Timeouts> {
    value
        .cast::<Timeouts>()
        .map(|t| t.get().inner)
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "timeouts must be an lvs.Timeouts, not {}",
                type_name(value)
            ))
        })
}

/// What the kernel says about its IPVS: version and connection table size.
#[pyclass(module = "lvs", frozen, eq, hash)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KernelInfo {
    pub(crate) inner: lvs_core::KernelInfo,
}

#[pymethods]
impl KernelInfo {
    #[new]
    #[pyo3(signature = (*, version_code, conn_table_size))]
    fn new(
        version_code: &Bound<'_, PyAny>,
        conn_table_size: &Bound<'_, PyAny>,
    ) -> PyResult<KernelInfo> {
        Ok(KernelInfo {
            inner: lvs_core::KernelInfo::new(
                number(version_code, "version_code")?,
                number(conn_table_size, "conn_table_size")?,
            ),
        })
    }

    /// The IPVS version as `(major, minor, patch)`, e.g. `(1, 2, 1)`.
    #[getter]
    fn version(&self) -> (u8, u8, u8) {
        self.inner.version_triple()
    }

    /// The version code, `(major << 16) | (minor << 8) | patch`.
    #[getter]
    fn version_code(&self) -> u32 {
        self.inner.version
    }

    /// The size of the connection hash table.
    #[getter]
    fn conn_table_size(&self) -> u32 {
        self.inner.conn_table_size
    }

    /// The constructor's arguments: `version_code`, `conn_table_size`.
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        pickle::dict(
            py,
            vec![
                (
                    "version_code",
                    self.version_code().into_pyobject(py)?.into_any(),
                ),
                (
                    "conn_table_size",
                    self.conn_table_size().into_pyobject(py)?.into_any(),
                ),
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
            "KernelInfo(version_code={:#08x}, conn_table_size={})",
            self.inner.version, self.inner.conn_table_size
        )
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }
}
