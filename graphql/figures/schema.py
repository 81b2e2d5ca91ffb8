"""GraphQL for a street's key figures (tenants/figures.py); live updates arrive on the
`events(area: FIGURES)` subscription as `figures.updated` with the same fields in `payload`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.tenants import figures

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class Tally:
    key: str
    count: int


@strawberry.type
class KeyFigures:
    open_cases: int
    cases_by_state: list[Tally]
    overdue_cases: int
    closed_today: int
    satisfaction_30_days: float | None = strawberry.field(description="mean of the last 30 days' verifications, 1 to 5")
    on_duty_now: int
    residents: int
    households: int
    households_by_colour: list[Tally]
    party_members: int
    as_of: datetime


def _tallies(counts: dict[str, int]) -> list[Tally]:
    return [Tally(key=k, count=v) for k, v in sorted(counts.items())]


@strawberry.type
class FiguresQuery:
    @strawberry.field(description="The street's key figures now (staff roles).")
    async def key_figures(self, info: Info) -> KeyFigures:
        f = await info.context.loaders.once("keyFigures", lambda: figures.figures_for(info.context.ctx))
        return KeyFigures(
            open_cases=f["openCases"], cases_by_state=_tallies(f["casesByState"]), overdue_cases=f["overdueCases"],
            closed_today=f["closedToday"], satisfaction_30_days=f["satisfaction30Days"], on_duty_now=f["onDutyNow"],
            residents=f["residents"], households=f["households"], households_by_colour=_tallies(f["householdsByColour"]),
            party_members=f["partyMembers"], as_of=datetime.fromisoformat(f["asOf"]),
        )
