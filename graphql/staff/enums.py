"""The closed sets of departments and the duty roster; each value is the string the domain
stores (a shift's state is derived, types.py)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class DepartmentKind(Enum):
    POLICE = "police"
    URBAN_MANAGEMENT = "urban_management"
    MARKET_SUPERVISION = "market_supervision"
    JUDICIAL = "judicial"
    OTHER = "other"


@strawberry.enum(description="Where a shift stands, from its times and check-in/out.")
class ShiftState(Enum):
    PLANNED = "planned"
    ON_DUTY = "on_duty"
    DONE = "done"
    CANCELLED = "cancelled"


@strawberry.enum
class ShiftOrderField(Enum):
    STARTS_AT = "starts_at"
    CREATED_AT = "created_at"
