//! Choosing entries of the connection table: by service, by real server, templates or not.

use std::net::{IpAddr, SocketAddr};

use super::parse::ConnectionFile;
use super::types::{Connection, ConnectionProtocol};
use crate::{Family, Protocol, ServiceKey};

/// Which entries of the connection table a read keeps; the default keeps every entry.
///
/// Each condition set narrows the choice (they are and-ed). The kernel's files do not say
/// which firewall-mark service a connection belongs to, so [`ConnectionFilter::service`] of
/// a firewall-mark key keeps that mark's persistence templates only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ConnectionFilter {
    /// Only this protocol.
    pub protocol: Option<ConnectionProtocol>,
    /// Only entries to this virtual address.
    pub virtual_ip: Option<IpAddr>,
    /// Only entries to this virtual port.
    pub virtual_port: Option<u16>,
    /// Only entries to this real server address.
    pub destination_ip: Option<IpAddr>,
    /// Only entries to this real server port.
    pub destination_port: Option<u16>,
    /// `Some(true)`: persistence templates only; `Some(false)`: client connections only.
    pub templates: Option<bool>,
    /// Read the kernel's `/proc/net/ip_vs_conn_sync` instead of `/proc/net/ip_vs_conn`: it
    /// tells each entry's [`Connection::origin`] (made here, or learned from a sync
    /// daemon's master) but has no persistence-engine columns.
    pub with_origin: bool,
}

impl ConnectionFilter {
    /// Every entry.
    pub fn all() -> ConnectionFilter {
        ConnectionFilter::default()
    }

    /// The entries of one service: its protocol, virtual address and port (any port for a
    /// port-0 service, whose connections keep their own ports). For a firewall-mark service,
    /// its persistence templates (protocol `IP`, the mark as virtual address).
    pub fn service(key: &ServiceKey) -> ConnectionFilter {
        match *key {
            ServiceKey::Addr { protocol, addr } => ConnectionFilter {
                protocol: Some(connection_protocol(protocol)),
                virtual_ip: Some(addr.ip()),
                virtual_port: (addr.port() != 0).then_some(addr.port()),
                ..ConnectionFilter::default()
            },
            ServiceKey::Fwmark { mark, family } => ConnectionFilter {
                protocol: Some(ConnectionProtocol::Ip),
                virtual_ip: Some(fwmark_template_addr(mark, family)),
                ..ConnectionFilter::default()
            },
        }
    }

    /// Narrowed to the entries to one real server (`port` 0: any port, as for a
    /// firewall-mark service's servers given without one).
    pub fn to_server(mut self, server: SocketAddr) -> ConnectionFilter {
        self.destination_ip = Some(server.ip());
        self.destination_port = (server.port() != 0).then_some(server.port());
        self
    }

    /// Narrowed to persistence templates (`true`) or client connections (`false`).
    pub fn templates(mut self, templates: bool) -> ConnectionFilter {
        self.templates = Some(templates);
        self
    }

    /// Reading each entry's origin (see [`ConnectionFilter::with_origin`]).
    pub fn with_origin(mut self) -> ConnectionFilter {
        self.with_origin = true;
        self
    }

    /// The kernel file a read with this filter reads.
    pub fn file(&self) -> ConnectionFile {
        if self.with_origin {
            ConnectionFile::WithOrigin
        } else {
            ConnectionFile::Connections
        }
    }

    /// Whether `connection` is chosen.
    pub fn matches(&self, connection: &Connection) -> bool {
        fn ok<T: PartialEq>(want: &Option<T>, have: &T) -> bool {
            want.as_ref().is_none_or(|want| want == have)
        }
        ok(&self.protocol, &connection.protocol)
            && ok(&self.virtual_ip, &connection.virtual_addr.ip())
            && ok(&self.virtual_port, &connection.virtual_addr.port())
            && ok(&self.destination_ip, &connection.destination.ip())
            && ok(&self.destination_port, &connection.destination.port())
            && ok(&self.templates, &connection.is_template())
    }
}

/// The virtual address of a firewall-mark service's templates: the kernel stores the mark,
/// in network order, in the first four bytes of the address (so mark 5 is `0.0.0.5`, or
/// `0:5::` for IPv6).
fn fwmark_template_addr(mark: u32, family: Family) -> IpAddr {
    let bytes = mark.to_be_bytes();
    match family {
        Family::Ipv6 => {
            let mut v6 = [0u8; 16];
            v6[..4].copy_from_slice(&bytes);
            IpAddr::from(v6)
        }
        _ => IpAddr::from(bytes),
    }
}

/// The connection table's name for a service protocol.
fn connection_protocol(protocol: Protocol) -> ConnectionProtocol {
    ConnectionProtocol::from_number(protocol.number())
}
