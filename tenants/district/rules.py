"""Pure rules of the district view: whose district a caller may read, and a district's totals
from its streets' counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import Forbidden
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.tenants.figures import RATING_COUNTS, WINDOW_COUNTS, closure_rates, mean_satisfaction, rating_split
from redgrid.tenants.grid.service import LevelCoverage
from redgrid.tenants.tenancy import SLUG

READERS = ("district-admin", "platform-admin")
SUMMED = (
    "openCases",
    "overdueCases",
    "closedToday",
    "reportedToday",
    *WINDOW_COUNTS.values(),
    "onDutyNow",
    "residents",
    "households",
    "partyMembers",
    "units",
)
TALLIED = ("casesByState", "householdsByColour")


def district_to_read(identity: Identity, slug: str | None) -> str:
    """The slug of the district the caller asked for, if he may read it: any (platform admin)
    or the one his token names (district admin). The refusal is the same whether or not the
    district asked for exists, and names only the caller's own."""
    if slug is not None and not SLUG.match(slug):
        raise InvalidInput(
            UserError("slug", "INVALID_SLUG", "a district's slug: 2 to 63 lower-case letters, digits, '-'")
        )
    if identity.has_any("platform-admin"):
        if slug or identity.district_slug:
            return slug or identity.district_slug or ""
        raise Forbidden("name the district to show: districtOverview(slug: ...)")
    if not identity.has_any("district-admin"):
        raise Forbidden(f"this needs one of the roles: {', '.join(READERS)}")
    own = identity.district_slug
    if not own:
        raise Forbidden("the caller's token names no district")
    if slug is not None and slug != own:
        raise Forbidden(f"a district admin sees his own district only: ask for {own!r}")
    return own


def total_figures(streets: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The district's figures: counts and tallies summed over its streets, satisfaction the
    mean of all the district's verifications and the closure rates those of all its cases
    (not means of the streets')."""
    total: dict[str, Any] = {key: 0 for key in SUMMED}
    tallies: dict[str, Counter[str]] = {key: Counter() for key in TALLIED}
    verified = satisfaction = 0
    ratings = dict.fromkeys(RATING_COUNTS, 0)
    for street in streets:
        for key in SUMMED:
            total[key] += street[key]
        for key in TALLIED:
            tallies[key].update(street[key])
        verified += street["verified30Days"]
        satisfaction += street["satisfactionSum30Days"]
        for key in RATING_COUNTS:
            ratings[key] += street.get(key, 0)
    return {
        **total,
        **closure_rates(total),  # of the district's counts, not a mean of the streets' rates
        **{key: dict(counter) for key, counter in tallies.items()},
        "satisfaction30Days": mean_satisfaction(satisfaction, verified),
        "verified30Days": verified,
        "satisfactionSum30Days": satisfaction,
        **rating_split(
            resident=(ratings["residentRatings30Days"], ratings["residentSatisfactionSum30Days"]),
            staff=(ratings["typedRatings30Days"], ratings["typedSatisfactionSum30Days"]),
        ),
    }


def total_coverage(streets: Iterable[list[LevelCoverage]]) -> list[LevelCoverage]:
    """Coverage per depth summed over the streets (depth 1 is every street's root, whatever
    each street calls its levels)."""
    by_level: dict[int, list[int]] = {}
    for coverage in streets:
        for c in coverage:
            sums = by_level.setdefault(c.level, [0, 0, 0, 0, 0])
            for i, n in enumerate((c.nodes, c.with_party_organisation, c.with_head, c.with_station, c.full)):
                sums[i] += n
    return [LevelCoverage(level, *by_level[level]) for level in sorted(by_level)]
