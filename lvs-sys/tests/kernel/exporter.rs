//! The lvs-exporter example against live tables: run in this (the guest's) namespace with
//! `--netns` for two others, its /metrics parse as the exposition format, and the counters,
//! weights and connection counts it serves are what lvs reads around the scrape.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use lvs_core::{
    Family, ForwardMethod, Ipvs, RealServer, RealServerEntry, Scheduler, Service, ServiceEntry,
    ServiceKey,
};

use crate::support::{exporter, open_fds_of, require_ipvs_kernel, run_ok, Netns};
use crate::traffic::CLIENT_AND_SERVERS;

/// The exporter, running until dropped (killed and reaped: a failing test leaves no
/// process behind).
struct Exporter {
    child: Child,
    addr: SocketAddr,
}

impl Exporter {
    /// Starts the exporter in this namespace for the namespaces `netns`.
    fn start(netns: &[&str]) -> Exporter {
        let mut cmd = Command::new(exporter());
        for ns in netns {
            cmd.args(["--netns", ns]);
        }
        Exporter::spawn(cmd)
    }

    /// Runs `cmd` (the exporter, with its options but `--listen`) on a port the kernel
    /// picks, and learns the port from its first line.
    fn spawn(mut cmd: Command) -> Exporter {
        let mut child = cmd
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start lvs-exporter");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("lvs-exporter: serving http://")
            .and_then(|rest| rest.strip_suffix("/metrics"))
            .and_then(|addr| addr.parse().ok());
        let Some(addr) = addr else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("lvs-exporter did not say where it listens: {line:?}");
        };
        // Keep its later complaints visible in the test's output without blocking it.
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                eprintln!("{line}");
            }
        });
        Exporter { child, addr }
    }

    /// Sends `request` as is and returns the status code and body of the answer.
    fn request(&self, request: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {head:?}"));
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .and_then(|l| l.parse().ok())
            .unwrap_or_else(|| panic!("no Content-Length in {head:?}"));
        assert_eq!(length, body.len(), "{head}");
        (status, body.to_owned())
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.request(&format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n"))
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A sample's name and labels (sorted), as a key.
type SeriesKey = (String, BTreeMap<String, String>);

/// Reads an exposition (format 0.0.4) strictly: every line a `# HELP`, a `# TYPE` or a
/// sample; each metric's samples after its one TYPE and together; a value that is a
/// number. Returns the samples.
fn parse_exposition(text: &str) -> HashMap<SeriesKey, f64> {
    assert!(text.ends_with('\n'), "the text ends with a newline");
    let mut samples = HashMap::new();
    let mut typed: Vec<String> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, _help) = rest.split_once(' ').expect("HELP name text");
            assert!(valid_name(name), "{line}");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
            assert!(valid_name(name), "{line}");
            assert!(["counter", "gauge"].contains(&kind), "{line}");
            assert!(!typed.iter().any(|t| t == name), "a second TYPE: {line}");
            if kind == "counter" {
                assert!(name.ends_with("_total"), "{line}");
            }
            typed.push(name.to_owned());
            continue;
        }
        assert!(!line.starts_with('#'), "unknown comment: {line}");
        let name_end = line.find(['{', ' ']).expect("a sample has a value");
        let name = &line[..name_end];
        assert!(valid_name(name), "{line}");
        assert_eq!(
            typed.last().map(String::as_str),
            Some(name),
            "a sample under its own TYPE: {line}"
        );
        let mut rest = &line[name_end..];
        let mut labels = BTreeMap::new();
        if let Some(after) = rest.strip_prefix('{') {
            rest = after;
            loop {
                if let Some(after) = rest.strip_prefix('}') {
                    rest = after;
                    break;
                }
                let (label, after) = rest.split_once("=\"").expect("label=\"value\"");
                assert!(valid_name(label) && !label.contains(':'), "{line}");
                let mut value = String::new();
                let mut chars = after.char_indices();
                let end = loop {
                    match chars.next().expect("a closed label value") {
                        (_, '\\') => match chars.next().expect("an escape") {
                            (_, '\\') => value.push('\\'),
                            (_, '"') => value.push('"'),
                            (_, 'n') => value.push('\n'),
                            (_, c) => panic!("unknown escape \\{c} in {line}"),
                        },
                        (i, '"') => break i,
                        (_, c) => value.push(c),
                    }
                };
                assert!(labels.insert(label.to_owned(), value).is_none(), "{line}");
                rest = &after[end + 1..];
                rest = rest.strip_prefix(',').unwrap_or(rest);
            }
        }
        let value = rest.strip_prefix(' ').expect("a space before the value");
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {line}"));
        let key = (name.to_owned(), labels);
        assert!(
            samples.insert(key, value).is_none(),
            "a repeated series: {line}"
        );
    }
    samples
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// The labels the exporter gives a service of namespace `netns`.
fn service_labels(netns: &str, entry: &ServiceEntry) -> BTreeMap<String, String> {
    let key = entry.service.key;
    [
        ("netns", netns.to_owned()),
        ("service", key.to_string()),
        ("family", key.family().to_string()),
        ("scheduler", entry.service.scheduler.name().to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The labels the exporter gives a real server of a service of namespace `netns`.
fn server_labels(
    netns: &str,
    entry: &ServiceEntry,
    server: &RealServerEntry,
) -> BTreeMap<String, String> {
    let key = entry.service.key;
    [
        ("netns", netns.to_owned()),
        ("service", key.to_string()),
        ("family", key.family().to_string()),
        ("server", server.server.addr.to_string()),
        ("forward", server.server.forward.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The counters by metric-name suffix.
fn counters(stats: &lvs_core::Stats) -> [(&'static str, u64); 5] {
    [
        ("connections_total", stats.conns),
        ("in_packets_total", stats.in_packets),
        ("out_packets_total", stats.out_packets),
        ("in_bytes_total", stats.in_bytes),
        ("out_bytes_total", stats.out_bytes),
    ]
}

/// The sample of `name` with `labels`, which must be there.
fn value(samples: &HashMap<SeriesKey, f64>, name: &str, labels: &BTreeMap<String, String>) -> u64 {
    let key = (name.to_owned(), labels.clone());
    let value = samples
        .get(&key)
        .unwrap_or_else(|| panic!("no sample {name}{labels:?}"));
    assert!(
        value.fract() == 0.0 && *value >= 0.0,
        "{name}{labels:?} {value}"
    );
    *value as u64
}

/// The services and real servers of a read, found by service key and server address.
fn by_key(
    table: &[(ServiceEntry, Vec<RealServerEntry>)],
) -> HashMap<ServiceKey, (&ServiceEntry, HashMap<SocketAddr, &RealServerEntry>)> {
    table
        .iter()
        .map(|(service, servers)| {
            let servers = servers.iter().map(|s| (s.server.addr, s)).collect();
            (service.service.key, (service, servers))
        })
        .collect()
}

/// Every counter, weight and connection count of every service and real server of
/// `table` (read after the scrape) is in `samples` labelled `netns`, between what
/// `before` (read before) and `table` say.
fn check_namespace(
    samples: &HashMap<SeriesKey, f64>,
    netns: &str,
    before: &[(ServiceEntry, Vec<RealServerEntry>)],
    after: &[(ServiceEntry, Vec<RealServerEntry>)],
) {
    let before = by_key(before);
    let ns = [("netns".to_owned(), netns.to_owned())]
        .into_iter()
        .collect();
    assert_eq!(value(samples, "lvs_up", &ns), 1);
    assert_eq!(value(samples, "lvs_services", &ns), after.len() as u64);
    let servers: usize = after.iter().map(|(_, s)| s.len()).sum();
    assert_eq!(value(samples, "lvs_real_servers", &ns), servers as u64);
    for (service, servers) in after {
        let (earlier, earlier_servers) = &before[&service.service.key];
        let labels = service_labels(netns, service);
        for ((suffix, low), (_, high)) in counters(&earlier.stats)
            .into_iter()
            .zip(counters(&service.stats))
        {
            let scraped = value(samples, &format!("lvs_service_{suffix}"), &labels);
            assert!(
                low <= scraped && scraped <= high,
                "lvs_service_{suffix}{labels:?}: {low} <= {scraped} <= {high}"
            );
        }
        value(samples, "lvs_service_connections_per_second", &labels);
        for server in servers {
            let earlier = earlier_servers[&server.server.addr];
            let labels = server_labels(netns, service, server);
            for ((suffix, low), (_, high)) in counters(&earlier.stats)
                .into_iter()
                .zip(counters(&server.stats))
            {
                let scraped = value(samples, &format!("lvs_real_server_{suffix}"), &labels);
                assert!(
                    low <= scraped && scraped <= high,
                    "lvs_real_server_{suffix}{labels:?}: {low} <= {scraped} <= {high}"
                );
            }
            let gauges = [
                ("weight", server.server.weight, earlier.server.weight),
                (
                    "upper_threshold",
                    server.server.upper_threshold,
                    earlier.server.upper_threshold,
                ),
                (
                    "lower_threshold",
                    server.server.lower_threshold,
                    earlier.server.lower_threshold,
                ),
                (
                    "active_connections",
                    server.active_conns,
                    earlier.active_conns,
                ),
                (
                    "inactive_connections",
                    server.inactive_conns,
                    earlier.inactive_conns,
                ),
                (
                    "persistent_connections",
                    server.persistent_conns,
                    earlier.persistent_conns,
                ),
            ];
            for (suffix, now, then) in gauges {
                // Connections may end (or time out) between the reads: the scrape saw one
                // of the counts in between.
                let scraped = value(samples, &format!("lvs_real_server_{suffix}"), &labels);
                let (low, high) = (now.min(then), now.max(then));
                assert!(
                    u64::from(low) <= scraped && scraped <= u64::from(high),
                    "lvs_real_server_{suffix}{labels:?}: {low} <= {scraped} <= {high}"
                );
            }
        }
    }
}

#[test]
fn metrics_match_the_tables_of_two_namespaces_after_real_traffic() {
    require_ipvs_kernel();
    // The director, with a NAT service that gets traffic, a UDP service with thresholds
    // and a firewall-mark service.
    let director = Netns::new("exporter");
    run_ok(Command::new("ip").args([
        "-n",
        director.name(),
        "addr",
        "add",
        "192.0.2.1/32",
        "dev",
        "lo",
    ]));
    let ipvs = director.lvs();
    let web = ServiceKey::tcp("192.0.2.1:80".parse().unwrap());
    ipvs.add_service(&Service::new(web).with_scheduler(Scheduler::Rr))
        .unwrap();
    for (port, weight) in [(8081, 1), (8082, 3)] {
        let server = RealServer::new(format!("192.0.2.1:{port}").parse().unwrap())
            .with_forward(ForwardMethod::Masquerade)
            .with_weight(weight);
        ipvs.add_server(&web, &server).unwrap();
    }
    let dns = ServiceKey::udp("192.0.2.1:53".parse().unwrap());
    ipvs.add_service(&Service::new(dns)).unwrap();
    ipvs.add_server(
        &dns,
        &RealServer::new("192.0.2.7:53".parse().unwrap())
            .with_weight(2)
            .with_thresholds(100, 20),
    )
    .unwrap();
    let mark = ServiceKey::fwmark(7, Family::Ipv4);
    ipvs.add_service(&Service::new(mark).with_scheduler(Scheduler::Sh))
        .unwrap();
    ipvs.add_server(&mark, &RealServer::new("192.0.2.8:0".parse().unwrap()))
        .unwrap();
    // A second namespace, to show with its own label.
    let other = Netns::new("exporter2");
    let other_ipvs = other.lvs();
    let other_key = ServiceKey::tcp("198.51.100.1:443".parse().unwrap());
    other_ipvs.add_service(&Service::new(other_key)).unwrap();

    // Traffic through the NAT service (the script's servers answer on 8081 and 8082).
    let out = run_ok(
        director
            .command("python3")
            .args(["-c", CLIENT_AND_SERVERS, "6"]),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .count(),
        6
    );

    // The kernel adds its per-CPU counters into what it reports every 2 s (see traffic.rs):
    // wait until the connections show, so that the scrape has traffic to report.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while ipvs.service(&web).unwrap().stats.conns < 6 {
        assert!(
            std::time::Instant::now() < deadline,
            "no connections counted"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // Given by name (found under /run/netns) and by path.
    let other_path = other.path();
    let served = Exporter::start(&[director.name(), &other_path]);
    let before = ipvs.table_with_stats().unwrap();
    let other_before = other_ipvs.table_with_stats().unwrap();
    let (status, text) = served.get("/metrics");
    let after = ipvs.table_with_stats().unwrap();
    let other_after = other_ipvs.table_with_stats().unwrap();
    assert_eq!(status, 200, "{text}");
    let samples = parse_exposition(&text);

    check_namespace(&samples, director.name(), &before, &after);
    check_namespace(&samples, &other_path, &other_before, &other_after);
    assert_eq!(after.len(), 3);
    assert_eq!(other_after.len(), 1);
    // The traffic is there: the six connections, three to each server (rr).
    let (web_entry, web_servers) = after.iter().find(|(s, _)| s.service.key == web).unwrap();
    let web_labels = service_labels(director.name(), web_entry);
    assert_eq!(
        value(&samples, "lvs_service_connections_total", &web_labels),
        6
    );
    for server in web_servers {
        let labels = server_labels(director.name(), web_entry, server);
        assert_eq!(
            value(&samples, "lvs_real_server_connections_total", &labels),
            3
        );
        assert!(value(&samples, "lvs_real_server_in_bytes_total", &labels) > 0);
    }

    let info = ipvs.info().unwrap();
    let (major, minor, patch) = info.version_triple();
    let version = [("version".to_owned(), format!("{major}.{minor}.{patch}"))]
        .into_iter()
        .collect();
    assert_eq!(value(&samples, "lvs_kernel_info", &version), 1);
    assert_eq!(
        value(&samples, "lvs_connection_table_size", &BTreeMap::new()),
        u64::from(info.conn_table_size)
    );
    // Nothing but the two namespaces, no namespace without a label.
    for (name, labels) in samples.keys() {
        if name.starts_with("lvs_service_") || name.starts_with("lvs_real_server") {
            let netns = labels.get("netns").map(String::as_str);
            assert!(
                netns == Some(director.name()) || netns == Some(other_path.as_str()),
                "{name}{labels:?}"
            );
        }
    }

    // Without --netns, inside the director's namespace: the exporter's own namespace,
    // labelled "" (scraped from inside it too, where its 127.0.0.1 is).
    let own = Exporter::spawn(director.command(&exporter().to_string_lossy()));
    let out = run_ok(director.command("python3").args([
        "-c",
        "import sys, urllib.request\n\
         print(urllib.request.urlopen(sys.argv[1], timeout=30).read().decode(), end='')",
        &format!("http://{}/metrics", own.addr),
    ]));
    let own_samples = parse_exposition(&String::from_utf8(out.stdout).unwrap());
    let own_label = [("netns".to_owned(), String::new())].into_iter().collect();
    assert_eq!(value(&own_samples, "lvs_up", &own_label), 1);
    assert_eq!(value(&own_samples, "lvs_services", &own_label), 3);
    assert_eq!(
        value(
            &own_samples,
            "lvs_service_connections_total",
            &service_labels("", web_entry)
        ),
        6
    );
    drop(own);

    // Other paths and methods, and garbage; then the exporter still serves, with no
    // descriptor more than before.
    let fds = open_fds_of(served.child.id());
    assert_eq!(served.get("/nothing").0, 404);
    assert_eq!(served.get("/").0, 200);
    assert_eq!(
        served
            .request("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
            .0,
        405
    );
    assert_eq!(served.request("\u{1}\u{2}\r\n\r\n").0, 400);
    for _ in 0..5 {
        assert_eq!(served.get("/metrics").0, 200);
    }
    assert_eq!(open_fds_of(served.child.id()), fds);

    // A namespace deleted: its handle would keep it alive and readable, but the exporter
    // sees the file gone and says lvs_up 0 (the other namespace is still read).
    drop(other_ipvs);
    drop(other);
    let (status, text) = served.get("/metrics");
    assert_eq!(status, 200, "{text}");
    let samples = parse_exposition(&text);
    let label = |netns: &str| {
        [("netns".to_owned(), netns.to_owned())]
            .into_iter()
            .collect()
    };
    assert_eq!(value(&samples, "lvs_up", &label(&other_path)), 0);
    assert_eq!(value(&samples, "lvs_services", &label(&other_path)), 0);
    assert_eq!(value(&samples, "lvs_up", &label(director.name())), 1);
    assert!(!text.contains("service=\"TCP 198.51.100.1:443\""), "{text}");
}
