# shellcheck shell=bash
# The two topologies most labs share (source after lib.sh).

# routed_topology CLIENT_ADDRS...: the NAT lab's layout. The client has the given addresses
# (the first is its own, the others extra sources for `fetch_urls client ADDR ...`) on a
# link to the director, which holds the VIP 198.51.100.10 and routes for a private segment
# 203.0.113.0/24 (bridge br0, 203.0.113.1) where the real servers rs1 .11 and rs2 .12 live
# with the director as their default gateway, so their replies come back through it.
routed_topology() {
  local addr
  hosts client director rs1 rs2
  wire client eth0 "$1/24" director eth0 198.51.100.1/24
  shift
  for addr in "$@"; do on client ip addr add "$addr/24" dev eth0; done
  on director ip addr add 198.51.100.10/32 dev eth0
  wire director rs1 - rs1 eth0 203.0.113.11/24
  wire director rs2 - rs2 eth0 203.0.113.12/24
  switch director br0 203.0.113.1/24 rs1 rs2
  on rs1 ip route add default via 203.0.113.1
  on rs2 ip route add default via 203.0.113.1
  sysctl_on director net.ipv4.ip_forward=1
}

# lan_topology: one Ethernet segment 198.51.100.0/24 (a bridge in the host "switch") joining
# the client .2, the director .1 holding the VIP .10, and the real servers rs1 .11 and rs2 .12.
# Each real server also holds the VIP on lo, without answering ARP for it (arp_ignore=1) or
# using it as an ARP source (arp_announce=2), so only the director draws the VIP's traffic
# and the real servers answer the client straight back: the DR and TUN setup.
lan_topology() {
  local h
  hosts switch client director rs1 rs2
  wire switch p-client - client eth0 198.51.100.2/24
  wire switch p-director - director eth0 198.51.100.1/24
  wire switch p-rs1 - rs1 eth0 198.51.100.11/24
  wire switch p-rs2 - rs2 eth0 198.51.100.12/24
  switch switch br0 - p-client p-director p-rs1 p-rs2
  on director ip addr add 198.51.100.10/32 dev eth0
  for h in rs1 rs2; do hidden_vip $h 198.51.100.10; done
}
