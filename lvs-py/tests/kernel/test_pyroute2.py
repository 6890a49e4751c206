"""Interop with pyroute2's IPVS module (from PyPI): what lvs writes, pyroute2 reads back the
same, and the reverse.

pyroute2 0.9.7's convenience objects keep their defaults (``fwd_method`` 3, ``timeout`` 0,
...) under the short names and put what the kernel said under the attribute names
(``IPVS_DEST_ATTR_FWD_METHOD``), so the checks read the attribute names. Two of its decoders
are wrong, and the checks undo them where noted: it reads the big-endian
``IPVS_DEST_ATTR_TUN_PORT`` in host order, and an IPv6 service's prefix-length netmask as an
IPv4 address.
"""

import socket
from ipaddress import IPv4Address
from typing import Iterator

import pytest
from pyroute2 import IPVS, IPVSDest, IPVSService  # type: ignore[import-untyped]

import lvs
from conftest import Netns

WEB = lvs.ServiceKey.tcp("192.0.2.10", 80)


@pytest.fixture
def pyroute2_ipvs(netns: Netns) -> Iterator[IPVS]:
    with IPVS(netns=netns.name) as handle:
        yield handle


def test_pyroute2_reads_what_lvs_writes(ipvs: lvs.Ipvs, pyroute2_ipvs: IPVS) -> None:
    ipvs.add_service(lvs.Service(WEB, scheduler="wrr", persistence=lvs.Persistence(300, netmask="255.255.255.0")))
    ipvs.add_server(
        WEB,
        lvs.RealServer(
            "198.51.100.11", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=3,
            upper_threshold=100, lower_threshold=10,
        ),
    )
    ipvs.add_server(WEB, lvs.RealServer("198.51.100.12", 80, tunnel=lvs.Tunnel.gue(6080, lvs.TunnelChecksum.CHECKSUM)))
    ipvs.add_service(lvs.Service(lvs.ServiceKey.tcp("2001:db8::10", 443), persistence=lvs.Persistence(60, netmask=64)))
    ipvs.add_service(lvs.Service(lvs.ServiceKey.fwmark(5), scheduler="rr"))

    services = {}
    for message in pyroute2_ipvs.service("dump"):
        s = IPVSService.from_message(message)
        services[s.get("addr") or f"fwmark {s['fwmark']}"] = s
    assert set(services) == {"192.0.2.10", "2001:db8::10", "fwmark 5"}

    web = services["192.0.2.10"]
    assert (web["protocol"], web["port"], web["sched_name"]) == (socket.IPPROTO_TCP, 80, "wrr")
    assert web["IPVS_SVC_ATTR_TIMEOUT"] == 300
    assert web["IPVS_SVC_ATTR_NETMASK"] == "255.255.255.0"
    assert web["IPVS_SVC_ATTR_FLAGS"]["flags"] == 0x1 | 0x2  # persistent, hashed

    v6 = services["2001:db8::10"]
    assert v6["IPVS_SVC_ATTR_TIMEOUT"] == 60
    # pyroute2 decodes the prefix length 64 as the IPv4 address 64.0.0.0.
    assert int.from_bytes(IPv4Address(v6["IPVS_SVC_ATTR_NETMASK"]).packed, "little") == 64

    mark = services["fwmark 5"]
    assert (mark["fwmark"], mark["sched_name"]) == (5, "rr")

    servers = {}
    for message in pyroute2_ipvs.dest("dump", service=IPVSService(addr="192.0.2.10", port=80, protocol=socket.IPPROTO_TCP)):
        d = IPVSDest.from_message(message)
        servers[d["addr"]] = d
    nat = servers["198.51.100.11"]
    assert (nat["port"], nat["weight"]) == (8080, 3)
    assert nat["IPVS_DEST_ATTR_FWD_METHOD"] == int(lvs.ForwardMethod.MASQUERADE)
    assert (nat["IPVS_DEST_ATTR_U_THRESH"], nat["IPVS_DEST_ATTR_L_THRESH"]) == (100, 10)
    gue = servers["198.51.100.12"]
    assert gue["IPVS_DEST_ATTR_FWD_METHOD"] == int(lvs.ForwardMethod.TUNNEL)
    assert gue["IPVS_DEST_ATTR_TUN_TYPE"] == int(lvs.TunnelKind.GUE)
    assert gue["IPVS_DEST_ATTR_TUN_FLAGS"] == int(lvs.TunnelChecksum.CHECKSUM)
    # pyroute2 reads the big-endian port in host order (6080 shows as 49175).
    assert socket.ntohs(gue["IPVS_DEST_ATTR_TUN_PORT"]) == 6080


def test_lvs_reads_what_pyroute2_writes(ipvs: lvs.Ipvs, pyroute2_ipvs: IPVS, netns: Netns) -> None:
    dns = IPVSService(addr="192.0.2.20", port=53, protocol=socket.IPPROTO_UDP, sched_name="rr")
    pyroute2_ipvs.service("add", service=dns)
    pyroute2_ipvs.dest("add", service=dns, dest=IPVSDest(addr="198.51.100.30", port=5353, fwd_method=0, weight=4))
    pyroute2_ipvs.dest("add", service=dns, dest=IPVSDest(addr="198.51.100.31", port=53))
    # pyroute2 sends no netmask for IPv6 unless given, and the kernel refuses that; its
    # netmask is typed as an IPv4 address, so /128 is spelled 128.0.0.0.
    web6 = IPVSService(addr="2001:db8::20", port=80, protocol=socket.IPPROTO_TCP, netmask="128.0.0.0")
    pyroute2_ipvs.service("add", service=web6)
    pyroute2_ipvs.dest("add", service=web6, dest=IPVSDest(addr="2001:db8::30", port=8080, fwd_method=0, weight=2))
    mark = IPVSService(fwmark=7, af=socket.AF_INET, sched_name="sh", netmask="255.255.255.255")
    pyroute2_ipvs.service("add", service=mark)

    dns_key = lvs.ServiceKey.udp("192.0.2.20", 53)
    web6_key = lvs.ServiceKey.tcp("2001:db8::20", 80)
    mark_key = lvs.ServiceKey.fwmark(7)
    assert ipvs.table() == [
        lvs.VirtualService(
            lvs.Service(dns_key, scheduler="rr"),
            [
                lvs.RealServer("198.51.100.30", 5353, forward=lvs.ForwardMethod.MASQUERADE, weight=4),
                lvs.RealServer("198.51.100.31", 53),
            ],
        ),
        lvs.VirtualService(
            lvs.Service(web6_key),
            [lvs.RealServer("2001:db8::30", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=2)],
        ),
        lvs.VirtualService(lvs.Service(mark_key, scheduler="sh")),
    ]
    assert ipvs.save(ipvsadm=True) == netns.ipvsadm("-S", "-n")
