//! The model layer's error: what IPVS refuses, with the kernel's meaning.

use std::fmt;
use std::net::SocketAddr;

use crate::model::{DaemonRole, ServiceKey};

/// The class of an error, shared by every layer of lvs (the C and Python faces map from it in
/// one place each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A service, real server, scheduler, engine, daemon or interface does not exist.
    NotFound,
    /// The thing to add exists already.
    AlreadyExists,
    /// The request is malformed or contradicts itself.
    InvalidInput,
    /// A number is outside what the kernel accepts.
    OutOfRange,
    /// The kernel (or this build) does not support it.
    Unsupported,
    /// The caller lacks CAP_NET_ADMIN in the network namespace.
    PermissionDenied,
    /// The kernel has no IPVS (module not loaded and not loadable).
    IpvsUnavailable,
    /// No answer within the caller's deadline.
    TimedOut,
    /// Rule text that does not parse.
    Syntax,
    /// The operating system failed (socket, namespace, memory).
    Io,
    /// Anything else; the error keeps the errno.
    Other,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::NotFound => "not found",
            ErrorKind::AlreadyExists => "already exists",
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::OutOfRange => "out of range",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::IpvsUnavailable => "IPVS unavailable",
            ErrorKind::TimedOut => "timed out",
            ErrorKind::Syntax => "syntax error",
            ErrorKind::Io => "I/O error",
            ErrorKind::Other => "other error",
        })
    }
}

/// Errors that can say which [`ErrorKind`] they are. Every lvs error type implements it.
pub trait Classify {
    /// The class of this error.
    fn kind(&self) -> ErrorKind;
}

/// What IPVS refuses, independent of how it was asked (in memory or in the kernel).
///
/// Each variant has the meaning of one kernel answer (its doc names the errno): the kernel
/// transport maps errnos per command into these, since the same errno means different
/// things for different commands, and [`crate::MemoryIpvs`] returns them for the same
/// mistakes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service does not exist (kernel: ESRCH).
    #[error("no such service: {0}")]
    ServiceNotFound(ServiceKey),
    /// A service with this key exists already (kernel: EEXIST on add).
    #[error("service already exists: {0}")]
    ServiceExists(ServiceKey),
    /// The scheduler or persistence engine is not available (kernel: ENOENT on add/edit
    /// service, which does not say which of the two).
    #[error("scheduler or persistence engine not found: {name}")]
    SchedulerNotFound {
        /// The name that was asked for (the scheduler, or the engine when only it is unknown).
        name: String,
    },
    /// The real server is not in the service (kernel: ENOENT on edit/delete server).
    #[error("no such real server {server} in {service}")]
    ServerNotFound {
        /// The service.
        service: ServiceKey,
        /// The real server's address.
        server: SocketAddr,
    },
    /// The real server is already in the service (kernel: EEXIST on add server).
    #[error("real server {server} already exists in {service}")]
    ServerExists {
        /// The service.
        service: ServiceKey,
        /// The real server's address.
        server: SocketAddr,
    },
    /// A sync daemon of this role runs already (kernel: EEXIST on start daemon).
    #[error("{0} sync daemon is already running")]
    DaemonRunning(DaemonRole),
    /// No sync daemon of this role runs (kernel: ESRCH on stop daemon).
    #[error("no {0} sync daemon is running")]
    DaemonNotRunning(DaemonRole),
    /// The sync daemon's interface does not exist (kernel: ENODEV).
    #[error("no such network interface: {0}")]
    InterfaceNotFound(String),
    /// A field has a value the kernel refuses (kernel: mostly EINVAL).
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field, named as in the model (`scheduler`, `netmask`, `tunnel port`, ...).
        field: &'static str,
        /// Why, in words.
        reason: String,
    },
    /// A number is outside the range the kernel accepts (kernel: ERANGE).
    #[error("{field} {value} is out of range ({reason})")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value given.
        value: i64,
        /// The rule it breaks, in words.
        reason: String,
    },
    /// The kernel or this backend does not support the request.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The network namespace has no such `net.ipv4.vs` sysctl (kernel: ENOENT on opening
    /// `/proc/sys/net/ipv4/vs/NAME`): the kernel is older or newer than the knob, was built
    /// without it, or the scheduler module that brings it is not loaded (see
    /// [`crate::sysctl`]).
    #[error("net.ipv4.vs.{name} is not available in this kernel{}", unavailable_detail(.name, .kernel.as_deref()))]
    SysctlUnavailable {
        /// The knob's name, without the `net.ipv4.vs.` prefix.
        name: String,
        /// The running kernel's release, when the backend knows it.
        kernel: Option<String>,
    },
    /// The kernel refused a value lvs let through for a sysctl (kernel: EINVAL or ERANGE on
    /// the write; for a knob lvs knows, only what depends on the machine, such as a CPU it
    /// does not have).
    #[error("the kernel refused net.ipv4.vs.{name} = {value}: {reason}")]
    SysctlRefused {
        /// The knob's name, without the `net.ipv4.vs.` prefix.
        name: String,
        /// The value, as written.
        value: String,
        /// Why, in words.
        reason: String,
    },
}

/// The rest of a [`Error::SysctlUnavailable`] message: the kernel, and what lvs knows of
/// when the knob is there.
fn unavailable_detail(name: &str, kernel: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(release) = kernel {
        parts.push(format!("Linux {release}"));
    }
    match crate::sysctl::knob_named(name) {
        Some(knob) => {
            if let Some((major, minor)) = knob.since {
                parts.push(format!("it came in Linux {major}.{minor}"));
            }
            if let Some(needs) = knob.requires {
                parts.push(format!("it needs {needs}"));
            }
        }
        None => parts.push("a knob lvs does not know".to_owned()),
    }
    format!(" ({})", parts.join("; "))
}

impl Error {
    /// An [`Error::Invalid`] for a field.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
        Error::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// An [`Error::OutOfRange`] for a field.
    pub fn out_of_range(field: &'static str, value: i64, reason: impl Into<String>) -> Error {
        Error::OutOfRange {
            field,
            value,
            reason: reason.into(),
        }
    }
}

impl Classify for Error {
    fn kind(&self) -> ErrorKind {
        match self {
            Error::ServiceNotFound(_)
            | Error::SchedulerNotFound { .. }
            | Error::ServerNotFound { .. }
            | Error::DaemonNotRunning(_)
            | Error::InterfaceNotFound(_) => ErrorKind::NotFound,
            Error::ServiceExists(_) | Error::ServerExists { .. } | Error::DaemonRunning(_) => {
                ErrorKind::AlreadyExists
            }
            Error::Invalid { .. } | Error::SysctlRefused { .. } => ErrorKind::InvalidInput,
            Error::OutOfRange { .. } => ErrorKind::OutOfRange,
            Error::Unsupported(_) | Error::SysctlUnavailable { .. } => ErrorKind::Unsupported,
        }
    }
}
