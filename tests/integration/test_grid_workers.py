"""The grid workers' register, people linked to their accounts, and dispatch naming real
people, against the real services (Jinshui's demo: the grid head and worker scoped to B03)."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Account, Tenant

from .cases_api import act, report
from .clients import gql, gql_data
from .conftest import Street
from .grid_api import node_id

ERR = "errors { field code message }"
WORKER = "id name phone account { username displayName } posts nodes { path }"
CREATE = f"mutation($input: GridWorkerInput!) {{ createGridWorker(input: $input) {{ worker {{ {WORKER} }} {ERR} }} }}"
UPDATE = (
    f"mutation($input: UpdateGridWorkerInput!) {{ updateGridWorker(input: $input) {{ worker {{ {WORKER} }} {ERR} }} }}"
)
REMOVE = f"mutation($id: ID!) {{ removeGridWorker(id: $id) {{ worker {{ id name }} {ERR} }} }}"
LIST = (
    "query($filter: GridWorkerFilter) { gridWorkers(first: 200, filter: $filter) "
    f"{{ edges {{ node {{ {WORKER} }} }} }} }}"
)
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on GridWorker {{ {WORKER} }} }} }}"
LINK_STAFF = (
    "mutation($input: LinkAccountInput!) { linkSinkingStaffAccount(input: $input) { "
    f"staff {{ id username account {{ username displayName }} }} {ERR} }} }}"
)
LINK_VOLUNTEER = (
    "mutation($input: LinkAccountInput!) { linkVolunteerAccount(input: $input) { "
    f"volunteer {{ id username account {{ username }} }} {ERR} }} }}"
)
SET_HEAD = (
    "mutation($input: UpdateGridNodeInput!) { updateGridNode(input: $input) { "
    f"node {{ headName headAccount {{ username displayName }} }} {ERR} }} }}"
)
PICKER = (
    "query($id: ID!) { dispatchCandidates(caseId: $id) { kind assignee name posts account { username displayName } } }"
)


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


def suffix() -> str:
    return uuid.uuid4().hex[:8]


async def listing(server, token: str, **filter_: object) -> list[dict]:
    data = await gql_data(server, LIST, {"filter": filter_ or None}, token)
    return [e["node"] for e in data["gridWorkers"]["edges"]]


@pytest.fixture(scope="module")
async def nodes(live_server, tokens) -> dict[str, str]:
    paths = ("JS01", "JS01.A1", "JS01.A1.B03", "JS01.A1.B04", "JS01.A1.B05", "JS01.A2.B07")
    return {p: await node_id(live_server, tokens["secretary"], p) for p in paths}


@pytest.fixture
async def jinshui(street: Street) -> Tenant:
    """The module's own street (the demo Jinshui's shape)."""
    return street.tenant


@pytest.fixture
async def spare_account(jinshui: Tenant) -> AsyncIterator[Account]:
    """An account of the tenant no record is linked to (as a first call would make it)."""
    async with tenant_transaction(jinshui.id):
        account = await Account.create(tenant_id=jinshui.id, username=f"t-acct-{suffix()}", display_name="测试人员")
    yield account


async def test_register_crud_several_workers_on_one_grid_posts_and_refusals(live_server, tokens, nodes):
    secretary = tokens["secretary"]
    tag = suffix()
    made = []
    for name, posts in ((f"信息员{tag}", ["INFORMATION"]), (f"宣传员{tag}", ["PUBLICITY", "SUPERVISION"])):
        result = (
            await gql_data(
                live_server,
                CREATE,
                {"input": {"name": name, "nodeIds": [nodes["JS01.A1.B05"]], "posts": posts, "phone": "13712345678"}},
                secretary,
            )
        )["createGridWorker"]
        assert result["errors"] == [] and result["worker"]["posts"] == posts, result
        made.append(result["worker"])
    on_b05 = [w for w in await listing(live_server, secretary, underId=nodes["JS01.A1.B05"]) if tag in w["name"]]
    assert sorted(w["name"] for w in on_b05) == sorted(w["name"] for w in made)  # two workers, one grid
    publicity = [w["name"] for w in await listing(live_server, secretary, post="PUBLICITY") if tag in w["name"]]
    assert publicity == [f"宣传员{tag}"]

    # One worker serving two nodes, posts set anew (stored in the enum's order).
    changed = (
        await gql_data(
            live_server,
            UPDATE,
            {
                "input": {
                    "id": made[0]["id"],
                    "name": made[0]["name"],
                    "nodeIds": [nodes["JS01.A1.B05"], nodes["JS01.A1.B04"]],
                    "posts": ["SUPERVISION", "INFORMATION", "GRID_HEAD"],
                }
            },
            secretary,
        )
    )["updateGridWorker"]
    assert changed["errors"] == []
    assert changed["worker"]["posts"] == ["GRID_HEAD", "INFORMATION", "SUPERVISION"]
    assert [n["path"] for n in changed["worker"]["nodes"]] == ["JS01.A1.B04", "JS01.A1.B05"]
    assert changed["worker"]["phone"] is None  # the update gave none

    # Bad input: every error at once, nothing written.
    before = len(await listing(live_server, secretary))
    bad = (
        await gql_data(
            live_server,
            CREATE,
            {
                "input": {
                    "name": " ",
                    "nodeIds": [nodes["JS01.A1.B05"], nodes["JS01.A1.B05"]],
                    "posts": [],
                    "phone": "12",
                }
            },
            secretary,
        )
    )["createGridWorker"]
    assert set(codes(bad)) == {"INVALID_NAME", "REQUIRED", "DUPLICATE", "INVALID_PHONE"} and bad["worker"] is None
    twice = {"name": "x", "nodeIds": [nodes["JS01.A1.B05"]], "posts": ["PUBLICITY", "PUBLICITY"]}
    assert codes((await gql_data(live_server, CREATE, {"input": twice}, secretary))["createGridWorker"]) == [
        "DUPLICATE"
    ]
    assert len(await listing(live_server, secretary)) == before

    removed = (await gql_data(live_server, REMOVE, {"id": made[1]["id"]}, secretary))["removeGridWorker"]
    assert removed["errors"] == [] and removed["worker"]["name"] == made[1]["name"]
    assert (await gql_data(live_server, NODE, {"id": made[1]["id"]}, secretary))["node"] is None
    gone = (await gql_data(live_server, REMOVE, {"id": made[1]["id"]}, secretary))["removeGridWorker"]
    assert codes(gone) == ["NOT_FOUND"]


async def test_a_grid_head_keeps_his_subtree_only_and_the_others_read_by_role(live_server, tokens, nodes):
    secretary, head = tokens["secretary"], tokens["grid-head"]
    tag = suffix()

    async def create(token: str, name: str, *paths: str, phone: str = "13700001234") -> dict:
        variables = {"input": {"name": name, "nodeIds": [nodes[p] for p in paths], "posts": ["COORDINATION"]}}
        variables["input"]["phone"] = phone
        return (await gql_data(live_server, CREATE, variables, token))["createGridWorker"]

    mine = await create(head, f"楼内{tag}", "JS01.A1.B03")
    assert mine["errors"] == [] and mine["worker"]["phone"] == "13700001234"
    before = len(await listing(live_server, secretary))
    outside = await create(head, f"楼外{tag}", "JS01.A1.B04")
    assert codes(outside) == ["NOT_FOUND"] and outside["worker"] is None  # as if the node did not exist
    assert len(await listing(live_server, secretary)) == before  # nothing written
    elsewhere = (await create(secretary, f"别处{tag}", "JS01.A1.B04"))["worker"]
    shared = (await create(secretary, f"两处{tag}", "JS01.A1.B03", "JS01.A1.B04"))["worker"]

    seen = {w["name"] for w in await listing(live_server, head) if tag in w["name"]}
    assert seen == {f"楼内{tag}", f"两处{tag}"}  # serving his grid; not the B04-only one
    assert (await gql_data(live_server, NODE, {"id": elsewhere["id"]}, head))["node"] is None
    refused = {"id": elsewhere["id"], "name": "改名", "nodeIds": [nodes["JS01.A1.B03"]], "posts": ["PUBLICITY"]}
    assert codes((await gql_data(live_server, UPDATE, {"input": refused}, head))["updateGridWorker"]) == ["NOT_FOUND"]
    both = {"id": shared["id"], "name": "改名", "nodeIds": [nodes["JS01.A1.B03"]], "posts": ["PUBLICITY"]}
    assert codes((await gql_data(live_server, UPDATE, {"input": both}, head))["updateGridWorker"]) == [
        "SERVES_OTHER_GRIDS"
    ]
    assert codes((await gql_data(live_server, REMOVE, {"id": shared["id"]}, head))["removeGridWorker"]) == [
        "SERVES_OTHER_GRIDS"
    ]
    unchanged = (await gql_data(live_server, NODE, {"id": shared["id"]}, secretary))["node"]
    assert unchanged["name"] == f"两处{tag}" and len(unchanged["nodes"]) == 2

    # The grid worker reads his subtree, in full, and changes nothing.
    worker_sees = {w["name"]: w["phone"] for w in await listing(live_server, tokens["grid-worker"]) if tag in w["name"]}
    assert worker_sees == {f"楼内{tag}": "13700001234", f"两处{tag}": "13700001234"}
    by_worker = (
        await gql(live_server, CREATE, {"input": {k: v for k, v in both.items() if k != "id"}}, tokens["grid-worker"])
    ).json()
    assert by_worker["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Sinking staff and volunteers see the tenant's teams with phones masked.
    for role in ("dept-staff", "volunteer"):
        phones = {w["phone"] for w in await listing(live_server, tokens[role]) if tag in w["name"]}
        assert phones == {"137****1234"}, role
    # Another tenant's secretary sees none of them.
    assert not [w for w in await listing(live_server, tokens["hushu-secretary"]) if tag in w["name"]]


async def test_account_links_stay_in_the_tenant_and_in_the_callers_view(
    street: Street, live_server, tokens, nodes, spare_account
):
    secretary, head = tokens["secretary"], tokens["grid-head"]
    tag = suffix()
    person = {"name": f"有号{tag}", "nodeIds": [nodes["JS01.A1.B03"]], "posts": ["FULL_TIME_WORKER"]}
    for username in ("hushu-grid-worker", "nobody-" + tag, "x" * 200):  # another tenant's, none, too long
        refused = await gql_data(live_server, CREATE, {"input": {**person, "username": username}}, secretary)
        assert codes(refused["createGridWorker"]) == ["NOT_FOUND"], username
    assert not [w for w in await listing(live_server, secretary) if tag in w["name"]]  # nothing written
    # A grid head links only accounts of his grid: the secretary's (the whole tenant) is not his to see.
    by_head = await gql_data(live_server, CREATE, {"input": {**person, "username": street.username("secretary")}}, head)
    assert codes(by_head["createGridWorker"]) == ["NOT_FOUND"]
    linked = await gql_data(live_server, CREATE, {"input": {**person, "username": spare_account.username}}, secretary)
    assert linked["createGridWorker"]["worker"]["account"] == {
        "username": spare_account.username,
        "displayName": "测试人员",
    }
    again = await gql_data(live_server, CREATE, {"input": {**person, "username": spare_account.username}}, secretary)
    assert codes(again["createGridWorker"]) == ["DUPLICATE"]


async def test_a_nodes_head_is_an_account_and_his_typed_name_stays(street: Street, live_server, tokens, nodes):
    secretary, head = tokens["secretary"], tokens["grid-head"]
    b03, b05 = nodes["JS01.A1.B03"], nodes["JS01.A1.B05"]
    demo = (await gql_data(live_server, SET_HEAD, {"input": {"id": b03}}, secretary))["updateGridNode"]["node"]
    assert demo["headAccount"]["username"] == street.username("grid-head") and demo["headName"] == "楼栋长3"  # seeded
    unlinked = await gql_data(live_server, SET_HEAD, {"input": {"id": b03, "headUsername": ""}}, head)
    assert unlinked["updateGridNode"]["node"] == {"headName": "楼栋长3", "headAccount": None}
    other_tenant = await gql_data(
        live_server, SET_HEAD, {"input": {"id": b03, "headUsername": "hushu-grid-head"}}, head
    )
    assert codes(other_tenant["updateGridNode"]) == ["NOT_FOUND"]
    outside = await gql_data(
        live_server, SET_HEAD, {"input": {"id": b05, "headUsername": street.username("grid-head")}}, head
    )
    assert codes(outside["updateGridNode"]) == ["NOT_FOUND"]  # B05 is not his node
    # His account's grid is B03: he cannot head B05, whoever asks.
    elsewhere = await gql_data(
        live_server, SET_HEAD, {"input": {"id": b05, "headUsername": street.username("grid-head")}}, secretary
    )
    assert codes(elsewhere["updateGridNode"]) == ["OUTSIDE_ACCOUNT_GRID"]
    relinked = await gql_data(
        live_server, SET_HEAD, {"input": {"id": b03, "headUsername": street.username("grid-head")}}, head
    )
    assert relinked["updateGridNode"]["node"]["headAccount"]["username"] == street.username("grid-head")


async def test_staff_and_volunteers_link_to_their_accounts(street: Street, live_server, tokens, nodes, spare_account):
    secretary = tokens["secretary"]
    query = "{ sinkingStaff(first: 100) { edges { node { id name username account { username } } } } }"
    staff = {
        e["node"]["name"]: e["node"]
        for e in (await gql_data(live_server, query, token=secretary))["sinkingStaff"]["edges"]
    }
    assert staff["周警官"]["account"] == {"username": street.username("dept-staff")}  # the demo links him
    target = staff["吴队员"]
    by_head = (
        await gql(
            live_server,
            LINK_STAFF,
            {"input": {"id": target["id"], "username": spare_account.username}},
            tokens["grid-head"],
        )
    ).json()
    assert by_head["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for username in ("hushu-dept-staff", street.username("dept-staff")):  # another tenant's; already 周警官's
        refused = await gql_data(
            live_server, LINK_STAFF, {"input": {"id": target["id"], "username": username}}, secretary
        )
        assert codes(refused["linkSinkingStaffAccount"]) == (["NOT_FOUND"] if "hushu" in username else ["DUPLICATE"])
    linked = await gql_data(
        live_server, LINK_STAFF, {"input": {"id": target["id"], "username": spare_account.username}}, secretary
    )
    assert linked["linkSinkingStaffAccount"]["staff"] == {
        "id": target["id"],
        "username": spare_account.username,
        "account": {"username": spare_account.username, "displayName": "测试人员"},
    }
    # While linked, his username is his account's: a grid head's edit may not change it.
    change = (
        "mutation($input: UpdateSinkingStaffInput!) { updateSinkingStaff(input: $input) "
        f"{{ staff {{ username }} {ERR} }} }}"
    )
    node = "query($id: ID!) { node(id: $id) { ... on SinkingStaff { department { id } node { id } } } }"
    where = (await gql_data(live_server, node, {"id": target["id"]}, secretary))["node"]
    edit = {
        "id": target["id"],
        "name": "吴队员",
        "departmentId": where["department"]["id"],
        "nodeId": where["node"]["id"],
    }
    assert codes(
        (await gql_data(live_server, change, {"input": {**edit, "username": "someone-else"}}, secretary))[
            "updateSinkingStaff"
        ]
    ) == ["ACCOUNT_LINKED"]
    kept = await gql_data(live_server, change, {"input": {**edit, "username": spare_account.username}}, secretary)
    assert kept["updateSinkingStaff"]["errors"] == []
    unlinked = await gql_data(live_server, LINK_STAFF, {"input": {"id": target["id"], "username": None}}, secretary)
    assert unlinked["linkSinkingStaffAccount"]["staff"]["account"] is None
    assert unlinked["linkSinkingStaffAccount"]["staff"]["username"] is None

    volunteers = "{ volunteers(first: 100) { edges { node { id name username account { username } } } } }"
    rows = {
        e["node"]["name"]: e["node"]
        for e in (await gql_data(live_server, volunteers, token=secretary))["volunteers"]["edges"]
    }
    assert rows["志愿者小李"]["account"] == {"username": street.username("volunteer")}
    other = next(v for name, v in rows.items() if v["account"] is None)
    taken = await gql_data(
        live_server, LINK_VOLUNTEER, {"input": {"id": other["id"], "username": street.username("volunteer")}}, secretary
    )
    assert codes(taken["linkVolunteerAccount"]) == ["DUPLICATE"]
    # The linked volunteer still finds his own pairings through the link.
    pairings = (await gql_data(live_server, "{ pairings { totalCount } }", token=tokens["volunteer"]))["pairings"]
    assert pairings["totalCount"] > 0


async def test_the_picker_names_linked_people_and_assigned_to_me_follows_the_register(
    street: Street, live_server, tokens, nodes, jinshui
):
    secretary, worker = tokens["secretary"], tokens["grid-worker"]
    async with tenant_transaction(jinshui.id):
        await Account.filter(tenant_id=jinshui.id, username=street.username("grid-worker")).update(
            display_name="张网格"
        )
    demo = next(
        w
        for w in await listing(live_server, secretary)
        if (w["account"] or {}).get("username") == street.username("grid-worker")
    )
    assert demo["name"] == "网格员小张" and demo["posts"] == ["FULL_TIME_WORKER", "INFORMATION"]

    # A case in building 7: outside his account's grid (B03), so not his yet.
    case = await report(live_server, tokens, who="secretary", path="JS01.A2.B07")
    case = (await act(live_server, secretary, case, "ACCEPT"))["case"]
    not_yet = await act(
        live_server, secretary, case, "DISPATCH", assigneeKind="GRID_WORKER", assignee=street.username("grid-worker")
    )
    assert codes(not_yet) == ["OUTSIDE_ASSIGNEE_GRID"]
    picked = (await gql_data(live_server, PICKER, {"id": case["id"]}, secretary))["dispatchCandidates"]
    assert street.username("grid-worker") not in [c["assignee"] for c in picked if c["kind"] == "GRID_WORKER"]
    assert {
        "kind": "DEPT_STAFF",
        "assignee": street.username("dept-staff"),
        "name": "周警官",
        "posts": [],
        "account": {"username": street.username("dept-staff"), "displayName": street.username("dept-staff")},
    } in picked

    # The register puts him on building 7 too: the picker offers him, by name and account.
    serve = {
        "id": demo["id"],
        "name": demo["name"],
        "phone": "13700000301",
        "nodeIds": [nodes["JS01.A1.B03"], nodes["JS01.A2.B07"]],
        "posts": demo["posts"],
        "username": street.username("grid-worker"),
    }
    try:
        assert (await gql_data(live_server, UPDATE, {"input": serve}, secretary))["updateGridWorker"]["errors"] == []
        picked = (await gql_data(live_server, PICKER, {"id": case["id"]}, secretary))["dispatchCandidates"]
        mine = [c for c in picked if c["kind"] == "GRID_WORKER" and c["assignee"] == street.username("grid-worker")]
        assert mine == [
            {
                "kind": "GRID_WORKER",
                "assignee": street.username("grid-worker"),
                "name": "网格员小张",
                "posts": ["FULL_TIME_WORKER", "INFORMATION"],
                "account": {"username": street.username("grid-worker"), "displayName": "张网格"},
            }
        ]
        # Only who may dispatch the case asks: one refusal for "not yours" and "not to see".
        for role in ("grid-head", "grid-worker", "volunteer"):
            refused = (await gql(live_server, PICKER, {"id": case["id"]}, tokens[role])).json()
            assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", role

        sent = await act(
            live_server, secretary, case, "DISPATCH", assigneeKind="GRID_WORKER", assignee=mine[0]["assignee"]
        )
        assert sent["errors"] == []
        shown = (
            "query($id: ID!) { node(id: $id) { ... on Case { assignee assigneeAccount { username displayName } } } }"
        )
        assert (await gql_data(live_server, shown, {"id": case["id"]}, secretary))["node"] == {
            "assignee": street.username("grid-worker"),
            "assigneeAccount": {"username": street.username("grid-worker"), "displayName": "张网格"},
        }
        assigned = "{ cases(first: 200, filter: {assignedToMe: true}) { edges { node { id } } } }"
        ids = [e["node"]["id"] for e in (await gql_data(live_server, assigned, token=worker))["cases"]["edges"]]
        assert case["id"] in ids
        started = await act(live_server, worker, sent["case"], "START")
        assert started["errors"] == [] and started["case"]["state"] == "IN_PROGRESS"
    finally:
        serve["nodeIds"] = [nodes["JS01.A1.B03"]]
        await gql_data(live_server, UPDATE, {"input": serve}, secretary)
        async with tenant_transaction(jinshui.id):
            await Account.filter(tenant_id=jinshui.id, username=street.username("grid-worker")).update(display_name="")


link_accounts = importlib.import_module("redgrid.platform.migrations.0012_grid_workers").link_accounts


class _Undo(Exception):
    pass


async def test_the_migration_links_what_names_an_account_and_loses_no_typed_head(street: Street, db):
    """Run as `redgrid migrate` runs it, by the tables' owner, in a transaction rolled back."""
    import os

    import asyncpg

    owner = await asyncpg.connect(os.environ["REDGRID_TEST_MIGRATION_DATABASE_URL"])
    try:
        with pytest.raises(_Undo):
            async with owner.transaction():
                tenant = await owner.fetchval("SELECT id FROM tenant WHERE slug = $1", street.slug)
                tag = suffix()
                ids = {}
                for username, display in ((f"m-{tag}", "王头"), (f"n-{tag}", "李同名"), (f"o-{tag}", "李同名")):
                    ids[username] = await owner.fetchval(
                        "INSERT INTO account (tenant_id, subject, username, display_name, role, email, enabled,"
                        " created_at) VALUES ($1, '', $2, $3, '', '', true, now()) RETURNING id",
                        tenant,
                        username,
                        display,
                    )
                heads = {}
                for path, head in (
                    ("JS01.A1", "王头"),
                    ("JS01.A2", "李同名"),
                    ("JS01.A3", f"m-{tag}"),
                    ("JS01.A4", "无人"),
                ):
                    heads[path] = head
                    await owner.execute(
                        "UPDATE grid_node SET head_name = $1, head_account_id = NULL"
                        " WHERE tenant_id = $2 AND path = $3",
                        head,
                        tenant,
                        path,
                    )
                await owner.execute(
                    "UPDATE sinking_staff SET account_id = NULL, username = $1"
                    " WHERE tenant_id = $2 AND name = '吴队员'",
                    f"m-{tag}",
                    tenant,
                )

                class Client:
                    capabilities = SimpleNamespace(dialect="postgres")

                    async def execute_query(self, sql: str, values: list | None = None) -> None:
                        await owner.execute(sql, *(values or []))

                    async def execute_query_dict(self, sql: str) -> list[dict]:
                        return [dict(r) for r in await owner.fetch(sql)]

                await link_accounts(None, SimpleNamespace(client=Client()))
                rows = await owner.fetch(
                    "SELECT path, head_name, head_account_id FROM grid_node WHERE tenant_id = $1"
                    " AND path = ANY($2::text[])",
                    tenant,
                    list(heads),
                )
                found = {r["path"]: (r["head_name"], r["head_account_id"]) for r in rows}
                assert found == {
                    "JS01.A1": ("王头", ids[f"m-{tag}"]),  # by display name
                    "JS01.A2": ("李同名", None),  # two accounts of that name: left for a person
                    "JS01.A3": (f"m-{tag}", ids[f"m-{tag}"]),  # by username
                    "JS01.A4": ("无人", None),
                }
                staff = await owner.fetchval(
                    "SELECT account_id FROM sinking_staff WHERE tenant_id = $1 AND name = '吴队员'", tenant
                )
                assert staff == ids[f"m-{tag}"]
                raise _Undo
    finally:
        await owner.close()
