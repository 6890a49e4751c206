"""examples/health_check.py against a real IPVS service: HTTP servers in their own network
namespaces, one killed (removed or drained after 3 failed checks) and restarted (restored
after 1 good check)."""

import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Tuple

import pytest

import lvs
from conftest import Netns

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "health_check.py"
REMOVE_VIP = lvs.ServiceKey.tcp("192.0.2.10", 80)
DRAIN_VIP = lvs.ServiceKey.tcp("192.0.2.11", 80)


class HttpServer:
    """`python -m http.server` on an address inside a namespace."""

    def __init__(self, netns: Netns, address: str, port: int) -> None:
        self.netns, self.address, self.port = netns, address, port
        self.process: "subprocess.Popen[bytes] | None" = None

    def spawn(self) -> None:
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", self.netns.name, sys.executable, "-m", "http.server",
             "--bind", self.address, str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/",
        )

    def wait_listening(self) -> None:
        wait_for(self.listening, f"http.server on {self.address}:{self.port}")

    def listening(self) -> bool:
        out = self.netns.exec("ss", "-Hltn", f"sport = :{self.port}").stdout
        return self.address in out

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def lab(make_netns: Callable[[], Netns]) -> Iterator[Tuple[Netns, List[HttpServer], lvs.Ipvs]]:
    """A director namespace with two real servers, each in its own namespace on a veth link,
    behind two services (one per checker mode)."""
    director = make_netns()
    servers: List[HttpServer] = []
    for i in (1, 2):
        rs = make_netns()
        link = f"rs{i}"
        director.exec("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", rs.name)
        director.exec("ip", "addr", "add", f"198.51.100.{16 * i + 1}/28", "dev", link)
        director.exec("ip", "link", "set", link, "up")
        rs.exec("ip", "addr", "add", f"198.51.100.{16 * i + 2}/28", "dev", "eth0")
        rs.exec("ip", "link", "set", "eth0", "up")
        rs.exec("ip", "route", "add", "default", "via", f"198.51.100.{16 * i + 1}")
        servers.append(HttpServer(rs, f"198.51.100.{16 * i + 2}", 8080))
    # Python starts slowly under emulation: start both servers, then wait for both.
    for server in servers:
        server.spawn()
    for server in servers:
        server.wait_listening()
    with lvs.Ipvs(netns=director.path) as ipvs:
        for vip in (REMOVE_VIP, DRAIN_VIP):
            ipvs.add_service(lvs.Service(vip, scheduler="wrr"))
            for server, weight in zip(servers, (3, 2)):
                ipvs.add_server(vip, lvs.RealServer(server.address, 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=weight))
        yield director, servers, ipvs
    for server in servers:
        server.stop()


def weights(ipvs: lvs.Ipvs, vip: lvs.ServiceKey) -> Dict[str, int]:
    return {str(e.server.address): e.server.weight for e in ipvs.servers(vip)}


def start_checker(director: Netns, vip: str, *options: str) -> "subprocess.Popen[str]":
    command = ["ip", "netns", "exec", director.name, sys.executable, str(EXAMPLE), vip,
               "--interval", "0.5", "--timeout", "1", *options]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_checker_takes_out_and_restores_a_server(lab: Tuple[Netns, List[HttpServer], lvs.Ipvs]) -> None:
    director, servers, ipvs = lab
    healthy = {"198.51.100.18": 3, "198.51.100.34": 2}
    # Both modes at once, one checker per service, so one kill and one restart serve both.
    remover = start_checker(director, "tcp:192.0.2.10:80")
    drainer = start_checker(director, "tcp:192.0.2.11:80", "--drain")
    try:
        wait_for(lambda: "watching" in read_ready(remover) and "watching" in read_ready(drainer),
                 "both checkers to start")
        time.sleep(2)  # a few rounds with both servers healthy change nothing
        assert weights(ipvs, REMOVE_VIP) == healthy and weights(ipvs, DRAIN_VIP) == healthy
        servers[1].stop()
        wait_for(lambda: weights(ipvs, REMOVE_VIP) == {"198.51.100.18": 3}, "the dead server's removal")
        wait_for(lambda: weights(ipvs, DRAIN_VIP) == {"198.51.100.18": 3, "198.51.100.34": 0},
                 "the dead server's draining")
        servers[1].spawn()
        servers[1].wait_listening()
        for vip in (REMOVE_VIP, DRAIN_VIP):
            wait_for(lambda: weights(ipvs, vip) == healthy, f"the server's restoration in {vip}")
            restored = lvs.RealServer("198.51.100.34", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=2)
            assert restored in {e.server for e in ipvs.servers(vip)}
    finally:
        outputs = []
        for checker in (remover, drainer):
            checker.terminate()
            outputs.append(checker.communicate(timeout=30)[0])
    removed_log, drained_log = (_seen[id(remover)] + outputs[0], _seen[id(drainer)] + outputs[1])
    assert "watching 2 real servers" in removed_log and "watching 2 real servers" in drained_log
    assert "removed" in removed_log and "drained (weight 0)" in drained_log
    assert "healthy again: restored" in removed_log and "healthy again: restored" in drained_log


_seen: Dict[int, str] = {}


def read_ready(process: "subprocess.Popen[str]") -> str:
    """What a checker printed so far (its first line says it started)."""
    assert process.stdout is not None
    if process.poll() is not None:
        pytest.fail(f"the checker exited {process.returncode}: {process.stdout.read()}")
    text = _seen.get(id(process), "")
    if select.select([process.stdout], [], [], 0)[0]:
        text += process.stdout.readline()
    _seen[id(process)] = text
    return text
