"""Persisted queries: Apollo's automatic persisted queries (APQ), and an allow-list of documents.

APQ: a client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}` with no
`query`; the server answers from its store, or with `PersistedQueryNotFound`
(code PERSISTED_QUERY_NOT_FOUND), and the client sends the text once with its hash, which is
stored when the hash is the text's SHA-256 and the document passes the limits and validation
(graphql/core/limits.py). The store is bounded: `persisted_query_entries` documents, each kept
`persisted_query_ttl_seconds` after its last use, in Redis when the services have it (shared by
every replica), else in this process. `persisted_query_entries = 0` turns APQ off:
PersistedQueryNotSupported (code PERSISTED_QUERY_NOT_SUPPORTED), which Apollo clients read as
"send the text from now on".

Allow-list: with `REDGRID_PERSISTED_QUERIES_MANIFEST` set (platform/settings.py), only the
documents its manifest lists run, sent by hash or as text (whose SHA-256 must then be listed),
over HTTP and both websocket protocols; anything else is PERSISTED_QUERY_NOT_ALLOWED, and nothing
is stored. The manifest (README, "GraphQL over HTTP and persisted queries") is either a JSON
object `{"<sha256 hex>": "<document>", …}` or Apollo's persisted query manifest
`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "<sha256 hex>",
"body": "<document>", …}, …]}`; every id must be its body's SHA-256, or the server does not start.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import orjson
import structlog
from graphql import GraphQLError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from redgrid.graphql.core.limits import prepare
from redgrid.platform.limits import get_limits
from redgrid.platform.logging import brief
from redgrid.platform.settings import get_settings

log = structlog.get_logger("redgrid.persisted")

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
BAD_REQUEST = "BAD_REQUEST"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024  # the operator's own file, but still read whole
LOCAL_CACHE_ENTRIES = 256  # documents a process keeps in front of Redis (a hash names one text forever)
_HASH = re.compile(r"[0-9a-fA-F]{64}")
_REDIS_DOCUMENTS = "redgrid:apq:documents"  # hash -> document
_REDIS_USED = "redgrid:apq:used"  # hash -> when it was last used (a sorted set)
# Stores a document and trims the store to its size and age in one step: the oldest-used go first.
_PUT = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[3] - ARGV[4])
local over = redis.call('ZCARD', KEYS[2]) - #stale - tonumber(ARGV[5])
if over > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], #stale, #stale + over - 1)
  for _, hash in ipairs(oldest) do table.insert(stale, hash) end
end
for _, hash in ipairs(stale) do
  redis.call('HDEL', KEYS[1], hash)
  redis.call('ZREM', KEYS[2], hash)
end
return #stale
"""


class PersistedQueryError(Exception):
    """A persisted-query refusal, answered before anything runs. `status` is the HTTP status
    with application/graphql-response+json; `legacy_status` with application/json, where
    Apollo's older clients expect 200 for "not found" and "not supported"."""

    def __init__(self, code: str, message: str, status: int, legacy_status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.legacy_status = status if legacy_status is None else legacy_status

    @property
    def formatted(self) -> dict[str, Any]:
        return {"message": self.message, "extensions": {"code": self.code}}


def not_found() -> PersistedQueryError:
    # The message is what Apollo clients compare (older ones only the message, newer the code).
    return PersistedQueryError(NOT_FOUND, "PersistedQueryNotFound", 404, 200)


def not_supported() -> PersistedQueryError:
    return PersistedQueryError(NOT_SUPPORTED, "PersistedQueryNotSupported", 400, 200)


def not_allowed() -> PersistedQueryError:
    return PersistedQueryError(
        NOT_ALLOWED, "this server runs only the documents of its clients' manifest: the operation is not in it", 403
    )


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8", "surrogatepass")).hexdigest()


class DocumentStore(Protocol):
    async def get(self, sha256: str) -> str | None: ...

    async def put(self, sha256: str, document: str) -> None: ...


class MemoryStore:
    """The embedded default's store: a bounded LRU in this process, entries expiring when unused."""

    def __init__(self, entries: int, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries = entries
        self._ttl = ttl_seconds
        self._clock = clock
        self._documents: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._documents)

    async def get(self, sha256: str) -> str | None:
        found = self._documents.get(sha256)
        if found is None:
            return None
        now = self._clock()
        if now - found[1] > self._ttl:
            del self._documents[sha256]
            return None
        self._documents[sha256] = (found[0], now)
        self._documents.move_to_end(sha256)
        return found[0]

    async def put(self, sha256: str, document: str) -> None:
        self._documents[sha256] = (document, self._clock())
        self._documents.move_to_end(sha256)
        while len(self._documents) > self._entries:
            self._documents.popitem(last=False)


class RedisStore:
    """The store every replica shares: one hash of documents and a sorted set of when each was
    last used, trimmed to `entries` and `ttl_seconds` on every write. A small LRU in the process
    answers the hashes it has seen (a verified hash names one text forever). Redis away: a miss,
    and a write is dropped; the client then sends the text, which works without the store."""

    def __init__(self, redis: Redis, entries: int, ttl_seconds: float) -> None:
        self._redis = redis
        self._entries = entries
        self._ttl = ttl_seconds
        self._local = MemoryStore(min(entries, LOCAL_CACHE_ENTRIES), ttl_seconds)
        self._put = redis.register_script(_PUT)

    async def get(self, sha256: str) -> str | None:
        if (document := await self._local.get(sha256)) is not None:
            return document
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.hget(_REDIS_DOCUMENTS, sha256)
                pipe.zscore(_REDIS_USED, sha256)
                found, used = await pipe.execute()
            if found is None or used is None or time.time() - float(used) > self._ttl:
                return None
            await self._redis.zadd(_REDIS_USED, {sha256: time.time()}, xx=True)
        except (RedisError, OSError) as exc:
            log.warning("persisted query store unavailable", error=brief(exc))
            return None
        document = found.decode() if isinstance(found, bytes) else str(found)
        await self._local.put(sha256, document)
        return document

    async def put(self, sha256: str, document: str) -> None:
        await self._local.put(sha256, document)
        try:
            await self._put(
                keys=[_REDIS_DOCUMENTS, _REDIS_USED], args=[sha256, document, time.time(), self._ttl, self._entries]
            )
        except (RedisError, OSError) as exc:
            log.warning("persisted query not stored", error=brief(exc))


def load_manifest(path: Path) -> dict[str, str]:
    """The allow-list: hash -> document. ValueError (the server does not start) when the file
    is not one of the two formats, or an id is not its document's SHA-256."""
    size = path.stat().st_size
    if size > MANIFEST_MAX_BYTES:
        raise ValueError(f"{path}: larger than {MANIFEST_MAX_BYTES} bytes")
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError:
        raise ValueError(f"{path}: not JSON") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the manifest must be a JSON object")
    pairs: list[tuple[Any, Any]]
    if data.get("format") == "apollo-persisted-query-manifest":
        if data.get("version") != 1 or not isinstance(data.get("operations"), list):
            raise ValueError(f"{path}: an Apollo manifest of version 1 with a list of `operations` is expected")
        pairs = [(op.get("id"), op.get("body")) if isinstance(op, dict) else (None, None) for op in data["operations"]]
    else:
        pairs = list(data.items())
    limit = get_limits().graphql_document_bytes
    manifest: dict[str, str] = {}
    for sha256, document in pairs:
        if not isinstance(sha256, str) or not _HASH.fullmatch(sha256) or not isinstance(document, str):
            raise ValueError(f"{path}: every entry needs a SHA-256 in hex and a document")
        if sha256_hex(document) != sha256.lower():
            raise ValueError(f"{path}: {sha256} is not the SHA-256 of its document")
        if len(document.encode()) > limit:
            raise ValueError(f"{path}: {sha256}'s document is larger than {limit} bytes")
        manifest[sha256.lower()] = document
    return manifest


class PersistedQueries:
    """What a request's `query` is, given its `extensions`: the stored or listed document for a
    hash, the text itself otherwise; PersistedQueryError when refused."""

    def __init__(self, allow_list: Mapping[str, str] | None, store: DocumentStore | None = None) -> None:
        self.allow_list = allow_list
        self.store = store
        self._bound = store is not None

    @classmethod
    def from_settings(cls) -> PersistedQueries:
        """The settings' allow-list, read now: a bad manifest stops the start."""
        path = get_settings().persisted_queries_manifest
        return cls(load_manifest(Path(path)) if path else None)

    def bind(self, redis: Redis | None) -> None:
        """The store, made once from the services' Redis (they exist only once the app has
        started): none when APQ is off, in this process without Redis."""
        if self._bound:
            return
        self._bound = True
        limits = get_limits()
        if limits.persisted_query_entries == 0:
            self.store = None
        elif redis is None:
            self.store = MemoryStore(limits.persisted_query_entries, limits.persisted_query_ttl_seconds)
        else:
            self.store = RedisStore(redis, limits.persisted_query_entries, limits.persisted_query_ttl_seconds)

    async def resolve(
        self, query: object, extensions: Mapping[str, Any] | None, valid: Callable[[str], bool]
    ) -> object:
        """The document to run (the `query` as given when it is not a string and no hash names
        one: the view refuses it as before). `valid(text)` says whether a sent text may be stored."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if self.allow_list is not None and isinstance(query, str) and sha256_hex(query) not in self.allow_list:
                raise not_allowed()
            return query
        sha256 = _claimed_hash(persisted)
        if query is None:
            if self.allow_list is not None:
                if (listed := self.allow_list.get(sha256)) is None:
                    raise not_allowed()
                return listed
            store = self.store
            if store is None:
                raise not_supported()
            if (stored := await store.get(sha256)) is None:
                raise not_found()
            return stored
        if not isinstance(query, str):
            return query
        if sha256_hex(query) != sha256:
            raise PersistedQueryError(HASH_MISMATCH, "provided sha does not match query", 400)
        if self.allow_list is not None:
            if sha256 not in self.allow_list:
                raise not_allowed()
            return query
        store = self.store
        if store is None:
            raise not_supported()
        if valid(query):
            await store.put(sha256, query)
        return query


def _claimed_hash(persisted: object) -> str:
    if not isinstance(persisted, dict):
        raise PersistedQueryError(BAD_REQUEST, "`extensions.persistedQuery` must be an object", 400)
    version = persisted.get("version")
    if version != 1 or isinstance(version, bool):
        raise PersistedQueryError(BAD_REQUEST, "`extensions.persistedQuery.version` must be 1", 400)
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or len(sha256) != 64 or not _HASH.fullmatch(sha256):
        raise PersistedQueryError(
            BAD_REQUEST, "`extensions.persistedQuery.sha256Hash` must be a SHA-256 in hexadecimal", 400
        )
    return sha256.lower()


async def admit_subscribe(handler: Any, message: Any) -> bool:
    """A websocket `subscribe` (graphql-transport-ws) or `start` (graphql-ws) under the same rules
    as HTTP: its `query` filled in from a hash, or an error message sent for the operation and
    False. Messages strawberry refuses anyway (not acknowledged, no payload) pass as they are."""
    payload = message.get("payload") if isinstance(message, dict) else None
    persisted: PersistedQueries | None = getattr(handler.view, "persisted", None)
    if persisted is None or not handler.connection_acknowledged or not isinstance(payload, dict):
        return True
    extensions = payload.get("extensions")
    try:
        query = await persisted.resolve(
            payload.get("query"),
            extensions if isinstance(extensions, dict) else None,
            partial(storable, handler.schema),
        )
    except PersistedQueryError as refused:
        error: Any = refused.formatted
        transport = message.get("type") == "subscribe"  # graphql-transport-ws: a list of errors
        await handler.send_message({"id": message["id"], "type": "error", "payload": [error] if transport else error})
        return False
    if query is not None:
        payload["query"] = query
    return True


def storable(schema: Any, text: str) -> bool:
    """Whether a document may be stored under its hash: it passes the limits and validation
    (cached: it runs next anyway)."""
    try:
        return not prepare(schema._schema, text).errors
    except GraphQLError:
        return False
