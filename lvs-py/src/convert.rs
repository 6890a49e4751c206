//! Conversions between Python values and lvs-core's: addresses, ports and the Python enums
//! of `lvs._enums`.
//!
//! The enums are real `enum.Enum` classes defined in Python (so they iterate, pickle and
//! print like every other enum); the native side reads their values on the way in and builds
//! members on the way out. Values a kernel may report that the enums have no member for
//! become pseudo-members there (the enums' `_missing_`), so nothing is lost.

use std::net::{IpAddr, SocketAddr};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyString};

use crate::errors::{invalid_input, out_of_range};
// Re-exported: the values modules take every conversion from here.
pub(crate) use crate::enums::{py_ip, PyEnum};

/// An unsigned integer type a Python int is read into, with its range in words.
pub(crate) trait Bounded: TryFrom<u64> {
    /// The largest value.
    const MAX: u64;
}

impl Bounded for u8 {
    const MAX: u64 = u8::MAX as u64;
}
impl Bounded for u16 {
    const MAX: u64 = u16::MAX as u64;
}
impl Bounded for u32 {
    const MAX: u64 = u32::MAX as u64;
}
impl Bounded for u64 {
    const MAX: u64 = u64::MAX;
}

/// Reads an int (already known to be one) into `T`, or an `lvs.OutOfRange` that names the
/// field and its range ("0 to 65535"), in Python's words rather than the Rust type's.
fn bounded<T: Bounded>(value: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    value
        .extract::<u64>()
        .ok()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| {
            out_of_range(
                value,
                what,
                &format!("{value} is out of range ({what} is 0 to {})", T::MAX),
            )
        })
}

/// Reads an integer enum member (or a plain int) as a number, refusing bools and other types
/// with a `TypeError` that names the parameter.
pub(crate) fn enum_number<T: Bounded>(value: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an lvs.{what_type} (or its number), not {}",
            type_name(value),
            what_type = enum_type_name(what)
        )));
    }
    bounded(value, what)
}

fn enum_type_name(what: &str) -> &str {
    match what {
        "protocol" => "Protocol",
        "family" => "Family",
        "forward" => "ForwardMethod",
        "kind" => "TunnelKind",
        "checksum" => "TunnelChecksum",
        "role" => "DaemonRole",
        "sched_flags" => "SchedFlags",
        other => other,
    }
}

/// A Python object's type name, for error messages.
pub(crate) fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an unknown type".to_owned())
}

/// Reads a `str` (including a `str` enum member such as `lvs.Scheduler.RR`).
pub(crate) fn string(value: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    match value.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{what} must be a str, not {}",
            type_name(value)
        ))),
    }
}

/// Reads an int that must fit `T`, with a `TypeError` for other types and an
/// `lvs.OutOfRange` for numbers outside `T`.
pub(crate) fn number<T: Bounded>(value: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int, not {}",
            type_name(value)
        )));
    }
    bounded(value, what)
}

/// Reads an IP address: a `str` such as `"192.0.2.1"` or `"2001:db8::1"`, or an
/// `ipaddress.IPv4Address` / `IPv6Address`.
pub(crate) fn ip_addr(value: &Bound<'_, PyAny>, what: &str) -> PyResult<IpAddr> {
    if let Ok(s) = value.cast::<PyString>() {
        let text = s.to_cow()?;
        return text.parse().map_err(|_| {
            invalid_input(
                value.py(),
                what,
                &format!("{text:?} is not an IPv4 or IPv6 address"),
            )
        });
    }
    let is_ipaddress = ["IPv4Address", "IPv6Address"].contains(&type_name(value).as_str());
    if is_ipaddress {
        if let Ok(addr) = value.extract::<IpAddr>() {
            return Ok(addr);
        }
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be a str or an ipaddress.IPv4Address/IPv6Address, not {}",
        type_name(value)
    )))
}

/// Reads an address and a port into a socket address.
pub(crate) fn socket_addr(
    address: &Bound<'_, PyAny>,
    port: &Bound<'_, PyAny>,
) -> PyResult<SocketAddr> {
    Ok(SocketAddr::new(
        ip_addr(address, "address")?,
        number::<u16>(port, "port")?,
    ))
}
