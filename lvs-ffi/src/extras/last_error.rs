//! The calling thread's last `lvs_*` error: result code, errno, rule-text line, message.

use std::cell::RefCell;
use std::os::raw::{c_char, c_int};

use lvs_core::Classify;

use crate::errors::{errno_of, lvs_result, result_of_kind};
use crate::ffi::{self, guard};

#[derive(Debug, Default)]
struct LastError {
    errno: c_int,
    line: usize,
    message: String,
}

thread_local! {
    static LAST: RefCell<LastError> = RefCell::new(LastError::default());
}

/// Records an error for the calling thread and returns its code.
pub(crate) fn fail(code: lvs_result, errno: c_int, line: usize, message: String) -> lvs_result {
    LAST.with(|last| {
        *last.borrow_mut() = LastError {
            errno,
            line,
            message,
        }
    });
    code
}

/// Records an lvs error (at a rule-text line, or 0) and returns its code.
pub(crate) fn fail_with(error: &lvs_sys::Error, line: usize, message: String) -> lvs_result {
    fail(result_of_kind(error.kind()), errno_of(error), line, message)
}

/// Records a NULL or otherwise invalid argument.
pub(crate) fn invalid_argument(what: &str) -> lvs_result {
    fail(
        lvs_result::LVS_ERR_NULL_OR_INVALID_ARGUMENT,
        libc::EINVAL,
        0,
        what.to_owned(),
    )
}

/// Records a panic caught at the boundary.
pub(crate) fn panicked() -> lvs_result {
    fail(
        lvs_result::LVS_ERR_PANIC,
        libc::ENOTRECOVERABLE,
        0,
        "internal error in lvs (a bug; please report it)".to_owned(),
    )
}

/// Runs the body of an `lvs_*` function, recording a panic as [`lvs_result::LVS_ERR_PANIC`].
pub(crate) fn guarded(body: impl FnOnce() -> lvs_result) -> lvs_result {
    let result = guard(None, || Some(body()));
    result.unwrap_or_else(panicked)
}

/// Copies the message of the calling thread's last `lvs_*` error into `buf`, like
/// `snprintf`: at most `capacity - 1` bytes and a NUL. Returns the message's full length
/// (without the NUL), so a result `>= capacity` means it was cut. `buf` may be NULL when
/// `capacity` is 0. The message is empty when no `lvs_*` call of this thread has failed.
///
/// # Safety
/// `buf` points to `capacity` writable bytes, or `capacity` is 0.
#[no_mangle]
pub unsafe extern "C" fn lvs_last_error_message(buf: *mut c_char, capacity: usize) -> usize {
    guard(0, || {
        LAST.with(|last| {
            let last = last.borrow();
            // SAFETY: the caller's promise about buf and capacity.
            unsafe { ffi::copy_to_buffer(last.message.as_bytes(), buf, capacity) }
        })
    })
}

/// The errno of the calling thread's last `lvs_*` error (the kernel's or the system's, or
/// the one the kernel gives the same mistake); 0 when none failed.
#[no_mangle]
pub extern "C" fn lvs_last_error_errno() -> c_int {
    guard(0, || LAST.with(|last| last.borrow().errno))
}

/// The rule-text line (from 1) of the calling thread's last `lvs_*` error, or 0 when it was
/// not about a line.
#[no_mangle]
pub extern "C" fn lvs_last_error_line() -> usize {
    guard(0, || LAST.with(|last| last.borrow().line))
}
