//! Counters after real connections through a virtual service: what lvs reads equals what
//! the connections were, and lvs's `--stats` listing equals `ipvsadm -Ln --stats`.

use lvs_core::listing::{format_table, ListFormat, ListOptions};
use lvs_core::{ForwardMethod, Ipvs, RealServer, Scheduler, Service, ServiceKey};

use crate::support::{require_ipvs_kernel, run_ok, Netns};

/// Two TCP servers on the VIP's host (ports 8081 and 8082) answering with their port, and
/// a client making `CONNECTIONS` connections to the VIP, printing the port of each answer.
/// (The exporter's test passes traffic with it too.)
pub const CLIENT_AND_SERVERS: &str = r#"
import socket, sys, threading
def serve(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("192.0.2.1", port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        c.recv(100)
        c.sendall(str(port).encode())
        c.close()
for port in (8081, 8082):
    threading.Thread(target=serve, args=(port,), daemon=True).start()
import time
for _ in range(100):
    try:
        socket.create_connection(("192.0.2.1", 8081), timeout=1).close()
        break
    except OSError:
        time.sleep(0.05)
answers = []
for _ in range(int(sys.argv[1])):
    c = socket.create_connection(("192.0.2.1", 80), timeout=5)
    c.sendall(b"hello")
    answers.append(c.recv(100).decode())
    c.close()
print(" ".join(answers))
"#;

const CONNECTIONS: u64 = 10;

#[test]
fn counters_after_real_traffic_match_the_connections_and_ipvsadm() {
    require_ipvs_kernel();
    let ns = Netns::new("traffic");
    run_ok(std::process::Command::new("ip").args([
        "-n",
        ns.name(),
        "addr",
        "add",
        "192.0.2.1/32",
        "dev",
        "lo",
    ]));
    let ipvs = ns.lvs();
    let key = ServiceKey::tcp("192.0.2.1:80".parse().unwrap());
    ipvs.add_service(&Service::new(key).with_scheduler(Scheduler::Rr))
        .unwrap();
    for port in [8081, 8082] {
        let server = RealServer::new(format!("192.0.2.1:{port}").parse().unwrap())
            .with_forward(ForwardMethod::Masquerade);
        ipvs.add_server(&key, &server).unwrap();
    }
    // The warm-up connection in the script goes to 8081 directly, not through the VIP.
    let out =
        run_ok(
            ns.command("python3")
                .args(["-c", CLIENT_AND_SERVERS, &CONNECTIONS.to_string()]),
        );
    let answers = String::from_utf8(out.stdout).unwrap();
    let answers: Vec<&str> = answers.split_whitespace().collect();
    assert_eq!(answers.len() as u64, CONNECTIONS, "{answers:?}");
    assert!(
        answers.windows(2).all(|w| w[0] != w[1]),
        "rr must alternate: {answers:?}"
    );

    // The kernel sums its per-CPU counters into what it reports from the rate estimator,
    // every 2 s: wait until the connections show, then until two reads a period apart agree
    // (on the counters: the rates keep decaying for a while).
    let read = || ipvs.table_with_stats().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut table = read();
    while table[0].0.stats.conns < CONNECTIONS && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
        table = read();
    }
    loop {
        std::thread::sleep(std::time::Duration::from_millis(2500));
        let again = read();
        if counters(&again) == counters(&table) || std::time::Instant::now() > deadline {
            break;
        }
        table = again;
    }
    let (service, servers) = &table[0];
    assert_eq!(service.stats.conns, CONNECTIONS);
    // Each connection is at least SYN, data, FIN in and SYN-ACK, data, FIN out.
    assert!(
        service.stats.in_packets >= 3 * CONNECTIONS,
        "{:?}",
        service.stats
    );
    assert!(
        service.stats.out_packets >= 3 * CONNECTIONS,
        "{:?}",
        service.stats
    );
    assert!(service.stats.in_bytes > 0 && service.stats.out_bytes > 0);
    for server in servers {
        assert_eq!(server.stats.conns, CONNECTIONS / 2, "{server:?}");
    }
    let summed: u64 = servers.iter().map(|s| s.stats.in_packets).sum();
    assert_eq!(summed, service.stats.in_packets);

    let info = ipvs.info().unwrap();
    for (args, options) in [
        (
            &["-Ln", "--stats"][..],
            ListOptions::new().with_format(ListFormat::Stats),
        ),
        (
            &["-Ln", "--stats", "--exact"][..],
            ListOptions::new().with_format(ListFormat::Stats).exact(),
        ),
    ] {
        assert_eq!(
            format_table(&info, &table, &options),
            ns.ipvsadm(args),
            "ipvsadm {args:?}"
        );
    }
}

/// The totals of every service and real server, without the rates.
fn counters(table: &[(lvs_core::ServiceEntry, Vec<lvs_core::RealServerEntry>)]) -> Vec<[u64; 5]> {
    let totals = |s: &lvs_core::Stats| {
        [
            s.conns,
            s.in_packets,
            s.out_packets,
            s.in_bytes,
            s.out_bytes,
        ]
    };
    table
        .iter()
        .flat_map(|(service, servers)| {
            std::iter::once(totals(&service.stats)).chain(servers.iter().map(|s| totals(&s.stats)))
        })
        .collect()
}
