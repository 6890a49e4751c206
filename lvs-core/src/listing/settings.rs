//! Listings of the namespace's settings: `ipvsadm -L --timeout` and `ipvsadm -L --daemon`.

use std::fmt::Write as _;

use super::inet::addr_text;
use crate::model::{DaemonRole, SyncDaemon, Timeouts};

/// The timeouts as `ipvsadm -L --timeout` lists them:
/// `Timeout (tcp tcpfin udp): 900 120 300` and a newline.
pub fn format_timeouts(timeouts: &Timeouts) -> String {
    // ipvsadm prints them with `%d`; the kernel keeps them below 2^31 / HZ anyway.
    format!(
        "Timeout (tcp tcpfin udp): {} {} {}\n",
        timeouts.tcp as i32, timeouts.tcp_fin as i32, timeouts.udp as i32
    )
}

/// The sync daemons as `ipvsadm -L --daemon` lists them, one line each, in the order given:
/// `master sync daemon (mcast=eth0, syncid=1, maxlen=1472, group=224.0.0.81, port=8848,
/// ttl=1)`. Optional parts are left out when absent or zero, as ipvsadm leaves out zero
/// values.
///
/// A daemon of an unknown role is listed the way ipvsadm reads the state bits: as master
/// if bit 1 is set, else as backup if bit 2 is, else not at all. Nothing at all is printed
/// when no daemon runs.
pub fn format_daemons(daemons: &[SyncDaemon]) -> String {
    let mut out = String::new();
    for daemon in daemons {
        let Some(role) = role_name(daemon.role) else {
            continue;
        };
        // ipvsadm prints the sync id with `%d`.
        let sync_id = daemon.sync_id as i32;
        let _ = write!(
            out,
            "{role} sync daemon (mcast={}, syncid={sync_id}",
            daemon.interface
        );
        if let Some(max_len) = daemon.max_len.filter(|&n| n != 0) {
            let _ = write!(out, ", maxlen={max_len}");
        }
        if let Some(group) = &daemon.group {
            let _ = write!(out, ", group={}", addr_text(group));
        }
        if let Some(port) = daemon.port.filter(|&n| n != 0) {
            let _ = write!(out, ", port={port}");
        }
        if let Some(ttl) = daemon.ttl.filter(|&n| n != 0) {
            let _ = write!(out, ", ttl={ttl}");
        }
        out.push_str(")\n");
    }
    out
}

/// `master` or `backup` by the state bits, as ipvsadm tests them (master first).
fn role_name(role: DaemonRole) -> Option<&'static str> {
    let state = role.number();
    if state & DaemonRole::Master.number() != 0 {
        Some("master")
    } else if state & DaemonRole::Backup.number() != 0 {
        Some("backup")
    } else {
        None
    }
}
