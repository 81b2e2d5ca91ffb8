"""The websockets open in this process, so a shutdown can tell every client to reconnect
elsewhere (close code 4503) instead of letting them time out, and so that a caller who loses
the right to a socket is closed out of it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

import structlog
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from redgrid.platform.auth.identity import AuthError, Identity
from redgrid.platform.context import Forbidden
from redgrid.platform.logging import brief

log = structlog.get_logger("redgrid.connections")
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_RECONNECT = 4503
EXPIRY_TICK_SECONDS = 1.0
CHECKS_PER_TURN = 200  # identities checked between turns of the event loop (10,000 took 119 ms in one)
RECONNECT_REASON = "server shutting down: reconnect with your last sequence number"


class OpenSockets:
    def __init__(self) -> None:
        self._sockets: set[WebSocket] = set()
        self.closing = False

    def add(self, websocket: WebSocket) -> None:
        self._sockets.add(websocket)

    def discard(self, websocket: WebSocket | None) -> None:
        self._sockets.discard(websocket)

    def __len__(self) -> int:
        return len(self._sockets)

    async def close_all(self, code: int = CLOSE_RECONNECT, reason: str = RECONNECT_REASON) -> int:
        """Close every open socket; new ones are refused from now on. Returns how many."""
        self.closing = True
        sockets = [ws for ws in self._sockets if ws.application_state is WebSocketState.CONNECTED]

        async def close(ws: WebSocket) -> None:
            try:
                await ws.close(code=code, reason=reason)
            except (RuntimeError, WebSocketDisconnect):
                pass  # closed by its own handler in the meantime, or its client is gone

        # One socket failing otherwise would end the server's shutdown before the outbox drains.
        for failed in await asyncio.gather(*(close(ws) for ws in sockets), return_exceptions=True):
            if failed is not None:
                log.warning("websocket close failed at shutdown", error=brief(failed))
        return len(sockets)


# One per process, like the hub: uvicorn's shutdown and the GraphQL view share it.
OPEN_SOCKETS = OpenSockets()


class PendingSockets:
    """Sockets per client address that have not sent connection_init yet: they are charged to
    no user, so an address may hold only so many at once in this process."""

    def __init__(self) -> None:
        self._by_address: dict[str, int] = {}

    def add(self, address: str, limit: int) -> bool:
        """Count one more for `address`; False (and not counted) when it holds `limit` already."""
        held = self._by_address.get(address, 0)
        if held >= limit:
            return False
        self._by_address[address] = held + 1
        return True

    def discard(self, address: str) -> None:
        held = self._by_address.pop(address, 1) - 1
        if held > 0:
            self._by_address[address] = held


PENDING_SOCKETS = PendingSockets()


class RightsWatch:
    """Closes the websockets whose caller has lost the right to them: 4401 once the token has
    expired or the user is disabled, 4403 once a role the token claims was taken away or the
    user moved tenant. One task per process looks at every socket; the user status is asked once
    per distinct identity per round (and Keycloak once per user per TTL, see user_status)."""

    def __init__(self, still_valid: Callable[[Identity], Awaitable[None]], recheck_seconds: float) -> None:
        self._still_valid = still_valid
        self._recheck = recheck_seconds
        self._sockets: dict[WebSocket, Identity] = {}
        self._task: asyncio.Task[None] | None = None

    def watch(self, websocket: WebSocket, identity: Identity) -> None:
        self._sockets[websocket] = identity

    def discard(self, websocket: WebSocket | None) -> None:
        self._sockets.pop(websocket, None)  # type: ignore[arg-type]

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="redgrid-rights-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        checked_at = loop.time()
        while True:
            await asyncio.sleep(min(EXPIRY_TICK_SECONDS, self._recheck))
            now = time.time()
            for websocket, identity in list(self._sockets.items()):
                if identity.expires_at is not None and identity.expires_at <= now:
                    await self._close(websocket, CLOSE_UNAUTHENTICATED, "Unauthorized: token expired")
            if loop.time() - checked_at >= self._recheck:
                checked_at = loop.time()
                try:
                    await self.check_all()
                except Exception as exc:  # noqa: BLE001 - Keycloak away: keep the sockets, retry
                    log.warning("user status check failed", error=brief(exc))

    async def check_all(self) -> None:
        by_identity: dict[Identity, list[WebSocket]] = {}
        for websocket, identity in list(self._sockets.items()):
            by_identity.setdefault(identity, []).append(websocket)
        for checked, (identity, sockets) in enumerate(by_identity.items(), start=1):
            if checked % CHECKS_PER_TURN == 0:
                await asyncio.sleep(0)  # cached answers do not yield: let events through meanwhile
            try:
                await self._still_valid(identity)
            except AuthError as exc:
                code, reason = CLOSE_UNAUTHENTICATED, f"Unauthorized: {exc}"
            except Forbidden as exc:
                code, reason = CLOSE_FORBIDDEN, f"Forbidden: {exc}"
            else:
                continue
            for websocket in sockets:
                await self._close(websocket, code, reason)

    async def _close(self, websocket: WebSocket, code: int, reason: str) -> None:
        self.discard(websocket)
        websocket.state.close_with = (code, reason[:120])
        if websocket.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError):
                await websocket.close(code=code, reason=reason[:120])
