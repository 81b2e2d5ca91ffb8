"""SLA ("3-1"): on scene within 10 minutes, simple problems solved within 1 hour, an answer
within 1 day — per category and priority. A deadline passed with its milestone unmet raises
one `case.overdue` event, exactly once: the flag and the event are written in one transaction,
and only if the flag was still empty (a conditional update), whatever the number of scanners."""

from __future__ import annotations

from datetime import UTC, datetime

from redgrid.platform import events
from redgrid.platform.context import system_context
from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Tenant
from redgrid.tenants.cases.models import DEADLINES, Case
from redgrid.tenants.cases.service import people_of

# deadline → the timestamp that meets it
MILESTONES = {"on_scene": "on_scene_at", "resolve": "resolved_at", "answer": "answered_at"}
SCANNER = "sla-scanner"


async def fire_overdue(now: datetime | None = None) -> int:
    """Mark and announce every newly overdue deadline of every tenant. Returns how many."""
    now = now or datetime.now(UTC)
    fired = 0
    for tenant in await Tenant.all():
        ctx = system_context(tenant, SCANNER)
        async with tenant_transaction(tenant.id):
            for deadline in DEADLINES:
                flag = f"overdue_{deadline}_at"
                due = await Case.filter(
                    tenant_id=tenant.id, closed_at=None,
                    **{f"{deadline}_due__lte": now, MILESTONES[deadline]: None, flag: None},
                ).select_related("node")
                for case in due:
                    if await Case.filter(id=case.id, **{flag: None}).update(**{flag: now}) == 0:
                        continue  # another scanner got there first
                    fired += 1
                    await events.record(
                        ctx, "cases", "case.overdue",
                        {"id": case.id, "number": case.number, "title": case.title, "deadline": deadline,
                         "due": getattr(case, f"{deadline}_due").isoformat(), "state": case.state,
                         "assignee": case.assignee, "people": await people_of(case)},
                        path=case.node.path,
                    )
    if fired:
        events.committed()
    return fired
