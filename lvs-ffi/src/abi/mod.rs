//! The C interface of libipvs: ipvsadm 1.31's structs, unions, typedefs and constants.
//!
//! Everything here is data with a fixed C layout; the functions are in
//! [`crate::libipvs`] and [`crate::extras`].

pub mod consts;
pub mod structs;

pub use consts::*;
pub use structs::*;
