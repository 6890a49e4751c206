//! The `--json` forms of the listings other than the connection table: the services with
//! their real servers, the timeouts, the sync daemons, the sysctls and a plan. Each is one
//! JSON document; `examples/lvsctl/lvsctl.schema.json` is their schema, and a test holds
//! lvsctl's output to it.
//!
//! Numbers are JSON numbers (every counter fits an unsigned 64-bit integer), addresses are
//! text as `std::net` writes them, and each service and real server also carries its `rule`:
//! the line of lvs's rule text that makes it, which reads back as exactly it.

use std::fmt::Write as _;

use super::json::{push_optional, push_string};
use super::names::forward_name;
use crate::model::{
    DaemonRole, Family, ForwardMethod, KernelInfo, Protocol, RealServerEntry, ServiceEntry,
    ServiceKey, Stats, SyncDaemon, Timeouts, TunnelChecksum, TunnelKind,
};
use crate::ops::Operation;
use crate::plan::{DrainingServer, Plan};
use crate::rules::{operation_line, RuleError};
use crate::sysctl::SysctlSetting;

/// The services and their real servers as `lvsctl list --json` writes them:
/// `{"version": "1.2.1", "conn_table_size": 4096, "services": [...]}`, each service with
/// its key, scheduler, persistence, counters (`stats`), rates (`rate`) and `servers`.
pub fn table_json(info: &KernelInfo, table: &[(ServiceEntry, Vec<RealServerEntry>)]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "{{\"version\":\"{}.{}.{}\",\"conn_table_size\":{},\"services\":[",
        info.version >> 16,
        (info.version >> 8) & 0xff,
        info.version & 0xff,
        info.conn_table_size
    );
    for (i, (entry, servers)) in table.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_service(&mut out, entry, servers);
    }
    out.push_str("]}\n");
    out
}

fn push_service(out: &mut String, entry: &ServiceEntry, servers: &[RealServerEntry]) {
    let service = &entry.service;
    out.push('{');
    push_key(out, &service.key);
    out.push_str(",\"scheduler\":");
    push_string(out, &service.scheduler.to_string());
    out.push_str(",\"persistence\":");
    match service.persistence() {
        Some(p) => {
            let _ = write!(out, "{{\"timeout\":{},\"netmask\":", p.timeout);
            push_string(out, &p.netmask.to_string());
            out.push_str(",\"engine\":");
            push_optional(out, p.engine.as_deref());
            out.push('}');
        }
        None => out.push_str("null"),
    }
    let _ = write!(out, ",\"flags\":{}", service.flags.bits());
    out.push_str(",\"rule\":");
    push_rule(out, &Operation::AddService(service.clone()));
    push_stats(out, &entry.stats);
    out.push_str(",\"servers\":[");
    for (i, server) in servers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_server(out, &service.key, server);
    }
    out.push_str("]}");
}

fn push_key(out: &mut String, key: &ServiceKey) {
    match key {
        ServiceKey::Addr { protocol, addr } => {
            out.push_str("\"protocol\":");
            push_string(out, protocol_text(*protocol).as_str());
            let _ = write!(
                out,
                ",\"address\":\"{}\",\"port\":{},\"fwmark\":null,\"family\":\"{}\"",
                addr.ip(),
                addr.port(),
                if addr.is_ipv6() { "ipv6" } else { "ipv4" }
            );
        }
        ServiceKey::Fwmark { mark, family } => {
            let _ = write!(
                out,
                "\"protocol\":null,\"address\":null,\"port\":null,\"fwmark\":{mark},\"family\":\"{}\"",
                family_text(*family)
            );
        }
    }
}

fn protocol_text(protocol: Protocol) -> String {
    match protocol {
        Protocol::Tcp => "TCP".to_owned(),
        Protocol::Udp => "UDP".to_owned(),
        Protocol::Sctp => "SCTP".to_owned(),
        other => other.number().to_string(),
    }
}

fn family_text(family: Family) -> &'static str {
    match family {
        Family::Ipv6 => "ipv6",
        _ => "ipv4",
    }
}

fn push_server(out: &mut String, service: &ServiceKey, entry: &RealServerEntry) {
    let server = &entry.server;
    let _ = write!(
        out,
        "{{\"address\":\"{}\",\"port\":{},\"forward\":",
        server.addr.ip(),
        server.addr.port()
    );
    push_string(out, forward_name(&server.forward));
    out.push_str(",\"tunnel\":");
    match server.forward {
        ForwardMethod::Tunnel(tunnel) => {
            let (kind, port) = match tunnel.kind {
                TunnelKind::Ipip => ("ipip".to_owned(), None),
                TunnelKind::Gue { port } => ("gue".to_owned(), Some(port)),
                TunnelKind::Gre => ("gre".to_owned(), None),
                TunnelKind::Other { kind, port } => (kind.to_string(), Some(port)),
            };
            out.push_str("{\"type\":");
            push_string(out, &kind);
            out.push_str(",\"port\":");
            match port {
                Some(port) => {
                    let _ = write!(out, "{port}");
                }
                None => out.push_str("null"),
            }
            out.push_str(",\"checksum\":");
            push_string(
                out,
                match tunnel.checksum {
                    TunnelChecksum::None => "none",
                    TunnelChecksum::Checksum => "csum",
                    TunnelChecksum::Remote => "remcsum",
                    _ => "other",
                },
            );
            out.push('}');
        }
        _ => out.push_str("null"),
    }
    let _ = write!(
        out,
        ",\"weight\":{},\"upper_threshold\":{},\"lower_threshold\":{},\"active_conns\":{},\
         \"inactive_conns\":{},\"persistent_conns\":{},\"rule\":",
        server.weight,
        server.upper_threshold,
        server.lower_threshold,
        entry.active_conns,
        entry.inactive_conns,
        entry.persistent_conns
    );
    push_rule(out, &Operation::AddServer(*service, *server));
    push_stats(out, &entry.stats);
    out.push('}');
}

/// The operation's rule line, or `null` for a value rule text cannot hold.
fn push_rule(out: &mut String, op: &Operation) {
    push_optional(out, operation_line(op).ok().as_deref());
}

fn push_stats(out: &mut String, s: &Stats) {
    let _ = write!(
        out,
        ",\"stats\":{{\"conns\":{},\"in_packets\":{},\"out_packets\":{},\"in_bytes\":{},\
         \"out_bytes\":{}}},\"rate\":{{\"cps\":{},\"in_pps\":{},\"out_pps\":{},\"in_bps\":{},\
         \"out_bps\":{}}}",
        s.conns,
        s.in_packets,
        s.out_packets,
        s.in_bytes,
        s.out_bytes,
        s.cps,
        s.in_pps,
        s.out_pps,
        s.in_bps,
        s.out_bps
    );
}

/// The timeouts as `lvsctl list --timeout --json` writes them, in seconds:
/// `{"tcp": 900, "tcp_fin": 120, "udp": 300}`.
pub fn timeouts_json(timeouts: &Timeouts) -> String {
    format!(
        "{{\"tcp\":{},\"tcp_fin\":{},\"udp\":{}}}\n",
        timeouts.tcp, timeouts.tcp_fin, timeouts.udp
    )
}

/// The running sync daemons as `lvsctl list --daemon --json` writes them: an array of
/// `{"role", "interface", "sync_id", "max_len", "group", "port", "ttl"}`, the optional
/// values `null` where the kernel reported none.
pub fn daemons_json(daemons: &[SyncDaemon]) -> String {
    let mut out = String::from("[");
    for (i, d) in daemons.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"role\":");
        push_string(
            &mut out,
            match d.role {
                DaemonRole::Master => "master",
                DaemonRole::Backup => "backup",
                _ => "other",
            },
        );
        out.push_str(",\"interface\":");
        push_string(&mut out, &d.interface);
        let number = |n: Option<u32>| n.map_or("null".to_owned(), |n| n.to_string());
        let _ = write!(
            out,
            ",\"sync_id\":{},\"max_len\":{},\"group\":",
            d.sync_id,
            number(d.max_len.map(u32::from))
        );
        push_optional(&mut out, d.group.map(|g| g.to_string()).as_deref());
        let _ = write!(
            out,
            ",\"port\":{},\"ttl\":{}}}",
            number(d.port.map(u32::from)),
            number(d.ttl.map(u32::from))
        );
    }
    out.push_str("]\n");
    out
}

/// The sysctls as `lvsctl sysctl --json` writes them: an object of name (without the
/// `net.ipv4.vs.` prefix) to value, the value as `sysctl -n` prints it less its tabs.
pub fn sysctls_json(sysctls: &[SysctlSetting]) -> String {
    let mut out = String::from("{");
    for (i, s) in sysctls.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_string(&mut out, &s.name);
        out.push(':');
        push_string(&mut out, &s.value.to_string());
    }
    out.push_str("}\n");
    out
}

/// A plan as `lvsctl diff --json` writes it: `{"operations": [...], "draining": [...]}`,
/// each operation its rule line, each draining real server with what still holds it.
pub fn plan_json(plan: &Plan, draining: &[DrainingServer]) -> Result<String, RuleError> {
    let mut out = String::from("{\"operations\":[");
    for (i, op) in plan.operations.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_string(&mut out, &operation_line(op)?);
    }
    out.push_str("],\"draining\":[");
    for (i, s) in draining.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        push_key(&mut out, &s.service);
        let _ = write!(
            out,
            ",\"server\":{{\"address\":\"{}\",\"port\":{}}},\"idle\":{},\"weight\":",
            s.server.ip(),
            s.server.port(),
            s.is_idle()
        );
        let number = |n: Option<u64>| n.map_or("null".to_owned(), |n| n.to_string());
        let listed = s.listed.as_ref();
        let _ = write!(
            out,
            "{},\"active_conns\":{},\"inactive_conns\":{},\"persistent_conns\":{},\
             \"connections\":{},\"templates\":{}}}",
            number(listed.map(|e| u64::from(e.server.weight))),
            number(listed.map(|e| u64::from(e.active_conns))),
            number(listed.map(|e| u64::from(e.inactive_conns))),
            number(listed.map(|e| u64::from(e.persistent_conns))),
            number(s.connections.map(|n| n as u64)),
            number(s.templates.map(|n| n as u64)),
        );
    }
    out.push_str("]}\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RealServer, Service};

    #[test]
    fn a_table_is_one_document_with_each_rule_line() {
        let web = ServiceKey::tcp("192.0.2.1:80".parse().unwrap());
        let mut service = ServiceEntry::new(Service::new(web), Stats::default());
        service.stats.conns = u64::MAX;
        let server = RealServerEntry::new(
            RealServer::new("198.51.100.1:8080".parse().unwrap())
                .with_forward(ForwardMethod::Masquerade)
                .with_weight(3),
        );
        let mark = ServiceEntry::new(
            Service::new(ServiceKey::Fwmark {
                mark: 7,
                family: Family::Ipv6,
            }),
            Stats::default(),
        );
        let text = table_json(
            &KernelInfo::DEFAULT,
            &[(service, vec![server]), (mark, vec![])],
        );
        assert!(text.starts_with("{\"version\":\"1.2.1\""), "{text}");
        assert!(text.contains("\"protocol\":\"TCP\",\"address\":\"192.0.2.1\",\"port\":80,"));
        assert!(text.contains(&format!("\"conns\":{}", u64::MAX)));
        assert!(text.contains("\"rule\":\"-a -t 192.0.2.1:80 -r 198.51.100.1:8080 -m -w 3\""));
        assert!(text.contains("\"fwmark\":7,\"family\":\"ipv6\""));
        assert!(text.ends_with("]}\n"));
    }

    #[test]
    fn settings_and_plans_are_documents() {
        assert_eq!(
            timeouts_json(&Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 300
            }),
            "{\"tcp\":900,\"tcp_fin\":120,\"udp\":300}\n"
        );
        let mut daemon = SyncDaemon::new(DaemonRole::Backup, "eth\"0");
        daemon.port = Some(8848);
        assert_eq!(
            daemons_json(&[daemon]),
            "[{\"role\":\"backup\",\"interface\":\"eth\\\"0\",\"sync_id\":0,\"max_len\":null,\
             \"group\":null,\"port\":8848,\"ttl\":null}]\n"
        );
        assert_eq!(
            sysctls_json(&[SysctlSetting::new("sync_threshold", (3i64, 50i64))]),
            "{\"sync_threshold\":\"3 50\"}\n"
        );
        let web = ServiceKey::tcp("192.0.2.1:80".parse().unwrap());
        let plan = Plan {
            operations: vec![Operation::DeleteService(web)],
            draining: vec![],
        };
        assert_eq!(
            plan_json(&plan, &[]).unwrap(),
            "{\"operations\":[\"-D -t 192.0.2.1:80\"],\"draining\":[]}\n"
        );
    }
}
