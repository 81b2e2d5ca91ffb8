"""Subscriptions: a heartbeat for wall displays, and the live events of one area."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.events.stream import tenant_events
from redgrid.graphql.events.types import EventArea, TenantEvent, typed_event

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Server time every interval: lets a wall display tell a live feed from a stale one."
    )
    async def heartbeat(self, info: Info, interval_seconds: float = 15.0) -> AsyncGenerator[datetime, None]:
        info.context.ctx.require_user()
        interval = min(max(interval_seconds, 0.1), 300.0)
        while True:
            yield datetime.now(UTC)
            await asyncio.sleep(interval)

    @strawberry.subscription(
        description="Live committed changes of one area of the caller's tenant that the caller's "
        "grid scope covers. Pass `after` (the last seq you received) to get what you missed first. "
        "Each is its area's type (`... on CaseEvent { number state }`; units' changes are GridEvents); "
        "`... on Event` selects what all share."
    )
    async def events(self, info: Info, area: EventArea, after: int | None = None) -> AsyncGenerator[TenantEvent, None]:
        async for event in tenant_events(info.context, area.value, after):
            if (typed := typed_event(event)) is not None:
                yield typed
