"""Reading cases: the list page by page, and the taxonomy."""

from __future__ import annotations

import strawberry
from tortoise.queryset import QuerySet

from redgrid.graphql.cases.inputs import CaseFilter, CaseOrder
from redgrid.graphql.cases.types import Case, CaseCategory, PublicCategory, PublicStreet, TrackedCase
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.filtering import narrowed
from redgrid.graphql.core.ids import optional_db_id
from redgrid.graphql.core.pagination import Connection, ordering, paginate
from redgrid.graphql.core.ratelimits import PublicLimit
from redgrid.graphql.grid.filters import in_subtree
from redgrid.tenants.cases import models, public
from redgrid.tenants.cases import service as cases

Info = strawberry.Info[GraphQLContext, None]


async def _filtered(info: Info, f: CaseFilter) -> QuerySet[models.Case]:
    """The cases the caller may see, narrowed by the filter."""
    ctx = info.context.ctx
    query = await cases.visible(ctx)
    if f.states:
        query = query.filter(state__in=[s.value for s in f.states])
    query = narrowed(query, category_id=optional_db_id(f.category_id, "CaseCategory", "filter.categoryId"))
    query = await in_subtree(info, query, f.under_node_id, "node__path", "filter.underNodeId")
    if f.overdue is not None:
        query = query.filter(cases.overdue()) if f.overdue else query.exclude(cases.overdue())
    if f.assigned_to_me:
        query = query.filter(await cases.assigned_to_me(ctx))
    return query


@strawberry.type
class CaseQuery:
    @strawberry.field(description="Cases the caller may see, filtered and ordered, page by page.")
    async def cases(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: CaseFilter | None = None,
        order: CaseOrder | None = None,
    ) -> Connection[Case]:
        o = order or CaseOrder()
        query = await _filtered(info, filter or CaseFilter())
        return await paginate(query, first, after, Case.from_model, ordering(o.field, o.direction))

    @strawberry.field
    async def case_categories(self, info: Info) -> list[CaseCategory]:
        return [CaseCategory.from_model(c) for c in await cases.categories(info.context.ctx)]

    @strawberry.field(
        description="Public, no account: a street's name and categories for the residents' report page; "
        "null for no such street.",
        extensions=[PublicLimit()],
    )
    async def public_street(self, slug: str) -> PublicStreet | None:
        found = await public.categories(slug)
        if found is None:
            return None
        tenant, categories = found
        return PublicStreet(
            slug=tenant.slug,
            name=tenant.name,
            categories=[PublicCategory(code=c.code, name=c.name) for c in categories],
        )

    @strawberry.field(
        description="Public, no account: the case a resident's tracking token follows; null for a wrong "
        "token or street alike.",
        extensions=[PublicLimit()],
    )
    async def tracked_case(self, street: str, token: str) -> TrackedCase | None:
        found = await public.tracked(street, token)
        return TrackedCase.from_tracked(found) if found else None
