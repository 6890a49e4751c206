//! The transport layer's error: the model's meaning when the kernel refused something, plus
//! what can go wrong on the way (privileges, a missing IPVS, timeouts, the socket).

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use lvs_core::{Classify, ErrorKind};

use crate::codec::DecodeError;

/// What went wrong talking to the kernel's IPVS.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// IPVS refused the request, with the meaning the model gives the kernel's answer
    /// (`errno` is `None` when lvs refused it before sending).
    #[error("{source}{}", kernel_says(.message))]
    Ipvs {
        /// The refusal, as lvs-core names it.
        source: lvs_core::Error,
        /// The kernel's errno.
        errno: Option<i32>,
        /// The kernel's extended-ack text, when it sent one.
        message: Option<String>,
    },
    /// The kernel answered an errno lvs has no model meaning for.
    #[error("{op} failed: {}{}", io::Error::from_raw_os_error(*.errno), kernel_says(.message))]
    Kernel {
        /// The operation.
        op: &'static str,
        /// The kernel's errno.
        errno: i32,
        /// The kernel's extended-ack text, when it sent one.
        message: Option<String>,
    },
    /// The caller lacks CAP_NET_ADMIN in the network namespace (every IPVS command, reads
    /// included, needs it).
    #[error("{op}: permission denied (IPVS needs CAP_NET_ADMIN)")]
    PermissionDenied {
        /// The operation.
        op: &'static str,
    },
    /// The kernel has no IPVS generic-netlink family: the `ip_vs` module is not loaded and
    /// could not be loaded.
    #[error("IPVS is not available in this kernel (no \"IPVS\" generic netlink family; is the ip_vs module loaded?)")]
    IpvsUnavailable,
    /// No answer came within the handle's timeout.
    #[error("{op}: no answer from the kernel within {timeout:?}")]
    TimedOut {
        /// The operation.
        op: &'static str,
        /// The timeout that expired.
        timeout: Duration,
    },
    /// The kernel kept interrupting a dump (the table changed while it was read, or the
    /// answer overran the socket) and it was given up after `attempts` reads.
    #[error("{op}: the table kept changing while it was read ({attempts} attempts)")]
    Interrupted {
        /// The operation.
        op: &'static str,
        /// How many times it was read.
        attempts: u32,
    },
    /// The handle was in use by another thread of the parent process when this process was
    /// forked, so its copy here stays locked by a thread that does not exist in this
    /// process: open a new handle (a handle not in use at the fork works in the child).
    #[error("{op}: the handle was in use by another thread when this process was forked; open a new handle")]
    LockedAcrossFork {
        /// The operation.
        op: &'static str,
    },
    /// A system call failed.
    #[error("{op}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The system's error.
        source: io::Error,
    },
    /// The network namespace file could not be opened (a missing `/run/netns/NAME`, no
    /// permission to read it).
    #[error("cannot open the network namespace {}: {}", .path.display(), netns_reason(.source))]
    Netns {
        /// The path that was given.
        path: PathBuf,
        /// The system's error.
        source: io::Error,
    },
    /// A line of the kernel's connection table (`/proc/net/ip_vs_conn`) is not what the
    /// kernel writes: a kernel newer than this library changed the format.
    #[error("reading the connection table: {source}")]
    ConnectionTable {
        /// The line and what was wrong with it.
        source: lvs_core::listing::ConnParseError,
    },
    /// The kernel's answer could not be decoded.
    #[error("{op}: cannot decode the kernel's answer: {source}")]
    Decode {
        /// The operation.
        op: &'static str,
        /// Why.
        source: DecodeError,
    },
}

/// Why a namespace file did not open, in words (the common case names its likely cause).
fn netns_reason(source: &io::Error) -> String {
    match source.kind() {
        io::ErrorKind::NotFound => {
            "no such file (is the namespace created, e.g. with `ip netns add NAME`?)".to_owned()
        }
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => source.to_string(),
    }
}

fn kernel_says(message: &Option<String>) -> String {
    message
        .as_deref()
        .map(|m| format!(" (kernel: {m})"))
        .unwrap_or_default()
}

impl Error {
    /// The kernel's errno, when the error came from the kernel or the system.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Ipvs { errno, .. } => *errno,
            Error::Kernel { errno, .. } => Some(*errno),
            Error::PermissionDenied { .. } => Some(libc::EPERM),
            Error::Io { source, .. } | Error::Netns { source, .. } => source.raw_os_error(),
            Error::TimedOut { .. } => Some(libc::ETIMEDOUT),
            Error::Interrupted { .. } => Some(libc::EAGAIN),
            Error::LockedAcrossFork { .. } => Some(libc::EDEADLK),
            Error::IpvsUnavailable => Some(libc::ENOENT),
            Error::Decode { .. } | Error::ConnectionTable { .. } => Some(libc::EPROTO),
        }
    }

    /// The model's meaning of the error, when it has one.
    pub fn ipvs_error(&self) -> Option<&lvs_core::Error> {
        match self {
            Error::Ipvs { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The kernel's extended-ack text, when it sent one.
    pub fn kernel_message(&self) -> Option<&str> {
        match self {
            Error::Ipvs { message, .. } | Error::Kernel { message, .. } => message.as_deref(),
            _ => None,
        }
    }
}

impl From<lvs_core::Error> for Error {
    fn from(source: lvs_core::Error) -> Error {
        Error::Ipvs {
            source,
            errno: None,
            message: None,
        }
    }
}

impl Classify for Error {
    fn kind(&self) -> ErrorKind {
        match self {
            Error::Ipvs { source, .. } => source.kind(),
            Error::Kernel { errno, .. } => match *errno {
                libc::EAFNOSUPPORT | libc::EOPNOTSUPP | libc::ENOPROTOOPT => ErrorKind::Unsupported,
                libc::EINVAL => ErrorKind::InvalidInput,
                libc::ERANGE => ErrorKind::OutOfRange,
                _ => ErrorKind::Other,
            },
            Error::PermissionDenied { .. } => ErrorKind::PermissionDenied,
            Error::IpvsUnavailable => ErrorKind::IpvsUnavailable,
            Error::TimedOut { .. } => ErrorKind::TimedOut,
            Error::Io { .. } | Error::Netns { .. } | Error::Interrupted { .. } => ErrorKind::Io,
            Error::LockedAcrossFork { .. } => ErrorKind::Other,
            Error::Decode { .. } | Error::ConnectionTable { .. } => ErrorKind::Other,
        }
    }
}
