//! The 25 functions of ipvsadm 1.31's `libipvs.h`, with libipvs's contracts: 0 or -1 with
//! errno, NULL with errno for the allocating reads (whose results the caller releases with
//! `free()`), `ipvs_strerror` texts by the calling thread's last registering call.
//!
//! Beyond libipvs, every pointer is checked: a NULL argument gives -1 (or NULL) with EINVAL
//! and touches nothing. Every function is safe to call from several threads at once.

mod change;
mod read;
mod session;
mod sort;

pub use change::*;
pub use read::*;
pub use session::*;
pub use sort::*;

use std::os::raw::c_int;
use std::ptr;
use std::sync::Arc;

use lvs_sys::NetlinkIpvs;

use crate::errors::errno_of;
use crate::ffi::set_errno;
use crate::global;

/// Runs a request on the process-wide handle; an error becomes its errno.
fn with_kernel<T>(
    request: impl FnOnce(&NetlinkIpvs) -> Result<T, lvs_sys::Error>,
) -> Result<T, c_int> {
    let handle: Arc<NetlinkIpvs> = global::handle().map_err(|e| errno_of(&e))?;
    request(&handle).map_err(|e| errno_of(&e))
}

/// libipvs's int return: 0, or -1 with errno set.
fn status(result: Result<(), c_int>) -> c_int {
    match result {
        Ok(()) => 0,
        Err(errno) => {
            set_errno(errno);
            -1
        }
    }
}

/// libipvs's pointer return: the result, or NULL with errno set (ENOMEM when the C
/// allocation itself failed).
fn pointer<T>(result: Result<*mut T, c_int>) -> *mut T {
    match result {
        Ok(p) if !p.is_null() => p,
        Ok(_) => {
            set_errno(libc::ENOMEM);
            ptr::null_mut()
        }
        Err(errno) => {
            set_errno(errno);
            ptr::null_mut()
        }
    }
}
