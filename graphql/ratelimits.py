"""Where the rate limits (platform/ratelimit.py) meet the GraphQL view.

Every HTTP request and every websocket connection_init is charged to its caller once he is
known: a signed-in user's own budget, or his client address's when anonymous or his token is
bad. Every websocket subscribe is charged to the user too, and the writes that look a person
up by ID-card number to a budget of their own, so numbers cannot be tried at speed.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from strawberry.extensions import FieldExtension

from redgrid.graphql.pushed import PushedLegacyWSHandler, PushedTransportWSHandler
from redgrid.platform.auth.identity import AuthError, Identity
from redgrid.platform.ratelimit import RateLimited, TooManyRequests
from redgrid.platform.services import Services

# graphql-ws's code for "too many": the client should wait before it connects again.
CLOSE_RATE_LIMITED = 4429


def client_address(connection: HTTPConnection) -> str | None:
    return connection.client.host if connection.client else None


async def identify(services: Services, authorization: str | None, connection: HTTPConnection) -> Identity | None:
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


def rate_limited_response(exc: TooManyRequests) -> JSONResponse:
    """429 with Retry-After, its body a GraphQL error a client can read like any other."""
    error = {"message": exc.detail, "extensions": {"code": "RATE_LIMITED", "retryAfter": exc.retry_after}}
    return JSONResponse({"data": None, "errors": [error]}, status_code=429, headers=exc.headers)


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


def _formatted(exc: RateLimited) -> dict[str, Any]:
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
