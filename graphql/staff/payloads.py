"""What the staff and roster mutations answer: the row they wrote, or the errors (core/payloads.py)."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.payloads import Payload
from redgrid.graphql.staff.types import Department, DutyShift, DutyTeam, SinkingStaff


@strawberry.type
class DepartmentPayload(Payload):
    department: Department | None = None


@strawberry.type
class SinkingStaffPayload(Payload):
    staff: SinkingStaff | None = None


@strawberry.type
class DutyTeamPayload(Payload):
    team: DutyTeam | None = None


@strawberry.type
class DutyShiftPayload(Payload):
    shift: DutyShift | None = None
