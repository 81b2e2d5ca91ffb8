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

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > self._head_limit:
                self.send_400_response(f"Request line and headers larger than {self._head_limit} bytes")
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes = True, 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()
