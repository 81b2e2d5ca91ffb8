"""Which events a subscriber may receive: its own tenant's topics only (the topic is chosen
from its context), and within them the events its grid scope covers or that name it among the
event's `people` (e.g. the sinking staff a case is dispatched to)."""

from __future__ import annotations

from redgrid.platform.context import RequestContext, ScopeKind
from redgrid.platform.events import topic_for
from redgrid.realtime.hub import HubEvent


def events_topic(ctx: RequestContext, area: str, after: int | None) -> str:
    """The topic the caller's `events(area, after)` reads; ValueError or Forbidden if none."""
    tenant = ctx.require_tenant()
    if after is not None and after < 0:
        raise ValueError("after must be a sequence number (0 or more)")
    return topic_for(tenant.id, area)


def may_see(ctx: RequestContext, event: HubEvent) -> bool:
    if ctx.tenant is None or not event.topic.startswith(f"t{ctx.tenant.id}."):
        return False
    if event.path is None or ctx.scope.kind is ScopeKind.TENANT:
        return True
    if ctx.identity is not None and ctx.identity.username in event.payload.get("people", ()):
        return True
    return ctx.scope.covers(event.path)
