"""The replay log the hub reads: sequenced events in PostgreSQL (or the embedded SQLite).

A sequenced event is committed and will be published, so it may be replayed even before the
publisher stamps it sent."""

from __future__ import annotations

from tortoise.functions import Max
from tortoise.transactions import in_transaction

from redgrid.platform.models import Event
from redgrid.realtime.hub import HubEvent
from redgrid.realtime.publisher import enter_publisher_scope

REPLAY_LIMIT = 5000


def _hub_event(event: Event) -> HubEvent:
    return HubEvent(
        topic=event.topic,
        seq=event.seq or 0,
        type=event.type,
        path=event.path,
        payload=event.payload,
        at=event.created_at.isoformat(),
    )


class DatabaseEventLog:
    async def since(self, topic: str, after: int, until: int | None) -> list[HubEvent]:
        async with in_transaction("default") as conn:
            await enter_publisher_scope(conn)
            query = Event.filter(topic=topic, seq__gt=after)
            if until is not None:
                query = query.filter(seq__lte=until)
            rows = await query.order_by("seq").limit(REPLAY_LIMIT)
        return [_hub_event(e) for e in rows]

    async def head(self, topic: str) -> int:
        async with in_transaction("default") as conn:
            await enter_publisher_scope(conn)
            rows = await Event.filter(topic=topic).annotate(top=Max("seq")).values("top")
        return int((rows[0]["top"] if rows else None) or 0)
