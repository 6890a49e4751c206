"""The exceptions of lvs: one hierarchy under :class:`LvsError`.

The native module raises these, choosing the class from the Rust error in one place
(``lvs-py/src/errors.rs``). Where a builtin exception says the same thing, the class derives
from it too: permission problems are ``PermissionError``, timeouts ``TimeoutError``, invalid
input and rule syntax ``ValueError``, system-call failures ``OSError``.
"""

from __future__ import annotations

from lvs._enums import DaemonRole, ErrorKind, Outcome

# `typing` and `ipaddress` (and what it imports) costs more at start-up than the rest of lvs: the
# annotations are strings (`from __future__ import annotations`), so only type checkers,
# which take any `TYPE_CHECKING` as true, import it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ipaddress import IPv4Address, IPv6Address
    from typing import Any, Optional, Tuple, Union

    from lvs._lvs import ServiceKey

    _Address = Union[IPv4Address, IPv6Address]


class LvsError(Exception):
    """Any error of lvs.

    Attributes:
        errno: the errno the kernel answered, or the one it answers for the same mistake
            when the in-memory backend or lvs's own checks refused it (``EINVAL`` for rule
            text); ``None`` only when no errno applies.
        kind: the :class:`ErrorKind`.
        kernel_message: the kernel's extended-ack text, when it sent one.
        index: for :meth:`IpvsHandle.apply`, the position of the failed operation.
        outcomes: for :meth:`IpvsHandle.apply`, an :class:`Outcome` per operation.
        rolled_back: for :meth:`IpvsHandle.apply_plan`, whether every change the plan
            made was undone (the table is as it was); ``None`` elsewhere.
    """

    errno: Optional[int]
    kind: ErrorKind
    kernel_message: Optional[str]
    index: Optional[int]
    outcomes: Optional[Tuple[Outcome, ...]]
    rolled_back: Optional[bool]

    def __init__(
        self,
        message: str,
        *,
        errno: Optional[int] = None,
        kind: ErrorKind = ErrorKind.OTHER,
        kernel_message: Optional[str] = None,
        index: Optional[int] = None,
        outcomes: Optional[Tuple[Outcome, ...]] = None,
        rolled_back: Optional[bool] = None,
    ) -> None:
        super().__init__(message)
        self.errno = errno
        self.kind = kind
        self.kernel_message = kernel_message
        self.index = index
        self.outcomes = outcomes
        self.rolled_back = rolled_back

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> Tuple[Any, ...]:
        # Rebuilt from the message, then every attribute is set back (by
        # BaseException.__setstate__), so a copy or an unpickled error (e.g. from a
        # multiprocessing worker) has the same attributes. ``errno`` is named explicitly:
        # the classes that are also OSError keep it in a slot, not in ``__dict__``.
        state = dict(self.__dict__)
        state["errno"] = self.errno
        return (self.__class__, self.args[:1], state)


class NotFound(LvsError):
    """Something the request names does not exist."""


class ServiceNotFound(NotFound):
    """The service does not exist (kernel: ESRCH). ``service`` is its key."""

    def __init__(self, message: str, *, service: Optional[ServiceKey] = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.service = service


class ServerNotFound(NotFound):
    """The real server is not in the service (kernel: ENOENT).

    ``service`` is the service's key, ``server`` the ``(address, port)`` of the server.
    """

    def __init__(
        self,
        message: str,
        *,
        service: Optional[ServiceKey] = None,
        server: Optional[Tuple[_Address, int]] = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.service = service
        self.server = server


class SchedulerNotFound(NotFound):
    """The scheduler or persistence engine is not available (kernel: ENOENT). ``name`` is
    the one that is missing (the kernel does not say which; lvs names the unusual one)."""

    def __init__(self, message: str, *, name: Optional[str] = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.name = name


class DaemonNotRunning(NotFound):
    """No sync daemon of this ``role`` runs (kernel: ESRCH)."""

    def __init__(self, message: str, *, role: Optional[DaemonRole] = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.role = role


class InterfaceNotFound(NotFound):
    """The sync daemon's ``interface`` does not exist (kernel: ENODEV)."""

    def __init__(self, message: str, *, interface: Optional[str] = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.interface = interface


class AlreadyExists(LvsError):
    """The thing to add exists already (kernel: EEXIST)."""


class ServiceExists(AlreadyExists):
    """A service with this key exists already. ``service`` is its key."""

    def __init__(self, message: str, *, service: Optional[ServiceKey] = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.service = service


class ServerExists(AlreadyExists):
    """The real server is in the service already.

    ``service`` is the service's key, ``server`` the ``(address, port)`` of the server.
    """

    def __init__(
        self,
        message: str,
        *,
        service: Optional[ServiceKey] = None,
        server: Optional[Tuple[_Address, int]] = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.service = service
        self.server = server


class DaemonRunning(AlreadyExists):
    """A sync daemon of this ``role`` runs already."""

    def __init__(self, message: str, *, role: Optional[DaemonRole] = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.role = role


class InvalidInput(LvsError, ValueError):
    """A value the kernel refuses (kernel: EINVAL). ``field`` names it in the model
    (``"scheduler"``, ``"netmask"``, ``"address"``, ...), or is ``None`` when the kernel
    did not say."""

    def __init__(self, message: str, *, field: Optional[str] = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.field = field


class OutOfRange(InvalidInput):
    """A number outside what the kernel accepts (kernel: ERANGE). ``value`` is the number."""

    def __init__(self, message: str, *, value: Optional[int] = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.value = value


class SysctlRefused(InvalidInput):
    """The kernel refused a value lvs let through for a sysctl (kernel: EINVAL or ERANGE),
    such as a CPU the machine does not have. ``name`` (also ``field``) is the knob,
    ``value`` the text written."""

    def __init__(
        self,
        message: str,
        *,
        name: Optional[str] = None,
        value: Optional[str] = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.name = name
        self.value = value


class RuleSyntaxError(LvsError, ValueError):
    """Rule text that ipvsadm would refuse.

    ``line`` and ``column`` count from 1 (the column in characters, at the offending
    ``token``); ``expected`` says what would have been accepted there.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int = 0,
        column: int = 0,
        token: str = "",
        expected: str = "",
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.line = line
        self.column = column
        self.token = token
        self.expected = expected


class Unsupported(LvsError):
    """The kernel (or this build) does not support the request."""


class SysctlUnavailable(Unsupported):
    """The network namespace has no such ``net.ipv4.vs`` sysctl (kernel: ENOENT): the
    kernel is older or newer than the knob, was built without it, or the scheduler module
    that brings it is not loaded. ``name`` is the knob (without the ``net.ipv4.vs.``
    prefix), ``kernel`` the running kernel's release when known."""

    def __init__(
        self,
        message: str,
        *,
        name: Optional[str] = None,
        kernel: Optional[str] = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.name = name
        self.kernel = kernel


class IpvsUnavailable(LvsError):
    """The kernel has no IPVS: the ``ip_vs`` module is not loaded and cannot be loaded."""


class LvsPermissionError(LvsError, PermissionError):
    """The caller lacks CAP_NET_ADMIN in the network namespace (every IPVS command needs
    it, reads included)."""


class TimedOut(LvsError, TimeoutError):
    """The kernel did not answer within the handle's timeout."""


class LvsOSError(LvsError, OSError):
    """A system call failed (the socket, or entering the network namespace)."""


__all__ = [
    "AlreadyExists",
    "DaemonNotRunning",
    "DaemonRunning",
    "InterfaceNotFound",
    "InvalidInput",
    "IpvsUnavailable",
    "LvsError",
    "LvsOSError",
    "LvsPermissionError",
    "NotFound",
    "OutOfRange",
    "RuleSyntaxError",
    "SchedulerNotFound",
    "ServerExists",
    "ServerNotFound",
    "ServiceExists",
    "ServiceNotFound",
    "SysctlRefused",
    "SysctlUnavailable",
    "TimedOut",
    "Unsupported",
]
