"""Which events a subscriber may receive: its own tenant's topics only (the topic is chosen
from its context), and within them the events its grid scope covers or that name it among the
event's `people` (e.g. the sinking staff a case is dispatched to)."""

from __future__ import annotations

from redgrid.platform.context import RequestContext, ScopeKind
from redgrid.realtime.hub import HubEvent


def may_see(ctx: RequestContext, event: HubEvent) -> bool:
    if ctx.tenant is None or not event.topic.startswith(f"t{ctx.tenant.id}."):
        return False
    if event.path is None or ctx.scope.kind is ScopeKind.TENANT:
        return True
    if ctx.identity is not None and ctx.identity.username in event.payload.get("people", ()):
        return True
    return ctx.scope.covers(event.path)
