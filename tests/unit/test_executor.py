"""The executor's short way for plain leaf fields and objects of them (graphql/core/executor.py): the
same answers and the same errors as graphql-core's whole way, and it is really taken."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from redgrid.graphql.core.executor import PlainLeafExecutor
from redgrid.graphql.core.fanout import SharedEventExecutor


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Thing:
    name: str
    nickname: str | None
    colour: Colour
    tags: list[Colour]
    maybe_tags: list[Colour | None] | None
    count: int

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


class Broken:
    """Looks like a Thing to the executor, but its attributes misbehave."""

    nickname = None
    tags = [Colour.RED, None]  # a null where the list's items may not be null
    maybe_tags = "not a list"
    count = "many"  # not an Int

    @property
    def name(self) -> str:
        raise ValueError("no name today")

    colour = None  # a null for a non-null field


def schema_with(executor: type, things: list[Any], extensions: list[Any] | None = None) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def things(self) -> list[Thing]:
            return things

        @strawberry.field
        def thing(self) -> Thing | None:
            return things[0]

    return strawberry.Schema(query=Query, execution_context_class=executor, extensions=extensions or [])


GOOD = [
    Thing(name="Li", nickname=None, colour=Colour.RED, tags=[Colour.BLUE], maybe_tags=None, count=3),
    Thing(name="Wang", nickname="W", colour=Colour.BLUE, tags=[], maybe_tags=[None, Colour.RED], count=0),
]


@pytest.mark.parametrize(
    "query",
    [
        "{ things { name nickname colour tags maybeTags count shout(times: 2) } }",
        "{ things { ...F } } fragment F on Thing { n: name name colour @include(if: true) tags @skip(if: false) }",
        "{ things { __typename name } }",
        "{ things { name nickname colour tags maybeTags count } thing { count } }",
        "{ things { __typename n: name ...F name } } fragment F on Thing { name colour @include(if: false) tags }",
    ],
)
def test_answers_as_graphql_core_does(query: str) -> None:
    fast = schema_with(PlainLeafExecutor, GOOD).execute_sync(query)
    whole = schema_with(StrawberryGraphQLCoreExecutionContext, GOOD).execute_sync(query)
    assert fast.errors is None and json.dumps(fast.data) == json.dumps(whole.data)  # in the same order
    assert fast.data["things"][1]["name"] == "Wang"


@pytest.mark.parametrize("root", ["thing", "things"])
@pytest.mark.parametrize("field", ["name", "colour", "tags", "maybeTags", "count"])
def test_errors_as_graphql_core_words_them(root: str, field: str) -> None:
    """Each broken value on its own, in an object whose other fields are good: the object is
    completed again the whole way, and only that field's error is reported."""
    query = f"{{ {root} {{ nickname {field} }} }}"
    things = [Broken(), GOOD[0]]  # `thing` is the first
    fast = schema_with(PlainLeafExecutor, things).execute_sync(query)
    whole = schema_with(StrawberryGraphQLCoreExecutionContext, things).execute_sync(query)
    assert fast.errors, f"{field}: the broken value was accepted"
    assert [(e.message, e.path) for e in fast.errors] == [(e.message, e.path) for e in whole.errors]  # type: ignore[union-attr]
    assert fast.data == whole.data


def test_plain_leaves_skip_graphql_cores_field_machinery(monkeypatch: pytest.MonkeyPatch) -> None:
    """If strawberry renamed its basic resolver, every field would go the whole way again."""
    whole_way: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.execute_field

    def counted(self: Any, parent_type: Any, source: Any, details: Any, path: Any, position: Any) -> Any:
        whole_way.append(f"{parent_type.name}.{details[0].node.name.value}")
        return original(self, parent_type, source, details, path, position)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counted)
    result = schema_with(PlainLeafExecutor, GOOD).execute_sync("{ things { name nickname colour tags count shout } }")
    assert result.errors is None
    assert whole_way == ["Query.things", "Thing.shout", "Thing.shout"]  # the resolver field only


def test_objects_of_plain_leaves_skip_graphql_cores_object_machinery(monkeypatch: pytest.MonkeyPatch) -> None:
    completed: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.complete_object_value

    def counted(self: Any, return_type: Any, *args: Any) -> Any:
        completed.append(return_type.name)
        return original(self, return_type, *args)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "complete_object_value", counted)
    result = schema_with(PlainLeafExecutor, GOOD).execute_sync("{ things { __typename name tags } }")
    assert result.data == {
        "things": [
            {"__typename": "Thing", "name": "Li", "tags": ["BLUE"]},
            {"__typename": "Thing", "name": "Wang", "tags": []},
        ]
    }
    assert completed == []
    schema_with(PlainLeafExecutor, GOOD).execute_sync("{ things { name shout } }")
    assert completed == ["Thing", "Thing"]  # a resolver field among them: graphql-core's way


@strawberry.type
class Box:
    content: JSON | None


def test_an_exception_held_by_a_pass_through_scalar_is_still_an_error() -> None:
    """A JSON scalar returns what it is given: graphql-core raises an exception value itself."""

    @strawberry.type
    class Query:
        @strawberry.field
        def box(self) -> Box:
            return Box(content=ValueError("boom"))  # type: ignore[arg-type]

    for executor in (PlainLeafExecutor, StrawberryGraphQLCoreExecutionContext):
        result = strawberry.Schema(query=Query, execution_context_class=executor).execute_sync("{ box { content } }")
        assert result.data == {"box": {"content": None}}
        assert [e.message for e in result.errors or []] == ["boom"], executor


def test_an_extension_that_wraps_every_resolver_turns_the_short_way_off() -> None:
    class Shout(SchemaExtension):
        def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            value = _next(root, info, *args, **kwargs)
            return value.upper() if isinstance(value, str) else value

    schema = schema_with(PlainLeafExecutor, GOOD, extensions=[Shout])
    assert schema.execute_sync("{ things { name } }").data == {"things": [{"name": "LI"}, {"name": "WANG"}]}


async def test_a_long_subscription_keeps_no_memo_per_event() -> None:
    """The schema's executor (fanout's, on this one) over many events of one subscription."""
    roots: list[SharedEventExecutor] = []

    class Recorded(SharedEventExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            roots.append(self)

    @strawberry.type
    class Subscription:
        @strawberry.subscription
        async def things(self) -> AsyncGenerator[Thing, None]:
            for i in range(50):
                yield Thing(name=f"n{i}", nickname=None, colour=Colour.RED, tags=[], maybe_tags=None, count=i)

    @strawberry.type
    class Query:
        ok: bool = True

    schema = strawberry.Schema(query=Query, subscription=Subscription, execution_context_class=Recorded)
    stream = await schema.subscribe("subscription { things { name colour count } }")
    counts = [result.data["things"]["count"] async for result in stream]  # type: ignore[union-attr,index]
    assert counts == list(range(50))
    [root] = roots
    # The root field, its object and that object's three leaves: not one of any per event.
    assert len(root._leaves) == 4 and len(root._objects) == 1
    assert len(root._relevant_sub_fields) <= 1
