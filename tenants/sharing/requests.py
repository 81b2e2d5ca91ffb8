"""Requests between streets: requested → approved or declined (the offering side) → scheduled →
delivered, then each side rates the other once; cancelled by either side before delivery.

The requesting street writes the row; the offering street reads and moves it through the
sharing policy on `share_request` (tenants/sharing/models.py), and neither sees the other's
anything else. Each step is one conditional UPDATE on the status it leaves, so two clicks (or
two clerks of the two streets) apply one step once; the other gets ILLEGAL_TRANSITION.

A venue's request holds its slot from the moment it is made: the exclusion constraint refuses
an overlapping holding request of the same venue from any street (SLOT_TAKEN), however many
arrive at once. Goods leave the resource when delivered, by an UPDATE that only applies while
enough are left (OUT_OF_STOCK otherwise), so the count never goes below zero.

Both streets hear every step on their SHARING events (`sharing.*`, payload ids only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from redgrid.platform import events
from redgrid.platform.context import Forbidden, RequestContext
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.tenants.sharing import catalogue
from redgrid.tenants.sharing.access import is_secretary, keeps_unit, require_sharing
from redgrid.tenants.sharing.models import HOLDING, ResourceShare, ShareRequest
from redgrid.tenants.units.models import UnitResource

RATINGS = range(1, 6)
MAX_SLOT = timedelta(days=7)
MAX_AHEAD = timedelta(days=366)
SLOT_TAKEN = UserError("slotStart", "SLOT_TAKEN", "the venue is already booked for part of that time")


def requests(ctx: RequestContext) -> QuerySet[ShareRequest]:
    """The requests the caller sees: his street's and those made of his street, a unit
    contact only those he made and those of his unit."""
    require_sharing(ctx)
    tenant = ctx.require_tenant()
    query = ShareRequest.filter(Q(tenant_id=tenant.id) | Q(owner_tenant_id=tenant.id))
    if not is_secretary(ctx):
        mine = Q(tenant_id=tenant.id, requested_by=ctx.require_user().username)
        query = query.filter(mine | Q(owner_tenant_id=tenant.id, owner_unit_id=ctx.unit_id or -1))
    return query


async def request_by_id(ctx: RequestContext, request_id: int) -> ShareRequest | None:
    return await requests(ctx).get_or_none(id=request_id)


@dataclass(frozen=True)
class Asked:
    note: str = ""
    quantity: int | None = None
    slot_start: datetime | None = None
    slot_end: datetime | None = None


def _check(share: ResourceShare, a: Asked, now: datetime) -> list[UserError]:
    errors = text_errors("note", a.note, 500, required=False, multiline=True)
    if share.kind == "venue":
        if a.slot_start is None or a.slot_end is None:
            errors.append(UserError("slotStart", "REQUIRED", "a venue is booked for a time: slotStart and slotEnd"))
        elif not (now < a.slot_start < a.slot_end <= a.slot_start + MAX_SLOT) or a.slot_start > now + MAX_AHEAD:
            errors.append(
                UserError(
                    "slotEnd", "OUT_OF_RANGE", "a slot starts within a year, ends after it starts, lasts at most 7 days"
                )
            )
    elif a.slot_start is not None or a.slot_end is not None:
        errors.append(UserError("slotStart", "NOT_A_VENUE", "only a venue is booked for a time"))
    if share.quantity is not None:
        if a.quantity is None or not 1 <= a.quantity <= catalogue.MAX_QUANTITY:
            errors.append(UserError("quantity", "OUT_OF_RANGE", "how many, at least 1"))
        elif a.quantity > share.quantity:
            errors.append(UserError("quantity", "OUT_OF_STOCK", f"only {share.quantity} left"))
    elif a.quantity is not None:
        errors.append(UserError("quantity", "NOT_COUNTED", "this resource is not counted"))
    return errors


async def make_request(ctx: RequestContext, share_id: int, asked: Asked) -> ShareRequest:
    """The caller's street asks for a catalogue row it may read (NOT_FOUND otherwise)."""
    require_sharing(ctx)
    tenant = ctx.require_tenant()
    share = await catalogue.share_by_id(ctx, share_id)
    if share is None:
        raise InvalidInput(UserError("shareId", "NOT_FOUND", "no such resource in the catalogue"))
    if errors := _check(share, asked, datetime.now(UTC)):
        raise InvalidInput(*errors)
    try:
        async with in_transaction("default"):  # a savepoint: the refusal leaves the request's transaction usable
            row = await ShareRequest.create(
                tenant_id=tenant.id,
                share_id=share.id,
                owner_tenant_id=share.tenant_id,  # type: ignore[attr-defined]
                resource_id=share.resource_id,  # type: ignore[attr-defined]
                owner_unit_id=share.unit_id,
                requester_name=tenant.name,
                requested_by=ctx.require_user().username,
                note=asked.note.strip(),
                quantity=asked.quantity,
                slot_start=asked.slot_start,
                slot_end=asked.slot_end,
            )
            if share.kind == "venue" and await _overlaps(row):  # the embedded default's SQLite has no constraint
                raise InvalidInput(SLOT_TAKEN)
    except IntegrityError as exc:
        if "no_double_booking" not in str(exc) and "exclusion" not in str(exc).lower():
            raise
        raise InvalidInput(SLOT_TAKEN) from None
    await _announce(row, "sharing.requested")
    return row


async def _overlaps(row: ShareRequest) -> bool:
    return (
        await ShareRequest.filter(
            resource_id=row.resource_id,
            status__in=HOLDING,
            slot_start__lt=row.slot_end,
            slot_end__gt=row.slot_start,
        )
        .exclude(id=row.id)
        .exists()
    )


@dataclass(frozen=True)
class Step:
    action: str
    sources: tuple[str, ...]
    target: str
    side: str  # owner, requester or either


STEPS = {
    s.action: s
    for s in (
        Step("approve", ("requested",), "approved", "owner"),
        Step("decline", ("requested",), "declined", "owner"),
        Step("schedule", ("approved",), "scheduled", "owner"),
        Step("deliver", ("scheduled",), "delivered", "owner"),
        Step("cancel", HOLDING, "cancelled", "either"),
    )
}


def _sides(ctx: RequestContext, row: ShareRequest) -> set[str]:
    """Which sides of the request the caller may act for."""
    tenant = ctx.require_tenant()
    sides = set()
    if row.tenant_id == tenant.id and (is_secretary(ctx) or row.requested_by == ctx.require_user().username):  # type: ignore[attr-defined]
        sides.add("requester")
    if row.owner_tenant_id == tenant.id and keeps_unit(ctx, row.owner_unit_id):
        sides.add("owner")
    return sides


async def _for_step(ctx: RequestContext, request_id: int) -> ShareRequest:
    row = await request_by_id(ctx, request_id)
    if row is None:
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such request"))
    return row


async def advance(
    ctx: RequestContext,
    request_id: int,
    action: str,
    *,
    reason: str = "",
    scheduled_for: datetime | None = None,
) -> ShareRequest:
    """Take one step of the request (STEPS) as the side the caller acts for."""
    step = STEPS[action]
    row = await _for_step(ctx, request_id)
    sides = _sides(ctx, row)
    if not sides or (step.side != "either" and step.side not in sides):
        raise Forbidden(f"only the {'offering' if step.side == 'owner' else 'requesting'} side does this")
    errors = text_errors("reason", reason, 500, required=action in ("decline", "cancel"), multiline=True)
    if errors:
        raise InvalidInput(*errors)
    now = datetime.now(UTC)
    changes: dict[str, object] = {"status": step.target, "version": F("version") + 1}
    if action in ("decline", "cancel"):
        changes["reason"] = reason.strip()
    if action in ("approve", "decline"):
        changes["decided_at"] = now
    if action == "cancel":
        changes["cancelled_at"] = now
    if action == "schedule":
        when = scheduled_for or row.slot_start
        if when is None:
            raise InvalidInput(UserError("scheduledFor", "REQUIRED", "when it will be delivered"))
        changes["scheduled_for"] = when
    if action == "deliver":
        changes["delivered_at"] = now
    async with in_transaction("default"):  # a savepoint: goods short undo the step, and the caller goes on
        if not await ShareRequest.filter(id=row.id, status__in=step.sources).update(**changes):
            await row.refresh_from_db(fields=["status"])
            raise InvalidInput(
                UserError("id", "ILLEGAL_TRANSITION", f"a request that is {row.status} cannot be {step.target}")
            )
        if action == "deliver" and row.quantity is not None:
            await _take_goods(row)
    await row.refresh_from_db()
    await _announce(row, f"sharing.{step.target}")
    return row


async def _take_goods(row: ShareRequest) -> None:
    """The goods delivered leave the resource and its catalogue row, while enough are left."""
    assert row.quantity is not None
    taken = await UnitResource.filter(
        tenant_id=row.owner_tenant_id, id=row.resource_id, quantity__gte=row.quantity
    ).update(quantity=F("quantity") - row.quantity)
    if not taken:
        raise InvalidInput(UserError("id", "OUT_OF_STOCK", "not enough left to deliver this request"))
    await ResourceShare.filter(tenant_id=row.owner_tenant_id, resource_id=row.resource_id).update(
        quantity=F("quantity") - row.quantity
    )


async def rate(ctx: RequestContext, request_id: int, rating: int) -> ShareRequest:
    """Once delivered, each side rates the other once, 1 to 5: the requesting street the
    delivery, the offering side the requester."""
    if rating not in RATINGS:
        raise InvalidInput(UserError("rating", "OUT_OF_RANGE", "a rating from 1 to 5"))
    row = await _for_step(ctx, request_id)
    sides = _sides(ctx, row)
    if not sides:
        raise Forbidden("only the two sides of a request rate it")
    rated = False
    for side in sorted(sides, reverse=True):  # requester first, should the caller be both
        column = f"{side}_rating"
        if await ShareRequest.filter(id=row.id, status="delivered", **{f"{column}__isnull": True}).update(
            **{column: rating, "version": F("version") + 1}
        ):
            rated = True
            break
    if not rated:
        raise InvalidInput(
            UserError("id", "ILLEGAL_TRANSITION", "only a delivered request is rated, once by each side")
        )
    await row.refresh_from_db()
    await _announce(row, "sharing.rated")
    return row


async def _announce(row: ShareRequest, type: str) -> None:
    """The step, to both streets' SHARING events (once when they are one street)."""
    payload = {"requestId": str(row.id), "status": row.status, "version": row.version}
    for tenant_id in dict.fromkeys((row.tenant_id, row.owner_tenant_id)):  # type: ignore[attr-defined]
        await events.record_in(tenant_id, events.topic_for(tenant_id, "sharing"), type, payload, path=None)
