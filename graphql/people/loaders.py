"""The relations of the people types, as per-request DataLoaders, and the households page
filling them before its rows are completed (graphql/core/loaders.py says why)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.dataloader import DataLoader

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.loaders import below, fill, selected
from redgrid.graphql.core.pagination import Connection
from redgrid.graphql.grid.types import GridNode
from redgrid.tenants.grid import models as grid_models
from redgrid.tenants.people import models

if TYPE_CHECKING:
    from redgrid.graphql.people.types import Household

Info = strawberry.Info[GraphQLContext, None]


def household_members(info: Info) -> DataLoader[int, list[models.Resident]]:
    """A household's residents, by name."""
    return info.context.loaders.many(models.Resident, "household_id", "name")


def party_memberships(info: Info) -> DataLoader[int, list[models.PartyMember]]:
    """A resident's party membership (none or one)."""
    return info.context.loaders.many(models.PartyMember, "resident_id")


def party_organisations(info: Info) -> DataLoader[int, Any]:
    return info.context.loaders.by_id(grid_models.PartyOrganisation)


async def fill_household_loaders(info: Info, page: Connection[Household]) -> None:
    """Load the relations the query asks of the page's households before graphql-core completes
    them, a query per relation as the loaders would, so that each row's fields answer at once."""
    asked = selected(info, "edges", "node")
    households = [edge.node for edge in page.edges]
    if "node" in asked:
        await fill(GridNode.loader(info), [h.node_db_id for h in households])
    if asked.keys() & {"members", "partyMembers"}:
        members = await fill(household_members(info), [h.db_id for h in households])
        if "partyMembers" in asked:
            found = await fill(party_memberships(info), [m.id for rows in members for m in rows])
            if "organisation" in below(asked["partyMembers"]):
                await fill(party_organisations(info), [p.organisation_id for rows in found for p in rows])  # type: ignore[attr-defined]
