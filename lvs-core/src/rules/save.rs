//! Writing a table as `ipvsadm -S -n` does.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::model::{
    DaemonRole, Family, ForwardMethod, Protocol, RealServer, SchedFlags, Scheduler, Service,
    ServiceKey, TunnelChecksum, TunnelKind,
};
use crate::ops::Operation;
use crate::order::{cmp_servers, cmp_services};
use crate::table::Table;

/// The rule text of a table, byte for byte as `ipvsadm -S -n` (1.31) prints it.
///
/// Services come in [`cmp_services`] order, each followed by its real servers in
/// [`cmp_servers`] order; every line ends with a newline; an empty table gives an empty
/// string. Like ipvsadm, the text leaves out what ipvsadm does not save: real-server
/// thresholds, the netmask and persistence engine of services that are not persistent,
/// and the forwarding method `Local` (written as `-g`).
///
/// Where this differs from ipvsadm 1.31:
/// - firewall marks are printed unsigned (`%u`, as ipvsadm does since 2020); 1.31 prints
///   marks above 2^31 as negative numbers (`%d`);
/// - `flag-3` is printed for `sh` and `mh` services too (ipvsadm leaves it out, and prints a
///   bare `-b` when it is the only flag, which it cannot read back);
/// - the order is lvs's (see [`crate::order`]) where ipvsadm's comparator wraps around.
///
/// Values no ipvsadm command can set are printed as ipvsadm prints them: the forwarding
/// methods `Bypass` and other numbers as `(null)`, other protocols as `--xxx-service`,
/// tunnel types and checksum modes it does not know as nothing. Such text does not read back.
pub fn save(table: &Table) -> String {
    let mut services: Vec<_> = table.services.iter().collect();
    services.sort_by(|a, b| cmp_services(&a.service.key, &b.service.key));
    let mut out = String::new();
    for vs in services {
        service_line(&mut out, "-A", &vs.service);
        let mut servers: Vec<&RealServer> = vs.servers.iter().collect();
        servers.sort_by(|a, b| cmp_servers(a, b));
        for server in servers {
            server_line(&mut out, "-a", &vs.service.key, server, false);
        }
    }
    out
}

/// One operation as the ipvsadm rule line that performs it, without a newline: what a dry
/// run prints. Service and real-server lines are complete (every property, so `-E` and `-e`
/// do not fall back to ipvsadm's defaults; thresholds as `-x`/`-y` when set, which `save`
/// leaves out like ipvsadm).
pub fn operation_line(op: &Operation) -> String {
    let mut out = String::new();
    match op {
        Operation::AddService(s) => service_line(&mut out, "-A", s),
        Operation::EditService(s) => service_line(&mut out, "-E", s),
        Operation::DeleteService(k) => {
            let _ = writeln!(out, "-D {}", service_option(k));
        }
        Operation::AddServer(k, d) => server_line(&mut out, "-a", k, d, true),
        Operation::EditServer(k, d) => server_line(&mut out, "-e", k, d, true),
        Operation::DeleteServer(k, a) => {
            let _ = writeln!(out, "-d {} -r {}", service_option(k), socket_addr(a));
        }
        Operation::Flush => out.push_str("-C\n"),
        Operation::Zero(None) => out.push_str("-Z\n"),
        Operation::Zero(Some(k)) => {
            let _ = writeln!(out, "-Z {}", service_option(k));
        }
        Operation::SetTimeouts(t) => {
            let _ = writeln!(out, "--set {} {} {}", t.tcp, t.tcp_fin, t.udp);
        }
        Operation::StartDaemon(d) => {
            let _ = write!(
                out,
                "--start-daemon {} --mcast-interface {} --syncid {}",
                role_name(d.role),
                d.interface,
                d.sync_id
            );
            if let Some(len) = d.max_len {
                let _ = write!(out, " --sync-maxlen {len}");
            }
            if let Some(group) = d.group {
                let _ = write!(out, " --mcast-group {group}");
            }
            if let Some(port) = d.port {
                let _ = write!(out, " --mcast-port {port}");
            }
            if let Some(ttl) = d.ttl {
                let _ = write!(out, " --mcast-ttl {ttl}");
            }
            out.push('\n');
        }
        Operation::StopDaemon(role) => {
            let _ = writeln!(out, "--stop-daemon {}", role_name(*role));
        }
    }
    out.pop();
    out
}

/// ipvsadm's name of a sync daemon role.
fn role_name(role: DaemonRole) -> String {
    match role {
        DaemonRole::Master => "master".into(),
        DaemonRole::Backup => "backup".into(),
        other => other.number().to_string(),
    }
}

/// `-A SVC -s SCHED [-p T [-M MASK] [--pe NAME]] [-o] [-b FLAGS]` (or `-E ...`).
fn service_line(out: &mut String, command: &str, service: &Service) {
    let _ = write!(
        out,
        "{command} {} -s {}",
        service_option(&service.key),
        service.scheduler
    );
    if service.is_persistent() {
        let _ = write!(out, " -p {}", service.timeout);
        let raw = service.netmask.to_raw();
        match service.key.family() {
            Family::Ipv6 if raw != 128 => {
                let _ = write!(out, " -M {raw}");
            }
            Family::Ipv6 => {}
            _ if raw != u32::MAX => {
                let _ = write!(out, " -M {}", Ipv4Addr::from(raw));
            }
            _ => {}
        }
        if let Some(pe) = service.pe_name.as_deref().filter(|pe| !pe.is_empty()) {
            let _ = write!(out, " --pe {pe}");
        }
    }
    if service
        .flags
        .contains(crate::model::ServiceFlags::ONE_PACKET)
    {
        out.push_str(" -o");
    }
    let flags = service.sched_flags();
    if !flags.is_empty() {
        let _ = write!(out, " -b {}", sched_flag_names(&service.scheduler, flags));
    }
    out.push('\n');
}

/// The `-b` names of scheduler flags, as ipvsadm names them for the scheduler.
fn sched_flag_names(scheduler: &Scheduler, flags: SchedFlags) -> String {
    let names = match scheduler {
        Scheduler::Sh => ["sh-fallback", "sh-port", "flag-3"],
        Scheduler::Mh => ["mh-fallback", "mh-port", "flag-3"],
        _ => ["flag-1", "flag-2", "flag-3"],
    };
    [SchedFlags::FLAG_1, SchedFlags::FLAG_2, SchedFlags::FLAG_3]
        .iter()
        .zip(names)
        .filter(|(flag, _)| flags.contains(**flag))
        .map(|(_, name)| name)
        .collect::<Vec<_>>()
        .join(",")
}

/// `-a SVC -r DEST FWD -w WEIGHT [tunnel options]` (or `-e ...`), with `-x`/`-y` when
/// `thresholds` asks for them and they are set.
fn server_line(
    out: &mut String,
    command: &str,
    key: &ServiceKey,
    server: &RealServer,
    thresholds: bool,
) {
    let forward = match server.forward {
        ForwardMethod::Masquerade => "-m",
        ForwardMethod::Tunnel(_) => "-i",
        ForwardMethod::DirectRoute | ForwardMethod::Local => "-g",
        _ => "(null)",
    };
    // ipvsadm prints the weight with %d from a C int.
    let weight = server.weight as i32;
    let _ = write!(
        out,
        "{command} {} -r {} {forward} -w {weight}",
        service_option(key),
        socket_addr(&server.addr)
    );
    if let Some(tunnel) = server.forward.tunnel() {
        let checksum = match tunnel.checksum {
            TunnelChecksum::None => " --tun-nocsum",
            TunnelChecksum::Checksum => " --tun-csum",
            TunnelChecksum::Remote => " --tun-remcsum",
            _ => "",
        };
        match tunnel.kind {
            TunnelKind::Ipip => out.push_str(" --tun-type ipip"),
            TunnelKind::Gue { port } => {
                let _ = write!(out, " --tun-type gue --tun-port {port}{checksum}");
            }
            TunnelKind::Gre => {
                let _ = write!(out, " --tun-type gre{checksum}");
            }
            _ => {}
        }
    }
    if thresholds && server.upper_threshold != 0 {
        let _ = write!(out, " -x {}", server.upper_threshold);
    }
    if thresholds && server.lower_threshold != 0 {
        let _ = write!(out, " -y {}", server.lower_threshold);
    }
    out.push('\n');
}

/// The option naming a service: `-t A:P`, `-u A:P`, `--sctp-service A:P`, `-f M [-6]`.
fn service_option(key: &ServiceKey) -> String {
    match key {
        ServiceKey::Addr { protocol, addr } => {
            let option = match protocol {
                Protocol::Tcp => "-t",
                Protocol::Udp => "-u",
                Protocol::Sctp => "--sctp-service",
                _ => "--xxx-service",
            };
            format!("{option} {}", socket_addr(addr))
        }
        ServiceKey::Fwmark {
            mark,
            family: Family::Ipv6,
        } => format!("-f {mark} -6"),
        ServiceKey::Fwmark { mark, .. } => format!("-f {mark}"),
    }
}

/// `a.b.c.d:port` or `[v6]:port`, the IPv6 text as glibc's `inet_ntop` writes it.
fn socket_addr(addr: &SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
        IpAddr::V6(ip) => format!("[{}]:{}", ipv6_text(&ip), addr.port()),
    }
}

/// An IPv6 address as glibc's `inet_ntop` writes it: lowercase hex groups, the first
/// longest run of two or more zero groups as `::`, and the last 32 bits as a dotted IPv4
/// address for IPv4-compatible (`::a.b.c.d`, except `::` and `::w`) and IPv4-mapped
/// (`::ffff:a.b.c.d`) addresses. This differs from Rust's `Display` only for
/// IPv4-compatible addresses.
pub(crate) fn ipv6_text(ip: &Ipv6Addr) -> String {
    let words = ip.segments();
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < 8 {
        if words[i] != 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < 8 && words[i] == 0 {
            i += 1;
        }
        let len = i - start;
        if len >= 2 && best.is_none_or(|(_, l)| len > l) {
            best = Some((start, len));
        }
    }
    let embedded_v4 = matches!(best, Some((0, 6))) || (best == Some((0, 5)) && words[5] == 0xffff);
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if let Some((start, len)) = best {
            if i == start {
                out.push_str(if i == 0 { "::" } else { ":" });
                i += len;
                continue;
            }
        }
        if i == 6 && embedded_v4 {
            let o = ip.octets();
            let _ = write!(out, "{}", Ipv4Addr::new(o[12], o[13], o[14], o[15]));
            break;
        }
        let _ = write!(out, "{:x}", words[i]);
        if i < 7 {
            out.push(':');
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_text_follows_inet_ntop() {
        let t = |s: &str| ipv6_text(&s.parse().unwrap());
        assert_eq!(t("::"), "::");
        assert_eq!(t("::1"), "::1");
        assert_eq!(t("2001:db8::1"), "2001:db8::1");
        assert_eq!(t("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");
        assert_eq!(t("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");
        assert_eq!(t("1:0:0:2:0:0:3:4"), "1::2:0:0:3:4");
        assert_eq!(t("1:2:3:4:5:6:7:0"), "1:2:3:4:5:6:7:0");
        assert_eq!(t("1:0:3:4:5:6:7:8"), "1:0:3:4:5:6:7:8");
        assert_eq!(t("fe80::"), "fe80::");
        assert_eq!(t("::ffff:10.0.0.1"), "::ffff:10.0.0.1");
        assert_eq!(t("::10.0.0.1"), "::10.0.0.1");
        assert_eq!(t("::0.0.0.2"), "::2");
        assert_eq!(t("::1:0:0:0"), "::1:0:0:0");
    }
}
