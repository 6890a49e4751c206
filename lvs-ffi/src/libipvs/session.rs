//! Opening and closing the library's handle, kernel info, and error texts.

use std::os::raw::{c_char, c_int, c_uint};

use lvs_core::Ipvs;

use super::status;
use crate::errors::errno_of;
use crate::ffi::guard;
use crate::global;
use crate::strerror::{self, Registered};

/// Opens the library's connection to the kernel's IPVS in the calling thread's network
/// namespace (replacing that namespace's earlier one) and fills `ipvs_info`. Like libipvs,
/// every call works in the calling thread's namespace at the time of the call: the library
/// keeps a connection for each of the last few namespaces used.
///
/// Returns 0, or -1 with errno: `ENOPROTOOPT` when the kernel has no IPVS, `EPERM` without
/// CAP_NET_ADMIN. The other functions open the connection themselves when it is not open.
#[no_mangle]
pub extern "C" fn ipvs_init() -> c_int {
    guard(-1, || {
        strerror::register(Registered::Init);
        status(
            global::reopen()
                .and_then(|h| h.info())
                .map(|info| global::store_info(&info))
                .map_err(|e| errno_of(&e)),
        )
    })
}

/// Reads the kernel's IPVS version and connection table size into `ipvs_info`.
/// Returns 0, or -1 with errno.
#[no_mangle]
pub extern "C" fn ipvs_getinfo() -> c_int {
    guard(-1, || {
        status(super::with_kernel(|h| h.info()).map(|info| global::store_info(&info)))
    })
}

/// `ipvs_info.version`: the IPVS version code read by `ipvs_init` or `ipvs_getinfo`.
#[no_mangle]
pub extern "C" fn ipvs_version() -> c_uint {
    guard(0, global::info_version)
}

/// Closes the library's connection; the next call opens a new one.
#[no_mangle]
pub extern "C" fn ipvs_close() {
    guard((), global::close)
}

/// The message for `err` as libipvs words it after the calling thread's last call (for
/// example ESRCH reads "Service not defined" after `ipvs_add_dest`), else `strerror(err)`.
/// The string is static; do not free it.
#[no_mangle]
pub extern "C" fn ipvs_strerror(err: c_int) -> *const c_char {
    guard(c"Unknown error".as_ptr(), || strerror::message(err))
}
