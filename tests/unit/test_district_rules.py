"""The district view's pure rules: whose district a caller reads, and a district's totals."""

from __future__ import annotations

import pytest

from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import Forbidden
from redgrid.platform.errors import InvalidInput
from redgrid.tenants.district.rules import district_to_read, total_coverage, total_figures
from redgrid.tenants.figures import rating_split
from redgrid.tenants.grid.service import LevelCoverage


def who(*roles: str, district: str | None = None, tenant: str | None = None) -> Identity:
    return Identity("sub", "user", frozenset(roles), tenant, district)


def test_a_district_admin_reads_his_own_district_only():
    admin = who("district-admin", district="jiangning")
    assert district_to_read(admin, None) == "jiangning"
    assert district_to_read(admin, "jiangning") == "jiangning"
    with pytest.raises(Forbidden, match="'jiangning'") as other:
        district_to_read(admin, "lishui")
    with pytest.raises(Forbidden) as missing:
        district_to_read(admin, "no-such-district")
    assert str(other.value) == str(missing.value)  # no oracle for which districts exist
    with pytest.raises(Forbidden, match="names no district"):
        district_to_read(who("district-admin"), None)


def test_a_platform_admin_names_any_district():
    assert district_to_read(who("platform-admin"), "lishui") == "lishui"
    assert district_to_read(who("platform-admin", district="jiangning"), None) == "jiangning"
    with pytest.raises(Forbidden, match="name the district"):
        district_to_read(who("platform-admin"), None)


@pytest.mark.parametrize("roles", [("secretary",), ("grid-head",), ("grid-worker",), ("dept-staff",), ("volunteer",)])
def test_street_roles_are_refused_even_with_a_district_claim(roles):
    with pytest.raises(Forbidden, match="district-admin"):
        district_to_read(who(*roles, district="jiangning", tenant="jinshui"), "jiangning")


def test_a_slug_of_the_wrong_shape_is_refused_before_anything_else():
    with pytest.raises(InvalidInput):
        district_to_read(who("secretary"), "x" * 500)


def street(residents: int, states: dict[str, int], verified: int, satisfaction: int, **colours: int) -> dict:
    return {
        "openCases": sum(states.values()),
        "overdueCases": 1,
        "closedToday": 2,
        "reportedToday": 1,
        "due30Days": 4,
        "closedOfDue30Days": 2,
        "closedOnTimeOfDue30Days": 2 if residents else 0,
        "onDutyNow": 3,
        "residents": residents,
        "households": sum(colours.values()),
        "partyMembers": 4,
        "units": 5,
        "casesByState": states,
        "householdsByColour": colours,
        "verified30Days": verified,
        "satisfactionSum30Days": satisfaction,
    }


def test_totals_sum_the_streets_and_weigh_satisfaction_by_verifications():
    total = total_figures(
        [street(100, {"reported": 2}, 1, 5, red=3), street(50, {"reported": 1, "accepted": 4}, 3, 6, blue=2, red=1)]
    )
    assert total["residents"] == 150 and total["openCases"] == 7 and total["units"] == 10 and total["onDutyNow"] == 6
    assert total["casesByState"] == {"reported": 3, "accepted": 4}
    assert total["householdsByColour"] == {"red": 4, "blue": 2} and total["households"] == 6
    assert total["satisfaction30Days"] == 2.75  # 11 / 4, not the mean of 5.0 and 2.0
    assert total_figures([street(0, {}, 0, 0)])["satisfaction30Days"] is None


def test_residents_and_typed_ratings_are_totalled_apart():
    a = {**street(1, {}, 3, 12), **rating_split(resident=(2, 9), staff=(1, 3))}
    b = {**street(1, {}, 2, 5), **rating_split(resident=(0, 0), staff=(2, 5))}
    assert a["residentSatisfaction30Days"] == 4.5 and a["typedSatisfaction30Days"] == 3.0
    assert b["residentSatisfaction30Days"] is None  # no resident rated: no mean, not 0
    total = total_figures([a, b])
    assert (total["residentRatings30Days"], total["residentSatisfaction30Days"]) == (2, 4.5)
    assert (total["typedRatings30Days"], total["typedSatisfaction30Days"]) == (3, 2.67)  # 8 / 3
    assert total["satisfaction30Days"] == 3.4  # 17 / 5, both kinds


def test_the_districts_closure_rates_are_those_of_all_its_cases():
    total = total_figures([street(100, {}, 0, 0), street(0, {}, 0, 0)])
    assert total["reportedToday"] == 2 and total["due30Days"] == 8
    assert total["closureRate30Days"] == 0.5  # 4 of 8
    assert total["onTimeClosureRate30Days"] == 0.25  # 2 of 8, not the mean of 0.5 and 0.0


def test_coverage_is_summed_per_depth():
    a = [LevelCoverage(1, 1, 1, 1, 1, 1), LevelCoverage(2, 6, 6, 6, 6, 6)]
    b = [LevelCoverage(1, 1, 1, 0, 0, 0), LevelCoverage(2, 45, 45, 45, 15, 15), LevelCoverage(3, 172, 0, 172, 82, 0)]
    assert total_coverage([a, b]) == [
        LevelCoverage(1, 2, 2, 1, 1, 1),
        LevelCoverage(2, 51, 51, 51, 21, 21),
        LevelCoverage(3, 172, 0, 172, 82, 0),
    ]
    assert total_coverage([]) == []
