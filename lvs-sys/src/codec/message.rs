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
        Request::acked_by(|w| {
            fill(w);
            cmd
        })
    }

    /// A request acknowledged by the kernel whose attributes `fill` writes, returning its
    /// command.
    fn acked_by(fill: impl FnOnce(&mut AttrWriter<'_>) -> u8) -> Request {
        // Room for the largest common request (an IPv6 real server with its service key),
        // so encoding a batch does not reallocate each request's attributes several times.
        let mut attrs = Vec::with_capacity(192);
        let cmd = fill(&mut AttrWriter::new(&mut attrs));
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
        Request::acked_by(|w| fill::add_service(w, s))
    }

    /// `SET_SERVICE`.
    pub fn edit_service(s: &Service) -> Request {
        Request::acked_by(|w| fill::edit_service(w, s))
    }

    /// `DEL_SERVICE`.
    pub fn delete_service(key: &ServiceKey) -> Request {
        Request::acked_by(|w| fill::delete_service(w, key))
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
        Request::acked_by(|w| fill::add_server(w, key, server))
    }

    /// `SET_DEST`.
    pub fn edit_server(key: &ServiceKey, server: &RealServer) -> Request {
        Request::acked_by(|w| fill::edit_server(w, key, server))
    }

    /// `DEL_DEST`.
    pub fn delete_server(key: &ServiceKey, addr: &SocketAddr) -> Request {
        Request::acked_by(|w| fill::delete_server(w, key, addr))
    }

    /// `FLUSH`.
    pub fn flush() -> Request {
        Request::acked_by(fill::flush)
    }

    /// `ZERO` of one service, or of everything.
    pub fn zero(key: Option<&ServiceKey>) -> Request {
        Request::acked_by(|w| fill::zero(w, key))
    }

    /// `GET_CONFIG` (the timeouts).
    pub fn get_timeouts() -> Request {
        Request::acked(cmd::GET_CONFIG, |_| {})
    }

    /// `SET_CONFIG` (the timeouts).
    pub fn set_timeouts(t: &Timeouts) -> Request {
        Request::acked_by(|w| fill::set_timeouts(w, t))
    }

    /// `GET_INFO`.
    pub fn get_info() -> Request {
        Request::acked(cmd::GET_INFO, |_| {})
    }

    /// `NEW_DAEMON`.
    pub fn start_daemon(d: &SyncDaemon) -> Request {
        Request::acked_by(|w| fill::start_daemon(w, d))
    }

    /// `DEL_DAEMON`.
    pub fn stop_daemon(role: DaemonRole) -> Request {
        Request::acked_by(|w| fill::stop_daemon(w, role))
    }

    /// `GET_DAEMON` dump.
    pub fn dump_daemons() -> Request {
        Request::dump(cmd::GET_DAEMON, |_| {})
    }

    /// The request that carries out one operation; `None` for one that is no netlink
    /// request (setting a sysctl is a write of its `/proc/sys` file).
    pub fn from_operation(op: &Operation) -> Option<Request> {
        let mut attrs = Vec::with_capacity(192);
        let cmd = op.visit(&mut Fill(&mut AttrWriter::new(&mut attrs)))?;
        Some(Request {
            cmd,
            flags: NLM_F_ACK,
            attrs,
            ctrl: false,
        })
    }

    /// Appends the framed message to `buf`: `family` is the resolved IPVS family id (ignored
    /// for nlctrl requests), `seq` the sequence number the reply will carry.
    pub fn encode_into(&self, buf: &mut Vec<u8>, family: u16, seq: u32) {
        let kind = if self.ctrl { GENL_ID_CTRL } else { family };
        let version = if self.ctrl { 2 } else { FAMILY_VERSION };
        let start = start_frame(buf, kind, self.flags, seq, self.cmd, version);
        buf.extend_from_slice(&self.attrs);
        finish_frame(buf, start);
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

/// Appends the headers of a request (`nlmsghdr`, `genlmsghdr`) with a length to be set by
/// [`finish_frame`]; returns where the message starts.
fn start_frame(buf: &mut Vec<u8>, kind: u16, flags: u16, seq: u32, cmd: u8, version: u8) -> usize {
    let start = buf.len();
    buf.extend_from_slice(&0u32.to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(&(NLM_F_REQUEST | flags).to_ne_bytes());
    buf.extend_from_slice(&seq.to_ne_bytes());
    // Port id 0: the kernel fills in the socket's own.
    buf.extend_from_slice(&0u32.to_ne_bytes());
    buf.extend_from_slice(&[cmd, version, 0, 0]);
    start
}

/// Sets the length of the message that starts at `start` and runs to the end of `buf`.
fn finish_frame(buf: &mut [u8], start: usize) {
    // Only attributes set by hand could pass 4 GiB; the kernel refuses a message whose
    // length is larger than what it received, so the saturated length cannot misframe.
    let len32 = u32::try_from(buf.len() - start).unwrap_or(u32::MAX);
    buf[start..start + 4].copy_from_slice(&len32.to_ne_bytes());
}

/// An operation's request written straight into a send buffer, without a buffer of its
/// own: byte for byte what [`Request::from_operation`] then [`Request::encode_into`] write.
/// What a single operation (a libipvs call) sends.
#[derive(Debug, Clone, Copy)]
pub struct OperationRequest<'a>(&'a Operation);

impl<'a> OperationRequest<'a> {
    /// The request of `op`; `None` for an operation that is no netlink request (setting a
    /// sysctl), as [`Request::from_operation`] says.
    pub fn new(op: &'a Operation) -> Option<OperationRequest<'a>> {
        // The one operation `Fill` writes no request for (a test holds the two together).
        (!matches!(op, Operation::SetSysctl(_))).then_some(OperationRequest(op))
    }

    /// Appends the framed message to `buf`, as [`Request::encode_into`] does.
    pub fn encode_into(&self, buf: &mut Vec<u8>, family: u16, seq: u32) {
        let start = start_frame(buf, family, NLM_F_ACK, seq, 0, FAMILY_VERSION);
        match self.0.visit(&mut Fill(&mut AttrWriter::new(buf))) {
            Some(cmd) => {
                buf[start + NLMSG_HDRLEN] = cmd;
                finish_frame(buf, start);
            }
            // Not reached (`new` refuses such operations): nothing is appended.
            None => buf.truncate(start),
        }
    }
}

/// Writes the attributes of each operation's request and returns its command: the one
/// place that says which command and attributes an operation sends. [`Request`]'s
/// constructors, [`Request::from_operation`] and [`OperationRequest`] all write through it.
mod fill {
    use super::*;

    pub(super) fn add_service(w: &mut AttrWriter<'_>, s: &Service) -> u8 {
        w.nested(attr::SERVICE, |n| service::encode(n, s));
        cmd::NEW_SERVICE
    }

    pub(super) fn edit_service(w: &mut AttrWriter<'_>, s: &Service) -> u8 {
        w.nested(attr::SERVICE, |n| service::encode(n, s));
        cmd::SET_SERVICE
    }

    pub(super) fn delete_service(w: &mut AttrWriter<'_>, key: &ServiceKey) -> u8 {
        w.nested(attr::SERVICE, |n| service::encode_key(n, key));
        cmd::DEL_SERVICE
    }

    pub(super) fn add_server(w: &mut AttrWriter<'_>, key: &ServiceKey, d: &RealServer) -> u8 {
        w.nested(attr::SERVICE, |n| service::encode_key(n, key));
        w.nested(attr::DEST, |n| dest::encode(n, d));
        cmd::NEW_DEST
    }

    pub(super) fn edit_server(w: &mut AttrWriter<'_>, key: &ServiceKey, d: &RealServer) -> u8 {
        w.nested(attr::SERVICE, |n| service::encode_key(n, key));
        w.nested(attr::DEST, |n| dest::encode(n, d));
        cmd::SET_DEST
    }

    pub(super) fn delete_server(w: &mut AttrWriter<'_>, key: &ServiceKey, a: &SocketAddr) -> u8 {
        w.nested(attr::SERVICE, |n| service::encode_key(n, key));
        w.nested(attr::DEST, |n| dest::encode_id(n, a));
        cmd::DEL_DEST
    }

    pub(super) fn flush(_: &mut AttrWriter<'_>) -> u8 {
        cmd::FLUSH
    }

    pub(super) fn zero(w: &mut AttrWriter<'_>, key: Option<&ServiceKey>) -> u8 {
        if let Some(key) = key {
            w.nested(attr::SERVICE, |n| service::encode_key(n, key));
        }
        cmd::ZERO
    }

    pub(super) fn set_timeouts(w: &mut AttrWriter<'_>, t: &Timeouts) -> u8 {
        config::encode_timeouts(w, t);
        cmd::SET_CONFIG
    }

    pub(super) fn start_daemon(w: &mut AttrWriter<'_>, d: &SyncDaemon) -> u8 {
        w.nested(attr::DAEMON, |n| daemon::encode(n, d));
        cmd::NEW_DAEMON
    }

    pub(super) fn stop_daemon(w: &mut AttrWriter<'_>, role: DaemonRole) -> u8 {
        w.nested(attr::DAEMON, |n| daemon::encode_stop(n, role));
        cmd::DEL_DAEMON
    }
}

/// Writes each operation's request through [`fill`]: its command, or `None` (nothing
/// written) for an operation that is no netlink request. Through lvs-core's exhaustive
/// visitor, not a `match` with a wildcard arm: a new operation fails to compile here
/// instead of panicking at run time.
struct Fill<'w, 'b>(&'w mut AttrWriter<'b>);

impl OperationVisitor for Fill<'_, '_> {
    type Output = Option<u8>;
    fn add_service(&mut self, s: &Service) -> Option<u8> {
        Some(fill::add_service(self.0, s))
    }
    fn edit_service(&mut self, s: &Service) -> Option<u8> {
        Some(fill::edit_service(self.0, s))
    }
    fn delete_service(&mut self, k: &ServiceKey) -> Option<u8> {
        Some(fill::delete_service(self.0, k))
    }
    fn add_server(&mut self, k: &ServiceKey, d: &RealServer) -> Option<u8> {
        Some(fill::add_server(self.0, k, d))
    }
    fn edit_server(&mut self, k: &ServiceKey, d: &RealServer) -> Option<u8> {
        Some(fill::edit_server(self.0, k, d))
    }
    fn delete_server(&mut self, k: &ServiceKey, a: &SocketAddr) -> Option<u8> {
        Some(fill::delete_server(self.0, k, a))
    }
    fn flush(&mut self) -> Option<u8> {
        Some(fill::flush(self.0))
    }
    fn zero(&mut self, k: Option<&ServiceKey>) -> Option<u8> {
        Some(fill::zero(self.0, k))
    }
    fn set_timeouts(&mut self, t: &Timeouts) -> Option<u8> {
        Some(fill::set_timeouts(self.0, t))
    }
    fn start_daemon(&mut self, d: &SyncDaemon) -> Option<u8> {
        Some(fill::start_daemon(self.0, d))
    }
    fn stop_daemon(&mut self, r: DaemonRole) -> Option<u8> {
        Some(fill::stop_daemon(self.0, r))
    }
    fn set_sysctl(&mut self, _: &SysctlSetting) -> Option<u8> {
        None
    }
}
