"""The GraphQL view: authentication on HTTP and at websocket `connection_init`.

HTTP: a bad token is a 401 before any resolver runs; no token is an anonymous context in
which every field that needs a user refuses. Refusals before any operation runs (401, 403, 429,
503) answer a GraphQL-shaped JSON body with a code (graphql/core/ratelimits.py). A request holds one
of its caller's in-flight places while it runs, and its operation's cost is charged to him.
Websockets: the token comes in the connection_init payload (`Authorization: Bearer …` or
`token`); a missing or bad one closes the socket with 4401, a token whose tenant is not
provisioned with 4403. When Keycloak cannot
be asked, HTTP answers 503 and the websocket closes with 1013 (try again later).
"""

from __future__ import annotations

from collections.abc import Hashable
from contextlib import AbstractAsyncContextManager
from functools import partial
from typing import Any, cast

import orjson
from cross_web import HTTPException
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET

from redgrid.graphql.core.gate import ADMITTED_KEY, IDENTITY_KEY, IN_FLIGHT_KEY, PROVIDER_DOWN, refusals
from redgrid.graphql.core.idempotency import REPLAYED_HEADER, REPLAYED_KEY, KeyRefusal, header_key
from redgrid.graphql.core.loaders import Loaders
from redgrid.graphql.core.media import GRAPHQL_RESPONSE, LEGACY_JSON, negotiated_media_type
from redgrid.graphql.core.persisted import PersistedQueries, PersistedQueryError, storable
from redgrid.graphql.core.ratelimits import (
    CLOSE_RATE_LIMITED,
    LimitedLegacyWSHandler,
    LimitedTransportWSHandler,
    admit_websocket,
    caller_of,
    identify,
    initialised,
    refusal_response,
)
from redgrid.graphql.core.responses import encode_json
from redgrid.graphql.core.services import GraphQLServices
from redgrid.platform.auth.identity import AuthError, Identity
from redgrid.platform.body_limit import BODY_BYTES_KEY, BODY_BYTES_PER_COST, json_depth
from redgrid.platform.context import Forbidden, RequestContext
from redgrid.platform.idempotency import IdempotencyRefused
from redgrid.platform.limits import get_limits
from redgrid.platform.ratelimit import RateLimited, TooManyRequests
from redgrid.platform.tenancy import resolve_context
from redgrid.realtime.connections import (
    CLOSE_FORBIDDEN,
    CLOSE_RECONNECT,
    CLOSE_UNAUTHENTICATED,
    OPEN_SOCKETS,
    RECONNECT_REASON,
)
from redgrid.realtime.wire import Wire

CLOSE_TRY_AGAIN_LATER = 1013
# GraphQL over HTTP (graphql-over-http draft): the media type a client asks for in Accept, and
# the HTTP status of a request error (no `data`) answered in it, kept in the request's scope.
MEDIA_KEY = "redgrid.media_type"
STATUS_KEY = "redgrid.status"
ERROR_STATUS = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "RATE_LIMITED": 429, "INTERNAL": 500}


class GraphQLContext:
    """One per HTTP request, or per websocket for all its operations: kept small, since ten
    thousand idle subscribers keep ten thousand of them."""

    __slots__ = ("_ctx", "_loaders", "connection_params", "request", "services")

    def __init__(
        self, request: Request | WebSocket, services: GraphQLServices, request_context: RequestContext
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
        """An operation's cost (graphql/core/limits.py), and its request body's (a megabyte of JSON
        costs as much to read and parse as a few pages), against its caller's budget:
        RateLimited when spent."""
        body = self.request.scope.get(BODY_BYTES_KEY, 0) // BODY_BYTES_PER_COST
        await self.services.rate_limiter.cost(caller_of(self._ctx.identity, self.request), cost + body)

    def database_turn(self) -> AbstractAsyncContextManager[None]:
        """A turn at the database for this caller, before his operation's transaction begins
        (platform/fair_share.py)."""
        return self.services.database_turns.turn(caller_of(self._ctx.identity, self.request))

    @property
    def viewer_key(self) -> Hashable:
        """What decides how an event renders for this caller (see graphql/core/fanout.py)."""
        ctx = self._ctx
        identity = ctx.identity
        return (ctx.tenant_id, identity.roles if identity else None, ctx.scope, ctx.department_id)


def _services(request: Request | WebSocket) -> GraphQLServices:
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
        """A protocol message already encoded (graphql/core/pushed.py)."""
        await self.ws.send_text(text)


class RedGridGraphQL(GraphQL[GraphQLContext, None]):
    websocket_adapter_class = _WebSocketAdapter
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The allow-list is read now: a bad manifest stops the start, not the first request.
        self.persisted = PersistedQueries.from_settings()

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if isinstance(request, WebSocket):
            return await super().run(request, context, root_value)
        media_type = request.scope[MEDIA_KEY] = negotiated_media_type(request.headers.get("accept"))
        response: Any
        try:
            header_key(request)  # a malformed Idempotency-Key: 400 before the body is read
            response = await super().run(request, context, root_value)
        except StarletteHTTPException as exc:  # from get_context or execute_single: no operation ran
            response = refusal_response(exc)
        except HTTPException as exc:  # not a GraphQL request (body, parameters, method): the view's own refusals
            response = request_error(exc.status_code, exc.reason, "BAD_REQUEST")
        except PersistedQueryError as exc:
            status = exc.status if media_type == GRAPHQL_RESPONSE else exc.legacy_status
            response = JSONResponse({"errors": [exc.formatted]}, status_code=status)
        finally:
            if (caller := request.scope.pop(IN_FLIGHT_KEY, None)) is not None:
                _services(request).rate_limiter.leave(caller)
        if (status := request.scope.pop(STATUS_KEY, None)) is not None:
            response.status_code = status
        if request.scope.pop(REPLAYED_KEY, False):
            response.headers[REPLAYED_HEADER] = "true"
        if isinstance(response, Response) and response.media_type == LEGACY_JSON:
            response.headers["content-type"] = media_type
        return response

    async def process_result(self, request: Any, result: Any) -> Any:
        """A request error (the document could not be parsed or validated, its variables not
        coerced, or it was refused before it ran: no `data`) answered in
        application/graphql-response+json is a 4xx without `data`; in application/json a 200,
        as the spec allows older clients."""
        response = await super().process_result(request, result)
        status = request_error_status(result)
        if status is not None and request.scope.get(MEDIA_KEY) == GRAPHQL_RESPONSE:
            response.pop("data", None)
            request.scope[STATUS_KEY] = status
        return response

    def create_response(self, response_data: Any, sub_response: Any) -> Any:
        response = super().create_response(response_data, sub_response)
        response.media_type = LEGACY_JSON  # the negotiated type is set in run()
        return response

    def should_render_graphql_ide(self, request: Any) -> bool:
        """Not for a persisted query sent by GET, which has `extensions` and no `query`."""
        return "extensions" not in request.query_params and super().should_render_graphql_ide(request)

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:
        """An operation refused for its cost (graphql/core/limits.py) before it ran is a 429, like
        any rate limit; a field refused by its own budget (GuessingLimit) stays a field error. An
        Idempotency-Key refused (graphql/core/idempotency.py) is a 400 or 422 likewise."""
        result = await super().execute_single(*args, **kwargs)
        for error in result.errors or ():
            if isinstance(error.original_error, RateLimited) and not error.path:
                raise TooManyRequests(error.original_error)
            if isinstance(error.original_error, IdempotencyRefused):
                raise KeyRefusal(error.original_error)
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
        if not isinstance(data, list):  # the document a persisted query's hash names (graphql/core/persisted.py)
            # strawberry types `query` str | None, but it holds the JSON value sent (refused later when not a string)
            data.query = await self.persisted.resolve(data.query, data.extensions, partial(storable, self.schema))  # type: ignore[assignment]
        return data

    async def get_context(self, request: Request | WebSocket, response: Any) -> GraphQLContext:
        services = _services(request)
        self.persisted.bind(services.redis)
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
        websocket = cast(WebSocket, context.request)  # a websocket's context
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


async def _admit(services: GraphQLServices, websocket: WebSocket) -> None:
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


def request_error_status(result: Any) -> int | None:
    """The HTTP status of a request error — a result without data whose errors name no field
    (refused before it ran, or its variables could not be coerced) — by its errors' codes
    (graphql/core/errors.py gave each one); None for a response with data, or whose data is null
    because a field failed."""
    errors = getattr(result, "errors", None)
    if not errors or getattr(result, "data", None) is not None or any(error.path for error in errors):
        return None
    codes = {(error.extensions or {}).get("code") for error in errors}
    return max((ERROR_STATUS.get(code, 400) for code in codes if isinstance(code, str)), default=400)


def request_error(status: int, message: str, code: str) -> JSONResponse:
    """A request the view refused before it was a GraphQL request, GraphQL-shaped (no `data`)."""
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)
