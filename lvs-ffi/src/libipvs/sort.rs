//! libipvs's comparators and sort helpers, with its exact order.
//!
//! The comparators subtract unsigned numbers and read the difference as a signed `int`,
//! as libipvs does, so differences of 2^31 or more flip sign (10.0.0.1 sorts after
//! 200.0.0.1) and the order is not transitive then; `ipvsadm -L` and `-S` print in exactly
//! this order, so a drop-in must keep it.

use std::os::raw::c_int;

use crate::abi::{
    ip_vs_get_dests, ip_vs_get_services, ipvs_dest_cmp_t, ipvs_dest_entry_t, ipvs_service_cmp_t,
    ipvs_service_entry_t, nf_inet_addr,
};
use crate::ffi::{self, guard, set_errno};

const AF_INET6: u16 = libc::AF_INET6 as u16;

/// The address step of libipvs's comparators: IPv6 word by word, else the IPv4 word.
fn cmp_addr(af: u16, a: &nf_inet_addr, b: &nf_inet_addr) -> c_int {
    let words = |x: &nf_inet_addr| {
        let b = x.bytes();
        [0, 4, 8, 12].map(|i| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]))
    };
    let (wa, wb) = (words(a), words(b));
    let count = if af == AF_INET6 { 4 } else { 1 };
    (0..count)
        .map(|i| wa[i].wrapping_sub(wb[i]) as c_int)
        .find(|&r| r != 0)
        .unwrap_or(0)
}

fn cmp_service_entries(s1: &ipvs_service_entry_t, s2: &ipvs_service_entry_t) -> c_int {
    let steps = [
        s1.fwmark.wrapping_sub(s2.fwmark) as c_int,
        c_int::from(s1.af) - c_int::from(s2.af),
        c_int::from(s1.protocol) - c_int::from(s2.protocol),
        cmp_addr(s1.af, &s1.addr, &s2.addr),
    ];
    steps
        .into_iter()
        .find(|&r| r != 0)
        .unwrap_or_else(|| c_int::from(u16::from_be(s1.port)) - c_int::from(u16::from_be(s2.port)))
}

fn cmp_dest_entries(d1: &ipvs_dest_entry_t, d2: &ipvs_dest_entry_t) -> c_int {
    match cmp_addr(d1.af, &d1.addr, &d2.addr) {
        0 => c_int::from(u16::from_be(d1.port)) - c_int::from(u16::from_be(d2.port)),
        r => r,
    }
}

/// Compares two service entries by firewall mark, family, protocol, address and port, as
/// libipvs does (see above). With a NULL argument: -1 and errno EINVAL.
///
/// # Safety
/// Each pointer is NULL or points to an `ipvs_service_entry_t`.
#[no_mangle]
pub unsafe extern "C" fn ipvs_cmp_services(
    s1: *mut ipvs_service_entry_t,
    s2: *mut ipvs_service_entry_t,
) -> c_int {
    guard(-1, || {
        // SAFETY: the caller's promise about s1 and s2; only read.
        match unsafe { (ffi::borrow(s1), ffi::borrow(s2)) } {
            (Some(a), Some(b)) => cmp_service_entries(a, b),
            _ => {
                set_errno(libc::EINVAL);
                -1
            }
        }
    })
}

/// Compares two real-server entries by address and port, as libipvs does. With a NULL
/// argument: -1 and errno EINVAL.
///
/// # Safety
/// Each pointer is NULL or points to an `ipvs_dest_entry_t`.
#[no_mangle]
pub unsafe extern "C" fn ipvs_cmp_dests(
    d1: *mut ipvs_dest_entry_t,
    d2: *mut ipvs_dest_entry_t,
) -> c_int {
    guard(-1, || {
        // SAFETY: the caller's promise about d1 and d2; only read.
        match unsafe { (ffi::borrow(d1), ffi::borrow(d2)) } {
            (Some(a), Some(b)) => cmp_dest_entries(a, b),
            _ => {
                set_errno(libc::EINVAL);
                -1
            }
        }
    })
}

/// Sorts with a C comparator through the C library's `qsort`, as libipvs does, so a
/// comparator sees the same sequence of calls and the result is the same.
///
/// # Safety
/// `base` points to `len` elements of `T`, which `compare` accepts.
unsafe fn qsort_with<T>(
    base: *mut T,
    len: usize,
    compare: unsafe extern "C" fn(*mut T, *mut T) -> c_int,
) {
    if len == 0 {
        return;
    }
    // SAFETY: an extern "C" function of two data pointers returning int has the ABI of
    // qsort's comparator; only the pointee type differs, and qsort passes pointers to T.
    let compare: unsafe extern "C" fn(*const libc::c_void, *const libc::c_void) -> c_int =
        unsafe { std::mem::transmute(compare) };
    // SAFETY: base holds len elements of size_of::<T>() bytes (the caller's promise).
    unsafe { libc::qsort(base.cast(), len, std::mem::size_of::<T>(), Some(compare)) };
}

/// Sorts the entries of `ipvs_get_services`'s result in place with `f` (usually
/// `ipvs_cmp_services`). With a NULL argument: nothing is sorted and errno is EINVAL.
///
/// # Safety
/// `s` is NULL or a result of `ipvs_get_services` (its `num_services` entries follow it);
/// `f` is NULL or a comparator of service entries.
#[no_mangle]
pub unsafe extern "C" fn ipvs_sort_services(s: *mut ip_vs_get_services, f: ipvs_service_cmp_t) {
    guard((), || {
        // SAFETY: the caller's promise about s.
        match (unsafe { ffi::borrow_mut(s) }, f) {
            (Some(s), Some(f)) => {
                let len = s.num_services as usize;
                let base = s.entrytable.as_mut_ptr();
                // SAFETY: the caller's promise: num_services entries follow the header.
                unsafe { qsort_with(base, len, f) }
            }
            _ => set_errno(libc::EINVAL),
        }
    })
}

/// Sorts the entries of `ipvs_get_dests`'s result in place with `f` (usually
/// `ipvs_cmp_dests`). With a NULL argument: nothing is sorted and errno is EINVAL.
///
/// # Safety
/// `d` is NULL or a result of `ipvs_get_dests` (its `num_dests` entries follow it); `f` is
/// NULL or a comparator of real-server entries.
#[no_mangle]
pub unsafe extern "C" fn ipvs_sort_dests(d: *mut ip_vs_get_dests, f: ipvs_dest_cmp_t) {
    guard((), || {
        // SAFETY: the caller's promise about d.
        match (unsafe { ffi::borrow_mut(d) }, f) {
            (Some(d), Some(f)) => {
                let len = d.num_dests as usize;
                let base = d.entrytable.as_mut_ptr();
                // SAFETY: the caller's promise: num_dests entries follow the header.
                unsafe { qsort_with(base, len, f) }
            }
            _ => set_errno(libc::EINVAL),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::ip_into;

    fn svc(fwmark: u32, addr: &str, port: u16) -> ipvs_service_entry_t {
        let ip: std::net::IpAddr = addr.parse().unwrap();
        ipvs_service_entry_t {
            fwmark,
            af: if ip.is_ipv6() { 10 } else { 2 },
            protocol: 6,
            addr: ip_into(ip),
            port: port.to_be(),
            ..Default::default()
        }
    }

    #[test]
    fn addresses_2_to_the_31_apart_compare_backwards_like_libipvs() {
        let low = svc(0, "10.0.0.1", 80);
        let high = svc(0, "200.0.0.1", 80);
        assert!(cmp_service_entries(&low, &high) > 0);
        let near = svc(0, "10.0.0.2", 80);
        assert!(cmp_service_entries(&low, &near) < 0);
    }

    #[test]
    fn address_services_sort_before_marks_and_ports_compare_last() {
        assert!(cmp_service_entries(&svc(0, "192.0.2.1", 80), &svc(1, "0.0.0.0", 0)) < 0);
        assert_eq!(
            cmp_service_entries(&svc(0, "192.0.2.1", 80), &svc(0, "192.0.2.1", 443)),
            80 - 443
        );
        assert!(cmp_service_entries(&svc(0, "2001:db8::2", 80), &svc(0, "2001:db8::1", 80)) > 0);
    }

    #[test]
    fn dests_compare_by_address_then_port() {
        let d = |addr: &str, port: u16| {
            let ip: std::net::IpAddr = addr.parse().unwrap();
            ipvs_dest_entry_t {
                af: if ip.is_ipv6() { 10 } else { 2 },
                addr: ip_into(ip),
                port: port.to_be(),
                ..Default::default()
            }
        };
        assert_eq!(
            cmp_dest_entries(&d("192.0.2.1", 80), &d("192.0.2.1", 80)),
            0
        );
        assert!(cmp_dest_entries(&d("192.0.2.1", 80), &d("192.0.2.2", 1)) < 0);
        assert_eq!(
            cmp_dest_entries(&d("192.0.2.1", 8080), &d("192.0.2.1", 80)),
            8000
        );
    }
}
