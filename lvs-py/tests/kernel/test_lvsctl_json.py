"""lvsctl's --json documents hold to their schema (examples/lvsctl/lvsctl.schema.json) on the
real kernel and say what the text listings say; the day-2 commands (start-daemon,
stop-daemon, set-timeouts) act as ipvsadm's do."""

import json
import os
import pathlib
import subprocess
from typing import Any, List

import jsonschema

from conftest import Netns

ROOT = pathlib.Path(__file__).resolve().parents[3]
SCHEMA = json.loads((ROOT / "examples/lvsctl/lvsctl.schema.json").read_text())

RULES = """\
--set 1000 100 200
-A -t 192.0.2.20:80 -s wlc -p 300
-a -t 192.0.2.20:80 -r 198.51.100.21:80 -m -w 2 -x 100 -y 50
-a -t 192.0.2.20:80 -r 198.51.100.22:80 -i -w 1 --tun-type gue --tun-port 6080
-a -t 192.0.2.20:80 -r 198.51.100.23:80 -i -w 1 --tun-type gre
-A -u [2001:db8::20]:53 -s rr
-a -u [2001:db8::20]:53 -r [2001:db8::21]:53 -m -w 1
-A -f 7 -s sh -b sh-port
-a -f 7 -r 198.51.100.24 -g -w 3
"""


def lvsctl(ns: Netns, *args: str, code: int = 0, stdin: str = "") -> str:
    """lvsctl's output in the namespace, failing the test on another exit code."""
    path = os.environ.get("LVS_LVSCTL", str(ROOT / "target/debug/examples/lvsctl"))
    assert os.access(path, os.X_OK), f"{path}: build it with cargo build -p lvs-sys --example lvsctl"
    done = subprocess.run([path, "--netns", ns.path, *args], input=stdin, capture_output=True, text=True)
    assert done.returncode == code, f"lvsctl {' '.join(args)} exited {done.returncode}: {done.stderr}"
    return done.stdout


def valid(text: str, name: str) -> Any:
    """The document, checked against the schema's definition `name`."""
    document = json.loads(text)
    schema = {"$schema": SCHEMA["$schema"], "$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{name}"}
    jsonschema.Draft202012Validator(schema).validate(document)
    # And against the schema as a whole, as a consumer that does not know the command would.
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    return document


def test_every_json_listing_holds_to_the_schema_and_says_what_the_text_says(netns: Netns) -> None:
    lvsctl(netns, "apply", "-", stdin=RULES)
    table = valid(lvsctl(netns, "list", "--json"), "table")
    assert len(table["services"]) == 3
    assert sum(len(s["servers"]) for s in table["services"]) == 5
    # Each rule line reads back as what save writes.
    saved = set(lvsctl(netns, "save").splitlines())
    rules: List[str] = []
    for service in table["services"]:
        rules.append(service["rule"])
        rules.extend(server["rule"] for server in service["servers"])
    assert set(rules) <= saved, set(rules) - saved
    gue = next(
        server
        for service in table["services"]
        for server in service["servers"]
        if server["tunnel"] and server["tunnel"]["type"] == "gue"
    )
    assert gue["tunnel"] == {"type": "gue", "port": 6080, "checksum": "none"}
    fwmark = next(s for s in table["services"] if s["fwmark"] == 7)
    assert fwmark["protocol"] is None and fwmark["scheduler"] == "sh"

    one = valid(lvsctl(netns, "list", "-t", "192.0.2.20:80", "--json"), "table")
    assert [s["port"] for s in one["services"]] == [80]
    assert one["services"][0]["persistence"]["timeout"] == 300
    assert {s["upper_threshold"] for s in one["services"][0]["servers"]} == {0, 100}

    assert valid(lvsctl(netns, "list", "--timeout", "--json"), "timeouts") == {
        "tcp": 1000,
        "tcp_fin": 100,
        "udp": 200,
    }
    assert valid(lvsctl(netns, "list", "--connections", "--json"), "connections") == []
    assert valid(lvsctl(netns, "list", "--connections", "--origin", "--json"), "connections") == []

    sysctls = valid(lvsctl(netns, "sysctl", "--json"), "sysctls")
    assert len(sysctls) == len(lvsctl(netns, "sysctl").splitlines())
    assert sysctls["sync_threshold"] == "3 50"

    # A plan: the lines diff prints, and the draining server with what holds it.
    desired = "-A -t 192.0.2.20:80 -s wlc -p 300\n-a -t 192.0.2.20:80 -r 198.51.100.21:80 -m -w 2 -x 100 -y 50\n"
    args = ("--scope", "vip=192.0.2.20", "--drain")
    plan = valid(lvsctl(netns, "diff", "-", "--json", *args, code=1, stdin=desired), "plan")
    assert plan["operations"] == lvsctl(netns, "diff", "-", *args, code=1, stdin=desired).splitlines()
    assert {d["server"]["address"] for d in plan["draining"]} == {"198.51.100.22", "198.51.100.23"}
    assert all(d["connections"] == 0 and d["weight"] == 1 and not d["idle"] for d in plan["draining"])


def test_day_two_commands_act_as_ipvsadms(netns: Netns) -> None:
    netns.exec("ip", "link", "add", "sync0", "type", "dummy")
    netns.exec("ip", "link", "set", "sync0", "up")
    lvsctl(netns, "set-timeouts", "900", "0", "60")
    assert lvsctl(netns, "list", "--timeout") == netns.ipvsadm("-L", "--timeout")
    assert valid(lvsctl(netns, "list", "--timeout", "--json"), "timeouts")["udp"] == 60

    lvsctl(netns, "start-daemon", "master", "--mcast-interface", "sync0", "--syncid", "5", "--mcast-port", "8850")
    lvsctl(netns, "start-daemon", "backup", "--mcast-interface", "sync0", "--syncid", "5")
    listed = lvsctl(netns, "list", "--daemon")
    assert listed == netns.ipvsadm("-L", "--daemon")
    assert "master sync daemon (mcast=sync0, syncid=5" in listed
    daemons = valid(lvsctl(netns, "list", "--daemon", "--json"), "daemons")
    assert sorted(d["role"] for d in daemons) == ["backup", "master"]
    assert next(d for d in daemons if d["role"] == "master")["port"] == 8850
    lvsctl(netns, "stop-daemon", "master")
    lvsctl(netns, "stop-daemon", "backup")
    assert valid(lvsctl(netns, "list", "--daemon", "--json"), "daemons") == []
    # Stopping one that is not running is the kernel's refusal, exit 2.
    lvsctl(netns, "stop-daemon", "master", code=2)

    lvsctl(netns, "apply", "-", stdin="-A -t 192.0.2.1:80 -s rr\n")
    lvsctl(netns, "zero", "-t", "192.0.2.1:80")
    lvsctl(netns, "flush")
    assert netns.ipvsadm("-Sn") == ""
