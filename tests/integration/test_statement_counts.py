"""Every list a screen pages through, with the relations the screen shows, costs the same
number of SQL statements for a short page as for a long one: each relation is one query for
the whole page (a per-request DataLoader, graphql/core/loaders.py), never one per row.

As in tests/integration/test_people_queries.py, the schema runs in this process against the
real PostgreSQL (as the app's role, under row-level security) with a tenant-wide secretary,
and Tortoise's `tortoise.db_client` logger counts the statements. A page PostgreSQL shapes
itself (graphql/core/compiled.py) is one statement whatever it holds; here that is turned off, so
that it is the resolvers' way that is counted (the compiled way is counted once, at the end).
The relations asked go a level deeper than most screens do (a shift's staff member's teams and
their members), so that a loader chained behind another is counted too.

The demo has few shifts, staff, duty teams, cases and service orders: the `seeded` fixture adds
them through the GraphQL mutations, as a client would.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image
from starlette.datastructures import UploadFile

from redgrid.platform.context import RequestContext
from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Account
from redgrid.platform.settings import get_settings

from .statements import statements_for, street_secretary

ROWS = 30  # rows the seeding makes of each list the demo has too few of


@pytest.fixture(scope="module")
async def secretary(db, street) -> RequestContext:
    return await street_secretary(street.slug)


async def mutate(ctx: RequestContext, query: str, variables: dict, name: str) -> dict:
    data = (await statements_for(ctx, query, variables))[1][name]
    assert not data.get("errors"), data["errors"]
    return data


def nodes(data: dict, field: str) -> list[dict]:
    return [edge["node"] for edge in data[field]["edges"]]


def png() -> UploadFile:
    """A photo as an upload: what strawberry hands a resolver for a multipart file part."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, "PNG")
    buffer.seek(0)
    return UploadFile(buffer, filename="scene.png")


@pytest.fixture(scope="module")
async def seeded(secretary, tmp_path_factory) -> None:
    """Enough sinking staff, duty teams (with members), shifts (with a station and a staff
    member), cases (with a timeline and photos), grid workers (with an account, two nodes and
    two posts) and service orders for a long page of each."""
    settings = get_settings()
    attachments_dir, settings.attachments_dir = settings.attachments_dir, str(tmp_path_factory.mktemp("photos"))
    try:
        await _seed(secretary)
    finally:
        settings.attachments_dir = attachments_dir


async def _seed(ctx: RequestContext) -> None:
    _, data = await statements_for(
        ctx,
        """{
      gridNodes(first: 100) { edges { node { id level stations { id } } } }
      departments(first: 10) { edges { node { id } } }
      caseCategories { id }
      serviceItems(first: 10) { edges { node { id } } }
    }""",
    )
    grid = nodes(data, "gridNodes")
    with_station = [(n["id"], s["id"]) for n in grid for s in n["stations"]]
    departments = [d["id"] for d in nodes(data, "departments")]
    categories = [c["id"] for c in data["caseCategories"]]
    items = [i["id"] for i in nodes(data, "serviceItems")]
    deepest = max(n["level"] for n in grid)
    leaves = [n["id"] for n in grid if n["level"] == deepest]
    root = min(grid, key=lambda n: n["level"])["id"]  # every staff member serves it
    assert with_station and departments and categories and items and leaves

    staff = []
    for i in range(ROWS):
        made = await mutate(
            ctx,
            """mutation($input: SinkingStaffInput!) { createSinkingStaff(input: $input) {
            staff { id } errors { code } } }""",
            {
                "input": {
                    "name": f"计数{i:02d}",
                    "departmentId": departments[i % len(departments)],
                    "nodeId": with_station[i % len(with_station)][0],
                    "phone": f"139{i:08d}",
                }
            },
            "createSinkingStaff",
        )
        staff.append(made["staff"]["id"])
        await mutate(
            ctx,
            """mutation($input: SetStaffEvaluationInput!) { setStaffEvaluation(input: $input) {
            errors { code } } }""",
            {"input": {"staffId": staff[-1], "year": 2025, "score": "88.5"}},
            "setStaffEvaluation",
        )
    for i in range(ROWS):
        team = (
            await mutate(
                ctx,
                """mutation($input: CreateDutyTeamInput!) { createDutyTeam(input: $input) {
            team { id } errors { code } } }""",
                {"input": {"nodeId": root, "name": f"计数联勤{i:02d}"}},
                "createDutyTeam",
            )
        )["team"]["id"]
        for member in (staff[i], staff[(i + 1) % ROWS], staff[(i + 7) % ROWS]):
            await mutate(
                ctx,
                """mutation($t: ID!, $s: ID!) { addDutyTeamMember(teamId: $t, staffId: $s) {
                errors { code } } }""",
                {"t": team, "s": member},
                "addDutyTeamMember",
            )
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    for i in range(ROWS):
        node, station = with_station[i % len(with_station)]
        await mutate(
            ctx,
            """mutation($input: CreateDutyShiftInput!) { createDutyShift(input: $input) {
            errors { code } } }""",
            {
                "input": {
                    "nodeId": node,
                    "stationId": station,
                    "staffId": staff[i],
                    "startsAt": (start + timedelta(hours=i)).isoformat(),
                    "endsAt": (start + timedelta(hours=i + 4)).isoformat(),
                }
            },
            "createDutyShift",
        )
    for i in range(ROWS):
        case = (
            await mutate(
                ctx,
                """mutation($input: ReportCaseInput!) { reportCase(input: $input) {
            case { id version } errors { code } } }""",
                {
                    "input": {
                        "title": f"计数事件{i:02d}",
                        "categoryId": categories[i % len(categories)],
                        "source": "PATROL",
                        "nodeId": leaves[i % len(leaves)],
                    }
                },
                "reportCase",
            )
        )["case"]
        await mutate(
            ctx,
            """mutation($input: TransitionCaseInput!) { transitionCase(input: $input) {
            errors { code } } }""",
            {"input": {"id": case["id"], "action": "ACCEPT", "version": case["version"]}},
            "transitionCase",
        )
        await mutate(
            ctx,
            """mutation($c: ID!, $f: Upload!) { addCaseAttachment(caseId: $c, file: $f) {
            errors { code } } }""",
            {"c": case["id"], "f": png()},
            "addCaseAttachment",
        )
    tenant = ctx.require_tenant()
    for i in range(ROWS):
        async with tenant_transaction(tenant.id):
            account = await Account.create(tenant_id=tenant.id, username=f"count-{i:02d}-{uuid.uuid4().hex[:6]}")
        await mutate(
            ctx,
            """mutation($input: GridWorkerInput!) { createGridWorker(input: $input) { errors { code } } }""",
            {
                "input": {
                    "name": f"计数网格员{i:02d}",
                    "nodeIds": [leaves[i % len(leaves)], leaves[(i + 1) % len(leaves)]],
                    "posts": ["INFORMATION", "PUBLICITY"],
                    "username": account.username,
                }
            },
            "createGridWorker",
        )
    for i in range(ROWS):
        await mutate(
            ctx,
            """mutation($input: PlaceServiceOrderInput!) { placeServiceOrder(input: $input) {
            errors { code } } }""",
            {"input": {"itemId": items[i % len(items)], "nodeId": leaves[i % len(leaves)]}},
            "placeServiceOrder",
        )


@pytest.fixture
def resolvers(monkeypatch) -> None:
    """Every page through the resolvers, none shaped by PostgreSQL."""
    monkeypatch.setattr(get_settings(), "compiled_pages", False)


# Each list with the relations its screen shows; `$first` is the page's length.
PAGES: dict[str, str] = {
    "residents": """residents(first: $first, filter: {tag: OVER_60}) { totalCount edges { node {
      name phone tags node { name parent { name } }
      household { address colour node { name } }
      partyMember { category organisation { name } resident { name } } } } }""",
    "partyMembers": """partyMembers(first: $first) { totalCount edges { node {
      category joinedOn resident { name phone node { name } household { address } }
      organisation { name kind } commitments { content verified } serviceRecords { content hours } serviceHours
      attendances { title kind } points { points reason } pointsBalance } } }""",
    "volunteers": """volunteers(first: $first) { totalCount edges { node { name username team { name kind } } } }""",
    "pairings": """pairings(first: $first) { totalCount edges { node {
      kind active startedOn volunteer { name team { name } } elder { name age phone tags address } } } }""",
    "jointUnits": """jointUnits(first: $first) { totalCount edges { node {
      name kind partyOrganisation contacts { name phone role } pairedNode { name path }
      resources { kind description } needs { description } serviceItems { title category } } } }""",
    "unitResources": """unitResources(first: $first) { totalCount edges { node {
      kind description unit { name pairedNode { name } } } } }""",
    "unitNeeds": """unitNeeds(first: $first) { totalCount edges { node { description unit { name } } } }""",
    "serviceItems": """serviceItems(first: $first) { totalCount edges { node {
      title category provider unit { name pairedNode { name } } } } }""",
    "serviceOrders": """serviceOrders(first: $first) { totalCount edges { node {
      status note item { title provider unit { name } } node { name } } } }""",
    "publicProjects": """publicProjects(first: $first) { totalCount edges { node {
      title status budget node { name } claimedBy { name pairedNode { name } } } } }""",
    "dutyShifts": """dutyShifts(first: $first, order: {field: CREATED_AT, direction: DESC}) { totalCount edges { node {
      state startsAt node { name } station { name kind }
      staff { name phone department { name } node { name } evaluations { year }
        teams { name members { name } } } } } }""",
    "sinkingStaff": """sinkingStaff(first: $first, filter: {nameContains: "计数"}) { totalCount edges { node {
      name phone department { name kind } node { name } evaluations { year score }
      teams { name node { name } members { name } } } } }""",
    "dutyTeams": """dutyTeams(first: $first, filter: {nameContains: "计数"}) { totalCount edges { node {
      name node { name }
      members { name phone department { name } node { name } evaluations { year } teams { name } } } } }""",
    "cases": """cases(first: $first) { totalCount edges { node {
      number title state category { name } node { name parent { name } partyOrganisations { name } stations { name } }
      timeline { action toState actor } attachments { filename url } } } }""",
    "gridWorkers": """gridWorkers(first: $first, order: {field: CREATED_AT, direction: DESC}) { totalCount
      edges { node { name phone posts account { username displayName } nodes { name path } } } }""",
    "gridNodes": """gridNodes(first: $first) { totalCount edges { node {
      name path parent { name } children { name } partyOrganisations { name kind } stations { name kind } } } }""",
}


def reached(value: Any, path: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """The relations some row of a page has (a non-null object, a non-empty list), by path."""
    found: set[tuple[str, ...]] = set()
    rows = value if isinstance(value, list) else [value]
    for row in rows:
        if not isinstance(row, dict):
            continue
        for key, child in row.items():
            if isinstance(child, dict) or (isinstance(child, list) and child and isinstance(child[0], dict)):
                found |= {path + (key,)} | reached(child, path + (key,))
    return found


# The list, the page lengths compared (the short page reaches every relation the long one
# does), and the statements each costs: the transaction's set_config, the page, its count, and
# one per relation followed (fewer where a relation's rows are all in a loader already, e.g. a
# shift's staff member placed on the shift's own grid node).
SIZES = {"residents": (30, 200)}  # a short page of 5 residents has no party member
COSTS = {
    "residents": 3
    + 6,  # grid nodes (theirs, their households', the parents), households, party members, organisations, residents
    "partyMembers": 3 + 8,  # residents, their nodes, their households, organisations, the four cards
    "volunteers": 3 + 1,
    "pairings": 3 + 4,  # volunteers, teams, elders, their households
    "jointUnits": 3 + 4,  # paired nodes, resources, needs, menu items
    "unitResources": 3 + 2,
    "unitNeeds": 3 + 1,
    "serviceItems": 3 + 2,
    "serviceOrders": 3 + 4,
    "publicProjects": 3 + 3,
    "dutyShifts": 3 + 9,
    "sinkingStaff": 3 + 7,
    "dutyTeams": 3 + 8,
    "cases": 3 + 7,
    "gridNodes": 3 + 4,
    "gridWorkers": 3 + 4,  # accounts, posts, served-node links, grid nodes
}


@pytest.mark.parametrize("field", list(PAGES))
async def test_a_page_costs_the_same_statements_short_or_long(secretary, seeded, resolvers, field):
    small, large = SIZES.get(field, (5, 50))
    query = f"query($first: Int!) {{ {PAGES[field]} }}"
    short_cost, short_data = await statements_for(secretary, query, {"first": small})
    long_cost, long_data = await statements_for(secretary, query, {"first": large})
    short_page, long_page = nodes(short_data, field), nodes(long_data, field)
    print(f"{field}: {short_cost} statements for {len(short_page)} rows, {long_cost} for {len(long_page)}")
    assert len(short_page) == small and len(long_page) >= 4 * small
    assert reached(short_page) == reached(long_page)  # like for like: the same relations followed
    assert short_cost == long_cost == COSTS[field]


async def test_pages_postgresql_shapes_cost_the_same_statements_short_or_long(secretary):
    """With REDGRID_COMPILED_PAGES on (the default), a households or residents page whose
    fields all have an SQL shape is one statement, however long (besides the transaction's
    set_config and the count)."""
    assert get_settings().compiled_pages
    households = """query($first: Int!) { households(first: $first, order: {field: ADDRESS}) { totalCount edges { node {
      address colour node { name path } members { name phone tags }
      partyMembers { category organisation { name } } } } } }"""
    residents = (
        "query($first: Int!) { residents(first: $first) { totalCount "
        "edges { node { name idNumber phone tags age } } } }"
    )
    for field, query in (("households", households), ("residents", residents)):
        short_cost, short_data = await statements_for(secretary, query, {"first": 5})
        long_cost, long_data = await statements_for(secretary, query, {"first": 200})
        print(f"{field} (compiled): {short_cost} statements for 5 rows, {long_cost} for 200")
        assert len(nodes(short_data, field)) == 5 and len(nodes(long_data, field)) == 200
        assert short_cost == long_cost == 3
