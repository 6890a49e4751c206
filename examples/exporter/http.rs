//! The least HTTP/1.1 a Prometheus scrape needs, on std::net alone: one request per
//! connection, answered and closed, one connection at a time.
//!
//! Every wait is bounded so that a client that connects and then sends or reads slowly
//! (or not at all) cannot hold the accept loop: the request head must arrive within
//! [`REQUEST_DEADLINE`] and be at most [`MAX_REQUEST_HEAD`] bytes, and the client may keep
//! the answer waiting [`RESPONSE_DEADLINE`] in all. Whatever a client sends is answered
//! with a status, never a panic; each connection's socket is closed when its handling
//! returns.

use std::io::{self, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// How long a client has to send its request line and headers.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(5);
/// How long in all a client may keep the answer waiting (blocked writes; the time the
/// exporter takes to make a large scrape's text as it writes it does not count).
pub const RESPONSE_DEADLINE: Duration = Duration::from_secs(10);
/// The most a request line and headers may take; a scrape sends a few hundred bytes.
pub const MAX_REQUEST_HEAD: usize = 8 * 1024;

/// The exposition format's content type.
const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// What the exporter's front page says: where the metrics are.
const INDEX: &str = "<!DOCTYPE html>\n<html><head><title>lvs exporter</title></head>\n\
<body><h1>lvs exporter</h1><p>IPVS metrics: <a href=\"/metrics\">/metrics</a></p></body></html>\n";

/// What `/metrics` answers with: its length, counted before it is written, and the
/// writing, which may go straight to the client (a large scrape is not held as text).
pub trait Content {
    /// The length in bytes of what [`Content::write_to`] writes.
    fn len(&self) -> usize;
    /// Writes the content to `out`.
    fn write_to(&self, out: &mut dyn io::Write) -> io::Result<()>;
}

impl Content for String {
    fn len(&self) -> usize {
        self.len()
    }

    fn write_to(&self, out: &mut dyn io::Write) -> io::Result<()> {
        out.write_all(self.as_bytes())
    }
}

/// An answer's body: a text of the exporter's own, or a scrape's content.
#[derive(Debug, PartialEq, Eq)]
pub enum Body<M> {
    Text(String),
    Scrape(M),
}

/// An answer: status line's code and reason, content type, body.
#[derive(Debug, PartialEq, Eq)]
pub struct Response<M> {
    pub status: u16,
    pub reason: &'static str,
    pub content_type: &'static str,
    pub body: Body<M>,
}

impl<M> Response<M> {
    fn text(status: u16, reason: &'static str, body: &str) -> Response<M> {
        Response {
            status,
            reason,
            content_type: "text/plain; charset=utf-8",
            body: Body::Text(format!("{body}\n")),
        }
    }
}

/// Accepts connections on `listener` forever, answering each (see [`route`]; `scrape`
/// makes the body of `/metrics`) and closing it before taking the next.
pub fn serve<M: Content>(listener: &TcpListener, mut scrape: impl FnMut() -> M) -> ! {
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                if let Err(e) = handle(stream, &mut scrape) {
                    // A client that went away or timed out: its problem, not the exporter's.
                    eprintln!("lvs-exporter: {peer}: {e}");
                }
            }
            Err(e) => {
                // Out of file descriptors, or a connection reset before it was taken:
                // wait a little rather than spin, then go on.
                eprintln!("lvs-exporter: accept: {e}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// Reads one request from `stream`, answers it and closes the connection (on return).
fn handle<M: Content>(mut stream: TcpStream, scrape: &mut impl FnMut() -> M) -> io::Result<()> {
    let response = match read_head(&mut stream)? {
        Ok(head) => route(&head, scrape),
        Err(refusal) => refusal,
    };
    // Dropping the stream closes it: the descriptor is gone before the client sees the
    // end of the answer.
    write_response(&mut stream, &response)
}

/// The request line and headers (up to the blank line), or the refusal to send back for a
/// head that is too large. Errs on a timeout or a connection that ends first.
fn read_head<M>(stream: &mut TcpStream) -> io::Result<Result<Vec<u8>, Response<M>>> {
    let deadline = Instant::now() + REQUEST_DEADLINE;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        if let Some(end) = find_head_end(&head) {
            head.truncate(end);
            return Ok(Ok(head));
        }
        if head.len() > MAX_REQUEST_HEAD {
            return Ok(Err(Response::text(
                431,
                "Request Header Fields Too Large",
                "request header too large",
            )));
        }
        // Each read may wait only for what is left of the deadline, so a client sending a
        // byte at a time cannot stretch it.
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "request too slow"));
        }
        stream.set_read_timeout(Some(left))?;
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed before the request ended",
            ));
        }
        head.extend_from_slice(&buf[..n]);
    }
}

/// Where the head ends (the start of its blank line), if it has: CRLF CRLF, or bare LF LF
/// from a lenient client.
fn find_head_end(bytes: &[u8]) -> Option<usize> {
    let crlf = bytes.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = bytes.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The answer to a request head.
pub fn route<M>(head: &[u8], scrape: &mut impl FnMut() -> M) -> Response<M> {
    let Ok(head) = std::str::from_utf8(head) else {
        return Response::text(400, "Bad Request", "request is not text");
    };
    let request_line = head.lines().next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Response::text(400, "Bad Request", "malformed request line");
    };
    if !version.starts_with("HTTP/1.") {
        return Response::text(505, "HTTP Version Not Supported", "HTTP/1.x only");
    }
    if method != "GET" {
        return Response::text(405, "Method Not Allowed", "only GET");
    }
    let path = target.split_once('?').map_or(target, |(path, _)| path);
    match path {
        "/metrics" => Response {
            status: 200,
            reason: "OK",
            content_type: METRICS_CONTENT_TYPE,
            body: Body::Scrape(scrape()),
        },
        "/" => Response {
            status: 200,
            reason: "OK",
            content_type: "text/html; charset=utf-8",
            body: Body::Text(INDEX.to_owned()),
        },
        _ => Response::text(404, "Not Found", "not found: see /metrics"),
    }
}

/// Writes the status line, headers and body, giving up once the client has kept the
/// exporter waiting [`RESPONSE_DEADLINE`] in all (the time a large scrape takes to write
/// its text as it goes does not count).
fn write_response<M: Content>(stream: &mut TcpStream, response: &Response<M>) -> io::Result<()> {
    let body: &dyn Content = match &response.body {
        Body::Text(text) => text,
        Body::Scrape(content) => content,
    };
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        response.reason,
        response.content_type,
        body.len()
    );
    if response.status == 405 {
        head.push_str("Allow: GET\r\n");
    }
    head.push_str("\r\n");
    let mut out = io::BufWriter::with_capacity(
        16 * 1024,
        Patient {
            stream,
            left: RESPONSE_DEADLINE,
        },
    );
    out.write_all(head.as_bytes())?;
    body.write_to(&mut out)?;
    out.flush()
}

/// A client's stream whose writes may wait for the client for a total of `left`.
struct Patient<'a> {
    stream: &'a mut TcpStream,
    left: Duration,
}

impl io::Write for Patient<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.left.is_zero() {
            return Err(too_slow());
        }
        self.stream.set_write_timeout(Some(self.left))?;
        let start = Instant::now();
        let written = self.stream.write(buf);
        self.left = self.left.saturating_sub(start.elapsed());
        match written {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(too_slow()),
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// A client that kept the answer waiting [`RESPONSE_DEADLINE`] in all.
fn too_slow() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "answer taken too slowly")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(head: &str) -> Response<String> {
        route(head.as_bytes(), &mut || "lvs_up 1\n".to_owned())
    }

    #[test]
    fn metrics_index_and_everything_else() {
        let metrics = answer("GET /metrics HTTP/1.1\r\nHost: x");
        assert_eq!(
            (metrics.status, metrics.body),
            (200, Body::Scrape("lvs_up 1\n".to_owned()))
        );
        assert_eq!(metrics.content_type, METRICS_CONTENT_TYPE);
        assert_eq!(answer("GET /metrics?x=1 HTTP/1.0").status, 200);
        let index = answer("GET / HTTP/1.1");
        assert_eq!(index.status, 200);
        assert!(matches!(&index.body, Body::Text(page) if page.contains("href=\"/metrics\"")));
        assert_eq!(answer("GET /other HTTP/1.1").status, 404);
        assert_eq!(answer("POST /metrics HTTP/1.1").status, 405);
        assert_eq!(answer("HEAD /metrics HTTP/1.1").status, 405);
        assert_eq!(answer("GET /metrics HTTP/2.0").status, 505);
    }

    #[test]
    fn garbage_is_a_bad_request_not_a_panic() {
        for head in [
            "",
            " ",
            "GET",
            "GET /metrics",
            "GET  /metrics HTTP/1.1",
            "\u{0}\u{1}",
        ] {
            assert_eq!(answer(head).status, 400, "{head:?}");
        }
        assert_eq!(route(&[0xff, 0xfe, b' '], &mut String::new).status, 400);
    }

    #[test]
    fn the_head_ends_at_the_first_blank_line() {
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\n\r\nbody"), Some(14));
        assert_eq!(find_head_end(b"GET / HTTP/1.1\n\n"), Some(14));
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\n"), None);
    }

    #[test]
    fn a_large_scrape_arrives_whole_after_its_length() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let text: String = (0..100_000)
            .map(|i| format!("lvs_x{{n=\"{i}\"}} {i}\n"))
            .collect();
        let client = std::thread::spawn(move || {
            let mut client = TcpStream::connect(addr).unwrap();
            client.write_all(b"GET /metrics HTTP/1.1\r\n\r\n").unwrap();
            let mut answer = String::new();
            client.read_to_string(&mut answer).unwrap();
            answer
        });
        let (stream, _) = listener.accept().unwrap();
        let sent = text.clone();
        handle(stream, &mut || sent.clone()).unwrap();
        let answer = client.join().unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(
            head.contains(&format!("\r\nContent-Length: {}\r\n", text.len())),
            "{head}"
        );
        assert!(body == text, "the body is the scrape");
    }

    #[test]
    fn a_slow_or_oversized_client_is_cut_off() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // Too large: answered 431.
        let big = std::thread::spawn(move || {
            let mut client = TcpStream::connect(addr).unwrap();
            // One byte over: the server reads it all before refusing, so closing does not
            // reset the connection over unread bytes before the answer is read.
            let _ = client.write_all(&vec![b'a'; MAX_REQUEST_HEAD + 1]);
            let mut answer = String::new();
            let _ = client.read_to_string(&mut answer);
            answer
        });
        let (stream, _) = listener.accept().unwrap();
        handle(stream, &mut String::new).unwrap();
        assert!(big.join().unwrap().starts_with("HTTP/1.1 431 "));
        // Silent: given up on after the deadline, not waited for.
        let _silent = TcpStream::connect(addr).unwrap();
        let (stream, _) = listener.accept().unwrap();
        let start = Instant::now();
        assert!(handle(stream, &mut String::new).is_err());
        assert!(start.elapsed() < REQUEST_DEADLINE + Duration::from_secs(2));
    }
}
