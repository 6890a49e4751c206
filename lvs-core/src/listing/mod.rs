//! `ipvsadm -L -n` listings, byte for byte, and `/proc/net/ip_vs_conn` parsing.
