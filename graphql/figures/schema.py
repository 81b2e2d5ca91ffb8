"""GraphQL for a street's key figures (tenants/figures.py); live updates arrive on the
`events(area: FIGURES)` subscription as a `FiguresEvent` whose `figures` are the same `KeyFigures`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.figures.enums import IndicatorGrouping, IndicatorPeriod
from redgrid.graphql.figures.types import CaseIndicatorRow, CaseTrend, CaseTrendDay, GridMap, GridMapCell, KeyFigures
from redgrid.tenants import figures, gridmap
from redgrid.tenants.cases.indicators import IndicatorQuery, case_indicators
from redgrid.tenants.people.tags import LOCAL_TIME

Info = strawberry.Info[GraphQLContext, None]
FROM = strawberry.argument(name="from", description="The first local day (Asia/Shanghai), inclusive.")
TO = strawberry.argument(description="The last local day, inclusive; at most 366 periods from `from`.")
LEVEL = strawberry.argument(description="GRID: the level cases roll up to (1 = the root); at least the caller's own.")


def indicator_query(
    first: date, to: date, group_by: IndicatorGrouping, period: IndicatorPeriod, level: int | None
) -> IndicatorQuery:
    return IndicatorQuery(first=first, last=to, dimension=group_by.value, period=period.value, level=level)


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
        description="Case indicators of the caller's street (secretaries; grid heads within their grid), by period "
        "and group, at most 2,000 rows; docs/indicators.md defines each. Also GET /indicators/cases.xlsx."
    )
    async def case_indicators(
        self,
        info: Info,
        first: Annotated[date, FROM],
        to: Annotated[date, TO],
        group_by: IndicatorGrouping = IndicatorGrouping.TOTAL,
        period: IndicatorPeriod = IndicatorPeriod.WHOLE,
        level: Annotated[int | None, LEVEL] = None,
    ) -> list[CaseIndicatorRow]:
        query = indicator_query(first, to, group_by, period, level)
        return [CaseIndicatorRow.from_row(r) for r in await case_indicators(info.context.ctx, query)]

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
