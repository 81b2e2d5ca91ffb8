"""One hub per process: a single channel-layer receive loop, fanned out in memory.

A naive design — one channel-layer channel and one blocking `receive` per subscription — dies
at about a thousand subscribers with `MaxConnectionsError`. Here the process owns one channel,
joins a topic's group when its first local listener arrives, and calls each local listener
with every event of its topic, in `seq` order and once each: a listener that is behind (it
reconnected with `after`, or the channel layer lost an event while Redis was away) is given
what it missed from the event log in PostgreSQL first.

Listeners are plain callbacks, not tasks or queues: at ten thousand subscribers a task wake-up
per subscriber per event was most of the delivery time, and a task per subscriber most of the
memory. A listener only gets a task while it catches up from the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog

from redgrid.platform import metrics
from redgrid.platform.limits import get_limits
from redgrid.platform.logging import brief

log = structlog.get_logger("redgrid.hub")
QUEUE_SIZE = 1000  # events a `subscribe` stream holds for a slow reader before it re-listens
REJOIN_SECONDS = 3600.0  # well inside channels-redis' default group expiry of a day
LOG_RETRY_SECONDS = 1.0


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
    def from_message(cls, message: dict[str, Any]) -> HubEvent:
        return cls(
            topic=message["topic"],
            seq=int(message["seq"]),
            type=message["event_type"],
            path=message.get("path"),
            payload=message["payload"],
            at=message["at"],
        )


class ReplayTooOld(Exception):
    """`after` reaches further back than the replay window: the client reloads its state with
    queries and subscribes again without `after`, rather than the log being read to it whole."""

    def __init__(self, window: int) -> None:
        super().__init__(
            f"`after` is more than {window} events behind: reload with queries and subscribe without `after`"
        )


class EventLog(Protocol):
    async def since(self, topic: str, after: int, until: int | None) -> list[HubEvent]:
        """Events of `topic` with after < seq <= until (None: to the end), in seq order."""

    async def head(self, topic: str) -> int:
        """The topic's highest published seq (0 when none)."""


class Listener:
    """One subscription's place in its topic: the last seq it was given and, while it catches
    up from the log, the live events that arrived meanwhile."""

    __slots__ = ("backlog", "deliver", "last", "task", "topic")

    def __init__(self, topic: str, deliver: Callable[[HubEvent], None], last: int) -> None:
        self.topic = topic
        self.deliver = deliver  # must not block; it may raise, which is logged
        self.last = last
        self.backlog: list[HubEvent] | None = None  # not None while catching up
        self.task: asyncio.Task[None] | None = None


class Hub:
    def __init__(self, layer: Any, log_: EventLog, catch_up_seconds: float = 5.0) -> None:
        self._layer = layer
        self._log = log_
        self._catch_up_seconds = catch_up_seconds
        self._channel: str | None = None
        self._listeners: dict[str, dict[Listener, None]] = defaultdict(dict)  # ordered: first come, first served
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
        for listeners in list(self._listeners.values()):
            for listener in list(listeners):
                if listener.task is not None:
                    listener.task.cancel()
        self._listeners.clear()

    @property
    def subscriber_count(self) -> int:
        return sum(len(listeners) for listeners in self._listeners.values())

    async def listen(self, topic: str, after: int | None, deliver: Callable[[HubEvent], None]) -> Listener:
        """Call `deliver` with each event of `topic` from now on, in seq order, once each; with
        `after` (a reconnecting client's last seq), first with every event since then. Without
        it, live from what this hub has seen: an older event arriving late (the publisher
        delivers at least once) is not news to a screen that just came. ReplayTooOld when
        `after` is more than `replay_events` behind the topic's head."""
        if topic not in self._last_seen:  # known before the listener joins, for every listener
            self._last_seen.setdefault(topic, await self._log.head(topic))
        if after is not None and self._last_seen[topic] - after > (window := get_limits().replay_events):
            if not self._listeners.get(topic):
                self._last_seen.pop(topic, None)  # unwatched, it would go stale
            raise ReplayTooOld(window)
        first_here = not self._listeners.get(topic)
        listener = Listener(topic, deliver, after if after is not None else self._last_seen.get(topic, 0))
        self._listeners[topic][listener] = None
        if first_here:
            try:
                await self._layer.group_add(topic, self._channel)
            except BaseException:
                await self.unlisten(listener)
                raise
        if after is not None:
            self._catch_up_listener(listener, None)
        return listener

    async def unlisten(self, listener: Listener) -> None:
        if listener.task is not None:
            listener.task.cancel()
        listeners = self._listeners.get(listener.topic)
        if listeners is None or listener not in listeners:
            return
        del listeners[listener]
        if not listeners:
            del self._listeners[listener.topic]
            self._last_seen.pop(listener.topic, None)
            with contextlib.suppress(Exception):
                await self._layer.group_discard(listener.topic, self._channel)

    async def subscribe(self, topic: str, after: int | None = None) -> AsyncIterator[HubEvent]:
        """`listen` as an async iterator, for callers that consume at their own pace. A reader
        that falls QUEUE_SIZE events behind listens again from its last seq (from the log)."""
        queue: asyncio.Queue[HubEvent] = asyncio.Queue(QUEUE_SIZE)
        overflowed = False

        def deliver(event: HubEvent) -> None:
            nonlocal overflowed
            if overflowed:
                return
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                overflowed = True

        listener = await self.listen(topic, after, deliver)
        last = after
        try:
            while True:
                if overflowed and queue.empty():  # so every queued event was yielded: `last` is set
                    await self.unlisten(listener)
                    overflowed = False
                    listener = await self.listen(topic, last, deliver)
                event = await queue.get()
                last = event.seq
                yield event
        finally:
            await self.unlisten(listener)

    async def _join_all(self) -> None:
        for topic in list(self._listeners):
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
                log.warning("hub receive failed, retrying", error=brief(exc))
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
        listeners = list(self._listeners.get(event.topic, ()))
        if not listeners:
            return
        started = time.perf_counter()
        for listener in listeners:
            self._offer(listener, event)
        metrics.EVENT_FANOUT.observe(time.perf_counter() - started)

    def _offer(self, listener: Listener, event: HubEvent) -> None:
        if listener.backlog is not None:
            listener.backlog.append(event)
        elif event.seq <= listener.last:
            return  # delivered already (the publisher delivers at least once)
        elif event.seq > listener.last + 1:
            listener.backlog = [event]
            self._catch_up_listener(listener, event.seq - 1)
        else:
            self._deliver(listener, event)

    @staticmethod
    def _deliver(listener: Listener, event: HubEvent) -> None:
        listener.last = event.seq
        try:
            listener.deliver(event)
        except Exception:
            log.exception("event delivery failed", topic=event.topic, seq=event.seq)

    def _catch_up_listener(self, listener: Listener, until: int | None) -> None:
        if listener.backlog is None:
            listener.backlog = []
        listener.task = asyncio.create_task(self._fill(listener, until), name="redgrid-hub-fill")

    async def _fill(self, listener: Listener, until: int | None) -> None:
        """Give `listener` (last, until] from the log (None: to the end), then what arrived live
        meanwhile. The log being away is waited out: nothing is skipped."""
        while True:
            try:
                async for event in self._replay(listener.topic, listener.last, until):
                    if event.seq > listener.last:
                        self._deliver(listener, event)
                break
            except Exception as exc:  # noqa: BLE001 - the database is away: try again
                log.warning("hub replay failed, retrying", error=brief(exc))
                await asyncio.sleep(LOG_RETRY_SECONDS)
        backlog, listener.backlog, listener.task = listener.backlog or [], None, None
        for event in backlog:
            self._offer(listener, event)

    async def _catch_up(self) -> None:
        """Dispatch from the log what the channel layer did not bring (Redis was away)."""
        for topic in list(self._listeners):
            for event in await self._log.since(topic, self._last_seen.get(topic, 0), None):
                self._dispatch(event)

    async def _catch_up_loop(self) -> None:
        while True:
            await asyncio.sleep(self._catch_up_seconds)
            try:
                await self._catch_up()
            except Exception as exc:  # noqa: BLE001 - the database is away: next round
                log.warning("hub catch-up failed", error=brief(exc))

    async def _replay(self, topic: str, after: int, until: int | None) -> AsyncIterator[HubEvent]:
        """Every event of (after, until] from the log, however many batches the log answers in."""
        while until is None or after < until:
            batch = await self._log.since(topic, after, until)
            if not batch:
                return
            for event in batch:
                yield event
            after = batch[-1].seq
