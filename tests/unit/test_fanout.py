"""Shared rendering of subscription events: subscribers whose operation renders an event alike
get one execution result, and its JSON is pasted into each protocol message unchanged."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncGenerator, Hashable
from typing import Any

import strawberry

from redgrid.graphql.core.fanout import RenderedData, SharedEventExecutor, SharedPayload, encode_message


@strawberry.type
class Ping(SharedPayload):
    n: int
    renders: strawberry.Private[dict[Hashable, Any]] = dataclasses.field(default_factory=dict)


PINGS = [Ping(n=1), Ping(n=2)]


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def pings(self) -> AsyncGenerator[Ping, None]:
        for ping in PINGS:
            yield ping


schema = strawberry.Schema(query=Query, subscription=Subscription, execution_context_class=SharedEventExecutor)


async def _data(query: str) -> list[Any]:
    stream = await schema.subscribe(query)
    return [result.data async for result in stream]  # type: ignore[union-attr]


async def test_same_document_shares_one_result_per_event():
    first, second = await _data("subscription { pings { n } }"), await _data("subscription { pings { n } }")
    assert first == [{"pings": {"n": 1}}, {"pings": {"n": 2}}]
    assert all(a is b and isinstance(a, RenderedData) for a, b in zip(first, second, strict=True))
    other = await _data("subscription { p: pings { n } }")
    assert other[0] == {"p": {"n": 1}} and other[0] is not first[0]


def test_shared_data_is_pasted_into_the_envelope_as_json():
    data = RenderedData({"events": {"__typename": "GridEvent", "seq": 3, "name": "三号楼"}})
    for message in (
        {"id": "1", "type": "next", "payload": {"data": data}},
        {"type": "data", "id": 'x"y', "payload": {"data": data}},
    ):
        encoded = encode_message(message, json.dumps)
        assert json.loads(encoded) == json.loads(json.dumps(message))
    plain = {"type": "next", "id": "1", "payload": {"data": {"a": 1}, "errors": []}}
    assert encode_message(plain, json.dumps) == json.dumps(plain)
