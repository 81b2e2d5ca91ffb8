"""Searching the catalogue and listing requests; who sees what is tenants/sharing/access.py."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.compiled import compiled_page
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.filtering import narrowed
from redgrid.graphql.core.pagination import Connection, Ordering, ordering, paginate
from redgrid.graphql.sharing.inputs import CatalogueFilter, CatalogueOrder, GridNeedFilter, ShareRequestFilter
from redgrid.graphql.sharing.shapes import SHARED_RESOURCE_SHAPE
from redgrid.graphql.sharing.types import (
    DistrictPledges,
    GridNeed,
    PledgeTotals,
    SharedResource,
    ShareRequest,
    StreetPledges,
)
from redgrid.graphql.tenancy.types import Tenant
from redgrid.tenants.people.privacy import rule_for
from redgrid.tenants.sharing import catalogue, needs, pledges, requests

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class SharingQuery:
    @strawberry.field(
        description="What units offer, as far as each resource's share scope reaches the caller's street "
        "(secretaries and unit contacts)."
    )
    async def catalogue(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: CatalogueFilter | None = None,
        order: CatalogueOrder | None = None,
    ) -> Connection[SharedResource]:
        f, o = filter or CatalogueFilter(), order or CatalogueOrder()
        search = catalogue.Search(
            kind=f.kind.value if f.kind else None,
            words=f.words,
            scope=f.scope.value if f.scope else None,
            others_only=f.others_only,
            district_only=f.district_only,
            in_stock=f.in_stock,
        )
        ctx = info.context.ctx
        query, order_by = catalogue.search(ctx, search), ordering(o.field, o.direction)
        compiled = await compiled_page(info, query, first, after, order_by, SHARED_RESOURCE_SHAPE, rule_for(ctx))
        if compiled is not None:
            return compiled  # type: ignore[return-value]
        return await paginate(query, first, after, SharedResource.from_model, order_by)

    @strawberry.field(description="Requests the caller's street made, and those made of it, newest first.")
    async def share_requests(
        self, info: Info, first: int = 50, after: str | None = None, filter: ShareRequestFilter | None = None
    ) -> Connection[ShareRequest]:
        f = filter or ShareRequestFilter()
        query = narrowed(requests.requests(info.context.ctx), status=f.status)
        if f.mine is not None:
            tenant_id = info.context.ctx.tenant_id
            query = query.filter(tenant_id=tenant_id) if f.mine else query.exclude(tenant_id=tenant_id)
        return await paginate(query, first, after, ShareRequest.from_model, Ordering("requested_at", True))

    @strawberry.field(description="The needs of the caller's grid (a unit contact: of his street), newest first.")
    async def grid_needs(
        self, info: Info, first: int = 50, after: str | None = None, filter: GridNeedFilter | None = None
    ) -> Connection[GridNeed]:
        f = filter or GridNeedFilter()
        query = narrowed(needs.needs(info.context.ctx), status=f.status, kind=f.kind)
        return await paginate(query, first, after, GridNeed.from_model, Ordering("created_at", True))

    @strawberry.field(description="The caller's street's crowdfunding: projects pledged to, units pledging, yuan.")
    async def crowdfunding(self, info: Info) -> PledgeTotals:
        return PledgeTotals.from_totals(await pledges.street_totals(info.context.ctx))

    @strawberry.field(
        description="District admins (platform admins: any district by slug): crowdfunding street by street and in "
        "total. Null when no such district exists."
    )
    async def district_crowdfunding(self, info: Info, slug: str | None = None) -> DistrictPledges | None:
        found = await pledges.district_totals(info.context.ctx, slug)
        if found is None:
            return None
        return DistrictPledges(
            streets=[
                StreetPledges(tenant=Tenant.from_model(t, found.district.slug), totals=PledgeTotals.from_totals(s))
                for t, s in found.streets
            ],
            total=PledgeTotals.from_totals(found.total),
        )
