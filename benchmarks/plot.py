#!/usr/bin/env python3
"""Plots lvs-bench results as an SVG: time against table size for create and read.

    plot.py RESULTS.csv OUT.svg [TITLE]

Two log-log panels side by side, one line per tool. Python's standard library only.
"""

import csv
import math
import sys
from xml.sax.saxutils import escape

PANELS = [
    ("create", "Create N services x 4 real servers",
     [("lvs", "lvs (in process)"), ("floor", "floor (pre-encoded netlink)"),
      ("lvsctl apply", "lvsctl apply"), ("python apply(text)", "Python apply(text)"),
      ("ipvsadm-on-lvs -R", "ipvsadm on lvs -R"),
      ("ipvsadm -R", "ipvsadm -R"), ("pyroute2", "pyroute2")]),
    ("read", "Read the table with real servers and stats",
     [("lvs (in process)", "lvs (in process)"),
      ("floor (in process)", "floor (1 + N dumps, one socket)"), ("lvsctl save", "lvsctl save"),
      ("lvsctl list", "lvsctl list (-L -n)"), ("python table()", "Python table()"),
      ("ipvsadm-on-lvs -Sn", "ipvsadm on lvs -Sn"),
      ("ipvsadm -Sn", "ipvsadm -Sn"), ("pyroute2", "pyroute2")]),
]
COLOURS = {
    "lvs": "#d62728", "lvs (in process)": "#d62728", "floor": "#7f7f7f",
    "floor (in process)": "#7f7f7f",
    "ipvsadm -R": "#1f77b4", "ipvsadm -Sn": "#1f77b4", "pyroute2": "#2ca02c",
    "lvsctl apply": "#ff7f0e", "lvsctl save": "#ff7f0e", "lvsctl list": "#8c564b",
    "python apply(text)": "#9467bd", "python table()": "#9467bd",
    "ipvsadm-on-lvs -R": "#17becf", "ipvsadm-on-lvs -Sn": "#17becf",
}
DASHED = {"floor", "lvs"}
W, H = 460, 400          # one panel
LEFT, RIGHT, TOP, BOTTOM = 62, 16, 40, 170


def load(path):
    data = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            data.setdefault((row["what"], row["tool"]), []).append(
                (int(row["size"]), float(row["seconds"])))
    for points in data.values():
        points.sort()
    return data


def decades(lo, hi):
    return range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)


def label(v):
    if v >= 1000:
        return f"{v / 1000:g}k"
    return f"{v:g}"


def panel(out, x0, what, title, series, data):
    lines = [(tool, name, data.get((what, tool), [])) for tool, name in series]
    lines = [l for l in lines if l[2]]
    sizes = sorted({s for _, _, pts in lines for s, _ in pts})
    times = [t for _, _, pts in lines for _, t in pts if t > 0]
    if not sizes or not times:
        return
    xlo, xhi = min(sizes) / 1.3, max(sizes) * 1.3
    ylo = 10 ** min(decades(min(times), max(times)))
    yhi = 10 ** max(decades(min(times), max(times)))
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def px(v):
        return x0 + LEFT + pw * (math.log10(v) - math.log10(xlo)) / (math.log10(xhi) - math.log10(xlo))

    def py(v):
        return TOP + ph * (1 - (math.log10(v) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo)))

    out.append(f'<text x="{x0 + W / 2}" y="22" text-anchor="middle" font-size="14" '
               f'font-weight="bold">{escape(title)}</text>')
    out.append(f'<rect x="{x0 + LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    for d in decades(ylo, yhi):
        y = py(10 ** d)
        out.append(f'<line x1="{x0 + LEFT}" x2="{x0 + LEFT + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{x0 + LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
                   f'{10 ** d:g} s</text>')
    for s in sizes:
        x = px(s)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + ph}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{TOP + ph + 16}" text-anchor="middle" font-size="11">'
                   f'{label(s)}</text>')
    out.append(f'<text x="{x0 + LEFT + pw / 2}" y="{TOP + ph + 34}" text-anchor="middle" '
               f'font-size="11">services (x 4 real servers), log scale</text>')
    for i, (tool, name, pts) in enumerate(lines):
        colour = COLOURS.get(tool, "#000")
        dash = ' stroke-dasharray="6 4"' if tool in DASHED and what == "create" or (
            tool in ("lvs", "floor (in process)") and what == "read") else ""
        path = " ".join(f"{px(s):.1f},{py(t):.1f}" for s, t in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for s, t in pts:
            out.append(f'<circle cx="{px(s):.1f}" cy="{py(t):.1f}" r="3" fill="{colour}"/>')
        ly = TOP + ph + 52 + 15 * i
        lx = x0 + LEFT
        out.append(f'<line x1="{lx}" x2="{lx + 24}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" '
                   f'stroke-width="2"{dash}/>')
        out.append(f'<text x="{lx + 30}" y="{ly}" font-size="11">{escape(name)}</text>')


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    data = load(sys.argv[1])
    title = sys.argv[3] if len(sys.argv) == 4 else ""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H + 20}" '
           f'font-family="sans-serif">',
           f'<rect width="{2 * W}" height="{H + 20}" fill="white"/>']
    for i, (what, heading, series) in enumerate(PANELS):
        panel(out, i * W, what, heading, series, data)
    if title:
        out.append(f'<text x="{W}" y="{H + 12}" text-anchor="middle" font-size="10" '
                   f'fill="#555">{escape(title)}</text>')
    out.append("</svg>")
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
