//! The structs and unions of ipvsadm 1.31's `ip_vs.h`, field for field.
//!
//! Their names, field names and C types are the ones a libipvs program uses, so the
//! generated header reads like the original and programs compile unchanged; their sizes and
//! offsets, those ipvsadm 1.31 has on LP64 targets such as x86_64 and aarch64, are pinned
//! by static asserts in `tests/c/layout.c`.
//! Types named like the kernel's (`__u32`, `__be16`, ...) or BSD's (`u_int16_t`) are
//! aliases here and come from `<linux/types.h>` and `<sys/types.h>` in C.
//!
//! The `*_kern` structs are the prefixes the legacy socket-option interface used; lvs never
//! sends them, but they are part of what a libipvs user can see.

#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_int, c_uint};

/// `__u16` of `<linux/types.h>`.
pub type __u16 = u16;
/// `__u32` of `<linux/types.h>`.
pub type __u32 = u32;
/// `__u64` of `<linux/types.h>` (`unsigned long long`).
pub type __u64 = u64;
/// `__be16` of `<linux/types.h>`: 16 bits in network byte order.
pub type __be16 = u16;
/// `__be32` of `<linux/types.h>`: 32 bits in network byte order.
pub type __be32 = u32;
/// `u_int16_t` of `<sys/types.h>`.
pub type u_int16_t = u16;
/// `u_int32_t` of `<sys/types.h>`.
pub type u_int32_t = u32;

/// `struct in_addr` of `<netinet/in.h>` (declared there, not in the generated header).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct in_addr {
    /// The address in network byte order.
    pub s_addr: u32,
}

/// `struct in6_addr` of `<netinet/in.h>` (declared there, not in the generated header).
/// glibc declares it as a union with 32-bit members, hence its 4-byte alignment.
#[repr(C, align(4))]
#[derive(Debug, Clone, Copy, Default)]
pub struct in6_addr {
    /// The address bytes in network order.
    pub s6_addr: [u8; 16],
}

/// An IPv4 or IPv6 address; IPv4 lives in the first 4 bytes (16 bytes, align 4).
/// cbindgen:field-names=[all, ip, ip6, in, in6]
#[repr(C)]
#[derive(Clone, Copy)]
pub union nf_inet_addr {
    /// The address as four 32-bit words.
    pub all: [__u32; 4],
    /// An IPv4 address, network byte order.
    pub ip: __be32,
    /// An IPv6 address as four words in network byte order.
    pub ip6: [__be32; 4],
    /// An IPv4 address as `struct in_addr`.
    pub in_: in_addr,
    /// An IPv6 address as `struct in6_addr`.
    pub in6: in6_addr,
}

impl nf_inet_addr {
    /// The address from its 16 bytes in network order.
    pub fn from_bytes(bytes: [u8; 16]) -> nf_inet_addr {
        nf_inet_addr {
            in6: in6_addr { s6_addr: bytes },
        }
    }

    /// The 16 bytes of the address in network order.
    pub fn bytes(&self) -> [u8; 16] {
        // SAFETY: every member of the union is 16 plain bytes or a prefix of them, with no
        // invalid bit patterns, and every constructor initialises all 16 bytes.
        unsafe { self.in6.s6_addr }
    }
}

impl Default for nf_inet_addr {
    fn default() -> nf_inet_addr {
        nf_inet_addr { all: [0; 4] }
    }
}

impl std::fmt::Debug for nf_inet_addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("nf_inet_addr").field(&self.bytes()).finish()
    }
}

/// A virtual service as the legacy socket options sent it (44 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_service_kern {
    /// IP protocol (`IPPROTO_TCP`, `IPPROTO_UDP`, `IPPROTO_SCTP`).
    pub protocol: u_int16_t,
    /// Virtual IPv4 address, network order.
    pub addr: __be32,
    /// Virtual port, network order.
    pub port: __be16,
    /// Firewall mark (0: an address service).
    pub fwmark: u_int32_t,
    /// Scheduler name, NUL-terminated.
    pub sched_name: [c_char; 16],
    /// `IP_VS_SVC_F_*` flags.
    pub flags: c_uint,
    /// Persistence timeout, seconds.
    pub timeout: c_uint,
    /// Persistence netmask, network order.
    pub netmask: __be32,
}

/// `ipvs_service_t`: a virtual service to add, edit, delete or zero (84 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_service_user {
    /// IP protocol (`IPPROTO_TCP`, `IPPROTO_UDP`, `IPPROTO_SCTP`), host order.
    pub protocol: u_int16_t,
    /// Internal to the legacy interface; lvs ignores it.
    pub __addr_v4: __be32,
    /// Virtual port, network order.
    pub port: __be16,
    /// Firewall mark, host order (0: an address service).
    pub fwmark: u_int32_t,
    /// Scheduler name, NUL-terminated (at most 15 characters).
    pub sched_name: [c_char; 16],
    /// `IP_VS_SVC_F_*` flags.
    pub flags: c_uint,
    /// Persistence timeout, seconds.
    pub timeout: c_uint,
    /// Persistence netmask: an IPv4 mask in network order, or an IPv6 prefix length.
    pub netmask: __be32,
    /// `AF_INET` or `AF_INET6`.
    pub af: u_int16_t,
    /// Virtual address.
    pub addr: nf_inet_addr,
    /// Persistence engine name, NUL-terminated (empty: none).
    pub pe_name: [c_char; 17],
}

/// A real server as the legacy socket options sent it (24 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_dest_kern {
    /// IPv4 address, network order.
    pub addr: __be32,
    /// Port, network order.
    pub port: __be16,
    /// Forwarding method in the low 3 bits (`IP_VS_CONN_F_*`).
    pub conn_flags: c_uint,
    /// Weight.
    pub weight: c_int,
    /// Upper connection threshold.
    pub u_threshold: u_int32_t,
    /// Lower connection threshold.
    pub l_threshold: u_int32_t,
}

/// `ipvs_dest_t`: a real server to add, edit or delete (52 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_dest_user {
    /// Internal to the legacy interface; lvs ignores it.
    pub __addr_v4: __be32,
    /// Port, network order.
    pub port: __be16,
    /// Forwarding method in the low 3 bits (`IP_VS_CONN_F_*`).
    pub conn_flags: c_uint,
    /// Weight (0: quiescent).
    pub weight: c_int,
    /// Upper connection threshold (0: none).
    pub u_threshold: u_int32_t,
    /// Lower connection threshold.
    pub l_threshold: u_int32_t,
    /// `AF_INET`, `AF_INET6`, or 0 for the service's family.
    pub af: u_int16_t,
    /// Address.
    pub addr: nf_inet_addr,
    /// `IP_VS_CONN_F_TUNNEL_TYPE_*`.
    pub tun_type: u_int16_t,
    /// GUE destination port, network order.
    pub tun_port: __be16,
    /// `IP_VS_TUNNEL_ENCAP_FLAG_*`.
    pub tun_flags: u_int16_t,
}

/// Counters and rates with 32-bit counts (56 bytes). lvs, like libipvs over netlink,
/// fills only the 64-bit `stats64` of the entries and leaves these zero.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_stats_user {
    /// Connections scheduled.
    pub conns: __u32,
    /// Incoming packets.
    pub inpkts: __u32,
    /// Outgoing packets.
    pub outpkts: __u32,
    /// Incoming bytes.
    pub inbytes: __u64,
    /// Outgoing bytes.
    pub outbytes: __u64,
    /// Connection rate.
    pub cps: __u32,
    /// Incoming packet rate.
    pub inpps: __u32,
    /// Outgoing packet rate.
    pub outpps: __u32,
    /// Incoming byte rate.
    pub inbps: __u32,
    /// Outgoing byte rate.
    pub outbps: __u32,
}

/// Counters and rates, 64-bit (80 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_stats64 {
    /// Connections scheduled.
    pub conns: __u64,
    /// Incoming packets.
    pub inpkts: __u64,
    /// Outgoing packets.
    pub outpkts: __u64,
    /// Incoming bytes.
    pub inbytes: __u64,
    /// Outgoing bytes.
    pub outbytes: __u64,
    /// Connection rate.
    pub cps: __u64,
    /// Incoming packet rate.
    pub inpps: __u64,
    /// Outgoing packet rate.
    pub outpps: __u64,
    /// Incoming byte rate.
    pub inbps: __u64,
    /// Outgoing byte rate.
    pub outbps: __u64,
}

/// What `ipvs_init` and `ipvs_getinfo` store in `ipvs_info` (12 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_getinfo {
    /// IPVS version code (0x010201 = 1.2.1).
    pub version: c_uint,
    /// Size of the connection hash table.
    pub size: c_uint,
    /// Not filled over netlink (the kernel does not say); stays 0.
    pub num_services: c_uint,
}

/// A listed service as the legacy socket options returned it (104 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_service_entry_kern {
    /// IP protocol.
    pub protocol: u_int16_t,
    /// Virtual IPv4 address, network order.
    pub addr: __be32,
    /// Virtual port, network order.
    pub port: __be16,
    /// Firewall mark.
    pub fwmark: u_int32_t,
    /// Scheduler name.
    pub sched_name: [c_char; 16],
    /// `IP_VS_SVC_F_*` flags.
    pub flags: c_uint,
    /// Persistence timeout, seconds.
    pub timeout: c_uint,
    /// Persistence netmask.
    pub netmask: __be32,
    /// Number of real servers.
    pub num_dests: c_uint,
    /// Counters.
    pub stats: ip_vs_stats_user,
}

/// `ipvs_service_entry_t`: a service as listed (224 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_service_entry {
    /// IP protocol, host order (TCP for firewall-mark services).
    pub protocol: u_int16_t,
    /// Internal to the legacy interface; 0.
    pub __addr_v4: __be32,
    /// Virtual port, network order.
    pub port: __be16,
    /// Firewall mark, host order (0: an address service).
    pub fwmark: u_int32_t,
    /// Scheduler name, NUL-terminated.
    pub sched_name: [c_char; 16],
    /// `IP_VS_SVC_F_*` flags, including the kernel's `IP_VS_SVC_F_HASHED`.
    pub flags: c_uint,
    /// Persistence timeout, seconds.
    pub timeout: c_uint,
    /// Persistence netmask: an IPv4 mask in network order, or an IPv6 prefix length.
    pub netmask: __be32,
    /// 0 over netlink (count the entries of `ipvs_get_dests` instead).
    pub num_dests: c_uint,
    /// 32-bit counters: zero over netlink, use `stats64`.
    pub stats: ip_vs_stats_user,
    /// `AF_INET` or `AF_INET6`.
    pub af: u_int16_t,
    /// Virtual address.
    pub addr: nf_inet_addr,
    /// Persistence engine name, NUL-terminated (empty: none).
    pub pe_name: [c_char; 17],
    /// Counters and rates, 64-bit.
    pub stats64: ip_vs_stats64,
}

/// A listed real server as the legacy socket options returned it (96 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_dest_entry_kern {
    /// IPv4 address, network order.
    pub addr: __be32,
    /// Port, network order.
    pub port: __be16,
    /// Connection flags.
    pub conn_flags: c_uint,
    /// Weight.
    pub weight: c_int,
    /// Upper connection threshold.
    pub u_threshold: u_int32_t,
    /// Lower connection threshold.
    pub l_threshold: u_int32_t,
    /// Active connections.
    pub activeconns: u_int32_t,
    /// Inactive connections.
    pub inactconns: u_int32_t,
    /// Persistence templates.
    pub persistconns: u_int32_t,
    /// Counters.
    pub stats: ip_vs_stats_user,
}

/// `ipvs_dest_entry_t`: a real server as listed (208 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_dest_entry {
    /// Internal to the legacy interface; 0.
    pub __addr_v4: __be32,
    /// Port, network order.
    pub port: __be16,
    /// Forwarding method (`IP_VS_CONN_F_*` in the low 3 bits).
    pub conn_flags: c_uint,
    /// Weight.
    pub weight: c_int,
    /// Upper connection threshold.
    pub u_threshold: u_int32_t,
    /// Lower connection threshold.
    pub l_threshold: u_int32_t,
    /// Active connections.
    pub activeconns: u_int32_t,
    /// Inactive connections.
    pub inactconns: u_int32_t,
    /// Persistence templates pointing at this server.
    pub persistconns: u_int32_t,
    /// 32-bit counters: zero over netlink, use `stats64`.
    pub stats: ip_vs_stats_user,
    /// `AF_INET` or `AF_INET6`.
    pub af: u_int16_t,
    /// Address.
    pub addr: nf_inet_addr,
    /// Counters and rates, 64-bit.
    pub stats64: ip_vs_stats64,
    /// `IP_VS_CONN_F_TUNNEL_TYPE_*`.
    pub tun_type: u_int16_t,
    /// GUE destination port, network order.
    pub tun_port: __be16,
    /// `IP_VS_TUNNEL_ENCAP_FLAG_*`.
    pub tun_flags: u_int16_t,
}

/// The real servers of a service as the legacy socket options returned them.
#[repr(C)]
#[derive(Debug)]
pub struct ip_vs_get_dests_kern {
    /// IP protocol.
    pub protocol: u_int16_t,
    /// Virtual IPv4 address.
    pub addr: __be32,
    /// Virtual port, network order.
    pub port: __be16,
    /// Firewall mark.
    pub fwmark: u_int32_t,
    /// Number of entries.
    pub num_dests: c_uint,
    /// The entries.
    pub entrytable: [ip_vs_dest_entry_kern; 0],
}

/// What `ipvs_get_dests` returns: the service's identity, then `num_dests` entries
/// (header 40 bytes). One `free()` releases it.
#[repr(C)]
#[derive(Debug)]
pub struct ip_vs_get_dests {
    /// IP protocol of the service.
    pub protocol: u_int16_t,
    /// Internal to the legacy interface; 0.
    pub __addr_v4: __be32,
    /// Port of the service, network order.
    pub port: __be16,
    /// Firewall mark of the service.
    pub fwmark: u_int32_t,
    /// Number of entries.
    pub num_dests: c_uint,
    /// Family of the service.
    pub af: u_int16_t,
    /// Address of the service.
    pub addr: nf_inet_addr,
    /// The entries.
    pub entrytable: [ip_vs_dest_entry; 0],
}

/// What `ipvs_get_services` returns: `num_services` entries (header 8 bytes). One `free()`
/// releases it.
#[repr(C)]
#[derive(Debug)]
pub struct ip_vs_get_services {
    /// Number of entries.
    pub num_services: c_uint,
    /// The entries.
    pub entrytable: [ip_vs_service_entry; 0],
}

/// The services as the legacy socket options returned them.
#[repr(C)]
#[derive(Debug)]
pub struct ip_vs_get_services_kern {
    /// Number of entries.
    pub num_services: c_uint,
    /// The entries.
    pub entrytable: [ip_vs_service_entry_kern; 0],
}

/// `ipvs_timeout_t`: connection timeouts in seconds (0 when setting: keep the value).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_timeout_user {
    /// TCP established.
    pub tcp_timeout: c_int,
    /// TCP after a FIN.
    pub tcp_fin_timeout: c_int,
    /// UDP.
    pub udp_timeout: c_int,
}

/// A sync daemon as the legacy socket options handled it (24 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_daemon_kern {
    /// `IP_VS_STATE_MASTER` or `IP_VS_STATE_BACKUP`.
    pub state: c_int,
    /// Interface name, NUL-terminated.
    pub mcast_ifn: [c_char; 16],
    /// Sync id.
    pub syncid: c_int,
}

/// `ipvs_daemon_t`: a sync daemon to start or stop, or as listed (52 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_daemon_user {
    /// `IP_VS_STATE_MASTER` or `IP_VS_STATE_BACKUP` (0 in an unused slot of the list).
    pub state: c_int,
    /// Interface name, NUL-terminated (at most 15 characters).
    pub mcast_ifn: [c_char; 16],
    /// Sync id.
    pub syncid: c_int,
    /// Maximum sync message payload (0: the kernel's default).
    pub sync_maxlen: c_int,
    /// UDP port, host order (0: the kernel's default).
    pub mcast_port: u_int16_t,
    /// Multicast TTL (0: the kernel's default).
    pub mcast_ttl: u_int16_t,
    /// Family of `mcast_group`, or 0 for the kernel's default group.
    pub mcast_af: u_int16_t,
    /// Multicast group.
    pub mcast_group: nf_inet_addr,
}

/// Service flags on the wire: the flags and the mask of bits to change (8 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ip_vs_flags {
    /// The flags.
    pub flags: __be32,
    /// Which flags to change.
    pub mask: __be32,
}

/// `ipvs_service_t`.
pub type ipvs_service_t = ip_vs_service_user;
/// `ipvs_dest_t`.
pub type ipvs_dest_t = ip_vs_dest_user;
/// `ipvs_timeout_t`.
pub type ipvs_timeout_t = ip_vs_timeout_user;
/// `ipvs_daemon_t`.
pub type ipvs_daemon_t = ip_vs_daemon_user;
/// `ipvs_service_entry_t`.
pub type ipvs_service_entry_t = ip_vs_service_entry;
/// `ipvs_dest_entry_t`.
pub type ipvs_dest_entry_t = ip_vs_dest_entry;

/// A comparator of service entries, as `ipvs_sort_services` takes it.
pub type ipvs_service_cmp_t =
    Option<unsafe extern "C" fn(*mut ipvs_service_entry_t, *mut ipvs_service_entry_t) -> c_int>;

/// A comparator of real-server entries, as `ipvs_sort_dests` takes it.
pub type ipvs_dest_cmp_t =
    Option<unsafe extern "C" fn(*mut ipvs_dest_entry_t, *mut ipvs_dest_entry_t) -> c_int>;
