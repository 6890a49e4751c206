"""examples/health_check.py on MemoryIpvs: the fall/rise rules, removal and draining, and
its HTTP check against a real local server. (The kernel suite runs the script itself.)"""

import argparse
import http.server
import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Dict, Iterator

import pytest

import lvs

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "health_check.py"
WEB = lvs.ServiceKey.tcp("192.0.2.10", 80)
A = lvs.RealServer("198.51.100.11", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=3)
B = lvs.RealServer("198.51.100.12", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=2)


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("health_check", EXAMPLE)
    assert spec is not None and spec.loader is not None, EXAMPLE
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def ipvs() -> lvs.MemoryIpvs:
    ipvs = lvs.MemoryIpvs()
    ipvs.add_service(lvs.Service(WEB, scheduler="wrr"))
    ipvs.add_server(WEB, A)
    ipvs.add_server(WEB, B)
    return ipvs


def configured(ipvs: lvs.IpvsHandle) -> Dict[str, int]:
    return {str(e.server.address): e.server.weight for e in ipvs.servers(WEB)}


@pytest.mark.parametrize("drain", [False, True])
def test_three_failures_take_out_one_success_restores(
    example: ModuleType, ipvs: lvs.MemoryIpvs, drain: bool
) -> None:
    health = {A: True, B: True}
    checker = example.HealthChecker(ipvs, WEB, lambda s: health[s], drain=drain)
    try:
        health[B] = False
        checker.run_once()
        checker.run_once()
        assert configured(ipvs) == {"198.51.100.11": 3, "198.51.100.12": 2}
        checker.run_once()
        expected_out = {"198.51.100.11": 3, "198.51.100.12": 0} if drain else {"198.51.100.11": 3}
        assert configured(ipvs) == expected_out
        checker.run_once()
        assert configured(ipvs) == expected_out
        health[B] = True
        checker.run_once()
        assert configured(ipvs) == {"198.51.100.11": 3, "198.51.100.12": 2}
        assert {e.server for e in ipvs.servers(WEB)} == {A, B}
    finally:
        checker.close()


def test_a_success_resets_the_failure_count(example: ModuleType, ipvs: lvs.MemoryIpvs) -> None:
    answers = iter([False, False, True, False, False])
    checker = example.HealthChecker(ipvs, WEB, lambda s: s == A or next(answers))
    try:
        for _ in range(5):
            checker.run_once()
        assert configured(ipvs) == {"198.51.100.11": 3, "198.51.100.12": 2}
    finally:
        checker.close()


SORRY = lvs.RealServer("198.51.100.99", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=1)


@pytest.mark.parametrize("drain", [False, True])
def test_the_sorry_server_serves_while_every_server_is_out(
    example: ModuleType, ipvs: lvs.MemoryIpvs, drain: bool
) -> None:
    health = {A: True, B: True}
    checker = example.HealthChecker(ipvs, WEB, lambda s: health[s], fall=1, drain=drain, sorry=SORRY)
    try:
        checker.run_once()
        assert SORRY not in {e.server for e in ipvs.servers(WEB)}
        health[A] = False
        checker.run_once()
        assert SORRY not in {e.server for e in ipvs.servers(WEB)}
        health[B] = False
        checker.run_once()
        out = {"198.51.100.11": 0, "198.51.100.12": 0} if drain else {}
        assert configured(ipvs) == {**out, "198.51.100.99": 1}
        checker.run_once()
        assert configured(ipvs) == {**out, "198.51.100.99": 1}
        health[B] = True
        checker.run_once()
        expected = {"198.51.100.11": 0, "198.51.100.12": 2} if drain else {"198.51.100.12": 2}
        assert configured(ipvs) == expected
    finally:
        checker.close()


def test_a_sorry_server_left_in_the_table_is_not_watched(example: ModuleType, ipvs: lvs.MemoryIpvs) -> None:
    ipvs.add_server(WEB, SORRY)
    checker = example.HealthChecker(ipvs, WEB, lambda s: s != SORRY, sorry=SORRY)
    try:
        assert set(checker.servers) == {A, B}
        checker.run_once()
        assert SORRY not in {e.server for e in ipvs.servers(WEB)}
    finally:
        checker.close()


@pytest.fixture
def http_server() -> Iterator[http.server.HTTPServer]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_http_check_against_a_real_server(example: ModuleType, http_server: http.server.HTTPServer) -> None:
    port = http_server.server_address[1]
    check = example.http_check("/", timeout=2.0)
    assert check(lvs.RealServer("127.0.0.1", port)) is True
    http_server.shutdown()
    http_server.server_close()
    assert check(lvs.RealServer("127.0.0.1", port)) is False


def test_sorry_argument(example: ModuleType) -> None:
    assert example.parse_place("198.51.100.99:8080") == ("198.51.100.99", 8080)
    assert example.parse_place("[2001:db8::99]:80") == ("2001:db8::99", 80)
    for bad in ["nonsense", "198.51.100.99", "198.51.100.99:http", "198.51.100.99:70000"]:
        with pytest.raises(argparse.ArgumentTypeError):
            example.parse_place(bad)


def test_service_argument(example: ModuleType) -> None:
    assert example.parse_service("tcp:192.0.2.10:80") == WEB
    assert example.parse_service("udp:[2001:db8::1]:53") == lvs.ServiceKey.udp("2001:db8::1", 53)
    assert example.parse_service("fwmark:5") == lvs.ServiceKey.fwmark(5)
