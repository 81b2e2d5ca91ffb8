"""Keeping the joint-building registers: units, resources and needs, projects, the menu and its
orders. Each resolver reads the ids, calls tenants/units/ and shows the row written; a refusal
is the payload's errors (core/payloads.py)."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id, optional_db_id
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.units.inputs import (
    AddUnitResourceInput,
    CreateJointUnitInput,
    CreatePublicProjectInput,
    CreateServiceItemInput,
    PlaceServiceOrderInput,
    UpdateJointUnitInput,
    UpdatePublicProjectInput,
    UpdateServiceItemInput,
    UpdateUnitResourceInput,
)
from redgrid.graphql.units.payloads import (
    JointUnitPayload,
    PublicProjectPayload,
    ServiceItemPayload,
    ServiceOrderPayload,
    UnitNeedPayload,
    UnitResourcePayload,
)
from redgrid.graphql.units.types import JointUnit, PublicProject, ServiceItem, ServiceOrder, UnitNeed, UnitResource
from redgrid.tenants.units import menu, projects
from redgrid.tenants.units import service as units

Info = strawberry.Info[GraphQLContext, None]


def _unit_fields(i: CreateJointUnitInput | UpdateJointUnitInput) -> units.UnitFields:
    return units.UnitFields(
        name=i.name,
        kind=i.kind.value if i.kind else None,
        party_organisation=i.party_organisation,
        contacts=None if i.contacts is None else [units.Contact(c.name, c.phone, c.role) for c in i.contacts],
    )


def _yuan(value: float) -> Decimal:
    """A Float of yuan as the exact decimal it was written as (0.1 stays 0.1)."""
    return Decimal(str(value))


def _unit_id(global_id: relay.GlobalID) -> int:
    return db_id(global_id, "JointUnit", "unitId")


async def _order_step(info: Info, id: relay.GlobalID, action: str, rating: int | None = None) -> ServiceOrderPayload:
    row = await menu.advance_order(info.context.ctx, db_id(id, "ServiceOrder"), action, rating=rating)
    return ServiceOrderPayload(order=ServiceOrder.from_model(row))


@strawberry.type
class UnitsMutation:
    @mutation(description="Secretaries: register a unit, optionally paired with a community.")
    async def create_joint_unit(self, info: Info, input: CreateJointUnitInput) -> JointUnitPayload:
        row = await units.create_unit(
            info.context.ctx,
            fields=_unit_fields(input),
            paired_node_id=optional_db_id(input.paired_node_id, "GridNode", "pairedNodeId"),
        )
        return JointUnitPayload(unit=JointUnit.from_model(row))

    @mutation(description="Change what is given; contacts are replaced as a whole.")
    async def update_joint_unit(self, info: Info, input: UpdateJointUnitInput) -> JointUnitPayload:
        row = await units.update_unit(info.context.ctx, db_id(input.id, "JointUnit"), fields=_unit_fields(input))
        return JointUnitPayload(unit=JointUnit.from_model(row))

    @mutation(description="Pair a unit with a community (结对共建); a null node unpairs it.")
    async def pair_joint_unit(
        self, info: Info, unit_id: relay.GlobalID, node_id: relay.GlobalID | None
    ) -> JointUnitPayload:
        row = await units.pair_unit(info.context.ctx, _unit_id(unit_id), optional_db_id(node_id, "GridNode", "nodeId"))
        return JointUnitPayload(unit=JointUnit.from_model(row))

    @mutation()
    async def add_unit_resource(self, info: Info, input: AddUnitResourceInput) -> UnitResourcePayload:
        row = await units.add_resource(
            info.context.ctx,
            _unit_id(input.unit_id),
            kind=input.kind.value,
            description=input.description,
            shareable=input.shareable,
            share_scope=input.share_scope.value if input.share_scope else None,
            quantity=input.quantity,
        )
        return UnitResourcePayload(resource=UnitResource.from_model(row))

    @mutation()
    async def update_unit_resource(self, info: Info, input: UpdateUnitResourceInput) -> UnitResourcePayload:
        row = await units.update_resource(
            info.context.ctx,
            db_id(input.id, "UnitResource"),
            kind=input.kind.value if input.kind else None,
            description=input.description,
            shareable=input.shareable,
            share_scope=input.share_scope.value if input.share_scope else None,
            quantity=input.quantity,
        )
        return UnitResourcePayload(resource=UnitResource.from_model(row))

    @mutation()
    async def add_unit_need(self, info: Info, unit_id: relay.GlobalID, description: str) -> UnitNeedPayload:
        row = await units.add_need(info.context.ctx, _unit_id(unit_id), description=description)
        return UnitNeedPayload(need=UnitNeed.from_model(row))

    @mutation()
    async def update_unit_need(self, info: Info, id: relay.GlobalID, description: str) -> UnitNeedPayload:
        row = await units.update_need(info.context.ctx, db_id(id, "UnitNeed"), description=description)
        return UnitNeedPayload(need=UnitNeed.from_model(row))

    @mutation(description="Secretaries: put up a public-benefit project of a community.")
    async def create_public_project(self, info: Info, input: CreatePublicProjectInput) -> PublicProjectPayload:
        row = await projects.create_project(
            info.context.ctx,
            node_id=db_id(input.node_id, "GridNode", "nodeId"),
            title=input.title,
            description=input.description,
            budget=_yuan(input.budget),
        )
        return PublicProjectPayload(project=PublicProject.from_model(row))

    @mutation()
    async def update_public_project(self, info: Info, input: UpdatePublicProjectInput) -> PublicProjectPayload:
        row = await projects.update_project(
            info.context.ctx,
            db_id(input.id, "PublicProject"),
            title=input.title,
            description=input.description,
            budget=None if input.budget is None else _yuan(input.budget),
        )
        return PublicProjectPayload(project=PublicProject.from_model(row))

    @mutation(description="Record a unit's claim (认领); ALREADY_CLAIMED when another unit was first.")
    async def claim_public_project(
        self, info: Info, project_id: relay.GlobalID, unit_id: relay.GlobalID
    ) -> PublicProjectPayload:
        row = await projects.claim_project(
            info.context.ctx, db_id(project_id, "PublicProject", "projectId"), _unit_id(unit_id)
        )
        return PublicProjectPayload(project=PublicProject.from_model(row))

    @mutation()
    async def complete_public_project(self, info: Info, id: relay.GlobalID) -> PublicProjectPayload:
        row = await projects.complete_project(info.context.ctx, db_id(id, "PublicProject"))
        return PublicProjectPayload(project=PublicProject.from_model(row))

    @mutation(description="Secretaries: an item a unit offers on the service menu.")
    async def create_service_item(self, info: Info, input: CreateServiceItemInput) -> ServiceItemPayload:
        row = await menu.create_item(
            info.context.ctx,
            _unit_id(input.unit_id),
            category=input.category.value,
            title=input.title,
            description=input.description,
        )
        return ServiceItemPayload(item=ServiceItem.from_model(row))

    @mutation()
    async def update_service_item(self, info: Info, input: UpdateServiceItemInput) -> ServiceItemPayload:
        row = await menu.update_item(
            info.context.ctx,
            db_id(input.id, "ServiceItem"),
            category=input.category.value if input.category else None,
            title=input.title,
            description=input.description,
        )
        return ServiceItemPayload(item=ServiceItem.from_model(row))

    @mutation(description="A community of the caller's grid orders a menu item (点单).")
    async def place_service_order(self, info: Info, input: PlaceServiceOrderInput) -> ServiceOrderPayload:
        row = await menu.place_order(
            info.context.ctx,
            db_id(input.item_id, "ServiceItem", "itemId"),
            node_id=db_id(input.node_id, "GridNode", "nodeId"),
            note=input.note,
        )
        return ServiceOrderPayload(order=ServiceOrder.from_model(row))

    @mutation(description="The unit's side (kept by the secretary): ordered → accepted.")
    async def accept_service_order(self, info: Info, id: relay.GlobalID) -> ServiceOrderPayload:
        return await _order_step(info, id, "accept")

    @mutation(description="The unit's side (kept by the secretary): accepted → delivered (配送).")
    async def deliver_service_order(self, info: Info, id: relay.GlobalID) -> ServiceOrderPayload:
        return await _order_step(info, id, "deliver")

    @mutation(description="The ordering community: delivered → rated, 1 to 5.")
    async def rate_service_order(self, info: Info, id: relay.GlobalID, rating: int) -> ServiceOrderPayload:
        return await _order_step(info, id, "rate", rating)
