"""Persisted queries without a server: the bounded in-process store, the manifest's formats and
checks, the resolution rules, and the Accept negotiation of the GraphQL view."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from redgrid.graphql.core.context import GRAPHQL_RESPONSE, LEGACY_JSON, negotiated_media_type
from redgrid.graphql.core.persisted import (
    BAD_REQUEST,
    HASH_MISMATCH,
    NOT_ALLOWED,
    NOT_FOUND,
    NOT_SUPPORTED,
    MemoryStore,
    PersistedQueries,
    PersistedQueryError,
    load_manifest,
)
from redgrid.platform.limits import get_limits

DOC = "{ me { username } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def ext(text: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(text)}}


async def test_memory_store_is_a_bounded_lru_with_expiry():
    now = [0.0]
    store = MemoryStore(2, ttl_seconds=10, clock=lambda: now[0])
    await store.put("a", "A")
    await store.put("b", "B")
    assert await store.get("a") == "A"  # used: b is now the oldest
    await store.put("c", "C")
    assert len(store) == 2 and await store.get("b") is None
    now[0] = 11
    assert await store.get("a") is None and await store.get("c") is None


async def test_resolution_rules():
    apq = PersistedQueries(None, MemoryStore(10, 60))
    with pytest.raises(PersistedQueryError) as missing:
        await apq.resolve(None, ext(DOC), lambda _: True)
    assert (missing.value.code, missing.value.status, missing.value.legacy_status) == (NOT_FOUND, 404, 200)
    assert await apq.resolve(DOC, ext(DOC), lambda _: True) == DOC
    assert await apq.resolve(None, ext(DOC), lambda _: True) == DOC
    with pytest.raises(PersistedQueryError) as mismatch:
        await apq.resolve("{ other }", ext(DOC), lambda _: True)
    assert mismatch.value.code == HASH_MISMATCH and mismatch.value.legacy_status == 400
    invalid = "{ nope }"
    assert await apq.resolve(invalid, ext(invalid), lambda _: False) == invalid  # runs, and fails there
    with pytest.raises(PersistedQueryError):
        await apq.resolve(None, ext(invalid), lambda _: True)  # but was not stored
    for bad in ({"version": 1, "sha256Hash": "z" * 64}, {"version": "1", "sha256Hash": sha(DOC)}, [], "x"):
        with pytest.raises(PersistedQueryError) as refused:
            await apq.resolve(None, {"persistedQuery": bad}, lambda _: True)
        assert refused.value.code == BAD_REQUEST and refused.value.status == 400
    assert await apq.resolve(DOC, {"other": 1}, lambda _: True) == DOC


async def test_apq_off_is_not_supported(monkeypatch):
    monkeypatch.setenv("REDGRID_LIMIT_PERSISTED_QUERY_ENTRIES", "0")
    get_limits.cache_clear()
    try:
        apq = PersistedQueries(None)
        apq.bind(None)
    finally:
        get_limits.cache_clear()
    with pytest.raises(PersistedQueryError) as refused:
        await apq.resolve(None, ext(DOC), lambda _: True)
    assert refused.value.code == NOT_SUPPORTED and refused.value.formatted["message"] == "PersistedQueryNotSupported"


async def test_allow_list_refuses_everything_else():
    apq = PersistedQueries({sha(DOC): DOC}, MemoryStore(10, 60))
    assert await apq.resolve(DOC, None, lambda _: True) == DOC
    assert await apq.resolve(None, ext(DOC), lambda _: True) == DOC
    for query, extensions in (("{ __typename }", None), (None, ext("{ x }")), ("{ x }", ext("{ x }"))):
        with pytest.raises(PersistedQueryError) as refused:
            await apq.resolve(query, extensions, lambda _: True)
        assert refused.value.code == NOT_ALLOWED and refused.value.status == 403 == refused.value.legacy_status


def test_manifest_formats(tmp_path: Path):
    simple = tmp_path / "simple.json"
    simple.write_text(json.dumps({sha(DOC).upper(): DOC}))
    assert load_manifest(simple) == {sha(DOC): DOC}
    apollo = tmp_path / "apollo.json"
    apollo.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": sha(DOC), "name": "Me", "type": "query", "body": DOC}],
            }
        )
    )
    assert load_manifest(apollo) == {sha(DOC): DOC}


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        json.dumps({sha(DOC): "{ other }"}),
        json.dumps({"short": DOC}),
        json.dumps({sha(DOC): 1}),
        json.dumps({"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}),
        json.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": ["x"]}),
    ],
)
def test_bad_manifests_stop_the_start(tmp_path: Path, content: str):
    path = tmp_path / "manifest.json"
    path.write_text(content)
    with pytest.raises(ValueError):
        load_manifest(path)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, LEGACY_JSON),
        ("", LEGACY_JSON),
        ("*/*", LEGACY_JSON),
        ("application/*", LEGACY_JSON),
        ("text/html", LEGACY_JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json;q=0.9, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.8", LEGACY_JSON),
        (f"{GRAPHQL_RESPONSE};q=0", LEGACY_JSON),
        (f"{GRAPHQL_RESPONSE};q=x", LEGACY_JSON),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON; charset=utf-8", GRAPHQL_RESPONSE),
        ("text/plain," * 100 + GRAPHQL_RESPONSE, LEGACY_JSON),  # past the ranges read
    ],
)
def test_accept_negotiation(accept, expected):
    assert negotiated_media_type(accept) == expected
