"""A street's key figures as a client sees them; tallies are keyed by their enum."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from redgrid.graphql.cases.enums import CaseState
from redgrid.graphql.people.enums import HouseholdColour
from redgrid.tenants.cases.indicators import IndicatorRow


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
        description="Of the cases due in the last 30 days (their answer deadline passed), the share closed "
        "(0 to 1), as `caseIndicators` counts them; null when none were due."
    )
    on_time_closure_rate_30_days: float | None = strawberry.field(
        description="Of the cases due in the last 30 days, the share closed with every deadline met, as "
        "`caseIndicators` counts them; null when none were due."
    )
    satisfaction_30_days: float | None = strawberry.field(
        description="mean of every satisfaction given in the last 30 days, 1 to 5 (residents' and typed alike)"
    )
    resident_satisfaction_30_days: float | None = strawberry.field(
        description="mean of the ratings residents gave themselves through their tracking links, 30 days"
    )
    resident_ratings_30_days: int = strawberry.field(description="how many ratings residents gave, 30 days")
    typed_satisfaction_30_days: float | None = strawberry.field(
        description="mean of the satisfactions staff typed in at verify (phone-ins), 30 days"
    )
    typed_ratings_30_days: int = strawberry.field(description="how many satisfactions staff typed in, 30 days")
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
            # .get: figures events recorded before the split lack these.
            resident_satisfaction_30_days=f.get("residentSatisfaction30Days"),
            resident_ratings_30_days=f.get("residentRatings30Days", 0),
            typed_satisfaction_30_days=f.get("typedSatisfaction30Days"),
            typed_ratings_30_days=f.get("typedRatings30Days", 0),
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


@strawberry.type(description="One period and group of case indicators; docs/indicators.md defines each figure.")
class CaseIndicatorRow:
    period: date = strawberry.field(description="The period's first local day (the range's first for WHOLE).")
    street: str | None = strawberry.field(description="The street's slug, where groups are kept apart by street.")
    key: str | None = strawberry.field(
        description="The group: a grid path, a username, a duty team's or department's id, a category's code, a "
        "source; null for TOTAL and STREET, and for the cases no worker, team or department holds."
    )
    label: str | None = strawberry.field(description="The group's name, where it has one.")
    received: int = strawberry.field(description="Cases reported in the period (上报数).")
    registered: int = strawberry.field(description="Of those, the cases taken into the loop (立案数).")
    due: int = strawberry.field(description="Cases whose answer deadline fell in the period (应结案数).")
    closed: int = strawberry.field(description="Of the cases due, those closed (结案数).")
    closed_on_time: int = strawberry.field(description="Of the cases due, those closed with every deadline met.")
    reworked: int = strawberry.field(description="Of the cases due, those reopened at least once (返工).")
    rated: int = strawberry.field(description="Cases whose resident's satisfaction was recorded in the period.")
    satisfied: int = strawberry.field(description="Of those, rated 4 or 5.")
    closure_rate: float | None = strawberry.field(description="closed / due, 0 to 1; null when none were due.")
    on_time_closure_rate: float | None = strawberry.field(description="closedOnTime / due; null when none were due.")
    rework_rate: float | None = strawberry.field(description="reworked / due; null when none were due.")
    satisfaction_rate: float | None = strawberry.field(description="satisfied / rated; null when none were rated.")

    @classmethod
    def from_row(cls, row: IndicatorRow) -> CaseIndicatorRow:
        c, r = row.counts, row.rates
        return cls(
            period=row.period,
            street=row.street,
            key=row.key,
            label=row.label,
            received=c["received"],
            registered=c["registered"],
            due=c["due"],
            closed=c["closed"],
            closed_on_time=c["closedOnTime"],
            reworked=c["reworked"],
            rated=c["rated"],
            satisfied=c["satisfied"],
            closure_rate=r["closureRate"],
            on_time_closure_rate=r["onTimeClosureRate"],
            rework_rate=r["reworkRate"],
            satisfaction_rate=r["satisfactionRate"],
        )
