"""What a client sends about departments, staff, teams and shifts: list filters and orders, and
the inputs of the mutations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry import relay

from redgrid.graphql.core.pagination import Direction
from redgrid.graphql.staff.enums import DepartmentKind, ShiftOrderField


@strawberry.input
class DepartmentFilter:
    kind: DepartmentKind | None = None
    name_contains: str | None = None


@strawberry.input
class SinkingStaffFilter:
    under_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Placed in the subtree of this grid node."
    )
    department_id: relay.GlobalID | None = None
    username: str | None = None
    name_contains: str | None = None


@strawberry.input
class DutyTeamFilter:
    under_id: relay.GlobalID | None = None
    name_contains: str | None = None


@strawberry.input
class ShiftOrder:
    field: ShiftOrderField = ShiftOrderField.STARTS_AT
    direction: Direction = Direction.ASC


@strawberry.input
class DutyShiftFilter:
    under_id: relay.GlobalID | None = None
    station_id: relay.GlobalID | None = None
    staff_id: relay.GlobalID | None = None
    username: str | None = None
    mine: bool = strawberry.field(default=False, description="Only the caller's own shifts.")
    ends_after: datetime | None = strawberry.field(
        default=None, description="Shifts still under way or to come at this time."
    )
    starts_before: datetime | None = None
    include_cancelled: bool = False


@strawberry.input
class DepartmentInput:
    name: str
    kind: DepartmentKind


@strawberry.input
class UpdateDepartmentInput:
    id: relay.GlobalID
    name: str
    kind: DepartmentKind


@strawberry.input
class SinkingStaffInput:
    name: str
    department_id: relay.GlobalID
    node_id: relay.GlobalID = strawberry.field(description="The grid node he is sent to.")
    phone: str = ""
    username: str = strawberry.field(default="", description="His Keycloak username, when he signs in.")


@strawberry.input
class UpdateSinkingStaffInput:
    id: relay.GlobalID
    name: str
    department_id: relay.GlobalID
    node_id: relay.GlobalID
    phone: str = ""
    username: str = ""


@strawberry.input
class CreateDutyTeamInput:
    node_id: relay.GlobalID
    name: str


@strawberry.input
class SetStaffEvaluationInput:
    staff_id: relay.GlobalID
    year: int
    score: Decimal = strawberry.field(description="0 to 100, at most two decimals.")
    comment: str = ""


@strawberry.input
class CreateDutyShiftInput:
    node_id: relay.GlobalID
    station_id: relay.GlobalID | None = strawberry.field(default=None, description="A station on the node or below it.")
    staff_id: relay.GlobalID | None = strawberry.field(default=None, description="A staff member, or give `username`.")
    username: str | None = None
    starts_at: datetime
    ends_at: datetime


@strawberry.input
class ChangeDutyShiftInput:
    id: relay.GlobalID
    node_id: relay.GlobalID | None = None
    station_id: relay.GlobalID | None = None
    clear_station: bool = False
    staff_id: relay.GlobalID | None = strawberry.field(
        default=None, description="A new person: a staff member, or `username`."
    )
    username: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@strawberry.input
class ShiftMarkInput:
    shift_id: relay.GlobalID
    latitude: float | None = None
    longitude: float | None = None
