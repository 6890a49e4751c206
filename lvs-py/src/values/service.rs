//! Virtual services: `ServiceKey`, `Persistence`, `Service`.

use super::pickle;
use pyo3::types::{PyDict, PyTuple};
use std::net::IpAddr;

use lvs_core::{Family, Netmask, Protocol, SchedFlags, Scheduler, ServiceFlags};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyString};

use crate::convert::{enum_number, ip_addr, number, py_ip, socket_addr, string, type_name, PyEnum};
use crate::errors::{invalid_input, model_error, out_of_range};

/// What identifies a virtual service: a protocol with an address and port, or a firewall
/// mark with an address family.
///
/// Build one with `ServiceKey(protocol, address, port)`, `ServiceKey.tcp(address, port)`
/// (also `udp`, `sctp`) or `ServiceKey.fwmark(mark, family=Family.IPV4)`. Addresses are
/// strings or `ipaddress` objects. `str(key)` is ipvsadm's spelling (`TCP 192.0.2.1:80`).
///
/// Keys order as ipvsadm lists services (`lvs_core::order`): address services before
/// firewall-mark ones, then by mark, family, protocol number, address and port.
#[pyclass(module = "lvs", frozen, eq, hash, ord)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServiceKey {
    pub(crate) inner: lvs_core::ServiceKey,
}

impl Ord for ServiceKey {
    fn cmp(&self, other: &ServiceKey) -> std::cmp::Ordering {
        // Keys equal in the listing order but not equal (an IPv6 scope id, which Python
        // keys never have) are told apart so that the order agrees with `==`.
        lvs_core::order::cmp_services(&self.inner, &other.inner)
            .then_with(|| format!("{:?}", self.inner).cmp(&format!("{:?}", other.inner)))
    }
}

impl PartialOrd for ServiceKey {
    fn partial_cmp(&self, other: &ServiceKey) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl From<lvs_core::ServiceKey> for ServiceKey {
    fn from(inner: lvs_core::ServiceKey) -> ServiceKey {
        ServiceKey { inner }
    }
}

fn address_key(
    protocol: Protocol,
    address: &Bound<'_, PyAny>,
    port: &Bound<'_, PyAny>,
) -> PyResult<ServiceKey> {
    let addr = socket_addr(address, port)?;
    Ok(ServiceKey::from(lvs_core::ServiceKey::Addr {
        protocol,
        addr,
    }))
}

/// Reads a `Family` member (or its `AF_*` number).
pub(crate) fn family(value: &Bound<'_, PyAny>) -> PyResult<Family> {
    let af: u16 = enum_number(value, "family")?;
    Family::from_af(af).ok_or_else(|| {
        invalid_input(
            value.py(),
            "family",
            &format!("{af} is not AF_INET or AF_INET6"),
        )
    })
}

pub(crate) fn py_family(py: Python<'_>, family: Family) -> PyResult<Bound<'_, PyAny>> {
    PyEnum::Family.member(py, family.af())
}

#[pymethods]
impl ServiceKey {
    #[new]
    #[pyo3(signature = (protocol, address, port))]
    fn new(
        protocol: &Bound<'_, PyAny>,
        address: &Bound<'_, PyAny>,
        port: &Bound<'_, PyAny>,
    ) -> PyResult<ServiceKey> {
        let protocol = Protocol::from_number(enum_number(protocol, "protocol")?);
        address_key(protocol, address, port)
    }

    /// A TCP service on an address and port.
    #[staticmethod]
    fn tcp(address: &Bound<'_, PyAny>, port: &Bound<'_, PyAny>) -> PyResult<ServiceKey> {
        address_key(Protocol::Tcp, address, port)
    }

    /// A UDP service on an address and port.
    #[staticmethod]
    fn udp(address: &Bound<'_, PyAny>, port: &Bound<'_, PyAny>) -> PyResult<ServiceKey> {
        address_key(Protocol::Udp, address, port)
    }

    /// An SCTP service on an address and port.
    #[staticmethod]
    fn sctp(address: &Bound<'_, PyAny>, port: &Bound<'_, PyAny>) -> PyResult<ServiceKey> {
        address_key(Protocol::Sctp, address, port)
    }

    /// A firewall-mark service (marks are 1..4294967295) for IPv4 or IPv6 traffic.
    #[staticmethod]
    #[pyo3(signature = (mark, family = None))]
    fn fwmark(mark: &Bound<'_, PyAny>, family: Option<&Bound<'_, PyAny>>) -> PyResult<ServiceKey> {
        let py = mark.py();
        let mark = number::<u32>(mark, "fwmark")?;
        let family = family
            .map(self::family)
            .transpose()?
            .unwrap_or(Family::Ipv4);
        // Mark 0 is "no mark" to the kernel, which would file the service as TCP 0.0.0.0:0.
        lvs_core::ServiceKey::try_fwmark(mark, family)
            .map(ServiceKey::from)
            .map_err(|e| model_error(py, e))
    }

    /// The transport protocol (`None` for a firewall-mark service).
    #[getter]
    fn protocol<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.inner {
            lvs_core::ServiceKey::Addr { protocol, .. } => {
                Ok(Some(PyEnum::Protocol.member(py, protocol.number())?))
            }
            _ => Ok(None),
        }
    }

    /// The virtual address as an `ipaddress` object (`None` for a firewall-mark service).
    #[getter]
    fn address<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.inner {
            lvs_core::ServiceKey::Addr { addr, .. } => Ok(Some(py_ip(py, addr.ip())?)),
            _ => Ok(None),
        }
    }

    /// The virtual port (`None` for a firewall-mark service).
    #[getter]
    fn port(&self) -> Option<u16> {
        match self.inner {
            lvs_core::ServiceKey::Addr { addr, .. } => Some(addr.port()),
            _ => None,
        }
    }

    /// The firewall mark (`None` for an address service).
    #[getter]
    fn mark(&self) -> Option<u32> {
        match self.inner {
            lvs_core::ServiceKey::Fwmark { mark, .. } => Some(mark),
            _ => None,
        }
    }

    /// The address family of the service.
    #[getter]
    fn family<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_family(py, self.inner.family())
    }

    /// The key's fields: `protocol`, `address`, `port` (for an address service) or `mark`,
    /// `family` (for a firewall-mark service), as the getters give them.
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        match self.inner {
            lvs_core::ServiceKey::Fwmark { mark, .. } => pickle::dict(
                py,
                vec![
                    ("mark", mark.into_pyobject(py)?.into_any()),
                    ("family", self.family(py)?),
                ],
            ),
            _ => pickle::dict(
                py,
                vec![
                    ("protocol", self.protocol(py)?.into_pyobject(py)?.into_any()),
                    ("address", self.address(py)?.into_pyobject(py)?.into_any()),
                    ("port", self.port().into_pyobject(py)?.into_any()),
                ],
            ),
        }
    }

    /// Pickles through `ServiceKey(protocol, address, port)` or `ServiceKey.fwmark`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        match slf.get().inner {
            lvs_core::ServiceKey::Fwmark { mark, family } => {
                let args = (mark, family.af()).into_pyobject(py)?;
                pickle::by_method(slf.as_any(), "fwmark", args)
            }
            lvs_core::ServiceKey::Addr { protocol, addr } => {
                let args = (protocol.number(), addr.ip().to_string(), addr.port());
                let cls = slf.get_type().into_any();
                PyTuple::new(py, [cls, args.into_pyobject(py)?.into_any()])
            }
            _ => Err(PyTypeError::new_err("this key cannot be pickled")),
        }
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
        key_repr(&self.inner)
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }
}

pub(crate) fn key_repr(key: &lvs_core::ServiceKey) -> String {
    match key {
        lvs_core::ServiceKey::Addr { protocol, addr } => {
            let ip = addr.ip();
            let port = addr.port();
            match protocol {
                Protocol::Tcp => format!("ServiceKey.tcp('{ip}', {port})"),
                Protocol::Udp => format!("ServiceKey.udp('{ip}', {port})"),
                Protocol::Sctp => format!("ServiceKey.sctp('{ip}', {port})"),
                other => format!("ServiceKey({}, '{ip}', {port})", other.number()),
            }
        }
        lvs_core::ServiceKey::Fwmark { mark, family } => match family {
            Family::Ipv4 => format!("ServiceKey.fwmark({mark})"),
            _ => format!("ServiceKey.fwmark({mark}, Family.IPV6)"),
        },
        other => other.to_string(),
    }
}

/// Reads a `ServiceKey`, or the key of a `Service`, wherever a method needs a key.
pub(crate) fn key_of(value: &Bound<'_, PyAny>) -> PyResult<lvs_core::ServiceKey> {
    if let Ok(key) = value.cast::<ServiceKey>() {
        return Ok(key.get().inner);
    }
    if let Ok(service) = value.cast::<Service>() {
        return Ok(service.get().inner.key);
    }
    Err(PyTypeError::new_err(format!(
        "service must be an lvs.ServiceKey or lvs.Service, not {}",
        type_name(value)
    )))
}

/// Persistence of a service: a client keeps its real server for `timeout` seconds after its
/// last connection.
///
/// `netmask` groups clients: an IPv4 mask (`"255.255.255.0"`) for IPv4 services, or a
/// prefix length (an int) for either family: on an IPv4 service `Persistence(300, 24)` means
/// /24, the mask 255.255.255.0 (0 to 32), on an IPv6 one the prefix length (1 to 128); the
/// service then reports the mask. `None` is the full mask (each client on its own). The
/// timeout is 0 to 17179869 seconds (the kernel keeps it in ticks in 32 bits). `engine`
/// names a persistence engine such as `"sip"`.
#[pyclass(module = "lvs", frozen, eq, hash)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Persistence {
    pub(crate) timeout: u32,
    pub(crate) netmask: Option<Netmask>,
    pub(crate) engine: Option<String>,
}

/// Reads a netmask: an IPv4 mask, or an int prefix length (kept as a length until the
/// service's family says what it means, see `service_netmask`).
fn netmask(value: &Bound<'_, PyAny>) -> PyResult<Option<Netmask>> {
    let mask = if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
        let len = number::<u32>(value, "netmask")?;
        if len > 128 {
            return Err(out_of_range(
                value,
                "netmask",
                &format!(
                    "prefix length {len} is out of range (0 to 32 for IPv4, 1 to 128 for IPv6)"
                ),
            ));
        }
        Netmask::V6Prefix(len)
    } else if value.is_instance_of::<PyString>() || value.hasattr("packed")? {
        match ip_addr(value, "netmask")? {
            IpAddr::V4(mask) => Netmask::V4(mask),
            IpAddr::V6(_) => {
                return Err(invalid_input(
                    value.py(),
                    "netmask",
                    "an IPv6 service's netmask is a prefix length (an int)",
                ))
            }
        }
    } else {
        return Err(PyTypeError::new_err(format!(
            "netmask must be an IPv4 mask (str or IPv4Address) or a prefix length (int), not {}",
            type_name(value)
        )));
    };
    Ok((!mask.is_full()).then_some(mask))
}

fn py_netmask(py: Python<'_>, mask: Option<Netmask>) -> PyResult<Option<Bound<'_, PyAny>>> {
    match mask {
        None => Ok(None),
        Some(Netmask::V4(mask)) => Ok(Some(py_ip(py, IpAddr::V4(mask))?)),
        Some(Netmask::V6Prefix(prefix)) => Ok(Some(prefix.into_pyobject(py)?.into_any())),
        Some(_) => Ok(None),
    }
}

#[pymethods]
impl Persistence {
    #[new]
    #[pyo3(signature = (timeout = None, netmask = None, engine = None))]
    fn new(
        timeout: Option<&Bound<'_, PyAny>>,
        netmask: Option<&Bound<'_, PyAny>>,
        engine: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Persistence> {
        let timeout = match timeout {
            None => lvs_core::DEFAULT_PERSISTENCE_TIMEOUT,
            Some(t) => {
                let seconds: u32 = number(t, "timeout")?;
                // The kernel keeps it in ticks in 32 bits: a longer one would wrap.
                if seconds > lvs_core::validate::MAX_PERSISTENCE_TIMEOUT {
                    return Err(out_of_range(
                        t,
                        "timeout",
                        &format!(
                            "{seconds} is out of range (a persistence timeout is 0 to {} seconds)",
                            lvs_core::validate::MAX_PERSISTENCE_TIMEOUT
                        ),
                    ));
                }
                seconds
            }
        };
        Ok(Persistence {
            timeout,
            netmask: netmask.map(self::netmask).transpose()?.flatten(),
            engine: engine.map(|e| string(e, "engine")).transpose()?,
        })
    }

    /// Seconds a client's affinity lasts after its last connection.
    #[getter]
    fn timeout(&self) -> u32 {
        self.timeout
    }

    /// The client grouping: an `IPv4Address` mask, an IPv6 prefix length, or `None` for
    /// the full mask.
    #[getter]
    fn netmask<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        py_netmask(py, self.netmask)
    }

    /// The persistence engine (`"sip"`), or `None`.
    #[getter]
    fn engine(&self) -> Option<String> {
        self.engine.clone()
    }

    /// The constructor's arguments: `timeout`, `netmask`, `engine`.
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        pickle::dict(
            py,
            vec![
                ("timeout", self.timeout.into_pyobject(py)?.into_any()),
                ("netmask", self.netmask(py)?.into_pyobject(py)?.into_any()),
                ("engine", self.engine().into_pyobject(py)?.into_any()),
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
        let mut text = format!("Persistence(timeout={}", self.timeout);
        match self.netmask {
            Some(Netmask::V4(mask)) => text.push_str(&format!(", netmask='{mask}'")),
            Some(Netmask::V6Prefix(prefix)) => text.push_str(&format!(", netmask={prefix}")),
            _ => {}
        }
        if let Some(engine) = &self.engine {
            text.push_str(&format!(", engine={engine:?}"));
        }
        text + ")"
    }
}

/// A virtual service: its key, scheduler, persistence, one-packet scheduling and scheduler
/// flags.
///
/// `Service(key, scheduler=Scheduler.WLC, persistence=None, one_packet=False,
/// sched_flags=SchedFlags(0))` has ipvsadm's defaults. Services read from a backend compare
/// equal to the service that was added (the kernel's internal `HASHED` flag is left out).
#[pyclass(module = "lvs", frozen, eq, hash)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Service {
    pub(crate) inner: lvs_core::Service,
}

impl Service {
    /// A service as a backend lists it, without the kernel's `HASHED` flag.
    pub(crate) fn listed(inner: lvs_core::Service) -> Service {
        Service {
            inner: inner.as_configured(),
        }
    }
}

/// The netmask a persistence netmask means on a service of `key`'s family.
///
/// An int is a prefix length on both families: on IPv4 it becomes the mask with that many
/// leading ones (`Persistence(300, 24)` is 255.255.255.0), 0 to 32; on IPv6 it is the
/// kernel's prefix length, 1 to 128. An IPv4 mask on an IPv6 service is refused: the kernel
/// would read its bytes as a number.
fn service_netmask(py: Python<'_>, key: lvs_core::ServiceKey, mask: Netmask) -> PyResult<Netmask> {
    match (key.family(), mask) {
        (family, Netmask::V6Prefix(len)) => {
            Netmask::from_prefix(family, len).map_err(|e| model_error(py, e))
        }
        (Family::Ipv6, Netmask::V4(mask)) => Err(invalid_input(
            py,
            "netmask",
            &format!(
                "an IPv6 service's netmask is a prefix length (an int from 1 to 128), not the \
                 mask {mask}"
            ),
        )),
        (_, mask) => Ok(mask),
    }
}

fn sched_flags(value: &Bound<'_, PyAny>) -> PyResult<SchedFlags> {
    let bits: u32 = enum_number(value, "sched_flags")?;
    SchedFlags::from_bits(bits).ok_or_else(|| {
        invalid_input(
            value.py(),
            "sched_flags",
            &format!("{bits:#x} has bits other than FLAG_1, FLAG_2, FLAG_3"),
        )
    })
}

#[pymethods]
impl Service {
    #[new]
    #[pyo3(signature = (key, *, scheduler = None, persistence = None, one_packet = false, sched_flags = None))]
    fn new(
        key: &Bound<'_, PyAny>,
        scheduler: Option<&Bound<'_, PyAny>>,
        persistence: Option<&Bound<'_, PyAny>>,
        one_packet: bool,
        sched_flags: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Service> {
        let key = match key.cast::<ServiceKey>() {
            Ok(key) => key.get().inner,
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "key must be an lvs.ServiceKey, not {}",
                    type_name(key)
                )))
            }
        };
        let mut inner = lvs_core::Service::new(key);
        if let Some(scheduler) = scheduler {
            inner = inner.with_scheduler(Scheduler::from_name(&string(scheduler, "scheduler")?));
        }
        if let Some(persistence) = persistence {
            let persistence = persistence.cast::<Persistence>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "persistence must be an lvs.Persistence or None, not {}",
                    type_name(persistence)
                ))
            })?;
            let p = persistence.get();
            inner = inner.persistent(p.timeout);
            if let Some(mask) = p.netmask {
                inner = inner.with_netmask(service_netmask(persistence.py(), key, mask)?);
            }
            if let Some(engine) = &p.engine {
                inner = inner.with_pe_name(engine.clone());
            }
        }
        if one_packet {
            inner = inner.one_packet();
        }
        if let Some(flags) = sched_flags {
            inner = inner.with_sched_flags(self::sched_flags(flags)?);
        }
        Ok(Service { inner })
    }

    /// The service's key.
    #[getter]
    fn key(&self) -> ServiceKey {
        ServiceKey::from(self.inner.key)
    }

    /// The scheduler (a `Scheduler` member; unknown names become pseudo-members).
    #[getter]
    fn scheduler<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyEnum::Scheduler.member(py, self.inner.scheduler.name())
    }

    /// The persistence settings, or `None` if the service is not persistent.
    #[getter]
    fn persistence(&self) -> Option<Persistence> {
        self.inner.persistence().map(|p| Persistence {
            timeout: p.timeout,
            netmask: (!p.netmask.is_full()).then_some(p.netmask),
            engine: p.engine,
        })
    }

    /// Whether one-packet scheduling is on (UDP and firewall-mark services).
    #[getter]
    fn one_packet(&self) -> bool {
        self.inner.flags.contains(ServiceFlags::ONE_PACKET)
    }

    /// The scheduler flags (`SchedFlags`, such as `SchedFlags.SH_PORT`).
    #[getter]
    fn sched_flags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyEnum::SchedFlags.member(py, self.inner.sched_flags().bits())
    }

    /// The raw flags word (`IP_VS_SVC_F_*`) without `HASHED`, unknown bits included.
    #[getter]
    fn flags(&self) -> u32 {
        self.inner.flags.bits()
    }

    /// The constructor's arguments: `key`, `scheduler`, `persistence`, `one_packet`,
    /// `sched_flags`.
    fn _asdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        pickle::dict(
            py,
            vec![
                ("key", self.key().into_pyobject(py)?.into_any()),
                ("scheduler", self.scheduler(py)?),
                (
                    "persistence",
                    self.persistence().into_pyobject(py)?.into_any(),
                ),
                (
                    "one_packet",
                    self.one_packet().into_pyobject(py)?.to_owned().into_any(),
                ),
                ("sched_flags", self.sched_flags(py)?),
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
        let mut text = format!(
            "Service({}, scheduler='{}'",
            key_repr(&self.inner.key),
            self.inner.scheduler
        );
        if let Some(p) = self.persistence() {
            text.push_str(&format!(", persistence={}", p.__repr__()));
        }
        if self.one_packet() {
            text.push_str(", one_packet=True");
        }
        let flags = self.inner.sched_flags();
        if !flags.is_empty() {
            text.push_str(&format!(", sched_flags=SchedFlags({})", flags.bits()));
        }
        text + ")"
    }
}
