"""The frozen collector (platform/collector.py) with CPython's real collector: survivors of a
full collection leave its sight, and the full pass still reclaims cycles among them."""

from __future__ import annotations

import asyncio
import gc
import weakref

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
