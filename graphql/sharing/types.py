"""Sharing across streets as a client sees it: catalogue rows (the offering unit and street
named, never a contact) and requests, with the side the caller is on."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.relay import to_base64

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import DbNode
from redgrid.graphql.core.mapping import from_row
from redgrid.graphql.grid.types import GridNode
from redgrid.graphql.sharing.enums import (
    ClaimantKind,
    NeedKind,
    NeedStatus,
    ShareRequestStatus,
    ShareScope,
    SuggestionKind,
)
from redgrid.graphql.tenancy.types import Tenant
from redgrid.graphql.units.enums import ResourceKind
from redgrid.tenants.sharing import catalogue, models, needs, pledges
from redgrid.tenants.units.models import JointUnit as JointUnitModel

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


@strawberry.type(description="Pledges counted: projects with a pledge, distinct units pledging, yuan pledged.")
class PledgeTotals:
    projects: int
    units: int
    amount: float = strawberry.field(description="Yuan.")

    @classmethod
    def from_totals(cls, t: pledges.Totals) -> PledgeTotals:
        return cls(projects=t.projects, units=t.units, amount=float(t.amount))


@strawberry.type(description="A unit's pledge to a crowdfunded project.")
class ProjectPledge(DbNode):
    db_id: strawberry.Private[int]
    project_db_id: strawberry.Private[int]
    unit_db_id: strawberry.Private[int]
    amount: float = strawberry.field(description="Yuan.")
    pledged_by: str
    pledged_at: datetime

    @classmethod
    def from_model(cls, m: models.ProjectPledge) -> ProjectPledge:
        return from_row(
            cls,
            m,
            db_id=m.id,
            project_db_id=m.project_id,  # type: ignore[attr-defined]
            unit_db_id=m.unit_id,  # type: ignore[attr-defined]
            amount=float(m.amount),
        )

    @strawberry.field(description="The pledging unit's name.")
    async def unit_name(self, info: Info) -> str:
        unit = await info.context.loaders.by_id(JointUnitModel).load(self.unit_db_id)
        return unit.name if unit else ""


@strawberry.type(description="A street of the district with its crowdfunding totals.")
class StreetPledges:
    tenant: Tenant
    totals: PledgeTotals


@strawberry.type(description="A district's crowdfunding, street by street and in total (counts and sums only).")
class DistrictPledges:
    streets: list[StreetPledges]
    total: PledgeTotals


@strawberry.type(description="A match suggested for a need, with why: same kind, shared terms, nearness.")
class NeedSuggestion:
    kind: SuggestionKind
    subject_id: strawberry.ID = strawberry.field(description="The SharedResource, ServiceItem or VolunteerTeam.")
    title: str
    offered_by: str
    score: float
    reasons: list[str]

    @classmethod
    def from_suggestion(cls, s: needs.Suggestion) -> NeedSuggestion:
        type_name = {"resource": "SharedResource", "menu_item": "ServiceItem", "volunteer_team": "VolunteerTeam"}[
            s.kind
        ]
        return cls(
            kind=SuggestionKind(s.kind),
            subject_id=strawberry.ID(to_base64(type_name, s.id)),
            title=s.title,
            offered_by=s.offered_by,
            score=s.score,
            reasons=s.reasons,
        )


@strawberry.type(description="A need on a grid node: a resident's small wish or the grid's needs list.")
class GridNeed(DbNode):
    db_id: strawberry.Private[int]
    node_db_id: strawberry.Private[int]
    photo_key: strawberry.Private[str | None]
    kind: NeedKind
    resource_kind: ResourceKind | None = strawberry.field(description="What would meet it, if one kind.")
    title: str
    description: str
    status: NeedStatus
    created_by: str
    claimant_kind: ClaimantKind | None
    claimant_name: str
    claimed_at: datetime | None
    completed_at: datetime | None
    photo_sha256: str | None = strawberry.field(description="The completion photo's SHA-256.")
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.GridNeed) -> GridNeed:
        return from_row(cls, m, db_id=m.id, node_db_id=m.node_id, photo_key=m.photo_key)  # type: ignore[attr-defined]

    @strawberry.field
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)

    @strawberry.field(description="Suggested matches, best first (at most 10).")
    async def suggestions(self, info: Info) -> list[NeedSuggestion]:
        return [NeedSuggestion.from_suggestion(s) for s in await needs.suggestions(info.context.ctx, self.db_id)]
