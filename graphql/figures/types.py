"""A street's key figures as a client sees them; tallies are keyed by their enum."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

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
    reported_today: int = strawberry.field(description="Cases reported since local midnight.")
    closure_rate_30_days: float | None = strawberry.field(
        description="Of the cases reported in the last 30 days, the share closed (0 to 1); null when none were."
    )
    on_time_closure_rate_30_days: float | None = strawberry.field(
        description="Of the cases closed in the last 30 days, the share with no deadline passed; null when none were."
    )
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
            # .get: figures events recorded before these figures existed lack them.
            reported_today=f.get("reportedToday", 0),
            closure_rate_30_days=f.get("closureRate30Days"),
            on_time_closure_rate_30_days=f.get("onTimeClosureRate30Days"),
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


@strawberry.type(description="One node of the wall's grid map and its cases (its own and those below it).")
class GridMapCell:
    id: strawberry.ID = strawberry.field(description="The GridNode's global id.")
    path: str
    name: str
    boundary: JSON | None = strawberry.field(description="GeoJSON Polygon or MultiPolygon; null: draw it as a tile.")
    open_cases: int
    overdue_cases: int


@strawberry.type(description="One level of the caller's grid as the wall draws it.")
class GridMap:
    level: int | None = strawberry.field(description="The level drawn (1 = the root); null for an empty grid.")
    cells: list[GridMapCell]


@strawberry.type(description="One local day of the street's cases.")
class CaseTrendDay:
    day: date
    reported: int = strawberry.field(description="Cases reported that day.")
    closed: int = strawberry.field(description="Cases closed that day.")
    overdue: int = strawberry.field(description="Open cases with a deadline passed at the day's end (today: now).")


@strawberry.type(description="The street's cases per day, oldest first, today (so far) last.")
class CaseTrend:
    time_zone: str = strawberry.field(description="The IANA time zone the days are counted in.")
    days: list[CaseTrendDay]
    as_of: datetime = strawberry.field(description="When today's counts were taken.")
