"""A district at scale on the real PostgreSQL: the district admin's figures of 50 streets and
2,000,000 residents, and one street's households page, each against one hand-written SQL
query computing the same result, measured in the same run (p99 and median).

    eval "$(bash deploy/services.sh env)"; .venv/bin/python bench/district.py [--runs 200] \
        [--streets 50] [--residents 2000000] [--reuse]

It works in its own database (redgrid_bench_district, created and migrated here, emptied at
the start) next to the test database of deploy/services.sh, and seeds it with the district
demo's generator (tenants/district/demo.py, the bulk insert helpers): 50 streets, 1,938 grids,
515 workstations, 2,000,000 residents in 666,700 households, 117,650 party members and 15,000
cases. What it times, in a fresh process, as a server serves it (the schema in process: the
transaction, row-level security, the response's JSON; no HTTP):

- figures: `districtOverview` as the district admin, every street's key figures, coverage and
  register counts and the totals. The register counts and coverage come from each street's
  snapshot (tenants/district/snapshot.py), the cases and duty are counted live. Baseline: one
  SQL statement counting the same figures from the raw tables (2,000,000 residents included),
  on the app's role in a district transaction; its answer is checked equal to GraphQL's.
  Also timed: the overview back to back, without the baseline's scans of 2,000,000 rows
  between its runs; and, fewer times, the overview when no snapshot is current (every street
  changed in the last scan interval), which counts everything live as the baseline does.
- page: `households(first: 100)` of one street as its secretary, against the hand-written
  SQL of bench/registers.py. GraphQL and SQL alternate run by run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg
from registers import PAGE, SQL_PAGE, p99, print_comparison, seeded_database, settle, time_here, timed_in_a_process

ROOT = Path(__file__).resolve().parents[1]
GRIDS, STATIONS, CASES_PER_STREET = 1938, 515, 300
FIGURES = """openCases overdueCases closedToday satisfaction30Days onDutyNow residents households partyMembers
  casesByState { state count } householdsByColour { colour count }"""
COVERAGE = "level nodes withPartyOrganisation withHead withStation full"
OVERVIEW = f"""query {{ districtOverview {{ asOf
  streets {{ tenant {{ slug name }} units registersAsOf figures {{ {FIGURES} }} coverage {{ {COVERAGE} }} }}
  total {{ streets units figures {{ {FIGURES} }} coverage {{ {COVERAGE} }} }} }} }}"""
# The same figures from the raw tables, one row a street.
SQL_FIGURES = """
SELECT t.slug,
  (SELECT json_object_agg(state, n) FROM (SELECT state, count(*) AS n FROM grid_case c
     WHERE c.tenant_id = t.id AND c.state <> 'closed' GROUP BY state) s) AS by_state,
  (SELECT count(*) FROM grid_case c WHERE c.tenant_id = t.id AND c.closed_at IS NULL
     AND (c.overdue_on_scene_at IS NOT NULL OR c.overdue_resolve_at IS NOT NULL OR c.overdue_answer_at IS NOT NULL))
     AS overdue,
  (SELECT count(*) FROM grid_case c WHERE c.tenant_id = t.id AND c.closed_at >= $2) AS closed_today,
  (SELECT json_build_array(sum(satisfaction), count(*)) FROM grid_case c
     WHERE c.tenant_id = t.id AND c.satisfaction IS NOT NULL AND c.answered_at >= $3) AS satisfaction,
  (SELECT count(*) FROM duty_shift d WHERE d.tenant_id = t.id AND d.starts_at <= $4 AND d.ends_at > $4
     AND d.cancelled_at IS NULL AND d.checked_in_at IS NOT NULL AND d.checked_out_at IS NULL) AS on_duty,
  (SELECT count(*) FROM resident r WHERE r.tenant_id = t.id) AS residents,
  (SELECT json_object_agg(colour, n) FROM (SELECT colour, count(*) AS n FROM household h
     WHERE h.tenant_id = t.id GROUP BY colour) s) AS colours,
  (SELECT count(*) FROM party_member p WHERE p.tenant_id = t.id) AS members,
  (SELECT count(*) FROM joint_unit u WHERE u.tenant_id = t.id) AS units,
  (SELECT json_agg(json_build_array(level, nodes, orgs, heads, stations, whole) ORDER BY level) FROM (
     SELECT n.level, count(*) AS nodes, count(*) FILTER (WHERE o.has) AS orgs,
       count(*) FILTER (WHERE n.head_name <> '') AS heads, count(*) FILTER (WHERE s.has) AS stations,
       count(*) FILTER (WHERE o.has AND s.has AND n.head_name <> '') AS whole
     FROM grid_node n
     LEFT JOIN LATERAL (SELECT true AS has FROM party_organisation o WHERE o.node_id = n.id LIMIT 1) o ON true
     LEFT JOIN LATERAL (SELECT true AS has FROM service_station s WHERE s.node_id = n.id LIMIT 1) s ON true
     WHERE n.tenant_id = t.id AND n.retired_at IS NULL GROUP BY n.level) c) AS coverage
FROM tenant t WHERE t.district_id = $1 ORDER BY t.slug"""


def from_graphql(data: dict[str, Any]) -> dict[str, Any]:
    """Each street's figures in the SQL's shape, to check the two answer the same."""
    out = {}
    for s in data["districtOverview"]["streets"]:
        f = s["figures"]
        out[s["tenant"]["slug"]] = {
            "by_state": {c["state"].lower(): c["count"] for c in f["casesByState"]},
            "overdue": f["overdueCases"],
            "closed_today": f["closedToday"],
            "satisfaction": f["satisfaction30Days"],
            "on_duty": f["onDutyNow"],
            "residents": f["residents"],
            "colours": {c["colour"].lower(): c["count"] for c in f["householdsByColour"]},
            "members": f["partyMembers"],
            "units": s["units"],
            "coverage": [
                [c["level"], c["nodes"], c["withPartyOrganisation"], c["withHead"], c["withStation"], c["full"]]
                for c in s["coverage"]
            ],
        }
    return out


def from_sql(rows: list[asyncpg.Record]) -> dict[str, Any]:
    out = {}
    for r in rows:
        total, verified = json.loads(r["satisfaction"])
        out[r["slug"]] = {
            "by_state": json.loads(r["by_state"] or "{}"),
            "overdue": r["overdue"],
            "closed_today": r["closed_today"],
            "satisfaction": round(total / verified, 2) if verified else None,
            "on_duty": r["on_duty"],
            "residents": r["residents"],
            "colours": json.loads(r["colours"] or "{}"),
            "members": r["members"],
            "units": r["units"],
            "coverage": json.loads(r["coverage"] or "[]"),
        }
    return out


async def seed(owner_url: str, streets: int, residents: int) -> None:
    from redgrid.platform.provisioning import DevProvisioner
    from redgrid.platform.root.demo import DistrictScale, operator_context, seed_district_streets
    from redgrid.tenants.tenancy import create_district

    await create_district(operator_context(), "bench", "Bench district")
    started = time.perf_counter()
    lines = await seed_district_streets(
        DevProvisioner(), "bench", DistrictScale(streets, GRIDS, STATIONS, residents, CASES_PER_STREET * streets)
    )
    print(f"seeded {len(lines)} streets in {time.perf_counter() - started:.0f} s: {lines[0]}")
    await settle(owner_url)


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
    from redgrid.tenants.people.tags import LOCAL_TIME

    async with tenant_transaction(None):
        district = await District.get(slug="bench")
        street = await Tenant.filter(district_id=district.id).order_by("slug").first()
    assert street is not None
    admin = RequestContext(Identity("bench", "bench", frozenset({"district-admin"}), None, "bench"))
    secretary = secretary_context(street)
    times: dict[str, list[float]] = {
        way: [] for way in ("figures", "figures_sql", "figures_alone", "page", "page_sql", "figures_live")
    }
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
        for _ in range(runs):
            now = datetime.now(UTC)
            midnight = now.astimezone(LOCAL_TIME).replace(hour=0, minute=0, second=0, microsecond=0)
            answers["graphql"] = from_graphql(await graphql("figures", OVERVIEW, admin))
            rows = await sql(
                "figures_sql", conn, "app.district_id", district.id, SQL_FIGURES,
                district.id, midnight, now - timedelta(days=30), now,
            )  # fmt: skip
            answers["sql"] = from_sql(rows)
            page = await graphql("page", PAGE, secretary)
            assert len(page["households"]["edges"]) == 100
            rows = await sql("page_sql", conn, "app.tenant_id", street.id, SQL_PAGE, street.id)
            assert len(rows) == 100
        assert answers["graphql"] == answers["sql"], "GraphQL and SQL answered different figures"
        # Back to back, without the baseline's scans of every row between (PostgreSQL runs each
        # with parallel workers on both cores, and the next overview run paid for it).
        for _ in range(runs):
            await graphql("figures_alone", OVERVIEW, admin)
        # No snapshot current: every street counted live (what a change in every street within one
        # scan interval costs), on the owner's role to mark them stale, and back afterwards.
        owner = await asyncpg.connect(owner_url)
        try:
            await owner.execute("UPDATE street_snapshot SET watermark = watermark || '{\"stale\": 1}'")
            for _ in range(max(5, runs // 10)):
                stale = from_graphql(await graphql("figures_live", OVERVIEW, admin))
            assert stale == answers["sql"]
            await owner.execute("UPDATE street_snapshot SET watermark = watermark - 'stale'")
        finally:
            await owner.close()
    finally:
        await conn.close()
    residents = sum(s["residents"] for s in answers["sql"].values())
    return {**times, "streets": len(answers["sql"]), "residents": residents}


async def main(args: argparse.Namespace) -> None:
    await seeded_database(
        "redgrid_bench_district", args.reuse, lambda owner_url: seed(owner_url, args.streets, args.residents)
    )
    t, load_before, load_after = await timed_in_a_process(__file__, args.runs)
    print(f"{t['streets']} streets, {t['residents']:,} residents; {args.runs} runs each (p99, median in ms)")
    rows = (
        ("district figures, GraphQL (snapshots)", "figures", "figures_sql"),
        ("district figures, one SQL (raw tables)", "figures_sql", "figures_sql"),
        ("district figures, GraphQL, back to back", "figures_alone", "figures_sql"),
        ("district figures, GraphQL, none current", "figures_live", "figures_sql"),
        ("households page, GraphQL", "page", "page_sql"),
        ("households page, one SQL", "page_sql", "page_sql"),
    )
    print_comparison(t, rows, (load_before, load_after))
    print(
        f"goals: district figures p99 {p99(t['figures']) * 1000:.1f} ms (<= 100 ms); "
        f"households page {p99(t['page']) / p99(t['page_sql']):.2f} x its SQL at p99 (<= 2)"
    )


async def time_only(args: argparse.Namespace) -> None:
    """Run by `main` in a process of its own, with the environment it set; prints JSON."""
    await time_here(timings, args.runs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--streets", type=int, default=50)
    parser.add_argument("--residents", type=int, default=2_000_000, help="over all the streets")
    parser.add_argument("--reuse", action="store_true", help="time the district a previous run seeded, again")
    parser.add_argument("--time", action="store_true", help=argparse.SUPPRESS)  # internal: see time_only
    arguments = parser.parse_args()
    asyncio.run(time_only(arguments) if arguments.time else main(arguments))
