"""uvicorn's httptools protocol with the request line and headers bounded.

uvicorn and httptools put no bound on a request's URL or headers, and build them up by
concatenating each piece as it arrives: a 20 MB URL stalled the whole process for seconds (and
the cost grows with the square of the size) before the app saw the request. Bytes received
while a request's head is still being read are counted here; past `http_head_bytes` the client
gets uvicorn's own 400 and the connection is closed. Bodies are limited by the app
(platform/body_limit.py).
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from redgrid.platform.limits import get_limits


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_limit = get_limits().http_head_bytes
        self._head_bytes = 0
        self._in_head = True
        self._tail = b""  # the last bytes of the head so far: its end may span two reads

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += _head_part(self._tail, data)
            if self._head_bytes > self._head_limit:
                self.send_400_response(f"Request line and headers larger than {self._head_limit} bytes")
                return
            self._tail = (self._tail + data[-3:])[-3:]
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes, self._tail = True, 0, b""

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()


def _head_part(tail: bytes, data: bytes) -> int:
    """How many bytes of `data` belong to the head: up to the blank line that ends it (a read
    that carries the head's end and the body's start must not count the body as head)."""
    end = (tail + data[:3]).find(b"\r\n\r\n")
    if end >= 0:
        return max(0, end + 4 - len(tail))
    end = data.find(b"\r\n\r\n")
    return len(data) if end < 0 else end + 4
