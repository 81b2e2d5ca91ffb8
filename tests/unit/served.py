"""A real uvicorn serving an ASGI app on a free loopback port, for the websocket unit tests."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server(uvicorn.Server):
    """uvicorn's server, with an event set once it listens (it only sets `started`)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.listening.set()


@asynccontextmanager
async def served(app: Any, ws: Any, **config: Any) -> AsyncIterator[int]:
    """`app` served by uvicorn with the websocket implementation `ws`: yields its port."""
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, ws=ws, log_config=None, lifespan="off", **config))
    task = asyncio.create_task(server.serve())
    try:
        listening = asyncio.create_task(server.listening.wait())
        await asyncio.wait({listening, task}, return_when=asyncio.FIRST_COMPLETED)
        if not server.listening.is_set():
            listening.cancel()
            task.result()  # serve()'s exception, if it raised one
            raise RuntimeError("uvicorn stopped before it listened")
        yield port
    finally:
        server.should_exit = True
        await task
