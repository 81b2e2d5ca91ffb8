"""The grid tree as a client sees it: nodes, their party organisations and stations, levels
and coverage."""

from __future__ import annotations

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import DbNode
from redgrid.graphql.core.mapping import from_row
from redgrid.graphql.grid.enums import PartyOrganisationKind, ServiceStationKind
from redgrid.graphql.workers.accounts import AccountRef, linked_account
from redgrid.tenants.grid import models
from redgrid.tenants.grid.service import LevelCoverage as LevelCoverageRow

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class PartyOrganisation(DbNode):
    db_id: strawberry.Private[int]
    name: str
    kind: PartyOrganisationKind
    secretary_name: str

    @classmethod
    def from_model(cls, m: models.PartyOrganisation) -> PartyOrganisation:
        return from_row(cls, m, db_id=m.id)


@strawberry.type
class ServiceStation(DbNode):
    db_id: strawberry.Private[int]
    name: str
    kind: ServiceStationKind
    address: str

    @classmethod
    def from_model(cls, m: models.ServiceStation) -> ServiceStation:
        return from_row(cls, m, db_id=m.id)


@strawberry.type
class GridNode(DbNode):
    db_id: strawberry.Private[int]
    parent_db_id: strawberry.Private[int | None]
    code: str
    path: str
    name: str
    level: int
    boundary: JSON | None
    head_account_db_id: strawberry.Private[int | None]
    head_name: str = strawberry.field(description="The head's name as typed (heads without an account have only it).")
    head_phone: str
    retired: bool

    @classmethod
    def from_model(cls, m: models.GridNode) -> GridNode:
        return from_row(
            cls,
            m,
            db_id=m.id,
            parent_db_id=m.parent_id,  # type: ignore[attr-defined]
            head_account_db_id=m.head_account_id,  # type: ignore[attr-defined]
            retired=m.retired_at is not None,
        )

    @staticmethod
    def loader(info: Info) -> DataLoader[int, models.GridNode | None]:
        """The request's DataLoader of grid nodes by id."""
        return info.context.loaders.by_id(models.GridNode)

    @classmethod
    async def load(cls, info: Info, node_id: int) -> GridNode:
        """A node another row points at, through the request's DataLoader."""
        found = await cls.loader(info).load(node_id)
        assert found is not None, "rows point at grid nodes ON DELETE RESTRICT"
        return cls.from_model(found)

    @strawberry.field(description="The account the head (网格长) signs in as, when he has one.")
    async def head_account(self, info: Info) -> AccountRef | None:
        return await linked_account(info, self.head_account_db_id)

    @strawberry.field
    async def parent(self, info: Info) -> GridNode | None:
        if self.parent_db_id is None:
            return None
        found = await GridNode.loader(info).load(self.parent_db_id)
        return GridNode.from_model(found) if found else None

    @strawberry.field(description="Active children, by code.")
    async def children(self, info: Info) -> list[GridNode]:
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

    @classmethod
    def from_model(cls, m: models.GridLevel) -> GridLevel:
        return from_row(cls, m)


@strawberry.type(
    description="Full coverage (全覆盖) of one level: nodes with a party organisation, a head, a station, and all "
    "three, as counts and as shares of the level's active nodes."
)
class LevelCoverage:
    level: int
    nodes: int
    with_party_organisation: int
    with_head: int
    with_station: int
    full: int
    party_organisation_share: float = strawberry.field(
        description="Share (0 to 1, four decimals) of the level's nodes with a party organisation."
    )
    head_share: float = strawberry.field(description="Share (0 to 1, four decimals) of the level's nodes with a head.")
    station_share: float = strawberry.field(
        description="Share (0 to 1, four decimals) of the level's nodes with a service station or point."
    )
    full_share: float = strawberry.field(
        description="Share (0 to 1, four decimals) of the level's nodes with all three."
    )

    @classmethod
    def from_counts(cls, c: LevelCoverageRow) -> LevelCoverage:
        return from_row(cls, c, **c.shares())
