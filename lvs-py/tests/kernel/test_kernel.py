"""lvs.Ipvs against the kernel's IPVS, cross-checked with ipvsadm and with MemoryIpvs."""

import errno
import os
import subprocess
import sys
import threading
import time
from ipaddress import IPv4Address, IPv6Address
from typing import Callable, List, Tuple, Union

import pytest

import lvs
from conftest import Netns

WEB = lvs.ServiceKey.tcp("192.0.2.10", 80)
DNS = lvs.ServiceKey.udp("192.0.2.10", 53)
V6 = lvs.ServiceKey.tcp("2001:db8::10", 443)
MARK6 = lvs.ServiceKey.fwmark(9, lvs.Family.IPV6)
S1 = lvs.RealServer("198.51.100.11", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=3)
S2 = lvs.RealServer("198.51.100.12", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=1)


def test_fresh_namespace(ipvs: lvs.Ipvs) -> None:
    info = ipvs.info()
    assert info.version == (1, 2, 1)
    assert info.conn_table_size > 0
    assert ipvs.services() == []
    assert ipvs.timeouts() == lvs.Timeouts(tcp=900, tcp_fin=120, udp=300)
    assert ipvs.daemons() == []


def test_table_written_by_lvs_is_what_ipvsadm_saves(ipvs: lvs.Ipvs, netns: Netns) -> None:
    web = lvs.Service(WEB, scheduler="wrr", persistence=lvs.Persistence(300, netmask="255.255.255.0"))
    ipvs.add_service(web)
    ipvs.add_server(WEB, S1)
    ipvs.add_server(WEB, S2.replace(upper_threshold=100, lower_threshold=10))
    ipvs.add_service(lvs.Service(DNS, scheduler="sh", one_packet=True, sched_flags=lvs.SchedFlags.SH_PORT))
    ipvs.add_service(lvs.Service(V6, scheduler="mh", persistence=lvs.Persistence(60, netmask=64)))
    ipvs.add_server(V6, lvs.RealServer("2001:db8::11", 443, tunnel=lvs.Tunnel.gue(6080, lvs.TunnelChecksum.CHECKSUM)))
    ipvs.add_service(lvs.Service(MARK6, scheduler="rr"))
    ipvs.add_server(MARK6, lvs.RealServer("2001:db8::12", 0, weight=7))
    assert ipvs.save(ipvsadm=True) == netns.ipvsadm("-S", "-n")
    assert ipvs.service(WEB).service == web
    [entry] = [e for e in ipvs.servers(WEB) if e.server.address == IPv4Address("198.51.100.12")]
    assert (entry.server.upper_threshold, entry.server.lower_threshold) == (100, 10)
    [tunnelled] = ipvs.servers(V6)
    assert tunnelled.server.address == IPv6Address("2001:db8::11")
    assert tunnelled.server.tunnel == lvs.Tunnel.gue(6080, lvs.TunnelChecksum.CHECKSUM)
    # The lossless save keeps the thresholds, and states the namespace's timeouts.
    saved = ipvs.save()
    assert lvs.rules.save(ipvs.table(), timeouts=ipvs.timeouts()) == saved
    assert " -x 100 -y 10" in saved
    assert lvs.rules.load(saved) == ipvs.table()


def test_table_written_by_ipvsadm_reads_back(ipvs: lvs.Ipvs, netns: Netns) -> None:
    netns.ipvsadm("-A", "-t", "192.0.2.10:80", "-s", "lc", "-p", "120")
    netns.ipvsadm("-a", "-t", "192.0.2.10:80", "-r", "198.51.100.11:8080", "-m", "-w", "5")
    netns.ipvsadm("-a", "-t", "192.0.2.10:80", "-r", "198.51.100.13", "-i")
    [vs] = ipvs.table()
    assert vs.service == lvs.Service(WEB, scheduler="lc", persistence=lvs.Persistence(120))
    assert vs.servers == (
        lvs.RealServer("198.51.100.11", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=5),
        lvs.RealServer("198.51.100.13", 80, tunnel=lvs.Tunnel.ipip()),
    )


def test_edit_and_delete(ipvs: lvs.Ipvs, netns: Netns) -> None:
    ipvs.add_service(lvs.Service(WEB))
    ipvs.add_server(WEB, S1)
    ipvs.edit_server(WEB, S1.replace(weight=0))
    ipvs.edit_service(lvs.Service(WEB, scheduler="rr"))
    assert netns.ipvsadm("-S", "-n") == (
        "-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 0\n"
    )
    ipvs.delete_server(WEB, (IPv4Address("198.51.100.11"), 8080))
    assert ipvs.servers(WEB) == []
    ipvs.delete_service(WEB)
    ipvs.add_service(lvs.Service(DNS))
    ipvs.flush()
    assert ipvs.services() == []


def test_kernel_errors_carry_errno(ipvs: lvs.Ipvs) -> None:
    with pytest.raises(lvs.ServiceNotFound) as no_service:
        ipvs.service(WEB)
    assert no_service.value.errno == errno.ESRCH and no_service.value.service == WEB
    with pytest.raises(lvs.SchedulerNotFound) as no_sched:
        ipvs.add_service(lvs.Service(WEB, scheduler="nosuch"))
    assert no_sched.value.errno == errno.ENOENT and no_sched.value.name == "nosuch"
    ipvs.add_service(lvs.Service(WEB))
    with pytest.raises(lvs.ServiceExists) as exists:
        ipvs.add_service(lvs.Service(WEB))
    assert exists.value.errno == errno.EEXIST
    with pytest.raises(lvs.ServerNotFound) as no_server:
        ipvs.edit_server(WEB, S1)
    assert no_server.value.errno == errno.ENOENT
    ipvs.add_server(WEB, S1)
    with pytest.raises(lvs.ServerExists):
        ipvs.add_server(WEB, S1)
    with pytest.raises(lvs.DaemonNotRunning) as no_daemon:
        ipvs.stop_daemon(lvs.DaemonRole.BACKUP)
    assert no_daemon.value.errno == errno.ESRCH


def _outcome(handle: lvs.IpvsHandle, call: Callable[[lvs.IpvsHandle], object]) -> Tuple[str, object]:
    try:
        call(handle)
    except lvs.LvsError as error:
        return type(error).__name__, error.errno
    return "ok", None


def test_kernel_and_memory_answer_alike(ipvs: lvs.Ipvs) -> None:
    memory = lvs.MemoryIpvs()
    steps: List[Callable[[lvs.IpvsHandle], object]] = [
        lambda h: h.delete_service(WEB),
        lambda h: h.add_service(lvs.Service(WEB, scheduler="wrr")),
        lambda h: h.add_service(lvs.Service(WEB)),
        lambda h: h.add_service(lvs.Service(DNS, scheduler="nosuch")),
        lambda h: h.add_server(DNS, S1),
        lambda h: h.add_server(WEB, S1),
        lambda h: h.add_server(WEB, S1),
        lambda h: h.add_server(WEB, S2),
        lambda h: h.edit_server(WEB, lvs.RealServer("198.51.100.99", 1)),
        lambda h: h.delete_server(WEB, S2),
        lambda h: h.delete_server(WEB, S2),
        lambda h: h.add_service(lvs.Service(V6, persistence=lvs.Persistence(netmask="255.255.0.0"))),
        lambda h: h.add_service(lvs.Service(V6, scheduler="x" * 16)),
        lambda h: h.zero(DNS),
        lambda h: h.set_timeouts(lvs.Timeouts(udp=30)),
        lambda h: h.stop_daemon(lvs.DaemonRole.MASTER),
    ]
    for step in steps:
        assert _outcome(ipvs, step) == _outcome(memory, step)
    assert ipvs.table() == memory.table()
    assert ipvs.save() == memory.save()
    assert ipvs.timeouts() == memory.timeouts()


def test_apply_batches_and_rule_text(ipvs: lvs.Ipvs, netns: Netns) -> None:
    operations = [lvs.Operation.add_service(lvs.Service(WEB, scheduler="rr"))]
    operations += [
        lvs.Operation.add_server(WEB, lvs.RealServer(f"198.51.100.{i}", 8000 + i, forward=lvs.ForwardMethod.MASQUERADE))
        for i in range(1, 151)
    ]
    ipvs.apply(operations)
    assert len(ipvs.servers(WEB)) == 150
    ipvs.apply("-C\n-A -u 192.0.2.10:53 -s rr\n-a -u 192.0.2.10:53 -r 198.51.100.1:53 -m\n")
    assert netns.ipvsadm("-S", "-n") == "-A -u 192.0.2.10:53 -s rr\n-a -u 192.0.2.10:53 -r 198.51.100.1:53 -m -w 1\n"
    with pytest.raises(lvs.ServerExists) as failed:
        ipvs.apply(
            [
                lvs.Operation.add_server(DNS, lvs.RealServer("198.51.100.2", 53, forward=lvs.ForwardMethod.MASQUERADE)),
                lvs.Operation.add_server(DNS, lvs.RealServer("198.51.100.1", 53, forward=lvs.ForwardMethod.MASQUERADE)),
                lvs.Operation.flush(),
            ]
        )
    assert failed.value.index == 1
    assert failed.value.errno == errno.EEXIST
    assert failed.value.outcomes is not None
    assert failed.value.outcomes[:2] == (lvs.Outcome.APPLIED, lvs.Outcome.FAILED)
    assert len(ipvs.servers(DNS)) == 2 or failed.value.outcomes[2] is lvs.Outcome.APPLIED


def test_zero_and_stats(ipvs: lvs.Ipvs) -> None:
    ipvs.add_service(lvs.Service(WEB))
    ipvs.zero(WEB)
    ipvs.zero()
    [entry] = ipvs.services()
    assert entry.stats == lvs.Stats()


def test_timeouts(ipvs: lvs.Ipvs, netns: Netns) -> None:
    ipvs.set_timeouts(lvs.Timeouts(tcp=60, udp=30))
    assert ipvs.timeouts() == lvs.Timeouts(tcp=60, tcp_fin=120, udp=30)
    assert "60 120 30" in netns.ipvsadm("-L", "--timeout")


def test_sync_daemons(ipvs: lvs.Ipvs, netns: Netns) -> None:
    netns.exec("ip", "link", "add", "sync0", "type", "dummy")
    netns.exec("ip", "link", "set", "sync0", "up")
    ipvs.start_daemon(lvs.SyncDaemon(lvs.DaemonRole.MASTER, "sync0", sync_id=7))
    [daemon] = ipvs.daemons()
    assert (daemon.role, daemon.interface, daemon.sync_id) == (lvs.DaemonRole.MASTER, "sync0", 7)
    assert daemon.group == IPv4Address("224.0.0.81") and daemon.port == 8848
    with pytest.raises(lvs.DaemonRunning):
        ipvs.start_daemon(lvs.SyncDaemon(lvs.DaemonRole.MASTER, "sync0"))
    with pytest.raises(lvs.InterfaceNotFound) as no_if:
        ipvs.start_daemon(lvs.SyncDaemon(lvs.DaemonRole.BACKUP, "nosuch0"))
    assert no_if.value.errno == errno.ENODEV
    ipvs.stop_daemon(lvs.DaemonRole.MASTER)
    assert ipvs.daemons() == []


def test_namespaces_are_separate(make_netns: Callable[[], Netns]) -> None:
    first, second = make_netns(), make_netns()
    with lvs.Ipvs(netns=first.path) as a, lvs.Ipvs(netns=second.path, timeout=5) as b:
        a.add_service(lvs.Service(WEB))
        assert b.services() == []
        assert repr(b) == f"Ipvs(netns={second.path!r})"
        assert b.netns == second.path


def test_missing_namespace_is_an_os_error() -> None:
    with pytest.raises(lvs.LvsOSError) as missing:
        lvs.Ipvs(netns="/run/netns/does-not-exist")
    assert missing.value.errno == errno.ENOENT
    assert isinstance(missing.value, OSError)


def test_netlink_calls_release_the_gil(ipvs: lvs.Ipvs) -> None:
    ipvs.add_service(lvs.Service(WEB))
    operations = [
        lvs.Operation.add_server(WEB, lvs.RealServer(f"198.51.100.{i % 250 + 1}", 1000 + i))
        for i in range(2000)
    ]
    progress = [0]
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            progress[0] += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        time.sleep(0.05)
        before = progress[0]
        ipvs.apply(operations)
        during = progress[0] - before
    finally:
        stop.set()
        spinner.join()
    # With the GIL held for the whole call, the other thread could not count at all.
    assert during > 100, during
    assert len(ipvs.servers(WEB)) == 2000


def test_without_cap_net_admin_is_a_permission_error(netns: Netns) -> None:
    script = (
        "import lvs, sys\n"
        "try:\n"
        "    lvs.Ipvs().services()\n"
        "except lvs.LvsPermissionError as e:\n"
        "    print('denied', isinstance(e, PermissionError), e.errno, e.kind)\n"
    )
    # Still uid 0 with only CAP_NET_ADMIN gone: a user id with no access to the checkout
    # (which may be private, e.g. /root/lvs at mode 0700) could not even import the package.
    result = netns.exec(
        "setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin", "--",
        sys.executable, "-c", script,
    )
    assert result.stdout.strip() == "denied True 1 permission_denied", result.stderr


def _cat(netns: Netns, name: str) -> str:
    return str(netns.exec("cat", f"/proc/sys/net/ipv4/vs/{name}").stdout).rstrip("\n")


def _release() -> Tuple[int, int]:
    with open("/proc/sys/kernel/osrelease") as f:
        release = f.read().strip()
    major, minor = release.split(".")[:2]
    return int(major), int(minor.split("-")[0])


def test_sysctls_are_the_namespaces_and_read_typed(ipvs: lvs.Ipvs, netns: Netns) -> None:
    every = ipvs.sysctls()
    # The kernel's own view, in one process (starting one per knob is slow in the VM).
    shown = str(netns.exec("sh", "-c", "cd /proc/sys/net/ipv4/vs && for f in *; do echo \"$f=$(cat $f)\"; done").stdout)
    kernel = dict(line.split("=", 1) for line in shown.splitlines())
    assert list(every) == sorted(kernel)
    assert len(every) == (31 if _release() >= (6, 2) else 29)
    assert every["sync_threshold"] == (3, 50)
    for name, value in every.items():
        if isinstance(value, tuple):
            assert "\t".join(map(str, value)) == kernel[name], name
        else:
            assert str(value) == kernel[name], name


def test_sysctls_are_set_read_back_and_restored(ipvs: lvs.Ipvs, netns: Netns) -> None:
    ipvs.set_sysctl("conn_reuse_mode", 0)
    ipvs.set_sysctl("net.ipv4.vs.sync_threshold", (2, 10))
    ipvs.set_sysctl("sync_ports", "4")
    ipvs.set_sysctl("conntrack", True)
    assert (_cat(netns, "conn_reuse_mode"), _cat(netns, "sync_threshold")) == ("0", "2\t10")
    assert (ipvs.sysctl("sync_ports"), ipvs.sysctl("conntrack")) == (4, 1)
    defaults: List[Tuple[str, Union[int, Tuple[int, int]]]] = [
        ("conn_reuse_mode", 1), ("sync_threshold", (3, 50)), ("sync_ports", 1), ("conntrack", 0),
    ]
    for name, value in defaults:
        ipvs.set_sysctl(name, value)
        assert ipvs.sysctl(name) == value
    if _release() >= (6, 2):
        ipvs.set_sysctl("est_cpulist", "0")
        assert _cat(netns, "est_cpulist") == "0"
        with pytest.raises(lvs.SysctlRefused) as refused:
            ipvs.set_sysctl("est_cpulist", "99999")
        assert refused.value.errno == errno.ERANGE
        assert (refused.value.name, refused.value.value) == ("est_cpulist", "99999")


def test_sysctl_errors_are_typed(ipvs: lvs.Ipvs, netns: Netns) -> None:
    with pytest.raises(lvs.OutOfRange) as out_of_range:
        ipvs.set_sysctl("sync_version", 2)
    assert (out_of_range.value.field, out_of_range.value.value) == ("sync_version", 2)
    assert _cat(netns, "sync_version") == "1"
    with pytest.raises(lvs.SysctlUnavailable) as missing:
        ipvs.sysctl("no_such_knob")
    assert missing.value.errno == errno.ENOENT
    assert missing.value.name == "no_such_knob"
    assert missing.value.kernel is not None and missing.value.kernel.startswith("%d.%d" % _release())
    if _release() < (6, 2):
        with pytest.raises(lvs.SysctlUnavailable, match="came in Linux 6.2"):
            ipvs.set_sysctl("est_nice", 1)


def test_memory_ipvs_has_the_kernels_sysctls(ipvs: lvs.Ipvs) -> None:
    kernel = ipvs.sysctls()
    memory = lvs.MemoryIpvs(
        kernel=_release(), cpus=os.cpu_count() or 1, sysctls={"sync_qlen_max": kernel["sync_qlen_max"]}
    )
    assert memory.sysctls() == kernel
    writes: List[Tuple[str, Union[int, Tuple[int, int]]]] = [
        ("sync_threshold", (1, 9)), ("drop_entry", 2), ("am_droprate", -5),
    ]
    for name, value in writes:
        ipvs.set_sysctl(name, value)
        memory.set_sysctl(name, value)
    assert memory.sysctls() == ipvs.sysctls()


def test_sysctls_of_namespaces_are_separate(make_netns: Callable[[], Netns]) -> None:
    a, b = make_netns(), make_netns()
    with lvs.Ipvs(netns=a.path) as ia, lvs.Ipvs(netns=b.path) as ib:
        ia.set_sysctl("sloppy_tcp", 1)
        assert (ia.sysctl("sloppy_tcp"), ib.sysctl("sloppy_tcp")) == (1, 0)
        assert (_cat(a, "sloppy_tcp"), _cat(b, "sloppy_tcp")) == ("1", "0")


def test_saved_sysctls_restore_into_a_fresh_namespace(ipvs: lvs.Ipvs, make_netns: Callable[[], Netns]) -> None:
    ipvs.apply("--lvs-sysctl sync_threshold=4 40\n--lvs-sysctl expire_nodest_conn=1\n")
    saved = ipvs.save(sysctls=True)
    assert "--lvs-sysctl expire_nodest_conn=1\n" in saved
    other = make_netns()
    with lvs.Ipvs(netns=other.path) as fresh:
        fresh.apply(saved)
        assert fresh.sysctls() == ipvs.sysctls()
