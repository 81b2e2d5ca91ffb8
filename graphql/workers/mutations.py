"""Keeping the grid workers' register, and linking staff and volunteers to their accounts. The
rules are tenants/workers/; a refusal is the payload's errors (core/payloads.py)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.people.payloads import VolunteerPayload
from redgrid.graphql.people.types import Volunteer
from redgrid.graphql.staff.payloads import SinkingStaffPayload
from redgrid.graphql.staff.types import SinkingStaff
from redgrid.graphql.workers.inputs import GridWorkerInput, LinkAccountInput, UpdateGridWorkerInput
from redgrid.graphql.workers.payloads import GridWorkerPayload
from redgrid.graphql.workers.types import GridWorker
from redgrid.tenants.workers import links
from redgrid.tenants.workers import service as workers

Info = strawberry.Info[GraphQLContext, None]


async def _save(info: Info, input: GridWorkerInput | UpdateGridWorkerInput, worker_id: int | None) -> GridWorkerPayload:
    row = await workers.save_worker(
        info.context.ctx,
        name=input.name,
        node_ids=[db_id(node, "GridNode", f"nodeIds.{i}") for i, node in enumerate(input.node_ids)],
        posts=[p.value for p in input.posts],
        phone=input.phone,
        username=input.username,
        worker_id=worker_id,
    )
    return GridWorkerPayload(worker=GridWorker.shown_to(info)(row))


@strawberry.type
class WorkersMutation:
    @mutation(description="Secretaries and grid heads: register a grid worker serving nodes of their grid.")
    async def create_grid_worker(self, info: Info, input: GridWorkerInput) -> GridWorkerPayload:
        return await _save(info, input, None)

    @mutation(
        description="Change a grid worker: every node he serves, before and after, in the caller's grid "
        "(else SERVES_OTHER_GRIDS)."
    )
    async def update_grid_worker(self, info: Info, input: UpdateGridWorkerInput) -> GridWorkerPayload:
        return await _save(info, input, db_id(input.id, "GridWorker"))

    @mutation(description="Take a grid worker off the register; answers him as he was.")
    async def remove_grid_worker(self, info: Info, id: relay.GlobalID) -> GridWorkerPayload:
        row = await workers.remove_worker(info.context.ctx, db_id(id, "GridWorker"))
        return GridWorkerPayload(worker=GridWorker.shown_to(info)(row))

    @mutation(description="Secretaries: link a staff member of their grid to the account he signs in as (or unlink).")
    async def link_sinking_staff_account(self, info: Info, input: LinkAccountInput) -> SinkingStaffPayload:
        row = await links.link_staff(info.context.ctx, db_id(input.id, "SinkingStaff"), input.username)
        return SinkingStaffPayload(staff=SinkingStaff.shown_to(info)(row))

    @mutation(description="Secretaries: link a volunteer to the account he signs in as (or unlink).")
    async def link_volunteer_account(self, info: Info, input: LinkAccountInput) -> VolunteerPayload:
        row = await links.link_volunteer(info.context.ctx, db_id(input.id, "Volunteer"), input.username)
        return VolunteerPayload(volunteer=Volunteer.from_model(row))
