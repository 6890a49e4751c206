#!/usr/bin/env bash
# The TUN lab: the director wraps each request in a tunnel to the real server, which
# unwraps it and answers the client straight back (the VIP is on its lo, hidden from ARP).
# Three tunnel types, one after the other: IP-in-IP, GUE (IP-in-IP inside UDP, port 6080)
# and GRE. Each real server counts what arrived through its tunnel devices.
#
#        ┌──────────── switch (one segment, 198.51.100.0/24) ────────────┐
#   client .2        director .1, VIP .10        rs1 .11 (VIP on lo)   rs2 .12 (VIP on lo)
#                          └── tunnels to each real server ──┘ tunl0, fou:6080, gre0
. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$(dirname "$(readlink -f "$0")")/topology.sh"
VIP=198.51.100.10
GUE_PORT=6080

step "topology"
lan_topology
# The tunnel drivers make their fallback devices (tunl0, gre0) in every namespace. (The
# guest has busybox's modprobe; kmod's may not be installed.)
busybox modprobe -a ipip fou ip_gre || fatal "cannot load the ipip, fou and ip_gre modules"
for rs in rs1 rs2; do
  on $rs ip fou add port $GUE_PORT gue || fatal "fou port on $rs"
  on $rs ip link set tunl0 up || fatal "tunl0 on $rs"
  on $rs ip link set gre0 up || fatal "gre0 on $rs"
  # A decapsulated request comes in on the tunnel device from a client reached through
  # eth0: strict reverse-path filtering would drop it.
  sysctl_on $rs net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
    net.ipv4.conf.tunl0.rp_filter=0 net.ipv4.conf.gre0.rp_filter=0
done
web rs1 rs1 80
web rs2 rs2 80
say "the real servers decapsulate IP-in-IP (tunl0), GUE on UDP port $GUE_PORT and GRE (gre0)"

rx() { on "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }
# UDP datagrams a host received (GUE arrives in UDP before it is unwrapped).
udp_in() { on "$1" awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $2 }' /proc/net/snmp; }

# tunnel NAME DEVICE OPTIONS: one round with the real servers reached through that tunnel.
# From the second round on lvs edits the real servers in place (-e): the service and its
# counters stay, so the director has counted 6 more connections after each round.
total=0
tunnel() {
  local name=$1 dev=$2 options=$3 before1 before2 answers
  step "tunnel: $name"
  before1=$(rx rs1 "$dev")
  before2=$(rx rs2 "$dev")
  udp1=$(udp_in rs1)
  configure director <<RULES
-A -t $VIP:80 -s rr
-a -t $VIP:80 -r 198.51.100.11:80 $options -w 1
-a -t $VIP:80 -r 198.51.100.12:80 $options -w 1
RULES
  answers=$(fetch_many 6 client "http://$VIP/")
  say "6 requests from the client: $(echo $answers)"
  check_eq "$name: rr gives each server 3 of 6" "rs1 3 rs2 3" "$(tally <<< "$answers" | sort | xargs)"
  check "$name: rs1 received through $dev" test "$(rx rs1 "$dev")" -gt "$before1"
  check "$name: rs2 received through $dev" test "$(rx rs2 "$dev")" -gt "$before2"
  if [ "$name" = gue ]; then
    check "gue: rs1 got the requests inside UDP datagrams" test "$(udp_in rs1)" -ge $((udp1 + 3 * 5))
  else
    check_eq "$name: rs1 got no UDP" "$udp1" "$(udp_in rs1)"
  fi
  total=$((total + 6))
  wait_conns director "$VIP:80" $total
  check_eq "$name: the director counted $total connections so far" $total "$(conns director "$VIP:80")"
  listing director --stats
  check_eq "$name: no reply went through the director (OutPkts 0)" 0 "$(stat_of director $VIP:80 5)"
}

tunnel ipip tunl0 "-i"
tunnel gue tunl0 "-i --tun-type gue --tun-port $GUE_PORT"
tunnel gre gre0 "-i --tun-type gre"
listing director
finish
