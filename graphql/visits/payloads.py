"""What the home-visit mutation answers."""

from __future__ import annotations

import strawberry

from redgrid.graphql.cases.types import Case
from redgrid.graphql.core.payloads import Payload
from redgrid.graphql.visits.types import HomeVisit


@strawberry.type
class HomeVisitPayload(Payload):
    visit: HomeVisit | None = None
    case: Case | None = strawberry.field(default=None, description="The follow-up's case, when one was asked for.")
