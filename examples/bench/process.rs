//! Running tools: network namespaces, child processes, timing and peak memory.

use lvs_core::Ipvs;
use lvs_sys::NetlinkIpvs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::*;

pub(crate) fn netns_path(ns: &str) -> PathBuf {
    Path::new("/run/netns").join(ns)
}

/// Runs `f` in a new namespace named `bench-NAME`, flushing and removing it afterwards.
pub(crate) fn in_fresh_netns(
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
pub(crate) fn settle(size: usize) {
    std::thread::sleep(std::time::Duration::from_millis(500 + size as u64 / 10));
}

pub(crate) fn cleanup_all() -> Result<(), String> {
    for name in [
        "floor",
        "lvs",
        "ipvsadm",
        "pyroute2",
        "lvsctl",
        "python",
        "ipvsadm-lvs",
    ] {
        let _ = Command::new("ip")
            .args(["netns", "del", &format!("bench-{name}")])
            .stderr(Stdio::null())
            .status();
    }
    NetlinkIpvs::open()
        .and_then(|i| i.flush())
        .map_err(|e| e.to_string())
}

pub(crate) fn file(path: &Path) -> Result<std::fs::File, String> {
    std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs a command to completion; its stdout, or an error with its stderr.
pub(crate) fn run(cmd: &mut Command) -> Result<String, String> {
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
pub(crate) fn timed(cmd: &mut Command) -> Result<(f64, String), String> {
    let started = Instant::now();
    let out = run(cmd)?;
    Ok((started.elapsed().as_secs_f64(), out))
}

/// Runs a command under GNU time: wall time, peak memory (KiB) and stdout.
pub(crate) fn timed_rss(cmd: &mut Command) -> Result<(f64, u64, String), String> {
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

/// The seconds a child printed (the floor, pyroute2's and Python's scripts).
pub(crate) fn seconds_printed(out: &str) -> Result<f64, String> {
    out.trim()
        .parse()
        .map_err(|_| format!("expected seconds, got {out:?}"))
}
