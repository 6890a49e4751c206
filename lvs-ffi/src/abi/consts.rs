//! The macros and enum constants of ipvsadm 1.31's `libipvs.h` and `ip_vs.h`, by their C names.
//!
//! cbindgen writes each as a `#define`. The anonymous C enums of `ip_vs.h` (netlink commands
//! and attributes, tunnel types) become `#define`s of the same values, which C code uses the
//! same way. Function-like macros (`IPVS_VERSION`, `NVERSION`) and the family name string
//! are written by cbindgen.toml's trailer, since Rust constants cannot express them.

use std::os::raw::{c_int, c_uint};

// Minimum kernel IPVS version ipvsadm accepts (`libipvs.h`).
/// Major.
pub const MINIMUM_IPVS_VERSION_MAJOR: c_int = 1;
/// Minor.
pub const MINIMUM_IPVS_VERSION_MINOR: c_int = 1;
/// Patch.
pub const MINIMUM_IPVS_VERSION_PATCH: c_int = 4;

// Persistence
/// Default persistence timeout of `-p` without a value, seconds.
pub const IPVS_SVC_PERSISTENT_TIMEOUT: c_uint = 6 * 60;

// Version
/// The IPVS version this header describes (1.2.1).
pub const IP_VS_VERSION_CODE: c_uint = 0x010201;

// Service flags
/// Persistent service.
pub const IP_VS_SVC_F_PERSISTENT: c_uint = 0x0001;
/// Set by the kernel on every service in its table.
pub const IP_VS_SVC_F_HASHED: c_uint = 0x0002;
/// One-packet scheduling.
pub const IP_VS_SVC_F_ONEPACKET: c_uint = 0x0004;
/// Scheduler flag 1.
pub const IP_VS_SVC_F_SCHED1: c_uint = 0x0008;
/// Scheduler flag 2.
pub const IP_VS_SVC_F_SCHED2: c_uint = 0x0010;
/// Scheduler flag 3.
pub const IP_VS_SVC_F_SCHED3: c_uint = 0x0020;
/// `sh` scheduler: fall back when the server is unavailable.
pub const IP_VS_SVC_F_SCHED_SH_FALLBACK: c_uint = IP_VS_SVC_F_SCHED1;
/// `sh` scheduler: hash the source port too.
pub const IP_VS_SVC_F_SCHED_SH_PORT: c_uint = IP_VS_SVC_F_SCHED2;
/// `mh` scheduler: fall back when the server is unavailable.
pub const IP_VS_SVC_F_SCHED_MH_FALLBACK: c_uint = IP_VS_SVC_F_SCHED1;
/// `mh` scheduler: hash the source port too.
pub const IP_VS_SVC_F_SCHED_MH_PORT: c_uint = IP_VS_SVC_F_SCHED2;

// Sync daemon states
/// Not running.
pub const IP_VS_STATE_NONE: c_int = 0x0000;
/// Master.
pub const IP_VS_STATE_MASTER: c_int = 0x0001;
/// Backup.
pub const IP_VS_STATE_BACKUP: c_int = 0x0002;

// Legacy socket options
/// Base of the legacy socket options (lvs does not use them).
pub const IP_VS_BASE_CTL: c_int = 64 + 1024 + 64;
/// Legacy socket option.
pub const IP_VS_SO_SET_NONE: c_int = IP_VS_BASE_CTL;
/// Legacy socket option.
pub const IP_VS_SO_SET_INSERT: c_int = IP_VS_BASE_CTL + 1;
/// Legacy socket option.
pub const IP_VS_SO_SET_ADD: c_int = IP_VS_BASE_CTL + 2;
/// Legacy socket option.
pub const IP_VS_SO_SET_EDIT: c_int = IP_VS_BASE_CTL + 3;
/// Legacy socket option.
pub const IP_VS_SO_SET_DEL: c_int = IP_VS_BASE_CTL + 4;
/// Legacy socket option.
pub const IP_VS_SO_SET_FLUSH: c_int = IP_VS_BASE_CTL + 5;
/// Legacy socket option.
pub const IP_VS_SO_SET_LIST: c_int = IP_VS_BASE_CTL + 6;
/// Legacy socket option.
pub const IP_VS_SO_SET_ADDDEST: c_int = IP_VS_BASE_CTL + 7;
/// Legacy socket option.
pub const IP_VS_SO_SET_DELDEST: c_int = IP_VS_BASE_CTL + 8;
/// Legacy socket option.
pub const IP_VS_SO_SET_EDITDEST: c_int = IP_VS_BASE_CTL + 9;
/// Legacy socket option.
pub const IP_VS_SO_SET_TIMEOUT: c_int = IP_VS_BASE_CTL + 10;
/// Legacy socket option.
pub const IP_VS_SO_SET_STARTDAEMON: c_int = IP_VS_BASE_CTL + 11;
/// Legacy socket option.
pub const IP_VS_SO_SET_STOPDAEMON: c_int = IP_VS_BASE_CTL + 12;
/// Legacy socket option.
pub const IP_VS_SO_SET_RESTORE: c_int = IP_VS_BASE_CTL + 13;
/// Legacy socket option.
pub const IP_VS_SO_SET_SAVE: c_int = IP_VS_BASE_CTL + 14;
/// Legacy socket option.
pub const IP_VS_SO_SET_ZERO: c_int = IP_VS_BASE_CTL + 15;
/// Legacy socket option.
pub const IP_VS_SO_SET_MAX: c_int = IP_VS_SO_SET_ZERO;
/// Legacy socket option.
pub const IP_VS_SO_GET_VERSION: c_int = IP_VS_BASE_CTL;
/// Legacy socket option.
pub const IP_VS_SO_GET_INFO: c_int = IP_VS_BASE_CTL + 1;
/// Legacy socket option.
pub const IP_VS_SO_GET_SERVICES: c_int = IP_VS_BASE_CTL + 2;
/// Legacy socket option.
pub const IP_VS_SO_GET_SERVICE: c_int = IP_VS_BASE_CTL + 3;
/// Legacy socket option.
pub const IP_VS_SO_GET_DESTS: c_int = IP_VS_BASE_CTL + 4;
/// Legacy socket option.
pub const IP_VS_SO_GET_DEST: c_int = IP_VS_BASE_CTL + 5;
/// Legacy socket option.
pub const IP_VS_SO_GET_TIMEOUT: c_int = IP_VS_BASE_CTL + 6;
/// Legacy socket option.
pub const IP_VS_SO_GET_DAEMON: c_int = IP_VS_BASE_CTL + 7;
/// Legacy socket option.
pub const IP_VS_SO_GET_MAX: c_int = IP_VS_SO_GET_DAEMON;

// Connection flags
/// Mask of the forwarding method.
pub const IP_VS_CONN_F_FWD_MASK: c_uint = 0x0007;
/// NAT.
pub const IP_VS_CONN_F_MASQ: c_uint = 0x0000;
/// Local node.
pub const IP_VS_CONN_F_LOCALNODE: c_uint = 0x0001;
/// Tunnelling.
pub const IP_VS_CONN_F_TUNNEL: c_uint = 0x0002;
/// Direct routing.
pub const IP_VS_CONN_F_DROUTE: c_uint = 0x0003;
/// Cache bypass.
pub const IP_VS_CONN_F_BYPASS: c_uint = 0x0004;
/// Entry created by sync.
pub const IP_VS_CONN_F_SYNC: c_uint = 0x0020;
/// Hashed entry.
pub const IP_VS_CONN_F_HASHED: c_uint = 0x0040;
/// No output packets.
pub const IP_VS_CONN_F_NOOUTPUT: c_uint = 0x0080;
/// Not established.
pub const IP_VS_CONN_F_INACTIVE: c_uint = 0x0100;
/// Output sequence adjust.
pub const IP_VS_CONN_F_OUT_SEQ: c_uint = 0x0200;
/// Input sequence adjust.
pub const IP_VS_CONN_F_IN_SEQ: c_uint = 0x0400;
/// Sequence mask.
pub const IP_VS_CONN_F_SEQ_MASK: c_uint = 0x0600;
/// No client port yet.
pub const IP_VS_CONN_F_NO_CPORT: c_uint = 0x0800;
/// Template, not a connection.
pub const IP_VS_CONN_F_TEMPLATE: c_uint = 0x1000;
/// Forward only one packet.
pub const IP_VS_CONN_F_ONE_PACKET: c_uint = 0x2000;

// Name lengths
/// Size of a scheduler name buffer, NUL included.
pub const IP_VS_SCHEDNAME_MAXLEN: c_int = 16;
/// Longest persistence engine name (buffers are one more).
pub const IP_VS_PENAME_MAXLEN: c_int = 16;
/// Size of an interface name buffer, NUL included.
pub const IP_VS_IFNAME_MAXLEN: c_int = 16;
/// Longest persistence engine data.
pub const IP_VS_PEDATA_MAXLEN: c_int = 255;

// Tunnel types
/// IP-in-IP.
pub const IP_VS_CONN_F_TUNNEL_TYPE_IPIP: c_int = 0;
/// GUE.
pub const IP_VS_CONN_F_TUNNEL_TYPE_GUE: c_int = 1;
/// GRE.
pub const IP_VS_CONN_F_TUNNEL_TYPE_GRE: c_int = 2;
/// Number of tunnel types.
pub const IP_VS_CONN_F_TUNNEL_TYPE_MAX: c_int = 3;

// Tunnel encapsulation flags
/// No checksum.
pub const IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM: c_int = 0;
/// Checksum.
pub const IP_VS_TUNNEL_ENCAP_FLAG_CSUM: c_int = 1 << 0;
/// Remote checksum offload.
pub const IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM: c_int = 1 << 1;

// Generic netlink family
/// Version of the IPVS generic netlink family.
pub const IPVS_GENL_VERSION: c_int = 0x1;

// Netlink commands
/// Netlink number.
pub const IPVS_CMD_UNSPEC: c_int = 0;
/// Netlink number.
pub const IPVS_CMD_NEW_SERVICE: c_int = 1;
/// Netlink number.
pub const IPVS_CMD_SET_SERVICE: c_int = 2;
/// Netlink number.
pub const IPVS_CMD_DEL_SERVICE: c_int = 3;
/// Netlink number.
pub const IPVS_CMD_GET_SERVICE: c_int = 4;
/// Netlink number.
pub const IPVS_CMD_NEW_DEST: c_int = 5;
/// Netlink number.
pub const IPVS_CMD_SET_DEST: c_int = 6;
/// Netlink number.
pub const IPVS_CMD_DEL_DEST: c_int = 7;
/// Netlink number.
pub const IPVS_CMD_GET_DEST: c_int = 8;
/// Netlink number.
pub const IPVS_CMD_NEW_DAEMON: c_int = 9;
/// Netlink number.
pub const IPVS_CMD_DEL_DAEMON: c_int = 10;
/// Netlink number.
pub const IPVS_CMD_GET_DAEMON: c_int = 11;
/// Netlink number.
pub const IPVS_CMD_SET_TIMEOUT: c_int = 12;
/// Netlink number.
pub const IPVS_CMD_GET_TIMEOUT: c_int = 13;
/// Netlink number.
pub const IPVS_CMD_SET_INFO: c_int = 14;
/// Netlink number.
pub const IPVS_CMD_GET_INFO: c_int = 15;
/// Netlink number.
pub const IPVS_CMD_ZERO: c_int = 16;
/// Netlink number.
pub const IPVS_CMD_FLUSH: c_int = 17;
/// One past the last.
pub const __IPVS_CMD_MAX: c_int = 18;
/// The last.
pub const IPVS_CMD_MAX: c_int = __IPVS_CMD_MAX - 1;

// Netlink command attributes
/// Netlink number.
pub const IPVS_CMD_ATTR_UNSPEC: c_int = 0;
/// Netlink number.
pub const IPVS_CMD_ATTR_SERVICE: c_int = 1;
/// Netlink number.
pub const IPVS_CMD_ATTR_DEST: c_int = 2;
/// Netlink number.
pub const IPVS_CMD_ATTR_DAEMON: c_int = 3;
/// Netlink number.
pub const IPVS_CMD_ATTR_TIMEOUT_TCP: c_int = 4;
/// Netlink number.
pub const IPVS_CMD_ATTR_TIMEOUT_TCP_FIN: c_int = 5;
/// Netlink number.
pub const IPVS_CMD_ATTR_TIMEOUT_UDP: c_int = 6;
/// One past the last.
pub const __IPVS_CMD_ATTR_MAX: c_int = 7;
/// The last.
pub const IPVS_CMD_ATTR_MAX: c_int = __IPVS_CMD_ATTR_MAX - 1;

// Netlink service attributes
/// Netlink number.
pub const IPVS_SVC_ATTR_UNSPEC: c_int = 0;
/// Netlink number.
pub const IPVS_SVC_ATTR_AF: c_int = 1;
/// Netlink number.
pub const IPVS_SVC_ATTR_PROTOCOL: c_int = 2;
/// Netlink number.
pub const IPVS_SVC_ATTR_ADDR: c_int = 3;
/// Netlink number.
pub const IPVS_SVC_ATTR_PORT: c_int = 4;
/// Netlink number.
pub const IPVS_SVC_ATTR_FWMARK: c_int = 5;
/// Netlink number.
pub const IPVS_SVC_ATTR_SCHED_NAME: c_int = 6;
/// Netlink number.
pub const IPVS_SVC_ATTR_FLAGS: c_int = 7;
/// Netlink number.
pub const IPVS_SVC_ATTR_TIMEOUT: c_int = 8;
/// Netlink number.
pub const IPVS_SVC_ATTR_NETMASK: c_int = 9;
/// Netlink number.
pub const IPVS_SVC_ATTR_STATS: c_int = 10;
/// Netlink number.
pub const IPVS_SVC_ATTR_PE_NAME: c_int = 11;
/// Netlink number.
pub const IPVS_SVC_ATTR_STATS64: c_int = 12;
/// One past the last.
pub const __IPVS_SVC_ATTR_MAX: c_int = 13;
/// The last.
pub const IPVS_SVC_ATTR_MAX: c_int = __IPVS_SVC_ATTR_MAX - 1;

// Netlink destination attributes
/// Netlink number.
pub const IPVS_DEST_ATTR_UNSPEC: c_int = 0;
/// Netlink number.
pub const IPVS_DEST_ATTR_ADDR: c_int = 1;
/// Netlink number.
pub const IPVS_DEST_ATTR_PORT: c_int = 2;
/// Netlink number.
pub const IPVS_DEST_ATTR_FWD_METHOD: c_int = 3;
/// Netlink number.
pub const IPVS_DEST_ATTR_WEIGHT: c_int = 4;
/// Netlink number.
pub const IPVS_DEST_ATTR_U_THRESH: c_int = 5;
/// Netlink number.
pub const IPVS_DEST_ATTR_L_THRESH: c_int = 6;
/// Netlink number.
pub const IPVS_DEST_ATTR_ACTIVE_CONNS: c_int = 7;
/// Netlink number.
pub const IPVS_DEST_ATTR_INACT_CONNS: c_int = 8;
/// Netlink number.
pub const IPVS_DEST_ATTR_PERSIST_CONNS: c_int = 9;
/// Netlink number.
pub const IPVS_DEST_ATTR_STATS: c_int = 10;
/// Netlink number.
pub const IPVS_DEST_ATTR_ADDR_FAMILY: c_int = 11;
/// Netlink number.
pub const IPVS_DEST_ATTR_STATS64: c_int = 12;
/// Netlink number.
pub const IPVS_DEST_ATTR_TUN_TYPE: c_int = 13;
/// Netlink number.
pub const IPVS_DEST_ATTR_TUN_PORT: c_int = 14;
/// Netlink number.
pub const IPVS_DEST_ATTR_TUN_FLAGS: c_int = 15;
/// One past the last.
pub const __IPVS_DEST_ATTR_MAX: c_int = 16;
/// The last.
pub const IPVS_DEST_ATTR_MAX: c_int = __IPVS_DEST_ATTR_MAX - 1;

// Netlink sync daemon attributes
/// Netlink number.
pub const IPVS_DAEMON_ATTR_UNSPEC: c_int = 0;
/// Netlink number.
pub const IPVS_DAEMON_ATTR_STATE: c_int = 1;
/// Netlink number.
pub const IPVS_DAEMON_ATTR_MCAST_IFN: c_int = 2;
/// Netlink number.
pub const IPVS_DAEMON_ATTR_SYNC_ID: c_int = 3;
/// Netlink number.
pub const IPVS_DAEMON_ATTR_SYNC_MAXLEN: c_int = 4;
/// Netlink number.
pub const IPVS_DAEMON_ATTR_MCAST_GROUP: c_int = 5;
/// Netlink number.
pub const IPVS_DAEMON_ATTR_MCAST_GROUP6: c_int = 6;
/// Netlink number.
pub const IPVS_DAEMON_ATTR_MCAST_PORT: c_int = 7;
/// Netlink number.
pub const IPVS_DAEMON_ATTR_MCAST_TTL: c_int = 8;
/// One past the last.
pub const __IPVS_DAEMON_ATTR_MAX: c_int = 9;
/// The last.
pub const IPVS_DAEMON_ATTR_MAX: c_int = __IPVS_DAEMON_ATTR_MAX - 1;

// Netlink statistics attributes
/// Netlink number.
pub const IPVS_STATS_ATTR_UNSPEC: c_int = 0;
/// Netlink number.
pub const IPVS_STATS_ATTR_CONNS: c_int = 1;
/// Netlink number.
pub const IPVS_STATS_ATTR_INPKTS: c_int = 2;
/// Netlink number.
pub const IPVS_STATS_ATTR_OUTPKTS: c_int = 3;
/// Netlink number.
pub const IPVS_STATS_ATTR_INBYTES: c_int = 4;
/// Netlink number.
pub const IPVS_STATS_ATTR_OUTBYTES: c_int = 5;
/// Netlink number.
pub const IPVS_STATS_ATTR_CPS: c_int = 6;
/// Netlink number.
pub const IPVS_STATS_ATTR_INPPS: c_int = 7;
/// Netlink number.
pub const IPVS_STATS_ATTR_OUTPPS: c_int = 8;
/// Netlink number.
pub const IPVS_STATS_ATTR_INBPS: c_int = 9;
/// Netlink number.
pub const IPVS_STATS_ATTR_OUTBPS: c_int = 10;
/// One past the last.
pub const __IPVS_STATS_ATTR_MAX: c_int = 11;
/// The last.
pub const IPVS_STATS_ATTR_MAX: c_int = __IPVS_STATS_ATTR_MAX - 1;

// Netlink info attributes
/// Netlink number.
pub const IPVS_INFO_ATTR_UNSPEC: c_int = 0;
/// Netlink number.
pub const IPVS_INFO_ATTR_VERSION: c_int = 1;
/// Netlink number.
pub const IPVS_INFO_ATTR_CONN_TAB_SIZE: c_int = 2;
/// One past the last.
pub const __IPVS_INFO_ATTR_MAX: c_int = 3;
/// The last.
pub const IPVS_INFO_ATTR_MAX: c_int = __IPVS_INFO_ATTR_MAX - 1;
