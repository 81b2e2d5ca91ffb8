"""Web Push: a browser's subscription gets each notification's text, encrypted to its keys,
signed with the server's VAPID key, from a worker thread after the commit; a push service's 410
removes the subscription; hostile endpoints are refused. The push service is the test's own
HTTP server on loopback, which decrypts the payload with the subscription's private key."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from redgrid.platform.database import tenant_transaction
from redgrid.tenants.notices.models import PushSubscription
from redgrid.tenants.notices.push import generate_private_key

from .cases_api import dispatched
from .clients import gql_data
from .conftest import LiveServer

pytestmark = pytest.mark.asyncio(loop_scope="session")

SUBSCRIBE = (
    """mutation($input: SubscribePushInput!) { subscribePush(input: $input) { subscribed errors { field code } } }"""
)
UNSUBSCRIBE = """mutation($endpoint: String!) { unsubscribePush(endpoint: $endpoint) { subscribed errors { code } } }"""


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushService:
    """A push service on loopback: records every POST; paths under /gone/ answer 410."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                service.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(410 if self.path.startswith("/gone/") else 201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    async def wait_for(self, path: str, within: float = 15) -> tuple[dict[str, str], bytes]:
        deadline = asyncio.get_running_loop().time() + within
        while True:
            for got, headers, body in self.received:
                if got == path:
                    return headers, body
            assert asyncio.get_running_loop().time() < deadline, f"nothing pushed to {path}: {self.received}"
            await asyncio.sleep(0.1)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Browser:
    """A browser's push subscription: its key pair and auth secret, as PushManager makes them."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def input(self) -> dict[str, str]:
        point = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "p256dh": b64(point), "auth": b64(self.auth)}

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


@pytest.fixture(scope="module")
def push_service():
    service = PushService()
    yield service
    service.close()


@pytest.fixture(scope="module")
def push_server(fresh_database):
    """A server with a VAPID key that may push to loopback, as in tests and development."""
    env = {**fresh_database, "REDGRID_VAPID_PRIVATE_KEY": generate_private_key(), "REDGRID_PUSH_ALLOW_LOOPBACK": "true"}
    server = LiveServer(env)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


async def subscriptions(street) -> list[str]:
    async with tenant_transaction(street.tenant.id):
        return [s.endpoint for s in await PushSubscription.filter(tenant_id=street.tenant.id).order_by("id")]


async def test_production_without_a_key_sends_no_push(live_server, tokens):
    assert (await gql_data(live_server, "{ pushPublicKey }", token=tokens["grid-worker"]))["pushPublicKey"] is None
    browser = Browser("https://fcm.googleapis.com/fcm/send/abc")
    answer = (await gql_data(live_server, SUBSCRIBE, {"input": browser.input()}, tokens["grid-worker"]))[
        "subscribePush"
    ]
    assert answer == {"subscribed": False, "errors": [{"field": "endpoint", "code": "PUSH_DISABLED"}]}


async def test_a_notification_is_pushed_encrypted_and_signed(push_server, push_service, tokens, street):
    server_key = (await gql_data(push_server, "{ pushPublicKey }", token=tokens["grid-worker"]))["pushPublicKey"]
    assert len(unb64(server_key)) == 65
    browser = Browser(f"{push_service.url}/ok/worker-phone")
    answer = (await gql_data(push_server, SUBSCRIBE, {"input": browser.input()}, tokens["grid-worker"]))[
        "subscribePush"
    ]
    assert answer == {"subscribed": True, "errors": []}
    case = await dispatched(push_server, tokens, street.username("grid-worker"))
    headers, body = await push_service.wait_for("/ok/worker-phone")
    message = browser.decrypt(body)
    assert message["kind"] == "dispatched" and case["number"] in message["text"]
    assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
    # VAPID (RFC 8292): signed by the key the server publishes, for this push service
    scheme, _, params = headers["authorization"].partition(" ")
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    assert scheme == "vapid" and fields["k"] == server_key
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(server_key))
    claims = jwt.decode(fields["t"], public, algorithms=["ES256"], audience=push_service.url)
    assert claims["sub"].startswith("mailto:")
    # the head's own notifications go nowhere near the worker's phone
    assert [p for p, _, _ in push_service.received] == ["/ok/worker-phone"]


async def test_a_gone_subscription_is_removed(push_server, push_service, tokens, street):
    gone = Browser(f"{push_service.url}/gone/old-phone")
    answer = (await gql_data(push_server, SUBSCRIBE, {"input": gone.input()}, tokens["grid-worker"]))["subscribePush"]
    assert answer["errors"] == []
    assert gone.endpoint in await subscriptions(street)
    await dispatched(push_server, tokens, street.username("grid-worker"))
    await push_service.wait_for("/gone/old-phone")
    for _ in range(50):
        if gone.endpoint not in await subscriptions(street):
            break
        await asyncio.sleep(0.1)
    assert gone.endpoint not in await subscriptions(street)
    assert f"{push_service.url}/ok/worker-phone" in await subscriptions(street)


async def test_unsubscribe_is_the_owners_alone(push_server, push_service, tokens, street):
    endpoint = f"{push_service.url}/ok/worker-phone"
    theirs = (await gql_data(push_server, UNSUBSCRIBE, {"endpoint": endpoint}, tokens["grid-head"]))["unsubscribePush"]
    assert theirs["errors"] == [] and endpoint in await subscriptions(street)
    mine = (await gql_data(push_server, UNSUBSCRIBE, {"endpoint": endpoint}, tokens["grid-worker"]))["unsubscribePush"]
    assert mine == {"subscribed": False, "errors": []} and endpoint not in await subscriptions(street)


@pytest.mark.parametrize(
    ("endpoint", "code"),
    [
        ("http://fcm.googleapis.com/fcm/send/abc", "ENDPOINT_NOT_ALLOWED"),  # not https
        ("https://10.0.0.5/push", "ENDPOINT_NOT_ALLOWED"),  # our own network
        ("https://169.254.169.254/latest/meta-data", "ENDPOINT_NOT_ALLOWED"),
        ("https://localhost/push", "ENDPOINT_NOT_ALLOWED"),
        ("https://fcm.googleapis.com.evil.example/x", "ENDPOINT_NOT_ALLOWED"),
        ("https://fcm.googleapis.com:8443/x", "ENDPOINT_NOT_ALLOWED"),
        ("http://127.0.0.2:80/x", "ENDPOINT_NOT_ALLOWED"),  # loopback means 127.0.0.1 with a port
        ("https://user:pw@fcm.googleapis.com/x", "INVALID_ENDPOINT"),
        ("file:///etc/passwd", "INVALID_ENDPOINT"),
        ("https://fcm.googleapis.com/" + "a" * 1100, "INVALID_ENDPOINT"),
        ("https://fcm.googleapis.com/ü", "INVALID_ENDPOINT"),
    ],
)
async def test_hostile_endpoints_are_refused(push_server, tokens, street, endpoint, code):
    browser = Browser(endpoint)
    answer = (await gql_data(push_server, SUBSCRIBE, {"input": browser.input()}, tokens["grid-worker"]))[
        "subscribePush"
    ]
    assert answer == {"subscribed": False, "errors": [{"field": "endpoint", "code": code}]}
    assert endpoint not in await subscriptions(street)


async def test_bad_keys_are_refused(push_server, tokens):
    browser = Browser("https://fcm.googleapis.com/fcm/send/abc")
    bad = {**browser.input(), "p256dh": b64(b"\x04" + b"\x01" * 64), "auth": b64(b"short")}
    answer = (await gql_data(push_server, SUBSCRIBE, {"input": bad}, tokens["grid-worker"]))["subscribePush"]
    assert answer["errors"] == [{"field": "p256dh", "code": "INVALID_KEY"}, {"field": "auth", "code": "INVALID_KEY"}]
