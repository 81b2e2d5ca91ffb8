"""GraphQL for the joint-building registers: units with their contacts, resources and needs,
public-benefit projects, and the service menu with its orders.

Rules are tenants/units/ (access.py says who sees and does what). A unit reached from another
row (a menu item's provider, a project's claimant) is shown only when the caller sees that
unit, and a unit's contact phones only as access.contacts_viewer shows them to the caller.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.grid.schema import GridNode, in_subtree
from redgrid.graphql.core.ids import DbNode, db_id, optional_db_id
from redgrid.graphql.core.pagination import Connection, Direction, NamedOrder, Ordering, ordering, paginate
from redgrid.graphql.core.payloads import UserError, user_errors
from redgrid.platform.errors import InvalidInput
from redgrid.tenants.units import access, menu, models, projects
from redgrid.tenants.units import service as units

Info = strawberry.Info[GraphQLContext, None]


@strawberry.enum
class UnitKind(Enum):
    ENTERPRISE = "enterprise"
    SCHOOL = "school"
    HOSPITAL = "hospital"
    ORGAN = "organ"
    TWO_NEW = "two_new"
    PROPERTY_COMPANY = "property_company"
    OWNERS_COMMITTEE = "owners_committee"
    OTHER = "other"


@strawberry.enum
class ResourceKind(Enum):
    VENUE = "venue"
    EQUIPMENT = "equipment"
    EXPERTISE = "expertise"
    FUNDS = "funds"
    VOLUNTEERS = "volunteers"


@strawberry.enum(description="open → claimed (by a unit) → completed.")
class ProjectStatus(Enum):
    OPEN = "open"
    CLAIMED = "claimed"
    COMPLETED = "completed"


@strawberry.enum(description="The five categories of the menu: 党建, 讲堂, 民生, 健康, 文体.")
class ServiceCategory(Enum):
    PARTY_BUILDING = "party_building"
    LECTURE = "lecture"
    LIVELIHOOD = "livelihood"
    HEALTH = "health"
    CULTURE_SPORT = "culture_sport"


@strawberry.enum(description="ordered → accepted → delivered → rated.")
class OrderStatus(Enum):
    ORDERED = "ordered"
    ACCEPTED = "accepted"
    DELIVERED = "delivered"
    RATED = "rated"


async def _visible_unit(info: Info, unit_id: int | None) -> "JointUnit | None":
    """The unit, when the caller sees it (its paired node is in his grid)."""
    if unit_id is None:
        return None
    loaders = info.context.loaders
    unit = await loaders.by_id(models.JointUnit).load(unit_id)
    if unit is None:
        return None
    node = await GridNode.loader(info).load(unit.paired_node_id) if unit.paired_node_id else None
    return JointUnit.from_model(unit) if access.covers_pairing(info.context.ctx, node.path if node else None) else None


@strawberry.type
class UnitContact:
    name: str
    phone: str | None = strawberry.field(description="Full, masked (138****0001) or null by the caller's role.")
    role: str


@strawberry.type(description="A joint-building unit (驻区单位/共建单位) and its party organisation.")
class JointUnit(DbNode):
    db_id: strawberry.Private[int]
    paired_node_db_id: strawberry.Private[int | None]
    raw_contacts: strawberry.Private[list[dict[str, str]]]
    name: str
    kind: UnitKind
    party_organisation: str
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.JointUnit) -> "JointUnit":
        return cls(
            db_id=m.id, paired_node_db_id=m.paired_node_id, raw_contacts=m.contacts, name=m.name,  # type: ignore[attr-defined]
            kind=UnitKind(m.kind), party_organisation=m.party_organisation, created_at=m.created_at,
        )

    @strawberry.field
    def contacts(self, info: Info) -> list[UnitContact]:
        return [UnitContact(**c) for c in access.contacts_viewer(info.context.ctx)(self.raw_contacts)]

    @strawberry.field(description="The community it is paired with (结对共建).")
    async def paired_node(self, info: Info) -> GridNode | None:
        return None if self.paired_node_db_id is None else await GridNode.load(info, self.paired_node_db_id)

    @strawberry.field
    async def resources(self, info: Info) -> list["UnitResource"]:
        rows = await info.context.loaders.many(models.UnitResource, "unit_id").load(self.db_id)
        return [UnitResource.from_model(r) for r in rows]

    @strawberry.field
    async def needs(self, info: Info) -> list["UnitNeed"]:
        rows = await info.context.loaders.many(models.UnitNeed, "unit_id").load(self.db_id)
        return [UnitNeed.from_model(r) for r in rows]

    @strawberry.field(description="Its items on the service menu, by title.")
    async def service_items(self, info: Info) -> list["ServiceItem"]:
        rows = await info.context.loaders.many(models.ServiceItem, "unit_id", "title").load(self.db_id)
        return [ServiceItem.from_model(r) for r in rows]


@strawberry.type(description="Something a unit offers; `shareable` marks it for the other streets of the district.")
class UnitResource(DbNode):
    db_id: strawberry.Private[int]
    unit_db_id: strawberry.Private[int]
    kind: ResourceKind
    description: str
    shareable: bool
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.UnitResource) -> "UnitResource":
        return cls(
            db_id=m.id, unit_db_id=m.unit_id, kind=ResourceKind(m.kind), description=m.description,  # type: ignore[attr-defined]
            shareable=m.shareable, created_at=m.created_at,
        )

    @strawberry.field
    async def unit(self, info: Info) -> JointUnit:
        return JointUnit.from_model(await info.context.loaders.by_id(models.JointUnit).load(self.unit_db_id))


@strawberry.type(description="Something a unit asks of the community (需求清单).")
class UnitNeed(DbNode):
    db_id: strawberry.Private[int]
    unit_db_id: strawberry.Private[int]
    description: str
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.UnitNeed) -> "UnitNeed":
        return cls(db_id=m.id, unit_db_id=m.unit_id, description=m.description, created_at=m.created_at)  # type: ignore[attr-defined]

    @strawberry.field
    async def unit(self, info: Info) -> JointUnit:
        return JointUnit.from_model(await info.context.loaders.by_id(models.JointUnit).load(self.unit_db_id))


@strawberry.type(description="A public-benefit project (公益项目) of a community, for a unit to claim (认领).")
class PublicProject(DbNode):
    db_id: strawberry.Private[int]
    node_db_id: strawberry.Private[int]
    claimed_by_db_id: strawberry.Private[int | None]
    title: str
    description: str
    budget: float = strawberry.field(description="Yuan.")
    status: ProjectStatus
    claimed_at: datetime | None
    completed_at: datetime | None
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.PublicProject) -> "PublicProject":
        return cls(
            db_id=m.id, node_db_id=m.node_id, claimed_by_db_id=m.claimed_by_id, title=m.title,  # type: ignore[attr-defined]
            description=m.description, budget=float(m.budget), status=ProjectStatus(m.status),
            claimed_at=m.claimed_at, completed_at=m.completed_at, created_at=m.created_at,
        )

    @strawberry.field
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)

    @strawberry.field(description="Null while open, or when the claiming unit is outside the caller's grid.")
    async def claimed_by(self, info: Info) -> JointUnit | None:
        return await _visible_unit(info, self.claimed_by_db_id)


@strawberry.type(description="An item of the street's service menu (服务清单).")
class ServiceItem(DbNode):
    db_id: strawberry.Private[int]
    unit_db_id: strawberry.Private[int]
    category: ServiceCategory
    title: str
    description: str
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.ServiceItem) -> "ServiceItem":
        return cls(
            db_id=m.id, unit_db_id=m.unit_id, category=ServiceCategory(m.category), title=m.title,  # type: ignore[attr-defined]
            description=m.description, created_at=m.created_at,
        )

    @strawberry.field(description="The offering unit's name: the menu is the whole street's.")
    async def provider(self, info: Info) -> str:
        return (await info.context.loaders.by_id(models.JointUnit).load(self.unit_db_id)).name

    @strawberry.field(description="The offering unit, when it is in the caller's grid.")
    async def unit(self, info: Info) -> JointUnit | None:
        return await _visible_unit(info, self.unit_db_id)


@strawberry.type(description="A community's order of a menu item (点单) and its delivery (配送).")
class ServiceOrder(DbNode):
    db_id: strawberry.Private[int]
    item_db_id: strawberry.Private[int]
    node_db_id: strawberry.Private[int]
    status: OrderStatus
    note: str
    ordered_by: str
    rating: int | None
    ordered_at: datetime
    accepted_at: datetime | None
    delivered_at: datetime | None
    rated_at: datetime | None

    @classmethod
    def from_model(cls, m: models.ServiceOrder) -> "ServiceOrder":
        return cls(
            db_id=m.id, item_db_id=m.item_id, node_db_id=m.node_id, status=OrderStatus(m.status),  # type: ignore[attr-defined]
            note=m.note, ordered_by=m.ordered_by, rating=m.rating, ordered_at=m.ordered_at,
            accepted_at=m.accepted_at, delivered_at=m.delivered_at, rated_at=m.rated_at,
        )

    @strawberry.field
    async def item(self, info: Info) -> ServiceItem:
        return ServiceItem.from_model(await info.context.loaders.by_id(models.ServiceItem).load(self.item_db_id))

    @strawberry.field(description="The ordering community.")
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)


# Filters and orderings.


@strawberry.input
class JointUnitFilter:
    kind: UnitKind | None = None
    paired_under_id: relay.GlobalID | None = strawberry.field(default=None, description="Paired with this grid node or below it.")
    paired: bool | None = None
    name_contains: str | None = None


@strawberry.enum
class ResourceOrderField(Enum):
    KIND = "kind"
    CREATED_AT = "created_at"


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


@strawberry.enum
class TitledOrderField(Enum):
    TITLE = "title"
    CREATED_AT = "created_at"


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


def _unit_id(global_id: relay.GlobalID) -> int:
    return db_id(global_id, "JointUnit", "filter.unitId")


@strawberry.type
class UnitsQuery:
    @strawberry.field(description="Units paired with the caller's grid (all, with the unpaired, for a street-wide secretary).")
    async def joint_units(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: JointUnitFilter | None = None, order: NamedOrder | None = None,
    ) -> Connection[JointUnit]:
        f, o = filter or JointUnitFilter(), order or NamedOrder()
        query = await in_subtree(info, units.units(info.context.ctx), f.paired_under_id, "paired_node__path")
        if f.kind is not None:
            query = query.filter(kind=f.kind.value)
        if f.paired is not None:
            query = query.filter(paired_node_id__isnull=not f.paired)
        if f.name_contains:
            query = query.filter(name__icontains=f.name_contains)
        return await paginate(query, first, after, JointUnit.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="Resources of the units the caller sees.")
    async def unit_resources(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: UnitResourceFilter | None = None, order: ResourceOrder | None = None,
    ) -> Connection[UnitResource]:
        f, o = filter or UnitResourceFilter(), order or ResourceOrder()
        query = await in_subtree(info, units.resources(info.context.ctx), f.paired_under_id, "unit__paired_node__path")
        if f.unit_id is not None:
            query = query.filter(unit_id=_unit_id(f.unit_id))
        if f.kind is not None:
            query = query.filter(kind=f.kind.value)
        if f.shareable is not None:
            query = query.filter(shareable=f.shareable)
        if f.description_contains:
            query = query.filter(description__icontains=f.description_contains)
        return await paginate(query, first, after, UnitResource.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="Needs of the units the caller sees, oldest first (or newest with DESC).")
    async def unit_needs(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: UnitNeedFilter | None = None, direction: Direction = Direction.ASC,
    ) -> Connection[UnitNeed]:
        f = filter or UnitNeedFilter()
        query = await in_subtree(info, units.needs(info.context.ctx), f.paired_under_id, "unit__paired_node__path")
        if f.unit_id is not None:
            query = query.filter(unit_id=_unit_id(f.unit_id))
        if f.description_contains:
            query = query.filter(description__icontains=f.description_contains)
        return await paginate(query, first, after, UnitNeed.from_model, Ordering("created_at", direction is Direction.DESC))

    @strawberry.field(description="Public-benefit projects of the caller's grid.")
    async def public_projects(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: PublicProjectFilter | None = None, order: TitledOrder | None = None,
    ) -> Connection[PublicProject]:
        f, o = filter or PublicProjectFilter(), order or TitledOrder()
        query = await in_subtree(info, projects.projects(info.context.ctx), f.under_id, "node__path")
        if f.status is not None:
            query = query.filter(status=f.status.value)
        if f.claimed_by_id is not None:
            query = query.filter(claimed_by_id=db_id(f.claimed_by_id, "JointUnit", "filter.claimedById"))
        if f.title_contains:
            query = query.filter(title__icontains=f.title_contains)
        return await paginate(query, first, after, PublicProject.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="The street's service menu.")
    async def service_items(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: ServiceItemFilter | None = None, order: TitledOrder | None = None,
    ) -> Connection[ServiceItem]:
        f, o = filter or ServiceItemFilter(), order or TitledOrder()
        query = menu.items(info.context.ctx)
        if f.category is not None:
            query = query.filter(category=f.category.value)
        if f.unit_id is not None:
            query = query.filter(unit_id=_unit_id(f.unit_id))
        if f.title_contains:
            query = query.filter(title__icontains=f.title_contains)
        return await paginate(query, first, after, ServiceItem.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="Orders placed by nodes of the caller's grid, oldest first (or newest with DESC).")
    async def service_orders(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: ServiceOrderFilter | None = None, direction: Direction = Direction.ASC,
    ) -> Connection[ServiceOrder]:
        f = filter or ServiceOrderFilter()
        query = await in_subtree(info, menu.orders(info.context.ctx), f.under_id, "node__path")
        if f.status is not None:
            query = query.filter(status=f.status.value)
        if f.item_id is not None:
            query = query.filter(item_id=db_id(f.item_id, "ServiceItem", "filter.itemId"))
        return await paginate(query, first, after, ServiceOrder.from_model, Ordering("ordered_at", direction is Direction.DESC))


# Mutations: inputs, payloads, and the mutation class.


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
    shareable: bool = False


@strawberry.input
class UpdateUnitResourceInput:
    id: relay.GlobalID
    kind: ResourceKind | None = None
    description: str | None = None
    shareable: bool | None = None


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


@strawberry.type
class JointUnitPayload:
    unit: JointUnit | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UnitResourcePayload:
    resource: UnitResource | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UnitNeedPayload:
    need: UnitNeed | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PublicProjectPayload:
    project: PublicProject | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ServiceItemPayload:
    item: ServiceItem | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ServiceOrderPayload:
    order: ServiceOrder | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _unit_fields(i: CreateJointUnitInput | UpdateJointUnitInput) -> units.UnitFields:
    return units.UnitFields(
        name=i.name, kind=i.kind.value if i.kind else None, party_organisation=i.party_organisation,
        contacts=None if i.contacts is None else [units.Contact(c.name, c.phone, c.role) for c in i.contacts],
    )


def _yuan(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


async def _order_step(info: Info, id: relay.GlobalID, action: str, rating: int | None = None) -> ServiceOrderPayload:
    try:
        row = await menu.advance_order(info.context.ctx, db_id(id, "ServiceOrder"), action, rating=rating)
    except InvalidInput as exc:
        return ServiceOrderPayload(errors=user_errors(exc))
    return ServiceOrderPayload(order=ServiceOrder.from_model(row))


@strawberry.type
class UnitsMutation:
    @strawberry.mutation(description="Secretaries: register a unit, optionally paired with a community.")
    async def create_joint_unit(self, info: Info, input: CreateJointUnitInput) -> JointUnitPayload:
        try:
            row = await units.create_unit(
                info.context.ctx, fields=_unit_fields(input),
                paired_node_id=optional_db_id(input.paired_node_id, "GridNode", "pairedNodeId"),
            )
        except InvalidInput as exc:
            return JointUnitPayload(errors=user_errors(exc))
        return JointUnitPayload(unit=JointUnit.from_model(row))

    @strawberry.mutation(description="Change what is given; contacts are replaced as a whole.")
    async def update_joint_unit(self, info: Info, input: UpdateJointUnitInput) -> JointUnitPayload:
        try:
            row = await units.update_unit(info.context.ctx, db_id(input.id, "JointUnit"), fields=_unit_fields(input))
        except InvalidInput as exc:
            return JointUnitPayload(errors=user_errors(exc))
        return JointUnitPayload(unit=JointUnit.from_model(row))

    @strawberry.mutation(description="Pair a unit with a community (结对共建); a null node unpairs it.")
    async def pair_joint_unit(self, info: Info, unit_id: relay.GlobalID, node_id: relay.GlobalID | None) -> JointUnitPayload:
        try:
            row = await units.pair_unit(
                info.context.ctx, db_id(unit_id, "JointUnit", "unitId"), optional_db_id(node_id, "GridNode", "nodeId")
            )
        except InvalidInput as exc:
            return JointUnitPayload(errors=user_errors(exc))
        return JointUnitPayload(unit=JointUnit.from_model(row))

    @strawberry.mutation
    async def add_unit_resource(self, info: Info, input: AddUnitResourceInput) -> UnitResourcePayload:
        try:
            row = await units.add_resource(
                info.context.ctx, db_id(input.unit_id, "JointUnit", "unitId"), kind=input.kind.value,
                description=input.description, shareable=input.shareable,
            )
        except InvalidInput as exc:
            return UnitResourcePayload(errors=user_errors(exc))
        return UnitResourcePayload(resource=UnitResource.from_model(row))

    @strawberry.mutation
    async def update_unit_resource(self, info: Info, input: UpdateUnitResourceInput) -> UnitResourcePayload:
        try:
            row = await units.update_resource(
                info.context.ctx, db_id(input.id, "UnitResource"), kind=input.kind.value if input.kind else None,
                description=input.description, shareable=input.shareable,
            )
        except InvalidInput as exc:
            return UnitResourcePayload(errors=user_errors(exc))
        return UnitResourcePayload(resource=UnitResource.from_model(row))

    @strawberry.mutation
    async def add_unit_need(self, info: Info, unit_id: relay.GlobalID, description: str) -> UnitNeedPayload:
        try:
            row = await units.add_need(info.context.ctx, db_id(unit_id, "JointUnit", "unitId"), description=description)
        except InvalidInput as exc:
            return UnitNeedPayload(errors=user_errors(exc))
        return UnitNeedPayload(need=UnitNeed.from_model(row))

    @strawberry.mutation
    async def update_unit_need(self, info: Info, id: relay.GlobalID, description: str) -> UnitNeedPayload:
        try:
            row = await units.update_need(info.context.ctx, db_id(id, "UnitNeed"), description=description)
        except InvalidInput as exc:
            return UnitNeedPayload(errors=user_errors(exc))
        return UnitNeedPayload(need=UnitNeed.from_model(row))

    @strawberry.mutation(description="Secretaries: put up a public-benefit project of a community.")
    async def create_public_project(self, info: Info, input: CreatePublicProjectInput) -> PublicProjectPayload:
        try:
            row = await projects.create_project(
                info.context.ctx, node_id=db_id(input.node_id, "GridNode", "nodeId"), title=input.title,
                description=input.description, budget=_yuan(input.budget),  # type: ignore[arg-type]
            )
        except InvalidInput as exc:
            return PublicProjectPayload(errors=user_errors(exc))
        return PublicProjectPayload(project=PublicProject.from_model(row))

    @strawberry.mutation
    async def update_public_project(self, info: Info, input: UpdatePublicProjectInput) -> PublicProjectPayload:
        try:
            row = await projects.update_project(
                info.context.ctx, db_id(input.id, "PublicProject"), title=input.title,
                description=input.description, budget=_yuan(input.budget),
            )
        except InvalidInput as exc:
            return PublicProjectPayload(errors=user_errors(exc))
        return PublicProjectPayload(project=PublicProject.from_model(row))

    @strawberry.mutation(description="Record a unit's claim (认领); ALREADY_CLAIMED when another unit was first.")
    async def claim_public_project(self, info: Info, project_id: relay.GlobalID, unit_id: relay.GlobalID) -> PublicProjectPayload:
        try:
            row = await projects.claim_project(
                info.context.ctx, db_id(project_id, "PublicProject", "projectId"), db_id(unit_id, "JointUnit", "unitId")
            )
        except InvalidInput as exc:
            return PublicProjectPayload(errors=user_errors(exc))
        return PublicProjectPayload(project=PublicProject.from_model(row))

    @strawberry.mutation
    async def complete_public_project(self, info: Info, id: relay.GlobalID) -> PublicProjectPayload:
        try:
            row = await projects.complete_project(info.context.ctx, db_id(id, "PublicProject"))
        except InvalidInput as exc:
            return PublicProjectPayload(errors=user_errors(exc))
        return PublicProjectPayload(project=PublicProject.from_model(row))

    @strawberry.mutation(description="Secretaries: an item a unit offers on the service menu.")
    async def create_service_item(self, info: Info, input: CreateServiceItemInput) -> ServiceItemPayload:
        try:
            row = await menu.create_item(
                info.context.ctx, db_id(input.unit_id, "JointUnit", "unitId"), category=input.category.value,
                title=input.title, description=input.description,
            )
        except InvalidInput as exc:
            return ServiceItemPayload(errors=user_errors(exc))
        return ServiceItemPayload(item=ServiceItem.from_model(row))

    @strawberry.mutation
    async def update_service_item(self, info: Info, input: UpdateServiceItemInput) -> ServiceItemPayload:
        try:
            row = await menu.update_item(
                info.context.ctx, db_id(input.id, "ServiceItem"), category=input.category.value if input.category else None,
                title=input.title, description=input.description,
            )
        except InvalidInput as exc:
            return ServiceItemPayload(errors=user_errors(exc))
        return ServiceItemPayload(item=ServiceItem.from_model(row))

    @strawberry.mutation(description="A community of the caller's grid orders a menu item (点单).")
    async def place_service_order(self, info: Info, input: PlaceServiceOrderInput) -> ServiceOrderPayload:
        try:
            row = await menu.place_order(
                info.context.ctx, db_id(input.item_id, "ServiceItem", "itemId"),
                node_id=db_id(input.node_id, "GridNode", "nodeId"), note=input.note,
            )
        except InvalidInput as exc:
            return ServiceOrderPayload(errors=user_errors(exc))
        return ServiceOrderPayload(order=ServiceOrder.from_model(row))

    @strawberry.mutation(description="The unit's side (kept by the secretary): ordered → accepted.")
    async def accept_service_order(self, info: Info, id: relay.GlobalID) -> ServiceOrderPayload:
        return await _order_step(info, id, "accept")

    @strawberry.mutation(description="The unit's side (kept by the secretary): accepted → delivered (配送).")
    async def deliver_service_order(self, info: Info, id: relay.GlobalID) -> ServiceOrderPayload:
        return await _order_step(info, id, "deliver")

    @strawberry.mutation(description="The ordering community: delivered → rated, 1 to 5.")
    async def rate_service_order(self, info: Info, id: relay.GlobalID, rating: int) -> ServiceOrderPayload:
        return await _order_step(info, id, "rate", rating)


async def resolve_joint_unit(info: Info, unit_id: int) -> JointUnit | None:
    found = await units.unit_by_id(info.context.ctx, unit_id)
    return JointUnit.from_model(found) if found else None


async def resolve_unit_resource(info: Info, resource_id: int) -> UnitResource | None:
    found = await units.resource_by_id(info.context.ctx, resource_id)
    return UnitResource.from_model(found) if found else None


async def resolve_unit_need(info: Info, need_id: int) -> UnitNeed | None:
    found = await units.need_by_id(info.context.ctx, need_id)
    return UnitNeed.from_model(found) if found else None


async def resolve_public_project(info: Info, project_id: int) -> PublicProject | None:
    found = await projects.project_by_id(info.context.ctx, project_id)
    return PublicProject.from_model(found) if found else None


async def resolve_service_item(info: Info, item_id: int) -> ServiceItem | None:
    found = await menu.item_by_id(info.context.ctx, item_id)
    return ServiceItem.from_model(found) if found else None


async def resolve_service_order(info: Info, order_id: int) -> ServiceOrder | None:
    found = await menu.order_by_id(info.context.ctx, order_id)
    return ServiceOrder.from_model(found) if found else None


# What graphql/schema.py takes from this area: `node(id)` asks NODES by type name; TYPES are
# object types the schema must hold even where no field names them.
NODES = {
    "JointUnit": resolve_joint_unit,
    "UnitResource": resolve_unit_resource,
    "UnitNeed": resolve_unit_need,
    "PublicProject": resolve_public_project,
    "ServiceItem": resolve_service_item,
    "ServiceOrder": resolve_service_order,
}
TYPES: list[type] = [JointUnit, UnitResource, UnitNeed, PublicProject, ServiceItem, ServiceOrder]
