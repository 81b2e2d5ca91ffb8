"""Sharing across streets as a client sees it: catalogue rows (the offering unit and street
named, never a contact) and requests, with the side the caller is on."""

from __future__ import annotations

from datetime import datetime

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import DbNode
from redgrid.graphql.core.mapping import from_row
from redgrid.graphql.sharing.enums import ShareRequestStatus, ShareScope
from redgrid.graphql.units.enums import ResourceKind
from redgrid.tenants.sharing import catalogue, models

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(description="A resource in the catalogue: what it is and who offers it, without contacts.")
class SharedResource(DbNode):
    db_id: strawberry.Private[int]
    tenant_db_id: strawberry.Private[int]
    kind: ResourceKind
    description: str
    unit_name: str = strawberry.field(description="The unit that offers it.")
    street_name: str = strawberry.field(description="The street of that unit.")
    scope: ShareScope
    quantity: int | None = strawberry.field(description="Goods left (null: not counted).")
    updated_at: datetime

    @classmethod
    def from_model(cls, m: models.ResourceShare) -> SharedResource:
        return from_row(cls, m, db_id=m.id, tenant_db_id=m.tenant_id)  # type: ignore[attr-defined]

    @strawberry.field(description="Offered by the caller's own street.")
    def own(self, info: Info) -> bool:
        return self.tenant_db_id == info.context.ctx.tenant_id


@strawberry.type(description="A street's request of a catalogue row, as either street sees it.")
class ShareRequest(DbNode):
    db_id: strawberry.Private[int]
    tenant_db_id: strawberry.Private[int]
    owner_tenant_id: strawberry.Private[int]
    share_db_id: strawberry.Private[int]
    status: ShareRequestStatus
    version: int
    requester_name: str = strawberry.field(description="The requesting street.")
    requested_by: str
    note: str
    quantity: int | None
    slot_start: datetime | None
    slot_end: datetime | None
    scheduled_for: datetime | None
    reason: str = strawberry.field(description="Why it was declined or cancelled.")
    requester_rating: int | None = strawberry.field(description="The requesting street's rating of the delivery.")
    owner_rating: int | None = strawberry.field(description="The offering side's rating of the requester.")
    requested_at: datetime
    decided_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None

    @classmethod
    def from_model(cls, m: models.ShareRequest) -> ShareRequest:
        return from_row(
            cls,
            m,
            db_id=m.id,
            tenant_db_id=m.tenant_id,  # type: ignore[attr-defined]
            owner_tenant_id=m.owner_tenant_id,
            share_db_id=m.share_id,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The caller's street made it.")
    def mine(self, info: Info) -> bool:
        return self.tenant_db_id == info.context.ctx.tenant_id

    @strawberry.field(description="Made of the caller's street (it is the offering side).")
    def offered(self, info: Info) -> bool:
        return self.owner_tenant_id == info.context.ctx.tenant_id

    @strawberry.field(description="What was asked for; null when the catalogue row is no longer the caller's to read.")
    async def resource(self, info: Info) -> SharedResource | None:
        row = await catalogue.share_by_id(info.context.ctx, self.share_db_id)
        return None if row is None else SharedResource.from_model(row)
