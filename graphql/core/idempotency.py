"""The `Idempotency-Key` header of a mutation sent over HTTP (platform/idempotency.py keeps the
record): which key a request carries, the digest of what it asks, and its refusals as HTTP
answers.

The digest covers the document, the operation's name, the variables and, for a multipart
request (a photo), the SHA-256 of every file's bytes: the same key with anything else is
IDEMPOTENCY_KEY_REUSED (422). A malformed key is INVALID_IDEMPOTENCY_KEY (400), before the body
is read. Websockets carry no header and are unchanged; so are anonymous requests (every field
refuses them anyway) and requests without the header.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

from redgrid.platform.idempotency import HEADER, IdempotencyRefused, invalid_key

# In an HTTP request's scope: the response is a stored one, replayed (the view says so in a header).
REPLAYED_KEY = "redgrid.idempotent_replayed"
REPLAYED_HEADER = "Idempotent-Replayed"
_CHUNK = 1 << 16


class KeyRefusal(StarletteHTTPException):
    """An idempotency refusal as the view answers it (graphql/core/ratelimits.py's refusal body)."""

    def __init__(self, refused: IdempotencyRefused) -> None:
        super().__init__(refused.status, str(refused))
        self.code = refused.code


def header_key(request: Any) -> str | None:
    """The request's Idempotency-Key, checked (KeyRefusal when malformed); None without one or
    on a websocket."""
    if not isinstance(request, Request):
        return None
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if (refused := invalid_key(key)) is not None:
        raise KeyRefusal(refused)
    return key


async def request_hash(query: str | None, operation_name: str | None, variables: dict[str, Any] | None) -> str:
    """SHA-256 of the request: its document, operation name and variables, every uploaded
    file replaced by the digest of its bytes (read, then rewound for the resolver)."""

    async def plain(value: Any) -> Any:
        if isinstance(value, UploadFile):
            digest = hashlib.sha256()
            await value.seek(0)
            while chunk := await value.read(_CHUNK):
                digest.update(chunk)
            await value.seek(0)
            return {"$file": digest.hexdigest()}
        if isinstance(value, dict):
            return {k: await plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [await plain(v) for v in value]
        return value

    request = {"query": query, "operationName": operation_name, "variables": await plain(variables or {})}
    return hashlib.sha256(orjson.dumps(request, option=orjson.OPT_SORT_KEYS)).hexdigest()
