//! An explicit handle on one network namespace's IPVS, for programs that want neither
//! libipvs's process-wide connection nor its per-call namespace.

use std::ffi::OsStr;
use std::os::raw::c_char;
use std::os::unix::ffi::OsStrExt;

use lvs_sys::NetlinkIpvs;

use super::last_error::{fail_with, guarded, invalid_argument};
use crate::errors::lvs_result;
use crate::ffi;

/// An open connection to the IPVS of one network namespace. Opaque to C; several threads
/// may use one handle at once (each call is matched to its own answer).
///
/// After `fork()`, the child's copy opens sockets of its own on its first call, in the
/// namespace the handle was opened in, so parent and child can both use it at once. If
/// another thread was inside a call on the handle at the moment of the fork, the child's
/// calls on it fail at once (`LVS_ERR_OTHER`, the message says why) instead of waiting:
/// open a new handle in the child.
#[derive(Debug)]
#[allow(non_camel_case_types)]
pub struct lvs_handle {
    pub(crate) ipvs: NetlinkIpvs,
}

fn open_into(out: *mut *mut lvs_handle, opened: Result<NetlinkIpvs, lvs_sys::Error>) -> lvs_result {
    match opened {
        Ok(ipvs) => {
            let handle = Box::into_raw(Box::new(lvs_handle { ipvs }));
            // SAFETY: out was checked non-NULL by the callers and points to writable memory
            // for a pointer (their callers' promise).
            unsafe { ffi::write_out(out, handle) };
            lvs_result::LVS_OK
        }
        Err(e) => {
            let message = e.to_string();
            fail_with(&e, 0, message)
        }
    }
}

/// Opens a handle on the IPVS of the calling thread's network namespace into `*out`.
/// Release it with `lvs_close`.
///
/// # Safety
/// `out` is NULL or points to writable memory for a pointer.
#[no_mangle]
pub unsafe extern "C" fn lvs_open(out: *mut *mut lvs_handle) -> lvs_result {
    guarded(|| {
        if out.is_null() {
            return invalid_argument("lvs_open: out is NULL");
        }
        open_into(out, NetlinkIpvs::open())
    })
}

/// Opens a handle on the IPVS of the network namespace at `netns_path` (such as
/// `/run/netns/NAME` or `/proc/PID/ns/net`) into `*out`, without moving any thread of the
/// caller into it. Release it with `lvs_close`.
///
/// # Safety
/// `netns_path` is NULL or a NUL-terminated string; `out` is NULL or points to writable
/// memory for a pointer.
#[no_mangle]
pub unsafe extern "C" fn lvs_open_netns(
    netns_path: *const c_char,
    out: *mut *mut lvs_handle,
) -> lvs_result {
    guarded(|| {
        // SAFETY: the caller's promise about netns_path.
        let Some(path) = (unsafe { ffi::c_str(netns_path) }) else {
            return invalid_argument("lvs_open_netns: netns_path is NULL");
        };
        if out.is_null() {
            return invalid_argument("lvs_open_netns: out is NULL");
        }
        let path = OsStr::from_bytes(path.to_bytes());
        open_into(out, NetlinkIpvs::open_in_netns(path))
    })
}

/// Closes a handle from `lvs_open` or `lvs_open_netns`. NULL is ignored. No other thread
/// may be using the handle.
///
/// # Safety
/// `handle` is NULL or a handle from `lvs_open`/`lvs_open_netns` not closed before.
#[no_mangle]
pub unsafe extern "C" fn lvs_close(handle: *mut lvs_handle) {
    guarded(|| {
        if !handle.is_null() {
            // SAFETY: the handle came from Box::into_raw in open_into and is closed once
            // (the caller's promise).
            drop(unsafe { Box::from_raw(handle) });
        }
        lvs_result::LVS_OK
    });
}
