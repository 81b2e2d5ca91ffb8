"""Each street's case indicators per local day (`CaseDay`), so a district's indicators by street
over a year read 365 rows a street instead of every case.

The days are counted from the cases by the indicators' own RULES (tenants/cases/indicators.py),
and record the mark of the street's `cases` topic they were counted at (`CaseDayMark`, as
tenants/district/snapshot.py does for the registers): a request takes a street's days only
while that mark is still the topic's, and counts the street's cases live otherwise, so the
answer is the same either way. Every change of a case (report, transition, the SLA scanner's
overdue flags) records an event in that topic. `refresh_changed`, a scheduler job that runs on
one replica at a time, recounts the streets whose mark moved; seeders that write cases without
events call `refresh` themselves.
"""

from __future__ import annotations

from datetime import UTC, datetime

from redgrid.platform import events
from redgrid.platform.database import connection, is_postgres, tenant_transaction
from redgrid.platform.models import Tenant, TopicSequence
from redgrid.tenants.cases.indicators import day_counts_sql
from redgrid.tenants.cases.models import CaseDayMark

TOPIC_AREA = "cases"
LOCK_NAMESPACE = 0x4344  # the first key of the rollup's advisory locks ("CD")


async def marks_of(tenant_ids: list[int]) -> dict[int, dict[str, int]]:
    """The last sequence handed out in each tenant's cases topic (a platform table), in one query."""
    topics = {events.topic_for(t, TOPIC_AREA): t for t in tenant_ids}
    rows = await TopicSequence.filter(topic__in=list(topics)).values_list("topic", "last_seq")
    found = {topics[topic]: {TOPIC_AREA: last_seq} for topic, last_seq in rows}
    return {t: found.get(t, {}) for t in tenant_ids}


async def current(tenant_ids: list[int]) -> list[int]:
    """The tenants whose days were counted at their cases topic's present mark, in the caller's
    tenant or district transaction."""
    marks = await marks_of(tenant_ids)
    stored = await CaseDayMark.filter(tenant_id__in=tenant_ids).values_list("tenant_id", "watermark")
    return sorted(t for t, watermark in stored if watermark == marks[t])


async def refresh(tenant: Tenant, marks: dict[str, int] | None = None) -> None:
    """Recount the tenant's days, in the caller's tenant transaction of that tenant. The marks
    are read before counting: a change landing meanwhile leaves the days stale (counted live),
    never wrongly fresh. Concurrent refreshes of one street take turns."""
    conn = connection()
    if not is_postgres(conn):
        return  # the embedded default counts live: no scheduler across replicas to keep days
    await conn.execute_query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_NAMESPACE, tenant.id])
    if marks is None:
        marks = (await marks_of([tenant.id]))[tenant.id]
    await conn.execute_query("DELETE FROM case_day WHERE tenant_id = $1", [tenant.id])
    sql, values = day_counts_sql(tenant.id)
    await conn.execute_query(sql, values)
    await CaseDayMark.update_or_create(
        tenant_id=tenant.id, defaults={"watermark": marks, "computed_at": datetime.now(UTC)}
    )


# The marks each tenant's days were last checked at, as this process knows them.
_checked: dict[int, dict[str, int]] = {}


async def refresh_changed() -> int:
    """Recount the days of every tenant whose cases topic moved since; how many. A quiet tick
    costs two queries."""
    if not is_postgres():
        return 0
    tenants = await Tenant.all()
    refreshed = 0
    all_marks = await marks_of([t.id for t in tenants])
    for tenant in tenants:
        marks = all_marks[tenant.id]
        if _checked.get(tenant.id) == marks:
            continue
        async with tenant_transaction(tenant.id):
            mark = await CaseDayMark.get_or_none(tenant_id=tenant.id)
            if mark is None or mark.watermark != marks:
                await refresh(tenant, marks)
                refreshed += 1
        _checked[tenant.id] = marks
    return refreshed
