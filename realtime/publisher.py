"""The outbox publisher: sequences committed events and pushes them to every replica's hub.

Two steps, so that an event's sequence number is given exactly once and its delivery is
at-least-once (subscribers drop what they already have by `seq`):

1. Sequence: one replica at a time (a transaction-level advisory lock) gives each committed,
   unsequenced event the next number of its topic, in commit order, and commits.
2. Publish: sequenced but unpublished events go to the channel layer group of their topic;
   `published_at` is stamped only after the send. If Redis is down the send fails, nothing is
   stamped, and the same events go out again, with the same numbers, when it returns.

Runs in every process: woken right after a local commit, and polling for other replicas'.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from tortoise.transactions import in_transaction

from redgrid.platform import events
from redgrid.platform.database import is_postgres
from redgrid.platform.logging import brief
from redgrid.platform.models import Event, TopicSequence

log = structlog.get_logger("redgrid.publisher")
ADVISORY_LOCK = 0x5265644772_1D  # "RedGr" + 1: the sequencing lock
BATCH = 500
POLL_SECONDS = 0.2
RETENTION = timedelta(hours=24)
PRUNE_EVERY_SECONDS = 600.0


def event_message(event: Event) -> dict[str, Any]:
    return {
        "type": "redgrid.event",
        "topic": event.topic,
        "seq": event.seq,
        "event_type": event.type,
        "path": event.path,
        "payload": event.payload,
        "at": event.created_at.isoformat(),
    }


async def enter_publisher_scope(conn: Any) -> None:
    """Let this transaction see every tenant's events (system code only)."""
    if is_postgres(conn):
        await conn.execute_query(f"SELECT set_config('{Event.rls_bypass_setting}', 'on', true)")


class Publisher:
    def __init__(self, layer: Any) -> None:
        self._layer = layer
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        events.wake_on_commit(self._wake.set)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="redgrid-publisher")

    async def stop(self, drain_seconds: float = 5.0) -> int:
        """Stop polling, then publish what is still pending (bounded by `drain_seconds`).
        Returns how many events were left unpublished (-1: unknown); the next publisher to run,
        here or on another replica, sends them."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            await asyncio.wait_for(self.drain(), drain_seconds)
            return await self._pending()
        except Exception as exc:  # noqa: BLE001 - shutting down: say what is left, do not fail
            log.warning("outbox not drained at shutdown; another replica will publish it", error=brief(exc))
            return -1

    async def _run(self) -> None:
        backoff = POLL_SECONDS
        loop = asyncio.get_running_loop()
        pruned_at = loop.time()
        while not self._stopping:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), backoff)
            self._wake.clear()
            try:
                await self.drain()
                backoff = POLL_SECONDS
                if loop.time() - pruned_at > PRUNE_EVERY_SECONDS:
                    await self.prune()
                    pruned_at = loop.time()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis or the database is away: retry
                log.warning("publish failed, will retry", error=brief(exc))
                backoff = min(backoff * 2, 5.0)

    async def drain(self) -> None:
        while await self._sequence() | await self._publish():
            pass

    async def _sequence(self) -> bool:
        async with in_transaction("default") as conn:
            await enter_publisher_scope(conn)
            if is_postgres(conn):
                rows = await conn.execute_query_dict("SELECT pg_try_advisory_xact_lock($1) AS locked", [ADVISORY_LOCK])
                if not rows[0]["locked"]:
                    return False  # another replica is sequencing right now
            pending = await Event.filter(seq=None).order_by("id").limit(BATCH)
            if not pending:
                return False
            # A range of numbers per topic, then every event's number in one statement: a
            # burst (Redis back after a while, a wave of overdue cases) costs a few queries,
            # not three per event.
            by_topic: dict[str, list[Event]] = {}
            for event in pending:
                by_topic.setdefault(event.topic, []).append(event)
            for topic, batch in by_topic.items():
                sequence, _ = await TopicSequence.get_or_create(topic=topic)
                for number, event in enumerate(batch, start=sequence.last_seq + 1):
                    event.seq = number
                sequence.last_seq += len(batch)
                await sequence.save(update_fields=["last_seq"])
            await Event.bulk_update(pending, fields=["seq"])
        return True

    async def _publish(self) -> bool:
        async with in_transaction("default") as conn:
            await enter_publisher_scope(conn)
            batch = await Event.filter(seq__not_isnull=True, published_at=None).order_by("id").limit(BATCH)
        if not batch:
            return False
        for event in batch:
            await self._layer.group_send(event.topic, event_message(event))
        async with in_transaction("default") as conn:
            await enter_publisher_scope(conn)
            await Event.filter(id__in=[e.id for e in batch]).update(published_at=datetime.now(UTC))
        return True

    async def _pending(self) -> int:
        async with in_transaction("default") as conn:
            await enter_publisher_scope(conn)
            return await Event.filter(published_at=None).count()

    async def prune(self) -> int:
        """Forget published events older than the replay window."""
        async with in_transaction("default") as conn:
            await enter_publisher_scope(conn)
            return await Event.filter(published_at__lt=datetime.now(UTC) - RETENTION).delete()
