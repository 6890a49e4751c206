//! Every refusal of the kernel's IPVS commands (the per-command errnos that `src/errno.rs`
//! maps) that a request built from lvs's typed model can provoke, one by one: the kernel's errno, the typed error lvs makes of it, `MemoryIpvs` refusing the
//! same request with the same error, and neither of them changing anything.
//!
//! Refusals the typed model cannot express (a missing SERVICE nest, an unknown address family,
//! a sync daemon without STATE) are kept out of reach by the encoder; they are listed in the
//! lvs-sys README rather than tested here.

use std::net::{IpAddr, SocketAddr};

use lvs_core::{
    Classify, DaemonRole, ErrorKind, Family, ForwardMethod, Ipvs, MemoryIpvs, Netmask, Operation,
    RealServer, Scheduler, Service, ServiceKey, SyncDaemon, Timeouts, Tunnel, TunnelChecksum,
};

use crate::support::{require_ipvs_kernel, run_ok, same_error, snapshot, Netns};

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// One refusal: what to set up first, the refused operation, and the kernel's errno.
struct Case {
    name: &'static str,
    setup: Vec<Operation>,
    refused: Operation,
    errno: i32,
    kind: ErrorKind,
}

const SYNC_IFACE: &str = "sync0";

fn vip() -> ServiceKey {
    ServiceKey::tcp(sa("192.0.2.1:80"))
}

fn vip6() -> ServiceKey {
    ServiceKey::tcp(sa("[2001:db8::1]:80"))
}

fn missing() -> ServiceKey {
    ServiceKey::tcp(sa("192.0.2.99:80"))
}

fn nat(addr: &str) -> RealServer {
    RealServer::new(sa(addr)).with_forward(ForwardMethod::Masquerade)
}

fn add_vip() -> Operation {
    Operation::AddService(Service::new(vip()))
}

fn with_server() -> Vec<Operation> {
    vec![
        add_vip(),
        Operation::AddServer(vip(), nat("198.51.100.1:8080")),
    ]
}

fn master(interface: &str) -> SyncDaemon {
    SyncDaemon::new(DaemonRole::Master, interface)
}

fn cases() -> Vec<Case> {
    use ErrorKind::*;
    use Operation::*;
    let fwmark6 = ServiceKey::fwmark(7, Family::Ipv6);
    let gue_no_port = RealServer::new(sa("198.51.100.2:80"))
        .with_forward(ForwardMethod::Tunnel(Tunnel::gue(0, TunnelChecksum::None)));
    let mixed_family_route =
        RealServer::new(sa("[2001:db8:1::2]:80")).with_forward(ForwardMethod::DirectRoute);
    let mixed_family_tunnel =
        RealServer::new(sa("[2001:db8:1::2]:80")).with_forward(ForwardMethod::Tunnel(Tunnel::IPIP));
    vec![
        // Service not found: ESRCH, before anything else is looked at.
        Case {
            name: "edit a missing service",
            setup: vec![],
            refused: EditService(Service::new(missing())),
            errno: libc::ESRCH,
            kind: NotFound,
        },
        Case {
            name: "delete a missing service",
            setup: vec![],
            refused: DeleteService(missing()),
            errno: libc::ESRCH,
            kind: NotFound,
        },
        Case {
            name: "zero a missing service",
            setup: vec![add_vip()],
            refused: Zero(Some(missing())),
            errno: libc::ESRCH,
            kind: NotFound,
        },
        Case {
            name: "add a real server to a missing service",
            setup: vec![],
            refused: AddServer(missing(), nat("198.51.100.1:80")),
            errno: libc::ESRCH,
            kind: NotFound,
        },
        Case {
            name: "edit a real server of a missing service",
            setup: vec![],
            refused: EditServer(missing(), nat("198.51.100.1:80")),
            errno: libc::ESRCH,
            kind: NotFound,
        },
        Case {
            name: "delete a real server of a missing service",
            setup: vec![],
            refused: DeleteServer(missing(), sa("198.51.100.1:80")),
            errno: libc::ESRCH,
            kind: NotFound,
        },
        // Adding and editing services.
        Case {
            name: "add a service twice",
            setup: vec![add_vip()],
            refused: add_vip(),
            errno: libc::EEXIST,
            kind: AlreadyExists,
        },
        Case {
            name: "add a service with an unknown scheduler",
            setup: vec![],
            refused: AddService(
                Service::new(vip()).with_scheduler(Scheduler::Other("nosuch".into())),
            ),
            errno: libc::ENOENT,
            kind: NotFound,
        },
        Case {
            name: "add a service with an unknown persistence engine",
            setup: vec![],
            refused: AddService(Service::new(vip()).persistent(60).with_pe_name("nope")),
            errno: libc::ENOENT,
            kind: NotFound,
        },
        Case {
            name: "edit a service to an unknown scheduler",
            setup: vec![add_vip()],
            refused: EditService(
                Service::new(vip()).with_scheduler(Scheduler::Other("nosuch".into())),
            ),
            errno: libc::ENOENT,
            kind: NotFound,
        },
        Case {
            name: "add an IPv6 service with prefix 0",
            setup: vec![],
            refused: AddService(
                Service::new(fwmark6)
                    .persistent(60)
                    .with_netmask(Netmask::V6Prefix(0)),
            ),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        Case {
            name: "add an IPv6 service with prefix 129",
            setup: vec![],
            refused: AddService(
                Service::new(vip6())
                    .persistent(60)
                    .with_netmask(Netmask::V6Prefix(129)),
            ),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        Case {
            name: "edit an IPv6 service to prefix 129",
            setup: vec![AddService(Service::new(vip6()))],
            refused: EditService(
                Service::new(vip6())
                    .persistent(60)
                    .with_netmask(Netmask::V6Prefix(129)),
            ),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        // Adding real servers.
        Case {
            name: "add a real server twice",
            setup: with_server(),
            refused: AddServer(vip(), nat("198.51.100.1:8080").with_weight(5)),
            errno: libc::EEXIST,
            kind: AlreadyExists,
        },
        Case {
            name: "add a real server whose weight is negative to the kernel",
            setup: vec![add_vip()],
            refused: AddServer(vip(), nat("198.51.100.1:80").with_weight(1 << 31)),
            errno: libc::ERANGE,
            kind: OutOfRange,
        },
        Case {
            name: "add a real server whose lower threshold exceeds the upper",
            setup: vec![add_vip()],
            refused: AddServer(vip(), nat("198.51.100.1:80").with_thresholds(10, 20)),
            errno: libc::ERANGE,
            kind: OutOfRange,
        },
        Case {
            name: "add a real server with a lower threshold and no upper one",
            setup: vec![add_vip()],
            refused: AddServer(vip(), nat("198.51.100.1:80").with_thresholds(0, 5)),
            errno: libc::ERANGE,
            kind: OutOfRange,
        },
        Case {
            name: "add a GUE real server without a port",
            setup: vec![add_vip()],
            refused: AddServer(vip(), gue_no_port),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        Case {
            name: "add a multicast IPv4 real server",
            setup: vec![add_vip()],
            refused: AddServer(vip(), nat("224.0.0.5:80")),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        Case {
            name: "add a broadcast IPv4 real server",
            setup: vec![add_vip()],
            refused: AddServer(vip(), nat("255.255.255.255:80")),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        Case {
            name: "add a multicast IPv6 real server",
            setup: vec![AddService(Service::new(vip6()))],
            refused: AddServer(vip6(), nat("[ff02::1]:80")),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        Case {
            name: "add a link-local IPv6 real server",
            setup: vec![AddService(Service::new(vip6()))],
            refused: AddServer(vip6(), nat("[fe80::1]:80")),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        Case {
            name: "add a mixed-family real server that does not tunnel",
            setup: vec![add_vip()],
            refused: AddServer(vip(), mixed_family_route),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        Case {
            name: "add a mixed-family real server while a sync daemon runs",
            setup: vec![add_vip(), StartDaemon(master(SYNC_IFACE))],
            refused: AddServer(vip(), mixed_family_tunnel),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        // Editing and deleting real servers.
        Case {
            name: "edit a missing real server",
            setup: with_server(),
            refused: EditServer(vip(), nat("198.51.100.2:8080")),
            errno: libc::ENOENT,
            kind: NotFound,
        },
        Case {
            name: "edit a real server to a negative weight",
            setup: with_server(),
            refused: EditServer(vip(), nat("198.51.100.1:8080").with_weight(u32::MAX)),
            errno: libc::ERANGE,
            kind: OutOfRange,
        },
        Case {
            name: "edit a real server to crossed thresholds",
            setup: with_server(),
            refused: EditServer(vip(), nat("198.51.100.1:8080").with_thresholds(1, 2)),
            errno: libc::ERANGE,
            kind: OutOfRange,
        },
        Case {
            name: "edit a real server to GUE without a port",
            setup: vec![
                add_vip(),
                AddServer(
                    vip(),
                    RealServer::new(sa("198.51.100.2:80"))
                        .with_forward(ForwardMethod::Tunnel(Tunnel::IPIP)),
                ),
            ],
            refused: EditServer(vip(), gue_no_port),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        Case {
            name: "delete a missing real server",
            setup: with_server(),
            refused: DeleteServer(vip(), sa("198.51.100.2:8080")),
            errno: libc::ENOENT,
            kind: NotFound,
        },
        // Timeouts.
        Case {
            name: "set a timeout beyond INT_MAX jiffies",
            setup: vec![],
            refused: SetTimeouts(Timeouts::new(i32::MAX as u32 / 250 + 1, 0, 0)),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        // Sync daemons.
        Case {
            name: "start a sync daemon on a missing interface",
            setup: vec![],
            refused: StartDaemon(master("nosuch0")),
            errno: libc::ENODEV,
            kind: NotFound,
        },
        Case {
            name: "start a master sync daemon twice",
            setup: vec![StartDaemon(master(SYNC_IFACE))],
            refused: StartDaemon(master(SYNC_IFACE).with_sync_id(2)),
            errno: libc::EEXIST,
            kind: AlreadyExists,
        },
        Case {
            name: "start a backup sync daemon twice",
            setup: vec![StartDaemon(SyncDaemon::new(DaemonRole::Backup, SYNC_IFACE))],
            refused: StartDaemon(SyncDaemon::new(DaemonRole::Backup, SYNC_IFACE)),
            errno: libc::EEXIST,
            kind: AlreadyExists,
        },
        Case {
            name: "start a sync daemon with a unicast IPv4 group",
            setup: vec![],
            refused: StartDaemon(master(SYNC_IFACE).with_group(ip("192.0.2.7"))),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        Case {
            name: "start a sync daemon with a unicast IPv6 group",
            setup: vec![],
            refused: StartDaemon(master(SYNC_IFACE).with_group(ip("2001:db8::7"))),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        Case {
            name: "start a sync daemon while a mixed-family real server exists",
            setup: vec![add_vip(), AddServer(vip(), mixed_family_tunnel)],
            refused: StartDaemon(master(SYNC_IFACE)),
            errno: libc::EINVAL,
            kind: InvalidInput,
        },
        Case {
            name: "stop a sync daemon that is not running",
            setup: vec![StartDaemon(master(SYNC_IFACE))],
            refused: StopDaemon(DaemonRole::Backup),
            errno: libc::ESRCH,
            kind: NotFound,
        },
    ]
}

/// Runs one case on a fresh namespace and a fresh `MemoryIpvs`; returns what went wrong.
fn check(case: &Case) -> Result<(), String> {
    let ns = Netns::new("errpath");
    run_ok(std::process::Command::new("ip").args([
        "-n",
        ns.name(),
        "link",
        "add",
        SYNC_IFACE,
        "type",
        "dummy",
    ]));
    run_ok(std::process::Command::new("ip").args([
        "-n",
        ns.name(),
        "link",
        "set",
        SYNC_IFACE,
        "up",
    ]));
    let kernel = ns.lvs();
    let memory = MemoryIpvs::new().with_interface(SYNC_IFACE, 1500);
    for op in &case.setup {
        kernel
            .apply_one(op)
            .map_err(|e| format!("kernel setup {op:?}: {e}"))?;
        memory
            .apply_one(op)
            .map_err(|e| format!("memory setup {op:?}: {e}"))?;
    }
    let kernel_before = snapshot(&kernel);
    let memory_before = snapshot(&memory);

    let kernel_error = match kernel.apply_one(&case.refused) {
        Ok(()) => return Err("the kernel accepted it".into()),
        Err(e) => e,
    };
    let memory_error = match memory.apply_one(&case.refused) {
        Ok(()) => return Err(format!("MemoryIpvs accepted it (kernel: {kernel_error})")),
        Err(e) => e,
    };
    let mut problems = Vec::new();
    if kernel_error.errno() != Some(case.errno) {
        problems.push(format!(
            "kernel errno {:?}, expected {} ({kernel_error})",
            kernel_error.errno(),
            case.errno
        ));
    }
    if kernel_error.kind() != case.kind {
        problems.push(format!(
            "kernel error kind {:?}, expected {:?} ({kernel_error})",
            kernel_error.kind(),
            case.kind
        ));
    }
    match kernel_error.ipvs_error() {
        None => problems.push(format!("kernel error is not typed: {kernel_error}")),
        Some(typed) if !same_error(typed, &memory_error) => problems.push(format!(
            "kernel says {typed:?}, MemoryIpvs says {memory_error:?}"
        )),
        Some(_) => {}
    }
    if snapshot(&kernel) != kernel_before {
        problems.push("the kernel's state changed".into());
    }
    if snapshot(&memory) != memory_before {
        problems.push("MemoryIpvs's state changed".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[test]
fn every_refusal_is_typed_and_matched_by_memory_ipvs() {
    let release = require_ipvs_kernel();
    let cases = cases();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| check(case).err().map(|e| format!("{}: {e}", case.name)))
        .collect();
    println!(
        "kernel {release}: {} refusals checked, {} failed",
        cases.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn get_service_on_a_missing_service_is_not_found_and_flush_always_succeeds() {
    require_ipvs_kernel();
    let ns = Netns::new("errpath-read");
    let kernel = ns.lvs();
    let e = kernel.service(&missing()).unwrap_err();
    assert_eq!(e.errno(), Some(libc::ESRCH), "{e}");
    assert!(
        matches!(e.ipvs_error(), Some(lvs_core::Error::ServiceNotFound(k)) if *k == missing()),
        "{e}"
    );
    let memory_error = MemoryIpvs::new().service(&missing()).unwrap_err();
    assert_eq!(&memory_error, e.ipvs_error().unwrap());
    kernel.flush().expect("flush of an empty table");
    kernel.zero(None).expect("zero of an empty table");
}

/// README "Kernels": a fresh namespace whose loopback was never up takes no IPv4 real
/// server, and takes it once `lo` is up (a loopback brought down later does not matter:
/// checked too). `MemoryIpvs` has no interfaces and always takes it: this is the kernel's
/// alone, which is why every test namespace brings `lo` up.
#[test]
fn a_fresh_namespace_refuses_ipv4_real_servers_until_its_loopback_is_up() {
    require_ipvs_kernel();
    /// A namespace made without bringing `lo` up (unlike [`Netns`]), deleted at the end.
    struct Bare(String);
    impl Drop for Bare {
        fn drop(&mut self) {
            let _ = std::process::Command::new("ip")
                .args(["netns", "del", &self.0])
                .status();
        }
    }
    let ns = Bare(format!("lvs-bare-{}", std::process::id()));
    run_ok(std::process::Command::new("ip").args(["netns", "add", &ns.0]));
    let ip_lo = |state: &str| {
        run_ok(std::process::Command::new("ip").args(["-n", &ns.0, "link", "set", "lo", state]));
    };
    let ipvs = lvs_sys::NetlinkIpvs::open_in_netns(format!("/run/netns/{}", ns.0)).unwrap();
    let key = ServiceKey::tcp(sa("192.0.2.1:80"));
    ipvs.add_service(&Service::new(key)).unwrap();
    let server = RealServer::new(sa("198.51.100.1:8080")).with_forward(ForwardMethod::Masquerade);
    let e = ipvs.add_server(&key, &server).expect_err("lo never up");
    assert_eq!(
        (e.kind(), e.errno()),
        (ErrorKind::InvalidInput, Some(libc::EINVAL)),
        "{e}"
    );
    assert!(ipvs.servers(&key).unwrap().is_empty());
    let memory = MemoryIpvs::new();
    memory.add_service(&Service::new(key)).unwrap();
    memory
        .add_server(&key, &server)
        .expect("MemoryIpvs has no loopback to be down");
    ip_lo("up");
    ipvs.add_server(&key, &server).expect("lo up");
    ip_lo("down");
    let second = RealServer::new(sa("198.51.100.2:8080")).with_forward(ForwardMethod::Masquerade);
    ipvs.add_server(&key, &second).expect("lo down again");
    assert_eq!(ipvs.servers(&key).unwrap().len(), 2);
}
