//! Sysctl values between Python and lvs-core: `int` (a switch, mode, count or seconds),
//! `tuple[int, int]` (`sync_threshold`) and `str` (a CPU list, or a knob lvs does not know).
//! Which values a knob takes is lvs-core's check, made by the backends.

use lvs_core::sysctl::SysctlValue;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyList, PyString, PyTuple};

use crate::convert::type_name;
use crate::errors::out_of_range;

/// Reads a value to set: a bool (1 or 0), an int, a pair of ints, or a str (read as the
/// knob's kind by the backend's check).
pub(crate) fn value_of(value: &Bound<'_, PyAny>) -> PyResult<SysctlValue> {
    if value.is_instance_of::<PyBool>() {
        return Ok(SysctlValue::from(value.extract::<bool>()?));
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(n) = value.extract::<i64>() {
            return Ok(SysctlValue::Integer(n));
        }
        return value
            .extract::<u64>()
            .map(SysctlValue::Unsigned)
            .map_err(|_| {
                out_of_range(
                    value,
                    "value",
                    &format!("{value} is out of range (a sysctl is -2**63 to 2**64 - 1)"),
                )
            });
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(SysctlValue::Text(text.to_cow()?.into_owned()));
    }
    if value.is_instance_of::<PyTuple>() || value.is_instance_of::<PyList>() {
        let items: Vec<Bound<'_, PyAny>> = value.try_iter()?.collect::<PyResult<_>>()?;
        let int = |v: &Bound<'_, PyAny>| {
            if v.is_instance_of::<PyBool>() || !v.is_instance_of::<PyInt>() {
                return Err(PyTypeError::new_err(format!(
                    "a sysctl pair holds two ints, not {}",
                    type_name(v)
                )));
            }
            v.extract::<i64>()
                .map_err(|_| out_of_range(v, "value", &format!("{v} is out of range")))
        };
        if let [a, b] = &items[..] {
            return Ok(SysctlValue::Pair(int(a)?, int(b)?));
        }
        return Err(PyTypeError::new_err(format!(
            "a sysctl pair holds two ints, not {}",
            items.len()
        )));
    }
    Err(PyTypeError::new_err(format!(
        "a sysctl value is an int, a bool, a pair of ints or a str, not {}",
        type_name(value)
    )))
}

/// A value as Python sees it.
pub(crate) fn py_value<'py>(py: Python<'py>, value: &SysctlValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        SysctlValue::Integer(n) => n.into_pyobject(py)?.into_any(),
        SysctlValue::Unsigned(n) => n.into_pyobject(py)?.into_any(),
        SysctlValue::Pair(a, b) => (a, b).into_pyobject(py)?.into_any(),
        SysctlValue::Text(t) => t.into_pyobject(py)?.into_any(),
        other => other.to_string().into_pyobject(py)?.into_any(),
    })
}
