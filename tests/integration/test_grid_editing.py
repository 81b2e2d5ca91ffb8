"""Shaping the grid through GraphQL against PostgreSQL: levels, depth, node edits, party
organisations and stations, move errors, coverage shares, and a grid head's scope.

Most tests work in tenants of their own, created through `createTenant` (the demo grid's
figures stay as the other tests expect them); the scope test uses the demo grid head and
writes nothing outside his own building.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from .clients import gql, gql_data, password_token, provisioned_user_token

ERRORS = "errors { field code message }"
NODE = (
    "id code path level name retired headName headPhone boundary parent { code } partyOrganisations { name kind "
    "secretaryName } stations { name kind address }"
)
LEVELS = f"mutation($names: [String!]!) {{ setGridLevels(names: $names) {{ levels {{ depth name }} {ERRORS} }} }}"
CREATE = f"mutation($input: CreateGridNodeInput!) {{ createGridNode(input: $input) {{ node {{ {NODE} }} {ERRORS} }} }}"
UPDATE = f"mutation($input: UpdateGridNodeInput!) {{ updateGridNode(input: $input) {{ node {{ {NODE} }} {ERRORS} }} }}"
MOVE = f"mutation($id: ID!, $to: ID!) {{ moveGridSubtree(id: $id, newParentId: $to) {{ node {{ {NODE} }} {ERRORS} }} }}"
RETIRE = f"mutation($id: ID!) {{ retireGridNode(id: $id) {{ node {{ retired }} {ERRORS} }} }}"
ADD_ORG = (
    f"mutation($input: AddPartyOrganisationInput!) {{ addPartyOrganisation(input: $input) {{ node {{ {NODE} }} "
    f"{ERRORS} }} }}"
)
ADD_STATION = (
    f"mutation($input: AddServiceStationInput!) {{ addServiceStation(input: $input) {{ node {{ {NODE} }} {ERRORS} }} }}"
)
COVERAGE = """{ gridCoverage { level nodes withPartyOrganisation withHead withStation full
                partyOrganisationShare headShare stationShare fullShare } }"""
PATHS = "{ gridNodes(first: 500, filter: {includeRetired: true}) { edges { node { id path level retired } } } }"
CREATE_TENANT = """mutation($input: CreateTenantInput!) { createTenant(input: $input) {
  created initialSecretaryPassword errors { field code message } } }"""


async def new_tenant(server) -> str:
    """A fresh, empty tenant (no levels, no nodes); the token of its secretary."""
    slug = f"g{uuid.uuid4().hex[:8]}"
    username = f"{slug}-secretary"
    created = (
        await gql_data(
            server,
            CREATE_TENANT,
            {
                "input": {
                    "slug": slug,
                    "name": "网格测试街道",
                    "districtSlug": "jiangning",
                    "kind": "STREET",
                    "secretaryUsername": username,
                    "secretaryEmail": f"{slug}@example.org",
                }
            },
            password_token("platform-admin"),
        )
    )["createTenant"]
    assert created["errors"] == [] and created["created"] is True
    return provisioned_user_token(username)


async def run(server, token: str, query: str, variables: dict, name: str) -> dict:
    return (await gql_data(server, query, variables, token))[name]


async def create(server, token: str, parent: dict | None, code: str, name: str | None = None) -> dict:
    payload = await run(
        server,
        token,
        CREATE,
        {"input": {"parentId": parent["id"] if parent else None, "code": code, "name": name or code}},
        "createGridNode",
    )
    assert payload["errors"] == [], payload["errors"]
    return payload["node"]


async def tree(server, token: str) -> dict[str, dict]:
    """Every node of the caller's tenant, retired ones included, by path."""
    edges = (await gql_data(server, PATHS, token=token))["gridNodes"]["edges"]
    return {e["node"]["path"]: e["node"] for e in edges}


def codes(payload: dict) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


@pytest.fixture(scope="module")
async def shaped(live_server) -> dict:
    """A tenant of four levels: R → A, B → A.X, B.Z → A.X.Y."""
    token = await new_tenant(live_server)
    levels = await run(live_server, token, LEVELS, {"names": ["街道", "社区", "网格", "楼栋"]}, "setGridLevels")
    assert levels["errors"] == []
    r = await create(live_server, token, None, "R", "街道")
    a = await create(live_server, token, r, "A", "社区A")
    b = await create(live_server, token, r, "B", "社区B")
    x = await create(live_server, token, a, "X", "网格X")
    y = await create(live_server, token, x, "Y", "楼栋Y")
    z = await create(live_server, token, b, "Z", "网格Z")
    return {"token": token, "R": r, "A": a, "B": b, "X": x, "Y": y, "Z": z}


async def test_set_grid_levels_takes_two_to_six_names_and_never_less_than_the_tree(live_server, street):
    token = await new_tenant(live_server)
    assert (await gql_data(live_server, "{ gridLevels { depth } }", token=token))["gridLevels"] == []

    one = await run(live_server, token, LEVELS, {"names": ["社区"]}, "setGridLevels")
    assert codes(one) == [("names", "OUT_OF_RANGE")] and one["levels"] == []
    seven = await run(live_server, token, LEVELS, {"names": [f"L{i}" for i in range(7)]}, "setGridLevels")
    assert codes(seven) == [("names", "OUT_OF_RANGE")]
    blank = await run(live_server, token, LEVELS, {"names": ["社区", "  ", "x" * 51]}, "setGridLevels")
    assert codes(blank) == [("names.1", "INVALID_NAME"), ("names.2", "INVALID_NAME")]
    assert (await gql_data(live_server, "{ gridLevels { depth } }", token=token))["gridLevels"] == []

    two = await run(live_server, token, LEVELS, {"names": ["社区", " 网格 "]}, "setGridLevels")
    assert two == {"levels": [{"depth": 1, "name": "社区"}, {"depth": 2, "name": "网格"}], "errors": []}
    six_names = ["街道", "社区", "片区", "楼栋", "单元", "党员中心户"]
    six = await run(live_server, token, LEVELS, {"names": six_names}, "setGridLevels")
    assert six["errors"] == [] and [(level["depth"], level["name"]) for level in six["levels"]] == list(
        enumerate(six_names, 1)
    )
    stored = (await gql_data(live_server, "{ gridLevels { depth name } }", token=token))["gridLevels"]
    assert [level["name"] for level in stored] == six_names

    # a tree three deep: three, four, six levels fit; two do not, and nothing changes
    root = await create(live_server, token, None, "S")
    area = await create(live_server, token, root, "C1")
    leaf = await create(live_server, token, area, "G1")
    shallow = await run(live_server, token, LEVELS, {"names": ["街道", "社区"]}, "setGridLevels")
    assert codes(shallow) == [("names", "TREE_TOO_DEEP")] and shallow["levels"] == []
    # a retired node stays in the tree (and would move with it): it still needs its level
    assert (await run(live_server, token, RETIRE, {"id": leaf["id"]}, "retireGridNode"))["node"]["retired"]
    shallow = await run(live_server, token, LEVELS, {"names": ["街道", "社区"]}, "setGridLevels")
    assert codes(shallow) == [("names", "TREE_TOO_DEEP")]
    stored = (await gql_data(live_server, "{ gridLevels { depth name } }", token=token))["gridLevels"]
    assert [level["name"] for level in stored] == six_names
    three = await run(live_server, token, LEVELS, {"names": ["街道", "社区", "网格"]}, "setGridLevels")
    assert three["errors"] == [] and [level["depth"] for level in three["levels"]] == [1, 2, 3]

    # volunteers and grid heads never name levels
    volunteer = (await gql(live_server, LEVELS, {"names": ["a", "b"]}, street.token("volunteer"))).json()
    assert volunteer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    head = (await gql(live_server, LEVELS, {"names": ["a", "b"]}, street.token("grid-head"))).json()
    assert head["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_nothing_is_created_or_moved_below_the_last_level(live_server, shaped):
    token = shaped["token"]
    before = await tree(live_server, token)
    too_deep = await run(
        live_server,
        token,
        CREATE,
        {"input": {"parentId": shaped["Y"]["id"], "code": "U1", "name": "单元"}},
        "createGridNode",
    )
    assert too_deep["node"] is None and codes(too_deep) == [("parentId", "TOO_DEEP")]
    # A.X (levels 3 and 4) under B.Z (level 3) would put Y on a fifth level
    moved = await run(live_server, token, MOVE, {"id": shaped["X"]["id"], "to": shaped["Z"]["id"]}, "moveGridSubtree")
    assert moved["node"] is None and codes(moved) == [("newParentId", "TOO_DEEP")]
    assert await tree(live_server, token) == before
    assert "R.A.X.Y" in before and before["R.A.X.Y"]["level"] == 4


async def test_move_errors_root_cycle_retired_duplicate(live_server, shaped):
    token, s = shaped["token"], shaped
    before = await tree(live_server, token)

    async def move(node: str | dict, to: str | dict) -> dict:
        ids = [n["id"] if isinstance(n, dict) else s[n]["id"] for n in (node, to)]
        return await run(live_server, token, MOVE, {"id": ids[0], "to": ids[1]}, "moveGridSubtree")

    assert codes(await move("R", "B")) == [("id", "ROOT")]
    assert codes(await move("A", "Y")) == [("newParentId", "CYCLE")]  # under its own grandchild
    assert codes(await move("A", "A")) == [("newParentId", "CYCLE")]  # under itself
    assert await tree(live_server, token) == before

    # a moved-to-its-own-parent node stays where it is, without a clash with itself
    same = await move("Z", "B")
    assert same["errors"] == [] and same["node"]["path"] == "R.B.Z"

    duplicate_x = await create(live_server, token, s["B"], "X", "另一个X")
    clash = await move("X", "B")
    assert clash["node"] is None and codes(clash) == [("newParentId", "DUPLICATE")]

    retired = await create(live_server, token, s["A"], "T", "撤销")
    assert (await run(live_server, token, RETIRE, {"id": retired["id"]}, "retireGridNode"))["node"]["retired"] is True
    assert codes(await move(retired, "B")) == [("id", "RETIRED")]
    assert codes(await move("Z", retired)) == [("newParentId", "RETIRED")]
    under_retired = await run(
        live_server, token, CREATE, {"input": {"parentId": retired["id"], "code": "W", "name": "W"}}, "createGridNode"
    )
    assert codes(under_retired) == [("parentId", "RETIRED")]
    for query, name in ((ADD_ORG, "addPartyOrganisation"), (ADD_STATION, "addServiceStation")):
        refused = await run(
            live_server,
            token,
            query,
            {
                "input": {
                    "nodeId": retired["id"],
                    "name": "x",
                    "kind": "POINT" if name == "addServiceStation" else "GROUP",
                }
            },
            name,
        )
        assert refused["node"] is None and codes(refused) == [("nodeId", "RETIRED")]

    after = await tree(live_server, token)
    assert set(after) == set(before) | {"R.B.X", "R.A.T"}
    assert after["R.A.T"]["retired"] is True and after["R.B.X"]["id"] == duplicate_x["id"]
    assert {p: after[p]["level"] for p in before} == {p: before[p]["level"] for p in before}
    # and a legal move still works: Z (level 3, a leaf) goes under A
    ok = await move("Z", "A")
    assert ok["errors"] == [] and ok["node"]["path"] == "R.A.Z" and ok["node"]["parent"] == {"code": "A"}
    back = await move("Z", "B")
    assert back["node"]["path"] == "R.B.Z"


async def test_update_renames_sets_the_head_and_checks_the_boundary(live_server, shaped):
    token, node_id = shaped["token"], shaped["Z"]["id"]

    async def update(**fields) -> dict:
        return await run(live_server, token, UPDATE, {"input": {"id": node_id, **fields}}, "updateGridNode")

    renamed = await update(name="  第三网格 ")
    assert renamed["errors"] == [] and renamed["node"]["name"] == "第三网格"
    assert renamed["node"]["code"] == "Z" and renamed["node"]["path"] == "R.B.Z"
    headed = await update(headName=" 王建国 ", headPhone="0571-8888123")
    assert headed["errors"] == []
    assert (headed["node"]["headName"], headed["node"]["headPhone"]) == ("王建国", "0571-8888123")
    assert headed["node"]["name"] == "第三网格"  # fields left out stay
    bad_head = await update(headName="x" * 101, headPhone="call me")
    assert set(codes(bad_head)) == {("headName", "TOO_LONG"), ("headPhone", "INVALID_PHONE")}
    blank = await update(name=" ")
    assert codes(blank) == [("name", "INVALID_NAME")]

    polygon = {
        "type": "Polygon",
        "coordinates": [[[118.84, 31.85], [118.86, 31.85], [118.86, 31.87], [118.84, 31.87], [118.84, 31.85]]],
    }
    stored = await update(boundary=polygon)
    assert stored["errors"] == [] and stored["node"]["boundary"] == polygon
    multi = {"type": "MultiPolygon", "coordinates": [polygon["coordinates"], [[[0, 0], [1, 0], [1, 1], [0, 0]]]]}
    assert (await update(boundary=multi))["node"]["boundary"] == multi
    assert (await update(boundary=polygon))["node"]["boundary"] == polygon

    invalid = [
        {"type": "Point", "coordinates": [118.8, 31.8]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]},  # ring not closed
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]},  # too few positions
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 95], [1, 1], [0, 0]]]},  # latitude beyond 90
        {"type": "Polygon", "coordinates": [[["0", "0"], ["1", "0"], ["1", "1"], ["0", "0"]]]},  # strings
        {"type": "Polygon", "coordinates": []},  # no ring at all
        {"type": "MultiPolygon", "coordinates": [[]]},
        {"type": "Polygon"},
        "POLYGON((0 0, 1 0, 1 1, 0 0))",
    ]
    for boundary in invalid:
        refused = await update(boundary=boundary, name="不该保存")
        assert refused["node"] is None and codes(refused) == [("boundary", "INVALID_GEOJSON")], boundary
    node = (
        await gql_data(
            live_server,
            f"query($id: ID!) {{ node(id: $id) {{ ... on GridNode {{ {NODE} }} }} }}",
            {"id": node_id},
            token,
        )
    )["node"]
    assert node["boundary"] == polygon and node["name"] == "第三网格"  # nothing of the refused edits

    for code in ("Q\n", "a.b", "", "x" * 33):
        refused = await run(
            live_server,
            token,
            CREATE,
            {"input": {"parentId": shaped["B"]["id"], "code": code, "name": "坏编码"}},
            "createGridNode",
        )
        assert codes(refused) == [("code", "INVALID_CODE")], code

    cleared = await update(clearBoundary=True)
    assert cleared["errors"] == [] and cleared["node"]["boundary"] is None
    created = await run(
        live_server,
        token,
        CREATE,
        {"input": {"parentId": shaped["B"]["id"], "code": "P", "name": "带边界", "boundary": polygon}},
        "createGridNode",
    )
    assert created["errors"] == [] and created["node"]["boundary"] == polygon


async def test_party_organisations_and_stations_of_every_kind(live_server, shaped):
    token, node_id = shaped["token"], shaped["A"]["id"]
    orgs = [("社区党总支", "GENERAL_BRANCH", "李书记"), ("第一党支部", "BRANCH", ""), ("楼栋党小组", "GROUP", "赵组长")]
    for name, kind, secretary in orgs:
        added = await run(
            live_server,
            token,
            ADD_ORG,
            {"input": {"nodeId": node_id, "name": name, "kind": kind, "secretaryName": secretary}},
            "addPartyOrganisation",
        )
        assert added["errors"] == []
    bad = await run(
        live_server,
        token,
        ADD_ORG,
        {"input": {"nodeId": node_id, "name": " ", "kind": "GROUP", "secretaryName": "x" * 101}},
        "addPartyOrganisation",
    )
    assert set(codes(bad)) == {("name", "INVALID_NAME"), ("secretaryName", "TOO_LONG")}
    for name, kind, address in (("党群服务站", "STATION", "秣陵路1号"), ("党群服务点", "POINT", "")):
        added = await run(
            live_server,
            token,
            ADD_STATION,
            {"input": {"nodeId": node_id, "name": name, "kind": kind, "address": address}},
            "addServiceStation",
        )
        assert added["errors"] == []
    bad = await run(
        live_server,
        token,
        ADD_STATION,
        {"input": {"nodeId": node_id, "name": "x", "kind": "POINT", "address": "x" * 301}},
        "addServiceStation",
    )
    assert set(codes(bad)) == {("address", "TOO_LONG")}
    for query, kind in (
        (ADD_ORG, "committee"),
        (ADD_STATION, "hall"),
        (ADD_ORG, "group"),
    ):  # "group" is stored, not named
        unknown = (
            await gql(live_server, query, {"input": {"nodeId": node_id, "name": "x", "kind": kind}}, token)
        ).json()
        assert unknown["data"] is None and unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", kind

    node = added["node"]
    assert sorted((o["name"], o["kind"], o["secretaryName"]) for o in node["partyOrganisations"]) == sorted(orgs)
    assert sorted((s["name"], s["kind"], s["address"]) for s in node["stations"]) == [
        ("党群服务点", "POINT", ""),
        ("党群服务站", "STATION", "秣陵路1号"),
    ]


async def test_coverage_shares_follow_organisations_heads_and_stations(live_server):
    token = await new_tenant(live_server)
    assert (await run(live_server, token, LEVELS, {"names": ["街道", "社区", "网格"]}, "setGridLevels"))["errors"] == []
    s = await create(live_server, token, None, "S")
    c1, c2, c3 = [await create(live_server, token, s, c) for c in ("C1", "C2", "C3")]
    grids = [await create(live_server, token, c1, f"G{i}") for i in range(1, 5)]
    gone = await create(live_server, token, c2, "G9")
    assert (await run(live_server, token, RETIRE, {"id": gone["id"]}, "retireGridNode"))["node"]["retired"]

    async def coverage() -> dict[int, dict]:
        rows = (await gql_data(live_server, COVERAGE, token=token))["gridCoverage"]
        return {r.pop("level"): r for r in rows}

    def row(nodes, org, head, station, full, shares) -> dict:
        return {
            "nodes": nodes,
            "withPartyOrganisation": org,
            "withHead": head,
            "withStation": station,
            "full": full,
            "partyOrganisationShare": shares[0],
            "headShare": shares[1],
            "stationShare": shares[2],
            "fullShare": shares[3],
        }

    empty = await coverage()
    assert empty == {
        1: row(1, 0, 0, 0, 0, (0.0,) * 4),
        2: row(3, 0, 0, 0, 0, (0.0,) * 4),
        3: row(4, 0, 0, 0, 0, (0.0,) * 4),
    }

    async def org(node, kind="BRANCH"):
        assert (
            await run(
                live_server,
                token,
                ADD_ORG,
                {"input": {"nodeId": node["id"], "name": f"{node['code']}党组织", "kind": kind}},
                "addPartyOrganisation",
            )
        )["errors"] == []

    async def station(node, kind="STATION"):
        assert (
            await run(
                live_server,
                token,
                ADD_STATION,
                {"input": {"nodeId": node["id"], "name": f"{node['code']}服务站", "kind": kind}},
                "addServiceStation",
            )
        )["errors"] == []

    async def head(node, name="张三"):
        assert (
            await run(live_server, token, UPDATE, {"input": {"id": node["id"], "headName": name}}, "updateGridNode")
        )["errors"] == []

    await org(s, "GENERAL_BRANCH")
    await org(s, "GROUP")  # a second organisation counts once
    await head(s)
    level_1 = (await coverage())[1]
    assert level_1 == row(1, 1, 1, 0, 0, (1.0, 1.0, 0.0, 0.0))
    await station(s)
    assert (await coverage())[1] == row(1, 1, 1, 1, 1, (1.0, 1.0, 1.0, 1.0))

    await org(c1)
    assert (await coverage())[2] == row(3, 1, 0, 0, 0, (0.3333, 0.0, 0.0, 0.0))
    await head(c1)
    await station(c1, "POINT")
    await org(c2)
    await head(c3)
    await station(c3, "POINT")
    await station(c3)  # two stations count once
    assert (await coverage())[2] == row(3, 2, 2, 2, 1, (0.6667, 0.6667, 0.6667, 0.3333))
    await head(c3, "")  # a head removed no longer counts
    assert (await coverage())[2] == row(3, 2, 1, 2, 1, (0.6667, 0.3333, 0.6667, 0.3333))

    await station(grids[0])
    await head(grids[1])
    await org(grids[1], "GROUP")
    await org(grids[2], "GROUP")
    final = await coverage()
    assert final[3] == row(4, 2, 1, 1, 0, (0.5, 0.25, 0.25, 0.0))  # the retired G9 counts nowhere
    assert final[1] == row(1, 1, 1, 1, 1, (1.0, 1.0, 1.0, 1.0))


async def test_demo_grid_shares_match_its_counts(live_server, street):
    for who, token in (("street", street.token("secretary")), ("hushu", password_token("hushu-secretary"))):
        rows = (await gql_data(live_server, COVERAGE, token=token))["gridCoverage"]
        assert rows
        for r in rows:
            for count, share in (
                ("withPartyOrganisation", "partyOrganisationShare"),
                ("withHead", "headShare"),
                ("withStation", "stationShare"),
                ("full", "fullShare"),
            ):
                assert r[share] == round(r[count] / r["nodes"], 4), (who, r)
        if who == "street":
            by_level = {r["level"]: r for r in rows}
            assert (by_level[1]["partyOrganisationShare"], by_level[1]["headShare"], by_level[1]["stationShare"]) == (
                1.0,
                1.0,
                1.0,
            )
            assert by_level[2]["fullShare"] == 1.0


async def test_grid_head_attaches_only_inside_his_building(live_server, street):
    secretary, head = street.token("secretary"), street.token("grid-head")
    nodes = await tree(live_server, secretary)
    building_4 = nodes["JS01.A1.B04"]["id"]
    query = f"query($id: ID!) {{ node(id: $id) {{ ... on GridNode {{ {NODE} }} }} }}"
    before = (await gql_data(live_server, query, {"id": building_4}, secretary))["node"]

    for mutation, kind in ((ADD_ORG, "GROUP"), (ADD_STATION, "POINT")):
        refused = (
            await gql(live_server, mutation, {"input": {"nodeId": building_4, "name": "越界", "kind": kind}}, head)
        ).json()
        payload = next(iter(refused["data"].values()))  # outside his grid: as a missing node
        assert payload["node"] is None and [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]
    assert (await gql_data(live_server, query, {"id": building_4}, secretary))["node"] == before

    # inside his building he may: a unit of his own under building 3
    unit = await create(live_server, head, {"id": nodes["JS01.A1.B03"]["id"]}, f"U{uuid.uuid4().hex[:5]}", "单元")
    org = await run(
        live_server,
        head,
        ADD_ORG,
        {"input": {"nodeId": unit["id"], "name": "单元党小组", "kind": "GROUP"}},
        "addPartyOrganisation",
    )
    assert org["errors"] == [] and org["node"]["partyOrganisations"] == [
        {"name": "单元党小组", "kind": "GROUP", "secretaryName": ""}
    ]
    station = await run(
        live_server,
        head,
        ADD_STATION,
        {"input": {"nodeId": unit["id"], "name": "单元服务点", "kind": "POINT"}},
        "addServiceStation",
    )
    assert station["errors"] == [] and station["node"]["stations"] == [
        {"name": "单元服务点", "kind": "POINT", "address": ""}
    ]
    assert station["node"]["path"].startswith("JS01.A1.B03.")


async def test_one_code_created_twice_at_once_is_one_node_and_one_duplicate(live_server, shaped):
    token, parent = shaped["token"], shaped["A"]
    variables = {"input": {"parentId": parent["id"], "code": "SAME", "name": "同时"}}
    payloads = await asyncio.gather(*(run(live_server, token, CREATE, variables, "createGridNode") for _ in range(6)))
    assert sum(p["node"] is not None for p in payloads) == 1
    assert sorted(codes(p) for p in payloads if p["node"] is None) == [[("code", "DUPLICATE")]] * 5
    assert [path for path in await tree(live_server, token) if path.endswith(".SAME")] == ["R.A.SAME"]
