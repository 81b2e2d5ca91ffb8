"""The case loop's closed sets; each value is the string tenants/cases stores (models.py and
the workflow table in workflow.py), so `Enum(row.field)` and `member.value` convert."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(
    description="Where a case is in its closed loop: reported, accepted, (consulting,) dispatched, in progress, "
    "resolved, verified, closed."
)
class CaseState(Enum):
    REPORTED = "reported"
    ACCEPTED = "accepted"
    CONSULTING = "consulting"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    VERIFIED = "verified"
    CLOSED = "closed"


@strawberry.enum(description="What moves a case. REPORT only appears in a timeline: reportCase does it.")
class CaseAction(Enum):
    REPORT = "report"
    ACCEPT = "accept"
    CONSULT = "consult"
    DISPATCH = "dispatch"
    START = "start"
    HANDLE = "handle"
    RESOLVE = "resolve"
    VERIFY = "verify"
    CLOSE = "close"
    RETURN = "return"
    ESCALATE = "escalate"
    REOPEN = "reopen"
    REFER = "refer"


@strawberry.enum(description="How a case was discovered.")
class CaseSource(Enum):
    PATROL = "patrol"
    RESIDENT_REPORT = "resident_report"
    HOTLINE_12345 = "hotline_12345"
    CAMERA = "camera"
    INSPECTION = "inspection"


@strawberry.enum
class CasePriority(Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


@strawberry.enum(description="Whose level manages the case: escalation moves it up one.")
class CaseEscalation(Enum):
    GRID = "grid"
    COMMUNITY = "community"
    STREET = "street"
    DEPARTMENT = "department"


@strawberry.enum(
    description="Who a case is dispatched to; LINE_DEPT: referred (REFER) to a line department of the "
    "district, whose DistrictDepartment id is the assignee."
)
class CaseAssigneeKind(Enum):
    GRID_WORKER = "grid_worker"
    DUTY_TEAM = "duty_team"
    DEPT_STAFF = "dept_staff"
    LINE_DEPT = "line_dept"


@strawberry.enum(description='The "3-1" deadlines: on scene, resolved, answered.')
class CaseDeadline(Enum):
    ON_SCENE = "on_scene"
    RESOLVE = "resolve"
    ANSWER = "answer"


@strawberry.enum
class CaseOrderField(Enum):
    CREATED_AT = "created_at"
    RESOLVE_DUE = "resolve_due"
    NUMBER = "number"
