"""GraphQL over HTTP as the graphql-over-http draft says, checked by the graphql-http project's
own server audits (deploy/tools/graphql-http-audit/, run with node) and by focused requests:
application/graphql-response+json when asked for, request errors then a 4xx without `data`,
application/json (200) for older clients. And persisted queries: Apollo's APQ over POST, GET and
websockets, the hash verified, the store bounded; and a server with an allow-list refusing every
other document, sent as text or by hash, over HTTP and both websocket protocols."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from websockets.asyncio.client import connect

from .conftest import ROOT, LiveServer

AUDIT_TOOL = ROOT / "deploy" / "tools" / "graphql-http-audit"
GRAPHQL_RESPONSE = "application/graphql-response+json"
ME = "{ me { username } }"
TYPENAME = "{ __typename }"
UNKNOWN_FIELD = "{ noSuchField }"
EVENTS = "subscription { events(area: GRID) { __typename } }"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str | None = None, *, hash_of: str | None = None) -> dict[str, Any]:
    """A request body with `extensions.persistedQuery`; the text itself when `text` is given."""
    body: dict[str, Any] = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(hash_of or text or "")}}
    }
    if text is not None:
        body["query"] = text
    return body


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json().get("errors", [])]


async def post(
    server: Any, body: Any, accept: str | None = None, token: str | None = None, content: bytes | None = None
) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if accept is not None:
        headers["Accept"] = accept
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        if content is not None:
            return await client.post("/graphql", content=content, headers=headers)
        return await client.post("/graphql", json=body, headers=headers)


async def get(server: Any, params: dict[str, str], accept: str, token: str | None = None) -> httpx.Response:
    headers = {"Accept": accept, **({"Authorization": f"Bearer {token}"} if token else {})}
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        return await client.get("/graphql", params=params, headers=headers)


# --- the graphql-http audit ---------------------------------------------------------------------


def audit_tool() -> Path:
    """The pinned audit tool, installed with `npm ci` once per package-lock.json into a cache
    directory (a lock keeps two runs from installing at once; the install is renamed into place
    whole, so a broken one is never used)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("node and npm are needed to run the graphql-http audit", pytrace=False)
    lock = (AUDIT_TOOL / "package-lock.json").read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "redgrid"
    target = cache / f"graphql-http-audit-{hashlib.sha256(lock).hexdigest()[:16]}"
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / "graphql-http-audit.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        if not (target / "node_modules" / "graphql-http" / "package.json").is_file():
            building = cache / f"{target.name}.building"
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir()
            for name in ("package.json", "package-lock.json"):
                shutil.copy(AUDIT_TOOL / name, building / name)
            installed = subprocess.run(
                [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--cache", str(cache / "npm")],
                cwd=building,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert installed.returncode == 0, f"npm ci failed:\n{installed.stdout}\n{installed.stderr}"
            shutil.rmtree(target, ignore_errors=True)
            building.rename(target)
    shutil.copy(AUDIT_TOOL / "audit.mjs", target / "audit.mjs")  # the script as checked in
    return target / "audit.mjs"


def run_audit(server: Any, token: str | None) -> subprocess.CompletedProcess[str]:
    script = audit_tool()
    env = {**os.environ, "GRAPHQL_AUDIT_TOKEN": token or ""}
    return subprocess.run(
        ["node", str(script), f"{server.url}/graphql"],
        cwd=script.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_graphql_http_audit_signed_in(live_server, tokens):
    """Every audit of graphql-http passes for a signed-in client: 0 errors, 0 warnings."""
    result = run_audit(live_server, tokens["secretary"])
    assert result.returncode == 0, f"the graphql-http audit failed:\n{result.stdout}\n{result.stderr}"
    assert " 0 warnings, 0 errors" in result.stdout, result.stdout
    print(result.stdout.strip().splitlines()[-1])  # the counts, in the test's captured output


def test_graphql_http_audit_anonymous(live_server):
    """Anonymously too, except the two audits that send variables to schema introspection
    (`__type`), which production refuses to anonymous callers on purpose
    (`REDGRID_LIMIT_GRAPHQL_INTROSPECTION`): a typed FORBIDDEN, 403 when
    application/graphql-response+json is asked for."""
    result = run_audit(live_server, None)
    failed = {line.split()[1] for line in result.stdout.splitlines() if line.startswith(("warn", "error"))}
    assert failed == {"2EA1", "28B9"}, f"{result.stdout}\n{result.stderr}"
    assert result.stdout.count("schema introspection is open to signed-in callers only") == 4, result.stdout


# --- content negotiation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        (None, "application/json"),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
        (f"{GRAPHQL_RESPONSE};q=0", "application/json"),
    ],
)
async def test_content_type_follows_accept(live_server, tokens, accept, media_type, street):
    response = await post(live_server, {"query": ME}, accept, tokens["secretary"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media_type
    assert response.json() == {"data": {"me": {"username": street.username("secretary")}}}


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{", None, "GRAPHQL_PARSE_FAILED"),
        (UNKNOWN_FIELD, None, "GRAPHQL_VALIDATION_FAILED"),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": None}, "BAD_USER_INPUT"),
        ("{ me { " + "name " * 50_000 + "} }", None, "TOO_LARGE"),
    ],
)
async def test_request_errors_are_4xx_without_data_in_graphql_response_json(
    live_server, tokens, query, variables, code
):
    body = {"query": query, "variables": variables}
    modern = await post(live_server, body, GRAPHQL_RESPONSE, tokens["secretary"])
    assert modern.status_code == 400, modern.text
    assert modern.headers["content-type"] == GRAPHQL_RESPONSE
    assert "data" not in modern.json() and codes(modern) == [code], modern.text
    legacy = await post(live_server, body, "application/json", tokens["secretary"])
    assert legacy.status_code == 200, legacy.text
    assert legacy.headers["content-type"] == "application/json"
    assert codes(legacy) == [code], legacy.text


async def test_malformed_requests_are_graphql_shaped_in_either_type(live_server):
    for accept in (GRAPHQL_RESPONSE, "application/json"):
        for body, content in (
            ({"notquery": TYPENAME}, None),
            (None, b'{ "not a JSON'),
            ({"query": TYPENAME, "variables": "x"}, None),
        ):
            response = await post(live_server, body, accept, content=content)
            assert response.status_code == 400, response.text
            assert response.headers["content-type"] == accept
            assert codes(response) == ["BAD_REQUEST"] and "data" not in response.json(), response.text
            assert "Traceback" not in response.text


async def test_field_errors_stay_200_with_data(live_server):
    """Anonymous: a field that needs a user refuses, as a field error: the response has `data`,
    so it is a 200 in either media type."""
    for accept in (GRAPHQL_RESPONSE, "application/json"):
        response = await post(live_server, {"query": "{ __typename me { username } }"}, accept)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == accept
        body = response.json()
        assert "data" in body and codes(response) == ["UNAUTHENTICATED"], body


async def test_anonymous_typename_and_refusals(live_server):
    """The anonymous path: `{ __typename }` runs; introspection is refused (production) with
    403 in application/graphql-response+json and 200 in application/json; a bad token is a 401
    in the type asked for."""
    ok = await post(live_server, {"query": TYPENAME}, GRAPHQL_RESPONSE)
    assert ok.status_code == 200 and ok.json() == {"data": {"__typename": "Query"}}, ok.text
    body = {"query": '{ __type(name: "Query") { name } }'}
    modern = await post(live_server, body, GRAPHQL_RESPONSE)
    assert modern.status_code == 403 and codes(modern) == ["FORBIDDEN"] and "data" not in modern.json()
    legacy = await post(live_server, body, "application/json")
    assert legacy.status_code == 200 and codes(legacy) == ["FORBIDDEN"]
    refused = await post(live_server, {"query": TYPENAME}, GRAPHQL_RESPONSE, token="not-a-token")
    assert refused.status_code == 401 and refused.headers["content-type"] == GRAPHQL_RESPONSE
    assert codes(refused) == ["UNAUTHENTICATED"]


async def test_get_mutation_is_refused_4xx(live_server, tokens):
    response = await get(live_server, {"query": "mutation { __typename }"}, GRAPHQL_RESPONSE, tokens["secretary"])
    assert 400 <= response.status_code < 500 and response.headers["content-type"] == GRAPHQL_RESPONSE


# --- automatic persisted queries ----------------------------------------------------------------


@pytest.fixture
def clean_store():
    client = redis.Redis.from_url(os.environ["REDGRID_REDIS_URL"])
    client.delete("redgrid:apq:documents", "redgrid:apq:used")
    yield client
    client.close()


async def test_apq_round_trip_post_and_get(live_server, tokens, clean_store, street):
    token = tokens["secretary"]
    query = "query Me { me { username } }"
    missing = await post(live_server, persisted(hash_of=query), "application/json", token)
    assert missing.status_code == 200, missing.text  # Apollo's older clients expect a 200
    assert missing.json() == {
        "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
    }
    modern = await post(live_server, persisted(hash_of=query), GRAPHQL_RESPONSE, token)
    assert modern.status_code == 404 and codes(modern) == ["PERSISTED_QUERY_NOT_FOUND"], modern.text

    registered = await post(live_server, persisted(query), GRAPHQL_RESPONSE, token)
    assert registered.status_code == 200 and registered.json()["data"]["me"]["username"] == street.username("secretary")
    assert clean_store.hexists("redgrid:apq:documents", sha256(query))

    by_hash = await post(live_server, persisted(hash_of=query), GRAPHQL_RESPONSE, token)
    assert by_hash.status_code == 200 and by_hash.json() == registered.json(), by_hash.text
    params = {"extensions": json.dumps(persisted(hash_of=query)["extensions"]), "operationName": "Me"}
    for accept in (GRAPHQL_RESPONSE, "*/*"):  # */* is not a browser asking for GraphiQL
        by_get = await get(live_server, params, accept, token)
        assert by_get.status_code == 200 and by_get.json() == registered.json(), by_get.text


@pytest.mark.parametrize(("protocol", "start"), [("graphql-transport-ws", "subscribe"), ("graphql-ws", "start")])
async def test_apq_websocket_by_hash(live_server, tokens, clean_store, protocol, start, street):
    token = tokens["secretary"]
    query = "query WsMe { me { username } }"
    assert (await post(live_server, persisted(query), GRAPHQL_RESPONSE, token)).status_code == 200
    async with connect(live_server.ws_url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        if protocol == "graphql-transport-ws":  # the legacy protocol runs subscriptions only
            await ws.send(json.dumps({"id": "1", "type": start, "payload": persisted(hash_of=query)}))
            message = await _next_message(ws)
            assert message["type"] == "next" and message["payload"]["data"]["me"]["username"] == street.username(
                "secretary"
            )
        # Registered over the socket (text and hash), then sent by hash alone: both listen, no error.
        await ws.send(json.dumps({"id": "e1", "type": start, "payload": persisted(EVENTS)}))
        await ws.send(json.dumps({"id": "e2", "type": start, "payload": persisted(hash_of=EVENTS)}))
        assert not [m for m in await _quiet(ws, 0.5) if m["type"] == "error"]  # both listen
        assert clean_store.hexists("redgrid:apq:documents", sha256(EVENTS))
        await ws.send(json.dumps({"id": "2", "type": start, "payload": persisted(hash_of="{ unknown }")}))
        message = await _next_message(ws)
        assert message["type"] == "error" and message["id"] == "2", message
        error = message["payload"][0] if isinstance(message["payload"], list) else message["payload"]
        assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def _next_message(ws: Any) -> dict[str, Any]:
    while True:
        message = json.loads(await ws.recv())
        if message["type"] not in ("ka", "ping", "pong", "complete"):
            return message


async def test_apq_refusals(live_server, tokens, clean_store):
    token = tokens["secretary"]
    mismatch = await post(live_server, {**persisted(hash_of="{ other }"), "query": ME}, "application/json", token)
    assert mismatch.status_code == 400 and codes(mismatch) == ["PERSISTED_QUERY_HASH_MISMATCH"], mismatch.text
    for extension in (
        {"version": 2, "sha256Hash": sha256(ME)},
        {"version": 1, "sha256Hash": "ab" * 100},
        {"version": 1},
        "x",
        {"version": True, "sha256Hash": sha256(ME)},
    ):
        response = await post(live_server, {"extensions": {"persistedQuery": extension}}, GRAPHQL_RESPONSE, token)
        assert response.status_code == 400 and codes(response) == ["BAD_REQUEST"], response.text
    # A document that fails validation runs (and fails) but is not stored.
    invalid = await post(live_server, persisted(UNKNOWN_FIELD), GRAPHQL_RESPONSE, token)
    assert invalid.status_code == 400 and codes(invalid) == ["GRAPHQL_VALIDATION_FAILED"]
    assert not clean_store.hexists("redgrid:apq:documents", sha256(UNKNOWN_FIELD))


async def test_redis_store_is_bounded(clean_store):
    from redis.asyncio import Redis

    from redgrid.graphql.core.persisted import RedisStore

    client = Redis.from_url(os.environ["REDGRID_REDIS_URL"])
    try:
        store = RedisStore(client, entries=3, ttl_seconds=60)
        for n in range(5):
            await store.put(sha256(f"{{ a{n} }}"), f"{{ a{n} }}")
        kept = {key.decode() for key in clean_store.hkeys("redgrid:apq:documents")}
        assert kept == {sha256(f"{{ a{n} }}") for n in (2, 3, 4)}
        assert clean_store.zcard("redgrid:apq:used") == 3
        fresh = RedisStore(client, entries=3, ttl_seconds=60)  # no local cache: from Redis
        assert await fresh.get(sha256("{ a4 }")) == "{ a4 }" and await fresh.get(sha256("{ a0 }")) is None
        clean_store.zadd("redgrid:apq:used", {sha256("{ a3 }"): time.time() - 120})  # unused for too long
        assert await RedisStore(client, entries=3, ttl_seconds=60).get(sha256("{ a3 }")) is None
        await store.put(sha256("{ a5 }"), "{ a5 }")  # a write trims what is too old
        assert not clean_store.hexists("redgrid:apq:documents", sha256("{ a3 }"))
    finally:
        await client.aclose()


# --- an allow-list ------------------------------------------------------------------------------

LISTED = "query Listed { me { username } }"
LISTED_EVENTS = EVENTS


@pytest.fixture(scope="module")
def allow_listed(fresh_database, tmp_path_factory):
    manifest = tmp_path_factory.mktemp("manifest") / "persisted-queries.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {"id": sha256(text), "name": name, "type": kind, "body": text}
                    for text, name, kind in ((LISTED, "Listed", "query"), (LISTED_EVENTS, None, "subscription"))
                ],
            }
        )
    )
    server = LiveServer({**fresh_database, "REDGRID_PERSISTED_QUERIES_MANIFEST": str(manifest)})
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


async def test_allow_list_over_http(allow_listed, tokens, street):
    token = tokens["secretary"]
    for body in ({"query": LISTED}, persisted(hash_of=LISTED), persisted(LISTED)):
        response = await post(allow_listed, body, GRAPHQL_RESPONSE, token)
        assert response.status_code == 200 and response.json()["data"]["me"]["username"] == street.username("secretary")
    for accept in (GRAPHQL_RESPONSE, "application/json"):
        for body in ({"query": ME}, persisted(hash_of=ME), persisted(ME), {"query": TYPENAME}):
            response = await post(allow_listed, body, accept, token)
            assert response.status_code == 403, response.text
            assert codes(response) == ["PERSISTED_QUERY_NOT_ALLOWED"] and "data" not in response.json()
    by_get = await get(allow_listed, {"query": ME}, "application/json", token)
    assert by_get.status_code == 403 and codes(by_get) == ["PERSISTED_QUERY_NOT_ALLOWED"]


@pytest.mark.parametrize(("protocol", "start"), [("graphql-transport-ws", "subscribe"), ("graphql-ws", "start")])
async def test_allow_list_over_websockets(allow_listed, tokens, protocol, start):
    token = tokens["secretary"]
    async with connect(allow_listed.ws_url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        for n, payload in enumerate(
            ({"query": "subscription { events(area: CASES) { __typename } }"}, persisted(hash_of=ME), {"query": ME})
        ):
            await ws.send(json.dumps({"id": str(n), "type": start, "payload": payload}))
            message = await _next_message(ws)
            assert message["type"] == "error" and message["id"] == str(n), message
            error = message["payload"][0] if isinstance(message["payload"], list) else message["payload"]
            assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED", message
        if protocol == "graphql-transport-ws":  # the legacy protocol runs subscriptions only
            await ws.send(json.dumps({"id": "q", "type": start, "payload": persisted(hash_of=LISTED)}))
            message = await _next_message(ws)
            assert message["type"] == "next" and message["payload"]["data"]["me"], message
        await ws.send(json.dumps({"id": "s", "type": start, "payload": persisted(hash_of=LISTED_EVENTS)}))
        assert not [m for m in await _quiet(ws, 0.5) if m["type"] == "error"]  # listening


async def _quiet(ws: Any, seconds: float) -> list[dict[str, Any]]:
    """The messages that come within `seconds`."""
    messages = []
    with contextlib.suppress(TimeoutError):
        while True:
            messages.append(json.loads(await asyncio.wait_for(ws.recv(), seconds)))
    return messages
