//! Helpers for kernel tests: private network namespaces and running tools inside them.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use lvs_core::{Ipvs, SyncDaemon, Table, Timeouts};

/// Fails the test unless it runs on a kernel with IPVS, as root.
pub fn require_ipvs_kernel() -> String {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .expect("read /proc/sys/kernel/osrelease")
        .trim()
        .to_owned();
    assert!(
        std::path::Path::new("/proc/net/ip_vs").exists(),
        "kernel {release} has no IPVS (/proc/net/ip_vs is missing): run the kernel tests \
         through tests/run, which boots the test VM"
    );
    release
}

/// A named network namespace that exists for the life of the value, with `lo` up.
///
/// IPVS state is per namespace, so each test gets an empty table of its own.
#[derive(Debug)]
pub struct Netns {
    name: String,
}

impl Netns {
    /// Creates a namespace whose name starts with `tag`.
    pub fn new(tag: &str) -> Netns {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "lvs-{tag}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        run_ok(Command::new("ip").args(["netns", "add", &name]));
        let ns = Netns { name };
        // IPv4 real servers are refused as "not unicast" while lo is down.
        run_ok(Command::new("ip").args(["-n", &ns.name, "link", "set", "lo", "up"]));
        ns
    }

    /// The namespace's name, as `ip netns` knows it.
    #[allow(dead_code)]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace's file, to open an lvs handle in it.
    pub fn path(&self) -> String {
        format!("/run/netns/{}", self.name)
    }

    /// An lvs handle on this namespace's IPVS table.
    pub fn lvs(&self) -> lvs_sys::NetlinkIpvs {
        lvs_sys::NetlinkIpvs::open_in_netns(self.path()).expect("open an lvs handle in the netns")
    }

    /// A command that runs `program` inside the namespace.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name, program]);
        cmd
    }

    /// Runs Debian's `ipvsadm` with `args` inside the namespace; panics unless it succeeds.
    pub fn ipvsadm(&self, args: &[&str]) -> String {
        let out = run_ok(self.command("ipvsadm").args(args));
        String::from_utf8(out.stdout).expect("ipvsadm printed UTF-8")
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

/// The lvsctl example binary, built by `cargo test` next to this test binary's directory.
pub fn lvsctl() -> PathBuf {
    example("lvsctl")
}

/// The lvs-exporter example binary, built next to this test binary's directory (the
/// example's own unit tests make `cargo test` build it as a test; `tests/run` builds the
/// binary with `cargo build -p lvs-sys --examples`).
pub fn exporter() -> PathBuf {
    example("lvs-exporter")
}

/// An example binary of lvs-sys, in the `examples` directory beside `deps`, where this
/// test binary is.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p lvs-sys --example {name}` (tests/run does)",
        path.display()
    );
    path
}

/// Runs a command, panicking with its stderr unless it exits 0.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed with {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Everything an operation could have changed, to check that a refusal changed nothing.
pub fn snapshot(ipvs: &impl Ipvs) -> (Table, Timeouts, Vec<SyncDaemon>) {
    // Services in lvs's order (the kernel lists them in hash order); real servers in the
    // order given, which MemoryIpvs keeps like the kernel (newest first).
    let mut table = ipvs.read_table().expect("list services and real servers");
    lvs_core::order::sort_services(&mut table.services);
    let mut daemons = ipvs.daemons().expect("list daemons");
    daemons.sort_by_key(|d| d.role.number());
    (table, ipvs.timeouts().expect("read timeouts"), daemons)
}

/// Same variant, and the same subject where the error names one (a service, a server, a
/// scheduler, a daemon); reasons are free text and differ between the two.
pub fn same_error(kernel: &lvs_core::Error, memory: &lvs_core::Error) -> bool {
    use lvs_core::Error as E;
    match (kernel, memory) {
        (E::Invalid { .. }, E::Invalid { .. }) | (E::OutOfRange { .. }, E::OutOfRange { .. }) => {
            true
        }
        _ => kernel == memory,
    }
}

/// The names of this process's open file descriptors.
pub fn open_fds() -> Vec<OsString> {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect()
}

/// The names of another process's open file descriptors, sorted.
pub fn open_fds_of(pid: u32) -> Vec<OsString> {
    let mut fds: Vec<OsString> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    fds.sort();
    fds
}

/// Fails unless every file descriptor opened since `before` (from [`open_fds`]) is
/// close-on-exec.
pub fn assert_new_fds_close_on_exec(before: &[OsString]) {
    for name in open_fds() {
        if before.contains(&name) {
            continue;
        }
        let fdinfo =
            std::fs::read_to_string(format!("/proc/self/fdinfo/{}", name.to_string_lossy()));
        let Ok(fdinfo) = fdinfo else { continue };
        let flags = fdinfo
            .lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .map(|f| u32::from_str_radix(f.trim(), 8).unwrap())
            .unwrap();
        assert_ne!(
            flags & libc::O_CLOEXEC as u32,
            0,
            "fd {name:?} is not close-on-exec"
        );
    }
}
