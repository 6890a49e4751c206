//! The Python classes the native side names: the enums of `lvs._enums`, imported by name
//! from this one place, and `ipaddress` objects.
//!
//! It is its own module so that both the conversions (`convert`) and the exceptions
//! (`errors`) can build members without depending on each other: `convert` reports bad
//! input through `errors`, and `errors` builds enum members and addresses from here.

use std::net::IpAddr;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// The Python enum classes of `lvs._enums`, each imported once.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PyEnum {
    Protocol,
    Family,
    Scheduler,
    ForwardMethod,
    TunnelKind,
    TunnelChecksum,
    DaemonRole,
    SchedFlags,
    ErrorKind,
    Outcome,
}

impl PyEnum {
    fn name(self) -> &'static str {
        match self {
            PyEnum::Protocol => "Protocol",
            PyEnum::Family => "Family",
            PyEnum::Scheduler => "Scheduler",
            PyEnum::ForwardMethod => "ForwardMethod",
            PyEnum::TunnelKind => "TunnelKind",
            PyEnum::TunnelChecksum => "TunnelChecksum",
            PyEnum::DaemonRole => "DaemonRole",
            PyEnum::SchedFlags => "SchedFlags",
            PyEnum::ErrorKind => "ErrorKind",
            PyEnum::Outcome => "Outcome",
        }
    }

    fn class<'py>(self, py: Python<'py>) -> PyResult<&'py Bound<'py, PyType>> {
        static CLASSES: [PyOnceLock<Py<PyType>>; 10] = [const { PyOnceLock::new() }; 10];
        CLASSES[self as usize].import(py, "lvs._enums", self.name())
    }

    /// Imports every class, so that a class renamed in `lvs._enums` fails when `lvs` is
    /// imported (see `errors::check_names`).
    pub(crate) fn check_all(py: Python<'_>) -> PyResult<()> {
        use PyEnum as E;
        for e in [
            E::Protocol,
            E::Family,
            E::Scheduler,
            E::ForwardMethod,
            E::TunnelKind,
            E::TunnelChecksum,
            E::DaemonRole,
            E::SchedFlags,
            E::ErrorKind,
            E::Outcome,
        ] {
            e.class(py)?;
        }
        // `lvs.Scheduler` lists the schedulers again (a Python enum cannot be written from
        // Rust); its members must be lvs-core's list, `none` included. Its `_missing_`
        // accepts any name, so compare the members themselves.
        let mut python: Vec<String> = E::Scheduler
            .class(py)?
            .try_iter()?
            .map(|m| m?.getattr("value")?.extract::<String>())
            .collect::<PyResult<_>>()?;
        let mut rust: Vec<String> = lvs_core::Scheduler::KNOWN
            .iter()
            .chain([&lvs_core::Scheduler::None])
            .map(|s| s.name().to_owned())
            .collect();
        python.sort();
        rust.sort();
        if python != rust {
            return Err(pyo3::exceptions::PyImportError::new_err(format!(
                "lvs.Scheduler has {python:?}, lvs-core knows {rust:?}"
            )));
        }
        Ok(())
    }

    /// The member of this enum for a value (an int or a str, depending on the enum).
    pub(crate) fn member<'py, V>(self, py: Python<'py>, value: V) -> PyResult<Bound<'py, PyAny>>
    where
        V: IntoPyObject<'py>,
    {
        self.class(py)?.call1((value,))
    }
}

/// An IP address as an `ipaddress` object.
pub(crate) fn py_ip(py: Python<'_>, addr: IpAddr) -> PyResult<Bound<'_, PyAny>> {
    addr.into_pyobject(py)
}
