"""GraphQL for a street's key figures (tenants/figures.py); live updates arrive on the
`events(area: FIGURES)` subscription as a `FiguresEvent` whose `figures` are the same `KeyFigures`."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.figures.types import KeyFigures
from redgrid.tenants import figures

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class FiguresQuery:
    @strawberry.field(description="The street's key figures now (staff roles).")
    async def key_figures(self, info: Info) -> KeyFigures:
        f = await info.context.loaders.once("keyFigures", lambda: figures.figures_for(info.context.ctx))
        return KeyFigures.from_figures(f)
