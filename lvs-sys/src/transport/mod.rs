//! The netlink socket: opening it (optionally in another network namespace), resolving the
//! IPVS family, and exchanging requests for replies with a bounded wait.
//!
//! One socket per handle, opened close-on-exec and connected to the kernel; the family id
//! is resolved once. A mutex serialises exchanges so threads sharing a handle never read
//! each other's replies, and every reply is matched to its request by sequence number and
//! accepted only from the kernel (sender port id 0), so another socket sending to ours is
//! ignored.
//!
//! A connection belongs to the process that opened it: used after `fork()` in another
//! process, it first replaces its socket with a new one in the same network namespace (the
//! inherited socket's), so parent and child never share a socket or a sequence counter.
//! Every wait is bounded by the timeout: a blocked send (`SO_SNDTIMEO`), each wait for an
//! answer, and a dump the kernel keeps interrupting is read again at most
//! [`DUMP_ATTEMPTS`] times.
//!
//! # The receive buffer, and answers lost to it
//!
//! Each socket asks for a receive buffer of [`SOCKET_BUFFER`] (4 MiB) with `SO_RCVBUFFORCE`,
//! which may exceed `net.core.rmem_max` for a caller with CAP_NET_ADMIN in the socket's
//! user namespace (every caller that changes IPVS has it); without it, with `SO_RCVBUF`,
//! which the kernel caps at `rmem_max` (208 KiB by default). The kernel doubles the value
//! for its bookkeeping, so `SO_RCVBUF` then reads 8 MiB, or twice `rmem_max`.
//!
//! The kernel queues every answer to a batch inside the call that sends it, and drops those
//! that do not fit (the socket then reports `ENOBUFS` once, an overrun). A dump is flow
//! controlled: the kernel makes its next part only when the reader has made room, so a dump
//! never overruns on its own, but its socket can still overrun while it runs (answers to
//! other requests queued beside it). What lvs does then:
//! - a dump is read again from the start, on a new socket in the same network namespace
//!   (the kernel still runs the old dump on the old one, and would refuse a new dump there
//!   with `EBUSY`); what the sink was given is forgotten first, so the caller gets one
//!   whole listing without repeats, or [`Error::Interrupted`] after [`DUMP_ATTEMPTS`] reads;
//! - a batch takes the answers that were queued (without waiting: the kernel queued all it
//!   could before the send returned), and each request whose answer was lost is reported as
//!   lost (`None`, an unknown outcome), never as done or refused;
//! - a single request whose answer was lost fails with `ENOBUFS` (its outcome unknown).

use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use neli::consts::socket::{Msg, NlFamily};
use neli::socket::NlSocket;
use neli::utils::Groups;

use crate::codec::consts::FAMILY_NAME;
use crate::codec::message::{
    decode_family_id, OperationRequest, Replies, Reply, Request, NLM_F_DUMP_INTR,
};
use crate::error::Error;

mod netns;
pub(crate) mod process;
pub(crate) use netns::Namespace;

/// A reply payload: the command and attributes of one data message.
pub(crate) type Payload = (u8, Vec<u8>);

/// The answer to one request: its data messages, or the kernel's errno and text.
pub(crate) type Answer = Result<Vec<Payload>, (i32, Option<String>)>;

/// The kernel's verdict on a request whose data messages went to a sink: accepted, or its
/// errno and text.
pub(crate) type Verdict = Result<(), (i32, Option<String>)>;

/// Where [`Connection::exchange_each`] delivers data messages: `(true, None)` to start
/// over, `(false, Some((cmd, attrs)))` for one message.
pub(crate) type Sink<'a> = dyn FnMut(bool, Option<(u8, &[u8])>) -> Result<(), Error> + 'a;

/// A request as the transport sends it: framed anew for each attempt, under the sequence
/// number that attempt gets. A [`Request`] carries its attributes in a buffer of its own; an
/// [`OperationRequest`] writes them straight into the send buffer (what one operation
/// sends, so that it costs no allocation).
pub(crate) trait Outgoing {
    /// Appends the framed message to `buf`.
    fn encode_into(&self, buf: &mut Vec<u8>, family: u16, seq: u32);
    /// Whether the kernel answers it with a dump.
    fn is_dump(&self) -> bool;
}

impl Outgoing for Request {
    fn encode_into(&self, buf: &mut Vec<u8>, family: u16, seq: u32) {
        Request::encode_into(self, buf, family, seq);
    }
    fn is_dump(&self) -> bool {
        Request::is_dump(self)
    }
}

impl Outgoing for OperationRequest<'_> {
    fn encode_into(&self, buf: &mut Vec<u8>, family: u16, seq: u32) {
        OperationRequest::encode_into(self, buf, family, seq);
    }
    fn is_dump(&self) -> bool {
        false
    }
}

/// A batch of requests framed into one datagram ahead of its turn, with the sequence
/// numbers its answers will carry: made away from the connection (on another thread while
/// the kernel works through the batch before, inside that batch's send), then sent by
/// [`Connection::exchange_framed`].
pub(crate) struct FramedBatch {
    bytes: Vec<u8>,
    seqs: Vec<u32>,
}

impl FramedBatch {
    /// Frames `requests` for the family `family`, numbered after `*seq` as
    /// [`Connection::exchange_batch`] numbers them, and advances `*seq` past them.
    pub(crate) fn new(requests: &[impl Outgoing], family: u16, seq: &mut u32) -> FramedBatch {
        let seqs = batch_seqs(seq, requests.len());
        // About what an IPv4 real server's request takes, so most batches allocate once.
        let mut bytes = Vec::with_capacity(requests.len() * 128);
        for (r, &seq) in requests.iter().zip(&seqs) {
            r.encode_into(&mut bytes, family, seq);
        }
        FramedBatch { bytes, seqs }
    }
}

/// An open, family-resolved IPVS netlink socket.
pub(crate) struct Connection {
    socket: NlSocket,
    family: u16,
    seq: u32,
    buf: Vec<u8>,
    /// The datagram being sent, kept between requests so that a request does not allocate
    /// one (see [`KEPT_SEND_BUFFER`]).
    out: Vec<u8>,
    timeout: Duration,
    /// The process the socket was opened in (see [`Connection::own_socket`]).
    pid: u32,
    /// The port id answers must come from: 0, the kernel (another in tests).
    peer: u32,
    /// What this connection went through (overruns, re-reads, new sockets).
    stats: TransportStats,
    /// Requests to flood the socket with on the next dump, after its first part (tests).
    flood: usize,
}

/// What a connection went through: a count of each way answers were lost or read again.
/// For tests and measurements; not part of the API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransportStats {
    /// Times the socket reported `ENOBUFS`: the kernel dropped answers for want of room.
    pub overruns: u64,
    /// Dumps read again from the start (interrupted by a change, or answers lost).
    pub dump_retries: u64,
    /// Sockets replaced by a new one after a dump lost part of its answer.
    pub reopened: u64,
    /// Requests of a batch, or single requests, whose answer was lost to an overrun.
    pub lost_answers: u64,
}

impl std::ops::AddAssign for TransportStats {
    fn add_assign(&mut self, other: TransportStats) {
        self.overruns += other.overruns;
        self.dump_retries += other.dump_retries;
        self.reopened += other.reopened;
        self.lost_answers += other.lost_answers;
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("fd", &self.socket.as_raw_fd())
            .field("family", &self.family)
            .field("seq", &self.seq)
            .field("timeout", &self.timeout)
            .field("pid", &self.pid)
            .finish()
    }
}

/// The receive buffer: larger than any datagram the kernel sends us (dump parts are capped
/// at 32 KiB), so nothing needs peeking at first; it grows if one ever was larger.
const INITIAL_BUFFER: usize = 64 * 1024;
/// The largest send buffer kept for the next request: a batch of [`lvs_core::ops::APPLY_GROUP`]
/// requests fits many times over; a larger one (a batch sent by hand) is let go.
const KEPT_SEND_BUFFER: usize = 64 * 1024;
/// The socket receive buffer asked for, so that the answers to big batches fit (see the
/// module's documentation).
pub(crate) const SOCKET_BUFFER: usize = 4 * 1024 * 1024;

/// How many times one request is read again because the kernel said its dump was
/// interrupted (the table changed meanwhile) or the answer was lost to an overrun, before
/// [`Error::Interrupted`] says so: a table that changes that often cannot be read whole.
pub(crate) const DUMP_ATTEMPTS: u32 = 16;

/// `SIOCGSKNS`: an ioctl on a socket that opens its network namespace (Linux 4.9).
const SIOCGSKNS: libc::c_ulong = 0x894C;

impl Connection {
    /// Opens a socket in the caller's network namespace, or in `netns` (an open namespace
    /// file such as `/run/netns/NAME` or `/proc/PID/ns/net`).
    pub(crate) fn open(netns: Option<&File>, timeout: Duration) -> Result<Connection, Error> {
        let socket = match netns {
            None => new_socket()?,
            Some(ns) => socket_in_netns(ns)?,
        };
        let mut conn = Connection::with_socket(socket, timeout)?;
        conn.family = conn.resolve_family()?;
        Ok(conn)
    }

    fn with_socket(socket: NlSocket, timeout: Duration) -> Result<Connection, Error> {
        set_send_timeout(&socket, timeout)?;
        Ok(Connection {
            socket,
            family: 0,
            seq: 0,
            buf: vec![0; INITIAL_BUFFER],
            out: Vec::new(),
            timeout,
            pid: process::id(),
            peer: 0,
            stats: TransportStats::default(),
            flood: 0,
        })
    }

    /// A socket in the caller's namespace without the IPVS family resolved, for tests that
    /// talk to nlctrl only (which every kernel has, and anyone may ask).
    #[cfg(test)]
    fn open_plain(timeout: Duration) -> Result<Connection, Error> {
        Connection::with_socket(new_socket()?, timeout)
    }

    /// A socket that talks to the netlink socket with port id `peer` instead of the kernel
    /// (a test's stand-in for the kernel), and takes answers from it only.
    #[cfg(test)]
    fn open_to_peer(peer: u32, timeout: Duration) -> Result<Connection, Error> {
        let socket = new_socket()?;
        connect_to(&socket, peer).map_err(|source| Error::Io {
            op: "connect",
            source,
        })?;
        let mut conn = Connection::with_socket(socket, timeout)?;
        conn.peer = peer;
        Ok(conn)
    }

    /// Makes sure the socket is this process's own: after a `fork()`, the child's first
    /// request replaces the inherited socket (whose answers the parent may read) with a new
    /// one in the same network namespace, found from the inherited socket itself. The
    /// parent's socket is not touched (only the child's copy of its descriptor closes).
    fn own_socket(&mut self) -> Result<(), Error> {
        let me = process::id();
        if self.pid == me {
            return Ok(());
        }
        self.replace_socket("reopen the socket after fork")?;
        self.pid = me;
        Ok(())
    }

    /// Replaces the socket with a new one in the same network namespace (the old socket's,
    /// found from the socket itself); the old one closes, with whatever it still held.
    fn replace_socket(&mut self, op: &'static str) -> Result<(), Error> {
        // SAFETY: SIOCGSKNS takes no argument and returns a new descriptor (close-on-exec)
        // or -1; the socket's descriptor is open for the life of `self.socket`.
        let fd = unsafe { libc::ioctl(self.socket.as_raw_fd(), SIOCGSKNS as _) };
        if fd < 0 {
            return Err(Error::Io {
                op,
                source: std::io::Error::last_os_error(),
            });
        }
        // SAFETY: `fd` was just returned by the kernel as a new descriptor no one else owns.
        let netns = File::from(unsafe { OwnedFd::from_raw_fd(fd) });
        let socket = socket_in_netns(&netns)?;
        set_send_timeout(&socket, self.timeout)?;
        self.socket = socket;
        Ok(())
    }

    /// What this connection went through.
    #[cfg(any(test, feature = "kernel-tests"))]
    pub(crate) fn stats(&self) -> TransportStats {
        self.stats
    }

    /// The socket's receive buffer as the kernel counts it (`SO_RCVBUF`: twice what was
    /// granted).
    #[cfg(any(test, feature = "kernel-tests"))]
    pub(crate) fn recv_buffer(&self) -> Result<usize, Error> {
        recv_buffer(&self.socket).map_err(|source| Error::Io {
            op: "read the receive buffer size",
            source,
        })
    }

    /// Sets the socket's receive buffer with `SO_RCVBUF` (capped by `net.core.rmem_max`,
    /// at least the kernel's minimum) and says what it became, so a test can make the
    /// kernel drop answers.
    #[cfg(any(test, feature = "kernel-tests"))]
    pub(crate) fn set_recv_buffer(&mut self, bytes: usize) -> Result<usize, Error> {
        set_int_option(&self.socket, libc::SO_RCVBUF, bytes).map_err(|source| Error::Io {
            op: "set the receive buffer size",
            source,
        })?;
        self.recv_buffer()
    }

    /// Makes the next dump, once its first part is read, send `requests` requests in one
    /// datagram and read none of their answers, which overrun a small receive buffer.
    #[cfg(any(test, feature = "kernel-tests"))]
    pub(crate) fn flood_next_dump(&mut self, requests: usize) {
        self.flood = requests;
    }

    /// Sets the sequence counter (the next request gets `seq + 1`, or 1 after a wrap).
    #[cfg(any(test, feature = "kernel-tests"))]
    pub(crate) fn set_seq(&mut self, seq: u32) {
        self.seq = seq;
    }

    fn resolve_family(&mut self) -> Result<u16, Error> {
        match self.exchange(&Request::get_family(FAMILY_NAME), "resolve IPVS family")? {
            Ok(payloads) => {
                let (_, attrs) = payloads.first().ok_or(Error::IpvsUnavailable)?;
                decode_family_id(attrs).map_err(|source| Error::Decode {
                    op: "resolve IPVS family",
                    source,
                })
            }
            Err((libc::ENOENT, _)) => Err(Error::IpvsUnavailable),
            Err((libc::EPERM, _)) => Err(Error::PermissionDenied {
                op: "resolve IPVS family",
            }),
            Err((errno, message)) => Err(Error::Kernel {
                op: "resolve IPVS family",
                errno,
                message,
            }),
        }
    }

    fn next_seq(&mut self) -> u32 {
        next_seq(&mut self.seq)
    }

    /// Sends one request and collects its answer. Dumps that the kernel reports as
    /// interrupted (the table changed meanwhile) or that overran the socket are read again.
    pub(crate) fn exchange(
        &mut self,
        request: &dyn Outgoing,
        op: &'static str,
    ) -> Result<Answer, Error> {
        let mut payloads: Vec<Payload> = Vec::new();
        let answer = self.exchange_each(request, op, &mut |restart, data| {
            if restart {
                payloads.clear();
            }
            if let Some((cmd, attrs)) = data {
                payloads.push((cmd, attrs.to_vec()));
            }
            Ok(())
        })?;
        Ok(answer.map(|()| payloads))
    }

    /// Like [`Connection::exchange`], but hands each data message to `sink` as it arrives
    /// instead of keeping them all: `sink(true, None)` says a dump starts over (forget what
    /// came before), `sink(false, Some((cmd, attrs)))` brings one message. An error from
    /// the sink ends the exchange with that error once the answer has been read whole, so
    /// the socket is left clean for the next request.
    pub(crate) fn exchange_each(
        &mut self,
        request: &dyn Outgoing,
        op: &'static str,
        sink: &mut Sink<'_>,
    ) -> Result<Verdict, Error> {
        self.own_socket()?;
        for attempt in 0..DUMP_ATTEMPTS {
            if attempt > 0 {
                sink(true, None)?;
                self.stats.dump_retries += 1;
            }
            match self.try_exchange(request, op, sink) {
                Err(Retry::Interrupted) => continue,
                Err(Retry::Lost) => {
                    // The kernel still runs the dump on this socket and would refuse a new
                    // one there (EBUSY): start over on a socket of its own.
                    self.replace_socket("replace a socket that lost part of a dump")?;
                    self.stats.reopened += 1;
                }
                Ok(answer) => return answer,
            }
        }
        Err(Error::Interrupted {
            op,
            attempts: DUMP_ATTEMPTS,
        })
    }

    /// Frames a datagram with `frame` (given the family id) in the connection's send buffer
    /// and sends it whole. The buffer is kept for the next datagram unless it grew past
    /// [`KEPT_SEND_BUFFER`].
    fn send_framed(
        &mut self,
        op: &'static str,
        frame: impl FnOnce(&mut Vec<u8>, u16),
    ) -> Result<(), Error> {
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        frame(&mut out, self.family);
        // An empty datagram would get no answer, and the wait for one would last the
        // whole timeout: only an operation that is no request frames nothing.
        let sent = if out.is_empty() {
            Err(Error::Io {
                op,
                source: std::io::Error::other("an operation with no request"),
            })
        } else {
            self.send(&out, op)
        };
        if out.capacity() <= KEPT_SEND_BUFFER {
            self.out = out;
        }
        sent
    }

    /// Sends one datagram whole, waiting at most the timeout for room (`SO_SNDTIMEO`).
    fn send(&mut self, bytes: &[u8], op: &'static str) -> Result<(), Error> {
        loop {
            return match self.socket.send(bytes, Msg::empty()) {
                Ok(_) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Err(Error::TimedOut {
                    op,
                    timeout: self.timeout,
                }),
                Err(source) => Err(Error::Io { op, source }),
            };
        }
    }

    fn try_exchange(
        &mut self,
        request: &dyn Outgoing,
        op: &'static str,
        sink: &mut Sink<'_>,
    ) -> Result<Result<Verdict, Error>, Retry> {
        let seq = self.next_seq();
        if let Err(e) = self.send_framed(op, |out, family| request.encode_into(out, family, seq)) {
            return Ok(Err(e));
        }
        let mut interrupted = false;
        let mut refused: Option<Error> = None;
        // Set once the socket overran: what is queued is read without waiting.
        let mut overran = false;
        let finish = |refused: Option<Error>, answer| match refused {
            Some(e) => Ok(Err(e)),
            None => Ok(Ok(answer)),
        };
        loop {
            let len = match self.recv(op, !overran) {
                Ok(len) => len,
                Err(RecvError::Overrun) => {
                    self.stats.overruns += 1;
                    if request.is_dump() {
                        return Err(Retry::Lost);
                    }
                    // The answer may still be queued: the kernel answered before the send
                    // returned.
                    overran = true;
                    continue;
                }
                Err(RecvError::Empty) => {
                    self.stats.lost_answers += 1;
                    return Ok(Err(Error::Io {
                        op,
                        source: std::io::Error::from_raw_os_error(libc::ENOBUFS),
                    }));
                }
                Err(RecvError::Truncated) if request.is_dump() => return Err(Retry::Lost),
                Err(RecvError::Truncated) => return Ok(Err(truncated(op))),
                Err(RecvError::Failed(e)) => return Ok(Err(e)),
            };
            let mut flood = false;
            for reply in Replies::new(&self.buf[..len]) {
                let reply = match reply {
                    Ok(r) => r,
                    Err(source) => return Ok(Err(Error::Decode { op, source })),
                };
                if reply.seq() != Some(seq) {
                    continue; // a late answer to an earlier, abandoned request
                }
                match reply {
                    Reply::Data {
                        flags, cmd, attrs, ..
                    } => {
                        interrupted |= flags & NLM_F_DUMP_INTR != 0;
                        if refused.is_none() && !interrupted {
                            refused = sink(false, Some((cmd, attrs))).err();
                        }
                        flood = self.flood > 0 && request.is_dump();
                    }
                    Reply::Ack { .. } => return finish(refused, Ok(())),
                    Reply::Error { errno, message, .. } => {
                        return finish(refused, Err((errno, message)))
                    }
                    Reply::Done { errno, flags, .. } => {
                        if flags & NLM_F_DUMP_INTR != 0 || interrupted {
                            return Err(Retry::Interrupted);
                        }
                        return finish(
                            refused,
                            if errno == 0 {
                                Ok(())
                            } else {
                                Err((errno, None))
                            },
                        );
                    }
                    Reply::Other { .. } => {}
                }
            }
            if flood {
                self.send_flood(op);
            }
        }
    }

    /// Sends the requests [`Connection::flood_next_dump`] asked for, once: answers no one
    /// reads, queued beside the dump being read (their numbers are not the dump's).
    fn send_flood(&mut self, op: &'static str) {
        let requests = std::mem::take(&mut self.flood);
        let mut out = Vec::new();
        for _ in 0..requests {
            let seq = self.next_seq();
            Request::get_family("nlctrl").encode_into(&mut out, self.family, seq);
        }
        let _ = self.send(&out, op);
    }

    /// Sends several requests in one system call and collects one answer per request, in
    /// order. The kernel handles every message of the call, whatever the others' results.
    /// An answer lost to an overrun is `None`: whether that request took effect is unknown.
    pub(crate) fn exchange_batch(
        &mut self,
        requests: &[impl Outgoing],
    ) -> Result<Vec<Option<Answer>>, Error> {
        self.own_socket()?;
        if requests.is_empty() {
            // Nothing to send, and nothing to wait for.
            return Ok(Vec::new());
        }
        let seqs = batch_seqs(&mut self.seq, requests.len());
        self.send_framed("send batch", |out, family| {
            for (r, &seq) in requests.iter().zip(&seqs) {
                r.encode_into(out, family, seq);
            }
        })?;
        self.batch_answers(&seqs)
    }

    /// The resolved family id and the last sequence number used: what
    /// [`FramedBatch::new`] frames a batch from, away from the connection.
    pub(crate) fn framing(&self) -> (u16, u32) {
        (self.family, self.seq)
    }

    /// [`Connection::exchange_batch`] of a batch framed ahead by [`FramedBatch::new`] from
    /// [`Connection::framing`]: the same datagram, system calls, errors and answers. The
    /// connection's sequence numbers continue after the batch's.
    pub(crate) fn exchange_framed(
        &mut self,
        batch: &FramedBatch,
    ) -> Result<Vec<Option<Answer>>, Error> {
        self.own_socket()?;
        let Some(&last) = batch.seqs.last() else {
            return Ok(Vec::new());
        };
        self.seq = last;
        self.send(&batch.bytes, "send batch")?;
        self.batch_answers(&batch.seqs)
    }

    /// Collects the answers to a batch sent numbered `seqs`, by request.
    fn batch_answers(&mut self, seqs: &[u32]) -> Result<Vec<Option<Answer>>, Error> {
        let mut answers: Vec<Option<Answer>> = vec![None; seqs.len()];
        let mut data: Vec<Vec<Payload>> = vec![Vec::new(); seqs.len()];
        self.read_batch(seqs, &mut |index, reply| {
            let answer = match reply {
                Reply::Data { cmd, attrs, .. } => {
                    data[index].push((cmd, attrs.to_vec()));
                    return false;
                }
                Reply::Ack { .. } | Reply::Done { errno: 0, .. } => {
                    Ok(std::mem::take(&mut data[index]))
                }
                Reply::Error { errno, message, .. } => Err((errno, message)),
                Reply::Done { errno, .. } => Err((errno, None)),
                Reply::Other { .. } => return false,
            };
            answers[index].replace(answer).is_none()
        })?;
        Ok(answers)
    }

    /// [`Connection::exchange_batch`] of one request, without its bookkeeping: the same
    /// datagram, system calls, errors and accounting, and no allocation. The kernel's
    /// verdict, or `None` when the answer was lost to an overrun (whether the request took
    /// effect is unknown). Data messages (none answer a change) are not kept.
    pub(crate) fn exchange_batch_of_one(
        &mut self,
        request: &dyn Outgoing,
    ) -> Result<Option<Verdict>, Error> {
        self.own_socket()?;
        let seq = next_seq(&mut self.seq);
        self.send_framed("send batch", |out, family| {
            request.encode_into(out, family, seq)
        })?;
        let mut verdict = None;
        self.read_batch(&[seq], &mut |_, reply| {
            let answer = match reply {
                Reply::Ack { .. } | Reply::Done { errno: 0, .. } => Ok(()),
                Reply::Error { errno, message, .. } => Err((errno, message)),
                Reply::Done { errno, .. } => Err((errno, None)),
                Reply::Data { .. } | Reply::Other { .. } => return false,
            };
            verdict.replace(answer).is_none()
        })?;
        Ok(verdict)
    }

    /// Reads the answers to the batch numbered `seqs`, just sent, handing each message to
    /// `deliver` with the index of the request it answers; `deliver` says whether it was
    /// that request's first final answer. Returns once every request has one, or when the
    /// socket overran and the rest were lost (counted in the stats).
    fn read_batch(
        &mut self,
        seqs: &[u32],
        deliver: &mut dyn FnMut(usize, Reply<'_>) -> bool,
    ) -> Result<(), Error> {
        let mut pending = seqs.len();
        // Set once the socket overran: the kernel queued every answer it could before the
        // send returned, so what is queued is read without waiting, and the rest is lost.
        let mut overran = false;
        while pending > 0 {
            let len = match self.recv("apply", !overran) {
                Ok(len) => len,
                Err(RecvError::Overrun) => {
                    self.stats.overruns += 1;
                    overran = true;
                    continue;
                }
                Err(RecvError::Empty) => {
                    self.stats.lost_answers += pending as u64;
                    break;
                }
                Err(RecvError::Truncated) => return Err(truncated("apply (answer truncated)")),
                Err(RecvError::Failed(e)) => return Err(e),
            };
            for reply in Replies::new(&self.buf[..len]) {
                let reply = reply.map_err(|source| Error::Decode {
                    op: "apply",
                    source,
                })?;
                let Some(index) = reply.seq().and_then(|s| batch_index(seqs, s)) else {
                    continue;
                };
                if deliver(index, reply) {
                    pending -= 1;
                }
            }
        }
        Ok(())
    }

    /// Runs `f` with the wait for each answer raised to at least `floor`, then restores
    /// the handle's own timeout.
    pub(crate) fn waiting_at_least<T>(
        &mut self,
        floor: Duration,
        f: impl FnOnce(&mut Connection) -> T,
    ) -> T {
        let own = self.timeout;
        self.timeout = own.max(floor);
        let result = f(self);
        self.timeout = own;
        result
    }

    /// Receives one datagram into the buffer, waiting at most the handle's timeout.
    ///
    /// The kernel handles a request inside the sending call and makes each further part of
    /// a dump inside the receiving call that empties the queue, so answers are nearly
    /// always queued already: the first try does not wait, and waits only when it finds
    /// nothing (one system call per datagram instead of a poll, a peek and a read). A
    /// datagram larger than the buffer (none is expected: dump parts are at most 32 KiB,
    /// acknowledgements echo at most a small request) is reported as truncated after
    /// growing the buffer, so a dump can be read again. Without `wait`, an empty queue is
    /// [`RecvError::Empty`] at once.
    fn recv(&mut self, op: &'static str, wait: bool) -> Result<usize, RecvError> {
        // A timeout too long for the clock (such as `Duration::MAX`) has no deadline: it
        // waits as long as the caller asked, which is longer than anyone will wait.
        // Taken on the first wait only: the answer is nearly always queued already, and
        // where the clock is not in the vDSO (some virtual machines) reading it is a system
        // call per request.
        let mut deadline: Option<Option<Instant>> = None;
        loop {
            match recv_from(&self.socket, &mut self.buf) {
                Ok((_, from)) if from != self.peer => continue, // not the kernel's: ignored
                Ok((len, _)) if len > self.buf.len() => {
                    self.buf.resize(len.next_power_of_two(), 0);
                    return Err(RecvError::Truncated);
                }
                Ok((len, _)) => return Ok(len),
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    return Err(RecvError::Overrun)
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && !wait => {
                    return Err(RecvError::Empty)
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(source) => return Err(RecvError::Failed(Error::Io { op: "recv", source })),
            }
            let now = Instant::now();
            let left = match *deadline.get_or_insert_with(|| now.checked_add(self.timeout)) {
                Some(deadline) if now >= deadline => {
                    return Err(RecvError::Failed(Error::TimedOut {
                        op,
                        timeout: self.timeout,
                    }))
                }
                Some(deadline) => deadline - now,
                None => self.timeout,
            };
            wait_readable(&self.socket, left)
                .map_err(|source| RecvError::Failed(Error::Io { op: "poll", source }))?;
        }
    }
}

/// Why a dump must be read again.
#[derive(Debug)]
enum Retry {
    /// The kernel said the table changed while it was listed (`NLM_F_DUMP_INTR`).
    Interrupted,
    /// Part of the answer was lost (an overrun, or a datagram too large for the buffer).
    Lost,
}

#[derive(Debug)]
enum RecvError {
    /// The socket dropped messages.
    Overrun,
    /// Nothing was queued (only when asked not to wait).
    Empty,
    /// A datagram did not fit the buffer (now grown) and its tail was lost.
    Truncated,
    Failed(Error),
}

/// The error for an answer lost to a datagram too large for the buffer.
fn truncated(op: &'static str) -> Error {
    Error::Io {
        op,
        source: std::io::Error::from_raw_os_error(libc::EMSGSIZE),
    }
}

/// The sequence number after `seq`: 0 is skipped, as netlink leaves it to messages that
/// answer no request.
fn next_seq(seq: &mut u32) -> u32 {
    *seq = seq.wrapping_add(1).max(1);
    *seq
}

/// Numbers the `n` requests of a batch, advancing the counter: consecutive, but for the
/// skipped 0 where the counter wraps.
fn batch_seqs(seq: &mut u32, n: usize) -> Vec<u32> {
    (0..n).map(|_| next_seq(seq)).collect()
}

/// Which request of a batch numbered `seqs` an answer numbered `seq` is for.
fn batch_index(seqs: &[u32], seq: u32) -> Option<usize> {
    let first = *seqs.first()?;
    let index = seq.wrapping_sub(first) as usize;
    // Across the wrap the numbers skip 0, so the index is one less past it.
    let index = if seq < first {
        index.checked_sub(1)?
    } else {
        index
    };
    (seqs.get(index) == Some(&seq)).then_some(index)
}

/// Receives one datagram without waiting (`MSG_DONTWAIT | MSG_TRUNC`): its full length
/// (which may exceed the buffer) and the sender's port id.
fn recv_from(socket: &NlSocket, buf: &mut [u8]) -> std::io::Result<(usize, u32)> {
    // SAFETY: an all-zero sockaddr_nl is a valid value of the plain C struct.
    let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    let mut addr_len = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
    // SAFETY: `buf` is writable for its length, `addr` and `addr_len` describe a writable
    // sockaddr_nl, and the descriptor is open for the life of `socket`.
    let n = unsafe {
        libc::recvfrom(
            socket.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_DONTWAIT | libc::MSG_TRUNC,
            (&raw mut addr).cast(),
            &mut addr_len,
        )
    };
    match usize::try_from(n) {
        Ok(len) => Ok((len, addr.nl_pid)),
        Err(_) => Err(std::io::Error::last_os_error()),
    }
}

/// Connects the socket to port id `port` (0: the kernel), so it sends there by default and
/// the kernel refuses datagrams to it from any other socket.
fn connect_to(socket: &NlSocket, port: u32) -> std::io::Result<()> {
    // SAFETY: an all-zero sockaddr_nl is a valid value of the plain C struct.
    let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    addr.nl_pid = port;
    // SAFETY: `addr` is a sockaddr_nl whose size we pass; the descriptor is open for the
    // life of `socket`.
    let rc = unsafe {
        libc::connect(
            socket.as_raw_fd(),
            (&raw const addr).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Bounds a blocking send by `timeout` (`SO_SNDTIMEO`; at least 1 ms, as 0 means forever).
fn set_send_timeout(socket: &NlSocket, timeout: Duration) -> Result<(), Error> {
    let timeout = timeout.max(Duration::from_millis(1));
    let tv = libc::timeval {
        tv_sec: libc::time_t::try_from(timeout.as_secs()).unwrap_or(libc::time_t::MAX),
        tv_usec: libc::suseconds_t::from(timeout.subsec_micros()),
    };
    // SAFETY: `tv` is a timeval whose size we pass; the descriptor is open for the life of
    // `socket`.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_SNDTIMEO,
            (&raw const tv).cast(),
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::Io {
            op: "set the send timeout",
            source: std::io::Error::last_os_error(),
        })
    }
}

fn new_socket() -> Result<NlSocket, Error> {
    let socket = NlSocket::connect(NlFamily::Generic, None, Groups::empty()).map_err(|source| {
        Error::Io {
            op: "open netlink socket",
            source,
        }
    })?;
    // Only the kernel may send to it (the kernel refuses other senders of a connected
    // socket; `recv` checks the sender as well).
    connect_to(&socket, 0).map_err(|source| Error::Io {
        op: "connect netlink socket",
        source,
    })?;
    // Best effort: the kernel's error text helps, but old kernels lack the option.
    let _ = socket.enable_ext_ack(true);
    // Past net.core.rmem_max with CAP_NET_ADMIN, else up to it. If neither works the
    // default stays: answers lost to it are reported (see the module's documentation).
    if set_int_option(&socket, libc::SO_RCVBUFFORCE, SOCKET_BUFFER).is_err() {
        let _ = set_int_option(&socket, libc::SO_RCVBUF, SOCKET_BUFFER);
    }
    Ok(socket)
}

/// Sets a `SOL_SOCKET` option whose value is an int (saturated to `c_int::MAX`).
fn set_int_option(socket: &NlSocket, option: libc::c_int, value: usize) -> std::io::Result<()> {
    let value = libc::c_int::try_from(value).unwrap_or(libc::c_int::MAX);
    // SAFETY: `value` is an int whose size we pass; the descriptor is open for the life of
    // `socket`.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            option,
            (&raw const value).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The socket's receive buffer as the kernel counts it (`SO_RCVBUF`).
#[cfg(any(test, feature = "kernel-tests"))]
fn recv_buffer(socket: &NlSocket) -> std::io::Result<usize> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` and `len` describe a writable int; the descriptor is open for the life
    // of `socket`.
    let rc = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&raw mut value).cast(),
            &mut len,
        )
    };
    if rc == 0 {
        Ok(usize::try_from(value).unwrap_or(0))
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Opens a socket inside the network namespace `ns` from a short-lived thread, so no thread
/// of the caller ever changes namespace. A socket keeps the namespace it was created in.
fn socket_in_netns(ns: &File) -> Result<NlSocket, Error> {
    netns::in_namespace(ns, new_socket)
        .map_err(|source| Error::Io {
            op: "enter network namespace",
            source,
        })
        .and_then(|socket| socket)
}

/// Waits until the socket is readable or `timeout` passes; `Ok(false)` on timeout.
fn wait_readable(socket: &NlSocket, timeout: Duration) -> std::io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd: socket.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = libc::c_int::try_from(timeout.as_millis().max(1)).unwrap_or(libc::c_int::MAX);
    // SAFETY: `pfd` is a valid pollfd for the duration of the call and we pass a count of 1.
    let n = unsafe { libc::poll(&mut pfd, 1, ms) };
    match n {
        n if n > 0 => Ok(true),
        0 => Ok(false),
        _ => {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                Ok(false)
            } else {
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctrl() -> Connection {
        Connection::open_plain(Duration::from_secs(2)).expect("a generic netlink socket")
    }

    /// A batch asking nlctrl for families alternately known and unknown, so an answer filed
    /// under the wrong request shows.
    fn mixed_batch(n: usize) -> Vec<Request> {
        (0..n)
            .map(|i| {
                if i % 2 == 0 {
                    Request::get_family("nlctrl")
                } else {
                    Request::get_family(&format!("lvs-nofam-{i}"))
                }
            })
            .collect()
    }

    fn check_mixed(answers: &[Option<Answer>]) {
        for (i, answer) in answers.iter().enumerate() {
            let answer = answer.as_ref().expect("an answer");
            if i % 2 == 0 {
                let payloads = answer.as_ref().expect("nlctrl is known");
                assert_eq!(
                    decode_family_id(&payloads[0].1).unwrap(),
                    0x10,
                    "answer {i}"
                );
            } else {
                assert_eq!(answer.as_ref().unwrap_err().0, libc::ENOENT, "answer {i}");
            }
        }
    }

    #[test]
    fn a_batch_across_the_sequence_wrap_files_every_answer_under_its_request() {
        for start in [u32::MAX - 3, u32::MAX - 1, u32::MAX, 0] {
            let mut conn = ctrl();
            conn.set_seq(start);
            let answers = conn.exchange_batch(&mixed_batch(8)).expect("the batch");
            check_mixed(&answers);
            // And the next single request still gets its own answer.
            let answer = conn
                .exchange(&Request::get_family("nlctrl"), "get nlctrl")
                .unwrap();
            assert!(answer.is_ok());
        }
    }

    #[test]
    fn a_batch_framed_ahead_is_answered_like_one_framed_on_sending() {
        let mut conn = ctrl();
        let requests = mixed_batch(8);
        let (family, mut seq) = conn.framing();
        let ahead = FramedBatch::new(&requests, family, &mut seq);
        let after = FramedBatch::new(&requests, family, &mut seq);
        check_mixed(&conn.exchange_framed(&ahead).expect("the first batch"));
        check_mixed(&conn.exchange_framed(&after).expect("the second batch"));
        assert_eq!(conn.framing().1, seq, "numbering goes on after the batches");
        // And a batch framed on sending follows them.
        check_mixed(
            &conn
                .exchange_batch(&requests)
                .expect("a batch framed on sending"),
        );
    }

    #[test]
    fn a_batch_of_one_gets_the_verdict_a_batch_gives_it() {
        let mut conn = ctrl();
        for request in [
            Request::get_family("nlctrl"),
            Request::get_family("no-such"),
        ] {
            let batch = conn.exchange_batch(std::slice::from_ref(&request)).unwrap();
            let one = conn.exchange_batch_of_one(&request).unwrap();
            let batch_verdict = batch[0].clone().map(|a| a.map(drop));
            assert_eq!(one, batch_verdict, "{request:?}");
            assert!(one.is_some(), "an answer came");
        }
        // A request of an operation is framed in the kept buffer, as many times as it is sent.
        let op = lvs_core::Operation::Flush;
        let flush = OperationRequest::new(&op).unwrap();
        for _ in 0..3 {
            // With no family resolved it goes to message type 0, which the kernel only
            // acknowledges: what matters is that each is answered.
            let verdict = conn.exchange_batch_of_one(&flush).unwrap();
            assert!(verdict.is_some(), "{verdict:?}");
        }
        assert!(conn.out.capacity() > 0 && conn.out.capacity() <= KEPT_SEND_BUFFER);
    }

    /// Sends `bytes` from `from` to the netlink socket with port id `to`.
    fn send_to(from: &NlSocket, to: u32, bytes: &[u8]) -> std::io::Result<()> {
        // SAFETY: an all-zero sockaddr_nl is a valid value of the plain C struct.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as u16;
        addr.nl_pid = to;
        // SAFETY: `bytes` is readable for its length and `addr` is a sockaddr_nl whose size
        // we pass; the fd is open for the life of `from`.
        let n = unsafe {
            libc::sendto(
                from.as_raw_fd(),
                bytes.as_ptr().cast(),
                bytes.len(),
                0,
                (&raw const addr).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if n < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    /// An NLMSG_ERROR message carrying `errno` for sequence number `seq`.
    fn forged_error(seq: u32, errno: i32) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend_from_slice(&36u32.to_ne_bytes());
        m.extend_from_slice(&2u16.to_ne_bytes()); // NLMSG_ERROR
        m.extend_from_slice(&0u16.to_ne_bytes());
        m.extend_from_slice(&seq.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes());
        m.extend_from_slice(&(-errno).to_ne_bytes());
        // The request it claims to answer: a bare header.
        m.extend_from_slice(&16u32.to_ne_bytes());
        m.extend_from_slice(&0x10u16.to_ne_bytes());
        m.extend_from_slice(&1u16.to_ne_bytes());
        m.extend_from_slice(&seq.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes());
        m
    }

    #[test]
    fn a_datagram_from_another_socket_is_not_taken_for_the_kernels_answer() {
        let mut conn = ctrl();
        let port = conn.socket.pid().expect("the socket's port id");
        let forger = NlSocket::connect(NlFamily::Generic, None, Groups::empty()).unwrap();
        // The forger answers, ahead of the kernel, the request the connection sends next (a
        // refused send is fine too: then nothing but the kernel can reach the socket).
        let next = conn.seq.wrapping_add(1).max(1);
        let forged = send_to(&forger, port, &forged_error(next, libc::EPERM));
        let answer = conn
            .exchange(&Request::get_family("nlctrl"), "get nlctrl")
            .expect("an answer");
        let payloads =
            answer.unwrap_or_else(|e| panic!("took the forged answer {e:?} ({forged:?})"));
        assert_eq!(decode_family_id(&payloads[0].1).unwrap(), 0x10);
        // Nor does a forged answer to a batch count.
        let next = conn.seq.wrapping_add(1).max(1);
        let _ = send_to(&forger, port, &forged_error(next, libc::EPERM));
        check_mixed(&conn.exchange_batch(&mixed_batch(2)).expect("the batch"));
    }

    #[test]
    fn batch_numbers_skip_zero_and_every_number_finds_its_request() {
        for start in [0, 1, 1000, u32::MAX - 70, u32::MAX - 1, u32::MAX] {
            let mut seq = start;
            let seqs = batch_seqs(&mut seq, 64);
            assert!(!seqs.contains(&0), "from {start}");
            assert_eq!(seq, *seqs.last().unwrap());
            for (i, &s) in seqs.iter().enumerate() {
                assert_eq!(batch_index(&seqs, s), Some(i), "seq {s} from {start}");
            }
            for other in [0, start, seq.wrapping_add(1).max(1)] {
                if !seqs.contains(&other) {
                    assert_eq!(batch_index(&seqs, other), None, "{other} from {start}");
                }
            }
        }
    }

    /// A stand-in for the kernel on a socket of its own: answers every message it receives
    /// with `answer(seq)` until `stop` is set, and says how many messages it saw.
    struct FakeKernel {
        port: u32,
        stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
        thread: Option<std::thread::JoinHandle<usize>>,
    }

    impl FakeKernel {
        fn start(answer: fn(u32) -> Vec<u8>, read: bool) -> FakeKernel {
            let socket = NlSocket::connect(NlFamily::Generic, None, Groups::empty()).unwrap();
            let port = socket.pid().unwrap();
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let flag = std::sync::Arc::clone(&stop);
            let thread = std::thread::spawn(move || {
                let mut seen = 0;
                let mut buf = vec![0u8; 65536];
                while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    if !read {
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    }
                    let _ = wait_readable(&socket, Duration::from_millis(20));
                    let Ok((len, from)) = recv_from(&socket, &mut buf) else {
                        continue;
                    };
                    let mut at = 0;
                    while at + 16 <= len.min(buf.len()) {
                        let mlen = u32::from_ne_bytes(buf[at..at + 4].try_into().unwrap());
                        let seq = u32::from_ne_bytes(buf[at + 8..at + 12].try_into().unwrap());
                        seen += 1;
                        let _ = send_to(&socket, from, &answer(seq));
                        at += (mlen as usize).max(16).next_multiple_of(4);
                    }
                }
                seen
            });
            FakeKernel {
                port,
                stop,
                thread: Some(thread),
            }
        }

        fn finish(mut self) -> usize {
            self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
            self.thread.take().unwrap().join().unwrap()
        }
    }

    /// An NLMSG_DONE for `seq` that says the dump was interrupted.
    fn interrupted_done(seq: u32) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend_from_slice(&20u32.to_ne_bytes());
        m.extend_from_slice(&3u16.to_ne_bytes()); // NLMSG_DONE
        m.extend_from_slice(&(0x2u16 | NLM_F_DUMP_INTR).to_ne_bytes()); // MULTI | DUMP_INTR
        m.extend_from_slice(&seq.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes());
        m.extend_from_slice(&0i32.to_ne_bytes());
        m
    }

    #[test]
    fn a_dump_interrupted_every_time_is_given_up_with_a_typed_error() {
        let fake = FakeKernel::start(interrupted_done, true);
        let mut conn = Connection::open_to_peer(fake.port, Duration::from_secs(5)).unwrap();
        let mut restarts = 0;
        let result = conn.exchange_each(
            &Request::dump_services(),
            "list services",
            &mut |restart, _| {
                restarts += usize::from(restart);
                Ok(())
            },
        );
        let seen = fake.finish();
        match result {
            Err(e @ Error::Interrupted { attempts, .. }) => {
                assert_eq!(attempts, DUMP_ATTEMPTS);
                assert_eq!(e.errno(), Some(libc::EAGAIN));
            }
            other => panic!("expected Interrupted, got {other:?}"),
        }
        assert_eq!(seen, DUMP_ATTEMPTS as usize, "requests sent");
        assert_eq!(
            restarts,
            DUMP_ATTEMPTS as usize - 1,
            "restarts told to the sink"
        );
    }

    #[test]
    fn a_send_that_cannot_go_through_is_bounded_by_the_timeout() {
        // A peer that never reads: once its receive queue is full, sends to it block.
        let fake = FakeKernel::start(interrupted_done, false);
        let timeout = Duration::from_millis(300);
        let mut conn = Connection::open_to_peer(fake.port, timeout).unwrap();
        let started = Instant::now();
        let mut outcome = None;
        for _ in 0..100_000 {
            let request = Request::get_family("nlctrl");
            let mut out = Vec::new();
            request.encode_into(&mut out, 0, 1);
            if let Err(e) = conn.send(&out, "send") {
                outcome = Some(e);
                break;
            }
        }
        let elapsed = started.elapsed();
        match outcome {
            Some(Error::TimedOut { op: "send", .. }) => {}
            other => panic!("expected a send timeout, got {other:?}"),
        }
        assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
        // And a whole exchange fails the same way, in about the timeout.
        let started = Instant::now();
        let e = conn
            .exchange(&Request::get_family("nlctrl"), "get nlctrl")
            .unwrap_err();
        assert!(matches!(e, Error::TimedOut { .. }), "{e:?}");
        assert!(
            started.elapsed() < timeout * 4,
            "took {:?}",
            started.elapsed()
        );
        fake.finish();
    }

    /// Whether this process has CAP_NET_ADMIN (in its user namespace), from
    /// /proc/self/status.
    fn has_net_admin() -> bool {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let effective = status
            .lines()
            .find_map(|l| l.strip_prefix("CapEff:"))
            .map(|v| u64::from_str_radix(v.trim(), 16).unwrap())
            .unwrap();
        effective & (1 << 12) != 0 // CAP_NET_ADMIN
    }

    #[test]
    fn the_receive_buffer_is_the_size_asked_for_or_as_much_as_rmem_max_allows() {
        let granted = ctrl().recv_buffer().unwrap();
        // The kernel doubles what it grants for its bookkeeping.
        if has_net_admin() {
            assert_eq!(granted, 2 * SOCKET_BUFFER, "forced past rmem_max");
        } else {
            let rmem_max: usize = std::fs::read_to_string("/proc/sys/net/core/rmem_max")
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            assert_eq!(
                granted,
                2 * SOCKET_BUFFER.min(rmem_max),
                "capped by rmem_max"
            );
        }
    }

    #[test]
    fn a_batch_whose_answers_overran_the_socket_says_which_were_lost() {
        let mut conn = ctrl();
        // The smallest buffer the kernel allows holds two or three of nlctrl's answers.
        let small = conn.set_recv_buffer(1).unwrap();
        assert!(small < 16 * 1024, "{small}");
        let answers = conn.exchange_batch(&mixed_batch(64)).expect("the batch");
        let lost = answers.iter().filter(|a| a.is_none()).count();
        assert!(lost > 0, "nothing was lost: the test proves nothing");
        assert!(lost < answers.len(), "every answer was lost");
        // What came back is each request's own answer.
        for (i, answer) in answers.iter().enumerate() {
            let Some(answer) = answer else { continue };
            if i % 2 == 0 {
                let payloads = answer.as_ref().expect("nlctrl is known");
                assert_eq!(
                    decode_family_id(&payloads[0].1).unwrap(),
                    0x10,
                    "answer {i}"
                );
            } else {
                assert_eq!(answer.as_ref().unwrap_err().0, libc::ENOENT, "answer {i}");
            }
        }
        let stats = conn.stats();
        assert_eq!((stats.overruns, stats.lost_answers), (1, lost as u64));
        // The socket is clean for the next request.
        let answer = conn.exchange(&Request::get_family("nlctrl"), "get nlctrl");
        assert_eq!(
            decode_family_id(&answer.unwrap().unwrap()[0].1).unwrap(),
            0x10
        );
    }

    /// Every family nlctrl lists, as raw payloads, read by one dump on `conn`.
    fn dump_families(conn: &mut Connection) -> Vec<Vec<u8>> {
        let mut dump = Request::get_family("");
        dump.attrs.clear();
        dump.flags = crate::codec::message::NLM_F_DUMP | crate::codec::message::NLM_F_ACK;
        let mut families = Vec::new();
        let verdict = conn
            .exchange_each(&dump, "list families", &mut |restart, data| {
                if restart {
                    families.clear();
                }
                if let Some((_, attrs)) = data {
                    families.push(attrs.to_vec());
                }
                Ok(())
            })
            .expect("the dump");
        verdict.expect("nlctrl lists its families");
        families
    }

    #[test]
    fn a_dump_whose_socket_overran_is_read_again_whole_on_a_new_socket() {
        let mut want = dump_families(&mut ctrl());
        want.sort();
        let mut conn = ctrl();
        conn.set_recv_buffer(1).unwrap();
        // Once the dump's first part is read, 64 answers no one reads overrun the socket
        // while the kernel still has the rest of the dump to send.
        conn.flood_next_dump(64);
        if !has_net_admin() {
            // Finding the socket's namespace (SIOCGSKNS) needs CAP_NET_ADMIN there, which
            // every IPVS caller has; without it the dump fails instead of starting over.
            let mut dump = Request::get_family("");
            dump.attrs.clear();
            dump.flags = crate::codec::message::NLM_F_DUMP | crate::codec::message::NLM_F_ACK;
            let e = conn
                .exchange_each(&dump, "list families", &mut |_, _| Ok(()))
                .unwrap_err();
            assert!(
                matches!(&e, Error::Io { source, .. } if source.raw_os_error() == Some(libc::EPERM)),
                "{e:?}"
            );
            return;
        }
        let mut got = dump_families(&mut conn);
        let stats = conn.stats();
        assert!(stats.overruns >= 1, "no overrun: the test proves nothing");
        assert_eq!((stats.reopened, stats.dump_retries), (1, 1), "{stats:?}");
        let listed = got.len();
        got.sort();
        got.dedup();
        assert_eq!(got.len(), listed, "a family listed twice");
        assert_eq!(got, want, "the families listed");
        // The new socket has the usual buffer and answers the next request.
        assert!(conn.recv_buffer().unwrap() > 16 * 1024);
        assert_eq!(dump_families(&mut conn).len(), want.len());
    }
}
