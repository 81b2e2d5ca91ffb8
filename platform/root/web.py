"""The browser clients' routes, built from web/ by Vite: the wall under /wall/, the phones'
app under /m/ (a PWA: its manifest and service worker, scope /m/) and the residents' public
pages under /r/ (no login; the same build as /m/, its second page).

Vite names every asset by its content hash, so assets are cached forever (immutable) and
only the pages, the manifest and the service worker are revalidated: a new build reaches every
wall and phone on its next reload. Every response carries a Content-Security-Policy that
allows nothing from outside the server but the identity provider it logs in with (walls run in
closed networks); the phones' pages may also ask for the camera and the position.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import urlsplit

import anyio
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import BaseRoute, Mount, Route, request_response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from redgrid.platform.settings import Settings

SOURCE_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
MANIFEST = "application/manifest+json"
UNBUILT = "The web clients are not built: run `bash deploy/tools/build-web.sh`."
CONFIG_SLOT = '<meta name="redgrid-config" content=""'


def authority(settings: Settings, request: Request) -> str:
    """Where the browser logs in: the realm's public URL, or the dev identity on this server."""
    if settings.keycloak_url:
        return settings.issuer
    return str(request.base_url).rstrip("/") + f"/dev-identity/realms/{settings.keycloak_realm}"


def security_headers(identity_origin: str, *, phone: bool = False) -> dict[str, str]:
    """The wall's headers; `phone`: a phone's page, which may use the camera and the position,
    register its service worker and use Vant's icon font (inlined as a data: URL)."""
    connect = " ".join(filter(None, ["'self'", identity_origin]))
    policy = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # ECharts and Vue set element styles; no inline <style> or scripts are needed.
            "style-src 'self'",
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:" if phone else "font-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
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
        "Permissions-Policy": (
            "camera=(self), microphone=(), geolocation=(self)" if phone else "camera=(), microphone=(), geolocation=()"
        ),
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
    phone = security_headers(identity_origin, phone=True)

    def page(path: Path, media_type: str | None = None) -> ASGIApp:
        """A file of the build, revalidated on every load (its name carries no hash)."""

        async def serve(request: Request) -> Response:
            if not await anyio.Path(path).is_file():
                return PlainTextResponse(UNBUILT, 503)
            return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})

        return request_response(serve)

    def login_config(request: Request) -> dict[str, str]:
        return {"authority": authority(settings, request), "clientId": settings.web_client_id}

    async def config(request: Request) -> Response:
        return JSONResponse(login_config(request), headers={"Cache-Control": "no-store"})

    async def phone_app(request: Request) -> Response:
        """The phones' page with its login config in it: one round trip less on a slow network."""
        path = anyio.Path(dist / "m" / "index.html")
        if not await path.is_file():
            return PlainTextResponse(UNBUILT, 503)
        carried = html.escape(json.dumps(login_config(request), separators=(",", ":")), quote=True)
        text = (await path.read_text("utf-8")).replace(
            CONFIG_SLOT, f'<meta name="redgrid-config" content="{carried}"', 1
        )
        return HTMLResponse(text, headers={"Cache-Control": "no-cache"})

    wall = page(dist / "index.html")
    assets = StaticFiles(directory=dist / "assets", check_dir=False)
    mobile = dist / "m"
    app = request_response(phone_app)
    service_worker = page(mobile / "sw.js", "text/javascript")
    return [
        Route("/wall", lambda request: RedirectResponse("/wall/")),
        Route("/wall/", _WithHeaders(wall, headers)),
        # The district wall: the same page, which picks its wall by the caller's roles.
        Route("/wall/district", _WithHeaders(wall, headers)),
        Route("/wall/config.json", _WithHeaders(request_response(config), headers)),
        Mount("/wall/assets", _WithHeaders(assets, {**headers, "Cache-Control": IMMUTABLE})),
        # The phones' app: one page for every path under /m/ (its router's), its manifest and
        # service worker (whose scope is /m/, where it is served from).
        Route("/m", lambda request: RedirectResponse("/m/")),
        Route("/m/config.json", _WithHeaders(request_response(config), phone)),
        Route("/m/manifest.webmanifest", _WithHeaders(page(mobile / "manifest.webmanifest", MANIFEST), phone)),
        Route("/m/sw.js", _WithHeaders(service_worker, {**phone, "Service-Worker-Allowed": "/m/"})),
        # Gzipped for phones on slow networks (static files only: nothing secret to leak through it).
        Mount(
            "/m/assets",
            _WithHeaders(
                GZipMiddleware(StaticFiles(directory=mobile / "assets", check_dir=False), minimum_size=1024),
                {**phone, "Cache-Control": IMMUTABLE},
            ),
        ),
        Mount("/m/icons", _WithHeaders(StaticFiles(directory=mobile / "icons", check_dir=False), phone)),
        Route("/m/{path:path}", _WithHeaders(app, phone)),
        # The residents' public pages (no login): /r/ to report, /r/<token> to follow a case.
        Route("/r", lambda request: RedirectResponse("/r/")),
        Route("/r/{path:path}", _WithHeaders(page(mobile / "resident.html"), phone)),
    ]
