"""`now_or_later`: a relation field answers with a plain value when its loader already holds
it, so graphql-core completes the row without scheduling anything; `fill` puts a page's
relations there with one call of the batch function."""

from __future__ import annotations

import asyncio
import inspect

import pytest
import strawberry
from strawberry.dataloader import DataLoader

from redgrid.graphql.core.loaders import all_now_or_later, fill, now_or_later, selected


async def test_a_ready_load_answers_at_once():
    ready = asyncio.get_running_loop().create_future()
    ready.set_result([1, 2])
    assert now_or_later(ready, sum) == 3
    assert all_now_or_later([ready, ready], len) == 2


async def test_a_pending_load_answers_later_even_through_a_second_load():
    loop = asyncio.get_running_loop()
    first, second = loop.create_future(), loop.create_future()
    answer = now_or_later(first, lambda value: now_or_later(second, lambda other: value + other))
    assert inspect.isawaitable(answer)
    first.set_result(1)
    second.set_result(2)
    assert await answer == 3
    pending = all_now_or_later([loop.create_future()], len)
    assert inspect.isawaitable(pending)
    pending.close()  # never awaited: its load never comes


SEEN: list[set[str]] = []


@strawberry.type
class Row:
    a: int = 1
    b: int = 2
    c: int = 3


@strawberry.type
class Edge:
    node: Row


@strawberry.type
class Page:
    edges: list[Edge]


@strawberry.type
class Query:
    @strawberry.field
    def page(self, info: strawberry.Info) -> Page:
        SEEN.append(set(selected(info, "edges", "node")))
        return Page(edges=[Edge(node=Row())])


def test_selected_sees_through_fragments():
    """What a list resolver learns of the relations its rows are asked for."""
    SEEN.clear()
    schema = strawberry.Schema(Query)
    query = """{ page { edges { ...E } } } fragment E on Edge { node { a ... on Row { b } } }"""
    assert schema.execute_sync(query).errors is None
    assert schema.execute_sync("{ page { edges { node { c } } } }").errors is None
    assert SEEN == [{"a", "b"}, {"c"}]


async def test_fill_asks_the_batch_function_once_and_leaves_ready_values():
    batches: list[list[int]] = []

    async def squares(keys: list[int]) -> list[int]:
        batches.append(list(keys))
        return [k * k for k in keys]

    loader = DataLoader(load_fn=squares)
    assert await fill(loader, [2, 3, 2, 4]) == [4, 9, 4, 16]
    assert await fill(loader, []) == []
    assert batches == [[2, 3, 4]]  # each key once
    ready = loader.load(4)
    assert isinstance(ready, asyncio.Future) and ready.done() and ready.result() == 16
    assert now_or_later(loader.load(2), str) == "4"
    assert await fill(loader, [4, 5]) == [16, 25]
    assert batches[1:] == [[5]]  # what the loader held is not asked again


async def test_fill_raises_an_exception_the_batch_function_answers_with():
    async def broken(keys: list[int]) -> list[object]:
        return [ValueError(f"no row {k}") if k == 2 else k for k in keys]

    loader = DataLoader(load_fn=broken)
    with pytest.raises(ValueError, match="no row 2"):
        await fill(loader, [1, 2])
