//! The connection table of a handle's network namespace, handed to a C callback one entry
//! at a time (what `ipvsadm -L -n -c` lists).

use std::ffi::{c_void, CString};
use std::net::{IpAddr, SocketAddr};
use std::os::raw::{c_char, c_int};
use std::ptr;

use lvs_core::listing::{Connection, ConnectionFilter};

use super::handle::lvs_handle;
use super::last_error::{fail, fail_with, guarded, invalid_argument};
use crate::abi::{__u16, __u64, ipvs_service_t, nf_inet_addr, u_int16_t};
use crate::convert::{family, ip_from, ip_into, key_from};
use crate::errors::lvs_result;
use crate::ffi;

/// One entry of the connection table: a client's connection through a virtual service to
/// a real server, or a persistence template. Ports are in host byte order; addresses are
/// `union nf_inet_addr` (IPv4 in the first 4 bytes). The strings belong to lvs and are valid
/// only during the callback that receives the entry: copy what you keep.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct lvs_connection {
    /// IP protocol number (`IPPROTO_TCP`, `IPPROTO_UDP`, `IPPROTO_SCTP`, 0 for the `IP`
    /// templates of firewall-mark services), or -1 when the kernel's name tells none.
    pub protocol: c_int,
    /// The protocol by the kernel's name (`"TCP"`, `"UDP"`, `"SCTP"`, `"IP"`, ...).
    pub protocol_name: *const c_char,
    /// `AF_INET` or `AF_INET6`: the family of the client and virtual addresses.
    pub af: u_int16_t,
    /// The client's port (0 for a persistence template).
    pub client_port: __u16,
    /// The client's address.
    pub client_addr: nf_inet_addr,
    /// The virtual service's port.
    pub virtual_port: __u16,
    /// The virtual service's address; a firewall-mark template has the mark here, as the
    /// IPv4 address the kernel shows (mark 1 is 0.0.0.1).
    pub virtual_addr: nf_inet_addr,
    /// `AF_INET` or `AF_INET6`: the real server's family (it differs from `af` for a real
    /// server reached through a tunnel of the other family).
    pub dest_af: u_int16_t,
    /// The real server's port.
    pub dest_port: __u16,
    /// The real server's address.
    pub dest_addr: nf_inet_addr,
    /// The protocol state by the kernel's name (`"ESTABLISHED"`, `"UDP"`, `"NONE"`, ...).
    pub state: *const c_char,
    /// Seconds until the entry expires.
    pub expires: __u64,
    /// 1 for a persistence template (the kernel makes every one, and no client
    /// connection, with client port 0), else 0.
    pub is_template: c_int,
    /// The persistence engine keeping data on the entry (such as `"sip"`), or NULL.
    pub pe_name: *const c_char,
    /// The persistence engine's data (such as a SIP Call-ID), or NULL.
    pub pe_data: *const c_char,
    /// `"LOCAL"` (scheduled here) or `"SYNC"` (learned from a sync daemon's master) when
    /// read with `with_origin`, else NULL.
    pub origin: *const c_char,
}

/// Which entries `lvs_connections` hands on; the conditions set are and-ed. A NULL filter,
/// or one that is all zeros but `templates = -1`, keeps every entry.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct lvs_connection_filter {
    /// NULL, or the service whose entries to keep, named as libipvs names one (`fwmark`, or
    /// `af`, `protocol`, `addr` and `port` in network order; the other fields are ignored).
    /// A port-0 service keeps its connections to any port; a firewall-mark service keeps
    /// its persistence templates only (the kernel's table does not tell the mark of a
    /// connection).
    pub service: *const ipvs_service_t,
    /// 0 for any real server, or `AF_INET`/`AF_INET6` to keep the entries to `server_addr`.
    pub server_af: u_int16_t,
    /// The real server's port, host order (0: any port).
    pub server_port: __u16,
    /// The real server's address (read when `server_af` is not 0).
    pub server_addr: nf_inet_addr,
    /// -1: templates and client connections; 0: client connections only; 1: persistence
    /// templates only.
    pub templates: c_int,
    /// Non-zero: read the kernel's `ip_vs_conn_sync`, which tells each entry's `origin` but
    /// has no persistence-engine columns (`pe_name` and `pe_data` are then NULL).
    pub with_origin: c_int,
}

/// What `lvs_connections` calls for each entry, with the caller's `ctx`; a non-zero result
/// stops the listing.
#[allow(non_camel_case_types)]
pub type lvs_connection_cb =
    Option<unsafe extern "C" fn(connection: *const lvs_connection, ctx: *mut c_void) -> c_int>;

/// The filter of the C struct, or the result code of what is wrong with it.
fn filter_from(f: &lvs_connection_filter) -> Result<ConnectionFilter, lvs_result> {
    let bad = |errno, message: String| {
        fail(
            lvs_result::LVS_ERR_NULL_OR_INVALID_ARGUMENT,
            errno,
            0,
            format!("lvs_connections: {message}"),
        )
    };
    // SAFETY: the caller's promise: `service` is NULL or points to a readable
    // ipvs_service_t that no one writes during the call.
    let mut filter = match unsafe { ffi::read(f.service) } {
        None => ConnectionFilter::all(),
        Some(svc) => {
            let key = key_from(svc.fwmark, svc.af, svc.protocol, &svc.addr, svc.port).map_err(
                |errno| {
                    bad(
                        errno,
                        format!("the service's family {} is not AF_INET or AF_INET6", svc.af),
                    )
                },
            )?;
            ConnectionFilter::service(&key)
        }
    };
    if f.server_af != 0 {
        let family = family(f.server_af).map_err(|errno| {
            bad(
                errno,
                format!("server_af {} is not 0, AF_INET or AF_INET6", f.server_af),
            )
        })?;
        let server = SocketAddr::new(ip_from(family, &f.server_addr), f.server_port);
        filter = filter.to_server(server);
    }
    filter = match f.templates {
        -1 => filter,
        0 => filter.templates(false),
        1 => filter.templates(true),
        other => {
            return Err(bad(
                libc::EINVAL,
                format!("templates is {other}, not -1, 0 or 1"),
            ))
        }
    };
    if f.with_origin != 0 {
        filter = filter.with_origin();
    }
    Ok(filter)
}

/// A C copy of a text; the kernel's files hold no NUL, so a NUL would only cut the text.
fn c_text(text: &str) -> CString {
    let before_nul = text.split('\0').next().unwrap_or_default();
    CString::new(before_nul).unwrap_or_default()
}

/// The `AF_*` number of an address.
fn af_of(ip: IpAddr) -> u16 {
    let af = if ip.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    af as u16
}

/// The C texts of one entry, kept alive while the callback sees them.
struct Texts {
    protocol: CString,
    state: CString,
    pe_name: Option<CString>,
    pe_data: Option<CString>,
    origin: Option<CString>,
}

impl Texts {
    fn of(c: &Connection) -> Texts {
        Texts {
            protocol: c_text(c.protocol.name()),
            state: c_text(c.state.name()),
            pe_name: c.pe_name.as_deref().map(c_text),
            pe_data: c.pe_data.as_deref().map(c_text),
            origin: c.origin.as_ref().map(|o| c_text(o.name())),
        }
    }

    /// The entry as C sees it, pointing into these texts.
    fn record(&self, c: &Connection) -> lvs_connection {
        let optional = |text: &Option<CString>| text.as_ref().map_or(ptr::null(), |t| t.as_ptr());
        lvs_connection {
            protocol: c.protocol.number().map_or(-1, c_int::from),
            protocol_name: self.protocol.as_ptr(),
            af: af_of(c.client.ip()),
            client_port: c.client.port(),
            client_addr: ip_into(c.client.ip()),
            virtual_port: c.virtual_addr.port(),
            virtual_addr: ip_into(c.virtual_addr.ip()),
            dest_af: af_of(c.destination.ip()),
            dest_port: c.destination.port(),
            dest_addr: ip_into(c.destination.ip()),
            state: self.state.as_ptr(),
            expires: c.expires_secs,
            is_template: c_int::from(c.is_template()),
            pe_name: optional(&self.pe_name),
            pe_data: optional(&self.pe_data),
            origin: optional(&self.origin),
        }
    }
}

/// Calls `cb(entry, ctx)` for each entry of the connection table of the handle's network
/// namespace (not the caller's) that `filter` keeps (NULL: every entry), in the kernel's
/// order, reading the kernel's table as it goes: memory does not grow with the table. A
/// non-zero result of `cb` stops the listing, and `lvs_connections` returns `LVS_OK`. The
/// entry and its strings are valid only during the callback, which may call other `lvs_*`
/// functions, on this handle too.
///
/// The kernel writes the table as it walks it, so entries that come or go meanwhile may be
/// missed or seen twice, as with `ipvsadm -L -c`. A filter field out of range fails with
/// `LVS_ERR_NULL_OR_INVALID_ARGUMENT` before anything is read (errno `EAFNOSUPPORT` for a
/// family, else `EINVAL`); a failure to read the table, before or after some entries were
/// handed on, with its code and message.
///
/// # Safety
/// `handle` is NULL or an open handle; `filter` is NULL or points to a readable
/// `struct lvs_connection_filter` whose `service` is NULL or points to a readable
/// `ipvs_service_t`; `cb` is NULL or a function that may be called with `ctx`.
#[no_mangle]
pub unsafe extern "C" fn lvs_connections(
    handle: *mut lvs_handle,
    filter: *const lvs_connection_filter,
    cb: lvs_connection_cb,
    ctx: *mut c_void,
) -> lvs_result {
    guarded(|| {
        // SAFETY: the caller's promise about handle.
        let Some(handle) = (unsafe { ffi::borrow(handle) }) else {
            return invalid_argument("lvs_connections: handle is NULL");
        };
        let Some(cb) = cb else {
            return invalid_argument("lvs_connections: cb is NULL");
        };
        // SAFETY: the caller's promise about filter.
        let filter = match unsafe { ffi::read(filter) } {
            None => ConnectionFilter::all(),
            Some(f) => match filter_from(&f) {
                Ok(filter) => filter,
                Err(code) => return code,
            },
        };
        let entries = match handle.ipvs.connections_iter(&filter) {
            Ok(entries) => entries,
            Err(e) => {
                let message = e.to_string();
                return fail_with(&e, 0, message);
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let message = e.to_string();
                    return fail_with(&e, 0, message);
                }
            };
            let texts = Texts::of(&entry);
            let record = texts.record(&entry);
            // SAFETY: cb is the caller's function for this call, called as its type says;
            // `record` and the texts it points into live until it returns.
            if unsafe { cb(&record, ctx) } != 0 {
                break;
            }
        }
        lvs_result::LVS_OK
    })
}
