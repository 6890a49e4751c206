//! The pure core of lvs: everything about Linux IPVS that needs no kernel.
//!
//! This crate holds the typed model of IPVS (virtual services, real servers, forwarding
//! methods, schedulers, persistence, timeouts, sync daemons), its validation with the
//! kernel's meaning, the ipvsadm rule-text codec, the `ipvsadm -L` formatter, planning of
//! minimal changes and the in-memory backend. The kernel transport (`lvs-sys`), the C
//! drop-in (`lvs-ffi`) and the Python package (`lvs-py`) are faces of this one model.
//!
//! It must never contain I/O of any kind: no sockets, no files, no processes, no `libc`,
//! and no `unsafe` code. Anything that talks to a kernel belongs in `lvs-sys`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod model;

pub use model::*;
pub mod error;
pub mod ops;
pub mod table;

pub use error::{Classify, Error, ErrorKind};
pub use ops::{ApplyError, Ipvs, Operation, Outcome};
pub use table::{Table, VirtualService};
pub mod listing;
pub mod memory;
pub mod order;
pub mod rules;
pub mod validate;

pub use memory::MemoryIpvs;
