"""The notification centre's and the knock log's closed sets; each value is the string
tenants/notices and tenants/knocks store."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(
    description="Why a notification was sent: a case dispatched to you, returned to you, escalated to your level, "
    "overdue, or a pairing's missed knock (爱心敲门) in your grid."
)
class NotificationKind(Enum):
    DISPATCHED = "dispatched"
    RETURNED = "returned"
    ESCALATED = "escalated"
    OVERDUE = "overdue"
    MISSED_KNOCK = "missed_knock"


@strawberry.enum(description="What the volunteer found at the door: all well, or the elder needs help.")
class KnockStatus(Enum):
    WELL = "well"
    NEEDS_HELP = "needs_help"
