"""A street's key figures as a client sees them; tallies are keyed by their enum."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from redgrid.graphql.cases.enums import CaseState
from redgrid.graphql.people.enums import HouseholdColour


@strawberry.type
class CaseStateCount:
    state: CaseState
    count: int


@strawberry.type
class HouseholdColourCount:
    colour: HouseholdColour
    count: int


@strawberry.type
class KeyFigures:
    open_cases: int
    cases_by_state: list[CaseStateCount] = strawberry.field(description="Open cases by state, in the loop's order.")
    overdue_cases: int
    closed_today: int
    satisfaction_30_days: float | None = strawberry.field(description="mean of the last 30 days' verifications, 1 to 5")
    on_duty_now: int
    residents: int
    households: int
    households_by_colour: list[HouseholdColourCount]
    party_members: int
    as_of: datetime

    @classmethod
    def from_figures(cls, f: dict[str, Any]) -> KeyFigures:
        """From tenants/figures.py's dict, the one the `figures.updated` event carries."""
        by_state, by_colour = f["casesByState"], f["householdsByColour"]
        return cls(
            open_cases=f["openCases"],
            overdue_cases=f["overdueCases"],
            closed_today=f["closedToday"],
            cases_by_state=[CaseStateCount(state=s, count=by_state[s.value]) for s in CaseState if s.value in by_state],
            satisfaction_30_days=f["satisfaction30Days"],
            on_duty_now=f["onDutyNow"],
            residents=f["residents"],
            households=f["households"],
            party_members=f["partyMembers"],
            as_of=datetime.fromisoformat(f["asOf"]),
            households_by_colour=[
                HouseholdColourCount(colour=c, count=by_colour[c.value])
                for c in HouseholdColour
                if c.value in by_colour
            ],
        )
