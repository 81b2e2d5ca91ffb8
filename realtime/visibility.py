"""Which events a subscriber may receive: its own tenant's topics only (the topic is chosen
from its context), of an area its role may read (as the area's queries require), and within
them the events its grid scope covers or that name it among the event's `people` (e.g. the
sinking staff a case is dispatched to). An event without a path (key figures, an import's
counts) concerns the whole tenant: the area's role rule alone decides it.

A district department's staff (no tenant) follow their department's topic, of cases alone:
the events of the cases referred to it, from whichever street (tenants/cases/service.py).

A district's readers follow its streets' FIGURES topics, and nothing else of them."""

from __future__ import annotations

from collections.abc import Callable

from redgrid.platform.context import Forbidden, RequestContext, ScopeKind
from redgrid.platform.events import department_topic, topic_for
from redgrid.platform.models import District, Tenant
from redgrid.realtime.hub import HubEvent
from redgrid.tenants.district.rules import district_to_read
from redgrid.tenants.figures import require_figures
from redgrid.tenants.people.privacy import require_registers
from redgrid.tenants.sharing.access import require_sharing

# Areas closed to some roles, with the rule their queries apply; the others (grid, cases,
# roster) are open to every member of the tenant and narrowed event by event.
AREA_RULES: dict[str, Callable[[RequestContext], None]] = {
    "figures": require_figures,
    "people": require_registers,
    "sharing": require_sharing,
}


def events_topic(ctx: RequestContext, area: str, after: int | None) -> str:
    """The topic the caller's `events(area, after)` reads; ValueError or Forbidden if none."""
    if after is not None and after < 0:
        raise ValueError("after must be a sequence number (0 or more)")
    if ctx.tenant is None and ctx.department_id is not None:
        ctx.require_role("dept-staff")
        if area != "cases":
            raise Forbidden("a district department's staff follow the cases referred to it, nothing else")
        return department_topic(ctx.department_id)
    tenant = ctx.require_tenant()
    if (rule := AREA_RULES.get(area)) is not None:
        rule(ctx)
    return topic_for(tenant.id, area)


def may_see(ctx: RequestContext, event: HubEvent) -> bool:
    return in_scope(ctx, event) or named_in(ctx, event)


def in_scope(ctx: RequestContext, event: HubEvent) -> bool:
    """The event is in the caller's tenant and grid scope: the same for every caller with the
    same tenant and scope, so it can be decided once for all of them."""
    if ctx.tenant is None and ctx.department_id is not None:
        return event.topic == department_topic(ctx.department_id)
    if ctx.tenant is None or not event.topic.startswith(f"t{ctx.tenant.id}."):
        return False
    return event.path is None or ctx.scope.kind is ScopeKind.TENANT or ctx.scope.covers(event.path)


def named_in(ctx: RequestContext, event: HubEvent) -> bool:
    """The event names the caller among its people, in his own tenant."""
    return (
        ctx.identity is not None
        and ctx.identity.username in event.payload.get("people", ())
        and ctx.tenant is not None
        and event.topic.startswith(f"t{ctx.tenant.id}.")
    )


async def district_figures_topics(ctx: RequestContext, slug: str | None) -> dict[str, Tenant]:
    """The FIGURES topics of the district the caller may read (tenants/district/rules.py: a
    district admin his own, a platform admin any), by topic: the streets' `figures.updated`
    events are counts only, the same a district admin reads in `districtOverview`."""
    slug = district_to_read(ctx.require_user(), slug)
    district = await District.get_or_none(slug=slug)
    if district is None:
        return {}
    return {
        topic_for(t.id, "figures"): t
        for t in await Tenant.filter(district_id=district.id).select_related("district").order_by("slug")
    }
