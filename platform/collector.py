"""The garbage collector, for a process that holds many long-lived objects.

CPython 3.11's full collection walks every object it tracks, with the event loop stopped. A
process holding ten thousand websockets tracks about 1.4 million objects: each full collection
took 1.5 s, which every subscriber waiting for an event felt (bench/subscribers.py), and the
schema, models and services alone made one page of households a fifth slower on average
(bench/registers.py). A full collection comes whenever the objects that survived younger ones
have grown by a quarter since the last, which a steady stream of new sockets keeps doing.

So, as gc.freeze() is meant for: what has survived is moved out of the collector's sight —
once the app has started, and again after each full collection — so that each full collection
walks only what was made since the last. An object frozen while alive is still freed by its
reference count when let go; but garbage in reference cycles among frozen objects waits for a
full pass (`unfreeze`, collect, freeze again), which takes the whole walk's time. A closed
websocket is such garbage (uvicorn's and websockets' objects refer to each other), and sockets
close all the time (every client reconnects when its token expires), so a full pass runs
whenever the frozen objects have grown by half since the last one, and at the latest every
`gc_full_pass_seconds`: memory stays within about half again of what is live, a process whose
sockets come and go pays the whole walk about half as often as CPython would (at a quarter's
growth), and one whose sockets stay never does.

The frozen objects are counted as they are frozen, not with `gc.get_freeze_count()`: that walks
the whole frozen list, 10 to 50 ms with ten thousand websockets, and asked every tick it held
the loop that long every second (bench/subscribers.py saw it before events' fan-outs). The
running count does not go down when a frozen object is freed by its reference count (a request's
objects frozen in passing, most of them), so when it crosses the threshold the real count is
taken once, and only a real growth brings the full pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from typing import Any

import structlog

from redgrid.platform import metrics

log = structlog.get_logger("redgrid.collector")
FREEZE_TICK_SECONDS = 1.0
GROWTH_BEFORE_FULL_PASS = 1.5  # frozen objects, against their number after the last full pass
RECOUNT_AFTER = 0.1  # a real count under the threshold: the next only after this much more growth
OLDEST = 2  # the generation a full collection collects


class FrozenCollector:
    def __init__(self, full_pass_seconds: float) -> None:
        self._full_pass_seconds = full_pass_seconds
        self._full_collection_done = False
        self._frozen = 0  # objects frozen so far (see the module docstring)
        self._frozen_after_pass = 0
        self._recount_at = 0  # the running count past which the real one is taken
        self._ours = False  # a collection this class runs, not one CPython started
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.full_pass()
        gc.callbacks.append(self._after_collection)
        self._task = asyncio.create_task(self._run(), name="redgrid-collector")

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._after_collection)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _after_collection(self, phase: str, info: dict[str, Any]) -> None:
        # Freezing is left to the loop's next tick rather than done inside the collector.
        if phase == "stop" and info["generation"] == OLDEST and not self._ours:
            self._full_collection_done = True

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last_full_pass = loop.time()
        while True:
            await asyncio.sleep(FREEZE_TICK_SECONDS)
            if loop.time() - last_full_pass >= self._full_pass_seconds or self._grown():
                last_full_pass = loop.time()
                self.full_pass()
            elif self._full_collection_done:
                self._full_collection_done = False
                self._freeze()

    def _grown(self) -> bool:
        """Whether the frozen objects have grown enough for a full pass: the running count
        first, then (it only overstates) the real one, a walk of them all. A real count under
        the threshold is not taken again until the running one has grown a little more: a
        process settled just under it would otherwise walk them all on every tick."""
        if self._frozen <= self._recount_at:
            return False
        self._frozen = gc.get_freeze_count()
        metrics.GC_FROZEN.set(self._frozen)
        threshold = GROWTH_BEFORE_FULL_PASS * self._frozen_after_pass
        self._recount_at = max(threshold, self._frozen + RECOUNT_AFTER * self._frozen_after_pass)
        return self._frozen > threshold

    def _freeze(self) -> None:
        """Freeze what is tracked, then have CPython measure what is left, i.e. nothing: its
        next full collection then comes after little growth and walks only that, instead of
        waiting for a quarter of everything there was and walking it all at once."""
        self._frozen += len(gc.get_objects())  # the unfrozen ones: a walk of the growth alone
        gc.freeze()
        self._ours = True
        try:
            gc.collect()
        finally:
            self._ours = False
        metrics.GC_FROZEN.set(self._frozen)

    def full_pass(self) -> int:
        """Collect everything, frozen or not, then freeze the survivors. Returns how many
        unreachable objects were found."""
        started = time.perf_counter()
        gc.unfreeze()
        self._frozen = 0
        self._ours = True
        try:
            found = gc.collect()
        finally:
            self._ours = False
        self._freeze()
        self._frozen_after_pass = self._frozen
        self._recount_at = GROWTH_BEFORE_FULL_PASS * self._frozen
        metrics.GC_FULL_PASSES.inc()
        metrics.GC_PASS_UNREACHABLE.inc(found)
        log.info("full collection", unreachable=found, frozen=self._frozen_after_pass,
                 seconds=round(time.perf_counter() - started, 3))
        return found
