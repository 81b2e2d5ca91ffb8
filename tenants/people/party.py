"""Party members: the information card, the three cards that follow them (commitments,
service, activities), the points ledger (积分) and the public listing (亮身份).

Registering and carding members is the party side of the grid (secretaries and grid heads,
often the party group leader); the listing board is public inside the tenant, since it hangs
on the building's wall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from tortoise.queryset import QuerySet

from redgrid.platform import events
from redgrid.platform.context import RequestContext
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.platform.text import bad_character
from redgrid.tenants.grid import service as grid
from redgrid.tenants.grid.models import PartyOrganisation
from redgrid.tenants.people import service as people
from redgrid.tenants.people import tags
from redgrid.tenants.people.models import (
    ACTIVITY_KINDS,
    PARTY_CATEGORIES,
    Attendance,
    Commitment,
    PartyMember,
    PointsEntry,
    ServiceRecord,
)
from redgrid.tenants.people.privacy import Area, require_edit, require_registers, sees_registers
from redgrid.tenants.scope import in_scope, subtree

# What attending an activity adds to the points ledger, by kind of activity.
ATTENDANCE_POINTS = {"theme_party_day": 3, "volunteer_action": 2, "study": 2, "meeting": 1}
MAX_POINTS = 100  # one entry, either way
PHOTO_URL = re.compile(r"^https?://\S{1,490}$")


def members(ctx: RequestContext) -> QuerySet[PartyMember]:
    require_registers(ctx)
    return in_scope(ctx, PartyMember.all(), "resident__node__path")


async def member_by_id(ctx: RequestContext, member_id: int) -> PartyMember | None:
    """None too when the caller's role may not see registers: `node(id)` answers null."""
    return await members(ctx).get_or_none(id=member_id) if sees_registers(ctx) else None


async def commitment_by_id(ctx: RequestContext, commitment_id: int) -> Commitment | None:
    if not sees_registers(ctx):
        return None
    return await in_scope(ctx, Commitment.all(), "member__resident__node__path").get_or_none(id=commitment_id)


async def _member_for_write(ctx: RequestContext, member_id: int, field: str = "memberId") -> PartyMember:
    member = (
        await PartyMember.filter(tenant_id=ctx.require_tenant().id, id=member_id)
        .select_related("resident__node")
        .first()
    )
    if member is None or not ctx.scope.covers(member.resident.node.path):  # outside his grid: answered as if missing
        raise InvalidInput(UserError(field, "NOT_FOUND", "no such party member"))
    return member


def _check_past(field: str, day: date) -> list[UserError]:
    if day <= tags.today():
        return []
    return [UserError(field, "IN_FUTURE", "a date that has come")]


async def create_member(
    ctx: RequestContext, *, resident_id: int, organisation_id: int, category: str, joined_on: date
) -> PartyMember:
    """The organisation must sit on the resident's grid node or above it: a building's party
    group holds the members living there, the community's branch anyone in the community."""
    tenant = ctx.require_tenant()
    require_edit(ctx, Area.PARTY)
    errors = _check_past("joinedOn", joined_on)
    if category not in PARTY_CATEGORIES:
        errors.append(UserError("category", "INVALID_CATEGORY", f"category is one of {', '.join(PARTY_CATEGORIES)}"))
    if errors:
        raise InvalidInput(*errors)
    resident = await people.resident_for_write(ctx, resident_id, "residentId")
    organisation = (
        await PartyOrganisation.filter(tenant_id=tenant.id, id=organisation_id).select_related("node").first()
    )
    if organisation is None:
        raise InvalidInput(UserError("organisationId", "NOT_FOUND", "no such party organisation"))
    org_path, home = organisation.node.path, resident.node.path
    if not (home == org_path or home.startswith(org_path + ".")):
        raise InvalidInput(
            UserError("organisationId", "ORG_ELSEWHERE", "the organisation is not over the resident's grid node")
        )
    if await PartyMember.filter(tenant_id=tenant.id, resident_id=resident.id).exists():
        raise InvalidInput(UserError("residentId", "DUPLICATE", "the resident is already a party member"))
    member = await PartyMember.create(
        tenant_id=tenant.id, resident=resident, organisation=organisation, category=category, joined_on=joined_on
    )
    await events.record(ctx, "people", "people.party_member_registered", {"id": member.id}, path=home)
    await people.recolour(ctx, [resident.household_id])  # type: ignore[attr-defined]
    return member


async def add_commitment(ctx: RequestContext, member_id: int, *, content: str, deadline: date) -> Commitment:
    require_edit(ctx, Area.PARTY)
    errors = text_errors("content", content, 500, multiline=True)
    if errors:
        raise InvalidInput(*errors)
    member = await _member_for_write(ctx, member_id)
    commitment = await Commitment.create(
        tenant_id=member.tenant_id,  # type: ignore[attr-defined]
        member=member,
        content=content.strip(),
        deadline=deadline,
    )
    await events.record(
        ctx,
        "people",
        "people.commitment_made",
        {"id": commitment.id, "memberId": member.id},
        path=member.resident.node.path,
    )
    return commitment


async def verify_commitment(ctx: RequestContext, commitment_id: int) -> Commitment:
    """Mark a commitment kept, by the caller, now. Verifying twice keeps the first verification."""
    require_edit(ctx, Area.PARTY)
    commitment = (
        await Commitment.filter(tenant_id=ctx.require_tenant().id, id=commitment_id)
        .select_related("member__resident__node")
        .first()
    )
    # Outside his grid: answered as if missing.
    if commitment is None or not ctx.scope.covers(commitment.member.resident.node.path):
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such commitment"))
    path = commitment.member.resident.node.path
    if commitment.verified_at is None:
        commitment.verified_by = ctx.require_user().username
        commitment.verified_at = datetime.now(UTC)
        await commitment.save(update_fields=["verified_by", "verified_at"])
        await events.record(ctx, "people", "people.commitment_verified", {"id": commitment.id}, path=path)
    return commitment


async def add_service_record(
    ctx: RequestContext, member_id: int, *, served_on: date, content: str, hours: Decimal
) -> ServiceRecord:
    require_edit(ctx, Area.PARTY)
    errors = text_errors("content", content, 500, multiline=True) + _check_past("servedOn", served_on)
    if not (Decimal(0) < hours <= Decimal(24)) or hours != hours.quantize(Decimal("0.1")):
        errors.append(UserError("hours", "OUT_OF_RANGE", "more than 0 and at most 24 hours, in tenths"))
    if errors:
        raise InvalidInput(*errors)
    member = await _member_for_write(ctx, member_id)
    record = await ServiceRecord.create(
        tenant_id=member.tenant_id,  # type: ignore[attr-defined]
        member=member,
        served_on=served_on,
        content=content.strip(),
        hours=hours,
    )
    await events.record(
        ctx,
        "people",
        "people.service_recorded",
        {"id": record.id, "memberId": member.id},
        path=member.resident.node.path,
    )
    return record


async def record_attendance(ctx: RequestContext, member_id: int, *, title: str, held_on: date, kind: str) -> Attendance:
    """The activity card gets a line and the ledger the activity's points, together."""
    require_edit(ctx, Area.PARTY)
    errors = text_errors("title", title, 200) + _check_past("heldOn", held_on)
    if kind not in ACTIVITY_KINDS:
        errors.append(UserError("kind", "INVALID_KIND", f"kind is one of {', '.join(ACTIVITY_KINDS)}"))
    if errors:
        raise InvalidInput(*errors)
    member = await _member_for_write(ctx, member_id)
    title = title.strip()
    if await Attendance.filter(tenant_id=member.tenant_id, member_id=member.id, title=title, held_on=held_on).exists():  # type: ignore[attr-defined]
        raise InvalidInput(UserError("title", "DUPLICATE", "that attendance is already recorded"))
    attendance = await Attendance.create(
        tenant_id=member.tenant_id,  # type: ignore[attr-defined]
        member=member,
        title=title,
        held_on=held_on,
        kind=kind,
    )
    await PointsEntry.create(
        tenant_id=member.tenant_id,  # type: ignore[attr-defined]
        member=member,
        points=ATTENDANCE_POINTS[kind],
        reason=f"attended {held_on:%Y-%m-%d} {title}"[:200],
        recorded_by=ctx.require_user().username,
    )
    await events.record(
        ctx,
        "people",
        "people.attendance_recorded",
        {"id": attendance.id, "memberId": member.id},
        path=member.resident.node.path,
    )
    return attendance


async def add_points(ctx: RequestContext, member_id: int, *, points: int, reason: str) -> PointsEntry:
    """A ledger line, positive or negative; the balance is always the ledger's sum."""
    require_edit(ctx, Area.PARTY)
    errors = text_errors("reason", reason, 200)
    if points == 0 or abs(points) > MAX_POINTS:
        errors.append(UserError("points", "OUT_OF_RANGE", f"between -{MAX_POINTS} and {MAX_POINTS}, not 0"))
    if errors:
        raise InvalidInput(*errors)
    member = await _member_for_write(ctx, member_id)
    entry = await PointsEntry.create(
        tenant_id=member.tenant_id,  # type: ignore[attr-defined]
        member=member,
        points=points,
        reason=reason.strip(),
        recorded_by=ctx.require_user().username,
    )
    await events.record(
        ctx, "people", "people.points_added", {"id": entry.id, "memberId": member.id}, path=member.resident.node.path
    )
    return entry


async def set_listing(
    ctx: RequestContext,
    member_id: int,
    *,
    listed: bool,
    photo_url: str = "",
    duties: str = "",
    phone_public: bool = False,
) -> PartyMember:
    """Put a member on (or take him off) his building's board, with photo and duties; his
    phone shows there only with `phone_public`, his consent."""
    require_edit(ctx, Area.PARTY)
    errors = text_errors("duties", duties, 300, required=False, code="TOO_LONG", multiline=True)
    if photo_url and (not PHOTO_URL.match(photo_url) or bad_character(photo_url)):
        errors.append(UserError("photoUrl", "INVALID_URL", "an http(s) address, at most 500 characters"))
    if errors:
        raise InvalidInput(*errors)
    member = await _member_for_write(ctx, member_id)
    member.listed, member.photo_url, member.duties = listed, photo_url, duties.strip()
    member.phone_public = phone_public
    await member.save(update_fields=["listed", "photo_url", "duties", "phone_public"])
    await events.record(
        ctx, "people", "people.listing_changed", {"id": member.id, "listed": listed}, path=member.resident.node.path
    )
    return member


@dataclass(frozen=True)
class BoardEntry:
    """One member on a building's board: what the wall shows, nothing more."""

    member_id: int
    name: str
    photo_url: str
    phone: str | None
    duties: str
    category: str


async def listing_board(ctx: RequestContext, node_id: int) -> list[BoardEntry]:
    """The listed members living in the node's subtree, by name: the board is public inside the
    tenant, whatever the caller's role or grid."""
    tenant = ctx.require_tenant()
    node = await grid.node_by_id(ctx, node_id)
    if node is None:
        return []
    listed = (
        await PartyMember.filter(tenant_id=tenant.id, listed=True)
        .filter(subtree("resident__node__path", node.path))
        .select_related("resident")
        .order_by("resident__name", "id")
    )
    return [
        BoardEntry(
            m.id,
            m.resident.name,
            m.photo_url,
            m.resident.phone if m.phone_public and m.resident.phone else None,
            m.duties,
            m.category,
        )
        for m in listed
    ]
