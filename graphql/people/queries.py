"""Reading the people registers: residents, households and party members of the caller's grid,
a building's listing board, volunteer teams, volunteers, pairings and held registrations."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.core.compiled import compiled_page
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.filtering import narrowed
from redgrid.graphql.core.ids import db_id, optional_db_id
from redgrid.graphql.core.pagination import Connection, NamedOrder, ordering, paginate
from redgrid.graphql.grid.filters import in_subtree
from redgrid.graphql.people.inputs import (
    HouseholdFilter,
    HouseholdOrder,
    PairingFilter,
    PairingOrder,
    PartyMemberFilter,
    PartyMemberOrder,
    ResidentFilter,
    VolunteerFilter,
    VolunteerTeamFilter,
)
from redgrid.graphql.people.loaders import fill_household_loaders
from redgrid.graphql.people.shapes import HOUSEHOLD_SHAPE, RESIDENT_SHAPE
from redgrid.graphql.people.types import (
    Household,
    ListingEntry,
    Pairing,
    PartyMember,
    Resident,
    ResidentConflict,
    Volunteer,
    VolunteerTeam,
    shown_residents,
)
from redgrid.tenants.people import conflicts, party, privacy, tags, volunteers
from redgrid.tenants.people import service as people

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class PeopleQuery:
    @strawberry.field(
        description="Residents of the caller's grid; refused to roles without the registers "
        "(volunteers, sinking staff)."
    )
    async def residents(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: ResidentFilter | None = None,
        order: NamedOrder | None = None,
    ) -> Connection[Resident]:
        ctx = info.context.ctx
        f, o = filter or ResidentFilter(), order or NamedOrder()
        query = await in_subtree(info, people.residents(ctx), f.under_id, "node__path")
        query = narrowed(
            query,
            household_id=optional_db_id(f.household_id, "Household", "filter.householdId"),
            name__icontains=f.name_contains,
        )
        if f.tag is not None:
            query = query.filter(tags.tag_condition(f.tag.value, tags.today()))
        order_by = ordering(o.field, o.direction)
        compiled = await compiled_page(info, query, first, after, order_by, RESIDENT_SHAPE, privacy.rule_for(ctx))
        if compiled is not None:
            return compiled  # type: ignore[return-value]
        return await paginate(query, first, after, shown_residents(info), order_by)

    @strawberry.field(description="Households of the caller's grid.")
    async def households(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: HouseholdFilter | None = None,
        order: HouseholdOrder | None = None,
    ) -> Connection[Household]:
        ctx = info.context.ctx
        f, o = filter or HouseholdFilter(), order or HouseholdOrder()
        query = await in_subtree(info, people.households(ctx), f.under_id, "node__path")
        query = narrowed(query, colour=f.colour, kind=f.kind, address__icontains=f.address_contains)
        order_by = ordering(o.field, o.direction)
        compiled = await compiled_page(info, query, first, after, order_by, HOUSEHOLD_SHAPE, privacy.rule_for(ctx))
        if compiled is not None:
            return compiled  # type: ignore[return-value]
        page = await paginate(query, first, after, Household.from_model, order_by)
        await fill_household_loaders(info, page)
        return page

    @strawberry.field(description="Party members living in the caller's grid.")
    async def party_members(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: PartyMemberFilter | None = None,
        order: PartyMemberOrder | None = None,
    ) -> Connection[PartyMember]:
        f, o = filter or PartyMemberFilter(), order or PartyMemberOrder()
        query = await in_subtree(info, party.members(info.context.ctx), f.under_id, "resident__node__path")
        query = narrowed(
            query,
            category=f.category,
            listed=f.listed,
            resident__name__icontains=f.name_contains,
            organisation_id=optional_db_id(f.organisation_id, "PartyOrganisation", "filter.organisationId"),
        )
        return await paginate(query, first, after, PartyMember.from_model, ordering(o.field, o.direction))

    @strawberry.field(
        description="The listing board (亮身份) of a grid node, e.g. a building: public inside the tenant."
    )
    async def listing_board(self, info: Info, node_id: relay.GlobalID) -> list[ListingEntry]:
        entries = await party.listing_board(info.context.ctx, db_id(node_id, "GridNode", "nodeId"))
        return [ListingEntry.from_entry(e) for e in entries]

    @strawberry.field(description="The street's volunteer teams.")
    async def volunteer_teams(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: VolunteerTeamFilter | None = None,
        order: NamedOrder | None = None,
    ) -> Connection[VolunteerTeam]:
        f, o = filter or VolunteerTeamFilter(), order or NamedOrder()
        query = narrowed(volunteers.teams(info.context.ctx), kind=f.kind, name__icontains=f.name_contains)
        return await paginate(query, first, after, VolunteerTeam.from_model, ordering(o.field, o.direction))

    @strawberry.field
    async def volunteers(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: VolunteerFilter | None = None,
        order: NamedOrder | None = None,
    ) -> Connection[Volunteer]:
        f, o = filter or VolunteerFilter(), order or NamedOrder()
        query = narrowed(
            volunteers.volunteers(info.context.ctx),
            name__icontains=f.name_contains,
            team_id=optional_db_id(f.team_id, "VolunteerTeam", "filter.teamId"),
        )
        return await paginate(query, first, after, Volunteer.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="Pairings of elders in the caller's grid; for a volunteer, his own.")
    async def pairings(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: PairingFilter | None = None,
        order: PairingOrder | None = None,
    ) -> Connection[Pairing]:
        f, o = filter or PairingFilter(), order or PairingOrder()
        query = await in_subtree(info, volunteers.pairings(info.context.ctx), f.under_id, "resident__node__path")
        query = narrowed(
            query,
            kind=f.kind,
            active=f.active,
            volunteer_id=optional_db_id(f.volunteer_id, "Volunteer", "filter.volunteerId"),
        )
        return await paginate(query, first, after, Pairing.from_model, ordering(o.field, o.direction))

    @strawberry.field(
        description="Secretaries of the whole street: residents registered from a grid that does not "
        "cover the resident registered with the same ID-card number, held for review "
        "(resolveResidentConflict)."
    )
    async def resident_conflicts(self, info: Info) -> list[ResidentConflict]:
        show = shown_residents(info)
        # `held` gives only rows held of another, that one fetched with them.
        return [
            ResidentConflict(held=show(r), registered=show(r.held_of))  # type: ignore[arg-type]
            for r in await conflicts.held(info.context.ctx)
        ]
