"""lvs for asyncio: the handles' calls as coroutines that run in a worker thread.

There is no second implementation: each coroutine runs the same blocking call of the
wrapped :class:`lvs.IpvsHandle` with :func:`asyncio.to_thread`, and the native side
releases the GIL around every kernel request, so the event loop keeps running while the
kernel answers. Values and exceptions are those of :mod:`lvs`.

Example::

    import asyncio
    import lvs.aio

    async def main() -> None:
        async with lvs.aio.MemoryIpvs() as ipvs:
            await ipvs.apply("-A -t 192.0.2.10:80 -s rr\\n")
            print(await ipvs.list())

    asyncio.run(main())
"""

from __future__ import annotations

import asyncio
import os
from ipaddress import IPv4Address, IPv6Address
from types import TracebackType
from typing import Dict, Iterable, List, Literal, Mapping, Optional, Tuple, Type, Union

import lvs

_Table = Union[str, Iterable[lvs.VirtualService]]
_Address = Union[str, IPv4Address, IPv6Address]
_Server = Union[lvs.RealServer, Tuple[_Address, int]]
_SysctlValue = Union[int, Tuple[int, int], str]
_ListFormatArg = Union[
    lvs.ListFormat,
    Literal["default", "stats", "rate", "thresholds", "persistent-conn", "tun-info"],
]


class AsyncIpvs:
    """An :class:`lvs.IpvsHandle` whose calls are coroutines, each run in a worker thread.

    ``AsyncIpvs(handle)`` wraps an open handle (an :class:`lvs.Ipvs` or
    :class:`lvs.MemoryIpvs`); :class:`Ipvs` and :class:`MemoryIpvs` open one. ``async
    with`` closes it on exit. The methods take the arguments of the handle's methods of
    the same name and return what they return.
    """

    def __init__(self, handle: lvs.IpvsHandle) -> None:
        if not isinstance(handle, lvs.IpvsHandle):
            raise TypeError(
                f"handle must be an lvs.Ipvs or lvs.MemoryIpvs, not {type(handle).__name__}"
            )
        self._handle = handle

    @property
    def handle(self) -> lvs.IpvsHandle:
        """The wrapped blocking handle."""
        return self._handle

    @property
    def closed(self) -> bool:
        """Whether the handle was closed."""
        return self._handle.closed

    def close(self) -> None:
        """Closes the handle (no I/O: it releases the socket)."""
        self._handle.close()

    async def __aenter__(self) -> AsyncIpvs:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()

    async def info(self) -> lvs.KernelInfo:
        """The IPVS version and connection table size."""
        return await asyncio.to_thread(self._handle.info)

    async def add_service(self, service: lvs.Service) -> None:
        """Adds a service (``ipvsadm -A``)."""
        await asyncio.to_thread(self._handle.add_service, service)

    async def edit_service(self, service: lvs.Service) -> None:
        """Replaces a service's settings (``ipvsadm -E``)."""
        await asyncio.to_thread(self._handle.edit_service, service)

    async def delete_service(self, service: Union[lvs.ServiceKey, lvs.Service]) -> None:
        """Deletes a service with its real servers (``ipvsadm -D``)."""
        await asyncio.to_thread(self._handle.delete_service, service)

    async def service(self, service: Union[lvs.ServiceKey, lvs.Service]) -> lvs.ServiceEntry:
        """One service with its counters."""
        return await asyncio.to_thread(self._handle.service, service)

    async def services(self) -> List[lvs.ServiceEntry]:
        """Every service with its counters."""
        return await asyncio.to_thread(self._handle.services)

    async def servers(
        self, service: Union[lvs.ServiceKey, lvs.Service]
    ) -> List[lvs.RealServerEntry]:
        """The real servers of a service with their counters."""
        return await asyncio.to_thread(self._handle.servers, service)

    async def add_server(
        self, service: Union[lvs.ServiceKey, lvs.Service], server: lvs.RealServer
    ) -> None:
        """Adds a real server to a service (``ipvsadm -a``)."""
        await asyncio.to_thread(self._handle.add_server, service, server)

    async def edit_server(
        self, service: Union[lvs.ServiceKey, lvs.Service], server: lvs.RealServer
    ) -> None:
        """Replaces a real server's settings (``ipvsadm -e``)."""
        await asyncio.to_thread(self._handle.edit_server, service, server)

    async def delete_server(
        self,
        service: Union[lvs.ServiceKey, lvs.Service],
        server: _Server,
    ) -> None:
        """Removes a real server from a service (``ipvsadm -d``)."""
        await asyncio.to_thread(self._handle.delete_server, service, server)

    async def flush(self) -> None:
        """Deletes every service (``ipvsadm -C``)."""
        await asyncio.to_thread(self._handle.flush)

    async def zero(self, service: Union[lvs.ServiceKey, lvs.Service, None] = None) -> None:
        """Zeroes the counters of one service, or of everything (``ipvsadm -Z``)."""
        await asyncio.to_thread(self._handle.zero, service)

    async def timeouts(self) -> lvs.Timeouts:
        """The connection timeouts."""
        return await asyncio.to_thread(self._handle.timeouts)

    async def set_timeouts(self, timeouts: lvs.Timeouts) -> None:
        """Sets the connection timeouts (``ipvsadm --set``)."""
        await asyncio.to_thread(self._handle.set_timeouts, timeouts)

    async def start_daemon(self, daemon: lvs.SyncDaemon) -> None:
        """Starts a connection-sync daemon (``ipvsadm --start-daemon``)."""
        await asyncio.to_thread(self._handle.start_daemon, daemon)

    async def stop_daemon(self, role: Union[lvs.DaemonRole, int]) -> None:
        """Stops the sync daemon of a role (``ipvsadm --stop-daemon``)."""
        await asyncio.to_thread(self._handle.stop_daemon, role)

    async def daemons(self) -> List[lvs.SyncDaemon]:
        """The running sync daemons."""
        return await asyncio.to_thread(self._handle.daemons)

    async def sysctl(self, name: str) -> _SysctlValue:
        """The sysctl ``net.ipv4.vs.NAME`` of the handle's network namespace."""
        return await asyncio.to_thread(self._handle.sysctl, name)

    async def set_sysctl(self, name: str, value: Union[_SysctlValue, bool]) -> None:
        """Sets the sysctl ``net.ipv4.vs.NAME`` of the handle's network namespace."""
        await asyncio.to_thread(self._handle.set_sysctl, name, value)

    async def sysctls(self) -> Dict[str, _SysctlValue]:
        """Every ``net.ipv4.vs`` sysctl of the handle's network namespace, by name."""
        return await asyncio.to_thread(self._handle.sysctls)

    async def apply(self, operations: Union[str, Iterable[lvs.Operation]]) -> None:
        """Applies operations or rule text in order (see :meth:`lvs.IpvsHandle.apply`)."""
        # An iterator is read here, on the loop's thread, not inside the worker.
        ops = operations if isinstance(operations, str) else list(operations)
        await asyncio.to_thread(self._handle.apply, ops)

    async def table(self) -> List[lvs.VirtualService]:
        """The table's configuration, services with their real servers."""
        return await asyncio.to_thread(self._handle.table)

    async def save(self, *, ipvsadm: bool = False, sysctls: bool = False) -> str:
        """The table as rule text (see :meth:`lvs.IpvsHandle.save`)."""
        return await asyncio.to_thread(self._handle.save, ipvsadm=ipvsadm, sysctls=sysctls)

    async def connections(
        self,
        service: Union[lvs.ServiceKey, lvs.Service, None] = None,
        server: Union[_Server, _Address, None] = None,
        *,
        templates: Optional[bool] = None,
        origin: bool = False,
    ) -> List[lvs.Connection]:
        """The entries of the connection table, read whole in the worker thread (see
        :meth:`lvs.IpvsHandle.connections` for the filters)."""

        def read() -> List[lvs.Connection]:
            return list(
                self._handle.connections(service, server, templates=templates, origin=origin)
            )

        return await asyncio.to_thread(read)

    async def plan(
        self,
        desired: _Table,
        *,
        scope: Optional[lvs.Scope] = None,
        drain: bool = False,
        expire_connections: bool = False,
    ) -> lvs.LivePlan:
        """Plans the way to ``desired`` (see :meth:`lvs.IpvsHandle.plan`)."""
        table = desired if isinstance(desired, str) else list(desired)
        return await asyncio.to_thread(
            self._handle.plan,
            table,
            scope=scope,
            drain=drain,
            expire_connections=expire_connections,
        )

    async def diff(
        self,
        desired: _Table,
        *,
        scope: Optional[lvs.Scope] = None,
        drain: bool = False,
        expire_connections: bool = False,
    ) -> str:
        """The rule text of the plan to ``desired`` (see :meth:`lvs.IpvsHandle.diff`)."""
        table = desired if isinstance(desired, str) else list(desired)
        return await asyncio.to_thread(
            self._handle.diff,
            table,
            scope=scope,
            drain=drain,
            expire_connections=expire_connections,
        )

    async def apply_plan(self, plan: lvs.LivePlan) -> None:
        """Applies a plan all or nothing (see :meth:`lvs.IpvsHandle.apply_plan`)."""
        await asyncio.to_thread(self._handle.apply_plan, plan)

    async def apply_desired(
        self,
        desired: _Table,
        *,
        scope: Optional[lvs.Scope] = None,
        drain: bool = False,
        expire_connections: bool = False,
    ) -> lvs.LivePlan:
        """Plans and applies the way to ``desired`` (see
        :meth:`lvs.IpvsHandle.apply_desired`)."""
        table = desired if isinstance(desired, str) else list(desired)
        return await asyncio.to_thread(
            self._handle.apply_desired,
            table,
            scope=scope,
            drain=drain,
            expire_connections=expire_connections,
        )

    async def list(
        self,
        service: Union[lvs.ServiceKey, lvs.Service, None] = None,
        *,
        format: Optional[_ListFormatArg] = None,
        exact: bool = False,
    ) -> str:
        """The table as ``ipvsadm -L -n`` lists it (see :meth:`lvs.IpvsHandle.list`)."""
        return await asyncio.to_thread(self._handle.list, service, format=format, exact=exact)

    async def list_timeouts(self) -> str:
        """The timeouts as ``ipvsadm -L --timeout`` lists them."""
        return await asyncio.to_thread(self._handle.list_timeouts)

    async def list_daemons(self) -> str:
        """The sync daemons as ``ipvsadm -L --daemon`` lists them."""
        return await asyncio.to_thread(self._handle.list_daemons)


class Ipvs(AsyncIpvs):
    """The kernel's IPVS table (:class:`lvs.Ipvs`) for asyncio.

    ``Ipvs(netns=None, *, timeout=10.0)`` opens the handle at once (one netlink socket);
    ``await Ipvs.open(...)`` opens it in the worker thread instead.
    """

    def __init__(
        self, netns: Union[str, "os.PathLike[str]", None] = None, *, timeout: float = 10.0
    ) -> None:
        super().__init__(lvs.Ipvs(netns, timeout=timeout))

    @classmethod
    async def open(
        cls, netns: Union[str, "os.PathLike[str]", None] = None, *, timeout: float = 10.0
    ) -> Ipvs:
        """Opens the handle in the worker thread."""
        handle = await asyncio.to_thread(lvs.Ipvs, netns, timeout=timeout)
        opened = cls.__new__(cls)
        AsyncIpvs.__init__(opened, handle)
        return opened

    @property
    def netns(self) -> Optional[str]:
        """The network namespace path given when opening, or ``None``."""
        handle = self._handle
        assert isinstance(handle, lvs.Ipvs)
        return handle.netns


class MemoryIpvs(AsyncIpvs):
    """An in-memory table (:class:`lvs.MemoryIpvs`) for asyncio, with the same keyword
    arguments."""

    def __init__(
        self,
        *,
        interfaces: Optional[Iterable[str]] = None,
        kernel: Optional[Tuple[int, int]] = None,
        cpus: int = 1,
        sysctls: Optional[Mapping[str, Union[_SysctlValue, bool]]] = None,
    ) -> None:
        super().__init__(
            lvs.MemoryIpvs(interfaces=interfaces, kernel=kernel, cpus=cpus, sysctls=sysctls)
        )


__all__ = ["AsyncIpvs", "Ipvs", "MemoryIpvs"]
