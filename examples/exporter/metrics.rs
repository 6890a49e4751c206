//! The Prometheus text exposition format (version 0.0.4) of IPVS tables: pure, it takes
//! service and real-server entries and writes text, so that host tests can check it
//! byte for byte.
//!
//! The format wants every sample of a metric grouped under that metric's one `# HELP` and
//! `# TYPE`, while a scrape reads the tables one service at a time (and one namespace after
//! another). So [`Exposition`] keeps each metric's samples as the services arrive, the
//! entries themselves not kept, and writes the text at the end. A sample is kept as its
//! value and the number of its label set, written once per service or real server and
//! shared by that one's metrics: a scrape of 30,000 services with 4 real servers each is
//! 284 MB of text, which is never held: it is written to the client as it is made, after
//! a `Content-Length` that [`Exposition::len`] counts exactly.

use std::fmt;
use std::io;
use std::time::Duration;

use lvs_core::{KernelInfo, RealServerEntry, ServiceEntry, Stats};

/// How Prometheus is to read a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
        }
    }
}

/// Reads one of the counters or rates.
type StatsField = fn(&Stats) -> u64;
/// Reads one of a real server's own values.
type ServerField = fn(&RealServerEntry) -> u64;

/// The kernel's 64-bit counters and rates, the same for services and real servers: the
/// name after the `lvs_service_` or `lvs_real_server_` prefix, the help after "Service's"
/// or "Real server's", the kind, and the field.
const STATS: [(&str, &str, Kind, StatsField); 10] = [
    (
        "connections_total",
        "connections scheduled",
        Kind::Counter,
        |s| s.conns,
    ),
    (
        "in_packets_total",
        "packets in (client to server)",
        Kind::Counter,
        |s| s.in_packets,
    ),
    (
        "out_packets_total",
        "packets out (server to client; 0 for DR and TUN)",
        Kind::Counter,
        |s| s.out_packets,
    ),
    (
        "in_bytes_total",
        "bytes in (client to server)",
        Kind::Counter,
        |s| s.in_bytes,
    ),
    (
        "out_bytes_total",
        "bytes out (server to client; 0 for DR and TUN)",
        Kind::Counter,
        |s| s.out_bytes,
    ),
    (
        "connections_per_second",
        "connections per second (kernel estimator, 2 s period)",
        Kind::Gauge,
        |s| s.cps,
    ),
    (
        "in_packets_per_second",
        "packets in per second (kernel estimator)",
        Kind::Gauge,
        |s| s.in_pps,
    ),
    (
        "out_packets_per_second",
        "packets out per second (kernel estimator)",
        Kind::Gauge,
        |s| s.out_pps,
    ),
    (
        "in_bytes_per_second",
        "bytes in per second (kernel estimator)",
        Kind::Gauge,
        |s| s.in_bps,
    ),
    (
        "out_bytes_per_second",
        "bytes out per second (kernel estimator)",
        Kind::Gauge,
        |s| s.out_bps,
    ),
];

/// What only real servers have: name after `lvs_real_server_`, help, and the field.
const SERVER_GAUGES: [(&str, &str, ServerField); 6] = [
    (
        "active_connections",
        "Real server's connections in an active state (TCP: ESTABLISHED)",
        |r| u64::from(r.active_conns),
    ),
    (
        "inactive_connections",
        "Real server's connections in other states",
        |r| u64::from(r.inactive_conns),
    ),
    (
        "persistent_connections",
        "Persistence templates pointing at the real server",
        |r| u64::from(r.persistent_conns),
    ),
    (
        "weight",
        "Real server's weight (0: quiescent, takes no new connections)",
        |r| u64::from(r.server.weight),
    ),
    (
        "upper_threshold",
        "Real server's upper connection threshold (0: none)",
        |r| u64::from(r.server.upper_threshold),
    ),
    (
        "lower_threshold",
        "Real server's lower connection threshold",
        |r| u64::from(r.server.lower_threshold),
    ),
];

/// The per-namespace metrics, in the order of [`Exposition::namespace`]'s values.
const NAMESPACE_GAUGES: [(&str, &str); 4] = [
    (
        "lvs_up",
        "1 if the namespace's IPVS table was read in this scrape, 0 if not",
    ),
    (
        "lvs_scrape_duration_seconds",
        "How long reading the namespace's IPVS table took",
    ),
    ("lvs_services", "Virtual services in the namespace"),
    (
        "lvs_real_servers",
        "Real servers in the namespace, over all its services",
    ),
];

/// One metric: its name, its header and the samples written so far.
#[derive(Debug)]
struct Metric {
    name: String,
    header: String,
    /// Each sample's label set (by its number in [`Exposition::labels`]) and value.
    samples: Vec<(u32, Value)>,
}

/// A sample's value.
#[derive(Debug, Clone, Copy)]
enum Value {
    Integer(u64),
    Seconds(f64),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Integer(v) => write!(f, "{v}"),
            Value::Seconds(v) => write!(f, "{v}"),
        }
    }
}

impl Value {
    /// How many bytes the value takes in the text.
    fn len(self) -> usize {
        match self {
            Value::Integer(v) => v.checked_ilog10().map_or(1, |digits| digits as usize + 1),
            // One per namespace and scrape: not worth counting without writing.
            Value::Seconds(v) => v.to_string().len(),
        }
    }
}

impl Metric {
    fn new(name: &str, help: &str, kind: Kind) -> Metric {
        let header = format!(
            "# HELP {name} {}\n# TYPE {name} {}\n",
            escape_help(help),
            kind.name()
        );
        Metric {
            name: name.to_owned(),
            header,
            samples: Vec::new(),
        }
    }

    /// Adds the sample `name{labels} value`, the label set by its number.
    fn sample(&mut self, labels: u32, value: Value) {
        self.samples.push((labels, value));
    }
}

/// Where a scrape's text stood, to take back what a namespace whose read failed half way
/// had written ([`Exposition::rollback`]).
#[derive(Debug, Clone)]
pub struct Mark {
    samples: Vec<usize>,
    labels: usize,
}

/// A scrape's text being written: one buffer per metric, in a fixed order.
#[derive(Debug)]
pub struct Exposition {
    /// `lvs_kernel_info` and `lvs_connection_table_size`.
    kernel: [Metric; 2],
    /// [`NAMESPACE_GAUGES`].
    namespace: [Metric; 4],
    /// `lvs_service_` and [`STATS`].
    service: Vec<Metric>,
    /// `lvs_real_server_` and [`STATS`], then [`SERVER_GAUGES`].
    server: Vec<Metric>,
    /// Every label set written by [`label_set`], numbered by position.
    labels: Vec<String>,
}

impl Default for Exposition {
    fn default() -> Exposition {
        Exposition::new()
    }
}

impl Exposition {
    /// An exposition with no samples yet.
    pub fn new() -> Exposition {
        let stats = |prefix: &str, whose: &str| -> Vec<Metric> {
            STATS
                .iter()
                .map(|(name, help, kind, _)| {
                    Metric::new(
                        &format!("{prefix}{name}"),
                        &format!("{whose} {help}"),
                        *kind,
                    )
                })
                .collect()
        };
        let mut server = stats("lvs_real_server_", "Real server's");
        server.extend(SERVER_GAUGES.iter().map(|(name, help, _)| {
            Metric::new(&format!("lvs_real_server_{name}"), help, Kind::Gauge)
        }));
        Exposition {
            kernel: [
                Metric::new(
                    "lvs_kernel_info",
                    "The kernel's IPVS version, as the label (the value is always 1)",
                    Kind::Gauge,
                ),
                Metric::new(
                    "lvs_connection_table_size",
                    "Size of the kernel's IPVS connection hash table (2^conn_tab_bits of ip_vs)",
                    Kind::Gauge,
                ),
            ],
            namespace: NAMESPACE_GAUGES.map(|(name, help)| Metric::new(name, help, Kind::Gauge)),
            service: stats("lvs_service_", "Service's"),
            server,
            labels: Vec::new(),
        }
    }

    /// Keeps a label set written by [`label_set`] and gives its number.
    fn labels(&mut self, labels: &[(&str, &str)]) -> u32 {
        // More label sets than a u32 counts would be terabytes of text.
        let number = u32::try_from(self.labels.len()).unwrap_or(u32::MAX);
        self.labels.push(label_set(labels));
        number
    }

    /// The kernel's IPVS version and connection table size, shared by every namespace:
    /// written once per scrape.
    pub fn kernel(&mut self, info: &KernelInfo) {
        let (major, minor, patch) = info.version_triple();
        let version = format!("{major}.{minor}.{patch}");
        let version = self.labels(&[("version", &version)]);
        let none = self.labels(&[]);
        let [version_metric, size_metric] = &mut self.kernel;
        version_metric.sample(version, Value::Integer(1));
        size_metric.sample(none, Value::Integer(u64::from(info.conn_table_size)));
    }

    /// A service and its real servers, read from the namespace labelled `netns`.
    pub fn service(&mut self, netns: &str, entry: &ServiceEntry, servers: &[RealServerEntry]) {
        let key = entry.service.key;
        let service = key.to_string();
        let family = key.family().to_string();
        let labels = self.labels(&[
            ("netns", netns),
            ("service", &service),
            ("family", &family),
            ("scheduler", entry.service.scheduler.name()),
        ]);
        for (metric, (_, _, _, value)) in self.service.iter_mut().zip(STATS.iter()) {
            metric.sample(labels, Value::Integer(value(&entry.stats)));
        }
        for server in servers {
            let addr = server.server.addr.to_string();
            let forward = server.server.forward.to_string();
            let labels = self.labels(&[
                ("netns", netns),
                ("service", &service),
                ("family", &family),
                ("server", &addr),
                ("forward", &forward),
            ]);
            let values = STATS
                .iter()
                .map(|(_, _, _, value)| value(&server.stats))
                .chain(SERVER_GAUGES.iter().map(|(_, _, value)| value(server)));
            for (metric, value) in self.server.iter_mut().zip(values) {
                metric.sample(labels, Value::Integer(value));
            }
        }
    }

    /// The namespace's own metrics: whether its read succeeded, how long it took, and how
    /// many services and real servers it had (0 if the read failed).
    pub fn namespace(
        &mut self,
        netns: &str,
        up: bool,
        duration: Duration,
        services: u64,
        servers: u64,
    ) {
        let labels = self.labels(&[("netns", netns)]);
        let [up_metric, duration_metric, services_metric, servers_metric] = &mut self.namespace;
        up_metric.sample(labels, Value::Integer(u64::from(up)));
        duration_metric.sample(labels, Value::Seconds(duration.as_secs_f64()));
        services_metric.sample(labels, Value::Integer(services));
        servers_metric.sample(labels, Value::Integer(servers));
    }

    /// Where the text stands now.
    pub fn mark(&self) -> Mark {
        Mark {
            samples: self.metrics().map(|m| m.samples.len()).collect(),
            labels: self.labels.len(),
        }
    }

    /// Takes back every sample written since `mark`.
    pub fn rollback(&mut self, mark: &Mark) {
        for (metric, len) in self.metrics_mut().zip(&mark.samples) {
            metric.samples.truncate(*len);
        }
        self.labels.truncate(mark.labels);
    }

    /// The scrape's text whole, as [`Exposition::write_to`] writes it (what the tests
    /// compare; the exporter writes it to the client instead).
    #[cfg(test)]
    pub fn finish(self) -> String {
        let mut text = Vec::with_capacity(self.len());
        // Writing to memory cannot fail, and every piece is UTF-8.
        let _ = self.write_to(&mut text);
        String::from_utf8(text)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// The length in bytes of the text [`Exposition::write_to`] writes.
    pub fn len(&self) -> usize {
        self.with_samples()
            .map(|m| {
                let lines: usize = m
                    .samples
                    .iter()
                    .map(|&(labels, value)| {
                        m.name.len() + self.label(labels).len() + value.len() + 2
                    })
                    .sum();
                m.header.len() + lines
            })
            .sum()
    }

    /// Writes the scrape's text to `out`, a line at a time (`out` should be buffered):
    /// each metric with samples, header first. A metric without samples (no real servers
    /// anywhere, or no kernel answer) is left out.
    pub fn write_to(&self, out: &mut impl io::Write) -> io::Result<()> {
        for metric in self.with_samples() {
            out.write_all(metric.header.as_bytes())?;
            for &(labels, value) in &metric.samples {
                writeln!(out, "{}{} {value}", metric.name, self.label(labels))?;
            }
        }
        Ok(())
    }

    fn label(&self, number: u32) -> &str {
        self.labels.get(number as usize).map_or("", String::as_str)
    }

    fn with_samples(&self) -> impl Iterator<Item = &Metric> {
        self.metrics().filter(|m| !m.samples.is_empty())
    }

    fn metrics(&self) -> impl Iterator<Item = &Metric> {
        self.kernel
            .iter()
            .chain(&self.namespace)
            .chain(&self.service)
            .chain(&self.server)
    }

    fn metrics_mut(&mut self) -> impl Iterator<Item = &mut Metric> {
        self.kernel
            .iter_mut()
            .chain(&mut self.namespace)
            .chain(&mut self.service)
            .chain(&mut self.server)
    }
}

/// `{a="x",b="y"}`, or nothing for no labels.
fn label_set(labels: &[(&str, &str)]) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let mut out = String::from("{");
    for (i, (name, value)) in labels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(name);
        out.push_str("=\"");
        out.push_str(&escape_label_value(value));
        out.push('"');
    }
    out.push('}');
    out
}

/// A label value as the format writes it: `\`, `"` and newline escaped.
pub fn escape_label_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A `# HELP` text as the format writes it: `\` and newline escaped (quotes stay).
fn escape_help(help: &str) -> String {
    help.replace('\\', "\\\\").replace('\n', "\\n")
}

/// The scrape as `/metrics` sends it: its length ahead, then the text as it is written.
impl crate::http::Content for Exposition {
    fn len(&self) -> usize {
        Exposition::len(self)
    }

    fn write_to(&self, mut out: &mut dyn io::Write) -> io::Result<()> {
        Exposition::write_to(self, &mut out)
    }
}

#[cfg(test)]
mod tests;
