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


class Sockets:
    """Stands in for the process's open websockets: only their number and `closing` are read."""

    def __init__(self, open_now: int = 0) -> None:
        self.open_now = open_now
        self.closing = False

    def __len__(self) -> int:
        return self.open_now


async def test_survivors_of_a_full_collection_are_frozen_and_the_full_pass_reclaims_their_cycles() -> None:
    collector = FrozenCollector(full_pass_seconds=3600, sockets=Sockets())
    try:
        collector.start()
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: only the collector can free it
        gone = weakref.ref(a)
        assert any(o is a for o in gc.get_objects())  # in the collector's sight until...
        gc.collect()  # ...a full collection, as CPython would start one, and the next tick
        await asyncio.sleep(FREEZE_TICK_SECONDS * 1.5)
        # Frozen: out of gc.get_objects(). (The freeze count is no witness: frozen objects the
        # test run lets go of meanwhile are freed by their reference counts and leave it.)
        assert not any(o is a or o is b for o in gc.get_objects())

        del a, b
        gc.collect()
        assert gone() is not None  # frozen, so this collection did not free the cycle
        assert collector.full_pass() >= 2
        assert gone() is None
    finally:
        await collector.stop()
        gc.unfreeze()


async def test_growth_alone_brings_no_full_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients connecting make the frozen objects grow with live sockets, not garbage: under the
    backstop, each growth is frozen on the next tick, never walked again, and the frozen objects
    are counted without walking them (`gc.get_freeze_count()` walks them all)."""

    def walk() -> int:
        raise AssertionError("the collector walked the frozen objects")

    monkeypatch.setattr(collector_module, "gc", SimpleNamespace(**{**vars(gc), "get_freeze_count": walk}))
    sockets = Sockets()
    collector = FrozenCollector(full_pass_seconds=3600, sockets=sockets)
    kept: list[list[Node]] = []
    try:
        collector.start()
        passes = metrics.GC_FULL_PASSES._value.get()
        assert 0 <= metrics.GC_FROZEN._value.get() - gc.get_freeze_count() < 1000
        for _ in range(3):
            kept.append([Node() for _ in range(collector._frozen)])  # the frozen objects double...
            sockets.open_now += len(kept[-1]) // collector_module.OBJECTS_PER_SOCKET  # ...held by new sockets
            gc.collect()  # a full collection, as CPython would start one: the next tick freezes them
            await asyncio.sleep(FREEZE_TICK_SECONDS * 1.2)
            assert 0 <= metrics.GC_FROZEN._value.get() - gc.get_freeze_count() < 1000
        assert metrics.GC_FULL_PASSES._value.get() == passes
        assert collector._task is not None and not collector._task.done()  # it did not die walking
    finally:
        await collector.stop()
        gc.unfreeze()


async def test_the_backstop_brings_a_full_pass_for_other_frozen_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    """Objects alive at a freeze that die later in cycles (a request in flight) are frozen
    garbage no socket count shows: once the frozen objects have grown past the backstop (what
    the sockets opened since hold aside), the real count is taken and brings a pass; the next
    real count waits RECOUNT_SECONDS."""
    monkeypatch.setattr(collector_module, "GROWTH_BACKSTOP", 1.02)
    sockets = Sockets()
    collector = FrozenCollector(full_pass_seconds=3600, sockets=sockets)
    try:
        collector.start()
        passes = metrics.GC_FULL_PASSES._value.get()
        kept = [Node() for _ in range(collector._frozen // 20)]  # 5%: past the backstop...
        sockets.open_now = 2 * len(kept) // collector_module.OBJECTS_PER_SOCKET  # ...unless sockets hold them
        gc.collect()  # a full collection, as CPython would start one
        await asyncio.sleep(FREEZE_TICK_SECONDS * 2.2)
        assert metrics.GC_FULL_PASSES._value.get() == passes

        sockets.open_now = 0
        await asyncio.sleep(FREEZE_TICK_SECONDS * 1.2)
        assert metrics.GC_FULL_PASSES._value.get() == passes + 1

        monkeypatch.setattr(collector_module, "RECOUNT_SECONDS", 3600.0)
        kept += [Node() for _ in range(collector._frozen // 20)]
        gc.collect()
        await asyncio.sleep(FREEZE_TICK_SECONDS * 2.2)
        assert metrics.GC_FULL_PASSES._value.get() == passes + 1  # the real count waits

        monkeypatch.setattr(collector_module, "RECOUNT_SECONDS", 0.0)
        sockets.closing = True  # shutting down: the process is about to end, no pass of any kind
        kept += [Node() for _ in range(collector._frozen // 20)]
        gc.collect()
        await asyncio.sleep(FREEZE_TICK_SECONDS * 2.2)
        assert metrics.GC_FULL_PASSES._value.get() == passes + 1
    finally:
        await collector.stop()
        gc.unfreeze()
