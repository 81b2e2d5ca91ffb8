"""The library internals RedGrid hooks into, checked by name and signature.

Five modules lean on what their libraries do not promise: graphql/core/executor.py (graphql-core's
executor and strawberry's subclass of it), graphql/core/pushed.py (strawberry's websocket
protocol handlers, graphql-core's executor), realtime/websocket_protocol.py and realtime/wire.py
(uvicorn's websockets-sansio protocol), platform/http_protocol.py (uvicorn's httptools protocol)
and realtime/eager.py (asyncio's future protocol). pyproject.toml pins those libraries to the range
tested; when one is upgraded, a renamed or reshaped internal fails here, naming the library and
the hook, rather than somewhere far from the cause.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from typing import Any

import pytest


def _source(cls: type) -> str:
    """The source of `cls` and of its bases from its library (not object's or typing's)."""
    parts = []
    for klass in cls.__mro__:
        if klass.__module__.split(".")[0] in ("builtins", "typing"):
            continue
        try:
            parts.append(inspect.getsource(klass))
        except (OSError, TypeError):
            pass
    return "\n".join(parts)


def _params(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def _has_method(cls: type, name: str, params: list[str], library: str, hook: str) -> None:
    method = getattr(cls, name, None)
    assert callable(method), f"{library}: {cls.__qualname__}.{name} is gone ({hook})"
    actual = _params(method)
    assert actual[: len(params)] == params, (
        f"{library}: {cls.__qualname__}.{name}{inspect.signature(method)} no longer takes {params} ({hook})"
    )


def _sets_attributes(cls: type, names: list[str], library: str, hook: str) -> None:
    source = _source(cls)
    missing = [name for name in names if f"self.{name}" not in source]
    assert not missing, f"{library}: {cls.__qualname__} no longer sets {missing} ({hook})"


# graphql/core/executor.py: PlainLeafExecutor subclasses strawberry's execution context and
# overrides graphql-core's per-field and per-object completion.
EXECUTOR = "graphql/core/executor.py (PlainLeafExecutor)"


def test_strawberry_execution_context_is_graphql_cores_executor() -> None:
    from graphql.execution.collect_fields import FieldDetailsList  # noqa: F401 - imported by the hook
    from graphql.pyutils import Path  # noqa: F401
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

    library = "strawberry-graphql/graphql-core"
    cls = StrawberryGraphQLCoreExecutionContext
    _has_method(
        cls,
        "execute_field",
        ["self", "parent_type", "source", "field_details_list", "path", "position_context"],
        library,
        EXECUTOR,
    )
    _has_method(
        cls,
        "complete_object_value",
        ["self", "return_type", "field_details_list", "info", "path", "result", "position_context"],
        library,
        EXECUTOR,
    )
    _has_method(cls, "build_per_event_executor", ["self", "payload"], library, EXECUTOR)
    # The per-event copy's memo of sub-field collections, replaced by a fresh dict per event,
    # and the middleware manager whose absence lets leaves take the short way.
    _sets_attributes(cls, ["_relevant_sub_fields", "middleware_manager", "schema", "operation"], library, EXECUTOR)


def test_graphql_core_executor_build_and_subscription_event() -> None:
    from graphql import execute_subscription_event
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

    library = "graphql-core"
    hook = "graphql/core/pushed.py (open_events renders events with an executor of its own)"
    build = StrawberryGraphQLCoreExecutionContext.build
    params = _params(build)
    for name in ("schema", "document", "context_value", "raw_variable_values", "operation_name"):
        assert name in params, f"{library}: ExecutionContext.build no longer takes {name} ({hook})"
    assert len(_params(execute_subscription_event)) == 1, (
        f"{library}: execute_subscription_event no longer takes just the per-event executor ({hook})"
    )
    _sets_attributes(StrawberryGraphQLCoreExecutionContext, ["variable_values", "operation"], library, hook)


def test_strawberry_schema_internals() -> None:
    from strawberry.schema.schema import Schema

    library = "strawberry-graphql"
    hook = "graphql/core/pushed.py (schema._schema, schema.execution_context_class)"
    source = _source(Schema)
    assert "self._schema" in source, f"{library}: Schema no longer keeps graphql-core's schema as _schema ({hook})"
    assert "execution_context_class" in source, f"{library}: Schema has no execution_context_class ({hook})"


# graphql/core/pushed.py (and graphql/core/ratelimits.py): the two websocket protocol handlers.
PUSHED = "graphql/core/pushed.py (PushedTransportWSHandler, PushedLegacyWSHandler)"


def test_strawberry_graphql_transport_ws_handler() -> None:
    from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler

    library = "strawberry-graphql"
    cls = BaseGraphQLTransportWSHandler
    assert "max_subscriptions_per_connection" in _params(cls.__init__), (
        f"{library}: {cls.__qualname__}() no longer takes max_subscriptions_per_connection ({PUSHED})"
    )
    for name, params in {
        "handle_connection_init": ["self", "message"],
        "handle_subscribe": ["self", "message"],
        "cleanup_operation": ["self", "operation_id"],
        "shutdown": ["self"],
        "send_message": ["self", "message"],
    }.items():
        _has_method(cls, name, params, library, PUSHED)
    _sets_attributes(
        cls,
        [
            "connection_acknowledged",
            "operations",
            "connection_timed_out",
            "connection_init_timeout_task",
            "max_subscriptions_per_connection",
            "websocket",
            "context",
        ],
        library,
        PUSHED,
    )


def test_strawberry_graphql_ws_handler() -> None:
    from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

    library = "strawberry-graphql"
    cls = BaseGraphQLWSHandler
    assert "max_subscriptions_per_connection" in _params(cls.__init__), (
        f"{library}: {cls.__qualname__}() no longer takes max_subscriptions_per_connection ({PUSHED})"
    )
    for name, params in {
        "handle": ["self"],
        "handle_connection_init": ["self", "message"],
        "handle_start": ["self", "message"],
        "cleanup_operation": ["self", "operation_id"],
        "cleanup": ["self"],
        "send_message": ["self", "message"],
    }.items():
        _has_method(cls, name, params, library, PUSHED)
    _sets_attributes(
        cls,
        ["connection_acknowledged", "tasks", "view", "max_subscriptions_per_connection", "websocket", "context"],
        library,
        PUSHED,
    )


# realtime/websocket_protocol.py replaces uvicorn's receive queue and write flag and drops the
# handshake's request and response; realtime/wire.py writes frames to the transport itself.
WEBSOCKET = "realtime/websocket_protocol.py (LeanWebSocketProtocol), realtime/wire.py (Wire)"


def test_uvicorn_websockets_sansio_protocol() -> None:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

    from redgrid.realtime.wire import _PROTOCOL_STATE

    library = "uvicorn"
    cls = WebSocketsSansIOProtocol
    _has_method(cls, "start_keepalive", ["self"], library, WEBSOCKET)
    _sets_attributes(cls, ["queue", "writable", "request", "response", *_PROTOCOL_STATE], library, WEBSOCKET)
    # Every method uvicorn calls on its receive queue and write flag must be one the lean
    # replacements (ReceiveQueue, Writable) offer.
    offered = {"queue": {"put_nowait", "get", "empty"}, "writable": {"set", "clear", "wait", "is_set"}}
    source = _source(cls)
    for name, methods in offered.items():
        called = set(re.findall(rf"self\.{name}\.(\w+)", source))
        assert called, f"{library}: {cls.__qualname__} no longer uses self.{name} ({WEBSOCKET})"
        assert called <= methods, (
            f"{library}: {cls.__qualname__} now calls self.{name}.{sorted(called - methods)}, "
            f"which the lean replacement lacks ({WEBSOCKET})"
        )


# platform/http_protocol.py counts the bytes of a request's head and answers uvicorn's 400.
HTTP = "platform/http_protocol.py (BoundedHttpToolsProtocol)"


def test_uvicorn_httptools_protocol() -> None:
    pytest.importorskip("httptools")
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    library = "uvicorn"
    cls = HttpToolsProtocol
    _has_method(cls, "data_received", ["self", "data"], library, HTTP)
    _has_method(cls, "on_message_begin", ["self"], library, HTTP)
    _has_method(cls, "on_headers_complete", ["self"], library, HTTP)
    _has_method(cls, "send_400_response", ["self", "msg"], library, HTTP)


# realtime/eager.py steps a coroutine the way asyncio's Task does: a yielded future carries
# `_asyncio_future_blocking`, which the stepper must clear before waiting on it.
EAGER = "realtime/eager.py (run_eagerly)"


@pytest.mark.parametrize("future_class", [asyncio.Future, asyncio.futures._PyFuture], ids=["C", "Python"])
def test_asyncio_future_blocking_protocol(future_class: type) -> None:
    loop = asyncio.new_event_loop()
    try:
        future = future_class(loop=loop)
        assert hasattr(future, "_asyncio_future_blocking"), (
            f"asyncio: {future_class.__qualname__} has no _asyncio_future_blocking ({EAGER})"
        )

        async def waits() -> None:
            await future

        coro = waits()
        yielded = coro.send(None)
        assert yielded is future and future._asyncio_future_blocking is True, (
            f"asyncio: an awaited future no longer yields itself marked _asyncio_future_blocking ({EAGER})"
        )
        coro.close()
    finally:
        loop.close()
