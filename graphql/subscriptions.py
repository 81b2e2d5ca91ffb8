"""Subscriptions' plumbing: the hub's events for the caller, ended when the caller's right to
them ends (token expired, user disabled) by closing the socket with 4401."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from redgrid.graphql.context import CLOSE_UNAUTHENTICATED, GraphQLContext
from redgrid.platform.auth.identity import AuthError
from redgrid.platform.events import topic_for
from redgrid.realtime.hub import HubEvent
from redgrid.realtime.visibility import may_see

RECHECK_SECONDS = 30.0


async def tenant_events(context: GraphQLContext, area: str, after: int | None) -> AsyncIterator[HubEvent]:
    ctx = context.ctx
    tenant = ctx.require_tenant()
    identity = ctx.require_user()
    if after is not None and after < 0:
        raise ValueError("after must be a sequence number (0 or more)")
    stream = context.services.hub.subscribe(topic_for(tenant.id, area), after)
    recheck = min(RECHECK_SECONDS, context.services.settings.user_status_ttl_seconds or RECHECK_SECONDS)
    pending: asyncio.Future[HubEvent] | None = None
    try:
        while True:
            wait = recheck
            if identity.expires_at is not None:
                wait = max(0.0, min(wait, identity.expires_at - time.time()))
            if pending is None:
                # Not cancelled on a timeout: cancelling would end the hub's stream.
                pending = asyncio.ensure_future(anext(stream))  # type: ignore[arg-type]
            done, _ = await asyncio.wait({pending}, timeout=wait)
            if not done:
                await _revalidate(context)
                continue
            event, pending = pending.result(), None
            if may_see(ctx, event):
                yield event
    finally:
        if pending is not None:
            pending.cancel()
        with contextlib.suppress(Exception):
            await stream.aclose()  # type: ignore[attr-defined]


async def _revalidate(context: GraphQLContext) -> None:
    identity = context.ctx.require_user()
    try:
        await context.services.authenticator.still_valid(identity)
    except AuthError as exc:
        websocket = context.request
        websocket.state.close_with = (CLOSE_UNAUTHENTICATED, f"Unauthorized: {exc}"[:120])
        await websocket.close(code=CLOSE_UNAUTHENTICATED, reason=f"Unauthorized: {exc}"[:120])
        raise
