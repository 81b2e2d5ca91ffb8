"""Reading the grid: the tree page by page, its levels and coverage."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.filtering import narrowed
from redgrid.graphql.core.ids import optional_db_id
from redgrid.graphql.core.pagination import Connection, ordering, paginate
from redgrid.graphql.grid.filters import in_subtree
from redgrid.graphql.grid.inputs import GridNodeFilter, GridNodeOrder
from redgrid.graphql.grid.types import GridLevel, GridNode, LevelCoverage
from redgrid.tenants.grid import service as grid

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class GridQuery:
    @strawberry.field(description="The caller's tenant's grid tree, filtered and ordered, page by page.")
    async def grid_nodes(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: GridNodeFilter | None = None,
        order: GridNodeOrder | None = None,
    ) -> Connection[GridNode]:
        f = filter or GridNodeFilter()
        query = narrowed(
            grid.nodes(info.context.ctx, include_retired=f.include_retired),
            level=f.level,
            parent_id=optional_db_id(f.parent_id, "GridNode", "filter.parentId"),
            name__icontains=f.name_contains,
        )
        query = await in_subtree(info, query, f.under_id, "path")
        o = order or GridNodeOrder()
        return await paginate(query, first, after, GridNode.from_model, ordering(o.field, o.direction))

    @strawberry.field
    async def grid_levels(self, info: Info) -> list[GridLevel]:
        return [GridLevel.from_model(level) for level in await grid.levels(info.context.ctx)]

    @strawberry.field(description="Full coverage per level of the caller's tenant.")
    async def grid_coverage(self, info: Info) -> list[LevelCoverage]:
        return [LevelCoverage.from_counts(c) for c in await grid.coverage(info.context.ctx)]
