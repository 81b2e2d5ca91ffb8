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


@strawberry.enum(description="A resident's small wish (微心愿) or an item of the grid's needs list (群众需求清单).")
class NeedKind(Enum):
    WISH = "wish"
    GRID = "grid"


@strawberry.enum(description="open → claimed → completed (with a photo).")
class NeedStatus(Enum):
    OPEN = "open"
    CLAIMED = "claimed"
    COMPLETED = "completed"


@strawberry.enum(description="Who claims a need.")
class ClaimantKind(Enum):
    UNIT = "unit"
    VOLUNTEER = "volunteer"
    PARTY_MEMBER = "party_member"


@strawberry.enum(description="What a suggested match is.")
class SuggestionKind(Enum):
    RESOURCE = "resource"
    MENU_ITEM = "menu_item"
    VOLUNTEER_TEAM = "volunteer_team"
