"""Every value a constructor accepts means what was written: out-of-range numbers raise
`lvs.OutOfRange` naming the field and range, prefix lengths map by a documented rule, and
nothing panics."""

import math
from ipaddress import IPv4Address

import pytest

import lvs


def test_out_of_range_ports_name_the_field_and_range() -> None:
    for bad in [70000, -1, 2**70]:
        with pytest.raises(lvs.OutOfRange) as info:
            lvs.ServiceKey.tcp("192.0.2.1", bad)
        e = info.value
        assert isinstance(e, lvs.InvalidInput) and isinstance(e, ValueError)
        assert e.field == "port" and e.value == bad
        assert "0 to 65535" in str(e)
        assert "u16" not in str(e) and "..=" not in str(e)
        assert e.kind is lvs.ErrorKind.OUT_OF_RANGE
    with pytest.raises(lvs.OutOfRange, match="weight"):
        lvs.RealServer("198.51.100.1", 80, weight=2**32)
    with pytest.raises(lvs.OutOfRange, match="0 to 255"):
        lvs.SyncDaemon(lvs.DaemonRole.MASTER, "lo", ttl=256)


def test_fwmark_0_is_refused() -> None:
    with pytest.raises(lvs.OutOfRange) as info:
        lvs.ServiceKey.fwmark(0)
    assert info.value.field == "fwmark"
    assert "1 to 4294967295" in str(info.value)
    assert lvs.ServiceKey.fwmark(1).mark == 1


def test_forward_numbers_above_7_are_refused() -> None:
    with pytest.raises(lvs.OutOfRange) as info:
        lvs.RealServer("198.51.100.1", 80, forward=9)
    assert info.value.field == "forward" and "0 to 7" in str(info.value)
    assert lvs.RealServer("198.51.100.1", 80, forward=1).forward is lvs.ForwardMethod.LOCAL
    with pytest.raises(lvs.OutOfRange):
        lvs.RealServer("198.51.100.1", 80).replace(forward=8)


def test_an_int_netmask_is_a_prefix_length_on_both_families() -> None:
    v4 = lvs.Service(lvs.ServiceKey.tcp("192.0.2.1", 80), persistence=lvs.Persistence(300, 24))
    assert v4.persistence is not None
    assert v4.persistence.netmask == IPv4Address("255.255.255.0")
    with lvs.MemoryIpvs() as ipvs:
        ipvs.add_service(v4)
        assert ipvs.services()[0].service.persistence == lvs.Persistence(300, "255.255.255.0")
        assert "-M 255.255.255.0" in ipvs.save()
    v6 = lvs.Service(lvs.ServiceKey.tcp("2001:db8::1", 80), persistence=lvs.Persistence(300, 64))
    assert v6.persistence is not None and v6.persistence.netmask == 64
    with pytest.raises(lvs.OutOfRange) as info:
        lvs.Service(lvs.ServiceKey.tcp("192.0.2.1", 80), persistence=lvs.Persistence(300, 33))
    assert info.value.field == "netmask" and "0 to 32" in str(info.value)
    with pytest.raises(lvs.OutOfRange, match="1 to 128"):
        lvs.Service(lvs.ServiceKey.tcp("2001:db8::1", 80), persistence=lvs.Persistence(300, 0))
    with pytest.raises(lvs.OutOfRange):
        lvs.Persistence(300, 129)
    with pytest.raises(lvs.InvalidInput) as mixed:
        lvs.Service(lvs.ServiceKey.tcp("2001:db8::1", 80), persistence=lvs.Persistence(300, "255.255.255.0"))
    assert mixed.value.field == "netmask"


def test_a_persistence_timeout_that_would_wrap_is_refused() -> None:
    with pytest.raises(lvs.OutOfRange) as info:
        lvs.Persistence(17_179_870)
    assert info.value.field == "timeout" and "17179869" in str(info.value)
    assert lvs.Persistence(17_179_869).timeout == 17_179_869


def test_bytes_are_not_rule_text() -> None:
    with lvs.MemoryIpvs() as ipvs:
        for data in [b"-A -t 192.0.2.1:80\n", bytearray(b"-C\n")]:
            with pytest.raises(TypeError, match="not rule text"):
                ipvs.apply(data)  # type: ignore[arg-type]


def test_handles_construct_without_panicking() -> None:
    lvs.MemoryIpvs()
    for timeout in [1e19, math.inf, 1e300]:
        try:
            lvs.Ipvs(timeout=timeout).close()
        except lvs.LvsError as e:
            # No IPVS or no privileges on the host: a typed error, never PanicException.
            assert isinstance(e, (lvs.IpvsUnavailable, lvs.LvsPermissionError, lvs.LvsOSError)), e
    for bad in [0.0, -1.0, math.nan]:
        with pytest.raises(lvs.InvalidInput):
            lvs.Ipvs(timeout=bad)


def test_a_missing_namespace_is_named() -> None:
    with pytest.raises(lvs.LvsOSError) as info:
        lvs.Ipvs("/run/netns/lvs-test-nope")
    assert "/run/netns/lvs-test-nope" in str(info.value)
    assert "os error" not in str(info.value)
    assert info.value.errno == 2
