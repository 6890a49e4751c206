"""lvs.rules: parse, load and save ipvsadm rule text."""

import pytest

import lvs

WEB = lvs.ServiceKey.tcp("192.0.2.10", 80)


def test_parse_gives_operations_with_ipvsadm_defaults() -> None:
    operations = lvs.rules.parse(
        "-A -t 192.0.2.10:80 -s wrr -p\n"
        "\n"
        "# a comment\n"
        "-a -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 3\n"
        "-d -t 192.0.2.10:80 -r 198.51.100.11:8080\n"
        "--set 60 10 30\n"
        "--stop-daemon backup\n"
        "-C\n"
        "-Z\n"
    )
    assert operations == [
        lvs.Operation.add_service(lvs.Service(WEB, scheduler="wrr", persistence=lvs.Persistence(360))),
        lvs.Operation.add_server(
            WEB, lvs.RealServer("198.51.100.11", 8080, forward=lvs.ForwardMethod.MASQUERADE, weight=3)
        ),
        lvs.Operation.delete_server(WEB, ("198.51.100.11", 8080)),
        lvs.Operation.set_timeouts(lvs.Timeouts(tcp=60, tcp_fin=10, udp=30)),
        lvs.Operation.stop_daemon(lvs.DaemonRole.BACKUP),
        lvs.Operation.flush(),
        lvs.Operation.zero(),
    ]
    assert [op.kind for op in operations] == [
        "add_service",
        "add_server",
        "delete_server",
        "set_timeouts",
        "stop_daemon",
        "flush",
        "zero",
    ]
    assert repr(operations[0]) == (
        "Operation.add_service(Service(ServiceKey.tcp('192.0.2.10', 80), scheduler='wrr', "
        "persistence=Persistence(timeout=360)))"
    )


def test_syntax_errors_have_line_column_token_and_expectation() -> None:
    with pytest.raises(lvs.RuleSyntaxError) as bad:
        lvs.rules.parse("-A -t 192.0.2.10:80\n-a -t 192.0.2.10:80 -r 198.51.100.1 -w x\n")
    error = bad.value
    assert (error.line, error.column, error.token) == (2, 40, "x")
    assert "weight" in str(error)
    assert error.expected == "an integer 0..65535"
    assert error.kind is lvs.ErrorKind.SYNTAX
    assert isinstance(error, ValueError) and isinstance(error, lvs.LvsError)


def test_commands_that_do_not_change_the_table_are_refused() -> None:
    with pytest.raises(lvs.RuleSyntaxError) as listing:
        lvs.rules.parse("-C\n  ipvsadm -L -n\n")
    assert (listing.value.line, listing.value.column, listing.value.token) == (2, 11, "-L")


def test_load_and_save_round_trip() -> None:
    text = (
        "-A -t 192.0.2.10:80 -s wrr -p 300 -M 255.255.255.0\n"
        "-a -t 192.0.2.10:80 -r 198.51.100.11:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum\n"
        "-A -f 5 -6 -s sh -b sh-port\n"
        "-a -f 5 -6 -r [2001:db8::11]:0 -g -w 2\n"
    )
    table = lvs.rules.load(text)
    assert [vs.service.key for vs in table] == [WEB, lvs.ServiceKey.fwmark(5, lvs.Family.IPV6)]
    assert table[0].service.persistence == lvs.Persistence(300, netmask="255.255.255.0")
    assert table[0].servers[0].tunnel == lvs.Tunnel.gue(6080)
    assert table[1].service.sched_flags == lvs.SchedFlags.SH_PORT
    assert lvs.rules.save(table) == text


def test_load_refuses_what_is_not_a_table() -> None:
    with pytest.raises(lvs.RuleSyntaxError) as dup:
        lvs.rules.load("-A -t 192.0.2.10:80\n-A -t 192.0.2.10:80\n")
    assert dup.value.line == 2
    with pytest.raises(lvs.RuleSyntaxError):
        lvs.rules.load("-D -t 192.0.2.10:80\n")


def test_save_is_lossless_and_the_ipvsadm_form_is_named() -> None:
    server = lvs.RealServer("198.51.100.11", 80, forward=lvs.ForwardMethod.LOCAL, weight=100000)
    table = [lvs.VirtualService(lvs.Service(WEB), [server])]
    text = lvs.rules.save(table)
    assert text == (
        "-A -t 192.0.2.10:80 -s wlc\n"
        "-a -t 192.0.2.10:80 -r 198.51.100.11:80 --lvs-forward local --lvs-weight 100000\n"
    )
    assert lvs.rules.load(text) == table
    ipvsadm = "-A -t 192.0.2.10:80 -s wlc\n-a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 100000\n"
    assert lvs.rules.save_ipvsadm(table) == ipvsadm
    assert lvs.rules.save(table, ipvsadm=True) == ipvsadm
    settings = lvs.rules.save(
        [],
        timeouts=lvs.Timeouts(tcp=900, tcp_fin=120, udp=300),
        daemons=[lvs.SyncDaemon(lvs.DaemonRole.MASTER, "eth0", sync_id=3)],
    )
    assert settings == "--set 900 120 300\n--start-daemon master --mcast-interface eth0 --syncid 3\n"
    with pytest.raises(ValueError):
        lvs.rules.save([], timeouts=lvs.Timeouts(tcp=1), ipvsadm=True)


def test_save_refuses_a_name_it_cannot_write() -> None:
    service = lvs.Service(WEB, scheduler="rr\n-C")
    with pytest.raises(lvs.RuleSyntaxError) as bad:
        lvs.rules.save([lvs.VirtualService(service, [])])
    assert (bad.value.line, bad.value.column, bad.value.token) == (1, 24, "rr\n-C")


def test_a_handle_saves_losslessly_with_its_settings() -> None:
    ipvs = lvs.MemoryIpvs()
    ipvs.add_service(lvs.Service(WEB))
    ipvs.add_server(WEB, lvs.RealServer("198.51.100.11", 80, upper_threshold=100, lower_threshold=50))
    text = ipvs.save()
    assert text == (
        "--set 900 120 300\n"
        "-A -t 192.0.2.10:80 -s wlc\n"
        "-a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 1 -x 100 -y 50\n"
    )
    assert ipvs.save(ipvsadm=True) == (
        "-A -t 192.0.2.10:80 -s wlc\n-a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 1\n"
    )
