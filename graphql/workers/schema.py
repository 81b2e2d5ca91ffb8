"""The grid workers' register, account links and the dispatch picker as graphql/schema.py
composes them: queries.py and mutations.py over types.py, inputs.py, payloads.py and enums.py;
accounts.py is the account every area shows. Rules are tenants/workers/ and tenants/cases/picker.py."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.node_lookup import NodeResolver
from redgrid.graphql.workers.mutations import WorkersMutation
from redgrid.graphql.workers.queries import WorkersQuery
from redgrid.graphql.workers.types import GridWorker
from redgrid.tenants.workers import service as workers

__all__ = ["NODES", "TYPES", "WorkersMutation", "WorkersQuery"]

Info = strawberry.Info[GraphQLContext, None]


async def resolve_grid_worker(info: Info, worker_id: int) -> GridWorker | None:
    """Shown as the caller may see him, which the plain `node_resolver` cannot know."""
    found = await workers.worker_by_id(info.context.ctx, worker_id)
    return GridWorker.shown_to(info)(found) if found else None


NODES: dict[str, NodeResolver[object]] = {"GridWorker": resolve_grid_worker}
TYPES: list[type] = [GridWorker]
