"""Reading the grid workers' register page by page, and the dispatch picker of a case; who
sees what is tenants/workers/service.py and tenants/cases/picker.py."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.filtering import narrowed
from redgrid.graphql.core.ids import db_id
from redgrid.graphql.core.pagination import Connection, NamedOrder, ordering, paginate
from redgrid.graphql.workers.inputs import GridWorkerFilter
from redgrid.graphql.workers.types import DispatchCandidate, GridWorker
from redgrid.tenants.cases import picker
from redgrid.tenants.grid import service as grid
from redgrid.tenants.workers import service as workers

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class WorkersQuery:
    @strawberry.field(
        description="Grid workers serving the caller's grid (the tenant's, phones masked, for staff and volunteers)."
    )
    async def grid_workers(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: GridWorkerFilter | None = None,
        order: NamedOrder | None = None,
    ) -> Connection[GridWorker]:
        ctx = info.context.ctx
        f, o = filter or GridWorkerFilter(), order or NamedOrder()
        query = workers.filtered(workers.workers(ctx), post=f.post.value if f.post else None)
        if f.under_id is not None:  # a node the caller may not see narrows to nothing
            root = await grid.node_by_id(ctx, db_id(f.under_id, "GridNode", "filter.underId"))
            query = workers.filtered(query, under_path=root.path) if root else query.filter(id__lt=0)
        query = narrowed(query, name__icontains=f.name_contains)
        return await paginate(query, first, after, GridWorker.shown_to(info), ordering(o.field, o.direction))

    @strawberry.field(
        description="Whom the case may be dispatched to, each with the account he signs in as; FORBIDDEN unless "
        "the caller may dispatch it."
    )
    async def dispatch_candidates(self, info: Info, case_id: relay.GlobalID) -> list[DispatchCandidate]:
        found = await picker.candidates(info.context.ctx, db_id(case_id, "Case", "caseId"))
        return [DispatchCandidate.from_candidate(c) for c in found]
