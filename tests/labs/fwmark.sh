#!/usr/bin/env bash
# The fwmark lab: HTTP (80) and HTTPS (443) bound together. nftables on the director marks
# both ports with firewall mark 1, and one persistent fwmark service balances the mark, so a
# client's connections to either port land on the same real server. A port that is not
# marked is not balanced at all.
#
#   client 198.51.100.2, .3 ── director (VIP 198.51.100.10, nft: tcp dport {80, 443} mark 1)
#                                 └── 203.0.113.0/24 ─┬─ rs1 .11 (80, 443)
#                                                     └─ rs2 .12 (80, 443)
. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$(dirname "$(readlink -f "$0")")/topology.sh"
VIP=198.51.100.10
A=198.51.100.2
B=198.51.100.3

step "topology"
routed_topology $A $B
web rs1 rs1 80 443
web rs2 rs2 80 443
# The mark must be set before IPVS looks at the packet: prerouting, mangle priority.
on director nft -f - <<NFT || fatal "nft rules on the director"
table ip lab {
  chain prerouting {
    type filter hook prerouting priority mangle;
    ip daddr $VIP tcp dport { 80, 443 } meta mark set 1
  }
}
NFT
say "\$ nft list ruleset  (director)"
on director nft list ruleset | sed 's/^/    /'

step "one persistent service for the mark"
configure director <<RULES
-A -f 1 -s rr -p 300
-a -f 1 -r 203.0.113.11:0 -m -w 1
-a -f 1 -r 203.0.113.12:0 -m -w 1
RULES
# from ADDR: 6 connections from ADDR, alternating between ports 80 and 443.
from() { fetch_urls client "$1" "http://$VIP/" "http://$VIP:443/" "http://$VIP/" "http://$VIP:443/" "http://$VIP/" "http://$VIP:443/"; }
a=$(from $A)
b=$(from $B)
say "client $A to ports 80, 443, 80, ...: $(echo $a)"
say "client $B to ports 80, 443, 80, ...: $(echo $b)"
check_eq "client A's 80 and 443 land on one server" 1 "$(sort -u <<< "$a" | grep -vc failed)"
check_eq "client B's 80 and 443 land on one server" 1 "$(sort -u <<< "$b" | grep -vc failed)"
check "rr put A and B on different servers" test "$(head -n1 <<< "$a")" != "$(head -n1 <<< "$b")"
check_eq "no request failed" 0 "$(cat <<< "$a$b" | grep -c failed)"
wait_conns director 1 12
check_eq "the fwmark service counted all 12 connections" 12 "$(conns director 1)"
check_eq "an unmarked port (8080) is not balanced" failed "$(fetch client "http://$VIP:8080/" $A)"
listing director --stats
finish
