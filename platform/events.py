"""Domain events: what services call to say "this changed", inside their transaction.

`record` only writes the outbox row, and asks the transaction to wake the publisher once it
has committed; `redgrid.realtime.publisher` then sequences and publishes the row. Topics are
per tenant and per area, e.g. `t12.cases`, `t12.grid`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from redgrid.platform.context import RequestContext
from redgrid.platform.database import on_commit
from redgrid.platform.models import Event

TOPIC_AREAS = ("grid", "people", "cases", "roster", "figures", "notices", "sharing")

# Set by the process's publisher; called after a transaction that recorded events commits.
_after_commit: list[Callable[[], None]] = []


def topic_for(tenant_id: int, area: str) -> str:
    if area not in TOPIC_AREAS:
        raise ValueError(f"unknown topic area {area!r}")
    return f"t{tenant_id}.{area}"


def department_topic(department_id: int) -> str:
    """The cases a district department's staff follow: those referred to the department, from
    every street of its district."""
    return f"dept{department_id}.cases"


async def record(
    ctx: RequestContext, area: str, type: str, payload: dict[str, Any], *, path: str | None = None
) -> Event:
    """Write an event into the outbox of the current transaction. `path` is the grid path the
    event concerns: subscribers see it only when their grid scope covers it."""
    tenant = ctx.require_tenant()
    return await record_in(tenant.id, topic_for(tenant.id, area), type, payload, path=path)


async def record_in(tenant_id: int, topic: str, type: str, payload: dict[str, Any], *, path: str | None) -> Event:
    """`record` for a tenant and topic the caller names: a case's event written by a district
    department's staff, who have no tenant of their own, to the case's street and department."""
    on_commit(_committed)
    return await Event.create(tenant_id=tenant_id, topic=topic, type=type, path=path, payload=payload)


def wake_on_commit(callback: Callable[[], None]) -> None:
    """The publisher's wake-up, called after each commit of a transaction that recorded events."""
    _after_commit.append(callback)


def _committed() -> None:
    """Wakes the publisher now rather than at its next poll."""
    for callback in _after_commit:
        callback()
