//! The libipvs functions that change the table, the timeouts or the sync daemons.
//!
//! Each registers itself for `ipvs_strerror` first, as libipvs does (`ipvs_flush` never
//! does), then reads the caller's struct, converts it to lvs's model and sends it.

use std::os::raw::c_int;

use lvs_core::Ipvs;

use super::{status, with_kernel};
use crate::abi::{ipvs_daemon_t, ipvs_dest_t, ipvs_service_t, ipvs_timeout_t};
use crate::convert;
use crate::ffi::{self, guard};
use crate::strerror::{self, Registered};

/// Deletes every virtual service (and its real servers) of the network namespace.
/// Returns 0, or -1 with errno.
#[no_mangle]
pub extern "C" fn ipvs_flush() -> c_int {
    guard(-1, || status(with_kernel(|h| h.flush())))
}

/// Reads a struct argument; NULL is EINVAL.
///
/// # Safety
/// `p` is NULL or points to a readable `T`.
unsafe fn arg<T: Copy>(p: *const T) -> Result<T, c_int> {
    // SAFETY: passed on from the caller.
    unsafe { ffi::read(p) }.ok_or(libc::EINVAL)
}

/// Adds a virtual service. Returns 0, or -1 with errno (EEXIST: it exists; ENOENT: no such
/// scheduler or persistence engine).
///
/// # Safety
/// `svc` is NULL or points to an `ipvs_service_t`.
#[no_mangle]
pub unsafe extern "C" fn ipvs_add_service(svc: *mut ipvs_service_t) -> c_int {
    guard(-1, || {
        strerror::register(Registered::AddService);
        // SAFETY: the caller's promise about svc.
        let svc = unsafe { arg(svc) };
        status(svc.and_then(|svc| {
            let service = convert::service_from(&svc)?;
            with_kernel(|h| h.add_service(&service))
        }))
    })
}

/// Replaces the scheduler, flags, persistence and engine of the service `svc` names.
/// Returns 0, or -1 with errno (ESRCH: no such service).
///
/// # Safety
/// `svc` is NULL or points to an `ipvs_service_t`.
#[no_mangle]
pub unsafe extern "C" fn ipvs_update_service(svc: *mut ipvs_service_t) -> c_int {
    guard(-1, || {
        strerror::register(Registered::UpdateService);
        // SAFETY: the caller's promise about svc.
        let svc = unsafe { arg(svc) };
        status(svc.and_then(|svc| {
            let service = convert::service_from(&svc)?;
            with_kernel(|h| h.edit_service(&service))
        }))
    })
}

/// Deletes the service `svc` names, with its real servers. Returns 0, or -1 with errno
/// (ESRCH: no such service).
///
/// # Safety
/// `svc` is NULL or points to an `ipvs_service_t`.
#[no_mangle]
pub unsafe extern "C" fn ipvs_del_service(svc: *mut ipvs_service_t) -> c_int {
    guard(-1, || {
        strerror::register(Registered::DelService);
        // SAFETY: the caller's promise about svc.
        let svc = unsafe { arg(svc) };
        status(svc.and_then(|svc| {
            let key = convert::service_key(&svc)?;
            with_kernel(|h| h.delete_service(&key))
        }))
    })
}

/// Zeroes the counters of the service `svc` names, or of every service and the global
/// counters when it names none (fwmark, address and port all 0). Returns 0, or -1 with errno.
///
/// # Safety
/// `svc` is NULL or points to an `ipvs_service_t`.
#[no_mangle]
pub unsafe extern "C" fn ipvs_zero_service(svc: *mut ipvs_service_t) -> c_int {
    guard(-1, || {
        strerror::register(Registered::ZeroService);
        // SAFETY: the caller's promise about svc.
        let svc = unsafe { arg(svc) };
        status(svc.and_then(|svc| {
            let target = convert::zero_target(&svc)?;
            with_kernel(|h| h.zero(target.as_ref()))
        }))
    })
}

/// The service key and real server of a destination call.
///
/// # Safety
/// Each pointer is NULL or points to its struct.
unsafe fn service_and_server(
    svc: *const ipvs_service_t,
    dest: *const ipvs_dest_t,
) -> Result<(lvs_core::ServiceKey, lvs_core::RealServer), c_int> {
    // SAFETY: passed on from the caller.
    let (svc, dest) = unsafe { (arg(svc)?, arg(dest)?) };
    let key = convert::service_key(&svc)?;
    Ok((key, convert::server_from(key.family(), &dest)?))
}

/// Adds a real server to a service. Returns 0, or -1 with errno (ESRCH: no such service;
/// EEXIST: the server is there; ERANGE: weight or thresholds; EINVAL: address not unicast).
///
/// # Safety
/// `svc` and `dest` are NULL or point to their structs.
#[no_mangle]
pub unsafe extern "C" fn ipvs_add_dest(svc: *mut ipvs_service_t, dest: *mut ipvs_dest_t) -> c_int {
    guard(-1, || {
        strerror::register(Registered::AddDest);
        // SAFETY: the caller's promise about svc and dest.
        let args = unsafe { service_and_server(svc, dest) };
        status(args.and_then(|(key, server)| with_kernel(|h| h.add_server(&key, &server))))
    })
}

/// Replaces the forwarding, weight and thresholds of a real server. Returns 0, or -1 with
/// errno (ESRCH: no such service; ENOENT: no such real server).
///
/// # Safety
/// `svc` and `dest` are NULL or point to their structs.
#[no_mangle]
pub unsafe extern "C" fn ipvs_update_dest(
    svc: *mut ipvs_service_t,
    dest: *mut ipvs_dest_t,
) -> c_int {
    guard(-1, || {
        strerror::register(Registered::UpdateDest);
        // SAFETY: the caller's promise about svc and dest.
        let args = unsafe { service_and_server(svc, dest) };
        status(args.and_then(|(key, server)| with_kernel(|h| h.edit_server(&key, &server))))
    })
}

/// Removes a real server from a service. Returns 0, or -1 with errno (ESRCH: no such
/// service; ENOENT: no such real server).
///
/// # Safety
/// `svc` and `dest` are NULL or point to their structs.
#[no_mangle]
pub unsafe extern "C" fn ipvs_del_dest(svc: *mut ipvs_service_t, dest: *mut ipvs_dest_t) -> c_int {
    guard(-1, || {
        strerror::register(Registered::DelDest);
        // SAFETY: the caller's promise about svc and dest.
        let args = unsafe { service_and_server(svc, dest) };
        status(args.and_then(|(key, server)| with_kernel(|h| h.delete_server(&key, &server.addr))))
    })
}

/// Sets the TCP, TCP FIN and UDP connection timeouts (seconds; 0 keeps a value).
/// Returns 0, or -1 with errno (EINVAL: out of the kernel's range).
///
/// # Safety
/// `to` is NULL or points to an `ipvs_timeout_t`.
#[no_mangle]
pub unsafe extern "C" fn ipvs_set_timeout(to: *mut ipvs_timeout_t) -> c_int {
    guard(-1, || {
        strerror::register(Registered::SetTimeout);
        // SAFETY: the caller's promise about to.
        let to = unsafe { arg(to) };
        status(to.and_then(|to| with_kernel(|h| h.set_timeouts(&convert::timeouts_from(&to)))))
    })
}

/// Starts a sync daemon (`state` master or backup). Returns 0, or -1 with errno (EEXIST:
/// one of that role runs; ENODEV: no such interface).
///
/// # Safety
/// `dm` is NULL or points to an `ipvs_daemon_t`.
#[no_mangle]
pub unsafe extern "C" fn ipvs_start_daemon(dm: *mut ipvs_daemon_t) -> c_int {
    guard(-1, || {
        strerror::register(Registered::StartDaemon);
        // SAFETY: the caller's promise about dm.
        let dm = unsafe { arg(dm) };
        status(dm.and_then(|dm| with_kernel(|h| h.start_daemon(&convert::daemon_from(&dm)))))
    })
}

/// Stops the sync daemon of the role in `state`. Returns 0, or -1 with errno (ESRCH: none
/// of that role runs).
///
/// # Safety
/// `dm` is NULL or points to an `ipvs_daemon_t`.
#[no_mangle]
pub unsafe extern "C" fn ipvs_stop_daemon(dm: *mut ipvs_daemon_t) -> c_int {
    guard(-1, || {
        strerror::register(Registered::StopDaemon);
        // SAFETY: the caller's promise about dm.
        let dm = unsafe { arg(dm) };
        status(dm.and_then(|dm| with_kernel(|h| h.stop_daemon(convert::daemon_from(&dm).role))))
    })
}
