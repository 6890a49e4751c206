//! Real servers (the kernel's "destinations"): address, forwarding, weight, thresholds.

use std::fmt;
use std::net::SocketAddr;

use super::service::Family;
use super::stats::Stats;
use crate::error::Error;

/// The kind of encapsulation of a tunnelled real server (`--tun-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TunnelKind {
    /// IP-in-IP (`IP_VS_CONN_F_TUNNEL_TYPE_IPIP`, 0), the default.
    Ipip,
    /// Generic UDP Encapsulation to a UDP port (`IP_VS_CONN_F_TUNNEL_TYPE_GUE`, 1; Linux 5.2).
    Gue {
        /// The destination UDP port of the encapsulation (1..=65535).
        port: u16,
    },
    /// GRE (`IP_VS_CONN_F_TUNNEL_TYPE_GRE`, 2; Linux 5.3).
    Gre,
    /// Another tunnel type number, with the port the kernel reported for it.
    Other {
        /// The `IPVS_DEST_ATTR_TUN_TYPE` value.
        kind: u8,
        /// The `IPVS_DEST_ATTR_TUN_PORT` value.
        port: u16,
    },
}

impl TunnelKind {
    /// The `IPVS_DEST_ATTR_TUN_TYPE` number.
    pub const fn number(self) -> u8 {
        match self {
            TunnelKind::Ipip => 0,
            TunnelKind::Gue { .. } => 1,
            TunnelKind::Gre => 2,
            TunnelKind::Other { kind, .. } => kind,
        }
    }

    /// The `IPVS_DEST_ATTR_TUN_PORT` value (0 where the kind has no port).
    pub const fn port(self) -> u16 {
        match self {
            TunnelKind::Gue { port } | TunnelKind::Other { port, .. } => port,
            TunnelKind::Ipip | TunnelKind::Gre => 0,
        }
    }

    /// The kind of a type number and port as the kernel reports them.
    pub const fn from_wire(kind: u8, port: u16) -> TunnelKind {
        match kind {
            0 => TunnelKind::Ipip,
            1 => TunnelKind::Gue { port },
            2 => TunnelKind::Gre,
            kind => TunnelKind::Other { kind, port },
        }
    }
}

/// The checksum mode of a GUE or GRE tunnel (`--tun-nocsum`, `--tun-csum`, `--tun-remcsum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TunnelChecksum {
    /// No checksum (`IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM`, 0), the default.
    #[default]
    None,
    /// Outer checksum (`IP_VS_TUNNEL_ENCAP_FLAG_CSUM`, 1).
    Checksum,
    /// Remote checksum offload (`IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM`, 2; GUE only).
    Remote,
    /// Any other flags word, kept as reported.
    Other(u16),
}

impl TunnelChecksum {
    /// The `IPVS_DEST_ATTR_TUN_FLAGS` value.
    pub const fn flags(self) -> u16 {
        match self {
            TunnelChecksum::None => 0,
            TunnelChecksum::Checksum => 1,
            TunnelChecksum::Remote => 2,
            TunnelChecksum::Other(f) => f,
        }
    }

    /// The mode of an `IPVS_DEST_ATTR_TUN_FLAGS` value.
    pub const fn from_flags(flags: u16) -> TunnelChecksum {
        match flags {
            0 => TunnelChecksum::None,
            1 => TunnelChecksum::Checksum,
            2 => TunnelChecksum::Remote,
            f => TunnelChecksum::Other(f),
        }
    }
}

/// How a tunnelled real server is reached: the encapsulation and its checksum mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Tunnel {
    /// The encapsulation.
    pub kind: TunnelKind,
    /// The checksum mode (GUE and GRE).
    pub checksum: TunnelChecksum,
}

impl Tunnel {
    /// Plain IP-in-IP, ipvsadm's `-i`.
    pub const IPIP: Tunnel = Tunnel {
        kind: TunnelKind::Ipip,
        checksum: TunnelChecksum::None,
    };

    /// A tunnel of a kind with a checksum mode.
    pub const fn new(kind: TunnelKind, checksum: TunnelChecksum) -> Tunnel {
        Tunnel { kind, checksum }
    }

    /// A GUE tunnel to `port` with a checksum mode.
    pub const fn gue(port: u16, checksum: TunnelChecksum) -> Tunnel {
        Tunnel::new(TunnelKind::Gue { port }, checksum)
    }

    /// A GRE tunnel with a checksum mode.
    pub const fn gre(checksum: TunnelChecksum) -> Tunnel {
        Tunnel::new(TunnelKind::Gre, checksum)
    }
}

impl Default for Tunnel {
    fn default() -> Tunnel {
        Tunnel::IPIP
    }
}

/// How the director forwards packets to a real server (`IP_VS_CONN_F_FWD_MASK` bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ForwardMethod {
    /// NAT (`-m`, `IP_VS_CONN_F_MASQ`, 0): replies must come back through the director.
    Masquerade,
    /// The director itself (`IP_VS_CONN_F_LOCALNODE`, 1); ipvsadm shows it as `Local`.
    Local,
    /// IP tunnelling (`-i`, `IP_VS_CONN_F_TUNNEL`, 2) with its encapsulation.
    Tunnel(Tunnel),
    /// Direct routing (`-g`, `IP_VS_CONN_F_DROUTE`, 3), ipvsadm's default.
    DirectRoute,
    /// Bypass (`IP_VS_CONN_F_BYPASS`, 4).
    Bypass,
    /// Another value of the 3 forwarding bits (5..=7), kept as reported.
    Other(u32),
}

impl ForwardMethod {
    /// The `IPVS_DEST_ATTR_FWD_METHOD` number.
    pub const fn number(self) -> u32 {
        match self {
            ForwardMethod::Masquerade => 0,
            ForwardMethod::Local => 1,
            ForwardMethod::Tunnel(_) => 2,
            ForwardMethod::DirectRoute => 3,
            ForwardMethod::Bypass => 4,
            ForwardMethod::Other(n) => n,
        }
    }

    /// The method of a forwarding number and the tunnel attributes reported with it (only
    /// used when the number is the tunnel's).
    pub const fn from_wire(number: u32, tunnel: Tunnel) -> ForwardMethod {
        match number {
            0 => ForwardMethod::Masquerade,
            1 => ForwardMethod::Local,
            2 => ForwardMethod::Tunnel(tunnel),
            3 => ForwardMethod::DirectRoute,
            4 => ForwardMethod::Bypass,
            n => ForwardMethod::Other(n),
        }
    }

    /// The method of a forwarding number the kernel can store (0..=7; 2 is IP-in-IP
    /// tunnelling), refusing larger numbers ([`Error::OutOfRange`] for the field `forward`):
    /// the kernel keeps only the low 3 bits, so 9 would silently become 1 ([`Local`]).
    ///
    /// [`Local`]: ForwardMethod::Local
    pub fn try_from_number(number: u32) -> Result<ForwardMethod, Error> {
        if number > 7 {
            return Err(Error::out_of_range(
                "forward",
                i64::from(number),
                "forwarding methods are 0 to 7; the kernel keeps 3 bits",
            ));
        }
        Ok(ForwardMethod::from_wire(number, Tunnel::IPIP))
    }

    /// The tunnel settings, for a tunnelled server.
    pub const fn tunnel(&self) -> Option<Tunnel> {
        match self {
            ForwardMethod::Tunnel(t) => Some(*t),
            _ => None,
        }
    }
}

impl Default for ForwardMethod {
    /// Direct routing, ipvsadm's default.
    fn default() -> ForwardMethod {
        ForwardMethod::DirectRoute
    }
}

impl fmt::Display for ForwardMethod {
    /// ipvsadm's listing names: `Masq`, `Local`, `Tunnel`, `Route`, `Bypass`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForwardMethod::Masquerade => f.write_str("Masq"),
            ForwardMethod::Local => f.write_str("Local"),
            ForwardMethod::Tunnel(_) => f.write_str("Tunnel"),
            ForwardMethod::DirectRoute => f.write_str("Route"),
            ForwardMethod::Bypass => f.write_str("Bypass"),
            ForwardMethod::Other(n) => write!(f, "fwd-{n}"),
        }
    }
}

/// A real server of a virtual service, as the kernel stores it.
///
/// A new real server has ipvsadm's defaults: direct routing, weight 1, no thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RealServer {
    /// Address and port. Its family may differ from the service's only for tunnels.
    pub addr: SocketAddr,
    /// How packets reach the server.
    pub forward: ForwardMethod,
    /// Relative weight; 0 makes the server quiescent (no new connections).
    pub weight: u32,
    /// Upper connection threshold (0 = none): above it the server takes no new connections.
    pub upper_threshold: u32,
    /// Lower connection threshold: below it an overloaded server is used again.
    pub lower_threshold: u32,
}

impl RealServer {
    /// A real server at `addr` with ipvsadm's defaults.
    pub fn new(addr: SocketAddr) -> RealServer {
        RealServer {
            addr,
            forward: ForwardMethod::default(),
            weight: 1,
            upper_threshold: 0,
            lower_threshold: 0,
        }
    }

    /// Sets the forwarding method.
    pub fn with_forward(mut self, forward: ForwardMethod) -> RealServer {
        self.forward = forward;
        self
    }

    /// Sets the weight.
    pub fn with_weight(mut self, weight: u32) -> RealServer {
        self.weight = weight;
        self
    }

    /// Sets the upper and lower connection thresholds.
    pub fn with_thresholds(mut self, upper: u32, lower: u32) -> RealServer {
        self.upper_threshold = upper;
        self.lower_threshold = lower;
        self
    }

    /// The address family of the server.
    pub fn family(&self) -> Family {
        Family::of(&self.addr.ip())
    }
}

/// A real server as the kernel lists it: the server with its connection counts and counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RealServerEntry {
    /// The real server.
    pub server: RealServer,
    /// Connections in an active state (for TCP: ESTABLISHED).
    pub active_conns: u32,
    /// Connections in other states.
    pub inactive_conns: u32,
    /// Persistence templates pointing at this server.
    pub persistent_conns: u32,
    /// Counters and rates since the last zeroing (64-bit).
    pub stats: Stats,
}

impl RealServerEntry {
    /// An entry of a real server with no connections and zero counters.
    pub fn new(server: RealServer) -> RealServerEntry {
        RealServerEntry {
            server,
            active_conns: 0,
            inactive_conns: 0,
            persistent_conns: 0,
            stats: Stats::default(),
        }
    }
}

/// Real servers of one service below this many are checked for a repeated address by
/// scanning them, the others by hashing: most services have a few, and scanning a few is
/// cheaper than hashing. Reading rule text and planning both check this way.
pub(crate) const SCANNED_SERVERS: usize = 16;
