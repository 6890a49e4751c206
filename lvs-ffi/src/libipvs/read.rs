//! The libipvs functions that read the table, the timeouts and the sync daemons into memory
//! from the C allocator, which the caller releases with one `free()`.

use std::mem::offset_of;

use lvs_core::Ipvs;

use super::{pointer, with_kernel};
use crate::abi::{
    __u16, __u32, ip_vs_get_dests, ip_vs_get_services, ipvs_daemon_t, ipvs_service_entry_t,
    ipvs_timeout_t, nf_inet_addr,
};
use crate::convert;
use crate::ffi::{self, guard};
use crate::strerror::{self, Registered};

/// Every virtual service with its counters, or NULL with errno. Release it with `free()`.
#[no_mangle]
pub extern "C" fn ipvs_get_services() -> *mut ip_vs_get_services {
    guard(std::ptr::null_mut(), || {
        pointer(with_kernel(|h| h.services()).map(|services| {
            let entries: Vec<ipvs_service_entry_t> =
                services.iter().map(convert::service_entry_into).collect();
            let header = ip_vs_get_services {
                num_services: entries.len() as u32,
                entrytable: [],
            };
            ffi::alloc_with_items(header, offset_of!(ip_vs_get_services, entrytable), &entries)
        }))
    })
}

/// The real servers of the service `svc` names (by `af` and `fwmark`, or `protocol`, `addr`
/// and `port`), with their counters, or NULL with errno. A service that does not exist has
/// none, as the kernel answers. Release the result with `free()`.
///
/// # Safety
/// `svc` is NULL or points to an `ipvs_service_entry_t`.
#[no_mangle]
pub unsafe extern "C" fn ipvs_get_dests(svc: *mut ipvs_service_entry_t) -> *mut ip_vs_get_dests {
    guard(std::ptr::null_mut(), || {
        strerror::register(Registered::GetDests);
        // SAFETY: the caller's promise about svc.
        let Some(svc) = (unsafe { ffi::read(svc) }) else {
            return pointer(Err(libc::EINVAL));
        };
        // The kernel answers a dump for a service it cannot parse with nothing.
        let servers = match convert::key_from(svc.fwmark, svc.af, svc.protocol, &svc.addr, svc.port)
        {
            Ok(key) => with_kernel(|h| h.servers(&key)),
            Err(_) => Ok(Vec::new()),
        };
        pointer(servers.map(|servers| {
            let entries: Vec<_> = servers.iter().map(convert::dest_entry_into).collect();
            let header = ip_vs_get_dests {
                protocol: svc.protocol,
                __addr_v4: 0,
                port: svc.port,
                fwmark: svc.fwmark,
                num_dests: entries.len() as u32,
                af: svc.af,
                addr: svc.addr,
                entrytable: [],
            };
            ffi::alloc_with_items(header, offset_of!(ip_vs_get_dests, entrytable), &entries)
        }))
    })
}

/// One service with its counters, or NULL with errno (ESRCH: no such service). `fwmark`,
/// `af` and `protocol` are in host order, `addr` and `port` in network order. Release the
/// result with `free()`.
#[no_mangle]
pub extern "C" fn ipvs_get_service(
    fwmark: __u32,
    af: __u16,
    protocol: __u16,
    addr: nf_inet_addr,
    port: __u16,
) -> *mut ipvs_service_entry_t {
    guard(std::ptr::null_mut(), || {
        strerror::register(Registered::GetService);
        pointer(
            convert::key_from(fwmark, af, protocol, &addr, port)
                .and_then(|key| with_kernel(|h| h.service(&key)))
                .map(|entry| ffi::alloc_array(&[convert::service_entry_into(&entry)])),
        )
    })
}

/// The TCP, TCP FIN and UDP connection timeouts in seconds, or NULL with errno. Release the
/// result with `free()`.
#[no_mangle]
pub extern "C" fn ipvs_get_timeout() -> *mut ipvs_timeout_t {
    guard(std::ptr::null_mut(), || {
        strerror::register(Registered::GetTimeout);
        pointer(
            with_kernel(|h| h.timeouts()).map(|t| ffi::alloc_array(&[convert::timeouts_into(&t)])),
        )
    })
}

/// The running sync daemons as an array of two: the kernel's first in `[0]`, its second in
/// `[1]`; an unused slot has `state` 0 (so a lone backup is in `[0]`). NULL with errno on
/// failure. Release the array with `free()`.
#[no_mangle]
pub extern "C" fn ipvs_get_daemon() -> *mut ipvs_daemon_t {
    guard(std::ptr::null_mut(), || {
        strerror::register(Registered::GetDaemon);
        pointer(with_kernel(|h| h.daemons()).map(|daemons| {
            let mut slots = [ipvs_daemon_t::default(); 2];
            for (slot, daemon) in slots.iter_mut().zip(&daemons) {
                *slot = convert::daemon_into(daemon);
            }
            ffi::alloc_array(&slots)
        }))
    })
}
