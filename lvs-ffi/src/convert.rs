//! Between libipvs's C structs and lvs-core's model, both ways, with libipvs's meaning of
//! every field (byte orders, "0 means default", fixed name buffers).
//!
//! A C value the model cannot hold is refused with the errno the kernel gives it: an address
//! family other than `AF_INET`/`AF_INET6` is `EAFNOSUPPORT`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::raw::{c_char, c_int};

use lvs_core::{
    DaemonRole, Family, ForwardMethod, Netmask, Protocol, RealServer, RealServerEntry, Scheduler,
    Service, ServiceEntry, ServiceFlags, ServiceKey, Stats, SyncDaemon, Timeouts, Tunnel,
    TunnelChecksum, TunnelKind,
};

use crate::abi::{
    ip_vs_stats64, ipvs_daemon_t, ipvs_dest_entry_t, ipvs_dest_t, ipvs_service_entry_t,
    ipvs_service_t, ipvs_timeout_t, nf_inet_addr,
};

/// The errno of a C value the model cannot represent.
pub(crate) type Refusal = c_int;

/// The text of a fixed-size C name buffer: up to its first NUL, or all of it when it has none
/// (libipvs would read past such a buffer; lvs sends its whole content, which the kernel
/// then refuses as too long). Bytes that are not UTF-8 are replaced.
pub(crate) fn name_from(buf: &[c_char]) -> String {
    with_name(buf, str::to_owned)
}

/// Runs `f` on the text of a fixed-size C name buffer as [`name_from`] reads it, copied on
/// the stack rather than into a new `String` (libipvs's buffers are 16 or 17 bytes), so
/// that a call that only looks the name up (a scheduler) allocates nothing.
pub(crate) fn with_name<R>(buf: &[c_char], f: impl FnOnce(&str) -> R) -> R {
    let len = buf.iter().take_while(|&&c| c != 0).count();
    let mut copy = [0u8; 32];
    match copy.get_mut(..len) {
        Some(bytes) => {
            for (b, &c) in bytes.iter_mut().zip(buf) {
                *b = c as u8;
            }
            f(&String::from_utf8_lossy(bytes))
        }
        None => {
            let bytes: Vec<u8> = buf[..len].iter().map(|&c| c as u8).collect();
            f(&String::from_utf8_lossy(&bytes))
        }
    }
}

/// A name written into a fixed-size C buffer, cut to leave room for the NUL.
pub(crate) fn name_into(buf: &mut [c_char], name: &str) {
    buf.fill(0);
    let room = buf.len().saturating_sub(1);
    for (dst, &b) in buf.iter_mut().zip(name.as_bytes().iter().take(room)) {
        *dst = b as c_char;
    }
}

/// The family of an `AF_*` number, or `EAFNOSUPPORT` as the kernel answers.
pub(crate) fn family(af: u16) -> Result<Family, Refusal> {
    Family::from_af(af).ok_or(libc::EAFNOSUPPORT)
}

/// An address of a family from a `union nf_inet_addr`.
pub(crate) fn ip_from(family: Family, addr: &nf_inet_addr) -> IpAddr {
    let b = addr.bytes();
    match family {
        Family::Ipv4 => IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3])),
        _ => IpAddr::V6(Ipv6Addr::from(b)),
    }
}

/// A `union nf_inet_addr` holding an address (IPv4 in the first 4 bytes, the rest zero).
pub(crate) fn ip_into(ip: IpAddr) -> nf_inet_addr {
    let mut b = [0u8; 16];
    match ip {
        IpAddr::V4(a) => b[..4].copy_from_slice(&a.octets()),
        IpAddr::V6(a) => b = a.octets(),
    }
    nf_inet_addr::from_bytes(b)
}

/// The service a libipvs call names: a firewall mark when `fwmark` is not 0, else protocol,
/// address and port (network order).
pub(crate) fn key_from(
    fwmark: u32,
    af: u16,
    protocol: u16,
    addr: &nf_inet_addr,
    port_be: u16,
) -> Result<ServiceKey, Refusal> {
    let family = family(af)?;
    Ok(if fwmark != 0 {
        ServiceKey::fwmark(fwmark, family)
    } else {
        ServiceKey::Addr {
            protocol: Protocol::from_number(protocol),
            addr: SocketAddr::new(ip_from(family, addr), u16::from_be(port_be)),
        }
    })
}

/// The service an `ipvs_service_t` names (what the calls that only name a service read).
pub(crate) fn service_key(svc: &ipvs_service_t) -> Result<ServiceKey, Refusal> {
    key_from(svc.fwmark, svc.af, svc.protocol, &svc.addr, svc.port)
}

/// The service of an `ipvs_service_t`, every setting as libipvs sends it.
pub(crate) fn service_from(svc: &ipvs_service_t) -> Result<Service, Refusal> {
    let key = service_key(svc)?;
    let mut service = Service::new(key);
    service.scheduler = with_name(&svc.sched_name, Scheduler::from_name);
    service.flags = ServiceFlags::from_bits_retain(svc.flags);
    service.timeout = svc.timeout;
    service.netmask = match key.family() {
        // The field holds the mask's bytes in network order.
        Family::Ipv4 => Netmask::V4(Ipv4Addr::from(svc.netmask.to_ne_bytes())),
        _ => Netmask::V6Prefix(svc.netmask),
    };
    service.pe_name = with_name(&svc.pe_name, |pe| (!pe.is_empty()).then(|| pe.to_owned()));
    Ok(service)
}

/// What `ipvs_zero_service` zeroes: the named service, or everything when the struct names
/// none (fwmark 0, address all zero, port 0), as libipvs decides.
pub(crate) fn zero_target(svc: &ipvs_service_t) -> Result<Option<ServiceKey>, Refusal> {
    if svc.fwmark == 0 && svc.addr.bytes() == [0; 16] && svc.port == 0 {
        return Ok(None);
    }
    key_from(svc.fwmark, svc.af, svc.protocol, &svc.addr, svc.port).map(Some)
}

/// The real server of an `ipvs_dest_t` in a service of `service_family`; its `af` 0 means
/// the service's family, as the kernel reads it.
pub(crate) fn server_from(
    service_family: Family,
    dest: &ipvs_dest_t,
) -> Result<RealServer, Refusal> {
    let family = match dest.af {
        0 => service_family,
        af => family(af)?,
    };
    let addr = SocketAddr::new(ip_from(family, &dest.addr), u16::from_be(dest.port));
    // The kernel takes the tunnel type as a u8, as libipvs sends it.
    let tunnel = Tunnel::new(
        TunnelKind::from_wire(dest.tun_type as u8, u16::from_be(dest.tun_port)),
        TunnelChecksum::from_flags(dest.tun_flags),
    );
    let mut server = RealServer::new(addr);
    server.forward = ForwardMethod::from_wire(dest.conn_flags & 0x7, tunnel);
    // A negative weight reaches the kernel as the same 32 bits, which it refuses (ERANGE).
    server.weight = dest.weight as u32;
    server.upper_threshold = dest.u_threshold;
    server.lower_threshold = dest.l_threshold;
    Ok(server)
}

/// The connection timeouts of an `ipvs_timeout_t` (negative values reach the kernel as the
/// same 32 bits, which it refuses).
pub(crate) fn timeouts_from(to: &ipvs_timeout_t) -> Timeouts {
    Timeouts::new(
        to.tcp_timeout as u32,
        to.tcp_fin_timeout as u32,
        to.udp_timeout as u32,
    )
}

/// The sync daemon of an `ipvs_daemon_t`: zeros mean the kernel's defaults, and the group is
/// used only when `mcast_af` says its family, as libipvs sends it.
pub(crate) fn daemon_from(dm: &ipvs_daemon_t) -> SyncDaemon {
    let mut daemon = SyncDaemon::new(
        DaemonRole::from_number(dm.state as u32),
        name_from(&dm.mcast_ifn),
    );
    daemon.sync_id = dm.syncid as u32;
    // libipvs sends these as u16 and u8: the same truncation here.
    daemon.max_len = (dm.sync_maxlen != 0).then_some(dm.sync_maxlen as u16);
    daemon.port = (dm.mcast_port != 0).then_some(dm.mcast_port);
    daemon.ttl = (dm.mcast_ttl != 0).then_some(dm.mcast_ttl as u8);
    daemon.group = Family::from_af(dm.mcast_af).map(|f| ip_from(f, &dm.mcast_group));
    daemon
}

fn stats_into(s: &Stats) -> ip_vs_stats64 {
    ip_vs_stats64 {
        conns: s.conns,
        inpkts: s.in_packets,
        outpkts: s.out_packets,
        inbytes: s.in_bytes,
        outbytes: s.out_bytes,
        cps: s.cps,
        inpps: s.in_pps,
        outpps: s.out_pps,
        inbps: s.in_bps,
        outbps: s.out_bps,
    }
}

/// A listed service as libipvs fills it over netlink: `num_dests` 0, the 32-bit `stats`
/// zero, and no protocol, address or port for a firewall-mark service (the kernel sends
/// none for it).
pub(crate) fn service_entry_into(entry: &ServiceEntry) -> ipvs_service_entry_t {
    let service = &entry.service;
    let mut out = ipvs_service_entry_t {
        af: service.key.family().af(),
        flags: service.flags.bits(),
        timeout: service.timeout,
        stats64: stats_into(&entry.stats),
        ..Default::default()
    };
    match service.key {
        ServiceKey::Fwmark { mark, .. } => out.fwmark = mark,
        ServiceKey::Addr { protocol, addr } => {
            out.protocol = protocol.number();
            out.addr = ip_into(addr.ip());
            out.port = addr.port().to_be();
        }
        // A key kind newer than this crate: the kernel has no other kinds.
        _ => {}
    }
    out.netmask = match service.netmask {
        Netmask::V4(m) => u32::from_ne_bytes(m.octets()),
        other => other.to_raw(),
    };
    name_into(&mut out.sched_name, service.scheduler.name());
    name_into(&mut out.pe_name, service.pe_name.as_deref().unwrap_or(""));
    out
}

/// A listed real server as libipvs fills it: the forwarding method in `conn_flags`, the
/// tunnel settings of a tunnelled server, 64-bit counters in `stats64`.
pub(crate) fn dest_entry_into(entry: &RealServerEntry) -> ipvs_dest_entry_t {
    let server = &entry.server;
    let tunnel = server.forward.tunnel().unwrap_or(Tunnel::IPIP);
    ipvs_dest_entry_t {
        port: server.addr.port().to_be(),
        conn_flags: server.forward.number(),
        weight: server.weight as c_int,
        u_threshold: server.upper_threshold,
        l_threshold: server.lower_threshold,
        activeconns: entry.active_conns,
        inactconns: entry.inactive_conns,
        persistconns: entry.persistent_conns,
        af: server.family().af(),
        addr: ip_into(server.addr.ip()),
        stats64: stats_into(&entry.stats),
        tun_type: u16::from(tunnel.kind.number()),
        tun_port: tunnel.kind.port().to_be(),
        tun_flags: tunnel.checksum.flags(),
        ..Default::default()
    }
}

/// A listed sync daemon as libipvs fills it (zeros for what the kernel did not report).
pub(crate) fn daemon_into(daemon: &SyncDaemon) -> ipvs_daemon_t {
    let mut out = ipvs_daemon_t {
        state: daemon.role.number() as c_int,
        syncid: daemon.sync_id as c_int,
        sync_maxlen: daemon.max_len.map_or(0, c_int::from),
        mcast_port: daemon.port.unwrap_or(0),
        mcast_ttl: daemon.ttl.map_or(0, u16::from),
        ..Default::default()
    };
    if let Some(group) = daemon.group {
        out.mcast_af = Family::of(&group).af();
        out.mcast_group = ip_into(group);
    }
    name_into(&mut out.mcast_ifn, &daemon.interface);
    out
}

/// The timeouts as `ipvs_get_timeout` returns them.
pub(crate) fn timeouts_into(t: &Timeouts) -> ipvs_timeout_t {
    ipvs_timeout_t {
        tcp_timeout: t.tcp as c_int,
        tcp_fin_timeout: t.tcp_fin as c_int,
        udp_timeout: t.udp as c_int,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(af: u16, addr: IpAddr, port: u16) -> ipvs_service_t {
        let mut svc = ipvs_service_t {
            af,
            protocol: 6,
            addr: ip_into(addr),
            port: port.to_be(),
            netmask: u32::MAX,
            ..Default::default()
        };
        name_into(&mut svc.sched_name, "wrr");
        svc
    }

    #[test]
    fn a_service_reads_with_libipvs_byte_orders() {
        let mut svc = service(2, "192.0.2.1".parse().unwrap(), 80);
        svc.netmask = u32::from_ne_bytes([255, 255, 255, 0]);
        svc.flags = 1;
        svc.timeout = 300;
        name_into(&mut svc.pe_name, "sip");
        let s = service_from(&svc).unwrap();
        assert_eq!(s.key, ServiceKey::tcp("192.0.2.1:80".parse().unwrap()));
        assert_eq!(s.scheduler, Scheduler::Wrr);
        assert_eq!(s.netmask, Netmask::V4(Ipv4Addr::new(255, 255, 255, 0)));
        assert_eq!(s.pe_name.as_deref(), Some("sip"));
        assert_eq!(s.timeout, 300);
        assert!(s.is_persistent());
    }

    #[test]
    fn an_unknown_family_is_eafnosupport() {
        let svc = service(7, "192.0.2.1".parse().unwrap(), 80);
        assert_eq!(service_from(&svc), Err(libc::EAFNOSUPPORT));
    }

    #[test]
    fn a_name_without_nul_is_read_whole() {
        let mut buf = [b'x' as c_char; 16];
        assert_eq!(name_from(&buf).len(), 16);
        // Longer than the stack copy, and not UTF-8: read whole, replaced.
        let mut long = [b'y' as c_char; 40];
        long[3] = 0xff_u8 as c_char;
        assert_eq!(name_from(&long), format!("yyy\u{fffd}{}", "y".repeat(36)));
        assert_eq!(name_from(&long[..4]), "yyy\u{fffd}");
        name_into(&mut buf, "a-very-long-scheduler-name");
        assert_eq!(name_from(&buf), "a-very-long-sch");
        assert_eq!(buf[15], 0);
    }

    #[test]
    fn zero_names_everything_only_without_mark_address_and_port() {
        let all = service(2, "0.0.0.0".parse().unwrap(), 0);
        assert_eq!(zero_target(&all), Ok(None));
        let one = service(2, "0.0.0.0".parse().unwrap(), 80);
        assert!(zero_target(&one).unwrap().is_some());
        let mut mark = all;
        mark.fwmark = 5;
        assert_eq!(
            zero_target(&mark),
            Ok(Some(ServiceKey::fwmark(5, Family::Ipv4)))
        );
    }

    #[test]
    fn a_dest_of_family_0_takes_the_service_family_and_keeps_its_tunnel() {
        let dest = ipvs_dest_t {
            addr: ip_into("2001:db8::1".parse().unwrap()),
            port: 8080u16.to_be(),
            conn_flags: 2,
            weight: -1,
            tun_type: 1,
            tun_port: 6080u16.to_be(),
            tun_flags: 1,
            ..Default::default()
        };
        let s = server_from(Family::Ipv6, &dest).unwrap();
        assert_eq!(s.addr, "[2001:db8::1]:8080".parse().unwrap());
        assert_eq!(s.weight, u32::MAX);
        assert_eq!(
            s.forward,
            ForwardMethod::Tunnel(Tunnel::gue(6080, TunnelChecksum::Checksum))
        );
        let back = dest_entry_into(&RealServerEntry::new(s));
        assert_eq!(
            (back.tun_type, u16::from_be(back.tun_port), back.tun_flags),
            (1, 6080, 1)
        );
        assert_eq!(back.weight, -1);
        assert_eq!(back.af, 10);
    }

    #[test]
    fn entries_write_what_they_read() {
        let svc = service(10, "2001:db8::10".parse().unwrap(), 443);
        let mut s = service_from(&svc).unwrap();
        s.netmask = Netmask::V6Prefix(64);
        let e = service_entry_into(&ServiceEntry::new(s, Stats::default()));
        assert_eq!(e.af, 10);
        assert_eq!(e.addr.bytes(), svc.addr.bytes());
        assert_eq!(u16::from_be(e.port), 443);
        assert_eq!(e.netmask, 64);
        assert_eq!(name_from(&e.sched_name), "wrr");
        assert_eq!(e.num_dests, 0);
    }

    #[test]
    fn a_daemon_keeps_zeros_as_defaults() {
        let mut dm = ipvs_daemon_t {
            state: 1,
            syncid: 7,
            ..Default::default()
        };
        name_into(&mut dm.mcast_ifn, "eth0");
        let d = daemon_from(&dm);
        assert_eq!(
            (d.max_len, d.port, d.ttl, d.group),
            (None, None, None, None)
        );
        dm.mcast_af = 2;
        dm.mcast_group = ip_into("239.1.2.3".parse().unwrap());
        dm.mcast_ttl = 300;
        let d = daemon_from(&dm);
        assert_eq!(d.group, Some("239.1.2.3".parse().unwrap()));
        assert_eq!(d.ttl, Some(44));
        let back = daemon_into(&d);
        assert_eq!((back.state, back.syncid, back.mcast_af), (1, 7, 2));
        assert_eq!(name_from(&back.mcast_ifn), "eth0");
    }
}
