"""Registers at street scale on the real PostgreSQL: import rate against COPY, and a GraphQL
page of households against one hand-written SQL query, measured in the same run.

    eval "$(bash deploy/services.sh env)"; .venv/bin/python bench/registers.py [--residents 200000]

It works in its own database (redgrid_bench, created and migrated here, emptied at the start)
next to the test database of deploy/services.sh. What it times:

- import: `run_import` of N generated residents (tenants/people/scale.py) from CSV and from
  XLSX, as a street secretary through the app's own role under row-level security: reading,
  checking every row (ID checksum, phone, grid code, duplicates), creating the households and
  writing everything in one transaction. Baseline: `COPY` by the table owner of the same
  residents, already parsed, into the same table (no checks, no households). Each of the
  three starts from a settled database (`settle`): no step pays for the last one's vacuum.
- page: `households(first: 100)` with members, grid node and party members through the
  GraphQL schema in process (the transaction, RLS, masking, the response's JSON written as the
  server writes it; no HTTP): as served, compiled to one statement (graphql/core/compiled.py), and
  through the resolvers and DataLoaders alone, which answer what the compiler does not take.
  Baseline: one SQL statement with json_agg building the same shape, on the app's role with
  the tenant set, timed until its rows arrive (the JSON columns as text). GraphQL as served
  and SQL alternate run by run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson

ROOT = Path(__file__).resolve().parents[1]
PAGE = """query { households(first: 100, order: {field: ADDRESS}) { edges { node {
  address colour kind node { name path }
  members { name idNumber phone tags }
  partyMembers { category joinedOn organisation { name } }
} } } }"""
SQL_PAGE = """
SELECT h.id, h.address, h.colour, h.kind, n.name AS node_name, n.path,
  (SELECT json_agg(json_build_object('name', r.name, 'id_number', r.id_number, 'phone', r.phone,
          'birth_date', r.birth_date, 'living_alone', r.living_alone, 'low_income', r.low_income) ORDER BY r.id)
     FROM resident r WHERE r.tenant_id = $1 AND r.household_id = h.id) AS members,
  (SELECT json_agg(json_build_object('category', p.category, 'joined_on', p.joined_on, 'organisation', o.name)
                   ORDER BY p.id)
     FROM party_member p JOIN resident r ON r.id = p.resident_id JOIN party_organisation o ON o.id = p.organisation_id
    WHERE r.tenant_id = $1 AND r.household_id = h.id) AS party_members
FROM household h JOIN grid_node n ON n.id = h.node_id
WHERE h.tenant_id = $1 ORDER BY h.address, h.id LIMIT 100"""


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def fresh_database(owner_url: str, app_url: str, name: str = "redgrid_bench") -> tuple[str, str]:
    """An empty database `name` beside the given ones: (owner URL, app role URL)."""
    conn = await asyncpg.connect(with_database(owner_url, "postgres"))
    try:
        for attempt in range(30):
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except asyncpg.InsufficientPrivilegeError:
                # An autovacuum worker (a superuser's process) analysing the last run's rows: it ends soon.
                if attempt == 29:
                    raise
                await asyncio.sleep(2)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.execute(f'GRANT CONNECT, TEMP ON DATABASE "{name}" TO "{urlsplit(app_url).username}"')
    finally:
        await conn.close()
    return with_database(owner_url, name), with_database(app_url, name)


async def seeded_database(name: str, reuse: bool, seed: Callable[[str], Awaitable[None]]) -> None:
    """The bench database `name` beside the test database, set as the environment's database:
    reused as a previous run left it, or made afresh, migrated and seeded by `seed(owner_url)`."""
    owner, app = os.environ["REDGRID_TEST_MIGRATION_DATABASE_URL"], os.environ["REDGRID_TEST_DATABASE_URL"]
    if reuse:
        owner_url, app_url = with_database(owner, name), with_database(app, name)
    else:
        owner_url, app_url = await fresh_database(owner, app, name)
    os.environ.update(
        REDGRID_DATABASE_URL=app_url, REDGRID_MIGRATION_DATABASE_URL=owner_url, REDGRID_LOG_LEVEL="WARNING"
    )
    if reuse:
        return
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "redgrid.platform.root.cli", "migrate", cwd=ROOT, stdout=asyncio.subprocess.DEVNULL
    )
    assert await migrate.wait() == 0, "redgrid migrate failed"

    from redgrid.platform.database import close_database, init_database

    await init_database(url=app_url)
    try:
        await seed(owner_url)
    finally:
        await close_database()


async def timed_in_a_process(script: str, runs: int) -> tuple[dict[str, Any], float, float]:
    """Run `script --time --runs N` in a fresh process, as a server serves it: its JSON, and the
    load average before and after."""
    load_before = os.getloadavg()[0]
    timer = await asyncio.create_subprocess_exec(
        sys.executable, script, "--time", "--runs", str(runs), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await timer.communicate()
    assert timer.returncode == 0, "the timer failed"
    return json.loads(out.decode().strip().splitlines()[-1]), load_before, os.getloadavg()[0]


async def time_here(timings: Callable[[str, str, int], Awaitable[dict[str, Any]]], runs: int) -> None:
    """The timer's side of `timed_in_a_process`: `timings(app_url, owner_url, runs)` as JSON."""
    from redgrid.platform.database import close_database, init_database

    app_url = os.environ["REDGRID_DATABASE_URL"]
    await init_database(url=app_url)
    try:
        gc.collect()
        gc.freeze()  # as the app's lifespan does once started
        print(json.dumps(await timings(app_url, os.environ["REDGRID_MIGRATION_DATABASE_URL"], runs)))
    finally:
        await close_database()


def p99(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[98]


def print_comparison(t: dict[str, Any], rows: tuple[tuple[str, str, str], ...], load: tuple[float, float]) -> None:
    """A table of (label, way, baseline): each way's p99 and median in ms and its p99 over its
    baseline's, after the load average the timer ran at."""
    print(f"load average (2 cores, shared with whatever else runs): {load[0]:.1f} before, {load[1]:.1f} after")
    width = max(len(label) for label, _, _ in rows) + 2
    print(f"{'':<{width}}{'p99':>8}{'median':>8}{'p99 ratio':>11}")
    for label, way, baseline in rows:
        times, ratio = t[way], p99(t[way]) / p99(t[baseline])
        print(f"{label:<{width}}{p99(times) * 1000:>8.1f}{statistics.median(times) * 1000:>8.1f}{ratio:>11.2f}")


async def street(name: str, residents: int):  # type: ignore[no-untyped-def]
    """A tenant with the scale street's grid and no people yet, and its secretary."""
    from redgrid.platform.database import tenant_transaction
    from redgrid.platform.provisioning import DevProvisioner
    from redgrid.platform.root.demo import operator_context, secretary_context
    from redgrid.tenants.people.scale import build_grid
    from redgrid.tenants.tenancy import create_district, create_tenant

    await create_district(operator_context(), "bench", "Bench district")
    made = await create_tenant(
        operator_context(), DevProvisioner(), slug=name, name=name, district_slug="bench", kind="street"
    )
    ctx = secretary_context(made.value)
    async with tenant_transaction(made.value.id):
        await build_grid(ctx, residents)
    return ctx


async def settle(owner_url: str) -> None:
    """VACUUM ANALYZE what the last step wrote, before the next is timed: autovacuum would
    otherwise work through 200,000 new rows while the next step runs, on the same two cores
    (the CSV import, timed right after COPY, measured 16.3 s against 11.4 s alone)."""
    owner = await asyncpg.connect(owner_url)
    try:
        await owner.execute("VACUUM ANALYZE")
    finally:
        await owner.close()


async def timed_import(ctx, spec, filename: str, data: bytes) -> float:  # type: ignore[no-untyped-def]
    from redgrid.platform.database import tenant_transaction
    from redgrid.tenants.imports import run_import

    started = time.perf_counter()
    async with tenant_transaction(ctx.tenant.id):
        result = await run_import(ctx, spec, filename, data)
    elapsed = time.perf_counter() - started
    assert not result.errors, result.errors[:3]
    return elapsed


async def timed_copy(owner_url: str, ctx, residents: int) -> float:  # type: ignore[no-untyped-def]
    """COPY of the same residents, parsed beforehand (the parsing is not timed)."""
    from datetime import UTC, date, datetime

    from redgrid.platform.database import tenant_transaction
    from redgrid.tenants.grid.models import GridNode
    from redgrid.tenants.people import idcard
    from redgrid.tenants.people.scale import resident_rows

    async with tenant_transaction(ctx.tenant.id):
        nodes = dict(await GridNode.filter(tenant_id=ctx.tenant.id).values_list("path", "id"))
    today, created = date.today(), datetime.now(UTC)
    records = []
    for name, number, phone, path, *_rest, tags in resident_rows(residents):
        card = idcard.parse(number, today)
        records.append(
            (
                ctx.tenant.id,
                nodes[path],
                None,
                name,
                card.number,
                card.sex,
                card.birth_date,
                phone,
                "独居" in tags,
                False,
                "低保" in tags,
                False,
                False,
                False,
                created,
            )
        )
    columns = [
        "tenant_id",
        "node_id",
        "household_id",
        "name",
        "id_number",
        "sex",
        "birth_date",
        "phone",
        "living_alone",
        "disabled",
        "low_income",
        "hardship",
        "left_behind_child",
        "floating",
        "created_at",
    ]
    conn = await asyncpg.connect(owner_url)
    try:
        started = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table("resident", records=records, columns=columns)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def page_times(ctx, app_url: str, runs: int) -> dict[str, list[float] | int]:  # type: ignore[no-untyped-def]
    """GraphQL as served (compiled to one statement, graphql/core/compiled.py) and the hand-written
    SQL alternate run by run, so that a slower moment of the machine weighs on both; then
    GraphQL through the resolvers alone (REDGRID_COMPILED_PAGES=false), whose garbage would
    slow the other two if it ran among them."""
    from redgrid.graphql.core.loaders import Loaders
    from redgrid.graphql.core.responses import encode_json
    from redgrid.graphql.schema import schema
    from redgrid.platform.settings import get_settings

    times: dict[str, list[float]] = {"graphql": [], "resolvers": [], "sql": []}
    bodies: dict[str, str] = {}

    async def graphql(way: str) -> None:
        started = time.perf_counter()
        result = await schema.execute(PAGE, context_value=SimpleNamespace(ctx=ctx, loaders=Loaders(ctx)))
        body = encode_json({"data": result.data})  # the response as the server writes it
        times[way].append(time.perf_counter() - started)
        assert result.errors is None, result.errors
        if way not in bodies:  # the way it was meant to go: nodes pasted as PostgreSQL wrote them, or not
            compiled = isinstance(result.data["households"]["edges"][0]["node"], orjson.Fragment)
            assert compiled == (way == "graphql"), f"the {way} page went the other way"
        bodies[way] = body

    conn = await asyncpg.connect(app_url)
    try:
        for _ in range(runs):
            await graphql("graphql")
            started = time.perf_counter()
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(ctx.tenant.id))
                rows = await conn.fetch(SQL_PAGE, ctx.tenant.id)
            times["sql"].append(time.perf_counter() - started)
            assert len(rows) == 100
    finally:
        await conn.close()
    get_settings().compiled_pages = False
    for _ in range(runs):
        await graphql("resolvers")
    answers = {way: json.loads(body)["data"] for way, body in bodies.items()}
    assert answers["graphql"] == answers["resolvers"], "the two ways answered differently"
    members = sum(len(e["node"]["members"]) for e in answers["graphql"]["households"]["edges"])
    return {**times, "members": members}


async def main(args: argparse.Namespace) -> None:
    owner_url, app_url = await fresh_database(
        os.environ["REDGRID_TEST_MIGRATION_DATABASE_URL"], os.environ["REDGRID_TEST_DATABASE_URL"]
    )
    os.environ.update(
        REDGRID_DATABASE_URL=app_url, REDGRID_MIGRATION_DATABASE_URL=owner_url, REDGRID_LOG_LEVEL="WARNING"
    )
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "redgrid.platform.root.cli", "migrate", cwd=ROOT, stdout=asyncio.subprocess.DEVNULL
    )
    assert await migrate.wait() == 0, "redgrid migrate failed"

    from redgrid.platform.database import close_database, init_database
    from redgrid.tenants.people.registers import PartyMembersRegister, ResidentsRegister
    from redgrid.tenants.people.scale import MEMBER_HEADERS, RESIDENT_HEADERS, as_csv, member_rows, resident_rows
    from redgrid.tenants.tabular import write_xlsx

    await init_database(url=app_url)
    try:
        n = args.residents
        csv_data = as_csv(RESIDENT_HEADERS, resident_rows(n))
        xlsx_data = write_xlsx("residents", RESIDENT_HEADERS, resident_rows(n))
        print(f"{n} residents: CSV {len(csv_data) / 2**20:.1f} MB, XLSX {len(xlsx_data) / 2**20:.1f} MB")

        copy_street = await street("bench-copy", n)
        await settle(owner_url)
        copy_s = await timed_copy(owner_url, copy_street, n)
        csv_street = await street("bench-csv", n)
        await settle(owner_url)
        csv_s = await timed_import(csv_street, ResidentsRegister(), "r.csv", csv_data)
        xlsx_street = await street("bench-xlsx", n)
        await settle(owner_url)
        xlsx_s = await timed_import(xlsx_street, ResidentsRegister(), "r.xlsx", xlsx_data)
        await timed_import(csv_street, PartyMembersRegister(), "m.csv", as_csv(MEMBER_HEADERS, member_rows(n)))

        print(f"{'import':<34}{'seconds':>9}{'rows/s':>10}{'of COPY':>9}")
        for label, seconds in (
            ("COPY (owner, parsed rows)", copy_s),
            ("import CSV (app role, checked)", csv_s),
            ("import XLSX (app role, checked)", xlsx_s),
        ):
            print(f"{label:<34}{seconds:>9.2f}{n / seconds:>10.0f}{copy_s / seconds:>9.2f}")

        # Statistics and the visibility map for the rows just imported, as autovacuum would
        # make them soon after: without statistics the page's first plans (party members of
        # 300 residents) are guesses, and the page measured 490 ms, then 80 ms once autovacuum
        # had run.
        await settle(owner_url)
        # The page is timed in a fresh process, as a server serves it: in this one, after
        # 600,000 imported rows, it ran three to four times slower than in any other.
        timer = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--page-of",
            csv_street.tenant.slug,
            "--runs",
            str(args.runs),
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await timer.communicate()
        assert timer.returncode == 0, "the page timer failed"
        times = json.loads(out.decode().strip().splitlines()[-1])
        g, r, s = (statistics.median(times[way]) for way in ("graphql", "resolvers", "sql"))
        print(
            f"page of 100 households ({times['members']} members), median of {args.runs}: "
            f"GraphQL {g * 1000:.1f} ms, SQL {s * 1000:.1f} ms, ratio {g / s:.2f} "
            f"(through the resolvers alone: {r * 1000:.1f} ms, ratio {r / s:.2f})"
        )
    finally:
        await close_database()


async def page_only(args: argparse.Namespace) -> None:
    """Time the page of an already imported street (the environment `main` set) and print the
    times as JSON: run by `main` in a process of its own."""
    from redgrid.platform.database import close_database, init_database, tenant_transaction
    from redgrid.platform.models import Tenant
    from redgrid.platform.root.demo import secretary_context

    app_url = os.environ["REDGRID_DATABASE_URL"]
    await init_database(url=app_url)
    try:
        async with tenant_transaction(None):
            tenant = await Tenant.get(slug=args.page_of)  # the tenant table is readable without a tenant
        gc.collect()
        gc.freeze()  # as the app's lifespan does once started
        print(json.dumps(await page_times(secretary_context(tenant), app_url, args.runs)))
    finally:
        await close_database()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--page-of", help=argparse.SUPPRESS)  # internal: see page_only
    arguments = parser.parse_args()
    asyncio.run(page_only(arguments) if arguments.page_of else main(arguments))
