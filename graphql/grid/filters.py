"""Narrowing any area's query to a grid subtree the caller names by a node's id."""

from __future__ import annotations

from typing import TypeVar

import strawberry
from strawberry import relay
from tortoise.models import Model
from tortoise.queryset import QuerySet

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id
from redgrid.tenants.grid import service as grid
from redgrid.tenants.scope import subtree

M = TypeVar("M", bound=Model)

Info = strawberry.Info[GraphQLContext, None]


async def in_subtree(
    info: Info, query: QuerySet[M], under_id: relay.GlobalID | None, path_field: str, field: str = "filter.underId"
) -> QuerySet[M]:
    """`query` narrowed to the subtree of a grid node the caller may see (nothing when he may not
    or it is unknown); `path_field` is the lookup of each row's grid path."""
    if under_id is None:
        return query
    root = await grid.node_by_id(info.context.ctx, db_id(under_id, "GridNode", field))
    return query.filter(subtree(path_field, root.path)) if root else query.filter(id__lt=0)
