//! An entry of the kernel's connection table: `Connection`.

use std::net::SocketAddr;

use lvs_core::listing::{ConnectionOrigin, ConnectionProtocol, ConnectionState};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use super::pickle;
use crate::convert::{number, py_ip, socket_addr, string, type_name};

/// One entry of the kernel's connection table (`ipvsadm -L -n -c`): a client's connection
/// through a virtual service to a real server, or a persistence template.
///
/// `Connection(protocol, client, virtual, destination, state, expires, *, pe_name=None,
/// pe_data=None, origin=None)`: `protocol` and `state` are the kernel's names (`"TCP"`,
/// `"ESTABLISHED"`), the three endpoints `(address, port)` tuples, `expires` the seconds
/// left. Listings build them; the constructor is for tests, copies and pickling.
#[pyclass(module = "lvs", frozen, eq, hash)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connection {
    pub(crate) inner: lvs_core::listing::Connection,
}

/// Reads an `(address, port)` tuple, the form endpoints take throughout the package.
fn endpoint(value: &Bound<'_, PyAny>, what: &str) -> PyResult<SocketAddr> {
    if let Ok(pair) = value.cast::<PyTuple>() {
        if pair.len() == 2 {
            return socket_addr(&pair.get_item(0)?, &pair.get_item(1)?);
        }
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be an (address, port) tuple, not {}",
        type_name(value)
    )))
}

/// An endpoint as the getters give it: `(ipaddress object, port)`.
fn endpoint_tuple(py: Python<'_>, addr: SocketAddr) -> PyResult<Bound<'_, PyTuple>> {
    PyTuple::new(
        py,
        [
            py_ip(py, addr.ip())?,
            addr.port().into_pyobject(py)?.into_any(),
        ],
    )
}

/// Python's repr of a string (the kernel's names are ASCII, but an engine's data need not be).
fn text_repr(py: Python<'_>, text: &str) -> PyResult<String> {
    Ok(PyString::new(py, text).repr()?.to_cow()?.into_owned())
}

#[pymethods]
impl Connection {
    #[new]
    #[pyo3(signature = (protocol, client, r#virtual, destination, state, expires, *, pe_name = None, pe_data = None, origin = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        protocol: &Bound<'_, PyAny>,
        client: &Bound<'_, PyAny>,
        r#virtual: &Bound<'_, PyAny>,
        destination: &Bound<'_, PyAny>,
        state: &Bound<'_, PyAny>,
        expires: &Bound<'_, PyAny>,
        pe_name: Option<&Bound<'_, PyAny>>,
        pe_data: Option<&Bound<'_, PyAny>>,
        origin: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Connection> {
        let mut inner = lvs_core::listing::Connection::new(
            ConnectionProtocol::from_name(&string(protocol, "protocol")?),
            endpoint(client, "client")?,
            endpoint(r#virtual, "virtual")?,
            endpoint(destination, "destination")?,
            ConnectionState::from_name(&string(state, "state")?),
            number(expires, "expires")?,
        );
        inner.pe_name = pe_name.map(|v| string(v, "pe_name")).transpose()?;
        inner.pe_data = pe_data.map(|v| string(v, "pe_data")).transpose()?;
        inner.origin = origin
            .map(|v| string(v, "origin").map(|o| ConnectionOrigin::from_name(&o)))
            .transpose()?;
        Ok(Connection { inner })
    }

    /// The protocol by the kernel's name: `"TCP"`, `"UDP"`, `"SCTP"`, `"IP"` (the
    /// templates of firewall-mark services), `"ICMP"`, or `"IP_<number>"`.
    #[getter]
    fn protocol(&self) -> &str {
        self.inner.protocol.name()
    }

    /// The client's `(address, port)`; port 0 for a persistence template.
    #[getter]
    fn client<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        endpoint_tuple(py, self.inner.client)
    }

    /// The virtual service's `(address, port)`. A firewall-mark template has the mark as an
    /// IPv4 address here (mark 1 is 0.0.0.1), as the kernel shows it.
    #[getter]
    fn r#virtual<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        endpoint_tuple(py, self.inner.virtual_addr)
    }

    /// The real server's `(address, port)`.
    #[getter]
    fn destination<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        endpoint_tuple(py, self.inner.destination)
    }

    /// The protocol state by the kernel's name (`"ESTABLISHED"`, `"UDP"`, `"NONE"`, ...).
    #[getter]
    fn state(&self) -> &str {
        self.inner.state.name()
    }

    /// Seconds until the entry expires.
    #[getter]
    fn expires(&self) -> u64 {
        self.inner.expires_secs
    }

    /// Whether this is a persistence template rather than a client's connection (the
    /// kernel makes every template, and no client connection, with client port 0).
    #[getter]
    fn template(&self) -> bool {
        self.inner.is_template()
    }

    /// The persistence engine keeping data on the entry (such as `"sip"`), or `None`.
    #[getter]
    fn pe_name(&self) -> Option<&str> {
        self.inner.pe_name.as_deref()
    }

    /// The persistence engine's data (such as a SIP Call-ID), or `None`.
    #[getter]
    fn pe_data(&self) -> Option<&str> {
        self.inner.pe_data.as_deref()
    }

    /// `"LOCAL"` (scheduled by this director) or `"SYNC"` (learned from a sync daemon's
    /// master) when read with `origin=True`, else `None`.
    #[getter]
    fn origin(&self) -> Option<&str> {
        self.inner.origin.as_ref().map(ConnectionOrigin::name)
    }

    /// The constructor's arguments: `protocol`, `client`, `virtual`, `destination`, `state`,
    /// `expires`, `pe_name`, `pe_data`, `origin` (`template` follows from `client`).
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        pickle::dict(
            py,
            vec![
                ("protocol", self.protocol().into_pyobject(py)?.into_any()),
                ("client", self.client(py)?.into_any()),
                ("virtual", self.r#virtual(py)?.into_any()),
                ("destination", self.destination(py)?.into_any()),
                ("state", self.state().into_pyobject(py)?.into_any()),
                ("expires", self.expires().into_pyobject(py)?.into_any()),
                ("pe_name", self.pe_name().into_pyobject(py)?.into_any()),
                ("pe_data", self.pe_data().into_pyobject(py)?.into_any()),
                ("origin", self.origin().into_pyobject(py)?.into_any()),
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

    pub(crate) fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let c = &self.inner;
        let pair = |a: SocketAddr| format!("('{}', {})", a.ip(), a.port());
        let mut text = format!(
            "Connection({}, {}, {}, {}, {}, {}",
            text_repr(py, c.protocol.name())?,
            pair(c.client),
            pair(c.virtual_addr),
            pair(c.destination),
            text_repr(py, c.state.name())?,
            c.expires_secs
        );
        for (name, value) in [
            ("pe_name", c.pe_name.as_deref()),
            ("pe_data", c.pe_data.as_deref()),
            ("origin", c.origin.as_ref().map(ConnectionOrigin::name)),
        ] {
            if let Some(value) = value {
                text.push_str(&format!(", {name}={}", text_repr(py, value)?));
            }
        }
        Ok(text + ")")
    }
}
