"""GraphQL for the grid tree: types, queries, mutations."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from strawberry import relay
from tortoise.queryset import QuerySet
from strawberry.scalars import JSON

from redgrid.graphql.core.compiled import Shape, column, global_id
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import DbNode, db_id, optional_db_id
from redgrid.graphql.core.pagination import Connection, Direction, ordering, paginate
from redgrid.graphql.core.payloads import UserError, user_errors
from redgrid.platform.errors import InvalidInput
from redgrid.tenants.grid import models
from redgrid.tenants.grid import service as grid
from redgrid.tenants.scope import subtree

M = TypeVar("M")

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class PartyOrganisation(DbNode):
    db_id: strawberry.Private[int]
    name: str
    kind: str
    secretary_name: str

    @classmethod
    def from_model(cls, m: models.PartyOrganisation) -> "PartyOrganisation":
        return cls(db_id=m.id, name=m.name, kind=m.kind, secretary_name=m.secretary_name)


@strawberry.type
class ServiceStation(DbNode):
    db_id: strawberry.Private[int]
    name: str
    kind: str
    address: str

    @classmethod
    def from_model(cls, m: models.ServiceStation) -> "ServiceStation":
        return cls(db_id=m.id, name=m.name, kind=m.kind, address=m.address)


@strawberry.type
class GridNode(DbNode):
    db_id: strawberry.Private[int]
    parent_db_id: strawberry.Private[int | None]
    code: str
    path: str
    name: str
    level: int
    boundary: JSON | None
    head_name: str
    head_phone: str
    retired: bool

    @classmethod
    def from_model(cls, m: models.GridNode) -> "GridNode":
        return cls(
            db_id=m.id, parent_db_id=m.parent_id, code=m.code, path=m.path, name=m.name,  # type: ignore[attr-defined]
            level=m.level, boundary=m.boundary, head_name=m.head_name, head_phone=m.head_phone,
            retired=m.retired_at is not None,
        )

    @staticmethod
    def loader(info: Info) -> DataLoader[int, models.GridNode | None]:
        """The request's DataLoader of grid nodes by id."""
        return info.context.loaders.by_id(models.GridNode)

    @classmethod
    async def load(cls, info: Info, node_id: int) -> "GridNode":
        """A node another row points at, through the request's DataLoader."""
        return cls.from_model(await cls.loader(info).load(node_id))

    @strawberry.field
    async def parent(self, info: Info) -> "GridNode | None":
        if self.parent_db_id is None:
            return None
        found = await GridNode.loader(info).load(self.parent_db_id)
        return GridNode.from_model(found) if found else None

    @strawberry.field(description="Active children, by code.")
    async def children(self, info: Info) -> list["GridNode"]:
        rows = await info.context.loaders.many(models.GridNode, "parent_id", "code").load(self.db_id)
        return [GridNode.from_model(r) for r in rows if r.retired_at is None]

    @strawberry.field
    async def party_organisations(self, info: Info) -> list[PartyOrganisation]:
        rows = await info.context.loaders.many(models.PartyOrganisation, "node_id").load(self.db_id)
        return [PartyOrganisation.from_model(r) for r in rows]

    @strawberry.field
    async def stations(self, info: Info) -> list[ServiceStation]:
        rows = await info.context.loaders.many(models.ServiceStation, "node_id").load(self.db_id)
        return [ServiceStation.from_model(r) for r in rows]


@strawberry.type
class GridLevel:
    depth: int
    name: str


# The SQL shapes of these rows in pages PostgreSQL builds (graphql/core/compiled.py).
ORGANISATION_SHAPE = Shape("PartyOrganisation", {
    "id": global_id("PartyOrganisation"), "name": column("name"), "kind": column("kind"),
    "secretaryName": column("secretary_name"),
})
GRID_NODE_SHAPE = Shape("GridNode", {
    "id": global_id("GridNode"), "code": column("code"), "path": column("path"), "name": column("name"),
    "level": column("level"), "headName": column("head_name"), "headPhone": column("head_phone"),
    "retired": lambda a, _: f"({a}.retired_at IS NOT NULL)",
})


@strawberry.type(description="Full coverage (全覆盖) of one level: nodes with a party organisation, a head, a station, and all three, as counts and as shares of the level's active nodes.")
class LevelCoverage:
    level: int
    nodes: int
    with_party_organisation: int
    with_head: int
    with_station: int
    full: int
    party_organisation_share: float = strawberry.field(description="Share (0 to 1, four decimals) of the level's nodes with a party organisation.")
    head_share: float = strawberry.field(description="Share (0 to 1, four decimals) of the level's nodes with a head.")
    station_share: float = strawberry.field(description="Share (0 to 1, four decimals) of the level's nodes with a service station or point.")
    full_share: float = strawberry.field(description="Share (0 to 1, four decimals) of the level's nodes with all three.")



@strawberry.enum
class GridNodeOrderField(Enum):
    PATH = "path"
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.input
class GridNodeOrder:
    field: GridNodeOrderField = GridNodeOrderField.PATH
    direction: Direction = Direction.ASC


@strawberry.input
class GridNodeFilter:
    level: int | None = None
    parent_id: relay.GlobalID | None = None
    under_id: relay.GlobalID | None = strawberry.field(default=None, description="The subtree of this node, itself included.")
    name_contains: str | None = None
    include_retired: bool = False


@strawberry.type
class GridNodePayload:
    node: GridNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GridLevelsPayload:
    levels: list[GridLevel] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GridQuery:
    @strawberry.field(description="The caller's tenant's grid tree, filtered and ordered, page by page.")
    async def grid_nodes(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: GridNodeFilter | None = None, order: GridNodeOrder | None = None,
    ) -> Connection[GridNode]:
        ctx = info.context.ctx
        f = filter or GridNodeFilter()
        query = grid.nodes(ctx, include_retired=f.include_retired)
        if f.level is not None:
            query = query.filter(level=f.level)
        if f.parent_id is not None:
            query = query.filter(parent_id=db_id(f.parent_id, "GridNode", "filter.parentId"))
        query = await in_subtree(info, query, f.under_id, "path")
        if f.name_contains:
            query = query.filter(name__icontains=f.name_contains)
        o = order or GridNodeOrder()
        return await paginate(query, first, after, GridNode.from_model, ordering(o.field, o.direction))

    @strawberry.field
    async def grid_levels(self, info: Info) -> list[GridLevel]:
        return [GridLevel(depth=l.depth, name=l.name) for l in await grid.levels(info.context.ctx)]

    @strawberry.field(description="Full coverage per level of the caller's tenant.")
    async def grid_coverage(self, info: Info) -> list[LevelCoverage]:
        return [LevelCoverage(**vars(c), **c.shares()) for c in await grid.coverage(info.context.ctx)]


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


@strawberry.input
class AddPartyOrganisationInput:
    node_id: relay.GlobalID
    name: str
    kind: str = strawberry.field(description="general_branch, branch or group")
    secretary_name: str = ""


@strawberry.input
class AddServiceStationInput:
    node_id: relay.GlobalID
    name: str
    kind: str = strawberry.field(description="station or point")
    address: str = ""


async def in_subtree(
    info: Info, query: QuerySet[M], under_id: relay.GlobalID | None, path_field: str, field: str = "filter.underId"
) -> QuerySet[M]:
    """`query` narrowed to the subtree of a grid node the caller may see (nothing when he may not
    or it is unknown); `path_field` is the lookup of each row's grid path."""
    if under_id is None:
        return query
    root = await grid.node_by_id(info.context.ctx, db_id(under_id, "GridNode", field))
    return query.filter(subtree(path_field, root.path)) if root else query.filter(id__lt=0)


@strawberry.type
class GridMutation:
    @strawberry.mutation(description="Tenant-wide secretaries: name the grid's levels, root first (2 to 6).")
    async def set_grid_levels(self, info: Info, names: list[str]) -> GridLevelsPayload:
        try:
            rows = await grid.set_levels(info.context.ctx, names)
        except InvalidInput as exc:
            return GridLevelsPayload(errors=user_errors(exc))
        return GridLevelsPayload(levels=[GridLevel(depth=r.depth, name=r.name) for r in rows])

    @strawberry.mutation(description="Secretaries and grid heads: add a node under one in their grid.")
    async def create_grid_node(self, info: Info, input: CreateGridNodeInput) -> GridNodePayload:
        try:
            node = await grid.create_node(
                info.context.ctx, parent_id=optional_db_id(input.parent_id, "GridNode", "parentId"),
                code=input.code, name=input.name, boundary=input.boundary,
            )
        except InvalidInput as exc:
            return GridNodePayload(errors=user_errors(exc))
        return GridNodePayload(node=GridNode.from_model(node))

    @strawberry.mutation(description="Rename a node, set its boundary or its head.")
    async def update_grid_node(self, info: Info, input: UpdateGridNodeInput) -> GridNodePayload:
        try:
            node = await grid.update_node(
                info.context.ctx, db_id(input.id, "GridNode"), name=input.name,
                boundary=input.boundary, clear_boundary=input.clear_boundary,
                head_name=input.head_name, head_phone=input.head_phone,
            )
        except InvalidInput as exc:
            return GridNodePayload(errors=user_errors(exc))
        return GridNodePayload(node=GridNode.from_model(node))

    @strawberry.mutation(description="Move a node and its subtree under another parent; paths, levels and scopes follow.")
    async def move_grid_subtree(self, info: Info, id: relay.GlobalID, new_parent_id: relay.GlobalID) -> GridNodePayload:
        try:
            node = await grid.move_subtree(
                info.context.ctx, db_id(id, "GridNode"), db_id(new_parent_id, "GridNode", "newParentId")
            )
        except InvalidInput as exc:
            return GridNodePayload(errors=user_errors(exc))
        return GridNodePayload(node=GridNode.from_model(node))

    @strawberry.mutation(description="Retire an empty node (no active children, nothing registered in it).")
    async def retire_grid_node(self, info: Info, id: relay.GlobalID) -> GridNodePayload:
        try:
            node = await grid.retire_node(info.context.ctx, db_id(id, "GridNode"))
        except InvalidInput as exc:
            return GridNodePayload(errors=user_errors(exc))
        return GridNodePayload(node=GridNode.from_model(node))

    @strawberry.mutation
    async def add_party_organisation(self, info: Info, input: AddPartyOrganisationInput) -> GridNodePayload:
        try:
            org = await grid.add_party_organisation(
                info.context.ctx, db_id(input.node_id, "GridNode", "nodeId"), name=input.name,
                kind=input.kind, secretary_name=input.secretary_name,
            )
        except InvalidInput as exc:
            return GridNodePayload(errors=user_errors(exc))
        return GridNodePayload(node=GridNode.from_model(await org.node))

    @strawberry.mutation
    async def add_service_station(self, info: Info, input: AddServiceStationInput) -> GridNodePayload:
        try:
            station = await grid.add_station(
                info.context.ctx, db_id(input.node_id, "GridNode", "nodeId"), name=input.name,
                kind=input.kind, address=input.address,
            )
        except InvalidInput as exc:
            return GridNodePayload(errors=user_errors(exc))
        return GridNodePayload(node=GridNode.from_model(await station.node))


async def resolve_grid_node(info: Info, node_id: int) -> GridNode | None:
    found = await grid.node_by_id(info.context.ctx, node_id)
    return GridNode.from_model(found) if found else None


async def resolve_party_organisation(info: Info, organisation_id: int) -> PartyOrganisation | None:
    found = await grid.party_organisation_by_id(info.context.ctx, organisation_id)
    return PartyOrganisation.from_model(found) if found else None


async def resolve_service_station(info: Info, station_id: int) -> ServiceStation | None:
    found = await grid.station_by_id(info.context.ctx, station_id)
    return ServiceStation.from_model(found) if found else None


# What graphql/schema.py takes from this area: `node(id)` asks NODES by type name; TYPES are
# object types the schema must hold even where no field names them.
NODES = {
    "GridNode": resolve_grid_node,
    "PartyOrganisation": resolve_party_organisation,
    "ServiceStation": resolve_service_station,
}
TYPES: list[type] = [GridNode, PartyOrganisation, ServiceStation]
