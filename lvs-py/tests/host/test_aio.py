"""lvs.aio: the handles' calls as coroutines run in a worker thread, on MemoryIpvs."""

import asyncio
import threading
import time
from typing import List

import pytest

import lvs
import lvs.aio

RULES = "-A -t 192.0.2.60:80 -s rr\n-a -t 192.0.2.60:80 -r 198.51.100.61:80 -m -w 1\n"


def test_calls_give_what_the_blocking_handle_gives() -> None:
    async def main() -> None:
        async with lvs.aio.MemoryIpvs() as ipvs:
            await ipvs.apply(RULES)
            assert await ipvs.save(ipvsadm=True) == RULES
            assert [e.service.key for e in await ipvs.services()] == [
                lvs.ServiceKey.tcp("192.0.2.60", 80)
            ]
            assert await ipvs.list() == ipvs.handle.list()
            assert await ipvs.list_timeouts() == ipvs.handle.list_timeouts()
            desired = "-A -t 192.0.2.60:80 -s wrr\n"
            assert await ipvs.diff(desired, drain=True) == ipvs.handle.diff(desired, drain=True)
            live = await ipvs.plan(desired, drain=True)
            await ipvs.apply_plan(live)
            assert (await ipvs.servers(lvs.ServiceKey.tcp("192.0.2.60", 80)))[0].server.weight == 0
            applied = await ipvs.apply_desired(desired, drain=True)
            assert [op.kind for op in applied.plan] == ["delete_server"]
            assert await ipvs.connections() == []
            with pytest.raises(lvs.ServiceNotFound):
                await ipvs.service(lvs.ServiceKey.tcp("192.0.2.99", 80))
        assert ipvs.closed

    asyncio.run(main())


def test_the_event_loop_runs_while_a_call_waits() -> None:
    # The handle's call blocks its thread until the loop has ticked three times: if the
    # coroutine ran it on the loop's thread, the ticks could never happen and the wait
    # would time out.
    ipvs = lvs.aio.MemoryIpvs()
    original = ipvs.handle
    ticked = threading.Event()
    callers: List[threading.Thread] = []

    class Waiting:
        def info(self) -> lvs.KernelInfo:
            callers.append(threading.current_thread())
            assert ticked.wait(5), "the event loop did not run while the call waited"
            return original.info()

    ipvs._handle = Waiting()  # type: ignore[assignment]

    async def ticker() -> None:
        for _ in range(3):
            await asyncio.sleep(0.01)
        ticked.set()

    async def main() -> None:
        info, _ = await asyncio.gather(ipvs.info(), ticker())
        assert info == original.info()

    asyncio.run(main())
    assert callers and callers[0] is not threading.main_thread()


def test_the_event_loop_runs_during_a_large_apply() -> None:
    # A real call: applying many operations takes a while; the loop keeps ticking.
    rules = "".join(
        f"-A -t 10.{i // 256}.{i % 256}.1:80 -s rr\n" for i in range(4000)
    )
    ticks: List[float] = []

    async def main() -> None:
        ipvs = lvs.aio.MemoryIpvs()
        done = asyncio.Event()

        async def ticker() -> None:
            while not done.is_set():
                ticks.append(time.monotonic())
                await asyncio.sleep(0)

        async def work() -> None:
            await ipvs.apply(rules)
            await ipvs.list()
            done.set()

        await asyncio.gather(work(), ticker())
        assert len(await ipvs.services()) == 4000

    asyncio.run(main())
    assert len(ticks) > 1


def test_wrapping_refuses_what_is_not_a_handle() -> None:
    with pytest.raises(TypeError, match="lvs.Ipvs or lvs.MemoryIpvs"):
        lvs.aio.AsyncIpvs("not a handle")  # type: ignore[arg-type]
    wrapped = lvs.aio.AsyncIpvs(lvs.MemoryIpvs())
    wrapped.close()
    assert wrapped.closed
