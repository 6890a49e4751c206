//! lvs as users run it: whole processes of `lvsctl`, a Python script on the `lvs` package and
//! ipvsadm 1.31 built on lvs's libipvs, beside Debian's ipvsadm and the floor.

use std::path::Path;
use std::process::Command;

use lvs_core::rules::table_from_rules;
use lvs_core::Table;
use lvs_sys::NetlinkIpvs;

use super::*;

/// The faces' programs, each measured when given.
pub(crate) struct Faces<'a> {
    pub(crate) lvsctl: Option<&'a str>,
    /// A Python with the `lvs` package, and the script (benchmarks/lvs_ops.py) it runs.
    pub(crate) python: Option<(&'a str, &'a str)>,
    pub(crate) ipvsadm_lvs: Option<&'a str>,
    pub(crate) exporter: Option<&'a str>,
}

impl<'a> Faces<'a> {
    pub(crate) fn of(config: &'a Config) -> Faces<'a> {
        Faces {
            lvsctl: config.lvsctl.as_deref(),
            python: config.python.as_deref().zip(config.lvs_script.as_deref()),
            ipvsadm_lvs: config.ipvsadm_lvs.as_deref(),
            exporter: config.exporter.as_deref(),
        }
    }
}

/// Creates the table from empty with each face, each in a fresh namespace; `ip netns exec`
/// starts each of them, as it does `ipvsadm -R` (so every create row pays for it alike).
pub(crate) fn create(
    bench: &mut Bench,
    faces: &Faces<'_>,
    n: usize,
    desired: &Table,
    rules: &Path,
) -> Result<(), String> {
    if let Some(lvsctl) = faces.lvsctl {
        in_fresh_netns("lvsctl", n, |ns| {
            let (seconds, _) = timed(
                Command::new("ip")
                    .args(["netns", "exec", ns, lvsctl, "apply"])
                    .arg(rules),
            )?;
            bench.record(n, "create", "lvsctl apply", seconds);
            bench.check("lvsctl create", verify(ns, desired));
            Ok(())
        })?;
    }
    if let Some((python, script)) = faces.python {
        in_fresh_netns("python", n, |ns| {
            let (seconds, out) = timed(
                Command::new("ip")
                    .args(["netns", "exec", ns, python, script, "create"])
                    .arg(rules),
            )?;
            bench.record(n, "create", "python apply(text)", seconds);
            bench.record(
                n,
                "create",
                "python apply(text) (call)",
                seconds_printed(&out)?,
            );
            bench.check("python create", verify(ns, desired));
            Ok(())
        })?;
    }
    if let Some(ipvsadm) = faces.ipvsadm_lvs {
        in_fresh_netns("ipvsadm-lvs", n, |ns| {
            let (seconds, _) = timed(
                Command::new("ip")
                    .args(["netns", "exec", ns, ipvsadm, "-R"])
                    .stdin(file(rules)?),
            )?;
            bench.record(n, "create", "ipvsadm-on-lvs -R", seconds);
            bench.check("ipvsadm-on-lvs create", verify(ns, desired));
            Ok(())
        })?;
    }
    Ok(())
}

/// Reads the table (in the caller's namespace, holding `desired`) with each face, checking
/// what each printed: saves must parse back to `desired`, listings must be `ipvsadm -Ln`'s
/// text (`listing`) byte for byte.
pub(crate) fn read(
    bench: &mut Bench,
    faces: &Faces<'_>,
    n: usize,
    desired: &Table,
    listing: &str,
) -> Result<(), String> {
    let parses_to = |what: &str, text: &str| {
        table_from_rules(text)
            .map_err(|e| format!("{what}: {e}"))
            .and_then(|t| same(&t, desired).map_err(|e| format!("{what}: {e}")))
    };
    let lists_as_ipvsadm = |what: &str, text: &str| {
        if text == listing {
            Ok(())
        } else {
            let at = text
                .lines()
                .zip(listing.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(text.lines().count().min(listing.lines().count()));
            Err(format!(
                "{what} differs from ipvsadm -Ln from line {}",
                at + 1
            ))
        }
    };
    if let Some(lvsctl) = faces.lvsctl {
        let (seconds, rss, out) = timed_rss(Command::new(lvsctl).arg("save"))?;
        bench.record(n, "read", "lvsctl save", seconds).max_rss_kib = Some(rss);
        bench.check("lvsctl save output", parses_to("lvsctl save", &out));
        let (seconds, rss, out) = timed_rss(Command::new(lvsctl).arg("list"))?;
        bench.record(n, "read", "lvsctl list", seconds).max_rss_kib = Some(rss);
        bench.check("lvsctl list output", lists_as_ipvsadm("lvsctl list", &out));
    }
    if let Some((python, script)) = faces.python {
        for (how, tool) in [
            ("loop", "python services()+servers()"),
            ("table", "python table()"),
        ] {
            let (seconds, rss, out) =
                timed_rss(Command::new(python).args([script, how, &n.to_string()]))?;
            bench.record(n, "read", tool, seconds).max_rss_kib = Some(rss);
            bench.record(n, "read", &format!("{tool} (call)"), seconds_printed(&out)?);
        }
    }
    if let Some(ipvsadm) = faces.ipvsadm_lvs {
        let (seconds, rss, out) = timed_rss(Command::new(ipvsadm).arg("-Sn"))?;
        bench
            .record(n, "read", "ipvsadm-on-lvs -Sn", seconds)
            .max_rss_kib = Some(rss);
        bench.check(
            "ipvsadm-on-lvs -Sn output",
            parses_to("ipvsadm-on-lvs -Sn", &out),
        );
        let (seconds, rss, out) = timed_rss(Command::new(ipvsadm).arg("-Ln"))?;
        bench
            .record(n, "read", "ipvsadm-on-lvs -Ln", seconds)
            .max_rss_kib = Some(rss);
        bench.check(
            "ipvsadm-on-lvs -Ln output",
            lists_as_ipvsadm("ipvsadm-on-lvs -Ln", &out),
        );
    }
    Ok(())
}

/// Python's start-up with `import lvs` beside `import json` and an empty script (goal:
/// `import lvs` within 1.5× of `import json`), whole processes.
pub(crate) fn python_startup(bench: &mut Bench, faces: &Faces<'_>, n: usize) -> Result<(), String> {
    let Some((python, _)) = faces.python else {
        return Ok(());
    };
    for (code, tool) in [
        ("pass", "python (nothing)"),
        ("import json", "python import json"),
        ("import lvs", "python import lvs"),
    ] {
        let (seconds, rss, _) = timed_rss(Command::new(python).args(["-c", code]))?;
        bench.record(n, "startup", tool, seconds).max_rss_kib = Some(rss);
    }
    Ok(())
}

/// `lvsctl apply` of the file the table already is: reads, parses, plans nothing, sends
/// nothing (goal: within 1.2× of the read floor).
pub(crate) fn no_op_apply(
    bench: &mut Bench,
    faces: &Faces<'_>,
    n: usize,
    ipvs: &NetlinkIpvs,
    desired: &Table,
    rules: &Path,
) -> Result<(), String> {
    let Some(lvsctl) = faces.lvsctl else {
        return Ok(());
    };
    let (seconds, rss, _) = timed_rss(Command::new(lvsctl).arg("apply").arg(rules))?;
    bench.record(n, "noop", "lvsctl apply", seconds).max_rss_kib = Some(rss);
    bench.check("lvsctl no-op apply", verify_with(ipvs, desired));
    Ok(())
}

/// Creating right after a flush of a table of the same size, in the same namespace: the
/// kernel frees the old table meanwhile (`ipvsadm -C; ipvsadm -R` pays this; a minimal plan
/// does not). `ipvs` holds `desired` when called, and is empty after.
pub(crate) fn after_flush(
    bench: &mut Bench,
    faces: &Faces<'_>,
    n: usize,
    ipvs: &NetlinkIpvs,
    desired: &Table,
    rules: &Path,
) -> Result<(), String> {
    let Some(lvsctl) = faces.lvsctl else {
        return Ok(());
    };
    ipvs.flush().map_err(|e| e.to_string())?;
    let (seconds, _) = timed(Command::new(lvsctl).arg("apply").arg(rules))?;
    bench.record(n, "create", "lvsctl apply after flush", seconds);
    bench.check("lvsctl apply after flush", verify_with(ipvs, desired));
    ipvs.flush().map_err(|e| e.to_string())?;
    settle(n);
    Ok(())
}

/// lvs-exporter scraped (the caller's namespace, holding the bench's table of `n`
/// services): the second scrape's time (the first also opens the extra read sockets) and
/// the exporter's peak memory after both.
pub(crate) fn exporter_scrape(
    bench: &mut Bench,
    faces: &Faces<'_>,
    n: usize,
) -> Result<(), String> {
    let Some(exporter) = faces.exporter else {
        return Ok(());
    };
    let listen = "127.0.0.1:9753";
    let mut child = Command::new(exporter)
        .args(["--listen", listen])
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("{exporter}: {e}"))?;
    let result = (|| {
        let started = std::time::Instant::now();
        let first = loop {
            match get_metrics(listen) {
                Ok(text) => break text,
                Err(_) if started.elapsed() < std::time::Duration::from_secs(30) => {
                    std::thread::sleep(std::time::Duration::from_millis(50))
                }
                Err(e) => return Err(format!("scraping lvs-exporter: {e}")),
            }
        };
        let services = format!("lvs_services{{netns=\"\"}} {n}\n");
        if !first.contains(&services) {
            return Err(format!("lvs-exporter's first scrape has no {services:?}"));
        }
        let started = std::time::Instant::now();
        let second = get_metrics(listen).map_err(|e| format!("scraping lvs-exporter: {e}"))?;
        let seconds = started.elapsed().as_secs_f64();
        let peak = peak_rss_kib_of(&child.id().to_string());
        let row = bench.record(n, "read", "lvs-exporter scrape", seconds);
        row.max_rss_kib = peak;
        eprintln!("  (lvs-exporter: {} bytes of metrics)", second.len());
        Ok(())
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// GET /metrics over HTTP/1.1; the body.
fn get_metrics(addr: &str) -> std::io::Result<String> {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(600)))?;
    stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    match answer.split_once("\r\n\r\n") {
        Some((head, body)) if head.starts_with("HTTP/1.1 200") => Ok(body.to_owned()),
        _ => Err(std::io::Error::other(format!(
            "answer {:?}",
            answer.lines().next().unwrap_or("")
        ))),
    }
}
