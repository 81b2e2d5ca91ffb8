"""The people area as graphql/schema.py composes it: queries and mutations (queries.py,
mutations.py), the types, inputs, payloads and enums they use (types.py, inputs.py,
payloads.py, enums.py), the loaders of their relations (loaders.py) and the SQL shapes of
pages PostgreSQL builds (shapes.py)."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.node_lookup import NodeResolver, node_resolver
from redgrid.graphql.people.mutations import PeopleMutation
from redgrid.graphql.people.queries import PeopleQuery
from redgrid.graphql.people.types import (
    Commitment,
    Household,
    Pairing,
    PartyMember,
    Resident,
    Volunteer,
    VolunteerTeam,
    shown_residents,
)
from redgrid.tenants.people import party, volunteers
from redgrid.tenants.people import service as people

__all__ = ["NODES", "TYPES", "PeopleMutation", "PeopleQuery"]

Info = strawberry.Info[GraphQLContext, None]


async def resolve_resident(info: Info, resident_id: int) -> Resident | None:
    """A resident as the caller may see him: the view needs the caller, not only the row."""
    found = await people.resident_by_id(info.context.ctx, resident_id)
    return shown_residents(info)(found) if found else None


# `node(id)` asks NODES by type name; TYPES are object types the schema must hold even where no
# field names them.
NODES: dict[str, NodeResolver[object]] = {
    "Resident": resolve_resident,
    "Household": node_resolver(people.household_by_id, Household.from_model),
    "PartyMember": node_resolver(party.member_by_id, PartyMember.from_model),
    "Commitment": node_resolver(party.commitment_by_id, Commitment.from_model),
    "VolunteerTeam": node_resolver(volunteers.team_by_id, VolunteerTeam.from_model),
    "Volunteer": node_resolver(volunteers.volunteer_by_id, Volunteer.from_model),
    "Pairing": node_resolver(volunteers.pairing_by_id, Pairing.from_model),
}
TYPES: list[type] = [Resident, Household, PartyMember, Commitment, VolunteerTeam, Volunteer, Pairing]
