"""Home visits (入户走访) against a real server: a grid worker records visits to the households
of his grid, a follow-up becomes a case in the same step (both or neither), everything outside
his grid answers as missing, and the visit coverage of a node and its children counts the
households visited in the window."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .cases_api import category_id
from .clients import gql, gql_data
from .grid_api import node_id

RECORD = """mutation($input: RecordHomeVisitInput!) { recordHomeVisit(input: $input) {
    visit { id visitedOn visitor findings household { id } followUpCase { id } }
    case { id state source title address node { path } }
    errors { field code message } } }"""
VISITS = "query($id: ID!) { homeVisits(householdId: $id) { id visitedOn visitor } }"
COVERAGE = """query($nodeId: ID, $days: Int! = 30) { visitCoverage(nodeId: $nodeId, days: $days) { days
    total { node { path } households visited rate } children { node { path } households visited rate } } }"""
HOUSEHOLDS = """query($after: String) { households(first: 500, after: $after) {
    edges { node { id node { path } } } pageInfo { hasNextPage endCursor } } }"""
WORKER_GRID = "JS01.A1.B03"


def today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def households_by_path(server, tokens) -> dict[str, list[str]]:
    """Every household of the street by its node's path (the secretary's pages, all of them)."""
    found: dict[str, list[str]] = {}
    after = None
    while True:
        page = (await gql_data(server, HOUSEHOLDS, {"after": after}, tokens["secretary"]))["households"]
        for edge in page["edges"]:
            found.setdefault(edge["node"]["node"]["path"], []).append(edge["node"]["id"])
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def under(found: dict[str, list[str]], prefix: str) -> list[str]:
    return [h for path, ids in found.items() if path == prefix or path.startswith(prefix + ".") for h in ids]


async def record(server, token, household: str, **extra) -> dict:
    return (await gql_data(server, RECORD, {"input": {"householdId": household, **extra}}, token))["recordHomeVisit"]


async def coverage(server, token, node: str | None = None, days: int | None = None) -> dict:
    variables = {"nodeId": node} | ({"days": days} if days is not None else {})
    return (await gql_data(server, COVERAGE, variables, token))["visitCoverage"]


async def test_visits_and_their_coverage(live_server, tokens, street):
    found = await households_by_path(live_server, tokens)
    mine = under(found, WORKER_GRID)
    assert len(mine) >= 3
    before = await coverage(live_server, tokens["grid-worker"])  # his grid, 30 days
    assert before["days"] == 30
    assert before["total"] == {"node": {"path": WORKER_GRID}, "households": len(mine), "visited": 0, "rate": 0.0}

    first = await record(live_server, tokens["grid-worker"], mine[0], findings="独居老人，身体尚可\n需定期探望")
    assert first["errors"] == [] and first["case"] is None
    visit = first["visit"]
    assert (visit["visitedOn"], visit["visitor"], visit["household"]["id"]) == (
        today().isoformat(),
        street.username("grid-worker"),
        mine[0],
    )
    assert visit["followUpCase"] is None
    # The same household twice counts once; a visit 10 days ago counts in 30 days, one of 40 in 60.
    assert (await record(live_server, tokens["grid-worker"], mine[0]))["errors"] == []
    ten_ago, forty_ago = (today() - timedelta(days=n) for n in (10, 40))
    assert (await record(live_server, tokens["grid-worker"], mine[1], visitedOn=ten_ago.isoformat()))["errors"] == []
    assert (await record(live_server, tokens["grid-worker"], mine[2], visitedOn=forty_ago.isoformat()))["errors"] == []

    visits = (await gql_data(live_server, VISITS, {"id": mine[0]}, tokens["grid-worker"]))["homeVisits"]
    assert len(visits) == 2 and all(v["visitor"] == street.username("grid-worker") for v in visits)

    n = len(mine)
    for days, visited in ((30, 2), (60, 3), (5, 1), (1, 1)):
        cell = (await coverage(live_server, tokens["grid-worker"], days=days))["total"]
        assert (cell["households"], cell["visited"], cell["rate"]) == (n, visited, round(visited / n, 4)), days

    # The secretary sees the building among its area's children, and the area's total.
    area = WORKER_GRID.rsplit(".", 1)[0]
    area_id = await node_id(live_server, tokens["secretary"], area)
    seen = await coverage(live_server, tokens["secretary"], area_id)
    assert seen["total"]["households"] == len(under(found, area)) and seen["total"]["visited"] == 2
    cells = {c["node"]["path"]: (c["households"], c["visited"]) for c in seen["children"]}
    assert cells[WORKER_GRID] == (n, 2)
    assert sum(v for _, v in cells.values()) == 2
    assert sum(h for h, _ in cells.values()) == len(under(found, area))
    street_wide = await coverage(live_server, tokens["secretary"])  # the whole street
    assert street_wide["total"]["node"] is None and street_wide["total"]["visited"] == 2
    assert street_wide["total"]["households"] == sum(len(ids) for ids in found.values())


async def test_a_follow_up_becomes_a_case_with_the_visit_or_neither_is_written(live_server, tokens, street):
    found = await households_by_path(live_server, tokens)
    household = under(found, WORKER_GRID)[-1]
    follow = {"title": "楼道堆物", "categoryId": await category_id(live_server, tokens["secretary"], "safety_hazard")}
    made = await record(
        live_server, tokens["grid-worker"], household, findings="楼道堆放杂物，有消防隐患", followUp=follow
    )
    assert made["errors"] == [], made
    case = made["case"]
    assert (case["state"], case["source"], case["title"]) == ("REPORTED", "HOME_VISIT", "楼道堆物")
    assert case["node"]["path"].startswith(WORKER_GRID) and case["address"]
    assert made["visit"]["followUpCase"] == {"id": case["id"]}
    # The grid head sees it in his inbox like any report.
    read = await gql_data(
        live_server,
        "query($id: ID!) { node(id: $id) { ... on Case { state } } }",
        {"id": case["id"]},
        tokens["grid-head"],
    )
    assert read["node"] == {"state": "REPORTED"}

    visits_before = (await gql_data(live_server, VISITS, {"id": household}, tokens["grid-worker"]))["homeVisits"]
    refused = await record(
        live_server, tokens["grid-worker"], household, findings="再访", followUp={**follow, "title": " "}
    )
    assert refused["visit"] is None and [e["code"] for e in refused["errors"]] == ["INVALID_TITLE"]
    visits_after = (await gql_data(live_server, VISITS, {"id": household}, tokens["grid-worker"]))["homeVisits"]
    assert visits_after == visits_before


async def test_outside_his_grid_everything_answers_as_missing(live_server, tokens, street):
    found = await households_by_path(live_server, tokens)
    elsewhere = next(ids[0] for path, ids in found.items() if not path.startswith(WORKER_GRID))
    refused = await record(live_server, tokens["grid-worker"], elsewhere, findings="越界")
    assert refused["visit"] is None and [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("householdId", "NOT_FOUND")
    ]
    # The secretary visits it; the grid worker still sees none of its visits.
    assert (await record(live_server, tokens["secretary"], elsewhere))["errors"] == []
    assert (await gql_data(live_server, VISITS, {"id": elsewhere}, tokens["grid-worker"]))["homeVisits"] == []
    assert len((await gql_data(live_server, VISITS, {"id": elsewhere}, tokens["secretary"]))["homeVisits"]) == 1
    other_path = next(path for path in found if not path.startswith(WORKER_GRID))
    other_node = await node_id(live_server, tokens["secretary"], other_path)
    answer = await gql(live_server, COVERAGE, {"nodeId": other_node}, tokens["grid-worker"])
    assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # Roles without the registers are refused outright.
    for who in ("volunteer", "dept-staff"):
        body = (await gql(live_server, RECORD, {"input": {"householdId": elsewhere}}, tokens[who])).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (who, body)


async def test_bounded_input(live_server, tokens, street):
    household = under(await households_by_path(live_server, tokens), WORKER_GRID)[0]
    cases = {
        "findings": ({"findings": "长" * 2001}, ("findings", "TOO_LONG")),
        "control": ({"findings": "a\x00b"}, ("findings", "INVALID_TEXT")),
        "future": ({"visitedOn": (today() + timedelta(days=1)).isoformat()}, ("visitedOn", "OUT_OF_RANGE")),
        "ancient": ({"visitedOn": (today() - timedelta(days=400)).isoformat()}, ("visitedOn", "OUT_OF_RANGE")),
    }
    for name, (extra, error) in cases.items():
        refused = await record(live_server, tokens["grid-worker"], household, **extra)
        assert [(e["field"], e["code"]) for e in refused["errors"]] == [error], name
    for days in (0, 367):
        answer = await gql(live_server, COVERAGE, {"days": days}, tokens["grid-worker"])
        assert answer.json()["errors"][0]["extensions"]["code"] == "OUT_OF_RANGE", days
