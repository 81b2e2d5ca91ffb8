"""The live unread count: the caller's count read from the database when he subscribes, and
again whenever an event on his tenant's `notices` topic names him (a notification for him, or
his marking some read, on any of his devices). Read, not replayed: a reconnect starts from the
truth, whatever was missed while away."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from redgrid.graphql.core.context import GraphQLContext
from redgrid.realtime.hub import HubEvent
from redgrid.realtime.visibility import named_in
from redgrid.tenants.notices import service as notices


async def unread_counts(context: GraphQLContext) -> AsyncIterator[int]:
    ctx = context.ctx
    tenant = ctx.require_tenant()
    changed = asyncio.Event()

    def deliver(event: HubEvent) -> None:
        if named_in(ctx, event):
            changed.set()

    hub = context.services.hub
    listener = await hub.listen(notices.topic(tenant.id), None, deliver)  # first: nothing after the read is lost
    try:
        last = None
        while True:
            changed.clear()
            count = await notices.unread_count_now(ctx)
            if count != last:
                yield count
                last = count
            await changed.wait()
    finally:
        await hub.unlisten(listener)
