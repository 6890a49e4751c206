"""README.md's code blocks by the check that exercises each.

Every fenced block of README.md but output (```text) follows a line
`<!-- check: NAME -->` naming the test that runs or builds it:

    python3 blocks.py README.md --verify NAME...   every block has one of these names, once
    python3 blocks.py README.md NAME               prints that block's code
"""

import re
import sys

MARKER = re.compile(r"<!-- check: ([a-z0-9-]+) -->")
FENCE = re.compile(r"^```(\S*)\s*$")


def blocks(path):
    """(check name or None, language, code, line number) for every fenced block."""
    lines = open(path, encoding="utf-8").read().split("\n")
    found = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(1), i
        i += 1
        code = []
        while i < len(lines) and lines[i] != "```":
            code.append(lines[i])
            i += 1
        marker = MARKER.fullmatch(lines[start - 1].strip()) if start > 0 else None
        found.append((marker.group(1) if marker else None, lang, "\n".join(code) + "\n", start + 1))
        i += 1
    return found


def main(argv):
    path = argv[1]
    if argv[2] == "--verify":
        known = set(argv[3:])
        seen = {}
        bad = []
        for name, lang, _, line in blocks(path):
            if lang == "text":
                continue
            if name is None:
                bad.append(f"line {line}: a ```{lang} block without a <!-- check: NAME --> line")
            elif name not in known:
                bad.append(f"line {line}: no check is named {name!r} (known: {', '.join(sorted(known))})")
            elif name in seen:
                bad.append(f"line {line}: check {name!r} already names the block at line {seen[name]}")
            else:
                seen[name] = line
        bad += [f"check {n!r} names no block" for n in sorted(known - set(seen))]
        print("\n".join(bad) or f"{len(seen)} blocks, each with its check")
        return 1 if bad else 0
    for name, _, code, _ in blocks(path):
        if name == argv[2]:
            sys.stdout.write(code)
            return 0
    print(f"no block is marked <!-- check: {argv[2]} -->", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
