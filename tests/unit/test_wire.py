"""Direct frame writes (realtime/wire.py) against a real uvicorn and a real websocket client:
the client must read exactly what was written, at every length encoding, and a socket that
negotiated compression must be refused so that its frames go through ASGI."""

from __future__ import annotations

from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.frames import Frame, Opcode

from redgrid.realtime.websocket_protocol import LeanWebSocketProtocol
from redgrid.realtime.wire import Wire, text_frame

from .served import served

MESSAGES = ["short", "é" * 100, "x" * 70_000]  # 7-bit, 16-bit and 64-bit lengths


def _app(written: list[bool]) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        wire = Wire.for_send(send)
        assert wire is not None
        for message in MESSAGES:
            if wire.write_frame(text_frame(message.encode())):
                written.append(True)
            else:
                written.append(False)
                await send({"type": "websocket.send", "text": message})
        await receive()  # until the client closes

    return app


@pytest.mark.parametrize("ws", ["websockets-sansio", LeanWebSocketProtocol])
@pytest.mark.parametrize("deflate", [False, True])
async def test_client_reads_what_the_wire_wrote(ws: Any, deflate: bool) -> None:
    written: list[bool] = []
    async with served(_app(written), ws, ws_per_message_deflate=deflate) as port:
        async with connect(f"ws://127.0.0.1:{port}/", max_size=None) as client:
            received = [await client.recv() for _ in MESSAGES]
    assert received == MESSAGES
    # Compression transforms frames: the wire must leave those to ASGI.
    assert written == [not deflate] * len(MESSAGES)


def test_frames_are_what_the_websockets_library_would_write() -> None:
    """Every header length (7-bit, 16-bit, 64-bit), byte for byte against `Frame.serialize`."""
    for size in (0, 125, 126, 65535, 65536):
        data = b"a" * size
        assert text_frame(data) == Frame(Opcode.TEXT, data).serialize(mask=False, extensions=[]), size


def test_other_servers_get_no_wire() -> None:
    async def send(message: Any) -> None: ...

    assert Wire.for_send(send) is None
