"""IpvsHandle.list, list_timeouts and list_daemons on MemoryIpvs: ipvsadm -L -n's text,
written by lvs-core's formatters (the kernel suite compares them with ipvsadm itself)."""

import pytest

import lvs

RULES = (
    "-A -t 192.0.2.60:80 -s wrr -p 300\n"
    "-a -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 3\n"
    "-a -t 192.0.2.60:80 -r 198.51.100.62:80 -i -w 1\n"
    "-A -u 192.0.2.70:53 -s rr -o\n"
    "-A -f 7 -s sh -b sh-port\n"
    "-a -f 7 -r 198.51.100.71:0 -g -w 2\n"
)
BANNER = "IP Virtual Server version 1.2.1 (size=4096)\n"
DEFAULT_HEADER = (
    "Prot LocalAddress:Port Scheduler Flags\n"
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
)
WEB_DEFAULT = (
    "TCP  192.0.2.60:80 wrr persistent 300\n"
    "  -> 198.51.100.61:80             Masq    3      0          0         \n"
    "  -> 198.51.100.62:80             Tunnel  1      0          0         \n"
)
WEB = lvs.ServiceKey.tcp("192.0.2.60", 80)


@pytest.fixture
def ipvs() -> lvs.MemoryIpvs:
    handle = lvs.MemoryIpvs(interfaces=["eth0"])
    handle.apply(RULES)
    return handle


def test_default_listing_is_ipvsadms(ipvs: lvs.MemoryIpvs) -> None:
    assert ipvs.list() == (
        BANNER
        + DEFAULT_HEADER
        + WEB_DEFAULT
        + "UDP  192.0.2.70:53 rr ops\n"
        + "FWM  7 sh (sh-port)\n"
        # ipvsadm's "  -> %-28s %-7s %-6d %-10u %-10u".
        + f"  -> {'198.51.100.71:0':<28} Route   2      0          0         \n"
    )
    assert ipvs.list(WEB) == DEFAULT_HEADER + WEB_DEFAULT
    assert ipvs.list(lvs.Service(WEB)) == ipvs.list(WEB, format="default")


@pytest.mark.parametrize("format", [f.value for f in lvs.ListFormat])
def test_every_format_has_its_header_and_every_service(
    ipvs: lvs.MemoryIpvs, format: str
) -> None:
    listing = ipvs.list(format=format)  # type: ignore[arg-type]
    assert listing.startswith(BANNER)
    lines = listing.splitlines()
    assert len(lines) == 3 + 3 + 1 + 2, listing
    assert ipvs.list(WEB, format=lvs.ListFormat(format)) == "".join(
        line + "\n" for line in lines[1:3] + lines[3:6]
    )
    assert ipvs.list(format=format, exact=True) == listing  # type: ignore[arg-type]


def test_stats_and_rate_headers(ipvs: lvs.MemoryIpvs) -> None:
    stats = ipvs.list(WEB, format="stats").splitlines()
    assert stats[0].split() == ["Prot", "LocalAddress:Port", "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"]
    assert stats[2].split() == ["TCP", "192.0.2.60:80", "0", "0", "0", "0", "0"]
    rate = ipvs.list(WEB, format=lvs.ListFormat.RATE).splitlines()
    assert rate[0].split()[2:] == ["CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"]
    tun = ipvs.list(WEB, format="tun-info").splitlines()
    assert "TunnelInfo" in tun[1]
    thresholds = ipvs.list(WEB, format="thresholds").splitlines()
    assert thresholds[0].split()[2:] == ["Uthreshold", "Lthreshold", "ActiveConn", "InActConn"]
    persistent = ipvs.list(WEB, format="persistent-conn").splitlines()
    assert persistent[0].split()[2:] == ["Weight", "PersistConn", "ActiveConn", "InActConn"]


def test_timeouts_and_daemons(ipvs: lvs.MemoryIpvs) -> None:
    assert ipvs.list_timeouts() == "Timeout (tcp tcpfin udp): 900 120 300\n"
    ipvs.set_timeouts(lvs.Timeouts(tcp=600))
    assert ipvs.list_timeouts() == "Timeout (tcp tcpfin udp): 600 120 300\n"
    assert ipvs.list_daemons() == ""
    ipvs.start_daemon(lvs.SyncDaemon(lvs.DaemonRole.MASTER, "eth0", sync_id=5))
    assert ipvs.list_daemons().startswith("master sync daemon (mcast=eth0, syncid=5")


def test_listing_refusals_are_typed(ipvs: lvs.MemoryIpvs) -> None:
    with pytest.raises(lvs.InvalidInput) as bad:
        ipvs.list(format="json")  # type: ignore[arg-type]
    assert bad.value.field == "format"
    assert '"persistent-conn"' in str(bad.value)
    with pytest.raises(TypeError):
        ipvs.list(format=3)  # type: ignore[arg-type]
    with pytest.raises(lvs.ServiceNotFound):
        ipvs.list(lvs.ServiceKey.tcp("192.0.2.99", 80))
    with pytest.raises(TypeError):
        ipvs.list("192.0.2.60:80")  # type: ignore[arg-type]
