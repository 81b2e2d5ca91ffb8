"""The GraphQL view: authentication on HTTP and at websocket `connection_init`.

HTTP: a bad token is a 401 before any resolver runs; no token is an anonymous context in
which every field that needs a user refuses. Refusals before any operation runs (401, 403, 429,
503) answer a GraphQL-shaped JSON body with a code (graphql/ratelimits.py). A request holds one
of its caller's in-flight places while it runs, and its operation's cost is charged to him.
Websockets: the token comes in the connection_init payload (`Authorization: Bearer …` or
`token`); a missing or bad one closes the socket with 4401, a token whose tenant is not
provisioned with 4403. When Keycloak cannot
be asked, HTTP answers 503 and the websocket closes with 1013 (try again later).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET
from cross_web import HTTPException
from starlette.exceptions import HTTPException as StarletteHTTPException

from redgrid.graphql.gate import ADMITTED_KEY, IDENTITY_KEY, IN_FLIGHT_KEY, PROVIDER_DOWN, refusals
from redgrid.graphql.loaders import Loaders
from redgrid.platform.auth.identity import AuthError, Identity
from redgrid.platform.body_limit import BODY_BYTES_KEY, BODY_BYTES_PER_COST, json_depth
from redgrid.platform.limits import get_limits
from redgrid.platform.context import Forbidden, RequestContext
from redgrid.platform.ratelimit import RateLimited, TooManyRequests
from redgrid.platform.services import Services
from redgrid.platform.tenancy import resolve_context
from redgrid.graphql.ratelimits import (
    CLOSE_RATE_LIMITED, LimitedLegacyWSHandler, LimitedTransportWSHandler, admit_websocket, caller_of, identify,
    initialised, refusal_response,
)
from redgrid.graphql.responses import encode_json
from redgrid.realtime.wire import Wire
from redgrid.realtime.connections import (
    CLOSE_FORBIDDEN,
    CLOSE_RECONNECT,
    CLOSE_UNAUTHENTICATED,
    OPEN_SOCKETS,
    RECONNECT_REASON,
)

CLOSE_TRY_AGAIN_LATER = 1013


class GraphQLContext:
    """One per HTTP request, or per websocket for all its operations: kept small, since ten
    thousand idle subscribers keep ten thousand of them."""

    __slots__ = ("_ctx", "_loaders", "connection_params", "request", "services")

    def __init__(
        self, request: Request | WebSocket, services: Services, request_context: RequestContext
    ) -> None:
        self.request = request
        self.services = services
        self.connection_params: dict[str, Any] | None = None
        self.ctx = request_context

    @property
    def ctx(self) -> RequestContext:
        return self._ctx

    @ctx.setter
    def ctx(self, value: RequestContext) -> None:
        """A websocket learns its caller at connection_init: the loaders follow the caller."""
        self._ctx = value
        self._loaders: Loaders | None = None

    @property
    def loaders(self) -> Loaders:
        """Made on first use: a subscriber that only receives events never needs them."""
        if self._loaders is None:
            self._loaders = Loaders(self._ctx)
        return self._loaders

    async def charge_cost(self, cost: int) -> None:
        """An operation's cost (graphql/limits.py), and its request body's (a megabyte of JSON
        costs as much to read and parse as a few pages), against its caller's budget:
        RateLimited when spent."""
        body = self.request.scope.get(BODY_BYTES_KEY, 0) // BODY_BYTES_PER_COST
        await self.services.rate_limiter.cost(caller_of(self._ctx.identity, self.request), cost + body)

    @property
    def viewer_key(self) -> Hashable:
        """What decides how an event renders for this caller (see graphql/fanout.py)."""
        ctx = self._ctx
        identity = ctx.identity
        return (ctx.tenant_id, identity.roles if identity else None, ctx.scope)


def _services(request: Request | WebSocket) -> Services:
    return request.app.state.services


async def authenticated_context(request: Request) -> RequestContext:
    """The caller of an HTTP request from its bearer token: 401, 403, 429 or 503 when refused."""
    return await _context_of(request, await _identity_of(request))


async def _identity_of(request: Request) -> Identity | None:
    """The token's identity (none without a token), checked against the JWKS and the user's status."""
    with refusals():
        return await identify(_services(request), request.headers.get("authorization"), request)


async def _context_of(request: Request, identity: Identity | None) -> RequestContext:
    """The tenant and grid scope of `identity`: a database read."""
    with refusals():
        ctx = await resolve_context(identity, _services(request).tenants)
    request.state.identity = identity
    return ctx


class _WebSocketAdapter(ASGIWebSocketAdapter):
    """Closes with the code our auth chose, whichever code the protocol handler asks for."""

    async def close(self, code: int, reason: str) -> None:
        chosen = getattr(self.ws.state, "close_with", None)
        if chosen is not None:
            code, reason = chosen
        await self.ws.close(code=code, reason=reason)

    async def send_text(self, text: str) -> None:
        """A protocol message already encoded (graphql/pushed.py)."""
        await self.ws.send_text(text)


class RedGridGraphQL(GraphQL):
    websocket_adapter_class = _WebSocketAdapter  # type: ignore[assignment]
    graphql_transport_ws_handler_class = LimitedTransportWSHandler
    graphql_ws_handler_class = LimitedLegacyWSHandler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope["redgrid.wire"] = Wire.for_send(send)  # events frames written past ASGI
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Out of the scope: they refer back to uvicorn's protocol, which holds the scope, and
            # such a cycle waits for a full collection (platform/collector.py) to be freed.
            scope.pop("redgrid.wire", None)
            websocket = scope.pop("redgrid.websocket", None)
            OPEN_SOCKETS.discard(websocket)
            if websocket is not None:
                initialised(websocket)
                _services(websocket).watch.discard(websocket)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context, root_value)
        except StarletteHTTPException as exc:  # from get_context or execute_single: no operation ran
            return refusal_response(exc)
        finally:
            if (caller := request.scope.pop(IN_FLIGHT_KEY, None)) is not None:
                _services(request).rate_limiter.leave(caller)

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:
        """An operation refused for its cost (graphql/limits.py) before it ran is a 429, like
        any rate limit; a field refused by its own budget (GuessingLimit) stays a field error."""
        result = await super().execute_single(*args, **kwargs)
        for error in result.errors or ():
            if isinstance(error.original_error, RateLimited) and not error.path:
                raise TooManyRequests(error.original_error)
        return result

    def encode_json(self, data: object) -> str | bytes:
        return encode_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        """A body (or `variables`, `operations`, `map`) as a JSON object in UTF-8, nested at most
        `json_depth`: 400 with a plain reason otherwise, never a 500 with the parser's text."""
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise HTTPException(400, "the request body is not valid JSON in UTF-8") from None
        if not isinstance(value, dict):
            raise HTTPException(400, "the request body must be a JSON object")
        if json_depth(value) > (limit := get_limits().json_depth):
            raise HTTPException(400, f"the request body's JSON nests deeper than {limit}")
        return value

    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)
        if not isinstance(data, list) and not isinstance(data.operation_name, str | None):
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null, if provided.")
        return data

    async def get_context(self, request: Request | WebSocket, response: Any) -> GraphQLContext:
        services = _services(request)
        if isinstance(request, WebSocket):
            # Tracked so a shutdown can close it with "reconnect"; authenticated later, in
            # on_ws_connect, from the connection_init payload.
            request.scope["redgrid.websocket"] = request
            OPEN_SOCKETS.add(request)
            if OPEN_SOCKETS.closing:
                request.state.close_with = (CLOSE_RECONNECT, RECONNECT_REASON)
            elif not request.scope.get(ADMITTED_KEY):  # the gate (graphql/gate.py) admits it before accept
                await _admit(services, request)
            return GraphQLContext(request, services, RequestContext(None))
        if IDENTITY_KEY in request.scope:  # authenticated, charged and in flight at the gate
            return GraphQLContext(request, services, await _context_of(request, request.scope[IDENTITY_KEY]))
        # Without the gate: the in-flight place is taken before the account is read, so a refused
        # request does not wait for one of the pool's connections.
        identity = await _identity_of(request)  # its refusals are answered by run()
        caller = caller_of(identity, request)
        try:
            services.rate_limiter.enter(caller)
        except RateLimited as exc:
            raise TooManyRequests(exc) from None
        request.scope[IN_FLIGHT_KEY] = caller  # run() gives the place back, whatever follows
        return GraphQLContext(request, services, await _context_of(request, identity))

    async def on_ws_connect(self, context: GraphQLContext) -> dict[str, object] | None:
        websocket: WebSocket = context.request
        initialised(websocket)
        if OPEN_SOCKETS.closing:
            raise ConnectionRejectionError({"message": RECONNECT_REASON})
        params = context.connection_params or {}
        context.connection_params = None  # the token is read once; ten thousand kept add up
        header = _authorization_from(params)
        try:
            identity: Identity | None = await identify(context.services, header, websocket)
            if identity is None:
                raise AuthError("connection_init carried no token")
            context.ctx = await resolve_context(identity, context.services.tenants)
        except RateLimited as exc:
            websocket.state.close_with = (CLOSE_RATE_LIMITED, str(exc)[:120])
            raise ConnectionRejectionError({"message": str(exc)}) from None
        except AuthError as exc:
            websocket.state.close_with = (CLOSE_UNAUTHENTICATED, f"Unauthorized: {exc}"[:120])
            raise ConnectionRejectionError({"message": str(exc)}) from None
        except Forbidden as exc:
            websocket.state.close_with = (CLOSE_FORBIDDEN, f"Forbidden: {exc}"[:120])
            raise ConnectionRejectionError({"message": str(exc)}) from None
        except PROVIDER_DOWN:
            websocket.state.close_with = (CLOSE_TRY_AGAIN_LATER, "identity provider unavailable")
            raise ConnectionRejectionError({"message": "identity provider unavailable"}) from None
        context.services.watch.watch(websocket, identity)
        return None


async def _admit(services: Services, websocket: WebSocket) -> None:
    """Closed at once with 4429 when its address's budget or waiting sockets are spent: the
    protocol handler then finds it closed and ends."""
    try:
        await admit_websocket(services, websocket)
    except RateLimited as exc:
        websocket.state.close_with = (CLOSE_RATE_LIMITED, str(exc)[:120])
        await websocket.close(code=CLOSE_RATE_LIMITED, reason=str(exc)[:120])


def _authorization_from(params: dict[str, Any]) -> str | None:
    for key, value in params.items():
        if key.lower() == "authorization" and isinstance(value, str):
            return value
    token = params.get("token")
    return f"Bearer {token}" if isinstance(token, str) and token else None
