"""Which events a subscriber may receive: its own tenant's topics only (the topic is chosen
from its context), and within them only events its grid scope covers."""

from __future__ import annotations

from redgrid.platform.context import RequestContext, ScopeKind
from redgrid.realtime.hub import HubEvent


def may_see(ctx: RequestContext, event: HubEvent) -> bool:
    if ctx.tenant is None or not event.topic.startswith(f"t{ctx.tenant.id}."):
        return False
    if event.path is None or ctx.scope.kind is ScopeKind.TENANT:
        return True
    return ctx.scope.covers(event.path)
