//! The kernel side of lvs: the IPVS generic-netlink codec and the transport that speaks it.
//!
//! The codec (messages and attributes of the `IPVS` generic-netlink family) is pure and
//! tested on bytes; the transport (socket, family resolution, acks, dumps, batching,
//! timeouts, network namespaces) sits in its own module (`transport`, with `netns`) and is
//! the only place here that may use `unsafe`, each block with a `SAFETY:` comment. The
//! `net.ipv4.vs` sysctls are files of the handle's namespace (`sysctl`), opened through the
//! transport's namespace-bound open.
//!
//! It must never contain model logic of its own (types, validation and rule text live in
//! `lvs-core`), C exports (those are `lvs-ffi`'s) or Python bindings (`lvs-py`'s).

#![deny(missing_docs)]

// The codec is public only so that the benchmark (`examples/bench.rs`), the byte-level
// tests (`tests/decode_random.rs`, `tests/public_inputs.rs`) and the fuzz targets
// (`tests/fuzz`) can reach it: it is not part of lvs-sys's API, may change in any release,
// and is hidden from the documentation so that the API users see is `NetlinkIpvs` and its
// errors.
#[doc(hidden)]
pub mod codec;
mod errno;
pub mod error;
pub mod netlink;
mod pipeline;
mod skipped;
mod sysctl;
mod transport;

pub use errno::model_errno;
pub use error::Error;
pub use netlink::{Connections, NetlinkIpvs, Options};
pub use transport::process::id as process_id;

// README.md's Rust programs, compiled as doctests so that the first page cannot rot
// (tests/suites/readme checks each of its blocks is exercised somewhere).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;

// The crate README's example is a doctest too, so that it keeps compiling (and, in lvs-core,
// passing).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
