#!/usr/bin/env python3
"""Turns lvs-bench results into the Markdown tables of BENCHMARKS.md, ratios included.

    summarize.py RESULTS.csv [HOST-CODEC.csv]

Ratios are "how many times faster lvs is" (the other tool's time over lvs's), except
lvs/floor (lvs's time over the floor's) and the memory ratio (lvs's peak over ipvsadm's).
"""

import csv
import sys


def load(path):
    rows = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            rows[(int(r["size"]), r["what"], r["tool"])] = (
                float(r["seconds"]),
                int(r["max_rss_kib"]) if r["max_rss_kib"] else None,
                int(r["ops"]) if r["ops"] else None,
            )
    return rows


def t(rows, n, what, tool):
    v = rows.get((n, what, tool))
    return v[0] if v else None


def rss(rows, n, what, tool):
    v = rows.get((n, what, tool))
    return v[1] if v else None


def ops(rows, n, what, tool):
    v = rows.get((n, what, tool))
    return v[2] if v else None


def s(v):
    if v is None:
        return "–"
    return f"{v:.3g}" if v < 1 else (f"{v:.2f}" if v < 10 else f"{v:.1f}")


def ratio(a, b):
    return "–" if a is None or b is None or b == 0 else f"{a / b:.1f}×"


def mib(kib):
    return "–" if kib is None else f"{kib / 1024:.1f}"


def table(header, lines):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(l) + " |" for l in lines]
    return "\n".join(out)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    rows = load(sys.argv[1])
    sizes = sorted({k[0] for k in rows})

    print("### Create (seconds)\n")
    print(table(
        ["services", "lvs", "floor", "ipvsadm -R", "pyroute2", "lvs / floor",
         "vs ipvsadm -R", "vs pyroute2"],
        [[f"{n:,}", s(t(rows, n, "create", "lvs")), s(t(rows, n, "create", "floor")),
          s(t(rows, n, "create", "ipvsadm -R")), s(t(rows, n, "create", "pyroute2")),
          ratio(t(rows, n, "create", "lvs"), t(rows, n, "create", "floor")),
          ratio(t(rows, n, "create", "ipvsadm -R"), t(rows, n, "create", "lvs")),
          ratio(t(rows, n, "create", "pyroute2"), t(rows, n, "create", "lvs"))]
         for n in sizes]))

    print("\n### Read the whole table with real servers and stats (seconds, peak MiB)\n")
    print(table(
        ["services", "lvs process", "lvs in process", "lvs stream in process",
         "floor in process", "lvs / floor (in process)",
         "ipvsadm -Sn", "ipvsadm -Ln --stats", "pyroute2", "vs -Sn (process)",
         "vs -Sn (in process)", "lvs MiB", "lvs stream MiB", "ipvsadm -Sn MiB",
         "MiB lvs / ipvsadm", "stream / ipvsadm"],
        [[f"{n:,}", s(t(rows, n, "read", "lvs")), s(t(rows, n, "read", "lvs (in process)")),
          s(t(rows, n, "read", "lvs stream (in process)")),
          s(t(rows, n, "read", "floor (in process)")),
          ratio(t(rows, n, "read", "lvs (in process)"), t(rows, n, "read", "floor (in process)")),
          s(t(rows, n, "read", "ipvsadm -Sn")), s(t(rows, n, "read", "ipvsadm -Ln --stats")),
          s(t(rows, n, "read", "pyroute2")),
          ratio(t(rows, n, "read", "ipvsadm -Sn"), t(rows, n, "read", "lvs")),
          ratio(t(rows, n, "read", "ipvsadm -Sn"), t(rows, n, "read", "lvs (in process)")),
          mib(rss(rows, n, "read", "lvs")), mib(rss(rows, n, "read", "lvs stream")),
          mib(rss(rows, n, "read", "ipvsadm -Sn")),
          ratio(rss(rows, n, "read", "lvs"), rss(rows, n, "read", "ipvsadm -Sn")),
          ratio(rss(rows, n, "read", "lvs stream"), rss(rows, n, "read", "ipvsadm -Sn"))]
         for n in sizes]))

    print("\n### 1% change (seconds)\n")
    print(table(
        ["services", "operations", "lvs plan+apply", "lvs read+plan+apply",
         "ipvsadm -C; -R", "vs restore (plan+apply)", "vs restore (read+plan+apply)"],
        [[f"{n:,}", str(ops(rows, n, "change", "lvs (plan+apply)")),
          s(t(rows, n, "change", "lvs (plan+apply)")),
          s(t(rows, n, "change", "lvs (read+plan+apply)")),
          s(t(rows, n, "change", "ipvsadm -C; -R")),
          ratio(t(rows, n, "change", "ipvsadm -C; -R"), t(rows, n, "change", "lvs (plan+apply)")),
          ratio(t(rows, n, "change", "ipvsadm -C; -R"),
                t(rows, n, "change", "lvs (read+plan+apply)"))]
         for n in sizes]))

    print("\n### The faces as users run them: create (seconds, whole processes)\n")
    print(table(
        ["services", "floor", "floor, 1 per send", "lvsctl apply", "Python apply(text)",
         "ipvsadm-on-lvs -R", "ipvsadm -R", "lvsctl / floor", "Python / lvsctl",
         "Python call / lvsctl", "ipvsadm-on-lvs / floor 1 per send", "after a flush: lvsctl"],
        [[f"{n:,}", s(t(rows, n, "create", "floor")), s(t(rows, n, "create", "floor (1 per send)")),
          s(t(rows, n, "create", "lvsctl apply")), s(t(rows, n, "create", "python apply(text)")),
          s(t(rows, n, "create", "ipvsadm-on-lvs -R")), s(t(rows, n, "create", "ipvsadm -R")),
          ratio(t(rows, n, "create", "lvsctl apply"), t(rows, n, "create", "floor")),
          ratio(t(rows, n, "create", "python apply(text)"), t(rows, n, "create", "lvsctl apply")),
          ratio(t(rows, n, "create", "python apply(text) (call)"),
                t(rows, n, "create", "lvsctl apply")),
          ratio(t(rows, n, "create", "ipvsadm-on-lvs -R"),
                t(rows, n, "create", "floor (1 per send)")),
          s(t(rows, n, "create", "lvsctl apply after flush"))]
         for n in sizes]))

    print("\n### The faces as users run them: read (seconds, whole processes; peak MiB)\n")
    print(table(
        ["services", "lvs read in process", "lvsctl save", "lvsctl list", "Python loop",
         "Python table()", "ipvsadm-on-lvs -Sn", "ipvsadm-on-lvs -Ln", "ipvsadm -Sn",
         "ipvsadm -Ln", "save / in process", "Python table() / save", "list vs ipvsadm -Ln",
         "save MiB / ipvsadm -Sn", "list MiB / ipvsadm -Ln"],
        [[f"{n:,}", s(t(rows, n, "read", "lvs (in process)")),
          s(t(rows, n, "read", "lvsctl save")), s(t(rows, n, "read", "lvsctl list")),
          s(t(rows, n, "read", "python services()+servers()")),
          s(t(rows, n, "read", "python table()")),
          s(t(rows, n, "read", "ipvsadm-on-lvs -Sn")), s(t(rows, n, "read", "ipvsadm-on-lvs -Ln")),
          s(t(rows, n, "read", "ipvsadm -Sn")), s(t(rows, n, "read", "ipvsadm -Ln")),
          ratio(t(rows, n, "read", "lvsctl save"), t(rows, n, "read", "lvs (in process)")),
          ratio(t(rows, n, "read", "python table()"), t(rows, n, "read", "lvsctl save")),
          ratio(t(rows, n, "read", "ipvsadm -Ln"), t(rows, n, "read", "lvsctl list")),
          ratio(rss(rows, n, "read", "lvsctl save"), rss(rows, n, "read", "ipvsadm -Sn")),
          ratio(rss(rows, n, "read", "lvsctl list"), rss(rows, n, "read", "ipvsadm -Ln"))]
         for n in sizes]))

    print("\n### No-op apply, Python start-up, the exporter (seconds, peak MiB)\n")
    print(table(
        ["services", "lvsctl apply, nothing to do", "vs lvsctl save", "python (nothing)",
         "import json", "import lvs", "lvs-exporter scrape", "exporter MiB"],
        [[f"{n:,}", s(t(rows, n, "noop", "lvsctl apply")),
          ratio(t(rows, n, "noop", "lvsctl apply"), t(rows, n, "read", "lvsctl save")),
          s(t(rows, n, "startup", "python (nothing)")), s(t(rows, n, "startup", "python import json")),
          s(t(rows, n, "startup", "python import lvs")),
          s(t(rows, n, "read", "lvs-exporter scrape")),
          mib(rss(rows, n, "read", "lvs-exporter scrape"))]
         for n in sizes]))

    codec = [(sys.argv[2], "host")] if len(sys.argv) == 3 else []
    codec.append((sys.argv[1], "guest"))
    print("\n### Rule text and planning, lvs-core alone (seconds)\n")
    lines = []
    for path, where in codec:
        c = load(path)
        for n in sorted({k[0] for k in c}):
            lines.append([f"{n:,}", where, s(t(c, n, "save", "lvs")), s(t(c, n, "parse", "lvs")),
                          s(t(c, n, "plan", "lvs (from empty)")), s(t(c, n, "encode", "lvs"))])
    print(table(["services", "where", "save", "parse", "plan from empty", "encode requests"],
                lines))


if __name__ == "__main__":
    main()
