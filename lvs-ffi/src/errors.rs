//! What lvs's errors are in C: an errno for the libipvs functions, an `lvs_result` code for
//! the `lvs_*` extras. The only place either is decided.

use std::os::raw::c_int;

use lvs_core::{Classify, ErrorKind};

/// The errno a libipvs function reports for an lvs error: the kernel's (or the system's) own
/// when there is one; for what lvs refused before sending, the errno the kernel gives the
/// same mistake.
pub(crate) fn errno_of(error: &lvs_sys::Error) -> c_int {
    match error {
        // libipvs falls back to the socket-option interface when the IPVS netlink family is
        // missing, whose probe then fails with ENOPROTOOPT; ipvsadm prints that errno.
        lvs_sys::Error::IpvsUnavailable => libc::ENOPROTOOPT,
        other => other.errno().unwrap_or_else(|| errno_of_kind(other.kind())),
    }
}

fn errno_of_kind(kind: ErrorKind) -> c_int {
    match kind {
        ErrorKind::NotFound => libc::ENOENT,
        ErrorKind::AlreadyExists => libc::EEXIST,
        ErrorKind::InvalidInput | ErrorKind::Syntax => libc::EINVAL,
        ErrorKind::OutOfRange => libc::ERANGE,
        ErrorKind::Unsupported => libc::EOPNOTSUPP,
        ErrorKind::PermissionDenied => libc::EPERM,
        ErrorKind::IpvsUnavailable => libc::ENOPROTOOPT,
        ErrorKind::TimedOut => libc::ETIMEDOUT,
        _ => libc::EIO,
    }
}

/// The result codes of the `lvs_*` functions: 0 for success, one code per kind of error.
/// The calling thread's last error has the details (`lvs_last_error_message`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum lvs_result {
    /// Success.
    LVS_OK = 0,
    /// A service, real server, scheduler, engine, daemon or interface does not exist.
    LVS_ERR_NOT_FOUND = 1,
    /// The thing to add exists already.
    LVS_ERR_ALREADY_EXISTS = 2,
    /// The request is malformed or contradicts itself.
    LVS_ERR_INVALID_INPUT = 3,
    /// A number is outside what the kernel accepts.
    LVS_ERR_OUT_OF_RANGE = 4,
    /// The kernel does not support it.
    LVS_ERR_UNSUPPORTED = 5,
    /// The caller lacks CAP_NET_ADMIN in the network namespace.
    LVS_ERR_PERMISSION_DENIED = 6,
    /// The kernel has no IPVS.
    LVS_ERR_IPVS_UNAVAILABLE = 7,
    /// The kernel did not answer in time.
    LVS_ERR_TIMED_OUT = 8,
    /// Rule text that does not parse; the error names the line.
    LVS_ERR_SYNTAX = 9,
    /// The operating system failed (socket, namespace, memory).
    LVS_ERR_IO = 10,
    /// An argument is NULL or out of range.
    LVS_ERR_NULL_OR_INVALID_ARGUMENT = 11,
    /// The caller's buffer is too small; the needed size was returned.
    LVS_ERR_BUFFER_TOO_SMALL = 12,
    /// Anything else (see the message and errno).
    LVS_ERR_OTHER = 13,
    /// A bug in lvs was caught at the boundary.
    LVS_ERR_PANIC = 14,
}

/// The result code of an error kind.
pub(crate) fn result_of_kind(kind: ErrorKind) -> lvs_result {
    match kind {
        ErrorKind::NotFound => lvs_result::LVS_ERR_NOT_FOUND,
        ErrorKind::AlreadyExists => lvs_result::LVS_ERR_ALREADY_EXISTS,
        ErrorKind::InvalidInput => lvs_result::LVS_ERR_INVALID_INPUT,
        ErrorKind::OutOfRange => lvs_result::LVS_ERR_OUT_OF_RANGE,
        ErrorKind::Unsupported => lvs_result::LVS_ERR_UNSUPPORTED,
        ErrorKind::PermissionDenied => lvs_result::LVS_ERR_PERMISSION_DENIED,
        ErrorKind::IpvsUnavailable => lvs_result::LVS_ERR_IPVS_UNAVAILABLE,
        ErrorKind::TimedOut => lvs_result::LVS_ERR_TIMED_OUT,
        ErrorKind::Syntax => lvs_result::LVS_ERR_SYNTAX,
        ErrorKind::Io => lvs_result::LVS_ERR_IO,
        _ => lvs_result::LVS_ERR_OTHER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_before_sending_get_the_kernels_errno() {
        let e = lvs_sys::Error::from(lvs_core::Error::invalid("scheduler", "too long"));
        assert_eq!(errno_of(&e), libc::EINVAL);
        let e = lvs_sys::Error::from(lvs_core::Error::out_of_range("weight", -1, "int"));
        assert_eq!(errno_of(&e), libc::ERANGE);
        assert_eq!(
            errno_of(&lvs_sys::Error::IpvsUnavailable),
            libc::ENOPROTOOPT
        );
    }

    #[test]
    fn every_kind_has_its_own_result_code() {
        let kinds = [
            ErrorKind::NotFound,
            ErrorKind::AlreadyExists,
            ErrorKind::InvalidInput,
            ErrorKind::OutOfRange,
            ErrorKind::Unsupported,
            ErrorKind::PermissionDenied,
            ErrorKind::IpvsUnavailable,
            ErrorKind::TimedOut,
            ErrorKind::Syntax,
            ErrorKind::Io,
            ErrorKind::Other,
        ];
        let mut codes: Vec<i32> = kinds.iter().map(|k| result_of_kind(*k) as i32).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), kinds.len());
        assert!(!codes.contains(&0));
    }
}
