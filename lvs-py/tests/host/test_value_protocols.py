"""Values behave like Python values: copy, deepcopy, pickle (also through a worker
process), `_asdict`, ordering of keys; exceptions copy and pickle with their attributes."""

import copy
import multiprocessing
import pickle
from typing import Any, List

import pytest

import lvs

KEY = lvs.ServiceKey.tcp("192.0.2.10", 80)
KEY6 = lvs.ServiceKey.udp("2001:db8::1", 53)
MARK = lvs.ServiceKey.fwmark(7, lvs.Family.IPV6)
SERVICE = lvs.Service(
    KEY,
    scheduler="sh",
    persistence=lvs.Persistence(600, netmask="255.255.255.0", engine="sip"),
    sched_flags=lvs.SchedFlags.SH_PORT,
)
SERVICE6 = lvs.Service(KEY6, persistence=lvs.Persistence(60, netmask=64), one_packet=True)
SERVER = lvs.RealServer(
    "198.51.100.1", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=3, upper_threshold=9, lower_threshold=2
)
TUNNELLED = lvs.RealServer("2001:db8::5", 80, tunnel=lvs.Tunnel.gue(6080, checksum=lvs.TunnelChecksum.REMOTE))
STATS = lvs.Stats(conns=1, in_packets=2, out_packets=3, in_bytes=4, out_bytes=5, cps=6, in_pps=7, out_pps=8, in_bps=9, out_bps=10)
DAEMON = lvs.SyncDaemon(lvs.DaemonRole.BACKUP, "eth0", sync_id=3, max_len=1400, group="239.0.0.1", port=9000, ttl=2)

VALUES: List[Any] = [
    KEY,
    KEY6,
    MARK,
    lvs.ServiceKey.fwmark(1),
    lvs.ServiceKey(47, "192.0.2.1", 1),
    lvs.Persistence(),
    lvs.Persistence(300, netmask=64, engine="sip"),
    lvs.Persistence(300, netmask="255.255.0.0"),
    SERVICE,
    SERVICE6,
    lvs.Service(MARK),
    lvs.Tunnel.ipip(),
    lvs.Tunnel.gre(checksum=lvs.TunnelChecksum.CHECKSUM),
    lvs.Tunnel(7, port=5),
    SERVER,
    TUNNELLED,
    lvs.RealServer("198.51.100.2", 80, forward=6),
    lvs.Timeouts(tcp=900, tcp_fin=120, udp=300),
    DAEMON,
    lvs.SyncDaemon(lvs.DaemonRole.MASTER, "lo"),
    lvs.KernelInfo(version_code=0x010201, conn_table_size=4096),
    STATS,
    lvs.ServiceEntry(SERVICE, STATS),
    lvs.RealServerEntry(SERVER, active_conns=1, inactive_conns=2, persistent_conns=3, stats=STATS),
    lvs.VirtualService(SERVICE, [SERVER, lvs.RealServer("198.51.100.3", 8080)]),
    lvs.Operation.add_service(SERVICE),
    lvs.Operation.edit_service(SERVICE6),
    lvs.Operation.delete_service(KEY),
    lvs.Operation.add_server(KEY, SERVER),
    lvs.Operation.edit_server(KEY6, TUNNELLED),
    lvs.Operation.delete_server(KEY, ("198.51.100.1", 8080)),
    lvs.Operation.flush(),
    lvs.Operation.zero(),
    lvs.Operation.zero(MARK),
    lvs.Operation.set_timeouts(lvs.Timeouts(tcp=10)),
    lvs.Operation.start_daemon(DAEMON),
    lvs.Operation.stop_daemon(lvs.DaemonRole.MASTER),
    lvs.Operation.set_sysctl("sync_threshold", (3, 40)),
    lvs.Operation.set_sysctl("net.ipv4.vs.est_cpulist", "0-1"),
    lvs.Operation.set_sysctl("conntrack", True),
    lvs.Connection("TCP", ("198.51.100.2", 40000), ("192.0.2.10", 80), ("198.51.100.1", 8080), "ESTABLISHED", 899),
    lvs.Connection("UDP", ("2001:db8::2", 5000), ("2001:db8::1", 53), ("2001:db8::5", 53), "UDP", 300, origin="SYNC"),
    lvs.Connection("IP", ("198.51.100.2", 0), ("0.0.0.7", 0), ("198.51.100.1", 0), "NONE", 60),
    lvs.Connection("UDP", ("198.51.100.2", 5060), ("192.0.2.10", 5060), ("198.51.100.1", 5060), "UDP", 9,
                   pe_name="sip", pe_data="call-1@host"),
    lvs.Scope.all(),
    lvs.Scope.addresses([]),
    lvs.Scope.addresses(["192.0.2.10", "2001:db8::1"]) | lvs.Scope.fwmarks([7]) | lvs.Scope.services([KEY6]),
    lvs.Plan(),
    lvs.Plan([lvs.Operation.add_service(SERVICE), lvs.Operation.edit_server(KEY, SERVER)],
             [(KEY, ("198.51.100.9", 80)), (MARK, ("2001:db8::9", 0))]),
]


def test_every_value_class_is_covered() -> None:
    classes = {type(v) for v in VALUES}
    value_classes = {
        lvs.ServiceKey, lvs.Persistence, lvs.Service, lvs.Tunnel, lvs.RealServer, lvs.Timeouts,
        lvs.SyncDaemon, lvs.KernelInfo, lvs.Stats, lvs.ServiceEntry, lvs.RealServerEntry,
        lvs.VirtualService, lvs.Operation, lvs.Connection, lvs.Scope, lvs.Plan,
    }
    assert classes == value_classes


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_copy_deepcopy_and_pickle_round_trip(value: Any) -> None:
    assert copy.copy(value) == value
    assert copy.deepcopy(value) == value
    assert copy.deepcopy([value, {"k": value}]) == [value, {"k": value}]
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(value, protocol=protocol))
        assert back == value and type(back) is type(value)
        assert hash(back) == hash(value)
        assert repr(back) == repr(value)


@pytest.mark.parametrize("value", [v for v in VALUES if not isinstance(v, lvs.Operation)], ids=repr)
def test_asdict_rebuilds_the_value(value: Any) -> None:
    fields = value._asdict()
    assert isinstance(fields, dict)
    if isinstance(value, lvs.ServiceKey):
        if value.mark is not None:
            assert lvs.ServiceKey.fwmark(**fields) == value
        else:
            assert lvs.ServiceKey(**fields) == value
    else:
        assert type(value)(**fields) == value


def test_asdict_of_a_real_server() -> None:
    assert SERVER._asdict() == {
        "address": SERVER.address,
        "port": 8080,
        "forward": lvs.ForwardMethod.MASQUERADE,
        "tunnel": None,
        "weight": 3,
        "upper_threshold": 9,
        "lower_threshold": 2,
    }


def test_service_keys_order_as_ipvsadm_lists() -> None:
    keys = [
        lvs.ServiceKey.fwmark(2),
        lvs.ServiceKey.fwmark(1, lvs.Family.IPV6),
        lvs.ServiceKey.fwmark(1),
        lvs.ServiceKey.udp("2001:db8::1", 53),
        lvs.ServiceKey.udp("192.0.2.1", 53),
        lvs.ServiceKey.tcp("192.0.2.2", 80),
        lvs.ServiceKey.tcp("192.0.2.1", 443),
        lvs.ServiceKey.tcp("192.0.2.1", 80),
    ]
    assert sorted(keys) == list(reversed(keys))
    assert keys[-1] < keys[-2] <= keys[-2] and keys[0] > keys[1] >= keys[1]
    # The same order as a backend's listing.
    with lvs.MemoryIpvs() as ipvs:
        for key in keys:
            ipvs.add_service(lvs.Service(key))
        assert [e.service.key for e in ipvs.services()] == sorted(keys)


def test_real_servers_order_by_address_then_settings() -> None:
    a = lvs.RealServer("198.51.100.1", 80)
    b = lvs.RealServer("198.51.100.1", 81)
    c = lvs.RealServer("198.51.100.2", 80)
    d = lvs.RealServer("2001:db8::1", 80)
    heavy = a.replace(weight=5)
    assert sorted([d, c, heavy, b, a]) == [a, heavy, b, c, d]
    assert not a < a and a <= a and (a < heavy) != (heavy < a)
    with pytest.raises(TypeError):
        assert a < KEY  # type: ignore[operator]


def test_version() -> None:
    assert isinstance(lvs.__version__, str)
    assert lvs.__version__.count(".") >= 2
    assert lvs.__version__ == lvs._lvs.__version__


def _errors() -> List[lvs.LvsError]:
    out: List[lvs.LvsError] = []
    with lvs.MemoryIpvs() as ipvs:
        ipvs.add_service(lvs.Service(KEY))
        for action in [
            lambda: ipvs.add_service(lvs.Service(KEY)),
            lambda: ipvs.delete_service(KEY6),
            lambda: ipvs.add_service(lvs.Service(KEY6, scheduler="nosuch")),
            lambda: ipvs.delete_server(KEY, ("198.51.100.9", 80)),
            lambda: ipvs.add_server(KEY, lvs.RealServer("198.51.100.1", 80, weight=2**31)),
            lambda: ipvs.stop_daemon(lvs.DaemonRole.MASTER),
            lambda: ipvs.start_daemon(lvs.SyncDaemon(lvs.DaemonRole.MASTER, "nope0")),
            lambda: ipvs.apply("-A -t 192.0.2.10:80\n"),
            lambda: lvs.rules.parse("-A -t nowhere"),
            lambda: lvs.ServiceKey.tcp("192.0.2.1", 70000),
            lambda: ipvs.sysctl("no_such_knob"),
            lambda: ipvs.set_sysctl("est_cpulist", "5"),
        ]:
            with pytest.raises(lvs.LvsError) as info:
                action()
            out.append(info.value)
    return out


def _all_exception_classes() -> List[type]:
    return [getattr(lvs, name) for name in lvs._errors.__all__]


def _same(a: BaseException, b: BaseException) -> None:
    assert type(a) is type(b)
    assert str(a) == str(b) and a.args == b.args
    assert vars(a) == vars(b)
    assert getattr(a, "errno", None) == getattr(b, "errno", None)


def test_every_exception_class_copies_and_pickles() -> None:
    for cls in _all_exception_classes():
        e = cls("boom", errno=22, kind=lvs.ErrorKind.INVALID_INPUT, index=1, outcomes=(lvs.Outcome.APPLIED,))
        for back in [copy.copy(e), copy.deepcopy(e), pickle.loads(pickle.dumps(e))]:
            _same(e, back)
            assert back.errno == 22 and back.index == 1


def test_raised_exceptions_keep_their_attributes_through_pickle() -> None:
    errors = _errors()
    classes = {type(e) for e in errors}
    assert {lvs.ServiceExists, lvs.ServiceNotFound, lvs.SchedulerNotFound, lvs.ServerNotFound,
            lvs.OutOfRange, lvs.DaemonNotRunning, lvs.InterfaceNotFound, lvs.RuleSyntaxError,
            lvs.SysctlUnavailable, lvs.SysctlRefused} <= classes
    for e in errors:
        for back in [copy.copy(e), copy.deepcopy(e), pickle.loads(pickle.dumps(e))]:
            _same(e, back)


def test_an_exception_comes_back_from_a_worker_process() -> None:
    # The worker runs a function of lvs itself (picklable by name, unlike a test function
    # under pytest's importlib mode), which raises there; the pool pickles it back.
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        with pytest.raises(lvs.OutOfRange) as info:
            pool.map_async(lvs.ServiceKey.fwmark, [0]).get(timeout=120)
    assert info.value.field == "fwmark" and info.value.value == 0
    assert info.value.kind is lvs.ErrorKind.OUT_OF_RANGE
    assert info.value.errno == 34
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        keys = pool.map_async(lvs.ServiceKey.fwmark, [1, 2]).get(timeout=120)
    assert keys == [lvs.ServiceKey.fwmark(1), lvs.ServiceKey.fwmark(2)]
