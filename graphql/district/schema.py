"""GraphQL for the district's view across its streets (tenants/district/overview.py) and the
platform's health list (tenants/district/health.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date
from typing import Annotated

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.district.types import DistrictHealth, DistrictOverview, StreetFiguresEvent
from redgrid.graphql.events.stream import district_figures
from redgrid.graphql.figures.enums import IndicatorGrouping, IndicatorPeriod
from redgrid.graphql.figures.schema import FROM, LEVEL, TO, indicator_query
from redgrid.graphql.figures.types import CaseIndicatorRow, KeyFigures
from redgrid.graphql.tenancy.types import Tenant
from redgrid.tenants.district import health, overview
from redgrid.tenants.district.indicators import district_indicators

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class DistrictQuery:
    @strawberry.field(
        description="District admins: their district's streets side by side and in total (counts only); platform "
        "admins: any district by slug. Null when no such district exists."
    )
    async def district_overview(self, info: Info, slug: str | None = None) -> DistrictOverview | None:
        result = await overview.district_overview(info.context.ctx, slug)
        return DistrictOverview.from_overview(result) if result else None

    @strawberry.field(
        description="District admins (platform admins: any district by slug): the case indicators of the district's "
        "streets by period and group (not by worker or team), at most 2,000 rows; docs/indicators.md defines each."
    )
    async def district_case_indicators(
        self,
        info: Info,
        first: Annotated[date, FROM],
        to: Annotated[date, TO],
        slug: str | None = None,
        group_by: IndicatorGrouping = IndicatorGrouping.STREET,
        period: IndicatorPeriod = IndicatorPeriod.WHOLE,
        level: Annotated[int | None, LEVEL] = None,
    ) -> list[CaseIndicatorRow]:
        query = indicator_query(first, to, group_by, period, level)
        return [CaseIndicatorRow.from_row(r) for r in await district_indicators(info.context.ctx, slug, query)]

    @strawberry.field(description="Platform admins: every district and tenant with its health.")
    async def platform_health(self, info: Info) -> list[DistrictHealth]:
        return [DistrictHealth.from_health(d) for d in await health.platform_health(info.context.ctx)]


@strawberry.type
class DistrictSubscription:
    @strawberry.subscription(
        description="District admins (platform admins: any district by slug): each of the district's streets' key "
        "figures as they change, live, counts only. Load `districtOverview` on (re)subscribing; nothing is replayed."
    )
    async def district_figures(self, info: Info, slug: str | None = None) -> AsyncGenerator[StreetFiguresEvent, None]:
        async for tenant, event in district_figures(info.context, slug):
            yield StreetFiguresEvent(
                seq=event.seq,
                tenant=Tenant.from_model(tenant, tenant.district.slug),
                figures=KeyFigures.from_figures(event.payload),
            )
