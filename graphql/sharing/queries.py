"""Searching the catalogue and listing requests; who sees what is tenants/sharing/access.py."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.filtering import narrowed
from redgrid.graphql.core.pagination import Connection, Ordering, ordering, paginate
from redgrid.graphql.sharing.inputs import CatalogueFilter, CatalogueOrder, ShareRequestFilter
from redgrid.graphql.sharing.types import SharedResource, ShareRequest
from redgrid.tenants.sharing import catalogue, requests

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
        query = catalogue.search(info.context.ctx, search)
        return await paginate(query, first, after, SharedResource.from_model, ordering(o.field, o.direction))

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
