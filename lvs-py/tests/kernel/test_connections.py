"""The connection table through lvs.Ipvs: live TCP and UDP connections through a NAT and a
DR service (tests/lib/conn-lab) on a director whose namespace is not the test's, compared
entry by entry with `ipvsadm -Lnc` in that namespace; filters by service, real server and
template; the templates of a persistent service."""

import os
import time
from ipaddress import IPv4Address
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Tuple

import pytest

import lvs
from conftest import run

CONN_LAB = str(Path(__file__).resolve().parents[3] / "tests" / "lib" / "conn-lab")
VIP = "198.51.100.10"
CLIENT = IPv4Address("198.51.100.2")
NAT_TCP = lvs.ServiceKey.tcp(VIP, 80)
NAT_UDP = lvs.ServiceKey.udp(VIP, 53)
DR_TCP = lvs.ServiceKey.tcp(VIP, 81)
DR_UDP = lvs.ServiceKey.udp(VIP, 54)
NAT_SERVER = IPv4Address("203.0.113.11")
DR_SERVER = IPv4Address("198.51.100.11")
# The lab's services; the DR TCP one is persistent, so its client gets a template too.
RULES = f"""
-A -t {VIP}:80 -s rr
-a -t {VIP}:80 -r {NAT_SERVER}:8080 -m
-A -u {VIP}:53 -s rr
-a -u {VIP}:53 -r {NAT_SERVER}:5353 -m
-A -t {VIP}:81 -s rr -p 300
-a -t {VIP}:81 -r {DR_SERVER}:81 -g
-A -u {VIP}:54 -s rr
-a -u {VIP}:54 -r {DR_SERVER}:54 -g
"""

# An entry as ipvsadm -Lnc prints it, less the expiry: protocol, state, and the client,
# virtual and real server as ADDRESS:PORT.
Key = Tuple[str, str, str, str, str]


def key(c: lvs.Connection) -> Key:
    def text(endpoint: Tuple[object, int]) -> str:
        return f"{endpoint[0]}:{endpoint[1]}"

    return (c.protocol, c.state, text(c.client), text(c.virtual), text(c.destination))


def ipvsadm_entries(director: str) -> List[Tuple[Key, int]]:
    """`ipvsadm -Lnc` in the director's namespace, each entry with its expiry in seconds."""
    lines = run("ip", "netns", "exec", director, "ipvsadm", "-Lnc").stdout.splitlines()
    assert lines[:2] == [
        "IPVS connection entries",
        "pro expire state       source             virtual            destination",
    ], lines
    entries = []
    for line in lines[2:]:
        protocol, expire, state, source, virtual, destination = line.split()
        minutes, seconds = expire.split(":")
        entries.append(((protocol, state, source, virtual, destination), int(minutes) * 60 + int(seconds)))
    return entries


@pytest.fixture(scope="module")
def lab() -> Iterator[Tuple[lvs.Ipvs, str]]:
    """The lab with its services and live connections, and a handle on its director: built
    once for the module (its programs start slowly in the emulated guest); the tests only
    read the table."""
    prefix = f"lvspy{os.getpid() % 100000}"
    try:
        run(CONN_LAB, "up", prefix)
        with lvs.Ipvs(netns=f"/run/netns/{prefix}-lb") as ipvs:
            ipvs.apply(RULES)
            run(CONN_LAB, "traffic", prefix)
            yield ipvs, f"{prefix}-lb"
    finally:
        run(CONN_LAB, "down", prefix, check=False)


def test_the_table_is_what_ipvsadm_lists_entry_by_entry(lab: Tuple[lvs.Ipvs, str]) -> None:
    ipvs, director = lab
    before = time.monotonic()
    ours = list(ipvs.connections())
    theirs = ipvsadm_entries(director)
    # The expiry counts down meanwhile: by as many seconds as the two reads took (ipvsadm
    # starts slowly in the emulated guest), give or take one for the rounding.
    apart = time.monotonic() - before + 1
    assert [key(c) for c in ours] == [k for k, _ in theirs]
    for c, (_, expires) in zip(ours, theirs):
        assert abs(c.expires - expires) <= apart, (c, expires, apart)
    # What the lab's traffic made: one entry per service, and the persistent DR service's
    # template (client port 0: each client's connections then go to the same server), which
    # the kernel marks ASSURED once a connection it controls is established.
    made = sorted((c.protocol, c.virtual[1], c.destination, c.state, c.template) for c in ours)
    assert made == [
        ("TCP", 80, (NAT_SERVER, 8080), "ESTABLISHED", False),
        ("TCP", 81, (DR_SERVER, 81), "ASSURED", True),
        ("TCP", 81, (DR_SERVER, 81), "ESTABLISHED", False),
        ("UDP", 53, (NAT_SERVER, 5353), "UDP", False),
        ("UDP", 54, (DR_SERVER, 54), "UDP", False),
    ], ours
    for c in ours:
        assert c.client[0] == CLIENT and c.virtual == (IPv4Address(VIP), c.virtual[1])
        assert (c.client[1] == 0) == c.template
        assert (c.pe_name, c.pe_data, c.origin) == (None, None, None)
    # The test's own namespace (the guest's) has none of them: the handle reads its own.
    with lvs.Ipvs() as here:
        assert not [c for c in here.connections() if c.client[0] == CLIENT]


def test_filters_choose_by_service_server_and_template(lab: Tuple[lvs.Ipvs, str]) -> None:
    ipvs, _ = lab
    every = list(ipvs.connections())
    assert len(every) == 5

    def chosen(**filters: object) -> List[Key]:
        return sorted(key(c) for c in ipvs.connections(**filters))  # type: ignore[arg-type]

    def expected(keep: Callable[[lvs.Connection], bool]) -> List[Key]:
        return sorted(key(c) for c in every if keep(c))

    cases: List[Tuple[Dict[str, object], Callable[[lvs.Connection], bool]]] = [
        ({"service": NAT_TCP}, lambda c: c.protocol == "TCP" and c.virtual[1] == 80),
        ({"service": lvs.Service(NAT_UDP)}, lambda c: c.protocol == "UDP" and c.virtual[1] == 53),
        ({"service": DR_TCP}, lambda c: c.protocol == "TCP" and c.virtual[1] == 81),
        ({"service": DR_UDP}, lambda c: c.protocol == "UDP" and c.virtual[1] == 54),
        ({"server": (NAT_SERVER, 5353)}, lambda c: c.destination == (NAT_SERVER, 5353)),
        ({"server": str(NAT_SERVER)}, lambda c: c.destination[0] == NAT_SERVER),
        ({"server": lvs.RealServer(DR_SERVER, 81)}, lambda c: c.destination == (DR_SERVER, 81)),
        ({"server": (DR_SERVER, 0)}, lambda c: c.destination[0] == DR_SERVER),
        ({"templates": True}, lambda c: c.template),
        ({"templates": False}, lambda c: not c.template),
        ({"service": DR_TCP, "templates": False}, lambda c: c.virtual[1] == 81 and not c.template),
        ({"service": NAT_TCP, "server": (DR_SERVER, 81)}, lambda c: False),
    ]
    for filters, keep in cases:
        want = expected(keep)
        assert chosen(**filters) == want, filters
    # Every filter above but the last chose something: none of them passes by choosing nothing.
    assert all(expected(keep) for _, keep in cases[:-1])
    [template] = ipvs.connections(DR_TCP, templates=True)
    assert template.client == (CLIENT, 0) and template.destination == (DR_SERVER, 81)


def test_origin_is_read_from_the_sync_file(lab: Tuple[lvs.Ipvs, str]) -> None:
    ipvs, _ = lab
    plain = [key(c) for c in ipvs.connections()]
    with_origin = list(ipvs.connections(origin=True))
    assert [key(c) for c in with_origin] == plain
    # No sync daemon runs: this director made every entry itself.
    assert {c.origin for c in with_origin} == {"LOCAL"}


def test_the_iterator_reads_lazily_and_outlives_the_handle(lab: Tuple[lvs.Ipvs, str]) -> None:
    ipvs, _ = lab
    stopped = ipvs.connections()
    first = next(stopped)
    stopped.close()
    assert list(stopped) == []
    assert isinstance(first, lvs.Connection)
    pending = ipvs.connections()
    with lvs.Ipvs(netns=ipvs.netns) as other:
        kept = other.connections(templates=False)
    # The iterator owns the open table: the closed handle does not stop it.
    assert len(list(kept)) == 4
    assert len(list(pending)) == 5
