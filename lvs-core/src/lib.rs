//! The pure core of lvs: everything about Linux IPVS that needs no kernel.
//!
//! This crate holds the typed model of IPVS (virtual services, real servers, forwarding
//! methods, schedulers, persistence, timeouts, sync daemons, the `net.ipv4.vs` sysctls),
//! its validation with the kernel's meaning, the ipvsadm rule-text codec, the
//! `ipvsadm -L` formatter, planning of minimal changes and the in-memory backend. The kernel transport (`lvs-sys`), the C
//! drop-in (`lvs-ffi`) and the Python package (`lvs-py`) are faces of this one model.
//!
//! It must never contain I/O of any kind: no sockets, no files, no processes, no `libc`,
//! and no `unsafe` code. Anything that talks to a kernel belongs in `lvs-sys`.
//!
//! # Example
//!
//! A NAT service with two real servers, built on the in-memory backend, saved as the rule
//! text (for this table the same as `ipvsadm -S -n` prints), and parsed back:
//!
//! ```
//! use lvs_core::{
//!     rules, ForwardMethod, Ipvs, MemoryIpvs, RealServer, Scheduler, Service, ServiceKey,
//! };
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ipvs = MemoryIpvs::new();
//! let web = ServiceKey::tcp("192.0.2.10:80".parse()?);
//! ipvs.add_service(&Service::new(web).with_scheduler(Scheduler::Wrr))?;
//! for (addr, weight) in [("198.51.100.11:8080", 3), ("198.51.100.12:8080", 1)] {
//!     let server = RealServer::new(addr.parse()?)
//!         .with_forward(ForwardMethod::Masquerade)
//!         .with_weight(weight);
//!     ipvs.add_server(&web, &server)?;
//! }
//!
//! let text = rules::save(&ipvs.table())?;
//! assert_eq!(
//!     text,
//!     "-A -t 192.0.2.10:80 -s wrr\n\
//!      -a -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 3\n\
//!      -a -t 192.0.2.10:80 -r 198.51.100.12:8080 -m -w 1\n"
//! );
//! assert_eq!(rules::table_from_rules(&text)?, ipvs.table());
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod model;

pub use model::*;
pub mod error;
pub mod ops;
pub mod table;
// Unstable, for tests: the shared property-test generators (the `proptest` feature).
#[cfg(any(test, feature = "proptest"))]
#[doc(hidden)]
pub mod testing;

pub use error::{Classify, Error, ErrorKind};
pub use ops::{ApplyError, Ipvs, Operation, OperationKind, Outcome};
pub use table::{Table, VirtualService};
pub mod listing;
// Crate-internal: the kernel's reading of a request, shared by the memory backend and the
// planner.
mod canonical;
pub mod memory;
pub mod order;
pub mod plan;
pub mod rules;
pub mod sysctl;
pub mod validate;

pub use memory::MemoryIpvs;
pub use sysctl::{SysctlSetting, SysctlValue};

// The README's example is a doctest too, so that it keeps compiling (and, in lvs-core,
// passing).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
