"""GraphQL for the district's view across its streets (tenants/district/overview.py) and the
platform's health list (tenants/district/health.py)."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.district.types import DistrictHealth, DistrictOverview
from redgrid.tenants.district import health, overview

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

    @strawberry.field(description="Platform admins: every district and tenant with its health.")
    async def platform_health(self, info: Info) -> list[DistrictHealth]:
        return [DistrictHealth.from_health(d) for d in await health.platform_health(info.context.ctx)]
