"""The case indicators' pure rules (tenants/cases/indicators.py): periods in local days, the
bounds a caller is held to, and rates of summed counts."""

from datetime import UTC, date, datetime

import pytest

from redgrid.platform.errors import InvalidInput
from redgrid.tenants.cases.indicators import (
    DAY_COLUMNS,
    MAX_PERIODS,
    RULES,
    IndicatorQuery,
    check_query,
    local_bounds,
    periods_between,
    rates,
)


def test_weeks_start_on_monday_and_months_on_the_first():
    assert periods_between(date(2025, 3, 1), date(2025, 3, 10), "week") == [
        date(2025, 2, 24),
        date(2025, 3, 3),
        date(2025, 3, 10),
    ]
    assert periods_between(date(2024, 12, 15), date(2025, 2, 1), "month") == [
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]
    assert len(periods_between(date(2024, 1, 1), date(2024, 12, 31), "day")) == 366
    assert periods_between(date(2024, 1, 1), date(2024, 12, 31), "whole") == [date(2024, 1, 1)]


def test_a_local_day_runs_from_shanghai_midnight():
    start, end = local_bounds(date(2025, 3, 3), date(2025, 3, 3))
    assert (start, end) == (datetime(2025, 3, 2, 16, tzinfo=UTC), datetime(2025, 3, 3, 16, tzinfo=UTC))


def codes(query: IndicatorQuery, *, district: bool = False) -> list[str]:
    try:
        check_query(query, district=district)
    except InvalidInput as refused:
        return [e.code for e in refused.errors]
    return []


def test_what_a_caller_may_ask_for():
    day = date(2025, 1, 1)
    assert codes(IndicatorQuery(day, day, "worker")) == []
    assert codes(IndicatorQuery(day, day, "worker"), district=True) == ["INVALID_GROUPING"]
    assert codes(IndicatorQuery(day, day, "street")) == ["INVALID_GROUPING"]
    assert codes(IndicatorQuery(day, day, "street"), district=True) == []
    assert codes(IndicatorQuery(date(2025, 1, 2), day)) == ["INVALID_RANGE"]
    assert codes(IndicatorQuery(day, date(2100, 1, 1))) == ["INVALID_RANGE"]
    assert codes(IndicatorQuery(date(2024, 1, 1), date(2024, 12, 31), period="day")) == []
    assert len(periods_between(date(2024, 1, 1), date(2025, 1, 1), "day")) == MAX_PERIODS + 1
    assert codes(IndicatorQuery(date(2024, 1, 1), date(2025, 1, 1), period="day")) == ["TOO_MANY_PERIODS"]
    assert codes(IndicatorQuery(day, day, "grid", level=0)) == ["INVALID_LEVEL"]
    assert codes(IndicatorQuery(day, day, "x", "y")) == ["INVALID_GROUPING", "INVALID_PERIOD"]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (
            {"due": 7, "closed": 4, "closedOnTime": 2, "reworked": 1, "rated": 4, "satisfied": 3},
            {"closureRate": 0.5714, "onTimeClosureRate": 0.2857, "reworkRate": 0.1429, "satisfactionRate": 0.75},
        ),
        (
            {"due": 0, "closed": 0, "closedOnTime": 0, "reworked": 0, "rated": 0, "satisfied": 0},
            {"closureRate": None, "onTimeClosureRate": None, "reworkRate": None, "satisfactionRate": None},
        ),
    ],
)
def test_rates_are_shares_of_their_own_wholes(counts, expected):
    assert rates(counts) == expected


def test_every_count_has_its_day_column():
    assert DAY_COLUMNS == {name: column for name, column in DAY_COLUMNS.items() if name in RULES}
    assert DAY_COLUMNS["closedOnTime"] == "closed_on_time" and len(DAY_COLUMNS) == len(RULES)
