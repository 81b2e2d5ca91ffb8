"""The dev identity's browser endpoints, at Keycloak's path shapes: OIDC discovery, an
authorize endpoint that shows a user picker instead of a login form, the token endpoint
(password, authorization code with PKCE, refresh token) and logout. Development only: the app
mounts them only when no Keycloak is configured, and the dev identity refuses production.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from redgrid.graphql.core.ratelimits import client_address
from redgrid.platform.auth.dev_identity import DevIdentity
from redgrid.platform.ratelimit import RateLimited, TooManyRequests
from redgrid.platform.settings import Settings

PICKER_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
# The fields of an authorization request the picker carries from its GET to its POST.
CARRIED = ("client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "nonce")


def _identity(request: Request) -> DevIdentity:
    identity: DevIdentity = request.app.state.services.dev_identity
    return identity


def _own_origin(request: Request, uri: str) -> bool:
    """Only this server's own pages may receive a code: the dev identity has no client registry."""
    target, own = urlsplit(uri), urlsplit(str(request.base_url))
    return (target.scheme, target.netloc) == (own.scheme, own.netloc)


def dev_routes(settings: Settings) -> list[BaseRoute]:
    realm = f"/dev-identity/realms/{settings.keycloak_realm}"
    oidc = f"{realm}/protocol/openid-connect"

    async def discovery(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                "issuer": settings.issuer,
                "authorization_endpoint": f"{base}{oidc}/auth",
                "token_endpoint": f"{base}{oidc}/token",
                "jwks_uri": f"{base}{oidc}/certs",
                "end_session_endpoint": f"{base}{oidc}/logout",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code", "refresh_token", "password"],
                "code_challenge_methods_supported": ["S256"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["none"],
            }
        )

    async def authorize(request: Request) -> Response:
        fields = await request.form() if request.method == "POST" else request.query_params
        carried = {name: str(fields.get(name) or "") for name in CARRIED}
        if fields.get("response_type", "code") != "code" or carried["code_challenge_method"] != "S256":
            return HTMLResponse("只支持授权码 + PKCE (S256)", 400, headers=PICKER_HEADERS)
        if not _own_origin(request, carried["redirect_uri"]):
            return HTMLResponse("redirect_uri 必须是本服务器的地址", 400, headers=PICKER_HEADERS)
        if request.method == "POST":
            try:
                code = _identity(request).authorize(
                    str(fields.get("username") or ""),
                    carried["client_id"],
                    carried["redirect_uri"],
                    carried["code_challenge"],
                    carried["nonce"],
                )
            except ValueError as exc:
                return HTMLResponse(escape(str(exc)), 400, headers=PICKER_HEADERS)
            answer = urlencode({"code": code, "state": carried["state"]})
            separator = "&" if "?" in carried["redirect_uri"] else "?"
            return RedirectResponse(f"{carried['redirect_uri']}{separator}{answer}", 303)
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{escape(value)}">' for name, value in carried.items()
        )
        buttons = "".join(
            f'<button name="username" value="{escape(u.username)}">{escape(u.username)}</button>'
            for u in _identity(request).users()
        )
        page = (
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>开发身份 · 选择用户</title>'
            "<style>body{font-family:sans-serif;margin:3em}button{display:block;margin:.4em 0;"
            "padding:.5em 1em;font-size:1.1em}</style></head><body><h1>开发身份：选择演示用户</h1>"
            f'<form method="post">{hidden}{buttons}</form></body></html>'
        )
        return HTMLResponse(page, headers=PICKER_HEADERS)

    async def token(request: Request) -> Response:
        try:
            await request.app.state.services.rate_limiter.anonymous(client_address(request))
        except RateLimited as exc:
            raise TooManyRequests(exc) from None
        form = await request.form()
        field = {name: str(form.get(name) or "") for name in form.keys()}
        identity = _identity(request)
        try:
            match field.get("grant_type"):
                case "password":
                    grant = identity.password_grant(field.get("username", ""), field.get("password", ""))
                case "authorization_code":
                    grant = identity.code_grant(
                        field.get("code", ""),
                        field.get("client_id", ""),
                        field.get("redirect_uri", ""),
                        field.get("code_verifier", ""),
                    )
                case "refresh_token":
                    grant = identity.refresh_grant(field.get("refresh_token", ""), field.get("client_id", ""))
                case _:
                    return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        except ValueError as exc:
            return JSONResponse({"error": "invalid_grant", "error_description": str(exc)}, status_code=401)
        return JSONResponse(grant, headers={"Cache-Control": "no-store"})

    async def certs(request: Request) -> Response:
        return JSONResponse(await _identity(request).fetch_jwks())

    async def logout(request: Request) -> Response:
        target = request.query_params.get("post_logout_redirect_uri", "")
        if target and _own_origin(request, target):
            return RedirectResponse(target, 303)
        return HTMLResponse("已退出", headers=PICKER_HEADERS)

    return [
        Route(f"{realm}/.well-known/openid-configuration", discovery),
        Route(f"{oidc}/auth", authorize, methods=["GET", "POST"]),
        Route(f"{oidc}/token", token, methods=["POST"]),
        Route(f"{oidc}/certs", certs),
        Route(f"{oidc}/logout", logout),
    ]
