//! What makes the value objects behave like Python values: `copy`, `pickle` and `_asdict`.
//!
//! The values are immutable pyo3 classes, so a copy (shallow or deep) is the value itself,
//! and pickling rebuilds a value through its public constructor (or the static method that
//! built it) from the same arguments a user would pass: whatever unpickles it checks it
//! like any other input, and a value pickled by one version of lvs reads in another.
//! `dataclasses.asdict` needs a dataclass, which a pyo3 class is not; `_asdict()` (the name
//! `collections.namedtuple` uses) gives the same dict of constructor arguments instead.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// `__reduce__`'s answer for a value its constructor rebuilds from keyword arguments:
/// `copyreg.__newobj_ex__(cls, (), kwargs)` calls `cls.__new__(cls, **kwargs)`, the
/// constructor of a pyo3 class, and pickles on every protocol.
pub(crate) fn by_constructor<'py>(
    value: &Bound<'py, PyAny>,
    kwargs: Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyTuple>> {
    let py = value.py();
    let newobj = py.import("copyreg")?.getattr("__newobj_ex__")?;
    let args = PyTuple::new(
        py,
        [
            value.get_type().into_any(),
            PyTuple::empty(py).into_any(),
            kwargs.into_any(),
        ],
    )?;
    PyTuple::new(py, [newobj, args.into_any()])
}

/// `__reduce__`'s answer for a value built by a static method of its class
/// (`ServiceKey.fwmark`, `Operation.add_service`): the method pickles as the class and its
/// name.
pub(crate) fn by_method<'py>(
    value: &Bound<'py, PyAny>,
    name: &str,
    args: Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyTuple>> {
    let method = value.get_type().getattr(name)?;
    PyTuple::new(value.py(), [method, args.into_any()])
}

/// A dict from `(name, value)` pairs, in order.
pub(crate) fn dict<'py>(
    py: Python<'py>,
    items: Vec<(&str, Bound<'py, PyAny>)>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (name, value) in items {
        dict.set_item(name, value)?;
    }
    Ok(dict)
}
