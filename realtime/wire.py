"""Text frames written straight to a websocket's transport, as `websockets.broadcast` does.

An event fanned out to ten thousand subscribers goes through uvicorn's ASGI `send` ten
thousand times: a coroutine, a flow-control wait, the websockets library building and
serialising a frame object, then the transport write. Only the write is needed for an
uncompressed text frame, whose header is two or four bytes; this module writes those bytes
itself when the socket is served by uvicorn's `websockets-sansio` protocol (our default,
settings.ws_impl) without compression, is open and its transport has room. Anything else —
another implementation, per-message deflate, a closing socket, a full buffer — returns False
and the caller sends through ASGI as before, which waits, raises or refuses as it should. The
caller must also not write once the app has asked for the socket to close (uvicorn's own
`close_sent` is set only when the close frame is written, which a full buffer delays).
"""

from __future__ import annotations

from typing import Any

from websockets.protocol import State

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # pragma: no cover - an uvicorn without it: every send goes through ASGI
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]


_PROTOCOL_STATE = ("close_sent", "disconnected", "writable", "conn", "transport")


def text_frame(data: bytes) -> bytes:
    """An unmasked, final text frame (RFC 6455 §5.2): servers never mask."""
    length = len(data)
    if length < 126:
        return b"\x81" + bytes((length,)) + data
    if length < 65536:
        return b"\x81\x7e" + length.to_bytes(2, "big") + data
    return b"\x81\x7f" + length.to_bytes(8, "big") + data


class Wire:
    """One socket's direct writes; made only where they are safe (see `for_send`)."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol

    @staticmethod
    def for_send(send: Any) -> Wire | None:
        """The wire behind uvicorn's ASGI `send` for this socket, or None where frames must go
        through ASGI (another server or implementation, or an uvicorn whose internals moved).
        Compression is negotiated later, in the handshake: `write_frame` checks it per frame."""
        protocol = getattr(send, "__self__", None)
        if WebSocketsSansIOProtocol is None or not isinstance(protocol, WebSocketsSansIOProtocol):
            return None
        # What write_frame reads of uvicorn's private state: an uvicorn that renamed any of it
        # gets ASGI sends, not an AttributeError per subscriber per event.
        if not all(hasattr(protocol, name) for name in _PROTOCOL_STATE) or not hasattr(protocol.conn, "extensions"):
            return None
        return Wire(protocol)

    def write_frame(self, frame: bytes) -> bool:
        """Write one frame built by `text_frame` now; False (nothing written) unless the
        socket is open, its buffer has room and no extension has to transform the frame."""
        protocol = self._protocol
        if (
            protocol.close_sent
            or protocol.disconnected
            or not protocol.writable.is_set()
            or protocol.conn.state is not State.OPEN
            or protocol.conn.extensions
        ):
            return False
        transport = protocol.transport
        if transport.is_closing():
            return False
        transport.write(frame)
        return True
