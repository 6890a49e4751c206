#!/usr/bin/env bash
# The persistence lab: sticky sessions. A persistent service (-p) keeps each client on the
# server it first got, across connections; a port-0 service (persistent client connections,
# PCC) keeps a client's connections to any port on one server; the source-hash scheduler
# (sh) sticks clients to servers without any timeout, by hashing their address.
#
#   client 198.51.100.2-.9 ── director (VIP 198.51.100.10) ── 203.0.113.0/24 ─┬─ rs1 .11
#   (one namespace, 8 source addresses)                                        └─ rs2 .12
. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$(dirname "$(readlink -f "$0")")/topology.sh"
VIP=198.51.100.10
A=198.51.100.2
B=198.51.100.3
SOURCES=(198.51.100.{2..9})

step "topology"
routed_topology "${SOURCES[@]}"
web rs1 rs1 80 8080
web rs2 rs2 80 8080
say "the client sends from ${#SOURCES[@]} addresses; the real servers answer on ports 80 and 8080"

# from ADDR N PORT...: N requests from source ADDR, cycling over the VIP's PORTs.
from() {
  local addr=$1 n=$2 i urls=()
  shift 2
  local ports=("$@")
  for ((i = 0; i < n; i++)); do urls+=("http://$VIP:${ports[i % ${#ports[@]}]}/"); done
  fetch_urls client "$addr" "${urls[@]}"
}
# one_server ANSWERS: the single server that answered them all, or nothing.
one_server() { [ "$(sort -u <<< "$1" | wc -l)" -eq 1 ] && [ "$1" != failed ] && head -n1 <<< "$1"; }

step "persistent service: rr with -p 300"
configure director <<RULES
-A -t $VIP:80 -s rr -p 300
-a -t $VIP:80 -r 203.0.113.11:80 -m -w 1
-a -t $VIP:80 -r 203.0.113.12:80 -m -w 1
RULES
a=$(from $A 4 80)
b=$(from $B 4 80)
say "client $A: $(echo $a)"
say "client $B: $(echo $b)"
check "-p: client A stays on one server over 4 connections" one_server "$a"
check "-p: client B stays on one server over 4 connections" one_server "$b"
check "-p: rr put A and B on different servers" test "$(one_server "$a")" != "$(one_server "$b")"
listing director

step "persistent client connections: a port-0 service"
configure director <<RULES
-A -t $VIP:0 -s rr -p 300
-a -t $VIP:0 -r 203.0.113.11 -m -w 1
-a -t $VIP:0 -r 203.0.113.12 -m -w 1
RULES
a=$(from $A 4 80 8080)
b=$(from $B 4 80 8080)
say "client $A to ports 80, 8080, 80, ...: $(echo $a)"
say "client $B to ports 80, 8080, 80, ...: $(echo $b)"
check "PCC: client A's connections to both ports land on one server" one_server "$a"
check "PCC: client B's connections to both ports land on one server" one_server "$b"
check "PCC: rr put A and B on different servers" test "$(one_server "$a")" != "$(one_server "$b")"
wait_conns director "$VIP:0" 8
listing director --stats

step "source hashing: sh, no persistence timeout"
configure director <<RULES
-A -t $VIP:80 -s sh
-a -t $VIP:80 -r 203.0.113.11:80 -m -w 1
-a -t $VIP:80 -r 203.0.113.12:80 -m -w 1
RULES
sticky=0
used=""
for src in "${SOURCES[@]}"; do
  answers=$(from "$src" 2 80)
  server=$(one_server "$answers")
  say "client $src: $(echo $answers)"
  [ -n "$server" ] && sticky=$((sticky + 1)) && used="$used $server"
done
check_eq "sh: every client stays on one server" ${#SOURCES[@]} $sticky
check_eq "sh: the clients are spread over both servers" "rs1 rs2" "$(tr ' ' '\n' <<< "$used" | sort -u | xargs)"
listing director --stats
finish
