"""examples/health_check.py against a real IPVS service: HTTP servers in their own network
namespaces, one killed (removed or drained after 3 failed checks) and restarted (restored
after 1 good check)."""

import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pytest

import lvs
from conftest import Netns

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "health_check.py"
VIP = lvs.ServiceKey.tcp("192.0.2.10", 80)


class HttpServer:
    """`python -m http.server` on an address inside a namespace."""

    def __init__(self, netns: Netns, address: str, port: int) -> None:
        self.netns, self.address, self.port = netns, address, port
        self.process: "subprocess.Popen[bytes] | None" = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", self.netns.name, sys.executable, "-m", "http.server",
             "--bind", self.address, str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/",
        )
        wait_for(lambda: self.listening(), f"http.server on {self.address}:{self.port}")

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
def lab(make_netns: Callable[[], Netns]) -> Iterator[Dict[str, object]]:
    """A director namespace with two real servers, each in its own namespace on a veth link."""
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
    for server in servers:
        server.start()
    with lvs.Ipvs(netns=director.path) as ipvs:
        ipvs.add_service(lvs.Service(VIP, scheduler="wrr"))
        for server, weight in zip(servers, (3, 2)):
            ipvs.add_server(VIP, lvs.RealServer(server.address, 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=weight))
        yield {"director": director, "servers": servers, "ipvs": ipvs}
    for server in servers:
        server.stop()


def weights(ipvs: lvs.Ipvs) -> Dict[str, int]:
    return {str(e.server.address): e.server.weight for e in ipvs.servers(VIP)}


@pytest.mark.parametrize("drain", [False, True], ids=["remove", "drain"])
def test_checker_takes_out_and_restores_a_server(lab: Dict[str, object], drain: bool) -> None:
    director = lab["director"]
    servers = lab["servers"]
    ipvs = lab["ipvs"]
    assert isinstance(director, Netns) and isinstance(servers, list) and isinstance(ipvs, lvs.Ipvs)
    healthy = {"198.51.100.18": 3, "198.51.100.34": 2}
    taken_out = {"198.51.100.18": 3, "198.51.100.34": 0} if drain else {"198.51.100.18": 3}
    command = ["ip", "netns", "exec", director.name, sys.executable, str(EXAMPLE), "tcp:192.0.2.10:80",
               "--interval", "0.5", "--timeout", "1"] + (["--drain"] if drain else [])
    checker = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(3)  # the checker starts, sees both servers healthy, changes nothing
        assert checker.poll() is None, checker.stdout.read() if checker.stdout else ""
        assert weights(ipvs) == healthy
        servers[1].stop()
        wait_for(lambda: weights(ipvs) == taken_out, "the dead server to be taken out")
        servers[1].start()
        wait_for(lambda: weights(ipvs) == healthy, "the server to be restored")
        restored = {e.server for e in ipvs.servers(VIP)}
        assert lvs.RealServer("198.51.100.34", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=2) in restored
    finally:
        checker.terminate()
        output, _ = checker.communicate(timeout=30)
    assert "watching 2 real servers" in output
    assert ("drained (weight 0)" if drain else "removed") in output
    assert "healthy again: restored" in output
