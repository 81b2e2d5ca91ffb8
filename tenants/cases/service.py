"""Cases: reporting, the state machine's transitions with role, scope and version checks, and
the tenant's category taxonomy with its "3-1" deadlines.

A district department's staff have no tenant: they see the cases referred to their department
(`RequestContext.department_id`), from every street of the district, and act on them as
their assignee through the same transitions."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from redgrid.platform import clock, events
from redgrid.platform.context import Forbidden, RequestContext, ScopeKind
from redgrid.platform.database import tenant_transaction
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.platform.models import DistrictDepartment, Tenant
from redgrid.tenants.cases.models import (
    ASSIGNEE_KINDS,
    DISTRICT_DEPARTMENT,
    PRIORITIES,
    SOURCES,
    Case,
    CaseCategory,
    CaseTransition,
    SlaRule,
)
from redgrid.tenants.cases.workflow import (
    ACTIONS,
    NEXT_LEVEL,
    NOT_A_HANDLER,
    NOT_SELF_HANDLED,
    Actor,
    self_handling_refusal,
    target_state,
)
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.scope import path_filter
from redgrid.tenants.staff import dispatch

DEFAULT_CATEGORIES = (
    ("city_appearance", "市容环境"),
    ("street_order", "街面秩序"),
    ("safety_hazard", "安全隐患"),
    ("dispute", "矛盾纠纷"),
    ("livelihood", "民生服务"),
)
MANAGERS = ("secretary", "grid-head")
REPORTERS = ("secretary", "grid-head", "grid-worker", "dept-staff", "volunteer")


async def assigned_to_me(ctx: RequestContext) -> Q:
    """Cases the caller acts on as assignee: dispatched to him or to a duty team of his, or
    referred to his district department."""
    if ctx.tenant is None and ctx.department_id is not None:
        return Q(assignee_kind=DISTRICT_DEPARTMENT, assignee=str(ctx.department_id))
    tenant, identity = ctx.require_tenant(), ctx.require_user()
    mine = Q(assignee=identity.username) & ~Q(assignee_kind="duty_team")
    if teams := await dispatch.teams_of(tenant.id, identity.username):
        mine |= Q(assignee_kind="duty_team", assignee__in=teams)
    return mine


def overdue() -> Q:
    """Cases with a deadline passed and its milestone unmet: the SLA scanner flagged one."""
    return (
        Q(overdue_on_scene_at__isnull=False) | Q(overdue_resolve_at__isnull=False) | Q(overdue_answer_at__isnull=False)
    )


async def visible(ctx: RequestContext) -> QuerySet[Case]:
    """Cases the caller may see: in his grid for managers and grid workers, dispatched to him
    or to a duty team of his for sinking staff, reported by him for volunteers; referred to his
    department, for a district department's staff."""
    if ctx.tenant is None and ctx.department_id is not None:
        ctx.require_role("dept-staff")
        return Case.filter(department_id=ctx.department_id)
    tenant = ctx.require_tenant()
    identity = ctx.require_user()
    query = Case.filter(tenant_id=tenant.id)
    grid_role = identity.has_any("secretary", "grid-head", "grid-worker")
    condition = path_filter(ctx, "node__path") if grid_role else None
    if grid_role and condition is None:
        return query  # the whole tenant: no need to look up his teams
    mine = await assigned_to_me(ctx) | Q(reporter=identity.username)
    return query.filter(mine) if condition is None else query.filter(condition | mine)


async def case_by_id(ctx: RequestContext, case_id: int) -> Case | None:
    """The case, when the caller may see it."""
    return await (await visible(ctx)).get_or_none(id=case_id)


async def ensure_default_categories(tenant_id: int) -> None:
    """The default taxonomy with the "3-1" deadlines (CaseCategory's defaults: on scene in 10
    minutes, solved in 1 hour, answered in 1 day), for a new tenant (tenant creation calls
    this). Idempotent: a category the tenant already has, perhaps with its own deadlines, is
    left as it is."""
    async with tenant_transaction(tenant_id):
        for code, name in DEFAULT_CATEGORIES:
            await CaseCategory.get_or_create(tenant_id=tenant_id, code=code, defaults={"name": name})


async def categories(ctx: RequestContext) -> list[CaseCategory]:
    tenant = ctx.require_tenant()
    return await CaseCategory.filter(tenant_id=tenant.id).order_by("id")


async def category_by_id(ctx: RequestContext, category_id: int) -> CaseCategory | None:
    """A category of the caller's tenant."""
    tenant = ctx.require_tenant()
    return await CaseCategory.get_or_none(tenant_id=tenant.id, id=category_id)


def _check_minutes(values: dict[str, int]) -> list[UserError]:
    return [
        UserError(name, "OUT_OF_RANGE", "minutes from 0 to 43200 (30 days)")
        for name, value in values.items()
        if not 0 <= value <= 43_200
    ]


def _require_street_secretary(ctx: RequestContext) -> None:
    ctx.require_role("secretary")
    if ctx.scope.kind is not ScopeKind.TENANT:
        raise Forbidden("only a tenant-wide secretary configures the case taxonomy")


async def set_category(
    ctx: RequestContext,
    *,
    code: str,
    name: str,
    on_scene: int,
    resolve: int,
    answer: int,
    self_handle: bool | None = None,
) -> CaseCategory:
    """Add or change a category; `self_handle` None keeps what it was (a new one: dispatched)."""
    tenant = ctx.require_tenant()
    _require_street_secretary(ctx)
    errors = _check_minutes({"onSceneMinutes": on_scene, "resolveMinutes": resolve, "answerMinutes": answer})
    errors += text_errors("name", name, 100, code="INVALID_NAME")
    if not code.replace("_", "").isalnum() or len(code) > 32:
        errors.append(UserError("code", "INVALID_CODE", "letters, digits and '_', at most 32"))
    if errors:
        raise InvalidInput(*errors)
    category, _ = await CaseCategory.update_or_create(
        tenant_id=tenant.id,
        code=code,
        defaults={
            "name": name.strip(),
            "on_scene_minutes": on_scene,
            "resolve_minutes": resolve,
            "answer_minutes": answer,
            **({} if self_handle is None else {"self_handle": self_handle}),
        },
    )
    return category


async def set_sla_rule(
    ctx: RequestContext, *, category_id: int, priority: str, on_scene: int, resolve: int, answer: int
) -> SlaRule:
    tenant = ctx.require_tenant()
    _require_street_secretary(ctx)
    errors = _check_minutes({"onSceneMinutes": on_scene, "resolveMinutes": resolve, "answerMinutes": answer})
    if priority not in PRIORITIES:
        errors.append(UserError("priority", "INVALID_PRIORITY", f"one of {', '.join(PRIORITIES)}"))
    category = await CaseCategory.get_or_none(tenant_id=tenant.id, id=category_id)
    if category is None:
        errors.append(UserError("categoryId", "NOT_FOUND", "no such category"))
    if errors:
        raise InvalidInput(*errors)
    rule, _ = await SlaRule.update_or_create(
        tenant_id=tenant.id,
        category=category,
        priority=priority,
        defaults={"on_scene_minutes": on_scene, "resolve_minutes": resolve, "answer_minutes": answer},
    )
    return rule


async def _deadlines(category: CaseCategory, priority: str, start: datetime) -> dict[str, datetime]:
    rule = await SlaRule.get_or_none(category_id=category.id, priority=priority)
    source: Any = rule or category
    return {
        "on_scene_due": start + timedelta(minutes=source.on_scene_minutes),
        "resolve_due": start + timedelta(minutes=source.resolve_minutes),
        "answer_due": start + timedelta(minutes=source.answer_minutes),
    }


async def people_of(case: Case) -> list[str]:
    """The usernames a case's events name, so their own subscriptions see them: who reported
    it and who acts as its assignee (each member of a dispatched duty team)."""
    acting = await dispatch.acting_usernames(case.tenant_id, case.assignee_kind, case.assignee)  # type: ignore[attr-defined]
    return [*acting, *([case.reporter] if case.reporter not in acting else [])]


def _event_payload(case: Case, people: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "id": case.id,
        "number": case.number,
        "title": case.title,
        "state": case.state,
        "version": case.version,
        "priority": case.priority,
        "escalation": case.escalation,
        "assignee": case.assignee,
        "people": people,
        **extra,
    }


async def report(
    ctx: RequestContext,
    *,
    title: str,
    category_id: int,
    source: str,
    node_id: int,
    priority: str = "normal",
    description: str = "",
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> Case:
    tenant = ctx.require_tenant()
    identity = ctx.require_role(*REPORTERS)
    errors = (
        text_errors("title", title, 200, code="INVALID_TITLE")
        + text_errors(
            "description",
            description,
            required=False,
            code="TOO_LONG",
            multiline=True,
        )
        + text_errors("address", address, required=False, code="TOO_LONG")
    )
    if source not in SOURCES:
        errors.append(UserError("source", "INVALID_SOURCE", f"one of {', '.join(SOURCES)}"))
    if priority not in PRIORITIES:
        errors.append(UserError("priority", "INVALID_PRIORITY", f"one of {', '.join(PRIORITIES)}"))
    if (latitude is None) != (longitude is None) or (
        latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)  # type: ignore[operator]
    ):
        errors.append(UserError("latitude", "INVALID_POINT", "give both latitude and longitude, in range"))
    category = await CaseCategory.get_or_none(tenant_id=tenant.id, id=category_id)
    if category is None:
        errors.append(UserError("categoryId", "NOT_FOUND", "no such category"))
    node = await GridNode.get_or_none(tenant_id=tenant.id, id=node_id, retired_at=None)
    grid_staff = identity.has_any("grid-head", "grid-worker") and not identity.has_any("secretary")
    if node is None or (grid_staff and not ctx.scope.covers(node.path)):  # outside his grid: as if missing
        errors.append(UserError("nodeId", "NOT_FOUND", "no such active grid node"))
    if errors:
        raise InvalidInput(*errors)
    assert node is not None and category is not None
    now = clock.now()  # real time but for the demo history's seeding clock
    deadlines: dict[str, Any] = await _deadlines(category, priority, now)  # `**`-passed: not `using_db`'s type
    case = await Case.create(
        tenant_id=tenant.id,
        number=uuid.uuid4().hex[:16],
        title=title.strip(),
        description=description,
        category=category,
        source=source,
        priority=priority,
        node=node,
        address=address,
        latitude=latitude,
        longitude=longitude,
        reporter=identity.username,
        created_at=now,
        **deadlines,
    )
    case.number = f"{tenant.slug.upper()[:8]}-{now:%Y%m%d}-{case.id:06d}"
    await case.save(update_fields=["number"])
    await CaseTransition.create(
        tenant_id=tenant.id,
        case=case,
        version=1,
        action="report",
        from_state=None,
        to_state="reported",
        actor=identity.username,
        note=description[:500],
        at=now,
    )
    await events.record(
        ctx, "cases", "case.created", _event_payload(case, await people_of(case), source=source), path=node.path
    )
    return case


async def may_manage(ctx: RequestContext, case: Case, path: str) -> bool:
    identity = ctx.require_user()
    if not ctx.scope.covers(path):
        return False
    if case.escalation == "grid":
        return identity.has_any(*MANAGERS)
    if case.escalation == "community":
        return identity.has_any("secretary")
    return identity.has_any("secretary") and ctx.scope.kind is ScopeKind.TENANT


async def _acting(case: Case) -> list[str]:
    """The usernames acting as the case's assignee (a team's members, a department's staff)."""
    return await dispatch.acting_usernames(case.tenant_id, case.assignee_kind, case.assignee)  # type: ignore[attr-defined]


async def _refusal(ctx: RequestContext, case: Case, action: str, acting: list[str]) -> str | None:
    """Why the caller may not `action` the case (its node loaded), whose state allows the
    action; None when he may. `acting`: the case's assignees, where the action asks."""
    identity = ctx.require_user()
    allowed = ACTIONS[action].actors
    is_manager = Actor.MANAGER in allowed and await may_manage(ctx, case, case.node.path)
    if action == "refer":  # the street's own decision: its tenant-wide secretary's
        is_manager = is_manager and ctx.scope.kind is ScopeKind.TENANT and identity.has_any("secretary")
    is_assignee = Actor.ASSIGNEE in allowed and identity.username in acting
    if case.assignee_kind == DISTRICT_DEPARTMENT:  # its staff, acting as the department's
        is_assignee = is_assignee and case.assignee == str(ctx.department_id)
    handles_it = Actor.GRID_WORKER in allowed and await _may_handle_himself(ctx, case, case.node.path)
    if not (is_manager or is_assignee or handles_it):
        return f"you may not {action} this case"
    if action == "verify" and identity.username in acting:  # a grid head who handled it himself
        return "whoever handled a case does not verify it: a manager above or beside him does"
    return None


async def allowed_actions(ctx: RequestContext, case_id: int) -> list[str]:
    """What the caller may do to the case now, by the rules `transition` applies (its state,
    his place and part in it); the inputs an action takes (an assignee, a rating) are checked
    when it is done. Empty for a case out of his sight."""
    case = await (await visible(ctx)).select_related("node").get_or_none(id=case_id)
    if case is None:
        return []
    acting = await _acting(case) if case.assignee else []

    async def permitted(action: str) -> bool:
        if target_state(action, case.state) is None or (action == "escalate" and case.escalation not in NEXT_LEVEL):
            return False
        try:
            return await _refusal(ctx, case, action, acting) is None
        except InvalidInput:  # a typed refusal (handle: the category's rule, the case's level)
            return False

    return [action for action in ACTIONS if await permitted(action)]


async def transition(
    ctx: RequestContext,
    case_id: int,
    action: str,
    *,
    version: int,
    note: str = "",
    assignee_kind: str | None = None,
    assignee: str | None = None,
    satisfaction: int | None = None,
    comment: str = "",
    department_id: int | None = None,
) -> Case:
    """Apply `action` to the case as it was at `version`. A stale version, an action the state
    does not allow, or an actor without the right is refused; nothing is half-applied.
    `refer` gives the case to `department_id`, a line department of the street's district,
    with the note as its reason."""
    identity = ctx.require_user()
    errors = (
        text_errors("note", note, 1000, required=False, code="TOO_LONG", multiline=True)
        + text_errors("comment", comment, 1000, required=False, code="TOO_LONG", multiline=True)
        + text_errors("assignee", assignee or "", 128, required=False, code="UNKNOWN_ASSIGNEE")
    )
    if errors:
        raise InvalidInput(*errors)
    case = await (await visible(ctx)).select_related("node").get_or_none(id=case_id)
    if case is None:
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such case"))
    if action not in ACTIONS:
        raise InvalidInput(UserError("action", "UNKNOWN_ACTION", f"one of {', '.join(ACTIONS)}"))
    if version != case.version:  # first: what the caller decided on is out of date
        raise InvalidInput(
            UserError(
                "version", "STALE_VERSION", f"the case changed since you read it: it is at version {case.version}"
            )
        )
    to_state = target_state(action, case.state)
    if to_state is None:
        raise InvalidInput(UserError("action", "ILLEGAL_TRANSITION", f"a {case.state} case cannot be {action}ed"))
    path = case.node.path
    # Who acts as its assignee: asked only where it matters (assignee actions, and verify,
    # which whoever handled the case may not do).
    acting = await _acting(case) if Actor.ASSIGNEE in ACTIONS[action].actors or action == "verify" else []
    refused = await _refusal(ctx, case, action, acting)
    if refused:
        raise Forbidden(refused)

    now = clock.now()  # real time but for the demo history's seeding clock
    changes: dict[str, Any] = {"state": to_state}
    if action == "dispatch":
        if assignee_kind == DISTRICT_DEPARTMENT:
            raise InvalidInput(
                UserError("assigneeKind", "REFER_INSTEAD", "a district department is given a case by refer")
            )
        kinds = [k for k in ASSIGNEE_KINDS if k != DISTRICT_DEPARTMENT]
        if assignee_kind not in kinds or not assignee:
            raise InvalidInput(
                UserError("assignee", "REQUIRED", f"dispatch needs an assignee of kind {', '.join(kinds)}")
            )
        await dispatch.check_assignee(case.tenant_id, assignee_kind, assignee, path)  # type: ignore[attr-defined]
        changes |= {"assignee_kind": assignee_kind, "assignee": assignee, "department_id": None}
    elif action == "refer":
        changes |= await _referral(case, department_id, note)
    elif action == "start":
        changes["on_scene_at"] = now
    elif action == "handle":  # he is on the scene: he found it, or came to it
        changes |= {"assignee_kind": "grid_worker", "assignee": identity.username, "on_scene_at": now}
    elif action == "resolve":
        changes["resolved_at"] = now
    elif action == "return" and to_state == "in_progress":  # the resolution was not good enough
        changes["resolved_at"] = None  # not resolved any more: the resolve deadline counts again
    elif action == "verify":
        if satisfaction is None or not 1 <= satisfaction <= 5:
            raise InvalidInput(UserError("satisfaction", "OUT_OF_RANGE", "the resident's satisfaction, 1 to 5"))
        changes |= {"answered_at": now, "satisfaction": satisfaction, "satisfaction_comment": comment[:1000]}
    elif action == "close":
        changes["closed_at"] = now
    elif action in ("return", "escalate") and to_state == "accepted":
        changes |= {"assignee_kind": None, "assignee": None}
        if ctx.department_id is None:  # a department handing it back still sees what it worked on
            changes["department_id"] = None
        if action == "escalate":
            if case.escalation not in NEXT_LEVEL:
                raise InvalidInput(UserError("action", "TOP_LEVEL", "the case is already with the line departments"))
            changes["escalation"] = NEXT_LEVEL[case.escalation]
    elif action == "reopen":
        category = await CaseCategory.get(id=case.category_id)  # type: ignore[attr-defined]
        deadlines = await _deadlines(category, case.priority, now)
        changes |= {  # back to be dispatched anew, as after a return: no assignee, no rating
            "closed_at": None,
            "resolved_at": None,
            "answered_at": None,
            "satisfaction": None,
            "satisfaction_comment": "",
            "assignee_kind": None,
            "assignee": None,
            "department_id": None,
            "resolve_due": deadlines["resolve_due"],
            "answer_due": deadlines["answer_due"],
            "overdue_resolve_at": None,
            "overdue_answer_at": None,
        }
    updated = await Case.filter(id=case.id, version=version).update(version=version + 1, **changes)
    if updated == 0:  # another hand won the race since we read it
        raise InvalidInput(UserError("version", "STALE_VERSION", "the case changed since you read it"))
    await CaseTransition.create(
        tenant_id=case.tenant_id,  # type: ignore[attr-defined]
        case_id=case.id,
        version=version + 1,
        action=action,
        from_state=case.state,
        to_state=to_state,
        actor=identity.username,
        note=note[:1000],
        at=now,
    )
    fresh = await Case.get(id=case.id)
    payload = _event_payload(
        fresh, await people_of(fresh), action=action, fromState=case.state, actor=identity.username
    )
    await announce(
        fresh, "case.transitioned", payload, path, departments=(department_with(case), department_with(fresh))
    )
    return fresh


async def _may_handle_himself(ctx: RequestContext, case: Case, path: str) -> bool:
    """Whether the caller takes the case himself (`handle`, workflow.self_handling_refusal):
    False for whom it is not (then Forbidden), a typed refusal where only the category or the
    case's level stands in his way."""
    identity = ctx.require_user()
    category = await CaseCategory.get(id=case.category_id)  # type: ignore[attr-defined]
    refusal = self_handling_refusal(
        grid_worker=identity.has_any("grid-worker") and ctx.tenant is not None,
        reported_it=case.reporter == identity.username,
        covers_it=ctx.scope.covers(path),
        category_allows=category.self_handle,
        escalation=case.escalation,
    )
    if refusal == NOT_A_HANDLER:
        return False
    if refusal == NOT_SELF_HANDLED:
        raise InvalidInput(
            UserError("action", refusal, f"{category.name}: its cases are dispatched, not handled by a grid worker")
        )
    if refusal is not None:
        raise InvalidInput(UserError("action", refusal, "the case has been escalated above the grid"))
    return True


def department_with(case: Case) -> int | None:
    """The district department the case is with, when it is with one."""
    return case.department_id if case.assignee_kind == DISTRICT_DEPARTMENT else None  # type: ignore[attr-defined]


async def announce(
    case: Case, type: str, payload: dict[str, Any], path: str, *, departments: tuple[int | None, ...] = ()
) -> None:
    """The case's event to its street (its grid path decides who there sees it) and to each
    district department it was or now is with: a department hears of nothing else."""
    tenant_id: int = case.tenant_id  # type: ignore[attr-defined]
    await events.record_in(tenant_id, events.topic_for(tenant_id, "cases"), type, payload, path=path)
    for department in dict.fromkeys(d for d in departments if d is not None):
        await events.record_in(tenant_id, events.department_topic(department), type, payload, path=path)


async def _referral(case: Case, department_id: int | None, reason: str) -> dict[str, Any]:
    """What `refer` changes: the case goes to a line department of the street's own district
    (NOT_FOUND for any other, as for one that does not exist), for a reason given."""
    errors = [] if reason.strip() else [UserError("note", "REQUIRED", "a referral says why: give it as the note")]
    tenant = await Tenant.get(id=case.tenant_id)  # type: ignore[attr-defined]
    department = (
        await DistrictDepartment.get_or_none(id=department_id, district_id=tenant.district_id)  # type: ignore[attr-defined]
        if department_id is not None
        else None
    )
    if department is None:
        errors.append(UserError("departmentId", "NOT_FOUND", "no such line department in the street's district"))
    if errors:
        raise InvalidInput(*errors)
    assert department is not None
    return {
        "assignee_kind": DISTRICT_DEPARTMENT,
        "assignee": str(department.id),
        "department_id": department.id,
        "escalation": "department",
    }
