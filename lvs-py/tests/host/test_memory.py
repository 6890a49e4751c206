"""MemoryIpvs: every handle method, the exception hierarchy and batches."""

import errno
import os
import threading
from ipaddress import IPv4Address

import pytest

import lvs

WEB = lvs.ServiceKey.tcp("192.0.2.10", 80)
DNS = lvs.ServiceKey.udp("192.0.2.10", 53)
S1 = lvs.RealServer("198.51.100.11", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=3)
S2 = lvs.RealServer("198.51.100.12", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=1)


@pytest.fixture
def ipvs() -> lvs.MemoryIpvs:
    return lvs.MemoryIpvs(interfaces=["eth0"])


def test_add_list_edit_delete(ipvs: lvs.MemoryIpvs) -> None:
    service = lvs.Service(WEB, scheduler=lvs.Scheduler.WRR)
    ipvs.add_service(service)
    ipvs.add_server(WEB, S1)
    ipvs.add_server(service, S2)
    [entry] = ipvs.services()
    assert entry.service == service
    assert entry.stats == lvs.Stats()
    assert ipvs.service(WEB).service == service
    assert {e.server for e in ipvs.servers(WEB)} == {S1, S2}
    ipvs.edit_server(WEB, S2.replace(weight=0))
    assert {e.server.weight for e in ipvs.servers(WEB)} == {3, 0}
    ipvs.edit_service(lvs.Service(WEB, scheduler="rr"))
    assert ipvs.service(WEB).service.scheduler is lvs.Scheduler.RR
    ipvs.delete_server(WEB, ("198.51.100.12", 8080))
    ipvs.delete_server(WEB, S1)
    assert ipvs.servers(WEB) == []
    ipvs.delete_service(WEB)
    assert ipvs.services() == []


def test_table_and_save_in_ipvsadm_order(ipvs: lvs.MemoryIpvs) -> None:
    ipvs.add_service(lvs.Service(WEB, scheduler="wrr"))
    ipvs.add_service(lvs.Service(DNS, scheduler="rr", one_packet=True))
    ipvs.add_server(WEB, S2)
    ipvs.add_server(WEB, S1)
    table = ipvs.table()
    assert [vs.service.key for vs in table] == [WEB, DNS]
    assert table[0].servers == (S1, S2)
    # The lossless save states the timeouts too (no daemon runs).
    text = ipvs.save()
    assert text == (
        "--set 900 120 300\n"
        "-A -t 192.0.2.10:80 -s wrr\n"
        "-a -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 3\n"
        "-a -t 192.0.2.10:80 -r 198.51.100.12:8080 -m -w 1\n"
        "-A -u 192.0.2.10:53 -s rr -o\n"
    )
    assert lvs.rules.load(text) == table
    assert lvs.rules.save(table, timeouts=ipvs.timeouts()) == text
    assert ipvs.save(ipvsadm=True) == text.split("\n", 1)[1]


def test_not_found_errors_carry_errno_and_fields(ipvs: lvs.MemoryIpvs) -> None:
    with pytest.raises(lvs.ServiceNotFound) as missing:
        ipvs.service(WEB)
    assert missing.value.errno == errno.ESRCH
    assert missing.value.kind is lvs.ErrorKind.NOT_FOUND
    assert missing.value.service == WEB
    assert isinstance(missing.value, lvs.NotFound) and isinstance(missing.value, lvs.LvsError)
    ipvs.add_service(lvs.Service(WEB))
    with pytest.raises(lvs.ServerNotFound) as no_server:
        ipvs.delete_server(WEB, S1)
    assert no_server.value.errno == errno.ENOENT
    assert no_server.value.server == (IPv4Address("198.51.100.11"), 8080)
    with pytest.raises(lvs.SchedulerNotFound) as no_sched:
        ipvs.add_service(lvs.Service(DNS, scheduler="nosuch"))
    assert no_sched.value.name == "nosuch"
    assert no_sched.value.errno == errno.ENOENT
    with pytest.raises(lvs.DaemonNotRunning) as no_daemon:
        ipvs.stop_daemon(lvs.DaemonRole.MASTER)
    assert no_daemon.value.role is lvs.DaemonRole.MASTER
    assert no_daemon.value.errno == errno.ESRCH
    with pytest.raises(lvs.InterfaceNotFound) as no_if:
        ipvs.start_daemon(lvs.SyncDaemon(lvs.DaemonRole.MASTER, "eth9"))
    assert no_if.value.interface == "eth9" and no_if.value.errno == errno.ENODEV


def test_already_exists_errors(ipvs: lvs.MemoryIpvs) -> None:
    ipvs.add_service(lvs.Service(WEB))
    with pytest.raises(lvs.ServiceExists) as service_exists:
        ipvs.add_service(lvs.Service(WEB, scheduler="rr"))
    assert service_exists.value.errno == errno.EEXIST
    assert service_exists.value.kind is lvs.ErrorKind.ALREADY_EXISTS
    ipvs.add_server(WEB, S1)
    with pytest.raises(lvs.ServerExists) as server_exists:
        ipvs.add_server(WEB, S1.replace(weight=9))
    assert isinstance(server_exists.value, lvs.AlreadyExists)
    assert server_exists.value.service == WEB


def test_invalid_input_names_the_field(ipvs: lvs.MemoryIpvs) -> None:
    v6 = lvs.ServiceKey.tcp("2001:db8::10", 80)
    with pytest.raises(lvs.InvalidInput) as bad_mask:
        ipvs.add_service(lvs.Service(v6, persistence=lvs.Persistence(netmask="255.255.255.0")))
    assert bad_mask.value.errno == errno.EINVAL
    assert bad_mask.value.field == "netmask"
    assert isinstance(bad_mask.value, ValueError)
    with pytest.raises(lvs.InvalidInput) as long_name:
        ipvs.add_service(lvs.Service(WEB, scheduler="x" * 16))
    assert long_name.value.field == "scheduler"
    assert ipvs.services() == []


def test_timeouts_and_daemons(ipvs: lvs.MemoryIpvs) -> None:
    assert ipvs.timeouts() == lvs.Timeouts(tcp=900, tcp_fin=120, udp=300)
    ipvs.set_timeouts(lvs.Timeouts(tcp=60))
    assert ipvs.timeouts() == lvs.Timeouts(tcp=60, tcp_fin=120, udp=300)
    ipvs.start_daemon(lvs.SyncDaemon(lvs.DaemonRole.MASTER, "eth0", sync_id=4))
    [daemon] = ipvs.daemons()
    assert (daemon.role, daemon.interface, daemon.sync_id) == (lvs.DaemonRole.MASTER, "eth0", 4)
    with pytest.raises(lvs.DaemonRunning):
        ipvs.start_daemon(lvs.SyncDaemon(lvs.DaemonRole.MASTER, "eth0"))
    ipvs.stop_daemon(lvs.DaemonRole.MASTER)
    assert ipvs.daemons() == []


def test_zero_flush_and_info(ipvs: lvs.MemoryIpvs) -> None:
    ipvs.add_service(lvs.Service(WEB))
    ipvs.zero(WEB)
    ipvs.zero()
    with pytest.raises(lvs.ServiceNotFound):
        ipvs.zero(DNS)
    ipvs.flush()
    assert ipvs.services() == []
    assert ipvs.info().version == (1, 2, 1)


def test_apply_operations_and_rule_text(ipvs: lvs.MemoryIpvs) -> None:
    ipvs.apply(
        [
            lvs.Operation.add_service(lvs.Service(WEB, scheduler="wrr")),
            lvs.Operation.add_server(WEB, S1),
            lvs.Operation.add_server(WEB, S2),
        ]
    )
    ipvs.apply("# drain one\n-e -t 192.0.2.10:80 -r 198.51.100.12:8080 -m -w 0\n")
    weights = {e.server.address: e.server.weight for e in ipvs.servers(WEB)}
    assert weights == {IPv4Address("198.51.100.11"): 3, IPv4Address("198.51.100.12"): 0}


def test_apply_reports_every_outcome(ipvs: lvs.MemoryIpvs) -> None:
    # As the kernel does with one system call, the rest of the failing group of 64 is
    # still carried out; later groups are not sent.
    operations = [
        lvs.Operation.add_service(lvs.Service(DNS)),
        lvs.Operation.add_server(WEB, S1),
        lvs.Operation.add_service(lvs.Service(WEB)),
    ] + [lvs.Operation.add_service(lvs.Service(lvs.ServiceKey.fwmark(n))) for n in range(1, 71)]
    with pytest.raises(lvs.ServiceNotFound) as failed:
        ipvs.apply(operations)
    assert failed.value.index == 1
    outcomes = failed.value.outcomes
    assert outcomes is not None
    assert outcomes[:3] == (lvs.Outcome.APPLIED, lvs.Outcome.FAILED, lvs.Outcome.APPLIED)
    assert outcomes[3:64] == (lvs.Outcome.APPLIED,) * 61
    assert outcomes[64:] == (lvs.Outcome.NOT_SENT,) * 9
    assert len(ipvs.services()) == 63


def test_apply_refuses_bad_rule_text_before_changing_anything(ipvs: lvs.MemoryIpvs) -> None:
    with pytest.raises(lvs.RuleSyntaxError) as bad:
        ipvs.apply("-A -t 192.0.2.10:80\n-L -n\n")
    assert (bad.value.line, bad.value.column, bad.value.token) == (2, 1, "-L")
    assert ipvs.services() == []
    with pytest.raises(TypeError):
        ipvs.apply([lvs.Operation.flush(), "-C"])  # type: ignore[list-item]


def test_closed_handle_and_context_manager() -> None:
    with lvs.MemoryIpvs() as ipvs:
        assert not ipvs.closed
        ipvs.add_service(lvs.Service(WEB))
    assert ipvs.closed
    with pytest.raises(ValueError):
        ipvs.services()
    ipvs.close()


def test_handles_are_ipvs_handles() -> None:
    assert issubclass(lvs.MemoryIpvs, lvs.IpvsHandle)
    assert issubclass(lvs.Ipvs, lvs.IpvsHandle)
    assert not issubclass(lvs.MemoryIpvs, lvs.Ipvs)


def test_wrong_argument_types_raise_type_error(ipvs: lvs.MemoryIpvs) -> None:
    with pytest.raises(TypeError):
        ipvs.add_service(WEB)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ipvs.delete_service("TCP 192.0.2.10:80")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ipvs.add_server(WEB, ("198.51.100.1", 80))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ipvs.delete_server(WEB, ("198.51.100.1",))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ipvs.set_timeouts(60)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ipvs.stop_daemon("master")  # type: ignore[arg-type]


def test_permission_and_timeout_errors_are_builtins_too() -> None:
    assert issubclass(lvs.LvsPermissionError, PermissionError)
    assert issubclass(lvs.LvsPermissionError, lvs.LvsError)
    assert issubclass(lvs.TimedOut, TimeoutError)
    assert issubclass(lvs.RuleSyntaxError, ValueError)
    error = lvs.LvsPermissionError("no", errno=errno.EPERM, kind=lvs.ErrorKind.PERMISSION_DENIED)
    assert error.errno == errno.EPERM and str(error) == "no"


def test_threads_share_a_handle(ipvs: lvs.MemoryIpvs) -> None:
    ipvs.add_service(lvs.Service(WEB))

    def add(first: int) -> None:
        for i in range(first, first + 50):
            ipvs.add_server(WEB, lvs.RealServer(f"198.51.100.{i % 250 + 1}", 1000 + i))

    threads = [threading.Thread(target=add, args=(n * 50,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ipvs.servers(WEB)) == 200


def test_kernel_handle_on_this_host() -> None:
    # The build hosts' kernel has no IPVS (that is why kernel tests run in a VM); where one
    # does, opening must simply work.
    if os.path.exists("/proc/net/ip_vs"):
        lvs.Ipvs().close()
        return
    with pytest.raises(lvs.IpvsUnavailable) as unavailable:
        lvs.Ipvs()
    assert unavailable.value.errno == errno.ENOENT
    assert unavailable.value.kind is lvs.ErrorKind.IPVS_UNAVAILABLE


def test_sysctls_are_read_typed_and_set(ipvs: lvs.MemoryIpvs) -> None:
    every = ipvs.sysctls()
    assert len(every) == 31 and list(every) == sorted(every)
    assert every["sync_threshold"] == (3, 50)
    assert ipvs.sysctl("net.ipv4.vs.conn_reuse_mode") == 1
    assert ipvs.sysctl("est_cpulist") == "0"
    ipvs.set_sysctl("sync_threshold", (2, 10))
    assert ipvs.sysctl("sync_threshold") == (2, 10)
    ipvs.set_sysctl("sync_threshold", "3,40")
    assert ipvs.sysctl("sync_threshold") == (3, 40)
    ipvs.set_sysctl("conntrack", True)
    assert ipvs.sysctl("conntrack") == 1
    ipvs.set_sysctl("sync_qlen_max", 2**64 - 1)
    assert ipvs.sysctl("sync_qlen_max") == 2**64 - 1


def test_sysctl_refusals_are_typed(ipvs: lvs.MemoryIpvs) -> None:
    with pytest.raises(lvs.OutOfRange) as out_of_range:
        ipvs.set_sysctl("sync_retries", 4)
    assert (out_of_range.value.field, out_of_range.value.value) == ("sync_retries", 4)
    assert out_of_range.value.errno == errno.ERANGE
    assert "from 0 to 3" in str(out_of_range.value)
    with pytest.raises(lvs.InvalidInput) as invalid:
        ipvs.set_sysctl("sync_threshold", (5, 5))
    assert invalid.value.field == "sync_threshold"
    with pytest.raises(lvs.SysctlUnavailable) as missing:
        ipvs.sysctl("no_such_knob")
    assert isinstance(missing.value, lvs.Unsupported)
    assert (missing.value.name, missing.value.kernel) == ("no_such_knob", None)
    assert missing.value.errno == errno.ENOENT
    assert missing.value.kind is lvs.ErrorKind.UNSUPPORTED
    with pytest.raises(lvs.SysctlRefused) as refused:
        ipvs.set_sysctl("est_cpulist", "0-3")
    assert (refused.value.name, refused.value.value, refused.value.field) == (
        "est_cpulist", "0-3", "est_cpulist",
    )
    with pytest.raises(lvs.InvalidInput) as bad_name:
        ipvs.sysctl("../../kernel/hostname")
    assert bad_name.value.field == "sysctl name"
    with pytest.raises(TypeError):
        ipvs.set_sysctl("conntrack", 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ipvs.set_sysctl("sync_threshold", (1, 2, 3))  # type: ignore[arg-type]
    assert ipvs.sysctl("sync_retries") == 0


def test_a_memory_namespace_models_a_kernel_and_a_machine() -> None:
    old = lvs.MemoryIpvs(kernel=(6, 1), cpus=4, sysctls={"sync_qlen_max": 15207, "future_knob": "a b"})
    assert len(old.sysctls()) == 30  # 6.1's 29, and the one declared
    with pytest.raises(lvs.SysctlUnavailable):
        old.sysctl("est_nice")
    assert old.sysctl("sync_qlen_max") == 15207
    assert old.sysctl("future_knob") == "a b"
    old.set_sysctl("future_knob", "anything")
    assert old.sysctl("future_knob") == "anything"
    new = lvs.MemoryIpvs(cpus=4)
    assert new.sysctl("est_cpulist") == "0-3"
    new.set_sysctl("est_cpulist", "3,1-2")
    assert new.sysctl("est_cpulist") == "1-3"


def test_sysctls_apply_as_operations_and_rule_text(ipvs: lvs.MemoryIpvs) -> None:
    ipvs.apply([lvs.Operation.set_sysctl("sync_ports", 4)])
    ipvs.apply("--lvs-sysctl sync_threshold=2 20\n--lvs-sysctl net.ipv4.vs.conntrack=1\n")
    assert (ipvs.sysctl("sync_ports"), ipvs.sysctl("sync_threshold"), ipvs.sysctl("conntrack")) == (
        4, (2, 20), 1,
    )
    with pytest.raises(lvs.RuleSyntaxError) as bad:
        ipvs.apply("--lvs-sysctl sync_ports=3\n")
    assert bad.value.column == 14
    op = lvs.Operation.set_sysctl("sync_threshold", (2, 20))
    assert op.kind == "set_sysctl"
    assert repr(op) == "Operation.set_sysctl('sync_threshold', (2, 20))"
    assert lvs.rules.parse("--lvs-sysctl sync_threshold=2,20") == [op]


def test_save_states_sysctls_only_when_asked(ipvs: lvs.MemoryIpvs) -> None:
    ipvs.set_sysctl("sync_ports", 2)
    assert "--lvs-sysctl" not in ipvs.save()
    full = ipvs.save(sysctls=True)
    lines = [line for line in full.splitlines() if line.startswith("--lvs-sysctl ")]
    assert len(lines) == 31
    assert "--lvs-sysctl sync_ports=2" in lines
    fresh = lvs.MemoryIpvs(interfaces=["eth0"])
    fresh.apply(full)
    assert fresh.sysctls() == ipvs.sysctls()
    with pytest.raises(ValueError):
        ipvs.save(ipvsadm=True, sysctls=True)
    text = lvs.rules.save([], sysctls={"sync_threshold": (3, 40), "est_cpulist": ""})
    assert text == "--lvs-sysctl sync_threshold=3 40\n--lvs-sysctl est_cpulist=\n"
    assert lvs.rules.load(text) == []
    with pytest.raises(lvs.RuleSyntaxError):
        lvs.rules.save([], sysctls={"sync_retries": 9})
