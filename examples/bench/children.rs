//! The measurements that run in a child process (lvs's read, and the raw-netlink floor), so that
//! each has its own peak memory.

use lvs_core::{Scheduler, ServiceKey, Table, VirtualService};
use lvs_sys::codec::message::{decode_family_id, Replies, Reply, Request};
use lvs_sys::NetlinkIpvs;
use neli::consts::socket::{Msg, NlFamily};
use neli::socket::NlSocket;
use neli::utils::Groups;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Instant;

use super::*;

/// The read measured alone in its own process: reads the table of the namespace at PATH
/// (`-` for the caller's) with real servers and stats (`listing`: as a plain listing reads
/// it, and formatted as `ipvsadm -L -n` prints it), checks it is the table of N
/// services, prints the seconds the read took and the peak memory (KiB) it had reached
/// when the read was done.
pub(crate) fn read_child(ns: Option<String>, n: Option<String>, how: Option<String>) -> ExitCode {
    let (Some(ns), Some(n)) = (ns, n.and_then(|n| n.parse::<usize>().ok())) else {
        eprintln!("usage: lvs-bench read-child PATH|- N [table|stream|listing]");
        return ExitCode::from(2);
    };
    let ipvs = match ns.as_str() {
        "-" => NetlinkIpvs::open(),
        path => NetlinkIpvs::open_in_netns(path),
    };
    if how.as_deref() == Some("stream") {
        return read_child_streaming(ipvs, n);
    }
    let listing = how.as_deref() == Some("listing");
    let started = Instant::now();
    let read = ipvs.and_then(|ipvs| {
        if listing {
            // What `lvsctl list` does: the plain listing's read, formatted as ipvsadm -L -n.
            let info = ipvs.info()?;
            let table = ipvs.table_for_listing()?;
            let text = lvs_core::listing::format_table(
                &info,
                &table,
                &lvs_core::listing::ListOptions::new(),
            );
            std::hint::black_box(text);
            Ok(table)
        } else {
            ipvs.table_with_stats()
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    // The peak so far is the read's alone: the check below needs memory of its own.
    let peak = peak_rss_kib();
    let read = match read {
        Ok(read) => read,
        Err(e) => {
            eprintln!("read-child: {e}");
            return ExitCode::FAILURE;
        }
    };
    let got = Table::new(
        read.into_iter()
            .map(|(s, servers)| {
                VirtualService::new(s.service, servers.into_iter().map(|e| e.server).collect())
            })
            .collect(),
    );
    if let Err(e) = same(&got, &table(n)) {
        eprintln!("read-child: {e}");
        return ExitCode::FAILURE;
    }
    report(seconds, peak)
}

/// The streaming read: each service checked as it comes (against the service its address
/// says it is), nothing kept but which services were seen.
pub(crate) fn read_child_streaming(
    ipvs: Result<NetlinkIpvs, lvs_sys::Error>,
    n: usize,
) -> ExitCode {
    let mut seen = vec![false; n];
    let mut wrong: Option<String> = None;
    let started = Instant::now();
    let read = ipvs.and_then(|ipvs| {
        ipvs.for_each_service(|entry, servers| {
            let got = VirtualService::new(
                entry.service,
                servers.into_iter().map(|e| e.server).collect(),
            );
            let index = match got.service.key {
                ServiceKey::Addr {
                    addr: SocketAddr::V4(a),
                    ..
                } => (u32::from(*a.ip()) as usize).wrapping_sub(0x0a00_0001),
                _ => usize::MAX,
            };
            let problem = if index >= n || seen[index] {
                Some(format!(
                    "unexpected or repeated service {}",
                    got.service.key
                ))
            } else {
                seen[index] = true;
                let want = Table::new(vec![service(index, Scheduler::Rr)]);
                same(&Table::new(vec![got]), &want).err()
            };
            if wrong.is_none() {
                wrong = problem;
            }
        })
    });
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_rss_kib();
    if let Err(e) = read {
        eprintln!("read-child: {e}");
        return ExitCode::FAILURE;
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        wrong.get_or_insert(format!("service {} was not listed", vip(missing)));
    }
    if let Some(problem) = wrong {
        eprintln!("read-child: {problem}");
        return ExitCode::FAILURE;
    }
    report(seconds, peak)
}

/// Prints a read child's result line (seconds and peak KiB), or fails without a peak.
fn report(seconds: f64, peak: Option<u64>) -> ExitCode {
    match peak {
        Some(kib) => {
            println!("{seconds:.6} {kib}");
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("read-child: no VmHWM in /proc/self/status");
            ExitCode::FAILURE
        }
    }
}

/// This process's peak resident set (what GNU time reports as maximum RSS), in KiB.
pub(crate) fn peak_rss_kib() -> Option<u64> {
    peak_rss_kib_of("self")
}

/// The peak resident set of process PID (or `self`), in KiB.
pub(crate) fn peak_rss_kib_of(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The floor, run inside the namespace to fill: creates the table of N services with
/// requests encoded before the clock starts, BATCH (64 unless given) per system call on a
/// bare netlink socket, reading every acknowledgement; prints the seconds it took. With
/// BATCH 1 it is the floor of libipvs's API, which sends one request per call.
pub(crate) fn floor_child(n: Option<String>, batch: Option<String>) -> ExitCode {
    let batch = match batch.map(|b| b.parse::<usize>()) {
        None => Some(BATCH),
        Some(Ok(b)) if b > 0 => Some(b),
        Some(_) => None,
    };
    let (Some(n), Some(batch)) = (n.and_then(|n| n.parse::<usize>().ok()), batch) else {
        eprintln!("usage: lvs-bench floor-child N [BATCH]");
        return ExitCode::from(2);
    };
    match floor(n, batch) {
        Ok(seconds) => {
            println!("{seconds:.6}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("floor-child: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A bare generic-netlink socket with a 4 MiB receive buffer, IPVS's family id resolved,
/// and a receive buffer: what both floors start from, untimed.
fn floor_socket() -> Result<(NlSocket, u16, Vec<u8>), String> {
    let socket =
        NlSocket::connect(NlFamily::Generic, None, Groups::empty()).map_err(io("socket"))?;
    socket
        .set_recv_buffer_size(4 << 20)
        .map_err(io("SO_RCVBUF"))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut msg = Vec::new();
    Request::get_family("IPVS").encode_into(&mut msg, 0, 1);
    socket.send(&msg, Msg::empty()).map_err(io("send"))?;
    loop {
        let (len, _) = socket
            .recv(&mut buf[..], Msg::empty())
            .map_err(io("recv"))?;
        for reply in Replies::new(&buf[..len]) {
            match reply.map_err(|e| e.to_string())? {
                Reply::Data { attrs, .. } => {
                    let family = decode_family_id(attrs).map_err(|e| e.to_string())?;
                    return Ok((socket, family, buf));
                }
                Reply::Error { errno, .. } => return Err(format!("resolve family: errno {errno}")),
                _ => {}
            }
        }
    }
}

fn io(op: &'static str) -> impl Fn(std::io::Error) -> String {
    move |e| format!("{op}: {e}")
}

/// The read floor, measured alone in its own process (`read-floor-child N`): the table of
/// the caller's namespace read as one services dump and one real-server dump per service,
/// over one socket, with every request encoded before the clock starts and the replies
/// only counted, not decoded. Prints the seconds; fails unless it counted N services and
/// their real servers.
pub(crate) fn read_floor_child(n: Option<String>) -> ExitCode {
    let Some(n) = n.and_then(|n| n.parse::<usize>().ok()) else {
        eprintln!("usage: lvs-bench read-floor-child N");
        return ExitCode::from(2);
    };
    match read_floor(n) {
        Ok(seconds) => {
            println!("{seconds:.6}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("read-floor-child: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read_floor(n: usize) -> Result<f64, String> {
    let (socket, family, mut buf) = floor_socket()?;
    let mut seq = 1u32;
    let mut encoded = |request: Request| {
        seq += 1;
        let mut out = Vec::new();
        request.encode_into(&mut out, family, seq);
        out
    };
    let services = encoded(Request::dump_services());
    let dumps: Vec<Vec<u8>> = table(n)
        .services
        .iter()
        .map(|vs| encoded(Request::dump_servers(&vs.service.key)))
        .collect();
    // One dump: sends it and counts its entries until its end.
    let mut dump = |request: &[u8]| -> Result<usize, String> {
        socket.send(request, Msg::empty()).map_err(io("send"))?;
        let mut entries = 0;
        loop {
            let (len, _) = socket
                .recv(&mut buf[..], Msg::empty())
                .map_err(io("recv"))?;
            for reply in Replies::new(&buf[..len]) {
                match reply.map_err(|e| e.to_string())? {
                    Reply::Data { .. } => entries += 1,
                    Reply::Done { errno: 0, .. } => return Ok(entries),
                    Reply::Done { errno, .. } | Reply::Error { errno, .. } => {
                        return Err(format!("dump failed: errno {errno}"))
                    }
                    _ => {}
                }
            }
        }
    };

    let started = Instant::now();
    let listed = dump(&services)?;
    let mut servers = 0;
    for request in &dumps {
        servers += dump(request)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    if (listed, servers) != (n, n * SERVERS) {
        return Err(format!(
            "counted {listed} services and {servers} real servers, not {n} and {}",
            n * SERVERS
        ));
    }
    Ok(seconds)
}

pub(crate) fn floor(n: usize, batch: usize) -> Result<f64, String> {
    let (socket, family, mut buf) = floor_socket()?;

    // Every request, encoded and framed into batches of 64 before the clock starts.
    let desired = table(n);
    let mut requests = Vec::with_capacity(n * (1 + SERVERS));
    for vs in &desired.services {
        requests.push(Request::add_service(&vs.service));
        for s in &vs.servers {
            requests.push(Request::add_server(&vs.service.key, s));
        }
    }
    let mut seq = 1u32;
    let batches: Vec<(Vec<u8>, usize)> = requests
        .chunks(batch)
        .map(|chunk| {
            let mut out = Vec::new();
            for r in chunk {
                seq += 1;
                r.encode_into(&mut out, family, seq);
            }
            (out, chunk.len())
        })
        .collect();

    let started = Instant::now();
    for (batch, count) in &batches {
        socket.send(batch, Msg::empty()).map_err(io("send"))?;
        let mut acked = 0;
        while acked < *count {
            let (len, _) = socket
                .recv(&mut buf[..], Msg::empty())
                .map_err(io("recv"))?;
            for reply in Replies::new(&buf[..len]) {
                match reply.map_err(|e| e.to_string())? {
                    Reply::Ack { .. } => acked += 1,
                    Reply::Error { errno, seq, .. } => {
                        return Err(format!("request {seq} failed: errno {errno}"))
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(started.elapsed().as_secs_f64())
}
