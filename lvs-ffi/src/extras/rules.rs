//! Rule text through a handle: apply a block of ipvsadm commands in one batched call, and
//! save the table as `ipvsadm -S -n` prints it.

use std::os::raw::c_char;

use lvs_core::rules::{self, Problem};
use lvs_core::{Ipvs, Operation, Table, VirtualService};

use super::handle::lvs_handle;
use super::last_error::{fail, fail_with, guarded, invalid_argument};
use crate::errors::lvs_result;
use crate::ffi;

/// The table-changing operations of rule text, each with its line number (lvs-core's one
/// reader of rule text to apply): a line that changes nothing is invalid input, any other
/// refusal a syntax error.
fn operations(text: &str) -> Result<Vec<(usize, Operation)>, lvs_result> {
    rules::parse_operations(text).map_err(|e| {
        let code = match e.problem {
            Problem::NotAChange(_) => lvs_result::LVS_ERR_INVALID_INPUT,
            _ => lvs_result::LVS_ERR_SYNTAX,
        };
        fail(code, libc::EINVAL, e.line, e.to_string())
    })
}

/// Applies a block of ipvsadm rule text (what `ipvsadm-restore` reads: one command per line,
/// `#` comments and blank lines skipped, a leading `ipvsadm` ignored) in one batched call.
///
/// The whole text is read first: a line that does not parse, or that does not change the
/// table (`-L`, `-S`, ...), fails with nothing sent. Then the commands go to the kernel in
/// order, in batches of 64 (one system call each); at the first command the kernel refuses,
/// the result says why and `lvs_last_error_line()` (and `*failed_line`, when not NULL) names
/// its line. Commands before it took effect, and so did the other commands of its batch that
/// the kernel accepted (it carries out every request of one system call); no later batch is
/// sent.
///
/// # Safety
/// `handle` is NULL or an open handle; `text` is NULL or a NUL-terminated string;
/// `failed_line` is NULL or points to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn lvs_apply_rules(
    handle: *mut lvs_handle,
    text: *const c_char,
    failed_line: *mut usize,
) -> lvs_result {
    guarded(|| {
        // SAFETY: the caller's promises about handle and text.
        let (handle, text) = unsafe { (ffi::borrow(handle), ffi::c_str(text)) };
        let (Some(handle), Some(text)) = (handle, text) else {
            return invalid_argument("lvs_apply_rules: handle or text is NULL");
        };
        let result = apply(handle, text.to_bytes());
        if result != lvs_result::LVS_OK {
            let line = super::lvs_last_error_line();
            // SAFETY: the caller's promise about failed_line.
            unsafe { ffi::write_out(failed_line, line) };
        }
        result
    })
}

fn apply(handle: &lvs_handle, text: &[u8]) -> lvs_result {
    let Ok(text) = std::str::from_utf8(text) else {
        return fail(
            lvs_result::LVS_ERR_SYNTAX,
            libc::EINVAL,
            0,
            "the rule text is not UTF-8".to_owned(),
        );
    };
    let numbered = match operations(text) {
        Ok(ops) => ops,
        Err(code) => return code,
    };
    let ops: Vec<Operation> = numbered.iter().map(|(_, op)| op.clone()).collect();
    match handle.ipvs.apply(&ops) {
        Ok(()) => lvs_result::LVS_OK,
        Err(batch) => {
            let applied = batch.applied().len();
            match batch.first_failure() {
                Some((index, error)) => {
                    let line = numbered[index].0;
                    let message = format!(
                        "line {line}: {error} ({applied} of {} commands applied)",
                        ops.len()
                    );
                    fail_with(error, line, message)
                }
                None => fail(
                    lvs_result::LVS_ERR_OTHER,
                    libc::EIO,
                    0,
                    format!(
                        "the batch failed ({applied} of {} commands applied)",
                        ops.len()
                    ),
                ),
            }
        }
    }
}

/// Writes the table, its connection timeouts and its sync daemons as lossless rule text
/// into `buf`, NUL-terminated, and its length with the NUL into `*needed` (when not NULL).
/// When it does not fit in `capacity` bytes, nothing is written to `buf` and the result is
/// `LVS_ERR_BUFFER_TOO_SMALL`; call again with `*needed` bytes (`buf` may be NULL when
/// `capacity` is 0).
///
/// Lossless: `lvs_apply_rules` of the text on a fresh namespace gives the same table and
/// settings. The text is ipvsadm's syntax where ipvsadm can say a value, with lvs's
/// `--lvs-...` options where it cannot (ipvsadm refuses those lines instead of misreading
/// them): first a `--set` line with the timeouts, `--start-daemon` lines for the running
/// daemons, then the services. The `net.ipv4.vs` sysctls are not part of it (read them
/// with `lvs_sysctl_list`; `--lvs-sysctl NAME=VALUE` lines given to `lvs_apply_rules` set
/// them). A scheduler, engine or interface name the text cannot carry (with a blank or a
/// control character, ...) fails with `LVS_ERR_INVALID_INPUT`, the message naming the
/// field. For `ipvsadm -S -n`'s own text, use `lvs_save_rules_ipvsadm`.
///
/// Services and real servers come in numeric order: services by firewall mark (address
/// services, mark 0, first), family, protocol, address and port; real servers by family,
/// address and port. Two saves of the same table are equal byte for byte.
///
/// # Safety
/// `handle` is NULL or an open handle; `buf` points to `capacity` writable bytes or
/// `capacity` is 0; `needed` is NULL or points to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn lvs_save_rules(
    handle: *mut lvs_handle,
    buf: *mut c_char,
    capacity: usize,
    needed: *mut usize,
) -> lvs_result {
    // SAFETY: the caller's promises, passed on.
    unsafe { save_rules(handle, buf, capacity, needed, false) }
}

/// Like `lvs_save_rules`, but the services only and byte for byte as `ipvsadm -S -n` prints
/// them, which loses what ipvsadm does not save: the timeouts and daemons, real-server
/// thresholds, the netmask and engine of services that are not persistent, `Local`
/// forwarding (written as `-g`), a direct-routing or tunnel port other than the service's;
/// values ipvsadm cannot say are written so that nothing reads them back (`Bypass` as
/// `(null)`, weights above 65535, GRE with remote checksum as plain GRE, ...). Names are
/// written as they are. ipvsadm 1.31 sorts by the same keys as lvs but compares by
/// subtraction, which wraps around for values 2^31 or more apart (e.g. it puts 10.0.0.1
/// after 200.0.0.1).
///
/// # Safety
/// As for `lvs_save_rules`.
#[no_mangle]
pub unsafe extern "C" fn lvs_save_rules_ipvsadm(
    handle: *mut lvs_handle,
    buf: *mut c_char,
    capacity: usize,
    needed: *mut usize,
) -> lvs_result {
    // SAFETY: the caller's promises, passed on.
    unsafe { save_rules(handle, buf, capacity, needed, true) }
}

/// The body of both saves.
///
/// # Safety
/// As for `lvs_save_rules`.
unsafe fn save_rules(
    handle: *mut lvs_handle,
    buf: *mut c_char,
    capacity: usize,
    needed: *mut usize,
    ipvsadm: bool,
) -> lvs_result {
    let name = if ipvsadm {
        "lvs_save_rules_ipvsadm"
    } else {
        "lvs_save_rules"
    };
    guarded(|| {
        // SAFETY: the caller's promise about handle.
        let Some(handle) = (unsafe { ffi::borrow(handle) }) else {
            return invalid_argument(&format!("{name}: handle is NULL"));
        };
        if buf.is_null() && capacity > 0 {
            return invalid_argument(&format!("{name}: buf is NULL with a capacity"));
        }
        let read = handle.ipvs.table_with_stats().and_then(|services| {
            let table = Table::new(
                services
                    .into_iter()
                    .map(|(entry, servers)| {
                        VirtualService::new(
                            entry.service,
                            servers.into_iter().map(|s| s.server).collect(),
                        )
                    })
                    .collect(),
            );
            if ipvsadm {
                return Ok(table);
            }
            Ok(table
                .with_timeouts(handle.ipvs.timeouts()?)
                .with_daemons(handle.ipvs.daemons()?))
        });
        let table = match read {
            Ok(table) => table,
            Err(e) => {
                let message = e.to_string();
                return fail_with(&e, 0, message);
            }
        };
        let text = if ipvsadm {
            rules::save_ipvsadm(&table)
        } else {
            match rules::save(&table) {
                Ok(text) => text,
                Err(e) => {
                    return fail(
                        lvs_result::LVS_ERR_INVALID_INPUT,
                        libc::EINVAL,
                        0,
                        format!("{name}: {e}"),
                    )
                }
            }
        };
        // SAFETY: the caller's promises about buf, capacity and needed.
        unsafe { text_out(&text, "the rules need", buf, capacity, needed) }
    })
}

/// Hands rule text to a caller's buffer, the contract of `lvs_save_rules` and
/// `lvs_plan_rules`: its length with the NUL into `*needed` (when not NULL), then the text,
/// NUL-terminated, if it fits in `capacity` bytes, else `LVS_ERR_BUFFER_TOO_SMALL` naming
/// `what` (`"the rules need"`) and nothing written to `buf`.
///
/// # Safety
/// `buf` points to `capacity` writable bytes or `capacity` is 0; `needed` is NULL or points
/// to a writable `size_t`.
pub(super) unsafe fn text_out(
    text: &str,
    what: &str,
    buf: *mut c_char,
    capacity: usize,
    needed: *mut usize,
) -> lvs_result {
    // SAFETY: the caller's promise about needed.
    unsafe { ffi::write_out(needed, text.len() + 1) };
    if text.len() + 1 > capacity {
        return fail(
            lvs_result::LVS_ERR_BUFFER_TOO_SMALL,
            libc::ERANGE,
            0,
            format!("{what} {} bytes, the buffer has {capacity}", text.len() + 1),
        );
    }
    // SAFETY: buf has capacity >= text.len() + 1 writable bytes (the caller's promise).
    unsafe { ffi::copy_to_buffer(text.as_bytes(), buf, capacity) };
    lvs_result::LVS_OK
}
