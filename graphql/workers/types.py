"""Grid workers and dispatch candidates as a client sees them.

A worker reaches a client only as the `WorkerView` tenants/workers/service.py makes for the
caller (the phone full, masked or hidden by role): `GridWorker.shown_to(info)`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import strawberry

from redgrid.graphql.cases.enums import CaseAssigneeKind
from redgrid.graphql.cases.types import assignee_out
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import DbNode
from redgrid.graphql.core.mapping import from_row
from redgrid.graphql.grid.types import GridNode
from redgrid.graphql.workers.accounts import AccountRef, linked_account
from redgrid.graphql.workers.enums import GridWorkerPost
from redgrid.tenants.cases.picker import Candidate
from redgrid.tenants.workers import models
from redgrid.tenants.workers.service import WorkerView, viewer

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(
    description="A person of a grid's team (专职网格员 and the other posts), serving one or more grid nodes."
)
class GridWorker(DbNode):
    db_id: strawberry.Private[int]
    account_db_id: strawberry.Private[int | None]
    name: str
    phone: str | None = strawberry.field(description="Full, masked (137****0301) or null, by the caller's role.")
    created_at: datetime

    @classmethod
    def from_view(cls, v: WorkerView) -> GridWorker:
        return from_row(cls, v, db_id=v.id, account_db_id=v.account_id)

    @classmethod
    def shown_to(cls, info: Info) -> Callable[[models.GridWorker], GridWorker]:
        """Worker rows as the caller may see them (the role's rule is looked up once)."""
        view = viewer(info.context.ctx)
        return lambda m: cls.from_view(view(m))

    @strawberry.field(description="The account he signs in as, when he has one.")
    async def account(self, info: Info) -> AccountRef | None:
        return await linked_account(info, self.account_db_id)

    @strawberry.field(description="His posts, in the order of the enum.")
    async def posts(self, info: Info) -> list[GridWorkerPost]:
        rows = await info.context.loaders.many(models.GridWorkerPost, "worker_id").load(self.db_id)
        order = list(GridWorkerPost)
        return sorted((GridWorkerPost(r.post) for r in rows), key=order.index)

    @strawberry.field(description="The grid nodes he serves, by path.")
    async def nodes(self, info: Info) -> list[GridNode]:
        links = await info.context.loaders.many(models.GridWorkerNode, "worker_id").load(self.db_id)
        rows = await GridNode.loader(info).load_many([link.node_id for link in links])
        return sorted((GridNode.from_model(r) for r in rows if r), key=lambda n: n.path)


@strawberry.type(description="Someone a case may be dispatched to: pass `kind` and `assignee` to transitionCase.")
class DispatchCandidate:
    account_db_id: strawberry.Private[int | None]
    kind: CaseAssigneeKind
    assignee: str = strawberry.field(description="A username, or for a duty team the DutyTeam's id.")
    name: str = strawberry.field(description="As the register names him, or the team.")
    posts: list[GridWorkerPost] = strawberry.field(description="A grid worker's posts (empty for the others).")

    @classmethod
    def from_candidate(cls, c: Candidate) -> DispatchCandidate:
        return from_row(cls, c, account_db_id=c.account_id, assignee=assignee_out(c.kind, c.assignee))

    @strawberry.field(description="The account he signs in as: the case then is among his assignedToMe.")
    async def account(self, info: Info) -> AccountRef | None:
        return await linked_account(info, self.account_db_id)
