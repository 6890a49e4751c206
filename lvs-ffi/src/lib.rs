//! The C face of lvs: a drop-in replacement for ipvsadm 1.31's `libipvs`.
//!
//! It exports libipvs's functions, structs and constants with their exact names, layouts,
//! return conventions, errno values and `ipvs_strerror` texts, so C programs written for
//! libipvs build against `include/libipvs.h` and link against `libipvs.so`/`libipvs.a`
//! unchanged, plus thread-safe `lvs_*` extras for new code.
//!
//! It must never contain IPVS logic of its own (that is `lvs-core`'s and `lvs-sys`'s), and
//! no panic may cross its boundary: every exported function checks its pointers and catches
//! panics. All pointer handling sits in one module whose helpers state their preconditions.

#![deny(missing_docs)]

pub mod abi;
mod convert;
mod errors;
pub mod extras;
mod ffi;
mod global;
pub mod libipvs;
mod netns;
mod strerror;

pub use errors::lvs_result;
pub use global::ipvs_info;
