"""The frozen collector (platform/collector.py) with CPython's real collector: survivors of a
full collection leave its sight, and the full pass still reclaims cycles among them."""

from __future__ import annotations

import asyncio
import gc
import weakref
from types import SimpleNamespace

import pytest

from redgrid.platform import collector as collector_module
from redgrid.platform import metrics
from redgrid.platform.collector import FREEZE_TICK_SECONDS, FrozenCollector


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


async def test_survivors_of_a_full_collection_are_frozen_and_the_full_pass_reclaims_their_cycles() -> None:
    collector = FrozenCollector(full_pass_seconds=3600)
    try:
        collector.start()
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: only the collector can free it
        gone = weakref.ref(a)
        frozen = gc.get_freeze_count()
        gc.collect()  # a full collection, as CPython would start one
        await asyncio.sleep(FREEZE_TICK_SECONDS * 1.5)
        assert gc.get_freeze_count() > frozen  # a and b among them

        del a, b
        gc.collect()
        assert gone() is not None  # frozen: out of the collector's sight
        assert collector.full_pass() >= 2
        assert gone() is None
    finally:
        await collector.stop()
        gc.unfreeze()


async def test_growth_of_the_frozen_objects_brings_the_full_pass_forward(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closed sockets are cycles among frozen objects: the full pass must not wait an hour."""
    monkeypatch.setattr(collector_module, "GROWTH_BEFORE_FULL_PASS", 1.0001)
    collector = FrozenCollector(full_pass_seconds=3600)
    try:
        collector.start()
        passes = metrics.GC_FULL_PASSES._value.get()
        frozen = gc.get_freeze_count()
        kept = [Node() for _ in range(1000)]  # survivors of the next full collection
        gc.collect()
        await asyncio.sleep(FREEZE_TICK_SECONDS * 2.5)  # one tick freezes them, the next passes
        assert metrics.GC_FULL_PASSES._value.get() > passes
        assert gc.get_freeze_count() >= frozen + len(kept)  # they survived it, frozen again
    finally:
        await collector.stop()
        gc.unfreeze()


async def test_the_frozen_objects_are_counted_without_walking_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The count the full pass is timed by (and the gauge shows) is kept as objects are frozen:
    `gc.get_freeze_count()` walks them all, too long to ask every tick."""

    def walk() -> int:
        raise AssertionError("the collector walked the frozen objects")

    monkeypatch.setattr(collector_module, "gc", SimpleNamespace(**{**vars(gc), "get_freeze_count": walk}))
    collector = FrozenCollector(full_pass_seconds=3600)
    try:
        collector.start()
        assert 0 <= metrics.GC_FROZEN._value.get() - gc.get_freeze_count() < 1000
        kept = [Node() for _ in range(5000)]
        gc.collect()  # a full collection, as CPython would start one: the next tick freezes them
        await asyncio.sleep(FREEZE_TICK_SECONDS * 1.5)
        assert 0 <= metrics.GC_FROZEN._value.get() - gc.get_freeze_count() < 1000
        assert len(kept) == 5000
    finally:
        await collector.stop()
        gc.unfreeze()


async def test_frozen_objects_freed_since_bring_no_full_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request's objects frozen in passing and then freed raise the running count, not the
    real one: crossing the threshold takes the real count, and there is no full pass."""
    monkeypatch.setattr(collector_module, "GROWTH_BEFORE_FULL_PASS", 1.02)
    collector = FrozenCollector(full_pass_seconds=3600)
    try:
        collector.start()
        passes = metrics.GC_FULL_PASSES._value.get()
        passing = [[i] for i in range(20_000)]
        gc.collect()  # a full collection, as CPython would start one: the next tick freezes them
        await asyncio.sleep(FREEZE_TICK_SECONDS * 1.5)
        counted = metrics.GC_FROZEN._value.get()
        del passing  # freed by their reference counts, frozen or not
        await asyncio.sleep(FREEZE_TICK_SECONDS)  # the running count is over; the real one is not
        assert metrics.GC_FULL_PASSES._value.get() == passes
        assert metrics.GC_FROZEN._value.get() < counted - 15_000  # the gauge took the real count
    finally:
        await collector.stop()
        gc.unfreeze()


async def test_a_real_count_under_the_threshold_is_not_taken_again_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settled just under the threshold, every tick's freeze pushes the running count over it
    again: the walk of all frozen objects must wait for real growth, not come every tick."""
    monkeypatch.setattr(collector_module, "GROWTH_BEFORE_FULL_PASS", 1.02)
    collector = FrozenCollector(full_pass_seconds=3600)
    walks: list[int] = []

    def counted_walk() -> int:
        walks.append(1)
        return gc.get_freeze_count()

    try:
        collector.start()
        monkeypatch.setattr(collector_module, "gc", SimpleNamespace(**{**vars(gc), "get_freeze_count": counted_walk}))
        passes = metrics.GC_FULL_PASSES._value.get()
        after_pass = collector._frozen_after_pass
        # Over the 2% threshold once, then three growths that together stay under the 10% recount step.
        for size in (after_pass // 20, after_pass // 50, after_pass // 50, after_pass // 50):
            passing = [[i] for i in range(size)]  # a request's objects, frozen in passing, then freed
            gc.collect()  # a full collection, as CPython would start one: the next tick freezes them
            await asyncio.sleep(FREEZE_TICK_SECONDS * 1.2)
            del passing
        await asyncio.sleep(FREEZE_TICK_SECONDS)
        assert metrics.GC_FULL_PASSES._value.get() == passes
        assert len(walks) == 1  # the first crossing; the small growths after it bring no walk
    finally:
        await collector.stop()
        gc.unfreeze()
