//! The connection-synchronisation daemon that lets a backup director take over connections.

use std::fmt;
use std::net::IpAddr;

/// The role of a sync daemon (`IPVS_DAEMON_ATTR_STATE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DaemonRole {
    /// Sends the director's connection table (`IP_VS_STATE_MASTER`, 1).
    Master,
    /// Receives it (`IP_VS_STATE_BACKUP`, 2).
    Backup,
    /// Another state value, kept as reported.
    Other(u32),
}

impl DaemonRole {
    /// The kernel's state number.
    pub const fn number(self) -> u32 {
        match self {
            DaemonRole::Master => 1,
            DaemonRole::Backup => 2,
            DaemonRole::Other(n) => n,
        }
    }

    /// The role of a state number.
    pub const fn from_number(n: u32) -> DaemonRole {
        match n {
            1 => DaemonRole::Master,
            2 => DaemonRole::Backup,
            n => DaemonRole::Other(n),
        }
    }
}

impl fmt::Display for DaemonRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DaemonRole::Master => f.write_str("master"),
            DaemonRole::Backup => f.write_str("backup"),
            DaemonRole::Other(n) => write!(f, "state-{n}"),
        }
    }
}

/// A sync daemon's configuration, as started (`--start-daemon`) or listed (`--daemon`).
///
/// Optional values left `None` take the kernel's defaults when starting (group 224.0.0.81,
/// port 8848, ttl 1, a maximum length from the interface MTU); the kernel reports the values
/// in effect.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SyncDaemon {
    /// Master or backup.
    pub role: DaemonRole,
    /// The interface the sync messages use (at most 15 bytes).
    pub interface: String,
    /// The sync id (0..=255 in ipvsadm), so several director pairs can share a segment.
    pub sync_id: u32,
    /// The maximum payload of a sync message.
    pub max_len: Option<u16>,
    /// The multicast group, IPv4 or IPv6.
    pub group: Option<IpAddr>,
    /// The UDP port.
    pub port: Option<u16>,
    /// The multicast TTL.
    pub ttl: Option<u8>,
}

impl SyncDaemon {
    /// A daemon of a role on an interface, sync id 0, kernel defaults for the rest.
    pub fn new(role: DaemonRole, interface: impl Into<String>) -> SyncDaemon {
        SyncDaemon {
            role,
            interface: interface.into(),
            sync_id: 0,
            max_len: None,
            group: None,
            port: None,
            ttl: None,
        }
    }

    /// Sets the sync id.
    pub fn with_sync_id(mut self, sync_id: u32) -> SyncDaemon {
        self.sync_id = sync_id;
        self
    }

    /// Sets the multicast group.
    pub fn with_group(mut self, group: IpAddr) -> SyncDaemon {
        self.group = Some(group);
        self
    }

    /// Sets the UDP port.
    pub fn with_port(mut self, port: u16) -> SyncDaemon {
        self.port = Some(port);
        self
    }

    /// Sets the multicast TTL.
    pub fn with_ttl(mut self, ttl: u8) -> SyncDaemon {
        self.ttl = Some(ttl);
        self
    }

    /// Sets the maximum message length.
    pub fn with_max_len(mut self, max_len: u16) -> SyncDaemon {
        self.max_len = Some(max_len);
        self
    }
}
