//! A connection of the kernel's IPVS connection table, as `/proc/net/ip_vs_conn` shows it.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

/// The protocol column of a connection, by the kernel's names.
///
/// Besides the service protocols the table holds persistence templates (`IP`) and ICMP
/// entries; the kernel names other protocol numbers `IP_<number>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectionProtocol {
    /// `TCP`.
    Tcp,
    /// `UDP`.
    Udp,
    /// `SCTP`.
    Sctp,
    /// `IP`: protocol 0, used by the persistence templates of firewall-mark services.
    Ip,
    /// `ICMP`.
    Icmp,
    /// `ICMPv6`.
    Icmpv6,
    /// Any other name, kept verbatim (the kernel writes `IP_47` for protocol 47).
    Other(String),
}

impl ConnectionProtocol {
    /// The kernel's name.
    pub fn name(&self) -> &str {
        match self {
            ConnectionProtocol::Tcp => "TCP",
            ConnectionProtocol::Udp => "UDP",
            ConnectionProtocol::Sctp => "SCTP",
            ConnectionProtocol::Ip => "IP",
            ConnectionProtocol::Icmp => "ICMP",
            ConnectionProtocol::Icmpv6 => "ICMPv6",
            ConnectionProtocol::Other(name) => name,
        }
    }

    /// The protocol of a kernel name; unknown names become [`ConnectionProtocol::Other`].
    pub fn from_name(name: &str) -> ConnectionProtocol {
        match name {
            "TCP" => ConnectionProtocol::Tcp,
            "UDP" => ConnectionProtocol::Udp,
            "SCTP" => ConnectionProtocol::Sctp,
            "IP" => ConnectionProtocol::Ip,
            "ICMP" => ConnectionProtocol::Icmp,
            "ICMPv6" => ConnectionProtocol::Icmpv6,
            other => ConnectionProtocol::Other(other.to_owned()),
        }
    }

    /// The protocol of an IP protocol number, named as the kernel names it (`IP_47`).
    pub fn from_number(number: u16) -> ConnectionProtocol {
        match number {
            0 => ConnectionProtocol::Ip,
            1 => ConnectionProtocol::Icmp,
            6 => ConnectionProtocol::Tcp,
            17 => ConnectionProtocol::Udp,
            58 => ConnectionProtocol::Icmpv6,
            132 => ConnectionProtocol::Sctp,
            n => ConnectionProtocol::Other(format!("IP_{n}")),
        }
    }

    /// The IP protocol number, where the name tells it (`IP_47` gives 47).
    pub fn number(&self) -> Option<u8> {
        match self {
            ConnectionProtocol::Ip => Some(0),
            ConnectionProtocol::Icmp => Some(1),
            ConnectionProtocol::Tcp => Some(6),
            ConnectionProtocol::Udp => Some(17),
            ConnectionProtocol::Icmpv6 => Some(58),
            ConnectionProtocol::Sctp => Some(132),
            ConnectionProtocol::Other(name) => name
                .strip_prefix("IP_")
                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| n.parse().ok()),
        }
    }
}

impl fmt::Display for ConnectionProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so widths like `{:<11}` apply.
        f.pad(self.name())
    }
}

impl FromStr for ConnectionProtocol {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<ConnectionProtocol, Self::Err> {
        Ok(ConnectionProtocol::from_name(s))
    }
}

/// Declares the state enum with its kernel names, so names and variants cannot drift apart.
macro_rules! connection_states {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// The state column of a connection, by the kernel's names.
        ///
        /// Names are shared between protocols where the kernel shares them (`NONE`,
        /// `ESTABLISHED`); a state the kernel names otherwise (`ERR!`, a newer kernel's
        /// state) is kept in [`ConnectionState::Other`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ConnectionState {
            $($(#[$doc])* $variant,)*
            /// Any other name, kept verbatim.
            Other(String),
        }

        impl ConnectionState {
            /// The kernel's name.
            pub fn name(&self) -> &str {
                match self {
                    $(ConnectionState::$variant => $name,)*
                    ConnectionState::Other(name) => name,
                }
            }

            /// The state of a kernel name; unknown names become [`ConnectionState::Other`].
            pub fn from_name(name: &str) -> ConnectionState {
                match name {
                    $($name => ConnectionState::$variant,)*
                    other => ConnectionState::Other(other.to_owned()),
                }
            }
        }
    };
}

connection_states! {
    /// `NONE`: no state yet (TCP, SCTP, persistence templates).
    None => "NONE",
    /// `ESTABLISHED` (TCP, SCTP).
    Established => "ESTABLISHED",
    /// `SYN_SENT` (TCP).
    SynSent => "SYN_SENT",
    /// `SYN_RECV` (TCP).
    SynRecv => "SYN_RECV",
    /// `FIN_WAIT` (TCP).
    FinWait => "FIN_WAIT",
    /// `TIME_WAIT` (TCP).
    TimeWait => "TIME_WAIT",
    /// `CLOSE` (TCP).
    Close => "CLOSE",
    /// `CLOSE_WAIT` (TCP).
    CloseWait => "CLOSE_WAIT",
    /// `LAST_ACK` (TCP).
    LastAck => "LAST_ACK",
    /// `LISTEN` (TCP).
    Listen => "LISTEN",
    /// `SYNACK` (TCP).
    SynAck => "SYNACK",
    /// `UDP`: the one state of UDP connections.
    Udp => "UDP",
    /// `ASSURED`: a persistence template that has seen a reply.
    Assured => "ASSURED",
    /// `INIT1` (SCTP).
    Init1 => "INIT1",
    /// `INIT` (SCTP).
    Init => "INIT",
    /// `C-SENT`: SCTP cookie sent.
    CookieSent => "C-SENT",
    /// `C-REPLIED`: SCTP cookie replied.
    CookieReplied => "C-REPLIED",
    /// `C-WAIT`: SCTP cookie wait.
    CookieWait => "C-WAIT",
    /// `COOKIE` (SCTP).
    Cookie => "COOKIE",
    /// `C-ECHOED`: SCTP cookie echoed.
    CookieEchoed => "C-ECHOED",
    /// `S-SENT`: SCTP shutdown sent.
    ShutdownSent => "S-SENT",
    /// `S-RECEIVED`: SCTP shutdown received.
    ShutdownReceived => "S-RECEIVED",
    /// `S-ACK-SENT`: SCTP shutdown acknowledgement sent.
    ShutdownAckSent => "S-ACK-SENT",
    /// `REJECTED` (SCTP).
    Rejected => "REJECTED",
    /// `CLOSED` (SCTP).
    Closed => "CLOSED",
}

impl fmt::Display for ConnectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so widths like `{:<11}` apply.
        f.pad(self.name())
    }
}

impl FromStr for ConnectionState {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<ConnectionState, Self::Err> {
        Ok(ConnectionState::from_name(s))
    }
}

/// One entry of the kernel's connection table: a client's connection through a virtual
/// service to a real server, or a persistence template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Connection {
    /// The protocol.
    pub protocol: ConnectionProtocol,
    /// The client's address and port.
    pub client: SocketAddr,
    /// The virtual service's address and port. For the templates of firewall-mark
    /// services the kernel puts the mark here, as an IPv4 address (mark 1 is 0.0.0.1).
    pub virtual_addr: SocketAddr,
    /// The real server's address and port. Its family may differ from the client's when
    /// the real server is reached through a tunnel of the other family.
    pub destination: SocketAddr,
    /// The protocol state.
    pub state: ConnectionState,
    /// Seconds until the entry expires.
    pub expires_secs: u64,
    /// The persistence engine that keeps data on this entry, such as `sip`.
    pub pe_name: Option<String>,
    /// The persistence engine's data, such as a SIP Call-ID.
    pub pe_data: Option<String>,
    /// Whether this director made the entry or learned it from a sync daemon's master; only
    /// the kernel's `/proc/net/ip_vs_conn_sync` tells (it has no persistence-engine
    /// columns), so entries read from `/proc/net/ip_vs_conn` have `None`.
    pub origin: Option<ConnectionOrigin>,
}

/// Where an entry of the connection table came from (the `Origin` column of
/// `/proc/net/ip_vs_conn_sync`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectionOrigin {
    /// `LOCAL`: this director scheduled it.
    Local,
    /// `SYNC`: a sync daemon's master sent it (the kernel's `IP_VS_CONN_F_SYNC` flag).
    Sync,
    /// Any other text, kept verbatim.
    Other(String),
}

impl ConnectionOrigin {
    /// The kernel's name.
    pub fn name(&self) -> &str {
        match self {
            ConnectionOrigin::Local => "LOCAL",
            ConnectionOrigin::Sync => "SYNC",
            ConnectionOrigin::Other(name) => name,
        }
    }

    /// The origin of a kernel name; unknown names become [`ConnectionOrigin::Other`].
    pub fn from_name(name: &str) -> ConnectionOrigin {
        match name {
            "LOCAL" => ConnectionOrigin::Local,
            "SYNC" => ConnectionOrigin::Sync,
            other => ConnectionOrigin::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for ConnectionOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl Connection {
    /// A connection without persistence-engine data.
    pub fn new(
        protocol: ConnectionProtocol,
        client: SocketAddr,
        virtual_addr: SocketAddr,
        destination: SocketAddr,
        state: ConnectionState,
        expires_secs: u64,
    ) -> Connection {
        Connection {
            protocol,
            client,
            virtual_addr,
            destination,
            state,
            expires_secs,
            pe_name: None,
            pe_data: None,
            origin: None,
        }
    }

    /// Whether this is a persistence template rather than a client's connection.
    ///
    /// The kernel's files do not show the template flag; a template is told by its client
    /// port 0: the kernel makes every template with client port 0 (the persistence is per
    /// client address), and a client's TCP, UDP or SCTP connection never has port 0.
    /// Firewall-mark templates also have protocol `IP` and the mark as virtual address.
    pub fn is_template(&self) -> bool {
        self.client.port() == 0
    }

    /// Sets the persistence engine and its data.
    pub fn with_pe(mut self, name: impl Into<String>, data: impl Into<String>) -> Connection {
        self.pe_name = Some(name.into());
        self.pe_data = Some(data.into());
        self
    }
}
