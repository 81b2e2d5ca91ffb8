"""The case indicators' groupings and periods; each value is the name tenants/cases/indicators.py
takes, so `member.value` converts."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(
    description="What case indicators are grouped by: nothing (one row per period), the grid (rolled up to a level), "
    "the worker or team holding the case, the line department it was referred to, its category, its source, or "
    "(a district's) its street. WORKER and TEAM are a street's own; STREET a district's."
)
class IndicatorGrouping(Enum):
    TOTAL = "total"
    GRID = "grid"
    WORKER = "worker"
    TEAM = "team"
    DEPARTMENT = "department"
    CATEGORY = "category"
    SOURCE = "source"
    STREET = "street"


@strawberry.enum(description="The periods of case indicators, in local days: the whole range, or by day, week, month.")
class IndicatorPeriod(Enum):
    WHOLE = "whole"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
