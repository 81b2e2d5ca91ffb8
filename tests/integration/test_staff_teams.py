"""Joint duty teams, departments and station shifts through GraphQL against PostgreSQL and
Keycloak: team membership with its grid scope and role refusals, renaming a department, and a
shift at a service station that shows in `onDutyNow` once its person checks in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from .clients import gql, gql_data
from .grid_api import node_id

ERR = "errors { field code message }"
TEAM = f"team {{ id name node {{ path }} members {{ id name }} }} {ERR}"
CREATE_TEAM = f"mutation($input: CreateDutyTeamInput!) {{ createDutyTeam(input: $input) {{ {TEAM} }} }}"
ADD = f"mutation($t: ID!, $s: ID!) {{ addDutyTeamMember(teamId: $t, staffId: $s) {{ {TEAM} }} }}"
REMOVE = f"mutation($t: ID!, $s: ID!) {{ removeDutyTeamMember(teamId: $t, staffId: $s) {{ {TEAM} }} }}"
ADD_STAFF = (
    f"mutation($input: SinkingStaffInput!) {{ createSinkingStaff(input: $input) {{ staff {{ id name }} {ERR} }} }}"
)
CREATE_DEPT = (
    "mutation($input: DepartmentInput!) { createDepartment(input: $input) { department { id name kind } "
    f"{ERR} }} }}"
)
UPDATE_DEPT = (
    "mutation($input: UpdateDepartmentInput!) { updateDepartment(input: $input) { department { id name kind } "
    f"{ERR} }} }}"
)
B03, B04 = "JS01.A1.B03", "JS01.A1.B04"


def forbidden(body: dict) -> bool:
    return body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def hidden(body: dict) -> bool:
    """Refused as a missing id: what lies outside the caller's grid answers so."""
    return [e["code"] for e in next(iter(body["data"].values()))["errors"]] == ["NOT_FOUND"]


def suffix() -> str:
    return uuid.uuid4().hex[:6]


async def new_department(server, token: str) -> dict:
    made = await gql_data(server, CREATE_DEPT, {"input": {"name": f"联勤部门{suffix()}", "kind": "POLICE"}}, token)
    assert made["createDepartment"]["errors"] == []
    return made["createDepartment"]["department"]


async def new_staff(server, token: str, department: str, node: str) -> dict:
    person = {"name": f"队员{suffix()}", "departmentId": department, "phone": "13912340000", "nodeId": node}
    made = (await gql_data(server, ADD_STAFF, {"input": person}, token))["createSinkingStaff"]
    assert made["errors"] == [], made["errors"]
    return made["staff"]


async def test_duty_team_membership_within_the_grid_head_grid(live_server, tokens):
    secretary, head = tokens["secretary"], tokens["grid-head"]
    b03 = await node_id(live_server, secretary, B03)
    b04 = await node_id(live_server, secretary, B04)
    a1 = await node_id(live_server, secretary, "JS01.A1")
    dept = (await new_department(live_server, secretary))["id"]
    on_b03 = await new_staff(live_server, secretary, dept, b03)
    on_a1 = await new_staff(live_server, secretary, dept, a1)  # above building 3: serves it
    on_b04 = await new_staff(live_server, secretary, dept, b04)

    # The grid head of building 3 sets up a team there; not on building 4; a volunteer not at all.
    name = f"3号楼联勤队{suffix()}"
    made = (await gql_data(live_server, CREATE_TEAM, {"input": {"nodeId": b03, "name": name}}, head))["createDutyTeam"]
    assert made["errors"] == [] and made["team"]["node"]["path"] == B03 and made["team"]["members"] == []
    team = made["team"]["id"]
    twice = (await gql_data(live_server, CREATE_TEAM, {"input": {"nodeId": b03, "name": name}}, head))["createDutyTeam"]
    assert twice["errors"][0]["code"] == "DUPLICATE" and twice["team"] is None
    blank = (await gql_data(live_server, CREATE_TEAM, {"input": {"nodeId": b03, "name": "  "}}, head))["createDutyTeam"]
    assert blank["errors"][0]["code"] == "INVALID_NAME"
    assert hidden((await gql(live_server, CREATE_TEAM, {"input": {"nodeId": b04, "name": name}}, head)).json())
    assert forbidden(
        (await gql(live_server, CREATE_TEAM, {"input": {"nodeId": b03, "name": "志愿队"}}, tokens["volunteer"])).json()
    )
    assert forbidden(
        (
            await gql(live_server, CREATE_TEAM, {"input": {"nodeId": b03, "name": "员工队"}}, tokens["grid-worker"])
        ).json()
    )

    added = (await gql_data(live_server, ADD, {"t": team, "s": on_b03["id"]}, head))["addDutyTeamMember"]
    assert added["errors"] == [] and [m["id"] for m in added["team"]["members"]] == [on_b03["id"]]
    above = (await gql_data(live_server, ADD, {"t": team, "s": on_a1["id"]}, head))["addDutyTeamMember"]
    assert above["errors"] == [] and [m["id"] for m in above["team"]["members"]] == [on_b03["id"], on_a1["id"]]
    again = (await gql_data(live_server, ADD, {"t": team, "s": on_b03["id"]}, head))["addDutyTeamMember"]
    assert again["errors"] == [] and len(again["team"]["members"]) == 2  # twice changes nothing
    beside = (await gql_data(live_server, ADD, {"t": team, "s": on_b04["id"]}, secretary))["addDutyTeamMember"]
    assert beside["errors"][0]["code"] == "NOT_SERVING" and beside["team"] is None
    assert forbidden((await gql(live_server, ADD, {"t": team, "s": on_a1["id"]}, tokens["volunteer"])).json())
    assert forbidden((await gql(live_server, REMOVE, {"t": team, "s": on_a1["id"]}, tokens["volunteer"])).json())
    assert forbidden((await gql(live_server, REMOVE, {"t": team, "s": on_a1["id"]}, tokens["dept-staff"])).json())
    other_tenant = (await gql_data(live_server, ADD, {"t": team, "s": on_a1["id"]}, tokens["hushu-secretary"]))[
        "addDutyTeamMember"
    ]
    assert other_tenant["errors"][0]["code"] == "NOT_FOUND" and other_tenant["team"] is None

    removed = (await gql_data(live_server, REMOVE, {"t": team, "s": on_a1["id"]}, head))["removeDutyTeamMember"]
    assert removed["errors"] == [] and [m["id"] for m in removed["team"]["members"]] == [on_b03["id"]]
    not_member = (await gql_data(live_server, REMOVE, {"t": team, "s": on_a1["id"]}, head))["removeDutyTeamMember"]
    assert not_member["errors"] == [] and [m["id"] for m in not_member["team"]["members"]] == [on_b03["id"]]

    # A team on building 4, put up by the secretary: the grid head of building 3 cannot touch it.
    far = await gql_data(
        live_server, CREATE_TEAM, {"input": {"nodeId": b04, "name": f"4号楼联勤队{suffix()}"}}, secretary
    )
    far_team = far["createDutyTeam"]["team"]["id"]
    with_b04 = (await gql_data(live_server, ADD, {"t": far_team, "s": on_b04["id"]}, secretary))["addDutyTeamMember"]
    assert with_b04["errors"] == []
    assert hidden((await gql(live_server, ADD, {"t": far_team, "s": on_a1["id"]}, head)).json())
    assert hidden((await gql(live_server, REMOVE, {"t": far_team, "s": on_b04["id"]}, head)).json())
    seen = "query($id: ID!) { node(id: $id) { ... on DutyTeam { members { id } } } }"
    kept = (await gql_data(live_server, seen, {"id": far_team}, secretary))["node"]["members"]
    assert [m["id"] for m in kept] == [on_b04["id"]]  # the refusal changed nothing
    assert (await gql_data(live_server, seen, {"id": far_team}, head))["node"] is None  # outside his grid
    listed = await gql_data(live_server, "{ dutyTeams { edges { node { id } } } }", token=head)
    ids = {e["node"]["id"] for e in listed["dutyTeams"]["edges"]}
    assert team in ids and far_team not in ids


async def test_sinking_staff_see_the_teams_they_are_members_of(live_server, tokens, street):
    """Their own teams only, wherever they are (a membership subquery, not a grid scope)."""
    query = "{ dutyTeams { edges { node { id node { path } members { username } } } } }"
    rows = [e["node"] for e in (await gql_data(live_server, query, token=tokens["dept-staff"]))["dutyTeams"]["edges"]]
    assert rows and all(street.username("dept-staff") in {m["username"] for m in r["members"]} for r in rows)
    assert "JS01.A1" in {r["node"]["path"] for r in rows}  # the demo's team
    assert forbidden((await gql(live_server, query, token=tokens["volunteer"])).json())


async def test_a_member_sent_elsewhere_can_still_be_taken_off_the_team(live_server, tokens):
    secretary = tokens["secretary"]
    b03 = await node_id(live_server, secretary, B03)
    b06 = await node_id(live_server, secretary, "JS01.A2.B06")
    dept = (await new_department(live_server, secretary))["id"]
    person = await new_staff(live_server, secretary, dept, b03)
    team = await gql_data(live_server, CREATE_TEAM, {"input": {"nodeId": b03, "name": f"调动队{suffix()}"}}, secretary)
    team_id = team["createDutyTeam"]["team"]["id"]
    assert (await gql_data(live_server, ADD, {"t": team_id, "s": person["id"]}, secretary))["addDutyTeamMember"][
        "errors"
    ] == []
    move = (
        f"mutation($input: UpdateSinkingStaffInput!) {{ updateSinkingStaff(input: $input) {{ staff {{ id }} {ERR} }} }}"
    )
    moved = await gql_data(
        live_server,
        move,
        {
            "input": {
                "id": person["id"],
                "name": person["name"],
                "departmentId": dept,
                "nodeId": b06,
                "phone": "13912340000",
            }
        },
        secretary,
    )
    assert moved["updateSinkingStaff"]["errors"] == []
    seen = "query($id: ID!) { node(id: $id) { ... on DutyTeam { members { id } } } }"
    assert (await gql_data(live_server, seen, {"id": team_id}, secretary))["node"]["members"] == [{"id": person["id"]}]
    off = (await gql_data(live_server, REMOVE, {"t": team_id, "s": person["id"]}, secretary))["removeDutyTeamMember"]
    assert off["errors"] == [] and off["team"]["members"] == []
    back = (await gql_data(live_server, ADD, {"t": team_id, "s": person["id"]}, secretary))["addDutyTeamMember"]
    assert back["errors"][0]["code"] == "NOT_SERVING"  # joining again needs him to serve the node


async def test_update_department(live_server, tokens):
    secretary = tokens["secretary"]
    first = await new_department(live_server, secretary)
    second = await new_department(live_server, secretary)
    name = f"综合执法队{suffix()}"
    renamed = (
        await gql_data(
            live_server,
            UPDATE_DEPT,
            {"input": {"id": first["id"], "name": f"  {name} ", "kind": "URBAN_MANAGEMENT"}},
            secretary,
        )
    )["updateDepartment"]
    assert renamed["errors"] == [] and renamed["department"] == {
        "id": first["id"],
        "name": name,
        "kind": "URBAN_MANAGEMENT",
    }
    listed = await gql_data(
        live_server, "{ departments(first: 100) { edges { node { id name kind } } } }", token=secretary
    )
    assert {"id": first["id"], "name": name, "kind": "URBAN_MANAGEMENT"} in [
        e["node"] for e in listed["departments"]["edges"]
    ]
    same = (
        await gql_data(
            live_server, UPDATE_DEPT, {"input": {"id": first["id"], "name": name, "kind": "JUDICIAL"}}, secretary
        )
    )["updateDepartment"]
    assert same["errors"] == [] and same["department"]["kind"] == "JUDICIAL"  # its own name is no duplicate
    clash = (
        await gql_data(
            live_server, UPDATE_DEPT, {"input": {"id": second["id"], "name": name, "kind": "POLICE"}}, secretary
        )
    )["updateDepartment"]
    assert clash["errors"][0]["code"] == "DUPLICATE" and clash["department"] is None
    blank = (
        await gql_data(
            live_server, UPDATE_DEPT, {"input": {"id": second["id"], "name": "", "kind": "POLICE"}}, secretary
        )
    )["updateDepartment"]
    assert blank["errors"][0]["code"] == "INVALID_NAME"
    for role in ("grid-head", "volunteer", "dept-staff"):
        body = (
            await gql(
                live_server, UPDATE_DEPT, {"input": {"id": second["id"], "name": "x", "kind": "POLICE"}}, tokens[role]
            )
        ).json()
        assert forbidden(body), role
    other = (
        await gql_data(
            live_server,
            UPDATE_DEPT,
            {"input": {"id": second["id"], "name": f"外街{suffix()}", "kind": "POLICE"}},
            tokens["hushu-secretary"],
        )
    )["updateDepartment"]
    assert other["errors"][0]["code"] == "NOT_FOUND"
    node = "query($id: ID!) { node(id: $id) { ... on Department { name kind } } }"
    assert (await gql_data(live_server, node, {"id": second["id"]}, secretary))["node"] == {
        "name": second["name"],
        "kind": "POLICE",
    }  # refusals changed nothing


async def test_a_shift_at_a_service_station_is_on_duty_after_check_in(live_server, tokens, street):
    secretary, head = tokens["secretary"], tokens["grid-head"]
    a1 = await node_id(live_server, secretary, "JS01.A1")
    stations = "query($id: ID!) { node(id: $id) { ... on GridNode { stations { id name } } } }"
    point = (await gql_data(live_server, stations, {"id": a1}, secretary))["node"]["stations"][0]
    now = datetime.now(UTC)
    shift = {
        "nodeId": a1,
        "stationId": point["id"],
        "username": street.username("grid-head"),
        "startsAt": (now - timedelta(minutes=30)).isoformat(),
        "endsAt": (now + timedelta(hours=2)).isoformat(),
    }
    create = f"""mutation($input: CreateDutyShiftInput!) {{ createDutyShift(input: $input) {{
        shift {{ id state username station {{ id name }} node {{ path }} }} {ERR} }} }}"""
    made = (await gql_data(live_server, create, {"input": shift}, secretary))["createDutyShift"]
    assert made["errors"] == [] and made["shift"]["station"] == point and made["shift"]["node"]["path"] == "JS01.A1"
    shift_id = made["shift"]["id"]
    on_duty = "{ onDutyNow { edges { node { id username station { id name } node { path } } } } }"
    before = (await gql_data(live_server, on_duty, token=secretary))["onDutyNow"]["edges"]
    assert shift_id not in {e["node"]["id"] for e in before}  # planned, not yet checked in

    mark = "mutation($input: ShiftMarkInput!) { checkIn(input: $input) { shift { id state } errors { code } } }"
    # Only its person checks in; the worker of building 3 does not even see a shift on the area.
    not_his = (await gql_data(live_server, mark, {"input": {"shiftId": shift_id}}, tokens["grid-worker"]))["checkIn"]
    assert not_his["errors"][0]["code"] == "NOT_FOUND"
    assert forbidden((await gql(live_server, mark, {"input": {"shiftId": shift_id}}, secretary)).json())
    checked = (await gql_data(live_server, mark, {"input": {"shiftId": shift_id}}, head))["checkIn"]
    assert checked["errors"] == [] and checked["shift"]["state"] == "ON_DUTY"
    for token in (secretary, head):
        rows = {
            e["node"]["id"]: e["node"]
            for e in (await gql_data(live_server, on_duty, token=token))["onDutyNow"]["edges"]
        }
        assert rows[shift_id] == {
            "id": shift_id,
            "username": street.username("grid-head"),
            "station": point,
            "node": {"path": "JS01.A1"},
        }
    elsewhere = (await gql_data(live_server, on_duty, token=tokens["hushu-secretary"]))["onDutyNow"]["edges"]
    assert shift_id not in {e["node"]["id"] for e in elsewhere}

    out = "mutation($input: ShiftMarkInput!) { checkOut(input: $input) { shift { state } errors { code } } }"
    assert (await gql_data(live_server, out, {"input": {"shiftId": shift_id}}, head))["checkOut"]["shift"][
        "state"
    ] == "DONE"
    after = (await gql_data(live_server, on_duty, token=secretary))["onDutyNow"]["edges"]
    assert shift_id not in {e["node"]["id"] for e in after}
