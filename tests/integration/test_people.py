"""The people registers through GraphQL against PostgreSQL and Keycloak: residents and
households, colours, party members' cards, volunteers and pairings, scope and privacy."""

from __future__ import annotations

import itertools
import json
import re
import uuid
from datetime import date, timedelta

from redgrid.tenants.people import idcard, tags

from .clients import gql, gql_data, password_token
from .people_api import CREATE_RESIDENT, ERRORS, RESIDENT, UPDATE_RESIDENT, create_resident, unique_name

HOUSEHOLD = "id address kind colour members { name } partyMembers { category }"
CREATE_HOUSEHOLD = (
    f"mutation($input: CreateHouseholdInput!) {{ createHousehold(input: $input) {{ household {{ {HOUSEHOLD} }} "
    f"{ERRORS} }} }}"
)
UPDATE_HOUSEHOLD = (
    f"mutation($input: UpdateHouseholdInput!) {{ updateHousehold(input: $input) {{ household {{ {HOUSEHOLD} }} "
    f"{ERRORS} }} }}"
)
ADD_MEMBER = (
    f"mutation($h: ID!, $r: ID!) {{ addHouseholdMember(householdId: $h, residentId: $r) {{ household {{ {HOUSEHOLD} "
    f"}} {ERRORS} }} }}"
)
REMOVE_MEMBER = (
    f"mutation($r: ID!) {{ removeHouseholdMember(residentId: $r) {{ household {{ {HOUSEHOLD} }} {ERRORS} }} }}"
)
MEMBER = (
    "id category joinedOn listed duties phonePublic organisation { name } resident { name } "
    "commitments { id content verified verifiedBy verifiedAt } serviceRecords { hours } serviceHours "
    "attendances { title kind } points { points reason } pointsBalance"
)
CREATE_MEMBER = (
    f"mutation($input: CreatePartyMemberInput!) {{ createPartyMember(input: $input) {{ partyMember {{ {MEMBER} }} "
    f"{ERRORS} }} }}"
)
RESIDENTS = f"""query($first: Int, $after: String, $filter: ResidentFilter, $order: NamedOrder) {{
  residents(first: $first, after: $after, filter: $filter, order: $order) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {RESIDENT} }} }} }} }}"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ id ... on Resident {{ {RESIDENT} }} ... on Household {{ address }} }} }}"

_serial = itertools.count(1)


def fresh_id(birth: date, male: bool = True) -> str:
    """A valid number no other test (nor the demo, which uses region 320115) has taken."""
    return idcard.make("110101", birth, 2 * (next(_serial) % 500) + (1 if male else 0))


def years_ago(years: int, days: int = 30) -> date:
    return tags.years_before(tags.today(), years) - timedelta(days=days)


B03, B04 = "JS01.A1.B03", "JS01.A1.B04"


async def create_household(server, token: str, node_id: str, kind: str = "OWNED") -> dict:
    room = uuid.uuid4().hex[:6]
    payload = (
        await gql_data(
            server,
            CREATE_HOUSEHOLD,
            {"input": {"nodeId": node_id, "building": "3号楼", "unit": "9单元", "room": room, "kind": kind}},
            token,
        )
    )["createHousehold"]
    assert payload["errors"] == [], payload["errors"]
    return payload["household"]


async def test_a_resident_gets_birth_date_sex_and_age_tags_from_the_number(live_server, tokens, grid):
    number = fresh_id(years_ago(82), male=False)
    r = await create_resident(
        live_server,
        tokens["secretary"],
        grid[B03]["id"],
        idNumber=number.lower(),
        phone="13800000001",
        tags=["LIVING_ALONE", "DISABLED"],
    )
    assert r["idNumber"] == number.upper()
    assert r["sex"] == "FEMALE" and r["birthDate"] == years_ago(82).isoformat() and r["age"] == 82
    assert r["tags"] == ["OVER_60", "OVER_80", "LIVING_ALONE", "DISABLED"]
    assert r["node"]["path"] == B03 and r["household"] is None

    young = await create_resident(
        live_server, tokens["secretary"], grid[B03]["id"], birthDate=years_ago(59, days=-3).isoformat(), sex="MALE"
    )
    assert young["idNumber"] is None and young["age"] == 58 and young["tags"] == []

    cleared = (
        await gql_data(
            live_server,
            UPDATE_RESIDENT,
            {"input": {"id": r["id"], "clearIdNumber": True, "tags": ["LOW_INCOME"]}},
            tokens["secretary"],
        )
    )["updateResident"]
    assert cleared["errors"] == []
    assert cleared["resident"]["idNumber"] is None and cleared["resident"]["birthDate"] == r["birthDate"]
    assert cleared["resident"]["tags"] == ["OVER_60", "OVER_80", "LOW_INCOME"]


async def test_bad_input_is_refused_field_by_field_and_nothing_is_written(live_server, tokens, grid):
    name = unique_name("坏数据")
    good = fresh_id(years_ago(40))
    cases = [
        (
            {"idNumber": good[:17] + ("0" if good[17] != "0" else "1"), "phone": "12345", "tags": ["OVER_60"]},
            {("idNumber", "INVALID_ID_NUMBER"), ("phone", "INVALID_PHONE"), ("tags", "DERIVED_TAG")},
        ),
        (
            {"idNumber": good, "sex": "FEMALE", "birthDate": "1990-01-01"},
            {("sex", "ID_MISMATCH"), ("birthDate", "ID_MISMATCH")},
        ),
        (
            {"birthDate": (tags.today() + timedelta(days=2)).isoformat(), "phone": "025-5212345x"},
            {("birthDate", "OUT_OF_RANGE"), ("phone", "INVALID_PHONE")},
        ),
    ]
    for fields, expected in cases:
        payload = (
            await gql_data(
                live_server,
                CREATE_RESIDENT,
                {"input": {"nodeId": grid[B03]["id"], "name": name, **fields}},
                tokens["secretary"],
            )
        )["createResident"]
        assert payload["resident"] is None
        assert {(e["field"], e["code"]) for e in payload["errors"]} == expected
    blank = (
        await gql_data(
            live_server, CREATE_RESIDENT, {"input": {"nodeId": grid[B03]["id"], "name": "  "}}, tokens["secretary"]
        )
    )["createResident"]
    assert [(e["field"], e["code"]) for e in blank["errors"]] == [("name", "INVALID_NAME")]
    found = await gql_data(live_server, RESIDENTS, {"filter": {"nameContains": name}}, tokens["secretary"])
    assert found["residents"]["totalCount"] == 0
    landline = await create_resident(live_server, tokens["secretary"], grid[B03]["id"], phone="025-52123456")
    assert landline["phone"] == "025-52123456"


async def test_an_id_number_is_registered_once_per_tenant(live_server, tokens, grid):
    number = fresh_id(years_ago(45))
    await create_resident(live_server, tokens["secretary"], grid[B04]["id"], idNumber=number)
    name = unique_name("重复")
    payload = (
        await gql_data(
            live_server,
            CREATE_RESIDENT,
            {"input": {"nodeId": grid[B04]["id"], "name": name, "idNumber": number}},
            tokens["secretary"],
        )
    )["createResident"]
    assert payload["resident"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("idNumber", "DUPLICATE")]
    assert (await gql_data(live_server, RESIDENTS, {"filter": {"nameContains": name}}, tokens["secretary"]))[
        "residents"
    ]["totalCount"] == 0
    # A grid head whose grid does not cover the registered one gets a new number's answer: the
    # row is held for the secretary's review (tests/integration/test_no_oracles.py).
    held = await create_resident(live_server, tokens["grid-head"], grid[B03]["id"], idNumber=number)
    conflicts = (await gql_data(live_server, "{ residentConflicts { held { id } } }", token=tokens["secretary"]))[
        "residentConflicts"
    ]
    assert {"held": {"id": held["id"]}} in conflicts
    other = await create_resident(live_server, tokens["secretary"], grid[B04]["id"])
    taken = (
        await gql_data(
            live_server,
            UPDATE_RESIDENT,
            {"input": {"id": other["id"], "idNumber": number, "name": name}},
            tokens["secretary"],
        )
    )["updateResident"]
    assert [e["code"] for e in taken["errors"]] == ["DUPLICATE"]
    assert (await gql_data(live_server, NODE, {"id": other["id"]}, tokens["secretary"]))["node"]["name"] != name

    hushu = password_token("hushu-secretary")
    village = (
        await gql_data(
            live_server, "{ gridNodes(first: 1, filter: {level: 3}) { edges { node { id } } } }", token=hushu
        )
    )["gridNodes"]["edges"][0]["node"]["id"]
    elsewhere = await create_resident(live_server, hushu, village, idNumber=number)
    assert elsewhere["idNumber"] == number  # unique per tenant, not across the platform


async def test_grid_head_sees_and_changes_only_his_building(live_server, tokens, grid):
    head = tokens["grid-head"]
    page = await gql_data(live_server, RESIDENTS, {"first": 500}, head)
    paths = {e["node"]["node"]["path"] for e in page["residents"]["edges"]}
    assert paths == {B03}
    in_b03 = await gql_data(
        live_server, RESIDENTS, {"first": 1, "filter": {"underId": grid[B03]["id"]}}, tokens["secretary"]
    )
    assert page["residents"]["totalCount"] == in_b03["residents"]["totalCount"] > 100
    assert (await gql_data(live_server, RESIDENTS, {"filter": {"underId": grid[B04]["id"]}}, head))["residents"][
        "totalCount"
    ] == 0
    households = await gql_data(
        live_server, "{ households(first: 500) { totalCount edges { node { node { path } } } } }", token=head
    )
    assert {e["node"]["node"]["path"] for e in households["households"]["edges"]} == {B03}
    members = await gql_data(
        live_server, "{ partyMembers(first: 500) { edges { node { resident { node { path } } } } } }", token=head
    )
    assert {e["node"]["resident"]["node"]["path"] for e in members["partyMembers"]["edges"]} == {B03}

    theirs = await create_resident(live_server, tokens["secretary"], grid[B04]["id"], phone="13900000004")
    their_home = await create_household(live_server, tokens["secretary"], grid[B04]["id"])
    mine = await create_household(live_server, head, grid[B03]["id"])
    assert (await gql_data(live_server, NODE, {"id": theirs["id"]}, head))["node"] is None
    assert (await gql_data(live_server, NODE, {"id": their_home["id"]}, head))["node"] is None
    refused = [
        await gql(live_server, UPDATE_RESIDENT, {"input": {"id": theirs["id"], "name": "改名"}}, head),
        await gql(live_server, CREATE_RESIDENT, {"input": {"nodeId": grid[B04]["id"], "name": "新人"}}, head),
        await gql(
            live_server,
            CREATE_HOUSEHOLD,
            {"input": {"nodeId": grid[B04]["id"], "building": "4号楼", "room": "1", "kind": "OWNED"}},
            head,
        ),
        await gql(live_server, ADD_MEMBER, {"h": mine["id"], "r": theirs["id"]}, head),
        await gql(live_server, UPDATE_HOUSEHOLD, {"input": {"id": their_home["id"], "kind": "RENTAL"}}, head),
    ]
    for response in refused:  # outside his grid: answered as a missing id
        errors = next(iter(response.json()["data"].values()))["errors"]
        assert [e["code"] for e in errors] == ["NOT_FOUND"], errors
    unchanged = (await gql_data(live_server, NODE, {"id": theirs["id"]}, tokens["secretary"]))["node"]
    assert unchanged["name"] == theirs["name"] and unchanged["household"] is None


ID_LIKE = re.compile(r"\d{6}(\d{8}|\*{4})\d{3}[\dX]")


async def test_a_volunteer_gets_no_register_only_his_pairings_and_never_an_id_number(live_server, tokens, grid, street):
    volunteer = tokens["volunteer"]
    for query in (
        "{ residents { totalCount } }",
        "{ households { totalCount } }",
        "{ partyMembers { totalCount } }",
        "{ volunteers { totalCount } }",
        "{ volunteerTeams { totalCount } }",
    ):
        body = (await gql(live_server, query, token=volunteer)).json()
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    staff = (await gql(live_server, "{ pairings { totalCount } }", token=tokens["dept-staff"])).json()
    assert staff["data"] is None and staff["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    elder = await create_resident(
        live_server,
        tokens["secretary"],
        grid[B03]["id"],
        idNumber=fresh_id(years_ago(77)),
        phone="13812345678",
        tags=["LIVING_ALONE"],
    )
    mine = (
        await gql_data(
            live_server,
            '{ volunteers(filter: {nameContains: "志愿者小李"}) { edges { node { id username } } } }',
            token=tokens["secretary"],
        )
    )["volunteers"]["edges"][0]["node"]
    assert mine["username"] == street.username("volunteer")
    paired = (
        await gql_data(
            live_server,
            "mutation($v: ID!, $r: ID!) { createPairing(input: {volunteerId: $v, residentId: $r, kind: "
            "LOVE_DOORBELL}) { pairing { id } errors { code } } }",
            {"v": mine["id"], "r": elder["id"]},
            tokens["grid-worker"],
        )
    )["createPairing"]
    assert paired["errors"] == []

    pairings = (
        "{ pairings(first: 500) { totalCount edges { node { id kind volunteer { username team { name } } elder { "
        "name age phone tags address } } } } }"
    )
    response = await gql(live_server, pairings, token=volunteer)
    data = response.json()["data"]["pairings"]
    assert data["totalCount"] == len(data["edges"]) >= 5
    assert {e["node"]["volunteer"]["username"] for e in data["edges"]} == {street.username("volunteer")}
    ours = next(e["node"] for e in data["edges"] if e["node"]["id"] == paired["pairing"]["id"])
    assert ours["elder"] == {
        "name": elder["name"],
        "age": 77,
        "phone": "138****5678",
        "tags": ["OVER_60", "LIVING_ALONE"],
        "address": None,
    }
    assert all(re.fullmatch(r"\d{3}\*{4}\d{4}|", e["node"]["elder"]["phone"]) for e in data["edges"])
    texts = [response.text]
    texts.append((await gql(live_server, NODE, {"id": elder["id"]}, volunteer)).text)
    assert json.loads(texts[-1])["data"]["node"] is None
    texts.append(
        (
            await gql(
                live_server,
                "query($n: ID!) { listingBoard(nodeId: $n) { name phone duties } }",
                {"n": grid[B03]["id"]},
                volunteer,
            )
        ).text
    )
    assert json.loads(texts[-1])["data"]["listingBoard"]
    for node_id in (e["node"]["id"] for e in data["edges"]):
        texts.append(
            (
                await gql(
                    live_server,
                    "query($id: ID!) { node(id: $id) { ... on Pairing { elder { name phone } } } }",
                    {"id": node_id},
                    volunteer,
                )
            ).text
        )
    assert not any(ID_LIKE.search(text) for text in texts)
    assert elder["idNumber"] not in "".join(texts)
    asked = (await gql(live_server, "{ pairings { edges { node { elder { idNumber } } } } }", token=volunteer)).json()
    assert "Cannot query field 'idNumber'" in asked["errors"][0]["message"]


async def test_what_each_role_sees_of_one_resident(live_server, tokens, grid):
    number = fresh_id(years_ago(50))
    r = await create_resident(live_server, tokens["secretary"], grid[B03]["id"], idNumber=number, phone="13800000001")
    seen = {
        role: (await gql_data(live_server, NODE, {"id": r["id"]}, tokens[role]))["node"]
        for role in ("secretary", "grid-head", "grid-worker", "volunteer", "dept-staff")
    }
    for role in ("secretary", "grid-head"):
        assert (seen[role]["idNumber"], seen[role]["phone"], seen[role]["birthDate"]) == (
            number,
            "13800000001",
            r["birthDate"],
        )
    worker = seen["grid-worker"]
    assert worker["idNumber"] == number[:6] + "****" + number[-4:]
    assert worker["birthDate"] is None and worker["age"] == 50 and worker["phone"] == "13800000001"
    assert seen["volunteer"] is None and seen["dept-staff"] is None
    listed = await gql_data(live_server, RESIDENTS, {"first": 500}, tokens["grid-worker"])
    assert listed["residents"]["edges"]
    assert all(
        e["node"]["idNumber"] is None or re.fullmatch(r"\d{6}\*{4}\d{3}[\dX]", e["node"]["idNumber"])
        for e in listed["residents"]["edges"]
    )
    assert all(e["node"]["birthDate"] is None for e in listed["residents"]["edges"])
    made = (
        await gql_data(
            live_server,
            CREATE_RESIDENT,
            {"input": {"nodeId": grid[B03]["id"], "name": unique_name(), "idNumber": fresh_id(years_ago(30))}},
            tokens["grid-worker"],
        )
    )["createResident"]
    assert made["errors"] == [] and "****" in made["resident"]["idNumber"]


async def colour_of(server, token: str, household_id: str) -> str:
    return (
        await gql_data(
            server, "query($id: ID!) { node(id: $id) { ... on Household { colour } } }", {"id": household_id}, token
        )
    )["node"]["colour"]


async def test_household_colour_follows_members_tags_party_and_kind(live_server, tokens, grid):
    head = tokens["grid-head"]
    home = await create_household(live_server, head, grid[B03]["id"], kind="RENTAL")
    assert home["colour"] == "YELLOW" and home["members"] == []
    first = await create_resident(
        live_server, head, grid[B03]["id"], householdId=home["id"], idNumber=fresh_id(years_ago(70))
    )
    assert first["household"] == {"id": home["id"], "colour": "YELLOW"}
    second = await create_resident(live_server, head, grid[B03]["id"], idNumber=fresh_id(years_ago(40)))

    steps = [
        (UPDATE_RESIDENT, {"input": {"id": first["id"], "tags": ["LOW_INCOME"]}}, "BLUE"),
        (ADD_MEMBER, {"h": home["id"], "r": second["id"]}, "BLUE"),
        (
            CREATE_MEMBER,
            {
                "input": {
                    "residentId": second["id"],
                    "organisationId": grid[B03]["org"],
                    "category": "IN_SERVICE",
                    "joinedOn": "2010-07-01",
                }
            },
            "RED",
        ),
        (UPDATE_RESIDENT, {"input": {"id": first["id"], "tags": []}}, "RED"),
        (REMOVE_MEMBER, {"r": second["id"]}, "YELLOW"),
        (UPDATE_RESIDENT, {"input": {"id": first["id"], "tags": ["HARDSHIP"]}}, "BLUE"),
        (UPDATE_HOUSEHOLD, {"input": {"id": home["id"], "kind": "OWNED"}}, "BLUE"),
        (UPDATE_RESIDENT, {"input": {"id": first["id"], "tags": ["LIVING_ALONE"]}}, "NONE"),
        (ADD_MEMBER, {"h": home["id"], "r": second["id"]}, "RED"),
        (UPDATE_HOUSEHOLD, {"input": {"id": home["id"], "kind": "VACANT"}}, "RED"),
    ]
    for mutation, variables, expected in steps:
        data = await gql_data(live_server, mutation, variables, head)
        assert next(iter(data.values()))["errors"] == []
        assert await colour_of(live_server, head, home["id"]) == expected, (mutation[:40], expected)
    reds = await gql_data(
        live_server,
        "{ households(first: 500, filter: {colour: RED}) { edges { node { id colour partyMembers { category } } } } }",
        token=head,
    )
    edges = reds["households"]["edges"]
    assert home["id"] in {e["node"]["id"] for e in edges}
    assert all(e["node"]["colour"] == "RED" and e["node"]["partyMembers"] for e in edges)


async def test_every_stored_colour_is_the_derived_one(db):
    """After the demo seed and the tests above, no household's colour is stale."""
    from redgrid.platform.database import tenant_transaction
    from redgrid.platform.models import Tenant

    for tenant in await Tenant.all():
        async with tenant_transaction(tenant.id) as conn:
            stale = await conn.execute_query_dict("""
                SELECT h.id, h.colour FROM household h WHERE h.colour <> CASE
                  WHEN EXISTS (SELECT 1 FROM party_member p JOIN resident r ON r.id = p.resident_id
                               WHERE r.household_id = h.id) THEN 'red'
                  WHEN EXISTS (SELECT 1 FROM resident r
                               WHERE r.household_id = h.id AND (r.low_income OR r.hardship)) THEN 'blue'
                  WHEN h.kind IN ('rental', 'vacant') THEN 'yellow' ELSE 'none' END""")
            assert stale == []
            if tenant.slug in ("jinshui", "hushu"):  # the demo streets hold every colour; test tenants may hold none
                counts = await conn.execute_query_dict("SELECT colour, count(*) AS n FROM household GROUP BY colour")
                assert {r["colour"] for r in counts} == {"red", "blue", "yellow", "none"}


async def test_party_member_cards_points_and_the_listing_board(live_server, tokens, grid, street):
    head, secretary = tokens["grid-head"], tokens["secretary"]
    r = await create_resident(live_server, head, grid[B03]["id"], idNumber=fresh_id(years_ago(55)), phone="13700001111")
    bad = (
        await gql_data(
            live_server,
            CREATE_MEMBER,
            {
                "input": {
                    "residentId": r["id"],
                    "organisationId": grid[B04]["org"],
                    "category": "RESIDENT",
                    "joinedOn": "2001-07-01",
                }
            },
            secretary,
        )
    )["createPartyMember"]
    assert [e["code"] for e in bad["errors"]] == ["ORG_ELSEWHERE"]
    future = (
        await gql_data(
            live_server,
            CREATE_MEMBER,
            {
                "input": {
                    "residentId": r["id"],
                    "organisationId": grid[B03]["org"],
                    "category": "RESIDENT",
                    "joinedOn": (tags.today() + timedelta(days=5)).isoformat(),
                }
            },
            head,
        )
    )["createPartyMember"]
    assert [e["code"] for e in future["errors"]] == ["IN_FUTURE"]
    created = (
        await gql_data(
            live_server,
            CREATE_MEMBER,
            {
                "input": {
                    "residentId": r["id"],
                    "organisationId": grid[B03]["org"],
                    "category": "RESIDENT",
                    "joinedOn": "2001-07-01",
                }
            },
            head,
        )
    )["createPartyMember"]
    assert created["errors"] == []
    member = created["partyMember"]
    assert member["organisation"]["name"] == "3号楼党小组" and member["pointsBalance"] == 0
    again = (
        await gql_data(
            live_server,
            CREATE_MEMBER,
            {
                "input": {
                    "residentId": r["id"],
                    "organisationId": grid["JS01"]["org"],
                    "category": "RESIDENT",
                    "joinedOn": "2001-07-01",
                }
            },
            secretary,
        )
    )["createPartyMember"]
    assert [e["code"] for e in again["errors"]] == ["DUPLICATE"]

    def call(name: str, input_type: str, fields: str = MEMBER) -> str:
        return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ partyMember {{ {fields} }} {ERRORS} }} }}"

    commitment = (
        await gql_data(
            live_server,
            "mutation($input: AddCommitmentInput!) { addCommitment(input: $input) { commitment { id verified } "
            "errors { code } } }",
            {"input": {"memberId": member["id"], "content": "每周巡查楼道", "deadline": "2027-06-30"}},
            head,
        )
    )["addCommitment"]["commitment"]
    assert commitment["verified"] is False
    verified = (
        await gql_data(
            live_server,
            "mutation($id: ID!) { verifyCommitment(id: $id) { commitment { verified verifiedBy verifiedAt } "
            "errors { code } } }",
            {"id": commitment["id"]},
            head,
        )
    )["verifyCommitment"]["commitment"]
    assert verified["verified"] and verified["verifiedBy"] == street.username("grid-head") and verified["verifiedAt"]
    for hours in (1.5, 2):
        served = (
            await gql_data(
                live_server,
                call("addServiceRecord", "AddServiceRecordInput"),
                {
                    "input": {
                        "memberId": member["id"],
                        "servedOn": "2026-05-01",
                        "content": "陪老人就医",
                        "hours": hours,
                    }
                },
                head,
            )
        )["addServiceRecord"]
        assert served["errors"] == []
    assert served["partyMember"]["serviceHours"] == 3.5
    tenths = (
        await gql_data(
            live_server,
            call("addServiceRecord", "AddServiceRecordInput"),
            {"input": {"memberId": member["id"], "servedOn": "2026-05-01", "content": "x", "hours": 0.25}},
            head,
        )
    )["addServiceRecord"]
    assert [e["field"] for e in tenths["errors"]] == ["hours"]
    attendance = {
        "input": {"memberId": member["id"], "title": "七一主题党日", "heldOn": "2026-07-01", "kind": "THEME_PARTY_DAY"}
    }
    attended = (await gql_data(live_server, call("recordAttendance", "RecordAttendanceInput"), attendance, head))[
        "recordAttendance"
    ]["partyMember"]
    assert (
        attended["attendances"] == [{"title": "七一主题党日", "kind": "THEME_PARTY_DAY"}]
        and attended["pointsBalance"] == 3
    )
    twice = (await gql_data(live_server, call("recordAttendance", "RecordAttendanceInput"), attendance, head))[
        "recordAttendance"
    ]
    assert [e["code"] for e in twice["errors"]] == ["DUPLICATE"]
    deducted = (
        await gql_data(
            live_server,
            call("addPoints", "AddPointsInput"),
            {"input": {"memberId": member["id"], "points": -1, "reason": "缺席学习"}},
            head,
        )
    )["addPoints"]["partyMember"]
    assert deducted["pointsBalance"] == 2 and [p["points"] for p in deducted["points"]] == [3, -1]
    zero = (
        await gql_data(
            live_server,
            call("addPoints", "AddPointsInput"),
            {"input": {"memberId": member["id"], "points": 0, "reason": "x"}},
            head,
        )
    )["addPoints"]
    assert [e["code"] for e in zero["errors"]] == ["OUT_OF_RANGE"]
    worker = (
        await gql(
            live_server,
            call("addPoints", "AddPointsInput"),
            {"input": {"memberId": member["id"], "points": 5, "reason": "x"}},
            tokens["grid-worker"],
        )
    ).json()
    assert worker["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    board = "query($n: ID!) { listingBoard(nodeId: $n) { name photoUrl phone duties category } }"
    listing = {
        "memberId": member["id"],
        "listed": True,
        "photoUrl": "https://photos.example.cn/x.jpg",
        "duties": "楼栋长",
    }
    bad_url = (
        await gql_data(
            live_server,
            call("setListing", "SetListingInput"),
            {"input": {**listing, "photoUrl": "javascript:alert(1)"}},
            head,
        )
    )["setListing"]
    assert [e["code"] for e in bad_url["errors"]] == ["INVALID_URL"]
    await gql_data(live_server, call("setListing", "SetListingInput"), {"input": listing}, head)
    for role, consent, phone in (
        ("volunteer", False, None),
        ("volunteer", True, "13700001111"),
        ("dept-staff", True, "13700001111"),
    ):
        await gql_data(
            live_server, call("setListing", "SetListingInput"), {"input": {**listing, "phonePublic": consent}}, head
        )
        entries = (await gql_data(live_server, board, {"n": grid[B03]["id"]}, tokens[role]))["listingBoard"]
        assert {
            "name": r["name"],
            "photoUrl": listing["photoUrl"],
            "phone": phone,
            "duties": "楼栋长",
            "category": "RESIDENT",
        } in entries
    area = (await gql_data(live_server, board, {"n": grid["JS01.A1"]["id"]}, tokens["volunteer"]))["listingBoard"]
    assert r["name"] in {e["name"] for e in area} and len(area) > len(entries)
    await gql_data(
        live_server, call("setListing", "SetListingInput"), {"input": {"memberId": member["id"], "listed": False}}, head
    )
    assert r["name"] not in {
        e["name"] for e in (await gql_data(live_server, board, {"n": grid[B03]["id"]}, secretary))["listingBoard"]
    }


async def test_teams_volunteers_and_pairings(live_server, tokens, grid, street):
    secretary, worker = tokens["secretary"], tokens["grid-worker"]
    team_call = (
        "mutation($input: CreateVolunteerTeamInput!) { createVolunteerTeam(input: $input) { team { id name kind } "
        "errors { field code } } }"
    )
    name = unique_name("调解队")
    team = (await gql_data(live_server, team_call, {"input": {"name": name, "kind": "MEDIATION"}}, secretary))[
        "createVolunteerTeam"
    ]["team"]
    assert (await gql_data(live_server, team_call, {"input": {"name": name, "kind": "LEGAL"}}, secretary))[
        "createVolunteerTeam"
    ]["errors"] == [{"field": "name", "code": "DUPLICATE"}]
    assert (await gql(live_server, team_call, {"input": {"name": unique_name(), "kind": "LEGAL"}}, worker)).json()[
        "errors"
    ][0]["extensions"]["code"] == "FORBIDDEN"

    volunteer_call = (
        "mutation($input: CreateVolunteerInput!) { createVolunteer(input: $input) { volunteer { id name username "
        "team { name } } errors { field code } } }"
    )
    helper = await create_resident(live_server, worker, grid[B03]["id"], idNumber=fresh_id(years_ago(35)))
    made = (
        await gql_data(
            live_server, volunteer_call, {"input": {"teamId": team["id"], "residentId": helper["id"]}}, worker
        )
    )["createVolunteer"]
    assert (
        made["errors"] == []
        and made["volunteer"]["name"] == helper["name"]
        and made["volunteer"]["team"]["name"] == name
    )
    taken = (
        await gql_data(
            live_server,
            volunteer_call,
            {"input": {"teamId": team["id"], "username": street.username("volunteer"), "name": "x"}},
            secretary,
        )
    )["createVolunteer"]
    assert taken["errors"] == [{"field": "username", "code": "DUPLICATE"}]
    nobody = (await gql_data(live_server, volunteer_call, {"input": {"teamId": team["id"]}}, secretary))[
        "createVolunteer"
    ]
    assert {e["code"] for e in nobody["errors"]} == {"REQUIRED", "INVALID_NAME"}

    pair_call = (
        "mutation($input: CreatePairingInput!) { createPairing(input: $input) { pairing { id kind active startedOn "
        "endedOn elder { name } } errors { field code } } }"
    )
    volunteer_id = made["volunteer"]["id"]
    pair = {"volunteerId": volunteer_id, "residentId": helper["id"], "kind": "KNOCK_DAILY"}
    assert (await gql_data(live_server, pair_call, {"input": pair}, worker))["createPairing"]["errors"] == [
        {"field": "residentId", "code": "NOT_ELIGIBLE"}
    ]
    elder = await create_resident(
        live_server, worker, grid[B03]["id"], idNumber=fresh_id(years_ago(88)), tags=["LIVING_ALONE"]
    )
    pair["residentId"] = elder["id"]
    started = (await gql_data(live_server, pair_call, {"input": pair}, worker))["createPairing"]["pairing"]
    assert (
        started["active"]
        and started["startedOn"] == tags.today().isoformat()
        and started["elder"]["name"] == elder["name"]
    )
    assert (await gql_data(live_server, pair_call, {"input": pair}, worker))["createPairing"]["errors"] == [
        {"field": "residentId", "code": "DUPLICATE"}
    ]
    far = await create_resident(
        live_server, secretary, grid[B04]["id"], idNumber=fresh_id(years_ago(90)), tags=["LIVING_ALONE"]
    )
    far_pairing = (await gql_data(live_server, pair_call, {"input": {**pair, "residentId": far["id"]}}, worker))[
        "createPairing"
    ]
    assert [e["code"] for e in far_pairing["errors"]] == ["NOT_FOUND"]  # outside his grid: as a missing resident

    end = "mutation($id: ID!) { endPairing(id: $id) { pairing { active endedOn } errors { code } } }"
    ended = (await gql_data(live_server, end, {"id": started["id"]}, worker))["endPairing"]["pairing"]
    assert ended == {"active": False, "endedOn": tags.today().isoformat()}
    listed = "query($v: ID!, $active: Boolean) { pairings(filter: {volunteerId: $v, active: $active}) { totalCount } }"
    assert (await gql_data(live_server, listed, {"v": volunteer_id, "active": True}, secretary))["pairings"][
        "totalCount"
    ] == 0
    assert (await gql_data(live_server, listed, {"v": volunteer_id, "active": None}, secretary))["pairings"][
        "totalCount"
    ] == 1
    assert (await gql(live_server, end, {"id": started["id"]}, tokens["volunteer"])).json()["errors"][0]["extensions"][
        "code"
    ] == "FORBIDDEN"


async def walk(server, token: str, field: str, query: str, variables: dict) -> tuple[list[dict], int]:
    """Every node of a connection, page by page."""
    seen, after = [], None
    while True:
        page = (await gql_data(server, query, {**variables, "after": after}, token))[field]
        seen += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


async def test_pages_filters_and_orderings_do_not_skip_or_repeat(live_server, tokens, grid):
    secretary = tokens["secretary"]
    names, total = await walk(
        live_server,
        secretary,
        "residents",
        RESIDENTS,
        {"first": 9, "filter": {"underId": grid[B03]["id"]}, "order": {"field": "NAME", "direction": "DESC"}},
    )
    assert len(names) == total == len({n["id"] for n in names}) > 100
    assert [n["name"] for n in names] == sorted((n["name"] for n in names), reverse=True)

    old, _ = await walk(
        live_server,
        secretary,
        "residents",
        RESIDENTS,
        {"first": 50, "filter": {"tag": "OVER_80", "underId": grid["JS01.A2"]["id"]}, "order": {"field": "CREATED_AT"}},
    )
    assert old and all(
        n["age"] >= 80 and "OVER_80" in n["tags"] and n["node"]["path"].startswith("JS01.A2.") for n in old
    )
    alone = await gql_data(live_server, RESIDENTS, {"first": 100, "filter": {"tag": "LIVING_ALONE"}}, secretary)
    assert alone["residents"]["edges"] and all("LIVING_ALONE" in e["node"]["tags"] for e in alone["residents"]["edges"])
    wang = await gql_data(live_server, RESIDENTS, {"first": 100, "filter": {"nameContains": "王"}}, secretary)
    assert wang["residents"]["totalCount"] > 0 and all("王" in e["node"]["name"] for e in wang["residents"]["edges"])

    households = """query($first: Int, $after: String, $filter: HouseholdFilter, $order: HouseholdOrder) {
      households(first: $first, after: $after, filter: $filter, order: $order) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id address colour kind } } } }"""
    blue, total = await walk(
        live_server,
        secretary,
        "households",
        households,
        {"first": 7, "filter": {"colour": "BLUE"}, "order": {"field": "ADDRESS", "direction": "DESC"}},
    )
    assert 0 < len(blue) == total == len({h["id"] for h in blue}) and all(h["colour"] == "BLUE" for h in blue)
    assert [h["address"] for h in blue] == sorted((h["address"] for h in blue), reverse=True)
    rentals = await gql_data(
        live_server, households, {"first": 20, "filter": {"kind": "RENTAL", "addressContains": "7号楼"}}, secretary
    )
    assert rentals["households"]["edges"]
    assert all(
        h["node"]["kind"] == "RENTAL" and "7号楼" in h["node"]["address"] for h in rentals["households"]["edges"]
    )

    members = """query($first: Int, $after: String, $filter: PartyMemberFilter, $order: PartyMemberOrder) {
      partyMembers(first: $first, after: $after, filter: $filter, order: $order) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id category joinedOn } } } }"""
    retired, total = await walk(
        live_server,
        secretary,
        "partyMembers",
        members,
        {"first": 6, "filter": {"category": "RETIRED"}, "order": {"field": "JOINED_ON", "direction": "DESC"}},
    )
    assert len(retired) == total == len({m["id"] for m in retired}) > 20
    assert all(m["category"] == "RETIRED" for m in retired)
    assert [m["joinedOn"] for m in retired] == sorted((m["joinedOn"] for m in retired), reverse=True)
    by_org = await gql_data(
        live_server, members, {"first": 50, "filter": {"organisationId": grid[B03]["org"]}}, secretary
    )
    assert by_org["partyMembers"]["totalCount"] >= 5

    pairings = """query($first: Int, $after: String, $order: PairingOrder) {
      pairings(first: $first, after: $after, order: $order) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id startedOn } } } }"""
    paired, total = await walk(
        live_server, secretary, "pairings", pairings, {"first": 40, "order": {"field": "STARTED_ON"}}
    )
    assert len(paired) == total == len({p["id"] for p in paired}) and [p["startedOn"] for p in paired] == sorted(
        p["startedOn"] for p in paired
    )
    volunteers = """query($first: Int, $after: String) {
      volunteers(first: $first, after: $after, order: {field: CREATED_AT, direction: DESC}) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }"""
    people, total = await walk(live_server, secretary, "volunteers", volunteers, {"first": 4})
    assert len(people) == total == len({p["id"] for p in people}) >= 21
    teams = await gql_data(
        live_server,
        "{ volunteerTeams(filter: {kind: ELDERLY_CARE}) { edges { node { name kind } } } }",
        token=secretary,
    )
    assert {e["node"]["kind"] for e in teams["volunteerTeams"]["edges"]} == {"ELDERLY_CARE"}
