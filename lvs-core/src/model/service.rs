//! Virtual services: their key, scheduler, flags and persistence.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;

use bitflags::bitflags;

use super::stats::Stats;
use crate::error::Error;

/// An address family of a service, real server or firewall-mark service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Family {
    /// IPv4 (`AF_INET`, 2).
    Ipv4,
    /// IPv6 (`AF_INET6`, 10).
    Ipv6,
}

impl Family {
    /// The Linux `AF_*` number.
    pub const fn af(self) -> u16 {
        match self {
            Family::Ipv4 => 2,
            Family::Ipv6 => 10,
        }
    }

    /// The family of a Linux `AF_*` number, if it is one IPVS knows.
    pub const fn from_af(af: u16) -> Option<Family> {
        match af {
            2 => Some(Family::Ipv4),
            10 => Some(Family::Ipv6),
            _ => None,
        }
    }

    /// The family of an address.
    pub const fn of(addr: &IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::Ipv4,
            IpAddr::V6(_) => Family::Ipv6,
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::Ipv4 => "IPv4",
            Family::Ipv6 => "IPv6",
        })
    }
}

/// The transport protocol of an address-based virtual service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Protocol {
    /// TCP (`IPPROTO_TCP`, 6).
    Tcp,
    /// UDP (`IPPROTO_UDP`, 17).
    Udp,
    /// SCTP (`IPPROTO_SCTP`, 132).
    Sctp,
    /// Any other IP protocol number, kept as the kernel reported it.
    Other(u16),
}

impl Protocol {
    /// The IP protocol number.
    pub const fn number(self) -> u16 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::Sctp => 132,
            Protocol::Other(n) => n,
        }
    }

    /// The protocol of an IP protocol number (unknown numbers become [`Protocol::Other`]).
    pub const fn from_number(n: u16) -> Protocol {
        match n {
            6 => Protocol::Tcp,
            17 => Protocol::Udp,
            132 => Protocol::Sctp,
            n => Protocol::Other(n),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::Tcp => f.write_str("TCP"),
            Protocol::Udp => f.write_str("UDP"),
            Protocol::Sctp => f.write_str("SCTP"),
            Protocol::Other(n) => write!(f, "protocol {n}"),
        }
    }
}

/// What identifies a virtual service: a protocol with address and port, or a firewall mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServiceKey {
    /// A virtual IP and port for one protocol (`-t`, `-u`, `--sctp-service`).
    Addr {
        /// The transport protocol.
        protocol: Protocol,
        /// The virtual address and port (port 0 only for persistent services).
        addr: SocketAddr,
    },
    /// A firewall mark (`-f MARK`, with `-6` for IPv6). Marks are 1..=u32::MAX.
    Fwmark {
        /// The firewall mark set by netfilter rules.
        mark: u32,
        /// The address family of the traffic this service takes.
        family: Family,
    },
}

impl ServiceKey {
    /// A TCP service on `addr`.
    pub fn tcp(addr: SocketAddr) -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr,
        }
    }

    /// A UDP service on `addr`.
    pub fn udp(addr: SocketAddr) -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr,
        }
    }

    /// An SCTP service on `addr`.
    pub fn sctp(addr: SocketAddr) -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Sctp,
            addr,
        }
    }

    /// A firewall-mark service of the given family.
    ///
    /// Mark 0 is not a mark to the kernel: it would create the TCP service on the
    /// unspecified address, port 0, instead. [`ServiceKey::try_fwmark`] refuses it.
    pub fn fwmark(mark: u32, family: Family) -> ServiceKey {
        ServiceKey::Fwmark { mark, family }
    }

    /// A firewall-mark service, refusing mark 0 ([`Error::OutOfRange`] for the field
    /// `fwmark`), which the kernel reads as "no mark".
    pub fn try_fwmark(mark: u32, family: Family) -> Result<ServiceKey, Error> {
        if mark == 0 {
            return Err(Error::out_of_range(
                "fwmark",
                0,
                "firewall marks are 1 to 4294967295; the kernel reads 0 as \"no mark\"",
            ));
        }
        Ok(ServiceKey::Fwmark { mark, family })
    }

    /// The address family of the service.
    pub fn family(&self) -> Family {
        match self {
            ServiceKey::Addr { addr, .. } => Family::of(&addr.ip()),
            ServiceKey::Fwmark { family, .. } => *family,
        }
    }

    /// The protocol as the kernel stores it: firewall-mark services are stored as TCP.
    pub fn protocol(&self) -> Protocol {
        match self {
            ServiceKey::Addr { protocol, .. } => *protocol,
            ServiceKey::Fwmark { .. } => Protocol::Tcp,
        }
    }
}

impl fmt::Display for ServiceKey {
    /// ipvsadm's spelling: `TCP 10.0.0.1:80`, `UDP [2001:db8::1]:53`, `FWM 5`, `FWM 5 IPv6`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServiceKey::Addr { protocol, addr } => write!(f, "{protocol} {addr}"),
            ServiceKey::Fwmark {
                mark,
                family: Family::Ipv4,
            } => write!(f, "FWM {mark}"),
            ServiceKey::Fwmark { mark, family } => write!(f, "FWM {mark} {family}"),
        }
    }
}

/// Writes [`Scheduler`], its [`Scheduler::KNOWN`] list, [`Scheduler::name`] and
/// [`Scheduler::from_name`] from one list of (variant, kernel name), so that a scheduler
/// is added in one place (the pattern of `ConnectionState`).
macro_rules! schedulers {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// A scheduling algorithm, by its kernel module name (`ip_vs_NAME`).
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Scheduler {
            $($(#[$doc])* $variant,)*
            /// `none`: a service without a scheduler (reported by modern kernels).
            None,
            /// Any other scheduler name, kept verbatim (an out-of-tree module, a newer
            /// kernel).
            Other(String),
        }

        impl Scheduler {
            /// Every scheduler that ships with Linux, in ipvsadm's `SCHEDULERS` order.
            pub const KNOWN: [Scheduler; [$(stringify!($variant)),*].len()] =
                [$(Scheduler::$variant),*];

            /// The kernel's name of the scheduler.
            pub fn name(&self) -> &str {
                match self {
                    $(Scheduler::$variant => $name,)*
                    Scheduler::None => "none",
                    Scheduler::Other(name) => name,
                }
            }

            /// The scheduler of a kernel name; unknown names become [`Scheduler::Other`].
            pub fn from_name(name: &str) -> Scheduler {
                match name {
                    $($name => Scheduler::$variant,)*
                    "none" => Scheduler::None,
                    other => Scheduler::Other(other.to_owned()),
                }
            }
        }
    };
}

// Every scheduler that ships with Linux, in ipvsadm's `SCHEDULERS` order.
schedulers! {
    /// `rr`: round robin.
    Rr => "rr",
    /// `wrr`: weighted round robin.
    Wrr => "wrr",
    /// `lc`: least connections.
    Lc => "lc",
    /// `wlc`: weighted least connections (ipvsadm's default).
    Wlc => "wlc",
    /// `lblc`: locality-based least connections.
    Lblc => "lblc",
    /// `lblcr`: locality-based least connections with replication.
    Lblcr => "lblcr",
    /// `dh`: destination hashing.
    Dh => "dh",
    /// `sh`: source hashing.
    Sh => "sh",
    /// `sed`: shortest expected delay.
    Sed => "sed",
    /// `nq`: never queue.
    Nq => "nq",
    /// `fo`: weighted failover.
    Fo => "fo",
    /// `ovf`: weighted overflow.
    Ovf => "ovf",
    /// `mh`: Maglev hashing.
    Mh => "mh",
}

impl Default for Scheduler {
    /// `wlc`, the default of ipvsadm and keepalived.
    fn default() -> Scheduler {
        Scheduler::Wlc
    }
}

impl fmt::Display for Scheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scheduler {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Scheduler, Self::Err> {
        Ok(Scheduler::from_name(s))
    }
}

bitflags! {
    /// The service flags word (`IP_VS_SVC_F_*`), unknown bits kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
    pub struct ServiceFlags: u32 {
        /// `-p`: persistent service (`IP_VS_SVC_F_PERSISTENT`).
        const PERSISTENT = 0x0001;
        /// Set by the kernel on every service in its table (`IP_VS_SVC_F_HASHED`).
        const HASHED = 0x0002;
        /// `-o`: one-packet scheduling (`IP_VS_SVC_F_ONEPACKET`).
        const ONE_PACKET = 0x0004;
        /// Scheduler flag 1 (`IP_VS_SVC_F_SCHED1`): sh-fallback / mh-fallback.
        const SCHED1 = 0x0008;
        /// Scheduler flag 2 (`IP_VS_SVC_F_SCHED2`): sh-port / mh-port.
        const SCHED2 = 0x0010;
        /// Scheduler flag 3 (`IP_VS_SVC_F_SCHED3`).
        const SCHED3 = 0x0020;
        // Bits this crate does not know stay in the value.
        const _ = !0;
    }
}

bitflags! {
    /// The scheduler flags of `-b`, by ipvsadm's names. Their meaning depends on the
    /// scheduler: `sh` and `mh` give flags 1 and 2 names; the others only number them.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
    pub struct SchedFlags: u32 {
        /// `flag-1`; `sh-fallback` with `sh`, `mh-fallback` with `mh`.
        const FLAG_1 = 0x0008;
        /// `flag-2`; `sh-port` with `sh`, `mh-port` with `mh`.
        const FLAG_2 = 0x0010;
        /// `flag-3`.
        const FLAG_3 = 0x0020;
    }
}

impl ServiceFlags {
    /// The flags as configured: all but `HASHED`, the kernel's own bookkeeping bit, which
    /// it sets on every service in its table and which no request carries.
    ///
    /// This is the one place that says which bit a listing has and a configuration does
    /// not; the planner, the saver, the memory backend, the codec and the faces call it.
    pub fn as_configured(self) -> ServiceFlags {
        self - ServiceFlags::HASHED
    }
}

impl SchedFlags {
    /// `sh-fallback`: fall back to another server when the hashed one is unavailable.
    pub const SH_FALLBACK: SchedFlags = SchedFlags::FLAG_1;
    /// `sh-port`: hash the source port too.
    pub const SH_PORT: SchedFlags = SchedFlags::FLAG_2;
    /// `mh-fallback`: fall back to another server when the hashed one is unavailable.
    pub const MH_FALLBACK: SchedFlags = SchedFlags::FLAG_1;
    /// `mh-port`: hash the source port too.
    pub const MH_PORT: SchedFlags = SchedFlags::FLAG_2;
}

/// The persistence granularity: the client address is masked with this before lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Netmask {
    /// An IPv4 mask such as 255.255.255.0 (`-M 255.255.255.0`). The kernel keeps any
    /// 32-bit value, contiguous or not.
    V4(Ipv4Addr),
    /// An IPv6 prefix length, 1..=128 (`-M 64`).
    V6Prefix(u32),
}

impl Netmask {
    /// The full mask of a family: 255.255.255.255 or /128 (ipvsadm's default).
    pub const fn full(family: Family) -> Netmask {
        match family {
            Family::Ipv4 => Netmask::V4(Ipv4Addr::BROADCAST),
            Family::Ipv6 => Netmask::V6Prefix(128),
        }
    }

    /// Whether this is the full mask of its kind (and so left out of ipvsadm's output).
    pub fn is_full(&self) -> bool {
        match self {
            Netmask::V4(m) => *m == Ipv4Addr::BROADCAST,
            Netmask::V6Prefix(p) => *p == 128,
        }
    }

    /// The netmask as one number: an IPv4 mask's bytes read as a big-endian number
    /// (255.255.255.0 is `0xffffff00`), or the IPv6 prefix length.
    ///
    /// This is lvs's numeric view, not the wire encoding: see [`Netmask::to_wire`] for the
    /// bytes the kernel receives.
    pub fn to_raw(&self) -> u32 {
        match self {
            Netmask::V4(m) => u32::from(*m),
            Netmask::V6Prefix(p) => *p,
        }
    }

    /// The netmask of a number for a family (see [`Netmask::to_raw`]).
    pub fn from_raw(family: Family, raw: u32) -> Netmask {
        match family {
            Family::Ipv4 => Netmask::V4(Ipv4Addr::from(raw)),
            Family::Ipv6 => Netmask::V6Prefix(raw),
        }
    }

    /// The 4 payload bytes of `IPVS_SVC_ATTR_NETMASK` as lvs-sys sends them (and as
    /// ipvsadm does): an IPv4 mask's bytes in network order, an IPv6 prefix length as a
    /// host-order `u32`.
    ///
    /// The kernel keeps the payload as a `__be32` and reads it by the service's family (see
    /// [`Netmask::from_wire`]), so a netmask of the other kind changes meaning: on a
    /// little-endian host `V6Prefix(24)` on an IPv4 service is stored as the mask
    /// `24.0.0.0`, and `V4(0.0.0.64)` on an IPv6 service as the prefix length `0x40000000`.
    /// [`crate::MemoryIpvs`] stores what the kernel does by going through these bytes;
    /// [`crate::validate::validate_service`] refuses such a mix, and
    /// [`Netmask::from_prefix`] turns a prefix length into the right kind.
    pub fn to_wire(&self) -> [u8; 4] {
        match self {
            Netmask::V4(m) => m.octets(),
            Netmask::V6Prefix(p) => p.to_ne_bytes(),
        }
    }

    /// The netmask the kernel holds for the payload bytes of `IPVS_SVC_ATTR_NETMASK` on a
    /// service of `family` (see [`Netmask::to_wire`]).
    pub fn from_wire(family: Family, bytes: [u8; 4]) -> Netmask {
        match family {
            Family::Ipv4 => Netmask::V4(Ipv4Addr::from(bytes)),
            Family::Ipv6 => Netmask::V6Prefix(u32::from_ne_bytes(bytes)),
        }
    }

    /// The netmask of a prefix length for a service of `family`: for IPv4 the mask with
    /// `len` leading ones (0..=32: 24 is 255.255.255.0), for IPv6 the prefix length itself
    /// (1..=128, the kernel's range).
    ///
    /// This is the rule the faces apply to an integer netmask, so that a prefix length
    /// means the same on both families.
    pub fn from_prefix(family: Family, len: u32) -> Result<Netmask, Error> {
        match family {
            Family::Ipv4 if len <= 32 => Ok(Netmask::V4(Ipv4Addr::from(
                u32::MAX.checked_shl(32 - len).unwrap_or(0),
            ))),
            Family::Ipv6 if (1..=128).contains(&len) => Ok(Netmask::V6Prefix(len)),
            Family::Ipv4 => Err(Error::out_of_range(
                "netmask",
                i64::from(len),
                "an IPv4 prefix length is 0 to 32",
            )),
            Family::Ipv6 => Err(Error::out_of_range(
                "netmask",
                i64::from(len),
                "an IPv6 prefix length is 1 to 128",
            )),
        }
    }
}

impl fmt::Display for Netmask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Netmask::V4(m) => write!(f, "{m}"),
            Netmask::V6Prefix(p) => write!(f, "{p}"),
        }
    }
}

/// A view of a service's persistence settings (see [`Service::persistence`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Persistence {
    /// How long a client's template lives after its last connection, in seconds.
    pub timeout: u32,
    /// The client-address granularity.
    pub netmask: Netmask,
    /// The persistence engine, such as `sip`.
    pub engine: Option<String>,
}

/// The default persistence timeout of ipvsadm's `-p` without a value: 360 s.
pub const DEFAULT_PERSISTENCE_TIMEOUT: u32 = 360;

/// A virtual service as the kernel stores it.
///
/// The fields follow the kernel's service record one to one so that a service read from the
/// kernel and written back is the same service; the builder methods give the usual ways to
/// set them. A new service has ipvsadm's defaults: scheduler `wlc`, not persistent, full
/// netmask.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Service {
    /// What identifies the service.
    pub key: ServiceKey,
    /// The scheduling algorithm.
    pub scheduler: Scheduler,
    /// The flags word: persistence, one-packet, scheduler flags; the kernel adds `HASHED`.
    pub flags: ServiceFlags,
    /// The persistence timeout in seconds (used with [`ServiceFlags::PERSISTENT`]).
    pub timeout: u32,
    /// The persistence netmask (used with [`ServiceFlags::PERSISTENT`]).
    pub netmask: Netmask,
    /// The persistence engine (`--pe`), such as `sip`.
    pub pe_name: Option<String>,
}

impl Service {
    /// The service as configured: a listed service without the kernel's `HASHED` flag
    /// ([`ServiceFlags::as_configured`]), so it compares equal to the one that was added.
    pub fn as_configured(mut self) -> Service {
        self.flags = self.flags.as_configured();
        self
    }

    /// A service with ipvsadm's defaults for `key`.
    pub fn new(key: ServiceKey) -> Service {
        Service {
            netmask: Netmask::full(key.family()),
            key,
            scheduler: Scheduler::default(),
            flags: ServiceFlags::empty(),
            timeout: 0,
            pe_name: None,
        }
    }

    /// Sets the scheduler.
    pub fn with_scheduler(mut self, scheduler: Scheduler) -> Service {
        self.scheduler = scheduler;
        self
    }

    /// Makes the service persistent with a timeout in seconds (`-p TIMEOUT`).
    pub fn persistent(mut self, timeout: u32) -> Service {
        self.flags |= ServiceFlags::PERSISTENT;
        self.timeout = timeout;
        self
    }

    /// Sets the persistence netmask (`-M`).
    pub fn with_netmask(mut self, netmask: Netmask) -> Service {
        self.netmask = netmask;
        self
    }

    /// Sets the persistence engine (`--pe`), by the name the kernel keeps in `pe_name`.
    /// (One name for the concept in Rust: the field, this builder and the kernel attribute
    /// all say `pe_name`.)
    pub fn with_pe_name(mut self, engine: impl Into<String>) -> Service {
        self.pe_name = Some(engine.into());
        self
    }

    /// Turns on one-packet scheduling (`-o`, UDP and firewall-mark services).
    pub fn one_packet(mut self) -> Service {
        self.flags |= ServiceFlags::ONE_PACKET;
        self
    }

    /// Sets the scheduler flags (`-b`), replacing any set before.
    pub fn with_sched_flags(mut self, sched: SchedFlags) -> Service {
        self.flags = (self.flags
            - (ServiceFlags::SCHED1 | ServiceFlags::SCHED2 | ServiceFlags::SCHED3))
            | ServiceFlags::from_bits_retain(sched.bits());
        self
    }

    /// Whether the service is persistent.
    pub fn is_persistent(&self) -> bool {
        self.flags.contains(ServiceFlags::PERSISTENT)
    }

    /// The scheduler flags set on the service.
    pub fn sched_flags(&self) -> SchedFlags {
        SchedFlags::from_bits_truncate(self.flags.bits())
    }

    /// The persistence settings, if the service is persistent.
    pub fn persistence(&self) -> Option<Persistence> {
        self.is_persistent().then(|| Persistence {
            timeout: self.timeout,
            netmask: self.netmask,
            engine: self.pe_name.clone(),
        })
    }
}

/// A service as the kernel lists it: the service with its counters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ServiceEntry {
    /// The service.
    pub service: Service,
    /// Counters and rates since the last zeroing (64-bit).
    pub stats: Stats,
}

impl ServiceEntry {
    /// An entry of a service with its counters.
    pub fn new(service: Service, stats: Stats) -> ServiceEntry {
        ServiceEntry { service, stats }
    }
}
