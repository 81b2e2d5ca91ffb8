"""The joint-building registers through GraphQL against PostgreSQL and Keycloak: the seeded
council, role refusals and grid scope, masked contact phones, the project claim race, the
order steps, typed validation errors, paging and filters."""

from __future__ import annotations

import asyncio

import pytest

from .clients import gql, gql_data
from .units_api import (
    B03,
    B04,
    CREATE_PROJECT,
    CREATE_UNIT,
    ERRORS,
    PROJECT,
    UNIT,
    create_project,
    create_unit,
    refused,
    unique_name,
)

UNITS = f"""query($first: Int, $after: String, $filter: JointUnitFilter) {{
  jointUnits(first: $first, after: $after, filter: $filter) {{ totalCount edges {{ node {{ {UNIT} }} }} }} }}"""
ADD_RESOURCE = (
    "mutation($input: AddUnitResourceInput!) { addUnitResource(input: $input) { resource { id kind shareable } "
    f"{ERRORS} }} }}"
)
CLAIM = (
    f"mutation($p: ID!, $u: ID!) {{ claimPublicProject(projectId: $p, unitId: $u) {{ project {{ {PROJECT} }} "
    f"{ERRORS} }} }}"
)
COMPLETE = f"mutation($id: ID!) {{ completePublicProject(id: $id) {{ project {{ {PROJECT} }} {ERRORS} }} }}"
ORDER = "id status rating item { title } node { path }"
CREATE_ITEM = (
    "mutation($input: CreateServiceItemInput!) { createServiceItem(input: $input) { item { id title provider } "
    f"{ERRORS} }} }}"
)
PLACE = (
    f"mutation($input: PlaceServiceOrderInput!) {{ placeServiceOrder(input: $input) {{ order {{ {ORDER} }} {ERRORS} "
    "} }"
)
ACCEPT = f"mutation($id: ID!) {{ acceptServiceOrder(id: $id) {{ order {{ {ORDER} }} {ERRORS} }} }}"
DELIVER = f"mutation($id: ID!) {{ deliverServiceOrder(id: $id) {{ order {{ {ORDER} }} {ERRORS} }} }}"
RATE = f"mutation($id: ID!, $r: Int!) {{ rateServiceOrder(id: $id, rating: $r) {{ order {{ {ORDER} }} {ERRORS} }} }}"


@pytest.fixture(scope="module")
async def grid(live_server, tokens) -> dict[str, str]:
    data = await gql_data(
        live_server, "{ gridNodes(first: 500) { edges { node { id path } } } }", token=tokens["secretary"]
    )
    return {e["node"]["path"]: e["node"]["id"] for e in data["gridNodes"]["edges"]}


def as_missing(body: dict) -> bool:
    """Refused as a missing id: what lies outside the caller's grid answers so."""
    return [e["code"] for e in next(iter(body["data"].values()))["errors"]] == ["NOT_FOUND"]


async def test_the_demo_council_has_the_seeds_figures(live_server, tokens):
    """First in the module: later tests add units of their own."""
    query = """{ all: jointUnits { totalCount } shareable: unitResources(filter: {shareable: true}) { totalCount }
      needs: unitNeeds { totalCount } menu: serviceItems { totalCount }
      partyBuilding: serviceItems(filter: {category: PARTY_BUILDING}) { totalCount }
      health: serviceItems(filter: {category: HEALTH}) { totalCount }
      rated: serviceOrders(filter: {status: RATED}) { totalCount }
      open: publicProjects(filter: {status: OPEN}) { totalCount } }"""
    data = await gql_data(live_server, query, token=tokens["secretary"])
    assert data["all"]["totalCount"] == 112
    assert data["shareable"]["totalCount"] == 88 and data["needs"]["totalCount"] == 75
    assert data["menu"]["totalCount"] == 182
    assert data["partyBuilding"]["totalCount"] == 37 and data["health"]["totalCount"] == 36
    assert data["rated"]["totalCount"] == 4 and data["open"]["totalCount"] == 8
    # The demo grid head (building 3) sees the units paired with building 3 only.
    mine = await gql_data(
        live_server, "{ jointUnits { totalCount edges { node { pairedNode { path } } } } }", token=tokens["grid-head"]
    )
    assert mine["jointUnits"]["totalCount"] >= 2
    assert {e["node"]["pairedNode"]["path"] for e in mine["jointUnits"]["edges"]} == {B03}


async def test_volunteers_and_sinking_staff_are_refused_and_only_the_secretary_edits(live_server, tokens, grid):
    for role in ("volunteer", "dept-staff"):
        for query in (
            "{ jointUnits { totalCount } }",
            "{ serviceItems { totalCount } }",
            "{ publicProjects { totalCount } }",
            "{ unitResources { totalCount } }",
            "{ serviceOrders { totalCount } }",
        ):
            assert refused((await gql(live_server, query, token=tokens[role])).json()), (role, query)
    unit = await create_unit(live_server, tokens["secretary"], grid[B03])
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert (await gql_data(live_server, node, {"id": unit["id"]}, tokens["volunteer"]))["node"] is None
    for role in ("grid-head", "grid-worker", "volunteer"):
        body = (
            await gql(
                live_server,
                CREATE_UNIT,
                {"input": {"name": unique_name(), "kind": "SCHOOL", "pairedNodeId": grid[B03]}},
                tokens[role],
            )
        ).json()
        assert refused(body), role
        body = (
            await gql(
                live_server,
                ADD_RESOURCE,
                {"input": {"unitId": unit["id"], "kind": "VENUE", "description": "会议室"}},
                tokens[role],
            )
        ).json()
        assert refused(body), role
    body = (
        await gql(
            live_server,
            CREATE_PROJECT,
            {"input": {"nodeId": grid[B03], "title": "x", "budget": 1}},
            tokens["grid-head"],
        )
    ).json()
    assert refused(body)


async def test_grid_staff_see_and_act_only_in_their_grid_with_phones_by_role(live_server, tokens, grid):
    contacts = [
        {"name": "张联络", "phone": "13912345678", "role": "党建联络员"},
        {"name": "办公室", "phone": "025-52123456"},
    ]
    inside = await create_unit(live_server, tokens["secretary"], grid[B03], contacts=contacts)
    outside = await create_unit(live_server, tokens["secretary"], grid[B04], contacts=contacts)
    assert [c["phone"] for c in inside["contacts"]] == ["13912345678", "025-52123456"]
    node = f"query($id: ID!) {{ node(id: $id) {{ ... on JointUnit {{ {UNIT} }} }} }}"
    phones = {}
    for role in ("secretary", "grid-head", "grid-worker"):
        found = await gql_data(live_server, UNITS, {"filter": {"nameContains": inside["name"][-6:]}}, tokens[role])
        assert found["jointUnits"]["totalCount"] == 1, role
        phones[role] = [c["phone"] for c in found["jointUnits"]["edges"][0]["node"]["contacts"]]
        away = await gql_data(live_server, node, {"id": outside["id"]}, tokens[role])
        assert (away["node"] is None) is (role != "secretary"), role
    assert phones["secretary"] == phones["grid-head"] == ["13912345678", "025-52123456"]
    assert phones["grid-worker"] == ["139****5678", "025****3456"]
    hidden = await gql_data(live_server, UNITS, {"filter": {"nameContains": outside["name"][-6:]}}, tokens["grid-head"])
    assert hidden["jointUnits"]["totalCount"] == 0

    far = await create_project(live_server, tokens["secretary"], grid[B04])
    body = (await gql(live_server, CLAIM, {"p": far["id"], "u": inside["id"]}, tokens["grid-head"])).json()
    assert as_missing(body)
    near = await create_project(live_server, tokens["secretary"], grid[B03])
    body = (await gql(live_server, CLAIM, {"p": near["id"], "u": outside["id"]}, tokens["grid-head"])).json()
    assert as_missing(body), "the claiming unit must be one the grid head sees"
    item = (
        await gql_data(
            live_server,
            CREATE_ITEM,
            {"input": {"unitId": outside["id"], "category": "HEALTH", "title": unique_name("义诊")}},
            tokens["secretary"],
        )
    )["createServiceItem"]["item"]
    body = (
        await gql(live_server, PLACE, {"input": {"itemId": item["id"], "nodeId": grid[B04]}}, tokens["grid-head"])
    ).json()
    assert as_missing(body)
    # The menu is the street's: the grid head sees the item and its provider's name, not the unit.
    seen = await gql_data(
        live_server,
        "query($id: ID!) { node(id: $id) { ... on ServiceItem { provider unit { id } } } }",
        {"id": item["id"]},
        tokens["grid-head"],
    )
    assert seen["node"] == {"provider": outside["name"], "unit": None}


async def test_bad_input_comes_back_as_typed_errors_and_nothing_is_written(live_server, tokens, grid):
    name = unique_name("坏单位")
    bad = {
        "name": name,
        "kind": "ENTERPRISE",
        "partyOrganisation": "党" * 201,
        "pairedNodeId": grid[B03],
        "contacts": [{"name": " ", "phone": "12345"}],
    }
    payload = (await gql_data(live_server, CREATE_UNIT, {"input": bad}, tokens["secretary"]))["createJointUnit"]
    assert payload["unit"] is None
    assert {(e["field"], e["code"]) for e in payload["errors"]} == {
        ("partyOrganisation", "INVALID_TEXT"),
        ("contacts[0].name", "INVALID_TEXT"),
        ("contacts[0].phone", "INVALID_PHONE"),
    }
    found = await gql_data(live_server, UNITS, {"filter": {"nameContains": name}}, tokens["secretary"])
    assert found["jointUnits"]["totalCount"] == 0
    unit = await create_unit(live_server, tokens["secretary"], grid[B03], name=name)
    again = (
        await gql_data(live_server, CREATE_UNIT, {"input": {"name": name, "kind": "SCHOOL"}}, tokens["secretary"])
    )["createJointUnit"]
    assert [(e["field"], e["code"]) for e in again["errors"]] == [("name", "DUPLICATE")]
    blank = (
        await gql_data(
            live_server,
            ADD_RESOURCE,
            {"input": {"unitId": unit["id"], "kind": "VENUE", "description": ""}},
            tokens["secretary"],
        )
    )["addUnitResource"]
    assert [(e["field"], e["code"]) for e in blank["errors"]] == [("description", "INVALID_TEXT")]
    budget = (
        await gql_data(
            live_server,
            CREATE_PROJECT,
            {"input": {"nodeId": grid[B03], "title": name, "budget": -1}},
            tokens["secretary"],
        )
    )["createPublicProject"]
    assert [(e["field"], e["code"]) for e in budget["errors"]] == [("budget", "OUT_OF_RANGE")]
    wrong_id = (
        await gql_data(
            live_server,
            CREATE_PROJECT,
            {"input": {"nodeId": unit["id"], "title": name, "budget": 1}},
            tokens["secretary"],
        )
    )["createPublicProject"]
    assert [(e["field"], e["code"]) for e in wrong_id["errors"]] == [("nodeId", "INVALID_ID")]
    data = await gql_data(
        live_server,
        "query($n: String) { publicProjects(filter: {titleContains: $n}) { totalCount } jointUnits(filter: "
        "{nameContains: $n}) { edges { node { resources { kind } } } } }",
        {"n": name},
        tokens["secretary"],
    )
    assert data["publicProjects"]["totalCount"] == 0
    assert data["jointUnits"]["edges"][0]["node"]["resources"] == []


async def test_of_two_concurrent_claims_exactly_one_wins(live_server, tokens, grid):
    first = await create_unit(live_server, tokens["secretary"], grid[B03])
    second = await create_unit(live_server, tokens["secretary"], grid[B03])
    for _ in range(5):
        project = await create_project(live_server, tokens["secretary"], grid[B03])
        results = await asyncio.gather(
            gql_data(live_server, CLAIM, {"p": project["id"], "u": first["id"]}, tokens["secretary"]),
            gql_data(live_server, CLAIM, {"p": project["id"], "u": second["id"]}, tokens["grid-head"]),
        )
        payloads = [r["claimPublicProject"] for r in results]
        winners = [p for p in payloads if p["project"]]
        losers = [p for p in payloads if p["errors"]]
        assert len(winners) == 1 and len(losers) == 1, payloads
        assert [(e["field"], e["code"]) for e in losers[0]["errors"]] == [("projectId", "ALREADY_CLAIMED")]
        assert winners[0]["project"]["status"] == "CLAIMED"
        stored = await gql_data(
            live_server,
            f"query($id: ID!) {{ node(id: $id) {{ ... on PublicProject {{ {PROJECT} }} }} }}",
            {"id": project["id"]},
            tokens["secretary"],
        )
        assert stored["node"]["claimedBy"] == winners[0]["project"]["claimedBy"]
    done = (await gql_data(live_server, COMPLETE, {"id": project["id"]}, tokens["grid-head"]))["completePublicProject"]
    assert done["project"]["status"] == "COMPLETED"
    late = (await gql_data(live_server, CLAIM, {"p": project["id"], "u": first["id"]}, tokens["secretary"]))[
        "claimPublicProject"
    ]
    assert [e["code"] for e in late["errors"]] == ["ALREADY_CLAIMED"]
    again = (await gql_data(live_server, COMPLETE, {"id": project["id"]}, tokens["secretary"]))["completePublicProject"]
    assert [e["code"] for e in again["errors"]] == ["NOT_CLAIMED"]


async def test_an_order_goes_ordered_accepted_delivered_rated_and_no_other_way(live_server, tokens, grid):
    unit = await create_unit(live_server, tokens["secretary"], grid[B04])
    item = (
        await gql_data(
            live_server,
            CREATE_ITEM,
            {"input": {"unitId": unit["id"], "category": "LECTURE", "title": unique_name("讲堂")}},
            tokens["secretary"],
        )
    )["createServiceItem"]
    assert item["errors"] == [] and item["item"]["provider"] == unit["name"]
    assert refused(
        (
            await gql(
                live_server,
                PLACE,
                {"input": {"itemId": item["item"]["id"], "nodeId": grid[B03]}},
                tokens["grid-worker"],
            )
        ).json()
    )
    placed = (
        await gql_data(
            live_server,
            PLACE,
            {"input": {"itemId": item["item"]["id"], "nodeId": grid[B03], "note": "周六上午"}},
            tokens["grid-head"],
        )
    )["placeServiceOrder"]
    order = placed["order"]
    assert placed["errors"] == [] and order["status"] == "ORDERED" and order["node"]["path"] == B03

    async def step(mutation: str, token: str, **extra) -> dict:
        return next(iter((await gql_data(live_server, mutation, {"id": order["id"], **extra}, tokens[token])).values()))

    def codes(payload: dict) -> list[str]:
        return [e["code"] for e in payload["errors"]]

    assert refused((await gql(live_server, ACCEPT, {"id": order["id"]}, tokens["grid-head"])).json())
    assert codes(await step(RATE, "grid-head", r=5)) == ["ILLEGAL_TRANSITION"]
    assert codes(await step(DELIVER, "secretary")) == ["ILLEGAL_TRANSITION"]
    assert (await step(ACCEPT, "secretary"))["order"]["status"] == "ACCEPTED"
    assert codes(await step(ACCEPT, "secretary")) == ["ILLEGAL_TRANSITION"]
    assert (await step(DELIVER, "secretary"))["order"]["status"] == "DELIVERED"
    assert codes(await step(RATE, "grid-head", r=6)) == ["OUT_OF_RANGE"]
    rated = await step(RATE, "grid-head", r=4)
    assert rated["order"]["status"] == "RATED" and rated["order"]["rating"] == 4
    assert codes(await step(RATE, "grid-head", r=5)) == ["ILLEGAL_TRANSITION"]
    mine = await gql_data(
        live_server, "{ serviceOrders(first: 500) { edges { node { node { path } } } } }", token=tokens["grid-head"]
    )
    paths = {e["node"]["node"]["path"] for e in mine["serviceOrders"]["edges"]}
    assert B03 in paths and all(p == B03 or p.startswith(B03 + ".") for p in paths)  # his building only


async def test_resources_page_by_cursor_and_filter(live_server, tokens, grid):
    query = """query($after: String, $filter: UnitResourceFilter, $order: ResourceOrder) {
      unitResources(first: 25, after: $after, filter: $filter, order: $order) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id kind shareable unit { name } } } } }"""
    seen, after, pages = [], None, 0
    variables = {"filter": {"shareable": True}, "order": {"field": "KIND", "direction": "DESC"}}
    while True:
        page = (await gql_data(live_server, query, {**variables, "after": after}, tokens["secretary"]))["unitResources"]
        seen += [e["node"] for e in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == page["totalCount"] == len({r["id"] for r in seen}) and pages > 1
    assert all(r["shareable"] for r in seen)
    kinds = [r["kind"] for r in seen]
    assert kinds == sorted(kinds, reverse=True)
    venues = await gql_data(
        live_server, query, {"filter": {"kind": "VENUE", "pairedUnderId": grid["JS01.A1"]}}, tokens["secretary"]
    )
    assert venues["unitResources"]["totalCount"] > 0
    assert {e["node"]["kind"] for e in venues["unitResources"]["edges"]} == {"VENUE"}
    bad = (await gql(live_server, query, {"after": "nonsense"}, tokens["secretary"])).json()
    assert bad["data"] is None and "cursor" in bad["errors"][0]["message"], bad


async def test_a_unit_is_updated_and_repaired_and_its_lists_follow_it(live_server, tokens, grid):
    unit = await create_unit(
        live_server, tokens["secretary"], grid[B03], contacts=[{"name": "甲", "phone": "13800138000"}]
    )
    update = (
        f"mutation($input: UpdateJointUnitInput!) {{ updateJointUnit(input: $input) {{ unit {{ {UNIT} }} {ERRORS} }} }}"
    )
    changed = (
        await gql_data(
            live_server,
            update,
            {
                "input": {
                    "id": unit["id"],
                    "kind": "TWO_NEW",
                    "partyOrganisation": "联合党支部",
                    "contacts": [{"name": "乙", "phone": "13900139000", "role": "书记"}],
                }
            },
            tokens["secretary"],
        )
    )["updateJointUnit"]
    assert (
        changed["errors"] == []
        and changed["unit"]["kind"] == "TWO_NEW"
        and changed["unit"]["partyOrganisation"] == "联合党支部"
    )
    assert changed["unit"]["contacts"] == [{"name": "乙", "phone": "13900139000", "role": "书记"}]
    resource = (
        await gql_data(
            live_server,
            ADD_RESOURCE,
            {"input": {"unitId": unit["id"], "kind": "FUNDS", "description": "助学金"}},
            tokens["secretary"],
        )
    )["addUnitResource"]["resource"]
    assert resource["shareable"] is False
    shared = (
        await gql_data(
            live_server,
            "mutation($input: UpdateUnitResourceInput!) { updateUnitResource(input: $input) { resource { id "
            f"shareable kind }} {ERRORS} }} }}",
            {"input": {"id": resource["id"], "shareable": True}},
            tokens["secretary"],
        )
    )["updateUnitResource"]
    assert shared["resource"] == {"id": resource["id"], "shareable": True, "kind": "FUNDS"}
    need = (
        await gql_data(
            live_server,
            'mutation($u: ID!) { addUnitNeed(unitId: $u, description: "停车位") { need { id description unit { '
            f"id }} }} {ERRORS} }} }}",
            {"u": unit["id"]},
            tokens["secretary"],
        )
    )["addUnitNeed"]
    assert need["need"]["unit"]["id"] == unit["id"]

    pair = (
        "mutation($u: ID!, $n: ID) { pairJointUnit(unitId: $u, nodeId: $n) { unit { pairedNode { path } } "
        f"{ERRORS} }} }}"
    )
    assert refused((await gql(live_server, pair, {"u": unit["id"], "n": grid[B04]}, tokens["grid-head"])).json())
    moved = (await gql_data(live_server, pair, {"u": unit["id"], "n": grid[B04]}, tokens["secretary"]))["pairJointUnit"]
    assert moved["unit"]["pairedNode"]["path"] == B04
    head_view = (
        "query($u: ID!) { unitNeeds(filter: {unitId: $u}) { totalCount } unitResources(filter: {unitId: $u}) { "
        "totalCount } }"
    )
    assert (await gql_data(live_server, head_view, {"u": unit["id"]}, tokens["grid-head"])) == {
        "unitNeeds": {"totalCount": 0},
        "unitResources": {"totalCount": 0},
    }
    unpaired = (await gql_data(live_server, pair, {"u": unit["id"], "n": None}, tokens["secretary"]))["pairJointUnit"]
    assert unpaired["unit"]["pairedNode"] is None
    listed = await gql_data(
        live_server, UNITS, {"filter": {"paired": False, "nameContains": unit["name"][-6:]}}, tokens["secretary"]
    )
    assert listed["jointUnits"]["totalCount"] == 1
