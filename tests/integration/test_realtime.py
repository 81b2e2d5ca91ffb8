"""Live events across two server processes sharing Redis and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from urllib.parse import urlsplit

import pytest

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Account

from .clients import Subscriber, gql, gql_data, password_token
from .conftest import LiveServer
from .realtime_api import CREATE, any_node, gid, wait_until

TOUCH = "mutation($id: ID!) { updateGridNode(input: {id: $id}) { node { path } errors { code } } }"


async def touch(server: LiveServer, token: str, node: str) -> str:
    """Save a grid node unchanged: a harmless GRID_NODE_UPDATED at its path, for a marker. Its path."""
    result = (await gql_data(server, TOUCH, {"id": node}, token))["updateGridNode"]
    assert result["errors"] == [], result["errors"]
    return result["node"]["path"]


async def node_path(server: LiveServer, token: str) -> str:
    """The path of one node of the caller's grid."""
    data = await gql_data(server, "{ gridNodes(first: 1) { edges { node { path } } } }", token=token)
    return data["gridNodes"]["edges"][0]["node"]["path"]


def updated(path: str):
    return lambda e: e["type"] == "GRID_NODE_UPDATED" and e["path"] == path


@pytest.fixture
async def worker_in_building_4(home, street):
    """Moves the demo grid worker to building 4 for one test."""
    tenant, nodes = home
    async with tenant_transaction(tenant.id):
        account = await Account.get(tenant_id=tenant.id, username=street.username("grid-worker"))
        before = account.grid_scope_id
        account.grid_scope_id = nodes["JS01.A1.B04"].id
        await account.save()
    yield
    async with tenant_transaction(tenant.id):
        await Account.filter(id=account.id).update(grid_scope_id=before)


async def test_mutation_on_one_server_reaches_subscribers_on_the_other(
    live_server, second_server, home, worker_in_building_4, street
):
    tenant, nodes = home
    secretary = street.token("secretary")
    code = f"T{uuid.uuid4().hex[:6]}"
    async with (
        Subscriber(second_server, secretary) as whole_tenant,
        Subscriber(second_server, street.token("grid-head")) as building_3,
        Subscriber(second_server, street.token("grid-worker")) as building_4,
        Subscriber(second_server, password_token("hushu-secretary")) as other_tenant,
        Subscriber(live_server, secretary, protocol="graphql-ws") as legacy,
    ):
        result = await gql_data(live_server, CREATE, {"parent": gid(nodes["JS01.A1.B03"]), "code": code}, secretary)
        assert result["createGridNode"]["errors"] == []
        for subscriber in (whole_tenant, building_3, legacy):
            await subscriber.wait_for(1)
            event = subscriber.events[0]
            assert event["__typename"] == "GridEvent" and event["type"] == "GRID_NODE_CREATED"
            assert event["path"] == f"JS01.A1.B03.{code}" and event["code"] == code
        # Nothing reached building 4 or Hushu: proven by a marker, not a wait. A node of each is
        # saved unchanged; its event is the first either receives. Building 4's marker follows
        # the new node in the same topic, and the hub hands each listener its topic's events in
        # seq order. Hushu's topic is another, but the new node's event had already come out of
        # this hub (to whole_tenant) before the marker was even saved, and the hub dispatches
        # in the order events arrive on its one channel.
        hushu = password_token("hushu-secretary")
        b04 = await touch(live_server, secretary, gid(nodes["JS01.A1.B04"]))
        hushu_node = await touch(live_server, hushu, await any_node(live_server, hushu))
        await wait_until(building_4, updated(b04))
        await wait_until(other_tenant, updated(hushu_node))
        assert [(e["type"], e["path"]) for e in building_4.events] == [("GRID_NODE_UPDATED", b04)]
        assert [(e["type"], e["path"]) for e in other_tenant.events] == [("GRID_NODE_UPDATED", hushu_node)]
        first_seq = whole_tenant.events[0]["seq"]

    # A client that reconnects with the seq before it gets the event again, from the log.
    async with Subscriber(second_server, secretary, after=first_seq - 1) as again:
        await again.wait_for(1)
        assert again.seqs[0] == first_seq


async def test_a_document_the_hub_does_not_push_gets_the_same_events_by_strawberrys_path(
    live_server, home, worker_in_building_4, street
):
    """graphql/core/pushed.py plans plain `events` documents; one with a fragment at its root runs
    through strawberry and graphql/events/stream.py, with the same scope rules."""
    _, nodes = home
    query = (
        "subscription($area: EventArea!, $after: Int) { ...live } fragment live on Subscription "
        "{ events(area: $area, after: $after) { ... on GridEvent { seq type path code } } }"
    )
    secretary = street.token("secretary")
    code = f"F{uuid.uuid4().hex[:6]}"
    async with (
        Subscriber(live_server, secretary, query=query) as whole_tenant,
        Subscriber(live_server, street.token("grid-worker"), query=query) as building_4,
    ):
        result = await gql_data(live_server, CREATE, {"parent": gid(nodes["JS01.A1.B03"]), "code": code}, secretary)
        assert result["createGridNode"]["errors"] == []
        # By its code: an event of the test before, published late, may reach a new subscriber first.
        await wait_until(whole_tenant, lambda e: e.get("code") == code)
        # The marker: building 4 saved unchanged, later in the same topic, is the first event
        # building 4 receives; so the new node in building 3 never reached it.
        b04 = await touch(live_server, secretary, gid(nodes["JS01.A1.B04"]))
        await wait_until(building_4, updated(b04))
        assert [(e["type"], e["path"]) for e in building_4.events] == [("GRID_NODE_UPDATED", b04)]


async def test_a_rolled_back_mutation_never_reaches_a_screen(live_server, home, street):
    _, nodes = home
    head = street.token("grid-head")
    code = f"R{uuid.uuid4().hex[:6]}"
    # b is a mutation a grid head's role may not call at all: a GraphQL error, not a payload's.
    both = """mutation($ok: ID!, $code: String!) {
      a: createGridNode(input: {parentId: $ok, code: $code, name: "x"}) { node { id } }
      b: setGridLevels(names: ["x"]) { errors { code } } }"""
    async with Subscriber(live_server, street.token("secretary")) as watcher:
        response = await gql(live_server, both, {"ok": gid(nodes["JS01.A1.B03"]), "code": code}, head)
        body = response.json()
        assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["b"], "FORBIDDEN")]
        # No wait: the next committed change is the first thing the watcher sees. Events are
        # sequenced in commit order, so had the rolled-back one been sent, it would come first.
        ok = await gql_data(live_server, CREATE, {"parent": gid(nodes["JS01.A1.B03"]), "code": code}, head)
        assert ok["createGridNode"]["errors"] == []
        await watcher.wait_for(1)
        assert [e["code"] for e in watcher.events] == [code]
    secretary = street.token("secretary")
    query = "query($p: ID!) { gridNodes(first: 500, filter: {parentId: $p}) { edges { node { code } } } }"
    listing = await gql_data(live_server, query, {"p": gid(nodes["JS01.A1.B03"])}, secretary)
    assert [e["node"]["code"] for e in listing["gridNodes"]["edges"]].count(code) == 1  # only the second try


async def test_a_case_on_one_server_reaches_those_who_may_see_it_on_the_other(
    live_server, second_server, tokens, worker_in_building_4, street
):
    """The cases topic across replicas: the street and the grid head of building 3 see a case
    reported there; the grid worker of building 4, sinking staff and a volunteer it does not
    name, and another street, see nothing."""
    from .cases_api import act, report

    area = "CASES"
    async with (
        Subscriber(second_server, tokens["secretary"], area) as whole_tenant,
        Subscriber(second_server, tokens["grid-head"], area) as building_3,
        Subscriber(second_server, street.token("grid-worker"), area) as building_4,
        Subscriber(second_server, tokens["dept-staff"], area) as staff,
        Subscriber(second_server, tokens["volunteer"], area) as volunteer,
        Subscriber(second_server, tokens["hushu-secretary"], area) as other_tenant,
    ):
        case = await report(live_server, tokens, who="grid-head")

        def of_it(subscriber: Subscriber) -> list[tuple[str, str]]:
            # Earlier tests' cases in building 3 may fall overdue meanwhile: only this case's events.
            return [(e["type"], e["number"]) for e in subscriber.events if e["number"] == case["number"]]

        for subscriber in (whole_tenant, building_3):
            for _ in range(300):
                if of_it(subscriber):
                    break
                await asyncio.sleep(0.1)
            assert of_it(subscriber) == [("CASE_CREATED", case["number"])]
        # The marker: a case the volunteer reports in building 4, then dispatched to the sinking
        # staff: events building 4, the volunteer and the staff may see, later in the same topic
        # (seq order); and a case of Hushu's, once this case's event had come out of this hub.
        marker = await report(live_server, tokens, who="volunteer", path="JS01.A1.B04")
        for action, extra in (
            ("ACCEPT", {}),
            ("CONSULT", {}),
            ("DISPATCH", {"assigneeKind": "DEPT_STAFF", "assignee": street.username("dept-staff")}),
        ):
            marker = (await act(live_server, tokens["secretary"], marker, action, **extra))["case"]
        hushu = {"secretary": tokens["hushu-secretary"]}
        hushu_path = await node_path(live_server, tokens["hushu-secretary"])
        elsewhere = await report(live_server, hushu, who="secretary", path=hushu_path)
        for subscriber, number in (
            (building_4, marker["number"]),
            (staff, marker["number"]),
            (volunteer, marker["number"]),
            (other_tenant, elsewhere["number"]),
        ):
            await wait_until(subscriber, lambda e, number=number: e["number"] == number)
            assert of_it(subscriber) == []


def _redis(*args: str) -> subprocess.CompletedProcess[str]:
    """redis-cli against the suite's Redis (REDGRID_REDIS_URL)."""
    port = str(urlsplit(os.environ["REDGRID_REDIS_URL"]).port)
    return subprocess.run(["redis-cli", "-p", port, *args], capture_output=True, text=True, timeout=30)


@pytest.mark.alone  # stops the Redis every xdist worker uses (tests/conftest.py)
async def test_redis_restart_during_1000_transitions_loses_nothing(live_server, second_server, street):
    """250 cases reported and taken through four transitions each (1,250 events on the cases
    topic) while Redis is stopped after 30% of them and started again after 60%: subscribers on
    both replicas end with every event of these cases, in order, none twice."""
    from .cases_api import MOVE, REPORT, category_id
    from .grid_api import node_id

    # Tokens of its own: the module's may not outlive a run this long on a slow machine.
    tokens = {role: street.token(role) for role in ("secretary", "grid-head", "grid-worker")}
    head, worker = tokens["grid-head"], tokens["grid-worker"]
    report_input = {
        "title": "楼道堆物",
        "categoryId": await category_id(live_server, tokens["secretary"]),
        "source": "PATROL",
        "nodeId": await node_id(live_server, tokens["secretary"], "JS01.A1.B03"),
    }
    steps = [
        (head, "ACCEPT", {}),
        (head, "CONSULT", {}),
        (head, "DISPATCH", {"assigneeKind": "GRID_WORKER", "assignee": street.username("grid-worker")}),
        (worker, "START", {}),
    ]
    cases, total = 250, 1250
    sent: list[tuple[str, str]] = []  # (case number, state) of every event, in commit order

    async def mutate(query: str, variables: dict, token: str, name: str) -> dict:
        result = (await gql_data(live_server, query, variables, token))[name]
        assert result["errors"] == [], result["errors"]
        sent.append((result["case"]["number"], result["case"]["state"]))
        return result["case"]

    async with (
        Subscriber(second_server, tokens["secretary"], "CASES") as far,
        Subscriber(live_server, tokens["secretary"], "CASES") as near,
    ):
        for i in range(cases):
            if i == cases * 3 // 10:
                await asyncio.to_thread(_redis, "shutdown", "nosave")
                assert (await asyncio.to_thread(_redis, "ping")).stdout.strip() != "PONG", "Redis is still up"
            if i == cases * 6 // 10:
                # off the event loop: the subscribers keep reading their sockets meanwhile
                await asyncio.to_thread(
                    subprocess.run, ["bash", "deploy/services.sh", "up"], check=True, capture_output=True, timeout=300
                )
                assert (await asyncio.to_thread(_redis, "ping")).stdout.strip() == "PONG"
            case = await mutate(REPORT, {"input": report_input}, head, "reportCase")
            for token, action, extra in steps:
                variables = {"input": {"id": case["id"], "action": action, "version": case["version"], **extra}}
                case = await mutate(MOVE, variables, token, "transitionCase")
        assert len(sent) == total
        ours = {number for number, _ in sent}
        for subscriber in (far, near):
            deadline = asyncio.get_running_loop().time() + 120
            while len([e for e in subscriber.events if e["number"] in ours]) < total:
                assert asyncio.get_running_loop().time() < deadline, f"{len(subscriber.events)} events of {total}"
                await asyncio.sleep(0.1)
            # Overdue alerts of earlier tests' cases may come in between: these cases' events
            # are all there, in order, none twice.
            got = [(e["number"], e["state"]) for e in subscriber.events if e["number"] in ours]
            assert got == sent, "all, in order, none twice"
            assert subscriber.seqs == sorted(set(subscriber.seqs))
