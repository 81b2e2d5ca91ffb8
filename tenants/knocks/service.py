"""The volunteers' daily knock log (爱心敲门): the volunteer of a pairing records, for today or
yesterday, that the elder is well or needs help, with a short note; a daily job notifies the
grid workers serving the elder's node of each active pairing with no knock the day before,
once per pairing and day.

"Needs help" raises a case, reported by the volunteer at the elder's grid node in the
livelihood category (民生服务), with the note as its description, so the grid's managers see it
in their inbox and the 3-1 deadlines run; recording the day again (a retry from a phone, or a
correction) changes the knock, and never raises a second case."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from redgrid.platform import clock
from redgrid.platform.context import RequestContext
from redgrid.platform.database import tenant_transaction, unique_or
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.platform.models import Tenant
from redgrid.tenants.cases import service as cases
from redgrid.tenants.cases.models import CaseCategory
from redgrid.tenants.knocks.models import STATUSES, Knock, KnockScan
from redgrid.tenants.notices import service as notices
from redgrid.tenants.people import volunteers
from redgrid.tenants.people.models import Pairing
from redgrid.tenants.people.tags import LOCAL_TIME
from redgrid.tenants.workers import links

NOTE_CHARS = 500
HELP_CATEGORY = "livelihood"
HELP_TITLE = "爱心敲门：结对老人需要帮助"


def local_day(moment: datetime | None = None) -> date:
    """The street's date at `moment` (now by the services' clock)."""
    return (moment or clock.now()).astimezone(LOCAL_TIME).date()


async def record(
    ctx: RequestContext, pairing_id: int, *, status: str, note: str = "", day: date | None = None
) -> Knock:
    """The caller's knock at the door of his own active pairing's elder, on `day` (today by
    default; yesterday is still accepted). Anyone else's pairing is NOT_FOUND."""
    tenant, identity = ctx.require_tenant(), ctx.require_role("volunteer")
    today = local_day()
    day = day or today
    errors = text_errors("note", note, NOTE_CHARS, required=False, code="TOO_LONG", multiline=True)
    if status not in STATUSES:
        errors.append(UserError("status", "INVALID_STATUS", f"one of {', '.join(STATUSES)}"))
    if day not in (today, today - timedelta(days=1)):
        errors.append(UserError("day", "OUT_OF_RANGE", "today, or yesterday"))
    own = Pairing.filter(links.mine(identity.username, "volunteer__"), tenant_id=tenant.id, active=True)
    pairing = await own.select_related("resident__node").get_or_none(id=pairing_id)
    if pairing is None:
        errors.append(UserError("pairingId", "NOT_FOUND", "no such pairing of yours"))
    elif day < pairing.started_on:
        errors.append(UserError("day", "OUT_OF_RANGE", "before the pairing began"))
    if errors:
        raise InvalidInput(*errors)
    assert pairing is not None
    fields: dict[str, Any] = {
        "status": status,
        "note": note.strip(),
        "recorded_by": identity.username,
        "recorded_at": clock.now(),
    }
    knock = await Knock.get_or_none(tenant_id=tenant.id, pairing_id=pairing.id, day=day)
    if knock is None:
        async with unique_or(UserError("day", "DUPLICATE", "this day's knock was recorded meanwhile: send it again")):
            knock = await Knock.create(tenant_id=tenant.id, pairing=pairing, day=day, **fields)
    else:
        await knock.update_from_dict(fields).save()
    if status == "needs_help" and knock.case_id is None:  # type: ignore[attr-defined]
        category = await CaseCategory.filter(tenant_id=tenant.id).order_by("id").filter(code=HELP_CATEGORY).first()
        category = category or await CaseCategory.filter(tenant_id=tenant.id).order_by("id").first()
        if category is None:
            raise InvalidInput(UserError("status", "NO_CATEGORY", "the street has no case category to report in"))
        case = await cases.report(
            ctx,
            title=HELP_TITLE,
            category_id=category.id,
            source="patrol",
            node_id=pairing.resident.node.id,
            description=note.strip(),
        )
        knock.case = case
        await knock.save(update_fields=["case_id"])
    return knock


async def knocks_of(ctx: RequestContext, pairing_id: int) -> QuerySet[Knock]:
    """The knocks of a pairing the caller may see (tenants/people/volunteers.py: register roles
    in their grid, a volunteer his own); none for any other, as for one without knocks."""
    pairing = await volunteers.pairing_by_id(ctx, pairing_id)
    return Knock.filter(tenant_id=ctx.require_tenant().id, pairing_id=pairing.id if pairing else 0)


async def notify_missed(now: datetime | None = None) -> int:
    """The scheduler's job: for each tenant, once per day, notify the grid workers of every
    active pairing that had no knock yesterday (the street's date). Returns how many were
    notified."""
    day = local_day(now) - timedelta(days=1)
    notified = 0
    for tenant in await Tenant.all():
        async with tenant_transaction(tenant.id):
            try:  # first, so a second scanner of the same day waits here, then skips the tenant
                async with unique_or(UserError("day", "DUPLICATE", "scanned")):
                    await KnockScan.create(tenant_id=tenant.id, day=day, scanned_at=clock.now())
            except InvalidInput:
                continue
            knocked = Knock.filter(tenant_id=tenant.id, day=day).values("pairing_id")
            missed = (
                Pairing.filter(tenant_id=tenant.id, active=True, started_on__lte=day)
                .exclude(id__in=Subquery(knocked))
                .select_related("resident__node")
                .order_by("id")
            )
            for pairing in await missed:
                notified += len(await notices.missed_knock(pairing, day))
    return notified
