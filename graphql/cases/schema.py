"""GraphQL for cases: the taxonomy, reporting, transitions and the timeline."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.grid.schema import GridNode, in_subtree
from redgrid.graphql.core.ids import DbNode, db_id
from redgrid.graphql.core.pagination import Connection, Direction, ordering, paginate
from redgrid.graphql.core.payloads import UserError, user_errors
from redgrid.platform.errors import InvalidInput, UserError as DomainUserError
from redgrid.platform.limits import get_limits
from redgrid.tenants.cases import attachments, models
from redgrid.tenants.cases import service as cases

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class CaseCategory(DbNode):
    db_id: strawberry.Private[int]
    code: str
    name: str
    on_scene_minutes: int
    resolve_minutes: int
    answer_minutes: int

    @classmethod
    def from_model(cls, m: models.CaseCategory) -> "CaseCategory":
        return cls(db_id=m.id, code=m.code, name=m.name, on_scene_minutes=m.on_scene_minutes,
                   resolve_minutes=m.resolve_minutes, answer_minutes=m.answer_minutes)


@strawberry.type
class CaseTransition:
    version: int
    action: str
    from_state: str | None
    to_state: str
    actor: str
    note: str
    at: datetime


@strawberry.type(description="A photo of a case. `url` serves it to whoever may see the case (same bearer token).")
class CaseAttachment(DbNode):
    db_id: strawberry.Private[int]
    filename: str
    content_type: str = strawberry.field(description="What the bytes are (image/jpeg, image/png or image/webp; HEIC is stored as JPEG).")
    size: int
    sha256: str
    width: int | None
    height: int | None
    uploaded_by: str
    created_at: datetime
    url: str

    @classmethod
    def from_model(cls, m: models.CaseAttachment) -> "CaseAttachment":
        global_id = str(relay.GlobalID("CaseAttachment", str(m.id)))
        return cls(db_id=m.id, filename=m.filename, content_type=m.content_type, size=m.size,
                   sha256=m.sha256, width=m.width, height=m.height, uploaded_by=m.uploaded_by,
                   created_at=m.created_at, url=f"/attachments/{global_id}")


def _assignee_in(kind: str | None, assignee: str | None) -> str | None:
    """A duty team is named by its global id in the API and by its database id in the case."""
    if kind != "duty_team" or not assignee:
        return assignee
    try:
        global_id = relay.GlobalID.from_id(assignee)
    except ValueError:
        raise InvalidInput(DomainUserError("assignee", "INVALID_ID", "not a DutyTeam id")) from None
    return str(db_id(global_id, "DutyTeam", "assignee"))


def _assignee_out(kind: str | None, assignee: str | None) -> str | None:
    return str(relay.GlobalID("DutyTeam", assignee)) if kind == "duty_team" and assignee else assignee


@strawberry.type
class Case(DbNode):
    db_id: strawberry.Private[int]
    category_db_id: strawberry.Private[int]
    node_db_id: strawberry.Private[int]
    number: str
    title: str
    description: str
    source: str
    priority: str
    state: str
    version: int
    escalation: str
    reporter: str
    assignee_kind: str | None
    assignee: str | None = strawberry.field(description="A username, or for a duty team the DutyTeam's id.")
    address: str
    latitude: float | None
    longitude: float | None
    on_scene_due: datetime
    resolve_due: datetime
    answer_due: datetime
    overdue: list[str] = strawberry.field(description="Deadlines passed with their milestone unmet.")
    satisfaction: int | None
    satisfaction_comment: str
    created_at: datetime
    closed_at: datetime | None

    @classmethod
    def from_model(cls, m: models.Case) -> "Case":
        overdue = [d for d in models.DEADLINES if getattr(m, f"overdue_{d}_at") is not None]
        return cls(
            db_id=m.id, category_db_id=m.category_id, node_db_id=m.node_id,  # type: ignore[attr-defined]
            number=m.number, title=m.title, description=m.description, source=m.source,
            priority=m.priority, state=m.state, version=m.version, escalation=m.escalation,
            reporter=m.reporter, assignee_kind=m.assignee_kind, assignee=_assignee_out(m.assignee_kind, m.assignee),
            address=m.address, latitude=m.latitude, longitude=m.longitude,
            on_scene_due=m.on_scene_due, resolve_due=m.resolve_due, answer_due=m.answer_due,
            overdue=overdue, satisfaction=m.satisfaction, satisfaction_comment=m.satisfaction_comment,
            created_at=m.created_at, closed_at=m.closed_at,
        )

    @strawberry.field
    async def category(self, info: Info) -> CaseCategory:
        return CaseCategory.from_model(await info.context.loaders.by_id(models.CaseCategory).load(self.category_db_id))

    @strawberry.field
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)

    @strawberry.field(description="Every transition: who, when, from, to, why.")
    async def timeline(self, info: Info) -> list[CaseTransition]:
        rows = await info.context.loaders.many(models.CaseTransition, "case_id", "version").load(self.db_id)
        return [CaseTransition(version=r.version, action=r.action, from_state=r.from_state,
                               to_state=r.to_state, actor=r.actor, note=r.note, at=r.at) for r in rows]

    @strawberry.field(description="Its photos, oldest first.")
    async def attachments(self, info: Info) -> list[CaseAttachment]:
        rows = await info.context.loaders.many(models.CaseAttachment, "case_id", "id").load(self.db_id)
        return [CaseAttachment.from_model(r) for r in rows]


@strawberry.enum
class CaseOrderField(Enum):
    CREATED_AT = "created_at"
    RESOLVE_DUE = "resolve_due"
    NUMBER = "number"


@strawberry.input
class CaseOrder:
    field: CaseOrderField = CaseOrderField.CREATED_AT
    direction: Direction = Direction.DESC


@strawberry.input
class CaseFilter:
    states: list[str] | None = None
    category_id: relay.GlobalID | None = None
    under_node_id: relay.GlobalID | None = None
    overdue: bool | None = None
    assigned_to_me: bool = False


@strawberry.type
class CasePayload:
    case: Case | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CaseAttachmentPayload:
    attachment: CaseAttachment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CaseCategoryPayload:
    category: CaseCategory | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ReportCaseInput:
    title: str
    category_id: relay.GlobalID
    source: str = strawberry.field(description="patrol, resident_report, hotline_12345, camera or inspection")
    node_id: relay.GlobalID
    priority: str = "normal"
    description: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None


@strawberry.input
class TransitionCaseInput:
    id: relay.GlobalID
    action: str = strawberry.field(description="accept, consult, dispatch, start, resolve, verify, close, return, escalate or reopen")
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
    note: str = ""
    assignee_kind: str | None = strawberry.field(default=None, description="dispatch: grid_worker, duty_team or dept_staff")
    assignee: str | None = strawberry.field(default=None, description="dispatch: the username of a grid worker or sinking staff member, or a DutyTeam's id")
    satisfaction: int | None = strawberry.field(default=None, description="verify: the resident's rating, 1 to 5")
    comment: str = ""


@strawberry.input
class SetCaseCategoryInput:
    code: str
    name: str
    on_scene_minutes: int = 10
    resolve_minutes: int = 60
    answer_minutes: int = 1440


@strawberry.input
class SetSlaRuleInput:
    category_id: relay.GlobalID
    priority: str
    on_scene_minutes: int
    resolve_minutes: int
    answer_minutes: int


@strawberry.type
class CaseQuery:
    @strawberry.field(description="Cases the caller may see, filtered and ordered, page by page.")
    async def cases(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: CaseFilter | None = None, order: CaseOrder | None = None,
    ) -> Connection[Case]:
        ctx = info.context.ctx
        f = filter or CaseFilter()
        query = await cases.visible(ctx)
        if f.states:
            query = query.filter(state__in=f.states)
        if f.category_id is not None:
            query = query.filter(category_id=db_id(f.category_id, "CaseCategory", "filter.categoryId"))
        query = await in_subtree(info, query, f.under_node_id, "node__path", "filter.underNodeId")
        if f.overdue is not None:
            from tortoise.expressions import Q

            flagged = Q(overdue_on_scene_at__isnull=False) | Q(overdue_resolve_at__isnull=False) | Q(overdue_answer_at__isnull=False)
            query = query.filter(flagged) if f.overdue else query.exclude(flagged)
        if f.assigned_to_me:
            query = query.filter(await cases.assigned_to_me(ctx))
        o = order or CaseOrder()
        return await paginate(query, first, after, Case.from_model, ordering(o.field, o.direction))

    @strawberry.field
    async def case_categories(self, info: Info) -> list[CaseCategory]:
        return [CaseCategory.from_model(c) for c in await cases.categories(info.context.ctx)]


@strawberry.type
class CaseMutation:
    @strawberry.mutation(description="Report a case (discover, 发现).")
    async def report_case(self, info: Info, input: ReportCaseInput) -> CasePayload:
        try:
            case = await cases.report(
                info.context.ctx, title=input.title,
                category_id=db_id(input.category_id, "CaseCategory", "categoryId"), source=input.source,
                node_id=db_id(input.node_id, "GridNode", "nodeId"), priority=input.priority,
                description=input.description, address=input.address,
                latitude=input.latitude, longitude=input.longitude,
            )
        except InvalidInput as exc:
            return CasePayload(errors=user_errors(exc))
        return CasePayload(case=Case.from_model(case))

    @strawberry.mutation(description="Move a case along its closed loop; see TransitionCaseInput.action.")
    async def transition_case(self, info: Info, input: TransitionCaseInput) -> CasePayload:
        try:
            case = await cases.transition(
                info.context.ctx, db_id(input.id, "Case"), input.action, version=input.version,
                note=input.note, assignee_kind=input.assignee_kind,
                assignee=_assignee_in(input.assignee_kind, input.assignee),
                satisfaction=input.satisfaction, comment=input.comment,
            )
        except InvalidInput as exc:
            return CasePayload(errors=user_errors(exc))
        return CasePayload(case=Case.from_model(case))

    @strawberry.mutation(description="Attach a photo: JPEG, PNG, WebP or HEIC (multipart request). Errors: TOO_LARGE, UNSUPPORTED_TYPE, TOO_MANY, CLOSED, NOT_FOUND.")
    async def add_case_attachment(self, info: Info, case_id: relay.GlobalID, file: Upload) -> CaseAttachmentPayload:
        try:
            data = await file.read(get_limits().photo_bytes + 1)  # one byte more tells "too large"
            attachment = await attachments.add(
                info.context.ctx, db_id(case_id, "Case", "caseId"), data=data, filename=file.filename,
            )
        except InvalidInput as exc:
            return CaseAttachmentPayload(errors=user_errors(exc))
        return CaseAttachmentPayload(attachment=CaseAttachment.from_model(attachment))

    @strawberry.mutation(description="Tenant-wide secretaries: add or change a category and its default deadlines.")
    async def set_case_category(self, info: Info, input: SetCaseCategoryInput) -> CaseCategoryPayload:
        try:
            category = await cases.set_category(
                info.context.ctx, code=input.code, name=input.name, on_scene=input.on_scene_minutes,
                resolve=input.resolve_minutes, answer=input.answer_minutes,
            )
        except InvalidInput as exc:
            return CaseCategoryPayload(errors=user_errors(exc))
        return CaseCategoryPayload(category=CaseCategory.from_model(category))

    @strawberry.mutation(description="Tenant-wide secretaries: deadlines for one priority of a category.")
    async def set_sla_rule(self, info: Info, input: SetSlaRuleInput) -> CaseCategoryPayload:
        try:
            rule = await cases.set_sla_rule(
                info.context.ctx, category_id=db_id(input.category_id, "CaseCategory", "categoryId"),
                priority=input.priority, on_scene=input.on_scene_minutes, resolve=input.resolve_minutes,
                answer=input.answer_minutes,
            )
        except InvalidInput as exc:
            return CaseCategoryPayload(errors=user_errors(exc))
        return CaseCategoryPayload(category=CaseCategory.from_model(await rule.category))


async def resolve_case(info: Info, case_id: int) -> Case | None:
    found = await (await cases.visible(info.context.ctx)).get_or_none(id=case_id)
    return Case.from_model(found) if found else None


async def resolve_case_attachment(info: Info, attachment_id: int) -> CaseAttachment | None:
    found = await attachments.visible_attachment(info.context.ctx, attachment_id)
    return CaseAttachment.from_model(found) if found else None


async def resolve_case_category(info: Info, category_id: int) -> CaseCategory | None:
    found = next((c for c in await cases.categories(info.context.ctx) if c.id == category_id), None)
    return CaseCategory.from_model(found) if found else None


# What graphql/schema.py takes from this area: `node(id)` asks NODES by type name; TYPES are
# object types the schema must hold even where no field names them.
NODES = {
    "Case": resolve_case,
    "CaseAttachment": resolve_case_attachment,
    "CaseCategory": resolve_case_category,
}
TYPES: list[type] = []
