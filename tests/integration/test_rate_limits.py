"""Rate limits on two servers sharing the real Redis, with small budgets: per signed-in user,
per anonymous client address (no token, a bad token, the websocket's connection_init), and the
ID-card-number writes' own budget."""

from __future__ import annotations

import json
import os

import pytest
import redis
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from .clients import gql, password_token
from .conftest import LiveServer

ME = "{ me { username } }"
CREATE_RESIDENT = ("mutation($input: CreateResidentInput!) { createResident(input: $input) "
                   "{ resident { id } errors { field code } } }")
NO_SUCH_NODE = "R3JpZE5vZGU6OTk5OTk5OQ=="  # GridNode:9999999


@pytest.fixture(scope="module")
def servers(fresh_database):
    """Two replicas: what one counted, the other refuses."""
    client = redis.Redis.from_url(os.environ["REDGRID_REDIS_URL"])
    for key in client.scan_iter("redgrid-rate*"):
        client.delete(key)  # budgets spent by an earlier run within the minute
    env = {**fresh_database, "REDGRID_LIMIT_RATE_USER": "6/minute", "REDGRID_LIMIT_RATE_ANONYMOUS": "4/minute",
           "REDGRID_LIMIT_RATE_GUESSING": "2/minute"}
    started = [LiveServer(env), LiveServer(env)]
    try:
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            server.stop()


def assert_rate_limited(response) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_user_past_his_budget_gets_429_on_every_replica(servers):
    first, second = servers
    token = password_token("jinshui-volunteer")
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
    async with connect(first.ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429


async def test_id_number_writes_have_their_own_smaller_budget(servers):
    first, second = servers
    token = password_token("jinshui-secretary")
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
    assert (await gql(second, ME, token=token)).json()["data"]["me"]["username"] == "jinshui-secretary"


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_websocket_inits_and_subscribes_count_against_the_user(servers, protocol):
    """6 a minute: three sockets, each a connection_init and a subscribe, spend it; a second
    subscribe on the third is refused with RATE_LIMITED, a fourth socket closed with 4429."""
    user = "jinshui-grid-head" if protocol == "graphql-transport-ws" else "jinshui-grid-worker"
    token = password_token(user)
    start = "subscribe" if protocol == "graphql-transport-ws" else "start"
    subscription = {"query": "subscription { heartbeat(intervalSeconds: 60) }"}

    async def answer(ws, operation_id: str) -> dict:
        while True:
            message = json.loads(await ws.recv())
            if message.get("id") == operation_id:
                return message

    for attempt, server in enumerate((servers[0], servers[1], servers[0])):
        async with connect(server.ws_url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
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
    async with connect(servers[1].ws_url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
