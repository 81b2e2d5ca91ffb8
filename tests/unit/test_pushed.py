"""The pushed `events` path (graphql/core/pushed.py) without a server: what a subscriber may see when
the scope decision, the payload and its frame are shared by everyone with its render key, that nothing
is written past a close the app asked for, and that an event whose rendering awaits keeps its
place; and that an acknowledged connection keeps no init timeout. The socket, the wire and
the send are stand-ins: this code never talks to a service."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from graphql import ExecutionResult
from starlette.websockets import WebSocketState
from strawberry.types.unset import UNSET

from redgrid.graphql.core import pushed
from redgrid.graphql.core.fanout import RenderedData
from redgrid.graphql.core.pushed import PushedEvents
from redgrid.graphql.core.rendering import Rendering
from redgrid.graphql.schema import schema
from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import GridScope, RequestContext, ScopeKind
from redgrid.realtime.hub import HubEvent
from redgrid.realtime.wire import text_frame


class Wire:
    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def write_frame(self, frame: bytes) -> bool:
        self.frames.append(frame)
        return True


def caller(username: str, tenant_id: int = 1, path: str = "JS01.A1.B03") -> RequestContext:
    identity = Identity(username, username, frozenset({"grid_head"}), "t", None)
    return RequestContext(identity, SimpleNamespace(id=tenant_id), GridScope(ScopeKind.SUBTREE, path))  # type: ignore[arg-type]


def subscription(
    ctx: RequestContext, rendering: Rendering, head: bytes = b'{"id":"1","type":"next","payload":'
) -> tuple[PushedEvents, Wire, list[str]]:
    wire, sent = Wire(), []

    async def send(text: str) -> None:
        sent.append(text)

    async def close() -> None: ...

    socket = SimpleNamespace(application_state=WebSocketState.CONNECTED)
    events = PushedEvents(None, ctx, rendering, head, socket, wire, send, close)  # type: ignore[arg-type]
    return events, wire, sent


def event(seq: int, path: str = "JS01.A1.B04", people: tuple[str, ...] = ()) -> HubEvent:
    payload = {"id": 5, "number": "C-5", "state": "reported", "people": list(people)}
    return HubEvent("t1.cases", seq, "case.created", path, payload, "2026-11-24T00:00:00Z")


def rendered(rendering: Rendering, e: HubEvent) -> None:
    rendering.hold(e, b'{"data":{"events":{"seq":%d}}}' % e.seq)


def test_a_shared_out_of_scope_decision_still_lets_the_named_one_see_it() -> None:
    shared = Rendering(executor=None)
    named, named_wire, _ = subscription(caller("worker-b"), shared)
    other, other_wire, _ = subscription(caller("someone"), shared)
    elsewhere, elsewhere_wire, _ = subscription(caller("worker-b", tenant_id=2), Rendering(executor=None))
    e = event(1, people=("worker-b",))  # building 4: outside building 3's scope
    rendered(shared, e)
    for subscriber in (other, named, elsewhere):
        subscriber.deliver(e)
    assert other_wire.frames == [] and elsewhere_wire.frames == []  # another tenant's namesake too
    assert named_wire.frames == [text_frame(b'{"id":"1","type":"next","payload":{"data":{"events":{"seq":1}}}}')]

    inside = event(2, path="JS01.A1.B03.U1")
    rendered(shared, inside)
    other.deliver(inside)
    named.deliver(inside)
    assert len(other_wire.frames) == 1
    assert other_wire.frames[0] is named_wire.frames[1]  # one frame built, written to both
    assert other_wire.frames[0] == text_frame(b'{"id":"1","type":"next","payload":{"data":{"events":{"seq":2}}}}')


def test_a_shared_frame_is_only_for_the_same_operation_head() -> None:
    """One rendering, three operations: another id, and the legacy protocol's `data` message,
    each get a frame of their own."""
    shared = Rendering(executor=None)
    heads = [
        b'{"id":"1","type":"next","payload":',
        b'{"id":"2","type":"next","payload":',
        b'{"type":"data","id":"1","payload":',
    ]
    subscribers = [subscription(caller("head"), shared, head) for head in heads]
    e = event(1, path="JS01.A1.B03")
    rendered(shared, e)
    for events, _, _ in subscribers:
        events.deliver(e)
    assert [wire.frames for _, wire, _ in subscribers] == [
        [text_frame(head + b'{"data":{"events":{"seq":1}}}}')] for head in heads
    ]


def test_nothing_goes_straight_to_the_transport_once_a_close_was_asked_for() -> None:
    rendering = Rendering(executor=None)
    events, wire, sent = subscription(caller("head"), rendering)
    events._socket.application_state = WebSocketState.DISCONNECTED  # Starlette's, at close()
    e = event(1, path="JS01.A1.B03")
    rendered(rendering, e)
    events.deliver(e)
    assert wire.frames == [] and len(sent) == 1  # ASGI's send, which Starlette then refuses


async def test_an_event_whose_rendering_awaits_keeps_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    slow: asyncio.Future[ExecutionResult] = asyncio.get_running_loop().create_future()

    async def awaited() -> ExecutionResult:
        return await slow

    def execute(seq: Any) -> Any:  # the first event's rendering awaits, the second's does not
        return awaited() if seq == 1 else ExecutionResult(RenderedData({"events": {"seq": seq}}), None)

    monkeypatch.setattr(pushed, "execute_subscription_event", execute)
    rendering = Rendering(SimpleNamespace(build_per_event_executor=lambda tenant_event: tenant_event.seq))
    events, wire, _ = subscription(caller("head"), rendering)
    first, second = event(1, path="JS01.A1.B03"), event(2, path="JS01.A1.B03")
    events.deliver(first)
    events.deliver(second)
    assert wire.frames == []  # the second waits for the first
    slow.set_result(ExecutionResult(RenderedData({"events": {"seq": 1}}), None))
    for _ in range(10):  # the task that finishes the first rendering
        await asyncio.sleep(0)
    assert [frame[-11:] for frame in wire.frames] == [b'"seq":1}}}}', b'"seq":2}}}}']


async def test_nothing_is_written_once_the_operation_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client completed the operation (or lost the right to it) while an event's rendering
    awaited: neither that event nor the one queued behind it is sent."""
    slow: asyncio.Future[ExecutionResult] = asyncio.get_running_loop().create_future()

    async def awaited() -> ExecutionResult:
        return await slow

    monkeypatch.setattr(pushed, "execute_subscription_event", lambda seq: awaited())
    rendering = Rendering(SimpleNamespace(build_per_event_executor=lambda tenant_event: tenant_event.seq))
    events, wire, sent = subscription(caller("head"), rendering)
    events.deliver(event(1, path="JS01.A1.B03"))
    events.deliver(event(2, path="JS01.A1.B03"))
    await events.stop()
    slow.set_result(ExecutionResult(RenderedData({"events": {"seq": 1}}), None))
    for _ in range(10):  # the task that finishes the first rendering
        await asyncio.sleep(0)
    assert events._behind is None and rendering.event is not None  # the rendering did finish
    events.deliver(event(3, path="JS01.A1.B03"))
    assert wire.frames == [] and sent == []


class InitSocket:
    """What the graphql-transport-ws handler sends and closes on."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def send_json(self, message: Any) -> None:
        self.sent.append(message)

    async def close(self, code: int, reason: str) -> None:
        self.sent.append(("close", code))


class InitView:
    async def on_ws_connect(self, context: Any) -> Any:
        return UNSET


def init_handler(socket: InitSocket) -> pushed.PushedTransportWSHandler:
    return pushed.PushedTransportWSHandler(
        InitView(),
        socket,
        SimpleNamespace(connection_params=None),  # type: ignore[arg-type]
        None,
        schema,
        timedelta(seconds=60),
    )


async def test_the_cancelled_init_timeout_is_not_kept_for_the_sockets_life() -> None:
    socket = InitSocket()
    handler = init_handler(socket)
    handler.on_request_accepted()
    timeout = handler.connection_init_timeout_task
    await handler.handle_connection_init({"type": "connection_init"})
    assert socket.sent == [{"type": "connection_ack"}]
    assert handler.connection_init_timeout_task is None
    await asyncio.sleep(0)
    assert timeout is not None and timeout.cancelled()


async def test_a_fired_init_timeout_stays_for_shutdown_to_await() -> None:
    handler = init_handler(InitSocket())
    handler.on_request_accepted()
    handler.connection_timed_out = True  # as the timeout does when it fires
    await handler.handle_connection_init({"type": "connection_init"})
    assert handler.connection_init_timeout_task is not None
    await handler.shutdown()


UNION = (
    "subscription { events(area: CASES) { __typename ...when ... on CaseEvent { caseId number state } "
    "... on GridEvent { code } } } fragment when on Event { seq type at }"
)


class Hub:
    """Takes listeners as realtime/hub.py does, without a channel layer."""

    def __init__(self) -> None:
        self.topics: list[str] = []

    async def listen(self, topic: str, after: int | None, deliver: Callable[[HubEvent], None]) -> Any:
        self.topics.append(topic)
        return SimpleNamespace(topic=topic)


def handler(ctx: RequestContext, hub: Hub, wire: Wire) -> Any:
    async def send_text(text: str) -> None: ...

    async def close(code: int, reason: str) -> None: ...

    context = SimpleNamespace(ctx=ctx, viewer_key=(ctx.tenant_id, "union test"), services=SimpleNamespace(hub=hub))
    ws = SimpleNamespace(application_state=WebSocketState.CONNECTED, scope={"redgrid.wire": wire})
    socket = SimpleNamespace(ws=ws, send_text=send_text, close=close)
    return SimpleNamespace(schema=schema, context=context, websocket=socket)


def frame_json(frame: bytes) -> Any:
    return json.loads(frame[4:] if frame[1] == 126 else frame[2:])  # a server's frame: unmasked


async def test_a_union_selection_is_pushed_and_rendered_once_for_all() -> None:
    """Inline fragments and a fragment spread inside `events`: planned here, not sent
    strawberry's way, and each event rendered once for every subscriber with its render key."""
    hub, wires = Hub(), [Wire(), Wire()]
    operations = [
        await pushed.open_events(handler(caller("head"), hub, wire), {"query": UNION}, {"id": "1", "type": "next"})
        for wire in wires
    ]
    assert all(isinstance(operation, PushedEvents) for operation in operations)
    assert operations[0].rendering is operations[1].rendering and hub.topics == ["t1.cases"] * 2  # type: ignore[union-attr]
    e = event(7, path="JS01.A1.B03")
    for operation in operations:
        operation.deliver(e)  # type: ignore[union-attr]
    assert wires[0].frames[0] is wires[1].frames[0]
    assert frame_json(wires[0].frames[0])["payload"] == {
        "data": {
            "events": {
                "__typename": "CaseEvent",
                "seq": 7,
                "type": "CASE_CREATED",
                "at": "2026-11-24T00:00:00+00:00",
                "caseId": "Q2FzZTo1",
                "number": "C-5",
                "state": "REPORTED",
            }
        }
    }  # Case:5
