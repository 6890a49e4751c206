//! Desired state from C: plan the way from the handle's table to rule text that describes
//! the table wanted (within a scope, with drain), print it, or apply it all or nothing. The
//! plan is lvs-core's `plan_live`, the one lvsctl and Python use.

use std::net::IpAddr;
use std::os::raw::c_char;

use lvs_core::plan::{apply_plan, plan_live, LivePlan, PlanOptions, Scope};
use lvs_core::rules::{operation_line, table_from_rules};
use lvs_core::Table;

use super::handle::lvs_handle;
use super::last_error::{fail, fail_with, guarded, invalid_argument};
use super::rules::text_out;
use crate::errors::lvs_result;
use crate::ffi;

/// `flags` bit of `lvs_plan_rules` and `lvs_apply_desired_rules`: drain real servers that
/// are to go (weight 0 now, deleted on a later run once idle) instead of deleting them.
pub const LVS_PLAN_DRAIN: u32 = 1;

/// `flags` bit of `lvs_plan_rules` and `lvs_apply_desired_rules`: delete real servers that
/// are to go now (with `LVS_PLAN_DRAIN`, the draining ones too) and let the kernel end their
/// connections at their next packet. Refused (`LVS_ERR_INVALID_INPUT`) when the plan
/// deletes anything and `net.ipv4.vs.expire_nodest_conn` is not 1: neither set so by an
/// `--lvs-sysctl expire_nodest_conn=1` line of the desired text nor, when the text does not
/// state it, in the namespace. lvs never sets that namespace-wide sysctl unasked.
pub const LVS_PLAN_EXPIRE_CONNECTIONS: u32 = 2;

/// Every `flags` bit defined.
const PLAN_FLAGS: u32 = LVS_PLAN_DRAIN | LVS_PLAN_EXPIRE_CONNECTIONS;

/// The services a plan may touch; the rest of the table belongs to someone else. A service
/// is in scope when its virtual address is one of `vips` (numeric IPv4 or IPv6 text) or its
/// firewall mark one of `fwmarks`. A scope with neither lets the plan touch nothing; pass
/// NULL instead of a scope to let it own the whole table.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lvs_scope {
    /// `vip_count` NUL-terminated addresses, or NULL when `vip_count` is 0.
    pub vips: *const *const c_char,
    /// How many addresses `vips` has.
    pub vip_count: usize,
    /// `fwmark_count` firewall marks, or NULL when `fwmark_count` is 0.
    pub fwmarks: *const u32,
    /// How many marks `fwmarks` has.
    pub fwmark_count: usize,
}

/// Reads the arguments both functions take: the desired table, the scope and the options.
///
/// # Safety
/// As for `lvs_plan_rules`.
unsafe fn arguments(
    name: &str,
    desired: *const c_char,
    scope: *const lvs_scope,
    flags: u32,
) -> Result<(Table, Scope, PlanOptions), lvs_result> {
    // SAFETY: the caller's promise about desired.
    let Some(text) = (unsafe { ffi::c_str(desired) }) else {
        return Err(invalid_argument(&format!("{name}: desired is NULL")));
    };
    let Ok(text) = text.to_str() else {
        return Err(fail(
            lvs_result::LVS_ERR_SYNTAX,
            libc::EINVAL,
            0,
            format!("{name}: the desired rule text is not UTF-8"),
        ));
    };
    if flags & !PLAN_FLAGS != 0 {
        return Err(invalid_argument(&format!(
            "{name}: unknown flags {:#x} (LVS_PLAN_DRAIN and LVS_PLAN_EXPIRE_CONNECTIONS are \
             defined)",
            flags & !PLAN_FLAGS
        )));
    }
    let table = table_from_rules(text).map_err(|e| {
        fail(
            lvs_result::LVS_ERR_SYNTAX,
            libc::EINVAL,
            e.line,
            format!("{name}: {e}"),
        )
    })?;
    // SAFETY: the caller's promise about scope (NULL or one readable lvs_scope).
    let scope = match unsafe { ffi::read(scope) } {
        None => Scope::all(),
        // SAFETY: the caller's promises about the arrays the scope points to.
        Some(s) => unsafe { scope_of(name, &s) }?,
    };
    let mut options = if flags & LVS_PLAN_DRAIN != 0 {
        PlanOptions::draining()
    } else {
        PlanOptions::default()
    };
    if flags & LVS_PLAN_EXPIRE_CONNECTIONS != 0 {
        options = options.expiring_connections();
    }
    Ok((table, scope, options))
}

/// The scope an `lvs_scope` describes.
///
/// # Safety
/// `vips` points to `vip_count` NUL-terminated strings (or `vip_count` is 0), `fwmarks`
/// to `fwmark_count` marks (or `fwmark_count` is 0).
unsafe fn scope_of(name: &str, s: &lvs_scope) -> Result<Scope, lvs_result> {
    if (s.vips.is_null() && s.vip_count > 0) || (s.fwmarks.is_null() && s.fwmark_count > 0) {
        return Err(invalid_argument(&format!(
            "{name}: a scope array is NULL with a count"
        )));
    }
    let mut addresses = Vec::with_capacity(s.vip_count);
    for i in 0..s.vip_count {
        // SAFETY: i < vip_count, and vips has vip_count entries (the caller's promise).
        let vip = unsafe { *s.vips.add(i) };
        // SAFETY: each entry is NULL or a NUL-terminated string (the caller's promise).
        let text = unsafe { ffi::c_str(vip) }.and_then(|t| t.to_str().ok());
        let Some(addr) = text.and_then(|t| t.parse::<IpAddr>().ok()) else {
            return Err(fail(
                lvs_result::LVS_ERR_INVALID_INPUT,
                libc::EINVAL,
                0,
                format!(
                    "{name}: scope vips[{i}] is not a numeric IPv4 or IPv6 address: {:?}",
                    text.unwrap_or("(NULL or not UTF-8)")
                ),
            ));
        };
        addresses.push(addr);
    }
    let marks = if s.fwmark_count == 0 {
        Vec::new()
    } else {
        // SAFETY: fwmarks points to fwmark_count marks (the caller's promise), checked
        // non-NULL above.
        unsafe { std::slice::from_raw_parts(s.fwmarks, s.fwmark_count) }.to_vec()
    };
    Ok(Scope::addresses(addresses).or(Scope::fwmarks(marks)))
}

/// Plans the fewest operations that make the handle's table what `desired` describes (rule
/// text as `lvs_save_rules` or `ipvsadm -S -n` writes it: `-A` and `-a` lines, and `--set`
/// and `--start-daemon` lines, applied only when the text has them), within `scope` (NULL:
/// the whole table), and writes them as ipvsadm rule lines into `buf`, NUL-terminated (an
/// empty string when the table is as wanted), with the length and the NUL in `*needed`
/// (when not NULL); `LVS_ERR_BUFFER_TOO_SMALL` when it does not fit, as for
/// `lvs_save_rules`. Services and real servers are edited in place, not deleted and added.
///
/// With `LVS_PLAN_DRAIN` in `flags`, a real server to remove is set to weight 0 instead,
/// and deleted by the plan of a later call once it is idle (weight 0, no connections in the
/// kernel's counters or connection table). With `LVS_PLAN_EXPIRE_CONNECTIONS`, real servers
/// to remove are deleted now whatever their connections (see that flag). Changes nothing.
///
/// # Safety
/// `handle` is NULL or an open handle; `desired` is NULL or a NUL-terminated string;
/// `scope` is NULL or points to an `lvs_scope` whose arrays hold their counts of entries;
/// `buf` points to `capacity` writable bytes or `capacity` is 0; `needed` is NULL or points
/// to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn lvs_plan_rules(
    handle: *mut lvs_handle,
    desired: *const c_char,
    scope: *const lvs_scope,
    flags: u32,
    buf: *mut c_char,
    capacity: usize,
    needed: *mut usize,
) -> lvs_result {
    let name = "lvs_plan_rules";
    guarded(|| {
        // SAFETY: the caller's promise about handle.
        let Some(handle) = (unsafe { ffi::borrow(handle) }) else {
            return invalid_argument(&format!("{name}: handle is NULL"));
        };
        if buf.is_null() && capacity > 0 {
            return invalid_argument(&format!("{name}: buf is NULL with a capacity"));
        }
        // SAFETY: the caller's promises, passed on.
        let (table, scope, options) = match unsafe { arguments(name, desired, scope, flags) } {
            Ok(arguments) => arguments,
            Err(code) => return code,
        };
        let live = match plan_live(&handle.ipvs, &table, &scope, &options) {
            Ok(live) => live,
            Err(e) => {
                let message = format!("{name}: {e}");
                return fail_with(&e, 0, message);
            }
        };
        let text = match live.plan.to_rules() {
            Ok(text) => text,
            Err(e) => {
                return fail(
                    lvs_result::LVS_ERR_INVALID_INPUT,
                    libc::EINVAL,
                    0,
                    format!("{name}: {e}"),
                )
            }
        };
        // SAFETY: the caller's promises about buf, capacity and needed.
        unsafe { text_out(&text, "the plan needs", buf, capacity, needed) }
    })
}

/// Plans as `lvs_plan_rules` does and applies the plan all or nothing: when an operation
/// fails, what was applied before it is undone (the message says whether the undo was
/// complete) and the result is the failed operation's. `*operations` (when not NULL) gets
/// the number of operations of the plan, applied on success.
///
/// # Safety
/// As for `lvs_plan_rules`, with `operations` NULL or pointing to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn lvs_apply_desired_rules(
    handle: *mut lvs_handle,
    desired: *const c_char,
    scope: *const lvs_scope,
    flags: u32,
    operations: *mut usize,
) -> lvs_result {
    let name = "lvs_apply_desired_rules";
    guarded(|| {
        // SAFETY: the caller's promise about handle.
        let Some(handle) = (unsafe { ffi::borrow(handle) }) else {
            return invalid_argument(&format!("{name}: handle is NULL"));
        };
        // SAFETY: the caller's promises, passed on.
        let (table, scope, options) = match unsafe { arguments(name, desired, scope, flags) } {
            Ok(arguments) => arguments,
            Err(code) => return code,
        };
        let LivePlan { current, plan, .. } = match plan_live(&handle.ipvs, &table, &scope, &options)
        {
            Ok(live) => live,
            Err(e) => {
                let message = format!("{name}: {e}");
                return fail_with(&e, 0, message);
            }
        };
        // SAFETY: the caller's promise about operations.
        unsafe { ffi::write_out(operations, plan.operations.len()) };
        match apply_plan(&handle.ipvs, &current, &plan) {
            Ok(()) => lvs_result::LVS_OK,
            Err(e) => match e.failure.first_failure() {
                Some((index, error)) => {
                    let line = operation_line(&plan.operations[index]).unwrap_or_default();
                    let message = format!("{name}: {e} ({line})");
                    fail_with(error, 0, message)
                }
                None => fail(
                    lvs_result::LVS_ERR_OTHER,
                    libc::EIO,
                    0,
                    format!("{name}: {e}"),
                ),
            },
        }
    })
}
