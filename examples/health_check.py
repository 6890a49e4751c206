#!/usr/bin/env python3
"""Health-checks the real servers of an IPVS service over HTTP and keeps the table in step.

A server that fails ``--fall`` checks in a row (default 3) is taken out of rotation: removed
from the service, or with ``--drain`` kept with weight 0 so that its open connections
finish while it takes no new ones. One good check (``--rise``, default 1) puts it back
exactly as it was configured. A check is an HTTP GET of ``--path`` on the server's own
address and port; any answer below 500 within ``--timeout`` seconds is good. With
``--sorry ADDR:PORT`` a sorry server (forwarded like the watched servers) joins the service
while every watched server is out of rotation, and leaves as soon as one is back.

The servers to watch are the ones in the service when the checker starts.

    health_check.py tcp:192.0.2.10:80 [--netns /run/netns/lb] [--drain]
                    [--interval 2] [--timeout 1] [--fall 3] [--rise 1] [--path /]
                    [--sorry 198.51.100.99:8080]
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Dict, Optional

import lvs

log = logging.getLogger("health_check")

Check = Callable[[lvs.RealServer], bool]


def http_check(path: str = "/", timeout: float = 1.0) -> Check:
    """A check that GETs ``path`` from the server and wants an answer below 500."""

    def check(server: lvs.RealServer) -> bool:
        conn = http.client.HTTPConnection(str(server.address), server.port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"User-Agent": "lvs-health-check"})
            return conn.getresponse().status < 500
        except OSError:
            return False
        finally:
            conn.close()

    return check


@dataclass
class ServerState:
    """What the checker knows of one real server."""

    configured: lvs.RealServer
    healthy: bool = True
    failures: int = 0
    successes: int = 0


def _same_place(a: lvs.RealServer, b: lvs.RealServer) -> bool:
    return a.address == b.address and a.port == b.port


class HealthChecker:
    """Watches the real servers of one service and applies the rise/fall rules."""

    def __init__(
        self,
        ipvs: lvs.IpvsHandle,
        service: lvs.ServiceKey,
        check: Check,
        *,
        fall: int = 3,
        rise: int = 1,
        drain: bool = False,
        sorry: Optional[lvs.RealServer] = None,
    ) -> None:
        if fall < 1 or rise < 1:
            raise ValueError("fall and rise must be at least 1")
        self.ipvs = ipvs
        self.service = service
        self.check = check
        self.fall = fall
        self.rise = rise
        self.drain = drain
        self.sorry = sorry
        # Which servers to watch and how to restore them: the table as it is now, but for
        # the sorry server (a checker that stopped while every server was out left it in).
        listed = [entry.server for entry in ipvs.servers(service)]
        self.sorry_serving = sorry is not None and any(_same_place(s, sorry) for s in listed)
        self.servers: Dict[lvs.RealServer, ServerState] = {
            server: ServerState(server)
            for server in listed
            if sorry is None or not _same_place(server, sorry)
        }
        self._pool = ThreadPoolExecutor(max_workers=max(1, min(16, len(self.servers))))

    def close(self) -> None:
        """Stops the check threads."""
        self._pool.shutdown(wait=True)

    def run_once(self) -> None:
        """Checks every server once (in parallel) and updates the table where a server
        crossed its threshold."""
        states = list(self.servers.values())
        results = list(self._pool.map(lambda s: self.check(s.configured), states))
        for state, ok in zip(states, results):
            self._record(state, ok)
        if self.sorry is not None:
            self._update_sorry(self.sorry, all(not s.healthy for s in states))

    def run(self, interval: float, stop: Optional[threading.Event] = None) -> None:
        """Checks every ``interval`` seconds until ``stop`` is set."""
        stop = stop or threading.Event()
        while not stop.is_set():
            started = time.monotonic()
            self.run_once()
            stop.wait(max(0.0, interval - (time.monotonic() - started)))

    def _record(self, state: ServerState, ok: bool) -> None:
        if ok:
            state.failures = 0
            state.successes += 1
            if not state.healthy and state.successes >= self.rise:
                self._restore(state)
        else:
            state.successes = 0
            state.failures += 1
            if state.healthy and state.failures >= self.fall:
                self._take_out(state)

    def _take_out(self, state: ServerState) -> None:
        server = state.configured
        try:
            if self.drain:
                self.ipvs.edit_server(self.service, server.replace(weight=0))
            else:
                self.ipvs.delete_server(self.service, server)
        except lvs.ServerNotFound:
            pass  # someone else removed it already: out of rotation all the same
        state.healthy = False
        log.warning(
            "%s:%s failed %d checks: %s",
            server.address,
            server.port,
            state.failures,
            "drained (weight 0)" if self.drain else "removed",
        )

    def _update_sorry(self, sorry: lvs.RealServer, all_out: bool) -> None:
        """Puts the sorry server in while every watched server is out, and takes it out
        again once one is back."""
        if all_out and not self.sorry_serving:
            try:
                self.ipvs.add_server(self.service, sorry)
            except lvs.ServerExists:
                pass
            self.sorry_serving = True
            log.warning("every real server is out: sorry server %s:%s added", sorry.address, sorry.port)
        elif not all_out and self.sorry_serving:
            try:
                self.ipvs.delete_server(self.service, sorry)
            except lvs.ServerNotFound:
                pass
            self.sorry_serving = False
            log.warning("sorry server %s:%s removed", sorry.address, sorry.port)

    def _restore(self, state: ServerState) -> None:
        server = state.configured
        try:
            if self.drain:
                self.ipvs.edit_server(self.service, server)
            else:
                self.ipvs.add_server(self.service, server)
        except lvs.ServerExists:
            self.ipvs.edit_server(self.service, server)
        except lvs.ServerNotFound:
            self.ipvs.add_server(self.service, server)
        state.healthy = True
        log.warning("%s:%s is healthy again: restored", server.address, server.port)


def parse_service(text: str) -> lvs.ServiceKey:
    """``tcp:192.0.2.10:80``, ``udp:[2001:db8::1]:53`` or ``fwmark:5``."""
    kind, _, rest = text.partition(":")
    if kind == "fwmark":
        return lvs.ServiceKey.fwmark(int(rest))
    host, _, port = rest.rpartition(":")
    address = ipaddress.ip_address(host.strip("[]"))
    protocols = {"tcp": lvs.Protocol.TCP, "udp": lvs.Protocol.UDP, "sctp": lvs.Protocol.SCTP}
    if kind not in protocols:
        raise argparse.ArgumentTypeError(f"unknown service kind {kind!r}")
    return lvs.ServiceKey(protocols[kind], address, int(port))


def parse_place(text: str) -> tuple[str, int]:
    """``198.51.100.99:8080`` or ``[2001:db8::99]:8080``."""
    host, _, port = text.rpartition(":")
    try:
        address = ipaddress.ip_address(host.strip("[]"))
        number = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not ADDR:PORT: {text!r}") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range: {text!r}")
    return str(address), number


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("service", type=parse_service, help="tcp:ADDR:PORT, udp:..., fwmark:N")
    parser.add_argument("--netns", help="network namespace path of the IPVS table")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between rounds")
    parser.add_argument("--timeout", type=float, default=1.0, help="seconds per check")
    parser.add_argument("--fall", type=int, default=3, help="failures before taking out")
    parser.add_argument("--rise", type=int, default=1, help="successes before restoring")
    parser.add_argument("--path", default="/", help="HTTP path to GET")
    parser.add_argument("--drain", action="store_true", help="set weight 0 instead of removing")
    parser.add_argument(
        "--sorry", type=parse_place, help="ADDR:PORT of a server to use while all are out"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    with lvs.Ipvs(netns=args.netns) as ipvs:
        sorry = None
        if args.sorry:
            watched = ipvs.servers(args.service)
            forward = watched[0].server.forward if watched else lvs.ForwardMethod.MASQUERADE
            sorry = lvs.RealServer(*args.sorry, forward=forward, weight=1)
        checker = HealthChecker(
            ipvs,
            args.service,
            http_check(args.path, args.timeout),
            fall=args.fall,
            rise=args.rise,
            drain=args.drain,
            sorry=sorry,
        )
        log.warning("watching %d real servers of %s", len(checker.servers), args.service)
        try:
            checker.run(args.interval)
        except KeyboardInterrupt:
            pass
        finally:
            checker.close()


if __name__ == "__main__":
    main()
