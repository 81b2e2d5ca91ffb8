"""One execution per event, not one per subscriber.

graphql-core executes a subscription's selection set once per event for every subscriber, and
strawberry then serialises each result on its own: at ten thousand subscribers that is most of
the server's time. An event that every subscriber receives as the same object (see
`SharedPayload`) carries a memo, and subscribers whose operation renders it alike — same
document, variables and viewer key — share one execution result and one JSON text.

What a subscriber may see is decided before this point (the subscription's resolver filters by
tenant and grid scope), so sharing the rendering never widens what anyone receives.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from typing import Any

from graphql import ExecutionResult

from redgrid.graphql.core.executor import PlainLeafExecutor


class SharedPayload:
    """Base of a subscription event handed to every subscriber as the same object. Subclasses
    give it `renders` (render key → the execution result already computed for it), e.g. as a
    `strawberry.Private` field."""

    renders: dict[Hashable, ExecutionResult]


class RenderedData(dict[str, Any]):
    """An execution result's `data`, JSON-encoded once however many sockets it goes to."""

    __slots__ = ("_json",)

    @property
    def json(self) -> str:
        try:
            return self._json
        except AttributeError:
            self._json: str = json.dumps(self, separators=(",", ":"))
            return self._json


class _Replay:
    """Stands in for a per-event executor whose result is already known."""

    __slots__ = ("result",)

    def __init__(self, result: ExecutionResult) -> None:
        self.result = result

    def execute_operation(self, *_: Any) -> ExecutionResult:
        return self.result


class _Recording:
    """A per-event executor that leaves a clean, synchronous result in the event's memo."""

    __slots__ = ("executor", "key", "renders")

    def __init__(self, executor: Any, renders: dict[Hashable, ExecutionResult], key: Hashable) -> None:
        self.executor, self.renders, self.key = executor, renders, key

    def execute_operation(self, *args: Any) -> Any:
        result = self.executor.execute_operation(*args)
        if isinstance(result, ExecutionResult) and not result.errors and result.data is not None:
            result = ExecutionResult(RenderedData(result.data), None, result.extensions)
            self.renders[self.key] = result
        return result


class SharedEventExecutor(PlainLeafExecutor):
    """graphql-core's executor, with each `SharedPayload` event executed once per render key."""

    _render_key: Hashable | None = None

    def build_per_event_executor(self, payload: Any) -> Any:
        if not isinstance(payload, SharedPayload):
            return super().build_per_event_executor(payload)
        key = self._render_key
        if key is None:
            key = self._render_key = self._compute_render_key()
        cached = payload.renders.get(key)
        if cached is not None:
            return _Replay(cached)
        return _Recording(super().build_per_event_executor(payload), payload.renders, key)

    def _compute_render_key(self) -> Hashable:
        """What the rendering of an event may depend on: the operation's text, its variables
        and, in case a field ever looks at the caller, the parts of the context that decide
        what the caller may see."""
        source = self.operation.loc.source.body if self.operation.loc else repr(self.operation)
        name = self.operation.name.value if self.operation.name else None
        variables = json.dumps(self.variable_values.coerced, sort_keys=True, default=str)
        viewer = getattr(self.context_value, "viewer_key", None)
        return (source, name, variables, viewer)


def encode_message(message: Any, fallback: Callable[[Any], str]) -> str:
    """A protocol message whose payload is a shared rendering: only the envelope is encoded
    here, the rendered data is pasted in."""
    payload = message.get("payload") if isinstance(message, dict) else None
    if isinstance(payload, dict) and len(payload) == 1 and len(message) > 1:
        data = payload.get("data")
        if isinstance(data, RenderedData):
            head = json.dumps({k: v for k, v in message.items() if k != "payload"}, separators=(",", ":"))
            return f'{head[:-1]},"payload":{{"data":{data.json}}}}}'
    return fallback(message)
