"""GraphQL for the people registers: residents and households, party members and their
cards, volunteer teams, volunteers and pairings.

A resident reaches a client only as tenants/people/privacy.py shows him to the caller
(numbers masked or hidden by role): every field here that yields a person builds it from a
`ResidentView`, and pages PostgreSQL shapes (`RESIDENT_SHAPE`, graphql/core/compiled.py) use the
SQL twins of the same masks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.dataloader import DataLoader

from redgrid.graphql.core.compiled import Many, One, Shape, column, compiled_page, enum_column, global_id
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.grid.schema import GRID_NODE_SHAPE, ORGANISATION_SHAPE, GridNode, PartyOrganisation, in_subtree
from redgrid.graphql.core.ids import DbNode, db_id, optional_db_id
from redgrid.graphql.core.loaders import all_now_or_later, below, fill, now_or_later, selected
from redgrid.graphql.core.pagination import Connection, Direction, NamedOrder, ordering, paginate
from redgrid.graphql.core.ratelimits import GuessingLimit
from redgrid.graphql.core.payloads import UserError, user_errors
from redgrid.platform.errors import InvalidInput
from redgrid.tenants.grid import models as grid_models
from redgrid.tenants.people import conflicts, models, party, privacy, tags, volunteers
from redgrid.tenants.people import service as people
from redgrid.tenants.people.privacy import ResidentView

Info = strawberry.Info[GraphQLContext, None]


@strawberry.enum
class ResidentTag(Enum):
    OVER_60 = "over_60"
    OVER_80 = "over_80"
    LIVING_ALONE = "living_alone"
    DISABLED = "disabled"
    LOW_INCOME = "low_income"
    HARDSHIP = "hardship"
    LEFT_BEHIND_CHILD = "left_behind_child"
    FLOATING = "floating"


@strawberry.enum
class Sex(Enum):
    MALE = "male"
    FEMALE = "female"


@strawberry.enum
class HouseholdKind(Enum):
    OWNED = "owned"
    RENTAL = "rental"
    VACANT = "vacant"


@strawberry.enum(description="分级分色: red = a party member lives here, blue = low-income or hardship, yellow = rental or vacant.")
class HouseholdColour(Enum):
    RED = "red"
    BLUE = "blue"
    YELLOW = "yellow"
    NONE = "none"


@strawberry.enum
class PartyCategory(Enum):
    IN_SERVICE = "in_service"
    RESIDENT = "resident"
    RETIRED = "retired"
    FLOATING = "floating"
    LAID_OFF = "laid_off"


@strawberry.enum
class ActivityKind(Enum):
    THEME_PARTY_DAY = "theme_party_day"
    VOLUNTEER_ACTION = "volunteer_action"
    STUDY = "study"
    MEETING = "meeting"


@strawberry.enum
class TeamKind(Enum):
    MEDIATION = "mediation"
    LEGAL = "legal"
    CULTURE_SPORT = "culture_sport"
    ELDERLY_CARE = "elderly_care"
    PATROL = "patrol"


@strawberry.enum
class PairingKind(Enum):
    LOVE_DOORBELL = "love_doorbell"
    KNOCK_DAILY = "knock_daily"


def _viewer(info: Info) -> Callable[[models.Resident], ResidentView]:
    return privacy.viewer(info.context.ctx)


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
    def from_view(cls, v: ResidentView) -> "Resident":
        return cls(
            db_id=v.id, node_db_id=v.node_id, household_db_id=v.household_id, name=v.name,
            id_number=v.id_number, sex=Sex(v.sex) if v.sex else None, birth_date=v.birth_date,
            age=v.age, phone=v.phone, tags=[ResidentTag(t) for t in v.tags], created_at=v.created_at,
        )

    @strawberry.field
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)

    @strawberry.field
    async def household(self, info: Info) -> "Household | None":
        if self.household_db_id is None:
            return None
        return Household.from_model(await info.context.loaders.by_id(models.Household).load(self.household_db_id))

    @strawberry.field
    async def party_member(self, info: Info) -> "PartyMember | None":
        rows = await _memberships(info).load(self.db_id)
        return PartyMember.from_model(rows[0]) if rows else None


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
    def from_model(cls, m: models.Household) -> "Household":
        return cls(
            db_id=m.id, node_db_id=m.node_id, building=m.building, unit=m.unit, room=m.room,  # type: ignore[attr-defined]
            address=m.address, kind=HouseholdKind(m.kind), colour=HouseholdColour(m.colour),
            created_at=m.created_at,
        )

    # The relations below answer at once when `Query.households` filled their loaders for the page.

    @strawberry.field
    def node(self, info: Info) -> GridNode:
        return now_or_later(GridNode.loader(info).load(self.node_db_id), GridNode.from_model)  # type: ignore[return-value]

    @strawberry.field(description="By name.")
    def members(self, info: Info) -> list[Resident]:
        view = _viewer(info)
        return now_or_later(  # type: ignore[return-value]
            _members(info).load(self.db_id), lambda rows: [Resident.from_view(view(m)) for m in rows])

    @strawberry.field
    def party_members(self, info: Info) -> list["PartyMember"]:
        def of(residents: list[models.Resident]) -> Any:
            return all_now_or_later([_memberships(info).load(r.id) for r in residents],
                                    lambda found: [PartyMember.from_model(row) for rows in found for row in rows])
        return now_or_later(_members(info).load(self.db_id), of)  # type: ignore[return-value]


def _members(info: Info) -> DataLoader[int, list[models.Resident]]:
    return info.context.loaders.many(models.Resident, "household_id", "name")


def _memberships(info: Info) -> DataLoader[int, list[models.PartyMember]]:
    return info.context.loaders.many(models.PartyMember, "resident_id")


def _organisations(info: Info) -> DataLoader[int, Any]:
    return info.context.loaders.by_id(grid_models.PartyOrganisation)


async def _fill_household_loaders(info: Info, page: "Connection[Household]") -> None:
    """Load the relations the query asks of the page's households before graphql-core completes
    them, a query per relation as the loaders would, so that each row's fields answer at once."""
    asked = selected(info, "edges", "node")
    households = [edge.node for edge in page.edges]
    if "node" in asked:
        await fill(GridNode.loader(info), [h.node_db_id for h in households])
    if asked.keys() & {"members", "partyMembers"}:
        members = await fill(_members(info), [h.db_id for h in households])
        if "partyMembers" in asked:
            found = await fill(_memberships(info), [m.id for rows in members for m in rows])
            if "organisation" in below(asked["partyMembers"]):
                await fill(_organisations(info), [p.organisation_id for rows in found for p in rows])


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
    def from_model(cls, m: models.Commitment) -> "Commitment":
        return cls(
            db_id=m.id, content=m.content, deadline=m.deadline, verified=m.verified_at is not None,
            verified_by=m.verified_by or None, verified_at=m.verified_at, created_at=m.created_at,
        )


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


@strawberry.type(description="A party member: the information card, the commitment, service and activity cards, points and listing.")
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
    def from_model(cls, m: models.PartyMember) -> "PartyMember":
        return cls(
            db_id=m.id, resident_db_id=m.resident_id, organisation_db_id=m.organisation_id,  # type: ignore[attr-defined]
            category=PartyCategory(m.category), joined_on=m.joined_on, listed=m.listed,
            photo_url=m.photo_url, duties=m.duties, phone_public=m.phone_public,
        )

    @strawberry.field
    async def resident(self, info: Info) -> Resident:
        row = await info.context.loaders.by_id(models.Resident).load(self.resident_db_id)
        return Resident.from_view(_viewer(info)(row))

    @strawberry.field
    def organisation(self, info: Info) -> PartyOrganisation:
        return now_or_later(_organisations(info).load(self.organisation_db_id), PartyOrganisation.from_model)  # type: ignore[return-value]

    @strawberry.field(description="By deadline.")
    async def commitments(self, info: Info) -> list[Commitment]:
        rows = await info.context.loaders.many(models.Commitment, "member_id", "deadline").load(self.db_id)
        return [Commitment.from_model(r) for r in rows]

    async def _service(self, info: Info) -> list[models.ServiceRecord]:
        return await info.context.loaders.many(models.ServiceRecord, "member_id", "served_on").load(self.db_id)

    @strawberry.field(description="By date.")
    async def service_records(self, info: Info) -> list[ServiceRecord]:
        return [ServiceRecord(served_on=r.served_on, content=r.content, hours=float(r.hours)) for r in await self._service(info)]

    @strawberry.field
    async def service_hours(self, info: Info) -> float:
        return float(sum((r.hours for r in await self._service(info)), Decimal(0)))

    @strawberry.field(description="By date.")
    async def attendances(self, info: Info) -> list[Attendance]:
        rows = await info.context.loaders.many(models.Attendance, "member_id", "held_on").load(self.db_id)
        return [Attendance(title=r.title, held_on=r.held_on, kind=ActivityKind(r.kind)) for r in rows]

    async def _ledger(self, info: Info) -> list[models.PointsEntry]:
        return await info.context.loaders.many(models.PointsEntry, "member_id").load(self.db_id)

    @strawberry.field(description="The ledger, oldest first.")
    async def points(self, info: Info) -> list[PointsEntry]:
        return [
            PointsEntry(points=r.points, reason=r.reason, recorded_by=r.recorded_by, created_at=r.created_at)
            for r in await self._ledger(info)
        ]

    @strawberry.field(description="The sum of the ledger.")
    async def points_balance(self, info: Info) -> int:
        return sum(r.points for r in await self._ledger(info))


# The SQL shapes of these rows in pages PostgreSQL builds (graphql/core/compiled.py); what a role
# sees of a resident comes from tenants/people/privacy.py, as `ResidentView` does.
RESIDENT_SHAPE = Shape("Resident", {
    "id": global_id("Resident"), "name": column("name"),
    "idNumber": lambda a, s: privacy.shown_sql(f"{a}.id_number", s.rule.id_number, privacy.mask_id_number),
    "sex": enum_column("sex", Sex),
    "birthDate": lambda a, s: privacy.birth_date_sql(f"{a}.birth_date", s.rule),
    "age": lambda a, s: tags.age_sql(f"{a}.birth_date", s.today()),
    "phone": lambda a, s: privacy.shown_sql(f"{a}.phone", s.rule.phone, privacy.mask_phone),
    # A JSON array written as text (concat_ws skips the tags not carried): 0.5 ms a page of 300
    # members less than array_remove(ARRAY[...]) turned into JSON.
    "tags": lambda a, s: "('[' || concat_ws(',', {}) || ']')::json".format(", ".join(
        f"CASE WHEN {condition} THEN '\"{ResidentTag(tag).name}\"' END" for tag, condition in tags.tags_sql(a, s.years_ago))),
})
PARTY_MEMBER_SHAPE = Shape("PartyMember", {
    "id": global_id("PartyMember"), "category": enum_column("category", PartyCategory),
    "joinedOn": column("joined_on"), "listed": column("listed"), "photoUrl": column("photo_url"),
    "duties": column("duties"), "phonePublic": column("phone_public"),
    "organisation": One(ORGANISATION_SHAPE, "party_organisation", "{a}.id = {p}.organisation_id AND {a}.tenant_id = {p}.tenant_id"),
})
HOUSEHOLD_SHAPE = Shape("Household", {
    "id": global_id("Household"), "building": column("building"), "unit": column("unit"),
    "room": column("room"), "address": column("address"), "kind": enum_column("kind", HouseholdKind),
    "colour": enum_column("colour", HouseholdColour),
    "node": One(GRID_NODE_SHAPE, "grid_node", "{a}.id = {p}.node_id AND {a}.tenant_id = {p}.tenant_id"),
    "members": Many(RESIDENT_SHAPE, "resident {a}", "{a}.household_id = {p}.id AND {a}.tenant_id = {p}.tenant_id",
                    "{a}.name, {a}.id"),
    "partyMembers": Many(
        PARTY_MEMBER_SHAPE, "resident {b} JOIN party_member {a} ON {a}.resident_id = {b}.id AND {a}.tenant_id = {b}.tenant_id",
        "{b}.household_id = {p}.id AND {b}.tenant_id = {p}.tenant_id", "{b}.name, {b}.id, {a}.id"),
})


@strawberry.type(description="One member on a building's board (亮身份); the phone only with the member's consent.")
class ListingEntry:
    name: str
    photo_url: str
    phone: str | None
    duties: str
    category: PartyCategory


@strawberry.type
class VolunteerTeam(DbNode):
    db_id: strawberry.Private[int]
    name: str
    kind: TeamKind
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.VolunteerTeam) -> "VolunteerTeam":
        return cls(db_id=m.id, name=m.name, kind=TeamKind(m.kind), created_at=m.created_at)


@strawberry.type
class Volunteer(DbNode):
    db_id: strawberry.Private[int]
    team_db_id: strawberry.Private[int]
    name: str
    username: str | None
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.Volunteer) -> "Volunteer":
        return cls(db_id=m.id, team_db_id=m.team_id, name=m.name, username=m.username, created_at=m.created_at)  # type: ignore[attr-defined]

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
    def from_view(cls, v: ResidentView) -> "PairedResident":
        return cls(
            household_db_id=v.household_id, name=v.name, sex=Sex(v.sex) if v.sex else None, age=v.age,
            phone=v.phone, tags=[ResidentTag(t) for t in v.tags],
        )

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
    def from_model(cls, m: models.Pairing) -> "Pairing":
        return cls(
            db_id=m.id, volunteer_db_id=m.volunteer_id, resident_db_id=m.resident_id,  # type: ignore[attr-defined]
            kind=PairingKind(m.kind), active=m.active, started_on=m.started_on, ended_on=m.ended_on,
        )

    @strawberry.field
    async def volunteer(self, info: Info) -> Volunteer:
        return Volunteer.from_model(await info.context.loaders.by_id(models.Volunteer).load(self.volunteer_db_id))

    @strawberry.field
    async def elder(self, info: Info) -> PairedResident:
        row = await info.context.loaders.by_id(models.Resident).load(self.resident_db_id)
        return PairedResident.from_view(_viewer(info)(row))


# Filters and orderings, one pair per list.


@strawberry.enum
class ResidentOrderField(Enum):
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.input
class ResidentOrder:
    field: ResidentOrderField = ResidentOrderField.NAME
    direction: Direction = Direction.ASC


@strawberry.input
class ResidentFilter:
    under_id: relay.GlobalID | None = strawberry.field(default=None, description="The subtree of this grid node, itself included.")
    household_id: relay.GlobalID | None = None
    tag: ResidentTag | None = None
    name_contains: str | None = None


@strawberry.enum
class HouseholdOrderField(Enum):
    ADDRESS = "address"
    CREATED_AT = "created_at"


@strawberry.input
class HouseholdOrder:
    field: HouseholdOrderField = HouseholdOrderField.ADDRESS
    direction: Direction = Direction.ASC


@strawberry.input
class HouseholdFilter:
    under_id: relay.GlobalID | None = None
    colour: HouseholdColour | None = None
    kind: HouseholdKind | None = None
    address_contains: str | None = None


@strawberry.enum
class PartyMemberOrderField(Enum):
    JOINED_ON = "joined_on"
    CREATED_AT = "created_at"


@strawberry.input
class PartyMemberOrder:
    field: PartyMemberOrderField = PartyMemberOrderField.JOINED_ON
    direction: Direction = Direction.ASC


@strawberry.input
class PartyMemberFilter:
    under_id: relay.GlobalID | None = None
    category: PartyCategory | None = None
    organisation_id: relay.GlobalID | None = None
    listed: bool | None = None
    name_contains: str | None = None


@strawberry.input
class VolunteerTeamFilter:
    kind: TeamKind | None = None
    name_contains: str | None = None


@strawberry.input
class VolunteerFilter:
    team_id: relay.GlobalID | None = None
    name_contains: str | None = None


@strawberry.enum
class PairingOrderField(Enum):
    STARTED_ON = "started_on"
    CREATED_AT = "created_at"


@strawberry.input
class PairingOrder:
    field: PairingOrderField = PairingOrderField.STARTED_ON
    direction: Direction = Direction.ASC


@strawberry.input
class PairingFilter:
    under_id: relay.GlobalID | None = None
    volunteer_id: relay.GlobalID | None = None
    kind: PairingKind | None = None
    active: bool | None = None


@strawberry.type
class PeopleQuery:
    @strawberry.field(description="Residents of the caller's grid; refused to roles without the registers (volunteers, sinking staff).")
    async def residents(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: ResidentFilter | None = None, order: ResidentOrder | None = None,
    ) -> Connection[Resident]:
        ctx = info.context.ctx
        f, o = filter or ResidentFilter(), order or ResidentOrder()
        query = await in_subtree(info, people.residents(ctx), f.under_id, "node__path")
        if f.household_id is not None:
            query = query.filter(household_id=db_id(f.household_id, "Household", "filter.householdId"))
        if f.tag is not None:
            query = query.filter(tags.tag_condition(f.tag.value, tags.today()))
        if f.name_contains:
            query = query.filter(name__icontains=f.name_contains)
        order = ordering(o.field, o.direction)
        compiled = await compiled_page(info, query, first, after, order, RESIDENT_SHAPE, privacy.rule_for(ctx))
        if compiled is not None:
            return compiled  # type: ignore[return-value]
        view = _viewer(info)
        return await paginate(query, first, after, lambda m: Resident.from_view(view(m)), order)

    @strawberry.field(description="Households of the caller's grid.")
    async def households(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: HouseholdFilter | None = None, order: HouseholdOrder | None = None,
    ) -> Connection[Household]:
        f, o = filter or HouseholdFilter(), order or HouseholdOrder()
        query = await in_subtree(info, people.households(info.context.ctx), f.under_id, "node__path")
        if f.colour is not None:
            query = query.filter(colour=f.colour.value)
        if f.kind is not None:
            query = query.filter(kind=f.kind.value)
        if f.address_contains:
            query = query.filter(address__icontains=f.address_contains)
        order = ordering(o.field, o.direction)
        compiled = await compiled_page(info, query, first, after, order, HOUSEHOLD_SHAPE, privacy.rule_for(info.context.ctx))
        if compiled is not None:
            return compiled  # type: ignore[return-value]
        page = await paginate(query, first, after, Household.from_model, order)
        await _fill_household_loaders(info, page)
        return page

    @strawberry.field(description="Party members living in the caller's grid.")
    async def party_members(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: PartyMemberFilter | None = None, order: PartyMemberOrder | None = None,
    ) -> Connection[PartyMember]:
        f, o = filter or PartyMemberFilter(), order or PartyMemberOrder()
        query = await in_subtree(info, party.members(info.context.ctx), f.under_id, "resident__node__path")
        if f.category is not None:
            query = query.filter(category=f.category.value)
        if f.organisation_id is not None:
            query = query.filter(organisation_id=db_id(f.organisation_id, "PartyOrganisation", "filter.organisationId"))
        if f.listed is not None:
            query = query.filter(listed=f.listed)
        if f.name_contains:
            query = query.filter(resident__name__icontains=f.name_contains)
        return await paginate(query, first, after, PartyMember.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="The listing board (亮身份) of a grid node, e.g. a building: public inside the tenant.")
    async def listing_board(self, info: Info, node_id: relay.GlobalID) -> list[ListingEntry]:
        entries = await party.listing_board(info.context.ctx, db_id(node_id, "GridNode", "nodeId"))
        return [
            ListingEntry(name=e.name, photo_url=e.photo_url, phone=e.phone, duties=e.duties, category=PartyCategory(e.category))
            for e in entries
        ]

    @strawberry.field(description="The street's volunteer teams.")
    async def volunteer_teams(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: VolunteerTeamFilter | None = None, order: NamedOrder | None = None,
    ) -> Connection[VolunteerTeam]:
        f, o = filter or VolunteerTeamFilter(), order or NamedOrder()
        query = volunteers.teams(info.context.ctx)
        if f.kind is not None:
            query = query.filter(kind=f.kind.value)
        if f.name_contains:
            query = query.filter(name__icontains=f.name_contains)
        return await paginate(query, first, after, VolunteerTeam.from_model, ordering(o.field, o.direction))

    @strawberry.field
    async def volunteers(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: VolunteerFilter | None = None, order: NamedOrder | None = None,
    ) -> Connection[Volunteer]:
        f, o = filter or VolunteerFilter(), order or NamedOrder()
        query = volunteers.volunteers(info.context.ctx)
        if f.team_id is not None:
            query = query.filter(team_id=db_id(f.team_id, "VolunteerTeam", "filter.teamId"))
        if f.name_contains:
            query = query.filter(name__icontains=f.name_contains)
        return await paginate(query, first, after, Volunteer.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="Pairings of elders in the caller's grid; for a volunteer, his own.")
    async def pairings(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: PairingFilter | None = None, order: PairingOrder | None = None,
    ) -> Connection[Pairing]:
        f, o = filter or PairingFilter(), order or PairingOrder()
        query = await in_subtree(info, volunteers.pairings(info.context.ctx), f.under_id, "resident__node__path")
        if f.volunteer_id is not None:
            query = query.filter(volunteer_id=db_id(f.volunteer_id, "Volunteer", "filter.volunteerId"))
        if f.kind is not None:
            query = query.filter(kind=f.kind.value)
        if f.active is not None:
            query = query.filter(active=f.active)
        return await paginate(query, first, after, Pairing.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="Secretaries of the whole street: residents registered from a grid that does not "
                      "cover the resident registered with the same ID-card number, held for review "
                      "(resolveResidentConflict).")
    async def resident_conflicts(self, info: Info) -> list[ResidentConflict]:
        view = _viewer(info)
        return [ResidentConflict(held=Resident.from_view(view(r)), registered=Resident.from_view(view(r.held_of)))
                for r in await conflicts.held(info.context.ctx)]


@strawberry.type(description="A held registration and the resident registered before with the same ID-card number.")
class ResidentConflict:
    held: Resident
    registered: Resident


@strawberry.enum
class ConflictResolution(Enum):
    DISMISS = "dismiss"  # the held registration was a mistake: it is removed
    MOVE = "move"  # the person moved: the registered resident takes the held one's node and household


# Mutations: inputs, payloads, and the mutation class.


@strawberry.input
class CreateResidentInput:
    node_id: relay.GlobalID
    name: str
    id_number: str | None = strawberry.field(default=None, description="GB 11643; birth date and sex are read from it.")
    sex: Sex | None = None
    birth_date: date | None = None
    phone: str = ""
    household_id: relay.GlobalID | None = None
    tags: list[ResidentTag] = strawberry.field(default_factory=list, description="Typed tags only: the age tags are derived.")


@strawberry.input
class UpdateResidentInput:
    id: relay.GlobalID
    name: str | None = None
    id_number: str | None = None
    clear_id_number: bool = False
    sex: Sex | None = None
    birth_date: date | None = None
    phone: str | None = None
    tags: list[ResidentTag] | None = strawberry.field(default=None, description="Replaces the typed tags.")
    node_id: relay.GlobalID | None = None


@strawberry.input
class CreateHouseholdInput:
    node_id: relay.GlobalID
    building: str
    unit: str = ""
    room: str
    kind: HouseholdKind


@strawberry.input
class UpdateHouseholdInput:
    id: relay.GlobalID
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    kind: HouseholdKind | None = None


@strawberry.input
class CreatePartyMemberInput:
    resident_id: relay.GlobalID
    organisation_id: relay.GlobalID
    category: PartyCategory
    joined_on: date


@strawberry.input
class AddCommitmentInput:
    member_id: relay.GlobalID
    content: str
    deadline: date


@strawberry.input
class AddServiceRecordInput:
    member_id: relay.GlobalID
    served_on: date
    content: str
    hours: float


@strawberry.input
class RecordAttendanceInput:
    member_id: relay.GlobalID
    title: str
    held_on: date
    kind: ActivityKind


@strawberry.input
class AddPointsInput:
    member_id: relay.GlobalID
    points: int
    reason: str


@strawberry.input
class SetListingInput:
    member_id: relay.GlobalID
    listed: bool
    photo_url: str = ""
    duties: str = ""
    phone_public: bool = strawberry.field(default=False, description="The member consents to his phone on the board.")


@strawberry.input
class CreateVolunteerTeamInput:
    name: str
    kind: TeamKind


@strawberry.input
class CreateVolunteerInput:
    team_id: relay.GlobalID
    resident_id: relay.GlobalID | None = None
    username: str | None = strawberry.field(default=None, description="The Keycloak username: he then sees his own pairings.")
    name: str | None = strawberry.field(default=None, description="Defaults to the resident's name.")


@strawberry.input
class CreatePairingInput:
    volunteer_id: relay.GlobalID
    resident_id: relay.GlobalID
    kind: PairingKind


@strawberry.type
class ResidentPayload:
    resident: Resident | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class HouseholdPayload:
    household: Household | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PartyMemberPayload:
    party_member: PartyMember | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CommitmentPayload:
    commitment: Commitment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class VolunteerTeamPayload:
    team: VolunteerTeam | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class VolunteerPayload:
    volunteer: Volunteer | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PairingPayload:
    pairing: Pairing | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _person(i: CreateResidentInput | UpdateResidentInput) -> people.Person:
    return people.Person(
        name=i.name, id_number=i.id_number, sex=i.sex.value if i.sex else None, birth_date=i.birth_date,
        phone=i.phone, tags=None if i.tags is None else [t.value for t in i.tags],
    )


async def _member_payload(info: Info, member_id: int) -> PartyMemberPayload:
    member = await party.member_by_id(info.context.ctx, member_id)
    return PartyMemberPayload(party_member=PartyMember.from_model(member) if member else None)


@strawberry.type
class PeopleMutation:
    @strawberry.mutation(description="Register a resident in a grid node of the caller's grid.",
                         extensions=[GuessingLimit()])
    async def create_resident(self, info: Info, input: CreateResidentInput) -> ResidentPayload:
        ctx = info.context.ctx
        try:
            row = await people.create_resident(
                ctx, node_id=db_id(input.node_id, "GridNode", "nodeId"), person=_person(input),
                household_id=optional_db_id(input.household_id, "Household", "householdId"),
            )
        except InvalidInput as exc:
            return ResidentPayload(errors=user_errors(exc))
        return ResidentPayload(resident=Resident.from_view(privacy.viewer(ctx)(row)))

    @strawberry.mutation(description="Change what is given; a moved resident must have left his household.",
                         extensions=[GuessingLimit()])
    async def update_resident(self, info: Info, input: UpdateResidentInput) -> ResidentPayload:
        ctx = info.context.ctx
        try:
            row = await people.update_resident(
                ctx, db_id(input.id, "Resident"), person=_person(input), clear_id_number=input.clear_id_number,
                node_id=optional_db_id(input.node_id, "GridNode", "nodeId"),
            )
        except InvalidInput as exc:
            return ResidentPayload(errors=user_errors(exc))
        return ResidentPayload(resident=Resident.from_view(privacy.viewer(ctx)(row)))

    @strawberry.mutation
    async def create_household(self, info: Info, input: CreateHouseholdInput) -> HouseholdPayload:
        try:
            row = await people.create_household(
                info.context.ctx, node_id=db_id(input.node_id, "GridNode", "nodeId"), building=input.building,
                unit=input.unit, room=input.room, kind=input.kind.value,
            )
        except InvalidInput as exc:
            return HouseholdPayload(errors=user_errors(exc))
        return HouseholdPayload(household=Household.from_model(row))

    @strawberry.mutation(description="Change the address or the kind (the colour follows).")
    async def update_household(self, info: Info, input: UpdateHouseholdInput) -> HouseholdPayload:
        try:
            row = await people.update_household(
                info.context.ctx, db_id(input.id, "Household"), building=input.building, unit=input.unit,
                room=input.room, kind=input.kind.value if input.kind else None,
            )
        except InvalidInput as exc:
            return HouseholdPayload(errors=user_errors(exc))
        return HouseholdPayload(household=Household.from_model(row))

    @strawberry.mutation(description="The resident joins the household (leaving any other) and moves to its grid node.")
    async def add_household_member(self, info: Info, household_id: relay.GlobalID, resident_id: relay.GlobalID) -> HouseholdPayload:
        try:
            row = await people.add_member(
                info.context.ctx, db_id(household_id, "Household", "householdId"), db_id(resident_id, "Resident", "residentId")
            )
        except InvalidInput as exc:
            return HouseholdPayload(errors=user_errors(exc))
        return HouseholdPayload(household=Household.from_model(row))

    @strawberry.mutation(description="The resident leaves his household; the payload is the household he left.")
    async def remove_household_member(self, info: Info, resident_id: relay.GlobalID) -> HouseholdPayload:
        try:
            row = await people.remove_member(info.context.ctx, db_id(resident_id, "Resident", "residentId"))
        except InvalidInput as exc:
            return HouseholdPayload(errors=user_errors(exc))
        return HouseholdPayload(household=Household.from_model(row))

    @strawberry.mutation(description="Secretaries and grid heads: register a resident as a party member.",
                         extensions=[GuessingLimit()])
    async def create_party_member(self, info: Info, input: CreatePartyMemberInput) -> PartyMemberPayload:
        try:
            row = await party.create_member(
                info.context.ctx, resident_id=db_id(input.resident_id, "Resident", "residentId"),
                organisation_id=db_id(input.organisation_id, "PartyOrganisation", "organisationId"),
                category=input.category.value, joined_on=input.joined_on,
            )
        except InvalidInput as exc:
            return PartyMemberPayload(errors=user_errors(exc))
        return PartyMemberPayload(party_member=PartyMember.from_model(row))

    @strawberry.mutation
    async def add_commitment(self, info: Info, input: AddCommitmentInput) -> CommitmentPayload:
        try:
            row = await party.add_commitment(
                info.context.ctx, db_id(input.member_id, "PartyMember", "memberId"), content=input.content,
                deadline=input.deadline,
            )
        except InvalidInput as exc:
            return CommitmentPayload(errors=user_errors(exc))
        return CommitmentPayload(commitment=Commitment.from_model(row))

    @strawberry.mutation(description="Mark a commitment kept, by the caller, now.")
    async def verify_commitment(self, info: Info, id: relay.GlobalID) -> CommitmentPayload:
        try:
            row = await party.verify_commitment(info.context.ctx, db_id(id, "Commitment"))
        except InvalidInput as exc:
            return CommitmentPayload(errors=user_errors(exc))
        return CommitmentPayload(commitment=Commitment.from_model(row))

    @strawberry.mutation
    async def add_service_record(self, info: Info, input: AddServiceRecordInput) -> PartyMemberPayload:
        try:
            member_id = db_id(input.member_id, "PartyMember", "memberId")
            await party.add_service_record(
                info.context.ctx, member_id, served_on=input.served_on, content=input.content,
                hours=Decimal(str(input.hours)),
            )
        except InvalidInput as exc:
            return PartyMemberPayload(errors=user_errors(exc))
        return await _member_payload(info, member_id)

    @strawberry.mutation(description="A line on the activity card; the activity's points go to the ledger.")
    async def record_attendance(self, info: Info, input: RecordAttendanceInput) -> PartyMemberPayload:
        try:
            member_id = db_id(input.member_id, "PartyMember", "memberId")
            await party.record_attendance(
                info.context.ctx, member_id, title=input.title, held_on=input.held_on, kind=input.kind.value
            )
        except InvalidInput as exc:
            return PartyMemberPayload(errors=user_errors(exc))
        return await _member_payload(info, member_id)

    @strawberry.mutation
    async def add_points(self, info: Info, input: AddPointsInput) -> PartyMemberPayload:
        try:
            member_id = db_id(input.member_id, "PartyMember", "memberId")
            await party.add_points(info.context.ctx, member_id, points=input.points, reason=input.reason)
        except InvalidInput as exc:
            return PartyMemberPayload(errors=user_errors(exc))
        return await _member_payload(info, member_id)

    @strawberry.mutation(description="Put a member on his building's board (亮身份), or take him off.")
    async def set_listing(self, info: Info, input: SetListingInput) -> PartyMemberPayload:
        try:
            row = await party.set_listing(
                info.context.ctx, db_id(input.member_id, "PartyMember", "memberId"), listed=input.listed,
                photo_url=input.photo_url, duties=input.duties, phone_public=input.phone_public,
            )
        except InvalidInput as exc:
            return PartyMemberPayload(errors=user_errors(exc))
        return PartyMemberPayload(party_member=PartyMember.from_model(row))

    @strawberry.mutation(description="Secretaries: a volunteer team of the street.")
    async def create_volunteer_team(self, info: Info, input: CreateVolunteerTeamInput) -> VolunteerTeamPayload:
        try:
            row = await volunteers.create_team(info.context.ctx, name=input.name, kind=input.kind.value)
        except InvalidInput as exc:
            return VolunteerTeamPayload(errors=user_errors(exc))
        return VolunteerTeamPayload(team=VolunteerTeam.from_model(row))

    @strawberry.mutation
    async def create_volunteer(self, info: Info, input: CreateVolunteerInput) -> VolunteerPayload:
        try:
            row = await volunteers.create_volunteer(
                info.context.ctx, team_id=db_id(input.team_id, "VolunteerTeam", "teamId"),
                resident_id=optional_db_id(input.resident_id, "Resident", "residentId"),
                username=input.username, name=input.name,
            )
        except InvalidInput as exc:
            return VolunteerPayload(errors=user_errors(exc))
        return VolunteerPayload(volunteer=Volunteer.from_model(row))

    @strawberry.mutation(description="Pair a volunteer with a resident over 60 living alone.")
    async def create_pairing(self, info: Info, input: CreatePairingInput) -> PairingPayload:
        try:
            row = await volunteers.create_pairing(
                info.context.ctx, volunteer_id=db_id(input.volunteer_id, "Volunteer", "volunteerId"),
                resident_id=db_id(input.resident_id, "Resident", "residentId"), kind=input.kind.value,
            )
        except InvalidInput as exc:
            return PairingPayload(errors=user_errors(exc))
        return PairingPayload(pairing=Pairing.from_model(row))

    @strawberry.mutation
    async def end_pairing(self, info: Info, id: relay.GlobalID) -> PairingPayload:
        try:
            row = await volunteers.end_pairing(info.context.ctx, db_id(id, "Pairing"))
        except InvalidInput as exc:
            return PairingPayload(errors=user_errors(exc))
        return PairingPayload(pairing=Pairing.from_model(row))

    @strawberry.mutation(description="Secretaries of the whole street: resolve a held registration "
                         "(residentConflicts). DISMISS removes the held resident, MOVE moves the registered one to "
                         "his place and removes him; either answers the registered resident.")
    async def resolve_resident_conflict(
        self, info: Info, resident_id: relay.GlobalID, resolution: ConflictResolution,
    ) -> ResidentPayload:
        ctx = info.context.ctx
        resolve = conflicts.dismiss if resolution is ConflictResolution.DISMISS else conflicts.accept
        try:
            row = await resolve(ctx, db_id(resident_id, "Resident", "residentId"))
        except InvalidInput as exc:
            return ResidentPayload(errors=user_errors(exc))
        return ResidentPayload(resident=Resident.from_view(privacy.viewer(ctx)(row)))


async def resolve_resident(info: Info, resident_id: int) -> Resident | None:
    found = await people.resident_by_id(info.context.ctx, resident_id)
    return Resident.from_view(_viewer(info)(found)) if found else None


async def resolve_household(info: Info, household_id: int) -> Household | None:
    found = await people.household_by_id(info.context.ctx, household_id)
    return Household.from_model(found) if found else None


async def resolve_party_member(info: Info, member_id: int) -> PartyMember | None:
    found = await party.member_by_id(info.context.ctx, member_id)
    return PartyMember.from_model(found) if found else None


async def resolve_commitment(info: Info, commitment_id: int) -> Commitment | None:
    found = await party.commitment_by_id(info.context.ctx, commitment_id)
    return Commitment.from_model(found) if found else None


async def resolve_volunteer_team(info: Info, team_id: int) -> VolunteerTeam | None:
    found = await volunteers.team_by_id(info.context.ctx, team_id)
    return VolunteerTeam.from_model(found) if found else None


async def resolve_volunteer(info: Info, volunteer_id: int) -> Volunteer | None:
    found = await volunteers.volunteer_by_id(info.context.ctx, volunteer_id)
    return Volunteer.from_model(found) if found else None


async def resolve_pairing(info: Info, pairing_id: int) -> Pairing | None:
    found = await volunteers.pairing_by_id(info.context.ctx, pairing_id)
    return Pairing.from_model(found) if found else None


# What graphql/schema.py takes from this area: `node(id)` asks NODES by type name; TYPES are
# object types the schema must hold even where no field names them.
NODES = {
    "Resident": resolve_resident,
    "Household": resolve_household,
    "PartyMember": resolve_party_member,
    "Commitment": resolve_commitment,
    "VolunteerTeam": resolve_volunteer_team,
    "Volunteer": resolve_volunteer,
    "Pairing": resolve_pairing,
}
TYPES: list[type] = [Resident, Household, PartyMember, Commitment, VolunteerTeam, Volunteer, Pairing]
