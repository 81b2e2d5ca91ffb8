"""What a server writes to its log when callers send bad requests: one short line per error,
with its request id, never what the caller wrote, and a flood collapsed into a count."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from .clients import gql
from .conftest import LiveServer

ID_NUMBER = "110105194912310021"
NO_SUCH_NODE = "R3JpZE5vZGU6OTk5OTk5OQ=="  # GridNode:9999999


@pytest.fixture(scope="module")
def server(fresh_database):
    started = LiveServer({**fresh_database, "REDGRID_LOG_LEVEL": "INFO", "REDGRID_LOG_REPEAT_SECONDS": "3"})
    try:
        started.wait_ready()
        yield started
    finally:
        started.stop()


def log_lines(server: LiveServer) -> list[dict]:
    return [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]


async def test_an_id_number_written_inline_never_reaches_the_log(server, street):
    token = street.token("secretary")
    failing = [
        # An Int where a String belongs: graphql-core's message quotes the value.
        f'mutation {{ createResident(input: {{nodeId: "{NO_SUCH_NODE}", name: "x", idNumber: {ID_NUMBER}}}) '
        "{ resident { id } } }",
        # The number as a global id: strawberry's message quotes it.
        f'mutation {{ createResident(input: {{nodeId: "{ID_NUMBER}", name: "x", idNumber: "{ID_NUMBER}"}}) '
        "{ resident { id } } }",
        f'{{ node(id: "{ID_NUMBER}") {{ id }} }}',
        f'mutation {{ createResident(input: {{nodeId: "{NO_SUCH_NODE}", name: "x", idNumber: "{ID_NUMBER}"}}) '
        "{ resident { id } ",  # a syntax error
    ]
    request_ids = []
    for query in failing:
        response = await gql(server, query, token=token)
        assert response.status_code in (200, 400), response.text
        request_ids.append(response.headers["x-request-id"])
    anonymous = await gql(
        server,
        f'mutation {{ createResident(input: {{nodeId: "{NO_SUCH_NODE}", name: "x", '
        f'idNumber: "{ID_NUMBER}"}}) {{ resident {{ id }} }} }}',
    )
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await asyncio.sleep(0.5)
    text = server.log.read_text()
    assert ID_NUMBER not in text
    assert token not in text and token.split(".")[1] not in text
    errors = [line for line in log_lines(server) if line["event"].startswith("graphql ")]
    assert errors, text[-2000:]
    assert {line["request_id"] for line in errors} & set(request_ids)
    for line in errors:
        assert set(line) <= {
            "event",
            "operation",
            "code",
            "path",
            "request_id",
            "level",
            "logger",
            "timestamp",
            "repeated",
            "error",
            "at",
            "frames",
            "cause",
        }, line


async def test_a_flood_of_identical_bad_requests_is_one_line_and_a_count(server):
    """The window is 3 s here: one line when the flood starts, one per window it lasts, each
    counting the ones it stood for."""
    query = "query Flood { me { nosuchfield } }"
    before = server.log.stat().st_size
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        for _ in range(200):
            response = await client.post("/graphql", json={"query": query})
            assert response.status_code == 200 and response.json()["errors"]
        elapsed = time.monotonic() - started
        await asyncio.sleep(3.2)  # the repeat window passes
        await client.post("/graphql", json={"query": query})
    await asyncio.sleep(0.5)
    flood = [line for line in log_lines(server) if line.get("operation") == "Flood"]
    assert 2 <= len(flood) <= 2 + elapsed // 3, flood
    assert len(flood) + sum(line.get("repeated", 0) for line in flood) == 201
    assert flood[-1]["repeated"] >= 1
    # One access line a request (~200 bytes) and the few error lines: no traceback per request.
    assert server.log.stat().st_size - before < 201 * 400
