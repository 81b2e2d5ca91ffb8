"""The rate limits decided in front of the GraphQL view, before a body is read.

Under abuse most requests are refusals, and each refusal paid the whole way to the GraphQL
view: Starlette's router, strawberry's view reading and parsing the body (a 1 MB JSON body for
the worst of them), then the token check and the Redis round trip, all on the one event loop an
everyday request also needs. Here, in thin ASGI layers:

- `RateGate`, HTTP on /graphql: the caller is authenticated (a token already verified is
  looked up, platform/auth/authenticator.py) and charged to his budget, and takes one of
  his in-flight places, before the body is read; a refusal (401, 403, 429, 503) is the same
  GraphQL-shaped JSON as before (graphql/ratelimits.py), written without reading the body.
  The GraphQL view then finds the caller in the scope.
- `SocketGate`, a websocket upgrade on /graphql: charged to its address and counted among its
  sockets waiting for connection_init before it is accepted; refused with an HTTP 429 (and
  Retry-After) instead of a handshake, through ASGI's websocket.http.response extension, or
  closed before accept (uvicorn answers 403) where the server lacks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import orjson
from keycloak.exceptions import KeycloakError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from redgrid.graphql.core.media import negotiated_media_type
from redgrid.graphql.core.ratelimits import (
    PENDING_KEY,
    admit_websocket,
    caller_of,
    identify,
    refusal_response,
)
from redgrid.platform.auth.identity import AuthError
from redgrid.platform.context import Forbidden
from redgrid.platform.ratelimit import RateLimited, TooManyRequests
from redgrid.realtime.connections import OPEN_SOCKETS, PENDING_SOCKETS

GRAPHQL_PATH = "/graphql"
IDENTITY_KEY = "redgrid.identity"  # in an HTTP request's scope: the caller the gate let through
IN_FLIGHT_KEY = "redgrid.in_flight"  # in an HTTP request's scope: the caller whose place it holds
ADMITTED_KEY = "redgrid.admitted"  # in a websocket's scope: charged and counted by the gate
# The identity provider could not be asked (JWKS or user status): not the caller's fault.
PROVIDER_DOWN = (KeycloakError, httpx.HTTPError, OSError)


@contextmanager
def refusals() -> Iterator[None]:
    """Authentication's refusals as HTTP answers (written as GraphQL-shaped JSON)."""
    try:
        yield
    except RateLimited as exc:
        raise TooManyRequests(exc) from None
    except AuthError as exc:
        raise StarletteHTTPException(401, f"Unauthorized: {exc}") from None
    except Forbidden as exc:
        raise StarletteHTTPException(403, f"Forbidden: {exc}") from None
    except PROVIDER_DOWN as exc:
        raise StarletteHTTPException(503, f"identity provider unavailable: {type(exc).__name__}") from None


def route_path(scope: Scope) -> str:
    """The path below the app's root path, as Starlette's router matches it."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _charged(scope: Scope) -> bool:
    """An operation may follow: a POST, or a GET with a query string (a bare GET is the IDE's
    page in development, or a 404)."""
    return scope["method"] == "POST" or (scope["method"] == "GET" and bool(scope.get("query_string")))


class RateGate:
    """HTTP on /graphql: authenticated, charged and given an in-flight place before the body
    is read (module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or route_path(scope) != GRAPHQL_PATH or not _charged(scope):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        services = scope["app"].state.services
        limiter = services.rate_limiter
        try:
            with refusals():
                identity = await identify(services, connection.headers.get("authorization"), connection)
                caller = caller_of(identity, connection)
                limiter.enter(caller)
        except StarletteHTTPException as exc:
            response = refusal_response(exc)
            response.headers["content-type"] = negotiated_media_type(connection.headers.get("accept"))
            await response(scope, receive, send)
            return
        scope[IDENTITY_KEY] = identity
        scope[IN_FLIGHT_KEY] = caller  # given back by the view as soon as it has answered, or here
        try:
            await self.app(scope, receive, send)
        finally:
            if scope.pop(IN_FLIGHT_KEY, None) is not None:
                limiter.leave(caller)


class SocketGate:
    """A websocket upgrade on /graphql: admitted before it is accepted (module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or OPEN_SOCKETS.closing:
            await self.app(scope, receive, send)  # a closing process tells it to reconnect elsewhere
            return
        try:
            await admit_websocket(scope["app"].state.services, HTTPConnection(scope))
        except RateLimited as exc:
            await deny_upgrade(scope, send, exc)
            return
        scope[ADMITTED_KEY] = True
        try:
            await self.app(scope, receive, send)
        finally:
            address = scope.pop(PENDING_KEY, None)  # never sent connection_init
            if address is not None:
                PENDING_SOCKETS.discard(address)


async def deny_upgrade(scope: Scope, send: Send, exc: RateLimited) -> None:
    """HTTP 429 with Retry-After and the GraphQL-shaped body instead of the handshake."""
    if "websocket.http.response" not in (scope.get("extensions") or {}):
        await send({"type": "websocket.close", "code": 1008, "reason": ""})  # uvicorn: 403
        return
    body: Any = orjson.dumps(refusal_body(exc))
    await send(
        {
            "type": "websocket.http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"retry-after", str(exc.retry_after).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "websocket.http.response.body", "body": body})


def refusal_body(exc: RateLimited) -> dict[str, Any]:
    response = refusal_response(TooManyRequests(exc))
    return orjson.loads(response.body)
