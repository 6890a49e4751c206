"""lvs: Linux IPVS (LVS), the kernel's layer-4 load balancer, from Python.

The whole IPVS model as immutable, typed value objects (:class:`Service`,
:class:`RealServer`, :class:`Persistence`, :class:`Tunnel`, :class:`Timeouts`,
:class:`SyncDaemon`, :class:`Stats`, ...), two handles with the same methods
(:class:`Ipvs` for the kernel over generic netlink, optionally in a network namespace, and
:class:`MemoryIpvs`, an in-memory table that answers like the kernel), batches of
:class:`Operation` or ipvsadm rule text, :mod:`lvs.rules` to parse and save rule text, and
the kernel's connection table read lazily as :class:`Connection` values
(``IpvsHandle.connections()``).

Desired state: :func:`plan` (pure, over two tables) and :meth:`IpvsHandle.plan`,
:meth:`IpvsHandle.diff`, :meth:`IpvsHandle.apply_plan` and :meth:`IpvsHandle.apply_desired`
(against a live table, all or nothing) plan the fewest operations within a :class:`Scope`,
optionally draining removed real servers; :meth:`IpvsHandle.list` prints the table byte for
byte as ``ipvsadm -L -n`` does, in every :class:`ListFormat`. :mod:`lvs.aio` runs a
handle's calls in a thread for asyncio.

Errors are :class:`LvsError` subclasses carrying ``errno`` and ``kind``. Netlink I/O
releases the GIL, so handles can be used from threads. The ``net.ipv4.vs`` sysctls of a
handle's network namespace are read and set with :meth:`IpvsHandle.sysctl`,
:meth:`IpvsHandle.set_sysctl` and :meth:`IpvsHandle.sysctls`.

``lvs.__version__`` is the version of lvs the package was built from. The package's
distribution name is ``lvs-ipvs`` (``lvs`` on PyPI is an unrelated project); it imports as
``lvs``.

Example::

    import lvs

    with lvs.MemoryIpvs() as ipvs:
        web = lvs.ServiceKey.tcp("192.0.2.10", 80)
        ipvs.add_service(lvs.Service(web, scheduler=lvs.Scheduler.WRR))
        ipvs.add_server(web, lvs.RealServer("198.51.100.11", 8080, weight=3))
        print(ipvs.save())
"""

from lvs import rules
from lvs._enums import (
    DaemonRole,
    ErrorKind,
    Family,
    ForwardMethod,
    ListFormat,
    Outcome,
    Protocol,
    SchedFlags,
    Scheduler,
    TunnelChecksum,
    TunnelKind,
)
from lvs._errors import (
    AlreadyExists,
    DaemonNotRunning,
    DaemonRunning,
    InterfaceNotFound,
    InvalidInput,
    IpvsUnavailable,
    LvsError,
    LvsOSError,
    LvsPermissionError,
    NotFound,
    OutOfRange,
    RuleSyntaxError,
    SchedulerNotFound,
    ServerExists,
    ServerNotFound,
    ServiceExists,
    ServiceNotFound,
    SysctlRefused,
    SysctlUnavailable,
    TimedOut,
    Unsupported,
)
from lvs._lvs import (
    Connection,
    Connections,
    DrainingServer,
    Ipvs,
    IpvsHandle,
    KernelInfo,
    LivePlan,
    MemoryIpvs,
    Operation,
    Persistence,
    Plan,
    RealServer,
    RealServerEntry,
    Scope,
    Service,
    ServiceEntry,
    ServiceKey,
    Stats,
    SyncDaemon,
    Timeouts,
    Tunnel,
    VirtualService,
    __version__,
    plan,
)
from lvs._lvs import _check_names

# The native module names classes and enum members of lvs._enums and lvs._errors by
# string; checking every one of them here makes a rename fail on import, not on the rare
# error path that would use it.
_check_names()

__all__ = [
    "AlreadyExists",
    "Connection",
    "Connections",
    "DaemonNotRunning",
    "DaemonRole",
    "DaemonRunning",
    "DrainingServer",
    "ErrorKind",
    "Family",
    "ForwardMethod",
    "InterfaceNotFound",
    "InvalidInput",
    "Ipvs",
    "IpvsHandle",
    "IpvsUnavailable",
    "KernelInfo",
    "ListFormat",
    "LivePlan",
    "LvsError",
    "LvsOSError",
    "LvsPermissionError",
    "MemoryIpvs",
    "NotFound",
    "Operation",
    "Outcome",
    "OutOfRange",
    "Persistence",
    "Plan",
    "Protocol",
    "RealServer",
    "RealServerEntry",
    "RuleSyntaxError",
    "SchedFlags",
    "Scheduler",
    "SchedulerNotFound",
    "Scope",
    "ServerExists",
    "ServerNotFound",
    "Service",
    "ServiceEntry",
    "ServiceExists",
    "ServiceKey",
    "ServiceNotFound",
    "Stats",
    "SyncDaemon",
    "SysctlRefused",
    "SysctlUnavailable",
    "TimedOut",
    "Timeouts",
    "Tunnel",
    "TunnelChecksum",
    "TunnelKind",
    "Unsupported",
    "VirtualService",
    "__version__",
    "plan",
    "rules",
]
