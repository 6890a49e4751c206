#!/usr/bin/env bash
# The health lab: health checkers keep the director's table in step with the real servers.
# Twice: with the Python checker (examples/health_check.py on the lvs package, removing a
# failed server) and with the C one (examples/c/health_drain.c linked against lvs's libipvs,
# draining it to weight 0). A real server whose HTTP check fails 3 times in a row is taken
# out, one good check puts it back, and while every real server is out a sorry server
# answers. Once the checker has reacted, no request fails.
#
#   client 198.51.100.2 ── director (VIP 198.51.100.10:80, the checker) ── 203.0.113.0/24
#                               ├─ rs1 .11   ├─ rs2 .12   └─ sorry .99
. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$(dirname "$(readlink -f "$0")")/topology.sh"
VIP=198.51.100.10
PYTHON=$ROOT/target/lvs-py-venv/bin/python
C_CHECKER=$ROOT/target/labs/health_drain
"$PYTHON" -c 'import lvs' || fatal "the lvs Python package is not installed in target/lvs-py-venv"
[ -x "$C_CHECKER" ] || fatal "$C_CHECKER is missing (tests/labs/prepare health builds it)"

step "topology"
routed_topology 198.51.100.2
hosts sorry
wire director sorry - sorry eth0 203.0.113.99/24
on director ip link set sorry master br0
on sorry ip route add default via 203.0.113.1
web rs1 rs1 80
web rs2 rs2 80
web sorry sorry 80
say "two real servers and a sorry server, all answering their names over HTTP"

# in_table SERVER: the real server is in the service with a weight above 0.
in_table() { lvs_on director list | awk -v a="$1" '$1 == "->" && $2 == a && $4 > 0 { f = 1 } END { exit !f }'; }
out_of_table() { ! in_table "$1"; }
# requests N: N requests; prints the tally and fails when any request failed.
requests() {
  local answers
  answers=$(fetch_many "$1" client "http://$VIP/")
  say "$1 requests: $(tally <<< "$answers" | xargs)"
  ! grep -q failed <<< "$answers"
}
answered_only_by() { [ "$(fetch_many "$1" client "http://$VIP/" | sort -u | xargs)" = "$2" ]; }

# lab_round NAME COMMAND...: one round with the checker started by COMMAND on the director.
lab_round() {
  local name=$1
  shift
  step "$name: start the checker"
  configure director <<RULES
-A -t $VIP:80 -s rr
-a -t $VIP:80 -r 203.0.113.11:80 -m -w 1
-a -t $VIP:80 -r 203.0.113.12:80 -m -w 1
RULES
  say "\$ $*"
  spawn director "$WORK/$name.log" "$@"
  local checker=$SPAWNED
  check "$name: every request is answered while all are healthy" requests 6

  step "$name: rs1 stops answering"
  web_stop rs1 80
  check "$name: takes rs1 out after 3 failed checks" wait_for "rs1 out" 60 out_of_table 203.0.113.11:80
  listing director
  check "$name: no request fails once rs1 is out" requests 6
  check "$name: rs2 answers them all" answered_only_by 4 rs2

  step "$name: rs1 answers again"
  web rs1 rs1 80
  check "$name: puts rs1 back after one good check" wait_for "rs1 back" 60 in_table 203.0.113.11:80
  check "$name: both answer again" answered_only_by 6 "rs1 rs2"

  step "$name: every real server stops answering"
  web_stop rs1 80
  web_stop rs2 80
  check "$name: adds the sorry server" wait_for "the sorry server" 60 in_table 203.0.113.99:80
  listing director
  check "$name: no request fails: the sorry server answers them" answered_only_by 4 sorry

  step "$name: the real servers are back"
  web rs1 rs1 80
  web rs2 rs2 80
  check "$name: takes the sorry server out" wait_for "the sorry server to go" 60 out_of_table 203.0.113.99:80
  check "$name: the real servers answer everything again" answered_only_by 6 "rs1 rs2"
  listing director
  kill "$checker" 2> /dev/null
  wait "$checker" 2> /dev/null
  say "what the checker said:"
  sed 's/^/    /' "$WORK/$name.log"
}

# Fast checks so the lab is quick: every 0.5 s, 1 s per check.
lab_round python "$PYTHON" "$ROOT/examples/health_check.py" "tcp:$VIP:80" \
  --interval 0.5 --timeout 1 --fall 3 --rise 1 --sorry 203.0.113.99:80
lab_round c "$C_CHECKER" -i 0.5 -f 3 -r 1 -u / -s 203.0.113.99:80 $VIP 80
finish
