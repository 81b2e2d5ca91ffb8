"""Subscriptions' plumbing: the hub's events of the caller's tenant that the caller may see.

Over websockets an `events` subscription is served by graphql/core/pushed.py, which hands each
event from the hub straight to the socket; `tenant_events` is the same stream as an async
iterator, for strawberry's own path (a document pushed.py does not plan, e.g. one with a
fragment at its root).

A caller who loses the right to them (token expired, user disabled, role taken away) is closed
out of the socket by the process' RightsWatch (realtime/connections.py), which ends this too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from graphql import GraphQLError

from redgrid.graphql.core.context import GraphQLContext
from redgrid.platform.models import Tenant
from redgrid.realtime.hub import QUEUE_SIZE, HubEvent, ReplayTooOld
from redgrid.realtime.visibility import district_figures_topics, events_topic, may_see


async def tenant_events(context: GraphQLContext, area: str, after: int | None) -> AsyncIterator[HubEvent]:
    ctx = context.ctx
    try:
        async for event in context.services.hub.subscribe(events_topic(ctx, area, after), after):
            if may_see(ctx, event):
                yield event
    except ReplayTooOld as exc:
        raise GraphQLError(str(exc), extensions={"code": "REPLAY_TOO_OLD"}) from None


async def district_figures(context: GraphQLContext, slug: str | None) -> AsyncIterator[tuple[Tenant, HubEvent]]:
    """The district's streets' `figures.updated` events, live (no replay: a district wall
    loads `districtOverview` when it (re)subscribes), merged in arrival order."""
    topics = await district_figures_topics(context.ctx, slug)
    hub = context.services.hub
    queue: asyncio.Queue[HubEvent] = asyncio.Queue(QUEUE_SIZE)
    listeners = []
    try:
        for topic in topics:
            # A full queue drops the event: the next one carries the street's figures whole.
            listeners.append(await hub.listen(topic, None, lambda e: None if queue.full() else queue.put_nowait(e)))
        while True:
            event = await queue.get()
            if event.type == "figures.updated":
                yield topics[event.topic], event
    finally:
        for listener in listeners:
            await hub.unlisten(listener)
