"""The browser clients' routes: the wall under /wall/, built from web/ by Vite.

Vite names every asset by its content hash, so assets are cached forever (immutable) and
only index.html is revalidated: a new build reaches every wall on its next reload. Every
response carries a Content-Security-Policy that allows nothing from outside the server but
the identity provider it logs in with (walls run in closed networks).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, request_response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from redgrid.platform.settings import Settings

SOURCE_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"


def authority(settings: Settings, request: Request) -> str:
    """Where the browser logs in: the realm's public URL, or the dev identity on this server."""
    if settings.keycloak_url:
        return settings.issuer
    return str(request.base_url).rstrip("/") + f"/dev-identity/realms/{settings.keycloak_realm}"


def security_headers(identity_origin: str) -> dict[str, str]:
    connect = " ".join(filter(None, ["'self'", identity_origin]))
    policy = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # ECharts and Vue set element styles; no inline <style> or scripts are needed.
            "style-src 'self'",
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            f"connect-src {connect}",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


class _WithHeaders:
    """Adds fixed headers to every HTTP response of the app it wraps."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.raw]
            await send(message)

        await self.app(scope, receive, with_headers)


def web_routes(settings: Settings) -> list[BaseRoute]:
    dist = Path(settings.web_dir) if settings.web_dir else SOURCE_DIST
    identity = urlsplit(settings.issuer)
    identity_origin = f"{identity.scheme}://{identity.netloc}" if settings.keycloak_url else ""
    headers = security_headers(identity_origin)

    async def index(request: Request) -> Response:
        page = dist / "index.html"
        if not page.is_file():
            return PlainTextResponse("The wall is not built: run `npm ci && npm run build` in web/.", 503)
        return FileResponse(page, headers={"Cache-Control": "no-cache"})

    async def config(request: Request) -> Response:
        return JSONResponse(
            {"authority": authority(settings, request), "clientId": settings.web_client_id},
            headers={"Cache-Control": "no-store"},
        )

    assets = StaticFiles(directory=dist / "assets", check_dir=False)
    return [
        Route("/wall", lambda request: RedirectResponse("/wall/")),
        Route("/wall/", _WithHeaders(request_response(index), headers)),
        # The district wall: the same page, which picks its wall by the caller's roles.
        Route("/wall/district", _WithHeaders(request_response(index), headers)),
        Route("/wall/config.json", _WithHeaders(request_response(config), headers)),
        Mount("/wall/assets", _WithHeaders(assets, {**headers, "Cache-Control": IMMUTABLE})),
    ]
