"""The Starlette application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from redgrid.graphql.core.context import RedGridGraphQL
from redgrid.graphql.core.gate import RateGate, SocketGate, route_path
from redgrid.graphql.downloads.attachments import download_attachment
from redgrid.graphql.downloads.indicators import download_indicators
from redgrid.graphql.downloads.public import download_tracked_photo
from redgrid.graphql.downloads.registers import download
from redgrid.graphql.schema import schema
from redgrid.platform import sandbox
from redgrid.platform.body_limit import BodyLimitMiddleware
from redgrid.platform.collector import FrozenCollector
from redgrid.platform.database import close_database, connection, init_database
from redgrid.platform.limits import get_limits
from redgrid.platform.logging import configure_logging
from redgrid.platform.middleware import RequestIdMiddleware
from redgrid.platform.root.dev_login import dev_routes
from redgrid.platform.root.services import Services, build_services
from redgrid.platform.root.web import web_routes
from redgrid.platform.settings import Environment, Settings, get_settings
from redgrid.realtime.connections import OPEN_SOCKETS

log = structlog.get_logger("redgrid.app")
READY_TIMEOUT = 3.0


async def healthz(request: Request) -> Response:
    """Liveness: the process answers. Nothing external is checked here on purpose."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Readiness: the database, Redis and the identity provider's JWKS all answer."""
    services: Services = request.app.state.services

    async def database() -> None:
        await connection().execute_query("SELECT 1")

    async def redis() -> None:
        if services.redis is None:
            return  # the in-memory channel layer of the embedded default
        await services.redis.ping()

    async def jwks() -> None:
        await services.authenticator.verifier.refresh()

    checks = {"database": database, "redis": redis, "jwks": jwks}
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check(), READY_TIMEOUT)
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means not ready; say which
            results[name] = f"failed: {type(exc).__name__}: {exc}"[:200]
    ready = all(v == "ok" for v in results.values())
    return JSONResponse({"ready": ready, "checks": results}, status_code=200 if ready else 503)


async def metrics_endpoint(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class RedGridApp(Starlette):
    """Starlette, with websockets on /graphql handed straight to the GraphQL app.

    A socket is held for hours, and everything it passes through stays suspended with it:
    Starlette's error and exception middleware, the router and the route each keep a coroutine
    frame per socket (about 3 KB of the 30 each of ten thousand idle subscribers may use), and
    each wraps `send`, which the fan-out then crosses ten thousand times per event. None of
    them acts on a websocket here: the GraphQL app answers its own protocol errors. Our own
    RequestIdMiddleware does (a request id, the websocket gauge), so it stays in front; any
    middleware added to `middleware=` later does not see these websockets unless added here
    too. The GraphQL app then gets uvicorn's own `send`, which realtime/wire.py can write past.
    """

    def __init__(self, *, graphql_socket: ASGIApp, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._graphql_socket = RequestIdMiddleware(SocketGate(graphql_socket))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and route_path(scope) == "/graphql":
            scope["app"] = self
            await self._graphql_socket(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_repeat_seconds)
    dev = settings.env is Environment.DEVELOPMENT
    limits = get_limits()
    graphql_app = RedGridGraphQL(
        schema,
        graphql_ide="graphiql" if dev else None,
        multipart_uploads_enabled=True,
        connection_init_wait_timeout=timedelta(seconds=limits.ws_init_timeout_seconds),
        max_subscriptions_per_connection=limits.ws_subscriptions,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await init_database(settings)
        app.state.services = build_services(settings)
        await app.state.services.start()
        await asyncio.to_thread(sandbox.start)  # the first import or photo then waits for no forkserver
        warming = asyncio.create_task(schema.warm())  # the first unseen document then waits for no worker
        collector = FrozenCollector(settings.gc_full_pass_seconds, OPEN_SOCKETS)
        collector.start()  # last: what starting made is long-lived
        log.info(
            "started",
            env=settings.env.value,
            postgres=settings.is_postgres,
            redis=bool(settings.redis_url),
            identity="dev" if settings.uses_dev_identity else "keycloak",
        )
        try:
            yield
        finally:
            await collector.stop()
            warming.cancel()
            schema.close()
            await app.state.services.close(drain_seconds=settings.shutdown_grace_seconds)
            await close_database()

    routes = [
        Route("/", lambda request: RedirectResponse("/graphql")),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
        Route("/graphql", graphql_app, methods=["GET", "POST"]),
        Route("/registers/{name}.xlsx", download),
        Route("/indicators/cases.xlsx", download_indicators),
        Route("/attachments/{id}", download_attachment),
        Route("/public/photo", download_tracked_photo),
        *web_routes(settings),
    ]
    if settings.uses_dev_identity:
        routes += dev_routes(settings)
    return RedGridApp(
        graphql_socket=graphql_app,
        debug=False,
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(RequestIdMiddleware), Middleware(BodyLimitMiddleware), Middleware(RateGate)],
    )
