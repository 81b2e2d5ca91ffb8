"""Home visits and the visit coverage as a client sees them."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from redgrid.graphql.cases.types import Case
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import DbNode
from redgrid.graphql.core.mapping import from_row
from redgrid.graphql.grid.types import GridNode
from redgrid.graphql.people.types import Household
from redgrid.tenants.cases import service as cases
from redgrid.tenants.people import service as people
from redgrid.tenants.visits import models
from redgrid.tenants.visits.service import Coverage

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(description="A home visit (入户走访): who called on a household, when, and what he found.")
class HomeVisit(DbNode):
    db_id: strawberry.Private[int]
    household_db_id: strawberry.Private[int]
    case_db_id: strawberry.Private[int | None]
    visited_on: date = strawberry.field(description="The local day of the visit.")
    visitor: str = strawberry.field(description="The username of who visited.")
    findings: str
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.HomeVisit) -> HomeVisit:
        return from_row(
            cls,
            m,
            db_id=m.id,
            household_db_id=m.household_id,  # type: ignore[attr-defined]
            case_db_id=m.follow_up_case_id,  # type: ignore[attr-defined]
        )

    @strawberry.field
    async def household(self, info: Info) -> Household | None:
        row = await people.household_by_id(info.context.ctx, self.household_db_id)
        return Household.from_model(row) if row else None

    @strawberry.field(description="The case its follow-up became, if it had one.")
    async def follow_up_case(self, info: Info) -> Case | None:
        if self.case_db_id is None:
            return None
        row = await cases.case_by_id(info.context.ctx, self.case_db_id)
        return Case.from_model(row) if row else None


@strawberry.type(description="Of a grid node's households (its subtree's), how many had a visit in the window.")
class VisitCoverageCell:
    node_db_id: strawberry.Private[int | None]
    households: int
    visited: int
    rate: float | None = strawberry.field(description="visited / households, four decimals; null without households.")

    @classmethod
    def from_coverage(cls, c: Coverage) -> VisitCoverageCell:
        return cls(node_db_id=c.node.id if c.node else None, households=c.households, visited=c.visited, rate=c.rate)

    @strawberry.field(description="The node; null for the whole street.")
    async def node(self, info: Info) -> GridNode | None:
        return await GridNode.load(info, self.node_db_id) if self.node_db_id is not None else None


@strawberry.type(description="Home-visit coverage of a grid node and of each of its children.")
class VisitCoverage:
    days: int
    total: VisitCoverageCell
    children: list[VisitCoverageCell]
