"""Desired state on MemoryIpvs: lvs.plan, IpvsHandle.plan/diff/apply_plan/apply_desired,
scopes, drains and expiring connections, all through lvs-core's one planner."""

import copy
from ipaddress import IPv4Address

import pytest

import lvs

SETUP = (
    "-A -t 192.0.2.60:80 -s rr\n"
    "-a -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 1\n"
    "-a -t 192.0.2.60:80 -r 198.51.100.62:80 -m -w 1\n"
    "-A -t 192.0.2.70:80 -s rr\n"
)
# The service at .60 is this program's; .70 belongs to someone else.
DESIRED = "-A -t 192.0.2.60:80 -s wrr\n-a -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 3\n"
OURS = lvs.Scope.addresses(["192.0.2.60"])
WEB = lvs.ServiceKey.tcp("192.0.2.60", 80)
OTHER = lvs.ServiceKey.tcp("192.0.2.70", 80)

FIRST_RUN = (
    "-e -t 192.0.2.60:80 -r 198.51.100.62:80 -m -w 0\n"
    "-E -t 192.0.2.60:80 -s wrr\n"
    "-e -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 3\n"
)
DRAINING = (
    "-A -t 192.0.2.60:80 -s wrr\n"
    "-a -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 3\n"
    "-a -t 192.0.2.60:80 -r 198.51.100.62:80 -m -w 0\n"
    "-A -t 192.0.2.70:80 -s rr\n"
)


@pytest.fixture
def ipvs() -> lvs.MemoryIpvs:
    handle = lvs.MemoryIpvs()
    handle.apply(SETUP)
    return handle


def test_plan_diff_and_apply_in_a_scope_with_drain(ipvs: lvs.MemoryIpvs) -> None:
    live = ipvs.plan(DESIRED, scope=OURS, drain=True)
    assert isinstance(live, lvs.LivePlan)
    assert live.plan.to_rules() == FIRST_RUN
    assert ipvs.diff(DESIRED, scope=OURS, drain=True) == FIRST_RUN
    assert str(live.plan) == FIRST_RUN
    assert len(live.plan) == 3 and live.plan
    assert [op.kind for op in live.plan] == ["edit_server", "edit_service", "edit_server"]
    assert live.plan.operations == lvs.rules.parse(FIRST_RUN)
    assert live.plan.draining == [(WEB, (IPv4Address("198.51.100.62"), 80))]
    [server] = live.draining
    assert server.service == WEB
    assert server.server == (IPv4Address("198.51.100.62"), 80)
    assert server.listed is not None and server.listed.server.weight == 1
    assert (server.connections, server.templates) == (0, 0)
    assert not server.idle
    assert [vs.service.key for vs in live.current] == [WEB, OTHER]
    # Planning changed nothing.
    assert ipvs.save(ipvsadm=True) == SETUP

    ipvs.apply_plan(live)
    assert ipvs.save(ipvsadm=True) == DRAINING

    # The next run finds the drained server idle (no connections) and deletes it.
    again = ipvs.plan(DESIRED, scope=OURS, drain=True)
    assert again.plan.to_rules() == "-d -t 192.0.2.60:80 -r 198.51.100.62:80\n"
    assert [s.idle for s in again.draining] == [True]
    applied = ipvs.apply_desired(DESIRED, scope=OURS, drain=True)
    assert applied.plan == again.plan
    assert not ipvs.plan(DESIRED, scope=OURS, drain=True).plan
    assert ipvs.diff(DESIRED, scope=OURS, drain=True) == ""
    assert ipvs.save(ipvsadm=True) == (
        "-A -t 192.0.2.60:80 -s wrr\n"
        "-a -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 3\n"
        "-A -t 192.0.2.70:80 -s rr\n"
    )

    # Without a scope the text owns the whole table: .70 would go.
    assert ipvs.diff(DESIRED) == "-D -t 192.0.2.70:80\n"
    assert ipvs.diff(DESIRED, scope=lvs.Scope.all()) == "-D -t 192.0.2.70:80\n"
    # A scope of nothing touches nothing.
    assert ipvs.diff("", scope=lvs.Scope.addresses([])) == ""


def test_without_drain_removed_servers_are_deleted(ipvs: lvs.MemoryIpvs) -> None:
    assert ipvs.diff(DESIRED, scope=OURS) == (
        "-d -t 192.0.2.60:80 -r 198.51.100.62:80\n"
        "-E -t 192.0.2.60:80 -s wrr\n"
        "-e -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 3\n"
    )
    assert ipvs.plan(DESIRED, scope=OURS).draining == []


def test_desired_as_virtual_services_plans_alike(ipvs: lvs.MemoryIpvs) -> None:
    table = lvs.rules.load(DESIRED)
    assert ipvs.diff(table, scope=OURS, drain=True) == FIRST_RUN
    assert ipvs.diff(iter(table), scope=OURS, drain=True) == FIRST_RUN


def test_the_pure_plan_is_the_handles_plan(ipvs: lvs.MemoryIpvs) -> None:
    current = ipvs.save()
    pure = lvs.plan(current, DESIRED, scope=OURS, drain=True)
    assert isinstance(pure, lvs.Plan)
    assert pure == ipvs.plan(DESIRED, scope=OURS, drain=True).plan
    assert pure.to_rules() == FIRST_RUN
    # Tables as VirtualService values plan the same.
    assert lvs.plan(ipvs.table(), lvs.rules.load(DESIRED), scope=OURS, drain=True) == pure
    assert lvs.plan(current, DESIRED) == ipvs.plan(DESIRED).plan

    ipvs.apply_plan(ipvs.plan(DESIRED, scope=OURS, drain=True))
    # Drained: the pure plan has nothing left to do (it cannot see connections); the live
    # one also deletes the idle server.
    pure = lvs.plan(ipvs.save(), DESIRED, scope=OURS, drain=True)
    live = ipvs.plan(DESIRED, scope=OURS, drain=True).plan
    assert pure.operations == [] and not pure
    assert pure.draining == live.draining
    assert live.operations == [
        lvs.Operation.delete_server(WEB, ("198.51.100.62", 80)),
    ]


def test_expire_connections_needs_expire_nodest_conn(ipvs: lvs.MemoryIpvs) -> None:
    only_service = "-A -t 192.0.2.60:80 -s wrr\n"
    with pytest.raises(lvs.InvalidInput) as refused:
        ipvs.plan(only_service, scope=OURS, drain=True, expire_connections=True)
    assert refused.value.field == "expire connections"
    assert "--lvs-sysctl expire_nodest_conn=1" in str(refused.value)
    with pytest.raises(lvs.InvalidInput):
        ipvs.apply_desired(only_service, scope=OURS, expire_connections=True)
    assert ipvs.save(ipvsadm=True) == SETUP
    with pytest.raises(lvs.InvalidInput):
        lvs.plan(ipvs.save(), only_service, scope=OURS, expire_connections=True)

    stated = "--lvs-sysctl expire_nodest_conn=1\n" + only_service
    expected = (
        "--lvs-sysctl expire_nodest_conn=1\n"
        "-d -t 192.0.2.60:80 -r 198.51.100.61:80\n"
        "-d -t 192.0.2.60:80 -r 198.51.100.62:80\n"
        "-E -t 192.0.2.60:80 -s wrr\n"
    )
    assert ipvs.diff(stated, scope=OURS, drain=True, expire_connections=True) == expected
    assert lvs.plan(ipvs.save(), stated, scope=OURS, expire_connections=True).to_rules() == expected
    live = ipvs.apply_desired(stated, scope=OURS, drain=True, expire_connections=True)
    assert live.draining == []
    assert ipvs.sysctl("expire_nodest_conn") == 1
    assert ipvs.save(ipvsadm=True) == "-A -t 192.0.2.60:80 -s wrr\n-A -t 192.0.2.70:80 -s rr\n"


def test_expire_connections_accepts_the_namespaces_setting() -> None:
    ipvs = lvs.MemoryIpvs(sysctls={"expire_nodest_conn": 1})
    ipvs.apply(SETUP)
    assert ipvs.diff(DESIRED, scope=OURS, drain=True, expire_connections=True) == (
        "-d -t 192.0.2.60:80 -r 198.51.100.62:80\n"
        "-E -t 192.0.2.60:80 -s wrr\n"
        "-e -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 3\n"
    )


def test_a_failing_apply_leaves_the_table_as_it_was(ipvs: lvs.MemoryIpvs) -> None:
    # Every change but the new service's is fine: the kernel (and MemoryIpvs) has no
    # scheduler "nosuch", so its add fails after the others were attempted.
    desired = DESIRED + "-A -t 192.0.2.61:80 -s nosuch\n"
    live = ipvs.plan(desired, scope=OURS | lvs.Scope.addresses(["192.0.2.61"]), drain=True)
    assert "-A -t 192.0.2.61:80 -s nosuch" in live.plan.to_rules()
    with pytest.raises(lvs.SchedulerNotFound) as failed:
        ipvs.apply_plan(live)
    error = failed.value
    assert error.rolled_back is True
    assert error.index is not None
    assert live.plan.operations[error.index].kind == "add_service"
    assert error.outcomes is not None and len(error.outcomes) == len(live.plan)
    assert lvs.Outcome.FAILED in error.outcomes
    assert "undone" in str(error) and "-A -t 192.0.2.61:80 -s nosuch" in str(error)
    assert ipvs.save(ipvsadm=True) == SETUP
    with pytest.raises(lvs.SchedulerNotFound):
        ipvs.apply_desired(desired, scope=OURS | lvs.Scope.addresses(["192.0.2.61"]))
    assert ipvs.save(ipvsadm=True) == SETUP


def test_planning_refusals_are_typed(ipvs: lvs.MemoryIpvs) -> None:
    # A desired service outside the scope.
    with pytest.raises(lvs.InvalidInput) as outside:
        ipvs.plan("-A -t 192.0.2.99:80 -s rr\n", scope=OURS)
    assert outside.value.field == "desired"
    assert "outside the scope" in str(outside.value)
    # Rule text cannot list a service twice; VirtualService values can, and are refused.
    twice = [lvs.VirtualService(lvs.Service(WEB))] * 2
    with pytest.raises(lvs.InvalidInput) as listed_twice:
        lvs.plan("", twice)
    assert listed_twice.value.field == "desired"
    assert "listed twice" in str(listed_twice.value)
    # Bad rule text, with its place.
    with pytest.raises(lvs.RuleSyntaxError) as syntax:
        ipvs.diff("-A -t 192.0.2.60:80 --bogus\n")
    assert syntax.value.line == 1
    # Wrong types.
    with pytest.raises(TypeError, match="scope must be an lvs.Scope"):
        ipvs.plan(DESIRED, scope="192.0.2.60")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="decode it first"):
        ipvs.plan(DESIRED.encode())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="desired must be rule text"):
        ipvs.plan(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="current must be rule text"):
        lvs.plan(None, DESIRED)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="lvs.LivePlan"):
        ipvs.apply_plan(ipvs.plan(DESIRED).plan)  # type: ignore[arg-type]
    assert ipvs.save(ipvsadm=True) == SETUP


def test_scopes_are_typed_values() -> None:
    both = lvs.Scope.addresses(["192.0.2.60", IPv4Address("192.0.2.61")]) | lvs.Scope.fwmarks([7])
    assert WEB in both and lvs.ServiceKey.udp("192.0.2.61", 53) in both
    assert lvs.ServiceKey.fwmark(7) in both and lvs.ServiceKey.fwmark(8) not in both
    assert OTHER not in both
    assert OTHER in lvs.Scope.all()
    exact = lvs.Scope.services([WEB, lvs.Service(OTHER)])
    assert WEB in exact and OTHER in exact
    assert lvs.ServiceKey.udp("192.0.2.60", 80) not in exact
    # Parts compare as sets, and list in ipvsadm's order.
    assert exact == lvs.Scope.services([OTHER, WEB, WEB])
    assert repr(exact) == repr(lvs.Scope.services([OTHER, WEB]))
    assert lvs.Scope.addresses(["192.0.2.60"]) == lvs.Scope.addresses([IPv4Address("192.0.2.60")])
    assert hash(OURS) == hash(lvs.Scope.addresses(["192.0.2.60"]))
    assert repr(both) == "Scope.addresses(['192.0.2.60', '192.0.2.61']) | Scope.fwmarks([7])"
    assert repr(lvs.Scope.all()) == "Scope.all()"
    assert copy.deepcopy(both) is both
    with pytest.raises(AttributeError):
        both.x = 1  # type: ignore[attr-defined]
    with pytest.raises(lvs.InvalidInput) as bad_address:
        lvs.Scope.addresses(["not-an-address"])
    assert bad_address.value.field == "scope address"
    with pytest.raises(lvs.OutOfRange) as bad_mark:
        lvs.Scope.fwmarks([2**32])
    assert bad_mark.value.field == "mark"
    with pytest.raises(TypeError, match="not a single str"):
        lvs.Scope.addresses("192.0.2.60")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        lvs.Scope.fwmarks([True])
    with pytest.raises(TypeError):
        OURS | "192.0.2.61"  # type: ignore[operator]


def test_plans_are_immutable_values(ipvs: lvs.MemoryIpvs) -> None:
    live = ipvs.plan(DESIRED, scope=OURS, drain=True)
    plan = live.plan
    assert plan == lvs.plan(ipvs.save(), DESIRED, scope=OURS, drain=True)
    assert hash(plan) == hash(lvs.plan(ipvs.save(), DESIRED, scope=OURS, drain=True))
    assert live == ipvs.plan(DESIRED, scope=OURS, drain=True)
    assert {live.draining[0]} == set(ipvs.plan(DESIRED, scope=OURS, drain=True).draining)
    for value in (plan, live, live.draining[0]):
        with pytest.raises(AttributeError):
            setattr(value, "operations", [])
    assert repr(plan).startswith("<Plan of 3 operations: [Operation.edit_server(")
    assert "DrainingServer ServiceKey.tcp('192.0.2.60', 80)" in repr(live.draining[0])
    # Built by hand: the same value; rule text reads as `apply` reads it.
    assert lvs.Plan(plan.operations, plan.draining) == plan
    assert lvs.Plan(FIRST_RUN, [(lvs.Service(WEB), lvs.RealServer("198.51.100.62", 80))]) == plan
    assert lvs.Scope(addresses=["192.0.2.60"], fwmarks=[7]) == OURS | lvs.Scope.fwmarks([7])
    assert lvs.Scope(all=True) == lvs.Scope.all() and lvs.Scope() == lvs.Scope.addresses([])
    assert lvs.Scope(all=True, fwmarks=[7]) == lvs.Scope.all() == OURS | lvs.Scope.all()
    with pytest.raises(TypeError, match="draining items must be"):
        lvs.Plan([], [WEB])  # type: ignore[list-item]
    with pytest.raises(lvs.RuleSyntaxError):
        lvs.Plan("-A -t nowhere\n")
    empty = lvs.plan("", "")
    assert not empty and len(empty) == 0 and empty.to_rules() == "" and list(empty) == []
