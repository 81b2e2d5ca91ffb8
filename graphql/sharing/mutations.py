"""Requests between streets: each resolver reads the ids, calls tenants/sharing/ and shows the
row written; a refusal is the payload's errors (core/payloads.py)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.sharing.inputs import RequestShareInput
from redgrid.graphql.sharing.payloads import ShareRequestPayload
from redgrid.graphql.sharing.types import ShareRequest
from redgrid.tenants.sharing import requests

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

    @mutation(description="Once delivered, each side rates the other once, 1 to 5.")
    async def rate_share_request(self, info: Info, id: relay.GlobalID, rating: int) -> ShareRequestPayload:
        row = await requests.rate(info.context.ctx, db_id(id, "ShareRequest"), rating)
        return ShareRequestPayload(request=ShareRequest.from_model(row))
