//! lvs-exporter: serves the IPVS tables of one or more network namespaces as Prometheus
//! metrics: the kernel's 64-bit counters and rates per virtual service and per real
//! server, which node_exporter's IPVS collector (reading the aggregate /proc files) does
//! not give.
//!
//! ```text
//! cargo run -p lvs-sys --example lvs-exporter -- --listen 127.0.0.1:9753 --netns NAME
//! curl http://127.0.0.1:9753/metrics
//! ```
//!
//! `--netns NAME` (repeatable) reads the namespace `/run/netns/NAME`, or the file NAME if
//! it has a `/`; without it, the exporter's own namespace. Each handle is opened once at
//! start-up (a namespace that cannot be opened then is an error, exit 2) and reopened after
//! a failed read, or when the namespace file is no longer the one it was opened on (`ip
//! netns del` and `add`: a handle would keep reading the deleted namespace). It needs
//! CAP_NET_ADMIN (root) for IPVS and for entering namespaces.
//!
//! Every sample has a `netns` label: the `--netns` argument as given, or `""` for the
//! exporter's own namespace (which Prometheus stores as no label at all).
//!
//! Metrics (`metrics.rs` has the help texts):
//! - `lvs_kernel_info{version}` 1 and `lvs_connection_table_size`, once per scrape;
//! - `lvs_up`, `lvs_scrape_duration_seconds`, `lvs_services`, `lvs_real_servers`, per
//!   namespace (`lvs_up` 0: the table could not be read, and none of its services or real
//!   servers is there);
//! - per service, labels `netns`, `service`, `family`, `scheduler`:
//!   `lvs_service_{connections,in_packets,out_packets,in_bytes,out_bytes}_total`
//!   (counters) and
//!   `lvs_service_{connections,in_packets,out_packets,in_bytes,out_bytes}_per_second`
//!   (gauges: the kernel estimator's rates);
//! - per real server, labels `netns`, `service`, `family`, `server`, `forward`: the same
//!   ten as `lvs_real_server_...`, and the gauges `lvs_real_server_active_connections`,
//!   `_inactive_connections`, `_persistent_connections`, `_weight`, `_upper_threshold`,
//!   `_lower_threshold`.
//!
//! Label values are lvs-core's names: `service` is ipvsadm's spelling of the service
//! (`TCP 10.0.0.1:80`, `UDP [2001:db8::1]:53`, `FWM 5`, `FWM 5 IPv6`), `family` `IPv4` or
//! `IPv6`, `scheduler` the kernel's name (`rr`, `wlc`, ...), `server` the address and port
//! (`10.0.0.2:80`), `forward` ipvsadm's listing name (`Masq`, `Route`, `Tunnel`, `Local`,
//! `Bypass`). The cardinality rule: labels name configuration only (namespaces, services,
//! real servers), never connections or clients, so the number of series grows with the
//! table the operator wrote, not with traffic.
//!
//! The HTTP side (`http.rs`) answers one request at a time: GET /metrics, GET / (a page
//! linking /metrics), 404 for other paths, 405 for other methods; each client has a few
//! seconds to send its request and take the answer.

mod http;
mod metrics;
mod scrape;

use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;

use clap::Parser as _;

use scrape::Namespace;

/// Serve IPVS counters and rates per virtual service and real server as Prometheus metrics
#[derive(Debug, clap::Parser)]
#[command(name = "lvs-exporter", version, max_term_width = 100)]
struct Cli {
    /// Address and port to serve /metrics on. The default is localhost because the
    /// metrics describe the director's whole configuration and nothing authenticates a
    /// scraper: listen on another address only where the network is trusted or firewalled
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:9753")]
    listen: SocketAddr,
    /// Read the IPVS table of this network namespace: a name under /run/netns, or a path
    /// if it has a '/'. Repeatable; without it, the exporter's own namespace
    #[arg(long, value_name = "NAME")]
    netns: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let opened: Result<Vec<Namespace>, String> = if cli.netns.is_empty() {
        Namespace::own()
            .map(|ns| vec![ns])
            .map_err(|e| format!("open IPVS: {e}"))
    } else {
        cli.netns
            .iter()
            .map(|arg| Namespace::named(arg).map_err(|e| format!("netns {arg:?}: {e}")))
            .collect()
    };
    let mut namespaces = match opened {
        Ok(namespaces) => namespaces,
        Err(problem) => {
            eprintln!("lvs-exporter: {problem}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(cli.listen) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("lvs-exporter: listen on {}: {e}", cli.listen);
            return ExitCode::from(2);
        }
    };
    eprintln!(
        "lvs-exporter: serving http://{}/metrics",
        listener.local_addr().unwrap_or(cli.listen)
    );
    http::serve(&listener, || scrape::scrape(&mut namespaces))
}
