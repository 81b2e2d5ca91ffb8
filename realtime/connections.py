"""The websockets open in this process, so a shutdown can tell every client to reconnect
elsewhere (close code 4503) instead of letting them time out."""

from __future__ import annotations

import asyncio

from starlette.websockets import WebSocket, WebSocketState

CLOSE_RECONNECT = 4503
RECONNECT_REASON = "server shutting down: reconnect with your last sequence number"


class OpenSockets:
    def __init__(self) -> None:
        self._sockets: set[WebSocket] = set()
        self.closing = False

    def add(self, websocket: WebSocket) -> None:
        self._sockets.add(websocket)

    def discard(self, websocket: WebSocket | None) -> None:
        self._sockets.discard(websocket)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._sockets)

    async def close_all(self, code: int = CLOSE_RECONNECT, reason: str = RECONNECT_REASON) -> int:
        """Close every open socket; new ones are refused from now on. Returns how many."""
        self.closing = True
        sockets = [ws for ws in self._sockets if ws.application_state is WebSocketState.CONNECTED]

        async def close(ws: WebSocket) -> None:
            try:
                await ws.close(code=code, reason=reason)
            except RuntimeError:
                pass  # closed by its own handler in the meantime

        await asyncio.gather(*(close(ws) for ws in sockets))
        return len(sockets)


# One per process, like the hub: uvicorn's shutdown and the GraphQL view share it.
OPEN_SOCKETS = OpenSockets()
