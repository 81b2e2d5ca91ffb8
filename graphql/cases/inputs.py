"""What clients send about cases: the list's filter and order, reports, transitions and the
taxonomy's settings."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.cases.enums import (
    CaseAction,
    CaseAssigneeKind,
    CaseOrderField,
    CasePriority,
    CaseSource,
    CaseState,
)
from redgrid.graphql.core.pagination import Direction


@strawberry.input
class CaseOrder:
    field: CaseOrderField = CaseOrderField.CREATED_AT
    direction: Direction = Direction.DESC


@strawberry.input
class CaseFilter:
    states: list[CaseState] | None = None
    category_id: relay.GlobalID | None = None
    under_node_id: relay.GlobalID | None = None
    overdue: bool | None = None
    assigned_to_me: bool = False


@strawberry.input
class ReportCaseInput:
    title: str
    category_id: relay.GlobalID
    source: CaseSource
    node_id: relay.GlobalID
    priority: CasePriority = CasePriority.NORMAL
    description: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None


@strawberry.input
class TransitionCaseInput:
    id: relay.GlobalID
    action: CaseAction = strawberry.field(
        description="Any but REPORT (reportCase does that); each state allows some (else ILLEGAL_TRANSITION). "
        "HANDLE: a grid worker who reported the case or whose grid covers it takes it himself, straight to "
        "IN_PROGRESS, where its category allows (else NOT_SELF_HANDLED)."
    )
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
    note: str = ""
    assignee_kind: CaseAssigneeKind | None = strawberry.field(
        default=None, description="dispatch: who the case goes to"
    )
    assignee: str | None = strawberry.field(
        default=None, description="dispatch: the username of a grid worker or sinking staff member, or a DutyTeam's id"
    )
    satisfaction: int | None = strawberry.field(default=None, description="verify: the resident's rating, 1 to 5")
    comment: str = ""
    department_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="refer: the DistrictDepartment of the street's district the case goes to (the note says why)",
    )


@strawberry.input
class SetCaseCategoryInput:
    code: str
    name: str
    on_scene_minutes: int = 10
    resolve_minutes: int = 60
    answer_minutes: int = 1440
    self_handle: bool | None = strawberry.field(
        default=None,
        description="Its cases are handled by the grid worker who finds them (HANDLE); null keeps it as it is "
        "(a new category: dispatched).",
    )


@strawberry.input
class SetSlaRuleInput:
    category_id: relay.GlobalID
    priority: CasePriority
    on_scene_minutes: int
    resolve_minutes: int
    answer_minutes: int
