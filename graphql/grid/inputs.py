"""What clients send about the grid: the list's filter and order, and the edits."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from redgrid.graphql.core.pagination import Direction
from redgrid.graphql.grid.enums import GridNodeOrderField, PartyOrganisationKind, ServiceStationKind


@strawberry.input
class GridNodeOrder:
    field: GridNodeOrderField = GridNodeOrderField.PATH
    direction: Direction = Direction.ASC


@strawberry.input
class GridNodeFilter:
    level: int | None = None
    parent_id: relay.GlobalID | None = None
    under_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The subtree of this node, itself included."
    )
    name_contains: str | None = None
    include_retired: bool = False


@strawberry.input
class CreateGridNodeInput:
    parent_id: relay.GlobalID | None = None
    code: str
    name: str
    boundary: JSON | None = None


@strawberry.input
class UpdateGridNodeInput:
    id: relay.GlobalID
    name: str | None = None
    boundary: JSON | None = None
    clear_boundary: bool = False
    head_name: str | None = None
    head_phone: str | None = None
    head_username: str | None = strawberry.field(
        default=None,
        description='The account the head signs in as: one you may see, whose grid covers the node; "" unlinks.',
    )


@strawberry.input
class AddPartyOrganisationInput:
    node_id: relay.GlobalID
    name: str
    kind: PartyOrganisationKind
    secretary_name: str = ""


@strawberry.input
class AddServiceStationInput:
    node_id: relay.GlobalID
    name: str
    kind: ServiceStationKind
    address: str = ""
