//! Counters, rates, timeouts and kernel information.

use std::fmt;

/// Counters and rates of a service or real server, as the kernel's 64-bit statistics.
///
/// Counters count since the last zeroing; rates are the kernel estimator's per-second
/// averages (refreshed every two seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Connections scheduled.
    pub conns: u64,
    /// Packets in (client to server).
    pub in_packets: u64,
    /// Packets out (server to client; 0 for DR and TUN, whose replies bypass the director).
    pub out_packets: u64,
    /// Bytes in.
    pub in_bytes: u64,
    /// Bytes out.
    pub out_bytes: u64,
    /// Connections per second.
    pub cps: u64,
    /// Packets in per second.
    pub in_pps: u64,
    /// Packets out per second.
    pub out_pps: u64,
    /// Bytes in per second.
    pub in_bps: u64,
    /// Bytes out per second.
    pub out_bps: u64,
}

/// The connection timeouts of a network namespace, in seconds (`ipvsadm --set`).
///
/// When setting, 0 leaves that timeout as it is (the kernel's rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Timeouts {
    /// TCP established.
    pub tcp: u32,
    /// TCP after a FIN.
    pub tcp_fin: u32,
    /// UDP.
    pub udp: u32,
}

impl Timeouts {
    /// The kernel's defaults: 900 s, 120 s, 300 s.
    pub const KERNEL_DEFAULT: Timeouts = Timeouts {
        tcp: 900,
        tcp_fin: 120,
        udp: 300,
    };

    /// Timeouts with the three values.
    pub const fn new(tcp: u32, tcp_fin: u32, udp: u32) -> Timeouts {
        Timeouts { tcp, tcp_fin, udp }
    }
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts::KERNEL_DEFAULT
    }
}

/// What the kernel says about its IPVS: version and connection table size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct KernelInfo {
    /// The IPVS version code, `(major << 16) | (minor << 8) | patch` (0x010201 = 1.2.1).
    pub version: u32,
    /// The size of the connection hash table (default 4096).
    pub conn_table_size: u32,
}

impl KernelInfo {
    /// What every modern kernel reports by default: version 1.2.1, table size 4096.
    pub const DEFAULT: KernelInfo = KernelInfo {
        version: 0x01_02_01,
        conn_table_size: 4096,
    };

    /// Info with a version code and table size.
    pub const fn new(version: u32, conn_table_size: u32) -> KernelInfo {
        KernelInfo {
            version,
            conn_table_size,
        }
    }

    /// The version as (major, minor, patch).
    pub const fn version_triple(&self) -> (u8, u8, u8) {
        (
            (self.version >> 16) as u8,
            (self.version >> 8) as u8,
            self.version as u8,
        )
    }
}

impl fmt::Display for KernelInfo {
    /// ipvsadm's banner: `IP Virtual Server version 1.2.1 (size=4096)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b, c) = self.version_triple();
        write!(
            f,
            "IP Virtual Server version {a}.{b}.{c} (size={})",
            self.conn_table_size
        )
    }
}
