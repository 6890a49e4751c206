//! lvsctl: keep an IPVS table in the state a rule file describes, changing only what differs.
//!
//! ```text
//! lvsctl [--netns PATH] save [--ipvsadm|--sysctls] print the table, its timeouts and sync
//!                                                 daemons as rule text that apply restores
//!                                                 exactly; --sysctls: every net.ipv4.vs
//!                                                 sysctl too, as --lvs-sysctl lines;
//!                                                 --ipvsadm: ipvsadm -S -n's text, which
//!                                                 loses what ipvsadm does not save
//! lvsctl [--netns PATH] list [--stats|--rate] [--exact]
//!                                                 print it like ipvsadm -L -n
//! lvsctl [--netns PATH] diff FILE [SCOPE]         print the rules that would make it FILE's;
//!                                                 exit 1 when there are any
//! lvsctl [--netns PATH] apply FILE [SCOPE] [--dry-run] [--drain]
//!                                                 make it FILE's with the fewest operations
//! lvsctl [--netns PATH] sysctl                    list every net.ipv4.vs sysctl of the
//!                                                 namespace, as NAME = VALUE
//! lvsctl [--netns PATH] sysctl NAME               print one sysctl's value
//! lvsctl [--netns PATH] sysctl NAME=VALUE         set it (checked first against what the
//!                                                 kernel takes; see lvs_core::sysctl)
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
//! again later and the idle ones go.

use std::io::Read as _;
use std::process::ExitCode;

use lvs_core::listing::{format_table, ListFormat, ListOptions};
use lvs_core::plan::{apply_plan, finish_drain, plan, PlanOptions, Scope};
use lvs_core::rules::{operation_line, save, save_ipvsadm, table_from_rules};
use lvs_core::sysctl::{self, SysctlValue};
use lvs_core::{Ipvs, Table};
use lvs_sys::NetlinkIpvs;

/// What the command line asked for.
#[derive(Default)]
struct Args {
    netns: Option<String>,
    command: String,
    file: Option<String>,
    scope: Option<Scope>,
    dry_run: bool,
    drain: bool,
    format: Option<ListFormat>,
    exact: bool,
    ipvsadm: bool,
    sysctls: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
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
            "--stats" => parsed.format = Some(ListFormat::Stats),
            "--rate" => parsed.format = Some(ListFormat::Rate),
            "--exact" => parsed.exact = true,
            "--ipvsadm" => parsed.ipvsadm = true,
            "--sysctls" => parsed.sysctls = true,
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => positional.push(arg),
        }
    }
    let mut positional = positional.into_iter();
    parsed.command = positional.next().ok_or("no command given")?;
    parsed.file = positional.next();
    if let Some(extra) = positional.next() {
        return Err(format!("unexpected argument {extra}"));
    }
    if (parsed.ipvsadm || parsed.sysctls) && parsed.command != "save" {
        return Err("--ipvsadm and --sysctls are options of save".to_owned());
    }
    if parsed.ipvsadm && parsed.sysctls {
        return Err("ipvsadm's text has no sysctls: give --ipvsadm or --sysctls".to_owned());
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
    Ok(parsed)
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
        "sysctl" => sysctl_command(&ipvs, args.file.as_deref())?,
        "list" => {
            let info = ipvs.info().map_err(|e| e.to_string())?;
            let table = ipvs.table_with_stats().map_err(|e| e.to_string())?;
            let mut options =
                ListOptions::new().with_format(args.format.unwrap_or(ListFormat::Default));
            if args.exact {
                options = options.exact();
            }
            print!("{}", format_table(&info, &table, &options));
        }
        "diff" | "apply" => {
            let desired = desired.unwrap_or_default();
            // With the timeouts, daemons and the sysctls FILE states.
            let current = ipvs.read_config_for(&desired).map_err(|e| e.to_string())?;
            let options = if args.drain {
                PlanOptions::draining()
            } else {
                PlanOptions::default()
            };
            let mut plan = plan(&current, &desired, &scope, &options).map_err(|e| e.to_string())?;
            // Drained servers that are idle by now can go in the same run.
            if args.drain {
                let mut keys: Vec<_> = plan.draining.iter().map(|(k, _)| *k).collect();
                keys.dedup();
                for key in keys {
                    let listed = ipvs.servers(&key).map_err(|e| e.to_string())?;
                    let idle = finish_drain(&plan.draining, &key, &listed);
                    plan.operations.extend(idle);
                }
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

fn main() -> ExitCode {
    let usage = include_str!("lvsctl.rs")
        .lines()
        .skip_while(|l| !l.starts_with("//! ```text"))
        .skip(1)
        .take_while(|l| !l.starts_with("//! ```"))
        .map(|l| l.trim_start_matches("//!").trim_start_matches(' '))
        .collect::<Vec<_>>()
        .join("\n");
    match parse_args(std::env::args().skip(1)) {
        Err(problem) => {
            if !problem.is_empty() {
                eprintln!("lvsctl: {problem}");
            }
            eprintln!("{usage}");
            ExitCode::from(2)
        }
        Ok(args) => run(args).unwrap_or_else(|problem| {
            eprintln!("lvsctl: {problem}");
            ExitCode::from(2)
        }),
    }
}
