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
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from redgrid.platform import events
from redgrid.platform.context import RequestContext, system_context
from redgrid.platform.database import tenant_transaction
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.models import Event, Tenant, TopicSequence
from redgrid.tenants.cases.models import Case
from redgrid.tenants.cases.workflow import STATES
from redgrid.tenants.people.models import Household, PartyMember, Resident
from redgrid.tenants.people.tags import LOCAL_TIME
from redgrid.tenants.staff.models import DutyShift
from redgrid.tenants.staff.service import STAFF_ROLES

WATCHED = ("cases", "roster", "people")
OPEN_STATES = tuple(state for state in STATES if state != "closed")
PUBLISHER = "figures-publisher"
TREND_DAYS = 30
MAX_TREND_DAYS = 90


async def key_figures(tenant_id: int, now: datetime | None = None) -> dict[str, Any]:
    """The figures of one tenant, in the caller's tenant transaction."""
    now = now or datetime.now(UTC)
    figures = (await case_figures([tenant_id], now))[tenant_id]
    del figures["verified30Days"], figures["satisfactionSum30Days"]
    return {**figures, **(await register_counts([tenant_id]))[tenant_id], "asOf": now.isoformat()}


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` as a fraction, four decimals; None when there is no whole."""
    return round(part / whole, 4) if whole else None


def closure_rates(f: dict[str, Any]) -> dict[str, float | None]:
    """The closure rate (of the cases reported in 30 days, the share closed) and the on-time
    closure rate (of those closed in 30 days, the share with no deadline passed), from the raw
    counts `case_figures` keeps so a district can total them before dividing."""
    return {
        "closureRate30Days": share(f["closedOfReported30Days"], f["reported30Days"]),
        "onTimeClosureRate30Days": share(f["closedOnTime30Days"], f["closed30Days"]),
    }


def mean_satisfaction(total: int, verified: int) -> float | None:
    """The mean of `verified` satisfactions summing to `total`, two decimals; None for none."""
    return round(total / verified, 2) if verified else None


def _grouped(rows: list[tuple[Any, ...]]) -> dict[int, int]:
    return {tenant_id: n for tenant_id, n in rows}


async def case_figures(tenant_ids: list[int], now: datetime) -> dict[int, dict[str, Any]]:
    """The cases' and the roster's figures of each tenant, in two grouped queries whatever the
    number of tenants (a district's overview asks for all its streets at once: one pass over
    their cases), plus `verified30Days` and `satisfactionSum30Days`, what the satisfaction is
    the mean of (a district's mean weighs its streets by them)."""
    local_midnight = now.astimezone(LOCAL_TIME).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    overdue = Q(closed_at=None) & (
        Q(overdue_on_scene_at__isnull=False) | Q(overdue_resolve_at__isnull=False) | Q(overdue_answer_at__isnull=False)
    )
    month = now - timedelta(days=30)
    rated = Q(satisfaction__isnull=False, answered_at__gte=month)
    late = (
        Q(overdue_on_scene_at__isnull=False) | Q(overdue_resolve_at__isnull=False) | Q(overdue_answer_at__isnull=False)
    )
    closed_30 = Q(closed_at__gte=month)
    tallies = {
        **{f"state_{state}": Count("id", _filter=Q(state=state)) for state in OPEN_STATES},
        "overdue": Count("id", _filter=overdue),
        "closed_today": Count("id", _filter=Q(closed_at__gte=local_midnight)),
        "reported_today": Count("id", _filter=Q(created_at__gte=local_midnight)),
        "reported_30": Count("id", _filter=Q(created_at__gte=month)),
        "closed_of_reported_30": Count("id", _filter=Q(created_at__gte=month, closed_at__isnull=False)),
        "closed_30": Count("id", _filter=closed_30),
        "closed_on_time_30": Count("id", _filter=closed_30 & ~late),
        "verified": Count("id", _filter=rated),
        "rated_sum": Sum("satisfaction", _filter=rated),  # not named after the field it sums
    }
    rows = {
        row["tenant_id"]: row
        for row in await Case.filter(tenant_id__in=tenant_ids)
        .annotate(**tallies)
        .group_by("tenant_id")
        .values("tenant_id", *tallies)
    }
    on_duty = _grouped(
        await DutyShift.filter(
            tenant_id__in=tenant_ids,
            starts_at__lte=now,
            ends_at__gt=now,
            cancelled_at=None,
            checked_in_at__isnull=False,
            checked_out_at=None,
        )
        .annotate(n=Count("id"))
        .group_by("tenant_id")
        .values_list("tenant_id", "n")
    )
    figures = {}
    for tenant_id in tenant_ids:
        row = rows.get(tenant_id) or {}
        states = {state: n for state in OPEN_STATES if (n := row.get(f"state_{state}"))}
        verified, total = row.get("verified") or 0, int(row.get("rated_sum") or 0)
        counts = {
            "reported30Days": row.get("reported_30") or 0,
            "closedOfReported30Days": row.get("closed_of_reported_30") or 0,
            "closed30Days": row.get("closed_30") or 0,
            "closedOnTime30Days": row.get("closed_on_time_30") or 0,
        }
        figures[tenant_id] = {
            "openCases": sum(states.values()),
            "casesByState": states,
            "overdueCases": row.get("overdue") or 0,
            "closedToday": row.get("closed_today") or 0,
            "reportedToday": row.get("reported_today") or 0,
            **counts,
            **closure_rates(counts),
            "satisfaction30Days": mean_satisfaction(total, verified),
            "verified30Days": verified,
            "satisfactionSum30Days": total,
            "onDutyNow": on_duty.get(tenant_id, 0),
        }
    return figures


async def register_counts(tenant_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The registers' totals of each tenant: residents, households by colour, party members."""
    colours: dict[int, dict[str, int]] = defaultdict(dict)
    for tenant_id, colour, n in await (
        Household.filter(tenant_id__in=tenant_ids)
        .annotate(n=Count("id"))
        .group_by("tenant_id", "colour")
        .values_list("tenant_id", "colour", "n")
    ):
        colours[tenant_id][colour] = n

    async def count(model: Any) -> dict[int, int]:
        query = model.filter(tenant_id__in=tenant_ids).annotate(n=Count("id")).group_by("tenant_id")
        return _grouped(await query.values_list("tenant_id", "n"))

    residents, members = await count(Resident), await count(PartyMember)
    return {
        t: {
            "residents": residents.get(t, 0),
            "households": sum(colours.get(t, {}).values()),
            "householdsByColour": colours.get(t, {}),
            "partyMembers": members.get(t, 0),
        }
        for t in tenant_ids
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


def trend_days(now: datetime, days: int) -> list[tuple[date, datetime, datetime]]:
    """The last `days` local days, oldest first, today last: each with its start and its end
    (the next midnight; today's is `now`), in UTC."""
    today = now.astimezone(LOCAL_TIME).date()

    def midnight(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), LOCAL_TIME).astimezone(UTC)

    spans = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        spans.append((day, midnight(day), now if back == 0 else midnight(day + timedelta(days=1))))
    return spans


async def case_trend(tenant_id: int, days: int = TREND_DAYS, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per local day of the last `days` (today last, so far): the cases reported and closed
    that day, and the open cases overdue at its end (today: now, the `overdueCases` figure).
    One grouped query, a count per day and series, in the caller's tenant transaction."""
    now = now or datetime.now(UTC)
    spans = trend_days(now, days)
    tallies = {}
    for i, (_, start, end) in enumerate(spans):
        late = (Q(overdue_on_scene_at__lt=end) | Q(overdue_resolve_at__lt=end) | Q(overdue_answer_at__lt=end)) & (
            Q(closed_at=None) | Q(closed_at__gte=end)
        )
        tallies[f"reported_{i}"] = Count("id", _filter=Q(created_at__gte=start, created_at__lt=end))
        tallies[f"closed_{i}"] = Count("id", _filter=Q(closed_at__gte=start, closed_at__lt=end))
        tallies[f"overdue_{i}"] = Count("id", _filter=late)
    first = spans[0][1]
    rows = (
        await Case.filter(
            Q(tenant_id=tenant_id) & (Q(created_at__gte=first) | Q(closed_at__gte=first) | Q(closed_at=None))
        )
        .annotate(**tallies)
        .group_by("tenant_id")
        .values(*tallies)
    )
    row = rows[0] if rows else {}
    return [
        {
            "day": day,
            "reported": row.get(f"reported_{i}") or 0,
            "closed": row.get(f"closed_{i}") or 0,
            "overdue": row.get(f"overdue_{i}") or 0,
        }
        for i, (day, _, _) in enumerate(spans)
    ]


async def trend_for(ctx: RequestContext, days: int = TREND_DAYS, now: datetime | None = None) -> list[dict[str, Any]]:
    """The caller's street's case trend (staff roles, the street's totals like its figures)."""
    require_figures(ctx)
    if not 1 <= days <= MAX_TREND_DAYS:
        raise InvalidInput(UserError("days", "INVALID_DAYS", f"from 1 to {MAX_TREND_DAYS} days"))
    return await case_trend(ctx.require_tenant().id, days, now)
