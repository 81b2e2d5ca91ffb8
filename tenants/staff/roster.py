"""The duty roster: shifts per grid node or station, check-in and check-out, who is on duty now.

A shift is planned by a secretary or grid head whose grid covers its node, for one person (a
sinking staff member or any user, by Keycloak username) who may hold no two shifts at once.
Only that person checks in and out, at the server's time, with an optional position.
Every change is a `roster` event on the shift's grid path that names the person among its
`people`, so his own subscription sees it wherever his grid scope is.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from redgrid.platform import events
from redgrid.platform.context import Forbidden, RequestContext
from redgrid.platform.database import connection, is_postgres
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.tenants.grid.models import GridNode, ServiceStation
from redgrid.tenants.people.volunteers import USERNAME
from redgrid.tenants.scope import path_filter
from redgrid.tenants.staff.models import DutyShift, SinkingStaff
from redgrid.tenants.staff.service import EDITORS, editable_node, on_one_line

MAX_SHIFT = timedelta(hours=24)
EARLY_CHECK_IN = timedelta(hours=1)  # a person may check in this long before his shift starts
LOCK_NAMESPACE = 0x5245  # the first key of the roster's advisory locks ("RE")


def shifts(ctx: RequestContext) -> QuerySet[DutyShift]:
    """Shifts in the caller's grid subtree, and the caller's own wherever they are."""
    tenant = ctx.require_tenant()
    own = Q(assignee_username=ctx.require_user().username)
    condition = path_filter(ctx, "node__path")
    query = DutyShift.filter(tenant_id=tenant.id)
    return query if condition is None else query.filter(condition | own)


def on_duty_now(ctx: RequestContext, now: datetime | None = None) -> QuerySet[DutyShift]:
    """Shifts under way that their person has checked in to and not yet out of."""
    now = now or datetime.now(UTC)
    return shifts(ctx).filter(
        starts_at__lte=now,
        ends_at__gt=now,
        cancelled_at=None,
        checked_in_at__isnull=False,
        checked_out_at=None,
    )


async def shift_by_id(ctx: RequestContext, shift_id: int) -> DutyShift | None:
    return await shifts(ctx).get_or_none(id=shift_id)


def _payload(shift: DutyShift, node: GridNode, *usernames: str, **extra: Any) -> dict[str, Any]:
    """Ids and times only, and the people the event concerns (the person, and on a change of
    person also the one taken off)."""
    people = sorted({u for u in (shift.assignee_username, *usernames) if u})
    return {
        "id": shift.id,
        "nodeId": node.id,
        "stationId": shift.station_id,  # type: ignore[attr-defined]
        "staffId": shift.staff_id,  # type: ignore[attr-defined]
        "username": shift.assignee_username or None,
        "startsAt": shift.starts_at.isoformat(),
        "endsAt": shift.ends_at.isoformat(),
        "people": people,
        **extra,
    }


async def _lock_person(tenant_id: int, person: str) -> None:
    """Serialise plans for one person to the end of the transaction, so two concurrent ones
    cannot both pass the overlap check (SQLite's single writer does this by itself)."""
    conn = connection()
    if is_postgres(conn):
        await conn.execute_query(
            "SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_NAMESPACE, f"{tenant_id}:{person}"]
        )


async def _plan(
    ctx: RequestContext,
    *,
    node_id: int,
    starts_at: datetime,
    ends_at: datetime,
    station_id: int | None,
    staff_id: int | None,
    username: str | None,
    replacing: int | None = None,
) -> tuple[dict[str, Any], GridNode]:
    """Validate a shift's plan; the fields to write and the node. All input errors are reported at once."""
    tenant = ctx.require_tenant()
    errors: list[UserError] = []
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        errors.append(
            UserError("startsAt", "NO_TIMEZONE", "give times with their offset, e.g. 2025-05-01T08:00:00+08:00")
        )
    elif ends_at <= starts_at:
        errors.append(UserError("endsAt", "ENDS_BEFORE_START", "a shift ends after it starts"))
    elif ends_at - starts_at > MAX_SHIFT:
        errors.append(UserError("endsAt", "TOO_LONG", "a shift lasts at most 24 hours"))
    if (staff_id is None) == (not username):
        errors.append(UserError("staffId", "ONE_PERSON", "give either a staff member or a username"))
    elif username and not USERNAME.match(username):
        errors.append(
            UserError(
                "username", "INVALID_USERNAME", "a Keycloak username: lower-case letters, digits, '.', '_', '@', '-'"
            )
        )
    if errors:
        raise InvalidInput(*errors)
    node = await editable_node(ctx, node_id)
    station = None
    if station_id is not None:
        station = await ServiceStation.filter(tenant_id=tenant.id, id=station_id).select_related("node").first()
        if station is None:
            raise InvalidInput(UserError("stationId", "NOT_FOUND", "no such service station"))
        if not (station.node.path == node.path or station.node.path.startswith(node.path + ".")):
            raise InvalidInput(
                UserError("stationId", "NOT_UNDER_NODE", "the station is not on the shift's grid node or below it")
            )
    person = None
    if staff_id is not None:
        person = await SinkingStaff.filter(tenant_id=tenant.id, id=staff_id).select_related("node").first()
        if person is None:
            raise InvalidInput(UserError("staffId", "NOT_FOUND", "no such staff member"))
        if not on_one_line(person.node.path, node.path):
            raise InvalidInput(UserError("staffId", "NOT_SERVING", "the staff member does not serve that grid node"))
        username = person.username
    else:
        person = await SinkingStaff.get_or_none(tenant_id=tenant.id, username=username)
    key = username or f"staff:{person.id}"  # type: ignore[union-attr]
    await _lock_person(tenant.id, key)
    same_person = Q(assignee_username=username) if username else Q(staff_id=person.id)  # type: ignore[union-attr]
    clash = (
        await DutyShift.filter(
            same_person,
            tenant_id=tenant.id,
            cancelled_at=None,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .exclude(id=replacing or 0)
        .first()
    )
    if clash is not None:
        who = username or person.name  # type: ignore[union-attr]
        raise InvalidInput(
            UserError(
                "startsAt",
                "OVERLAPPING_SHIFT",
                f"{who} already has a shift from {clash.starts_at.isoformat()} to {clash.ends_at.isoformat()}",
            )
        )
    return {
        "node_id": node.id,
        "station_id": station.id if station else None,
        "staff_id": person.id if person else None,
        "assignee_username": username or "",
        "starts_at": starts_at,
        "ends_at": ends_at,
    }, node


async def create_shift(
    ctx: RequestContext,
    *,
    node_id: int,
    starts_at: datetime,
    ends_at: datetime,
    station_id: int | None = None,
    staff_id: int | None = None,
    username: str | None = None,
) -> DutyShift:
    plan, node = await _plan(
        ctx,
        node_id=node_id,
        starts_at=starts_at,
        ends_at=ends_at,
        station_id=station_id,
        staff_id=staff_id,
        username=username,
    )
    shift = await DutyShift.create(tenant_id=ctx.require_tenant().id, **plan)
    await events.record(ctx, "roster", "roster.shift_created", _payload(shift, node), path=node.path)
    return shift


async def _planned(ctx: RequestContext, shift_id: int) -> DutyShift:
    """A shift the caller may re-plan: in his grid, not cancelled, not yet checked in to."""
    ctx.require_role(*EDITORS)
    shift = await DutyShift.filter(tenant_id=ctx.require_tenant().id, id=shift_id).select_related("node").first()
    if shift is None or not ctx.scope.covers(shift.node.path):  # outside his grid: answered as if missing
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such shift"))
    await editable_node(ctx, shift.node_id, "id")  # type: ignore[attr-defined]
    if shift.cancelled_at is not None:
        raise InvalidInput(UserError("id", "CANCELLED", "the shift is cancelled"))
    if shift.checked_in_at is not None:
        raise InvalidInput(UserError("id", "UNDER_WAY", "the person has checked in to this shift"))
    return shift


async def change_shift(
    ctx: RequestContext,
    shift_id: int,
    *,
    node_id: int | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    station_id: int | None = None,
    clear_station: bool = False,
    staff_id: int | None = None,
    username: str | None = None,
) -> DutyShift:
    """Change what is given of a shift not yet checked in to; a new person replaces the old."""
    shift = await _planned(ctx, shift_id)
    new_person = staff_id is not None or bool(username)
    plan, node = await _plan(
        ctx,
        node_id=node_id or shift.node_id,  # type: ignore[attr-defined]
        starts_at=starts_at or shift.starts_at,
        ends_at=ends_at or shift.ends_at,
        station_id=None if clear_station else station_id or shift.station_id,  # type: ignore[attr-defined]
        staff_id=staff_id if new_person else shift.staff_id,  # type: ignore[attr-defined]
        username=username if new_person else (None if shift.staff_id else shift.assignee_username),  # type: ignore[attr-defined]
        replacing=shift.id,
    )
    before = shift.assignee_username
    # Conditional: a check-in that won the race since we read the shift keeps its shift.
    if await DutyShift.filter(id=shift.id, checked_in_at=None, cancelled_at=None).update(**plan) == 0:
        raise InvalidInput(UserError("id", "UNDER_WAY", "the person has checked in to this shift"))
    fresh = await DutyShift.get(id=shift.id)
    await events.record(ctx, "roster", "roster.shift_changed", _payload(fresh, node, before), path=node.path)
    return fresh


async def cancel_shift(ctx: RequestContext, shift_id: int) -> DutyShift:
    shift = await _planned(ctx, shift_id)
    now = datetime.now(UTC)
    if await DutyShift.filter(id=shift.id, checked_in_at=None, cancelled_at=None).update(cancelled_at=now) == 0:
        raise InvalidInput(UserError("id", "UNDER_WAY", "the person has checked in to this shift"))
    fresh = await DutyShift.get(id=shift.id)
    await events.record(ctx, "roster", "roster.shift_cancelled", _payload(fresh, shift.node), path=shift.node.path)
    return fresh


def _check_point(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None) or (
        latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)  # type: ignore[operator]
    ):
        raise InvalidInput(UserError("latitude", "INVALID_POINT", "give both latitude and longitude, in range"))


async def _own_shift(ctx: RequestContext, shift_id: int) -> DutyShift:
    identity = ctx.require_user()
    shift = await shifts(ctx).select_related("node").get_or_none(id=shift_id)
    if shift is None:
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such shift"))
    if not shift.assignee_username or shift.assignee_username != identity.username:
        raise Forbidden("only the person on the shift checks in and out")
    if shift.cancelled_at is not None:
        raise InvalidInput(UserError("id", "CANCELLED", "the shift is cancelled"))
    return shift


async def check_in(
    ctx: RequestContext, shift_id: int, *, latitude: float | None = None, longitude: float | None = None
) -> DutyShift:
    """The person starts his shift now (from an hour before it starts until it ends), once."""
    _check_point(latitude, longitude)
    shift = await _own_shift(ctx, shift_id)
    now = datetime.now(UTC)
    if now < shift.starts_at - EARLY_CHECK_IN:
        raise InvalidInput(UserError("id", "TOO_EARLY", "check in at most an hour before the shift starts"))
    if now >= shift.ends_at:
        raise InvalidInput(UserError("id", "SHIFT_OVER", "the shift has ended"))
    done = await DutyShift.filter(id=shift.id, checked_in_at=None, cancelled_at=None).update(
        checked_in_at=now,
        check_in_latitude=latitude,
        check_in_longitude=longitude,
    )
    if done == 0:
        raise InvalidInput(UserError("id", "ALREADY_CHECKED_IN", "you have checked in to this shift"))
    fresh = await DutyShift.get(id=shift.id)
    await events.record(
        ctx, "roster", "roster.checked_in", _payload(fresh, shift.node, at=now.isoformat()), path=shift.node.path
    )
    return fresh


async def check_out(
    ctx: RequestContext, shift_id: int, *, latitude: float | None = None, longitude: float | None = None
) -> DutyShift:
    """The person ends his shift now, once, after checking in (also after the planned end)."""
    _check_point(latitude, longitude)
    shift = await _own_shift(ctx, shift_id)
    if shift.checked_in_at is None:
        raise InvalidInput(UserError("id", "NOT_CHECKED_IN", "check in before you check out"))
    now = datetime.now(UTC)
    done = await DutyShift.filter(id=shift.id, checked_in_at__isnull=False, checked_out_at=None).update(
        checked_out_at=now,
        check_out_latitude=latitude,
        check_out_longitude=longitude,
    )
    if done == 0:
        raise InvalidInput(UserError("id", "ALREADY_CHECKED_OUT", "you have checked out of this shift"))
    fresh = await DutyShift.get(id=shift.id)
    await events.record(
        ctx, "roster", "roster.checked_out", _payload(fresh, shift.node, at=now.isoformat()), path=shift.node.path
    )
    return fresh
