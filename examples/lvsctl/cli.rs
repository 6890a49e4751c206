//! lvsctl's command line: the one definition that clap parses and that `--help`, the shell
//! completions (`lvsctl completions SHELL`) and the man page (`lvsctl man`) are made from.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// What `--help` ends with: the exit status and the file format, which are no option's.
const AFTER_HELP: &str = "\
Exit status: 0 done; 1 `diff` found differences; 2 the command line or the operation failed
(the reason on stderr). The command line is checked before the kernel is asked.

FILE is rule text: what `save` or `ipvsadm -S -n` prints (-A and -a lines, and --set,
--start-daemon and --lvs-sysctl NAME=VALUE lines, applied only when FILE has them); - reads
stdin. Sysctl names are those under /proc/sys/net/ipv4/vs, with or without `net.ipv4.vs.`.";

/// Keep an IPVS table in the state a rule file describes, changing only what differs; list
/// it as ipvsadm does.
#[derive(Debug, Parser)]
#[command(name = "lvsctl", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    /// Work on the IPVS table of the network namespace at PATH (e.g. /run/netns/NAME)
    /// instead of this process's
    #[arg(long, global = true, value_name = "PATH")]
    pub netns: Option<PathBuf>,
    /// What to do
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the table, its timeouts and sync daemons as rule text that `apply` restores
    /// exactly (lvs's --lvs-... options where ipvsadm's syntax cannot say a value)
    Save {
        /// Print ipvsadm -S -n's text byte for byte, which loses what ipvsadm does not save
        #[arg(long, conflicts_with = "sysctls")]
        ipvsadm: bool,
        /// State every net.ipv4.vs sysctl too, as --lvs-sysctl lines
        #[arg(long)]
        sysctls: bool,
    },
    /// Print the table or one service (like ipvsadm -L -n with the same options), the
    /// timeouts, the sync daemons or the connection table
    List(ListArgs),
    /// Print the rules that would make the table FILE's; exit 1 when there are any
    Diff {
        #[command(flatten)]
        plan: PlanArgs,
        /// Plan from the table in this rule file instead of the kernel's (no kernel is
        /// needed; draining servers are not followed)
        #[arg(long, value_name = "FILE")]
        current: Option<String>,
        /// Print the plan as JSON: its operations as rule lines and the draining servers
        #[arg(long)]
        json: bool,
    },
    /// Make the table FILE's with the fewest operations, all or nothing (a failure undoes
    /// what was applied)
    Apply {
        #[command(flatten)]
        plan: PlanArgs,
        /// Print the operations, change nothing
        #[arg(long, short = 'n')]
        dry_run: bool,
    },
    /// List the namespace's net.ipv4.vs sysctls, print one, or set one
    Sysctl {
        /// NAME prints one; NAME=VALUE sets it, checked first against what the kernel takes
        #[arg(value_name = "NAME[=VALUE]")]
        setting: Option<String>,
        /// Print the list as a JSON object of name to value
        #[arg(long, conflicts_with = "setting")]
        json: bool,
    },
    /// Start a sync daemon (ipvsadm --start-daemon)
    StartDaemon(DaemonArgs),
    /// Stop a sync daemon (ipvsadm --stop-daemon)
    StopDaemon {
        /// Which daemon
        #[arg(value_enum)]
        role: Role,
    },
    /// Set the TCP, TCP FIN and UDP timeouts in seconds; 0 leaves one as it is
    /// (ipvsadm --set)
    SetTimeouts {
        /// Established TCP connections
        tcp: u32,
        /// TCP connections after the client's FIN
        tcp_fin: u32,
        /// UDP
        udp: u32,
    },
    /// Run the sync daemon a director in VRRP STATE runs: MASTER a master daemon, BACKUP
    /// or FAULT a backup one, STOP none; TYPE NAME STATE PRIORITY is how keepalived calls
    /// a notify script
    SyncRole {
        /// The interface the daemons send and listen on
        #[arg(long)]
        interface: String,
        /// The sync id (0 takes any)
        #[arg(long, default_value_t = 0)]
        sync_id: u8,
        /// STATE, or TYPE NAME STATE PRIORITY
        #[arg(value_name = "STATE", num_args = 1..=4, required = true)]
        vrrp: Vec<String>,
    },
    /// Zero the counters of one service, or of all (ipvsadm -Z)
    Zero(ServiceArgs),
    /// Delete every service (ipvsadm -C)
    Flush,
    /// Print a completion script for SHELL
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff; `lvsctl man | man -l -`)
    Man,
}

/// One service, named as ipvsadm names it.
#[derive(Debug, Args, Default)]
#[group(skip)]
pub struct ServiceArgs {
    /// A TCP service (IPv6 as [ADDR]:PORT)
    #[arg(
        short = 't',
        long = "tcp-service",
        value_name = "ADDR:PORT",
        group = "service"
    )]
    pub tcp: Option<SocketAddr>,
    /// A UDP service
    #[arg(
        short = 'u',
        long = "udp-service",
        value_name = "ADDR:PORT",
        group = "service"
    )]
    pub udp: Option<SocketAddr>,
    /// An SCTP service
    #[arg(long = "sctp-service", value_name = "ADDR:PORT", group = "service")]
    pub sctp: Option<SocketAddr>,
    /// A firewall-mark service (1 to 4294967295)
    #[arg(short = 'f', long = "fwmark-service", value_name = "MARK", group = "service",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub fwmark: Option<u32>,
    /// The firewall-mark service is IPv6
    #[arg(short = '6', long = "ipv6", requires = "fwmark")]
    pub ipv6: bool,
}

/// What `list` shows.
#[derive(Debug, Args)]
#[group(skip)]
pub struct ListArgs {
    #[command(flatten)]
    pub service: ServiceArgs,
    /// With the counters (ipvsadm --stats)
    #[arg(long, group = "format")]
    pub stats: bool,
    /// With the rates (ipvsadm --rate)
    #[arg(long, group = "format")]
    pub rate: bool,
    /// With the connection thresholds (ipvsadm --thresholds)
    #[arg(long, group = "format")]
    pub thresholds: bool,
    /// With the persistent connections; with --connections, the persistence engine's
    /// columns (ipvsadm --persistent-conn)
    #[arg(long, conflicts_with = "format")]
    pub persistent_conn: bool,
    /// With the tunnels' types, ports and checksums (ipvsadm --tun-info)
    #[arg(long, group = "format")]
    pub tun_info: bool,
    /// Counters as exact numbers (ipvsadm --exact)
    #[arg(long, requires = "format")]
    pub exact: bool,
    /// The timeouts instead (ipvsadm -L --timeout)
    #[arg(long, conflicts_with_all = ["format", "service", "persistent_conn", "daemon", "connections"])]
    pub timeout: bool,
    /// The running sync daemons instead (ipvsadm -L --daemon)
    #[arg(long, conflicts_with_all = ["format", "service", "persistent_conn", "connections"])]
    pub daemon: bool,
    /// The connection table instead, read as it is written out (ipvsadm -L -n -c)
    #[arg(short = 'c', long, conflicts_with_all = ["format", "service"])]
    pub connections: bool,
    /// With --connections, each entry's origin (LOCAL or SYNC) instead of the persistence
    /// engine's columns
    #[arg(long, requires = "connections", conflicts_with = "persistent_conn")]
    pub origin: bool,
    /// Print JSON (one document; the connection table as an array) instead of ipvsadm's text
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

/// The desired table and how to reach it.
#[derive(Debug, Args)]
#[group(skip)]
pub struct PlanArgs {
    /// The desired rule text (- reads stdin)
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Touch only the services of this VIP or firewall mark; the rest of the table is
    /// someone else's (repeatable; without it the whole table is FILE's)
    #[arg(long, value_name = "vip=ADDR|fwmark=N", value_parser = parse_scope)]
    pub scope: Vec<ScopeSpec>,
    /// Set removed real servers to weight 0 instead of deleting them; a later run deletes
    /// the idle ones
    #[arg(long)]
    pub drain: bool,
    /// Delete removed (and draining) real servers now and let the kernel end their
    /// connections at their next packet; needs net.ipv4.vs.expire_nodest_conn = 1, stated
    /// in FILE or set already
    #[arg(long)]
    pub expire_connections: bool,
}

/// One `--scope` value.
#[derive(Debug, Clone, Copy)]
pub enum ScopeSpec {
    /// `vip=ADDR`
    Vip(IpAddr),
    /// `fwmark=N`
    Fwmark(u32),
}

fn parse_scope(spec: &str) -> Result<ScopeSpec, String> {
    let bad = || format!("{spec:?} is not vip=ADDR or fwmark=N");
    match spec.split_once('=') {
        Some(("vip", addr)) => addr.parse().map(ScopeSpec::Vip).map_err(|_| bad()),
        Some(("fwmark", mark)) => mark.parse().map(ScopeSpec::Fwmark).map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// `start-daemon`'s settings, by ipvsadm's option names.
#[derive(Debug, Args)]
#[group(skip)]
pub struct DaemonArgs {
    /// Which daemon
    #[arg(value_enum)]
    pub role: Role,
    /// The interface it sends or listens on
    #[arg(long = "mcast-interface", value_name = "IF")]
    pub interface: String,
    /// The sync id (0 takes any)
    #[arg(long = "syncid", default_value_t = 0)]
    pub sync_id: u8,
    /// The largest sync message, in bytes (the kernel's default when not given)
    #[arg(long = "sync-maxlen", value_name = "BYTES")]
    pub max_len: Option<u16>,
    /// The multicast group (the kernel's default 224.0.0.81 when not given)
    #[arg(long = "mcast-group", value_name = "ADDR")]
    pub group: Option<IpAddr>,
    /// The UDP port (8848 when not given)
    #[arg(long = "mcast-port", value_name = "PORT")]
    pub port: Option<u16>,
    /// The multicast TTL (1 when not given)
    #[arg(long = "mcast-ttl", value_name = "TTL")]
    pub ttl: Option<u8>,
}

/// A sync daemon's role.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Role {
    /// Sends the director's connections
    Master,
    /// Receives another director's
    Backup,
}
