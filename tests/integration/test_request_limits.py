"""Nothing a caller sends can crash the server or stall it: bodies are refused by size while they
stream in, JSON and GraphQL documents by shape, size, depth, aliases and cost, websockets by the
connection_init deadline, operations per socket and the replay window, and introspection is
closed to anonymous callers in production. Against a real server of its own, whose limits are
set small where a test needs to reach them."""

from __future__ import annotations

import asyncio
import json
import selectors
import socket
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from redgrid.platform.limits import MIB

from .clients import gql, gql_data
from .conftest import LiveServer

WS_INIT_TIMEOUT = 1.0
WS_OPERATIONS = 3
REPLAY_WINDOW = 2
EVENTS = "subscription($after: Int) { events(area: GRID, after: $after) { ... on Event { seq type } } }"
CREATE = """mutation($parent: ID!, $code: String!) {
  createGridNode(input: {parentId: $parent, code: $code, name: "限额测试"}) { node { id } errors { code } } }"""
PROTOCOLS = ("graphql-transport-ws", "graphql-ws")


@pytest.fixture(scope="module")
def server(fresh_database: dict[str, str]) -> Iterator[LiveServer]:
    server = LiveServer(
        {
            **fresh_database,
            "REDGRID_LIMIT_WS_INIT_TIMEOUT_SECONDS": str(WS_INIT_TIMEOUT),
            "REDGRID_LIMIT_WS_SUBSCRIPTIONS": str(WS_OPERATIONS),
            "REDGRID_LIMIT_REPLAY_EVENTS": str(REPLAY_WINDOW),
            "REDGRID_LIMIT_RATE_ANONYMOUS": "100000/minute",
            "REDGRID_LIMIT_RATE_USER": "100000/minute",
        }
    )
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def codes(body: dict) -> list[str]:
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]


# --- GraphQL documents -------------------------------------------------------------------------


async def test_a_megabyte_query_is_refused_at_once_and_the_server_keeps_answering(server) -> None:
    query = "{ " + "a " * 500_000 + "}"

    async def healthz_while_refusing() -> float:
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
            await asyncio.sleep(0.05)
            started = time.perf_counter()
            response = await client.get("/healthz")
            assert response.status_code == 200
            return time.perf_counter() - started

    async def refused() -> tuple[httpx.Response, float]:
        started = time.perf_counter()
        response = await gql(server, query)
        return response, time.perf_counter() - started

    (response, took), healthz_took = await asyncio.gather(refused(), healthz_while_refusing())
    assert response.status_code == 200, response.text
    assert codes(response.json()) == ["TOO_LARGE"], response.text[:600]
    assert took < 1.0 and healthz_took < 1.0
    again = [await gql(server, "{ " + f"b{i} " * 300_000 + "}") for i in range(3)]  # none is kept
    assert [codes(r.json()) for r in again] == [["TOO_LARGE"]] * 3


async def test_residents_households_and_members_in_a_cycle_are_refused(server, tokens) -> None:
    query = (
        "{residents(first:50){edges{node{household{members{household{members{household{members{"
        "household{members{id name phone}}}}}}}}}}}}"
    )
    started = time.perf_counter()
    body = (await gql(server, query, token=tokens["secretary"])).json()
    assert codes(body) == ["TOO_COMPLEX"] and body.get("data") is None
    assert time.perf_counter() - started < 1.0


async def test_the_grid_tree_walked_down_and_up_is_refused_to_a_volunteer(server, tokens) -> None:
    query = (
        "{gridNodes(first:50){edges{node{children{parent{children{parent{children{parent{children{id name}}}}}}}}}}}"
    )
    body = (await gql(server, query, token=tokens["volunteer"])).json()
    assert codes(body) == ["TOO_COMPLEX"] and body.get("data") is None
    fine = await gql_data(server, "{gridNodes(first:50){edges{node{id children{id name}}}}}", token=tokens["volunteer"])
    assert fine["gridNodes"]["edges"]


async def test_a_thousand_aliases_are_refused(server) -> None:
    thousand = "{" + " ".join(f"a{i}:__typename" for i in range(1000)) + "}"
    assert codes((await gql(server, thousand)).json()) == ["TOO_LARGE"]  # past the tokens, while parsed
    forty = "{" + " ".join(f"a{i}:__typename" for i in range(40)) + "}"
    assert codes((await gql(server, forty)).json()) == ["TOO_MANY_ALIASES"]


async def test_introspection_is_for_signed_in_callers_in_production(server, tokens) -> None:
    query = "{ __schema { queryType { name } } }"
    anonymous = (await gql(server, query)).json()
    assert codes(anonymous) == ["FORBIDDEN"] and anonymous.get("data") is None
    typed = (await gql(server, '{ __type(name: "Resident") { name } }')).json()
    assert codes(typed) == ["FORBIDDEN"]
    signed_in = await gql_data(server, query, token=tokens["volunteer"])
    assert signed_in["__schema"]["queryType"]["name"] == "Query"


# --- HTTP bodies --------------------------------------------------------------------------------


async def _raw_request(
    server: LiveServer,
    head: dict[str, str],
    body_chunks: Iterator[bytes] | None,
) -> tuple[int, dict, int]:
    """POST /graphql over a bare socket, sending `body_chunks` (chunked) until the server answers;
    the status, the JSON body and how many body bytes were sent by then."""
    return await asyncio.to_thread(_post, server, head, body_chunks)


def _post(server: LiveServer, head: dict[str, str], body_chunks: Iterator[bytes] | None) -> tuple[int, dict, int]:
    # Blocking sockets in a thread, not asyncio streams: the server closes once it has answered,
    # and a reset seen while writing must not hide the answer already received.
    url = urlsplit(server.url)
    lines = ["POST /graphql HTTP/1.1", f"Host: {url.netloc}", *(f"{k}: {v}" for k, v in head.items())]
    if body_chunks is not None:
        lines.append("Transfer-Encoding: chunked")
    pending = memoryview(("\r\n".join(lines) + "\r\n\r\n").encode())
    chunks = iter(body_chunks or ())
    received, sent, deadline = b"", 0, time.monotonic() + 60
    with socket.create_connection((url.hostname, url.port)) as sock, selectors.DefaultSelector() as selector:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
        while not _complete(received) and time.monotonic() < deadline:
            for _, events in selector.select(1):
                if events & selectors.EVENT_READ:
                    data = sock.recv(65536)
                    received += data
                    if not data:
                        return _response(received, sent)
                if events & selectors.EVENT_WRITE:
                    if not pending:
                        chunk = next(chunks, None)
                        if chunk is None:
                            selector.modify(sock, selectors.EVENT_READ)
                            continue
                        pending = memoryview(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        sent += len(chunk)
                    try:
                        pending = pending[sock.send(pending) :]
                    except (BrokenPipeError, ConnectionResetError):
                        selector.modify(sock, selectors.EVENT_READ)
    return _response(received, sent)


def _complete(received: bytes) -> bool:
    head, separator, body = received.partition(b"\r\n\r\n")
    if not separator:
        return False
    lengths = (line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    length = int(next(lengths))
    return len(body) >= length


def _response(received: bytes, sent: int) -> tuple[int, dict, int]:
    assert _complete(received), received[:300]
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body), sent


def _chunks(total: int, chunk: bytes) -> Iterator[bytes]:
    for _ in range(total // len(chunk)):
        yield chunk


async def test_a_hundred_megabyte_json_body_is_refused_while_it_streams(server) -> None:
    body = _chunks(100 * MIB, b'{"query": "' + b" " * (64 * 1024 - 11))
    status, answer, sent = await _raw_request(server, {"Content-Type": "application/json"}, body)
    assert status == 413 and codes(answer) == ["TOO_LARGE"]
    assert sent < 20 * MIB  # answered long before the end: what was sent is what the buffers held


async def test_a_declared_hundred_megabytes_is_refused_before_any_is_sent(server) -> None:
    head = {"Content-Type": "application/json", "Content-Length": str(100 * MIB)}
    status, answer, sent = await _raw_request(server, head, None)
    assert status == 413 and codes(answer) == ["TOO_LARGE"] and sent == 0


async def test_a_four_hundred_megabyte_multipart_is_refused_while_it_streams(server) -> None:
    multipart = {"Content-Type": "multipart/form-data; boundary=limit", "Content-Length": str(400 * MIB)}
    status, answer, _ = await _raw_request(server, multipart, None)
    assert status == 413 and codes(answer) == ["TOO_LARGE"]
    part = b'--limit\r\nContent-Disposition: form-data; name="0"; filename="a.xlsx"\r\n\r\n' + b"x" * MIB
    status, answer, sent = await _raw_request(
        server, {"Content-Type": "multipart/form-data; boundary=limit"}, _chunks(400 * MIB, part)
    )
    assert status == 413 and codes(answer) == ["TOO_LARGE"]
    assert 64 * MIB <= sent < 100 * MIB  # read up to the upload limit, no further


def _send_huge_url(server: LiveServer, size: int) -> int:
    """Send a GET whose URL is `size` bytes long; how many of them the server took."""
    url = urlsplit(server.url)
    sent = 0
    with socket.create_connection((url.hostname, url.port)) as sock:
        try:
            sock.sendall(b"GET /graphql?query=")
            for _ in range(size // 65536):
                sock.sendall(b"a" * 65536)
                sent += 65536
            sock.sendall(b" HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.settimeout(30)
            assert sock.recv(100).startswith(b"HTTP/1.1 400")
        except (BrokenPipeError, ConnectionResetError):
            pass
    return sent


async def test_a_huge_url_is_cut_off_and_the_server_keeps_answering(server) -> None:
    sending = asyncio.create_task(asyncio.to_thread(_send_huge_url, server, 100 * MIB))
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        while not sending.done():
            started = time.perf_counter()
            assert (await client.get("/healthz")).status_code == 200
            assert time.perf_counter() - started < 1.0
            await asyncio.sleep(0.05)
    assert await sending < 50 * MIB


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"query": "{ __typename }", "x": "\xff\xfe"}', "not valid JSON in UTF-8"),
        (b'{"query": ', "not valid JSON in UTF-8"),
        (b'["{ __typename }"]', "must be a JSON object"),
        (b'"{ __typename }"', "must be a JSON object"),
        (b'{"query": "{ __typename }", "variables": ' + b"[" * 40 + b"]" * 40 + b"}", "nests deeper than 32"),
        (b'{"query": "{ __typename }", "variables": ' + b"[" * 5000 + b"]" * 5000 + b"}", "not valid JSON"),
        (b'{"query": 5}', "`query` must be a string"),
        (b'{"query": "{ __typename }", "variables": [1]}', "`variables` must be an object"),
        (b'{"query": "{ __typename }", "operationName": {"a": 1}}', "`operationName` must be a string"),
    ],
)
async def test_a_malformed_json_body_is_a_400_with_a_plain_reason(server, content: bytes, reason: str) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        response = await client.post("/graphql", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert reason in response.text
    assert not any(leak in response.text for leak in ("Traceback", "Error(", "line ", "char ", "orjson"))


# --- websockets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_socket_without_connection_init_is_closed_after_the_deadline(server, protocol: str) -> None:
    started = time.perf_counter()
    async with connect(server.ws_url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), WS_INIT_TIMEOUT + 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408
    assert WS_INIT_TIMEOUT - 0.1 <= time.perf_counter() - started < WS_INIT_TIMEOUT + 5


async def _acknowledged(ws, token: str) -> None:
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    while (message := json.loads(await ws.recv()))["type"] != "connection_ack":
        assert message["type"] in ("ka", "ping"), message


async def _next_message(ws, *, skip: tuple[str, ...] = ("ka", "ping", "pong")) -> dict:
    while (message := json.loads(await asyncio.wait_for(ws.recv(), 10)))["type"] in skip:
        pass
    return message


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_one_operation_more_than_the_limit_is_refused_and_the_socket_stays(server, tokens, protocol) -> None:
    start = "subscribe" if protocol == "graphql-transport-ws" else "start"
    stop = "complete" if protocol == "graphql-transport-ws" else "stop"
    heartbeat = "subscription { heartbeat(intervalSeconds: 300) }"
    async with connect(server.ws_url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        await _acknowledged(ws, tokens["secretary"])
        for n in range(WS_OPERATIONS):  # pushed events and strawberry's own operations count alike
            query = EVENTS if n % 2 == 0 else heartbeat
            await ws.send(json.dumps({"id": str(n), "type": start, "payload": {"query": query}}))
        await asyncio.sleep(0.5)
        await ws.send(json.dumps({"id": "extra", "type": start, "payload": {"query": EVENTS}}))
        refused = await _next_message(ws, skip=("ka", "ping", "pong", "next", "data"))
        assert refused["type"] == "error" and refused["id"] == "extra", refused
        errors = refused["payload"] if isinstance(refused["payload"], list) else [refused["payload"]]
        assert errors[0]["extensions"]["code"] == "TOO_MANY"
        await ws.send(json.dumps({"id": "0", "type": stop}))  # one fewer open: a new one is taken
        if protocol == "graphql-ws":
            assert (await _next_message(ws, skip=("ka", "data"))) == {"type": "complete", "id": "0"}
        await ws.send(json.dumps({"id": "again", "type": start, "payload": {"query": heartbeat}}))
        accepted = await _next_message(ws, skip=("ka", "ping", "pong"))
        while accepted.get("id") != "again":
            accepted = await _next_message(ws, skip=("ka", "ping", "pong"))
        assert accepted["type"] in ("next", "data"), accepted


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_subscribe_message_is_held_to_the_same_document_limits(server, tokens, protocol) -> None:
    start = "subscribe" if protocol == "graphql-transport-ws" else "start"
    too_big = (
        "subscription { events(area: GRID) { ... on Event { seq " + "type " * 8_000 + "} } }"
    )  # under the frame limit
    cyclic = (
        "{residents(first:50){edges{node{household{members{household{members{household{members{"
        "household{members{id name phone}}}}}}}}}}}}"
    )
    async with connect(server.ws_url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        await _acknowledged(ws, tokens["secretary"])
        cases = [("big", too_big, "TOO_LARGE")]
        if protocol == "graphql-transport-ws":  # graphql-ws takes subscriptions only
            cases.append(("cyclic", cyclic, "TOO_COMPLEX"))
        for operation_id, query, code in cases:
            await ws.send(json.dumps({"id": operation_id, "type": start, "payload": {"query": query}}))
            refused = await _next_message(ws)
            payload = refused["payload"]
            errors = payload if isinstance(payload, list) else payload.get("errors") or [payload]
            assert refused["id"] == operation_id and errors[0].get("extensions", {}).get("code") == code, refused


@pytest.fixture(scope="module")
async def grid_events(server, db, street) -> int:
    """More events on the street's grid topic than the replay window holds; the topic's head."""
    import base64

    from redgrid.platform.database import tenant_transaction
    from redgrid.platform.events import topic_for
    from redgrid.platform.models import Tenant
    from redgrid.realtime.eventlog import DatabaseEventLog
    from redgrid.tenants.grid.models import GridNode

    tenant = await Tenant.get(slug=street.slug)
    async with tenant_transaction(tenant.id):
        parent = await GridNode.get(tenant_id=tenant.id, path="JS01.A1.B03")
    secretary = street.token("secretary")
    parent_id = base64.b64encode(f"GridNode:{parent.id}".encode()).decode()
    for _ in range(REPLAY_WINDOW + 2):
        created = await gql_data(server, CREATE, {"parent": parent_id, "code": f"L{uuid.uuid4().hex[:6]}"}, secretary)
        assert created["createGridNode"]["errors"] == []
    topic = topic_for(tenant.id, "grid")
    last = -1
    for _ in range(100):  # until every event is sequenced and no more come
        await asyncio.sleep(0.3)
        head = await DatabaseEventLog().head(topic)
        if head == last and head > REPLAY_WINDOW + 1:
            return head
        last = head
    raise AssertionError("the events were not sequenced")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_after_further_back_than_the_replay_window_is_refused(server, tokens, grid_events, protocol) -> None:
    start, data = ("subscribe", "next") if protocol == "graphql-transport-ws" else ("start", "data")
    async with connect(server.ws_url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        await _acknowledged(ws, tokens["secretary"])
        await ws.send(json.dumps({"id": "old", "type": start, "payload": {"query": EVENTS, "variables": {"after": 0}}}))
        refused = await _next_message(ws)
        payload = refused["payload"]
        errors = payload if isinstance(payload, list) else payload.get("errors") or [payload]
        assert errors[0]["extensions"]["code"] == "REPLAY_TOO_OLD", refused
        assert "subscribe without `after`" in errors[0]["message"]
        recent = grid_events - REPLAY_WINDOW
        await ws.send(
            json.dumps({"id": "recent", "type": start, "payload": {"query": EVENTS, "variables": {"after": recent}}})
        )
        replayed = []
        while len(replayed) < REPLAY_WINDOW:
            if (message := await _next_message(ws))["id"] == "recent":
                replayed.append(message)
        assert [m["type"] for m in replayed] == [data] * REPLAY_WINDOW, replayed
        assert [m["payload"]["data"]["events"]["seq"] for m in replayed] == [recent + 1, recent + 2]
