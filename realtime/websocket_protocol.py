"""uvicorn's `websockets-sansio` protocol, lighter per idle socket.

A wall display or phone holds its websocket for hours and receives an event now and then, so
what each open socket keeps is what ten thousand of them cost (bench/subscribers.py measured
about 29 KB each, against a limit of 30). Two things in uvicorn's protocol are kept for the
socket's life without being needed after the handshake or without needing their size:

- the handshake's request and response (their header maps, about 4.7 KB together): uvicorn
  does not read them after it has sent the response, and the websockets library's parser
  keeps the request in a local of its generator, so its headers are emptied as well;
- an `asyncio.Queue` for the ASGI receive channel and an `asyncio.Event` for write flow
  control: five deques, about 3.8 KB, for a channel that mostly holds nothing. `ReceiveQueue`
  and `Writable` offer what uvicorn uses of them (`put_nowait`, `get`, `empty`; `set`,
  `clear`, `wait`, and `is_set` for realtime/wire.py) on a list that exists only while
  something waits.

The server uses this class where settings.ws_impl is `websockets-sansio` (platform/root/server.py);
realtime/wire.py sees it as the uvicorn protocol it is.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class _Waiters:
    """Futures of the tasks waiting on the object, as a list made only when one waits."""

    __slots__ = ("_waiters",)
    # The queue wakes one reader per item, and one woken and then cancelled hands its wake-up
    # on, or the item would wait unread. The write flag wakes everyone at once: handing on
    # there could let a writer past a flag that was cleared again meanwhile.
    wake_all = False

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] | None = None

    async def _until_woken(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if not self.wake_all and waiter.done() and not waiter.cancelled():
                self._wake()  # woken, then cancelled before it could act on it
            raise
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)
                if not self._waiters:
                    self._waiters = None

    def _wake(self) -> None:
        for waiter in self._waiters or ():
            if not waiter.done():
                waiter.set_result(None)
                if not self.wake_all:
                    return


class ReceiveQueue(_Waiters):
    """An unbounded FIFO with asyncio.Queue's `put_nowait`, `get` and `empty`."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        super().__init__()
        self._items: list[Any] = []

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        self._wake()

    def empty(self) -> bool:
        return not self._items

    async def get(self) -> Any:
        while not self._items:
            await self._until_woken()
        return self._items.pop(0)


class Writable(_Waiters):
    """asyncio.Event's `set`, `clear`, `is_set` and `wait`, without a deque of its own."""

    __slots__ = ("_set",)
    wake_all = True

    def __init__(self) -> None:
        super().__init__()
        self._set = False

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        if not self._set:
            self._set = True
            self._wake()

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if not self._set:
            await self._until_woken()
        return True


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """See the module's docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = ReceiveQueue()  # type: ignore[assignment]
        self.writable = Writable()  # type: ignore[assignment]
        self.writable.set()

    def start_keepalive(self) -> None:
        """uvicorn calls this once, right after it has sent the handshake's response."""
        super().start_keepalive()
        self.request.headers.clear()  # the parser's generator still holds the request
        self.request = None  # type: ignore[assignment]
        self.response = None  # type: ignore[assignment]
