"""The connection table's Python face without a kernel: lvs.Connection as a value, and
IpvsHandle.connections() on MemoryIpvs (always empty) with its arguments checked."""

from ipaddress import IPv4Address, IPv6Address
from typing import Any, Dict

import pytest

import lvs

WEB = lvs.ServiceKey.tcp("192.0.2.10", 80)
SERVER = lvs.RealServer("198.51.100.11", 8080, forward=lvs.ForwardMethod.MASQUERADE)
CONN = lvs.Connection(
    "TCP", ("198.51.100.2", 40000), ("192.0.2.10", 80), (IPv4Address("198.51.100.11"), 8080), "ESTABLISHED", 899
)


def test_a_connection_reads_back_its_fields() -> None:
    assert CONN.protocol == "TCP"
    assert CONN.client == (IPv4Address("198.51.100.2"), 40000)
    assert CONN.virtual == (IPv4Address("192.0.2.10"), 80)
    assert CONN.destination == (IPv4Address("198.51.100.11"), 8080)
    assert CONN.state == "ESTABLISHED" and CONN.expires == 899
    assert CONN.template is False
    assert (CONN.pe_name, CONN.pe_data, CONN.origin) == (None, None, None)
    six = lvs.Connection("UDP", ("2001:db8::2", 5000), ("2001:db8::1", 53), ("2001:db8::5", 53), "UDP", 1,
                         origin="SYNC")
    assert isinstance(six.client[0], IPv6Address) and six.origin == "SYNC"


def test_a_template_is_told_by_its_client_port_0() -> None:
    template = lvs.Connection("TCP", ("198.51.100.2", 0), ("192.0.2.10", 80), ("198.51.100.11", 80), "NONE", 300)
    assert template.template is True
    mark = lvs.Connection("IP", ("198.51.100.2", 0), ("0.0.0.7", 0), ("198.51.100.11", 0), "NONE", 300)
    assert mark.template is True and mark.virtual == (IPv4Address("0.0.0.7"), 0)


def test_repr_rebuilds_the_value_and_equality_sees_every_field() -> None:
    sip = lvs.Connection("UDP", ("198.51.100.2", 5060), ("192.0.2.10", 5060), ("198.51.100.11", 5060), "UDP", 9,
                         pe_name="sip", pe_data="it's \"quoted\"", origin="LOCAL")
    for value in [CONN, sip]:
        assert eval(repr(value), {"Connection": lvs.Connection}) == value
    assert repr(CONN) == (
        "Connection('TCP', ('198.51.100.2', 40000), ('192.0.2.10', 80), ('198.51.100.11', 8080), "
        "'ESTABLISHED', 899)"
    )
    fields = CONN._asdict()
    changes: Dict[str, Any] = {
        "protocol": "UDP",
        "client": ("198.51.100.2", 40001),
        "virtual": ("192.0.2.10", 81),
        "destination": ("198.51.100.12", 8080),
        "state": "TIME_WAIT",
        "expires": 898,
        "pe_name": "sip",
        "pe_data": "x",
        "origin": "LOCAL",
    }
    assert set(changes) == set(fields)
    for name, value in changes.items():
        other = lvs.Connection(**{**fields, name: value})
        assert other != CONN, name
    assert lvs.Connection(**fields) == CONN and hash(lvs.Connection(**fields)) == hash(CONN)


def test_bad_connection_fields_raise_the_typed_errors() -> None:
    args: Dict[str, Any] = CONN._asdict()
    with pytest.raises(TypeError, match="client must be an"):
        lvs.Connection(**{**args, "client": "198.51.100.2:40000"})
    with pytest.raises(TypeError, match="protocol must be a str"):
        lvs.Connection(**{**args, "protocol": 6})
    with pytest.raises(lvs.OutOfRange):
        lvs.Connection(**{**args, "virtual": ("192.0.2.10", 65536)})
    with pytest.raises(lvs.OutOfRange):
        lvs.Connection(**{**args, "expires": -1})
    with pytest.raises(lvs.InvalidInput):
        lvs.Connection(**{**args, "destination": ("nowhere", 80)})
    with pytest.raises(TypeError, match="origin must be a str"):
        lvs.Connection(**{**args, "origin": 1})


def test_memory_has_an_empty_table_read_as_an_iterator() -> None:
    with lvs.MemoryIpvs() as ipvs:
        ipvs.add_service(lvs.Service(WEB, persistence=lvs.Persistence(300)))
        ipvs.add_server(WEB, SERVER)
        entries = ipvs.connections()
        assert isinstance(entries, lvs.Connections)
        assert iter(entries) is entries
        with pytest.raises(StopIteration):
            next(entries)
        assert list(entries) == []
        for chosen in [
            ipvs.connections(WEB),
            ipvs.connections(lvs.Service(WEB)),
            ipvs.connections(lvs.ServiceKey.fwmark(3, lvs.Family.IPV6)),
            ipvs.connections(server=SERVER),
            ipvs.connections(server=("198.51.100.11", 8080)),
            ipvs.connections(server=(IPv6Address("2001:db8::1"), 0)),
            ipvs.connections(server="198.51.100.11"),
            ipvs.connections(server=IPv4Address("198.51.100.11")),
            ipvs.connections(WEB, SERVER, templates=True),
            ipvs.connections(templates=False, origin=True),
        ]:
            assert list(chosen) == []
        closed = ipvs.connections()
        closed.close()
        closed.close()
        assert list(closed) == []


def test_bad_filters_raise_the_typed_errors() -> None:
    ipvs = lvs.MemoryIpvs()
    with pytest.raises(TypeError, match="service must be an lvs.ServiceKey or lvs.Service"):
        ipvs.connections("192.0.2.10:80")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="server must be an lvs.RealServer, an"):
        ipvs.connections(server=8080)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ipvs.connections(server=("198.51.100.11", 8080, 1))  # type: ignore[arg-type]
    with pytest.raises(lvs.InvalidInput) as bad_address:
        ipvs.connections(server="nowhere")
    assert bad_address.value.field == "server"
    with pytest.raises(lvs.InvalidInput):
        ipvs.connections(server=("nowhere", 80))
    with pytest.raises(lvs.OutOfRange):
        ipvs.connections(server=("198.51.100.11", 70000))
    with pytest.raises(TypeError):
        ipvs.connections(templates=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ipvs.connections(WEB, SERVER, True)  # type: ignore[misc]
    ipvs.close()
    with pytest.raises(ValueError, match="closed"):
        ipvs.connections()
