"""Shutdown closes every open websocket (realtime/connections.py), even when some of them fail
to close: one whose client is already gone must not end the server's shutdown early."""

from __future__ import annotations

from typing import Any

from starlette.websockets import WebSocket, WebSocketState
from structlog.testing import capture_logs

from redgrid.realtime.connections import CLOSE_RECONNECT, OpenSockets


def socket(fails_with: Exception | None, sent: list[dict[str, Any]]) -> WebSocket:
    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        if fails_with is not None:
            raise fails_with
        sent.append(message)

    ws = WebSocket({"type": "websocket", "path": "/graphql", "headers": []}, receive, send)
    ws.application_state = WebSocketState.CONNECTED
    return ws


async def test_every_socket_is_closed_though_some_fail() -> None:
    sent: list[dict[str, Any]] = []
    sockets = OpenSockets()
    for failure in (OSError("client gone"), ValueError("unexpected"), None, RuntimeError("closed already")):
        sockets.add(socket(failure, sent))
    with capture_logs() as logs:
        assert await sockets.close_all() == 4
    assert sockets.closing
    assert [(m["type"], m["code"]) for m in sent] == [("websocket.close", CLOSE_RECONNECT)]
    # A client already gone or a socket closed meanwhile is expected; only the rest is reported.
    # Its type and place, never its message (a message can quote what a client sent).
    assert [entry["error"].split(" at ")[0] for entry in logs] == ["ValueError"]
    assert "unexpected" not in str(logs)
