"""uvicorn, with a shutdown that tells websocket clients to reconnect elsewhere.

On SIGTERM uvicorn stops accepting connections and waits for in-flight requests; before it
does, every open websocket is closed with 4503 so clients reconnect (with their last sequence
number) to another replica at once rather than hang until a timeout. Then the app's lifespan
shutdown runs (it drains the event outbox). Websockets are served by uvicorn's
`websockets-sansio` protocol, lightened per idle socket (realtime/websocket_protocol.py).
"""

from __future__ import annotations

import socket

import structlog
import uvicorn

from redgrid.platform.http_protocol import BoundedHttpToolsProtocol
from redgrid.platform.limits import get_limits
from redgrid.platform.settings import Settings
from redgrid.realtime.connections import OPEN_SOCKETS
from redgrid.realtime.websocket_protocol import LeanWebSocketProtocol

log = structlog.get_logger("redgrid.server")


class GracefulServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()  # stop accepting first, so nobody reconnects to this process
        closed = await OPEN_SOCKETS.close_all()
        log.info("websockets closed for shutdown", count=closed)
        await super().shutdown(sockets)


def serve(settings: Settings, host: str, port: int) -> None:
    config = uvicorn.Config(
        "redgrid.platform.root.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_config=None,
        http=BoundedHttpToolsProtocol,
        ws=LeanWebSocketProtocol if settings.ws_impl == "websockets-sansio" else settings.ws_impl,
        ws_max_size=get_limits().ws_message_bytes,
        ws_per_message_deflate=settings.ws_per_message_deflate,
        ws_ping_interval=settings.ws_ping_interval_seconds or None,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        proxy_headers=True,
    )
    GracefulServer(config).run()
