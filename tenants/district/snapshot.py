"""A street's register counts and grid coverage, kept in one row (`StreetSnapshot`) so that a
district's overview does not count millions of residents per request.

A snapshot records the marks of the street's `people` and `grid` topics it was computed at
(the last sequence the publisher handed out in each, as tenants/figures.py watches them); the
overview takes a snapshot only while those marks are still the topics' marks, and counts the
street live otherwise. `refresh_changed`, a scheduler job, recomputes the snapshots whose
marks moved, so the live count is the exception: a street changed within the last scan
interval. Every register and grid change records an event in one of those topics; the demo
and bench seeders, which write without events, compute their snapshots themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from redgrid.platform import events
from redgrid.platform.context import system_context
from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Tenant, TopicSequence
from redgrid.tenants.district.models import StreetSnapshot
from redgrid.tenants.figures import register_counts
from redgrid.tenants.grid import service as grid
from redgrid.tenants.units.models import JointUnit

WATCHED = ("people", "grid")
ACTOR = "district-snapshot"


async def marks_of(tenant_ids: list[int]) -> dict[int, dict[str, int]]:
    """The last sequence handed out in each watched topic of these tenants (a platform table,
    readable without a tenant), in one query."""
    topics = {events.topic_for(t, area): (t, area) for t in tenant_ids for area in WATCHED}
    marks: dict[int, dict[str, int]] = defaultdict(dict)
    for topic, last_seq in await TopicSequence.filter(topic__in=list(topics)).values_list("topic", "last_seq"):
        tenant_id, area = topics[topic]
        marks[tenant_id][area] = last_seq
    return {t: marks.get(t, {}) for t in tenant_ids}


async def street_counts(tenant: Tenant) -> dict[str, Any]:
    """Counts only: the registers' totals, joint-building units and coverage per level, in the
    caller's transaction (the tenant's own, or a district transaction of its district)."""
    counts = (await register_counts([tenant.id]))[tenant.id]
    coverage = await grid.coverage(system_context(tenant, ACTOR))
    return {
        **counts,
        "units": await JointUnit.filter(tenant_id=tenant.id).count(),
        "coverage": [asdict(level) for level in coverage],
    }


async def refresh(tenant: Tenant, marks: dict[str, int] | None = None) -> StreetSnapshot:
    """Recompute the tenant's snapshot, in the caller's tenant transaction of that tenant.
    Marks are read before counting: a change that lands meanwhile leaves the snapshot stale,
    never wrongly fresh."""
    if marks is None:
        marks = (await marks_of([tenant.id]))[tenant.id]
    counts = await street_counts(tenant)
    snapshot, _ = await StreetSnapshot.update_or_create(
        tenant_id=tenant.id, defaults={"counts": counts, "watermark": marks, "computed_at": datetime.now(UTC)}
    )
    return snapshot


# The marks each tenant's snapshot was last checked at, as this process knows them.
_checked: dict[int, dict[str, int]] = {}


async def refresh_changed() -> int:
    """Recompute the snapshot of every tenant whose people or grid topics moved since; how
    many. A quiet tick costs two queries."""
    tenants = await Tenant.all()
    refreshed = 0
    all_marks = await marks_of([t.id for t in tenants])
    for tenant in tenants:
        marks = all_marks[tenant.id]
        if not marks or _checked.get(tenant.id) == marks:
            continue
        async with tenant_transaction(tenant.id):
            snapshot = await StreetSnapshot.get_or_none(tenant_id=tenant.id)
            if snapshot is None or snapshot.watermark != marks:
                await refresh(tenant, marks)
                refreshed += 1
        _checked[tenant.id] = marks
    return refreshed
