"""Web Push, the notification centre's opt-in channel: a user's browsers subscribe (their push
service's endpoint and the keys a payload is encrypted to, RFC 8291), and each notification's
text is sent to them once its transaction has committed.

Sending never runs on the event loop (pywebpush is synchronous: a worker thread) and never
inside the transaction: `send_after_commit` is an `on_commit` hook that starts a task. A push
service answering 404 or 410 says the subscription is gone: it is deleted.

The endpoint is a URL a caller gives and the server then POSTs to, so it is hostile input:
https only, at most 1024 characters, no user or password part, and its host must be one of the
push services' (`REDGRID_PUSH_HOSTS`, a host or a subdomain of one): never an address of our own
network. Redirects are not followed. `REDGRID_PUSH_ALLOW_LOOPBACK` also admits
http://127.0.0.1:PORT, for tests and development."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import structlog
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from redgrid.platform.context import RequestContext
from redgrid.platform.database import tenant_transaction
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.logging import brief
from redgrid.platform.settings import Environment, get_settings
from redgrid.tenants.notices.models import PushSubscription

log = structlog.get_logger("redgrid.push")

MAX_ENDPOINT = 1024
MAX_PER_USER = 10  # browsers one user may have subscribed
SEND_TIMEOUT_SECONDS = 10
TTL_SECONDS = 24 * 3600
_tasks: set[asyncio.Task[int]] = set()
_sending = threading.BoundedSemaphore(4)  # pushes in flight at once, per process


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_private_key() -> str:
    """A new VAPID private key, as REDGRID_VAPID_PRIVATE_KEY takes it (base64url of its 32 bytes)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _b64(key.private_numbers().private_value.to_bytes(32, "big"))


def _from_setting(value: str) -> Vapid:
    if value.lstrip().startswith("-----BEGIN"):
        return Vapid.from_pem(value.encode())
    return Vapid.from_raw(value.strip().encode())


@lru_cache(maxsize=1)
def vapid() -> Vapid | None:
    """The server's VAPID key, or None when push is off (production without a key)."""
    settings = get_settings()
    if settings.vapid_private_key:
        return _from_setting(settings.vapid_private_key)
    if settings.env is Environment.PRODUCTION:
        return None
    path = Path(settings.data_dir) / "vapid-private.key"  # the embedded default keeps its pair
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(generate_private_key())
    return _from_setting(path.read_text())


def application_server_key(key: Vapid) -> str:
    """The public key a browser subscribes with (base64url of the uncompressed point)."""
    return _b64(key.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


def public_key() -> str | None:
    """This server's application server key; None when push is off."""
    key = vapid()
    return None if key is None else application_server_key(key)


def _endpoint_errors(endpoint: str) -> list[UserError]:
    settings = get_settings()
    bad = [UserError("endpoint", "INVALID_ENDPOINT", "a push service's https URL")]
    if len(endpoint) > MAX_ENDPOINT or not endpoint.isascii() or not endpoint.isprintable():
        return [UserError("endpoint", "INVALID_ENDPOINT", f"a push service's https URL, at most {MAX_ENDPOINT}")]
    try:
        url = urlsplit(endpoint)
        port = url.port
    except ValueError:
        return bad
    host = (url.hostname or "").lower()
    if url.username is not None or url.password is not None or not host:
        return bad
    if settings.push_allow_loopback and url.scheme == "http" and host == "127.0.0.1" and port:
        return []
    allowed = [h.strip().lower() for h in settings.push_hosts.split(",") if h.strip()]
    if (
        url.scheme != "https"
        or port not in (None, 443)
        or not any(host == h or host.endswith("." + h) for h in allowed)
    ):
        return [UserError("endpoint", "ENDPOINT_NOT_ALLOWED", "not the https URL of a known push service")]
    return []


def _key_errors(p256dh: str, auth: str) -> list[UserError]:
    errors = []
    try:
        point = _unb64(p256dh) if len(p256dh) <= 128 else b""
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        if len(point) != 65:
            raise ValueError
    except (ValueError, binascii.Error):
        errors.append(UserError("p256dh", "INVALID_KEY", "the subscription's P-256 public key, base64url"))
    try:
        if len(auth) > 64 or len(_unb64(auth)) != 16:
            raise ValueError
    except (ValueError, binascii.Error):
        errors.append(UserError("auth", "INVALID_KEY", "the subscription's 16-byte auth secret, base64url"))
    return errors


async def subscribe(ctx: RequestContext, *, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Opt the caller's browser in: its subscription, made or taken over (one browser, one
    endpoint: the last user who subscribed it is pushed to)."""
    tenant, identity = ctx.require_tenant(), ctx.require_user()
    if vapid() is None:
        raise InvalidInput(UserError("endpoint", "PUSH_DISABLED", "this server sends no push notifications"))
    errors = _endpoint_errors(endpoint) + _key_errors(p256dh, auth)
    if errors:
        raise InvalidInput(*errors)
    mine = PushSubscription.filter(tenant_id=tenant.id, username=identity.username).exclude(endpoint=endpoint)
    if await mine.count() >= MAX_PER_USER:
        raise InvalidInput(UserError("endpoint", "TOO_MANY", f"at most {MAX_PER_USER} browsers; unsubscribe one"))
    subscription, _ = await PushSubscription.update_or_create(
        tenant_id=tenant.id,
        endpoint=endpoint,
        defaults={"username": identity.username, "p256dh": p256dh, "auth": auth},
    )
    return subscription


async def unsubscribe(ctx: RequestContext, endpoint: str) -> bool:
    """Opt the caller's browser out; another user's subscription is left alone. Whether one was removed."""
    tenant, identity = ctx.require_tenant(), ctx.require_user()
    if len(endpoint) > MAX_ENDPOINT:
        return False
    mine = PushSubscription.filter(tenant_id=tenant.id, username=identity.username, endpoint=endpoint)
    return await mine.delete() > 0


def send_after_commit(tenant_id: int, usernames: list[str], message: dict[str, Any]) -> None:
    """An `on_commit` hook: push `message` to the users' subscriptions, in a task of its own."""
    if vapid() is None:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no loop (a synchronous caller): nothing to push from
        return
    task = loop.create_task(send(tenant_id, usernames, message))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def send(tenant_id: int, usernames: list[str], message: dict[str, Any]) -> int:
    """Push `message` to every subscription of the users; returns how many took it."""
    key = vapid()
    if key is None:
        return 0
    async with tenant_transaction(tenant_id):
        targets = await PushSubscription.filter(tenant_id=tenant_id, username__in=usernames)
    data = json.dumps(message, ensure_ascii=False)
    delivered, gone = 0, []
    for target in targets:
        status = await asyncio.to_thread(_post, target, data, key)
        if status in (404, 410):
            gone.append(target.id)
        elif status is not None and 200 <= status < 300:
            delivered += 1
    if gone:
        async with tenant_transaction(tenant_id):
            await PushSubscription.filter(tenant_id=tenant_id, id__in=gone).delete()
    return delivered


class _NoRedirects(requests.Session):
    """A session that follows no redirect (the push service's answer is the answer) and reads
    no proxy or netrc from the environment."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        self.max_redirects = 0

    def post(self, url: Any, data: Any = None, json: Any = None, **kwargs: Any) -> requests.Response:
        return super().post(url, data=data, json=json, allow_redirects=False, **kwargs)


def _post(target: PushSubscription, data: str, key: Vapid) -> int | None:
    """One push, in a worker thread: the push service's status, or None when it did not answer."""
    if _endpoint_errors(target.endpoint):  # the hosts allowed may have changed since
        return 404
    subscription = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
    with _sending, _NoRedirects() as session:
        try:
            response = webpush(
                subscription,
                data,
                vapid_private_key=key,
                vapid_claims={"sub": get_settings().vapid_subject},
                timeout=SEND_TIMEOUT_SECONDS,
                ttl=TTL_SECONDS,
                requests_session=session,
            )
        except WebPushException as exc:
            if exc.response is not None:
                return int(exc.response.status_code)
            log.warning("push failed", subscription=target.id, error=brief(exc))
            return None
        except requests.RequestException as exc:
            log.warning("push failed", subscription=target.id, error=brief(exc))
            return None
    return int(response.status_code) if isinstance(response, requests.Response) else None
