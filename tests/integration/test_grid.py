"""The grid tree through GraphQL against PostgreSQL: shaping it, scope, coverage, paging."""

from __future__ import annotations

import uuid

import pytest

from .clients import gql, gql_data, password_token
from .grid_api import node_id

NODE_FIELDS = (
    "id code path level name retired parent { code } children { code } partyOrganisations { kind } stations { kind }"
)
CREATE = f"""mutation($input: CreateGridNodeInput!) {{ createGridNode(input: $input) {{
  node {{ {NODE_FIELDS} }} errors {{ field code message }} }} }}"""
MOVE = f"""mutation($id: ID!, $to: ID!) {{ moveGridSubtree(id: $id, newParentId: $to) {{
  node {{ {NODE_FIELDS} }} errors {{ field code message }} }} }}"""
RETIRE = """mutation($id: ID!) { retireGridNode(id: $id) { node { retired } errors { field code message } } }"""
FIND = """query($path: String!) { gridNodes(first: 5, filter: {nameContains: $path}) { edges { node { id path } } } }"""


@pytest.fixture(scope="module")
def secretary(street) -> str:
    return street.token("secretary")


async def test_levels_and_coverage_of_the_demo_grid(live_server, secretary):
    levels = (await gql_data(live_server, "{ gridLevels { depth name } }", token=secretary))["gridLevels"]
    assert [level["name"] for level in levels] == ["社区", "片区", "楼栋", "单元", "党员中心户"]
    rows = (
        await gql_data(
            live_server,
            "{ gridCoverage { level nodes withPartyOrganisation withHead withStation full fullShare } }",
            token=secretary,
        )
    )["gridCoverage"]
    by_level = {r["level"]: r for r in rows}
    assert by_level[1] == {
        "level": 1,
        "nodes": 1,
        "withPartyOrganisation": 1,
        "withHead": 1,
        "withStation": 1,
        "full": 1,
        "fullShare": 1.0,
    }
    assert by_level[2]["nodes"] == 6 and by_level[2]["full"] == 6
    assert by_level[3]["withPartyOrganisation"] >= 30 and by_level[3]["withStation"] == 0
    hushu = (
        await gql_data(
            live_server, "{ gridCoverage { level nodes withStation } }", token=password_token("hushu-secretary")
        )
    )["gridCoverage"]
    stations = {r["level"]: r["withStation"] for r in hushu}
    assert stations[2] == 15 and stations[3] == 97  # "15 stations and 97 points"


async def test_create_rename_move_retire_with_scope_following(live_server, secretary):
    code = f"Q{uuid.uuid4().hex[:5]}"
    area_1 = await node_id(live_server, secretary, "JS01.A1")
    area_2 = await node_id(live_server, secretary, "JS01.A2")
    created = (
        await gql_data(live_server, CREATE, {"input": {"parentId": area_1, "code": code, "name": "新楼"}}, secretary)
    )["createGridNode"]
    assert created["errors"] == []
    building = created["node"]
    assert building["path"] == f"JS01.A1.{code}" and building["level"] == 3 and building["parent"] == {"code": "A1"}
    unit = (
        await gql_data(
            live_server, CREATE, {"input": {"parentId": building["id"], "code": "U1", "name": "1单元"}}, secretary
        )
    )["createGridNode"]["node"]

    duplicate = (
        await gql_data(live_server, CREATE, {"input": {"parentId": area_1, "code": code, "name": "x"}}, secretary)
    )["createGridNode"]
    assert duplicate["errors"][0]["code"] == "DUPLICATE"
    bad = (
        await gql_data(
            live_server,
            CREATE,
            {
                "input": {
                    "parentId": area_1,
                    "code": "a b",
                    "name": " ",
                    "boundary": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},
                }
            },
            secretary,
        )
    )["createGridNode"]
    assert {e["field"] for e in bad["errors"]} == {"code", "name", "boundary"}

    moved = (await gql_data(live_server, MOVE, {"id": building["id"], "to": area_2}, secretary))["moveGridSubtree"]
    assert moved["errors"] == [] and moved["node"]["path"] == f"JS01.A2.{code}"
    paths = {
        e["node"]["path"]
        for e in (
            await gql_data(live_server, "{ gridNodes(first: 500) { edges { node { path } } } }", token=secretary)
        )["gridNodes"]["edges"]
    }
    assert f"JS01.A2.{code}.U1" in paths and f"JS01.A1.{code}.U1" not in paths
    cycle = (await gql_data(live_server, MOVE, {"id": building["id"], "to": unit["id"]}, secretary))["moveGridSubtree"]
    assert cycle["errors"][0]["code"] == "CYCLE"

    not_empty = (await gql_data(live_server, RETIRE, {"id": building["id"]}, secretary))["retireGridNode"]
    assert not_empty["errors"][0]["code"] == "NOT_EMPTY"
    assert (await gql_data(live_server, RETIRE, {"id": unit["id"]}, secretary))["retireGridNode"]["node"]["retired"]
    assert (await gql_data(live_server, RETIRE, {"id": building["id"]}, secretary))["retireGridNode"]["node"]["retired"]
    with_party = await node_id(live_server, secretary, "JS01.A1.B01")
    blocked = (await gql_data(live_server, RETIRE, {"id": with_party}, secretary))["retireGridNode"]
    assert blocked["errors"][0]["code"] == "NOT_EMPTY" and "party organisation" in blocked["errors"][0]["message"]


async def test_grid_head_scope_follows_a_move_of_his_building(live_server, secretary, street):
    head = street.token("grid-head")
    me = "{ me { gridScope { path } } }"
    assert (await gql_data(live_server, me, token=head))["me"]["gridScope"]["path"] == "JS01.A1.B03"
    building_3 = await node_id(live_server, secretary, "JS01.A1.B03")
    area_6 = await node_id(live_server, secretary, "JS01.A6")
    area_1 = await node_id(live_server, secretary, "JS01.A1")
    await gql_data(live_server, MOVE, {"id": building_3, "to": area_6}, secretary)
    try:
        assert (await gql_data(live_server, me, token=head))["me"]["gridScope"]["path"] == "JS01.A6.B03"
    finally:
        await gql_data(live_server, MOVE, {"id": building_3, "to": area_1}, secretary)
    assert (await gql_data(live_server, me, token=head))["me"]["gridScope"]["path"] == "JS01.A1.B03"


async def test_grid_head_edits_only_his_building(live_server, secretary, street):
    head = street.token("grid-head")
    building_3 = await node_id(live_server, secretary, "JS01.A1.B03")
    building_4 = await node_id(live_server, secretary, "JS01.A1.B04")
    code = f"U{uuid.uuid4().hex[:5]}"
    ok = (await gql_data(live_server, CREATE, {"input": {"parentId": building_3, "code": code, "name": "单元"}}, head))[
        "createGridNode"
    ]
    assert ok["errors"] == [] and ok["node"]["path"] == f"JS01.A1.B03.{code}"
    refused = (
        await gql(live_server, CREATE, {"input": {"parentId": building_4, "code": code, "name": "单元"}}, head)
    ).json()
    assert [e["code"] for e in refused["data"]["createGridNode"]["errors"]] == [
        "NOT_FOUND"
    ]  # outside his grid: as if missing
    rename = (
        """mutation($id: ID!) { updateGridNode(input: {id: $id, name: "改名"}) { node { name } errors { code } } }"""
    )
    assert (await gql_data(live_server, rename, {"id": building_4}, head))["updateGridNode"] == {
        "node": None,
        "errors": [{"code": "NOT_FOUND"}],
    }
    volunteer = (await gql(live_server, rename, {"id": building_3}, street.token("volunteer"))).json()
    assert volunteer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_pages_filters_and_ordering_do_not_skip_or_repeat(live_server, secretary):
    query = """query($after: String) { gridNodes(first: 7, after: $after, order: {field: NAME, direction: DESC},
                 filter: {level: 3}) { totalCount pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
                 edges { cursor node { id name level } } } }"""
    seen, names, after = [], [], None
    while True:
        page = (await gql_data(live_server, query, {"after": after}, secretary))["gridNodes"]
        seen += [e["node"]["id"] for e in page["edges"]]
        names += [e["node"]["name"] for e in page["edges"]]
        assert all(e["node"]["level"] == 3 for e in page["edges"])
        info = page["pageInfo"]
        assert (info["startCursor"], info["endCursor"]) == (page["edges"][0]["cursor"], page["edges"][-1]["cursor"])
        assert info["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == page["totalCount"] == len(set(seen))
    assert names == sorted(names, reverse=True)
    bad = (await gql(live_server, query, {"after": "garbage!"}, secretary)).json()
    assert bad["errors"][0]["message"] == "the cursor is not one this API gave"
