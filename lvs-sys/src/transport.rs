//! The netlink socket: opening it (optionally in another network namespace), resolving the
//! IPVS family, and exchanging requests for replies with a bounded wait.
//!
//! One socket per handle, opened close-on-exec; the family id is resolved once. A mutex
//! serialises exchanges so threads sharing a handle never read each other's replies, and
//! every reply is matched to its request by sequence number.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use neli::consts::socket::{Msg, NlFamily};
use neli::socket::NlSocket;
use neli::utils::Groups;

use crate::codec::consts::FAMILY_NAME;
use crate::codec::message::{decode_family_id, Replies, Reply, Request, NLM_F_DUMP_INTR};
use crate::error::Error;

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

/// An open, family-resolved IPVS netlink socket.
pub(crate) struct Connection {
    socket: NlSocket,
    family: u16,
    seq: u32,
    buf: Vec<u8>,
    timeout: Duration,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("fd", &self.socket.as_raw_fd())
            .field("family", &self.family)
            .field("seq", &self.seq)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The receive buffer: larger than any datagram the kernel sends us (dump parts are capped
/// at 32 KiB), so nothing needs peeking at first; it grows if one ever was larger.
const INITIAL_BUFFER: usize = 64 * 1024;
/// The socket receive buffer asked for, so big dumps and batches of acks fit.
const SOCKET_BUFFER: usize = 4 * 1024 * 1024;

impl Connection {
    /// Opens a socket in the caller's network namespace, or in `netns` (an open namespace
    /// file such as `/run/netns/NAME` or `/proc/PID/ns/net`).
    pub(crate) fn open(netns: Option<&File>, timeout: Duration) -> Result<Connection, Error> {
        let socket = match netns {
            None => new_socket()?,
            Some(ns) => socket_in_netns(ns)?,
        };
        let mut conn = Connection {
            socket,
            family: 0,
            seq: 0,
            buf: vec![0; INITIAL_BUFFER],
            timeout,
        };
        conn.family = conn.resolve_family()?;
        Ok(conn)
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
        self.seq = self.seq.wrapping_add(1).max(1);
        self.seq
    }

    /// Sends one request and collects its answer. Dumps that the kernel reports as
    /// interrupted (the table changed meanwhile) or that overran the socket are read again.
    pub(crate) fn exchange(
        &mut self,
        request: &Request,
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
        request: &Request,
        op: &'static str,
        sink: &mut Sink<'_>,
    ) -> Result<Verdict, Error> {
        let mut first = true;
        loop {
            if !first {
                sink(true, None)?;
            }
            first = false;
            match self.try_exchange(request, op, sink) {
                Err(Retry) if request.is_dump() => continue,
                Err(Retry) => {
                    return Err(Error::Io {
                        op,
                        source: std::io::Error::from_raw_os_error(libc::ENOBUFS),
                    })
                }
                Ok(answer) => return answer,
            }
        }
    }

    fn try_exchange(
        &mut self,
        request: &Request,
        op: &'static str,
        sink: &mut Sink<'_>,
    ) -> Result<Result<Verdict, Error>, Retry> {
        let seq = self.next_seq();
        let mut out = Vec::with_capacity(64 + request.attrs.len());
        request.encode_into(&mut out, self.family, seq);
        if let Err(source) = self.socket.send(&out, Msg::empty()) {
            return Ok(Err(Error::Io { op: "send", source }));
        }
        let mut interrupted = false;
        let mut refused: Option<Error> = None;
        let finish = |refused: Option<Error>, answer| match refused {
            Some(e) => Ok(Err(e)),
            None => Ok(Ok(answer)),
        };
        loop {
            let len = match self.recv(op) {
                Ok(len) => len,
                Err(RecvError::Overrun) => return Err(Retry),
                Err(RecvError::Truncated) if request.is_dump() => return Err(Retry),
                Err(RecvError::Truncated) => return Ok(Err(truncated(op))),
                Err(RecvError::Failed(e)) => return Ok(Err(e)),
            };
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
                    }
                    Reply::Ack { .. } => return finish(refused, Ok(())),
                    Reply::Error { errno, message, .. } => {
                        return finish(refused, Err((errno, message)))
                    }
                    Reply::Done { errno, flags, .. } => {
                        if flags & NLM_F_DUMP_INTR != 0 || interrupted {
                            return Err(Retry);
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
        }
    }

    /// Sends several requests in one system call and collects one answer per request, in
    /// order. The kernel handles every message of the call, whatever the others' results.
    pub(crate) fn exchange_batch(&mut self, requests: &[Request]) -> Result<Vec<Answer>, Error> {
        let first = self.seq.wrapping_add(1);
        let mut out = Vec::new();
        for r in requests {
            let seq = self.next_seq();
            r.encode_into(&mut out, self.family, seq);
        }
        self.socket
            .send(&out, Msg::empty())
            .map_err(|source| Error::Io {
                op: "send batch",
                source,
            })?;
        let mut answers: Vec<Option<Answer>> = vec![None; requests.len()];
        let mut pending = requests.len();
        let mut data: Vec<Vec<Payload>> = vec![Vec::new(); requests.len()];
        while pending > 0 {
            let len = match self.recv("apply") {
                Ok(len) => len,
                Err(RecvError::Overrun) => {
                    // Acks were lost: what happened to the unanswered requests is unknown.
                    return Err(Error::Io {
                        op: "apply (acknowledgements lost)",
                        source: std::io::Error::from_raw_os_error(libc::ENOBUFS),
                    });
                }
                Err(RecvError::Truncated) => return Err(truncated("apply (answer truncated)")),
                Err(RecvError::Failed(e)) => return Err(e),
            };
            for reply in Replies::new(&self.buf[..len]) {
                let reply = reply.map_err(|source| Error::Decode {
                    op: "apply",
                    source,
                })?;
                let Some(index) = reply
                    .seq()
                    .map(|s| s.wrapping_sub(first) as usize)
                    .filter(|&i| i < requests.len())
                else {
                    continue;
                };
                let answer = match reply {
                    Reply::Data { cmd, attrs, .. } => {
                        data[index].push((cmd, attrs.to_vec()));
                        continue;
                    }
                    Reply::Ack { .. } | Reply::Done { errno: 0, .. } => {
                        Ok(std::mem::take(&mut data[index]))
                    }
                    Reply::Error { errno, message, .. } => Err((errno, message)),
                    Reply::Done { errno, .. } => Err((errno, None)),
                    Reply::Other { .. } => continue,
                };
                if answers[index].replace(answer).is_none() {
                    pending -= 1;
                }
            }
        }
        Ok(answers
            .into_iter()
            .map(|a| a.expect("every request answered"))
            .collect())
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
    /// growing the buffer, so a dump can be read again.
    fn recv(&mut self, op: &'static str) -> Result<usize, RecvError> {
        // A timeout too long for the clock (such as `Duration::MAX`) has no deadline: it
        // waits as long as the caller asked, which is longer than anyone will wait.
        let deadline = Instant::now().checked_add(self.timeout);
        loop {
            match self
                .socket
                .recv(&mut self.buf[..], Msg::DONTWAIT | Msg::TRUNC)
            {
                Ok((len, _)) if len > self.buf.len() => {
                    self.buf.resize(len.next_power_of_two(), 0);
                    return Err(RecvError::Truncated);
                }
                Ok((len, _)) => return Ok(len),
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    return Err(RecvError::Overrun)
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(source) => return Err(RecvError::Failed(Error::Io { op: "recv", source })),
            }
            let now = Instant::now();
            let left = match deadline {
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

/// The socket dropped messages (ENOBUFS); a dump must be read again.
#[derive(Debug)]
struct Retry;

#[derive(Debug)]
enum RecvError {
    /// The socket dropped messages.
    Overrun,
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

fn new_socket() -> Result<NlSocket, Error> {
    let socket = NlSocket::connect(NlFamily::Generic, None, Groups::empty()).map_err(|source| {
        Error::Io {
            op: "open netlink socket",
            source,
        }
    })?;
    // Best effort: the kernel's error text helps, but old kernels lack the option.
    let _ = socket.enable_ext_ack(true);
    if socket.set_recv_buffer_size(SOCKET_BUFFER).is_err() {
        // Keep the default size; dumps still work, ENOBUFS is recovered by re-reading.
    }
    Ok(socket)
}

/// Opens a socket inside the network namespace `ns` from a short-lived thread, so no thread
/// of the caller ever changes namespace. A socket keeps the namespace it was created in.
fn socket_in_netns(ns: &File) -> Result<NlSocket, Error> {
    let fd = ns.as_raw_fd();
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                // SAFETY: `fd` is an open namespace file owned by `ns`, which outlives this
                // scoped thread; setns only changes the namespace of the calling thread, which
                // is this throw-away thread and ends right after the socket is made.
                if unsafe { libc::setns(fd, libc::CLONE_NEWNET) } != 0 {
                    return Err(Error::Io {
                        op: "enter network namespace",
                        source: std::io::Error::last_os_error(),
                    });
                }
                new_socket()
            })
            .join()
            .unwrap_or_else(|_| {
                Err(Error::Io {
                    op: "enter network namespace",
                    source: std::io::Error::other("the namespace thread panicked"),
                })
            })
    })
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
