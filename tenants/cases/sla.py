"""SLA ("3-1"): on scene within 10 minutes, simple problems solved within 1 hour, an answer
within 1 day — per category and priority. A deadline passed with its milestone unmet raises
one `case.overdue` event, exactly once: the flag and the event are written in one transaction,
and only if the flag was still empty (a conditional update), whatever the number of scanners."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import reduce
from operator import or_
from typing import Any

from tortoise.expressions import Q

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Tenant
from redgrid.tenants.cases.models import DEADLINES, Case
from redgrid.tenants.cases.service import announce, department_with, people_of
from redgrid.tenants.notices import service as notices

# deadline → the timestamp that meets it
MILESTONES = {"on_scene": "on_scene_at", "resolve": "resolved_at", "answer": "answered_at"}


def next_deadline(case: Any) -> tuple[str, datetime] | None:
    """The first deadline (in the loop's order) whose milestone is still unmet, and when it is
    due: what a wall counts down to. None once the case is closed or every milestone met."""
    if case.closed_at is not None:
        return None
    for deadline in DEADLINES:
        if getattr(case, MILESTONES[deadline]) is None:
            return deadline, getattr(case, f"{deadline}_due")
    return None


def _unmet(case: Case, deadline: str, now: datetime) -> bool:
    """The deadline has passed with its milestone unmet and not yet been announced."""
    due = getattr(case, f"{deadline}_due")
    return (
        due is not None
        and due <= now
        and getattr(case, MILESTONES[deadline]) is None
        and getattr(case, f"overdue_{deadline}_at") is None
    )


def _any_unmet(now: datetime) -> Q:
    """`_unmet` for any of the deadlines, as one condition: one query per tenant per tick."""
    unmet: list[dict[str, Any]] = [
        {f"{deadline}_due__lte": now, MILESTONES[deadline]: None, f"overdue_{deadline}_at": None}
        for deadline in DEADLINES
    ]
    return reduce(or_, (Q(**filters) for filters in unmet))


async def fire_overdue(now: datetime | None = None) -> int:
    """Mark and announce every newly overdue deadline of every tenant. Returns how many."""
    now = now or datetime.now(UTC)
    fired = 0
    for tenant in await Tenant.all():
        async with tenant_transaction(tenant.id):
            due = await Case.filter(Q(tenant_id=tenant.id, closed_at=None) & _any_unmet(now)).select_related("node")
            for case in due:
                people: list[str] | None = None  # asked once per case (a duty team's is a query)
                for deadline in DEADLINES:
                    if not _unmet(case, deadline, now):
                        continue
                    flag = f"overdue_{deadline}_at"
                    if await Case.filter(id=case.id, **{flag: None}).update(**{flag: now}) == 0:
                        continue  # another scanner got there first
                    fired += 1
                    if people is None:
                        people = await people_of(case)
                    await announce(  # to the street, and to the district department it is with
                        case,
                        "case.overdue",
                        {
                            "id": case.id,
                            "number": case.number,
                            "title": case.title,
                            "deadline": deadline,
                            "due": getattr(case, f"{deadline}_due").isoformat(),
                            "state": case.state,
                            "assignee": case.assignee,
                            "people": people,
                        },
                        case.node.path,
                        departments=(department_with(case),),
                    )
                    await notices.case_overdue(case, deadline)
    return fired
