#!/usr/bin/env bash
# The fail-over lab: two directors in front of the same real servers (direct routing). The
# master director holds the VIP, which keepalived moves between them by VRRP; the IPVS
# connection-sync daemons, started through lvs, copy the master's connections to the backup.
# The master then dies (keepalived killed, links down). The backup takes the VIP, a TCP
# connection opened before the failure carries on through it to the same real server, and
# new connections are balanced by it. keepalived's notify script (`lvsctl sync-role`) moves
# the sync daemons' roles with the VIP: the new master syncs to the old one once it is back,
# and a fail-back to it keeps a connection opened through the new master.
#
#        ┌─────────────── switch (one segment, 198.51.100.0/24) ───────────────┐
#   client .2        dir1 .1            dir2 .3          rs1 .11            rs2 .12
#                    VRRP master        VRRP backup      (VIP on lo)        (VIP on lo)
#                    sync master        sync backup
#                       └── sync0 ──────── sync0 ┘
#                      192.0.2.1         192.0.2.2
#   VIP 198.51.100.10: TCP 80 (busybox httpd) and TCP 7 (a line echo naming its server)
. "$(dirname "$(readlink -f "$0")")/lib.sh"
VIP=198.51.100.10
PY=$ROOT/target/lvs-py-venv/bin/python
# A write to the echo connection after it broke must fail the check, not kill the lab.
trap '' PIPE

# (Not imported here to check: the interpreter alone takes seconds to start in the guest.)
[ -x "$PY" ] || fatal "$PY is missing (tests/labs/prepare installs ./lvs-py into that virtualenv)"
command -v keepalived > /dev/null || fatal "keepalived is missing (tests/vm/guest-tools unpacks it for the guest)"

# has_vip HOST: the host has the VIP on its LAN interface.
has_vip() { on "$1" ip -4 -o addr show dev eth0 | grep -q " $VIP/"; }
# keepalived_on HOST STATE PRIORITY [LINE]: keepalived in the host's namespace, VRRP only (-P:
# no virtual_server blocks, IPVS stays lvs's), in the foreground (-n) with its own config, pid
# files and log, so the two instances in this one guest know nothing of each other. Its
# notify script runs `lvsctl sync-role` on every state change (logged to notify-HOST.log);
# LINE is one more line for the vrrp_instance block (e.g. nopreempt).
keepalived_on() {
  local h=$1 state=$2 prio=$3 extra=${4:-}
  cat > "$WORK/notify-$h" <<NOTIFY
#!/bin/sh
# keepalived appends: TYPE NAME STATE PRIORITY
echo "\$(date +%T) \$*" >> "$WORK/notify-$h.log"
exec "$LVSCTL" --netns /run/netns/$LAB-$h sync-role --interface sync0 --sync-id 7 "\$@" >> "$WORK/notify-$h.log" 2>&1
NOTIFY
  chmod +x "$WORK/notify-$h"
  : > "$WORK/notify-$h.log"
  cat > "$WORK/keepalived-$h.conf" <<CONF
global_defs {
    router_id $h
    script_user root
}
vrrp_instance lvs {
    state $state
    interface eth0
    virtual_router_id 51
    priority $prio
    # One advertisement a second: the backup declares the master dead after 3 missed ones.
    advert_int 1
    # Gratuitous ARPs at once on taking over, and again 1 s later, so the client and the
    # switch learn the VIP's new MAC before the client's next packet.
    garp_master_delay 1
    virtual_ipaddress {
        $VIP/32 dev eth0
    }
    notify $WORK/notify-$h
    $extra
}
CONF
  spawn "$h" "$WORK/keepalived-$h.log" keepalived -n -P -l -D -G -f "$WORK/keepalived-$h.conf" \
    -p "$WORK/keepalived-$h.pid" -r "$WORK/keepalived-$h-vrrp.pid" -c "$WORK/keepalived-$h-checkers.pid"
}
# vrrp_log HOST: the state changes keepalived logged on that host.
vrrp_log() { grep -E 'Entering|became|transition' "$WORK/keepalived-$1.log" | sed 's/^/    /'; }
# grew HOST ADDR:PORT COLUMN BEFORE: that stats column is now above BEFORE.
grew() { [ "$(stat_of "$1" "$2" "$3")" -gt "$4" ]; }
# echo_line TEXT: sends a line on the long-lived connection; sets ANSWER to the line that
# comes back, or to "no answer" if none does within 20 s (TCP retransmits across the
# take-over take a few seconds).
echo_line() {
  ANSWER="no answer"
  printf '%s\n' "$1" >&"${ECHO[1]}" 2> /dev/null || return 0
  read -r -t 20 ANSWER <&"${ECHO[0]}" || ANSWER="no answer"
}
# synced_conn HOST CLIENT_ADDR:PORT: the connection as the host's IPVS table has it (lvsctl
# lists it as ipvsadm -L -n -c does), "state" and "real server" fields.
synced_conn() {
  lvs_on "$1" list --connections | awk -v c="$2" -v v="$VIP:7" '$4 == c && $5 == v { print $1, $3, $6 }'
}
# origin_of HOST CLIENT_ADDR:PORT: where the host's entry of that connection came from
# (LOCAL or SYNC; lvsctl reads the kernel's ip_vs_conn_sync file for it).
origin_of() {
  lvs_on "$1" list --connections --json --origin | python3 -c '
import json, sys
client, vip = sys.argv[1], sys.argv[2]
for e in json.load(sys.stdin):
    if "%s:%d" % (e["client"]["address"], e["client"]["port"]) == client and \
            "%s:%d" % (e["virtual"]["address"], e["virtual"]["port"]) == vip:
        print(e["origin"])' "$2" "$VIP:7"
}
# daemons_of HOST: the roles of the host's running sync daemons, as lvs saves them.
daemons_of() { lvs_on "$1" save | awk '$1 == "--start-daemon" { print $2 }' | sort | xargs; }
# echo2_open: a second long-lived connection to the echo service (busybox nc through two
# FIFOs); echo2_line TEXT sends a line on it and sets ANSWER like echo_line.
echo2_open() {
  mkfifo "$WORK/echo2.in" "$WORK/echo2.out"
  ip netns exec "$LAB-client" busybox nc $VIP 7 < "$WORK/echo2.in" > "$WORK/echo2.out" 2> /dev/null &
  PIDS+=($!)
  exec {E2W}> "$WORK/echo2.in"
  exec {E2R}< "$WORK/echo2.out"
}
echo2_line() {
  ANSWER="no answer"
  printf '%s\n' "$1" >&"$E2W" 2> /dev/null || return 0
  read -r -t 20 ANSWER <&"$E2R" || ANSWER="no answer"
}
# notified HOST STATE: the host's notify script has run lvsctl for that VRRP state.
notified() { grep -q "lvsctl: VRRP $2" "$WORK/notify-$1.log" 2> /dev/null; }
# knows_conn HOST CLIENT_ADDR:PORT: the host's table has that connection.
knows_conn() { [ -n "$(synced_conn "$1" "$2")" ]; }

step "topology"
hosts switch client dir1 dir2 rs1 rs2
wire switch p-client - client eth0 198.51.100.2/24
wire switch p-dir1 - dir1 eth0 198.51.100.1/24
wire switch p-dir2 - dir2 eth0 198.51.100.3/24
wire switch p-rs1 - rs1 eth0 198.51.100.11/24
wire switch p-rs2 - rs2 eth0 198.51.100.12/24
switch switch br0 - p-client p-dir1 p-dir2 p-rs1 p-rs2
# The sync link: a cable of its own between the directors, carrying the master daemon's
# multicast (224.0.0.81:8848) and nothing else.
wire dir1 sync0 192.0.2.1/24 dir2 sync0 192.0.2.2/24
for rs in rs1 rs2; do
  # The real servers accept the VIP's packets but never answer ARP for it: only the director
  # holding it draws its traffic.
  hidden_vip $rs $VIP
  # The echo service: every line comes back prefixed with the server's name.
  printf '#!/bin/sh\nwhile read -r line; do echo "%s $line"; done\n' $rs > "$WORK/echo-$rs"
  chmod +x "$WORK/echo-$rs"
  spawn $rs "$WORK/echo-$rs.log" busybox nc -ll -p 7 -e "$WORK/echo-$rs"
done
web rs1 rs1 80
web rs2 rs2 80
say "one segment for the client, both directors and the real servers; a sync cable between the directors"

step "the same virtual services on both directors, through lvs"
for d in dir1 dir2; do
  configure $d <<RULES
-A -t $VIP:80 -s rr
-a -t $VIP:80 -r 198.51.100.11:80 -g -w 1
-a -t $VIP:80 -r 198.51.100.12:80 -g -w 1
-A -t $VIP:7 -s rr
-a -t $VIP:7 -r 198.51.100.11:7 -g -w 1
-a -t $VIP:7 -r 198.51.100.12:7 -g -w 1
RULES
done

step "sync daemons, through lvs (the Python package)"
# The master sends its connections out of sync0; the backup listens there. One Python run
# for both: the interpreter takes seconds to start in this emulated guest.
say "\$ python: Ipvs(netns).start_daemon(SyncDaemon(role, \"sync0\", sync_id=7)); Ipvs(netns).daemons()"
daemons=$("$PY" - "/run/netns/$LAB-dir1" "/run/netns/$LAB-dir2" <<'PY' 2>&1
import sys
import lvs

for netns, role in zip(sys.argv[1:], (lvs.DaemonRole.MASTER, lvs.DaemonRole.BACKUP)):
    lvs.Ipvs(netns=netns).start_daemon(lvs.SyncDaemon(role, "sync0", sync_id=7))
for netns in sys.argv[1:]:
    for d in lvs.Ipvs(netns=netns).daemons():
        print(netns.rsplit("-", 1)[1], d.role.name, d.interface, d.sync_id, repr(d))
PY
)
sed 's/^/    /' <<< "$daemons"
check_eq "lvs reads back a master daemon on dir1 and a backup on dir2 (sync0, id 7)" \
  "dir1 MASTER sync0 7|dir2 BACKUP sync0 7" "$(awk '{print $1, $2, $3, $4}' <<< "$daemons" | paste -sd '|')"
# The kernel syncs a TCP connection once it is established and has brought 3 packets from
# the client (then every 50): SYN, ACK and the first data segment.
say "\$ lvsctl sysctl sync_version; lvsctl sysctl sync_threshold  (dir1)"
threshold=$(lvs_on dir1 sysctl sync_threshold)
say "dir1: net.ipv4.vs.sync_version $(lvs_on dir1 sysctl sync_version), sync_threshold $threshold"
check_eq "dir1 syncs a connection at its 3rd packet, then every 50th (sync_threshold, read by lvs)" \
  "3 50" "$threshold"

step "keepalived on dir1, the VRRP master"
# Started alone, after the daemons: it listens for about 3 advertisement intervals before
# claiming the VIP, and its notify script then finds the master daemon already running.
# dir2's keepalived starts once dir1 is master, so that it never claims the VIP itself.
keepalived_on dir1 MASTER 150
say "keepalived -n -P -f $WORK/keepalived-dir1.conf ... (VRRP only, priority 150, advert_int 1)"

step "VRRP: dir1 is the master, dir2 the backup"
wait_for "dir1 to take the VIP" 30 has_vip dir1
say "keepalived on dir1:"; vrrp_log dir1
keepalived_on dir2 BACKUP 100
say "keepalived -n -P -f $WORK/keepalived-dir2.conf ... (VRRP only, priority 100, advert_int 1)"
wait_for "keepalived on dir2 to settle as backup" 30 grep -q 'Entering BACKUP STATE' "$WORK/keepalived-dir2.log"
say "keepalived on dir2:"; vrrp_log dir2

step "before the failure: traffic through dir1"
answers=$(fetch_many 4 client "http://$VIP/")
say "4 requests from the client: $(echo $answers)"
check_eq "dir1 balances new connections" "rs1 2 rs2 2" "$(tally <<< "$answers" | sort | xargs)"
# The long-lived connection: busybox nc on the client, fed and read by this script (exec:
# ECHO_PID is nc's own pid, for the cleanup).
coproc ECHO { exec ip netns exec "$LAB-client" busybox nc $VIP 7; }
PIDS+=($ECHO_PID)
echo_line "hello before the failure"
before=$ANSWER
say "on a connection to $VIP:7, the client sent \"hello before the failure\" and got back \"$before\""
check "the long-lived connection answers through dir1" grep -Eq '^rs[12] hello before the failure$' <<< "$before"
server=${before%% *}
server_addr=198.51.100.1${server#rs}
client_end=$(on client ss -H -t -n state established dst $VIP dport = :7 | awk '{print $3}')
say "client end $client_end, real server $server ($server_addr)"
# The 3rd packet (the line) queued the connection for sync; the master sends its buffer
# within a few seconds.
wait_for "dir2 to learn the connection" 20 knows_conn dir2 "$client_end"
say "\$ lvsctl list --connections  (dir2, the backup, before the failure)"
lvs_on dir2 list --connections | sed 's/^/    /'
check_eq "dir2 holds the connection, synced from dir1" "TCP ESTABLISHED $server_addr:7" \
  "$(synced_conn dir2 "$client_end")"
# The kernel marks what a backup learned from its master (the SYNC origin); dir1 made it.
check_eq "dir2's entry came from the sync daemon, dir1's is its own" "SYNC LOCAL" \
  "$(origin_of dir2 "$client_end") $(origin_of dir1 "$client_end")"
wait_conns dir1 "$VIP:80" 4
listing dir1 --stats
listing dir2 --stats
# What dir2 has forwarded on the echo service so far: nothing, it does not hold the VIP.
dir2_in_before=$(stat_of dir2 "$server_addr:7" 4)
# By now dir2 has run longer than its master-down interval (3 adverts + skew, ~3.6 s): had
# dir1's advertisements not reached it, it would have claimed the VIP too.
vrrp_now="dir1 $(has_vip dir1 && echo yes || echo no), dir2 $(has_vip dir2 && echo yes || echo no)"
vrrp_now+=", dir2 $(grep -q 'Entering MASTER' "$WORK/keepalived-dir2.log" && echo was master || echo never master)"
check_eq "VRRP keeps the VIP on dir1 alone (dir2 stays backup)" "dir1 yes, dir2 no, dir2 never master" "$vrrp_now"

step "the master dies"
# A crash, not a shutdown: SIGKILL leaves keepalived no time to give up the VIP or send a
# priority-0 advertisement, and with its links down dir1 neither answers ARP nor forwards.
# (disown: bash would otherwise print "Killed" for its own child, the parent.)
disown "$(cat "$WORK/keepalived-dir1.pid")" 2> /dev/null
kill -KILL "$(cat "$WORK/keepalived-dir1.pid")" "$(cat "$WORK/keepalived-dir1-vrrp.pid")"
on dir1 ip link set eth0 down
on dir1 ip link set sync0 down
say "keepalived on dir1 killed (SIGKILL), dir1's eth0 and sync0 down"
wait_for "dir2 to take the VIP" 30 has_vip dir2
say "keepalived on dir2:"; vrrp_log dir2
check "dir2 takes the VIP by VRRP" has_vip dir2

step "after the failure: the existing connection continues through dir2"
echo_line "hello after the failure"
after=$ANSWER
say "on the same connection, the client sent \"hello after the failure\" and got back \"$after\""
check_eq "the same connection answers, from the same real server" "$server hello after the failure" "$after"
# The per-CPU counters are summed every 2 s: poll for dir2's count to move.
wait_for "dir2's counters" 10 grew dir2 "$server_addr:7" 4 "$dir2_in_before"
check "dir2 forwarded the connection's packets (InPkts of $server:7 grew from $dir2_in_before)" \
  grew dir2 "$server_addr:7" 4 "$dir2_in_before"

step "after the failure: new connections through dir2"
answers=$(fetch_many 6 client "http://$VIP/")
say "6 requests from the client: $(echo $answers)"
check_eq "every new connection is answered" 0 "$(grep -c failed <<< "$answers")"
check_eq "dir2 balances them" "rs1 3 rs2 3" "$(tally <<< "$answers" | sort | xargs)"
wait_conns dir2 "$VIP:80" 6
check_eq "dir2 scheduled the 6 new connections (synced ones are not counted)" 6 "$(conns dir2 "$VIP:80")"
listing dir2 --stats
say "dir1 (dead, its table as it was):"
listing dir1 --stats

step "the sync roles follow the VIP: dir2 is now the sync master"
# keepalived on dir2 ran its notify script on entering MASTER: lvsctl sync-role stopped the
# backup daemon and started a master one (sync0, id 7).
wait_for "dir2's notify script (MASTER)" 60 notified dir2 MASTER
say "notify script on dir2:"; sed 's/^/    /' "$WORK/notify-dir2.log"
check_eq "dir2 runs the master sync daemon only" "master" "$(daemons_of dir2)"

step "dir1 comes back, as a backup"
on dir1 ip link set eth0 up
on dir1 ip link set sync0 up
# nopreempt: dir1 (priority 150) stays backup while dir2 holds the VIP, until a planned
# fail-back; its notify script makes it the sync backup meanwhile.
keepalived_on dir1 BACKUP 150 nopreempt
wait_for "keepalived on dir1 to settle as backup" 30 grep -q 'Entering BACKUP STATE' "$WORK/keepalived-dir1.log"
wait_for "dir1's notify script (BACKUP)" 60 notified dir1 BACKUP
say "notify script on dir1:"; sed 's/^/    /' "$WORK/notify-dir1.log"
check_eq "dir1 runs the backup sync daemon only" "backup" "$(daemons_of dir1)"
check "dir2 keeps the VIP" has_vip dir2

step "a connection opened through dir2 is synced to dir1"
echo2_open
echo2_line "hello through dir2"
through_dir2=$ANSWER
say "on a new connection to $VIP:7, the client sent \"hello through dir2\" and got back \"$through_dir2\""
check "the new connection answers through dir2" grep -Eq '^rs[12] hello through dir2$' <<< "$through_dir2"
server2=${through_dir2%% *}
server2_addr=198.51.100.1${server2#rs}
client_end2=$(on client ss -H -t -n state established dst $VIP dport = :7 | awk '{print $3}' | grep -vx "$client_end")
say "client end $client_end2, real server $server2 ($server2_addr)"
wait_for "dir1 to learn the connection from dir2" 30 knows_conn dir1 "$client_end2"
check_eq "dir1 holds the new connection, synced from dir2" "TCP ESTABLISHED $server2_addr:7" \
  "$(synced_conn dir1 "$client_end2")"
check_eq "dir1's entry came from the sync daemon, dir2's is its own" "SYNC LOCAL" \
  "$(origin_of dir1 "$client_end2") $(origin_of dir2 "$client_end2")"

step "fail-back: dir2 hands the VIP back to dir1"
dir1_in_before=$(stat_of dir1 "$server2_addr:7" 4)
# A planned hand-over: keepalived on dir2 stops, sending a priority-0 advertisement, and dir1
# takes the VIP at once; its notify script makes it the sync master again.
kill -TERM "$(cat "$WORK/keepalived-dir2.pid")"
wait_for "dir1 to take the VIP" 30 has_vip dir1
wait_for "dir1's notify script (MASTER)" 60 notified dir1 MASTER
say "keepalived on dir1:"; vrrp_log dir1
check_eq "dir1 runs the master sync daemon only" "master" "$(daemons_of dir1)"
echo2_line "hello after the fail-back"
say "on the connection opened through dir2, the client sent \"hello after the fail-back\" and got back \"$ANSWER\""
check_eq "it answers through dir1, from the same real server" "$server2 hello after the fail-back" "$ANSWER"
wait_for "dir1's counters" 10 grew dir1 "$server2_addr:7" 4 "$dir1_in_before"
check "dir1 forwarded the connection's packets (InPkts of $server2:7 grew from $dir1_in_before)" \
  grew dir1 "$server2_addr:7" 4 "$dir1_in_before"
finish
