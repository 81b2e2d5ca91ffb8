"""A street's key figures for the command-centre wall: open cases by state, overdue ones,
today's closures and satisfaction, who is on duty, the registers' totals and household colours.

`key_figures` computes them on demand. `publish_changed` (a scheduler job, one replica at a
time) records a `figures.updated` event, carrying the figures, for every tenant whose cases,
roster or people events moved since the figures it last sent: screens subscribed to the
FIGURES area get fresh totals within a scan interval of a change, and nothing while the street
is quiet. The watermark is the last sequence the publisher handed out in each of those topics
(topic_sequence, assigned in commit order), so a change is never skipped.

They are the street's totals, counts only: every role that may subscribe in the tenant sees them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any, SupportsFloat, cast

from tortoise.expressions import Q
from tortoise.functions import Avg, Count

from redgrid.platform import events
from redgrid.platform.context import RequestContext, system_context
from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Event, Tenant, TopicSequence
from redgrid.tenants.cases.models import Case
from redgrid.tenants.people.models import Household, PartyMember, Resident
from redgrid.tenants.people.tags import LOCAL_TIME
from redgrid.tenants.staff.models import DutyShift
from redgrid.tenants.staff.service import STAFF_ROLES

WATCHED = ("cases", "roster", "people")
PUBLISHER = "figures-publisher"


async def key_figures(tenant_id: int, now: datetime | None = None) -> dict[str, Any]:
    """The figures of one tenant, in the caller's tenant transaction."""
    now = now or datetime.now(UTC)
    local_midnight = now.astimezone(LOCAL_TIME).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    cases = Case.filter(tenant_id=tenant_id)
    by_state = dict(
        await cases.exclude(state="closed").annotate(n=Count("id")).group_by("state").values_list("state", "n")
    )
    overdue = (
        await cases.filter(closed_at=None)
        .filter(
            Q(overdue_on_scene_at__isnull=False)
            | Q(overdue_resolve_at__isnull=False)
            | Q(overdue_answer_at__isnull=False)
        )
        .count()
    )
    closed_today = await cases.filter(closed_at__gte=local_midnight).count()
    satisfaction = cast(
        "SupportsFloat | None",  # tortoise types a flat values_list value as a tuple
        await cases.filter(satisfaction__isnull=False, answered_at__gte=now - timedelta(days=30))
        .annotate(avg=Avg("satisfaction"))
        .first()
        .values_list("avg", flat=True),
    )
    on_duty = await DutyShift.filter(
        tenant_id=tenant_id,
        starts_at__lte=now,
        ends_at__gt=now,
        cancelled_at=None,
        checked_in_at__isnull=False,
        checked_out_at=None,
    ).count()
    colours = dict(
        await Household.filter(tenant_id=tenant_id)
        .annotate(n=Count("id"))
        .group_by("colour")
        .values_list("colour", "n")
    )
    return {
        "openCases": sum(by_state.values()),
        "casesByState": by_state,
        "overdueCases": overdue,
        "closedToday": closed_today,
        "satisfaction30Days": round(float(satisfaction), 2) if satisfaction is not None else None,
        "onDutyNow": on_duty,
        "residents": await Resident.filter(tenant_id=tenant_id).count(),
        "households": sum(colours.values()),
        "householdsByColour": colours,
        "partyMembers": await PartyMember.filter(tenant_id=tenant_id).count(),
        "asOf": now.isoformat(),
    }


# The marks each tenant's last figures were sent at, as this process knows them (a replica
# that takes the job over reads them back from the last figures event).
_sent: dict[int, dict[str, int]] = {}


async def _watermarks(tenants: list[Tenant]) -> dict[int, dict[str, int]]:
    """The last sequence handed out in each watched topic of every tenant, in one query."""
    topics = {events.topic_for(t.id, area): (t.id, area) for t in tenants for area in WATCHED}
    marks: dict[int, dict[str, int]] = defaultdict(dict)
    for topic, last_seq in await TopicSequence.filter(topic__in=list(topics)).values_list("topic", "last_seq"):
        tenant_id, area = topics[topic]
        marks[tenant_id][area] = last_seq
    return marks


async def publish_changed() -> int:
    """Record `figures.updated` for each tenant with news since its last one; how many. A
    quiet tick costs one query."""
    tenants = await Tenant.all()
    sent = 0
    for tenant_id, marks in (await _watermarks(tenants)).items():
        if _sent.get(tenant_id) == marks:
            continue
        tenant = next(t for t in tenants if t.id == tenant_id)
        async with tenant_transaction(tenant_id):
            last = (
                await Event.filter(tenant_id=tenant_id, topic=events.topic_for(tenant_id, "figures"))
                .order_by("-id")
                .first()
            )
            if last is None or last.payload.get("watermark") != marks:
                figures = await key_figures(tenant_id)
                await events.record(
                    system_context(tenant, PUBLISHER), "figures", "figures.updated", {**figures, "watermark": marks}
                )
                sent += 1
        _sent[tenant_id] = marks
    return sent


def require_figures(ctx: RequestContext) -> None:
    """Staff roles only (a volunteer has no wall to fill): for the query and the FIGURES topic alike."""
    ctx.require_role(*STAFF_ROLES)


async def figures_for(ctx: RequestContext) -> dict[str, Any]:
    """The caller's street's figures."""
    require_figures(ctx)
    return await key_figures(ctx.require_tenant().id)
