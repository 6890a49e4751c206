"""The Python example of README.md, taken from the README itself, run as root in a fresh
network namespace; its output and the table it leaves are checked against ipvsadm."""

import re
import sys
from pathlib import Path

from conftest import Netns

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_example() -> str:
    # The block after README's `<!-- check: python-example -->` line.
    text = README.read_text()
    blocks = re.findall(r"<!-- check: python-example -->\n```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1, "README.md has exactly one block marked check: python-example"
    return str(blocks[0])


def test_readme_example(netns: Netns, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(readme_example())
    output = netns.exec(sys.executable, str(script)).stdout
    # The plan deleted the drained server: what is left is the desired table.
    assert netns.ipvsadm("-S", "-n") == (
        "-A -t 192.0.2.10:80 -s wrr -p 300\n"
        "-a -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 3\n"
    )
    lines = output.splitlines()
    assert lines[0] == "TCP 192.0.2.10:80 exists already (errno 17)"
    assert lines[1] == "TCP 192.0.2.10:80 wrr connections: 0"
    assert sorted(lines[2:4]) == [
        "  -> 198.51.100.11 weight 3 active 0",
        "  -> 198.51.100.12 weight 0 active 0",
    ]
    # The save before the plan, the plan's text, and the listing after it.
    assert lines[4:7] == [
        "-A -t 192.0.2.10:80 -s wrr -p 300",
        "-a -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 3",
        "-a -t 192.0.2.10:80 -r 198.51.100.12:8080 -m -w 0",
    ]
    assert lines[7] == "-d -t 192.0.2.10:80 -r 198.51.100.12:8080"
    listed = netns.ipvsadm("-L", "-n", "-t", "192.0.2.10:80")
    assert "\n".join(lines[8:]) + "\n" == listed
    assert "198.51.100.12" not in listed
