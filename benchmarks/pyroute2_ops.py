#!/usr/bin/env python3
"""pyroute2's side of lvs-bench: create or read an IPVS table with pyroute2's IPVS API.

    pyroute2_ops.py create RULES   add every service and real server of RULES
    pyroute2_ops.py read RULES     dump every service and its real servers; check the counts

RULES is the rule text lvs-bench wrote (`-A -t VIP:PORT -s SCHED` and
`-a -t VIP:PORT -r RIP:PORT -m -w W` lines only). It is parsed and the request objects
built before the clock starts, so only pyroute2's own work is timed. Prints the seconds.
"""

import socket
import sys
import time

from pyroute2 import IPVS, IPVSDest, IPVSService

MASQUERADE = 0  # IP_VS_CONN_F_MASQ


def split(addr):
    host, port = addr.rsplit(":", 1)
    return host, int(port)


def parse(path):
    services = []
    with open(path) as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            if words[:2] != ["-A", "-t"] and words[:2] != ["-a", "-t"]:
                sys.exit(f"pyroute2_ops: unexpected rule {line!r}")
            vip, vport = split(words[2])
            if words[0] == "-A":
                sched = words[words.index("-s") + 1]
                services.append(((vip, vport, sched), []))
            else:
                rip, rport = split(words[words.index("-r") + 1])
                weight = int(words[words.index("-w") + 1])
                services[-1][1].append((rip, rport, weight))
    return services


def service(vip, vport, sched=None):
    fields = dict(addr=vip, port=vport, protocol=socket.IPPROTO_TCP)
    if sched:
        fields["sched_name"] = sched
    return IPVSService(**fields)


def create(ipvs, services):
    todo = []
    for (vip, vport, sched), servers in services:
        svc = service(vip, vport, sched)
        dests = [
            IPVSDest(addr=rip, port=rport, fwd_method=MASQUERADE, weight=weight)
            for rip, rport, weight in servers
        ]
        todo.append((svc, dests))
    started = time.monotonic()
    for svc, dests in todo:
        ipvs.service("add", service=svc)
        for d in dests:
            ipvs.dest("add", service=svc, dest=d)
    return time.monotonic() - started


def read(ipvs, services):
    started = time.monotonic()
    listed = []
    for s in ipvs.service("dump"):
        svc = IPVSService.from_message(s)
        dests = [IPVSDest.from_message(d) for d in ipvs.dest("dump", service=svc)]
        listed.append((svc, dests))
    seconds = time.monotonic() - started
    want_dests = sum(len(d) for _, d in services)
    got_dests = sum(len(d) for _, d in listed)
    if len(listed) != len(services) or got_dests != want_dests:
        sys.exit(
            f"pyroute2_ops: read {len(listed)} services and {got_dests} real servers, "
            f"expected {len(services)} and {want_dests}"
        )
    return seconds


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("create", "read"):
        sys.exit(__doc__)
    services = parse(sys.argv[2])
    ipvs = IPVS()
    try:
        seconds = (create if sys.argv[1] == "create" else read)(ipvs, services)
    finally:
        ipvs.close()
    print(f"{seconds:.6f}")


if __name__ == "__main__":
    main()
