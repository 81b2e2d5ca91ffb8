"""Requests between streets: each resolver reads the ids, calls tenants/sharing/ and shows the
row written; a refusal is the payload's errors (core/payloads.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.core.uploads import uploaded
from redgrid.graphql.sharing.enums import ClaimantKind
from redgrid.graphql.sharing.inputs import AddGridNeedInput, RequestShareInput
from redgrid.graphql.sharing.payloads import GridNeedPayload, ProjectPledgePayload, ShareRequestPayload
from redgrid.graphql.sharing.types import GridNeed, ProjectPledge, ShareRequest
from redgrid.platform.limits import get_limits
from redgrid.tenants.sharing import needs, pledges, requests

Info = strawberry.Info[GraphQLContext, None]


async def _step(info: Info, id: relay.GlobalID, action: str, **kwargs: object) -> ShareRequestPayload:
    row = await requests.advance(info.context.ctx, db_id(id, "ShareRequest"), action, **kwargs)  # type: ignore[arg-type]
    return ShareRequestPayload(request=ShareRequest.from_model(row))


@strawberry.type
class SharingMutation:
    @mutation(description="Ask for a catalogue row; a venue for a slot (SLOT_TAKEN when another request holds it).")
    async def request_share(self, info: Info, input: RequestShareInput) -> ShareRequestPayload:
        asked = requests.Asked(
            note=input.note, quantity=input.quantity, slot_start=input.slot_start, slot_end=input.slot_end
        )
        row = await requests.make_request(info.context.ctx, db_id(input.share_id, "SharedResource", "shareId"), asked)
        return ShareRequestPayload(request=ShareRequest.from_model(row))

    @mutation(description="The offering side: requested → approved.")
    async def approve_share_request(self, info: Info, id: relay.GlobalID) -> ShareRequestPayload:
        return await _step(info, id, "approve")

    @mutation(description="The offering side: requested → declined, with a reason.")
    async def decline_share_request(self, info: Info, id: relay.GlobalID, reason: str) -> ShareRequestPayload:
        return await _step(info, id, "decline", reason=reason)

    @mutation(description="The offering side: approved → scheduled (a venue's slot unless another time is given).")
    async def schedule_share_request(
        self, info: Info, id: relay.GlobalID, scheduled_for: datetime | None = None
    ) -> ShareRequestPayload:
        return await _step(info, id, "schedule", scheduled_for=scheduled_for)

    @mutation(description="The offering side: scheduled → delivered (counted goods leave the resource).")
    async def deliver_share_request(self, info: Info, id: relay.GlobalID) -> ShareRequestPayload:
        return await _step(info, id, "deliver")

    @mutation(description="Either side, before delivery, with a reason; a venue's slot is free again.")
    async def cancel_share_request(self, info: Info, id: relay.GlobalID, reason: str) -> ShareRequestPayload:
        return await _step(info, id, "cancel", reason=reason)

    @mutation(description="A unit pledges yuan to a crowdfunded project (a second pledge sets the new amount).")
    async def pledge_to_project(
        self, info: Info, project_id: relay.GlobalID, unit_id: relay.GlobalID, amount: float
    ) -> ProjectPledgePayload:
        row = await pledges.pledge(
            info.context.ctx,
            db_id(project_id, "PublicProject", "projectId"),
            db_id(unit_id, "JointUnit", "unitId"),
            Decimal(str(amount)),
        )
        return ProjectPledgePayload(pledge=ProjectPledge.from_model(row))

    @mutation(description="Once delivered, each side rates the other once, 1 to 5.")
    async def rate_share_request(self, info: Info, id: relay.GlobalID, rating: int) -> ShareRequestPayload:
        row = await requests.rate(info.context.ctx, db_id(id, "ShareRequest"), rating)
        return ShareRequestPayload(request=ShareRequest.from_model(row))

    @mutation(description="The grid's staff: a resident's small wish or an item of the grid's needs list.")
    async def add_grid_need(self, info: Info, input: AddGridNeedInput) -> GridNeedPayload:
        row = await needs.add_need(
            info.context.ctx,
            db_id(input.node_id, "GridNode", "nodeId"),
            kind=input.kind.value,
            title=input.title,
            description=input.description,
            resource_kind=input.resource_kind.value if input.resource_kind else None,
        )
        return GridNeedPayload(need=GridNeed.from_model(row))

    @mutation(description="Record a claim (认领) by a unit, volunteer or party member; ALREADY_CLAIMED if late.")
    async def claim_grid_need(
        self, info: Info, id: relay.GlobalID, claimant_kind: ClaimantKind, claimant_id: relay.GlobalID
    ) -> GridNeedPayload:
        type_name = {"unit": "JointUnit", "volunteer": "Volunteer", "party_member": "PartyMember"}[claimant_kind.value]
        row = await needs.claim_need(
            info.context.ctx,
            db_id(id, "GridNeed"),
            claimant_kind.value,
            db_id(claimant_id, type_name, "claimantId"),
        )
        return GridNeedPayload(need=GridNeed.from_model(row))

    @mutation(description="claimed → completed, with a photo of it done (multipart, as case photos).")
    async def complete_grid_need(self, info: Info, id: relay.GlobalID, file: Upload) -> GridNeedPayload:
        data, _ = await uploaded(file, get_limits().photo_bytes + 1)
        row = await needs.complete_need(info.context.ctx, db_id(id, "GridNeed"), data=data)
        return GridNeedPayload(need=GridNeed.from_model(row))
