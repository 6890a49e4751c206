//! lvs-bench: lvs against ipvsadm, pyroute2 and raw netlink on the same IPVS tables.
//!
//! ```text
//! lvs-bench [--sizes 1000,3000] [--out DIR] [--pyroute2-max N]
//!           [--python PATH --pyroute2-script PATH]      all measurements (root, IPVS kernel)
//! lvs-bench codec [--sizes ...] [--out DIR]              rule-text parse/save only (no kernel)
//! ```
//!
//! For every size N it builds N NAT services (rr) with 4 real servers each, and measures
//! one tool at a time (the kernel's IPVS hash tables are shared by all namespaces, so a
//! table left in one namespace would slow the others' lookups and dumps):
//!
//! - create from empty, each tool in a fresh network namespace: lvs (plan from empty and
//!   apply), `ipvsadm -R` fed the same rule text, pyroute2 (up to `--pyroute2-max`
//!   services), and the floor: the same requests encoded before the clock starts and sent
//!   64 per system call on a bare netlink socket;
//! - read the whole table with real servers and stats: lvs in a child process, `ipvsadm
//!   -Sn`, `ipvsadm -Ln --stats`, pyroute2; with the peak memory of the first two;
//! - a 1% change: lvs (read, plan, apply) against `ipvsadm -C; ipvsadm -R < desired`;
//! - parsing and saving the rule text with `lvs_core::rules`.
//!
//! Every table written is read back and compared with what was meant; any difference or
//! failed measurement makes the exit code 1. Results go to DIR/results.csv and
//! DIR/results.json, and a table to stdout.

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use lvs_core::plan::{plan, PlanOptions, Scope};
// The ipvsadm form: the files also go to `ipvsadm -R`, and it is what was measured.
use lvs_core::rules::{save_ipvsadm as save, table_from_rules};
use lvs_core::{
    ForwardMethod, Ipvs, RealServer, Scheduler, Service, ServiceKey, Table, VirtualService,
};
use lvs_sys::codec::message::{decode_family_id, Replies, Reply, Request};
use lvs_sys::NetlinkIpvs;
use neli::consts::socket::{Msg, NlFamily};
use neli::socket::NlSocket;
use neli::utils::Groups;

/// Real servers per service.
const SERVERS: usize = 4;
/// Requests per system call, as lvs batches them.
const BATCH: usize = 64;
/// GNU time, for the peak memory of a child process.
const GNU_TIME: &str = "/usr/bin/time";

/// The table of `n` services: distinct VIPs (10.0.0.0/8) and ports, 4 NAT real servers
/// each (172.16.0.0/12), round robin.
fn table(n: usize) -> Table {
    Table::new((0..n).map(|i| service(i, Scheduler::Rr)).collect())
}

fn vip(i: usize) -> SocketAddr {
    let i = u32::try_from(i).expect("fewer than 2^24 services");
    let ip = Ipv4Addr::from(0x0a00_0000 | (i + 1));
    SocketAddr::new(IpAddr::V4(ip), 80 + (i % 16) as u16)
}

fn real_server(i: usize, j: usize, weight: u32) -> RealServer {
    let i = u32::try_from(i).expect("fewer than 2^18 services");
    let ip = Ipv4Addr::from(0xac10_0000 | (i * 8 + j as u32 + 1));
    RealServer::new(SocketAddr::new(IpAddr::V4(ip), 8080))
        .with_forward(ForwardMethod::Masquerade)
        .with_weight(weight)
}

fn service(i: usize, scheduler: Scheduler) -> VirtualService {
    let key = ServiceKey::tcp(vip(i));
    VirtualService::new(
        Service::new(key).with_scheduler(scheduler),
        (0..SERVERS).map(|j| real_server(i, j, 1)).collect(),
    )
}

/// The table of `n` services changed in 1% of its services and 1% of its real servers,
/// with the number of operations the change takes at least.
///
/// Services: half of the 1% change scheduler (an edit each), a quarter are removed (one
/// delete each, their real servers go with them), the rest are new (an add and 4 real
/// servers each). Real servers, in other services: half of the 1% change weight (an edit
/// each), half are swapped for another address (a delete and an add each).
fn changed(n: usize) -> (Table, usize) {
    let k = (n / 100).max(4);
    let edit = k / 2;
    let remove = k / 4;
    let add = k - edit - remove;
    let servers = (n * SERVERS / 100).max(2);
    let reweigh = servers / 2;
    let swap = servers - reweigh;
    // Services are picked by stride so the changes spread over the table; service
    // changes take the first picks, real-server changes the next ones; new services go
    // past the end of the table.
    let picks = edit + remove + reweigh + swap;
    let stride = n / picks;
    assert!(stride >= 1, "table too small to change 1%");
    let mut services: Vec<Option<VirtualService>> =
        table(n).services.into_iter().map(Some).collect();
    let mut pick = (0..).map(|p| p * stride);
    for _ in 0..edit {
        let i = pick.next().unwrap();
        let vs = services[i].as_mut().unwrap();
        vs.service = vs.service.clone().with_scheduler(Scheduler::Wlc);
    }
    for _ in 0..remove {
        services[pick.next().unwrap()] = None;
    }
    for _ in 0..reweigh {
        let i = pick.next().unwrap();
        let vs = services[i].as_mut().unwrap();
        vs.servers[0] = vs.servers[0].with_weight(5);
    }
    for _ in 0..swap {
        let i = pick.next().unwrap();
        let vs = services[i].as_mut().unwrap();
        // Index 7 is never one of a service's own real servers (0..4) nor a neighbour's.
        vs.servers[1] = real_server(i, 7, 1);
    }
    let mut out: Vec<VirtualService> = services.into_iter().flatten().collect();
    out.extend((n..n + add).map(|i| service(i, Scheduler::Rr)));
    let ops = edit + remove + add * (1 + SERVERS) + reweigh + 2 * swap;
    (Table::new(out), ops)
}

/// One measurement.
struct Row {
    size: usize,
    what: &'static str,
    tool: String,
    seconds: f64,
    max_rss_kib: Option<u64>,
    ops: Option<usize>,
}

#[derive(Default)]
struct Bench {
    rows: Vec<Row>,
    failures: Vec<String>,
}

impl Bench {
    fn record(&mut self, size: usize, what: &'static str, tool: &str, seconds: f64) -> &mut Row {
        eprintln!("  {what:<8} {tool:<22} {size:>6}  {seconds:>9.3} s");
        self.rows.push(Row {
            size,
            what,
            tool: tool.to_string(),
            seconds,
            max_rss_kib: None,
            ops: None,
        });
        self.rows.last_mut().unwrap()
    }

    fn fail(&mut self, what: String) {
        eprintln!("FAILED: {what}");
        self.failures.push(what);
    }

    fn check(&mut self, what: &str, result: Result<(), String>) {
        if let Err(e) = result {
            self.fail(format!("{what}: {e}"));
        }
    }
}

/// Options of the full run.
struct Config {
    sizes: Vec<usize>,
    out: PathBuf,
    pyroute2_max: usize,
    python: Option<String>,
    pyroute2_script: Option<String>,
    codec_only: bool,
}

fn parse_args() -> Result<Config, String> {
    let mut config = Config {
        sizes: vec![1000, 3000, 10_000, 30_000],
        out: PathBuf::from("target/bench"),
        pyroute2_max: 3000,
        python: None,
        pyroute2_script: None,
        codec_only: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "codec" => config.codec_only = true,
            "--sizes" => {
                config.sizes = value()?
                    .split(',')
                    .map(|s| s.trim().parse().map_err(|_| format!("bad size {s:?}")))
                    .collect::<Result<_, _>>()?
            }
            "--out" => config.out = PathBuf::from(value()?),
            "--pyroute2-max" => {
                config.pyroute2_max = value()?.parse().map_err(|_| "bad --pyroute2-max")?
            }
            "--python" => config.python = Some(value()?),
            "--pyroute2-script" => config.pyroute2_script = Some(value()?),
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    if config.sizes.iter().any(|&n| n < 100) {
        return Err("sizes start at 100 services (the 1% change needs them)".into());
    }
    Ok(config)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("floor-child") => return floor_child(args.next()),
        Some("read-child") => return read_child(args.next(), args.next(), args.next()),
        _ => {}
    }
    let config = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("lvs-bench: {e}");
            return ExitCode::from(2);
        }
    };
    let mut bench = Bench::default();
    if let Err(e) = std::fs::create_dir_all(&config.out) {
        eprintln!("lvs-bench: {}: {e}", config.out.display());
        return ExitCode::from(2);
    }
    for &n in &config.sizes {
        eprintln!("== {n} services x {SERVERS} real servers");
        codec(&mut bench, n);
        if !config.codec_only {
            if let Err(e) = kernel(&mut bench, &config, n) {
                bench.fail(format!("{n}: {e}"));
                let _ = cleanup_all();
            }
        }
    }
    if let Err(e) = write_results(&bench, &config.out) {
        bench.fail(format!("writing results: {e}"));
    }
    print_table(&bench);
    if bench.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("{} measurement(s) failed:", bench.failures.len());
        for f in &bench.failures {
            eprintln!("  {f}");
        }
        ExitCode::FAILURE
    }
}

/// Parsing and saving the rule text (lvs-core alone, no kernel).
fn codec(bench: &mut Bench, n: usize) {
    let desired = table(n);
    let started = Instant::now();
    let text = save(&desired);
    bench.record(n, "save", "lvs", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let parsed = table_from_rules(&text);
    bench.record(n, "parse", "lvs", started.elapsed().as_secs_f64());
    // What lvs does before sending anything when creating the table: plan from empty and
    // encode each request (the floor does the encoding before its clock starts).
    let started = Instant::now();
    let ops = plan(
        &Table::default(),
        &desired,
        &Scope::all(),
        &PlanOptions::default(),
    )
    .map(|p| p.operations)
    .unwrap_or_default();
    bench
        .record(
            n,
            "plan",
            "lvs (from empty)",
            started.elapsed().as_secs_f64(),
        )
        .ops = Some(ops.len());
    let started = Instant::now();
    let mut buf = Vec::new();
    for (seq, op) in ops.iter().enumerate() {
        Request::from_operation(op).encode_into(&mut buf, 0, seq as u32);
    }
    bench.record(n, "encode", "lvs", started.elapsed().as_secs_f64());
    match parsed {
        Ok(t) if t == desired => {}
        Ok(_) => bench.fail(format!(
            "{n}: parsed rule text differs from the table saved"
        )),
        Err(e) => bench.fail(format!("{n}: parse: {e}")),
    }
}

/// Every kernel measurement of one size.
fn kernel(bench: &mut Bench, config: &Config, n: usize) -> Result<(), String> {
    let desired = table(n);
    let rules_path = config.out.join(format!("rules-{n}.txt"));
    std::fs::write(&rules_path, save(&desired)).map_err(|e| e.to_string())?;
    let (changed_table, minimal_ops) = changed(n);
    let changed_path = config.out.join(format!("rules-{n}-changed.txt"));
    std::fs::write(&changed_path, save(&changed_table)).map_err(|e| e.to_string())?;
    let py = config
        .python
        .as_ref()
        .zip(config.pyroute2_script.as_ref())
        .filter(|_| n <= config.pyroute2_max);

    // Create, each tool in its own fresh namespace, one at a time.
    in_fresh_netns("floor", n, |ns| {
        let out = run(Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(std::env::current_exe().map_err(|e| e.to_string())?)
            .args(["floor-child", &n.to_string()]))?;
        let seconds: f64 = out
            .trim()
            .parse()
            .map_err(|_| format!("floor said {out:?}"))?;
        bench.record(n, "create", "floor", seconds).ops = Some(n * (1 + SERVERS));
        bench.check("floor create", verify(ns, &desired));
        Ok(())
    })?;
    in_fresh_netns("lvs", n, |ns| {
        let ipvs = NetlinkIpvs::open_in_netns(netns_path(ns)).map_err(|e| e.to_string())?;
        let started = Instant::now();
        let plan = plan(
            &Table::default(),
            &desired,
            &Scope::all(),
            &PlanOptions::default(),
        )
        .map_err(|e| e.to_string())?;
        ipvs.apply(&plan.operations).map_err(|e| e.to_string())?;
        let seconds = started.elapsed().as_secs_f64();
        bench.record(n, "create", "lvs", seconds).ops = Some(plan.operations.len());
        bench.check("lvs create", verify(ns, &desired));
        Ok(())
    })?;
    in_fresh_netns("ipvsadm", n, |ns| {
        let (seconds, _) = timed(
            Command::new("ip")
                .args(["netns", "exec", ns, "ipvsadm", "-R"])
                .stdin(file(&rules_path)?),
        )?;
        bench.record(n, "create", "ipvsadm -R", seconds);
        bench.check("ipvsadm create", verify(ns, &desired));
        Ok(())
    })?;
    if let Some((python, script)) = py {
        in_fresh_netns("pyroute2", n, |ns| {
            let out = run(Command::new("ip")
                .args(["netns", "exec", ns, python, script, "create"])
                .arg(&rules_path))?;
            let seconds: f64 = out
                .trim()
                .parse()
                .map_err(|_| format!("pyroute2 said {out:?}"))?;
            bench.record(n, "create", "pyroute2", seconds);
            bench.check("pyroute2 create", verify(ns, &desired));
            Ok(())
        })?;
    }

    // Reads and the change run in the guest's own namespace, empty until now, so the
    // readers' peak memory is their own (`ip netns exec` would count its own too).
    let ipvs = NetlinkIpvs::open().map_err(|e| e.to_string())?;
    ipvs.flush().map_err(|e| e.to_string())?;
    let ops = plan(
        &Table::default(),
        &desired,
        &Scope::all(),
        &PlanOptions::default(),
    )
    .map_err(|e| e.to_string())?
    .operations;
    ipvs.apply(&ops).map_err(|e| e.to_string())?;

    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    for (how, tool) in [("table", "lvs"), ("stream", "lvs stream")] {
        let (seconds, out) =
            timed(Command::new(&exe).args(["read-child", "-", &n.to_string(), how]))?;
        let (inside, rss) = out
            .split_once(' ')
            .and_then(|(s, r)| Some((s.parse::<f64>().ok()?, r.trim().parse::<u64>().ok()?)))
            .ok_or_else(|| format!("read-child said {out:?}"))?;
        bench.record(n, "read", tool, seconds).max_rss_kib = Some(rss);
        bench.record(n, "read", &format!("{tool} (in process)"), inside);
    }
    let (seconds, rss, out) = timed_rss(Command::new("ipvsadm").arg("-Sn"))?;
    bench.record(n, "read", "ipvsadm -Sn", seconds).max_rss_kib = Some(rss);
    bench.check(
        "ipvsadm -Sn output",
        table_from_rules(&out)
            .map_err(|e| e.to_string())
            .and_then(|t| same(&t, &desired)),
    );
    let (seconds, rss, _) = timed_rss(Command::new("ipvsadm").args(["-Ln", "--stats"]))?;
    bench
        .record(n, "read", "ipvsadm -Ln --stats", seconds)
        .max_rss_kib = Some(rss);
    if let Some((python, script)) = py {
        let out = run(Command::new(python).args([script, "read"]).arg(&rules_path))?;
        let seconds: f64 = out
            .trim()
            .parse()
            .map_err(|_| format!("pyroute2 said {out:?}"))?;
        bench.record(n, "read", "pyroute2", seconds);
    }

    // The 1% change: lvs reads, plans and applies; ipvsadm restores the whole file.
    let started = Instant::now();
    let current = ipvs.read_table().map_err(|e| e.to_string())?;
    let read_done = Instant::now();
    let plan = plan(
        &current,
        &changed_table,
        &Scope::all(),
        &PlanOptions::default(),
    )
    .map_err(|e| e.to_string())?;
    ipvs.apply(&plan.operations).map_err(|e| e.to_string())?;
    let apply_done = Instant::now();
    bench
        .record(
            n,
            "change",
            "lvs (plan+apply)",
            (apply_done - read_done).as_secs_f64(),
        )
        .ops = Some(plan.operations.len());
    bench
        .record(
            n,
            "change",
            "lvs (read+plan+apply)",
            (apply_done - started).as_secs_f64(),
        )
        .ops = Some(plan.operations.len());
    if plan.operations.len() != minimal_ops {
        bench.fail(format!(
            "{n}: the 1% change took {} operations, {minimal_ops} are needed",
            plan.operations.len()
        ));
    }
    bench.check("lvs change", verify_with(&ipvs, &changed_table));
    ipvs.apply(&plan_ops(&ipvs, &desired)?)
        .map_err(|e| e.to_string())?;
    let (seconds, _) = timed(
        Command::new("sh")
            .args(["-c", "ipvsadm -C && ipvsadm -R"])
            .stdin(file(&changed_path)?),
    )?;
    bench.record(n, "change", "ipvsadm -C; -R", seconds);
    bench.check("ipvsadm change", verify_with(&ipvs, &changed_table));
    ipvs.flush().map_err(|e| e.to_string())?;
    Ok(())
}

fn plan_ops(ipvs: &NetlinkIpvs, desired: &Table) -> Result<Vec<lvs_core::Operation>, String> {
    let current = ipvs.read_table().map_err(|e| e.to_string())?;
    Ok(
        plan(&current, desired, &Scope::all(), &PlanOptions::default())
            .map_err(|e| e.to_string())?
            .operations,
    )
}

fn netns_path(ns: &str) -> PathBuf {
    Path::new("/run/netns").join(ns)
}

/// Runs `f` in a new namespace named `bench-NAME`, flushing and removing it afterwards.
fn in_fresh_netns(
    name: &str,
    size: usize,
    f: impl FnOnce(&str) -> Result<(), String>,
) -> Result<(), String> {
    let ns = format!("bench-{name}");
    let _ = Command::new("ip")
        .args(["netns", "del", &ns])
        .stderr(Stdio::null())
        .status();
    run(Command::new("ip").args(["netns", "add", &ns]))?;
    // Until loopback is up a namespace has no local routing table, and the kernel refuses
    // real servers whose address type it cannot look up (EINVAL).
    run(Command::new("ip").args(["-n", &ns, "link", "set", "lo", "up"]))?;
    let result = f(&ns);
    let flushed = NetlinkIpvs::open_in_netns(netns_path(&ns))
        .and_then(|ipvs| ipvs.flush())
        .map_err(|e| format!("flushing {ns}: {e}"));
    run(Command::new("ip").args(["netns", "del", &ns]))?;
    settle(size);
    result.and(flushed)
}

/// Waits for the kernel to finish freeing a flushed table and a deleted namespace (it does
/// so in the background), so the next tool does not pay for the previous one's cleanup.
fn settle(size: usize) {
    std::thread::sleep(std::time::Duration::from_millis(500 + size as u64 / 10));
}

fn cleanup_all() -> Result<(), String> {
    for name in ["floor", "lvs", "ipvsadm", "pyroute2"] {
        let _ = Command::new("ip")
            .args(["netns", "del", &format!("bench-{name}")])
            .stderr(Stdio::null())
            .status();
    }
    NetlinkIpvs::open()
        .and_then(|i| i.flush())
        .map_err(|e| e.to_string())
}

/// Whether the table in namespace `ns` is `desired`.
fn verify(ns: &str, desired: &Table) -> Result<(), String> {
    let ipvs = NetlinkIpvs::open_in_netns(netns_path(ns)).map_err(|e| e.to_string())?;
    verify_with(&ipvs, desired)
}

fn verify_with(ipvs: &NetlinkIpvs, desired: &Table) -> Result<(), String> {
    same(&ipvs.read_table().map_err(|e| e.to_string())?, desired)
}

/// Whether two tables mean the same to the kernel (nothing to plan between them).
fn same(got: &Table, desired: &Table) -> Result<(), String> {
    let diff =
        plan(got, desired, &Scope::all(), &PlanOptions::default()).map_err(|e| e.to_string())?;
    if diff.is_empty() {
        Ok(())
    } else {
        let lines = diff.to_string();
        let head: Vec<&str> = lines.lines().take(5).collect();
        Err(format!(
            "table differs by {} operation(s), first: {}",
            diff.operations.len(),
            head.join("; ")
        ))
    }
}

fn file(path: &Path) -> Result<std::fs::File, String> {
    std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs a command to completion; its stdout, or an error with its stderr.
fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?}: {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs a command, timing it from start to exit.
fn timed(cmd: &mut Command) -> Result<(f64, String), String> {
    let started = Instant::now();
    let out = run(cmd)?;
    Ok((started.elapsed().as_secs_f64(), out))
}

/// Runs a command under GNU time: wall time, peak memory (KiB) and stdout.
fn timed_rss(cmd: &mut Command) -> Result<(f64, u64, String), String> {
    let report = std::env::temp_dir().join(format!("lvs-bench-time-{}", std::process::id()));
    let mut wrapped = Command::new(GNU_TIME);
    wrapped
        .args(["-f", "%M", "-o"])
        .arg(&report)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    let (seconds, out) = timed(&mut wrapped)?;
    let rss = std::fs::read_to_string(&report)
        .map_err(|e| format!("{}: {e}", report.display()))?
        .trim()
        .parse()
        .map_err(|_| "GNU time wrote no peak memory".to_string())?;
    let _ = std::fs::remove_file(&report);
    Ok((seconds, rss, out))
}

/// The read measured alone in its own process: reads the table of the namespace at PATH
/// (`-` for the caller's) with real servers and stats, checks it is the table of N
/// services, prints the seconds the read took and the peak memory (KiB) it had reached
/// when the read was done.
fn read_child(ns: Option<String>, n: Option<String>, how: Option<String>) -> ExitCode {
    let (Some(ns), Some(n)) = (ns, n.and_then(|n| n.parse::<usize>().ok())) else {
        eprintln!("usage: lvs-bench read-child PATH|- N [table|stream]");
        return ExitCode::from(2);
    };
    let ipvs = match ns.as_str() {
        "-" => NetlinkIpvs::open(),
        path => NetlinkIpvs::open_in_netns(path),
    };
    if how.as_deref() == Some("stream") {
        return read_child_streaming(ipvs, n);
    }
    let started = Instant::now();
    let read = ipvs.and_then(|ipvs| ipvs.table_with_stats());
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
    match peak {
        Some(kib) => println!("{seconds:.6} {kib}"),
        None => {
            eprintln!("read-child: no VmHWM in /proc/self/status");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// The streaming read: each service checked as it comes (against the service its address
/// says it is), nothing kept but which services were seen.
fn read_child_streaming(ipvs: Result<NetlinkIpvs, lvs_sys::Error>, n: usize) -> ExitCode {
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
    match peak {
        Some(kib) => println!("{seconds:.6} {kib}"),
        None => {
            eprintln!("read-child: no VmHWM in /proc/self/status");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// This process's peak resident set (what GNU time reports as maximum RSS), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The floor, run inside the namespace to fill: creates the table of N services with
/// requests encoded before the clock starts, 64 per system call on a bare netlink
/// socket, reading every acknowledgement; prints the seconds it took.
fn floor_child(n: Option<String>) -> ExitCode {
    let Some(n) = n.and_then(|n| n.parse::<usize>().ok()) else {
        eprintln!("usage: lvs-bench floor-child N");
        return ExitCode::from(2);
    };
    match floor(n) {
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

fn floor(n: usize) -> Result<f64, String> {
    let io = |op: &'static str| move |e: std::io::Error| format!("{op}: {e}");
    let socket =
        NlSocket::connect(NlFamily::Generic, None, Groups::empty()).map_err(io("socket"))?;
    socket
        .set_recv_buffer_size(4 << 20)
        .map_err(io("SO_RCVBUF"))?;
    let mut buf = vec![0u8; 64 * 1024];

    // Resolve the family, untimed.
    let mut msg = Vec::new();
    Request::get_family("IPVS").encode_into(&mut msg, 0, 1);
    socket.send(&msg, Msg::empty()).map_err(io("send"))?;
    let mut family = None;
    while family.is_none() {
        let (len, _) = socket
            .recv(&mut buf[..], Msg::empty())
            .map_err(io("recv"))?;
        for reply in Replies::new(&buf[..len]) {
            match reply.map_err(|e| e.to_string())? {
                Reply::Data { attrs, .. } => {
                    family = Some(decode_family_id(attrs).map_err(|e| e.to_string())?)
                }
                Reply::Error { errno, .. } => return Err(format!("resolve family: errno {errno}")),
                _ => {}
            }
        }
    }
    let family = family.unwrap();

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
        .chunks(BATCH)
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

fn write_results(bench: &Bench, out: &Path) -> std::io::Result<()> {
    let mut csv = String::from("size,what,tool,seconds,max_rss_kib,ops\n");
    let mut json = String::from("[\n");
    for (i, r) in bench.rows.iter().enumerate() {
        let rss = r.max_rss_kib.map(|v| v.to_string());
        let ops = r.ops.map(|v| v.to_string());
        let _ = writeln!(
            csv,
            "{},{},{},{:.6},{},{}",
            r.size,
            r.what,
            r.tool,
            r.seconds,
            rss.as_deref().unwrap_or(""),
            ops.as_deref().unwrap_or("")
        );
        let _ = writeln!(
            json,
            "  {{\"size\": {}, \"what\": \"{}\", \"tool\": \"{}\", \"seconds\": {:.6}, \
             \"max_rss_kib\": {}, \"ops\": {}}}{}",
            r.size,
            r.what,
            r.tool,
            r.seconds,
            rss.as_deref().unwrap_or("null"),
            ops.as_deref().unwrap_or("null"),
            if i + 1 < bench.rows.len() { "," } else { "" }
        );
    }
    json.push_str("]\n");
    std::fs::write(out.join("results.csv"), csv)?;
    std::fs::write(out.join("results.json"), json)
}

fn print_table(bench: &Bench) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(
        stdout,
        "{:>6}  {:<8} {:<22} {:>10} {:>10} {:>7}",
        "size", "what", "tool", "seconds", "maxrss KiB", "ops"
    );
    for r in &bench.rows {
        let _ = writeln!(
            stdout,
            "{:>6}  {:<8} {:<22} {:>10.3} {:>10} {:>7}",
            r.size,
            r.what,
            r.tool,
            r.seconds,
            r.max_rss_kib.map(|v| v.to_string()).unwrap_or_default(),
            r.ops.map(|v| v.to_string()).unwrap_or_default()
        );
    }
}
