"""The closed sets of the people registers. Each value is the string the domain stores
(tenants/people/models.py), so a row's field converts with `Enum(row.field)` and an input's
with `.value`."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class ResidentTag(Enum):
    OVER_60 = "over_60"
    OVER_80 = "over_80"
    LIVING_ALONE = "living_alone"
    DISABLED = "disabled"
    LOW_INCOME = "low_income"
    HARDSHIP = "hardship"
    LEFT_BEHIND_CHILD = "left_behind_child"
    FLOATING = "floating"


@strawberry.enum
class Sex(Enum):
    MALE = "male"
    FEMALE = "female"


@strawberry.enum
class HouseholdKind(Enum):
    OWNED = "owned"
    RENTAL = "rental"
    VACANT = "vacant"


@strawberry.enum(
    description="分级分色: red = a party member lives here, blue = low-income or hardship, yellow = rental or vacant."
)
class HouseholdColour(Enum):
    RED = "red"
    BLUE = "blue"
    YELLOW = "yellow"
    NONE = "none"


@strawberry.enum
class PartyCategory(Enum):
    IN_SERVICE = "in_service"
    RESIDENT = "resident"
    RETIRED = "retired"
    FLOATING = "floating"
    LAID_OFF = "laid_off"


@strawberry.enum
class ActivityKind(Enum):
    THEME_PARTY_DAY = "theme_party_day"
    VOLUNTEER_ACTION = "volunteer_action"
    STUDY = "study"
    MEETING = "meeting"


@strawberry.enum
class TeamKind(Enum):
    MEDIATION = "mediation"
    LEGAL = "legal"
    CULTURE_SPORT = "culture_sport"
    ELDERLY_CARE = "elderly_care"
    PATROL = "patrol"


@strawberry.enum
class PairingKind(Enum):
    LOVE_DOORBELL = "love_doorbell"
    KNOCK_DAILY = "knock_daily"


@strawberry.enum
class ConflictResolution(Enum):
    DISMISS = "dismiss"  # the held registration was a mistake: it is removed
    MOVE = "move"  # the person moved: the registered resident takes the held one's node and household
