"""Recording home visits; the rules are in tenants/visits/service.py."""

from __future__ import annotations

import strawberry

from redgrid.graphql.cases.types import Case
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.visits.inputs import RecordHomeVisitInput
from redgrid.graphql.visits.payloads import HomeVisitPayload
from redgrid.graphql.visits.types import HomeVisit
from redgrid.tenants.visits import service as visits

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class VisitsMutation:
    @mutation(
        description="Record a home visit (入户走访) to a household of your grid and, with `followUp`, the case it "
        "needs, in one step. Errors: NOT_FOUND, OUT_OF_RANGE, TOO_LONG, and reportCase's for the follow-up."
    )
    async def record_home_visit(self, info: Info, input: RecordHomeVisitInput) -> HomeVisitPayload:
        follow = input.follow_up
        visit, case = await visits.record_visit(
            info.context.ctx,
            household_id=db_id(input.household_id, "Household", "householdId"),
            findings=input.findings,
            visited_on=input.visited_on,
            follow_up=visits.FollowUp(
                title=follow.title,
                category_id=db_id(follow.category_id, "CaseCategory", "followUp.categoryId"),
                priority=follow.priority.value,
                description=follow.description,
            )
            if follow is not None
            else None,
        )
        return HomeVisitPayload(visit=HomeVisit.from_model(visit), case=Case.from_model(case) if case else None)
