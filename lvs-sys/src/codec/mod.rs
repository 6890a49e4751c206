//! The IPVS generic-netlink codec: pure encoding and decoding of messages, no sockets.
//!
//! Unstable and hidden from the documentation: public only for the benchmark, the tests and
//! the fuzz targets (`tests/fuzz`).
//!
//! [`message`] frames requests and splits replies (data, acks, errors with the kernel's
//! extended-ack text); [`service`], [`dest`], [`daemon`] and [`config`] encode and decode the
//! family's nested attributes into lvs-core's model. Attributes a decoder does not know are
//! kept in [`Unknown`] rather than dropped or treated as errors, so replies from newer
//! kernels decode.

pub mod config;
pub mod consts;
pub mod daemon;
pub mod dest;
pub mod message;
pub mod nla;
pub mod service;
// Public, like the rest of the codec, for the fuzz targets (tests/fuzz), which decode stats
// nests on their own as well as inside services and real servers.
pub mod stats;

use std::fmt;

/// An attribute a decoder did not recognise: its type and raw payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UnknownAttr {
    /// The attribute type (flag bits removed).
    pub kind: u16,
    /// The raw payload.
    pub payload: Vec<u8>,
}

/// The attributes a decoder did not recognise, in the order they came.
pub type Unknown = Vec<UnknownAttr>;

/// Why bytes from the kernel could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Fewer bytes than a field needs.
    #[error("{what}: too short ({have} bytes, need {need})")]
    Truncated {
        /// The field or structure.
        what: &'static str,
        /// Bytes needed.
        need: usize,
        /// Bytes present.
        have: usize,
    },
    /// A required attribute is absent.
    #[error("{what}: missing attribute {attr}")]
    Missing {
        /// The structure.
        what: &'static str,
        /// The attribute's name.
        attr: &'static str,
    },
    /// A value that cannot be represented.
    #[error("{what}: {reason}")]
    Invalid {
        /// The field.
        what: &'static str,
        /// Why.
        reason: String,
    },
}

impl DecodeError {
    /// Adds the context of the enclosing structure to the message, e.g. which service's
    /// attribute was short.
    pub fn context(self, context: impl fmt::Display) -> DecodeError {
        DecodeError::Invalid {
            what: "reply",
            reason: format!("{context}: {self}"),
        }
    }
}

#[cfg(test)]
mod golden;
#[cfg(test)]
mod golden_data;
