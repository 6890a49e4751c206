"""ipvsadm rule text: what ``ipvsadm -R`` reads and ``ipvsadm -S -n`` writes.

:func:`parse` reads rule text into :class:`lvs.Operation` values (for
:meth:`lvs.IpvsHandle.apply`), :func:`load` reads saved text as a table of
:class:`lvs.VirtualService`, :func:`save` writes a table losslessly (ipvsadm's syntax, with
lvs's ``--lvs-...`` options where ipvsadm has no word for a value), and
:func:`save_ipvsadm` byte for byte as ``ipvsadm -S -n`` does.
Bad lines raise :class:`lvs.RuleSyntaxError` with their line and column.
"""

from __future__ import annotations

from lvs._lvs import (
    Operation,
    SyncDaemon,
    Timeouts,
    VirtualService,
    load_rules,
    parse_rules,
    save_rules,
)

# `typing` (and what it imports) costs more at start-up than the rest of lvs: the
# annotations are strings (`from __future__ import annotations`), so only type checkers,
# which take any `TYPE_CHECKING` as true, import it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, List, Mapping, Optional, Tuple, Union


def parse(text: str) -> List[Operation]:
    """Parses rule text into the operations it asks for, in order.

    Blank lines and ``#`` comments are skipped. A line ipvsadm would refuse, or one that
    does not change the table (``-L``, ``-S``, ``-R``, ``-h``, ``-v``), raises
    :class:`lvs.RuleSyntaxError`.
    """
    return parse_rules(text)


def load(text: str) -> List[VirtualService]:
    """Reads saved rule text as a table, in the text's order.

    ``--set``, ``--start-daemon`` and ``--lvs-sysctl`` lines are accepted (as :func:`save`
    writes them) but not returned: the result is the services only.

    A duplicate service or server, or a server of a service no earlier line added, raises
    :class:`lvs.RuleSyntaxError`.
    """
    return load_rules(text)


def save(
    table: Iterable[VirtualService],
    *,
    timeouts: Optional[Timeouts] = None,
    daemons: Optional[Iterable[SyncDaemon]] = None,
    sysctls: Optional[Mapping[str, Union[int, bool, Tuple[int, int], str]]] = None,
    ipvsadm: bool = False,
) -> str:
    """Writes a table as rule text that reads back as the same table.

    Every value is kept: ipvsadm's syntax where it can say the value, lvs's ``--lvs-...``
    options where it cannot (ipvsadm refuses those lines rather than misreading them).
    ``sysctls`` (a mapping from knob name to value), ``timeouts`` and ``daemons``, when
    given, are written as ``--lvs-sysctl NAME=VALUE``, ``--set`` and ``--start-daemon``
    lines. A name the text cannot carry (empty, too long, with a blank or control
    character), or a sysctl value its knob does not take, raises
    :class:`lvs.RuleSyntaxError`.

    ``ipvsadm=True`` is :func:`save_ipvsadm`.
    """
    return save_rules(
        table, timeouts=timeouts, daemons=daemons, sysctls=sysctls, ipvsadm=ipvsadm
    )


def save_ipvsadm(table: Iterable[VirtualService]) -> str:
    """Writes a table byte for byte as ``ipvsadm -S -n`` prints it.

    That text loses what ipvsadm does not save: real-server thresholds, the netmask and
    engine of services that are not persistent, ``Local`` forwarding (written as ``-g``),
    a direct-routing or tunnel port other than the service's; and writes values it cannot
    say so that nothing reads them back (``Bypass`` as ``(null)``, weights above 65535,
    GRE with remote checksum as plain GRE, ...). Names are written as they are.
    """
    return save_rules(table, ipvsadm=True)


__all__ = ["load", "parse", "save", "save_ipvsadm"]
