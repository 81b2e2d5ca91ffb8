"""One hub per process: a single channel-layer receive loop, fanned out in memory.

A naive design — one channel-layer channel and one blocking `receive` per subscription — dies
at about a thousand subscribers with `MaxConnectionsError`. Here the process owns one channel,
joins a topic's group when its first local subscriber arrives, and hands each message to the
local subscriptions' queues. A subscription that falls behind or reconnects fills its gap
from the event log in PostgreSQL, so every subscriber sees each event once, in `seq` order.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog

log = structlog.get_logger("redgrid.hub")
QUEUE_SIZE = 1000
REJOIN_SECONDS = 3600.0  # well inside channels-redis' default group expiry of a day
CATCH_UP_SECONDS = 5.0


@dataclass(frozen=True)
class HubEvent:
    topic: str
    seq: int
    type: str
    path: str | None
    payload: dict[str, Any]
    at: str
    # Built once per event for every local subscriber (e.g. its GraphQL rendering).
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> "HubEvent":
        return cls(
            topic=message["topic"], seq=int(message["seq"]), type=message["event_type"],
            path=message.get("path"), payload=message["payload"], at=message["at"],
        )


class EventLog(Protocol):
    async def since(self, topic: str, after: int, until: int | None) -> list[HubEvent]:
        """Events of `topic` with after < seq <= until (None: to the end), in seq order."""

    async def head(self, topic: str) -> int:
        """The topic's highest published seq (0 when none)."""


class Hub:
    def __init__(self, layer: Any, log_: EventLog) -> None:
        self._layer = layer
        self._log = log_
        self._channel: str | None = None
        self._queues: dict[str, set[asyncio.Queue[HubEvent | None]]] = defaultdict(set)
        self._last_seen: dict[str, int] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._channel = await self._layer.new_channel("hub.")
        self._tasks = [
            asyncio.create_task(self._receive_loop(), name="redgrid-hub"),
            asyncio.create_task(self._catch_up_loop(), name="redgrid-hub-catch-up"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for queues in self._queues.values():
            for queue in queues:
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(None)

    @property
    def subscriber_count(self) -> int:
        return sum(len(q) for q in self._queues.values())

    async def _join_all(self) -> None:
        for topic in list(self._queues):
            await self._layer.group_add(topic, self._channel)

    async def _receive_loop(self) -> None:
        backoff = 0.2
        loop = asyncio.get_running_loop()
        joined_at = loop.time()
        while True:
            try:
                if loop.time() - joined_at > REJOIN_SECONDS:
                    await self._join_all()
                    joined_at = loop.time()
                message = await self._layer.receive(self._channel)
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis away: wait, then rejoin every group
                log.warning("hub receive failed, retrying", error=f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                with contextlib.suppress(Exception):
                    await self._join_all()  # a restarted Redis forgot the groups
                    joined_at = loop.time()
                    await self._catch_up()  # and what was sent while nobody listened
                continue
            if message.get("type") == "redgrid.event":
                self._dispatch(HubEvent.from_message(message))

    def _dispatch(self, event: HubEvent) -> None:
        if event.seq > self._last_seen.get(event.topic, 0):
            self._last_seen[event.topic] = event.seq
        for queue in list(self._queues.get(event.topic, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                pass  # the subscriber fills the gap from the log when it catches up

    async def _catch_up(self) -> None:
        """Dispatch from the log what the channel layer did not bring (Redis was away)."""
        for topic in list(self._queues):
            for event in await self._log.since(topic, self._last_seen.get(topic, 0), None):
                self._dispatch(event)

    async def _catch_up_loop(self) -> None:
        while True:
            await asyncio.sleep(CATCH_UP_SECONDS)
            try:
                await self._catch_up()
            except Exception as exc:  # noqa: BLE001 - the database is away: next round
                log.warning("hub catch-up failed", error=f"{type(exc).__name__}: {exc}")

    async def _replay(self, topic: str, after: int, until: int | None) -> AsyncIterator[HubEvent]:
        """Every event of (after, until] from the log, however many batches the log answers in."""
        while until is None or after < until:
            batch = await self._log.since(topic, after, until)
            if not batch:
                return
            for event in batch:
                yield event
            after = batch[-1].seq

    async def subscribe(self, topic: str, after: int | None = None) -> AsyncIterator[HubEvent]:
        """Events of `topic` in seq order, each once: those after `after` from the log first
        (a reconnecting client), then live ones, with any gap filled from the log. Without
        `after`, live from what this hub has seen: an older event arriving late (the publisher
        delivers at least once) is not news to a screen that just came."""
        queue: asyncio.Queue[HubEvent | None] = asyncio.Queue(QUEUE_SIZE)
        if topic not in self._last_seen:  # known before the queue joins, for every subscriber
            self._last_seen.setdefault(topic, await self._log.head(topic))
        first_here = not self._queues.get(topic)
        self._queues[topic].add(queue)
        try:
            if first_here:
                await self._layer.group_add(topic, self._channel)
            last = after if after is not None else self._last_seen.get(topic, 0)
            if after is not None:
                async for event in self._replay(topic, after, None):
                    yield event
                    last = event.seq
            while True:
                event = await queue.get()
                if event is None:
                    return
                if event.seq <= last:
                    continue
                if event.seq > last + 1:
                    async for missed in self._replay(topic, last, event.seq - 1):
                        yield missed
                        last = missed.seq
                yield event
                last = event.seq
        finally:
            self._queues[topic].discard(queue)
            if not self._queues[topic]:
                del self._queues[topic]
                self._last_seen.pop(topic, None)
                with contextlib.suppress(Exception):
                    await self._layer.group_discard(topic, self._channel)
