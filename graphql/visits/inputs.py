"""What clients send about home visits."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from redgrid.graphql.cases.enums import CasePriority


@strawberry.input(description="A visit's follow-up that becomes a case in the household's grid node.")
class VisitFollowUpInput:
    title: str
    category_id: relay.GlobalID
    priority: CasePriority = CasePriority.NORMAL
    description: str = strawberry.field(default="", description="Empty: the visit's findings.")


@strawberry.input
class RecordHomeVisitInput:
    household_id: relay.GlobalID
    findings: str = strawberry.field(default="", description="What was found (a multi-line text).")
    visited_on: date | None = strawberry.field(default=None, description="Default today; at most a year back.")
    follow_up: VisitFollowUpInput | None = strawberry.field(
        default=None, description="Also report a case for it, with the visit or not at all."
    )
