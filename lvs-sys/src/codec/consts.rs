//! Numbers of the IPVS generic-netlink family (`include/uapi/linux/ip_vs.h`).

/// The family's name, resolved to a dynamic id through nlctrl.
pub const FAMILY_NAME: &str = "IPVS";
/// The family's version, sent in every generic-netlink header.
pub const FAMILY_VERSION: u8 = 1;

/// `IPVS_CMD_*`: the commands.
pub mod cmd {
    #![allow(missing_docs)]
    pub const NEW_SERVICE: u8 = 1;
    pub const SET_SERVICE: u8 = 2;
    pub const DEL_SERVICE: u8 = 3;
    pub const GET_SERVICE: u8 = 4;
    pub const NEW_DEST: u8 = 5;
    pub const SET_DEST: u8 = 6;
    pub const DEL_DEST: u8 = 7;
    pub const GET_DEST: u8 = 8;
    pub const NEW_DAEMON: u8 = 9;
    pub const DEL_DAEMON: u8 = 10;
    pub const GET_DAEMON: u8 = 11;
    /// `IPVS_CMD_SET_CONFIG` in the kernel (ipvsadm: `IPVS_CMD_SET_TIMEOUT`).
    pub const SET_CONFIG: u8 = 12;
    /// `IPVS_CMD_GET_CONFIG` in the kernel (ipvsadm: `IPVS_CMD_GET_TIMEOUT`).
    pub const GET_CONFIG: u8 = 13;
    pub const SET_INFO: u8 = 14;
    pub const GET_INFO: u8 = 15;
    pub const ZERO: u8 = 16;
    pub const FLUSH: u8 = 17;
}

/// `IPVS_CMD_ATTR_*`: the top-level attributes.
pub mod attr {
    #![allow(missing_docs)]
    pub const SERVICE: u16 = 1;
    pub const DEST: u16 = 2;
    pub const DAEMON: u16 = 3;
    pub const TIMEOUT_TCP: u16 = 4;
    pub const TIMEOUT_TCP_FIN: u16 = 5;
    pub const TIMEOUT_UDP: u16 = 6;
}

/// `IPVS_SVC_ATTR_*`: attributes nested in `attr::SERVICE`.
pub mod svc {
    #![allow(missing_docs)]
    pub const AF: u16 = 1;
    pub const PROTOCOL: u16 = 2;
    pub const ADDR: u16 = 3;
    pub const PORT: u16 = 4;
    pub const FWMARK: u16 = 5;
    pub const SCHED_NAME: u16 = 6;
    pub const FLAGS: u16 = 7;
    pub const TIMEOUT: u16 = 8;
    pub const NETMASK: u16 = 9;
    pub const STATS: u16 = 10;
    pub const PE_NAME: u16 = 11;
    pub const STATS64: u16 = 12;
}

/// `IPVS_DEST_ATTR_*`: attributes nested in `attr::DEST`.
pub mod dest {
    #![allow(missing_docs)]
    pub const ADDR: u16 = 1;
    pub const PORT: u16 = 2;
    pub const FWD_METHOD: u16 = 3;
    pub const WEIGHT: u16 = 4;
    pub const U_THRESH: u16 = 5;
    pub const L_THRESH: u16 = 6;
    pub const ACTIVE_CONNS: u16 = 7;
    pub const INACT_CONNS: u16 = 8;
    pub const PERSIST_CONNS: u16 = 9;
    pub const STATS: u16 = 10;
    pub const ADDR_FAMILY: u16 = 11;
    pub const STATS64: u16 = 12;
    pub const TUN_TYPE: u16 = 13;
    pub const TUN_PORT: u16 = 14;
    pub const TUN_FLAGS: u16 = 15;
}

/// `IPVS_DAEMON_ATTR_*`: attributes nested in `attr::DAEMON`.
pub mod daemon {
    #![allow(missing_docs)]
    pub const STATE: u16 = 1;
    pub const MCAST_IFN: u16 = 2;
    pub const SYNC_ID: u16 = 3;
    pub const SYNC_MAXLEN: u16 = 4;
    pub const MCAST_GROUP: u16 = 5;
    pub const MCAST_GROUP6: u16 = 6;
    pub const MCAST_PORT: u16 = 7;
    pub const MCAST_TTL: u16 = 8;
}

/// `IPVS_STATS_ATTR_*`: attributes nested in `STATS` and `STATS64`.
pub mod stats {
    #![allow(missing_docs)]
    pub const CONNS: u16 = 1;
    pub const INPKTS: u16 = 2;
    pub const OUTPKTS: u16 = 3;
    pub const INBYTES: u16 = 4;
    pub const OUTBYTES: u16 = 5;
    pub const CPS: u16 = 6;
    pub const INPPS: u16 = 7;
    pub const OUTPPS: u16 = 8;
    pub const INBPS: u16 = 9;
    pub const OUTBPS: u16 = 10;
    /// Padding for 64-bit alignment; carries nothing.
    pub const PAD: u16 = 11;
}

/// `IPVS_INFO_ATTR_*`: attributes of a `SET_INFO` reply.
pub mod info {
    #![allow(missing_docs)]
    pub const VERSION: u16 = 1;
    pub const CONN_TAB_SIZE: u16 = 2;
}
