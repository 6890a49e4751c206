//! The cbindgen configuration of `include/libipvs.h`, shared by the generator
//! (`examples/generate_header.rs`) and the drift test (`tests/header.rs`): `cbindgen.toml`
//! plus the `LVS_VERSION_*` macros, made here from this crate's Cargo version so that the
//! header and `lvs_version()` (which returns the same `CARGO_PKG_VERSION`) cannot disagree.

use std::path::Path;

/// `cbindgen.toml` with the version macros appended to its `after_includes`.
pub fn config(crate_dir: &Path) -> cbindgen::Config {
    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("lvs-ffi/cbindgen.toml is readable");
    let after = config.after_includes.get_or_insert_with(String::new);
    after.push_str(&format!(
        "\n/* The version of lvs this header belongs to; lvs_version() returns the library's. */\n\
         #define LVS_VERSION_MAJOR {}\n\
         #define LVS_VERSION_MINOR {}\n\
         #define LVS_VERSION_PATCH {}\n\
         #define LVS_VERSION_STRING \"{}\"",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION"),
    ));
    config
}
