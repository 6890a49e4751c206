//! The `lvs_*` functions for new C code: an explicit handle instead of libipvs's
//! process-wide one, rule text in and out, desired state (plan and apply within a scope),
//! the namespace's `net.ipv4.vs` sysctls, and errors with messages.
//!
//! Every function that can fail returns an `lvs_result` (0 for success); on failure the
//! calling thread's last error holds a message, the errno and, for rule text, the line
//! (`lvs_last_error_message`, `lvs_last_error_errno`, `lvs_last_error_line`).
//! `lvs_connections` hands a callback the entries of the connection table one by one.
//! `lvs_version` says which version of lvs the library is.

mod connections;
mod handle;
mod last_error;
mod plan;
mod rules;
mod sysctl;
mod version;

pub use connections::*;
pub use handle::*;
pub use last_error::*;
pub use plan::*;
pub use rules::*;
pub use sysctl::*;
pub use version::*;
