"""Where the rate limits (platform/ratelimit.py) meet the GraphQL view.

Every HTTP request and every websocket connection_init is charged to its caller once he is
known: a signed-in user's own budget, or his client address's when anonymous or his token is
bad. Every websocket upgrade is charged to its address too (a socket that never sends
connection_init is otherwise charged to nobody), and an address may keep only
`ws_pending_per_address` sockets waiting for connection_init. Every websocket subscribe is
charged to the user, and the writes that look a person up by ID-card number to a budget of
their own, so numbers cannot be tried at speed. An HTTP request then holds one of its caller's
`in_flight` places while it runs, and each operation's cost is charged to his cost budget.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLFormattedError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from strawberry.extensions import FieldExtension

from redgrid.graphql.core.pushed import PushedLegacyWSHandler, PushedTransportWSHandler
from redgrid.graphql.core.services import GraphQLServices
from redgrid.platform.auth.identity import AuthError, Identity
from redgrid.platform.limits import get_limits
from redgrid.platform.ratelimit import RateLimited, TooManyRequests, principal
from redgrid.realtime.connections import PENDING_SOCKETS

# graphql-ws's code for "too many": the client should wait before it connects again.
CLOSE_RATE_LIMITED = 4429


PENDING_KEY = "redgrid.pending"  # in a websocket's scope: its address, while no connection_init came


def client_address(connection: HTTPConnection) -> str | None:
    return connection.client.host if connection.client else None


def caller_of(identity: Identity | None, connection: HTTPConnection) -> str:
    """The key of a caller's in-flight count and cost budget."""
    if identity is None:
        return principal(None, None, client_address(connection))
    return principal(identity.tenant_slug, identity.subject, None)


async def admit_websocket(services: GraphQLServices, websocket: HTTPConnection) -> None:
    """A new websocket, before its connection_init: charged to its address's budget and counted
    among the address's sockets still waiting; RateLimited when either is spent."""
    address = client_address(websocket) or "unknown"
    await services.rate_limiter.anonymous(address)
    if not PENDING_SOCKETS.add(address, get_limits().ws_pending_per_address):
        raise RateLimited(1)
    websocket.scope[PENDING_KEY] = address


def initialised(websocket: HTTPConnection) -> None:
    """The socket sent connection_init (or is gone): no longer waiting."""
    address = websocket.scope.pop(PENDING_KEY, None)
    if address is not None:
        PENDING_SOCKETS.discard(address)


async def identify(services: GraphQLServices, authorization: str | None, connection: HTTPConnection) -> Identity | None:
    """Authenticate and charge the caller's budget: RateLimited when it is spent, AuthError for
    a bad token (charged to the client address first, so bad tokens cannot be tried freely)."""
    limiter = services.rate_limiter
    try:
        identity = await services.authenticator.authenticate(authorization)
    except AuthError:
        await limiter.anonymous(client_address(connection))
        raise
    if identity is None:
        await limiter.anonymous(client_address(connection))
    else:
        await limiter.user(identity.tenant_slug, identity.subject)
    return identity


REFUSAL_CODES = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 429: "RATE_LIMITED", 503: "UNAVAILABLE"}


def refusal_response(exc: StarletteHTTPException) -> JSONResponse:
    """A refusal before any operation runs (401, 403, 429 with Retry-After, 503; an
    Idempotency-Key's 400 or 422 with its own code), its body a GraphQL error a client can read
    like any other."""
    code = getattr(exc, "code", None) or REFUSAL_CODES.get(exc.status_code, "BAD_REQUEST")
    extensions: dict[str, Any] = {"code": code}
    if isinstance(exc, TooManyRequests):
        extensions["retryAfter"] = exc.retry_after
    error = {"message": exc.detail, "extensions": extensions}
    return JSONResponse({"data": None, "errors": [error]}, status_code=exc.status_code, headers=exc.headers)


class GuessingLimit(FieldExtension):
    """On writes that take an ID-card number: their own, smaller budget per user."""

    async def resolve_async(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        identity = info.context.ctx.identity
        if identity is not None:
            await info.context.services.rate_limiter.guessing(identity.tenant_slug, identity.subject)
        return await next_(source, info, **kwargs)


async def _charge_subscribe(handler: Any) -> RateLimited | None:
    identity = handler.context.ctx.identity
    if identity is None:
        return None  # not acknowledged: the protocol handler closes the socket itself
    try:
        await handler.context.services.rate_limiter.user(identity.tenant_slug, identity.subject)
    except RateLimited as exc:
        return exc
    return None


def _formatted(exc: RateLimited) -> GraphQLFormattedError:
    return GraphQLError(str(exc), extensions={"code": "RATE_LIMITED", "retryAfter": exc.retry_after}).formatted


class LimitedTransportWSHandler(PushedTransportWSHandler):
    async def handle_subscribe(self, message: Any) -> None:
        refused = await _charge_subscribe(self)
        if refused is not None:
            await self.send_message({"id": message["id"], "type": "error", "payload": [_formatted(refused)]})
            return
        await super().handle_subscribe(message)


class LimitedLegacyWSHandler(PushedLegacyWSHandler):
    async def handle_start(self, message: Any) -> None:
        refused = await _charge_subscribe(self)
        if refused is not None:
            await self.send_message({"type": "error", "id": message["id"], "payload": _formatted(refused)})
            return
        await super().handle_start(message)
