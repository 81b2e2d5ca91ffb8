"""Database turns go to the waiting caller who holds fewest (platform/fair_share.py)."""

from __future__ import annotations

import asyncio

import pytest

from redgrid.platform.fair_share import FairShare


async def _hold(share: FairShare, caller: str, release: asyncio.Event, order: list[str]) -> None:
    async with share.turn(caller):
        order.append(caller)
        await release.wait()


def test_a_caller_holding_nothing_goes_before_a_queue_of_another_callers_requests() -> None:
    async def run() -> list[str]:
        share, order = FairShare(2), []
        release = asyncio.Event()
        tasks = [asyncio.create_task(_hold(share, "abuser", release, order)) for _ in range(6)]
        await asyncio.sleep(0)
        tasks.append(asyncio.create_task(_hold(share, "everyday", release, order)))
        await asyncio.sleep(0)
        assert order == ["abuser", "abuser"]  # both turns taken, the rest waiting
        release.set()
        await asyncio.gather(*tasks)
        return order

    order = asyncio.run(run())
    assert order[2] == "everyday"  # the first turn to free up, ahead of four abuser requests waiting longer
    assert order.count("abuser") == 6


def test_never_more_turns_than_places_and_a_cancelled_waiter_leaves_no_trace() -> None:
    async def run() -> None:
        share, order = FairShare(1), []
        release = asyncio.Event()
        first = asyncio.create_task(_hold(share, "a", release, order))
        await asyncio.sleep(0)
        waiting = asyncio.create_task(_hold(share, "b", release, order))
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        release.set()
        await first
        async with share.turn("c"):  # the cancelled waiter holds no turn
            assert share._in_use == 1
        assert share._in_use == 0 and not share._held and not share._waiting
        assert order == ["a"]

    asyncio.run(run())
