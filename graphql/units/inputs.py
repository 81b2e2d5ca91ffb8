"""What a client sends to the joint-building registers: list filters and orders, and the
inputs of the mutations."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.core.pagination import Direction
from redgrid.graphql.sharing.enums import ShareScope
from redgrid.graphql.units.enums import (
    OrderStatus,
    ProjectStatus,
    ResourceKind,
    ResourceOrderField,
    ServiceCategory,
    TitledOrderField,
    UnitKind,
)


@strawberry.input
class JointUnitFilter:
    kind: UnitKind | None = None
    paired_under_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Paired with this grid node or below it."
    )
    paired: bool | None = None
    name_contains: str | None = None


@strawberry.input
class ResourceOrder:
    field: ResourceOrderField = ResourceOrderField.CREATED_AT
    direction: Direction = Direction.ASC


@strawberry.input
class UnitResourceFilter:
    unit_id: relay.GlobalID | None = None
    kind: ResourceKind | None = None
    shareable: bool | None = None
    paired_under_id: relay.GlobalID | None = None
    description_contains: str | None = None


@strawberry.input
class UnitNeedFilter:
    unit_id: relay.GlobalID | None = None
    paired_under_id: relay.GlobalID | None = None
    description_contains: str | None = None


@strawberry.input
class TitledOrder:
    field: TitledOrderField = TitledOrderField.CREATED_AT
    direction: Direction = Direction.ASC


@strawberry.input
class PublicProjectFilter:
    status: ProjectStatus | None = None
    under_id: relay.GlobalID | None = None
    claimed_by_id: relay.GlobalID | None = None
    title_contains: str | None = None


@strawberry.input
class ServiceItemFilter:
    category: ServiceCategory | None = None
    unit_id: relay.GlobalID | None = None
    title_contains: str | None = None


@strawberry.input
class ServiceOrderFilter:
    status: OrderStatus | None = None
    under_id: relay.GlobalID | None = None
    item_id: relay.GlobalID | None = None


@strawberry.input
class UnitContactInput:
    name: str
    phone: str
    role: str = ""


@strawberry.input
class CreateJointUnitInput:
    name: str
    kind: UnitKind
    party_organisation: str = ""
    contacts: list[UnitContactInput] = strawberry.field(default_factory=list)
    paired_node_id: relay.GlobalID | None = strawberry.field(default=None, description="The community it pairs with.")


@strawberry.input
class UpdateJointUnitInput:
    id: relay.GlobalID
    name: str | None = None
    kind: UnitKind | None = None
    party_organisation: str | None = None
    contacts: list[UnitContactInput] | None = strawberry.field(default=None, description="Replaces the contacts.")


@strawberry.input
class AddUnitResourceInput:
    unit_id: relay.GlobalID
    kind: ResourceKind
    description: str
    shareable: bool = strawberry.field(default=False, description="Shorthand for shareScope DISTRICT.")
    share_scope: ShareScope | None = strawberry.field(default=None, description="Who finds it in the catalogue.")
    quantity: int | None = strawberry.field(default=None, description="Goods: how many (null: not counted).")


@strawberry.input
class UpdateUnitResourceInput:
    id: relay.GlobalID
    kind: ResourceKind | None = None
    description: str | None = None
    shareable: bool | None = None
    share_scope: ShareScope | None = None
    quantity: int | None = strawberry.field(default=None, description="Goods: how many are left now.")


@strawberry.input
class CreatePublicProjectInput:
    node_id: relay.GlobalID
    title: str
    description: str = ""
    budget: float = strawberry.field(description="Yuan, at most 2 decimals.")


@strawberry.input
class UpdatePublicProjectInput:
    id: relay.GlobalID
    title: str | None = None
    description: str | None = None
    budget: float | None = None


@strawberry.input
class CreateServiceItemInput:
    unit_id: relay.GlobalID
    category: ServiceCategory
    title: str
    description: str = ""


@strawberry.input
class UpdateServiceItemInput:
    id: relay.GlobalID
    category: ServiceCategory | None = None
    title: str | None = None
    description: str | None = None


@strawberry.input
class PlaceServiceOrderInput:
    item_id: relay.GlobalID
    node_id: relay.GlobalID = strawberry.field(description="The ordering community, in the caller's grid.")
    note: str = ""
