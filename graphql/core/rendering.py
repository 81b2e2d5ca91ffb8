"""One rendering of an event per render key, shared by every `events` subscriber whose
operation renders it alike (graphql/core/fanout.py's render key): graphql/core/pushed.py asks
it for the payload and the websocket frame it writes."""

from __future__ import annotations

import json
import weakref
from collections.abc import Hashable
from typing import Any

from graphql import ExecutionResult

from redgrid.graphql.core.errors import client_error
from redgrid.graphql.core.fanout import RenderedData
from redgrid.platform.settings import Environment, get_settings
from redgrid.realtime.hub import HubEvent
from redgrid.realtime.wire import text_frame


def message(head: bytes, payload: bytes) -> bytes:
    """One protocol message: its head (type and operation id) up to the payload, the payload."""
    return head + payload + b"}"


class Rendering:
    """What every subscription that renders alike shares (see fanout's render key): one
    graphql-core executor (one each was 3.5 KB apiece at ten thousand subscribers; it holds the
    first one's context, which the rendering may not look past its viewer key anyway) and the
    payload of the last event it rendered, which the others then send as it is, in the same
    frame when their operation id is the same (`frame`). The render key
    includes tenant and scope, so whether that event is in their scope is decided once too."""

    __slots__ = ("__weakref__", "_framed", "event", "executor", "in_scope", "payload", "scoped")

    def __init__(self, executor: Any) -> None:
        self.executor = executor
        self.event: HubEvent | None = None
        self.payload = b""
        self.scoped: HubEvent | None = None  # the event `in_scope` was decided for
        self.in_scope = False
        self._framed: tuple[bytes, bytes] | None = None  # a head and its frame of `payload`

    def frame(self, head: bytes) -> bytes:
        """The websocket frame of `payload` under `head`: the last one is kept, so that the
        subscribers after the first (most often all with the same operation id) write it as it
        is instead of building their own copy of it."""
        if self._framed is not None and self._framed[0] == head:
            return self._framed[1]
        frame = text_frame(message(head, self.payload))
        self._framed = (head, frame)
        return frame

    def hold(self, event: HubEvent, payload: bytes) -> None:
        """`payload` is the rendering of `event` for everyone who renders alike."""
        self.event, self.payload, self._framed = event, payload, None

    def keep(self, event: HubEvent, result: ExecutionResult) -> bytes:
        """The result as a protocol payload; remembered for the others when it is clean."""
        if isinstance(result.data, RenderedData) and not result.errors:
            payload = f'{{"data":{result.data.json}}}'.encode()
            self.hold(event, payload)
            return payload
        body: dict[str, Any] = {"data": result.data}
        if result.errors:  # typed and masked as every other answer's (graphql/core/errors.py)
            mask = get_settings().env is Environment.PRODUCTION
            body["errors"] = [client_error(error, mask=mask).formatted for error in result.errors]
        return json.dumps(body, separators=(",", ":")).encode()


renderings: weakref.WeakValueDictionary[Hashable, Rendering] = weakref.WeakValueDictionary()
