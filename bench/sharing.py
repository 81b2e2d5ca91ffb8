"""The catalogue of sharing across streets at scale on the real PostgreSQL: 100 streets in 5
districts with 100 resources each (10,000 catalogue rows, a fifth shared with every district,
three fifths with their district), searched with filters by one street's secretary, against
the hand-written SQL of the same result, measured in the same run (p99 and median).

    eval "$(bash deploy/services.sh env)"; .venv/bin/python bench/sharing.py [--runs 300] [--reuse]

It works in its own database (redgrid_bench_sharing, created and migrated here, emptied at the
start) next to the test database of deploy/services.sh, seeded by bulk SQL on the owner's role:
districts, streets, 10 units a street, their resources and the resources' catalogue rows, as
`publish` (tenants/sharing/catalogue.py) writes them. What it times, in a fresh process, as a
server serves it (the schema in process: the transaction, row-level security, the response's
JSON; no HTTP), alternating run by run:

- search: `catalogue(first: 50, filter: {kind: VENUE, words: "活动室", othersOnly: true})` as a
  secretary of the first street: the venues of his district's other streets and of every
  district whose description or unit name holds the word, newest first. Baseline: one SQL
  statement with the same conditions on the app's role in his tenant transaction (the
  row-level security policies apply to it too); the two answers are checked equal.
- browse: `catalogue(first: 50, filter: {inStock: true, districtOnly: true})`, the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg
from registers import fresh_database, settle, with_database

ROOT = Path(__file__).resolve().parents[1]
DISTRICTS, STREETS, UNITS, RESOURCES = 5, 100, 10, 100
WARM_UP = 5
FIELDS = "id kind description unitName streetName scope quantity"
SEARCH = (
    '{ catalogue(first: 50, filter: {kind: VENUE, words: "活动室", othersOnly: true}) { edges { node { '
    + FIELDS
    + " } } } }"
)
BROWSE = "{ catalogue(first: 50, filter: {inStock: true, districtOnly: true}) { edges { node { " + FIELDS + " } } } }"
REACH = "(tenant_id = $1 OR scope = 'all' OR (scope = 'district' AND district_id = $2))"
COLUMNS = "id, kind, description, unit_name, street_name, scope, quantity"
SQL_SEARCH = f"""SELECT {COLUMNS} FROM resource_share WHERE {REACH} AND kind = 'venue' AND tenant_id <> $1
  AND (description ILIKE '%活动室%' OR unit_name ILIKE '%活动室%') ORDER BY updated_at DESC, id DESC LIMIT 50"""
SQL_BROWSE = f"""SELECT {COLUMNS} FROM resource_share WHERE {REACH} AND district_id = $2
  AND (quantity IS NULL OR quantity > 0) ORDER BY updated_at DESC, id DESC LIMIT 50"""
KINDS = ("venue", "equipment", "goods", "expertise", "funds", "volunteers")
WORDS = ("党员活动室对外开放", "会议室与多功能厅", "投影与音响设备", "防汛物资", "法律咨询志愿服务", "公益资金")

SEED = f"""
INSERT INTO district (slug, name, created_at)
  SELECT 'bench-d' || d, '区' || d, now() FROM generate_series(1, {DISTRICTS}) d;
INSERT INTO tenant (slug, name, kind, district_id, created_at)
  SELECT 'bench-s' || lpad(s::text, 3, '0'), '街道' || s, 'street',
    (SELECT id FROM district WHERE slug = 'bench-d' || (1 + (s - 1) % {DISTRICTS})), now()
  FROM generate_series(1, {STREETS}) s;
INSERT INTO joint_unit (tenant_id, name, kind, party_organisation, contacts, created_at)
  SELECT t.id, t.name || '单位' || u, 'enterprise', '', '[{{"name": "联络员", "phone": "13800000000"}}]', now()
  FROM tenant t, generate_series(1, {UNITS}) u WHERE t.slug LIKE 'bench-s%';
INSERT INTO unit_resource (tenant_id, unit_id, kind, description, shareable, share_scope, quantity, created_at)
  SELECT u.tenant_id, u.id, (ARRAY{list(KINDS)})[1 + r % 6], (ARRAY{list(WORDS)})[1 + (r + u.id) % 6] || r,
    r % 5 <> 0, (ARRAY['street', 'all', 'district', 'district', 'district'])[1 + r % 5],
    CASE WHEN r % 6 = 2 THEN r % 4 END, now() - make_interval(secs => r)
  FROM joint_unit u, generate_series(1, {RESOURCES // UNITS}) r;
INSERT INTO resource_share (tenant_id, resource_id, unit_id, unit_name, street_name, district_id, kind,
    description, scope, quantity, updated_at)
  SELECT r.tenant_id, r.id, u.id, u.name, t.name, t.district_id, r.kind, r.description, r.share_scope,
    r.quantity, r.created_at
  FROM unit_resource r JOIN joint_unit u ON u.id = r.unit_id JOIN tenant t ON t.id = r.tenant_id;
"""


def p99(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[98]


def db_ids(data: dict[str, Any]) -> list[int]:
    return [int(base64.b64decode(e["node"]["id"]).decode().split(":")[1]) for e in data["catalogue"]["edges"]]


async def timings(app_url: str, runs: int) -> dict[str, Any]:
    from redgrid.graphql.core.loaders import Loaders
    from redgrid.graphql.core.responses import encode_json
    from redgrid.graphql.schema import schema
    from redgrid.platform.database import tenant_transaction
    from redgrid.platform.models import Tenant
    from redgrid.platform.root.demo import secretary_context

    async with tenant_transaction(None):
        street = await Tenant.get(slug="bench-s001")
    secretary = secretary_context(street)
    times: dict[str, list[float]] = {way: [] for way in ("search", "search_sql", "browse", "browse_sql")}
    found: dict[str, int] = {}

    async def graphql(way: str, query: str) -> list[int]:
        started = time.perf_counter()
        result = await schema.execute(query, context_value=SimpleNamespace(ctx=secretary, loaders=Loaders(secretary)))
        body = encode_json({"data": result.data})  # the response as the server writes it
        times[way].append(time.perf_counter() - started)
        assert result.errors is None, result.errors
        return db_ids(json.loads(body)["data"])  # a compiled page is JSON fragments until encoded

    async def sql(way: str, conn: asyncpg.Connection, query: str) -> list[int]:
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(street.id))
            rows = await conn.fetch(query, street.id, street.district_id)  # type: ignore[attr-defined]
        json.dumps([dict(r) for r in rows], ensure_ascii=False)
        times[way].append(time.perf_counter() - started)
        return [r["id"] for r in rows]

    conn = await asyncpg.connect(app_url)
    try:
        for _ in range(WARM_UP):  # the documents parsed and cached, the connections opened: not timed
            for query in (SEARCH, BROWSE):
                await schema.execute(query, context_value=SimpleNamespace(ctx=secretary, loaders=Loaders(secretary)))
        for _ in range(runs):
            for way, query, baseline in (("search", SEARCH, SQL_SEARCH), ("browse", BROWSE, SQL_BROWSE)):
                ours, theirs = await graphql(way, query), await sql(f"{way}_sql", conn, baseline)
                assert ours == theirs, f"{way}: GraphQL and SQL answered different rows"
                found[way] = len(ours)
        rows = await conn.fetchval("SELECT count(*) FROM resource_share")  # no tenant: RLS shows none
        assert rows == 0
    finally:
        await conn.close()
    return {**times, "found": found}


async def main(args: argparse.Namespace) -> None:
    name = "redgrid_bench_sharing"
    owner, app = os.environ["REDGRID_TEST_MIGRATION_DATABASE_URL"], os.environ["REDGRID_TEST_DATABASE_URL"]
    if args.reuse:
        owner_url, app_url = with_database(owner, name), with_database(app, name)
    else:
        owner_url, app_url = await fresh_database(owner, app, name)
    os.environ.update(
        REDGRID_DATABASE_URL=app_url, REDGRID_MIGRATION_DATABASE_URL=owner_url, REDGRID_LOG_LEVEL="WARNING"
    )
    if not args.reuse:
        migrate = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "redgrid.platform.root.cli", "migrate", cwd=ROOT, stdout=asyncio.subprocess.DEVNULL
        )
        assert await migrate.wait() == 0, "redgrid migrate failed"
        conn = await asyncpg.connect(owner_url)
        try:
            started = time.perf_counter()
            await conn.execute(SEED)
            count = await conn.fetchval("SELECT count(*) FROM resource_share")
            print(f"seeded {STREETS} streets in {DISTRICTS} districts, {count:,} catalogue rows "
                  f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        finally:
            await conn.close()
        await settle(owner_url)
    load_before = os.getloadavg()[0]
    timer = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--time", "--runs", str(args.runs), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await timer.communicate()
    assert timer.returncode == 0, "the timer failed"
    t = json.loads(out.decode().strip().splitlines()[-1])
    print(f"{args.runs} runs each (p99, median in ms); rows found: {t['found']}")
    print(f"load average (2 cores, shared with whatever else runs): {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")  # fmt: skip
    print(f"{'':<40}{'p99':>8}{'median':>8}{'p99 ratio':>11}")
    rows = (
        ("catalogue search, GraphQL", "search", "search_sql"),
        ("catalogue search, one SQL", "search_sql", "search_sql"),
        ("catalogue browse, GraphQL", "browse", "browse_sql"),
        ("catalogue browse, one SQL", "browse_sql", "browse_sql"),
    )
    for label, way, baseline in rows:
        times, ratio = t[way], p99(t[way]) / p99(t[baseline])
        print(f"{label:<40}{p99(times) * 1000:>8.1f}{statistics.median(times) * 1000:>8.1f}{ratio:>11.2f}")
    print(f"goal: catalogue search {p99(t['search']) / p99(t['search_sql']):.2f} x its SQL at p99 (<= 2)")


async def time_only(args: argparse.Namespace) -> None:
    """Run by `main` in a process of its own, with the environment it set; prints JSON."""
    from redgrid.platform.database import close_database, init_database

    app_url = os.environ["REDGRID_DATABASE_URL"]
    await init_database(url=app_url)
    try:
        gc.collect()
        gc.freeze()  # as the app's lifespan does once started
        print(json.dumps(await timings(app_url, args.runs)))
    finally:
        await close_database()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--reuse", action="store_true", help="time the catalogue a previous run seeded, again")
    parser.add_argument("--time", action="store_true", help=argparse.SUPPRESS)  # internal: see time_only
    arguments = parser.parse_args()
    asyncio.run(time_only(arguments) if arguments.time else main(arguments))
