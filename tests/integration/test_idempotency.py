"""Idempotency keys against PostgreSQL and a real server: a mutation retried with the same
`Idempotency-Key` runs once and replays its response; concurrent duplicates run once; the same
key with another request, or a malformed key, is refused; another user's key is his own; a
multipart upload (a photo) is de-duplicated by its bytes; requests without a key are unchanged."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from redgrid.platform.database import tenant_transaction
from redgrid.platform.idempotency import purge_expired
from redgrid.platform.models import IdempotentRequest
from redgrid.tenants.cases.models import Case

from .attachments_api import ADD, photo, rows_of
from .cases_api import REPORT, category_id, report
from .grid_api import node_id


async def post(server, token: str | None, body: dict, key: str | bytes | None) -> httpx.Response:
    headers: dict[str, str | bytes] = {"Authorization": f"Bearer {token}"} if token else {}
    if key is not None:
        headers["Idempotency-Key"] = key
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        return await client.post("/graphql", json=body, headers=headers)


async def report_body(server, tokens, title: str) -> dict:
    variables = {
        "input": {
            "title": title,
            "categoryId": await category_id(server, tokens["secretary"], "street_order"),
            "source": "PATROL",
            "nodeId": await node_id(server, tokens["secretary"], "JS01.A1.B03"),
        }
    }
    return {"query": REPORT, "variables": variables}


async def cases_titled(street, title: str) -> int:
    async with tenant_transaction(street.tenant.id):
        return await Case.filter(tenant_id=street.tenant.id, title=title).count()


async def test_a_retry_after_success_replays_the_first_response(live_server, tokens, street):
    title, key = f"重复上报 {uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    body = await report_body(live_server, tokens, title)
    first = await post(live_server, tokens["grid-worker"], body, key)
    assert first.status_code == 200, first.text
    assert first.json()["data"]["reportCase"]["errors"] == []
    assert "idempotent-replayed" not in first.headers
    again = await post(live_server, tokens["grid-worker"], body, key)
    assert again.status_code == 200, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await cases_titled(street, title) == 1


async def test_concurrent_duplicates_make_one_case(live_server, tokens, street):
    title, key = f"并发上报 {uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    body = await report_body(live_server, tokens, title)
    answers = await asyncio.gather(*(post(live_server, tokens["grid-worker"], body, key) for _ in range(6)))
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    numbers = {a.json()["data"]["reportCase"]["case"]["number"] for a in answers}
    assert len(numbers) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 5
    assert await cases_titled(street, title) == 1


async def test_the_same_key_with_another_request_is_refused(live_server, tokens, street):
    key = uuid.uuid4().hex
    first_title, other_title = f"原请求 {uuid.uuid4().hex[:8]}", f"另一请求 {uuid.uuid4().hex[:8]}"
    assert (
        await post(live_server, tokens["grid-worker"], await report_body(live_server, tokens, first_title), key)
    ).status_code == 200
    refused = await post(live_server, tokens["grid-worker"], await report_body(live_server, tokens, other_title), key)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert (await cases_titled(street, first_title), await cases_titled(street, other_title)) == (1, 0)


async def test_another_user_with_the_same_key_is_independent(live_server, tokens, street):
    key, title = uuid.uuid4().hex, f"各自的键 {uuid.uuid4().hex[:8]}"
    body = await report_body(live_server, tokens, title)
    worker = await post(live_server, tokens["grid-worker"], body, key)
    head = await post(live_server, tokens["grid-head"], body, key)
    assert (worker.status_code, head.status_code) == (200, 200)
    assert "idempotent-replayed" not in head.headers
    numbers = {r.json()["data"]["reportCase"]["case"]["number"] for r in (worker, head)}
    assert len(numbers) == 2
    assert await cases_titled(street, title) == 2


async def test_malformed_keys_are_refused_before_anything_runs(live_server, tokens, street):
    title = f"坏键 {uuid.uuid4().hex[:8]}"
    body = await report_body(live_server, tokens, title)
    for bad in ("", "x" * 65, "has space", "中文".encode(), "a/b"):
        refused = await post(live_server, tokens["grid-worker"], body, bad)
        assert refused.status_code == 400, (bad, refused.text)
        assert refused.json()["errors"][0]["extensions"]["code"] == "INVALID_IDEMPOTENCY_KEY"
    assert await cases_titled(street, title) == 0


async def test_without_a_key_or_a_user_nothing_changes(live_server, tokens, street):
    title = f"无键 {uuid.uuid4().hex[:8]}"
    body = await report_body(live_server, tokens, title)
    for _ in range(2):
        answer = await post(live_server, tokens["grid-worker"], body, None)
        assert answer.status_code == 200 and "idempotent-replayed" not in answer.headers
    assert await cases_titled(street, title) == 2
    anonymous = await post(live_server, None, body, uuid.uuid4().hex)
    assert anonymous.status_code == 200
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # A query with a key runs as always, and stores nothing.
    key = uuid.uuid4().hex
    query = await post(live_server, tokens["grid-worker"], {"query": "{ me { username } }"}, key)
    assert query.status_code == 200 and query.json()["data"]["me"]["username"] == street.username("grid-worker")
    async with tenant_transaction(street.tenant.id):
        assert not await IdempotentRequest.filter(tenant_id=street.tenant.id, key=key).exists()


async def test_a_photo_upload_is_deduplicated_by_its_bytes(live_server, tokens, street):
    case = await report(live_server, tokens)

    async def send(data: bytes, key: str) -> httpx.Response:
        operations = {"query": ADD, "variables": {"caseId": case["id"], "file": None}}
        async with httpx.AsyncClient(base_url=live_server.url, timeout=60) as client:
            return await client.post(
                "/graphql",
                headers={"Authorization": f"Bearer {tokens['grid-worker']}", "Idempotency-Key": key},
                data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
                files={"0": ("现场.jpg", data, "image/jpeg")},
            )

    key = uuid.uuid4().hex
    first = await send(photo(), key)
    assert first.status_code == 200 and first.json()["data"]["addCaseAttachment"]["errors"] == [], first.text
    again = await send(photo(), key)
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
    assert await rows_of(street.tenant, case["id"]) == 1
    other = await send(photo(size=(32, 32)), key)  # another photo under the same key
    assert other.status_code == 422 and other.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await rows_of(street.tenant, case["id"]) == 1


async def test_expired_keys_are_purged_and_may_be_used_again(live_server, tokens, street):
    title, key = f"过期键 {uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    body = await report_body(live_server, tokens, title)
    assert (await post(live_server, tokens["grid-worker"], body, key)).status_code == 200
    async with tenant_transaction(street.tenant.id):
        await IdempotentRequest.filter(tenant_id=street.tenant.id, key=key).update(
            created_at=datetime.now(UTC) - timedelta(days=8)
        )
    # Past the retention window the key is a stranger's: the request runs again.
    again = await post(live_server, tokens["grid-worker"], body, key)
    assert again.status_code == 200 and "idempotent-replayed" not in again.headers
    assert await cases_titled(street, title) == 2
    async with tenant_transaction(street.tenant.id):
        await IdempotentRequest.filter(tenant_id=street.tenant.id, key=key).update(
            created_at=datetime.now(UTC) - timedelta(days=8)
        )
    assert await purge_expired(timedelta(days=7), force=True) >= 1
    async with tenant_transaction(street.tenant.id):
        assert not await IdempotentRequest.filter(tenant_id=street.tenant.id, key=key).exists()
