"""`node(id)` for an area's types: the area's `NODES` maps a type name to the resolver
`node_resolver` makes from the service's lookup by id and the type's `from_model`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.platform.context import RequestContext

M = TypeVar("M")
N = TypeVar("N")

Info = strawberry.Info[GraphQLContext, None]
NodeResolver = Callable[[Info, int], Awaitable[N | None]]


def node_resolver(
    find: Callable[[RequestContext, int], Awaitable[M | None]], to_node: Callable[[M], N]
) -> NodeResolver[N]:
    """The resolver of one type for `node(id)`: the row the service finds for the caller, shown
    as the type; null when the service finds none (missing, or not the caller's to see)."""

    async def resolve(info: Info, db_id: int) -> N | None:
        found = await find(info.context.ctx, db_id)
        return None if found is None else to_node(found)

    return resolve
