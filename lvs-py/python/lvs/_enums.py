"""The enumerations of lvs: protocols, families, schedulers, forwarding, tunnels, roles.

Kernels can report values these enums have no member for (a newer scheduler, an unknown
protocol number); such values become pseudo-members (named like ``PROTOCOL_47`` or the
scheduler's name) instead of failing, so reading a table never loses an entry.
"""

from __future__ import annotations

import enum
import sys

# `typing` (and what it imports) costs more at start-up than the rest of lvs: the
# annotations are strings (`from __future__ import annotations`), so only type checkers,
# which take any `TYPE_CHECKING` as true, import it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

if sys.version_info >= (3, 11):
    _StrEnum = enum.StrEnum
else:

    class _StrEnum(str, enum.Enum):
        """``enum.StrEnum`` before Python 3.11: members are their ``str`` values."""

        def __str__(self) -> str:
            return str(self.value)


class _OpenIntEnum(enum.IntEnum):
    """An IntEnum whose unknown values become pseudo-members instead of errors."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"{cls.__name__.upper()}_{value}"
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)

    def __reduce_ex__(self, protocol: Any) -> Any:
        # By value, so that a pseudo-member pickles too (some Python versions pickle
        # members by name, which a pseudo-member is not found under).
        return type(self), (self._value_,)


class Protocol(_OpenIntEnum):
    """The transport protocol of an address service, by IP protocol number."""

    TCP = 6
    UDP = 17
    SCTP = 132


class Family(enum.IntEnum):
    """An address family, by Linux ``AF_*`` number."""

    IPV4 = 2
    IPV6 = 10


class Scheduler(_StrEnum):
    """A scheduling algorithm, by kernel module name (``ip_vs_NAME``).

    Methods that take a scheduler also accept its name as a plain ``str``.
    """

    RR = "rr"
    WRR = "wrr"
    LC = "lc"
    WLC = "wlc"
    LBLC = "lblc"
    LBLCR = "lblcr"
    DH = "dh"
    SH = "sh"
    SED = "sed"
    NQ = "nq"
    FO = "fo"
    OVF = "ovf"
    MH = "mh"
    NONE = "none"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)

    def __reduce_ex__(self, protocol: Any) -> Any:
        # By value, like the open int enums: an unknown scheduler pickles too.
        return type(self), (self._value_,)


class ForwardMethod(_OpenIntEnum):
    """How the director forwards packets to a real server."""

    MASQUERADE = 0
    LOCAL = 1
    TUNNEL = 2
    DIRECT_ROUTE = 3
    BYPASS = 4


class TunnelKind(_OpenIntEnum):
    """The encapsulation of a tunnelled real server."""

    IPIP = 0
    GUE = 1
    GRE = 2


class TunnelChecksum(_OpenIntEnum):
    """The checksum mode of a GUE or GRE tunnel."""

    NONE = 0
    CHECKSUM = 1
    REMOTE = 2


class DaemonRole(_OpenIntEnum):
    """The role of a connection-sync daemon."""

    MASTER = 1
    BACKUP = 2


class SchedFlags(enum.IntFlag):
    """Scheduler flags (ipvsadm's ``-b``); ``sh`` and ``mh`` give flags 1 and 2 names."""

    FLAG_1 = 0x08
    FLAG_2 = 0x10
    FLAG_3 = 0x20
    SH_FALLBACK = 0x08
    SH_PORT = 0x10
    MH_FALLBACK = 0x08
    MH_PORT = 0x10


class ErrorKind(_StrEnum):
    """The class of an :class:`lvs.LvsError`, shared with lvs's Rust and C faces."""

    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    INVALID_INPUT = "invalid_input"
    OUT_OF_RANGE = "out_of_range"
    UNSUPPORTED = "unsupported"
    PERMISSION_DENIED = "permission_denied"
    IPVS_UNAVAILABLE = "ipvs_unavailable"
    TIMED_OUT = "timed_out"
    SYNTAX = "syntax"
    IO = "io"
    OTHER = "other"


class Outcome(_StrEnum):
    """What happened to one operation of a batch (:meth:`lvs.IpvsHandle.apply`)."""

    APPLIED = "applied"
    FAILED = "failed"
    NOT_SENT = "not_sent"
    UNKNOWN = "unknown"


class ListFormat(_StrEnum):
    """The layout of a listing (:meth:`lvs.IpvsHandle.list`), by the name of the ipvsadm
    option that asks for it (``DEFAULT`` is plain ``ipvsadm -L -n``)."""

    DEFAULT = "default"
    STATS = "stats"
    RATE = "rate"
    THRESHOLDS = "thresholds"
    PERSISTENT_CONN = "persistent-conn"
    TUN_INFO = "tun-info"
