"""Reading home visits and their coverage (tenants/visits/service.py)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id, optional_db_id
from redgrid.graphql.visits.types import HomeVisit, VisitCoverage, VisitCoverageCell
from redgrid.tenants.visits import service as visits

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class VisitsQuery:
    @strawberry.field(description="A household's home visits, the latest first (grid roles, in their grid).")
    async def home_visits(self, info: Info, household_id: relay.GlobalID, first: int = 20) -> list[HomeVisit]:
        rows = await visits.visits_of(info.context.ctx, db_id(household_id, "Household", "householdId"), first)
        return [HomeVisit.from_model(row) for row in rows]

    @strawberry.field(
        description="Home-visit coverage: of the households under a node (default: your grid) and under each of "
        "its children, those visited in the last `days` days (1 to 366, today included)."
    )
    async def visit_coverage(
        self, info: Info, node_id: relay.GlobalID | None = None, days: int = visits.DEFAULT_DAYS
    ) -> VisitCoverage:
        total, children = await visits.coverage(info.context.ctx, optional_db_id(node_id, "GridNode", "nodeId"), days)
        return VisitCoverage(
            days=days,
            total=VisitCoverageCell.from_coverage(total),
            children=[VisitCoverageCell.from_coverage(c) for c in children],
        )
