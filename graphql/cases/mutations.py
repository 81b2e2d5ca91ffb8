"""Changing cases: reporting, transitions, photos and the taxonomy. The rules are in
tenants/cases/; a refusal reaches the payload's errors through `mutation`."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from redgrid.graphql.cases.enums import CaseAssigneeKind
from redgrid.graphql.cases.inputs import ReportCaseInput, SetCaseCategoryInput, SetSlaRuleInput, TransitionCaseInput
from redgrid.graphql.cases.payloads import CaseAttachmentPayload, CaseCategoryPayload, CasePayload
from redgrid.graphql.cases.types import Case, CaseAttachment, CaseCategory
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id, optional_db_id
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.core.uploads import uploaded
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.limits import get_limits
from redgrid.tenants.cases import attachments
from redgrid.tenants.cases import service as cases

Info = strawberry.Info[GraphQLContext, None]


def _assignee_in(kind: CaseAssigneeKind | None, assignee: str | None) -> str | None:
    """A duty team is named by its global id in the API and by its database id in the case."""
    if kind is not CaseAssigneeKind.DUTY_TEAM or not assignee:
        return assignee
    try:
        global_id = relay.GlobalID.from_id(assignee)
    except ValueError:
        raise InvalidInput(UserError("assignee", "INVALID_ID", "not a DutyTeam id")) from None
    return str(db_id(global_id, "DutyTeam", "assignee"))


@strawberry.type
class CaseMutation:
    @mutation(description="Report a case (discover, 发现).")
    async def report_case(self, info: Info, input: ReportCaseInput) -> CasePayload:
        case = await cases.report(
            info.context.ctx,
            title=input.title,
            category_id=db_id(input.category_id, "CaseCategory", "categoryId"),
            source=input.source.value,
            node_id=db_id(input.node_id, "GridNode", "nodeId"),
            priority=input.priority.value,
            description=input.description,
            address=input.address,
            latitude=input.latitude,
            longitude=input.longitude,
        )
        return CasePayload(case=Case.from_model(case))

    @mutation(description="Move a case along its closed loop; see TransitionCaseInput.action.")
    async def transition_case(self, info: Info, input: TransitionCaseInput) -> CasePayload:
        kind = input.assignee_kind
        case = await cases.transition(
            info.context.ctx,
            db_id(input.id, "Case"),
            input.action.value,
            version=input.version,
            note=input.note,
            assignee_kind=kind.value if kind else None,
            assignee=_assignee_in(kind, input.assignee),
            satisfaction=input.satisfaction,
            comment=input.comment,
            department_id=optional_db_id(input.department_id, "DistrictDepartment", "departmentId"),
        )
        return CasePayload(case=Case.from_model(case))

    @mutation(
        description="Attach a photo: JPEG, PNG, WebP or HEIC (multipart request). "
        "Errors: TOO_LARGE, UNSUPPORTED_TYPE, TOO_MANY, CLOSED, NOT_FOUND, INVALID (no file part)."
    )
    async def add_case_attachment(self, info: Info, case_id: relay.GlobalID, file: Upload) -> CaseAttachmentPayload:
        data, filename = await uploaded(file, get_limits().photo_bytes + 1)  # one byte more tells "too large"
        attachment = await attachments.add(
            info.context.ctx, db_id(case_id, "Case", "caseId"), data=data, filename=filename
        )
        return CaseAttachmentPayload(attachment=CaseAttachment.from_model(attachment))

    @mutation(description="Tenant-wide secretaries: add or change a category and its default deadlines.")
    async def set_case_category(self, info: Info, input: SetCaseCategoryInput) -> CaseCategoryPayload:
        category = await cases.set_category(
            info.context.ctx,
            code=input.code,
            name=input.name,
            on_scene=input.on_scene_minutes,
            resolve=input.resolve_minutes,
            answer=input.answer_minutes,
            self_handle=input.self_handle,
        )
        return CaseCategoryPayload(category=CaseCategory.from_model(category))

    @mutation(description="Tenant-wide secretaries: deadlines for one priority of a category.")
    async def set_sla_rule(self, info: Info, input: SetSlaRuleInput) -> CaseCategoryPayload:
        rule = await cases.set_sla_rule(
            info.context.ctx,
            category_id=db_id(input.category_id, "CaseCategory", "categoryId"),
            priority=input.priority.value,
            on_scene=input.on_scene_minutes,
            resolve=input.resolve_minutes,
            answer=input.answer_minutes,
        )
        return CaseCategoryPayload(category=CaseCategory.from_model(await rule.category))
