"""A grid worker tries to confirm a masked number and to learn whether numbers are registered in
other buildings, through every mutation that takes an ID-card number and through the import,
and learns nothing: a number registered outside his grid gets a new number's answer (the row is
held for the secretary's review); an id outside his grid answers as a missing one."""

from __future__ import annotations

import asyncio
import base64
import re
from datetime import date

import pytest

from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import GridScope, RequestContext, ScopeKind
from redgrid.platform.database import tenant_transaction
from redgrid.platform.errors import InvalidInput
from redgrid.platform.models import Event, Tenant
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.people import idcard
from redgrid.tenants.people import service as people
from redgrid.tenants.people.models import Resident

from .clients import gql, gql_data
from .people_api import CREATE_RESIDENT, UPDATE_RESIDENT, create_resident, unique_name
from .registers_api import imported

B03, B04 = "JS01.A1.B03", "JS01.A1.B04"
HEADERS = "姓名,公民身份号码,性别,联系电话,网格编码,楼栋,单元,房号,房屋类型,标签"
CONFLICTS = "{ residentConflicts { held { id name idNumber node { path } } registered { id idNumber node { path } } } }"
RESOLVE = """mutation($r: ID!, $how: ConflictResolution!) { resolveResidentConflict(residentId: $r, resolution: $how) {
  resident { id node { path } } errors { field code message } } }"""
_sequence = iter(range(1, 450))


def number() -> str:
    return idcard.make("150102", date(1961, 3, 9), 2 * next(_sequence) + 1)  # a man, of a region no other test uses


def shape(payload: dict) -> dict:
    """A payload without what differs between any two residents: ids, names, the number's digits."""
    text = re.sub(r'"(id|name)": "[^"]*"', r'"\1": "…"', str(payload).replace("'", '"'))
    return {"text": re.sub(r"\d{6}\*{4}\d{3}[\dX]", "masked", text)}


async def held_rows(tenant: Tenant, name: str) -> list[Resident]:
    async with tenant_transaction(tenant.id):
        return await Resident.filter(tenant_id=tenant.id, name=name).all()


async def test_a_number_registered_elsewhere_is_answered_as_a_new_one_and_held_for_the_secretary(
    live_server, tokens, grid, db, street
):
    elsewhere = number()
    await create_resident(live_server, tokens["secretary"], grid[B04]["id"], idNumber=elsewhere)
    worker = tokens["grid-worker"]
    answers = {}
    fresh = number()
    for label, candidate in (("elsewhere", elsewhere), ("fresh", fresh)):
        name = unique_name("守")
        variables = {"input": {"nodeId": grid[B03]["id"], "name": name, "idNumber": candidate}}
        answers[label] = (await gql_data(live_server, CREATE_RESIDENT, variables, worker))["createResident"]
        answers[label + "-name"] = name
    assert answers["elsewhere"]["errors"] == [] and answers["fresh"]["errors"] == []
    assert shape(answers["elsewhere"]) == shape(answers["fresh"])
    assert answers["elsewhere"]["resident"]["idNumber"].startswith(elsewhere[:6])  # masked as his own

    # In his grid, both numbers are now duplicates, answered alike.
    again = [
        (
            await gql_data(
                live_server,
                CREATE_RESIDENT,
                {"input": {"nodeId": grid[B03]["id"], "name": unique_name(), "idNumber": n}},
                worker,
            )
        )["createResident"]
        for n in (elsewhere, fresh)
    ]
    duplicate = [
        {"field": "idNumber", "code": "DUPLICATE", "message": "this ID-card number is already registered here"}
    ]
    assert [a["errors"] for a in again] == [duplicate, duplicate] and [a["resident"] for a in again] == [None, None]

    # The secretary sees the held one next to the registered one; the fresh one is not held.
    conflicts = (await gql_data(live_server, CONFLICTS, token=tokens["secretary"]))["residentConflicts"]
    mine = [c for c in conflicts if c["held"]["name"] == answers["elsewhere-name"]]
    assert len(mine) == 1 and mine[0]["held"]["idNumber"] == elsewhere == mine[0]["registered"]["idNumber"]
    assert mine[0]["held"]["node"]["path"] == B03 and mine[0]["registered"]["node"]["path"] == B04
    assert not [c for c in conflicts if c["held"]["name"] == answers["fresh-name"]]
    refused = await gql(live_server, CONFLICTS, token=worker)
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # Dismissed: the held row is gone, the registered one stays.
    held_id = mine[0]["held"]["id"]
    done = (await gql_data(live_server, RESOLVE, {"r": held_id, "how": "DISMISS"}, tokens["secretary"]))[
        "resolveResidentConflict"
    ]
    assert done["errors"] == [] and done["resident"]["id"] == mine[0]["registered"]["id"]
    assert await held_rows(street.tenant, answers["elsewhere-name"]) == []
    twice = (await gql_data(live_server, RESOLVE, {"r": held_id, "how": "DISMISS"}, tokens["secretary"]))[
        "resolveResidentConflict"
    ]
    assert twice["errors"][0]["code"] == "NOT_FOUND"


async def test_changing_a_number_to_one_registered_elsewhere_answers_as_a_fresh_one(live_server, tokens, grid, db):
    elsewhere = number()
    registered = await create_resident(live_server, tokens["secretary"], grid[B04]["id"], idNumber=elsewhere)
    worker = tokens["grid-worker"]
    answers = []
    for candidate in (elsewhere, number()):
        mine = await create_resident(live_server, worker, grid[B03]["id"])
        answers.append(
            (
                await gql_data(
                    live_server, UPDATE_RESIDENT, {"input": {"id": mine["id"], "idNumber": candidate}}, worker
                )
            )["updateResident"]
        )
    assert answers[0]["errors"] == [] == answers[1]["errors"]
    assert shape(answers[0]) == shape(answers[1])
    conflicts = (await gql_data(live_server, CONFLICTS, token=tokens["secretary"]))["residentConflicts"]
    assert [c["registered"]["id"] for c in conflicts if c["held"]["id"] == answers[0]["resident"]["id"]] == [
        registered["id"]
    ]
    # Accepted: the person moved, so the registered resident takes the held one's place.
    moved = (
        await gql_data(live_server, RESOLVE, {"r": answers[0]["resident"]["id"], "how": "MOVE"}, tokens["secretary"])
    )["resolveResidentConflict"]
    assert moved["errors"] == [] and moved["resident"] == {"id": registered["id"], "node": {"path": B03}}


async def test_the_import_answers_a_number_registered_elsewhere_as_a_fresh_one(live_server, tokens, grid, db):
    elsewhere = number()
    await create_resident(live_server, tokens["secretary"], grid[B04]["id"], idNumber=elsewhere)
    results = []
    fresh = number()
    for candidate in (elsewhere, fresh):
        csv = f"{HEADERS}\n{unique_name('导')},{candidate},,,{B03},,,,,\n".encode()
        results.append(await imported(live_server, tokens["grid-worker"], "RESIDENTS", "r.csv", csv))
    assert results[0] == results[1] == {"imported": 1, "rows": 1, "moreRowErrors": 0, "rowErrors": [], "errors": []}
    # Both are now in his grid: a second import finds both duplicates, alike.
    both = f"{HEADERS}\n甲,{elsewhere},,,{B03},,,,,\n乙,{fresh},,,{B03},,,,,\n".encode()
    again = await imported(live_server, tokens["grid-worker"], "RESIDENTS", "r.csv", both)
    assert again["imported"] == 0
    assert [(e["line"], e["reason"]) for e in again["rowErrors"]] == [
        (2, "already registered in this tenant"),
        (3, "already registered in this tenant"),
    ]


async def test_an_id_outside_the_grid_answers_as_a_missing_one(live_server, tokens, grid, db, street):
    outside = await create_resident(live_server, tokens["secretary"], grid[B04]["id"], idNumber=number())
    missing = "UmVzaWRlbnQ6OTk5OTk5OTk5"  # Resident:999999999
    household = (
        await gql_data(
            live_server,
            """mutation($i: CreateHouseholdInput!) { createHousehold(input: $i) {
        household { id } } }""",
            {"i": {"nodeId": grid[B04]["id"], "building": "4号楼", "room": unique_name("室"), "kind": "OWNED"}},
            tokens["secretary"],
        )
    )["createHousehold"]["household"]
    mine = await create_resident(live_server, tokens["grid-worker"], grid[B03]["id"])
    probes = [
        (UPDATE_RESIDENT, lambda r: {"input": {"id": r, "name": "改名"}}, "updateResident"),
        (
            """mutation($r: ID!) { removeHouseholdMember(residentId: $r) { errors { field code message } } }""",
            lambda r: {"r": r},
            "removeHouseholdMember",
        ),
        (
            "mutation($h: ID!, $r: ID!) { addHouseholdMember(householdId: $h, residentId: $r) { errors { field "
            "code message } } }",
            lambda r: {"h": household["id"], "r": r},
            "addHouseholdMember",
        ),
    ]
    for query, variables, field in probes:
        answers = [
            (await gql_data(live_server, query, variables(r), tokens["grid-worker"]))[field]["errors"]
            for r in (outside["id"], missing)
        ]
        assert answers[0] == answers[1] and answers[0][0]["code"] == "NOT_FOUND", (field, answers)
    # A household outside his grid, for his own resident: as a missing household.
    add = (
        "mutation($h: ID!, $r: ID!) { addHouseholdMember(householdId: $h, residentId: $r) { errors { field code "
        "message } } }"
    )
    answers = [
        (await gql_data(live_server, add, {"h": h, "r": mine["id"]}, tokens["grid-worker"]))["addHouseholdMember"][
            "errors"
        ]
        for h in (household["id"], "SG91c2Vob2xkOjk5OTk5OTk5OQ==")
    ]  # Household:999999999
    assert answers[0] == answers[1] and answers[0][0]["code"] == "NOT_FOUND"
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert [
        (await gql_data(live_server, node, {"id": i}, tokens["grid-worker"]))["node"] for i in (outside["id"], missing)
    ] == [None, None]
    # Nothing was written by the refusals.
    assert await held_rows(street.tenant, "改名") == []


async def test_the_party_import_finds_the_registered_resident_not_the_held_one(live_server, tokens, grid, db):
    elsewhere = number()
    registered = await create_resident(live_server, tokens["secretary"], grid[B04]["id"], idNumber=elsewhere)
    await create_resident(live_server, tokens["grid-worker"], grid[B03]["id"], idNumber=elsewhere)  # held
    orgs = "query($id: ID!) { node(id: $id) { ... on GridNode { partyOrganisations { name } } } }"
    organisation = (await gql_data(live_server, orgs, {"id": grid[B04]["id"]}, tokens["secretary"]))["node"]
    organisation_name = organisation["partyOrganisations"][0]["name"]
    csv = f"公民身份号码,所在党组织,党员类别,入党时间\n{elsewhere},{organisation_name},在职党员,2001-07-01\n"
    result = await imported(live_server, tokens["secretary"], "PARTY_MEMBERS", "p.csv", csv.encode())
    assert result["imported"] == 1 and result["rowErrors"] == []
    member = "query($id: ID!) { node(id: $id) { ... on Resident { partyMember { category } } } }"
    assert (await gql_data(live_server, member, {"id": registered["id"]}, tokens["secretary"]))["node"][
        "partyMember"
    ] == {"category": "IN_SERVICE"}


# Held rows stay in step with the resident they are held of.


async def held_of(tenant: Tenant, resident_id: str) -> int | None:
    async with tenant_transaction(tenant.id):
        return (await Resident.get(tenant_id=tenant.id, id=db_id(resident_id))).held_of_id  # type: ignore[attr-defined]


def db_id(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


async def elsewhere_held(tenant: Tenant, shared: str, path: str = "JS01.A1.B05") -> dict:
    """A resident registered with `shared` by a grid worker of `path` (the demo's tokens have no
    such worker: the service called as one), as a payload's {"id": global id}."""
    async with tenant_transaction(tenant.id):
        node = await GridNode.get(tenant_id=tenant.id, path=path)
        row = await people.create_resident(
            caller(tenant, "grid-worker", path),
            node_id=node.id,
            person=people.Person(name=unique_name("他"), id_number=shared),
        )
    return {"id": base64.b64encode(f"Resident:{row.id}".encode()).decode()}


async def test_a_registered_resident_losing_his_number_hands_it_to_the_oldest_held_one(
    live_server, tokens, grid, db, street
):
    for change in ({"idNumber": number()}, {"clearIdNumber": True}):
        shared = number()
        registered = await create_resident(live_server, tokens["secretary"], grid[B04]["id"], idNumber=shared)
        worker = tokens["grid-worker"]
        first = await create_resident(live_server, worker, grid[B03]["id"], idNumber=shared)
        second = await elsewhere_held(street.tenant, shared)  # by a worker of another building
        assert [await held_of(street.tenant, r["id"]) for r in (first, second)] == [db_id(registered["id"])] * 2
        changed = (
            await gql_data(
                live_server, UPDATE_RESIDENT, {"input": {"id": registered["id"], **change}}, tokens["secretary"]
            )
        )["updateResident"]
        assert changed["errors"] == [], changed
        # The oldest held one is the registered one now, the other held of him.
        assert [await held_of(street.tenant, r["id"]) for r in (first, second)] == [None, db_id(first["id"])]
        conflicts = (await gql_data(live_server, CONFLICTS, token=tokens["secretary"]))["residentConflicts"]
        assert {c["held"]["id"]: c["registered"]["id"] for c in conflicts if c["held"]["idNumber"] == shared} == {
            second["id"]: first["id"]
        }
        # MOVE moves the person with that number, not the one who gave it up.
        moved = (await gql_data(live_server, RESOLVE, {"r": second["id"], "how": "MOVE"}, tokens["secretary"]))[
            "resolveResidentConflict"
        ]
        assert moved["errors"] == [] and moved["resident"]["id"] == first["id"]
        node = "query($id: ID!) { node(id: $id) { ... on Resident { id node { path } } } }"
        assert (await gql_data(live_server, node, {"id": registered["id"]}, tokens["secretary"]))["node"]["node"] == {
            "path": B04
        }


async def test_a_conflict_whose_numbers_differ_or_that_others_are_held_of_is_refused_not_a_server_error(
    live_server, tokens, grid, db, street
):
    tenant = street.tenant
    shared = number()
    registered = await create_resident(live_server, tokens["secretary"], grid[B04]["id"], idNumber=shared)
    held = await create_resident(live_server, tokens["grid-worker"], grid[B03]["id"], idNumber=shared)
    other = await elsewhere_held(street.tenant, shared)
    async with tenant_transaction(tenant.id):  # rows as no service writes them any more
        await Resident.filter(tenant_id=tenant.id, id=db_id(other["id"])).update(held_of_id=db_id(held["id"]))
    for how in ("DISMISS", "MOVE"):
        refused = (await gql_data(live_server, RESOLVE, {"r": held["id"], "how": how}, tokens["secretary"]))[
            "resolveResidentConflict"
        ]
        assert refused["resident"] is None and refused["errors"][0]["code"] == "IN_USE", refused
    async with tenant_transaction(tenant.id):
        await Resident.filter(tenant_id=tenant.id, id=db_id(other["id"])).update(held_of_id=db_id(registered["id"]))
        await Resident.filter(tenant_id=tenant.id, id=db_id(registered["id"])).update(id_number=number())
    for how in ("DISMISS", "MOVE"):
        refused = (await gql_data(live_server, RESOLVE, {"r": held["id"], "how": how}, tokens["secretary"]))[
            "resolveResidentConflict"
        ]
        assert refused["resident"] is None and refused["errors"][0]["code"] == "NUMBER_CHANGED", refused
    assert await held_of(street.tenant, held["id"]) == db_id(registered["id"])  # nothing written


async def test_a_move_tells_the_registered_residents_old_grid_too(live_server, tokens, grid, db, street):
    tenant = street.tenant
    shared = number()
    registered = await create_resident(live_server, tokens["secretary"], grid[B04]["id"], idNumber=shared)
    held = await create_resident(live_server, tokens["grid-worker"], grid[B03]["id"], idNumber=shared)
    moved = (await gql_data(live_server, RESOLVE, {"r": held["id"], "how": "MOVE"}, tokens["secretary"]))[
        "resolveResidentConflict"
    ]
    assert moved["errors"] == []
    async with tenant_transaction(tenant.id):
        paths = (
            await Event.filter(tenant_id=tenant.id, type="people.resident_updated")
            .order_by("-id")
            .limit(20)
            .values_list("path", "payload")
        )
    assert {path for path, payload in paths if payload == {"id": db_id(registered["id"])}} == {B03, B04}


# The race: two requests register one number, new everywhere, at once.


def caller(tenant: Tenant, role: str, path: str | None) -> RequestContext:
    identity = Identity(role, role, frozenset({role}), tenant.slug, None)
    return RequestContext(identity, tenant, GridScope(ScopeKind.SUBTREE, path) if path else GridScope(ScopeKind.TENANT))


async def test_the_loser_of_a_race_for_a_number_is_held_unless_the_winner_is_in_his_grid(grid, db, street):
    """The secretary's registration is written but not committed when the worker's starts: the
    worker's insert waits on the unique index, then fails as the secretary's commits. Outside
    the worker's grid, his row is written held (as a new number's answer); inside, DUPLICATE."""
    tenant = street.tenant
    secretary, worker = caller(tenant, "secretary", None), caller(tenant, "grid-worker", B03)
    async with tenant_transaction(tenant.id):
        nodes = dict(await GridNode.filter(tenant_id=tenant.id, path__in=[B03, B04]).values_list("path", "id"))
    for winner_path, loser_holds in ((B04, True), (B03, False)):
        shared = number()
        won = asyncio.Event()

        async def loser(won: asyncio.Event, shared: str) -> Resident:
            await won.wait()
            async with tenant_transaction(tenant.id):
                return await people.create_resident(
                    worker, node_id=nodes[B03], person=people.Person(name=unique_name("竞"), id_number=shared)
                )

        lost = asyncio.create_task(loser(won, shared))  # out of the winner's transaction: a connection of its own
        async with tenant_transaction(tenant.id):
            winner = await people.create_resident(
                secretary, node_id=nodes[winner_path], person=people.Person(name=unique_name("先"), id_number=shared)
            )
            won.set()
            await asyncio.sleep(0.5)
            assert not lost.done()  # waiting on the uncommitted winner's index entry
        if loser_holds:
            row = await lost
            assert row.held_of_id == winner.id  # type: ignore[attr-defined]
        else:
            with pytest.raises(InvalidInput) as refused:
                await lost
            assert [e.code for e in refused.value.errors] == ["DUPLICATE"]
