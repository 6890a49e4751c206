//! `ipvs_strerror`'s texts and the per-thread "last libipvs function" they depend on.
//!
//! libipvs remembers, in a process-wide variable, the last of its functions that
//! "registered" itself, and picks the message for an errno by it from a table of
//! (function, errno, text) rows, falling back to `strerror` (`TABLE` below is that table). lvs
//! remembers it per thread, so one thread's call cannot change the message another thread
//! prints; which functions register, and when, is libipvs's.

use std::cell::Cell;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

/// The libipvs functions that register themselves for `ipvs_strerror`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Registered {
    Init,
    AddService,
    UpdateService,
    DelService,
    ZeroService,
    AddDest,
    UpdateDest,
    DelDest,
    SetTimeout,
    StartDaemon,
    StopDaemon,
    GetServices,
    GetDests,
    GetService,
    GetTimeout,
    GetDaemon,
}

thread_local! {
    static LAST: Cell<Option<Registered>> = const { Cell::new(None) };
}

/// Records `function` as the calling thread's last registering libipvs function.
pub(crate) fn register(function: Registered) {
    LAST.with(|last| last.set(Some(function)));
}

fn last() -> Option<Registered> {
    LAST.with(Cell::get)
}

use Registered as R;

/// libipvs's table, in its order: the first row whose function is the last registered one
/// (or any, for `None`) and whose errno matches wins.
const TABLE: [(Option<Registered>, c_int, &CStr); 24] = [
    (Some(R::AddService), libc::EEXIST, c"Service already exists"),
    (
        Some(R::AddService),
        libc::ENOENT,
        c"Scheduler or persistence engine not found",
    ),
    (Some(R::UpdateService), libc::ESRCH, c"No such service"),
    (
        Some(R::UpdateService),
        libc::ENOENT,
        c"Scheduler or persistence engine not found",
    ),
    (Some(R::DelService), libc::ESRCH, c"No such service"),
    (Some(R::ZeroService), libc::ESRCH, c"No such service"),
    (Some(R::AddDest), libc::ESRCH, c"Service not defined"),
    (
        Some(R::AddDest),
        libc::EEXIST,
        c"Destination already exists",
    ),
    (Some(R::UpdateDest), libc::ESRCH, c"Service not defined"),
    (Some(R::UpdateDest), libc::ENOENT, c"No such destination"),
    (Some(R::DelDest), libc::ESRCH, c"Service not defined"),
    (Some(R::DelDest), libc::ENOENT, c"No such destination"),
    (
        Some(R::StartDaemon),
        libc::EEXIST,
        c"Daemon has already run",
    ),
    (Some(R::StopDaemon), libc::ESRCH, c"No daemon is running"),
    (Some(R::GetServices), libc::ESRCH, c"No such service"),
    (Some(R::GetDests), libc::ESRCH, c"No such service"),
    (Some(R::GetService), libc::ESRCH, c"No such service"),
    (None, libc::EPERM, c"Permission denied (you must be root)"),
    (
        None,
        libc::EINVAL,
        c"Invalid operation.  Possibly wrong module version, address not unicast, ...",
    ),
    (None, libc::ENOPROTOOPT, c"Protocol not available"),
    (None, libc::ENOMEM, c"Memory allocation problem"),
    (None, libc::EOPNOTSUPP, c"Operation not supported with IPv6"),
    (
        None,
        libc::EAFNOSUPPORT,
        c"Operation not supported with specified address family",
    ),
    (None, libc::EMSGSIZE, c"Module is wrong version"),
];

/// libipvs's text for `err` after the calling thread's last registering call, if its table
/// has one.
pub(crate) fn table_message(err: c_int) -> Option<&'static CStr> {
    let last = last();
    TABLE
        .iter()
        .find(|(function, errno, _)| *errno == err && (function.is_none() || *function == last))
        .map(|(_, _, text)| *text)
}

/// `ipvs_strerror`: the table's text, else the C library's `strerror`.
pub(crate) fn message(err: c_int) -> *const c_char {
    match table_message(err) {
        Some(text) => text.as_ptr(),
        // SAFETY: strerror accepts any int; glibc returns a static string, or a thread-local
        // buffer for unknown numbers, as libipvs relies on too.
        None => unsafe { libc::strerror(err) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(err: c_int) -> Option<&'static str> {
        table_message(err).map(|t| t.to_str().unwrap())
    }

    #[test]
    fn the_same_errno_reads_differently_after_different_functions() {
        register(R::AddService);
        assert_eq!(
            text(libc::ENOENT),
            Some("Scheduler or persistence engine not found")
        );
        register(R::DelDest);
        assert_eq!(text(libc::ENOENT), Some("No such destination"));
        assert_eq!(text(libc::ESRCH), Some("Service not defined"));
        register(R::Init);
        assert_eq!(text(libc::ESRCH), None);
        assert_eq!(
            text(libc::EPERM),
            Some("Permission denied (you must be root)")
        );
    }

    #[test]
    fn each_thread_has_its_own_last_function() {
        register(R::StopDaemon);
        std::thread::spawn(|| {
            assert_eq!(text(libc::ESRCH), None);
            register(R::GetService);
            assert_eq!(text(libc::ESRCH), Some("No such service"));
        })
        .join()
        .unwrap();
        assert_eq!(text(libc::ESRCH), Some("No daemon is running"));
    }
}
