"""Reading the joint-building registers page by page; who sees what is tenants/units/access.py."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.filtering import narrowed
from redgrid.graphql.core.ids import optional_db_id
from redgrid.graphql.core.pagination import Connection, Direction, NamedOrder, Ordering, ordering, paginate
from redgrid.graphql.grid.filters import in_subtree
from redgrid.graphql.units.inputs import (
    JointUnitFilter,
    PublicProjectFilter,
    ResourceOrder,
    ServiceItemFilter,
    ServiceOrderFilter,
    TitledOrder,
    UnitNeedFilter,
    UnitResourceFilter,
)
from redgrid.graphql.units.types import JointUnit, PublicProject, ServiceItem, ServiceOrder, UnitNeed, UnitResource
from redgrid.tenants.units import menu, projects
from redgrid.tenants.units import service as units

Info = strawberry.Info[GraphQLContext, None]


def _unit_id(f: UnitResourceFilter | UnitNeedFilter | ServiceItemFilter) -> int | None:
    return optional_db_id(f.unit_id, "JointUnit", "filter.unitId")


@strawberry.type
class UnitsQuery:
    @strawberry.field(
        description="Units paired with the caller's grid (all, with the unpaired, for a street-wide secretary)."
    )
    async def joint_units(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: JointUnitFilter | None = None,
        order: NamedOrder | None = None,
    ) -> Connection[JointUnit]:
        f, o = filter or JointUnitFilter(), order or NamedOrder()
        query = await in_subtree(info, units.units(info.context.ctx), f.paired_under_id, "paired_node__path")
        query = narrowed(
            query,
            kind=f.kind,
            name__icontains=f.name_contains,
            paired_node_id__isnull=None if f.paired is None else not f.paired,
        )
        return await paginate(query, first, after, JointUnit.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="Resources of the units the caller sees.")
    async def unit_resources(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: UnitResourceFilter | None = None,
        order: ResourceOrder | None = None,
    ) -> Connection[UnitResource]:
        f, o = filter or UnitResourceFilter(), order or ResourceOrder()
        query = await in_subtree(info, units.resources(info.context.ctx), f.paired_under_id, "unit__paired_node__path")
        query = narrowed(
            query,
            unit_id=_unit_id(f),
            kind=f.kind,
            shareable=f.shareable,
            description__icontains=f.description_contains,
        )
        return await paginate(query, first, after, UnitResource.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="Needs of the units the caller sees, oldest first (or newest with DESC).")
    async def unit_needs(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: UnitNeedFilter | None = None,
        direction: Direction = Direction.ASC,
    ) -> Connection[UnitNeed]:
        f = filter or UnitNeedFilter()
        query = await in_subtree(info, units.needs(info.context.ctx), f.paired_under_id, "unit__paired_node__path")
        query = narrowed(query, unit_id=_unit_id(f), description__icontains=f.description_contains)
        return await paginate(
            query, first, after, UnitNeed.from_model, Ordering("created_at", direction is Direction.DESC)
        )

    @strawberry.field(description="Public-benefit projects of the caller's grid.")
    async def public_projects(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: PublicProjectFilter | None = None,
        order: TitledOrder | None = None,
    ) -> Connection[PublicProject]:
        f, o = filter or PublicProjectFilter(), order or TitledOrder()
        query = await in_subtree(info, projects.projects(info.context.ctx), f.under_id, "node__path")
        query = narrowed(
            query,
            status=f.status,
            title__icontains=f.title_contains,
            claimed_by_id=optional_db_id(f.claimed_by_id, "JointUnit", "filter.claimedById"),
        )
        return await paginate(query, first, after, PublicProject.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="The street's service menu.")
    async def service_items(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: ServiceItemFilter | None = None,
        order: TitledOrder | None = None,
    ) -> Connection[ServiceItem]:
        f, o = filter or ServiceItemFilter(), order or TitledOrder()
        query = narrowed(
            menu.items(info.context.ctx), category=f.category, unit_id=_unit_id(f), title__icontains=f.title_contains
        )
        return await paginate(query, first, after, ServiceItem.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="Orders placed by nodes of the caller's grid, oldest first (or newest with DESC).")
    async def service_orders(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: ServiceOrderFilter | None = None,
        direction: Direction = Direction.ASC,
    ) -> Connection[ServiceOrder]:
        f = filter or ServiceOrderFilter()
        query = await in_subtree(info, menu.orders(info.context.ctx), f.under_id, "node__path")
        query = narrowed(query, status=f.status, item_id=optional_db_id(f.item_id, "ServiceItem", "filter.itemId"))
        return await paginate(
            query, first, after, ServiceOrder.from_model, Ordering("ordered_at", direction is Direction.DESC)
        )
