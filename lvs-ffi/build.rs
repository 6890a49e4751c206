//! Gives `libipvs.so` its SONAME. The major number is the ABI: it stays 1 while the libipvs
//! structs and signatures are ipvsadm 1.31's, and only grows when one of them changes
//! incompatibly (README, "C: the libipvs drop-in").

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libipvs.so.1");
    println!("cargo:rerun-if-changed=build.rs");
}
