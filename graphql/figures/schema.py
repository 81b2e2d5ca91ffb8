"""GraphQL for a street's key figures (tenants/figures.py); live updates arrive on the
`events(area: FIGURES)` subscription as a `FiguresEvent` whose `figures` are the same `KeyFigures`."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.figures.types import CaseTrend, CaseTrendDay, GridMap, GridMapCell, KeyFigures
from redgrid.tenants import figures, gridmap
from redgrid.tenants.people.tags import LOCAL_TIME

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class FiguresQuery:
    @strawberry.field(description="The street's key figures now (staff roles).")
    async def key_figures(self, info: Info) -> KeyFigures:
        f = await info.context.loaders.once("keyFigures", lambda: figures.figures_for(info.context.ctx))
        return KeyFigures.from_figures(f)

    @strawberry.field(
        description="The street's cases per local day (staff roles, the street's totals): reported, closed and "
        "overdue, for the last `days` (1 to 90) with today so far, whose counts the FIGURES events' reportedToday, "
        "closedToday and overdueCases carry on."
    )
    async def case_trend(self, info: Info, days: int = figures.TREND_DAYS) -> CaseTrend:
        now = datetime.now(UTC)
        rows = await figures.trend_for(info.context.ctx, days, now)
        return CaseTrend(time_zone=LOCAL_TIME.key, days=[CaseTrendDay(**row) for row in rows], as_of=now)

    @strawberry.field(
        description="The wall's grid map (staff roles): one level of the caller's grid with each node's boundary "
        "and open and overdue cases. Without `level`, the deepest level of at most 300 nodes."
    )
    async def grid_map(self, info: Info, level: int | None = None) -> GridMap:
        drawn, cells = await gridmap.grid_map(info.context.ctx, level)
        return GridMap(
            level=drawn,
            cells=[
                GridMapCell(
                    id=strawberry.ID(str(relay.GlobalID("GridNode", str(c.node.id)))),
                    path=c.node.path,
                    name=c.node.name,
                    boundary=c.node.boundary,
                    open_cases=c.open_cases,
                    overdue_cases=c.overdue_cases,
                )
                for c in cells
            ],
        )
