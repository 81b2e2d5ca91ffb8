"""Staff registers, duty rosters and dispatch to them, against the real services."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from .cases_api import act, report
from .clients import Subscriber, gql, gql_data
from .grid_api import node_id

ERR = "errors { field code message }"
STAFF = f"staff {{ id name phone username node {{ path }} department {{ name }} }} {ERR}"
SHIFT = f"shift {{ id username state startsAt endsAt checkedIn {{ at latitude }} checkedOut {{ at }} }} {ERR}"
CREATE_SHIFT = f"mutation($input: CreateDutyShiftInput!) {{ createDutyShift(input: $input) {{ {SHIFT} }} }}"
CHECK_IN = f"mutation($input: ShiftMarkInput!) {{ checkIn(input: $input) {{ {SHIFT} }} }}"
CHECK_OUT = f"mutation($input: ShiftMarkInput!) {{ checkOut(input: $input) {{ {SHIFT} }} }}"
ON_DUTY = "{ onDutyNow { edges { node { id username node { path } } } } }"


def hidden(body: dict) -> bool:
    """Refused as a missing id: what lies outside the caller's grid answers so."""
    return [e["code"] for e in next(iter(body["data"].values()))["errors"]] == ["NOT_FOUND"]


def slot(hours: int = 8) -> tuple[str, str]:
    """A future slot of its own, clear of every other test's and the demo's shifts."""
    start = datetime(2031, 1, 1, tzinfo=UTC) + timedelta(hours=24 * random.randrange(1, 3000))
    return start.isoformat(), (start + timedelta(hours=hours)).isoformat()


async def department_id(server, token: str, name: str) -> str:
    rows = await gql_data(server, "{ departments(first: 100) { edges { node { id name } } } }", token=token)
    return next(e["node"]["id"] for e in rows["departments"]["edges"] if e["node"]["name"] == name)


async def demo_team_id(server, token: str) -> str:
    data = await gql_data(
        server, "{ dutyTeams { edges { node { id node { path } members { username } } } } }", token=token
    )
    return next(e["node"]["id"] for e in data["dutyTeams"]["edges"] if e["node"]["node"]["path"] == "JS01.A1")


async def station_id(server, token: str, path: str) -> str:
    query = "query($id: ID!) { node(id: $id) { ... on GridNode { stations { id } } } }"
    data = await gql_data(server, query, {"id": await node_id(server, token, path)}, token)
    return data["node"]["stations"][0]["id"]


async def test_departments_and_staff_by_role_and_grid(live_server, tokens, street):
    create = (
        "mutation($input: DepartmentInput!) { createDepartment(input: $input) { department { id name kind } "
        f"{ERR} }} }}"
    )
    name = f"应急管理站{uuid.uuid4().hex[:4]}"
    made = (await gql_data(live_server, create, {"input": {"name": name, "kind": "OTHER"}}, tokens["secretary"]))[
        "createDepartment"
    ]
    assert made["errors"] == [] and made["department"]["kind"] == "OTHER"
    again = (await gql_data(live_server, create, {"input": {"name": name, "kind": "OTHER"}}, tokens["secretary"]))[
        "createDepartment"
    ]
    assert again["errors"][0]["code"] == "DUPLICATE"
    blank = (await gql_data(live_server, create, {"input": {"name": " ", "kind": "POLICE"}}, tokens["secretary"]))[
        "createDepartment"
    ]
    assert blank["errors"][0]["code"] == "INVALID_NAME"
    head = (await gql(live_server, create, {"input": {"name": "x", "kind": "POLICE"}}, tokens["grid-head"])).json()
    assert head["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    add = f"mutation($input: SinkingStaffInput!) {{ createSinkingStaff(input: $input) {{ {STAFF} }} }}"
    dept = made["department"]["id"]
    person = {
        "name": "测试队员",
        "departmentId": dept,
        "phone": "13912345678",
        "nodeId": await node_id(live_server, tokens["secretary"], "JS01.A1.B03"),
    }
    by_head = (await gql_data(live_server, add, {"input": person}, tokens["grid-head"]))["createSinkingStaff"]
    assert by_head["errors"] == [] and by_head["staff"]["phone"] == "13912345678"
    elsewhere = {**person, "nodeId": await node_id(live_server, tokens["secretary"], "JS01.A1.B04")}
    refused = (await gql(live_server, add, {"input": elsewhere}, tokens["grid-head"])).json()
    assert hidden(refused)
    bad = await gql_data(
        live_server, add, {"input": {**person, "phone": "12", "username": "Not Valid"}}, tokens["secretary"]
    )
    assert {e["code"] for e in bad["createSinkingStaff"]["errors"]} == {"INVALID_PHONE", "INVALID_USERNAME"}

    listing = "{ sinkingStaff(first: 100) { edges { node { name phone username node { path } } } } }"
    worker = [
        e["node"] for e in (await gql_data(live_server, listing, token=tokens["grid-worker"]))["sinkingStaff"]["edges"]
    ]
    paths = {w["node"]["path"] for w in worker}
    assert paths <= {"JS01", "JS01.A1", "JS01.A1.B03"} and "JS01.A1" in paths  # his building and above it
    own = [
        e["node"] for e in (await gql_data(live_server, listing, token=tokens["dept-staff"]))["sinkingStaff"]["edges"]
    ]
    assert [(o["username"], o["phone"]) for o in own] == [
        (street.username("dept-staff"), "139****0001")
    ]  # masked for his role
    volunteer = (await gql(live_server, listing, token=tokens["volunteer"])).json()
    assert volunteer["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # A staff member given a username later: his planned shifts follow it, so he can check in.
    staff_id = by_head["staff"]["id"]
    starts, ends = slot()
    planned = await gql_data(
        live_server,
        CREATE_SHIFT,
        {"input": {"nodeId": person["nodeId"], "staffId": staff_id, "startsAt": starts, "endsAt": ends}},
        tokens["grid-head"],
    )
    assert planned["createDutyShift"]["errors"] == [] and planned["createDutyShift"]["shift"]["username"] is None
    update = f"mutation($input: UpdateSinkingStaffInput!) {{ updateSinkingStaff(input: $input) {{ {STAFF} }} }}"
    username = f"t-{uuid.uuid4().hex[:8]}"
    named = await gql_data(
        live_server, update, {"input": {**person, "id": staff_id, "username": username}}, tokens["grid-head"]
    )
    assert named["updateSinkingStaff"]["errors"] == []
    shift = "query($id: ID!) { node(id: $id) { ... on DutyShift { username } } }"
    moved = await gql_data(live_server, shift, {"id": planned["createDutyShift"]["shift"]["id"]}, tokens["grid-head"])
    assert moved["node"]["username"] == username


async def test_shift_planning_rules(live_server, tokens):
    b03 = await node_id(live_server, tokens["secretary"], "JS01.A1.B03")
    b04 = await node_id(live_server, tokens["secretary"], "JS01.A1.B04")
    user = f"t-{uuid.uuid4().hex[:8]}"
    starts, ends = slot()
    shift = {"nodeId": b03, "username": user, "startsAt": starts, "endsAt": ends}
    first = (await gql_data(live_server, CREATE_SHIFT, {"input": shift}, tokens["grid-head"]))["createDutyShift"]
    assert first["errors"] == [] and first["shift"]["state"] == "PLANNED"
    other_building = (
        await gql(live_server, CREATE_SHIFT, {"input": {**shift, "nodeId": b04}}, tokens["grid-head"])
    ).json()
    assert hidden(other_building)
    overlap_start = (datetime.fromisoformat(starts) + timedelta(hours=4)).isoformat()
    overlap_end = (datetime.fromisoformat(ends) + timedelta(hours=4)).isoformat()
    overlap = (
        await gql_data(
            live_server,
            CREATE_SHIFT,
            {"input": {**shift, "nodeId": b04, "startsAt": overlap_start, "endsAt": overlap_end}},
            tokens["secretary"],
        )
    )["createDutyShift"]
    assert overlap["errors"][0]["code"] == "OVERLAPPING_SHIFT" and overlap["shift"] is None
    backwards = await gql_data(
        live_server, CREATE_SHIFT, {"input": {**shift, "startsAt": ends, "endsAt": starts}}, tokens["grid-head"]
    )
    assert backwards["createDutyShift"]["errors"][0]["code"] == "ENDS_BEFORE_START"
    area_station = await station_id(live_server, tokens["secretary"], "JS01.A2")
    not_under = (
        await gql_data(
            live_server,
            CREATE_SHIFT,
            {"input": {**shift, "username": user + "x", "stationId": area_station}},
            tokens["secretary"],
        )
    )["createDutyShift"]
    assert not_under["errors"][0]["code"] == "NOT_UNDER_NODE"
    neither = await gql_data(live_server, CREATE_SHIFT, {"input": {**shift, "username": None}}, tokens["grid-head"])
    assert neither["createDutyShift"]["errors"][0]["code"] == "ONE_PERSON"

    # Back to back is no overlap; a cancelled shift frees its time; a planned one can be moved.
    follow = await gql_data(
        live_server, CREATE_SHIFT, {"input": {**shift, "startsAt": ends, "endsAt": overlap_end}}, tokens["grid-head"]
    )
    assert follow["createDutyShift"]["errors"] == []
    cancel = f"mutation($id: ID!) {{ cancelDutyShift(id: $id) {{ {SHIFT} }} }}"
    cancelled = (await gql_data(live_server, cancel, {"id": first["shift"]["id"]}, tokens["grid-head"]))[
        "cancelDutyShift"
    ]
    assert cancelled["shift"]["state"] == "CANCELLED"
    redo = (await gql_data(live_server, CREATE_SHIFT, {"input": shift}, tokens["grid-head"]))["createDutyShift"]
    assert redo["errors"] == []
    change = f"mutation($input: ChangeDutyShiftInput!) {{ changeDutyShift(input: $input) {{ {SHIFT} }} }}"
    clash = await gql_data(
        live_server, change, {"input": {"id": redo["shift"]["id"], "endsAt": overlap_end}}, tokens["grid-head"]
    )
    assert clash["changeDutyShift"]["errors"][0]["code"] == "OVERLAPPING_SHIFT"
    moved = await gql_data(
        live_server, change, {"input": {"id": redo["shift"]["id"], "username": user + "y"}}, tokens["grid-head"]
    )
    assert moved["changeDutyShift"]["shift"]["username"] == user + "y"


async def test_check_in_out_on_duty_now_and_roster_events(live_server, tokens, street):
    now = datetime.now(UTC).isoformat()
    mine = """query($now: DateTime!) { dutyShifts(filter: {mine: true, endsAfter: $now, startsBefore: $now}) {
        edges { node { id node { path } } } } }"""
    edges = (await gql_data(live_server, mine, {"now": now}, tokens["grid-worker"]))["dutyShifts"]["edges"]
    assert [e["node"]["node"]["path"] for e in edges] == ["JS01.A1.B03"]  # the demo's shift under way
    shift_id = edges[0]["node"]["id"]
    b04 = await node_id(live_server, tokens["secretary"], "JS01.A1.B04")
    a1 = await node_id(live_server, tokens["secretary"], "JS01.A1")
    staff_rows = await gql_data(
        live_server,
        '{ sinkingStaff(filter: {username: "' + street.username("dept-staff") + '"}) { edges { node { id } } } }',
        token=tokens["secretary"],
    )
    demo_staff = staff_rows["sinkingStaff"]["edges"][0]["node"]["id"]

    async with (
        Subscriber(live_server, tokens["secretary"], area="ROSTER") as whole_street,
        Subscriber(live_server, tokens["grid-head"], area="ROSTER") as building_3,
        Subscriber(live_server, tokens["dept-staff"], area="ROSTER") as staff_member,
        Subscriber(live_server, tokens["hushu-secretary"], area="ROSTER") as other_tenant,
    ):
        starts, ends = slot()
        in_b04 = {"nodeId": b04, "username": f"t-{uuid.uuid4().hex[:8]}", "startsAt": starts, "endsAt": ends}
        assert (await gql_data(live_server, CREATE_SHIFT, {"input": in_b04}, tokens["secretary"]))["createDutyShift"][
            "errors"
        ] == []
        for_staff = {"nodeId": a1, "staffId": demo_staff, "startsAt": starts, "endsAt": ends}
        made = (await gql_data(live_server, CREATE_SHIFT, {"input": for_staff}, tokens["secretary"]))["createDutyShift"]
        assert made["errors"] == [] and made["shift"]["username"] == street.username("dept-staff")

        early = (await gql_data(live_server, CHECK_OUT, {"input": {"shiftId": shift_id}}, tokens["grid-worker"]))[
            "checkOut"
        ]
        assert early["errors"][0]["code"] == "NOT_CHECKED_IN"
        somebody_else = (await gql(live_server, CHECK_IN, {"input": {"shiftId": shift_id}}, tokens["grid-head"])).json()
        assert somebody_else["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        off_map = (
            await gql_data(
                live_server,
                CHECK_IN,
                {"input": {"shiftId": shift_id, "latitude": 91.0, "longitude": 118.8}},
                tokens["grid-worker"],
            )
        )["checkIn"]
        assert off_map["errors"][0]["code"] == "INVALID_POINT"
        checked = (
            await gql_data(
                live_server,
                CHECK_IN,
                {"input": {"shiftId": shift_id, "latitude": 31.95, "longitude": 118.85}},
                tokens["grid-worker"],
            )
        )["checkIn"]
        assert checked["errors"] == [] and checked["shift"]["state"] == "ON_DUTY"
        assert checked["shift"]["checkedIn"]["latitude"] == 31.95
        twice = (await gql_data(live_server, CHECK_IN, {"input": {"shiftId": shift_id}}, tokens["grid-worker"]))[
            "checkIn"
        ]
        assert twice["errors"][0]["code"] == "ALREADY_CHECKED_IN"

        on_duty = (await gql_data(live_server, ON_DUTY, token=tokens["grid-head"]))["onDutyNow"]["edges"]
        assert shift_id in {e["node"]["id"] for e in on_duty}
        elsewhere = (await gql_data(live_server, ON_DUTY, token=tokens["hushu-secretary"]))["onDutyNow"]["edges"]
        assert shift_id not in {e["node"]["id"] for e in elsewhere}

        out = (await gql_data(live_server, CHECK_OUT, {"input": {"shiftId": shift_id}}, tokens["grid-worker"]))[
            "checkOut"
        ]
        assert out["errors"] == [] and out["shift"]["state"] == "DONE"
        again = (await gql_data(live_server, CHECK_OUT, {"input": {"shiftId": shift_id}}, tokens["grid-worker"]))[
            "checkOut"
        ]
        assert again["errors"][0]["code"] == "ALREADY_CHECKED_OUT"
        after = (await gql_data(live_server, ON_DUTY, token=tokens["grid-head"]))["onDutyNow"]["edges"]
        assert shift_id not in {e["node"]["id"] for e in after}

        # Nothing more, proven by markers rather than a wait: a shift in building 3 for the
        # sinking staff (the street, building 3 and the staff may see it; later in the same
        # topic, and the hub hands each listener its topic's events in seq order), and one in
        # Hushu (another topic, recorded after the street had been given every event above).
        marker_starts, marker_ends = slot()
        b03 = await node_id(live_server, tokens["secretary"], "JS01.A1.B03")
        for_marker = {"nodeId": b03, "staffId": demo_staff, "startsAt": marker_starts, "endsAt": marker_ends}
        await whole_street.wait_for(4)  # every event above came out of the hub before the markers
        marker = (await gql_data(live_server, CREATE_SHIFT, {"input": for_marker}, tokens["secretary"]))[
            "createDutyShift"
        ]
        assert marker["errors"] == [], marker["errors"]
        hushu = tokens["hushu-secretary"]
        hushu_node = (await gql_data(live_server, "{ gridNodes(first: 1) { edges { node { id } } } }", token=hushu))[
            "gridNodes"
        ]["edges"][0]["node"]["id"]
        in_hushu = {"nodeId": hushu_node, "username": f"t-{uuid.uuid4().hex[:8]}", "startsAt": starts, "endsAt": ends}
        elsewhere = (await gql_data(live_server, CREATE_SHIFT, {"input": in_hushu}, hushu))["createDutyShift"]
        assert elsewhere["errors"] == [], elsewhere["errors"]
        await whole_street.wait_for(5)
        await building_3.wait_for(3)
        await staff_member.wait_for(2)
        await other_tenant.wait_for(1)
        shift_of_marker = ("ROSTER_SHIFT_CREATED", marker["shift"]["id"])
        assert [(e["type"], e["subjectId"]) for e in other_tenant.events] == [
            ("ROSTER_SHIFT_CREATED", elsewhere["shift"]["id"])
        ]
        for subscriber in (whole_street, building_3, staff_member):
            assert (subscriber.events[-1]["type"], subscriber.events[-1]["subjectId"]) == shift_of_marker
            del subscriber.events[-1]
        assert [e["type"] for e in whole_street.events] == [
            "ROSTER_SHIFT_CREATED",
            "ROSTER_SHIFT_CREATED",
            "ROSTER_CHECKED_IN",
            "ROSTER_CHECKED_OUT",
        ]
        assert [e["type"] for e in building_3.events] == ["ROSTER_CHECKED_IN", "ROSTER_CHECKED_OUT"]
        assert all(e["path"] == "JS01.A1.B03" for e in building_3.events)
        assert [(e["type"], e["people"]) for e in staff_member.events] == [
            ("ROSTER_SHIFT_CREATED", [street.username("dept-staff")])
        ]  # named, though outside any grid
        seqs = whole_street.seqs
        assert seqs == list(range(seqs[0], seqs[0] + 4))


async def test_dispatch_checks_the_registers(live_server, tokens, street):
    case = (await act(live_server, tokens["grid-head"], await report(live_server, tokens), "ACCEPT"))["case"]
    unknown = await act(
        live_server, tokens["grid-head"], case, "DISPATCH", assigneeKind="GRID_WORKER", assignee="nobody-here"
    )
    assert unknown["errors"][0]["code"] == "UNKNOWN_ASSIGNEE"
    no_staff = await act(
        live_server,
        tokens["grid-head"],
        case,
        "DISPATCH",
        assigneeKind="DEPT_STAFF",
        assignee=street.username("grid-worker"),
    )
    assert no_staff["errors"][0]["code"] == "UNKNOWN_ASSIGNEE"
    bad_team = await act(live_server, tokens["grid-head"], case, "DISPATCH", assigneeKind="DUTY_TEAM", assignee="12")
    assert bad_team["errors"][0]["code"] == "INVALID_ID"
    b06 = await report(live_server, tokens, who="secretary", path="JS01.A2.B06")
    b06 = (await act(live_server, tokens["secretary"], b06, "ACCEPT"))["case"]
    outside_worker = await act(
        live_server,
        tokens["secretary"],
        b06,
        "DISPATCH",
        assigneeKind="GRID_WORKER",
        assignee=street.username("grid-worker"),
    )
    assert outside_worker["errors"][0]["code"] == "OUTSIDE_ASSIGNEE_GRID"
    team = await demo_team_id(live_server, tokens["secretary"])
    outside_team = await act(live_server, tokens["secretary"], b06, "DISPATCH", assigneeKind="DUTY_TEAM", assignee=team)
    assert outside_team["errors"][0]["code"] == "OUTSIDE_ASSIGNEE_GRID"
    timeline = "query($id: ID!) { node(id: $id) { ... on Case { state version } } }"
    untouched = (await gql_data(live_server, timeline, {"id": case["id"]}, tokens["secretary"]))["node"]
    assert untouched == {"state": "ACCEPTED", "version": case["version"]}  # refusals wrote nothing

    async with Subscriber(live_server, tokens["dept-staff"], area="CASES") as member:
        dispatched = await act(
            live_server, tokens["grid-head"], case, "DISPATCH", assigneeKind="DUTY_TEAM", assignee=team
        )
        assert dispatched["errors"] == [] and dispatched["case"]["assignee"] == team
        await member.wait_for(1)
        assert street.username("dept-staff") in member.events[0]["people"]
    seen = await gql_data(
        live_server,
        "{ cases(first: 50, filter: {assignedToMe: true}) { edges { node { id } } } }",
        token=tokens["dept-staff"],
    )
    assert case["id"] in {e["node"]["id"] for e in seen["cases"]["edges"]}
    started = await act(live_server, tokens["dept-staff"], dispatched["case"], "START")  # a member acts for the team
    assert started["errors"] == [] and started["case"]["state"] == "IN_PROGRESS"
    outsider = (
        await gql(
            live_server,
            "mutation($input: TransitionCaseInput!) { transitionCase(input: $input) { errors { code } } }",
            {"input": {"id": case["id"], "action": "RESOLVE", "version": started["case"]["version"]}},
            tokens["volunteer"],
        )
    ).json()
    assert outsider["data"]["transitionCase"]["errors"][0]["code"] == "NOT_FOUND"
    resolved = await act(live_server, tokens["dept-staff"], started["case"], "RESOLVE")
    assert resolved["case"]["state"] == "RESOLVED"
