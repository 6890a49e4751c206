#!/usr/bin/env bash
# The ECMP lab: three active directors behind a router, the way LVS fleets run past one
# director. Each director announces the VIP to the router by BGP (BIRD on both sides); the
# router installs one route with the three directors as equal-cost next hops and spreads the
# client's flows over them by a hash of each flow's addresses and ports. The directors are
# configured identically through lvs: direct routing to the same real servers with Maglev
# hashing (`mh`, with its `mh-port` flag so that a flow's source port counts too), so that any
# director picks the same real server for a given flow, and with the sloppy_tcp sysctl, so
# that a director creates the state of a connection it meets mid-flow (no SYN). No state is
# shared between the directors: no sync daemon runs.
#
# It shows: every director sends a given flow to the same real server; the router spreads
# flows over all three (the shares are printed); adding a fifth real server moves about 1/5 of
# the flows with mh and most of them with sh (measured, both printed); a director whose health
# check fails withdraws its route at once; a director that dies loses its BGP session within
# the 3 s hold time, its flows and some others change director, and every open connection
# carries on to the same real server.
#
#   client .2 (198.51.100.0/24, sources .2-.5)
#      │
#   router .1 ─ 203.0.113.1      BIRD, AS 65000: 192.0.2.10/32 via .2, .3 and .4 (ECMP, L4 hash)
#      │
#   ┌──┴───────────── switch (one segment, 203.0.113.0/24) ─────────────────────┐
#   dir1 .2     dir2 .3     dir3 .4        rs1 .11  rs2 .12  rs3 .13  rs4 .14  (rs5 .15)
#   BIRD, AS 65001, each announcing the VIP;     the VIP on lo, hidden from ARP;
#   IPVS: mh mh-port, DR, sloppy_tcp;            default route via the router
#   the VIP on lo                                (replies go straight back to it)
. "$(dirname "$(readlink -f "$0")")/lib.sh"
VIP=192.0.2.10
PORT=7
DIRECTORS=(dir1 dir2 dir3)
SERVERS=(rs1 rs2 rs3 rs4 rs5)
declare -A ADDR=([router]=203.0.113.1 [dir1]=203.0.113.2 [dir2]=203.0.113.3 [dir3]=203.0.113.4
  [rs1]=203.0.113.11 [rs2]=203.0.113.12 [rs3]=203.0.113.13 [rs4]=203.0.113.14 [rs5]=203.0.113.15)
FLOWS_CLIENT="python3 $ROOT/tests/labs/flows.py"

command -v bird > /dev/null && command -v birdc > /dev/null \
  || fatal "BIRD is missing (tests/vm/guest-tools unpacks Debian's bird2 for the guest)"

# --- BGP -----------------------------------------------------------------------------------

# bird_on HOST CONFIG: BIRD in the host's namespace, in the foreground, with its own control
# socket, pid file and log, so the four instances in this one guest know nothing of each other.
# The timers are short for a lab: a session is tried again 1 s after it fails and declared
# dead after 3 s without a keepalive.
BGP_TIMERS="hold time 3; keepalive time 1; connect delay time 1; connect retry time 1; error wait time 1, 2;"
bird_on() {
  local h=$1
  { echo "log \"$WORK/bird-$h.log\" all;"; cat; } > "$WORK/bird-$h.conf"
  spawn "$h" "$WORK/bird-$h.out" bird -f -c "$WORK/bird-$h.conf" -s "$WORK/bird-$h.ctl" -P "$WORK/bird-$h.pid"
  echo "$SPAWNED" > "$WORK/bird-$h.spawned"
}
birdc_on() {
  local h=$1
  shift
  on "$h" birdc -s "$WORK/bird-$h.ctl" "$@"
}
# next_hops: the directors the router's route to the VIP goes through, sorted.
next_hops() {
  on router ip -4 route show "$VIP/32" | grep -o 'via [0-9.]*' | awk '{print $2}' | sort -t. -k4,4n | xargs
}
hops_are() { [ "$(next_hops)" = "$1" ]; }
# wait_hops SECONDS HOPS: waits until the router's route has exactly those next hops; prints the
# seconds it took.
wait_hops() {
  local secs=$1 want=$2 start
  start=$(date +%s.%N)
  wait_for "the route via $want" "$secs" hops_are "$want" || return 1
  awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", e - s }'
}
hops_of() { local h out=(); for h in "$@"; do out+=("${ADDR[$h]}"); done; echo "${out[*]}"; }

# --- flows ---------------------------------------------------------------------------------

# make_flows FILE FIRST_PORT PER_SOURCE: flows from the client's four source addresses, PER_SOURCE
# ports each from FIRST_PORT, 101 apart: the kernel's mh and sh hash a flow by its address plus
# its port, so the consecutive ports of consecutive addresses would give the same keys.
make_flows() {
  local file=$1 first=$2 n=$3 a i
  : > "$file"
  for a in 2 3 4 5; do
    for ((i = 0; i < n; i++)); do echo "198.51.100.$a $((first + 101 * i))" >> "$file"; done
  done
}
# ask FLOWS OUT: each flow once, "ADDRESS:PORT SERVER" lines in OUT.
ask() { on client $FLOWS_CLIENT ask "$VIP" "$PORT" "$1" > "$2"; }
# pin HOST: the router sends the VIP's traffic to that director alone (a rule ahead of the
# main table, which keeps BIRD's route); unpin removes it.
pin() {
  on router ip rule add pref 100 to "$VIP/32" lookup 100
  on router ip route replace "$VIP/32" via "${ADDR[$1]}" table 100
}
unpin() {
  on router ip rule del pref 100 2> /dev/null
  on router ip route flush table 100 2> /dev/null
  return 0
}
# shares FILE: how many flows each real server answered, "rs1 25 rs2 24 ...".
shares() { awk '{print $2}' "$1" | tally | sort | xargs; }
# pairs BEFORE AFTER: "FLOW SERVER_BEFORE SERVER_AFTER..." lines in WORK/pairs, one per flow;
# fails unless both files answer exactly the same flows.
pairs() {
  sort "$1" > "$WORK/pairs.before"
  sort "$2" > "$WORK/pairs.after"
  join "$WORK/pairs.before" "$WORK/pairs.after" > "$WORK/pairs" || return 1
  [ "$(wc -l < "$WORK/pairs")" -eq "$(wc -l < "$1")" ] && [ "$(wc -l < "$1")" -eq "$(wc -l < "$2")" ]
}
# moved BEFORE AFTER: how many flows another real server answers in AFTER than in BEFORE
# ("unpaired", which fails every check, if the two do not have the same flows); moved_to
# BEFORE AFTER SERVER: how many of them moved to SERVER.
moved() { if pairs "$1" "$2"; then awk '$2 != $3' "$WORK/pairs" | wc -l; else echo unpaired; fi; }
moved_to() {
  if pairs "$1" "$2"; then awk -v s="$3" '$2 != $3 && $3 == s' "$WORK/pairs" | wc -l; else echo unpaired; fi
}
# served HOST: the connections the director's service has counted.
served() { conns "$1" "$VIP:$PORT"; }
all_served() { local h; for h in "${DIRECTORS[@]}"; do served "$h"; done | xargs; }
# director_shares WANT BEFORE...: "dir1 N dir2 N dir3 N", the connections each director counted
# since BEFORE (what all_served printed), once they add up to WANT: the kernel sums its per-CPU
# counters every 2 s, so they lag the traffic.
director_shares() {
  local want=$1 deadline total out h i n
  shift
  local before=("$@")
  deadline=$(($(date +%s) + 8))
  while :; do
    total=0 out=() i=0
    for h in "${DIRECTORS[@]}"; do
      n=$(($(served "$h") - before[i]))
      out+=("$h $n")
      total=$((total + n)) i=$((i + 1))
    done
    if [ "$total" -ge "$want" ] || [ "$(date +%s)" -ge "$deadline" ]; then break; fi
    sleep 0.5
  done
  echo "${out[*]}"
}
# entries_on HOST FLOWS STATE: the flows of FLOWS for which the director's connection table has
# an entry in that state, as "ADDRESS:PORT" lines, sorted.
entries_on() {
  lvs_on "$1" list --connections | awk -v state="$3" 'NR == FNR { want[$1 ":" $2] = 1; next }
    $3 == state && ($4 in want) { print $4 }' "$2" - | sort
}

# director_rules SCHEDULER FLAG SERVERS...: the rule file every director applies.
director_rules() {
  local sched=$1 flag=$2 rs
  shift 2
  echo "--lvs-sysctl sloppy_tcp=1"
  echo "-A -t $VIP:$PORT -s $sched -b $flag"
  for rs in "$@"; do echo "-a -t $VIP:$PORT -r ${ADDR[$rs]}:$PORT -g -w 1"; done
}
# configure_all SCHEDULER FLAG SERVERS...: the same rules on every director, printed once.
configure_all() {
  local h
  director_rules "$@" > "$WORK/directors.rules"
  say "rules every director applies (lvsctl apply):"
  sed 's/^/    /' "$WORK/directors.rules"
  for h in "${DIRECTORS[@]}"; do
    lvs_on "$h" apply "$WORK/directors.rules" > "$WORK/apply.out" 2>&1 \
      || fatal "lvsctl apply failed on $h" "$(cat "$WORK/apply.out")"
  done
}

step "topology"
hosts switch client router "${DIRECTORS[@]}" "${SERVERS[@]}"
wire client eth0 198.51.100.2/24 router eth0 198.51.100.1/24
for a in 3 4 5; do on client ip addr add "198.51.100.$a/24" dev eth0; done
on client ip route add default via 198.51.100.1
wire switch p-router - router eth1 "${ADDR[router]}/24"
ports=(p-router)
for h in "${DIRECTORS[@]}" "${SERVERS[@]}"; do
  wire switch "p-$h" - "$h" eth0 "${ADDR[$h]}/24"
  ports+=("p-$h")
  # The VIP is local on every director and real server, and none answers ARP for it: the
  # router reaches the directors by their own addresses (BGP next hops), the directors the
  # real servers by MAC.
  hidden_vip "$h" "$VIP"
  on "$h" ip route add default via "${ADDR[router]}"
done
switch switch br0 - "${ports[@]}"
# The router forwards, and hashes a flow's ports as well as its addresses to pick a next hop
# (policy 1), so that one client's connections spread over the directors.
sysctl_on router net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
# The name service on every real server: its name when a connection opens, then every line
# back after it. (Python's first start in a fresh guest reads its modules over 9p: up to 20 s.)
for rs in "${SERVERS[@]}"; do spawn "$rs" "$WORK/name-$rs.log" $FLOWS_CLIENT serve "$rs" $PORT; done
for rs in "${SERVERS[@]}"; do
  wait_for "the name service of $rs" 120 grep -qx listening "$WORK/name-$rs.log" \
    || fatal "the name service of $rs did not start" "$(cat "$WORK/name-$rs.log")"
done
say "router 198.51.100.1 / ${ADDR[router]}; directors ${ADDR[dir1]}, ${ADDR[dir2]}, ${ADDR[dir3]}; real servers .11-.15 (rs5 joins later); VIP $VIP:$PORT"

step "the directors: lvs, mh with mh-port, direct routing, rs1-rs4"
configure_all mh mh-port rs1 rs2 rs3 rs4
say "\$ lvsctl list  (dir1)"
lvs_on dir1 list | sed 's/^/    /'
for h in "${DIRECTORS[@]}"; do lvs_on "$h" save > "$WORK/save-$h"; done
for h in dir2 dir3; do check "$h's table is dir1's (lvsctl save)" diff "$WORK/save-dir1" "$WORK/save-$h"; done
check_eq "sloppy_tcp is on, on every director" "1 1 1" \
  "$(for h in "${DIRECTORS[@]}"; do lvs_on "$h" sysctl sloppy_tcp; done | grep -o '[0-9]*$' | xargs)"

step "BGP: each director announces the VIP, the router uses all three"
bird_on router <<CONF
router id ${ADDR[router]};
protocol device { scan time 1; }
# BGP's routes into the kernel, the equal ones merged into one multipath route.
protocol kernel { ipv4 { import none; export all; }; merge paths on; }
template bgp director {
  local as 65000;
  $BGP_TIMERS
  ipv4 { import all; export none; };
}
protocol bgp dir1 from director { neighbor ${ADDR[dir1]} as 65001; }
protocol bgp dir2 from director { neighbor ${ADDR[dir2]} as 65001; }
protocol bgp dir3 from director { neighbor ${ADDR[dir3]} as 65001; }
CONF
for h in "${DIRECTORS[@]}"; do
  bird_on "$h" <<CONF
router id ${ADDR[$h]};
protocol device { scan time 1; }
# The VIP this director serves; the health check disables this protocol to withdraw it.
protocol static vip { ipv4; route $VIP/32 blackhole; }
protocol bgp uplink {
  local as 65001;
  neighbor ${ADDR[router]} as 65000;
  $BGP_TIMERS
  ipv4 { import none; export where proto = "vip"; };
}
CONF
done
ALL_HOPS=$(hops_of "${DIRECTORS[@]}")
if took=$(wait_hops 60 "$ALL_HOPS"); then
  pass "the router routes the VIP over the three directors (${took}s after BIRD started)"
else
  flunk "the router routes the VIP over the three directors" "route: $(on router ip route show "$VIP/32" | xargs)" \
    "$(birdc_on router show protocols 2>&1 | tail -n 4 | xargs)" "$(tail -n 5 "$WORK/bird-router.log" 2>/dev/null)"
  finish
fi
say "\$ ip route show $VIP  (router)"
on router ip -4 route show "$VIP/32" | sed 's/^/    /'
say "\$ birdc show protocols  (router)"
birdc_on router show protocols | sed 's/^/    /'

step "the same flow, the same real server, whichever director it meets"
make_flows "$WORK/flows" 20000 15
say "60 flows: from 198.51.100.2-.5, 15 source ports each; sent once through each director alone, then by ECMP"
for h in "${DIRECTORS[@]}"; do
  pin "$h"
  ask "$WORK/flows" "$WORK/via-$h"
  unpin
  say "through $h alone: $(shares "$WORK/via-$h")"
done
check_eq "every flow is answered through every director" "60 60 60" \
  "$(for h in "${DIRECTORS[@]}"; do grep -cv failed "$WORK/via-$h"; done | xargs)"
check_eq "dir2 sends every flow where dir1 does" 0 "$(moved "$WORK/via-dir1" "$WORK/via-dir2")"
check_eq "dir3 sends every flow where dir1 does" 0 "$(moved "$WORK/via-dir1" "$WORK/via-dir3")"
check_eq "mh uses all four real servers" 4 "$(awk '{print $2}' "$WORK/via-dir1" | sort -u | grep -c '^rs')"
before=$(all_served)
ask "$WORK/flows" "$WORK/ecmp"
# shellcheck disable=SC2086
spread=$(director_shares 60 $before)
say "by ECMP: directors $spread; real servers $(shares "$WORK/ecmp")"
check_eq "by ECMP every flow reaches the same real server" 0 "$(moved "$WORK/via-dir1" "$WORK/ecmp")"
check_eq "the router spread the flows over all three directors" 3 \
  "$(awk '{for (i = 2; i <= NF; i += 2) if ($i > 0) n++} END {print n + 0}' <<< "$spread")"

step "adding a real server: mh moves about 1/5 of the flows, sh most of them"
configure_all mh mh-port rs1 rs2 rs3 rs4 rs5
ask "$WORK/flows" "$WORK/mh5"
mh_moved=$(moved "$WORK/ecmp" "$WORK/mh5")
say "mh, rs5 added: $mh_moved of 60 flows moved ($(moved_to "$WORK/ecmp" "$WORK/mh5" rs5) to rs5); real servers $(shares "$WORK/mh5")"
configure_all sh sh-port rs1 rs2 rs3 rs4
ask "$WORK/flows" "$WORK/sh4"
configure_all sh sh-port rs1 rs2 rs3 rs4 rs5
ask "$WORK/flows" "$WORK/sh5"
sh_moved=$(moved "$WORK/sh4" "$WORK/sh5")
say "sh, rs5 added: $sh_moved of 60 flows moved ($(moved_to "$WORK/sh4" "$WORK/sh5" rs5) to rs5); real servers $(shares "$WORK/sh5")"
check_eq "every flow is answered, before and after" "60 60 60" \
  "$(for f in mh5 sh4 sh5; do grep -cv failed "$WORK/$f"; done | xargs)"
# The ideal is 12 (1/5). Maglev's table moves a few more; 24 leaves room for 60 flows' chance.
check "mh moved at most 24 of 60 flows ($mh_moved)" test "$mh_moved" -le 24
check "sh moved more flows than mh ($sh_moved against $mh_moved)" test "$sh_moved" -gt "$mh_moved"

step "a health check fails: the director withdraws the VIP"
configure_all mh mh-port rs1 rs2 rs3 rs4 rs5
start=$(date +%s.%N)
birdc_on dir3 disable vip > /dev/null
if took=$(wait_hops 10 "$(hops_of dir1 dir2)"); then
  pass "dir3's route is gone from the router (${took}s after its health check disabled the announcement)"
else
  flunk "dir3's route is gone from the router" "next hops: $(next_hops)"
fi
birdc_on dir3 enable vip > /dev/null
if took=$(wait_hops 20 "$ALL_HOPS"); then pass "dir3 is back in the route (${took}s)"; else flunk "dir3 is back in the route" "next hops: $(next_hops)"; fi

step "a director dies: its flows move, open connections carry on"
make_flows "$WORK/held" 30000 10
spawn client "$WORK/held.out" $FLOWS_CLIENT hold "$VIP" "$PORT" "$WORK/held" "$WORK/go"
wait_for "40 connections to open" 60 grep -qx opened "$WORK/held.out" \
  || fatal "the held connections did not open" "$(cat "$WORK/held.out")"
sed '/^opened$/,$d' "$WORK/held.out" > "$WORK/held.names"
for h in "${DIRECTORS[@]}"; do entries_on "$h" "$WORK/held" ESTABLISHED > "$WORK/before-$h"; done
say "40 connections held open: $(for h in "${DIRECTORS[@]}"; do echo "$h $(wc -l < "$WORK/before-$h")"; done | xargs); real servers $(shares "$WORK/held.names")"
check "dir1 carries some of the open connections" test -s "$WORK/before-dir1"
# Death: BIRD killed (no goodbye to the router) and the director's link down.
{ kill -KILL "$(cat "$WORK/bird-dir1.spawned")"; wait "$(cat "$WORK/bird-dir1.spawned")"; } 2> /dev/null
on dir1 ip link set eth0 down
if took=$(wait_hops 15 "$(hops_of dir2 dir3)"); then
  pass "the router dropped dead dir1 (${took}s; BGP's hold time is 3 s)"
else
  flunk "the router dropped dead dir1" "next hops: $(next_hops)"
fi
# Each connection now sends a line, which the router hashes onto dir2 or dir3: dir1's flows
# move, and so do some of dir2's, since the router's hash ranges shift with one next hop fewer.
# A director that meets a flow mid-way schedules it (sloppy_tcp) by the same Maglev table.
touch "$WORK/go"
wait_for "the held connections' answers" 60 grep -qx done "$WORK/held.out"
sed '1,/^opened$/d; /^done$/d' "$WORK/held.out" > "$WORK/held.after"
# The reset that ended each connection went through its last director, which keeps the entry
# in CLOSE; an entry left ESTABLISHED is one its flow has left.
for h in dir2 dir3; do entries_on "$h" "$WORK/held" CLOSE > "$WORK/after-$h"; done
say "answered through dir2 $(wc -l < "$WORK/after-dir2"), dir3 $(wc -l < "$WORK/after-dir3"): $(wc -l < "$WORK/before-dir1") came from dead dir1, $(comm -12 "$WORK/before-dir2" "$WORK/after-dir3" | wc -l) moved from dir2 to dir3, $(comm -12 "$WORK/before-dir3" "$WORK/after-dir2" | wc -l) from dir3 to dir2"
say "the answers: $(awk '{print $2, $3}' "$WORK/held.after" | tally | xargs)"
check_eq "every open connection still answers" 0 "$(grep -c 'no answer' "$WORK/held.after")"
check_eq "each from the real server that answered it before" 0 "$(moved "$WORK/held.names" "$WORK/held.after")"
check_eq "dir2 and dir3 carried all 40 to their end" 40 "$(sort -u "$WORK/after-dir2" "$WORK/after-dir3" | wc -l)"
finish
