//! The one place where lvs's Rust errors become Python exceptions.
//!
//! The exception classes are defined in Python (`lvs/_errors.py`), where multiple
//! inheritance from builtins (`PermissionError`, `TimeoutError`, `ValueError`) is natural;
//! this module picks the class from the model's error variant, or else from its
//! [`ErrorKind`], and fills in errno, kind, the kernel's message and the variant's fields.
//!
//! Errors are first captured as a [`Failure`], which holds no Python object, so that
//! backends can fail while the GIL is released.

use std::net::SocketAddr;

use lvs_core::plan::PlanApplyError;
use lvs_core::rules::RuleError;
use lvs_core::{ApplyError, Classify, ErrorKind, Outcome};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule, PyTuple};

use crate::enums::{py_ip, PyEnum};
use crate::values::ServiceKey;

/// An error of a backend or of the model, captured without the GIL.
#[derive(Debug)]
pub(crate) struct Failure {
    kind: ErrorKind,
    message: String,
    errno: Option<i32>,
    kernel_message: Option<String>,
    // Boxed: the model's error is large and a `Failure` travels in every `Result`.
    model: Option<Box<lvs_core::Error>>,
}

impl From<lvs_core::Error> for Failure {
    fn from(error: lvs_core::Error) -> Failure {
        Failure {
            kind: error.kind(),
            message: error.to_string(),
            errno: Some(lvs_sys::model_errno(&error)),
            kernel_message: None,
            model: Some(Box::new(error)),
        }
    }
}

impl From<lvs_sys::Error> for Failure {
    fn from(error: lvs_sys::Error) -> Failure {
        let model = error.ipvs_error().cloned().map(Box::new);
        Failure {
            kind: error.kind(),
            message: error.to_string(),
            // Refused before sending: the errno the kernel gives for the same mistake.
            errno: error
                .errno()
                .or_else(|| model.as_deref().map(lvs_sys::model_errno)),
            kernel_message: error.kernel_message().map(str::to_owned),
            model,
        }
    }
}

/// Each kind with its `lvs.ErrorKind` member (by value) and the class of `lvs/_errors.py`
/// for an error of that kind that has no model variant to say more. The one table of
/// them: [`kind_value`], [`class_of_kind`] and the import-time check ([`check_names`])
/// read it.
const KINDS: [(ErrorKind, &str, &str); 10] = [
    (ErrorKind::NotFound, "not_found", "NotFound"),
    (ErrorKind::AlreadyExists, "already_exists", "AlreadyExists"),
    (ErrorKind::InvalidInput, "invalid_input", "InvalidInput"),
    (ErrorKind::OutOfRange, "out_of_range", "OutOfRange"),
    (ErrorKind::Unsupported, "unsupported", "Unsupported"),
    (
        ErrorKind::PermissionDenied,
        "permission_denied",
        "LvsPermissionError",
    ),
    (
        ErrorKind::IpvsUnavailable,
        "ipvs_unavailable",
        "IpvsUnavailable",
    ),
    (ErrorKind::TimedOut, "timed_out", "TimedOut"),
    (ErrorKind::Syntax, "syntax", "RuleSyntaxError"),
    (ErrorKind::Io, "io", "LvsOSError"),
];

/// The member and class of a kind not in [`KINDS`] (`ErrorKind::Other`, a newer kind).
const OTHER_KIND: (&str, &str) = ("other", "LvsError");

/// The classes of `lvs/_errors.py` for the model's error variants (see [`build`]).
const MODEL_CLASSES: [&str; 11] = [
    "ServiceNotFound",
    "ServiceExists",
    "SchedulerNotFound",
    "ServerNotFound",
    "ServerExists",
    "DaemonRunning",
    "DaemonNotRunning",
    "InterfaceNotFound",
    "Unsupported",
    "SysctlUnavailable",
    "SysctlRefused",
];

/// The `lvs.Outcome` members, by value: applied, failed, not sent, unknown.
const OUTCOMES: [&str; 4] = ["applied", "failed", "not_sent", "unknown"];

/// The name of the `lvs.ErrorKind` member of a kind.
fn kind_value(kind: ErrorKind) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map_or(OTHER_KIND.0, |(_, value, _)| value)
}

/// The class of `lvs/_errors.py` for a kind that has no model variant to say more.
fn class_of_kind(kind: ErrorKind) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map_or(OTHER_KIND.1, |(_, _, class)| class)
}

/// Checks, when `lvs` is imported, that every Python name this crate builds exceptions
/// and enum members from exists, so that a rename on the Python side fails at once rather
/// than on the rare error path that would use it.
#[pyfunction]
#[pyo3(name = "_check_names")]
pub(crate) fn check_names(py: Python<'_>) -> PyResult<()> {
    PyEnum::check_all(py)?;
    for (_, value, class) in KINDS {
        PyEnum::ErrorKind.member(py, value)?;
        error_class(py, class)?;
    }
    PyEnum::ErrorKind.member(py, OTHER_KIND.0)?;
    error_class(py, OTHER_KIND.1)?;
    for class in MODEL_CLASSES {
        error_class(py, class)?;
    }
    for value in OUTCOMES {
        PyEnum::Outcome.member(py, value)?;
    }
    Ok(())
}

fn error_class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("lvs._errors")?.unbind()))?
        .bind(py)
        .getattr(name)
}

fn server_tuple(py: Python<'_>, server: SocketAddr) -> PyResult<Bound<'_, PyTuple>> {
    PyTuple::new(
        py,
        [
            py_ip(py, server.ip())?,
            server.port().into_pyobject(py)?.into_any(),
        ],
    )
}

fn service_key(py: Python<'_>, key: lvs_core::ServiceKey) -> PyResult<Bound<'_, ServiceKey>> {
    Bound::new(py, ServiceKey::from(key))
}

/// What a batch's exception carries besides its failure: the failed operation's position
/// and every operation's outcome, and for a plan whether the undo was complete.
struct BatchAttributes<'a> {
    index: usize,
    outcomes: &'a [&'a str],
    rolled_back: Option<bool>,
}

/// Builds the exception: picks the class and sets the attributes it documents.
fn build(py: Python<'_>, failure: Failure, batch: Option<BatchAttributes<'_>>) -> PyResult<PyErr> {
    use lvs_core::Error as E;
    let extra = PyDict::new(py);
    let class = match failure.model.as_deref() {
        Some(E::ServiceNotFound(key)) => {
            extra.set_item("service", service_key(py, *key)?)?;
            MODEL_CLASSES[0]
        }
        Some(E::ServiceExists(key)) => {
            extra.set_item("service", service_key(py, *key)?)?;
            MODEL_CLASSES[1]
        }
        Some(E::SchedulerNotFound { name }) => {
            extra.set_item("name", name)?;
            MODEL_CLASSES[2]
        }
        Some(E::ServerNotFound { service, server }) => {
            extra.set_item("service", service_key(py, *service)?)?;
            extra.set_item("server", server_tuple(py, *server)?)?;
            MODEL_CLASSES[3]
        }
        Some(E::ServerExists { service, server }) => {
            extra.set_item("service", service_key(py, *service)?)?;
            extra.set_item("server", server_tuple(py, *server)?)?;
            MODEL_CLASSES[4]
        }
        Some(E::DaemonRunning(role)) => {
            extra.set_item("role", PyEnum::DaemonRole.member(py, role.number())?)?;
            MODEL_CLASSES[5]
        }
        Some(E::DaemonNotRunning(role)) => {
            extra.set_item("role", PyEnum::DaemonRole.member(py, role.number())?)?;
            MODEL_CLASSES[6]
        }
        Some(E::InterfaceNotFound(name)) => {
            extra.set_item("interface", name)?;
            MODEL_CLASSES[7]
        }
        Some(E::Invalid { field, .. }) => {
            extra.set_item("field", field)?;
            class_of_kind(ErrorKind::InvalidInput)
        }
        Some(E::OutOfRange { field, value, .. }) => {
            extra.set_item("field", field)?;
            extra.set_item("value", value)?;
            class_of_kind(ErrorKind::OutOfRange)
        }
        Some(E::Unsupported(_)) => MODEL_CLASSES[8],
        Some(E::SysctlUnavailable { name, kernel }) => {
            extra.set_item("name", name)?;
            extra.set_item("kernel", kernel)?;
            MODEL_CLASSES[9]
        }
        Some(E::SysctlRefused { name, value, .. }) => {
            extra.set_item("field", name)?;
            extra.set_item("name", name)?;
            extra.set_item("value", value)?;
            MODEL_CLASSES[10]
        }
        _ => class_of_kind(failure.kind),
    };
    let kwargs = extra;
    kwargs.set_item("errno", failure.errno)?;
    kwargs.set_item(
        "kind",
        PyEnum::ErrorKind.member(py, kind_value(failure.kind))?,
    )?;
    kwargs.set_item("kernel_message", failure.kernel_message)?;
    if let Some(batch) = batch {
        let members = batch
            .outcomes
            .iter()
            .map(|o| PyEnum::Outcome.member(py, *o))
            .collect::<PyResult<Vec<_>>>()?;
        kwargs.set_item("index", batch.index)?;
        kwargs.set_item("outcomes", PyTuple::new(py, members)?)?;
        kwargs.set_item("rolled_back", batch.rolled_back)?;
    }
    let exception = error_class(py, class)?.call((failure.message,), Some(&kwargs))?;
    Ok(PyErr::from_value(exception))
}

impl Failure {
    /// The Python exception of this failure.
    pub(crate) fn into_pyerr(self, py: Python<'_>) -> PyErr {
        build(py, self, None).unwrap_or_else(|e| e)
    }
}

/// A batch that did not fully apply, captured without the GIL.
#[derive(Debug)]
pub(crate) struct BatchFailure(ApplyError<Failure>);

impl<E: Into<Failure>> From<ApplyError<E>> for BatchFailure {
    fn from(error: ApplyError<E>) -> BatchFailure {
        let outcomes = error
            .outcomes
            .into_iter()
            .map(|outcome| match outcome {
                Outcome::Applied => Outcome::Applied,
                Outcome::Failed(e) => Outcome::Failed(e.into()),
                Outcome::NotSent => Outcome::NotSent,
                _ => Outcome::Unknown,
            })
            .collect();
        BatchFailure(ApplyError { outcomes })
    }
}

impl BatchFailure {
    /// The exception of the first failed operation, with the batch's outcomes attached
    /// (`index`, `outcomes`).
    pub(crate) fn into_pyerr(self, py: Python<'_>) -> PyErr {
        self.into_pyerr_with(py, None, None)
    }

    /// As [`BatchFailure::into_pyerr`], with `message` instead of the failed operation's
    /// own when given, and `rolled_back` set.
    fn into_pyerr_with(
        self,
        py: Python<'_>,
        message: Option<String>,
        rolled_back: Option<bool>,
    ) -> PyErr {
        let names: Vec<&str> = self
            .0
            .outcomes
            .iter()
            .map(|o| match o {
                Outcome::Applied => OUTCOMES[0],
                Outcome::Failed(_) => OUTCOMES[1],
                Outcome::NotSent => OUTCOMES[2],
                _ => OUTCOMES[3],
            })
            .collect();
        let first = self
            .0
            .outcomes
            .into_iter()
            .enumerate()
            .find_map(|(i, o)| match o {
                Outcome::Failed(e) => Some((i, e)),
                _ => None,
            });
        let (index, failure) = first.unwrap_or_else(|| {
            let failure = Failure {
                kind: ErrorKind::Other,
                message: "the batch's answers were lost; read the table to see what applied"
                    .to_owned(),
                errno: None,
                kernel_message: None,
                model: None,
            };
            (0, failure)
        });
        let failure = match message {
            Some(message) => Failure { message, ..failure },
            None => failure,
        };
        let batch = BatchAttributes {
            index,
            outcomes: &names,
            rolled_back,
        };
        build(py, failure, Some(batch)).unwrap_or_else(|e| e)
    }
}

/// A plan that did not apply (`IpvsHandle.apply_plan`), captured without the GIL: the
/// failed operation with the batch's outcomes, and what undoing the rest achieved.
#[derive(Debug)]
pub(crate) struct PlanFailure {
    batch: BatchFailure,
    message: String,
    rolled_back: bool,
}

impl PlanFailure {
    /// The failure of `plan`'s apply, its message saying whether the table is back as it
    /// was, then the failed operation's rule line (as lvsctl and C say it).
    pub(crate) fn new<E>(error: PlanApplyError<E>, plan: &lvs_core::plan::Plan) -> PlanFailure
    where
        E: Into<Failure> + std::fmt::Display,
    {
        let line = error
            .failure
            .first_failure()
            .and_then(|(i, _)| plan.operations.get(i))
            .and_then(|op| lvs_core::rules::operation_line(op).ok())
            .map(|line| format!(" ({line})"))
            .unwrap_or_default();
        PlanFailure {
            message: format!("{error}{line}"),
            rolled_back: error.rollback.is_complete(),
            batch: BatchFailure::from(error.failure),
        }
    }

    /// The exception of the failed operation, with `index`, `outcomes` and `rolled_back`.
    pub(crate) fn into_pyerr(self, py: Python<'_>) -> PyErr {
        self.batch
            .into_pyerr_with(py, Some(self.message), Some(self.rolled_back))
    }
}

/// An `lvs.InvalidInput` for a field, raised before anything reaches a backend.
pub(crate) fn invalid_input(py: Python<'_>, field: &str, reason: &str) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("field", field)?;
        kwargs.set_item("errno", libc::EINVAL)?;
        kwargs.set_item(
            "kind",
            PyEnum::ErrorKind.member(py, kind_value(ErrorKind::InvalidInput))?,
        )?;
        let message = format!("invalid {field}: {reason}");
        let exception = error_class(py, class_of_kind(ErrorKind::InvalidInput))?
            .call((message,), Some(&kwargs))?;
        Ok(PyErr::from_value(exception))
    };
    build().unwrap_or_else(|e| e)
}

/// An `lvs.OutOfRange` for a field whose number (`value`, the Python int as given) is
/// outside what it can mean, raised before anything reaches a backend.
pub(crate) fn out_of_range(value: &Bound<'_, PyAny>, field: &str, reason: &str) -> PyErr {
    let py = value.py();
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("field", field)?;
        kwargs.set_item("value", value)?;
        kwargs.set_item("errno", libc::ERANGE)?;
        kwargs.set_item(
            "kind",
            PyEnum::ErrorKind.member(py, kind_value(ErrorKind::OutOfRange))?,
        )?;
        let message = format!("invalid {field}: {reason}");
        let exception = error_class(py, class_of_kind(ErrorKind::OutOfRange))?
            .call((message,), Some(&kwargs))?;
        Ok(PyErr::from_value(exception))
    };
    build().unwrap_or_else(|e| e)
}

/// The exception of a model error raised before anything reaches a backend (a value the
/// constructors refuse with lvs-core's own check).
pub(crate) fn model_error(py: Python<'_>, error: lvs_core::Error) -> PyErr {
    Failure::from(error).into_pyerr(py)
}

/// An `lvs.RuleSyntaxError` for a line of rule text that lvs-core refused.
pub(crate) fn rule_error(py: Python<'_>, error: &RuleError) -> PyErr {
    let place = RulePlace {
        line: error.line,
        column: error.column,
        token: &error.token,
    };
    syntax_error(py, &place, &error.to_string(), &error.expected())
}

/// Where in rule text an error is: line and column from 1, and the offending token.
#[derive(Debug)]
pub(crate) struct RulePlace<'a> {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) token: &'a str,
}

/// An `lvs.RuleSyntaxError` at a place, with a message and what was expected.
pub(crate) fn syntax_error(
    py: Python<'_>,
    place: &RulePlace<'_>,
    message: &str,
    expected: &str,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("line", place.line)?;
        kwargs.set_item("column", place.column)?;
        kwargs.set_item("token", place.token)?;
        kwargs.set_item("expected", expected)?;
        kwargs.set_item("errno", libc::EINVAL)?;
        kwargs.set_item(
            "kind",
            PyEnum::ErrorKind.member(py, kind_value(ErrorKind::Syntax))?,
        )?;
        let exception =
            error_class(py, class_of_kind(ErrorKind::Syntax))?.call((message,), Some(&kwargs))?;
        Ok(PyErr::from_value(exception))
    };
    build().unwrap_or_else(|e| e)
}
