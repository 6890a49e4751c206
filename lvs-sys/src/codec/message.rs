//! Netlink message framing: requests of the IPVS family, and the replies they get.
//!
//! A message is a 16-byte `nlmsghdr` (length, type, flags, sequence, port id), then for
//! generic netlink a 4-byte `genlmsghdr` (command, version, reserved) and the attributes.

use std::net::SocketAddr;

use lvs_core::ops::OperationVisitor;
use lvs_core::{
    DaemonRole, Operation, RealServer, Service, ServiceKey, SyncDaemon, SysctlSetting, Timeouts,
};

use super::consts::{attr, cmd, FAMILY_VERSION};
use super::nla::{align4, AttrWriter, Attrs};
use super::{config, daemon, dest, service, DecodeError};

/// `NLMSG_NOOP`.
pub const NLMSG_NOOP: u16 = 1;
/// `NLMSG_ERROR`: an error, or with errno 0 an acknowledgement.
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`: the end of a dump.
pub const NLMSG_DONE: u16 = 3;
/// `NLMSG_OVERRUN`.
pub const NLMSG_OVERRUN: u16 = 4;
/// The generic-netlink controller's fixed family id.
pub const GENL_ID_CTRL: u16 = 0x10;

/// `NLM_F_REQUEST`.
pub const NLM_F_REQUEST: u16 = 0x1;
/// `NLM_F_MULTI`: part of a multi-part reply.
pub const NLM_F_MULTI: u16 = 0x2;
/// `NLM_F_ACK`: asks for an acknowledgement.
pub const NLM_F_ACK: u16 = 0x4;
/// `NLM_F_DUMP_INTR`: the dump was interrupted by a change; its content may be inconsistent.
pub const NLM_F_DUMP_INTR: u16 = 0x10;
/// `NLM_F_DUMP` (`NLM_F_ROOT | NLM_F_MATCH`).
pub const NLM_F_DUMP: u16 = 0x300;
/// In an error message: only the request's header is echoed, not its payload.
const NLM_F_CAPPED: u16 = 0x100;
/// In an error message: extended-ack attributes follow the echoed request.
const NLM_F_ACK_TLVS: u16 = 0x200;
/// `NLMSGERR_ATTR_MSG`: the kernel's text explaining the error.
const NLMSGERR_ATTR_MSG: u16 = 1;

const NLMSG_HDRLEN: usize = 16;
const GENL_HDRLEN: usize = 4;

/// nlctrl's `CTRL_CMD_GETFAMILY`.
const CTRL_CMD_GETFAMILY: u8 = 3;
/// nlctrl's `CTRL_ATTR_FAMILY_ID`.
const CTRL_ATTR_FAMILY_ID: u16 = 1;
/// nlctrl's `CTRL_ATTR_FAMILY_NAME`.
const CTRL_ATTR_FAMILY_NAME: u16 = 2;

/// One request to the kernel: a generic-netlink command with its attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The command (`IPVS_CMD_*`, or nlctrl's for family resolution).
    pub cmd: u8,
    /// `NLM_F_*` flags besides `NLM_F_REQUEST`, which is always set.
    pub flags: u16,
    /// The encoded attributes.
    pub attrs: Vec<u8>,
    /// Whether this is a request to the nlctrl family (sent to its fixed id).
    ctrl: bool,
}

impl Request {
    /// A request for `cmd` acknowledged by the kernel, attributes written by `fill`.
    fn acked(cmd: u8, fill: impl FnOnce(&mut AttrWriter<'_>)) -> Request {
        // Room for the largest common request (an IPv6 real server with its service key),
        // so encoding a batch does not reallocate each request's attributes several times.
        let mut attrs = Vec::with_capacity(192);
        fill(&mut AttrWriter::new(&mut attrs));
        Request {
            cmd,
            flags: NLM_F_ACK,
            attrs,
            ctrl: false,
        }
    }

    /// A dump request for `cmd`.
    fn dump(cmd: u8, fill: impl FnOnce(&mut AttrWriter<'_>)) -> Request {
        let mut r = Request::acked(cmd, fill);
        r.flags = NLM_F_DUMP | NLM_F_ACK;
        r
    }

    /// nlctrl's `GETFAMILY` for a family name.
    pub fn get_family(name: &str) -> Request {
        let mut r = Request::acked(CTRL_CMD_GETFAMILY, |w| {
            w.string(CTRL_ATTR_FAMILY_NAME, name)
        });
        r.ctrl = true;
        r
    }

    /// `NEW_SERVICE`.
    pub fn add_service(s: &Service) -> Request {
        Request::acked(cmd::NEW_SERVICE, |w| {
            w.nested(attr::SERVICE, |n| service::encode(n, s))
        })
    }

    /// `SET_SERVICE`.
    pub fn edit_service(s: &Service) -> Request {
        Request::acked(cmd::SET_SERVICE, |w| {
            w.nested(attr::SERVICE, |n| service::encode(n, s))
        })
    }

    /// `DEL_SERVICE`.
    pub fn delete_service(key: &ServiceKey) -> Request {
        Request::acked(cmd::DEL_SERVICE, |w| {
            w.nested(attr::SERVICE, |n| service::encode_key(n, key))
        })
    }

    /// `GET_SERVICE` for one service (not a dump).
    pub fn get_service(key: &ServiceKey) -> Request {
        Request::acked(cmd::GET_SERVICE, |w| {
            w.nested(attr::SERVICE, |n| service::encode_key(n, key))
        })
    }

    /// `GET_SERVICE` dump of every service.
    pub fn dump_services() -> Request {
        Request::dump(cmd::GET_SERVICE, |_| {})
    }

    /// `GET_DEST` dump of a service's real servers.
    pub fn dump_servers(key: &ServiceKey) -> Request {
        Request::dump(cmd::GET_DEST, |w| {
            w.nested(attr::SERVICE, |n| service::encode_key(n, key))
        })
    }

    /// `NEW_DEST`.
    pub fn add_server(key: &ServiceKey, server: &RealServer) -> Request {
        Request::acked(cmd::NEW_DEST, |w| {
            w.nested(attr::SERVICE, |n| service::encode_key(n, key));
            w.nested(attr::DEST, |n| dest::encode(n, server));
        })
    }

    /// `SET_DEST`.
    pub fn edit_server(key: &ServiceKey, server: &RealServer) -> Request {
        Request::acked(cmd::SET_DEST, |w| {
            w.nested(attr::SERVICE, |n| service::encode_key(n, key));
            w.nested(attr::DEST, |n| dest::encode(n, server));
        })
    }

    /// `DEL_DEST`.
    pub fn delete_server(key: &ServiceKey, addr: &std::net::SocketAddr) -> Request {
        Request::acked(cmd::DEL_DEST, |w| {
            w.nested(attr::SERVICE, |n| service::encode_key(n, key));
            w.nested(attr::DEST, |n| dest::encode_id(n, addr));
        })
    }

    /// `FLUSH`.
    pub fn flush() -> Request {
        Request::acked(cmd::FLUSH, |_| {})
    }

    /// `ZERO` of one service, or of everything.
    pub fn zero(key: Option<&ServiceKey>) -> Request {
        Request::acked(cmd::ZERO, |w| {
            if let Some(key) = key {
                w.nested(attr::SERVICE, |n| service::encode_key(n, key));
            }
        })
    }

    /// `GET_CONFIG` (the timeouts).
    pub fn get_timeouts() -> Request {
        Request::acked(cmd::GET_CONFIG, |_| {})
    }

    /// `SET_CONFIG` (the timeouts).
    pub fn set_timeouts(t: &Timeouts) -> Request {
        Request::acked(cmd::SET_CONFIG, |w| config::encode_timeouts(w, t))
    }

    /// `GET_INFO`.
    pub fn get_info() -> Request {
        Request::acked(cmd::GET_INFO, |_| {})
    }

    /// `NEW_DAEMON`.
    pub fn start_daemon(d: &SyncDaemon) -> Request {
        Request::acked(cmd::NEW_DAEMON, |w| {
            w.nested(attr::DAEMON, |n| daemon::encode(n, d))
        })
    }

    /// `DEL_DAEMON`.
    pub fn stop_daemon(role: DaemonRole) -> Request {
        Request::acked(cmd::DEL_DAEMON, |w| {
            w.nested(attr::DAEMON, |n| daemon::encode_stop(n, role))
        })
    }

    /// `GET_DAEMON` dump.
    pub fn dump_daemons() -> Request {
        Request::dump(cmd::GET_DAEMON, |_| {})
    }

    /// The request that carries out one operation; `None` for one that is no netlink
    /// request (setting a sysctl is a write of its `/proc/sys` file).
    pub fn from_operation(op: &Operation) -> Option<Request> {
        // Through lvs-core's exhaustive visitor, not a `match` with a wildcard arm: a new
        // operation fails to compile here instead of panicking at run time.
        op.visit(&mut Encoder)
    }

    /// Appends the framed message to `buf`: `family` is the resolved IPVS family id (ignored
    /// for nlctrl requests), `seq` the sequence number the reply will carry.
    pub fn encode_into(&self, buf: &mut Vec<u8>, family: u16, seq: u32) {
        let len = NLMSG_HDRLEN + GENL_HDRLEN + self.attrs.len();
        // Only attributes set by hand could pass 4 GiB; the kernel refuses a message whose
        // length is larger than what it received, so the saturated length cannot misframe.
        let len32 = u32::try_from(len).unwrap_or(u32::MAX);
        let kind = if self.ctrl { GENL_ID_CTRL } else { family };
        let version = if self.ctrl { 2 } else { FAMILY_VERSION };
        buf.extend_from_slice(&len32.to_ne_bytes());
        buf.extend_from_slice(&kind.to_ne_bytes());
        buf.extend_from_slice(&(NLM_F_REQUEST | self.flags).to_ne_bytes());
        buf.extend_from_slice(&seq.to_ne_bytes());
        // Port id 0: the kernel fills in the socket's own.
        buf.extend_from_slice(&0u32.to_ne_bytes());
        buf.extend_from_slice(&[self.cmd, version, 0, 0]);
        buf.extend_from_slice(&self.attrs);
    }

    /// Whether the request is a dump (answered by several messages and `NLMSG_DONE`).
    pub fn is_dump(&self) -> bool {
        self.flags & NLM_F_DUMP == NLM_F_DUMP
    }
}

/// One message received from the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply<'a> {
    /// A data message (a dump entry or a `GET` answer).
    Data {
        /// The sequence number of the request it answers.
        seq: u32,
        /// `NLM_F_*` flags (`NLM_F_MULTI`, `NLM_F_DUMP_INTR`).
        flags: u16,
        /// The generic-netlink command of the reply.
        cmd: u8,
        /// Its attributes.
        attrs: &'a [u8],
    },
    /// The request succeeded (an `NLMSG_ERROR` with errno 0).
    Ack {
        /// The request's sequence number.
        seq: u32,
    },
    /// The request failed.
    Error {
        /// The request's sequence number.
        seq: u32,
        /// The positive errno.
        errno: i32,
        /// The kernel's extended-ack text, if it sent one.
        message: Option<String>,
    },
    /// The end of a dump; `errno` is non-zero when the dump itself failed.
    Done {
        /// The request's sequence number.
        seq: u32,
        /// The positive errno of a failed dump, or 0.
        errno: i32,
        /// `NLM_F_*` flags (`NLM_F_DUMP_INTR` says the dump was inconsistent).
        flags: u16,
    },
    /// A message of another type (noop, overrun), ignored by callers.
    Other {
        /// Its type.
        kind: u16,
    },
}

impl<'a> Reply<'a> {
    /// The sequence number of the request this message answers.
    pub fn seq(&self) -> Option<u32> {
        match self {
            Reply::Data { seq, .. }
            | Reply::Ack { seq }
            | Reply::Error { seq, .. }
            | Reply::Done { seq, .. } => Some(*seq),
            Reply::Other { .. } => None,
        }
    }
}

/// Splits a received buffer into messages.
#[derive(Debug, Clone)]
pub struct Replies<'a> {
    rest: &'a [u8],
}

impl<'a> Replies<'a> {
    /// The messages in `buf` (what one `recv` returned).
    pub fn new(buf: &'a [u8]) -> Replies<'a> {
        Replies { rest: buf }
    }
}

fn ne_u32(b: &[u8]) -> u32 {
    u32::from_ne_bytes([b[0], b[1], b[2], b[3]])
}

fn ne_u16(b: &[u8]) -> u16 {
    u16::from_ne_bytes([b[0], b[1]])
}

impl<'a> Iterator for Replies<'a> {
    type Item = Result<Reply<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let buf = self.rest;
        let truncated = |what, need| {
            Some(Err(DecodeError::Truncated {
                what,
                need,
                have: buf.len(),
            }))
        };
        if buf.len() < NLMSG_HDRLEN {
            self.rest = &[];
            return truncated("netlink header", NLMSG_HDRLEN);
        }
        let len = ne_u32(&buf[0..4]) as usize;
        if len < NLMSG_HDRLEN || len > buf.len() {
            self.rest = &[];
            return truncated("netlink message", len.max(NLMSG_HDRLEN));
        }
        let kind = ne_u16(&buf[4..6]);
        let flags = ne_u16(&buf[6..8]);
        let seq = ne_u32(&buf[8..12]);
        let payload = &buf[NLMSG_HDRLEN..len];
        self.rest = buf.get(align4(len)..).unwrap_or(&[]);
        Some(decode_message(kind, flags, seq, payload))
    }
}

fn decode_message(
    kind: u16,
    flags: u16,
    seq: u32,
    payload: &[u8],
) -> Result<Reply<'_>, DecodeError> {
    match kind {
        NLMSG_ERROR => {
            if payload.len() < 4 {
                return Err(DecodeError::Truncated {
                    what: "netlink error",
                    need: 4,
                    have: payload.len(),
                });
            }
            let error = i32::from_ne_bytes([payload[0], payload[1], payload[2], payload[3]]);
            if error == 0 {
                return Ok(Reply::Ack { seq });
            }
            Ok(Reply::Error {
                seq,
                errno: error.saturating_neg(),
                message: ext_ack_message(flags, &payload[4..]),
            })
        }
        NLMSG_DONE => {
            let errno = payload
                .get(..4)
                .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]).saturating_neg())
                .unwrap_or(0);
            Ok(Reply::Done { seq, errno, flags })
        }
        NLMSG_NOOP | NLMSG_OVERRUN => Ok(Reply::Other { kind }),
        _ => {
            if payload.len() < GENL_HDRLEN {
                return Err(DecodeError::Truncated {
                    what: "generic netlink header",
                    need: GENL_HDRLEN,
                    have: payload.len(),
                });
            }
            Ok(Reply::Data {
                seq,
                flags,
                cmd: payload[0],
                attrs: &payload[GENL_HDRLEN..],
            })
        }
    }
}

/// The `NLMSGERR_ATTR_MSG` text after the echoed request of an error message.
fn ext_ack_message(flags: u16, echoed: &[u8]) -> Option<String> {
    if flags & NLM_F_ACK_TLVS == 0 || echoed.len() < NLMSG_HDRLEN {
        return None;
    }
    let echoed_len = if flags & NLM_F_CAPPED != 0 {
        NLMSG_HDRLEN
    } else {
        ne_u32(&echoed[0..4]) as usize
    };
    let tlvs = echoed.get(align4(echoed_len)..)?;
    Attrs::new(tlvs)
        .filter_map(Result::ok)
        .find(|a| a.kind == NLMSGERR_ATTR_MSG)
        .and_then(|a| a.string("extended ack").ok())
        .filter(|m| !m.is_empty())
}

/// The family id in nlctrl's answer to [`Request::get_family`].
pub fn decode_family_id(attrs: &[u8]) -> Result<u16, DecodeError> {
    for a in Attrs::new(attrs) {
        let a = a?;
        if a.kind == CTRL_ATTR_FAMILY_ID {
            return a.u16("family id");
        }
    }
    Err(DecodeError::Missing {
        what: "nlctrl reply",
        attr: "CTRL_ATTR_FAMILY_ID",
    })
}

/// The first attribute of `kind` in a reply's attributes, as a nest to decode.
pub fn find_attr(attrs: &[u8], kind: u16) -> Result<Option<super::nla::Attr<'_>>, DecodeError> {
    for a in Attrs::new(attrs) {
        let a = a?;
        if a.kind == kind {
            return Ok(Some(a));
        }
    }
    Ok(None)
}

/// The attributes of a reply, to walk with the decoders of [`super::config`].
pub fn attrs(attrs: &[u8]) -> Attrs<'_> {
    Attrs::new(attrs)
}

/// Encodes each operation as its request ([`Request::from_operation`]).
struct Encoder;

impl OperationVisitor for Encoder {
    type Output = Option<Request>;
    fn add_service(&mut self, s: &Service) -> Option<Request> {
        Some(Request::add_service(s))
    }
    fn edit_service(&mut self, s: &Service) -> Option<Request> {
        Some(Request::edit_service(s))
    }
    fn delete_service(&mut self, k: &ServiceKey) -> Option<Request> {
        Some(Request::delete_service(k))
    }
    fn add_server(&mut self, k: &ServiceKey, d: &RealServer) -> Option<Request> {
        Some(Request::add_server(k, d))
    }
    fn edit_server(&mut self, k: &ServiceKey, d: &RealServer) -> Option<Request> {
        Some(Request::edit_server(k, d))
    }
    fn delete_server(&mut self, k: &ServiceKey, a: &SocketAddr) -> Option<Request> {
        Some(Request::delete_server(k, a))
    }
    fn flush(&mut self) -> Option<Request> {
        Some(Request::flush())
    }
    fn zero(&mut self, k: Option<&ServiceKey>) -> Option<Request> {
        Some(Request::zero(k))
    }
    fn set_timeouts(&mut self, t: &Timeouts) -> Option<Request> {
        Some(Request::set_timeouts(t))
    }
    fn start_daemon(&mut self, d: &SyncDaemon) -> Option<Request> {
        Some(Request::start_daemon(d))
    }
    fn stop_daemon(&mut self, r: DaemonRole) -> Option<Request> {
        Some(Request::stop_daemon(r))
    }
    fn set_sysctl(&mut self, _: &SysctlSetting) -> Option<Request> {
        None
    }
}
