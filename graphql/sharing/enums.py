"""The closed sets of sharing across streets; each value is the string the domain stores."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Who finds a resource in the catalogue: its street, its district, or every district.")
class ShareScope(Enum):
    STREET = "street"
    DISTRICT = "district"
    ALL = "all"


@strawberry.enum(description="requested → approved or declined → scheduled → delivered; cancelled before delivery.")
class ShareRequestStatus(Enum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    SCHEDULED = "scheduled"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
