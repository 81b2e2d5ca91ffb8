"""District line departments: the district admin makes them and names their staff (Keycloak
users with dept-staff, their district and no tenant); a street refers a case to one of its own
district's; the department's staff receive it live, work it through the same state machine and
see nothing else, which PostgreSQL's department policies hold even without the services' filters."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from redgrid.platform.database import department_transaction, tenant_transaction
from redgrid.platform.models import Tenant
from redgrid.tenants.cases.sla import fire_overdue

from .attachments_api import added, fetch, photo
from .cases_api import category_id, report
from .clients import Subscriber, gql, gql_data, password_token, provisioned_user_token, realm_admin
from .realtime_api import any_node, wait_until


@pytest.fixture(scope="module")
def tokens(demo_tokens: dict[str, str]) -> dict[str, str]:
    """This module works on the demo district's line departments, referred to by its streets,
    not in a street of its own."""
    return demo_tokens


CASE = (
    "id number state version escalation assigneeKind assignee department { id slug name } "
    "node { path } category { code } timeline { action fromState toState actor note }"
)
MOVE = (
    f"mutation($input: TransitionCaseInput!) {{ transitionCase(input: $input) {{ case {{ {CASE} }} "
    "errors { field code message } } }"
)
DEPARTMENT = "department { id slug name members } created errors { field code message }"
CREATE = (
    f"mutation($input: CreateDistrictDepartmentInput!) {{ createDistrictDepartment(input: $input) {{ {DEPARTMENT} }} }}"
)
ADD = (
    "mutation($input: DistrictDepartmentMemberInput!) "
    f"{{ addDistrictDepartmentMember(input: $input) {{ {DEPARTMENT} }} }}"
)
REPORT = (
    "mutation($input: ReportCaseInput!) { reportCase(input: $input) { case { id number version } errors { code } } }"
)
NEW_DISTRICT = 'mutation($s: String!) { createDistrict(input: {slug: $s, name: "外区"}) { errors { code } } }'
NEW_TENANT = "mutation($input: CreateTenantInput!) { createTenant(input: $input) { errors { code } } }"
ROOT_NODE = 'mutation { createGridNode(input: {code: "R", name: "R"}) { node { id } errors { code } } }'
CASES = "{ cases(first: 100) { totalCount edges { node { id number assignee department { id } } } } }"
NODE = f"query($id: ID!) {{ node(id: $id) {{ id ... on Case {{ {CASE} }} }} }}"
PHOTOS = "query($id: ID!) { node(id: $id) { ... on Case { attachments { id url } } } }"


def db_id(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


async def move(server, token: str, case: dict, action: str, **extra) -> dict:
    variables = {"input": {"id": case["id"], "action": action, "version": case["version"], **extra}}
    return (await gql_data(server, MOVE, variables, token))["transitionCase"]


def staff_user(suffix: str, role: str = "dept-staff", district: str = "jiangning") -> tuple[str, str]:
    """A user of a district with no tenant (dept-staff by default), unique in the shared realm;
    his password."""
    admin = realm_admin()
    username, password = f"dept-{suffix}-{uuid.uuid4().hex[:8]}", f"Pw-{uuid.uuid4().hex}"
    user_id = admin.create_user(
        {
            "username": username,
            "email": f"{username}@example.org",
            "firstName": "Dept",
            "lastName": suffix,
            "enabled": True,
            "emailVerified": True,
            "attributes": {"district": [district]},
            "credentials": [{"type": "password", "value": password, "temporary": False}],
        }
    )
    admin.assign_realm_roles(user_id, [admin.get_realm_role(role)])
    return username, password


@pytest.fixture(scope="module")
async def departments(live_server):
    """Two departments of Jiangning, each with one staff member: their ids and tokens."""
    admin_token = password_token("jiangning-district-admin")
    made: dict[str, dict] = {}
    users: list[str] = []
    for key in ("roads", "water"):
        slug = f"{key}-{uuid.uuid4().hex[:6]}"
        created = await gql_data(live_server, CREATE, {"input": {"slug": slug, "name": f"{key} bureau"}}, admin_token)
        result = created["createDistrictDepartment"]
        assert result["errors"] == [] and result["created"] is True, result
        department = result["department"]
        username, password = staff_user(key)
        users.append(username)
        variables = {"input": {"departmentId": department["id"], "username": username}}
        added = (await gql_data(live_server, ADD, variables, admin_token))["addDistrictDepartmentMember"]
        assert added["errors"] == [] and added["department"]["members"] == [username], added
        made[key] = {**department, "username": username, "token": password_token(username, password)}
    yield made
    admin = realm_admin()
    for username in users:
        admin.delete_user(admin.get_user_id(username))


async def refer(server, tokens, department: dict, path: str = "JS01.A1.B03") -> dict:
    """A case Jinshui's secretary reports and refers."""
    case = await report(server, tokens, who="secretary", path=path)
    result = await move(
        server, tokens["secretary"], case, "REFER", departmentId=department["id"], note="占道需城管执法"
    )
    assert result["errors"] == [], result
    return result["case"]


async def test_the_district_admin_manages_departments_of_his_own_district_only(live_server, departments, tokens):
    admin_token = password_token("jiangning-district-admin")
    listed = await gql_data(live_server, "{ districtDepartments { id slug } }", token=admin_token)
    assert {departments["roads"]["id"], departments["water"]["id"]} <= {d["id"] for d in listed["districtDepartments"]}
    again = {"input": {"slug": departments["roads"]["slug"], "name": "renamed"}}
    result = (await gql_data(live_server, CREATE, again, admin_token))["createDistrictDepartment"]
    assert result["created"] is False and result["department"]["name"] == "roads bureau"  # idempotent by slug
    bad = await gql_data(live_server, CREATE, {"input": {"slug": "Bad!", "name": " "}}, admin_token)
    errors = bad["createDistrictDepartment"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {("slug", "INVALID_SLUG"), ("name", "INVALID_NAME")}
    # A street's secretary sees where he may refer to, and may not make departments nor see their staff.
    seen = await gql_data(live_server, "{ districtDepartments { id } }", token=tokens["secretary"])
    assert departments["roads"]["id"] in {d["id"] for d in seen["districtDepartments"]}
    body = (await gql(live_server, CREATE, {"input": {"slug": "x-dept", "name": "x"}}, tokens["secretary"])).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN" and body["data"] is None
    body = (await gql(live_server, "{ districtDepartments { members } }", token=tokens["secretary"])).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # A user already on a department's staff is not added to another; nothing is written.
    variables = {"input": {"departmentId": departments["water"]["id"], "username": departments["roads"]["username"]}}
    taken = (await gql_data(live_server, ADD, variables, admin_token))["addDistrictDepartmentMember"]
    assert [(e["field"], e["code"]) for e in taken["errors"]] == [("username", "TAKEN")]
    own = await gql_data(live_server, "{ districtDepartments { id members } }", token=departments["water"]["token"])
    assert own["districtDepartments"] == [
        {"id": departments["water"]["id"], "members": [departments["water"]["username"]]}
    ]


async def test_a_referred_case_reaches_its_department_live_and_is_worked_through_the_loop(
    live_server, db, departments, tokens
):
    roads, water = departments["roads"], departments["water"]
    hushu = password_token("hushu-secretary")
    async with (
        Subscriber(live_server, roads["token"], area="CASES") as roads_staff,
        Subscriber(live_server, water["token"], area="CASES") as water_staff,
        Subscriber(live_server, hushu, area="CASES") as hushu_screen,
        Subscriber(live_server, tokens["secretary"], area="CASES") as street_screen,
    ):
        case = await refer(live_server, tokens, roads)
        assert (case["state"], case["escalation"], case["assigneeKind"]) == (
            "DISPATCHED",
            "DEPARTMENT",
            "LINE_DEPT",
        )
        assert case["assignee"] == roads["id"] and case["department"]["id"] == roads["id"]
        assert case["timeline"][-1] == {
            "action": "REFER",
            "fromState": "REPORTED",
            "toState": "DISPATCHED",
            "actor": "jinshui-secretary",
            "note": "占道需城管执法",
        }
        referred = lambda e: e.get("number") == case["number"] and e["type"] == "CASE_TRANSITIONED"  # noqa: E731
        await wait_until(roads_staff, referred)
        await wait_until(street_screen, referred)  # the street's own screens, as before
        assert [e["state"] for e in roads_staff.events if e.get("number") == case["number"]] == ["DISPATCHED"]
        # The marker for the other department: a case referred to it, later; its first event.
        marker = await refer(live_server, tokens, water, path="JS01.A1.B04")
        await wait_until(water_staff, lambda e: e.get("number") == marker["number"])
        assert {e["number"] for e in water_staff.events} == {marker["number"]}
        # Hushu's marker: a case of its own, reported once the referral had come out of this hub.
        hushu_case = await report_in_hushu(live_server, hushu)
        await wait_until(hushu_screen, lambda e: e.get("number") == hushu_case)
        assert {e["number"] for e in hushu_screen.events} == {hushu_case}

        # The same "3-1" deadlines: passed, they are announced to the department too.
        assert await fire_overdue(datetime.now(UTC) + timedelta(days=2)) >= 3
        overdue = lambda e: e.get("number") == case["number"] and e["type"] == "CASE_OVERDUE"  # noqa: E731
        await wait_until(roads_staff, lambda e: overdue(e) and e["deadline"] == "ANSWER")
        assert {e["deadline"] for e in roads_staff.events if overdue(e)} == {"ON_SCENE", "RESOLVE", "ANSWER"}

        # The department's staff work it: on scene, resolved; the street verifies and closes.
        for action in ("START", "RESOLVE"):
            result = await move(live_server, roads["token"], case, action)
            assert result["errors"] == [], (action, result)
            case = result["case"]
        assert case["state"] == "RESOLVED" and case["node"]["path"] == "JS01.A1.B03"
        assert case["category"]["code"] == "street_order"
        verify = {"id": case["id"], "action": "VERIFY", "version": case["version"], "satisfaction": 5}
        body = (await gql(live_server, MOVE, {"input": verify}, roads["token"])).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # whoever handled it does not verify
        for action, extra in (("VERIFY", {"satisfaction": 5}), ("CLOSE", {})):
            result = await move(live_server, tokens["secretary"], case, action, **extra)
            assert result["errors"] == [], (action, result)
            case = result["case"]
        assert [(t["action"], t["actor"]) for t in case["timeline"]][-5:] == [
            ("REFER", "jinshui-secretary"),
            ("START", roads["username"]),
            ("RESOLVE", roads["username"]),
            ("VERIFY", "jinshui-secretary"),
            ("CLOSE", "jinshui-secretary"),
        ]
        await wait_until(roads_staff, lambda e: e.get("number") == case["number"] and e["state"] == "CLOSED")
        # The water department never heard of the roads case: its marker came first and alone,
        # and all the roads case's events since went to the roads topic only.
        assert all(e["number"] != case["number"] for e in water_staff.events)
        assert {e["number"] for e in roads_staff.events} == {case["number"]}


async def report_in_hushu(server, token: str) -> str:
    """A case Hushu's secretary reports on one of his nodes: its number."""
    variables = {
        "input": {
            "title": "Hushu marker",
            "categoryId": await category_id(server, token),
            "source": "PATROL",
            "nodeId": await any_node(server, token),
        }
    }
    result = (await gql_data(server, REPORT, variables, token))["reportCase"]
    assert result["errors"] == []
    return result["case"]["number"]


async def test_department_staff_see_only_the_cases_sent_to_them(live_server, departments, tokens):
    roads, water = departments["roads"], departments["water"]
    mine = await refer(live_server, tokens, roads)
    theirs = await refer(live_server, tokens, water)
    unreferred = await report(live_server, tokens)
    listed = (await gql_data(live_server, CASES, token=roads["token"]))["cases"]
    ids = {e["node"]["id"] for e in listed["edges"]}
    assert mine["id"] in ids and theirs["id"] not in ids and unreferred["id"] not in ids
    assert listed["totalCount"] == len(ids)
    assert all(e["node"]["department"] == {"id": roads["id"]} for e in listed["edges"])
    for other in (theirs, unreferred):  # like any unknown id
        assert (await gql_data(live_server, NODE, {"id": other["id"]}, roads["token"]))["node"] is None
        result = await move(live_server, roads["token"], other, "START")
        assert [(e["field"], e["code"]) for e in result["errors"]] == [("id", "NOT_FOUND")]
    assert (await gql_data(live_server, NODE, {"id": mine["id"]}, roads["token"]))["node"]["number"] == mine["number"]
    # The photos of his cases, as their assignee sees them; none of any other case.
    mine_photo = (await added(live_server, tokens["secretary"], mine["id"], photo()))["attachment"]
    their_photo = (await added(live_server, tokens["secretary"], theirs["id"], photo()))["attachment"]
    shown = await gql_data(live_server, PHOTOS, {"id": mine["id"]}, roads["token"])
    assert shown["node"]["attachments"] == [{"id": mine_photo["id"], "url": mine_photo["url"]}]
    assert (await fetch(live_server, roads["token"], mine_photo["url"])).status_code == 200
    assert (await fetch(live_server, roads["token"], their_photo["url"])).status_code == 404
    assert (await fetch(live_server, water["token"], mine_photo["url"])).status_code == 404
    # No registers, no other area's events, no key figures: he has no street.
    for query in ("{ residents(first: 1) { totalCount } }", "{ keyFigures { openCases } }"):
        body = (await gql(live_server, query, token=roads["token"])).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    # Handed back, it is the street's again: the department still sees what it worked on, until
    # the street gives it to someone else.
    back = await move(live_server, roads["token"], mine, "RETURN", note="非本部门职责")
    assert back["errors"] == [] and back["case"]["state"] == "ACCEPTED" and back["case"]["assignee"] is None
    assert (await gql_data(live_server, NODE, {"id": mine["id"]}, roads["token"]))["node"]["state"] == "ACCEPTED"
    dispatch = {"assigneeKind": "GRID_WORKER", "assignee": "jinshui-grid-worker"}
    given = await move(live_server, tokens["secretary"], back["case"], "DISPATCH", **dispatch)
    assert given["errors"] == [] and given["case"]["department"] is None
    assert (await gql_data(live_server, NODE, {"id": mine["id"]}, roads["token"]))["node"] is None


async def test_only_a_street_of_the_district_refers_and_only_its_secretary(live_server, departments, tokens):
    roads = departments["roads"]
    case = await report(live_server, tokens)
    # A grid head manages the case at its level, but referring is the street's decision.
    referral = {"id": case["id"], "action": "REFER", "version": 1, "departmentId": roads["id"], "note": "x"}
    body = (await gql(live_server, MOVE, {"input": referral}, tokens["grid-head"])).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    no_reason = await move(live_server, tokens["secretary"], case, "REFER", departmentId=roads["id"])
    assert [(e["field"], e["code"]) for e in no_reason["errors"]] == [("note", "REQUIRED")]

    # A street of another district: Jiangning's department is not there for it.
    platform = password_token("platform-admin")
    district, street = f"d{uuid.uuid4().hex[:8]}", f"t{uuid.uuid4().hex[:8]}"
    made = await gql_data(live_server, NEW_DISTRICT, {"s": district}, platform)
    assert made["createDistrict"]["errors"] == []
    tenant = await gql_data(
        live_server,
        NEW_TENANT,
        {
            "input": {
                "slug": street,
                "name": "外街",
                "districtSlug": district,
                "secretaryUsername": f"{street}-secretary",
                "secretaryEmail": f"{street}@example.org",
            }
        },
        platform,
    )
    assert tenant["createTenant"]["errors"] == []
    made_users = [f"{street}-secretary"]
    try:
        secretary = provisioned_user_token(f"{street}-secretary")
        root = await gql_data(live_server, ROOT_NODE, token=secretary)
        variables = {
            "input": {
                "title": "外区案件",
                "categoryId": await category_id(live_server, secretary),
                "source": "PATROL",
                "nodeId": root["createGridNode"]["node"]["id"],
            }
        }
        created = (await gql_data(live_server, REPORT, variables, secretary))["reportCase"]
        other_case = created["case"]
        refused = await move(live_server, secretary, other_case, "REFER", departmentId=roads["id"], note="x")
        assert [(e["field"], e["code"]) for e in refused["errors"]] == [("departmentId", "NOT_FOUND")]
        unchanged = await gql_data(live_server, NODE, {"id": other_case["id"]}, secretary)
        assert unchanged["node"]["version"] == 1 and unchanged["node"]["department"] is None
        seen = await gql_data(live_server, "{ districtDepartments { id } }", token=secretary)
        assert seen["districtDepartments"] == []
        # Nor may that district's admin staff or even see Jiangning's department.
        username, password = staff_user("admin", role="district-admin", district=district)
        made_users.append(username)
        foreign_admin = password_token(username, password)
        seen = await gql_data(live_server, "{ districtDepartments { id } }", token=foreign_admin)
        assert seen["districtDepartments"] == []
        variables = {"input": {"departmentId": roads["id"], "username": "someone-else"}}
        refused = (await gql_data(live_server, ADD, variables, foreign_admin))["addDistrictDepartmentMember"]
        assert [(e["field"], e["code"]) for e in refused["errors"]] == [("departmentId", "NOT_FOUND")]
        members = await gql_data(live_server, "{ districtDepartments { members } }", token=roads["token"])
        assert members["districtDepartments"] == [{"members": [roads["username"]]}]
    finally:
        admin = realm_admin()
        for username in made_users:
            admin.delete_user(admin.get_user_id(username))


async def test_department_policies_hold_when_the_filter_is_bypassed(live_server, db, departments, tokens):
    roads, water = departments["roads"], departments["water"]
    mine = await refer(live_server, tokens, roads)
    theirs = await refer(live_server, tokens, water)
    unreferred = await report(live_server, tokens)
    jinshui = await Tenant.get(slug="jinshui")
    roads_id = db_id(roads["id"])
    # Raw SQL through the app's own connection, deliberately without any filter.
    async with department_transaction(roads_id) as conn:
        cases = {r["id"] for r in await conn.execute_query_dict("SELECT id, department_id FROM grid_case")}
        assert db_id(mine["id"]) in cases and db_id(theirs["id"]) not in cases and db_id(unreferred["id"]) not in cases
        departments_seen = await conn.execute_query_dict("SELECT DISTINCT department_id FROM grid_case")
        assert departments_seen == [{"department_id": roads_id}]
        timeline = await conn.execute_query_dict("SELECT DISTINCT case_id FROM case_transition")
        assert {r["case_id"] for r in timeline} == cases
        nodes = await conn.execute_query_dict("SELECT id FROM grid_node")
        assert 0 < len(nodes) <= len(cases)  # the referred cases' nodes, not the street's grid
        photos = await conn.execute_query_dict("SELECT DISTINCT case_id FROM case_attachment")
        assert {r["case_id"] for r in photos} <= cases
        for table in ("resident", "household", "account", "sinking_staff", "sla_rule"):
            assert await conn.execute_query_dict(f'SELECT * FROM "{table}"') == [], table
        updated = await conn.execute_query_dict(
            "UPDATE grid_case SET title = 'x' WHERE id = ANY($1::bigint[]) RETURNING id",
            [[db_id(theirs["id"]), db_id(unreferred["id"])]],
        )
        assert updated == []
    for statement, values in (
        (  # a timeline line on a case not referred to the department
            "INSERT INTO case_transition (tenant_id, case_id, version, action, to_state, actor, note, at) "
            "VALUES ($1, $2, 99, 'start', 'in_progress', 'x', '', now())",
            [jinshui.id, db_id(unreferred["id"])],
        ),
        (  # an event on the street's grid topic
            "INSERT INTO event (tenant_id, topic, type, payload, created_at) "
            "VALUES ($1, $2, 'grid.node_updated', $3, now())",
            [jinshui.id, f"t{jinshui.id}.grid", f'{{"id": "{db_id(mine["id"])}"}}'],
        ),
        (  # a referred case taken away from the department
            "UPDATE grid_case SET department_id = NULL WHERE id = $1",
            [db_id(mine["id"])],
        ),
    ):
        with pytest.raises(Exception, match="row-level security"):
            async with department_transaction(roads_id) as conn:
                await conn.execute_query(statement, values)
    # Without a department, the policies admit nothing of it.
    async with tenant_transaction(None) as conn:
        assert await conn.execute_query_dict("SELECT id FROM grid_case") == []
        assert await conn.execute_query_dict("SELECT id FROM grid_node") == []


async def test_department_staff_retry_with_an_idempotency_key_runs_once(live_server, departments, tokens):
    """A department's staff have no tenant: their keys are kept per department, with the same rules."""
    import httpx

    roads = departments["roads"]
    case = await refer(live_server, tokens, roads)
    body = {"query": MOVE, "variables": {"input": {"id": case["id"], "action": "START", "version": case["version"]}}}
    headers = {"Authorization": f"Bearer {roads['token']}", "Idempotency-Key": uuid.uuid4().hex}
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as client:
        first = await client.post("/graphql", json=body, headers=headers)
        again = await client.post("/graphql", json=body, headers=headers)
        assert first.json()["data"]["transitionCase"]["errors"] == [], first.text
        assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
        other = {**body, "variables": {"input": {**body["variables"]["input"], "note": "另一个"}}}
        reused = await client.post("/graphql", json=other, headers=headers)
        assert reused.status_code == 422
        assert reused.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
        # The district's admin has neither a street nor a department: his key is refused, typed.
        admin = {"Authorization": f"Bearer {password_token('jiangning-district-admin')}", "Idempotency-Key": "k1"}
        create = {"query": CREATE, "variables": {"input": {"slug": f"x-{uuid.uuid4().hex[:6]}", "name": "x"}}}
        refused = await client.post("/graphql", json=create, headers=admin)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_UNSUPPORTED"
    timeline = (await gql_data(live_server, NODE, {"id": case["id"]}, roads["token"]))["node"]["timeline"]
    assert [t["action"] for t in timeline].count("START") == 1
