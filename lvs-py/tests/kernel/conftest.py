"""Kernel fixtures: every test works in network namespaces of its own (IPVS state is per
namespace), so tests leave nothing behind and never touch the guest's own table."""

import itertools
import os
import subprocess
from typing import Callable, Iterator, List

import pytest

import lvs

_names = itertools.count()


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    """Runs a command, failing the test with its output if it fails."""
    result = subprocess.run(args, capture_output=True, text=True)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited {result.returncode}: {result.stderr}{result.stdout}")
    return result


class Netns:
    """A network namespace made for one test, with `lo` up."""

    def __init__(self) -> None:
        self.name = f"lvspy-{os.getpid()}-{next(_names)}"
        run("ip", "netns", "add", self.name)
        run("ip", "-n", self.name, "link", "set", "lo", "up")

    @property
    def path(self) -> str:
        return f"/run/netns/{self.name}"

    def exec(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
        return run("ip", "netns", "exec", self.name, *args, check=check)

    def ipvsadm(self, *args: str) -> str:
        return str(self.exec("ipvsadm", *args).stdout)

    def delete(self) -> None:
        run("ip", "netns", "del", self.name, check=False)


@pytest.fixture
def make_netns() -> Iterator[Callable[[], Netns]]:
    made: List[Netns] = []

    def make() -> Netns:
        ns = Netns()
        made.append(ns)
        return ns

    yield make
    for ns in made:
        ns.delete()


@pytest.fixture
def netns(make_netns: Callable[[], Netns]) -> Netns:
    return make_netns()


@pytest.fixture
def ipvs(netns: Netns) -> Iterator[lvs.Ipvs]:
    with lvs.Ipvs(netns=netns.path) as handle:
        yield handle
