//! Real servers: `Tunnel`, `RealServer`.

use super::pickle;
use pyo3::types::PyDict;
use std::net::SocketAddr;

use lvs_core::{ForwardMethod, TunnelChecksum, TunnelKind};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::convert::{enum_number, number, py_ip, socket_addr, type_name, PyEnum};
use crate::errors::{invalid_input, model_error};

/// The encapsulation of a tunnelled real server: IP-in-IP, GUE to a UDP port, or GRE, with a
/// checksum mode.
///
/// `Tunnel(kind=TunnelKind.IPIP, port=None, checksum=TunnelChecksum.NONE)`; `port` is the
/// GUE destination port and only GUE takes one. Shortcuts: `Tunnel.ipip()`,
/// `Tunnel.gue(port, checksum=...)`, `Tunnel.gre(checksum=...)`.
#[pyclass(module = "lvs", frozen, eq, hash)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tunnel {
    pub(crate) inner: lvs_core::Tunnel,
}

fn checksum(value: Option<&Bound<'_, PyAny>>) -> PyResult<TunnelChecksum> {
    value
        .map(|v| enum_number::<u16>(v, "checksum").map(TunnelChecksum::from_flags))
        .transpose()
        .map(Option::unwrap_or_default)
}

#[pymethods]
impl Tunnel {
    #[new]
    #[pyo3(signature = (kind = None, port = None, checksum = None))]
    fn new(
        py: Python<'_>,
        kind: Option<&Bound<'_, PyAny>>,
        port: Option<&Bound<'_, PyAny>>,
        checksum: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Tunnel> {
        let number: u8 = kind
            .map(|k| enum_number(k, "kind"))
            .transpose()?
            .unwrap_or(0);
        let port: Option<u16> = port.map(|p| self::number(p, "port")).transpose()?;
        let kind = match (TunnelKind::from_wire(number, port.unwrap_or(0)), port) {
            (TunnelKind::Ipip | TunnelKind::Gre, Some(_)) => {
                return Err(invalid_input(py, "port", "only GUE tunnels have a port"))
            }
            (TunnelKind::Gue { .. }, None) => {
                return Err(invalid_input(py, "port", "a GUE tunnel needs a port"))
            }
            (kind, _) => kind,
        };
        Ok(Tunnel {
            inner: lvs_core::Tunnel::new(kind, self::checksum(checksum)?),
        })
    }

    /// Plain IP-in-IP (ipvsadm's `-i`).
    #[staticmethod]
    fn ipip() -> Tunnel {
        Tunnel {
            inner: lvs_core::Tunnel::IPIP,
        }
    }

    /// Generic UDP Encapsulation to a UDP port.
    #[staticmethod]
    #[pyo3(signature = (port, checksum = None))]
    fn gue(port: &Bound<'_, PyAny>, checksum: Option<&Bound<'_, PyAny>>) -> PyResult<Tunnel> {
        Ok(Tunnel {
            inner: lvs_core::Tunnel::gue(number(port, "port")?, self::checksum(checksum)?),
        })
    }

    /// GRE.
    #[staticmethod]
    #[pyo3(signature = (checksum = None))]
    fn gre(checksum: Option<&Bound<'_, PyAny>>) -> PyResult<Tunnel> {
        Ok(Tunnel {
            inner: lvs_core::Tunnel::gre(self::checksum(checksum)?),
        })
    }

    /// The encapsulation (`TunnelKind`).
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyEnum::TunnelKind.member(py, self.inner.kind.number())
    }

    /// The GUE destination port (`None` for IP-in-IP and GRE).
    #[getter]
    fn port(&self) -> Option<u16> {
        match self.inner.kind {
            TunnelKind::Ipip | TunnelKind::Gre => None,
            kind => Some(kind.port()),
        }
    }

    /// The checksum mode (`TunnelChecksum`).
    #[getter]
    fn checksum<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyEnum::TunnelChecksum.member(py, self.inner.checksum.flags())
    }

    /// The constructor's arguments: `kind`, `port`, `checksum`.
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        pickle::dict(
            py,
            vec![
                ("kind", self.kind(py)?),
                ("port", self.port().into_pyobject(py)?.into_any()),
                ("checksum", self.checksum(py)?),
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
        tunnel_repr(&self.inner)
    }
}

fn tunnel_repr(tunnel: &lvs_core::Tunnel) -> String {
    let checksum = match tunnel.checksum {
        TunnelChecksum::None => String::new(),
        TunnelChecksum::Checksum => "checksum=TunnelChecksum.CHECKSUM".to_owned(),
        TunnelChecksum::Remote => "checksum=TunnelChecksum.REMOTE".to_owned(),
        other => format!("checksum={}", other.flags()),
    };
    match tunnel.kind {
        TunnelKind::Ipip if checksum.is_empty() => "Tunnel.ipip()".to_owned(),
        TunnelKind::Gue { port } if checksum.is_empty() => format!("Tunnel.gue({port})"),
        TunnelKind::Gue { port } => format!("Tunnel.gue({port}, {checksum})"),
        TunnelKind::Gre => format!("Tunnel.gre({checksum})"),
        kind => {
            let sep = if checksum.is_empty() { "" } else { ", " };
            format!(
                "Tunnel({}, port={}{sep}{checksum})",
                kind.number(),
                kind.port()
            )
        }
    }
}

/// A real server of a virtual service: address, port, forwarding method, weight and
/// connection thresholds.
///
/// `RealServer(address, port, forward=None, tunnel=None, weight=1, upper_threshold=0,
/// lower_threshold=0)`. `forward` defaults to direct routing, or to tunnelling when a
/// `tunnel` is given; `ForwardMethod.TUNNEL` without a tunnel is IP-in-IP. Weight 0 drains
/// the server: it takes no new connections.
///
/// Real servers order as ipvsadm lists them (`lvs_core::order`): by family, address and
/// port, then by their settings, so that the order agrees with `==`.
#[pyclass(module = "lvs", frozen, eq, hash, ord)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RealServer {
    pub(crate) inner: lvs_core::RealServer,
}

impl Ord for RealServer {
    fn cmp(&self, other: &RealServer) -> std::cmp::Ordering {
        let settings = |s: &lvs_core::RealServer| {
            let tunnel = s.forward.tunnel().unwrap_or_default();
            (
                s.forward.number(),
                tunnel.kind.number(),
                tunnel.kind.port(),
                tunnel.checksum.flags(),
                s.weight,
                s.upper_threshold,
                s.lower_threshold,
            )
        };
        lvs_core::order::cmp_servers(&self.inner, &other.inner)
            .then_with(|| settings(&self.inner).cmp(&settings(&other.inner)))
            .then_with(|| format!("{:?}", self.inner).cmp(&format!("{:?}", other.inner)))
    }
}

impl PartialOrd for RealServer {
    fn partial_cmp(&self, other: &RealServer) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl From<lvs_core::RealServer> for RealServer {
    fn from(inner: lvs_core::RealServer) -> RealServer {
        RealServer { inner }
    }
}

/// The forwarding method from the `forward` and `tunnel` arguments (`None` where not
/// given), starting from `current`.
fn forward_method(
    py: Python<'_>,
    forward: Option<&Bound<'_, PyAny>>,
    tunnel: Option<&Bound<'_, PyAny>>,
    current: ForwardMethod,
) -> PyResult<ForwardMethod> {
    let tunnel = tunnel
        .map(|t| {
            t.cast::<Tunnel>().map(|t| t.get().inner).map_err(|_| {
                PyTypeError::new_err(format!(
                    "tunnel must be an lvs.Tunnel or None, not {}",
                    type_name(t)
                ))
            })
        })
        .transpose()?;
    let number: Option<u32> = forward.map(|f| enum_number(f, "forward")).transpose()?;
    let tunnel_number = ForwardMethod::Tunnel(lvs_core::Tunnel::IPIP).number();
    match (number, tunnel) {
        (None, None) => Ok(current),
        (None, Some(tunnel)) => Ok(ForwardMethod::Tunnel(tunnel)),
        (Some(n), tunnel) if n == tunnel_number => Ok(ForwardMethod::Tunnel(
            tunnel.or(current.tunnel()).unwrap_or_default(),
        )),
        // The kernel keeps 3 bits: 9 would become LOCAL, so numbers above 7 are refused.
        (Some(n), None) => ForwardMethod::try_from_number(n).map_err(|e| model_error(py, e)),
        (Some(_), Some(_)) => Err(invalid_input(
            py,
            "tunnel",
            "a tunnel goes only with ForwardMethod.TUNNEL",
        )),
    }
}

#[pymethods]
impl RealServer {
    #[new]
    #[pyo3(signature = (address, port, *, forward = None, tunnel = None, weight = None, upper_threshold = None, lower_threshold = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        address: &Bound<'_, PyAny>,
        port: &Bound<'_, PyAny>,
        forward: Option<&Bound<'_, PyAny>>,
        tunnel: Option<&Bound<'_, PyAny>>,
        weight: Option<&Bound<'_, PyAny>>,
        upper_threshold: Option<&Bound<'_, PyAny>>,
        lower_threshold: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<RealServer> {
        let base = RealServer::from(lvs_core::RealServer::new(socket_addr(address, port)?));
        base.replace(
            py,
            forward,
            tunnel,
            weight,
            upper_threshold,
            lower_threshold,
        )
    }

    /// A copy with some settings changed (those given), e.g. `server.replace(weight=0)`.
    #[pyo3(signature = (*, forward = None, tunnel = None, weight = None, upper_threshold = None, lower_threshold = None))]
    fn replace(
        &self,
        py: Python<'_>,
        forward: Option<&Bound<'_, PyAny>>,
        tunnel: Option<&Bound<'_, PyAny>>,
        weight: Option<&Bound<'_, PyAny>>,
        upper_threshold: Option<&Bound<'_, PyAny>>,
        lower_threshold: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<RealServer> {
        let mut inner = self.inner;
        inner.forward = forward_method(py, forward, tunnel, inner.forward)?;
        if let Some(weight) = weight {
            inner.weight = number(weight, "weight")?;
        }
        if let Some(upper) = upper_threshold {
            inner.upper_threshold = number(upper, "upper_threshold")?;
        }
        if let Some(lower) = lower_threshold {
            inner.lower_threshold = number(lower, "lower_threshold")?;
        }
        Ok(RealServer { inner })
    }

    /// The server's address as an `ipaddress` object.
    #[getter]
    fn address<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_ip(py, self.inner.addr.ip())
    }

    /// The server's port.
    #[getter]
    fn port(&self) -> u16 {
        self.inner.addr.port()
    }

    /// How packets reach the server (`ForwardMethod`).
    #[getter]
    fn forward<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyEnum::ForwardMethod.member(py, self.inner.forward.number())
    }

    /// The tunnel of a tunnelled server, else `None`.
    #[getter]
    fn tunnel(&self) -> Option<Tunnel> {
        self.inner.forward.tunnel().map(|inner| Tunnel { inner })
    }

    /// The relative weight; 0 takes no new connections.
    #[getter]
    fn weight(&self) -> u32 {
        self.inner.weight
    }

    /// Above this many connections the server takes no new ones (0: no limit).
    #[getter]
    fn upper_threshold(&self) -> u32 {
        self.inner.upper_threshold
    }

    /// Below this many connections an overloaded server is used again.
    #[getter]
    fn lower_threshold(&self) -> u32 {
        self.inner.lower_threshold
    }

    /// The address family (`Family`).
    #[getter]
    fn family<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        super::service::py_family(py, self.inner.family())
    }

    /// The constructor's arguments: `address`, `port`, `forward`, `tunnel`, `weight`,
    /// `upper_threshold`, `lower_threshold` (`dataclasses.asdict` needs a dataclass; this is
    /// its counterpart).
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        pickle::dict(
            py,
            vec![
                ("address", self.address(py)?),
                ("port", self.port().into_pyobject(py)?.into_any()),
                ("forward", self.forward(py)?),
                ("tunnel", self.tunnel().into_pyobject(py)?.into_any()),
                ("weight", self.weight().into_pyobject(py)?.into_any()),
                (
                    "upper_threshold",
                    self.upper_threshold().into_pyobject(py)?.into_any(),
                ),
                (
                    "lower_threshold",
                    self.lower_threshold().into_pyobject(py)?.into_any(),
                ),
            ],
        )
    }

    /// Pickles through the constructor, with the arguments of `_asdict()`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let kwargs = slf.get()._asdict(py)?;
        let args = PyTuple::new(py, [kwargs.get_item("address")?, kwargs.get_item("port")?])?;
        kwargs.del_item("address")?;
        kwargs.del_item("port")?;
        let newobj = py.import("copyreg")?.getattr("__newobj_ex__")?;
        let call = (slf.get_type(), args, kwargs).into_pyobject(py)?;
        PyTuple::new(py, [newobj, call.into_any()])
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
        let mut text = format!("RealServer('{}', {}", s.addr.ip(), s.addr.port());
        match s.forward {
            ForwardMethod::DirectRoute => {}
            ForwardMethod::Masquerade => text.push_str(", forward=ForwardMethod.MASQUERADE"),
            ForwardMethod::Local => text.push_str(", forward=ForwardMethod.LOCAL"),
            ForwardMethod::Bypass => text.push_str(", forward=ForwardMethod.BYPASS"),
            ForwardMethod::Tunnel(t) => text.push_str(&format!(", tunnel={}", tunnel_repr(&t))),
            other => text.push_str(&format!(", forward={}", other.number())),
        }
        text.push_str(&format!(", weight={}", s.weight));
        if s.upper_threshold != 0 || s.lower_threshold != 0 {
            text.push_str(&format!(
                ", upper_threshold={}, lower_threshold={}",
                s.upper_threshold, s.lower_threshold
            ));
        }
        text + ")"
    }
}

/// Reads a real server's address: a `RealServer`, or an `(address, port)` tuple.
pub(crate) fn server_addr_of(value: &Bound<'_, PyAny>) -> PyResult<SocketAddr> {
    if let Ok(server) = value.cast::<RealServer>() {
        return Ok(server.get().inner.addr);
    }
    if let Ok(pair) = value.cast::<PyTuple>() {
        if pair.len() == 2 {
            return socket_addr(&pair.get_item(0)?, &pair.get_item(1)?);
        }
    }
    Err(PyTypeError::new_err(format!(
        "server must be an lvs.RealServer or an (address, port) tuple, not {}",
        type_name(value)
    )))
}

/// Reads a `RealServer` argument.
pub(crate) fn server_of(value: &Bound<'_, PyAny>) -> PyResult<lvs_core::RealServer> {
    value
        .cast::<RealServer>()
        .map(|s| s.get().inner)
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "server must be an lvs.RealServer, not {}",
                type_name(value)
            ))
        })
}
