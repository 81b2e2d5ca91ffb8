"""Subscriptions' plumbing: the hub's events of the caller's tenant that the caller may see.

Over websockets an `events` subscription is served by graphql/core/pushed.py, which hands each
event from the hub straight to the socket; `tenant_events` is the same stream as an async
iterator, for strawberry's own path (a document pushed.py does not plan, e.g. one with a
fragment at its root).

A caller who loses the right to them (token expired, user disabled, role taken away) is closed
out of the socket by the process' RightsWatch (realtime/connections.py), which ends this too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import GraphQLError

from redgrid.graphql.core.context import GraphQLContext
from redgrid.realtime.hub import HubEvent, ReplayTooOld
from redgrid.realtime.visibility import events_topic, may_see


async def tenant_events(context: GraphQLContext, area: str, after: int | None) -> AsyncIterator[HubEvent]:
    ctx = context.ctx
    try:
        async for event in context.services.hub.subscribe(events_topic(ctx, area, after), after):
            if may_see(ctx, event):
                yield event
    except ReplayTooOld as exc:
        raise GraphQLError(str(exc), extensions={"code": "REPLAY_TOO_OLD"}) from None
