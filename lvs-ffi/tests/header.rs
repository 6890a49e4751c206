//! The committed `include/libipvs.h` is exactly what the pinned cbindgen generates from
//! these sources: a change to the C interface must come with its regenerated header
//! (`cargo run -p lvs-ffi --example generate_header`).

use std::path::Path;

#[path = "../cbindgen.rs"]
mod cbindgen_config;

#[test]
fn the_committed_header_is_what_cbindgen_generates() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen_config::config(crate_dir);
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen reads lvs-ffi")
        .write(&mut generated);
    let committed = std::fs::read(crate_dir.join("../include/libipvs.h"))
        .expect("include/libipvs.h is committed");
    assert!(
        generated == committed,
        "include/libipvs.h differs from what cbindgen generates; run \
         `cargo run -p lvs-ffi --example generate_header` and commit the result"
    );
}
