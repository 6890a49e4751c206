//! Bytes captured on Debian's 6.1 kernel in the test VM (`strace -xx` of Debian's ipvsadm
//! 1.31): generic-netlink payloads (genl header + attributes) of what ipvsadm sent and what
//! the kernel answered, as hex. Regenerate with `tests/capture-golden`.
//!
//! Each string is one piece of the message, commented with the attribute it is (names
//! from `include/uapi/linux/ip_vs.h`, nesting by indentation): the header, then each
//! attribute's 4-byte length-and-type followed by its value and padding. Integers are
//! little-endian unless marked big-endian; the comments are what lets a reviewer check a
//! golden test against the kernel's layout.

/// ipvsadm -A -t 192.0.2.10:80 -s rr
pub(super) const ADD_TCP_RR: &str = concat!(
    "01010000",                                 // genl header: cmd NEW_SERVICE (1), version 1
    "54000180",                                 // SERVICE (nested, 84 bytes):
    "0600010002000000",                         //   AF = 2 (AF_INET)
    "0600020006000000",                         //   PROTOCOL = 6 (TCP)
    "14000300c000020a000000000000000000000000", //   ADDR = 192.0.2.10
    "0600040000500000",                         //   PORT = 80 (big-endian)
    "0700060072720000",                         //   SCHED_NAME = 'rr'
    "0c00070000000000ffffffff",                 //   FLAGS = flags 0x0, mask 0xffffffff
    "0800080000000000",                         //   TIMEOUT = 0
    "08000900ffffffff",                         //   NETMASK = 255.255.255.255 (IPv4 mask bytes)
);

/// ipvsadm -A -u [2001:db8::1]:53 -s sh -b sh-port -p 120 -M 64
pub(super) const ADD_UDP6_SH: &str = concat!(
    "01010000",                                 // genl header: cmd NEW_SERVICE (1), version 1
    "54000180",                                 // SERVICE (nested, 84 bytes):
    "060001000a000000",                         //   AF = 10 (AF_INET6)
    "0600020011000000",                         //   PROTOCOL = 17 (UDP)
    "1400030020010db8000000000000000000000001", //   ADDR = 2001:db8::1
    "0600040000350000",                         //   PORT = 53 (big-endian)
    "0700060073680000",                         //   SCHED_NAME = 'sh'
    "0c00070011000000ffffffff",                 //   FLAGS = flags 0x11, mask 0xffffffff
    "0800080078000000",                         //   TIMEOUT = 120
    "0800090040000000",                         //   NETMASK = prefix length 64 (IPv6)
);

/// ipvsadm -A -f 7 -s wlc -p 300 -M 255.255.255.0 --pe sip
pub(super) const ADD_FWM_SIP: &str = concat!(
    "01010000",                 // genl header: cmd NEW_SERVICE (1), version 1
    "40000180",                 // SERVICE (nested, 64 bytes):
    "0600010002000000",         //   AF = 2 (AF_INET)
    "0800050007000000",         //   FWMARK = 7
    "08000600776c6300",         //   SCHED_NAME = 'wlc'
    "08000b0073697000",         //   PE_NAME = 'sip'
    "0c00070001000000ffffffff", //   FLAGS = flags 0x1, mask 0xffffffff
    "080008002c010000",         //   TIMEOUT = 300
    "08000900ffffff00",         //   NETMASK = 255.255.255.0 (IPv4 mask bytes)
);

/// ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 3 -x 100 -y 10
pub(super) const ADD_DEST_MASQ: &str = concat!(
    "05010000",                                 // genl header: cmd NEW_DEST (5), version 1
    "54000180",                                 // SERVICE (nested, 84 bytes):
    "0600010002000000",                         //   AF = 2 (AF_INET)
    "0600020006000000",                         //   PROTOCOL = 6 (TCP)
    "14000300c000020a000000000000000000000000", //   ADDR = 192.0.2.10
    "0600040000500000",                         //   PORT = 80 (big-endian)
    "0500060000000000",                         //   SCHED_NAME = ''
    "0c00070000000000ffffffff",                 //   FLAGS = flags 0x0, mask 0xffffffff
    "0800080000000000",                         //   TIMEOUT = 0
    "08000900ffffffff",                         //   NETMASK = 255.255.255.255 (IPv4 mask bytes)
    "60000280",                                 // DEST (nested, 96 bytes):
    "06000b0002000000",                         //   ADDR_FAMILY = 2 (the real server's)
    "14000100c633640b000000000000000000000000", //   ADDR = 198.51.100.11
    "060002001f900000",                         //   PORT = 8080 (big-endian)
    "0800030000000000",                         //   FWD_METHOD = 0
    "0800040003000000",                         //   WEIGHT = 3
    "05000d0000000000",                         //   TUN_TYPE = 0
    "06000e0000000000",                         //   TUN_PORT = 0 (big-endian)
    "06000f0000000000",                         //   TUN_FLAGS = 0
    "0800050064000000",                         //   U_THRESH = 100
    "080006000a000000",                         //   L_THRESH = 10
);

/// ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.12 -i --tun-type gue --tun-port 6080 --tun-csum
pub(super) const ADD_DEST_GUE: &str = concat!(
    "05010000",                                 // genl header: cmd NEW_DEST (5), version 1
    "54000180",                                 // SERVICE (nested, 84 bytes):
    "0600010002000000",                         //   AF = 2 (AF_INET)
    "0600020006000000",                         //   PROTOCOL = 6 (TCP)
    "14000300c000020a000000000000000000000000", //   ADDR = 192.0.2.10
    "0600040000500000",                         //   PORT = 80 (big-endian)
    "0500060000000000",                         //   SCHED_NAME = ''
    "0c00070000000000ffffffff",                 //   FLAGS = flags 0x0, mask 0xffffffff
    "0800080000000000",                         //   TIMEOUT = 0
    "08000900ffffffff",                         //   NETMASK = 255.255.255.255 (IPv4 mask bytes)
    "60000280",                                 // DEST (nested, 96 bytes):
    "06000b0002000000",                         //   ADDR_FAMILY = 2 (the real server's)
    "14000100c633640c000000000000000000000000", //   ADDR = 198.51.100.12
    "0600020000500000",                         //   PORT = 80 (big-endian)
    "0800030002000000",                         //   FWD_METHOD = 2
    "0800040001000000",                         //   WEIGHT = 1
    "05000d0001000000",                         //   TUN_TYPE = 1
    "06000e0017c00000",                         //   TUN_PORT = 6080 (big-endian)
    "06000f0001000000",                         //   TUN_FLAGS = 1
    "0800050000000000",                         //   U_THRESH = 0
    "0800060000000000",                         //   L_THRESH = 0
);

/// ipvsadm -Sn: GET_DEST dump of TCP 192.0.2.10:80
pub(super) const DUMP_DESTS_TCP: &str = concat!(
    "08010000",                                 // genl header: cmd GET_DEST (8), version 1
    "30000180",                                 // SERVICE (nested, 48 bytes):
    "0600010002000000",                         //   AF = 2 (AF_INET)
    "0600020006000000",                         //   PROTOCOL = 6 (TCP)
    "14000300c000020a000000000000000000000000", //   ADDR = 192.0.2.10
    "0600040000500000",                         //   PORT = 80 (big-endian)
);

/// ipvsadm -Sn: GET_DEST dump of FWM 7
pub(super) const DUMP_DESTS_FWM: &str = concat!(
    "08010000",         // genl header: cmd GET_DEST (8), version 1
    "14000180",         // SERVICE (nested, 20 bytes):
    "0600010002000000", //   AF = 2 (AF_INET)
    "0800050007000000", //   FWMARK = 7
);

/// ipvsadm --set 1000 100 200
pub(super) const SET_TIMEOUTS: &str = concat!(
    "0c010000",         // genl header: cmd SET_CONFIG (12), version 1
    "08000400e8030000", // TIMEOUT_TCP = 1000
    "0800050064000000", // TIMEOUT_TCP_FIN = 100
    "08000600c8000000", // TIMEOUT_UDP = 200
);

/// kernel: GET_INFO reply
pub(super) const INFO_REPLY: &str = concat!(
    "0e010000",         // genl header: cmd SET_INFO (14), version 1
    "0800010001020100", // VERSION = 66049
    "0800020000100000", // CONN_TAB_SIZE = 4096
);

/// kernel: GET_SERVICE dump entry for TCP 192.0.2.10:80 rr
pub(super) const SERVICE_TCP_REPLY: &str = concat!(
    "01010000",                                 // genl header: cmd NEW_SERVICE (1), version 1
    "2c010100",                                 // SERVICE (nested, 300 bytes):
    "0600010002000000",                         //   AF = 2 (AF_INET)
    "0600020006000000",                         //   PROTOCOL = 6 (TCP)
    "14000300c000020a000000000000000000000000", //   ADDR = 192.0.2.10
    "0600040000500000",                         //   PORT = 80 (big-endian)
    "0700060072720000",                         //   SCHED_NAME = 'rr'
    "0c00070002000000ffffffff",                 //   FLAGS = flags 0x2, mask 0xffffffff
    "0800080000000000",                         //   TIMEOUT = 0
    "08000900ffffffff",                         //   NETMASK = 255.255.255.255 (IPv4 mask bytes)
    //   STATS (nested counters, 92 bytes)
    "5c000a000800010000000000080002000000000008000300000000000c0004000000000000000000",
    "0c000500000000000000000008000600000000000800070000000000080008000000000008000900",
    "0000000008000a0000000000",
    //   STATS64 (nested counters, 124 bytes)
    "7c000c000c00010000000000000000000c00020000000000000000000c0003000000000000000000",
    "0c00040000000000000000000c00050000000000000000000c00060000000000000000000c000700",
    "00000000000000000c00080000000000000000000c00090000000000000000000c000a0000000000",
    "00000000",
);

/// kernel: GET_SERVICE dump entry for UDP [2001:db8::1]:53 sh sh-port -p 120 -M 64
pub(super) const SERVICE_UDP6_REPLY: &str = concat!(
    "01010000",                                 // genl header: cmd NEW_SERVICE (1), version 1
    "2c010100",                                 // SERVICE (nested, 300 bytes):
    "060001000a000000",                         //   AF = 10 (AF_INET6)
    "0600020011000000",                         //   PROTOCOL = 17 (UDP)
    "1400030020010db8000000000000000000000001", //   ADDR = 2001:db8::1
    "0600040000350000",                         //   PORT = 53 (big-endian)
    "0700060073680000",                         //   SCHED_NAME = 'sh'
    "0c00070013000000ffffffff",                 //   FLAGS = flags 0x13, mask 0xffffffff
    "0800080078000000",                         //   TIMEOUT = 120
    "0800090040000000",                         //   NETMASK = prefix length 64 (IPv6)
    //   STATS (nested counters, 92 bytes)
    "5c000a000800010000000000080002000000000008000300000000000c0004000000000000000000",
    "0c000500000000000000000008000600000000000800070000000000080008000000000008000900",
    "0000000008000a0000000000",
    //   STATS64 (nested counters, 124 bytes)
    "7c000c000c00010000000000000000000c00020000000000000000000c0003000000000000000000",
    "0c00040000000000000000000c00050000000000000000000c00060000000000000000000c000700",
    "00000000000000000c00080000000000000000000c00090000000000000000000c000a0000000000",
    "00000000",
);

/// kernel: GET_SERVICE dump entry for FWM 7 wlc -p 300 -M 255.255.255.0 --pe sip
pub(super) const SERVICE_FWM_REPLY: &str = concat!(
    "01010000",                 // genl header: cmd NEW_SERVICE (1), version 1
    "18010100",                 // SERVICE (nested, 280 bytes):
    "0600010002000000",         //   AF = 2 (AF_INET)
    "0800050007000000",         //   FWMARK = 7
    "08000600776c6300",         //   SCHED_NAME = 'wlc'
    "08000b0073697000",         //   PE_NAME = 'sip'
    "0c00070003000000ffffffff", //   FLAGS = flags 0x3, mask 0xffffffff
    "080008002c010000",         //   TIMEOUT = 300
    "08000900ffffff00",         //   NETMASK = 255.255.255.0 (IPv4 mask bytes)
    //   STATS (nested counters, 92 bytes)
    "5c000a000800010000000000080002000000000008000300000000000c0004000000000000000000",
    "0c000500000000000000000008000600000000000800070000000000080008000000000008000900",
    "0000000008000a0000000000",
    //   STATS64 (nested counters, 124 bytes)
    "7c000c000c00010000000000000000000c00020000000000000000000c0003000000000000000000",
    "0c00040000000000000000000c00050000000000000000000c00060000000000000000000c000700",
    "00000000000000000c00080000000000000000000c00090000000000000000000c000a0000000000",
    "00000000",
);

/// kernel: GET_DEST dump entry for 198.51.100.12:80 gue 6080 csum
pub(super) const DEST_GUE_REPLY: &str = concat!(
    "05010000",                                 // genl header: cmd NEW_DEST (5), version 1
    "50010200",                                 // DEST (nested, 336 bytes):
    "14000100c633640c000000000000000000000000", //   ADDR = 198.51.100.12
    "0600020000500000",                         //   PORT = 80 (big-endian)
    "0800030002000000",                         //   FWD_METHOD = 2
    "0800040001000000",                         //   WEIGHT = 1
    "05000d0001000000",                         //   TUN_TYPE = 1
    "06000e0017c00000",                         //   TUN_PORT = 6080 (big-endian)
    "06000f0001000000",                         //   TUN_FLAGS = 1
    "0800050000000000",                         //   U_THRESH = 0
    "0800060000000000",                         //   L_THRESH = 0
    "0800070000000000",                         //   ACTIVE_CONNS = 0
    "0800080000000000",                         //   INACT_CONNS = 0
    "0800090000000000",                         //   PERSIST_CONNS = 0
    "06000b0002000000",                         //   ADDR_FAMILY = 2 (the real server's)
    //   STATS (nested counters, 92 bytes)
    "5c000a000800010000000000080002000000000008000300000000000c0004000000000000000000",
    "0c000500000000000000000008000600000000000800070000000000080008000000000008000900",
    "0000000008000a0000000000",
    //   STATS64 (nested counters, 124 bytes)
    "7c000c000c00010000000000000000000c00020000000000000000000c0003000000000000000000",
    "0c00040000000000000000000c00050000000000000000000c00060000000000000000000c000700",
    "00000000000000000c00080000000000000000000c00090000000000000000000c000a0000000000",
    "00000000",
);

/// kernel: GET_DEST dump entry for 198.51.100.11:8080 masq w3 x100 y10
pub(super) const DEST_MASQ_REPLY: &str = concat!(
    "05010000",                                 // genl header: cmd NEW_DEST (5), version 1
    "50010200",                                 // DEST (nested, 336 bytes):
    "14000100c633640b000000000000000000000000", //   ADDR = 198.51.100.11
    "060002001f900000",                         //   PORT = 8080 (big-endian)
    "0800030000000000",                         //   FWD_METHOD = 0
    "0800040003000000",                         //   WEIGHT = 3
    "05000d0000000000",                         //   TUN_TYPE = 0
    "06000e0000000000",                         //   TUN_PORT = 0 (big-endian)
    "06000f0000000000",                         //   TUN_FLAGS = 0
    "0800050064000000",                         //   U_THRESH = 100
    "080006000a000000",                         //   L_THRESH = 10
    "0800070000000000",                         //   ACTIVE_CONNS = 0
    "0800080000000000",                         //   INACT_CONNS = 0
    "0800090000000000",                         //   PERSIST_CONNS = 0
    "06000b0002000000",                         //   ADDR_FAMILY = 2 (the real server's)
    //   STATS (nested counters, 92 bytes)
    "5c000a000800010000000000080002000000000008000300000000000c0004000000000000000000",
    "0c000500000000000000000008000600000000000800070000000000080008000000000008000900",
    "0000000008000a0000000000",
    //   STATS64 (nested counters, 124 bytes)
    "7c000c000c00010000000000000000000c00020000000000000000000c0003000000000000000000",
    "0c00040000000000000000000c00050000000000000000000c00060000000000000000000c000700",
    "00000000000000000c00080000000000000000000c00090000000000000000000c000a0000000000",
    "00000000",
);

/// kernel: GET_CONFIG reply (900 120 300)
pub(super) const TIMEOUTS_REPLY: &str = concat!(
    "0c010000",         // genl header: cmd SET_CONFIG (12), version 1
    "0800040084030000", // TIMEOUT_TCP = 900
    "0800050078000000", // TIMEOUT_TCP_FIN = 120
    "080006002c010000", // TIMEOUT_UDP = 300
);
