#!/usr/bin/env bash
# The NAT lab: a director masquerades a virtual service to two real servers on a private
# segment whose gateway it is. Round robin alternates, weighted round robin with weights 3:1
# sends 30 of 40 requests to the first server, and the counters lvs reads count them.
#
#   client 198.51.100.2 ── 198.51.100.1 director ── br0 203.0.113.1 ─┬─ rs1 203.0.113.11
#                     VIP 198.51.100.10:80                            └─ rs2 203.0.113.12
. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$(dirname "$(readlink -f "$0")")/topology.sh"
VIP=198.51.100.10

step "topology"
routed_topology 198.51.100.2
web rs1 rs1 80
web rs2 rs2 80
say "client, director and two real servers are up; each real server answers its own name"

step "round robin"
configure director <<RULES
-A -t $VIP:80 -s rr
-a -t $VIP:80 -r 203.0.113.11:80 -m -w 1
-a -t $VIP:80 -r 203.0.113.12:80 -m -w 1
RULES
answers=$(fetch_many 10 client "http://$VIP/")
say "10 requests from the client: $(echo $answers)"
check_eq "rr answers every request" 0 "$(grep -c failed <<< "$answers")"
check_eq "rr alternates between the two servers" "" \
  "$(awk 'NR > 1 && $0 == prev { print "twice in a row: " $0 } { prev = $0 }' <<< "$answers")"
check_eq "rr gives each server 5 of 10" "rs1 5 rs2 5" "$(tally <<< "$answers" | sort | xargs)"
wait_conns director "$VIP:80" 10
check_eq "the service counted 10 connections" 10 "$(conns director "$VIP:80")"
check_eq "rs1 counted 5" 5 "$(conns director 203.0.113.11:80)"
check_eq "rs2 counted 5" 5 "$(conns director 203.0.113.12:80)"
listing director --stats

step "weighted round robin, 3:1"
configure director <<RULES
-A -t $VIP:80 -s wrr
-a -t $VIP:80 -r 203.0.113.11:80 -m -w 3
-a -t $VIP:80 -r 203.0.113.12:80 -m -w 1
RULES
answers=$(fetch_many 40 client "http://$VIP/")
say "40 requests from the client:"
tally <<< "$answers" | sed 's/^/    /'
check_eq "wrr 3:1 gives rs1 30 and rs2 10 of 40" "rs1 30 rs2 10" "$(tally <<< "$answers" | sort | xargs)"
wait_conns director "$VIP:80" 50
check_eq "the service counted 50 connections in all" 50 "$(conns director "$VIP:80")"
check_eq "rs1 counted 5 + 30" 35 "$(conns director 203.0.113.11:80)"
check_eq "rs2 counted 5 + 10" 15 "$(conns director 203.0.113.12:80)"
listing director --stats
finish
