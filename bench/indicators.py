"""Case indicators at scale on the real PostgreSQL: a district of 50 streets over a year of
cases, each answer against one hand-written SQL query computing the same result, measured in
the same run (p99 and median).

    eval "$(bash deploy/services.sh env)"; .venv/bin/python bench/indicators.py [--runs 100] \
        [--streets 50] [--per-day 10] [--reuse]

It works in its own database (redgrid_bench_indicators, created and migrated here, emptied at
the start) and seeds it with the district demo's generator (tenants/district/demo.py: 50 streets,
1,938 grids, few residents, no cases) and then a year of cases per street written in bulk:
`--per-day` a day per street (182,500 in the district by default), in every state, from every
source and category, on every grid, a tenth reopened, a seventh late. What it times, in a fresh
process, as a server serves it (the schema in process: the transaction, row-level security,
the response's JSON; no HTTP):

- district: `districtCaseIndicators` as the district admin, every street by month over the
  year (600 rows), read from the streets' days (tenants/cases/rollup.py, counted by the seeder
  as the scheduler job counts them). Also timed: the same with every street's days stale, so
  counted from the year of cases. Baseline: the same figures from one hand-written SQL statement (three
  grouped scans, one per deciding timestamp, joined), in a district transaction on the app's
  role; its answer is checked equal to GraphQL's.
  And back to back, without the baseline's scans between its runs.
- street: `caseIndicators` as one street's secretary, by grid area and month over the year,
  against its hand-written SQL likewise.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg
from registers import p99, print_comparison, seeded_database, settle, time_here, timed_in_a_process

ROOT = Path(__file__).resolve().parents[1]
GRIDS, STATIONS, RESIDENTS = 1938, 515, 50_000
FIRST, LAST = date(2025, 1, 1), date(2025, 12, 31)
FIELDS = "period street key received registered due closed closedOnTime reworked rated satisfied"
DISTRICT = (
    f"""{{ districtCaseIndicators(from: "{FIRST}", to: "{LAST}", groupBy: STREET, period: MONTH) {{ {FIELDS} }} }}"""
)
STREET = (
    f"""{{ caseIndicators(from: "{FIRST}", to: "{LAST}", groupBy: GRID, level: 2, period: MONTH) {{ {FIELDS} }} }}"""
)
# The same figures by hand: a grouped count per deciding timestamp, joined on (month, group).
SQL = """
WITH received AS (
  SELECT date_trunc('month', c.created_at AT TIME ZONE 'Asia/Shanghai')::date AS period, {key} AS k,
    count(*) AS received, count(*) FILTER (WHERE c.state <> 'reported') AS registered
  FROM grid_case c {join} WHERE c.tenant_id = ANY($1) AND c.created_at >= $2 AND c.created_at < $3 GROUP BY 1, 2
), due AS (
  SELECT date_trunc('month', c.answer_due AT TIME ZONE 'Asia/Shanghai')::date AS period, {key} AS k,
    count(*) AS due, count(*) FILTER (WHERE c.closed_at IS NOT NULL) AS closed,
    count(*) FILTER (WHERE c.closed_at IS NOT NULL AND c.overdue_on_scene_at IS NULL
      AND c.overdue_resolve_at IS NULL AND c.overdue_answer_at IS NULL AND c.resolved_at <= c.resolve_due
      AND c.answered_at <= c.answer_due) AS on_time,
    count(*) FILTER (WHERE c.reopened > 0) AS reworked
  FROM grid_case c {join} WHERE c.tenant_id = ANY($1) AND c.answer_due >= $2 AND c.answer_due < $3 GROUP BY 1, 2
), rated AS (
  SELECT date_trunc('month', c.satisfaction_at AT TIME ZONE 'Asia/Shanghai')::date AS period, {key} AS k,
    count(*) FILTER (WHERE c.satisfaction IS NOT NULL) AS rated,
    count(*) FILTER (WHERE c.satisfaction >= 4) AS satisfied
  FROM grid_case c {join} WHERE c.tenant_id = ANY($1) AND c.satisfaction_at >= $2 AND c.satisfaction_at < $3
  GROUP BY 1, 2
)
SELECT period, k, coalesce(received, 0) AS received, coalesce(registered, 0) AS registered,
  coalesce(due, 0) AS due, coalesce(closed, 0) AS closed, coalesce(on_time, 0) AS on_time,
  coalesce(reworked, 0) AS reworked, coalesce(rated, 0) AS rated, coalesce(satisfied, 0) AS satisfied
FROM received FULL JOIN due USING (period, k) FULL JOIN rated USING (period, k)
ORDER BY period, k"""
SQL_DISTRICT = SQL.format(key="t.slug", join="JOIN tenant t ON t.id = c.tenant_id")
SQL_STREET = SQL.format(
    key="array_to_string((string_to_array(n.path, '.'))[1:2], '.')", join="JOIN grid_node n ON n.id = c.node_id"
)
STATES = (("closed", 14), ("verified", 1), ("resolved", 1), ("in_progress", 1), ("dispatched", 1), ("accepted", 1))


async def seed_cases(per_day: int) -> int:
    """A year of cases in every street of the district, written in bulk per street."""
    from redgrid.platform.database import bulk_insert, tenant_transaction
    from redgrid.platform.models import District, Tenant
    from redgrid.tenants.cases import rollup
    from redgrid.tenants.cases.models import Case, CaseCategory
    from redgrid.tenants.grid.models import GridNode

    async with tenant_transaction(None):
        district = await District.get(slug="bench")
        streets = await Tenant.filter(district_id=district.id).order_by("slug")
    states = [state for state, weight in STATES for _ in range(weight)]
    start = datetime(2025, 1, 1, tzinfo=UTC) - timedelta(hours=8)
    total = 0
    for number, street in enumerate(streets):
        rng = random.Random(number)
        async with tenant_transaction(street.id):
            categories = await CaseCategory.filter(tenant_id=street.id).values_list("id", flat=True)
            nodes = await GridNode.filter(tenant_id=street.id).values_list("id", flat=True)
            rows = []
            for n in range(per_day * 365):
                created = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
                state = states[n % len(states)]
                late = n % 7 == 0
                row: dict[str, Any] = {
                    "tenant_id": street.id,
                    "number": f"B{number:02d}-{n:07d}",
                    "title": "规模测试",
                    "category_id": categories[n % len(categories)],
                    "source": ("patrol", "resident_report", "hotline_12345", "camera", "inspection")[n % 5],
                    "node_id": nodes[rng.randrange(len(nodes))],
                    "state": state,
                    "reporter": "bench",
                    "created_at": created,
                    "on_scene_due": created + timedelta(minutes=10),
                    "resolve_due": created + timedelta(hours=1),
                    "answer_due": created + timedelta(days=1),
                    "reopened": 1 if n % 10 == 3 else 0,
                }
                if state != "accepted":
                    row["on_scene_at"] = created + timedelta(minutes=20 if late else 5)
                    if late:
                        row["overdue_on_scene_at"] = created + timedelta(minutes=10)
                if state in ("resolved", "verified", "closed"):
                    row["resolved_at"] = created + timedelta(minutes=50)
                if state in ("verified", "closed"):
                    row["answered_at"] = row["satisfaction_at"] = created + timedelta(hours=3)
                    row["satisfaction"] = (5, 5, 4, 4, 3, 2)[n % 6]
                    row["satisfaction_by"] = "staff"
                if state == "closed":
                    row["closed_at"] = created + timedelta(hours=4)
                rows.append(row)
            total += await bulk_insert(Case, rows)
            await rollup.refresh(street)  # written without events: the seeder counts its days itself
    return total


async def seed(owner_url: str, streets: int, per_day: int) -> None:
    from redgrid.platform.provisioning import DevProvisioner
    from redgrid.platform.root.demo import DistrictScale, operator_context, seed_district_streets
    from redgrid.tenants.tenancy import create_district

    await create_district(operator_context(), "bench", "Bench district")
    started = time.perf_counter()
    await seed_district_streets(DevProvisioner(), "bench", DistrictScale(streets, GRIDS, STATIONS, RESIDENTS, 0))
    cases = await seed_cases(per_day)
    print(f"seeded {streets} streets and {cases:,} cases in {time.perf_counter() - started:.0f} s")
    await settle(owner_url)


def from_graphql(rows: list[dict[str, Any]], key: str) -> list[tuple[Any, ...]]:
    names = ("received", "registered", "due", "closed", "closedOnTime", "reworked", "rated", "satisfied")
    return sorted((r["period"], r[key], *(r[n] for n in names)) for r in rows)


def from_sql(rows: list[asyncpg.Record]) -> list[tuple[Any, ...]]:
    return sorted((r["period"].isoformat(), *list(r.values())[1:]) for r in rows)


async def timings(app_url: str, owner_url: str, runs: int) -> dict[str, Any]:
    """The two comparisons, GraphQL and SQL alternating run by run."""
    from redgrid.graphql.core.loaders import Loaders
    from redgrid.graphql.core.responses import encode_json
    from redgrid.graphql.schema import schema
    from redgrid.platform.auth.identity import Identity
    from redgrid.platform.context import RequestContext
    from redgrid.platform.database import tenant_transaction
    from redgrid.platform.models import District, Tenant
    from redgrid.platform.root.demo import secretary_context
    from redgrid.tenants.cases.indicators import local_bounds

    async with tenant_transaction(None):
        district = await District.get(slug="bench")
        streets = await Tenant.filter(district_id=district.id).order_by("slug")
    street = streets[0]
    ids = [s.id for s in streets]
    admin = RequestContext(Identity("bench", "bench", frozenset({"district-admin"}), None, "bench"))
    secretary = secretary_context(street)
    start, end = local_bounds(FIRST, LAST)
    ways = ("district", "district_sql", "district_alone", "district_live", "street", "street_sql", "warm-up")
    times: dict[str, list[float]] = {way: [] for way in ways}
    answers: dict[str, Any] = {}

    async def graphql(way: str, query: str, ctx: RequestContext) -> dict[str, Any]:
        started = time.perf_counter()
        result = await schema.execute(query, context_value=SimpleNamespace(ctx=ctx, loaders=Loaders(ctx)))
        encode_json({"data": result.data})  # the response as the server writes it
        times[way].append(time.perf_counter() - started)
        assert result.errors is None, result.errors
        assert result.data is not None
        return result.data

    async def sql(way: str, conn: asyncpg.Connection, setting: str, value: int, query: str, *args: Any) -> list:
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute(f"SELECT set_config('{setting}', $1, true)", str(value))
            rows = await conn.fetch(query, *args)
        times[way].append(time.perf_counter() - started)
        return rows

    conn = await asyncpg.connect(app_url)
    try:
        for _ in range(3):  # the first answers of a process (the schema's caches, the pool)
            await graphql("warm-up", DISTRICT, admin)
            await graphql("warm-up", STREET, secretary)
        for _ in range(runs):
            data = await graphql("district", DISTRICT, admin)
            answers["district"] = from_graphql(data["districtCaseIndicators"], "street")
            rows = await sql("district_sql", conn, "app.district_id", district.id, SQL_DISTRICT, ids, start, end)
            answers["district_sql"] = from_sql(rows)
            data = await graphql("street", STREET, secretary)
            answers["street"] = from_graphql(data["caseIndicators"], "key")
            rows = await sql("street_sql", conn, "app.tenant_id", street.id, SQL_STREET, [street.id], start, end)
            answers["street_sql"] = from_sql(rows)
        assert answers["district"] == answers["district_sql"], "the district: GraphQL and SQL answered differently"
        assert answers["street"] == answers["street_sql"], "the street: GraphQL and SQL answered differently"
        # Back to back, without the baseline's scans of every case between (PostgreSQL runs
        # each with parallel workers on both cores, and the next run paid for it).
        for _ in range(runs):
            await graphql("district_alone", DISTRICT, admin)
        # No street's days current: every street counted from its cases (a change in every
        # street within one scan interval), on the owner's role to mark them stale, and back.
        owner = await asyncpg.connect(owner_url)
        try:
            await owner.execute("UPDATE case_day_mark SET watermark = watermark || '{\"stale\": 1}'")
            for _ in range(max(5, runs // 5)):
                data = await graphql("district_live", DISTRICT, admin)
            assert from_graphql(data["districtCaseIndicators"], "street") == answers["district_sql"]
            await owner.execute("UPDATE case_day_mark SET watermark = watermark - 'stale'")
        finally:
            await owner.close()
        count = await conn.fetchval("SELECT count(*) FROM grid_case")  # the app role without a tenant: none
        assert count == 0
    finally:
        await conn.close()
    cases = sum(r[3] for r in answers["district_sql"])
    return {**times, "streets": len(ids), "received": cases, "rows": len(answers["district"])}


async def main(args: argparse.Namespace) -> None:
    await seeded_database(
        "redgrid_bench_indicators", args.reuse, lambda owner_url: seed(owner_url, args.streets, args.per_day)
    )
    t, load_before, load_after = await timed_in_a_process(__file__, args.runs)
    print(
        f"{t['streets']} streets, {t['received']:,} cases received in {FIRST.year}, {t['rows']} rows; "
        f"{args.runs} runs each (p99, median in ms)"
    )
    rows = (
        ("district by street and month, GraphQL", "district", "district_sql"),
        ("district by street and month, hand-written SQL", "district_sql", "district_sql"),
        ("district by street and month, GraphQL, back to back", "district_alone", "district_sql"),
        ("district by street and month, GraphQL, no days current", "district_live", "district_sql"),
        ("one street by grid area and month, GraphQL", "street", "street_sql"),
        ("one street by grid area and month, hand-written SQL", "street_sql", "street_sql"),
    )
    print_comparison(t, rows, (load_before, load_after))
    print(
        f"goal: the district's indicators p99 {p99(t['district']) * 1000:.1f} ms, "
        f"{p99(t['district_alone']) * 1000:.1f} ms back to back (<= 200 ms)"
    )


async def time_only(args: argparse.Namespace) -> None:
    """Run by `main` in a process of its own, with the environment it set; prints JSON."""
    await time_here(timings, args.runs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--streets", type=int, default=50)
    parser.add_argument("--per-day", type=int, default=10, help="cases a day in each street")
    parser.add_argument("--reuse", action="store_true", help="time the district a previous run seeded, again")
    parser.add_argument("--time", action="store_true", help=argparse.SUPPRESS)  # internal: see time_only
    arguments = parser.parse_args()
    asyncio.run(time_only(arguments) if arguments.time else main(arguments))
