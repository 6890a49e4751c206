//! The version of lvs a library is, for programs that check it at run time.

use std::os::raw::c_char;

/// lvs's version, NUL-terminated: the `version` of Cargo.toml, like the header's
/// `LVS_VERSION_STRING`.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The version of lvs this library is, such as `"0.1.0"` (the header it came with defines
/// the same text as `LVS_VERSION_STRING`, and its parts as `LVS_VERSION_MAJOR`, `_MINOR`
/// and `_PATCH`). The string is static: do not free or change it. Safe from any thread.
#[no_mangle]
pub extern "C" fn lvs_version() -> *const c_char {
    VERSION.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    #[test]
    fn lvs_version_is_the_crate_version() {
        // SAFETY: lvs_version returns a static NUL-terminated string.
        let version = unsafe { CStr::from_ptr(super::lvs_version()) };
        assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
