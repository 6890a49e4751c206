"""The package as installed: its version and the example of lvs-py/README.md."""

import contextlib
import io
import re
from importlib import metadata
from pathlib import Path

import lvs

README = Path(__file__).resolve().parents[2] / "README.md"


def test_version_is_the_distributions() -> None:
    assert isinstance(lvs.__version__, str)
    assert re.fullmatch(r"\d+\.\d+\.\d+", lvs.__version__), lvs.__version__
    # The wheel's version and the native module's are the same Cargo version (as long as
    # it has no pre-release part, which PEP 440 would spell differently).
    assert metadata.version("lvs-ipvs") == lvs.__version__
    assert lvs._lvs.__version__ == lvs.__version__


def test_distribution_metadata() -> None:
    meta = metadata.metadata("lvs-ipvs")
    assert meta["Name"] == "lvs-ipvs"
    assert meta["License-Expression"] == "MIT OR Apache-2.0"
    assert "Operating System :: POSIX :: Linux" in meta.get_all("Classifier", [])
    files = [str(f) for f in metadata.files("lvs-ipvs") or []]
    assert any(f.endswith("LICENSE-MIT") for f in files), files
    assert any(f.endswith("LICENSE-APACHE") for f in files), files


def test_readme_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) == 1, "lvs-py/README.md has exactly one Python example"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[0], str(README), "exec"), {})
    assert out.getvalue() == (
        "TCP 192.0.2.10:80 exists already (errno 17)\n"
        "-A -t 192.0.2.10:80 -s wrr\n"
        "-a -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 3\n"
        "-a -t 192.0.2.10:80 -r 198.51.100.12:8080 -m -w 1\n"
        # The plan: drain .12.
        "-e -t 192.0.2.10:80 -r 198.51.100.12:8080 -m -w 0\n"
        # The listing after it.
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "TCP  192.0.2.10:80 wrr\n"
        "  -> 198.51.100.11:8080           Masq    3      0          0         \n"
        "  -> 198.51.100.12:8080           Masq    0      0          0         \n"
    )
