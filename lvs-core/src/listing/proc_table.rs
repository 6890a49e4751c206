//! The kernel's `/proc/net/ip_vs`: every service of a network namespace with its real
//! servers' addresses, forwarding methods, weights and active and inactive connection
//! counts, in one sequential read. That is all a plain `ipvsadm -L -n` shows of a real
//! server, so a listing can take the servers from here and the services (flags,
//! persistence engine, scheduler flags, which the file lacks) from one netlink dump,
//! instead of one netlink dump per service.
//!
//! The file as the kernel writes it:
//!
//! ```text
//! IP Virtual Server version 1.2.1 (size=4096)
//! Prot LocalAddress:Port Scheduler Flags
//!   -> RemoteAddress:Port Forward Weight ActiveConn InActConn
//! TCP  C0000214:0050 wlc persistent 300 FFFFFFFF
//!   -> C6336415:0050      Masq    2      0          0
//! UDP  [2001:0db8:0000:0000:0000:0000:0000:0020]:0035 rr
//!   -> [2001:0db8:0000:0000:0000:0000:0000:0021]:0035      Masq    1      0          0
//! FWM  00000007 sh
//! ```
//!
//! IPv4 addresses and all ports are upper-case hex, IPv6 addresses uncompressed in
//! brackets. A firewall-mark line does not say its address family, so a mark used by an
//! IPv4 and an IPv6 service is ambiguous: [`ProcTable::servers`] answers `None` for it
//! when the file shows it twice, and after [`ProcTable::mark_ambiguous`] (the caller knows
//! from netlink that both families use it) even when the file shows it once.
//!
//! The kernel resumes each read of the file by position in hash tables that every
//! namespace shares, so while other namespaces add or delete services a read can skip a
//! service or show one twice. A skipped service is not answered (`None`, as one added
//! after the read); a service shown twice is not answered either, rather than with its
//! real servers twice.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::ops::Range;

use crate::model::{ForwardMethod, Protocol, RealServer, RealServerEntry, ServiceKey, Tunnel};

/// A service of the file: its key as far as the file tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ProcKey {
    Addr(Protocol, SocketAddr),
    Fwmark(u32),
}

/// The real servers of every service in `/proc/net/ip_vs`, by service.
///
/// Each [`RealServerEntry`] has the address, forwarding method (a tunnel as IP-in-IP: the
/// file does not tell the kind), weight and active and inactive counts; its thresholds,
/// persistent count and counters are 0. Fit for `ipvsadm -L -n`'s plain listing only.
///
/// The file can be read a line at a time ([`ProcTable::push_line`]), so a reader need not
/// hold its text, and the table keeps only what the file tells of each real server (about
/// a third of a [`RealServerEntry`]), making the entries when they are asked for.
#[derive(Debug, Clone, Default)]
pub struct ProcTable {
    /// Every real server line, in the file's order.
    servers: Vec<ProcServer>,
    /// Where each service's real servers are in `servers` (a service's lines follow it).
    services: HashMap<ProcKey, Range<u32>>,
    /// Services seen on more than one line (a mark of both families, or a service the
    /// read showed twice), and marks the caller said both families use: not answered.
    unanswered: HashSet<ProcKey>,
    /// The service the last service line named, if any yet.
    current: Option<ProcKey>,
    /// Lines read, and service lines among them.
    lines: usize,
    service_lines: usize,
}

/// The real servers per service [`ProcTable::with_capacity`] makes room for.
const ROOM_PER_SERVICE: usize = 8;

/// What the file tells of a real server, in 32 bytes (a [`RealServerEntry`] is 144): a
/// listing of tens of thousands of real servers holds one per line.
#[derive(Debug, Clone, Copy)]
struct ProcServer {
    /// The address's octets; an IPv4 address in the first four.
    ip: [u8; 16],
    port: u16,
    v6: bool,
    /// The index of the forwarding method's name in [`FORWARDS`].
    forward: u8,
    weight: u32,
    active: u32,
    inactive: u32,
}

/// The forwarding methods by the names the file gives them (a tunnel's kind is not told).
const FORWARDS: [(&str, ForwardMethod); 5] = [
    ("Masq", ForwardMethod::Masquerade),
    ("Local", ForwardMethod::Local),
    ("Tunnel", ForwardMethod::Tunnel(Tunnel::IPIP)),
    ("Route", ForwardMethod::DirectRoute),
    ("Bypass", ForwardMethod::Bypass),
];

impl ProcServer {
    fn entry(&self) -> RealServerEntry {
        let ip = if self.v6 {
            IpAddr::V6(Ipv6Addr::from(self.ip))
        } else {
            IpAddr::V4(Ipv4Addr::new(
                self.ip[0], self.ip[1], self.ip[2], self.ip[3],
            ))
        };
        let mut entry = RealServerEntry::new(
            RealServer::new(SocketAddr::new(ip, self.port))
                .with_forward(FORWARDS[usize::from(self.forward)].1)
                .with_weight(self.weight),
        );
        entry.active_conns = self.active;
        entry.inactive_conns = self.inactive;
        entry
    }
}

/// Why the file could not be read: the line (counted from 1) and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("/proc/net/ip_vs line {line}: {reason}")]
#[non_exhaustive]
pub struct ProcTableError {
    /// The line, counted from 1.
    pub line: usize,
    /// What was wrong.
    pub reason: &'static str,
}

impl ProcTable {
    /// Reads the file's text. Anything it does not expect is an error, so a caller can
    /// fall back to netlink rather than list something else.
    pub fn parse(text: &str) -> Result<ProcTable, ProcTableError> {
        let mut table = ProcTable::default();
        for line in text.lines() {
            table.push_line(line)?;
        }
        Ok(table)
    }

    /// An empty table with room for `services` services and some real servers each, for
    /// a reader that knows how many services to expect (from the services dump): a large
    /// file is then read without copies of a growing table. Room not used costs address
    /// space, not memory.
    pub fn with_capacity(services: usize) -> ProcTable {
        ProcTable {
            servers: Vec::with_capacity(services.saturating_mul(ROOM_PER_SERVICE)),
            services: HashMap::with_capacity(services),
            ..ProcTable::default()
        }
    }

    /// Reads the file's next line (without its newline): [`ProcTable::parse`] a line at a
    /// time, starting from [`ProcTable::default`].
    pub fn push_line(&mut self, line: &str) -> Result<(), ProcTableError> {
        self.lines += 1;
        let number = self.lines;
        let fail = |reason| ProcTableError {
            line: number,
            reason,
        };
        if number <= 3 {
            let expected = [
                "IP Virtual Server version",
                "Prot LocalAddress",
                "  -> Remote",
            ];
            if !line.starts_with(expected[number - 1]) {
                return Err(fail("not the header /proc/net/ip_vs starts with"));
            }
            return Ok(());
        }
        if let Some(rest) = line.strip_prefix("  -> ") {
            let key = self
                .current
                .ok_or(fail("a real server before any service"))?;
            let server = server_line(rest).ok_or(fail("not a real server line"))?;
            self.servers.push(server);
            let end = self.end()?;
            if let Some(range) = self.services.get_mut(&key) {
                // The servers of a service shown twice are not answered: its range
                // need not stay right.
                range.end = end;
            }
            return Ok(());
        }
        let key = service_line(line).ok_or(fail("not a service line"))?;
        self.service_lines += 1;
        let here = self.end()?;
        if self.services.insert(key, here..here).is_some() {
            self.unanswered.insert(key);
        }
        self.current = Some(key);
        Ok(())
    }

    /// The real servers the file lists for `service`; `None` when the file does not have
    /// the service (it came or went between reads) or cannot tell it apart (a firewall mark
    /// with services of both families).
    pub fn servers(&self, service: &ServiceKey) -> Option<Vec<RealServerEntry>> {
        let key = self.answered(service)?;
        let range = self.services.get(&key)?;
        let lines = self.servers.get(range.start as usize..range.end as usize)?;
        Some(lines.iter().map(ProcServer::entry).collect())
    }

    /// Where the next real server will go in `servers`.
    fn end(&self) -> Result<u32, ProcTableError> {
        u32::try_from(self.servers.len()).map_err(|_| ProcTableError {
            line: self.lines,
            reason: "more real servers than lvs can index",
        })
    }

    /// Like [`ProcTable::servers`], but once per service: a second call for the same
    /// service gives `None`.
    pub fn take_servers(&mut self, service: &ServiceKey) -> Option<Vec<RealServerEntry>> {
        let key = self.answered(service)?;
        let range = self.services.remove(&key)?;
        let lines = self.servers.get(range.start as usize..range.end as usize)?;
        Some(lines.iter().map(ProcServer::entry).collect())
    }

    /// The file's key of `service`, if the file can answer for it.
    fn answered(&self, service: &ServiceKey) -> Option<ProcKey> {
        let key = match *service {
            ServiceKey::Addr { protocol, addr } => ProcKey::Addr(protocol, addr),
            ServiceKey::Fwmark { mark, .. } => ProcKey::Fwmark(mark),
        };
        (!self.unanswered.contains(&key)).then_some(key)
    }

    /// Says that an IPv4 and an IPv6 service both use `mark` (as the services dump tells),
    /// so the file's lines of that mark cannot be told apart even if it shows only one
    /// (it may have skipped the other): [`ProcTable::servers`] answers `None` for the mark.
    pub fn mark_ambiguous(&mut self, mark: u32) {
        self.unanswered.insert(ProcKey::Fwmark(mark));
    }

    /// How many service lines the file has.
    pub fn len(&self) -> usize {
        self.service_lines
    }

    /// Whether the file lists no service.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `PROTO  ADDR:PORT SCHED [ops ][persistent ...]` or `FWM  MARK SCHED ...`.
fn service_line(line: &str) -> Option<ProcKey> {
    let mut words = line.split_ascii_whitespace();
    let protocol = words.next()?;
    let target = words.next()?;
    words.next()?; // the scheduler, which the netlink dump gives too
    if protocol == "FWM" {
        return u32::from_str_radix(target, 16).ok().map(ProcKey::Fwmark);
    }
    let protocol = match protocol {
        "TCP" => Protocol::Tcp,
        "UDP" => Protocol::Udp,
        "SCTP" => Protocol::Sctp,
        _ => return None,
    };
    Some(ProcKey::Addr(protocol, endpoint(target)?))
}

/// `ADDR:PORT      FORWARD WEIGHT ACTIVE INACTIVE` after the arrow.
fn server_line(rest: &str) -> Option<ProcServer> {
    let mut words = rest.split_ascii_whitespace();
    let addr = endpoint(words.next()?)?;
    let name = words.next()?;
    let forward = FORWARDS.iter().position(|(n, _)| *n == name)?;
    let weight = words.next()?.parse().ok()?;
    let active = words.next()?.parse().ok()?;
    let inactive = words.next()?.parse().ok()?;
    if words.next().is_some() {
        return None;
    }
    let mut ip = [0; 16];
    match addr.ip() {
        IpAddr::V4(v4) => ip[..4].copy_from_slice(&v4.octets()),
        IpAddr::V6(v6) => ip = v6.octets(),
    }
    Some(ProcServer {
        ip,
        port: addr.port(),
        v6: addr.is_ipv6(),
        forward: forward as u8, // FORWARDS has 5 entries
        weight,
        active,
        inactive,
    })
}

/// `C0000214:0050` or `[2001:0db8:...:0020]:0050`.
fn endpoint(text: &str) -> Option<SocketAddr> {
    let (addr, port) = text.rsplit_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let ip = match addr.strip_prefix('[').and_then(|a| a.strip_suffix(']')) {
        Some(v6) => IpAddr::V6(v6.parse().ok()?),
        None if addr.len() == 8 => IpAddr::V4(Ipv4Addr::from(u32::from_str_radix(addr, 16).ok()?)),
        None => return None,
    };
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Family;

    const FILE: &str = "\
IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port Forward Weight ActiveConn InActConn
TCP  C0000214:0050 wlc persistent 300 FFFFFFFF
  -> C6336415:0050      Masq    2      3          4         \n  -> C6336416:0050      Tunnel  1      0          0         \n\
UDP  [2001:0db8:0000:0000:0000:0000:0000:0020]:0035 rr ops \n  -> [2001:0db8:0000:0000:0000:0000:0000:0021]:0035      Route   1      0          0         \n\
FWM  00000007 sh \n";

    #[test]
    fn taking_the_servers_hands_them_over_once_and_keeps_the_unanswered_unanswered() {
        let mut table = ProcTable::parse(FILE).unwrap();
        let web = ServiceKey::tcp("192.0.2.20:80".parse().unwrap());
        let listed = table.servers(&web).unwrap();
        assert_eq!(table.take_servers(&web), Some(listed));
        assert_eq!(table.take_servers(&web), None);
        assert_eq!(table.servers(&web), None);
        let mark = ServiceKey::Fwmark {
            mark: 7,
            family: Family::Ipv4,
        };
        table.mark_ambiguous(7);
        assert_eq!(table.take_servers(&mark), None);
    }

    #[test]
    fn read_a_line_at_a_time_into_a_sized_table_it_is_the_same() {
        let whole = ProcTable::parse(FILE).unwrap();
        let mut lines = ProcTable::with_capacity(2);
        for line in FILE.lines() {
            lines.push_line(line).unwrap();
        }
        assert_eq!(lines.len(), whole.len());
        for key in [
            ServiceKey::tcp("192.0.2.20:80".parse().unwrap()),
            ServiceKey::udp("[2001:db8::20]:53".parse().unwrap()),
            ServiceKey::fwmark(7, Family::Ipv4),
        ] {
            assert!(whole.servers(&key).is_some(), "{key}");
            assert_eq!(lines.servers(&key), whole.servers(&key), "{key}");
        }
    }

    #[test]
    fn every_service_has_its_servers() {
        let table = ProcTable::parse(FILE).unwrap();
        assert_eq!(table.len(), 3);
        let web = ServiceKey::tcp("192.0.2.20:80".parse().unwrap());
        let servers = table.servers(&web).unwrap();
        assert_eq!(servers.len(), 2);
        assert_eq!(servers[0].server.addr, "198.51.100.21:80".parse().unwrap());
        assert_eq!(servers[0].server.forward, ForwardMethod::Masquerade);
        assert_eq!(servers[0].server.weight, 2);
        assert_eq!((servers[0].active_conns, servers[0].inactive_conns), (3, 4));
        assert_eq!(
            servers[1].server.forward,
            ForwardMethod::Tunnel(Tunnel::default())
        );
        assert_eq!(
            servers[1],
            RealServerEntry::new(
                RealServer::new("198.51.100.22:80".parse().unwrap())
                    .with_forward(ForwardMethod::Tunnel(Tunnel::default()))
            )
        );
        let dns = ServiceKey::udp("[2001:db8::20]:53".parse().unwrap());
        assert_eq!(
            table.servers(&dns).unwrap()[0].server.forward,
            ForwardMethod::DirectRoute
        );
        assert_eq!(
            table.servers(&dns).unwrap()[0].server.addr,
            "[2001:db8::21]:53".parse().unwrap()
        );
        let mark = ServiceKey::Fwmark {
            mark: 7,
            family: Family::Ipv4,
        };
        assert_eq!(table.servers(&mark).unwrap().len(), 0);
        assert!(table
            .servers(&ServiceKey::tcp("192.0.2.99:80".parse().unwrap()))
            .is_none());
    }

    #[test]
    fn a_mark_of_both_families_is_not_answered() {
        let text = format!(
            "{FILE}  -> C6336418:0000      Route   1      0          0\nFWM  00000007 rr \n"
        );
        let table = ProcTable::parse(&text).unwrap();
        for family in [Family::Ipv4, Family::Ipv6] {
            assert!(table
                .servers(&ServiceKey::Fwmark { mark: 7, family })
                .is_none());
        }
    }

    #[test]
    fn a_mark_the_caller_says_both_families_use_is_not_answered_even_when_shown_once() {
        let mut table = ProcTable::parse(FILE).unwrap();
        let mark = ServiceKey::Fwmark {
            mark: 7,
            family: Family::Ipv4,
        };
        assert!(table.servers(&mark).is_some());
        table.mark_ambiguous(7);
        for family in [Family::Ipv4, Family::Ipv6] {
            assert!(table
                .servers(&ServiceKey::Fwmark { mark: 7, family })
                .is_none());
        }
        assert!(table
            .servers(&ServiceKey::tcp("192.0.2.20:80".parse().unwrap()))
            .is_some());
    }

    #[test]
    fn a_service_the_read_showed_twice_is_not_answered() {
        // A read resumed at a position that other namespaces' changes moved back.
        let text = format!(
            "{FILE}TCP  C0000214:0050 wlc persistent 300 FFFFFFFF\n  -> C6336415:0050      Masq    2      3          4\n"
        );
        let table = ProcTable::parse(&text).unwrap();
        assert_eq!(table.len(), 4);
        assert!(table
            .servers(&ServiceKey::tcp("192.0.2.20:80".parse().unwrap()))
            .is_none());
        assert!(table
            .servers(&ServiceKey::udp("[2001:db8::20]:53".parse().unwrap()))
            .is_some());
    }

    #[test]
    fn anything_unexpected_is_an_error() {
        for (text, line) in [
            ("", 0),
            ("IP Virtual Server version 1.2.1 (size=4096)\nbogus\n", 2),
            (
                &*format!("{FILE}  -> C6336418:0050      Warp    1      0          0\n"),
                10,
            ),
            (
                &*format!("{FILE}  -> C6336418:0050      Masq    -1     0          0\n"),
                10,
            ),
            (&*format!("{FILE}ICMP 01020304:0000 rr\n"), 10),
        ] {
            match ProcTable::parse(text) {
                Ok(table) if line == 0 => assert!(table.is_empty()),
                Ok(_) => panic!("{text:?} was read"),
                Err(e) => assert_eq!(e.line, line, "{e}"),
            }
        }
        let orphan = "IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n  -> C6336418:0050      Masq    1      0          0\n";
        assert_eq!(ProcTable::parse(orphan).unwrap_err().line, 4);
    }
}
