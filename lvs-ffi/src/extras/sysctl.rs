//! The `net.ipv4.vs` sysctls of a handle's network namespace, as text: read one, set one,
//! list them all. Values are written as lvs prints them (`3 50` for `sync_threshold`, a
//! CPU list as the kernel prints it) and read as `lvsctl sysctl NAME=VALUE` reads them.

use std::os::raw::c_char;

use lvs_core::sysctl;
use lvs_core::Ipvs;

use super::handle::lvs_handle;
use super::last_error::{fail, fail_with, guarded, invalid_argument};
use crate::errors::lvs_result;
use crate::ffi;

/// Reads a C string argument as UTF-8, or records why not.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn text<'a>(p: *const c_char, function: &str, what: &str) -> Result<&'a str, lvs_result> {
    // SAFETY: the caller's promise about p.
    let Some(c) = (unsafe { ffi::c_str(p) }) else {
        return Err(invalid_argument(&format!("{function}: {what} is NULL")));
    };
    c.to_str().map_err(|_| {
        fail(
            lvs_result::LVS_ERR_INVALID_INPUT,
            libc::EINVAL,
            0,
            format!("{function}: {what} is not UTF-8"),
        )
    })
}

/// Copies `text` and its NUL into `buf` when it fits, like `lvs_save_rules`.
///
/// # Safety
/// `buf` points to `capacity` writable bytes or `capacity` is 0; `needed` is NULL or
/// points to a writable `size_t`.
unsafe fn give(text: &str, buf: *mut c_char, capacity: usize, needed: *mut usize) -> lvs_result {
    // SAFETY: the caller's promise about needed.
    unsafe { ffi::write_out(needed, text.len() + 1) };
    if text.len() + 1 > capacity {
        return fail(
            lvs_result::LVS_ERR_BUFFER_TOO_SMALL,
            libc::ERANGE,
            0,
            format!(
                "the value needs {} bytes, the buffer has {capacity}",
                text.len() + 1
            ),
        );
    }
    // SAFETY: buf has capacity >= text.len() + 1 writable bytes (the caller's promise).
    unsafe { ffi::copy_to_buffer(text.as_bytes(), buf, capacity) };
    lvs_result::LVS_OK
}

/// Writes the value of the sysctl `net.ipv4.vs.NAME` of the handle's network namespace
/// (`name` with or without the `net.ipv4.vs.` prefix) into `buf` as text, NUL-terminated,
/// and its length with the NUL into `*needed` (when not NULL): an integer, two integers
/// separated by a space for `sync_threshold`, a CPU list, or the kernel's text of a knob
/// lvs does not know. When it does not fit in `capacity` bytes, nothing is written to
/// `buf` and the result is `LVS_ERR_BUFFER_TOO_SMALL` (`buf` may be NULL when `capacity`
/// is 0).
///
/// A knob the namespace does not have (too old or too new a kernel, a scheduler module not
/// loaded) fails with `LVS_ERR_UNSUPPORTED` and errno `ENOENT`; a name that cannot be a
/// knob (empty, with a `/`, ...) with `LVS_ERR_INVALID_INPUT`. The knobs, their ranges and
/// meanings are listed in lvs's documentation (`lvs_core::sysctl`, README "Sysctls").
///
/// # Safety
/// `handle` is NULL or an open handle; `name` is NULL or a NUL-terminated string; `buf`
/// points to `capacity` writable bytes or `capacity` is 0; `needed` is NULL or points to a
/// writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn lvs_sysctl_get(
    handle: *mut lvs_handle,
    name: *const c_char,
    buf: *mut c_char,
    capacity: usize,
    needed: *mut usize,
) -> lvs_result {
    guarded(|| {
        const F: &str = "lvs_sysctl_get";
        // SAFETY: the caller's promise about handle.
        let Some(handle) = (unsafe { ffi::borrow(handle) }) else {
            return invalid_argument(&format!("{F}: handle is NULL"));
        };
        if buf.is_null() && capacity > 0 {
            return invalid_argument(&format!("{F}: buf is NULL with a capacity"));
        }
        // SAFETY: the caller's promise about name.
        let name = match unsafe { text(name, F, "name") } {
            Ok(name) => name,
            Err(code) => return code,
        };
        match handle.ipvs.sysctl(name) {
            // SAFETY: the caller's promises about buf, capacity and needed.
            Ok(value) => unsafe { give(&value.to_string(), buf, capacity, needed) },
            Err(e) => {
                let message = e.to_string();
                fail_with(&e, 0, message)
            }
        }
    })
}

/// Sets the sysctl `net.ipv4.vs.NAME` of the handle's network namespace to `value`, text
/// read as the knob's kind (`"1"`, `"3 50"` or `"3,50"` for `sync_threshold`, `"0-3"` for a
/// CPU list; a knob lvs does not know gets the text as it is).
///
/// For a knob lvs knows, the value is checked against what the kernel takes before anything
/// is written: outside its range it fails with `LVS_ERR_OUT_OF_RANGE` (errno `ERANGE`),
/// not of its kind with `LVS_ERR_INVALID_INPUT` (`EINVAL`), the message naming the knob and
/// what it takes. A knob the namespace does not have fails with `LVS_ERR_UNSUPPORTED`
/// (`ENOENT`); a value the kernel itself refuses (a CPU the machine lacks) with
/// `LVS_ERR_INVALID_INPUT` and the kernel's errno.
///
/// # Safety
/// `handle` is NULL or an open handle; `name` and `value` are NULL or NUL-terminated
/// strings.
#[no_mangle]
pub unsafe extern "C" fn lvs_sysctl_set(
    handle: *mut lvs_handle,
    name: *const c_char,
    value: *const c_char,
) -> lvs_result {
    guarded(|| {
        const F: &str = "lvs_sysctl_set";
        // SAFETY: the caller's promise about handle.
        let Some(handle) = (unsafe { ffi::borrow(handle) }) else {
            return invalid_argument(&format!("{F}: handle is NULL"));
        };
        // SAFETY: the caller's promises about name and value.
        let (name, value) = match unsafe { (text(name, F, "name"), text(value, F, "value")) } {
            (Ok(n), Ok(v)) => (n, v),
            (Err(code), _) | (_, Err(code)) => return code,
        };
        let set = sysctl::parse(name, value)
            .map_err(lvs_sys::Error::from)
            .and_then(|v| handle.ipvs.set_sysctl(name, &v));
        match set {
            Ok(()) => lvs_result::LVS_OK,
            Err(e) => {
                let message = e.to_string();
                fail_with(&e, 0, message)
            }
        }
    })
}

/// Writes every `net.ipv4.vs` sysctl of the handle's network namespace into `buf` as lines
/// `NAME=VALUE\n` (in name order, names without the prefix, values as `lvs_sysctl_get`
/// writes them), NUL-terminated, with the same buffer contract as `lvs_sysctl_get`.
///
/// # Safety
/// As for `lvs_sysctl_get`, without `name`.
#[no_mangle]
pub unsafe extern "C" fn lvs_sysctl_list(
    handle: *mut lvs_handle,
    buf: *mut c_char,
    capacity: usize,
    needed: *mut usize,
) -> lvs_result {
    guarded(|| {
        const F: &str = "lvs_sysctl_list";
        // SAFETY: the caller's promise about handle.
        let Some(handle) = (unsafe { ffi::borrow(handle) }) else {
            return invalid_argument(&format!("{F}: handle is NULL"));
        };
        if buf.is_null() && capacity > 0 {
            return invalid_argument(&format!("{F}: buf is NULL with a capacity"));
        }
        match handle.ipvs.sysctls() {
            Ok(all) => {
                let text: String = all.iter().map(|s| format!("{s}\n")).collect();
                // SAFETY: the caller's promises about buf, capacity and needed.
                unsafe { give(&text, buf, capacity, needed) }
            }
            Err(e) => {
                let message = e.to_string();
                fail_with(&e, 0, message)
            }
        }
    })
}
