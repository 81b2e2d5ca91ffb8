"""Subscriptions' plumbing: the hub's events of the caller's tenant that the caller may see.

A caller who loses the right to them (token expired, user disabled, role taken away) is closed
out of the socket by the process' RightsWatch (realtime/connections.py), which ends this too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from redgrid.graphql.context import GraphQLContext
from redgrid.platform.events import topic_for
from redgrid.realtime.hub import HubEvent
from redgrid.realtime.visibility import may_see


async def tenant_events(context: GraphQLContext, area: str, after: int | None) -> AsyncIterator[HubEvent]:
    ctx = context.ctx
    tenant = ctx.require_tenant()
    if after is not None and after < 0:
        raise ValueError("after must be a sequence number (0 or more)")
    async for event in context.services.hub.subscribe(topic_for(tenant.id, area), after):
        if may_see(ctx, event):
            yield event
