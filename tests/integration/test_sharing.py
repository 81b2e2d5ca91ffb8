"""Sharing across streets: two streets of one district (A offers, B asks) and a street of
another district (C). The catalogue honours each resource's scope and names no contact; a
request goes the whole loop with both ratings, live to both streets and nobody else; two
streets booking one venue slot at once get one booking and one SLOT_TAKEN; goods never go
below zero; and with the application's filter bypassed, nothing of a street but its shared
rows is readable by another."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from redgrid.platform.database import tenant_owned_tables, tenant_transaction

from .clients import Subscriber, gql_data
from .conftest import Street, build_street, forget_street, street_slug

SEARCH = """query($filter: CatalogueFilter) { catalogue(first: 200, filter: $filter) {
  totalCount edges { node { id kind description unitName streetName scope quantity own } } } }"""
ADD = """mutation($input: AddUnitResourceInput!) { addUnitResource(input: $input) {
  resource { id shareScope quantity } errors { code field } } }"""
REQUEST = """mutation($input: RequestShareInput!) { requestShare(input: $input) {
  request { id status version mine offered quantity slotStart resource { unitName } } errors { code field } } }"""
STEP = """mutation($id: ID!{decl}) {{ {name}(id: $id{args}) {{ request {{ id status requesterRating ownerRating }}
  errors {{ code }} }} }}"""
ARG_TYPES = {"reason": "String!", "rating": "Int!", "scheduledFor": "DateTime"}
EVENTS = (
    "subscription($area: EventArea!, $after: Int) { events(area: $area, after: $after) { __typename "
    "... on SharingEvent { seq type requestId status version } } }"
)


@pytest.fixture(scope="module")
async def streets(street: Street, fresh_database: dict[str, str]):
    """A is the module's street; B a second street of A's district; C a street of another."""
    b_slug, c_slug = street_slug("sharing-b"), street_slug("sharing-c")
    try:
        b = await build_street(fresh_database, b_slug, street.district, like="hushu")
        c = await build_street(fresh_database, c_slug, f"{c_slug}-district", like="hushu")
        yield {"A": street, "B": b, "C": c}
    finally:
        forget_street(b_slug)
        forget_street(c_slug)


@pytest.fixture(scope="module")
def secretaries(streets) -> dict[str, str]:
    return {name: s.token("secretary") for name, s in streets.items()}


@pytest.fixture(scope="module")
async def offered(live_server, secretaries) -> dict:
    """A offers, under a word of this run: a venue to the district, goods (5) to every
    district, equipment to its street only."""
    word = f"共享{secrets.token_hex(3)}"
    units = await gql_data(
        live_server, "{ jointUnits(first: 1) { edges { node { id name } } } }", token=secretaries["A"]
    )
    unit = units["jointUnits"]["edges"][0]["node"]
    made = {}
    for name, kind, scope, quantity in (
        ("venue", "VENUE", "DISTRICT", None),
        ("goods", "GOODS", "ALL", 5),
        ("equipment", "EQUIPMENT", "STREET", None),
    ):
        data = await gql_data(
            live_server,
            ADD,
            {
                "input": {
                    "unitId": unit["id"],
                    "kind": kind,
                    "description": f"{word} {name}",
                    "shareScope": scope,
                    "quantity": quantity,
                }
            },
            secretaries["A"],
        )
        assert data["addUnitResource"]["errors"] == [], data
        made[name] = data["addUnitResource"]["resource"]
    return {"word": word, "unit": unit, **made}


async def search(server, token: str, **filter) -> list[dict]:
    data = await gql_data(server, SEARCH, {"filter": filter}, token)
    return [e["node"] for e in data["catalogue"]["edges"]]


async def test_the_catalogue_honours_each_scope_and_names_no_contact(live_server, secretaries, offered, streets):
    word = offered["word"]
    seen = {name: await search(live_server, token, words=word) for name, token in secretaries.items()}
    assert sorted(r["description"].split()[1] for r in seen["A"]) == ["equipment", "goods", "venue"]
    assert sorted(r["description"].split()[1] for r in seen["B"]) == ["goods", "venue"]
    assert [r["description"].split()[1] for r in seen["C"]] == ["goods"]
    for rows in seen.values():
        for row in rows:
            assert row["unitName"] == offered["unit"]["name"] and row["streetName"]
    assert all(r["own"] for r in seen["A"]) and not any(r["own"] for r in seen["B"] + seen["C"])
    # No personal data: the catalogue has no contact fields, and asking for one is invalid.
    body = str(seen)
    assert "1380001" not in body and "联络员" not in body
    # Filters: kind, others only, district only, in stock.
    assert [r["kind"] for r in await search(live_server, secretaries["B"], words=word, kind="VENUE")] == ["VENUE"]
    assert await search(live_server, secretaries["A"], words=word, othersOnly=True) == []
    assert [r["kind"] for r in await search(live_server, secretaries["C"], words=word, districtOnly=True)] == []
    # The demo-shaped street A shares 88 resources with its district: B finds them, C none.
    b_from_a = await search(live_server, secretaries["B"], othersOnly=True, districtOnly=True, kind="VENUE")
    assert b_from_a and all(r["streetName"] == streets["A"].tenant.name for r in b_from_a)
    assert await search(live_server, secretaries["C"], othersOnly=True, districtOnly=True) == []
    # A search asking only the catalogue's own fields is one statement (graphql/core/compiled.py):
    # the same rows and values as the resolvers give.
    compiled = await gql_data(
        live_server,
        "query($filter: CatalogueFilter) { catalogue(first: 200, filter: $filter) { edges { node { "
        "id kind description unitName streetName scope quantity } } } }",
        {"filter": {"othersOnly": True}},
        secretaries["B"],
    )
    by_resolvers = await search(live_server, secretaries["B"], othersOnly=True)
    assert [e["node"] for e in compiled["catalogue"]["edges"]] == [
        {k: v for k, v in r.items() if k != "own"} for r in by_resolvers
    ]
    # Roles outside sharing are refused.
    body = await gql_anyway(live_server, SEARCH, {"filter": {}}, streets["B"].token("grid-worker"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def gql_anyway(server, query, variables, token) -> dict:
    from .clients import gql

    return (await gql(server, query, variables, token)).json()


def share_id(rows: list[dict], name: str) -> str:
    return next(r["id"] for r in rows if r["description"].endswith(name))


async def step(server, token, name: str, request_id: str, **args) -> dict:
    decl = "".join(f", ${k}: {ARG_TYPES[k]}" for k in args)
    query = STEP.format(name=name, decl=decl, args="".join(f", {k}: ${k}" for k in args))
    data = await gql_data(server, query, {"id": request_id, **args}, token)
    return data[name]


async def test_the_whole_request_loop_with_both_ratings_live_to_both_streets_only(live_server, secretaries, offered):
    rows = await search(live_server, secretaries["B"], words=offered["word"])
    goods = share_id(rows, "goods")
    async with (
        Subscriber(live_server, secretaries["A"], "SHARING", query=EVENTS) as a_events,
        Subscriber(live_server, secretaries["B"], "SHARING", query=EVENTS) as b_events,
        Subscriber(live_server, secretaries["C"], "SHARING", query=EVENTS) as c_events,
    ):
        made = await gql_data(
            live_server, REQUEST, {"input": {"shareId": goods, "quantity": 2, "note": "社区活动用"}}, secretaries["B"]
        )
        assert made["requestShare"]["errors"] == []
        request = made["requestShare"]["request"]
        assert request["status"] == "REQUESTED" and request["mine"] and not request["offered"]
        assert request["resource"]["unitName"] == offered["unit"]["name"]
        rid = request["id"]
        # The requesting street cannot answer its own request; the offering street can.
        body = await gql_anyway(
            live_server, STEP.format(name="approveShareRequest", decl="", args=""), {"id": rid}, secretaries["B"]
        )
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        # C cannot see it at all: NOT_FOUND, as a missing one.
        assert (await step(live_server, secretaries["C"], "cancelShareRequest", rid, reason="x"))["errors"] == [
            {"code": "NOT_FOUND"}
        ]
        assert (await step(live_server, secretaries["A"], "approveShareRequest", rid))["request"][
            "status"
        ] == "APPROVED"
        scheduled = await step(
            live_server,
            secretaries["A"],
            "scheduleShareRequest",
            rid,
            scheduledFor=(datetime.now(UTC) + timedelta(days=1)).isoformat(),
        )
        assert scheduled["request"]["status"] == "SCHEDULED"
        assert (await step(live_server, secretaries["A"], "deliverShareRequest", rid))["request"][
            "status"
        ] == "DELIVERED"
        rated = await step(live_server, secretaries["B"], "rateShareRequest", rid, rating=5)
        assert rated["request"]["requesterRating"] == 5 and rated["request"]["ownerRating"] is None
        again = await step(live_server, secretaries["B"], "rateShareRequest", rid, rating=1)
        assert again["errors"] == [{"code": "ILLEGAL_TRANSITION"}]
        rated = await step(live_server, secretaries["A"], "rateShareRequest", rid, rating=4)
        assert (rated["request"]["requesterRating"], rated["request"]["ownerRating"]) == (5, 4)
        # Cancelling after delivery is refused.
        late = await step(live_server, secretaries["B"], "cancelShareRequest", rid, reason="x")
        assert late["errors"] == [{"code": "ILLEGAL_TRANSITION"}]

        steps = [
            "SHARING_REQUESTED",
            "SHARING_APPROVED",
            "SHARING_SCHEDULED",
            "SHARING_DELIVERED",
            "SHARING_RATED",
            "SHARING_RATED",
        ]
        await a_events.wait_for(len(steps))
        await b_events.wait_for(len(steps))
        for sub in (a_events, b_events):
            assert [e["type"] for e in sub.events] == steps
            assert {e["requestId"] for e in sub.events} == {rid}
        await asyncio.sleep(0.5)
        assert c_events.events == []
    # Two goods delivered: 3 left, in the catalogue of every street that sees it.
    assert [r["quantity"] for r in await search(live_server, secretaries["C"], words=offered["word"])] == [3]


async def test_two_streets_booking_one_venue_slot_at_once_get_one_booking(live_server, secretaries, offered, streets):
    # A opens the venue to every district, so that C may ask too.
    venue_resource = offered["venue"]["id"]
    changed = await gql_data(
        live_server,
        "mutation($input: UpdateUnitResourceInput!) { updateUnitResource(input: $input) { errors { code } } }",
        {"input": {"id": venue_resource, "shareScope": "ALL"}},
        secretaries["A"],
    )
    assert changed["updateUnitResource"]["errors"] == []
    venue = share_id(await search(live_server, secretaries["C"], words=offered["word"]), "venue")
    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    slot = {"slotStart": start.isoformat(), "slotEnd": (start + timedelta(hours=2)).isoformat()}
    for attempt in range(3):  # three rounds: the race is real each time
        offset = timedelta(days=attempt)
        this = {k: (datetime.fromisoformat(v) + offset).isoformat() for k, v in slot.items()}
        answers = await asyncio.gather(
            *(
                gql_data(live_server, REQUEST, {"input": {"shareId": venue, **this}}, secretaries[name])
                for name in ("B", "C")
            )
        )
        outcomes = sorted(
            "booked" if a["requestShare"]["request"] else a["requestShare"]["errors"][0]["code"] for a in answers
        )
        assert outcomes == ["SLOT_TAKEN", "booked"], answers
    # An overlapping slot is refused too; once the winner cancels, the slot is free again.
    later = {k: (datetime.fromisoformat(v) + timedelta(hours=1)).isoformat() for k, v in slot.items()}
    for name in ("A", "B", "C"):
        refused = await gql_data(live_server, REQUEST, {"input": {"shareId": venue, **later}}, secretaries[name])
        assert refused["requestShare"]["errors"] == [{"code": "SLOT_TAKEN", "field": "slotStart"}]
    holders = []
    for name in ("B", "C"):
        data = await gql_data(
            live_server,
            "{ shareRequests(first: 20, filter: {mine: true}) { edges { node { id status slotStart } } } }",
            token=secretaries[name],
        )
        holders += [
            (name, e["node"])
            for e in data["shareRequests"]["edges"]
            if e["node"]["status"] == "REQUESTED" and datetime.fromisoformat(e["node"]["slotStart"]) == start
        ]
    assert len(holders) == 1
    name, held = holders[0]
    cancelled = await step(live_server, secretaries[name], "cancelShareRequest", held["id"], reason="改期")
    assert cancelled["request"]["status"] == "CANCELLED"
    other = "C" if name == "B" else "B"
    booked = await gql_data(live_server, REQUEST, {"input": {"shareId": venue, **slot}}, secretaries[other])
    assert booked["requestShare"]["errors"] == []
    # A venue needs a slot; goods need a quantity they have.
    no_slot = await gql_data(live_server, REQUEST, {"input": {"shareId": venue}}, secretaries["B"])
    assert no_slot["requestShare"]["errors"][0]["code"] == "REQUIRED"


async def test_goods_never_go_below_zero_under_concurrent_deliveries(live_server, secretaries, offered):
    goods = share_id(await search(live_server, secretaries["B"], words=offered["word"]), "goods")
    left = next(
        r["quantity"] for r in await search(live_server, secretaries["B"], words=offered["word"]) if r["id"] == goods
    )
    ids = []
    for name in ("B", "C"):  # each asks for all that is left
        made = await gql_data(live_server, REQUEST, {"input": {"shareId": goods, "quantity": left}}, secretaries[name])
        ids.append(made["requestShare"]["request"]["id"])
    for rid in ids:
        await step(live_server, secretaries["A"], "approveShareRequest", rid)
        await step(
            live_server,
            secretaries["A"],
            "scheduleShareRequest",
            rid,
            scheduledFor=(datetime.now(UTC) + timedelta(days=1)).isoformat(),
        )
    answers = await asyncio.gather(*(step(live_server, secretaries["A"], "deliverShareRequest", rid) for rid in ids))
    outcomes = sorted(a["request"]["status"] if a["request"] else a["errors"][0]["code"] for a in answers)
    assert outcomes == ["DELIVERED", "OUT_OF_STOCK"]
    assert [
        r["quantity"] for r in await search(live_server, secretaries["A"], words=offered["word"], kind="GOODS")
    ] == [0]
    in_stock = await search(live_server, secretaries["B"], words=offered["word"], inStock=True)
    assert "GOODS" not in [r["kind"] for r in in_stock]


async def test_nothing_but_shared_rows_is_readable_by_another_street_with_the_filter_bypassed(streets, offered):
    """As the app's role inside B's and C's transactions, raw SQL without any WHERE."""
    a, b, c = (streets[n].tenant.id for n in "ABC")
    expected_scopes = {b: {"district", "all"}, c: {"all"}}
    for reader in (b, c):
        async with tenant_transaction(reader) as conn:
            for table in tenant_owned_tables():
                rows = await conn.execute_query_dict(f'SELECT DISTINCT tenant_id FROM "{table}"')
                foreign = {r["tenant_id"] for r in rows} - {reader}
                if table == "resource_share":
                    scopes = await conn.execute_query_dict(
                        "SELECT DISTINCT scope FROM resource_share WHERE tenant_id = $1", [a]
                    )
                    assert {r["scope"] for r in scopes} == expected_scopes[reader]
                elif table == "share_request":  # made of the reader's street: none here
                    assert foreign == set(), table
                elif table == "event":  # only the sharing topic, of requests the reader is party to
                    topics = await conn.execute_query_dict(
                        "SELECT DISTINCT topic FROM event WHERE tenant_id <> $1", [reader]
                    )
                    assert {r["topic"] for r in topics} <= {f"t{t}.sharing" for t in foreign}, topics
                else:
                    assert a not in foreign, table
            # Reading is all: another street's catalogue rows and requests are not written.
            assert (
                await conn.execute_query("UPDATE resource_share SET quantity = 99 WHERE tenant_id <> $1", [reader])
            )[0] == 0
            assert (await conn.execute_query("UPDATE unit_resource SET quantity = 99"))[0] == 0
            assert (await conn.execute_query("DELETE FROM resource_share"))[0] == 0
        # A request of a row the street may not read is refused by the database itself.
        hidden = await _street_only_share(a)
        with pytest.raises(Exception, match="row-level security"):
            async with tenant_transaction(reader) as conn:
                await conn.execute_query(
                    "INSERT INTO share_request (tenant_id, share_id, owner_tenant_id, resource_id, owner_unit_id,"
                    " requester_name, requested_by, note, status, version, reason, requested_at)"
                    " SELECT $1, id, tenant_id, resource_id, unit_id, 'x', 'x', '', 'requested', 1, '', now()"
                    " FROM (SELECT $2::bigint AS id, $3::bigint AS tenant_id, 0::bigint AS resource_id,"
                    " 0::bigint AS unit_id) s",
                    [reader, hidden, a],
                )


async def _street_only_share(tenant_id: int) -> int:
    async with tenant_transaction(tenant_id) as conn:
        rows = await conn.execute_query_dict("SELECT id FROM resource_share WHERE scope = 'street' LIMIT 1")
        return rows[0]["id"]


CREATE_ACCOUNT = """mutation($input: CreateAccountInput!) { createAccount(input: $input) {
  account { username role unitId } temporaryPassword errors { code field } } }"""


@pytest.fixture(scope="module")
async def unit_contact(live_server, streets, secretaries, offered) -> str:
    """A's secretary makes a unit contact of the unit that offers this module's resources
    (the role made in the running realm if it lacks it); his token."""
    from .clients import ensure_realm_role, password_token, realm_admin

    ensure_realm_role("unit-contact", "A joint-building unit's contact")
    username = f"{streets['A'].slug}-uc"
    base = {"username": username, "displayName": "王联络", "role": "UNIT_CONTACT", "email": f"{username}@example.com"}
    refused = await gql_data(live_server, CREATE_ACCOUNT, {"input": base}, secretaries["A"])
    assert refused["createAccount"]["errors"] == [{"code": "UNIT_REQUIRED", "field": "unitId"}]
    made = await gql_data(
        live_server, CREATE_ACCOUNT, {"input": {**base, "unitId": offered["unit"]["id"]}}, secretaries["A"]
    )
    assert made["createAccount"]["errors"] == [], made
    assert made["createAccount"]["account"]["unitId"] == offered["unit"]["id"]
    admin, password = realm_admin(), f"Pw-{secrets.token_hex(16)}"
    user_id = admin.get_user_id(username)
    admin.set_user_password(user_id, password, temporary=False)
    user = admin.get_user(user_id)  # sent back whole: Keycloak's update replaces the attributes
    admin.update_user(user_id, {**user, "emailVerified": True, "requiredActions": []})
    return password_token(username, password)


async def test_a_unit_contact_keeps_his_units_resources_and_answers_their_requests(
    live_server, secretaries, offered, unit_contact
):
    # He adds a resource to his own unit, shared with the district; B finds it and asks.
    added = await gql_data(
        live_server,
        ADD,
        {
            "input": {
                "unitId": offered["unit"]["id"],
                "kind": "EXPERTISE",
                "description": f"{offered['word']} lawyer",
                "shareScope": "DISTRICT",
            }
        },
        unit_contact,
    )
    assert added["addUnitResource"]["errors"] == []
    rows = await search(live_server, secretaries["B"], words=offered["word"])
    lawyer = share_id(rows, "lawyer")
    mine = await gql_data(live_server, REQUEST, {"input": {"shareId": lawyer}}, secretaries["B"])
    approved = await step(live_server, unit_contact, "approveShareRequest", mine["requestShare"]["request"]["id"])
    assert approved["request"]["status"] == "APPROVED"
    # A request of another unit of his street is not his to answer, nor its resources to keep.
    others = await search(live_server, secretaries["B"], othersOnly=True, districtOnly=True, kind="FUNDS")
    other = next(r for r in others if r["unitName"] != offered["unit"]["name"])
    theirs = await gql_data(live_server, REQUEST, {"input": {"shareId": other["id"]}}, secretaries["B"])
    rid = theirs["requestShare"]["request"]["id"]
    answered = await step(live_server, unit_contact, "approveShareRequest", rid)
    assert answered["errors"] == [{"code": "NOT_FOUND"}]  # as a missing one
    units = await gql_anyway(live_server, "{ jointUnits(first: 1) { totalCount } }", {}, unit_contact)
    assert units["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # no register of his street
    # His street's catalogue is open to him.
    assert {r["kind"] for r in await search(live_server, unit_contact, words=offered["word"])} >= {"EXPERTISE"}


PLEDGE = """mutation($p: ID!, $u: ID!, $a: Float!) { pledgeToProject(projectId: $p, unitId: $u, amount: $a) {
  pledge { amount unitName } errors { code field } } }"""
TOTALS = "projects units amount"


async def test_units_pledge_to_a_project_counted_per_project_street_and_district(live_server, streets, secretaries):
    from .clients import password_token

    a = secretaries["A"]
    data = await gql_data(
        live_server,
        "{ publicProjects(first: 1, filter: {status: OPEN}) { edges { node { id pledged } } }"
        " jointUnits(first: 2) { edges { node { id } } } crowdfunding { " + TOTALS + " } }",
        token=a,
    )
    project = data["publicProjects"]["edges"][0]["node"]
    units = [e["node"]["id"] for e in data["jointUnits"]["edges"]]
    before = data["crowdfunding"]
    for unit, amount in zip(units, (3000.5, 1500), strict=True):
        made = await gql_data(live_server, PLEDGE, {"p": project["id"], "u": unit, "a": amount}, a)
        assert made["pledgeToProject"]["errors"] == []
    again = await gql_data(live_server, PLEDGE, {"p": project["id"], "u": units[1], "a": 2000}, a)  # replaces
    assert again["pledgeToProject"]["pledge"]["amount"] == 2000
    bad = await gql_data(live_server, PLEDGE, {"p": project["id"], "u": units[1], "a": -1}, a)
    assert bad["pledgeToProject"]["errors"] == [{"code": "OUT_OF_RANGE", "field": "amount"}]
    other_street = await gql_data(live_server, PLEDGE, {"p": project["id"], "u": units[0], "a": 5}, secretaries["B"])
    assert other_street["pledgeToProject"]["errors"][0]["code"] == "NOT_FOUND"
    node = await gql_data(
        live_server,
        "query($id: ID!) { node(id: $id) { ... on PublicProject { pledged pledges { amount unitName } } } }",
        {"id": project["id"]},
        a,
    )
    assert node["node"]["pledged"] == project["pledged"] + 5000.5
    assert [p["amount"] for p in node["node"]["pledges"]] == [3000.5, 2000]
    after = (await gql_data(live_server, "{ crowdfunding { " + TOTALS + " } }", token=a))["crowdfunding"]
    assert after["amount"] == before["amount"] + 5000.5 and after["units"] >= 2 and after["projects"] >= 1
    district = await gql_data(
        live_server,
        "query($slug: String) { districtCrowdfunding(slug: $slug) { streets { tenant { slug } totals { "
        + TOTALS
        + " } } total { "
        + TOTALS
        + " } } }",
        {"slug": streets["A"].district},
        password_token("platform-admin"),
    )
    by_street = {s["tenant"]["slug"]: s["totals"] for s in district["districtCrowdfunding"]["streets"]}
    assert set(by_street) == {streets["A"].slug, streets["B"].slug}
    assert by_street[streets["A"].slug] == after
    assert (
        district["districtCrowdfunding"]["total"]["amount"] == after["amount"] + by_street[streets["B"].slug]["amount"]
    )


async def test_the_demo_reproduces_the_sources_crowdfunding(live_server):
    """篇2: 169 projects, 2.1158 million yuan, 146 paired units, in the demo's Jinshui."""
    from .clients import password_token

    data = await gql_data(live_server, "{ crowdfunding { " + TOTALS + " } }", token=password_token("jinshui-secretary"))
    assert data["crowdfunding"] == {"projects": 169, "units": 146, "amount": 2115800.0}


NEED = """mutation($input: AddGridNeedInput!) { addGridNeed(input: $input) { need { id status kind }
  errors { code field } } }"""
COMPLETE = """mutation($id: ID!, $file: Upload!) { completeGridNeed(id: $id, file: $file) {
  need { status photoSha256 completedAt } errors { code } } }"""


async def test_a_wish_is_matched_claimed_and_completed_with_a_photo(live_server, secretaries, offered, streets):
    import json

    import httpx

    from .attachments_api import photo

    a = secretaries["A"]
    nodes = await gql_data(
        live_server, "{ gridNodes(first: 1, filter: {level: 3}) { edges { node { id } } } }", token=a
    )
    node = nodes["gridNodes"]["edges"][0]["node"]["id"]
    made = await gql_data(
        live_server,
        NEED,
        {"input": {"nodeId": node, "kind": "WISH", "title": f"借用{offered['word']}场地", "resourceKind": "VENUE"}},
        a,
    )
    assert made["addGridNeed"]["errors"] == []
    need = made["addGridNeed"]["need"]["id"]
    # Suggestions: the offered venue first (same kind, shared terms), each with its reasons.
    found = await gql_data(
        live_server,
        "query($id: ID!) { node(id: $id) { ... on GridNeed { suggestions { kind title offeredBy score reasons } } } }",
        {"id": need},
        a,
    )
    best = found["node"]["suggestions"][0]
    assert (
        best["kind"] == "RESOURCE" and best["title"].endswith("venue") and best["offeredBy"] == offered["unit"]["name"]
    )
    assert "same kind: venue" in best["reasons"] and any(r.startswith("shares ") for r in best["reasons"])
    # Another street does not see the need.
    assert (await gql_data(live_server, "query($id: ID!) { node(id: $id) { id } }", {"id": need}, secretaries["B"]))[
        "node"
    ] is None
    claim = """mutation($id: ID!, $u: ID!) { claimGridNeed(id: $id, claimantKind: UNIT, claimantId: $u) {
      need { status claimantName } errors { code } } }"""
    claimed = await gql_data(live_server, claim, {"id": need, "u": offered["unit"]["id"]}, a)
    assert claimed["claimGridNeed"]["need"] == {"status": "CLAIMED", "claimantName": offered["unit"]["name"]}
    late = await gql_data(live_server, claim, {"id": need, "u": offered["unit"]["id"]}, a)
    assert late["claimGridNeed"]["errors"] == [{"code": "ALREADY_CLAIMED"}]
    picture = photo()
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as client:
        response = await client.post(
            "/graphql",
            headers={"Authorization": f"Bearer {a}"},
            data={
                "operations": json.dumps({"query": COMPLETE, "variables": {"id": need, "file": None}}),
                "map": json.dumps({"0": ["variables.file"]}),
            },
            files={"0": ("done.jpg", picture, "image/jpeg")},
        )
    done = response.json()["data"]["completeGridNeed"]
    assert done["errors"] == [] and done["need"]["status"] == "COMPLETED" and done["need"]["completedAt"]
    assert len(done["need"]["photoSha256"]) == 64  # of the photo as stored
    listed = await gql_data(live_server, "{ gridNeeds(filter: {status: COMPLETED}) { totalCount } }", token=a)
    assert listed["gridNeeds"]["totalCount"] >= 1


async def test_a_request_made_and_approved_through_the_phone_screens(
    live_server, web_client, streets, secretaries, offered
):
    """B's secretary finds A's resource in /m/'s catalogue and asks for it; A's secretary
    approves it on his requests page; B's request is approved."""
    from .browser import chromium
    from .test_mobile import phone

    description = f"{offered['word']} 讲座"
    made = await gql_data(
        live_server,
        ADD,
        {
            "input": {
                "unitId": offered["unit"]["id"],
                "kind": "EXPERTISE",
                "description": description,
                "shareScope": "DISTRICT",
            }
        },
        secretaries["A"],
    )
    assert made["addUnitResource"]["errors"] == []
    here = {"latitude": 31.95, "longitude": 118.85}
    async with chromium() as browser:
        async with phone(browser, live_server, streets["B"], "secretary", here) as page:
            assert "catalogue" in await page.locator("[data-test=tabs] [data-tab]").evaluate_all(
                "items => items.map(i => i.dataset.tab)"
            )
            await page.locator("[data-test=tabs] [data-tab=catalogue]").click()
            await page.locator("[data-test=catalogue][data-loaded=true]").wait_for()
            search = page.locator("[data-test=catalogue-search] input")
            await search.fill(description)
            await search.press("Enter")
            row = page.locator(f"[data-test=catalogue] [data-share='{description}']")
            await row.wait_for()
            await row.locator("[data-test=ask]").click()
            await page.get_by_text("已提交申请").wait_for()
        async with phone(browser, live_server, streets["A"], "secretary", here) as page:
            await page.locator("[data-test=tabs] [data-tab=requests]").click()
            row = page.locator(f"[data-test=share-requests] [data-request='{description}']")
            await row.locator("[data-test=approve]").click()
            await page.locator(f"[data-request='{description}'][data-status=APPROVED]").wait_for(timeout=10_000)
    mine = await gql_data(
        live_server,
        "{ shareRequests(first: 50, filter: {mine: true}) { edges { node { status resource { description } } } } }",
        token=secretaries["B"],
    )
    statuses = [
        e["node"]["status"]
        for e in mine["shareRequests"]["edges"]
        if e["node"]["resource"]["description"] == description
    ]
    assert statuses == ["APPROVED"]
