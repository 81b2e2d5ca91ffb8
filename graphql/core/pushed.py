"""`events` subscriptions pushed by the hub straight to the socket, over both protocols.

strawberry serves a subscription with a task per operation iterating a chain of async
generators (the resolver, graphql-core's mapping, strawberry's stream), woken for every event.
For `events`, the subscription every wall display and phone holds, that machinery was most of
the cost at ten thousand subscribers: about 35 KB and 250 µs per subscriber per event. Here a
subscribe message for `events` is planned once per document and becomes a hub listener
(realtime/hub.py): per event it checks what its caller may see (realtime/visibility.py), takes
the payload rendered once for every subscriber with the same render key (graphql/core/fanout.py) and
writes the protocol message as a frame straight to the transport (realtime/wire.py), or,
where that is not possible, through ASGI without a task (realtime/eager.py).

Everything else — heartbeat, queries and mutations over the socket, a document that fails
validation or whose arguments are wrong — goes strawberry's own way, which also words the
errors; `events` then runs through graphql/events/stream.py with the same rules.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLFormattedError,
    OperationType,
    execute_subscription_event,
)
from graphql.execution.values import get_argument_values
from starlette.websockets import WebSocket, WebSocketState
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from redgrid.graphql.core.limits import prepare
from redgrid.graphql.core.persisted import admit_subscribe
from redgrid.graphql.core.rendering import Rendering, message, renderings
from redgrid.graphql.events.types import typed_event
from redgrid.platform.limits import get_limits
from redgrid.platform.logging import brief
from redgrid.realtime.eager import run_eagerly
from redgrid.realtime.hub import HubEvent, Listener, ReplayTooOld
from redgrid.realtime.visibility import events_topic, in_scope, named_in
from redgrid.realtime.wire import Wire, text_frame

log = structlog.get_logger("redgrid.pushed")
MAX_WAITING_SENDS = 64  # frames a client that stopped reading may owe before it is closed
CLOSE_TOO_SLOW = 1013  # try again later: it reconnects with its last seq and loses nothing
TOO_SLOW_REASON = "too slow to read: reconnect with your last sequence number"
CLOSE_INIT_TIMEOUT = 4408  # no connection_init in time: graphql-transport-ws's code, on both protocols


def too_many_operations() -> GraphQLFormattedError:
    limit = get_limits().ws_subscriptions
    return GraphQLError(
        f"at most {limit} operations may be open at once on one socket", extensions={"code": "TOO_MANY"}
    ).formatted


def is_full(open_operations: int, limit: int | None) -> bool:
    return limit is not None and open_operations >= limit


def _valid_document(schema: Any, query: str) -> DocumentNode | None:
    """The parsed document when it is valid and within the limits (graphql/core/limits.py, whose
    bounded cache it shares); None sends it strawberry's way, which reports why."""
    try:
        document, errors, _, _ = prepare(schema._schema, query)
    except GraphQLError:
        return None
    return None if errors else document


class PushedEvents:
    """One `events` operation of one socket, fed by the hub."""

    __slots__ = (
        "_behind",
        "_head",
        "_send",
        "_socket",
        "_stopped",
        "_waiting",
        "_wire",
        "close_socket",
        "ctx",
        "hub",
        "listener",
        "rendering",
    )

    def __init__(
        self,
        hub: Any,
        ctx: Any,
        rendering: Rendering,
        head: bytes,
        socket: WebSocket,
        wire: Wire | None,
        send: Callable[[str], Coroutine[Any, Any, None]],
        close_socket: Callable[[], Coroutine[Any, Any, None]],
    ) -> None:
        self.hub = hub
        self.ctx = ctx
        self.rendering = rendering
        self._head = head  # the protocol's message up to its payload
        self._socket = socket
        self._wire = wire  # direct writes, where the server allows them
        self._send = send  # through ASGI otherwise, or while earlier frames still wait
        self.close_socket = close_socket
        self._waiting = 0
        self._behind: list[HubEvent] | None = None  # events after one still being rendered
        self.listener: Listener | None = None
        self._stopped = False

    async def stop(self) -> None:
        # Nothing more for this operation: not an event whose rendering still awaits, nor those
        # queued behind it (a `next` after `complete` breaks graphql-transport-ws).
        self._stopped = True
        if self.listener is not None:
            await self.hub.unlisten(self.listener)
            self.listener = None

    def deliver(self, event: HubEvent) -> None:
        if self._stopped:
            return
        if self._behind is not None:  # an earlier event's rendering awaits: this one comes after
            self._behind.append(event)
            return
        rendering = self.rendering
        if rendering.scoped is not event:
            rendering.scoped, rendering.in_scope = event, in_scope(self.ctx, event)
        if not rendering.in_scope and not named_in(self.ctx, event):
            return
        if rendering.event is event:
            self._write(rendering.payload)
            return
        typed = typed_event(event)
        if typed is None:  # a type this build does not know
            return
        result = execute_subscription_event(rendering.executor.build_per_event_executor(typed))
        if isinstance(result, ExecutionResult):
            self._write(rendering.keep(event, result))
        else:  # a resolver below `events` awaited something: finish it off the fan-out
            self._behind = []
            run_eagerly(self._write_later(event, result), self._failed)

    async def _write_later(self, event: HubEvent, result: Any) -> None:
        try:
            rendered = self.rendering.keep(event, await result)
            if not self._stopped:
                self._write(rendered)
        finally:
            behind, self._behind = self._behind or [], None
            for later in behind:
                self.deliver(later)

    def _write(self, payload: bytes) -> None:
        # Straight to the transport only while nothing waits before it and the app has not asked
        # to close (Starlette refuses sends from then on; the close frame may still be queued).
        if (
            not self._waiting
            and self._wire is not None
            and self._socket.application_state is WebSocketState.CONNECTED
            and self._wire.write_frame(
                self.rendering.frame(self._head)
                if payload is self.rendering.payload
                else text_frame(message(self._head, payload))
            )
        ):
            return
        waiting = run_eagerly(self._send(message(self._head, payload).decode()), self._failed)
        if waiting is not None:  # the socket's buffer is full: this send waits in a task
            self._waiting += 1
            waiting.add_done_callback(self._sent)
            if self._waiting == MAX_WAITING_SENDS + 1:
                run_eagerly(self.close_socket(), self._failed)

    def _sent(self, _: Any) -> None:
        self._waiting -= 1

    def _failed(self, exc: BaseException) -> None:
        log.debug("event not sent", error=brief(exc))


async def open_events(handler: Any, payload: Any, head: dict[str, str]) -> PushedEvents | None:
    """An `events` subscription for this subscribe message, listening; None when the message
    is anything else, or anything but right, so that strawberry's path answers it."""
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return None
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return None
    schema = handler.schema
    document = _valid_document(schema, payload["query"])
    if document is None:
        return None
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        return None
    key = (
        payload["query"],
        operation_name,
        json.dumps(variables, sort_keys=True, default=str),
        handler.context.viewer_key,
    )
    rendering = renderings.get(key)
    if rendering is None:
        executor = schema.execution_context_class.build(
            schema._schema,
            document,
            context_value=handler.context,
            raw_variable_values=variables,
            operation_name=operation_name,
        )
        if isinstance(executor, list):  # variables that do not fit
            return None
        rendering = renderings[key] = Rendering(executor)
    executor = rendering.executor
    operation = executor.operation
    root = operation.selection_set.selections
    if (
        operation.operation is not OperationType.SUBSCRIPTION
        or len(root) != 1
        or not isinstance(root[0], FieldNode)
        or root[0].name.value != "events"
        or root[0].directives
    ):
        return None
    field = schema._schema.subscription_type.fields["events"]
    try:
        arguments = get_argument_values(field, root[0], executor.variable_values)
        area, after = arguments["area"], arguments.get("after")
        topic = events_topic(handler.context.ctx, getattr(area, "value", area), after)
    except Exception:  # noqa: BLE001 - strawberry's path gives the caller the error
        return None
    socket = handler.websocket
    message_head = json.dumps(head, separators=(",", ":"))[:-1] + ',"payload":'
    pushed = PushedEvents(
        handler.context.services.hub,
        handler.context.ctx,
        rendering,
        message_head.encode(),
        socket.ws,
        socket.ws.scope.get("redgrid.wire"),
        socket.send_text,
        lambda: socket.close(CLOSE_TOO_SLOW, TOO_SLOW_REASON),
    )
    try:
        pushed.listener = await pushed.hub.listen(topic, after, pushed.deliver)
    except ReplayTooOld:
        return None  # strawberry's path refuses it again, as a GraphQL error with its code
    return pushed


class PushedTransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    """graphql-transport-ws, with `events` operations pushed by the hub."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pushed: dict[str, PushedEvents] = {}

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        # The timeout task is cancelled now: kept for the socket's life it held its coroutine,
        # its CancelledError and their traceback, 1.7 KB an idle subscriber. One that fired
        # is still closing the socket, and shutdown must wait for it.
        if not self.connection_timed_out:
            self.connection_init_timeout_task = None

    async def handle_subscribe(self, message: Any) -> None:
        operation_id = message["id"]
        if operation_id in self.pushed:
            await self.websocket.close(code=4409, reason=f"Subscriber for {operation_id} already exists")
            return
        if self.connection_acknowledged and operation_id not in self.operations and self._full():
            await self.send_message({"id": operation_id, "type": "error", "payload": [too_many_operations()]})
            return
        if not await admit_subscribe(self, message):  # persisted queries, allow-list (graphql/core/persisted.py)
            return
        if self.connection_acknowledged and operation_id not in self.operations:
            pushed = await open_events(self, message.get("payload"), {"id": operation_id, "type": "next"})
            if pushed is not None:
                self.pushed[operation_id] = pushed
                return
        await super().handle_subscribe(message)

    def _full(self) -> bool:
        return is_full(len(self.pushed) + len(self.operations), self.max_subscriptions_per_connection)

    async def cleanup_operation(self, operation_id: str) -> None:
        pushed = self.pushed.pop(operation_id, None)
        if pushed is None:
            await super().cleanup_operation(operation_id)
        else:
            await pushed.stop()

    async def shutdown(self) -> None:
        for operation_id in list(self.pushed):
            await self.cleanup_operation(operation_id)
        await super().shutdown()


class PushedLegacyWSHandler(BaseGraphQLWSHandler[Any, Any]):
    """The legacy graphql-ws protocol, with `events` operations pushed by the hub, and the
    connection_init deadline strawberry gives only graphql-transport-ws."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pushed: dict[str, PushedEvents] = {}
        self.init_deadline: asyncio.Task[None] | None = None

    async def handle(self) -> None:
        self.init_deadline = asyncio.create_task(self._close_uninitialised())
        try:
            await super().handle()
        finally:
            if self.init_deadline is not None:
                self.init_deadline.cancel()
                self.init_deadline = None

    async def _close_uninitialised(self) -> None:
        await asyncio.sleep(self.view.connection_init_wait_timeout.total_seconds())
        self.init_deadline = None
        if not self.connection_acknowledged:
            await self.websocket.close(code=CLOSE_INIT_TIMEOUT, reason="Connection initialisation timeout")

    async def handle_connection_init(self, message: Any) -> None:
        if self.init_deadline is not None:  # dropped once it came: an idle subscriber keeps no task
            self.init_deadline.cancel()
            self.init_deadline = None
        await super().handle_connection_init(message)

    async def handle_start(self, message: Any) -> None:
        operation_id = message["id"]
        if operation_id in self.pushed or operation_id in self.tasks:
            await self.cleanup_operation(operation_id)  # the protocol replaces a reused id
        if self.connection_acknowledged and is_full(
            len(self.pushed) + len(self.tasks), self.max_subscriptions_per_connection
        ):
            await self.send_message({"type": "error", "id": operation_id, "payload": too_many_operations()})
            return
        if not await admit_subscribe(self, message):  # persisted queries, allow-list (graphql/core/persisted.py)
            return
        if self.connection_acknowledged:
            pushed = await open_events(self, message.get("payload"), {"type": "data", "id": operation_id})
            if pushed is not None:
                self.pushed[operation_id] = pushed
                return
        await super().handle_start(message)

    async def cleanup_operation(self, operation_id: str) -> None:
        pushed = self.pushed.pop(operation_id, None)
        if pushed is None:
            await super().cleanup_operation(operation_id)
            return
        await pushed.stop()
        await self.send_message({"type": "complete", "id": operation_id})

    async def cleanup(self) -> None:
        while self.pushed:
            await self.pushed.popitem()[1].stop()
        await super().cleanup()
