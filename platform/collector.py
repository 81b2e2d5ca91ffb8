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
full pass (`unfreeze`, collect, freeze again), which takes the whole walk's time.

Garbage is collected before each freeze (the young generations, after CPython's own full
collection), so what is frozen was alive; what of it dies in cycles later waits for a full
pass. A closed websocket leaves almost none (graphql/core/context.py breaks its cycles with
uvicorn's protocol: 4,000 sockets closed, the passes after them found 915 objects). Requests
in flight at a freeze leave about 3.5 each (2,817 GraphQL requests: a pass found 9,977). So a
full pass runs once the frozen objects number `GROWTH_BACKSTOP` times what the last pass left
plus what the sockets opened since hold (`OBJECTS_PER_SOCKET`), and at the latest every
`gc_full_pass_seconds`; never during a shutdown. Growth of live sockets
does not bring it: passes timed by a growth of half walked everything four times over while
ten thousand clients connected, for almost nothing (44 to 340 unreachable objects), one of
them in the middle of an event's fan-out. A replica serving only HTTP pays a walk of its
small heap every 50,000 requests or so.

The frozen objects are counted as they are frozen, not with `gc.get_freeze_count()`: that walks
the whole frozen list, 10 to 50 ms with ten thousand websockets. The running count does not go
down when a frozen object is freed by its reference count, so only once it has crossed the
backstop is the real count taken, at most every `RECOUNT_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from typing import Any, Protocol

import structlog

from redgrid.platform import metrics

log = structlog.get_logger("redgrid.collector")
FREEZE_TICK_SECONDS = 1.0
GROWTH_BACKSTOP = 2.0  # frozen objects, against what the last full pass left and the sockets opened since
OBJECTS_PER_SOCKET = 150  # frozen objects a live websocket holds: about 120 (bench/subscribers.py at 10,000)
RECOUNT_SECONDS = 60.0  # the real count of frozen objects (a walk of them all) at most this often
OLDEST = 2  # the generation a full collection collects


class Sockets(Protocol):
    """The websockets of the process (realtime.connections.OpenSockets)."""

    closing: bool  # the server is shutting down: all of them close, and the process ends

    def __len__(self) -> int: ...


class FrozenCollector:
    def __init__(self, full_pass_seconds: float, sockets: Sockets) -> None:
        self._full_pass_seconds = full_pass_seconds
        self._sockets = sockets
        self._full_collection_done = False
        self._frozen = 0  # counted as they are frozen (see the module docstring)
        self._frozen_after_pass = 0
        self._open_at_pass = 0
        self._recounted_at = 0.0  # loop time of the last real count
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
            if self._sockets.closing:
                continue  # the process is about to end
            if loop.time() - last_full_pass >= self._full_pass_seconds or self._past_backstop(loop.time()):
                last_full_pass = loop.time()
                self.full_pass()
            elif self._full_collection_done:
                self._full_collection_done = False
                self._freeze(younger_than_collected=True)

    def _past_backstop(self, now: float) -> bool:
        if self._frozen <= self._backstop() or now - self._recounted_at < RECOUNT_SECONDS:
            return False
        self._recounted_at = now
        self._frozen = gc.get_freeze_count()
        metrics.GC_FROZEN.set(self._frozen)
        return self._frozen > self._backstop()

    def _backstop(self) -> float:
        opened = max(0, len(self._sockets) - self._open_at_pass)
        return GROWTH_BACKSTOP * (self._frozen_after_pass + OBJECTS_PER_SOCKET * opened)

    def _freeze(self, younger_than_collected: bool) -> None:
        """Freeze the objects that survived a full collection, then have CPython measure what is
        left, i.e. nothing: its next full collection then comes after little growth and walks
        only that, instead of waiting for a quarter of everything there was and walking it all
        at once. `younger_than_collected`: the full collection was CPython's, up to a tick ago,
        so the young generations made since are collected first (cycles that are garbage
        already are not frozen with the rest); the old one was walked just now."""
        self._ours = True
        try:
            if younger_than_collected:
                gc.collect(OLDEST - 1)
            self._frozen += len(gc.get_objects())  # the unfrozen ones: a walk of the growth alone
            gc.freeze()
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
        self._freeze(younger_than_collected=False)
        self._frozen_after_pass, self._open_at_pass = self._frozen, len(self._sockets)
        metrics.GC_FULL_PASSES.inc()
        metrics.GC_PASS_UNREACHABLE.inc(found)
        log.info(
            "full collection", unreachable=found, frozen=self._frozen, seconds=round(time.perf_counter() - started, 3)
        )
        return found
