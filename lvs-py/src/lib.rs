//! The Python face of lvs: the native module behind the `lvs` Python package.
//!
//! It exposes lvs-core's model as immutable Python value objects, the kernel handle and the
//! in-memory backend with the same methods, and one exception hierarchy mapped from the
//! Rust error kinds in one place. Netlink I/O releases the GIL.
//!
//! It must never contain IPVS logic of its own (that is `lvs-core`'s and `lvs-sys`'s) nor
//! C exports (`lvs-ffi`'s); it is the only crate that links pyo3.

#![deny(missing_docs)]
