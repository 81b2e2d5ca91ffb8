"""Editing the grid: its levels, nodes, party organisations and stations. The rules are in
tenants/grid/service.py; a refusal reaches the payload's errors through `mutation`."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id, optional_db_id
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.grid.inputs import (
    AddPartyOrganisationInput,
    AddServiceStationInput,
    CreateGridNodeInput,
    UpdateGridNodeInput,
)
from redgrid.graphql.grid.payloads import GridLevelsPayload, GridNodePayload
from redgrid.graphql.grid.types import GridLevel, GridNode
from redgrid.tenants.grid import service as grid

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class GridMutation:
    @mutation(description="Tenant-wide secretaries: name the grid's levels, root first (2 to 6).")
    async def set_grid_levels(self, info: Info, names: list[str]) -> GridLevelsPayload:
        rows = await grid.set_levels(info.context.ctx, names)
        return GridLevelsPayload(levels=[GridLevel.from_model(r) for r in rows])

    @mutation(description="Secretaries and grid heads: add a node under one in their grid.")
    async def create_grid_node(self, info: Info, input: CreateGridNodeInput) -> GridNodePayload:
        node = await grid.create_node(
            info.context.ctx,
            parent_id=optional_db_id(input.parent_id, "GridNode", "parentId"),
            code=input.code,
            name=input.name,
            boundary=input.boundary,
        )
        return GridNodePayload(node=GridNode.from_model(node))

    @mutation(description="Rename a node, set its boundary or its head.")
    async def update_grid_node(self, info: Info, input: UpdateGridNodeInput) -> GridNodePayload:
        node = await grid.update_node(
            info.context.ctx,
            db_id(input.id, "GridNode"),
            name=input.name,
            boundary=input.boundary,
            clear_boundary=input.clear_boundary,
            head_name=input.head_name,
            head_phone=input.head_phone,
            head_username=input.head_username,
        )
        return GridNodePayload(node=GridNode.from_model(node))

    @mutation(description="Move a node and its subtree under another parent; paths, levels and scopes follow.")
    async def move_grid_subtree(self, info: Info, id: relay.GlobalID, new_parent_id: relay.GlobalID) -> GridNodePayload:
        node = await grid.move_subtree(
            info.context.ctx, db_id(id, "GridNode"), db_id(new_parent_id, "GridNode", "newParentId")
        )
        return GridNodePayload(node=GridNode.from_model(node))

    @mutation(description="Retire an empty node (no active children, nothing registered in it).")
    async def retire_grid_node(self, info: Info, id: relay.GlobalID) -> GridNodePayload:
        node = await grid.retire_node(info.context.ctx, db_id(id, "GridNode"))
        return GridNodePayload(node=GridNode.from_model(node))

    @mutation(description="Add a party organisation to a node; answers the node.")
    async def add_party_organisation(self, info: Info, input: AddPartyOrganisationInput) -> GridNodePayload:
        org = await grid.add_party_organisation(
            info.context.ctx,
            db_id(input.node_id, "GridNode", "nodeId"),
            name=input.name,
            kind=input.kind.value,
            secretary_name=input.secretary_name,
        )
        return GridNodePayload(node=GridNode.from_model(await org.node))

    @mutation(description="Add a service station or point to a node; answers the node.")
    async def add_service_station(self, info: Info, input: AddServiceStationInput) -> GridNodePayload:
        station = await grid.add_station(
            info.context.ctx,
            db_id(input.node_id, "GridNode", "nodeId"),
            name=input.name,
            kind=input.kind.value,
            address=input.address,
        )
        return GridNodePayload(node=GridNode.from_model(await station.node))
