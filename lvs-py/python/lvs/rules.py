"""ipvsadm rule text: what ``ipvsadm -R`` reads and ``ipvsadm -S -n`` writes.

:func:`parse` reads rule text into :class:`lvs.Operation` values (for
:meth:`lvs.IpvsHandle.apply`), :func:`load` reads saved text as a table of
:class:`lvs.VirtualService`, and :func:`save` writes a table as ``ipvsadm -S -n`` does.
Bad lines raise :class:`lvs.RuleSyntaxError` with their line and column.
"""

from __future__ import annotations

from typing import Iterable, List

from lvs._lvs import Operation, VirtualService, load_rules, parse_rules, save_rules


def parse(text: str) -> List[Operation]:
    """Parses rule text into the operations it asks for, in order.

    Blank lines and ``#`` comments are skipped. A line ipvsadm would refuse, or one that
    does not change the table (``-L``, ``-S``, ``-R``, ``-h``, ``-v``), raises
    :class:`lvs.RuleSyntaxError`.
    """
    return parse_rules(text)


def load(text: str) -> List[VirtualService]:
    """Reads saved rule text (only ``-A`` and ``-a`` lines) as a table, in the text's order.

    A duplicate service or server, or a server of a service no earlier line added, raises
    :class:`lvs.RuleSyntaxError`.
    """
    return load_rules(text)


def save(table: Iterable[VirtualService]) -> str:
    """Writes a table as ``ipvsadm -S -n`` prints it."""
    return save_rules(table)


__all__ = ["load", "parse", "save"]
