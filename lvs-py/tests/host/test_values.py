"""Value objects: keyword constructors, defaults, equality, hashing, reprs, wrong types."""

from ipaddress import IPv4Address, IPv6Address

import pytest

import lvs


def test_service_key_constructors_agree() -> None:
    by_enum = lvs.ServiceKey(lvs.Protocol.TCP, "192.0.2.10", 80)
    by_helper = lvs.ServiceKey.tcp(IPv4Address("192.0.2.10"), 80)
    assert by_enum == by_helper
    assert hash(by_enum) == hash(by_helper)
    assert by_helper.protocol is lvs.Protocol.TCP
    assert by_helper.address == IPv4Address("192.0.2.10")
    assert by_helper.port == 80
    assert by_helper.mark is None
    assert by_helper.family is lvs.Family.IPV4
    assert str(by_helper) == "TCP 192.0.2.10:80"
    assert repr(by_helper) == "ServiceKey.tcp('192.0.2.10', 80)"


def test_fwmark_and_ipv6_keys() -> None:
    mark = lvs.ServiceKey.fwmark(7, lvs.Family.IPV6)
    assert mark.mark == 7 and mark.protocol is None and mark.address is None
    assert mark.family is lvs.Family.IPV6
    assert str(mark) == "FWM 7 IPv6"
    v6 = lvs.ServiceKey.udp("2001:db8::1", 53)
    assert v6.address == IPv6Address("2001:db8::1")
    assert str(v6) == "UDP [2001:db8::1]:53"
    assert lvs.ServiceKey.fwmark(7) != mark
    assert len({mark, lvs.ServiceKey.fwmark(7, lvs.Family.IPV6), v6}) == 2


def test_unknown_protocol_numbers_round_trip() -> None:
    key = lvs.ServiceKey(47, "192.0.2.1", 1)
    assert key.protocol == 47
    assert isinstance(key.protocol, lvs.Protocol)
    assert key.protocol.name == "PROTOCOL_47"


def test_service_defaults_and_settings() -> None:
    key = lvs.ServiceKey.udp("192.0.2.10", 53)
    plain = lvs.Service(key)
    assert plain.scheduler is lvs.Scheduler.WLC
    assert plain.persistence is None
    assert plain.one_packet is False
    assert plain.sched_flags == lvs.SchedFlags(0)
    tuned = lvs.Service(
        key,
        scheduler="sh",
        persistence=lvs.Persistence(600, netmask="255.255.255.0", engine="sip"),
        one_packet=True,
        sched_flags=lvs.SchedFlags.SH_PORT | lvs.SchedFlags.SH_FALLBACK,
    )
    assert tuned.scheduler is lvs.Scheduler.SH
    assert tuned.persistence == lvs.Persistence(600, netmask=IPv4Address("255.255.255.0"), engine="sip")
    assert tuned.sched_flags == lvs.SchedFlags.FLAG_1 | lvs.SchedFlags.FLAG_2
    assert tuned.one_packet
    assert tuned != plain
    assert repr(tuned) == (
        "Service(ServiceKey.udp('192.0.2.10', 53), scheduler='sh', "
        "persistence=Persistence(timeout=600, netmask='255.255.255.0', engine=\"sip\"), "
        "one_packet=True, sched_flags=SchedFlags(24))"
    )


def test_persistence_full_netmask_is_the_default() -> None:
    assert lvs.Persistence() == lvs.Persistence(360, netmask="255.255.255.255")
    assert lvs.Persistence(netmask=128) == lvs.Persistence()
    assert lvs.Persistence().netmask is None
    assert lvs.Persistence(netmask=64).netmask == 64


def test_unknown_scheduler_names_are_kept() -> None:
    service = lvs.Service(lvs.ServiceKey.tcp("192.0.2.1", 80), scheduler="twos")
    assert service.scheduler == "twos"
    assert isinstance(service.scheduler, lvs.Scheduler)


def test_real_server_forwarding() -> None:
    default = lvs.RealServer("198.51.100.11", 8080)
    assert default.forward is lvs.ForwardMethod.DIRECT_ROUTE
    assert default.weight == 1 and default.tunnel is None
    assert (default.upper_threshold, default.lower_threshold) == (0, 0)
    nat = lvs.RealServer("198.51.100.11", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=3)
    assert nat.forward is lvs.ForwardMethod.MASQUERADE
    gue = lvs.RealServer("198.51.100.11", 8080, tunnel=lvs.Tunnel.gue(6080, lvs.TunnelChecksum.REMOTE))
    assert gue.forward is lvs.ForwardMethod.TUNNEL
    assert gue.tunnel is not None
    assert gue.tunnel.kind is lvs.TunnelKind.GUE and gue.tunnel.port == 6080
    assert gue.tunnel.checksum is lvs.TunnelChecksum.REMOTE
    ipip = lvs.RealServer("198.51.100.11", 8080, forward=lvs.ForwardMethod.TUNNEL)
    assert ipip.tunnel == lvs.Tunnel.ipip() == lvs.Tunnel()
    with pytest.raises(lvs.InvalidInput) as info:
        lvs.RealServer("198.51.100.11", 80, forward=lvs.ForwardMethod.MASQUERADE, tunnel=lvs.Tunnel.gre())
    assert info.value.field == "tunnel"


def test_real_server_replace_keeps_the_rest() -> None:
    server = lvs.RealServer("198.51.100.11", 80, forward=lvs.ForwardMethod.MASQUERADE, weight=5)
    drained = server.replace(weight=0)
    assert drained.weight == 0
    assert drained.forward is lvs.ForwardMethod.MASQUERADE
    assert server.weight == 5
    assert drained.replace(weight=5) == server


def test_tunnel_ports() -> None:
    with pytest.raises(lvs.InvalidInput):
        lvs.Tunnel(lvs.TunnelKind.GUE)
    with pytest.raises(lvs.InvalidInput):
        lvs.Tunnel(lvs.TunnelKind.IPIP, port=5)
    assert lvs.Tunnel(lvs.TunnelKind.GUE, port=6080) == lvs.Tunnel.gue(6080)
    assert repr(lvs.Tunnel.gre(lvs.TunnelChecksum.CHECKSUM)) == "Tunnel.gre(checksum=TunnelChecksum.CHECKSUM)"


def test_settings_values() -> None:
    assert lvs.Timeouts(tcp=60) == lvs.Timeouts(tcp=60, tcp_fin=0, udp=0)
    assert repr(lvs.Timeouts(udp=5)) == "Timeouts(tcp=0, tcp_fin=0, udp=5)"
    daemon = lvs.SyncDaemon(lvs.DaemonRole.BACKUP, "eth0", sync_id=3, group="239.1.1.1", port=8849, ttl=2)
    assert daemon.role is lvs.DaemonRole.BACKUP
    assert daemon.group == IPv4Address("239.1.1.1")
    assert (daemon.sync_id, daemon.port, daemon.ttl, daemon.max_len) == (3, 8849, 2, None)
    info = lvs.KernelInfo(version_code=0x010201, conn_table_size=4096)
    assert info.version == (1, 2, 1)
    assert str(info) == "IP Virtual Server version 1.2.1 (size=4096)"


def test_entries_and_stats() -> None:
    stats = lvs.Stats(conns=3, in_bytes=10)
    assert (stats.conns, stats.in_bytes, stats.out_bytes) == (3, 10, 0)
    server = lvs.RealServer("198.51.100.11", 80)
    entry = lvs.RealServerEntry(server, active_conns=2, stats=stats)
    assert entry.server == server and entry.active_conns == 2 and entry.stats == stats
    service = lvs.Service(lvs.ServiceKey.tcp("192.0.2.1", 80))
    assert lvs.ServiceEntry(service).stats == lvs.Stats()
    vs = lvs.VirtualService(service, [server])
    assert vs.servers == (server,)
    assert {vs: 1}[lvs.VirtualService(service, (server,))] == 1


def test_values_are_immutable() -> None:
    key = lvs.ServiceKey.tcp("192.0.2.1", 80)
    with pytest.raises(AttributeError):
        key.port = 81  # type: ignore[misc]
    server = lvs.RealServer("198.51.100.1", 80)
    with pytest.raises(AttributeError):
        server.weight = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    "build",
    [
        lambda: lvs.ServiceKey.tcp(1234, 80),  # type: ignore[arg-type]
        lambda: lvs.ServiceKey.tcp("192.0.2.1", "80"),  # type: ignore[arg-type]
        lambda: lvs.ServiceKey.tcp("192.0.2.1", True),
        lambda: lvs.ServiceKey("tcp", "192.0.2.1", 80),  # type: ignore[arg-type]
        lambda: lvs.Service("TCP 192.0.2.1:80"),  # type: ignore[arg-type]
        lambda: lvs.Service(lvs.ServiceKey.tcp("192.0.2.1", 80), scheduler=5),  # type: ignore[arg-type]
        lambda: lvs.Service(lvs.ServiceKey.tcp("192.0.2.1", 80), persistence=300),  # type: ignore[arg-type]
        lambda: lvs.RealServer("198.51.100.1", 80, weight="3"),  # type: ignore[arg-type]
        lambda: lvs.RealServer("198.51.100.1", 80, tunnel="gue"),  # type: ignore[arg-type]
        lambda: lvs.Persistence(netmask=[255]),  # type: ignore[arg-type]
        lambda: lvs.VirtualService(lvs.Service(lvs.ServiceKey.tcp("192.0.2.1", 80)), [1]),  # type: ignore[list-item]
        lambda: lvs.Operation.add_service(lvs.ServiceKey.tcp("192.0.2.1", 80)),  # type: ignore[arg-type]
        lambda: lvs.MemoryIpvs(interfaces="eth0"),
        lambda: lvs.rules.save([1]),  # type: ignore[list-item]
        lambda: lvs.rules.parse(None),  # type: ignore[arg-type]
    ],
)
def test_wrong_types_raise_type_error(build) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError):
        build()


@pytest.mark.parametrize(
    "build, field",
    [
        (lambda: lvs.ServiceKey.tcp("192.0.2.300", 80), "address"),
        (lambda: lvs.ServiceKey.tcp("192.0.2.1", 70000), "port"),
        (lambda: lvs.ServiceKey.tcp("192.0.2.1", -1), "port"),
        (lambda: lvs.ServiceKey.fwmark(2**32), "fwmark"),
        (lambda: lvs.Persistence(netmask="2001:db8::"), "netmask"),
        (lambda: lvs.Service(lvs.ServiceKey.tcp("192.0.2.1", 80), sched_flags=1), "sched_flags"),
        (lambda: lvs.Ipvs(timeout=-1), "timeout"),
    ],
)
def test_bad_values_raise_invalid_input(build, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(lvs.InvalidInput) as info:
        build()
    assert info.value.field == field
    assert isinstance(info.value, ValueError)
