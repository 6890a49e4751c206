#!/usr/bin/env bash
# The DR (direct routing) lab: the director only rewrites the destination MAC; the real
# servers hold the VIP themselves (on lo, hidden from ARP) and answer the client directly,
# so the director never sees a reply: its outgoing packet counter stays 0.
#
#        ┌──────────── switch (one segment, 198.51.100.0/24) ────────────┐
#   client .2        director .1, VIP .10        rs1 .11 (VIP on lo)   rs2 .12 (VIP on lo)
. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$(dirname "$(readlink -f "$0")")/topology.sh"
VIP=198.51.100.10

step "topology"
lan_topology
web rs1 rs1 80
web rs2 rs2 80
say "one segment; the real servers hold the VIP on lo with arp_ignore=1, arp_announce=2"

step "direct routing, round robin"
configure director <<RULES
-A -t $VIP:80 -s rr
-a -t $VIP:80 -r 198.51.100.11:80 -g -w 1
-a -t $VIP:80 -r 198.51.100.12:80 -g -w 1
RULES
answers=$(fetch_many 10 client "http://$VIP/")
say "10 requests from the client: $(echo $answers)"
check_eq "every request is answered" 0 "$(grep -c failed <<< "$answers")"
check_eq "rr gives each server 5 of 10" "rs1 5 rs2 5" "$(tally <<< "$answers" | sort | xargs)"
wait_conns director "$VIP:80" 10
listing director --stats
check_eq "the director counted 10 connections" 10 "$(conns director $VIP:80)"
check "the director saw the client's packets" test "$(stat_of director $VIP:80 4)" -gt 0
check_eq "no reply went through the director (OutPkts 0)" 0 "$(stat_of director $VIP:80 5)"
# The client learnt the VIP's MAC from the director alone: the real servers kept quiet.
check_eq "the client's ARP entry for the VIP is the director's" "$(on director cat /sys/class/net/eth0/address)" \
  "$(on client ip neigh show "$VIP" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i+1)}')"
finish
