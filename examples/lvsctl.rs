//! lvsctl: keep an IPVS table in the state a rule file describes, changing only what differs.
//!
//! ```text
//! lvsctl [--netns PATH] save [--ipvsadm|--sysctls] print the table, its timeouts and sync
//!                                                 daemons as rule text that apply restores
//!                                                 exactly; --sysctls: every net.ipv4.vs
//!                                                 sysctl too, as --lvs-sysctl lines;
//!                                                 --ipvsadm: ipvsadm -S -n's text, which
//!                                                 loses what ipvsadm does not save
//! lvsctl [--netns PATH] list [SERVICE] [--stats|--rate|--thresholds|--persistent-conn|
//!                              --tun-info] [--exact]
//!                                                 print it (or one service) like
//!                                                 ipvsadm -L -n with the same options
//! lvsctl [--netns PATH] list --timeout | --daemon  like ipvsadm -L --timeout / --daemon
//! lvsctl [--netns PATH] list --connections [--persistent-conn] [--json] [--origin]
//!                                                 print the connection table like
//!                                                 ipvsadm -L -n -c [--persistent-conn];
//!                                                 --json: one object per entry, in an
//!                                                 array; --origin: with each entry's
//!                                                 origin (LOCAL or SYNC)
//! lvsctl [--netns PATH] diff FILE [SCOPE]         print the rules that would make it FILE's;
//!                                                 exit 1 when there are any
//! lvsctl [--netns PATH] apply FILE [SCOPE] [--dry-run] [--drain] [--expire-connections]
//!                                                 make it FILE's with the fewest operations
//! lvsctl [--netns PATH] sysctl                    list every net.ipv4.vs sysctl of the
//!                                                 namespace, as NAME = VALUE
//! lvsctl [--netns PATH] sysctl NAME               print one sysctl's value
//! lvsctl [--netns PATH] sysctl NAME=VALUE         set it (checked first against what the
//!                                                 kernel takes; see lvs_core::sysctl)
//! lvsctl [--netns PATH] sync-role --interface IF [--sync-id N] STATE
//! lvsctl [--netns PATH] sync-role --interface IF [--sync-id N] TYPE NAME STATE PRIORITY
//!                                                 run the sync daemon a director in VRRP
//!                                                 STATE runs: MASTER a master daemon,
//!                                                 BACKUP or FAULT a backup one, STOP none;
//!                                                 the second form is how keepalived calls
//!                                                 a notify script
//! lvsctl [--netns PATH] zero [SERVICE]           zero the counters of one service, or all
//! lvsctl [--netns PATH] flush                     delete every service
//! lvsctl --help | --version
//!
//! SERVICE: -t ADDR:PORT | -u ADDR:PORT | --sctp-service ADDR:PORT | -f MARK [-6]
//! (IPv6 as [ADDR]:PORT).
//! Exit status: 0 done; 1 diff found differences; 2 the command line or the operation
//! failed (the reason on stderr). The command line is checked before the kernel is asked.
//!
//! SCOPE: --scope vip=ADDR | --scope fwmark=N (repeatable): touch only those services; the
//! rest of the table belongs to someone else. Without it the whole table is FILE's.
//! FILE is rule text (what `save` or `ipvsadm -S -n` prints: `-A`/`-a` lines, and `--set`,
//! `--start-daemon` and `--lvs-sysctl NAME=VALUE` lines, applied only when FILE has them);
//! - reads stdin. NAME is a knob under /proc/sys/net/ipv4/vs, with or without its
//! `net.ipv4.vs.` prefix.
//! ```
//!
//! `save` writes ipvsadm's syntax where ipvsadm can say a value, and lvs's `--lvs-...`
//! options where it cannot (see `lvs_core::rules`): ipvsadm refuses those lines instead of
//! misreading them. `save --ipvsadm` is byte for byte `ipvsadm -S -n`, and `apply` of it
//! can change what ipvsadm does not save (thresholds, `Local` forwarding, ...).
//!
//! Sysctls are part of a FILE only as far as it states them: `save` writes none (a
//! namespace has some thirty, and a rule file should say the ones it means), `save
//! --sysctls` writes every one, machine-dependent defaults (`est_cpulist`, `sync_qlen_max`)
//! included, and `diff`/`apply` read and set only the knobs FILE names, before anything
//! else (a sync daemon reads `sync_ports` when it starts).
//!
//! Unlike `ipvsadm-restore`, which flushes the table and adds everything again (dropping
//! every connection's scheduling state for a moment), `apply` edits services and real
//! servers in place, adds and removes only what changed, and sends it all in batches.
//! `--drain` sets removed real servers to weight 0 instead of deleting them; run `apply`
//! again later and the idle ones go. `--expire-connections` (diff and apply) deletes them
//! now instead, draining ones included, and needs `net.ipv4.vs.expire_nodest_conn` = 1
//! (stated in FILE as `--lvs-sysctl expire_nodest_conn=1`, or already set): the kernel
//! then ends each of their connections at its next packet and schedules that packet
//! afresh, where without it their packets are dropped until the entries time out.

use std::io::{Read as _, Write as _};
use std::process::ExitCode;

use lvs_core::listing::{
    format_daemons, format_service, format_table, format_timeouts, write_connection,
    write_connection_json, ConnectionColumns, ConnectionFilter, ListFormat, ListOptions,
};
use lvs_core::plan::{
    apply_plan, plan_live, sync_daemons_for, DrainingServer, LivePlan, PlanOptions, Scope,
    VrrpState,
};
use lvs_core::rules::{operation_line, save, save_ipvsadm, table_from_rules};
use lvs_core::sysctl::{self, SysctlValue};
use lvs_core::{DaemonRole, Family, Ipvs, Protocol, ServiceKey, SyncDaemon, Table};
use lvs_sys::NetlinkIpvs;
use std::net::SocketAddr;

/// What the command line asked for.
#[derive(Default)]
struct Args {
    netns: Option<String>,
    command: String,
    file: Option<String>,
    scope: Option<Scope>,
    dry_run: bool,
    drain: bool,
    expire_connections: bool,
    format: Option<ListFormat>,
    exact: bool,
    ipvsadm: bool,
    connections: bool,
    persistent_conn: bool,
    json: bool,
    origin: bool,
    interface: Option<String>,
    sync_id: Option<u32>,
    vrrp: Vec<String>,
    service: Option<ServiceSpec>,
    ipv6: bool,
    timeout: bool,
    daemon: bool,
    sysctls: bool,
}

/// A service named on the command line: the fwmark's family comes with `-6`, which may
/// follow it.
#[derive(Clone, Copy)]
enum ServiceSpec {
    Addr(Protocol, SocketAddr),
    Fwmark(u32),
}

/// What the command line asked for besides running a command.
enum Asked {
    Run(Box<Args>),
    Help,
    Version,
}

/// The commands lvsctl has, checked before anything else is done.
const COMMANDS: [&str; 8] = [
    "save",
    "list",
    "diff",
    "apply",
    "sysctl",
    "sync-role",
    "zero",
    "flush",
];

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Asked, String> {
    let mut parsed = Args::default();
    let mut positional = Vec::new();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--netns" => parsed.netns = Some(value("--netns")?),
            "--scope" => {
                let spec = value("--scope")?;
                let scope = parse_scope(&spec)?;
                parsed.scope = Some(match parsed.scope.take() {
                    Some(before) => before.or(scope),
                    None => scope,
                });
            }
            "--dry-run" | "-n" => parsed.dry_run = true,
            "--drain" => parsed.drain = true,
            "--expire-connections" => parsed.expire_connections = true,
            "--stats" => parsed.format = Some(ListFormat::Stats),
            "--rate" => parsed.format = Some(ListFormat::Rate),
            "--exact" => parsed.exact = true,
            "--ipvsadm" => parsed.ipvsadm = true,
            "--sysctls" => parsed.sysctls = true,
            "--connections" | "-c" => parsed.connections = true,
            "--persistent-conn" => parsed.persistent_conn = true,
            "--json" => parsed.json = true,
            "--origin" => parsed.origin = true,
            "--interface" => parsed.interface = Some(value("--interface")?),
            "--sync-id" => {
                let id = value("--sync-id")?;
                parsed.sync_id = Some(
                    id.parse()
                        .ok()
                        .filter(|n| *n <= 255)
                        .ok_or(format!("bad --sync-id {id:?}: an integer 0..255"))?,
                );
            }
            "--thresholds" => parsed.format = Some(ListFormat::Thresholds),
            "--tun-info" => parsed.format = Some(ListFormat::TunInfo),
            "--timeout" => parsed.timeout = true,
            "--daemon" => parsed.daemon = true,
            "-6" | "--ipv6" => parsed.ipv6 = true,
            "-t" | "--tcp-service" | "-u" | "--udp-service" | "--sctp-service" => {
                let protocol = match arg.as_str() {
                    "-t" | "--tcp-service" => Protocol::Tcp,
                    "-u" | "--udp-service" => Protocol::Udp,
                    _ => Protocol::Sctp,
                };
                let text = value(&arg)?;
                let addr = text
                    .parse()
                    .map_err(|_| format!("bad {arg} {text:?}: ADDR:PORT, IPv6 as [ADDR]:PORT"))?;
                set_service(&mut parsed, ServiceSpec::Addr(protocol, addr))?;
            }
            "-f" | "--fwmark-service" => {
                let text = value(&arg)?;
                let mark = text
                    .parse()
                    .ok()
                    .filter(|m| *m > 0)
                    .ok_or(format!("bad {arg} {text:?}: a firewall mark 1..4294967295"))?;
                set_service(&mut parsed, ServiceSpec::Fwmark(mark))?;
            }
            "-h" | "--help" => return Ok(Asked::Help),
            "-V" | "--version" => return Ok(Asked::Version),
            flag if flag.starts_with('-') && flag != "-" => {
                return Err(format!("unknown option {flag}"))
            }
            _ => positional.push(arg),
        }
    }
    let mut positional = positional.into_iter();
    parsed.command = positional.next().ok_or("no command given")?;
    if !COMMANDS.contains(&parsed.command.as_str()) {
        return Err(format!(
            "unknown command {:?} (commands: {})",
            parsed.command,
            COMMANDS.join(", ")
        ));
    }
    if parsed.service.is_some() && !matches!(parsed.command.as_str(), "list" | "zero") {
        return Err("a SERVICE is an argument of list and zero".to_owned());
    }
    if parsed.ipv6 && !matches!(parsed.service, Some(ServiceSpec::Fwmark(_))) {
        return Err("-6 goes with -f MARK".to_owned());
    }
    let list_only = parsed.format.is_some() || parsed.exact || parsed.timeout || parsed.daemon;
    if list_only && parsed.command != "list" {
        return Err("--stats, --rate, --thresholds, --tun-info, --exact, --timeout and --daemon are options of list".to_owned());
    }
    if (parsed.timeout || parsed.daemon)
        && (parsed.format.is_some()
            || parsed.service.is_some()
            || parsed.connections
            || parsed.timeout && parsed.daemon)
    {
        return Err("list --timeout and list --daemon take no other option".to_owned());
    }
    if parsed.command == "sync-role" {
        parsed.vrrp = positional.collect();
        if parsed.interface.is_none() {
            return Err("sync-role needs --interface".to_owned());
        }
        return match parsed.vrrp.len() {
            1 | 4 => Ok(Asked::Run(Box::new(parsed))),
            _ => Err("sync-role takes STATE, or TYPE NAME STATE PRIORITY".to_owned()),
        };
    }
    if parsed.interface.is_some() || parsed.sync_id.is_some() {
        return Err("--interface and --sync-id are options of sync-role".to_owned());
    }
    parsed.file = positional.next();
    if let Some(extra) = positional.next() {
        return Err(format!("unexpected argument {extra}"));
    }
    if (parsed.drain || parsed.expire_connections)
        && !matches!(parsed.command.as_str(), "diff" | "apply")
    {
        return Err("--drain and --expire-connections are options of diff and apply".to_owned());
    }
    if (parsed.ipvsadm || parsed.sysctls) && parsed.command != "save" {
        return Err("--ipvsadm and --sysctls are options of save".to_owned());
    }
    if parsed.ipvsadm && parsed.sysctls {
        return Err("ipvsadm's text has no sysctls: give --ipvsadm or --sysctls".to_owned());
    }
    if (parsed.json || parsed.origin) && !(parsed.command == "list" && parsed.connections) {
        return Err("--json and --origin are options of list --connections".to_owned());
    }
    if parsed.persistent_conn && parsed.command != "list" {
        return Err("--persistent-conn is an option of list".to_owned());
    }
    if parsed.persistent_conn && !parsed.connections {
        parsed.format = Some(ListFormat::PersistentConn);
    }
    if let Some((name, value)) = parsed
        .file
        .as_deref()
        .filter(|_| parsed.command == "sysctl")
        .and_then(|arg| arg.split_once('='))
    {
        // Read as the knob's kind, its range checked, before the kernel is asked.
        sysctl::parse(name, value).map_err(|e| e.to_string())?;
    }
    let needs_file = matches!(parsed.command.as_str(), "diff" | "apply");
    // `sysctl` takes NAME or NAME=VALUE, or nothing.
    if parsed.command != "sysctl" && needs_file != parsed.file.is_some() {
        return Err(format!(
            "{} {}",
            parsed.command,
            if needs_file {
                "needs a FILE"
            } else {
                "takes no FILE"
            }
        ));
    }
    Ok(Asked::Run(Box::new(parsed)))
}

fn set_service(parsed: &mut Args, spec: ServiceSpec) -> Result<(), String> {
    if parsed.service.replace(spec).is_some() {
        return Err("one SERVICE at most".to_owned());
    }
    Ok(())
}

impl Args {
    /// The service named on the command line, with `-6` applied to a firewall mark.
    fn service_key(&self) -> Option<ServiceKey> {
        self.service.map(|spec| match spec {
            ServiceSpec::Addr(protocol, addr) => ServiceKey::Addr { protocol, addr },
            ServiceSpec::Fwmark(mark) => {
                let family = if self.ipv6 {
                    Family::Ipv6
                } else {
                    Family::Ipv4
                };
                // Marks were checked to be 1 or more, which try_fwmark accepts.
                ServiceKey::try_fwmark(mark, family).unwrap_or(ServiceKey::Fwmark { mark, family })
            }
        })
    }
}

fn parse_scope(spec: &str) -> Result<Scope, String> {
    let bad = || format!("bad --scope {spec:?}: use vip=ADDR or fwmark=N");
    match spec.split_once('=') {
        Some(("vip", addr)) => Ok(Scope::addresses([addr.parse().map_err(|_| bad())?])),
        Some(("fwmark", mark)) => Ok(Scope::fwmarks([mark.parse().map_err(|_| bad())?])),
        _ => Err(bad()),
    }
}

fn read_rules(file: &str) -> Result<Table, String> {
    let mut text = String::new();
    if file == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("stdin: {e}"))?;
    } else {
        text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    }
    table_from_rules(&text).map_err(|e| format!("{file}: {e}"))
}

/// `lvsctl sysctl [NAME[=VALUE]]`: list, print or set the namespace's sysctls.
fn sysctl_command(ipvs: &NetlinkIpvs, arg: Option<&str>) -> Result<(), String> {
    let text = |e: lvs_sys::Error| e.to_string();
    match arg.map(|a| (a, a.split_once('='))) {
        None => {
            for setting in ipvs.sysctls().map_err(text)? {
                println!("{}{} = {}", sysctl::PREFIX, setting.name, setting.value);
            }
        }
        Some((name, None)) => println!("{}", ipvs.sysctl(name).map_err(text)?),
        Some((_, Some((name, value)))) => {
            // Read as the knob's kind, its range checked, before anything is written.
            let value: SysctlValue = sysctl::parse(name, value).map_err(|e| e.to_string())?;
            ipvs.set_sysctl(name, &value).map_err(text)?;
        }
    }
    Ok(())
}

fn run(args: Args) -> Result<ExitCode, String> {
    // A bad file is reported before anything else is tried.
    let desired = match args.command.as_str() {
        "sysctl" => None,
        _ => args.file.as_deref().map(read_rules).transpose()?,
    };
    let ipvs = match &args.netns {
        Some(path) => NetlinkIpvs::open_in_netns(path),
        None => NetlinkIpvs::open(),
    }
    .map_err(|e| e.to_string())?;
    let scope = args.scope.clone().unwrap_or_default();
    match args.command.as_str() {
        "save" if args.ipvsadm => print!(
            "{}",
            save_ipvsadm(&ipvs.read_table().map_err(|e| e.to_string())?)
        ),
        "save" => {
            let mut state = ipvs.read_config().map_err(|e| e.to_string())?;
            if args.sysctls {
                state.sysctls = ipvs.sysctls().map_err(|e| e.to_string())?;
            }
            print!("{}", save(&state).map_err(|e| e.to_string())?);
        }
        "list" if args.connections => list_connections(&ipvs, &args)?,
        "list" if args.timeout => print!(
            "{}",
            format_timeouts(&ipvs.timeouts().map_err(|e| e.to_string())?)
        ),
        "list" if args.daemon => print!(
            "{}",
            format_daemons(&ipvs.daemons().map_err(|e| e.to_string())?)
        ),
        "zero" => ipvs
            .zero(args.service_key().as_ref())
            .map_err(|e| e.to_string())?,
        "flush" => ipvs.flush().map_err(|e| e.to_string())?,
        "sync-role" => sync_role(&ipvs, &args)?,
        "sysctl" => sysctl_command(&ipvs, args.file.as_deref())?,
        "list" => {
            let mut options =
                ListOptions::new().with_format(args.format.unwrap_or(ListFormat::Default));
            if args.exact {
                options = options.exact();
            }
            match args.service_key() {
                Some(key) => {
                    let entry = ipvs.service(&key).map_err(|e| e.to_string())?;
                    let servers = ipvs.servers(&key).map_err(|e| e.to_string())?;
                    print!("{}", format_service(&entry, &servers, &options));
                }
                None => {
                    let info = ipvs.info().map_err(|e| e.to_string())?;
                    let table = ipvs.table_with_stats().map_err(|e| e.to_string())?;
                    print!("{}", format_table(&info, &table, &options));
                }
            }
        }
        "diff" | "apply" => {
            let desired = desired.unwrap_or_default();
            let mut options = if args.drain {
                PlanOptions::draining()
            } else {
                PlanOptions::default()
            };
            if args.expire_connections {
                options = options.expiring_connections();
            }
            // Read with the timeouts and daemons (which FILE may state); drained servers
            // that are idle by now go in the same run, the others are reported with what
            // still holds them (counters and connection-table entries).
            let LivePlan {
                current,
                plan,
                draining,
                ..
            } = plan_live(&ipvs, &desired, &scope, &options).map_err(|e| e.to_string())?;
            for s in draining.iter().filter(|s| !s.is_idle()) {
                eprintln!("lvsctl: {}", drain_progress(s));
            }
            if args.command == "diff" || args.dry_run {
                print!("{}", plan.to_rules().map_err(|e| e.to_string())?);
                return Ok(if args.command == "diff" && !plan.is_empty() {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                });
            }
            // All or nothing: on a failure what was applied is undone.
            if let Err(e) = apply_plan(&ipvs, &current, &plan) {
                let line = e
                    .failure
                    .first_failure()
                    .map(|(i, _)| match operation_line(&plan.operations[i]) {
                        Ok(line) => format!(" ({line})"),
                        Err(_) => String::new(),
                    })
                    .unwrap_or_default();
                return Err(format!("{e}{line}"));
            }
            eprintln!(
                "lvsctl: {} operations applied{}",
                plan.operations.len(),
                if plan.draining.is_empty() {
                    String::new()
                } else {
                    format!(", {} real servers draining", plan.draining.len())
                }
            );
        }
        other => return Err(format!("unknown command {other}")),
    }
    Ok(ExitCode::SUCCESS)
}

/// Makes the sync daemons what a director in the given VRRP state runs, and says what
/// changed.
fn sync_role(ipvs: &NetlinkIpvs, args: &Args) -> Result<(), String> {
    let name = if args.vrrp.len() == 4 {
        &args.vrrp[2]
    } else {
        &args.vrrp[0]
    };
    let state = VrrpState::from_name(name).ok_or(format!(
        "unknown VRRP state {name:?}: MASTER, BACKUP, FAULT or STOP"
    ))?;
    let mut settings = SyncDaemon::new(
        DaemonRole::Backup,
        args.interface.clone().unwrap_or_default(),
    );
    settings.sync_id = args.sync_id.unwrap_or(0);
    let running = ipvs.daemons().map_err(|e| e.to_string())?;
    let operations = sync_daemons_for(state, &running, &settings);
    for op in &operations {
        ipvs.apply_one(op).map_err(|e| e.to_string())?;
    }
    let lines: Vec<String> = operations
        .iter()
        .map(|op| operation_line(op).unwrap_or_default())
        .collect();
    eprintln!(
        "lvsctl: VRRP {state}: {}",
        if lines.is_empty() {
            "sync daemons already so".to_owned()
        } else {
            lines.join("; ")
        }
    );
    Ok(())
}

/// One line on a draining real server that cannot go yet.
fn drain_progress(s: &DrainingServer) -> String {
    let counters = match &s.listed {
        Some(e) => format!(
            "weight {}{}, {} active, {} inactive, {} persistent",
            e.server.weight,
            // Listed before this run's changes: the plan sets 0.
            if e.server.weight == 0 {
                ""
            } else {
                " (the plan sets 0)"
            },
            e.active_conns,
            e.inactive_conns,
            e.persistent_conns
        ),
        None => "not listed".to_owned(),
    };
    format!(
        "draining {} -> {}: {counters}; {} connection entries, {} templates",
        s.service,
        s.server,
        s.connections.unwrap_or(0),
        s.templates.unwrap_or(0)
    )
}

/// Writes the connection table as it is read, entry by entry, so that a table of millions
/// of entries is never held whole.
fn list_connections(ipvs: &NetlinkIpvs, args: &Args) -> Result<(), String> {
    let mut filter = ConnectionFilter::all();
    if args.origin {
        filter = filter.with_origin();
    }
    let entries = ipvs.connections_iter(&filter).map_err(|e| e.to_string())?;
    let columns = if args.persistent_conn {
        ConnectionColumns::WithPersistence
    } else {
        ConnectionColumns::Standard
    };
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut line = String::new();
    let write = |out: &mut std::io::BufWriter<_>, text: &str| {
        out.write_all(text.as_bytes())
            .map_err(|e| format!("stdout: {e}"))
    };
    write(&mut out, if args.json { "[" } else { columns.header() })?;
    for (i, entry) in entries.enumerate() {
        let entry = entry.map_err(|e| e.to_string())?;
        line.clear();
        if args.json {
            line.push_str(if i == 0 { "\n" } else { ",\n" });
            write_connection_json(&mut line, &entry);
        } else {
            write_connection(&mut line, &entry, columns);
        }
        write(&mut out, &line)?;
    }
    if args.json {
        write(&mut out, "\n]\n")?;
    }
    out.flush().map_err(|e| format!("stdout: {e}"))
}

fn main() -> ExitCode {
    let usage = include_str!("lvsctl.rs")
        .lines()
        .skip_while(|l| !l.starts_with("//! ```text"))
        .skip(1)
        .take_while(|l| !l.starts_with("//! ```"))
        .map(|l| {
            let l = l.trim_start_matches("//!");
            l.strip_prefix(' ').unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join("\n");
    match parse_args(std::env::args().skip(1)) {
        Err(problem) => {
            eprintln!("lvsctl: {problem}");
            eprintln!("{usage}");
            ExitCode::from(2)
        }
        Ok(Asked::Help) => {
            println!("{usage}");
            ExitCode::SUCCESS
        }
        Ok(Asked::Version) => {
            println!("lvsctl {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Asked::Run(args)) => run(*args).unwrap_or_else(|problem| {
            eprintln!("lvsctl: {problem}");
            ExitCode::from(2)
        }),
    }
}
