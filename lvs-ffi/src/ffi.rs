//! Every pointer handling of the C boundary: checking, reading, writing, allocating, plus the
//! panic guard and errno.
//!
//! Exported functions pass C pointers here and get Rust values or references back; nothing
//! else in the crate dereferences a pointer. Each helper states what it needs from the
//! caller; the common case, a pointer that is NULL, is answered with `None`, which the
//! exported function turns into -1 and EINVAL (or NULL) without touching anything.

use std::ffi::CStr;
use std::os::raw::{c_char, c_int};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};

/// Sets the calling thread's `errno`.
pub(crate) fn set_errno(value: c_int) {
    // SAFETY: __errno_location returns the calling thread's errno slot, valid for the life of
    // the thread and only accessed by it.
    unsafe { *libc::__errno_location() = value };
}

/// Runs the body of an exported function, turning a panic into `on_panic` so that no panic
/// unwinds into C. A panic is a bug of lvs; C sees the function's failure value with errno
/// ENOTRECOVERABLE, an errno no kernel answer of IPVS uses, so it is recognisable.
pub(crate) fn guard<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(_) => {
            set_errno(libc::ENOTRECOVERABLE);
            on_panic
        }
    }
}

/// Reads a C struct the caller passed in.
///
/// # Safety
/// `p` is NULL or points to a readable, initialised `T` that no one writes during the call.
pub(crate) unsafe fn read<T: Copy>(p: *const T) -> Option<T> {
    // SAFETY: the caller guarantees p is NULL or valid for reads; read_unaligned also accepts
    // a struct the caller placed at an odd address inside a packed buffer.
    (!p.is_null()).then(|| unsafe { ptr::read_unaligned(p) })
}

/// Borrows a C struct the caller passed in, for the duration of the call.
///
/// # Safety
/// `p` is NULL or points to an initialised, properly aligned `T` that no one writes while
/// the reference lives.
pub(crate) unsafe fn borrow<'a, T>(p: *const T) -> Option<&'a T> {
    // SAFETY: guaranteed by the caller.
    unsafe { p.as_ref() }
}

/// Borrows a C struct the caller passed in, mutably, for the duration of the call.
///
/// # Safety
/// `p` is NULL or points to an initialised, properly aligned `T` that nothing else reads or
/// writes while the reference lives.
pub(crate) unsafe fn borrow_mut<'a, T>(p: *mut T) -> Option<&'a mut T> {
    // SAFETY: guaranteed by the caller.
    unsafe { p.as_mut() }
}

/// Reads a NUL-terminated C string the caller passed in.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays unchanged during the call.
pub(crate) unsafe fn c_str<'a>(p: *const c_char) -> Option<&'a CStr> {
    // SAFETY: guaranteed by the caller.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) })
}

/// Copies `text` into a caller's buffer of `capacity` bytes like `snprintf`: as much as fits,
/// always NUL-terminated when `capacity > 0`. Returns how many bytes the whole text needs,
/// without the NUL.
///
/// # Safety
/// `buf` is NULL only when `capacity` is 0, and otherwise points to `capacity` writable bytes.
pub(crate) unsafe fn copy_to_buffer(text: &[u8], buf: *mut c_char, capacity: usize) -> usize {
    if capacity > 0 && !buf.is_null() {
        let n = text.len().min(capacity - 1);
        // SAFETY: buf has capacity >= n + 1 writable bytes (caller's promise), text has n
        // readable bytes, and a caller's buffer cannot overlap our Rust-owned text.
        unsafe {
            ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n);
            *buf.add(n) = 0;
        }
    }
    text.len()
}

/// Writes a value into a caller's out-parameter.
///
/// # Safety
/// `p` is NULL or points to writable memory for a `T` (its old contents are not dropped).
pub(crate) unsafe fn write_out<T>(p: *mut T, value: T) -> bool {
    if p.is_null() {
        return false;
    }
    // SAFETY: guaranteed by the caller.
    unsafe { p.write(value) };
    true
}

/// Allocates, with the C allocator, a header `H` followed by `items` (in a flexible array at
/// `offset` bytes from the start), zero-filled first, so the caller releases everything with
/// one `free()`. Room for at least one item is allocated, as libipvs does. Returns NULL when
/// the allocation fails.
pub(crate) fn alloc_with_items<H, I>(header: H, offset: usize, items: &[I]) -> *mut H {
    let room = items.len().max(1);
    let size = std::mem::size_of::<I>()
        .checked_mul(room)
        .and_then(|n| n.checked_add(offset));
    let Some(size) = size else {
        return ptr::null_mut();
    };
    debug_assert!(offset >= std::mem::size_of::<H>());
    debug_assert_eq!(offset % std::mem::align_of::<I>(), 0);
    // SAFETY: calloc has no preconditions; a NULL result is checked below.
    let block = unsafe { libc::calloc(1, size) }.cast::<u8>();
    let Some(block) = NonNull::new(block) else {
        return ptr::null_mut();
    };
    // SAFETY: calloc's block is aligned for any fundamental type (H and I are C structs of at
    // most 8-byte alignment) and holds offset + room * size_of::<I>() bytes, so the header at
    // 0 and the items from `offset` (a multiple of I's alignment) are in bounds and do not
    // overlap the Rust slice we copy from.
    unsafe {
        block.as_ptr().cast::<H>().write(header);
        let first = block.as_ptr().add(offset).cast::<I>();
        ptr::copy_nonoverlapping(items.as_ptr(), first, items.len());
    }
    block.as_ptr().cast::<H>()
}

/// Allocates one `T` (or an array of them) with the C allocator, holding `values`, so the
/// caller releases it with `free()`. Returns NULL when the allocation fails.
pub(crate) fn alloc_array<T: Copy>(values: &[T]) -> *mut T {
    let Some(size) = std::mem::size_of::<T>().checked_mul(values.len().max(1)) else {
        return ptr::null_mut();
    };
    // SAFETY: calloc has no preconditions; a NULL result is checked below.
    let block = unsafe { libc::calloc(1, size) }.cast::<T>();
    if !block.is_null() {
        // SAFETY: the block is suitably aligned (malloc's guarantee covers T, a C struct of at
        // most 8-byte alignment) and large enough for values.len() items.
        unsafe { ptr::copy_nonoverlapping(values.as_ptr(), block, values.len()) };
    }
    block
}
