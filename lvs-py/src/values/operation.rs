//! `Operation`: one change to an IPVS table, for batches (`Ipvs.apply`) and parsed rule text.

use super::pickle;
use super::service::ServiceKey;
use lvs_core::Operation as Op;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::server::{server_addr_of, server_of, RealServer};
use super::service::{key_of, key_repr, Service};
use super::settings::{daemon_of, role, timeouts_of, SyncDaemon, Timeouts};
use super::sysctl::{py_value, value_of};
use crate::convert::type_name;

/// One change to an IPVS table, built with the static methods (`Operation.add_service(s)`,
/// `Operation.add_server(key, server)`, ...) or read from rule text (`lvs.rules.parse`).
///
/// `kind` names the change (`"add_service"`, ...); operations compare equal when they make
/// the same change.
#[pyclass(module = "lvs", frozen, eq, hash)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Operation {
    pub(crate) inner: Op,
}

impl From<Op> for Operation {
    fn from(inner: Op) -> Operation {
        Operation { inner }
    }
}

fn service_arg(value: &Bound<'_, PyAny>) -> PyResult<lvs_core::Service> {
    value
        .cast::<Service>()
        .map(|s| s.get().inner.clone())
        .map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "service must be an lvs.Service, not {}",
                type_name(value)
            ))
        })
}

/// The name of an operation's kind, which is also the static method that builds it
/// ([`lvs_core::OperationKind::name`]).
fn kind_of(op: &Op) -> &'static str {
    op.kind().name()
}

#[pymethods]
impl Operation {
    /// Add a service (`-A`).
    #[staticmethod]
    fn add_service(service: &Bound<'_, PyAny>) -> PyResult<Operation> {
        Ok(Op::AddService(service_arg(service)?).into())
    }

    /// Replace a service's settings (`-E`); its key selects it.
    #[staticmethod]
    fn edit_service(service: &Bound<'_, PyAny>) -> PyResult<Operation> {
        Ok(Op::EditService(service_arg(service)?).into())
    }

    /// Delete a service and its real servers (`-D`).
    #[staticmethod]
    fn delete_service(service: &Bound<'_, PyAny>) -> PyResult<Operation> {
        Ok(Op::DeleteService(key_of(service)?).into())
    }

    /// Add a real server to a service (`-a`).
    #[staticmethod]
    fn add_server(service: &Bound<'_, PyAny>, server: &Bound<'_, PyAny>) -> PyResult<Operation> {
        Ok(Op::AddServer(key_of(service)?, server_of(server)?).into())
    }

    /// Replace a real server's settings (`-e`); its address selects it.
    #[staticmethod]
    fn edit_server(service: &Bound<'_, PyAny>, server: &Bound<'_, PyAny>) -> PyResult<Operation> {
        Ok(Op::EditServer(key_of(service)?, server_of(server)?).into())
    }

    /// Remove a real server (a `RealServer` or an `(address, port)` tuple) from a service
    /// (`-d`).
    #[staticmethod]
    fn delete_server(service: &Bound<'_, PyAny>, server: &Bound<'_, PyAny>) -> PyResult<Operation> {
        Ok(Op::DeleteServer(key_of(service)?, server_addr_of(server)?).into())
    }

    /// Delete every service (`-C`).
    #[staticmethod]
    fn flush() -> Operation {
        Op::Flush.into()
    }

    /// Zero the counters of one service, or of everything with `None` (`-Z`).
    #[staticmethod]
    #[pyo3(signature = (service = None))]
    fn zero(service: Option<&Bound<'_, PyAny>>) -> PyResult<Operation> {
        Ok(Op::Zero(service.map(key_of).transpose()?).into())
    }

    /// Set the connection timeouts (`--set`).
    #[staticmethod]
    fn set_timeouts(timeouts: &Bound<'_, PyAny>) -> PyResult<Operation> {
        Ok(Op::SetTimeouts(timeouts_of(timeouts)?).into())
    }

    /// Start a sync daemon (`--start-daemon`).
    #[staticmethod]
    fn start_daemon(daemon: &Bound<'_, PyAny>) -> PyResult<Operation> {
        Ok(Op::StartDaemon(daemon_of(daemon)?).into())
    }

    /// Stop the sync daemon of a role (`--stop-daemon`).
    #[staticmethod]
    fn stop_daemon(role: &Bound<'_, PyAny>) -> PyResult<Operation> {
        Ok(Op::StopDaemon(self::role(role)?).into())
    }

    /// Set the sysctl `net.ipv4.vs.NAME` (`--lvs-sysctl NAME=VALUE`): an int (or bool), a
    /// `(threshold, period)` tuple or a str, checked when applied.
    #[staticmethod]
    fn set_sysctl(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Operation> {
        let setting = lvs_core::SysctlSetting::new(name, value_of(value)?);
        Ok(Op::SetSysctl(setting).into())
    }

    /// What the operation does: `"add_service"`, `"edit_service"`, `"delete_service"`,
    /// `"add_server"`, `"edit_server"`, `"delete_server"`, `"flush"`, `"zero"`,
    /// `"set_timeouts"`, `"start_daemon"`, `"stop_daemon"` or `"set_sysctl"`.
    #[getter]
    fn kind(&self) -> &'static str {
        kind_of(&self.inner)
    }

    /// Pickles through the static method that builds the operation, with its arguments.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let op = &slf.get().inner;
        let service = |s: &lvs_core::Service| Service { inner: s.clone() }.into_pyobject(py);
        let key = |k: &lvs_core::ServiceKey| ServiceKey::from(*k).into_pyobject(py);
        let args: Vec<Bound<'py, PyAny>> = match op {
            Op::AddService(s) | Op::EditService(s) => vec![service(s)?.into_any()],
            Op::DeleteService(k) | Op::Zero(Some(k)) => vec![key(k)?.into_any()],
            Op::AddServer(k, s) | Op::EditServer(k, s) => vec![
                key(k)?.into_any(),
                RealServer::from(*s).into_pyobject(py)?.into_any(),
            ],
            Op::DeleteServer(k, a) => vec![
                key(k)?.into_any(),
                (a.ip().to_string(), a.port()).into_pyobject(py)?.into_any(),
            ],
            Op::SetTimeouts(t) => vec![Timeouts { inner: *t }.into_pyobject(py)?.into_any()],
            Op::StartDaemon(d) => {
                vec![SyncDaemon { inner: d.clone() }
                    .into_pyobject(py)?
                    .into_any()]
            }
            Op::StopDaemon(r) => vec![r.number().into_pyobject(py)?.into_any()],
            Op::SetSysctl(s) => vec![
                s.name.clone().into_pyobject(py)?.into_any(),
                py_value(py, &s.value)?,
            ],
            _ => vec![],
        };
        pickle::by_method(slf.as_any(), kind_of(op), PyTuple::new(py, args)?)
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
        let service = |s: &lvs_core::Service| Service { inner: s.clone() }.__repr__();
        let server = |s: &lvs_core::RealServer| RealServer::from(*s).__repr__();
        let args = match &self.inner {
            Op::AddService(s) | Op::EditService(s) => service(s),
            Op::DeleteService(k) | Op::Zero(Some(k)) => key_repr(k),
            Op::AddServer(k, s) | Op::EditServer(k, s) => {
                format!("{}, {}", key_repr(k), server(s))
            }
            Op::DeleteServer(k, a) => format!("{}, ('{}', {})", key_repr(k), a.ip(), a.port()),
            Op::SetTimeouts(t) => Timeouts { inner: *t }.__repr__(),
            Op::StartDaemon(d) => SyncDaemon { inner: d.clone() }.__repr__(),
            Op::StopDaemon(r) => format!("{}", r.number()),
            Op::SetSysctl(s) => match &s.value {
                lvs_core::SysctlValue::Pair(a, b) => format!("'{}', ({a}, {b})", s.name),
                lvs_core::SysctlValue::Text(t) => format!("'{}', {t:?}", s.name),
                other => format!("'{}', {other}", s.name),
            },
            _ => String::new(),
        };
        format!("Operation.{}({args})", self.kind())
    }
}
