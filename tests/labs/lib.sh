# shellcheck shell=bash
# What every lab script sources: building hosts out of network namespaces, web servers,
# clients, configuring a director through lvs, and counting checks.
#
# A lab runs inside the test guest as root (tests/lab boots it). Every namespace, process and
# file it makes is removed when it exits. It prints one line per check and ends with cargo's
# "test result:" line so tests/run can add it up; its exit status says whether all passed.
#
# Addresses come from the documentation ranges: clients in 198.51.100.0/24, real servers in
# 203.0.113.0/24, sync and tunnel links in 192.0.2.0/24. No packet leaves the guest.

set -uo pipefail
# shellcheck source=../lib/checks.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../lib/checks.sh"
LAB=$(basename "$0" .sh)
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "$0")")")")
LVSCTL=${LVS_LAB_LVSCTL:-$ROOT/target/debug/examples/lvsctl}
WORK=$(mktemp -d "/tmp/lab-$LAB.XXXXXX")
PASSED=0
FAILED=0
NAMESPACES=()
PIDS=()

cleanup() {
  local pid ns
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$LVSCTL" ] || { echo "lab $LAB: $LVSCTL is missing (tests/lab builds it)" >&2; exit 1; }

# --- reporting -----------------------------------------------------------------------------

say() { printf '%s\n' "$*"; }
step() { printf '\n## %s  [%ss]\n' "$*" "$SECONDS"; }
pass() { PASSED=$((PASSED + 1)); say "test lab::$LAB $1 ... ok"; }
flunk() {
  FAILED=$((FAILED + 1))
  say "test lab::$LAB $1 ... FAILED"
  shift
  [ $# -gt 0 ] && printf '    %s\n' "$@"
  return 0
}
# check NAME COMMAND...: passes when the command succeeds.
check() {
  local name=$1
  shift
  if "$@" > "$WORK/check.out" 2>&1; then pass "$name"; else flunk "$name" "$(tail -n 20 "$WORK/check.out")"; fi
}
# check_eq NAME EXPECTED ACTUAL
check_eq() {
  if [ "$2" = "$3" ]; then pass "$1"; else flunk "$1" "expected: $2" "actual:   $3"; fi
}
# finish: the summary line and the exit status.
finish() {
  report_counts "$PASSED" "$FAILED" "lab $LAB" && exit 0
  exit 1
}
# fatal MESSAGE: the topology could not be built; no check can run.
fatal() {
  flunk "setup" "$@"
  finish
}

# --- hosts and links -----------------------------------------------------------------------

# hosts NAME...: one network namespace per host, loopback up, named LAB-NAME.
hosts() {
  local h
  for h in "$@"; do
    ip netns add "$LAB-$h" || fatal "cannot create namespace $LAB-$h"
    NAMESPACES+=("$LAB-$h")
    ip -n "$LAB-$h" link set lo up
  done
}
# on HOST COMMAND...: runs a command on a host.
on() {
  local h=$1
  shift
  ip netns exec "$LAB-$h" "$@"
}
# sysctl_on HOST KEY=VALUE...
sysctl_on() {
  local h=$1
  shift
  on "$h" sysctl -q -w "$@" > /dev/null || fatal "sysctl $* on $h"
}
# wire HOST_A IF_A ADDR_A HOST_B IF_B ADDR_B: a veth cable between two hosts; an address of
# "-" leaves that end without one (e.g. to enslave it to a bridge).
wire() {
  local a=$1 ifa=$2 addra=$3 b=$4 ifb=$5 addrb=$6
  # Made in the guest's own namespace under short temporary names, then moved and renamed.
  ip link add "lv${$}a" type veth peer name "lv${$}b" || fatal "veth $a-$b"
  ip link set "lv${$}a" netns "$LAB-$a" name "$ifa" || fatal "veth to $a"
  ip link set "lv${$}b" netns "$LAB-$b" name "$ifb" || fatal "veth to $b"
  [ "$addra" = - ] || ip -n "$LAB-$a" addr add "$addra" dev "$ifa"
  [ "$addrb" = - ] || ip -n "$LAB-$b" addr add "$addrb" dev "$ifb"
  ip -n "$LAB-$a" link set "$ifa" up
  ip -n "$LAB-$b" link set "$ifb" up
}
# hidden_vip HOST VIP: the VIP on the host's lo, never answered in ARP (arp_ignore=1) nor used
# as the source of its ARP requests (arp_announce=2): the host takes the VIP's packets without
# drawing them, as DR and TUN real servers (and routed directors) must.
hidden_vip() {
  sysctl_on "$1" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
    net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
  on "$1" ip addr add "$2/32" dev lo
}
# switch HOST BRIDGE ADDR IF...: a bridge on HOST with the given ports ("-" for no address).
switch() {
  local h=$1 br=$2 addr=$3 port
  shift 3
  ip -n "$LAB-$h" link add "$br" type bridge || fatal "bridge $br on $h"
  for port in "$@"; do ip -n "$LAB-$h" link set "$port" master "$br"; done
  [ "$addr" = - ] || ip -n "$LAB-$h" addr add "$addr" dev "$br"
  ip -n "$LAB-$h" link set "$br" up
}

# --- servers and clients -------------------------------------------------------------------

# spawn HOST LOG COMMAND...: starts COMMAND on HOST in the background, output to LOG; its pid
# is in SPAWNED (the process itself: `ip netns exec` execs it), and it is killed at exit.
SPAWNED=
spawn() {
  local h=$1 log=$2
  shift 2
  ip netns exec "$LAB-$h" "$@" > "$log" 2>&1 &
  SPAWNED=$!
  PIDS+=("$SPAWNED")
}
# web HOST NAME PORT...: busybox httpd on every PORT of HOST, answering NAME on every path.
web() {
  local h=$1 name=$2 port
  shift 2
  mkdir -p "$WORK/www-$name"
  echo "$name" > "$WORK/www-$name/index.html"
  for port in "$@"; do
    spawn "$h" "$WORK/httpd-$name-$port.log" busybox httpd -f -p "$port" -h "$WORK/www-$name"
    echo "$SPAWNED" > "$WORK/httpd-$name-$port.pid"
  done
  for port in "$@"; do
    wait_for "httpd of $name on port $port" 10 on "$h" busybox wget -q -O /dev/null "http://127.0.0.1:$port/" \
      || fatal "httpd of $name on port $port does not answer"
  done
}
# web_stop NAME PORT: stops that web server (the host stays up).
web_stop() {
  local pid
  pid=$(cat "$WORK/httpd-$1-$2.pid")
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}
# fetch_urls HOST SOURCE URL...: one request per URL, in order, each in a new connection,
# from the host's address SOURCE ("-": whichever the route picks); prints the answering
# server's name for each, or "failed". One `ip netns exec` for all of them, and busybox's
# wget where no source address is asked for: under emulation, starting `ip` or curl (dynamic,
# dozens of libraries) costs far more than a request.
fetch_urls() {
  local h=$1 src=$2
  shift 2
  ip netns exec "$LAB-$h" busybox sh -c '
    src=$1
    shift
    for url in "$@"; do
      if [ "$src" = - ]; then
        busybox timeout 5 busybox wget -q -O - "$url" 2> /dev/null || echo failed
      else
        curl -s --max-time 5 --interface "$src" "$url" || echo failed
      fi
    done' sh "$src" "$@"
}
# fetch HOST URL [SOURCE]: one request.
fetch() { fetch_urls "$1" "${3:--}" "$2"; }
# fetch_many N HOST URL [SOURCE]: N requests one after the other, one name per line.
fetch_many() {
  local n=$1 h=$2 url=$3 src=${4:--} urls=() i
  for ((i = 0; i < n; i++)); do urls+=("$url"); done
  fetch_urls "$h" "$src" "${urls[@]}"
}
# tally: "name count" lines for the names on stdin, most frequent first.
tally() { sort | uniq -c | sort -k1,1nr -k2 | awk '{print $2, $1}'; }
# wait_for WHAT SECONDS COMMAND...: polls every 0.2 s until COMMAND succeeds.
wait_for() {
  local what=$1 secs=$2 deadline
  shift 2
  deadline=$(($(date +%s) + secs))
  until "$@" > /dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      say "    (gave up waiting for $what after ${secs}s)"
      return 1
    fi
    sleep 0.2
  done
}

# --- the director, through lvs -------------------------------------------------------------

# lvs_on HOST ARGS...: lvsctl on that host's IPVS table.
lvs_on() {
  local h=$1
  shift
  "$LVSCTL" --netns "/run/netns/$LAB-$h" "$@"
}
# configure HOST: makes the host's IPVS table what the ipvsadm rules on stdin say, printing
# the rules and the operations lvs plans for them (edits in place, not flush and re-add).
configure() {
  local rules=$WORK/rules.$RANDOM
  cat > "$rules"
  say "desired rules for $1:"
  sed 's/^/    /' "$rules"
  say "\$ lvsctl apply  (the operations lvs plans, as ipvsadm lines)"
  lvs_on "$1" apply "$rules" --dry-run 2>&1 | sed 's/^/    /'
  lvs_on "$1" apply "$rules" > "$WORK/apply.out" 2>&1 || fatal "lvsctl apply failed on $1" "$(cat "$WORK/apply.out")"
}
# listing HOST [--stats|--rate]: the ipvsadm -L -n style table, as lvs formats it.
listing() {
  local h=$1
  shift
  say "\$ lvsctl list $*  ($h)"
  lvs_on "$h" list "$@" --exact | sed 's/^/    /'
}
# stat_of HOST ADDR COLUMN: a column of the first line `lvsctl list --stats --exact` prints
# for ADDR, a service ("198.51.100.10:80", or "1" for FWM 1) or a real server: 3 Conns,
# 4 InPkts, 5 OutPkts, 6 InBytes, 7 OutBytes.
stat_of() {
  lvs_on "$1" list --stats --exact | awk -v a="$2" -v c="$3" '$2 == a { print $c; exit }'
}
# conns HOST ADDR: the connections lvs counted for that service or real server.
conns() { stat_of "$1" "$2" 3; }
# wait_conns HOST ADDR N: waits until the service has counted N connections. The kernel
# sums its per-CPU counters every 2 s (in the rate estimator), so counters lag the traffic.
wait_conns() {
  local deadline=$(($(date +%s) + 6))
  until [ "$(conns "$1" "$2")" = "$3" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}
