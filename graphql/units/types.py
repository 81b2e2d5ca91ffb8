"""The joint-building registers as a client sees them: units, their resources and needs,
public-benefit projects, and the service menu with its orders.

A unit reached from another row (a menu item's provider, a project's claimant) is shown only
when the caller sees that unit, and a unit's contact phones only as access.contacts_viewer
shows them to the caller."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import DbNode
from redgrid.graphql.core.mapping import from_row
from redgrid.graphql.grid.types import GridNode
from redgrid.graphql.sharing.enums import ShareScope
from redgrid.graphql.sharing.types import ProjectPledge
from redgrid.graphql.units.enums import OrderStatus, ProjectStatus, ResourceKind, ServiceCategory, UnitKind
from redgrid.tenants.sharing.models import ProjectPledge as PledgeModel
from redgrid.tenants.units import access, models

Info = strawberry.Info[GraphQLContext, None]


async def _visible_unit(info: Info, unit_id: int | None) -> JointUnit | None:
    """The unit, when the caller sees it (its paired node is in his grid)."""
    if unit_id is None:
        return None
    unit = await info.context.loaders.by_id(models.JointUnit).load(unit_id)
    if unit is None:
        return None
    node = await GridNode.loader(info).load(unit.paired_node_id) if unit.paired_node_id else None
    return JointUnit.from_model(unit) if access.covers_pairing(info.context.ctx, node.path if node else None) else None


@strawberry.type
class UnitContact:
    name: str
    phone: str | None = strawberry.field(description="Full, masked (138****0001) or null by the caller's role.")
    role: str

    @classmethod
    def from_shown(cls, c: Mapping[str, str | None]) -> UnitContact:
        """A contact as access.contacts_viewer shows it to the caller."""
        return cls(name=c["name"] or "", phone=c["phone"], role=c.get("role") or "")


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
    def from_model(cls, m: models.JointUnit) -> JointUnit:
        return from_row(cls, m, db_id=m.id, paired_node_db_id=m.paired_node_id, raw_contacts=m.contacts)  # type: ignore[attr-defined]

    @classmethod
    async def load(cls, info: Info, unit_id: int) -> JointUnit:
        """A unit another row points at, through the request's DataLoader."""
        return cls.from_model(await info.context.loaders.by_id(models.JointUnit).load(unit_id))

    @strawberry.field
    def contacts(self, info: Info) -> list[UnitContact]:
        return [UnitContact.from_shown(c) for c in access.contacts_viewer(info.context.ctx)(self.raw_contacts)]

    @strawberry.field(description="The community it is paired with (结对共建).")
    async def paired_node(self, info: Info) -> GridNode | None:
        return None if self.paired_node_db_id is None else await GridNode.load(info, self.paired_node_db_id)

    @strawberry.field
    async def resources(self, info: Info) -> list[UnitResource]:
        rows = await info.context.loaders.many(models.UnitResource, "unit_id").load(self.db_id)
        return [UnitResource.from_model(r) for r in rows]

    @strawberry.field
    async def needs(self, info: Info) -> list[UnitNeed]:
        rows = await info.context.loaders.many(models.UnitNeed, "unit_id").load(self.db_id)
        return [UnitNeed.from_model(r) for r in rows]

    @strawberry.field(description="Its items on the service menu, by title.")
    async def service_items(self, info: Info) -> list[ServiceItem]:
        rows = await info.context.loaders.many(models.ServiceItem, "unit_id", "title").load(self.db_id)
        return [ServiceItem.from_model(r) for r in rows]


@strawberry.type(description="Something a unit offers; `shareable` marks it for the other streets of the district.")
class UnitResource(DbNode):
    db_id: strawberry.Private[int]
    unit_db_id: strawberry.Private[int]
    kind: ResourceKind
    description: str
    shareable: bool
    share_scope: ShareScope = strawberry.field(description="Who finds it in the catalogue.")
    quantity: int | None = strawberry.field(description="Goods left (null: not counted).")
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.UnitResource) -> UnitResource:
        return from_row(cls, m, db_id=m.id, unit_db_id=m.unit_id)  # type: ignore[attr-defined]

    @strawberry.field
    async def unit(self, info: Info) -> JointUnit:
        return await JointUnit.load(info, self.unit_db_id)


@strawberry.type(description="Something a unit asks of the community (需求清单).")
class UnitNeed(DbNode):
    db_id: strawberry.Private[int]
    unit_db_id: strawberry.Private[int]
    description: str
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.UnitNeed) -> UnitNeed:
        return from_row(cls, m, db_id=m.id, unit_db_id=m.unit_id)  # type: ignore[attr-defined]

    @strawberry.field
    async def unit(self, info: Info) -> JointUnit:
        return await JointUnit.load(info, self.unit_db_id)


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
    def from_model(cls, m: models.PublicProject) -> PublicProject:
        return from_row(
            cls,
            m,
            db_id=m.id,
            node_db_id=m.node_id,  # type: ignore[attr-defined]
            claimed_by_db_id=m.claimed_by_id,  # type: ignore[attr-defined]
            budget=float(m.budget),
        )

    @strawberry.field
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)

    @strawberry.field(description="Null while open, or when the claiming unit is outside the caller's grid.")
    async def claimed_by(self, info: Info) -> JointUnit | None:
        return await _visible_unit(info, self.claimed_by_db_id)

    @strawberry.field(description="Units' pledges to it (众筹), largest first.")
    async def pledges(self, info: Info) -> list[ProjectPledge]:
        rows = await info.context.loaders.many(PledgeModel, "project_id", "-amount").load(self.db_id)
        return [ProjectPledge.from_model(r) for r in rows]

    @strawberry.field(description="What its pledges add up to, in yuan.")
    async def pledged(self, info: Info) -> float:
        rows = await info.context.loaders.many(PledgeModel, "project_id", "-amount").load(self.db_id)
        return float(sum(r.amount for r in rows))


@strawberry.type(description="An item of the street's service menu (服务清单).")
class ServiceItem(DbNode):
    db_id: strawberry.Private[int]
    unit_db_id: strawberry.Private[int]
    category: ServiceCategory
    title: str
    description: str
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.ServiceItem) -> ServiceItem:
        return from_row(cls, m, db_id=m.id, unit_db_id=m.unit_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The offering unit's name: the menu is the whole street's.")
    async def provider(self, info: Info) -> str:
        unit: models.JointUnit = await info.context.loaders.by_id(models.JointUnit).load(self.unit_db_id)
        return unit.name

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
    def from_model(cls, m: models.ServiceOrder) -> ServiceOrder:
        return from_row(cls, m, db_id=m.id, item_db_id=m.item_id, node_db_id=m.node_id)  # type: ignore[attr-defined]

    @strawberry.field
    async def item(self, info: Info) -> ServiceItem:
        return ServiceItem.from_model(await info.context.loaders.by_id(models.ServiceItem).load(self.item_db_id))

    @strawberry.field(description="The ordering community.")
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)
