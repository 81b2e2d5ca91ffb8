"""Editing the joint-building registers through GraphQL against PostgreSQL and Keycloak: needs,
public-benefit projects and menu items changed by the secretary, refused to other roles, not
found from another tenant; and the units import refusing bad rows and importing nothing."""

from __future__ import annotations

import pytest

from .clients import gql, gql_data
from .registers_api import imported
from .units_api import B03, B04, create_project, create_unit, refused, unique_name

ERRORS = "errors { field code message }"
NEED = "id description unit { id }"
UPDATE_NEED = (
    f"mutation($id: ID!, $d: String!) {{ updateUnitNeed(id: $id, description: $d) {{ need {{ {NEED} }} {ERRORS} }} }}"
)
ADD_NEED = (
    f"mutation($u: ID!, $d: String!) {{ addUnitNeed(unitId: $u, description: $d) {{ need {{ {NEED} }} {ERRORS} }} }}"
)
PROJECT = "id title description budget status node { path }"
UPDATE_PROJECT = (
    f"mutation($input: UpdatePublicProjectInput!) {{ updatePublicProject(input: $input) {{ project {{ {PROJECT} }} "
    f"{ERRORS} }} }}"
)
ITEM = "id category title description"
CREATE_ITEM = (
    f"mutation($input: CreateServiceItemInput!) {{ createServiceItem(input: $input) {{ item {{ {ITEM} }} {ERRORS} }} }}"
)
UPDATE_ITEM = (
    f"mutation($input: UpdateServiceItemInput!) {{ updateServiceItem(input: $input) {{ item {{ {ITEM} }} {ERRORS} }} }}"
)
NODE = (
    "query($id: ID!) { node(id: $id) { ... on UnitNeed { description } ... on PublicProject { title budget } ... on "
    "ServiceItem { title category } } }"
)


@pytest.fixture(scope="module")
async def grid(live_server, tokens) -> dict[str, str]:
    data = await gql_data(
        live_server, "{ gridNodes(first: 500) { edges { node { id path } } } }", token=tokens["secretary"]
    )
    return {e["node"]["path"]: e["node"]["id"] for e in data["gridNodes"]["edges"]}


async def test_update_unit_need(live_server, tokens, grid):
    unit = await create_unit(live_server, tokens["secretary"], grid[B03])
    made = (await gql_data(live_server, ADD_NEED, {"u": unit["id"], "d": "需要志愿者"}, tokens["secretary"]))[
        "addUnitNeed"
    ]
    assert made["errors"] == []
    need = made["need"]["id"]
    changed = (await gql_data(live_server, UPDATE_NEED, {"id": need, "d": "  需要会议场地  "}, tokens["secretary"]))[
        "updateUnitNeed"
    ]
    assert changed["errors"] == [] and changed["need"] == {
        "id": need,
        "description": "需要会议场地",
        "unit": {"id": unit["id"]},
    }
    blank = (await gql_data(live_server, UPDATE_NEED, {"id": need, "d": " "}, tokens["secretary"]))["updateUnitNeed"]
    assert blank["need"] is None and blank["errors"][0]["field"] == "description"
    for role in ("grid-head", "grid-worker", "volunteer", "dept-staff"):
        assert refused((await gql(live_server, UPDATE_NEED, {"id": need, "d": "改了"}, tokens[role])).json()), role
    other = (await gql_data(live_server, UPDATE_NEED, {"id": need, "d": "外街改"}, tokens["hushu-secretary"]))[
        "updateUnitNeed"
    ]
    assert other["need"] is None and other["errors"][0]["code"] == "NOT_FOUND"
    seen = await gql_data(live_server, NODE, {"id": need}, tokens["secretary"])
    assert seen["node"] == {"description": "需要会议场地"}  # refusals changed nothing


async def test_update_public_project(live_server, tokens, grid):
    project = await create_project(live_server, tokens["secretary"], grid[B03], budget=5000)
    variables = {"input": {"id": project["id"], "title": "  楼道改造  ", "budget": 12345.67}}
    changed = (await gql_data(live_server, UPDATE_PROJECT, variables, tokens["secretary"]))["updatePublicProject"]
    assert changed["errors"] == []
    assert changed["project"] == {
        "id": project["id"],
        "title": "楼道改造",
        "description": "",
        "budget": 12345.67,
        "status": "OPEN",
        "node": {"path": B03},
    }
    only_text = (
        await gql_data(
            live_server,
            UPDATE_PROJECT,
            {"input": {"id": project["id"], "description": "加装扶手"}},
            tokens["secretary"],
        )
    )["updatePublicProject"]
    assert only_text["project"]["title"] == "楼道改造" and only_text["project"]["budget"] == 12345.67  # the rest kept
    assert only_text["project"]["description"] == "加装扶手"
    for budget in (-1, 0.001):
        bad = (
            await gql_data(
                live_server, UPDATE_PROJECT, {"input": {"id": project["id"], "budget": budget}}, tokens["secretary"]
            )
        )["updatePublicProject"]
        assert bad["project"] is None and bad["errors"][0]["code"] == "OUT_OF_RANGE", budget
    for role in ("grid-head", "grid-worker", "volunteer"):
        body = (
            await gql(live_server, UPDATE_PROJECT, {"input": {"id": project["id"], "title": "改"}}, tokens[role])
        ).json()
        assert refused(body), role
    other = (
        await gql_data(
            live_server, UPDATE_PROJECT, {"input": {"id": project["id"], "title": "外街"}}, tokens["hushu-secretary"]
        )
    )["updatePublicProject"]
    assert other["project"] is None and other["errors"][0]["code"] == "NOT_FOUND"
    seen = await gql_data(live_server, NODE, {"id": project["id"]}, tokens["secretary"])
    assert seen["node"] == {"title": "楼道改造", "budget": 12345.67}


async def test_update_service_item(live_server, tokens, grid):
    unit = await create_unit(live_server, tokens["secretary"], grid[B04])
    made = (
        await gql_data(
            live_server,
            CREATE_ITEM,
            {"input": {"unitId": unit["id"], "category": "HEALTH", "title": "义诊"}},
            tokens["secretary"],
        )
    )["createServiceItem"]
    assert made["errors"] == []
    item = made["item"]["id"]
    changed = (
        await gql_data(
            live_server,
            UPDATE_ITEM,
            {"input": {"id": item, "category": "PARTY_BUILDING", "title": " 党课进楼栋 "}},
            tokens["secretary"],
        )
    )["updateServiceItem"]
    assert changed["errors"] == [] and changed["item"] == {
        "id": item,
        "category": "PARTY_BUILDING",
        "title": "党课进楼栋",
        "description": "",
    }
    blank = (await gql_data(live_server, UPDATE_ITEM, {"input": {"id": item, "title": ""}}, tokens["secretary"]))[
        "updateServiceItem"
    ]
    assert blank["item"] is None and blank["errors"][0]["field"] == "title"
    for role in ("grid-head", "grid-worker", "volunteer", "dept-staff"):
        body = (await gql(live_server, UPDATE_ITEM, {"input": {"id": item, "title": "改"}}, tokens[role])).json()
        assert refused(body), role
    other = await gql_data(
        live_server, UPDATE_ITEM, {"input": {"id": item, "title": "外街"}}, tokens["hushu-secretary"]
    )
    assert other["updateServiceItem"]["item"] is None and other["updateServiceItem"]["errors"][0]["code"] == "NOT_FOUND"
    seen = await gql_data(live_server, NODE, {"id": item}, tokens["secretary"])
    assert seen["node"] == {"title": "党课进楼栋", "category": "PARTY_BUILDING"}


async def test_units_import_refuses_bad_rows_and_imports_nothing(live_server, tokens):
    """In Hushu (its demo has no units). A good row with three bad ones: none is written."""
    token = tokens["hushu-secretary"]
    tag = unique_name("拒导")
    data = (
        "单位名称,单位类型,党组织,联系人,联系电话,结对网格编码\n"
        f"{tag}甲,企业,甲党支部,王经理,13900003333,HS.V01\n"  # good
        f"{tag}乙,学校,,李老师,12345,HS.V01\n"  # bad phone
        f"{tag}丙,医院,,张主任,13900004444,NOPE.99\n"  # unknown grid code
        f"{tag}丁,机关,,,13900005555,HS\n"
    ).encode()  # a phone without its contact
    result = await imported(live_server, token, "UNITS", "units.csv", data)
    assert result["imported"] == 0 and result["rows"] == 4 and result["errors"] == []
    reasons = {(e["line"], e["column"]): e["reason"] for e in result["rowErrors"]}
    assert sorted(reasons) == [(3, "联系电话"), (4, "结对网格编码"), (5, "联系人")], reasons
    assert "NOPE.99" in reasons[(4, "结对网格编码")]
    assert reasons[(5, "联系人")] == "a phone needs the contact's name"
    count = "query($f: JointUnitFilter) { jointUnits(filter: $f) { totalCount } }"
    found = await gql_data(live_server, count, {"f": {"nameContains": tag}}, token)
    assert found["jointUnits"]["totalCount"] == 0  # not even the good row
