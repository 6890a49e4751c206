//! Regenerates `include/libipvs.h` from this crate's sources with the pinned cbindgen:
//!
//! ```sh
//! cargo run -p lvs-ffi --example generate_header
//! ```
//!
//! `tests/header.rs` fails when the committed header differs from what this writes.

use std::path::Path;

#[path = "../cbindgen.rs"]
mod cbindgen_config;

fn main() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = crate_dir.join("../include/libipvs.h");
    let config = cbindgen_config::config(crate_dir);
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen can read lvs-ffi")
        .write_to_file(&header);
    println!("wrote {}", header.display());
}
