"""Desired state and listings against the kernel, each in a fresh namespace: the plans of
lvs.Ipvs must be lvsctl's (lvs's Rust planner, the one every face uses), its listings
ipvsadm's own output, byte for byte."""

import os
import subprocess
import tempfile
from typing import List

import pytest

import lvs
from conftest import Netns

SETUP = (
    "-A -t 192.0.2.60:80 -s rr\n"
    "-a -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 1\n"
    "-a -t 192.0.2.60:80 -r 198.51.100.62:80 -m -w 1\n"
    "-A -t 192.0.2.70:80 -s rr\n"
)
# The service at .60 is this program's; .70 belongs to someone else.
DESIRED = "-A -t 192.0.2.60:80 -s wrr\n-a -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 3\n"
OURS = lvs.Scope.addresses(["192.0.2.60"])


def lvsctl_diff(netns: Netns, desired: str, *args: str) -> str:
    """What `lvsctl --netns PATH diff FILE ARGS...` prints (lvs's Rust planner)."""
    lvsctl = os.environ.get("LVS_LVSCTL", "")
    if not (lvsctl and os.access(lvsctl, os.X_OK)):
        pytest.fail(
            f"LVS_LVSCTL={lvsctl!r} does not name an lvsctl binary: tests/suites/py/guest "
            "exports it (cargo build -p lvs-sys --example lvsctl first)"
        )
    with tempfile.NamedTemporaryFile("w", prefix="lvs-py-desired-", delete=False) as f:
        f.write(desired)
    try:
        result = subprocess.run(
            [lvsctl, "--netns", netns.path, "diff", f.name, *args],
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(f.name)
    # 0: nothing to do, 1: differences (printed).
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def test_plan_diff_and_apply_in_a_scope_with_drain(ipvs: lvs.Ipvs, netns: Netns) -> None:
    ipvs.apply(SETUP)
    scope_args = ("--scope", "vip=192.0.2.60", "--drain")

    # Planning changes nothing, and says what the Rust planner says.
    ours = ipvs.diff(DESIRED, scope=OURS, drain=True)
    assert ours == lvsctl_diff(netns, DESIRED, *scope_args)
    assert ours == (
        "-e -t 192.0.2.60:80 -r 198.51.100.62:80 -m -w 0\n"
        "-E -t 192.0.2.60:80 -s wrr\n"
        "-e -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 3\n"
    )
    live = ipvs.plan(DESIRED, scope=OURS, drain=True)
    assert live.plan.to_rules() == ours
    assert lvs.plan(ipvs.save(), DESIRED, scope=OURS, drain=True) == live.plan
    [draining] = live.draining
    assert draining.listed is not None and draining.connections == 0 and not draining.idle
    assert netns.ipvsadm("-S", "-n") == SETUP

    # Applied: the removed server drains (weight 0), .70 stays.
    ipvs.apply_plan(live)
    assert netns.ipvsadm("-S", "-n") == (
        "-A -t 192.0.2.60:80 -s wrr\n"
        "-a -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 3\n"
        "-a -t 192.0.2.60:80 -r 198.51.100.62:80 -m -w 0\n"
        "-A -t 192.0.2.70:80 -s rr\n"
    )

    # The next run finds the drained server idle (no connections) and deletes it.
    ours = ipvs.diff(DESIRED, scope=OURS, drain=True)
    assert ours == lvsctl_diff(netns, DESIRED, *scope_args)
    assert ours == "-d -t 192.0.2.60:80 -r 198.51.100.62:80\n"
    applied = ipvs.apply_desired(DESIRED, scope=OURS, drain=True)
    assert len(applied.plan) == 1 and [s.idle for s in applied.draining] == [True]
    assert ipvs.diff(DESIRED, scope=OURS, drain=True) == ""
    assert lvsctl_diff(netns, DESIRED, *scope_args) == ""

    # Without a scope the text owns the whole table: .70 would go.
    assert ipvs.diff(DESIRED) == lvsctl_diff(netns, DESIRED) == "-D -t 192.0.2.70:80\n"
    assert ipvs.diff("", scope=lvs.Scope.addresses([])) == ""


def test_expire_connections_needs_expire_nodest_conn(ipvs: lvs.Ipvs, netns: Netns) -> None:
    ipvs.apply(SETUP)
    only_service = "-A -t 192.0.2.60:80 -s wrr\n"
    # A fresh namespace has the kernel's default 0.
    with pytest.raises(lvs.InvalidInput) as refused:
        ipvs.apply_desired(only_service, scope=OURS, drain=True, expire_connections=True)
    assert refused.value.field == "expire connections"
    assert "--lvs-sysctl expire_nodest_conn=1" in str(refused.value)
    stated = "--lvs-sysctl expire_nodest_conn=1\n" + only_service
    args = ("--scope", "vip=192.0.2.60", "--drain", "--expire-connections")
    ours = ipvs.diff(stated, scope=OURS, drain=True, expire_connections=True)
    assert ours == lvsctl_diff(netns, stated, *args)
    assert ours == (
        "--lvs-sysctl expire_nodest_conn=1\n"
        "-d -t 192.0.2.60:80 -r 198.51.100.61:80\n"
        "-d -t 192.0.2.60:80 -r 198.51.100.62:80\n"
        "-E -t 192.0.2.60:80 -s wrr\n"
    )
    ipvs.apply_desired(stated, scope=OURS, drain=True, expire_connections=True)
    assert ipvs.sysctl("expire_nodest_conn") == 1
    assert netns.ipvsadm("-S", "-n") == "-A -t 192.0.2.60:80 -s wrr\n-A -t 192.0.2.70:80 -s rr\n"


def test_a_failing_apply_restores_the_table(ipvs: lvs.Ipvs, netns: Netns) -> None:
    ipvs.apply(SETUP)
    # The kernel has no scheduler "nosuch": its service's add fails after other changes.
    desired = DESIRED + "-A -t 192.0.2.61:80 -s nosuch\n"
    scope = OURS | lvs.Scope.addresses(["192.0.2.61"])
    live = ipvs.plan(desired, scope=scope, drain=True)
    with pytest.raises(lvs.NotFound) as failed:
        ipvs.apply_plan(live)
    assert failed.value.rolled_back is True
    assert failed.value.index is not None
    assert live.plan.operations[failed.value.index].kind == "add_service"
    assert netns.ipvsadm("-S", "-n") == SETUP


LISTED = (
    "-A -t 192.0.2.60:80 -s wrr -p 300 -M 255.255.255.0\n"
    "-a -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 3 -x 100 -y 10\n"
    "-a -t 192.0.2.60:80 -r 198.51.100.62:80 -i -w 1\n"
    "-a -t 192.0.2.60:80 -r 198.51.100.63:80 -g -w 0\n"
    "-A -u 192.0.2.70:53 -s rr -o\n"
    "-a -u 192.0.2.70:53 -r 198.51.100.71:53 -m -w 1\n"
    "-A -t [2001:db8::60]:443 -s sh -b sh-port\n"
    "-a -t [2001:db8::60]:443 -r [2001:db8::61]:443 -m -w 2\n"
    "-A -f 7 -s lc\n"
    "-a -f 7 -r 198.51.100.81:0 -g -w 1\n"
)
FORMATS = [
    ("default", []),
    ("stats", ["--stats"]),
    ("rate", ["--rate"]),
    ("thresholds", ["--thresholds"]),
    ("persistent-conn", ["--persistent-conn"]),
    ("tun-info", ["--tun-info"]),
]
ONE_SERVICE = [
    (lvs.ServiceKey.tcp("192.0.2.60", 80), ["-t", "192.0.2.60:80"]),
    (lvs.ServiceKey.udp("192.0.2.70", 53), ["-u", "192.0.2.70:53"]),
    (lvs.ServiceKey.tcp("2001:db8::60", 443), ["-t", "[2001:db8::60]:443"]),
    (lvs.ServiceKey.fwmark(7), ["-f", "7"]),
]


@pytest.mark.parametrize("format,options", FORMATS, ids=[f for f, _ in FORMATS])
def test_every_listing_is_ipvsadms(
    ipvs: lvs.Ipvs, netns: Netns, format: str, options: List[str]
) -> None:
    ipvs.apply(LISTED)
    assert ipvs.list(format=format) == netns.ipvsadm("-L", "-n", *options)  # type: ignore[arg-type]
    assert ipvs.list(format=format, exact=True) == netns.ipvsadm(  # type: ignore[arg-type]
        "-L", "-n", "--exact", *options
    )
    for key, service in ONE_SERVICE:
        assert ipvs.list(key, format=format) == netns.ipvsadm(  # type: ignore[arg-type]
            "-L", "-n", *service, *options
        ), key


def test_timeouts_and_daemons_are_listed_like_ipvsadm(ipvs: lvs.Ipvs, netns: Netns) -> None:
    assert ipvs.list_timeouts() == netns.ipvsadm("-L", "--timeout")
    ipvs.set_timeouts(lvs.Timeouts(tcp=600, tcp_fin=60, udp=30))
    assert ipvs.list_timeouts() == netns.ipvsadm("-L", "--timeout")
    assert ipvs.list_daemons() == netns.ipvsadm("-L", "--daemon") == ""
    netns.exec("ip", "link", "add", "sync0", "type", "dummy")
    netns.exec("ip", "link", "set", "sync0", "up")
    ipvs.start_daemon(lvs.SyncDaemon(lvs.DaemonRole.MASTER, "sync0", sync_id=7))
    ipvs.start_daemon(lvs.SyncDaemon(lvs.DaemonRole.BACKUP, "sync0", sync_id=8))
    assert ipvs.list_daemons() == netns.ipvsadm("-L", "--daemon")
    assert ipvs.list_daemons().startswith("master sync daemon (mcast=sync0, syncid=7")
