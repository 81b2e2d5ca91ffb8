"""Rate limits on two servers sharing the real Redis, with small budgets: per signed-in user,
per anonymous client address (no token, a bad token, the websocket's upgrade and
connection_init, an upgrade refused with 429 before accept), the ID-card-number writes' own
budget and the cost budget; and on a server of its own, requests in flight per caller and
websockets waiting for connection_init per address."""

from __future__ import annotations

import asyncio
import json
import os

import pytest
import redis
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from redgrid.graphql.core.limits import prepare
from redgrid.graphql.schema import schema

from .clients import gql, password_token
from .conftest import LiveServer

ME = "{ me { username } }"
CREATE_RESIDENT = (
    "mutation($input: CreateResidentInput!) { createResident(input: $input) { resident { id } errors { field code } } }"
)
NO_SUCH_NODE = "R3JpZE5vZGU6OTk5OTk5OQ=="  # GridNode:9999999
PAGE = "query($n: Int!) { households(first: $n) { edges { node { address members { name phone } } } } }"
COST_BUDGET = 4000


@pytest.fixture(scope="module")
def servers(fresh_database):
    """Two replicas: what one counted, the other refuses."""
    client = redis.Redis.from_url(os.environ["REDGRID_REDIS_URL"])
    for key in client.scan_iter("redgrid-rate*"):
        client.delete(key)  # budgets spent by an earlier run within the minute
    env = {
        **fresh_database,
        "REDGRID_LIMIT_RATE_USER": "6/minute",
        "REDGRID_LIMIT_RATE_ANONYMOUS": "4/minute",
        "REDGRID_LIMIT_RATE_GUESSING": "2/minute",
        "REDGRID_LIMIT_RATE_COST": f"{COST_BUDGET}/minute",
        # These tests reset budgets in Redis behind the servers' back: no refusal remembered.
        "REDGRID_LIMIT_RATE_REFUSAL_MEMORY_SECONDS": "0",
    }
    started = [LiveServer(env), LiveServer(env)]
    try:
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            server.stop()


def clear_budgets(pattern: str = "redgrid-rate*") -> None:
    client = redis.Redis.from_url(os.environ["REDGRID_REDIS_URL"])
    for key in client.scan_iter(pattern):
        client.delete(key)


def assert_rate_limited(response) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def assert_upgrade_rate_limited(response) -> None:
    """A websocket upgrade refused with an HTTP 429 instead of the handshake."""
    assert response.status_code == 429, response
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert json.loads(response.body)["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_user_past_his_budget_gets_429_on_every_replica(servers, street):
    first, second = servers
    token = street.token("volunteer")
    for server in (first, second, first, second, first, second):
        response = await gql(server, ME, token=token)
        assert response.status_code == 200, response.text
    assert_rate_limited(await gql(first, ME, token=token))
    assert_rate_limited(await gql(second, ME, token=token))
    other = await gql(first, ME, token=password_token("hushu-volunteer"))
    assert other.json()["data"]["me"]["username"] == "hushu-volunteer"  # his own budget


async def test_anonymous_and_bad_token_requests_share_the_address_budget(servers):
    first, second = servers
    assert (await gql(first, ME)).status_code == 200  # anonymous: every field refuses, not the request
    assert (await gql(second, ME, token="not.a.token")).status_code == 401
    assert (await gql(first, ME, token="not.a.token")).status_code == 401
    assert (await gql(second, ME)).status_code == 200
    assert_rate_limited(await gql(first, ME))
    assert_rate_limited(await gql(second, ME, token="not.a.token"))  # bad tokens cannot be tried freely
    with pytest.raises(InvalidStatus) as refused:  # the upgrade is charged too: refused before accept
        async with connect(first.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]):
            pass
    assert_upgrade_rate_limited(refused.value.response)


async def test_id_number_writes_have_their_own_smaller_budget(servers, street):
    first, second = servers
    token = street.token("secretary")
    variables = {"input": {"nodeId": NO_SUCH_NODE, "name": "张三", "idNumber": "11010519491231002X"}}
    for server in (first, second):
        body = (await gql(server, CREATE_RESIDENT, variables, token)).json()
        assert body["data"]["createResident"]["resident"] is None  # a typed error: no such node
    refused = await gql(first, CREATE_RESIDENT, variables, token)
    assert refused.status_code == 200
    body = refused.json()
    assert body["data"] is None or body["data"]["createResident"] is None
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert body["errors"][0]["path"] == ["createResident"]
    assert (await gql(second, ME, token=token)).json()["data"]["me"]["username"] == street.username("secretary")


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_websocket_inits_and_subscribes_count_against_the_user(servers, protocol, street):
    """6 a minute: three sockets, each a connection_init and a subscribe, spend it; a second
    subscribe on the third is refused with RATE_LIMITED, a fourth socket closed with 4429."""
    role = "grid-head" if protocol == "graphql-transport-ws" else "grid-worker"
    clear_budgets("redgrid-rate*anonymous*")  # every upgrade is charged to the address too
    token = street.token(role)
    start = "subscribe" if protocol == "graphql-transport-ws" else "start"
    subscription = {"query": "subscription { heartbeat(intervalSeconds: 60) }"}

    async def answer(ws, operation_id: str) -> dict:
        while True:
            message = json.loads(await ws.recv())
            if message.get("id") == operation_id:
                return message

    for attempt, server in enumerate((servers[0], servers[1], servers[0])):
        async with connect(server.ws_url, subprotocols=[Subprotocol(protocol)]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": start, "payload": subscription}))
            assert (await answer(ws, "1"))["type"] in ("next", "data")
            if attempt == 2:
                await ws.send(json.dumps({"id": "2", "type": start, "payload": subscription}))
                message = await answer(ws, "2")
                assert message["type"] == "error", message
                errors = message["payload"] if isinstance(message["payload"], list) else [message["payload"]]
                assert errors[0]["extensions"]["code"] == "RATE_LIMITED"
    async with connect(servers[1].ws_url, subprotocols=[Subprotocol(protocol)]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429


async def test_an_operations_cost_is_charged_to_its_caller_with_the_variables_it_was_sent(servers):
    """A page of n households costs about 30 n; the budget is 4,000 a minute."""
    first, second = servers
    token = password_token("hushu-secretary")
    small = prepare(schema._schema, PAGE.replace("first: $n", "first: 10")).cost
    large = prepare(schema._schema, PAGE.replace("first: $n", "first: 100")).cost
    assert small * 3 < COST_BUDGET < large * 2
    response = await gql(first, PAGE, {"n": 100}, token)
    assert response.status_code == 200 and response.json()["data"]["households"] is not None, response.text
    assert_rate_limited(await gql(second, PAGE, {"n": 100}, token))  # the same text, a larger budget spent
    response = await gql(second, PAGE, {"n": 10}, token)
    assert response.status_code == 200, response.text  # what is left still serves a small page


@pytest.fixture(scope="module")
def crowded(fresh_database):
    """One request in flight per caller, two sockets waiting for connection_init per address."""
    server = LiveServer({**fresh_database, "REDGRID_LIMIT_IN_FLIGHT": "1", "REDGRID_LIMIT_WS_PENDING_PER_ADDRESS": "2"})
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


async def test_a_callers_requests_past_his_in_flight_places_are_refused_at_once(crowded, street):
    token = street.token("dept-staff")
    responses = await asyncio.gather(*(gql(crowded, PAGE, {"n": 100}, token) for _ in range(8)))
    statuses = sorted(r.status_code for r in responses)
    assert 200 in statuses and 429 in statuses and set(statuses) == {200, 429}, statuses
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert (await gql(crowded, ME, token=token)).status_code == 200  # the places are given back


async def test_an_address_may_keep_only_so_many_sockets_waiting_for_connection_init(crowded, street):
    token = street.token("dept-staff")
    url, protocols = crowded.ws_url, [Subprotocol("graphql-transport-ws")]
    async with connect(url, subprotocols=protocols) as one, connect(url, subprotocols=protocols):
        with pytest.raises(InvalidStatus) as refused:  # the third is refused before accept
            async with connect(url, subprotocols=protocols):
                pass
        assert_upgrade_rate_limited(refused.value.response)
        await one.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await one.recv())["type"] == "connection_ack"
        async with connect(url, subprotocols=protocols) as fourth:
            await fourth.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
            assert json.loads(await fourth.recv())["type"] == "connection_ack"  # one waits less now
