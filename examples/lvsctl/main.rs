//! lvsctl: keep an IPVS table in the state a rule file describes, changing only what differs,
//! and list it as ipvsadm does. `lvsctl --help` (and `lvsctl COMMAND --help`) tells the
//! commands and options; `cli.rs` defines them, and the completions and man page come from
//! the same definition (`lvsctl completions bash`, `lvsctl man`). Install with
//! `cargo install --path lvs-sys --example lvsctl`.
//!
//! `save` writes ipvsadm's syntax where ipvsadm can say a value, and lvs's `--lvs-...`
//! options where it cannot (see `lvs_core::rules`): ipvsadm refuses those lines instead of
//! misreading them. `save --ipvsadm` is byte for byte `ipvsadm -S -n`, and `apply` of it
//! can change what ipvsadm does not save (thresholds, `Local` forwarding, ...). `save` and
//! `list` write a service at a time as they read the table, as ipvsadm does, so a large
//! table is never held whole; when the read fails midway the text written is incomplete and
//! the exit status is 1 (write to a temporary file and keep it only on success).
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
//! again later and the idle ones go. `--expire-connections` deletes them now instead,
//! draining ones included, and needs `net.ipv4.vs.expire_nodest_conn` = 1 (stated in FILE as
//! `--lvs-sysctl expire_nodest_conn=1`, or already set): the kernel then ends each of their
//! connections at its next packet and schedules that packet afresh, where without it their
//! packets are dropped until the entries time out.
//!
//! The `--json` forms are described by `lvsctl.schema.json` beside this file.

mod cli;

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser as _};
use lvs_core::listing::{
    daemons_json, format_daemons, format_service, format_table_entry, format_table_header,
    format_timeouts, plan_json, sysctls_json, table_json, timeouts_json, write_connection,
    write_connection_json, ConnectionColumns, ConnectionFilter, ListFormat, ListOptions,
};
use lvs_core::plan::{
    apply_plan, plan, plan_live_from, sync_daemons_for, DrainingServer, LivePlan, PlanOptions,
    Scope, VrrpState,
};
use lvs_core::rules::{operation_line, table_from_rules, SaveWriter};
use lvs_core::sysctl;
use lvs_core::{
    DaemonRole, Family, Ipvs, Operation, Protocol, RealServerEntry, ServiceEntry, ServiceKey,
    SyncDaemon, Table, Timeouts,
};
use lvs_sys::NetlinkIpvs;

use cli::{Cli, Command, DaemonArgs, ListArgs, PlanArgs, Role, ScopeSpec, ServiceArgs};

fn main() -> ExitCode {
    // clap prints --help and --version on stdout with exit 0, and a bad command line
    // on stderr with exit 2.
    let cli = Cli::parse();
    match check(&cli).and_then(|()| run(cli)) {
        Ok(code) => code,
        Err(problem) => {
            eprintln!("lvsctl: {problem}");
            ExitCode::from(2)
        }
    }
}

/// What clap cannot check, checked before the kernel is asked.
fn check(cli: &Cli) -> Result<(), String> {
    match &cli.command {
        Command::Sysctl {
            setting: Some(setting),
            ..
        } => {
            if let Some((name, value)) = setting.split_once('=') {
                // Read as the knob's kind, its range checked.
                sysctl::parse(name, value).map_err(|e| e.to_string())?;
            }
        }
        Command::SyncRole { vrrp, .. } => {
            if vrrp.len() != 1 && vrrp.len() != 4 {
                return Err("sync-role takes STATE, or TYPE NAME STATE PRIORITY".to_owned());
            }
            vrrp_state(vrrp)?;
        }
        _ => {}
    }
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    // Commands that need no kernel, and those that plan from a file (read while the kernel
    // is read).
    match &cli.command {
        Command::Completions { shell } => {
            // Into memory first: generate() panics when its writer fails.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "lvsctl", &mut script);
            emit(&String::from_utf8_lossy(&script))?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| format!("man page: {e}"))?;
            emit(&String::from_utf8_lossy(&page))?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Diff {
            plan: args,
            current: Some(current),
            json,
        } => return diff_offline(args, &read_rules(current)?, &read_rules(&args.file)?, *json),
        Command::Diff { plan, .. } | Command::Apply { plan, .. } => {
            let (ipvs, config, desired) = read_both(cli.netns.as_deref(), &plan.file)?;
            let mode = match cli.command {
                Command::Diff { json, .. } => Mode::Diff { json },
                Command::Apply { dry_run: true, .. } => Mode::DryRun,
                _ => Mode::Apply,
            };
            return diff_or_apply(&ipvs, plan, config, desired, mode);
        }
        _ => (),
    }
    let ipvs = open(cli.netns.as_deref()).map_err(|e| e.to_string())?;
    let text = |e: lvs_sys::Error| e.to_string();
    match cli.command {
        Command::Save { ipvsadm, sysctls } => save_command(&ipvs, ipvsadm, sysctls)?,
        Command::List(args) => list(&ipvs, &args)?,
        Command::Diff { .. } | Command::Apply { .. } => unreachable!("planned above"),
        Command::Sysctl { setting, json } => sysctl_command(&ipvs, setting.as_deref(), json)?,
        Command::StartDaemon(args) => ipvs
            .apply_one(&Operation::StartDaemon(daemon_of(&args)))
            .map_err(text)?,
        Command::StopDaemon { role } => ipvs
            .apply_one(&Operation::StopDaemon(daemon_role(role)))
            .map_err(text)?,
        Command::SetTimeouts { tcp, tcp_fin, udp } => ipvs
            .apply_one(&Operation::SetTimeouts(Timeouts::new(tcp, tcp_fin, udp)))
            .map_err(text)?,
        Command::SyncRole {
            interface,
            sync_id,
            vrrp,
        } => sync_role(&ipvs, &interface, sync_id, &vrrp)?,
        Command::Zero(service) => ipvs.zero(service_key(&service).as_ref()).map_err(text)?,
        Command::Flush => ipvs.flush().map_err(text)?,
        Command::Completions { .. } | Command::Man => unreachable!("answered without a kernel"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the rule text a service at a time as the table is read, holding the services'
/// entries but not their real servers (a large table's text is megabytes). The settings
/// are read first, as their lines come first. Only a service's own values can be refused
/// (a scheduler name the text cannot carry, ...); a refusal or a read that fails midway
/// leaves the text written so far incomplete, with exit status 1.
fn save_command(ipvs: &NetlinkIpvs, ipvsadm: bool, sysctls: bool) -> Result<(), String> {
    let text = |e: lvs_sys::Error| e.to_string();
    let mut saver = if ipvsadm {
        SaveWriter::ipvsadm()
    } else {
        let mut saver = SaveWriter::lossless();
        let sysctls = if sysctls {
            ipvs.sysctls().map_err(text)?
        } else {
            Vec::new()
        };
        let timeouts = ipvs.timeouts().map_err(text)?;
        saver.settings(&sysctls, Some(&timeouts), &ipvs.daemons().map_err(text)?);
        saver
    };
    let mut out = Output::new(saver.take().map_err(|e| e.to_string())?);
    let mut servers = Vec::new();
    ipvs.for_each_service_sorted(|entry, entries| {
        servers.clear();
        servers.extend(entries.into_iter().map(|e| e.server));
        saver.service(&entry.service, &servers);
        out.write(|| saver.take().map_err(|e| e.to_string()));
    })
    .map_err(text)?;
    out.finish()
}

/// The service the options name, with `-6` applied to a firewall mark.
fn service_key(args: &ServiceArgs) -> Option<ServiceKey> {
    let addr = |protocol, addr| ServiceKey::Addr { protocol, addr };
    if let Some(a) = args.tcp {
        return Some(addr(Protocol::Tcp, a));
    }
    if let Some(a) = args.udp {
        return Some(addr(Protocol::Udp, a));
    }
    if let Some(a) = args.sctp {
        return Some(addr(Protocol::Sctp, a));
    }
    args.fwmark.map(|mark| {
        let family = if args.ipv6 {
            Family::Ipv6
        } else {
            Family::Ipv4
        };
        // clap checked the mark is 1 or more, which try_fwmark accepts.
        ServiceKey::try_fwmark(mark, family).unwrap_or(ServiceKey::Fwmark { mark, family })
    })
}

fn list(ipvs: &NetlinkIpvs, args: &ListArgs) -> Result<(), String> {
    let text = |e: lvs_sys::Error| e.to_string();
    if args.connections {
        return list_connections(ipvs, args);
    }
    if args.timeout {
        let timeouts = ipvs.timeouts().map_err(text)?;
        emit(&if args.json {
            timeouts_json(&timeouts)
        } else {
            format_timeouts(&timeouts)
        })?;
        return Ok(());
    }
    if args.daemon {
        let daemons = ipvs.daemons().map_err(text)?;
        emit(&if args.json {
            daemons_json(&daemons)
        } else {
            format_daemons(&daemons)
        })?;
        return Ok(());
    }
    let format = if args.stats {
        ListFormat::Stats
    } else if args.rate {
        ListFormat::Rate
    } else if args.thresholds {
        ListFormat::Thresholds
    } else if args.persistent_conn {
        ListFormat::PersistentConn
    } else if args.tun_info {
        ListFormat::TunInfo
    } else {
        ListFormat::Default
    };
    let mut options = ListOptions::new().with_format(format);
    if args.exact {
        options = options.exact();
    }
    match service_key(&args.service) {
        Some(key) => {
            let entry = ipvs.service(&key).map_err(text)?;
            let servers = ipvs.servers(&key).map_err(text)?;
            if args.json {
                let info = ipvs.info().map_err(text)?;
                emit(&table_json(&info, &[(entry, servers)]))?;
            } else {
                emit(&format_service(&entry, &servers, &options))?;
            }
        }
        None if args.json => {
            let info = ipvs.info().map_err(text)?;
            emit(&table_json(&info, &ipvs.table_with_stats().map_err(text)?))?;
        }
        None => {
            let info = ipvs.info().map_err(text)?;
            // Written as it is read: a large table's listing is megabytes of text.
            let mut out = Output::new(format_table_header(&info, &options));
            let visit = |entry: ServiceEntry, servers: Vec<RealServerEntry>| {
                out.write(|| Ok(format_table_entry(&entry, &servers, &options)))
            };
            // The plain listing needs no counters: two reads instead of one per service.
            // lvsctl always sorts, as ipvsadm does unless told --nosort.
            if format == ListFormat::Default {
                ipvs.for_each_listed_service(true, visit)
            } else {
                ipvs.for_each_service_sorted(visit)
            }
            .map_err(text)?;
            out.finish()?;
        }
    }
    Ok(())
}

/// Text written to stdout a part at a time as a table is read. The first part (a header)
/// waits for the next one or for the end, so a read that fails before its first service
/// prints nothing; after a failed write or a part that cannot be made, later parts are
/// dropped and `finish` reports the failure.
struct Output {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    header: Option<String>,
    failure: Option<String>,
}

impl Output {
    fn new(header: String) -> Output {
        Output {
            out: std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock()),
            header: Some(header),
            failure: None,
        }
    }

    fn write(&mut self, part: impl FnOnce() -> Result<String, String>) {
        if self.failure.is_some() {
            return;
        }
        let written = part().and_then(|part| {
            if let Some(header) = self.header.take() {
                written(self.out.write_all(header.as_bytes()))?;
            }
            written(self.out.write_all(part.as_bytes()))
        });
        if let Err(e) = written {
            self.failure = Some(e);
        }
    }

    fn finish(mut self) -> Result<(), String> {
        if let Some(e) = self.failure {
            return Err(e);
        }
        if let Some(header) = self.header.take() {
            written(self.out.write_all(header.as_bytes()))?;
        }
        written(self.out.flush())
    }
}

/// What `diff_or_apply` does with the plan.
enum Mode {
    Diff { json: bool },
    DryRun,
    Apply,
}

/// The scope the `--scope` options describe; none means the whole table.
fn scope_of(specs: &[ScopeSpec]) -> Scope {
    specs
        .iter()
        .map(|spec| match *spec {
            ScopeSpec::Vip(addr) => Scope::addresses([addr]),
            ScopeSpec::Fwmark(mark) => Scope::fwmarks([mark]),
        })
        .reduce(Scope::or)
        .unwrap_or_default()
}

fn plan_options(args: &PlanArgs) -> PlanOptions {
    let options = if args.drain {
        PlanOptions::draining()
    } else {
        PlanOptions::default()
    };
    if args.expire_connections {
        options.expiring_connections()
    } else {
        options
    }
}

/// Prints a plan as rule lines or JSON; exit 1 when it has operations.
fn print_plan(
    plan: &lvs_core::plan::Plan,
    draining: &[DrainingServer],
    json: bool,
) -> Result<ExitCode, String> {
    if json {
        emit(&plan_json(plan, draining).map_err(|e| e.to_string())?)?;
    } else {
        emit(&plan.to_rules().map_err(|e| e.to_string())?)?;
    }
    Ok(if plan.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `diff --current FILE`: the plan between two rule files, no kernel involved.
fn diff_offline(
    args: &PlanArgs,
    current: &Table,
    desired: &Table,
    json: bool,
) -> Result<ExitCode, String> {
    let planned = plan(
        current,
        desired,
        &scope_of(&args.scope),
        &plan_options(args),
    )
    .map_err(|e| e.to_string())?;
    print_plan(&planned, &[], json)
}

fn open(netns: Option<&Path>) -> Result<NetlinkIpvs, lvs_sys::Error> {
    match netns {
        Some(path) => NetlinkIpvs::open_in_netns(path),
        None => NetlinkIpvs::open(),
    }
}

/// Opens the kernel and reads its configuration on one thread while FILE is read and parsed
/// on this one: each takes about as long as the other on a large table, and neither needs
/// the other. A bad FILE is reported before anything the kernel said.
fn read_both(netns: Option<&Path>, file: &str) -> Result<(NetlinkIpvs, Table, Table), String> {
    let (desired, read) = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let ipvs = open(netns)?;
            let config = ipvs.read_config()?;
            Ok::<_, lvs_sys::Error>((ipvs, config))
        });
        let desired = read_rules(file);
        (desired, reader.join())
    });
    let desired = desired?;
    let (ipvs, config) = read
        .map_err(|_| "reading the kernel's table failed unexpectedly".to_string())?
        .map_err(|e| e.to_string())?;
    Ok((ipvs, config, desired))
}

fn diff_or_apply(
    ipvs: &NetlinkIpvs,
    args: &PlanArgs,
    config: Table,
    desired: Table,
    mode: Mode,
) -> Result<ExitCode, String> {
    // With the sysctls FILE states read too; drained servers that are idle by now go in
    // the same run, the others are reported with what still holds them (counters and
    // connection-table entries).
    let LivePlan {
        current,
        plan,
        draining,
        ..
    } = plan_live_from(
        ipvs,
        config,
        &desired,
        &scope_of(&args.scope),
        &plan_options(args),
    )
    .map_err(|e| e.to_string())?;
    for s in draining.iter().filter(|s| !s.is_idle()) {
        eprintln!("lvsctl: {}", drain_progress(s));
    }
    match mode {
        Mode::Diff { json } => return print_plan(&plan, &draining, json),
        Mode::DryRun => {
            emit(&plan.to_rules().map_err(|e| e.to_string())?)?;
            return Ok(ExitCode::SUCCESS);
        }
        Mode::Apply => {}
    }
    // All or nothing: on a failure what was applied is undone.
    if let Err(e) = apply_plan(ipvs, &current, &plan) {
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
    Ok(ExitCode::SUCCESS)
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
fn sysctl_command(ipvs: &NetlinkIpvs, setting: Option<&str>, json: bool) -> Result<(), String> {
    let text = |e: lvs_sys::Error| e.to_string();
    match setting.map(|a| (a, a.split_once('='))) {
        None => {
            let all = ipvs.sysctls().map_err(text)?;
            if json {
                emit(&sysctls_json(&all))?;
            } else {
                let mut lines = String::new();
                for setting in all {
                    lines.push_str(&format!(
                        "{}{} = {}\n",
                        sysctl::PREFIX,
                        setting.name,
                        setting.value
                    ));
                }
                emit(&lines)?;
            }
        }
        Some((name, None)) => emit(&format!("{}\n", ipvs.sysctl(name).map_err(text)?))?,
        Some((_, Some((name, value)))) => {
            // check() read it already; read again for the value.
            let value = sysctl::parse(name, value).map_err(|e| e.to_string())?;
            ipvs.set_sysctl(name, &value).map_err(text)?;
        }
    }
    Ok(())
}

fn daemon_role(role: Role) -> DaemonRole {
    match role {
        Role::Master => DaemonRole::Master,
        Role::Backup => DaemonRole::Backup,
    }
}

fn daemon_of(args: &DaemonArgs) -> SyncDaemon {
    let mut daemon = SyncDaemon::new(daemon_role(args.role), args.interface.clone());
    daemon.sync_id = u32::from(args.sync_id);
    daemon.max_len = args.max_len;
    daemon.group = args.group;
    daemon.port = args.port;
    daemon.ttl = args.ttl;
    daemon
}

/// The VRRP state of `sync-role`'s arguments: STATE alone, or the third of keepalived's
/// TYPE NAME STATE PRIORITY.
fn vrrp_state(vrrp: &[String]) -> Result<VrrpState, String> {
    let name = if vrrp.len() == 4 { &vrrp[2] } else { &vrrp[0] };
    VrrpState::from_name(name).ok_or(format!(
        "unknown VRRP state {name:?}: MASTER, BACKUP, FAULT or STOP"
    ))
}

/// `lvsctl sync-role`: runs the sync daemon a director in a VRRP state should run.
fn sync_role(
    ipvs: &NetlinkIpvs,
    interface: &str,
    sync_id: u8,
    vrrp: &[String],
) -> Result<(), String> {
    let state = vrrp_state(vrrp)?;
    let mut settings = SyncDaemon::new(DaemonRole::Backup, interface);
    settings.sync_id = u32::from(sync_id);
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
fn list_connections(ipvs: &NetlinkIpvs, args: &ListArgs) -> Result<(), String> {
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
    let write =
        |out: &mut std::io::BufWriter<_>, text: &str| written(out.write_all(text.as_bytes()));
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
    written(out.flush())
}

/// Writes what a command prints on stdout.
fn emit(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    written(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// The outcome of a write to stdout. A reader that went away (`lvsctl list | head -n 3`) ends
/// the program quietly, as SIGPIPE ends ipvsadm, rather than with an error for each later
/// write (Rust ignores SIGPIPE, so the write fails with EPIPE instead).
fn written(outcome: std::io::Result<()>) -> Result<(), String> {
    match outcome {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        outcome => outcome.map_err(|e| format!("stdout: {e}")),
    }
}
