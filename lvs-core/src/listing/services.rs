//! Service listings: `ipvsadm -L -n` in each of its layouts, and `-L -n -t SERVICE`.

use std::fmt::Write as _;

use super::names::{
    forward_name, mask_suffix, sched_flag_names, server_name, service_name, tunnel_info,
};
use super::numbers::push_counter;
use super::options::{ListFormat, ListOptions};
use crate::model::{KernelInfo, RealServerEntry, ServiceEntry, ServiceFlags, Stats};
#[cfg(doc)]
use crate::order::cmp_services;
use crate::order::{cmp_servers, sort_by_service};

/// The whole table as `ipvsadm -L -n` lists it: the banner, the header of the layout, then
/// every service followed by its real servers.
///
/// With [`ListOptions::sort`], services and real servers are sorted with
/// [`cmp_services`] and [`cmp_servers`]. That is ipvsadm's order for every table whose
/// addresses (and marks) are less than 2^31 apart. ipvsadm compares by subtracting and
/// reading the difference as a signed number, so beyond that it flips (it lists 10.0.0.1
/// after 200.0.0.1) and its order can depend on its sort algorithm; lvs sorts numerically
/// instead. ipvsadm also does not compare the family of real servers (mixed families occur
/// only with tunnels); lvs lists IPv4 real servers before IPv6 ones. Without sorting the
/// order given is kept, as `--nosort` keeps the kernel's.
pub fn format_table(
    info: &KernelInfo,
    services: &[(ServiceEntry, Vec<RealServerEntry>)],
    opts: &ListOptions,
) -> String {
    let mut out = String::new();
    let whole: Result<(), std::convert::Infallible> =
        format_table_in_parts(info, services, opts, |part| {
            out.push_str(part);
            Ok(())
        });
    let Ok(()) = whole;
    out
}

/// The text of [`format_table`], handed to `write` a part at a time (the banner and header,
/// then each service with its real servers), so that a large listing can be written out as
/// it is made instead of held whole. The first error `write` returns ends it.
pub fn format_table_in_parts<E>(
    info: &KernelInfo,
    services: &[(ServiceEntry, Vec<RealServerEntry>)],
    opts: &ListOptions,
    mut write: impl FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    write(&format_table_header(info, opts))?;
    let mut order: Vec<&(ServiceEntry, Vec<RealServerEntry>)> = services.iter().collect();
    if opts.sort {
        sort_by_service(&mut order, |(entry, _)| &entry.service.key);
    }
    let mut part = String::new();
    for (entry, servers) in order {
        part.clear();
        push_service(&mut part, entry, servers, opts);
        write(&part)?;
    }
    Ok(())
}

/// The banner and the layout's header that begin [`format_table`]'s text: with
/// [`format_table_entry`], a listing made by a caller that reads the table a service at a
/// time.
pub fn format_table_header(info: &KernelInfo, opts: &ListOptions) -> String {
    format!("{info}\n{}", opts.format.header())
}

/// One service and its real servers as [`format_table`] lists them (the real servers
/// sorted when [`ListOptions::sort`] says so; the services are in the caller's order).
pub fn format_table_entry(
    entry: &ServiceEntry,
    servers: &[RealServerEntry],
    opts: &ListOptions,
) -> String {
    let mut out = String::new();
    push_service(&mut out, entry, servers, opts);
    out
}

/// One service as `ipvsadm -L -n -t|-u|-f SERVICE` lists it: the header of the layout,
/// the service and its real servers, without the banner.
pub fn format_service(
    entry: &ServiceEntry,
    servers: &[RealServerEntry],
    opts: &ListOptions,
) -> String {
    let mut out = opts.format.header().to_owned();
    push_service(&mut out, entry, servers, opts);
    out
}

/// Appends a service line and the lines of its real servers.
fn push_service(
    out: &mut String,
    entry: &ServiceEntry,
    servers: &[RealServerEntry],
    opts: &ListOptions,
) {
    push_service_line(out, entry, opts);
    let mut servers: Vec<&RealServerEntry> = servers.iter().collect();
    if opts.sort {
        servers.sort_by(|a, b| cmp_servers(&a.server, &b.server));
    }
    for server in servers {
        push_server_line(out, server, opts);
    }
}

/// Appends the line of a service in the given layout.
fn push_service_line(out: &mut String, entry: &ServiceEntry, opts: &ListOptions) {
    let name = service_name(&entry.service.key);
    match opts.format {
        ListFormat::Stats => {
            let _ = write!(out, "{name:<33}");
            push_counters(out, counters(&entry.stats), opts.exact);
        }
        ListFormat::Rate => {
            let _ = write!(out, "{name:<33}");
            push_counters(out, rates(&entry.stats), opts.exact);
        }
        _ => push_service_summary(out, &name, entry),
    }
    out.push('\n');
}

/// The service line of the default, thresholds, persistent-conn and tun-info layouts:
/// name, scheduler, then its flags, persistence and one-packet scheduling where set.
fn push_service_summary(out: &mut String, name: &str, entry: &ServiceEntry) {
    let service = &entry.service;
    let _ = write!(out, "{name} {}", service.scheduler);
    if let Some(flags) = sched_flag_names(service) {
        let _ = write!(out, " ({flags})");
    }
    if service.is_persistent() {
        let _ = write!(out, " persistent {}", service.timeout);
        out.push_str(&mask_suffix(service));
        if let Some(pe) = service.pe_name.as_deref().filter(|pe| !pe.is_empty()) {
            let _ = write!(out, " pe {pe}");
        }
    }
    if service.flags.contains(ServiceFlags::ONE_PACKET) {
        out.push_str(" ops");
    }
}

/// Appends the line of a real server in the given layout.
fn push_server_line(out: &mut String, entry: &RealServerEntry, opts: &ListOptions) {
    let server = &entry.server;
    let name = server_name(server);
    // ipvsadm prints the weight with `%d`; the kernel keeps it within i32 anyway.
    let weight = server.weight as i32;
    let (active, inactive) = (entry.active_conns, entry.inactive_conns);
    let _ = write!(out, "  -> {name:<28}");
    match opts.format {
        ListFormat::Stats => push_counters(out, counters(&entry.stats), opts.exact),
        ListFormat::Rate => {
            // Connection and packet rates are never abbreviated, byte rates are.
            let s = &entry.stats;
            let _ = write!(out, " {:>8} {:>8} {:>8}", s.cps, s.in_pps, s.out_pps);
            push_counters(out, [s.in_bps, s.out_bps], opts.exact);
        }
        ListFormat::Thresholds => {
            let (upper, lower) = (server.upper_threshold, server.lower_threshold);
            let _ = write!(out, " {upper:<10} {lower:<10} {active:<10} {inactive:<10}");
        }
        ListFormat::PersistentConn => {
            let persistent = entry.persistent_conns;
            let _ = write!(
                out,
                " {weight:<9} {persistent:<11} {active:<10} {inactive:<10}"
            );
        }
        ListFormat::TunInfo => {
            let forward = forward_name(&server.forward);
            let tunnel = tunnel_info(&server.forward);
            let _ = write!(
                out,
                " {forward:<7} {tunnel:<13} {weight:<6} {active:<10} {inactive:<10}"
            );
        }
        _ => {
            let forward = forward_name(&server.forward);
            let _ = write!(out, " {forward:<7} {weight:<6} {active:<10} {inactive:<10}");
        }
    }
    out.push('\n');
}

/// The `--stats` columns: connections, packets in and out, bytes in and out.
fn counters(s: &Stats) -> [u64; 5] {
    [
        s.conns,
        s.in_packets,
        s.out_packets,
        s.in_bytes,
        s.out_bytes,
    ]
}

/// The `--rate` columns: per-second connections, packets in and out, bytes in and out.
fn rates(s: &Stats) -> [u64; 5] {
    [s.cps, s.in_pps, s.out_pps, s.in_bps, s.out_bps]
}

fn push_counters(out: &mut String, values: impl IntoIterator<Item = u64>, exact: bool) {
    for value in values {
        push_counter(out, value, exact);
    }
}
