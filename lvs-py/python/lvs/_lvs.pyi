"""Types of the native module ``lvs._lvs`` (checked against it by ``mypy.stubtest``)."""

import builtins
import os
from collections.abc import Iterable, Iterator, Mapping
from ipaddress import IPv4Address, IPv6Address
from types import TracebackType
from typing import Any, Literal, final

from typing_extensions import Self, disjoint_base

from lvs._enums import (
    DaemonRole,
    Family,
    ForwardMethod,
    ListFormat,
    Protocol,
    SchedFlags,
    Scheduler,
    TunnelChecksum,
    TunnelKind,
)

_AddressArg = str | IPv4Address | IPv6Address
_Address = IPv4Address | IPv6Address
_Key = ServiceKey | Service
# A sysctl's value as read: an int, sync_threshold's (threshold, period), or a str (a CPU
# list, or a knob lvs does not know); to set, a bool or a str read as the knob's kind too.
_SysctlValue = int | tuple[int, int] | str
_SysctlArg = int | bool | tuple[int, int] | list[int] | str
# A table to plan from or towards: rule text, or the services with their real servers.
_TableArg = str | Iterable[VirtualService]
_ListFormatArg = (
    ListFormat
    | Literal["default", "stats", "rate", "thresholds", "persistent-conn", "tun-info"]
)

__version__: str

__all__ = [
    "Connection",
    "Connections",
    "DrainingServer",
    "Ipvs",
    "IpvsHandle",
    "KernelInfo",
    "LivePlan",
    "MemoryIpvs",
    "Operation",
    "Persistence",
    "Plan",
    "RealServer",
    "RealServerEntry",
    "Service",
    "ServiceEntry",
    "ServiceKey",
    "Scope",
    "Stats",
    "SyncDaemon",
    "Timeouts",
    "Tunnel",
    "VirtualService",
    "__version__",
    "_check_names",
    "load_rules",
    "parse_rules",
    "plan",
    "save_rules",
]

@final
class ServiceKey:
    """What identifies a virtual service. Keys order as ipvsadm lists services."""

    def __new__(cls, protocol: Protocol | int, address: _AddressArg, port: int) -> Self: ...
    @staticmethod
    def tcp(address: _AddressArg, port: int) -> ServiceKey:
        """A TCP service on an address and port."""
    @staticmethod
    def udp(address: _AddressArg, port: int) -> ServiceKey:
        """A UDP service on an address and port."""
    @staticmethod
    def sctp(address: _AddressArg, port: int) -> ServiceKey:
        """An SCTP service on an address and port."""
    @staticmethod
    def fwmark(mark: int, family: Family | int | None = None) -> ServiceKey:
        """A firewall-mark service (marks are 1..4294967295) for IPv4 or IPv6 traffic."""
    @property
    def protocol(self) -> Protocol | None:
        """The transport protocol (`None` for a firewall-mark service)."""
    @property
    def address(self) -> _Address | None:
        """The virtual address as an `ipaddress` object (`None` for a firewall-mark service)."""
    @property
    def port(self) -> int | None:
        """The virtual port (`None` for a firewall-mark service)."""
    @property
    def mark(self) -> int | None:
        """The firewall mark (`None` for an address service)."""
    @property
    def family(self) -> Family:
        """The address family of the service."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __lt__(self, other: ServiceKey, /) -> bool: ...
    def __le__(self, other: ServiceKey, /) -> bool: ...
    def __gt__(self, other: ServiceKey, /) -> bool: ...
    def __ge__(self, other: ServiceKey, /) -> bool: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class Persistence:
    """Persistence settings of a service.

    An int ``netmask`` is a prefix length on both families: ``Persistence(300, 24)`` on an
    IPv4 service is the mask 255.255.255.0.
    """

    def __new__(
        cls,
        timeout: int | None = None,
        netmask: str | IPv4Address | int | None = None,
        engine: str | None = None,
    ) -> Self: ...
    @property
    def timeout(self) -> int:
        """Seconds a client's affinity lasts after its last connection."""
    @property
    def netmask(self) -> IPv4Address | int | None:
        """The client grouping: an `IPv4Address` mask, an IPv6 prefix length, or `None` for
        the full mask.
        """
    @property
    def engine(self) -> str | None:
        """The persistence engine (`"sip"`), or `None`."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class Service:
    """A virtual service."""

    def __new__(
        cls,
        key: ServiceKey,
        *,
        scheduler: Scheduler | str | None = None,
        persistence: Persistence | None = None,
        one_packet: bool = False,
        sched_flags: SchedFlags | int | None = None,
    ) -> Self: ...
    @property
    def key(self) -> ServiceKey:
        """The service's key."""
    @property
    def scheduler(self) -> Scheduler:
        """The scheduler (a `Scheduler` member; unknown names become pseudo-members)."""
    @property
    def persistence(self) -> Persistence | None:
        """The persistence settings, or `None` if the service is not persistent."""
    @property
    def one_packet(self) -> bool:
        """Whether one-packet scheduling is on (UDP and firewall-mark services)."""
    @property
    def sched_flags(self) -> SchedFlags:
        """The scheduler flags (`SchedFlags`, such as `SchedFlags.SH_PORT`)."""
    @property
    def flags(self) -> int:
        """The raw flags word (`IP_VS_SVC_F_*`) without `HASHED`, unknown bits included."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class Tunnel:
    """The encapsulation of a tunnelled real server."""

    def __new__(
        cls,
        kind: TunnelKind | int | None = None,
        port: int | None = None,
        checksum: TunnelChecksum | int | None = None,
    ) -> Self: ...
    @staticmethod
    def ipip() -> Tunnel:
        """Plain IP-in-IP (ipvsadm's `-i`)."""
    @staticmethod
    def gue(port: int, checksum: TunnelChecksum | int | None = None) -> Tunnel:
        """Generic UDP Encapsulation to a UDP port."""
    @staticmethod
    def gre(checksum: TunnelChecksum | int | None = None) -> Tunnel:
        """GRE."""
    @property
    def kind(self) -> TunnelKind:
        """The encapsulation (`TunnelKind`)."""
    @property
    def port(self) -> int | None:
        """The GUE destination port (`None` for IP-in-IP and GRE)."""
    @property
    def checksum(self) -> TunnelChecksum:
        """The checksum mode (`TunnelChecksum`)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class RealServer:
    """A real server of a virtual service."""

    def __new__(
        cls,
        address: _AddressArg,
        port: int,
        *,
        forward: ForwardMethod | int | None = None,
        tunnel: Tunnel | None = None,
        weight: int | None = None,
        upper_threshold: int | None = None,
        lower_threshold: int | None = None,
    ) -> Self: ...
    def replace(
        self,
        *,
        forward: ForwardMethod | int | None = None,
        tunnel: Tunnel | None = None,
        weight: int | None = None,
        upper_threshold: int | None = None,
        lower_threshold: int | None = None,
    ) -> RealServer:
        """A copy with some settings changed (those given), e.g. `server.replace(weight=0)`."""
    @property
    def address(self) -> _Address:
        """The server's address as an `ipaddress` object."""
    @property
    def port(self) -> int:
        """The server's port."""
    @property
    def forward(self) -> ForwardMethod:
        """How packets reach the server (`ForwardMethod`)."""
    @property
    def tunnel(self) -> Tunnel | None:
        """The tunnel of a tunnelled server, else `None`."""
    @property
    def weight(self) -> int:
        """The relative weight; 0 takes no new connections."""
    @property
    def upper_threshold(self) -> int:
        """Above this many connections the server takes no new ones (0: no limit)."""
    @property
    def lower_threshold(self) -> int:
        """Below this many connections an overloaded server is used again."""
    @property
    def family(self) -> Family:
        """The address family (`Family`)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __lt__(self, other: RealServer, /) -> bool: ...
    def __le__(self, other: RealServer, /) -> bool: ...
    def __gt__(self, other: RealServer, /) -> bool: ...
    def __ge__(self, other: RealServer, /) -> bool: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class Timeouts:
    """Connection timeouts in seconds; 0 leaves a value unchanged when setting."""

    def __new__(
        cls, *, tcp: int | None = None, tcp_fin: int | None = None, udp: int | None = None
    ) -> Self: ...
    @property
    def tcp(self) -> int:
        """TCP established connections."""
    @property
    def tcp_fin(self) -> int:
        """TCP connections after a FIN."""
    @property
    def udp(self) -> int:
        """UDP."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class SyncDaemon:
    """A connection-sync daemon."""

    def __new__(
        cls,
        role: DaemonRole | int,
        interface: str,
        *,
        sync_id: int | None = None,
        max_len: int | None = None,
        group: _AddressArg | None = None,
        port: int | None = None,
        ttl: int | None = None,
    ) -> Self: ...
    @property
    def role(self) -> DaemonRole:
        """Master (sends) or backup (receives), a `DaemonRole`."""
    @property
    def interface(self) -> str:
        """The interface the sync messages use."""
    @property
    def sync_id(self) -> int:
        """The sync id, so that several director pairs can share a segment."""
    @property
    def max_len(self) -> int | None:
        """The maximum payload of a sync message, or `None` for the kernel's choice."""
    @property
    def group(self) -> _Address | None:
        """The multicast group as an `ipaddress` object, or `None` for the kernel's default."""
    @property
    def port(self) -> int | None:
        """The UDP port, or `None` for the kernel's default."""
    @property
    def ttl(self) -> int | None:
        """The multicast TTL, or `None` for the kernel's default."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class KernelInfo:
    """IPVS version and connection table size."""

    def __new__(cls, *, version_code: int, conn_table_size: int) -> Self: ...
    @property
    def version(self) -> tuple[int, int, int]:
        """The IPVS version as `(major, minor, patch)`, e.g. `(1, 2, 1)`."""
    @property
    def version_code(self) -> int:
        """The version code, `(major << 16) | (minor << 8) | patch`."""
    @property
    def conn_table_size(self) -> int:
        """The size of the connection hash table."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class Stats:
    """Counters and rates."""

    def __new__(
        cls,
        *,
        conns: int = 0,
        in_packets: int = 0,
        out_packets: int = 0,
        in_bytes: int = 0,
        out_bytes: int = 0,
        cps: int = 0,
        in_pps: int = 0,
        out_pps: int = 0,
        in_bps: int = 0,
        out_bps: int = 0,
    ) -> Self: ...
    @property
    def conns(self) -> int:
        """Connections scheduled."""
    @property
    def in_packets(self) -> int:
        """Packets from clients."""
    @property
    def out_packets(self) -> int:
        """Packets to clients (0 for direct routing and tunnels: replies bypass the director)."""
    @property
    def in_bytes(self) -> int:
        """Bytes from clients."""
    @property
    def out_bytes(self) -> int:
        """Bytes to clients."""
    @property
    def cps(self) -> int:
        """Connections per second."""
    @property
    def in_pps(self) -> int:
        """Packets from clients per second."""
    @property
    def out_pps(self) -> int:
        """Packets to clients per second."""
    @property
    def in_bps(self) -> int:
        """Bytes from clients per second."""
    @property
    def out_bps(self) -> int:
        """Bytes to clients per second."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class ServiceEntry:
    """A listed service with its counters."""

    def __new__(cls, service: Service, stats: Stats | None = None) -> Self: ...
    @property
    def service(self) -> Service:
        """The service."""
    @property
    def stats(self) -> Stats:
        """Its counters and rates."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class RealServerEntry:
    """A listed real server with its connection counts and counters."""

    def __new__(
        cls,
        server: RealServer,
        *,
        active_conns: int | None = None,
        inactive_conns: int | None = None,
        persistent_conns: int | None = None,
        stats: Stats | None = None,
    ) -> Self: ...
    @property
    def server(self) -> RealServer:
        """The real server."""
    @property
    def active_conns(self) -> int:
        """Connections in an active state (for TCP: established)."""
    @property
    def inactive_conns(self) -> int:
        """Connections in other states."""
    @property
    def persistent_conns(self) -> int:
        """Persistence templates pointing at the server."""
    @property
    def stats(self) -> Stats:
        """Its counters and rates."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class VirtualService:
    """A service with its real servers, as rule text saves it."""

    def __new__(cls, service: Service, servers: Iterable[RealServer] | None = None) -> Self: ...
    @property
    def service(self) -> Service:
        """The service."""
    @property
    def servers(self) -> tuple[RealServer, ...]:
        """Its real servers, a tuple of `RealServer`."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class Connection:
    """One entry of the kernel's connection table (``ipvsadm -L -n -c``): a client's
    connection through a virtual service to a real server, or a persistence template.

    ``protocol`` and ``state`` are the kernel's names (``"TCP"``, ``"ESTABLISHED"``); the
    endpoints are ``(address, port)`` tuples; ``expires`` is in seconds. ``template`` is
    true for persistence templates (client port 0). ``origin`` is ``"LOCAL"`` or ``"SYNC"``
    when read with ``origin=True``, else ``None``.
    """

    def __new__(
        cls,
        protocol: str,
        client: tuple[_AddressArg, int],
        virtual: tuple[_AddressArg, int],
        destination: tuple[_AddressArg, int],
        state: str,
        expires: int,
        *,
        pe_name: str | None = None,
        pe_data: str | None = None,
        origin: str | None = None,
    ) -> Self: ...
    @property
    def protocol(self) -> str:
        """The kernel's name: TCP, UDP, SCTP, IP (firewall-mark templates), ICMP, IP_<n>."""
    @property
    def client(self) -> tuple[_Address, int]:
        """The client's address and port (port 0 for a persistence template)."""
    @property
    def virtual(self) -> tuple[_Address, int]:
        """The virtual service's address and port (a firewall-mark template: the mark as
        an IPv4 address)."""
    @property
    def destination(self) -> tuple[_Address, int]:
        """The real server's address and port."""
    @property
    def state(self) -> str:
        """The protocol state by the kernel's name (ESTABLISHED, UDP, NONE, ...)."""
    @property
    def expires(self) -> int:
        """Seconds until the entry expires."""
    @property
    def template(self) -> bool:
        """Whether this is a persistence template rather than a client's connection."""
    @property
    def pe_name(self) -> str | None:
        """The persistence engine keeping data on the entry (such as ``"sip"``)."""
    @property
    def pe_data(self) -> str | None:
        """The persistence engine's data (such as a SIP Call-ID)."""
    @property
    def origin(self) -> str | None:
        """``"LOCAL"`` or ``"SYNC"`` when read with ``origin=True``, else ``None``."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class Connections:
    """The entries of a connection table, read from the kernel as they are iterated (a
    chunk at a time, without the GIL): the table is never held whole. It owns the open
    table, not the handle. A read error is raised after the entries read before it."""

    def __iter__(self) -> Self: ...
    def __next__(self) -> Connection: ...
    def close(self) -> None:
        """Stops reading and closes the table; later iteration yields nothing."""

@final
class Operation:
    """One change to an IPVS table."""

    @staticmethod
    def add_service(service: Service) -> Operation:
        """Add a service (`-A`)."""
    @staticmethod
    def edit_service(service: Service) -> Operation:
        """Replace a service's settings (`-E`); its key selects it."""
    @staticmethod
    def delete_service(service: _Key) -> Operation:
        """Delete a service and its real servers (`-D`)."""
    @staticmethod
    def add_server(service: _Key, server: RealServer) -> Operation:
        """Add a real server to a service (`-a`)."""
    @staticmethod
    def edit_server(service: _Key, server: RealServer) -> Operation:
        """Replace a real server's settings (`-e`); its address selects it."""
    @staticmethod
    def delete_server(
        service: _Key, server: RealServer | tuple[_AddressArg, int]
    ) -> Operation:
        """Remove a real server (a `RealServer` or an `(address, port)` tuple) from a service
        (`-d`).
        """
    @staticmethod
    def flush() -> Operation:
        """Delete every service (`-C`)."""
    @staticmethod
    def zero(service: _Key | None = None) -> Operation:
        """Zero the counters of one service, or of everything with `None` (`-Z`)."""
    @staticmethod
    def set_timeouts(timeouts: Timeouts) -> Operation:
        """Set the connection timeouts (`--set`)."""
    @staticmethod
    def start_daemon(daemon: SyncDaemon) -> Operation:
        """Start a sync daemon (`--start-daemon`)."""
    @staticmethod
    def stop_daemon(role: DaemonRole | int) -> Operation:
        """Stop the sync daemon of a role (`--stop-daemon`)."""
    @staticmethod
    def set_sysctl(name: str, value: _SysctlArg) -> Operation:
        """Set the sysctl ``net.ipv4.vs.NAME`` (``--lvs-sysctl NAME=VALUE``)."""
    @property
    def kind(self) -> str:
        """What the operation does: `"add_service"`, `"edit_service"`, `"delete_service"`,
        `"add_server"`, `"edit_server"`, `"delete_server"`, `"flush"`, `"zero"`,
        `"set_timeouts"`, `"start_daemon"`, `"stop_daemon"` or `"set_sysctl"`.
        """
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class Scope:
    """Which services a plan may read and change; the rest of the table belongs to someone
    else, and a plan never touches it. Combine scopes with ``|``; ``key in scope`` tells
    whether a plan in it may touch a service. ``Scope(addresses=..., fwmarks=...,
    services=..., all=False)`` is the union of those parts."""

    def __new__(
        cls,
        *,
        addresses: Iterable[_AddressArg] | None = None,
        fwmarks: Iterable[int] | None = None,
        services: Iterable[_Key] | None = None,
        all: bool = False,
    ) -> Self: ...
    @staticmethod
    def all() -> Scope:
        """Every service of the table: the plan makes the whole table the desired one."""
    @staticmethod
    def addresses(addresses: Iterable[_AddressArg]) -> Scope:
        """The services on these virtual addresses, whatever their protocol and port."""
    @staticmethod
    def fwmarks(marks: Iterable[int]) -> Scope:
        """The firewall-mark services with these marks, of either family."""
    @staticmethod
    def services(services: Iterable[_Key]) -> Scope:
        """Exactly these services."""
    def __contains__(self, service: _Key, /) -> bool:
        """Whether a plan in this scope may touch the service."""
    def __or__(self, other: Scope, /) -> Scope:
        """The services in this scope or in ``other``."""
    def __ror__(self, other: Scope, /) -> Scope: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class Plan:
    """The operations that take a table to a desired one, in the order to apply them.

    True when it changes something; ``len()`` is its number of operations, iterating it
    gives them; ``str()`` is its rule text. ``Plan(operations, draining)`` builds one by
    hand (operations as :meth:`IpvsHandle.apply` takes them).
    """

    def __new__(
        cls,
        operations: str | Iterable[Operation] | None = None,
        draining: Iterable[tuple[_Key, RealServer | tuple[_AddressArg, int]]] | None = None,
    ) -> Self: ...

    @property
    def operations(self) -> list[Operation]:
        """The operations, in the order to apply them."""
    @property
    def draining(self) -> list[tuple[ServiceKey, tuple[_Address, int]]]:
        """With ``drain=True``, the real servers being drained (weight 0 now, deleted by a
        later plan once idle), as ``(ServiceKey, (address, port))``."""
    def to_rules(self) -> str:
        """The plan as ipvsadm rule lines, one per operation: what ``lvsctl diff``
        prints. Raises :class:`RuleSyntaxError` for an operation no line can say."""
    def __len__(self) -> int: ...
    def __bool__(self) -> bool: ...
    def __iter__(self) -> Iterator[Operation]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _asdict(self) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class DrainingServer:
    """Where one draining real server stands, as :meth:`IpvsHandle.plan` with
    ``drain=True`` found it."""

    @property
    def service(self) -> ServiceKey:
        """The key of its service."""
    @property
    def server(self) -> tuple[_Address, int]:
        """Its ``(address, port)``."""
    @property
    def listed(self) -> RealServerEntry | None:
        """Its weight and connection counters from a fresh listing of its service, or
        ``None`` when the listing no longer has it."""
    @property
    def connections(self) -> int | None:
        """Client connections to it in the connection table (``None``: not read)."""
    @property
    def templates(self) -> int | None:
        """Persistence templates pointing at it in the connection table (``None``: not
        read)."""
    @property
    def idle(self) -> bool:
        """Whether it can go now (the plan has its delete): weight 0, no active or
        inactive connections, no client connection in the table."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...

@final
class LivePlan:
    """A plan made against a handle's table (:meth:`IpvsHandle.plan`), with what it was
    made from; :meth:`IpvsHandle.apply_plan` applies it all or nothing."""

    @property
    def current(self) -> list[VirtualService]:
        """The table the plan was made against (what a failed apply restores)."""
    @property
    def plan(self) -> Plan:
        """The operations."""
    @property
    def draining(self) -> list[DrainingServer]:
        """With ``drain=True``, where every draining real server stands."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@disjoint_base
class IpvsHandle:
    """The operations of an IPVS table, shared by Ipvs and MemoryIpvs."""

    def info(self) -> KernelInfo:
        """The IPVS version and connection table size."""
    def add_service(self, service: Service) -> None:
        """Adds a service (`ipvsadm -A`)."""
    def edit_service(self, service: Service) -> None:
        """Replaces a service's scheduler, persistence and flags (`ipvsadm -E`)."""
    def delete_service(self, service: _Key) -> None:
        """Deletes a service with its real servers (`ipvsadm -D`)."""
    def service(self, service: _Key) -> ServiceEntry:
        """One service with its counters; raises `ServiceNotFound` if it does not exist."""
    def services(self) -> builtins.list[ServiceEntry]:
        """Every service with its counters, a list of `ServiceEntry`."""
    def servers(self, service: _Key) -> builtins.list[RealServerEntry]:
        """The real servers of a service with their counters, a list of `RealServerEntry`
        (empty if the service does not exist, as the kernel answers).
        """
    def add_server(self, service: _Key, server: RealServer) -> None:
        """Adds a real server to a service (`ipvsadm -a`)."""
    def edit_server(self, service: _Key, server: RealServer) -> None:
        """Replaces a real server's forwarding, weight and thresholds (`ipvsadm -e`)."""
    def delete_server(self, service: _Key, server: RealServer | tuple[_AddressArg, int]) -> None:
        """Removes a real server (a `RealServer` or an `(address, port)` tuple) from a service
        (`ipvsadm -d`).
        """
    def flush(self) -> None:
        """Deletes every service (`ipvsadm -C`)."""
    def zero(self, service: _Key | None = None) -> None:
        """Zeroes the counters of one service, or of everything when `service` is `None`
        (`ipvsadm -Z`).
        """
    def timeouts(self) -> Timeouts:
        """The connection timeouts."""
    def set_timeouts(self, timeouts: Timeouts) -> None:
        """Sets the connection timeouts; zeros leave a value as it is (`ipvsadm --set`)."""
    def start_daemon(self, daemon: SyncDaemon) -> None:
        """Starts a connection-sync daemon (`ipvsadm --start-daemon`)."""
    def stop_daemon(self, role: DaemonRole | int) -> None:
        """Stops the sync daemon of a role (`ipvsadm --stop-daemon`)."""
    def daemons(self) -> builtins.list[SyncDaemon]:
        """The running sync daemons, master first, a list of `SyncDaemon`."""
    def sysctl(self, name: str) -> _SysctlValue:
        """The sysctl ``net.ipv4.vs.NAME`` of the handle's network namespace (``name`` with
        or without the prefix): an int, ``(threshold, period)`` for ``sync_threshold``, or a
        str (a CPU list, or a knob lvs does not know). Raises :class:`SysctlUnavailable`
        when the namespace has no such knob."""
    def set_sysctl(self, name: str, value: _SysctlArg) -> None:
        """Sets the sysctl ``net.ipv4.vs.NAME`` of the handle's network namespace. A knob lvs
        knows is checked against what the kernel takes first (:class:`OutOfRange` or
        :class:`InvalidInput`, ``field`` naming the knob; a str is read as the knob's kind);
        then :class:`SysctlUnavailable` when the namespace lacks it, :class:`SysctlRefused`
        when the kernel refuses the value. The knobs, their ranges and meanings:
        ``lvs_core::sysctl``'s table (README, "Sysctls")."""
    def sysctls(self) -> dict[str, _SysctlValue]:
        """Every ``net.ipv4.vs`` sysctl of the handle's network namespace, by name (without
        the prefix), in name order."""
    def apply(self, operations: str | Iterable[Operation]) -> None:
        """Applies operations in order: an iterable of `Operation`, or a block of ipvsadm rule
        text (`ipvsadm -R` input).

        They go in groups of 64 (the kernel handle sends a group per system call). As the
        kernel does with one system call, every operation of the group in which one fails is
        still attempted, and no later group is sent; `MemoryIpvs` follows the same rule, so
        both leave the same table. On failure it raises
        the failed operation's exception with `index` (its position) and `outcomes` (an
        `Outcome` per operation: applied, failed, not sent, or unknown).
        """
    def table(self) -> builtins.list[VirtualService]:
        """The table's configuration (services with their real servers, no counters) as a list
        of `VirtualService`, in ipvsadm's order.
        """
    def save(self, *, ipvsadm: bool = False, sysctls: bool = False) -> str:
        """The table as rule text. By default lossless, with the timeouts and sync daemons:
        applying the text to this table changes nothing (see `lvs.rules.save`). With
        `sysctls=True`, every `net.ipv4.vs` sysctl too, as `--lvs-sysctl` lines (without it
        none: a rule file states the knobs it means to set). With `ipvsadm=True`, only the
        services, exactly as `ipvsadm -S -n` prints them.
        """
    def connections(
        self,
        service: _Key | None = None,
        server: RealServer | tuple[_AddressArg, int] | _AddressArg | None = None,
        *,
        templates: bool | None = None,
        origin: bool = False,
    ) -> Connections:
        """The connection table of the handle's network namespace, read lazily.

        ``service`` keeps one service's entries (a firewall-mark service: its persistence
        templates only), ``server`` those to one real server (an address alone: any port),
        ``templates`` only templates (True) or only client connections (False);
        ``origin=True`` reads each entry's origin (without persistence engine columns).
        MemoryIpvs's table is always empty.
        """
    def plan(
        self,
        desired: _TableArg,
        *,
        scope: Scope | None = None,
        drain: bool = False,
        expire_connections: bool = False,
    ) -> LivePlan:
        """Plans the fewest operations that make this table ``desired`` (rule text or
        VirtualService values) within ``scope`` (``None``: the whole table), changing
        nothing: lvs's one planner against a live table, as ``lvsctl diff`` and C use.

        ``drain=True`` sets real servers to remove to weight 0 and deletes those already
        drained once idle; ``expire_connections=True`` deletes them now and needs
        ``net.ipv4.vs.expire_nodest_conn`` = 1 (stated in ``desired`` as
        ``--lvs-sysctl expire_nodest_conn=1``, or set), else :class:`InvalidInput`.
        """
    def diff(
        self,
        desired: _TableArg,
        *,
        scope: Scope | None = None,
        drain: bool = False,
        expire_connections: bool = False,
    ) -> str:
        """The rule text of :meth:`plan`'s operations (empty when the table is as
        desired): byte for byte what ``lvsctl diff`` prints with the same options."""
    def apply_plan(self, plan: LivePlan) -> None:
        """Applies a plan all or nothing: on a failure, what it changed is undone and the
        failed operation's exception raised with ``index``, ``outcomes`` and
        ``rolled_back`` (whether the table is back as it was)."""
    def apply_desired(
        self,
        desired: _TableArg,
        *,
        scope: Scope | None = None,
        drain: bool = False,
        expire_connections: bool = False,
    ) -> LivePlan:
        """:meth:`plan` and :meth:`apply_plan` in one call; returns the plan applied."""
    def list(
        self,
        service: _Key | None = None,
        *,
        format: _ListFormatArg | None = None,
        exact: bool = False,
    ) -> str:
        """The table (or one service) byte for byte as ``ipvsadm -L -n`` lists it with the
        same options: ``format`` the layout (``--stats``, ``--rate``, ``--thresholds``,
        ``--persistent-conn``, ``--tun-info``), ``exact`` full counters (``--exact``)."""
    def list_timeouts(self) -> str:
        """The connection timeouts as ``ipvsadm -L --timeout`` lists them."""
    def list_daemons(self) -> str:
        """The running sync daemons as ``ipvsadm -L --daemon`` lists them."""
    def close(self) -> None:
        """Releases the handle (the kernel handle's netlink socket). Closing twice is allowed."""
    @property
    def closed(self) -> bool:
        """Whether `close()` was called."""
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool: ...

@final
class Ipvs(IpvsHandle):
    """A handle on the kernel's IPVS table."""

    def __new__(
        cls, netns: str | os.PathLike[str] | None = None, *, timeout: float = 10.0
    ) -> Self: ...
    @property
    def netns(self) -> str | None:
        """The network namespace path given when opening, or `None`."""

@final
class MemoryIpvs(IpvsHandle):
    """An in-memory IPVS table that answers like the kernel's."""

    def __new__(
        cls,
        *,
        interfaces: Iterable[str] | None = None,
        kernel: tuple[int, int] | None = None,
        cpus: int = 1,
        sysctls: Mapping[str, _SysctlArg] | None = None,
    ) -> Self: ...

def parse_rules(text: str) -> list[Operation]:
    """Parses ipvsadm rule text (what `ipvsadm -R` reads) into a list of `Operation`.

    Blank lines and `#` comments are skipped. A line ipvsadm would refuse, or one that does
    not change the table (`-L`, `-S`, `-R`, `-h`, `-v`), raises `lvs.RuleSyntaxError` with
    its line and column.
    """
def load_rules(text: str) -> list[VirtualService]:
    """Reads saved rule text (`-A` and `-a` lines, as `ipvsadm -S` writes, and the `--set`,
    `--start-daemon` and `--lvs-sysctl` lines lvs's save adds) as a table: a list of
    `VirtualService` in the order of the text.
    """
def save_rules(
    table: Iterable[VirtualService],
    *,
    timeouts: Timeouts | None = None,
    daemons: Iterable[SyncDaemon] | None = None,
    sysctls: Mapping[str, _SysctlArg] | None = None,
    ipvsadm: bool = False,
) -> str:
    """Writes a table (an iterable of `VirtualService`) as rule text.

    By default the text is lossless: `load` (and `apply`) of it gives the same table, with
    lvs's `--lvs-...` options where ipvsadm has no word for a value, and `timeouts` (a
    `Timeouts`), `daemons` (an iterable of `SyncDaemon`) and `sysctls` (a mapping from knob
    name to value) as `--set`, `--start-daemon` and `--lvs-sysctl` lines when given. A name
    the text cannot carry (empty, too long, with a blank or control character), or a sysctl
    value its knob does not take, raises `lvs.RuleSyntaxError`. With `ipvsadm=True` the
    text is byte for byte `ipvsadm -S -n`'s, which loses what ipvsadm does not save; it has
    no timeouts, daemons or sysctls (giving them raises `ValueError`).
    """
def plan(
    current: _TableArg,
    desired: _TableArg,
    *,
    scope: Scope | None = None,
    drain: bool = False,
    expire_connections: bool = False,
) -> Plan:
    """The operations that turn the table ``current`` into ``desired`` within ``scope``:
    lvs's planner, pure (nothing is read or changed). Tables are rule text or iterables of
    :class:`VirtualService`; options as for :meth:`IpvsHandle.plan`."""
def _check_names() -> None:
    """Checks that the Python names the native module uses exist (called on import)."""
