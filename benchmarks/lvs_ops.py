#!/usr/bin/env python3
"""lvs's Python face in lvs-bench: what a user's script does, timed as a whole process.

    lvs_ops.py create RULES   lvs.Ipvs().apply(text of RULES)
    lvs_ops.py loop N         for each of ipvs.services(): ipvs.servers(service.key)
    lvs_ops.py table N        ipvs.table()

The bench times the whole process (interpreter start, `import lvs`, the call); this script
prints the seconds of the call alone and checks what it did: the reads that they saw N
services with 4 real servers each (the bench's table), the create nothing (the bench reads
the table back itself).
"""

import sys
import time

import lvs


def main() -> None:
    what, arg = sys.argv[1], sys.argv[2]
    ipvs = lvs.Ipvs()
    if what == "create":
        with open(arg) as f:
            text = f.read()
        started = time.perf_counter()
        ipvs.apply(text)
        seconds = time.perf_counter() - started
    elif what == "loop":
        started = time.perf_counter()
        services = ipvs.services()
        servers = [len(ipvs.servers(entry.service.key)) for entry in services]
        seconds = time.perf_counter() - started
        check(len(services), servers, int(arg))
    elif what == "table":
        started = time.perf_counter()
        table = ipvs.table()
        seconds = time.perf_counter() - started
        check(len(table), [len(vs.servers) for vs in table], int(arg))
    else:
        sys.exit(f"lvs_ops: unknown command {what!r}")
    print(f"{seconds:.6f}")


def check(services: int, servers: "list[int]", n: int) -> None:
    if services != n or any(count != 4 for count in servers):
        sys.exit(f"lvs_ops: read {services} services ({sum(servers)} real servers), not {n} x 4")


if __name__ == "__main__":
    main()
