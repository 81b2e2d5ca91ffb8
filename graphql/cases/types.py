"""Cases, their categories, timeline and photos, as a client sees them."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from redgrid.graphql.cases.enums import (
    CaseAction,
    CaseAssigneeKind,
    CaseDeadline,
    CaseEscalation,
    CasePriority,
    CaseSource,
    CaseState,
)
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import DbNode
from redgrid.graphql.core.mapping import from_row
from redgrid.graphql.departments.types import DistrictDepartment
from redgrid.graphql.grid.types import GridNode
from redgrid.graphql.workers.accounts import AccountRef, account_named
from redgrid.platform.models import DistrictDepartment as DistrictDepartmentModel
from redgrid.tenants.cases import models, service
from redgrid.tenants.cases.sla import next_deadline

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class CaseCategory(DbNode):
    db_id: strawberry.Private[int]
    code: str
    name: str
    on_scene_minutes: int
    resolve_minutes: int
    answer_minutes: int
    self_handle: bool = strawberry.field(
        description="Its cases are simple problems a grid worker handles himself (HANDLE), not dispatched."
    )

    @classmethod
    def from_model(cls, m: models.CaseCategory) -> CaseCategory:
        return from_row(cls, m, db_id=m.id)


@strawberry.type(description="A line of a case's timeline: who moved it, when, from which state to which, and why.")
class CaseTransition:
    version: int
    action: CaseAction
    from_state: CaseState | None
    to_state: CaseState
    actor: str
    note: str
    at: datetime

    @classmethod
    def from_model(cls, m: models.CaseTransition) -> CaseTransition:
        return from_row(cls, m)


@strawberry.type(description="A photo of a case. `url` serves it to whoever may see the case (same bearer token).")
class CaseAttachment(DbNode):
    db_id: strawberry.Private[int]
    filename: str
    content_type: str = strawberry.field(
        description="What the bytes are (image/jpeg, image/png or image/webp; HEIC is stored as JPEG)."
    )
    size: int
    sha256: str
    width: int | None
    height: int | None
    uploaded_by: str
    created_at: datetime
    url: str

    @classmethod
    def from_model(cls, m: models.CaseAttachment) -> CaseAttachment:
        global_id = relay.GlobalID("CaseAttachment", str(m.id))
        return from_row(cls, m, db_id=m.id, url=f"/attachments/{global_id}")


# Assignees named by their database id in the case and by their global id in the API.
_ASSIGNEE_TYPES = {
    CaseAssigneeKind.DUTY_TEAM.value: "DutyTeam",
    CaseAssigneeKind.LINE_DEPT.value: "DistrictDepartment",
}


def assignee_out(kind: str | None, assignee: str | None) -> str | None:
    """A duty team or a district department by its global id; a person by username."""
    type_name = _ASSIGNEE_TYPES.get(kind or "")
    if type_name is None or assignee is None:
        return assignee
    return str(relay.GlobalID(type_name, assignee))


@strawberry.type
class Case(DbNode):
    db_id: strawberry.Private[int]
    category_db_id: strawberry.Private[int]
    node_db_id: strawberry.Private[int]
    department_db_id: strawberry.Private[int | None]
    number: str
    title: str
    description: str
    source: CaseSource
    priority: CasePriority
    state: CaseState
    version: int
    escalation: CaseEscalation
    reporter: str
    assignee_kind: CaseAssigneeKind | None
    assignee: str | None = strawberry.field(
        description="A username, or the id of a DutyTeam or (referred) of a DistrictDepartment."
    )
    address: str
    latitude: float | None
    longitude: float | None
    on_scene_due: datetime
    resolve_due: datetime
    answer_due: datetime
    overdue: list[CaseDeadline] = strawberry.field(description="Deadlines passed with their milestone unmet.")
    next_deadline: CaseDeadline | None = strawberry.field(
        description="The first deadline whose milestone is unmet (what a wall counts down to); null when closed."
    )
    next_due: datetime | None = strawberry.field(description="When `nextDeadline` is due.")
    satisfaction: int | None
    satisfaction_comment: str
    created_at: datetime
    closed_at: datetime | None

    @classmethod
    def from_model(cls, m: models.Case) -> Case:
        upcoming = next_deadline(m)
        return from_row(
            cls,
            m,
            db_id=m.id,
            category_db_id=m.category_id,  # type: ignore[attr-defined]
            node_db_id=m.node_id,  # type: ignore[attr-defined]
            department_db_id=m.department_id,  # type: ignore[attr-defined]
            assignee=assignee_out(m.assignee_kind, m.assignee),
            overdue=[d for d in CaseDeadline if getattr(m, f"overdue_{d.value}_at") is not None],
            next_deadline=CaseDeadline(upcoming[0]) if upcoming else None,
            next_due=upcoming[1] if upcoming else None,
        )

    @strawberry.field(
        description="The account of the person dispatched to (grid worker or sinking staff): who he is, by name."
    )
    async def assignee_account(self, info: Info) -> AccountRef | None:
        if self.assignee_kind is CaseAssigneeKind.DUTY_TEAM:
            return None
        return await account_named(info, self.assignee)

    @strawberry.field
    async def category(self, info: Info) -> CaseCategory:
        return CaseCategory.from_model(await info.context.loaders.by_id(models.CaseCategory).load(self.category_db_id))

    @strawberry.field
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)

    @strawberry.field(description="The district line department it was last referred to (REFER), if any.")
    async def department(self, info: Info) -> DistrictDepartment | None:
        if self.department_db_id is None:
            return None
        found = await info.context.loaders.by_id(DistrictDepartmentModel).load(self.department_db_id)
        return DistrictDepartment.from_model(found) if found else None

    @strawberry.field(description="Every transition: who, when, from, to, why.")
    async def timeline(self, info: Info) -> list[CaseTransition]:
        rows = await info.context.loaders.many(models.CaseTransition, "case_id", "version").load(self.db_id)
        return [CaseTransition.from_model(r) for r in rows]

    @strawberry.field(description="Its photos, oldest first.")
    async def attachments(self, info: Info) -> list[CaseAttachment]:
        rows = await info.context.loaders.many(models.CaseAttachment, "case_id", "id").load(self.db_id)
        return [CaseAttachment.from_model(r) for r in rows]

    @strawberry.field(
        description="What the caller may do to the case now, by the rules transitionCase applies (state, place, "
        "part in the case); an action's inputs (an assignee, a rating) are checked when it is done."
    )
    async def actions(self, info: Info) -> list[CaseAction]:
        return [CaseAction(action) for action in await service.allowed_actions(info.context.ctx, self.db_id)]
