//! lvs-bench: lvs against ipvsadm, pyroute2 and raw netlink on the same IPVS tables.
//!
//! ```text
//! lvs-bench [--sizes 1000,3000] [--out DIR] [--pyroute2-max N]
//!           [--python PATH --pyroute2-script PATH]      all measurements (root, IPVS kernel)
//!           [--lvsctl PATH] [--lvs-script PATH] [--ipvsadm-lvs PATH] [--exporter PATH]
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
//! - read the whole table with real servers and stats: lvs in a child process, the read
//!   floor (the services dump and one real-server dump per service, requests encoded before
//!   the clock starts, replies counted, over one socket), `ipvsadm -Sn`, `ipvsadm -Ln
//!   --stats`, pyroute2; with the peak memory of lvs and `ipvsadm -Sn`; and the
//!   plain listing: lvs's `table_for_listing` formatted as `ipvsadm -L -n` (a child
//!   process) against `ipvsadm -Ln`;
//! - a 1% change: lvs (read, plan, apply) against `ipvsadm -C; ipvsadm -R < desired`;
//! - the faces as users run them, whole processes (`faces`): `lvsctl apply`/`save`/`list`,
//!   a Python script on the `lvs` package (`--python` with `--lvs-script`), ipvsadm 1.31
//!   built on lvs (`-R`, `-Sn`, `-Ln`), a no-op `lvsctl apply`, a create right after a
//!   flush, the floor sending one request per system call (libipvs's API), and a scrape of
//!   lvs-exporter (`--exporter`);
//! - parsing and saving the rule text with `lvs_core::rules`.
//!
//! Every table written is read back and compared with what was meant; any difference or
//! failed measurement makes the exit code 1. Results go to DIR/results.csv and
//! DIR/results.json, and a table to stdout.
//!
//! One job per file: the tables (`tables`), the command line (`cli`), running tools
//! (`process`), the measurements run in a child process (`children`), reading back
//! (`verify`) and the results (`report`); this file runs the measurements in order.

use std::process::{Command, ExitCode};
use std::time::Instant;

use lvs_core::plan::{plan, PlanOptions, Scope};
// The ipvsadm form: the files also go to `ipvsadm -R`, and it is what was measured.
use lvs_core::rules::{save_ipvsadm as save, table_from_rules};
use lvs_core::{Ipvs, Table};
use lvs_sys::codec::message::Request;
use lvs_sys::NetlinkIpvs;

mod children;
mod cli;
mod faces;
mod process;
mod report;
mod tables;
mod verify;

use children::*;
use cli::*;
use process::*;
use report::*;
use tables::*;
use verify::*;

/// Real servers per service.
const SERVERS: usize = 4;
/// Requests per system call, as lvs batches them.
const BATCH: usize = 64;
/// GNU time, for the peak memory of a child process.
const GNU_TIME: &str = "/usr/bin/time";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("floor-child") => return floor_child(args.next(), args.next()),
        Some("read-child") => return read_child(args.next(), args.next(), args.next()),
        Some("read-floor-child") => return read_floor_child(args.next()),
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
        if let Some(request) = Request::from_operation(op) {
            request.encode_into(&mut buf, 0, seq as u32);
        }
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
    // The floor as lvs batches (64 per send), and as libipvs's API allows (1 per send).
    for (batch, tool) in [(BATCH, "floor"), (1, "floor (1 per send)")] {
        in_fresh_netns("floor", n, |ns| {
            let out = run(Command::new("ip")
                .args(["netns", "exec", ns])
                .arg(std::env::current_exe().map_err(|e| e.to_string())?)
                .args(["floor-child", &n.to_string(), &batch.to_string()]))?;
            bench.record(n, "create", tool, seconds_printed(&out)?).ops = Some(n * (1 + SERVERS));
            bench.check(&format!("{tool} create"), verify(ns, &desired));
            Ok(())
        })?;
    }
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
    let faces = faces::Faces::of(config);
    faces::create(bench, &faces, n, &desired, &rules_path)?;
    if let Some((python, script)) = py {
        in_fresh_netns("pyroute2", n, |ns| {
            let out = run(Command::new("ip")
                .args(["netns", "exec", ns, python, script, "create"])
                .arg(&rules_path))?;
            bench.record(n, "create", "pyroute2", seconds_printed(&out)?);
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
    for (how, tool) in [
        ("table", "lvs"),
        ("stream", "lvs stream"),
        ("listing", "lvs list (-L -n)"),
    ] {
        let (seconds, out) =
            timed(Command::new(&exe).args(["read-child", "-", &n.to_string(), how]))?;
        let (inside, rss) = out
            .split_once(' ')
            .and_then(|(s, r)| Some((s.parse::<f64>().ok()?, r.trim().parse::<u64>().ok()?)))
            .ok_or_else(|| format!("read-child said {out:?}"))?;
        bench.record(n, "read", tool, seconds).max_rss_kib = Some(rss);
        bench.record(n, "read", &format!("{tool} (in process)"), inside);
    }
    // The read floor: its own seconds, as "read lvs (in process)" is lvs's.
    let out = run(Command::new(&exe).args(["read-floor-child", &n.to_string()]))?;
    bench.record(n, "read", "floor (in process)", seconds_printed(&out)?);
    let (seconds, rss, out) = timed_rss(Command::new("ipvsadm").arg("-Sn"))?;
    bench.record(n, "read", "ipvsadm -Sn", seconds).max_rss_kib = Some(rss);
    bench.check(
        "ipvsadm -Sn output",
        table_from_rules(&out)
            .map_err(|e| e.to_string())
            .and_then(|t| same(&t, &desired)),
    );
    let (seconds, rss, listing) = timed_rss(Command::new("ipvsadm").arg("-Ln"))?;
    bench.record(n, "read", "ipvsadm -Ln", seconds).max_rss_kib = Some(rss);
    let (seconds, rss, _) = timed_rss(Command::new("ipvsadm").args(["-Ln", "--stats"]))?;
    bench
        .record(n, "read", "ipvsadm -Ln --stats", seconds)
        .max_rss_kib = Some(rss);
    if let Some((python, script)) = py {
        let out = run(Command::new(python).args([script, "read"]).arg(&rules_path))?;
        bench.record(n, "read", "pyroute2", seconds_printed(&out)?);
    }
    faces::read(bench, &faces, n, &desired, &listing)?;
    faces::python_startup(bench, &faces, n)?;
    if let Err(e) = faces::exporter_scrape(bench, &faces, n) {
        bench.fail(format!("{n}: {e}"));
    }
    faces::no_op_apply(bench, &faces, n, &ipvs, &desired, &rules_path)?;

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
    faces::after_flush(bench, &faces, n, &ipvs, &desired, &rules_path)?;
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
