"""The people registers as a client sees them: residents and households, party members and
their cards, volunteer teams, volunteers and pairings.

A resident reaches a client only as tenants/people/privacy.py shows him to the caller
(numbers masked or hidden by role): every field here that yields a person builds it from a
`ResidentView` (`shown_residents`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import DbNode
from redgrid.graphql.core.loaders import all_now_or_later, now_or_later
from redgrid.graphql.core.mapping import from_row
from redgrid.graphql.grid.types import GridNode, PartyOrganisation
from redgrid.graphql.people.enums import (
    ActivityKind,
    HouseholdColour,
    HouseholdKind,
    PairingKind,
    PartyCategory,
    ResidentTag,
    Sex,
    TeamKind,
)
from redgrid.graphql.people.loaders import household_members, party_memberships, party_organisations
from redgrid.graphql.workers.accounts import AccountRef, linked_account
from redgrid.tenants.people import models, privacy
from redgrid.tenants.people.party import BoardEntry
from redgrid.tenants.people.privacy import ResidentView

Info = strawberry.Info[GraphQLContext, None]


def _sex(v: ResidentView) -> Sex | None:
    """Null for no sex, stored null or empty, as the SQL shape's CASE gives it."""
    return Sex(v.sex) if v.sex else None


@strawberry.type
class Resident(DbNode):
    db_id: strawberry.Private[int]
    node_db_id: strawberry.Private[int]
    household_db_id: strawberry.Private[int | None]
    name: str
    id_number: str | None = strawberry.field(
        description="Full, masked (first 6 + **** + last 4) or null, by the caller's role."
    )
    sex: Sex | None
    birth_date: date | None = strawberry.field(description="Null for roles that see the ID-card number masked.")
    age: int | None
    phone: str | None = strawberry.field(description="Full or masked (138****0001) by the caller's role.")
    tags: list[ResidentTag] = strawberry.field(description="over_60 and over_80 follow from the birth date.")
    created_at: datetime

    @classmethod
    def from_view(cls, v: ResidentView) -> Resident:
        return from_row(cls, v, db_id=v.id, node_db_id=v.node_id, household_db_id=v.household_id, sex=_sex(v))

    @strawberry.field
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)

    @strawberry.field
    async def household(self, info: Info) -> Household | None:
        if self.household_db_id is None:
            return None
        return Household.from_model(await info.context.loaders.by_id(models.Household).load(self.household_db_id))

    @strawberry.field
    async def party_member(self, info: Info) -> PartyMember | None:
        rows = await party_memberships(info).load(self.db_id)
        return PartyMember.from_model(rows[0]) if rows else None


def shown_residents(info: Info) -> Callable[[models.Resident], Resident]:
    """Residents as the caller may see them (tenants/people/privacy.py), the rule looked up once."""
    view = privacy.viewer(info.context.ctx)
    return lambda row: Resident.from_view(view(row))


@strawberry.type
class Household(DbNode):
    db_id: strawberry.Private[int]
    node_db_id: strawberry.Private[int]
    building: str
    unit: str
    room: str
    address: str
    kind: HouseholdKind
    colour: HouseholdColour = strawberry.field(description="Derived from the members and the kind, never typed.")
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.Household) -> Household:
        return from_row(cls, m, db_id=m.id, node_db_id=m.node_id)  # type: ignore[attr-defined]

    # The relations below answer at once when `Query.households` filled their loaders for the page.

    @strawberry.field
    def node(self, info: Info) -> GridNode:
        return now_or_later(GridNode.loader(info).load(self.node_db_id), GridNode.from_model)  # type: ignore[return-value, arg-type]

    @strawberry.field(description="By name.")
    def members(self, info: Info) -> list[Resident]:
        show = shown_residents(info)
        return now_or_later(household_members(info).load(self.db_id), lambda rows: [show(m) for m in rows])  # type: ignore[return-value]

    @strawberry.field
    def party_members(self, info: Info) -> list[PartyMember]:
        def of(residents: list[models.Resident]) -> Any:
            return all_now_or_later(
                [party_memberships(info).load(r.id) for r in residents],
                lambda found: [PartyMember.from_model(row) for rows in found for row in rows],
            )

        return now_or_later(household_members(info).load(self.db_id), of)  # type: ignore[return-value]


@strawberry.type(description="A public commitment (承诺) and whether it was kept.")
class Commitment(DbNode):
    db_id: strawberry.Private[int]
    content: str
    deadline: date
    verified: bool
    verified_by: str | None
    verified_at: datetime | None
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.Commitment) -> Commitment:
        return from_row(cls, m, db_id=m.id, verified=m.verified_at is not None, verified_by=m.verified_by or None)


@strawberry.type
class ServiceRecord:
    served_on: date
    content: str
    hours: float


@strawberry.type
class Attendance:
    title: str
    held_on: date
    kind: ActivityKind


@strawberry.type
class PointsEntry:
    points: int
    reason: str
    recorded_by: str
    created_at: datetime


@strawberry.type(
    description="A party member: the information card, the commitment, service and activity cards, points and listing."
)
class PartyMember(DbNode):
    db_id: strawberry.Private[int]
    resident_db_id: strawberry.Private[int]
    organisation_db_id: strawberry.Private[int]
    category: PartyCategory
    joined_on: date
    listed: bool
    photo_url: str
    duties: str
    phone_public: bool

    @classmethod
    def from_model(cls, m: models.PartyMember) -> PartyMember:
        ids = {"resident_db_id": m.resident_id, "organisation_db_id": m.organisation_id}  # type: ignore[attr-defined]
        return from_row(cls, m, db_id=m.id, **ids)

    @strawberry.field
    async def resident(self, info: Info) -> Resident:
        row = await info.context.loaders.by_id(models.Resident).load(self.resident_db_id)
        return shown_residents(info)(row)

    @strawberry.field
    def organisation(self, info: Info) -> PartyOrganisation:
        return now_or_later(party_organisations(info).load(self.organisation_db_id), PartyOrganisation.from_model)  # type: ignore[return-value]

    @strawberry.field(description="By deadline.")
    async def commitments(self, info: Info) -> list[Commitment]:
        rows = await info.context.loaders.many(models.Commitment, "member_id", "deadline").load(self.db_id)
        return [Commitment.from_model(r) for r in rows]

    async def _service(self, info: Info) -> list[models.ServiceRecord]:
        return await info.context.loaders.many(models.ServiceRecord, "member_id", "served_on").load(self.db_id)

    @strawberry.field(description="By date.")
    async def service_records(self, info: Info) -> list[ServiceRecord]:
        return [from_row(ServiceRecord, r, hours=float(r.hours)) for r in await self._service(info)]

    @strawberry.field
    async def service_hours(self, info: Info) -> float:
        return float(sum((r.hours for r in await self._service(info)), Decimal(0)))

    @strawberry.field(description="By date.")
    async def attendances(self, info: Info) -> list[Attendance]:
        rows = await info.context.loaders.many(models.Attendance, "member_id", "held_on").load(self.db_id)
        return [from_row(Attendance, r) for r in rows]

    async def _ledger(self, info: Info) -> list[models.PointsEntry]:
        return await info.context.loaders.many(models.PointsEntry, "member_id").load(self.db_id)

    @strawberry.field(description="The ledger, oldest first.")
    async def points(self, info: Info) -> list[PointsEntry]:
        return [from_row(PointsEntry, r) for r in await self._ledger(info)]

    @strawberry.field(description="The sum of the ledger.")
    async def points_balance(self, info: Info) -> int:
        return sum(r.points for r in await self._ledger(info))


@strawberry.type(description="One member on a building's board (亮身份); the phone only with the member's consent.")
class ListingEntry:
    name: str
    photo_url: str
    phone: str | None
    duties: str
    category: PartyCategory

    @classmethod
    def from_entry(cls, e: BoardEntry) -> ListingEntry:
        return from_row(cls, e)


@strawberry.type(description="A held registration and the resident registered before with the same ID-card number.")
class ResidentConflict:
    held: Resident
    registered: Resident


@strawberry.type
class VolunteerTeam(DbNode):
    db_id: strawberry.Private[int]
    name: str
    kind: TeamKind
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.VolunteerTeam) -> VolunteerTeam:
        return from_row(cls, m, db_id=m.id)


@strawberry.type
class Volunteer(DbNode):
    db_id: strawberry.Private[int]
    team_db_id: strawberry.Private[int]
    account_db_id: strawberry.Private[int | None]
    name: str
    username: str | None
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.Volunteer) -> Volunteer:
        return from_row(cls, m, db_id=m.id, team_db_id=m.team_id, account_db_id=m.account_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The account he signs in as, once a secretary linked it (his username is its).")
    async def account(self, info: Info) -> AccountRef | None:
        return await linked_account(info, self.account_db_id)

    @strawberry.field
    async def team(self, info: Info) -> VolunteerTeam:
        return VolunteerTeam.from_model(await info.context.loaders.by_id(models.VolunteerTeam).load(self.team_db_id))


@strawberry.type(description="The elder of a pairing, as the caller may see him: never an ID-card number.")
class PairedResident:
    household_db_id: strawberry.Private[int | None]
    name: str
    sex: Sex | None
    age: int | None
    phone: str | None
    tags: list[ResidentTag]

    @classmethod
    def from_view(cls, v: ResidentView) -> PairedResident:
        return from_row(cls, v, household_db_id=v.household_id, sex=_sex(v))

    @strawberry.field
    async def address(self, info: Info) -> str | None:
        if self.household_db_id is None:
            return None
        return (await info.context.loaders.by_id(models.Household).load(self.household_db_id)).address


@strawberry.type
class Pairing(DbNode):
    db_id: strawberry.Private[int]
    volunteer_db_id: strawberry.Private[int]
    resident_db_id: strawberry.Private[int]
    kind: PairingKind
    active: bool
    started_on: date
    ended_on: date | None

    @classmethod
    def from_model(cls, m: models.Pairing) -> Pairing:
        return from_row(cls, m, db_id=m.id, volunteer_db_id=m.volunteer_id, resident_db_id=m.resident_id)  # type: ignore[attr-defined]

    @strawberry.field
    async def volunteer(self, info: Info) -> Volunteer:
        return Volunteer.from_model(await info.context.loaders.by_id(models.Volunteer).load(self.volunteer_db_id))

    @strawberry.field
    async def elder(self, info: Info) -> PairedResident:
        row = await info.context.loaders.by_id(models.Resident).load(self.resident_db_id)
        return PairedResident.from_view(privacy.viewer(info.context.ctx)(row))
