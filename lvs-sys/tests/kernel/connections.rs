//! The connection table with live connections: a NAT and a DR service, TCP and UDP, a
//! persistent service's template; read by lvs from outside the director's namespace and
//! compared with `ipvsadm -L -n -c` run inside it, entry by entry and (lvsctl) byte for byte.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use lvs_core::listing::{write_connection, ConnectionColumns, ConnectionFilter, ConnectionOrigin};
use lvs_core::{ForwardMethod, Ipvs, RealServer, Scheduler, Service, ServiceKey};

use crate::support::{lvsctl, require_ipvs_kernel, run_ok, Netns};

/// Servers that keep every TCP connection open (echoing what they read) and echo UDP
/// datagrams, on the ports given, on every address.
const SERVERS: &str = r#"
import socket, sys, threading
def tcp(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=lambda c=c: [c.sendall(d) for d in iter(lambda: c.recv(100), b"")], daemon=True).start()
def udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    while True:
        d, a = s.recvfrom(100)
        s.sendto(d, a)
tcp_port, udp_port = int(sys.argv[1]), int(sys.argv[2])
threading.Thread(target=tcp, args=(tcp_port,), daemon=True).start()
threading.Thread(target=udp, args=(udp_port,), daemon=True).start()
print("listening", flush=True)
sys.stdin.read()
"#;

/// A client that opens `N` TCP connections and sends `N` UDP datagrams (each from its own
/// socket) to each VIP:port given, checks every answer, says "ready" and keeps the
/// connections open until its stdin closes.
const CLIENT: &str = r#"
import socket, sys, time
n = int(sys.argv[1])
keep = []
for target in sys.argv[2:]:
    kind, addr, port = target.split(":")
    for _ in range(n):
        if kind == "tcp":
            deadline = time.time() + 30
            while True:
                try:
                    c = socket.create_connection((addr, int(port)), timeout=5)
                    break
                except OSError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.2)
            c.sendall(b"ping")
            assert c.recv(100) == b"ping"
        else:
            c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            c.settimeout(5)
            c.sendto(b"ping", (addr, int(port)))
            assert c.recv(100) == b"ping"
        keep.append(c)
print("ready", flush=True)
sys.stdin.read()
"#;

const PER_TARGET: usize = 3;

fn ip(ns: &Netns, args: &[&str]) {
    run_ok(Command::new("ip").arg("-n").arg(ns.name()).args(args));
}

fn sysctl(ns: &Netns, settings: &[&str]) {
    run_ok(ns.command("sysctl").arg("-q").arg("-w").args(settings));
}

/// A veth from `a` (named `a_name`, address `a_addr` or none) to `b`.
fn wire(a: &Netns, a_name: &str, a_addr: Option<&str>, b: &Netns, b_name: &str, b_addr: &str) {
    ip(
        a,
        &[
            "link",
            "add",
            a_name,
            "type",
            "veth",
            "peer",
            "name",
            b_name,
            "netns",
            b.name(),
        ],
    );
    if let Some(addr) = a_addr {
        ip(a, &["addr", "add", addr, "dev", a_name]);
    }
    ip(a, &["link", "set", a_name, "up"]);
    ip(b, &["addr", "add", b_addr, "dev", b_name]);
    ip(b, &["link", "set", b_name, "up"]);
}

/// Starts a Python program in `ns` and waits until it prints `word`.
fn start(ns: &Netns, program: &str, args: &[String], word: &str) -> Child {
    let mut child = ns
        .command("python3")
        .arg("-c")
        .arg(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start python3");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), word, "{program}");
    child
}

/// Stops a program started by [`start`] (closing its stdin ends it).
fn stop(mut child: Child) {
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
}

/// A connection listing line without its `expire` column, which ticks between two reads.
fn without_expiry(line: &str) -> Vec<String> {
    line.split_whitespace()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, w)| w.to_owned())
        .collect()
}

#[test]
fn live_nat_and_dr_connections_read_from_outside_equal_ipvsadm_entry_by_entry() {
    require_ipvs_kernel();
    // A LAN (a bridge in "sw") joins the client, the director and the DR real server; the
    // NAT real server sits behind the director on a link of its own, routing through it.
    let sw = Netns::new("conn-sw");
    let client = Netns::new("conn-client");
    let director = Netns::new("conn-dir");
    let dr_server = Netns::new("conn-dr");
    let nat_server = Netns::new("conn-nat");
    ip(&sw, &["link", "add", "br0", "type", "bridge"]);
    ip(&sw, &["link", "set", "br0", "up"]);
    for (port, host, addr) in [
        ("p-client", &client, "198.51.100.2/24"),
        ("p-dir", &director, "198.51.100.1/24"),
        ("p-dr", &dr_server, "198.51.100.11/24"),
    ] {
        wire(&sw, port, None, host, "eth0", addr);
        ip(&sw, &["link", "set", port, "master", "br0"]);
    }
    ip(
        &director,
        &["addr", "add", "198.51.100.10/32", "dev", "eth0"],
    );
    ip(
        &director,
        &["addr", "add", "198.51.100.20/32", "dev", "eth0"],
    );
    wire(
        &director,
        "n0",
        Some("203.0.113.1/24"),
        &nat_server,
        "eth0",
        "203.0.113.12/24",
    );
    ip(
        &nat_server,
        &["route", "add", "default", "via", "203.0.113.1"],
    );
    sysctl(&director, &["net.ipv4.ip_forward=1"]);
    // The DR real server holds the VIP without answering ARP for it.
    sysctl(
        &dr_server,
        &[
            "net.ipv4.conf.all.arp_ignore=1",
            "net.ipv4.conf.all.arp_announce=2",
            "net.ipv4.conf.eth0.arp_ignore=1",
            "net.ipv4.conf.eth0.arp_announce=2",
        ],
    );
    ip(
        &dr_server,
        &["addr", "add", "198.51.100.10/32", "dev", "lo"],
    );

    // Opened from this (the guest's first) namespace: the director's table is not ours.
    let ipvs = director.lvs();
    let dr_tcp = ServiceKey::tcp("198.51.100.10:80".parse().unwrap());
    let dr_udp = ServiceKey::udp("198.51.100.10:53".parse().unwrap());
    let nat_tcp = ServiceKey::tcp("198.51.100.20:8080".parse().unwrap());
    let nat_udp = ServiceKey::udp("198.51.100.20:5353".parse().unwrap());
    // The DR TCP service is persistent: its template (client port 0) joins the table.
    ipvs.add_service(
        &Service::new(dr_tcp)
            .with_scheduler(Scheduler::Rr)
            .persistent(300),
    )
    .unwrap();
    for key in [dr_udp, nat_tcp, nat_udp] {
        ipvs.add_service(&Service::new(key).with_scheduler(Scheduler::Rr))
            .unwrap();
    }
    for (key, addr, forward) in [
        (dr_tcp, "198.51.100.11:80", ForwardMethod::DirectRoute),
        (dr_udp, "198.51.100.11:53", ForwardMethod::DirectRoute),
        (nat_tcp, "203.0.113.12:8080", ForwardMethod::Masquerade),
        (nat_udp, "203.0.113.12:5353", ForwardMethod::Masquerade),
    ] {
        let server = RealServer::new(addr.parse().unwrap()).with_forward(forward);
        ipvs.add_server(&key, &server).unwrap();
    }

    let dr_servers = start(
        &dr_server,
        SERVERS,
        &["80".into(), "53".into()],
        "listening",
    );
    let nat_servers = start(
        &nat_server,
        SERVERS,
        &["8080".into(), "5353".into()],
        "listening",
    );
    let targets = [
        "tcp:198.51.100.10:80",
        "udp:198.51.100.10:53",
        "tcp:198.51.100.20:8080",
        "udp:198.51.100.20:5353",
    ];
    let mut args = vec![PER_TARGET.to_string()];
    args.extend(targets.iter().map(|t| t.to_string()));
    let clients = start(&client, CLIENT, &args, "ready");

    let check = || {
        let entries = ipvs.connections(&ConnectionFilter::all()).unwrap();
        // Three connections per target, and the one template of the persistent service.
        assert_eq!(entries.len(), 4 * PER_TARGET + 1, "{entries:#?}");
        let templates: Vec<_> = entries.iter().filter(|c| c.is_template()).collect();
        assert_eq!(templates.len(), 1, "{entries:#?}");
        assert_eq!(
            templates[0].virtual_addr,
            "198.51.100.10:80".parse().unwrap()
        );
        assert_eq!(templates[0].client, "198.51.100.2:0".parse().unwrap());
        for key in [dr_tcp, dr_udp, nat_tcp, nat_udp] {
            let of_service = ipvs
                .connections(&ConnectionFilter::service(&key).templates(false))
                .unwrap();
            assert_eq!(of_service.len(), PER_TARGET, "{key}: {entries:#?}");
        }
        let to_nat = ipvs
            .connections(&ConnectionFilter::all().to_server("203.0.113.12:0".parse().unwrap()))
            .unwrap();
        assert_eq!(to_nat.len(), 2 * PER_TARGET);
        // The origin file has the same entries, each made here.
        let with_origin = ipvs
            .connections(&ConnectionFilter::all().with_origin())
            .unwrap();
        assert_eq!(with_origin.len(), entries.len());
        assert!(with_origin
            .iter()
            .all(|c| c.origin == Some(ConnectionOrigin::Local)));

        // Entry by entry, as ipvsadm lists them (both read the same file, in its order).
        let listed = director.ipvsadm(&["-L", "-n", "-c"]);
        let theirs: Vec<Vec<String>> = listed.lines().skip(2).map(without_expiry).collect();
        let ours: Vec<Vec<String>> = entries
            .iter()
            .map(|c| {
                let mut line = String::new();
                write_connection(&mut line, c, ConnectionColumns::Standard);
                without_expiry(&line)
            })
            .collect();
        assert_eq!(ours, theirs, "ipvsadm -Lnc:\n{listed}");
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check();
        // lvsctl's text byte for byte, but for the expiry: it counts down each second and
        // starting a process takes seconds under emulation, so the two reads never share
        // one. The `MM:SS` column (a fixed 6 characters at offset 4) is compared apart:
        // ipvsadm, run second, sees each entry at most a few seconds older.
        let ours = run_ok(Command::new(lvsctl()).args([
            "--netns",
            &director.path(),
            "list",
            "--connections",
        ]));
        let theirs = director.ipvsadm(&["-L", "-n", "-c"]);
        let ours = String::from_utf8(ours.stdout).unwrap();
        let (our_lines, their_lines): (Vec<_>, Vec<_>) =
            (ours.lines().collect(), theirs.lines().collect());
        assert_eq!(
            our_lines.len(),
            their_lines.len(),
            "lvsctl:\n{ours}\nipvsadm:\n{theirs}"
        );
        assert_eq!(our_lines[..2], their_lines[..2], "title and header");
        for (o, t) in our_lines[2..].iter().zip(&their_lines[2..]) {
            let (o_expiry, t_expiry) = (expiry_of(o), expiry_of(t));
            assert_eq!(
                (&o[..4], &o[10..]),
                (&t[..4], &t[10..]),
                "lvsctl:\n{ours}\nipvsadm:\n{theirs}"
            );
            assert!(
                (0..=20).contains(&(o_expiry - t_expiry)),
                "expiry {o:?} then {t:?}"
            );
        }
        assert!(ours.ends_with('\n') && theirs.ends_with('\n'));
        drain_reports_connections(&director);
        let json = run_ok(Command::new(lvsctl()).args([
            "--netns",
            &director.path(),
            "list",
            "--connections",
            "--json",
        ]));
        let count = run_ok(
            Command::new("python3")
                .args([
                    "-c",
                    "import json,sys; e=json.load(sys.stdin); \
                     assert all(set(x)=={'protocol','client','virtual','destination','state','expires','template','pe_name','pe_data','origin'} for x in e); \
                     print(len(e), sum(x['template'] for x in e))",
                ])
                .stdin(Stdio::from(tempfile_with(&json.stdout))),
        );
        assert_eq!(
            String::from_utf8(count.stdout).unwrap().trim(),
            format!("{} 1", 4 * PER_TARGET + 1)
        );
    }));
    stop(clients);
    stop(dr_servers);
    stop(nat_servers);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// `lvsctl apply --drain` of the table without the NAT TCP server: the server goes to
/// weight 0 and stays (it has open connections), and lvsctl says what holds it, from the
/// kernel's counters and the connection table.
fn drain_reports_connections(director: &Netns) {
    let saved = run_ok(Command::new(lvsctl()).args(["--netns", &director.path(), "save"]));
    let saved = String::from_utf8(saved.stdout).unwrap();
    let without: String = saved
        .lines()
        .filter(|l| {
            !(l.starts_with("-a -t 198.51.100.20:8080 ") && l.contains("203.0.113.12:8080"))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(without, saved, "{saved}");
    let path = std::env::temp_dir().join(format!("lvs-drain-{}.rules", std::process::id()));
    std::fs::write(&path, &without).unwrap();
    let out = run_ok(Command::new(lvsctl()).args([
        "--netns",
        &director.path(),
        "apply",
        path.to_str().unwrap(),
        "--drain",
    ]));
    std::fs::remove_file(&path).unwrap();
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(
        said.contains(&format!(
            "-> 203.0.113.12:8080: weight 1 (the plan sets 0), {PER_TARGET} active, 0 inactive, 0 persistent; \
             {PER_TARGET} connection entries, 0 templates"
        )),
        "{said}"
    );
    let servers = director
        .lvs()
        .servers(&ServiceKey::tcp("198.51.100.20:8080".parse().unwrap()))
        .unwrap();
    assert_eq!(servers.len(), 1, "the draining server stays");
    assert_eq!(servers[0].server.weight, 0);
}

/// The seconds of a listing line's `MM:SS` expiry column.
fn expiry_of(line: &str) -> i64 {
    let (minutes, seconds) = line[4..10].trim().split_once(':').unwrap();
    minutes.parse::<i64>().unwrap() * 60 + seconds.parse::<i64>().unwrap()
}

/// A file holding `bytes`, open for reading (already unlinked).
fn tempfile_with(bytes: &[u8]) -> std::fs::File {
    use std::io::{Seek, Write};
    let path = std::env::temp_dir().join(format!("lvs-conn-json-{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    file.write_all(bytes).unwrap();
    file.rewind().unwrap();
    file
}

#[test]
fn a_namespace_without_connections_reads_empty_and_memory_ipvs_is_always_empty() {
    require_ipvs_kernel();
    let ns = Netns::new("conn-empty");
    let ipvs = ns.lvs();
    assert_eq!(ipvs.connections(&ConnectionFilter::all()).unwrap(), []);
    let listed = run_ok(Command::new(lvsctl()).args(["--netns", &ns.path(), "list", "-c"]));
    assert_eq!(
        String::from_utf8(listed.stdout).unwrap(),
        ns.ipvsadm(&["-L", "-n", "-c"])
    );
    let memory = lvs_core::MemoryIpvs::new();
    assert_eq!(memory.connections(&ConnectionFilter::all()).unwrap(), []);
}
