"""Residents and households: reading them in the caller's grid, registering and changing them.

Every write validates all its input before it writes anything, checks the caller's grid
covers each node it touches, and refreshes the colour of every household it may recolour.
Events carry ids only: the outbox is replayed to every subscriber of the grid, and personal
data has no business there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from tortoise.queryset import QuerySet

from redgrid.platform import events
from redgrid.platform.context import RequestContext
from redgrid.platform.database import unique_or
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.tenants.grid import service as grid
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.people import colour, idcard, tags
from redgrid.tenants.people.models import HOUSEHOLD_KINDS, SEXES, TYPED_TAGS, Household, Resident
from redgrid.tenants.people.privacy import Area, require_edit, require_registers, sees_registers
from redgrid.tenants.phones import phone_error
from redgrid.tenants.scope import in_scope


def residents(ctx: RequestContext) -> QuerySet[Resident]:
    require_registers(ctx)
    return in_scope(ctx, Resident.all(), "node__path")


def households(ctx: RequestContext) -> QuerySet[Household]:
    require_registers(ctx)
    return in_scope(ctx, Household.all(), "node__path")


async def resident_by_id(ctx: RequestContext, resident_id: int) -> Resident | None:
    """None too when the caller's role may not see registers: `node(id)` answers null."""
    return await residents(ctx).get_or_none(id=resident_id) if sees_registers(ctx) else None


async def household_by_id(ctx: RequestContext, household_id: int) -> Household | None:
    return await households(ctx).get_or_none(id=household_id) if sees_registers(ctx) else None


async def recolour(ctx: RequestContext, household_ids: list[int | None]) -> None:
    for change in await colour.refresh(ctx.require_tenant().id, household_ids):
        await events.record(
            ctx,
            "people",
            "people.household_colour_changed",
            {"id": change.household_id, "colour": change.colour},
            path=change.path,
        )


async def node_for_write(ctx: RequestContext, node_id: int, field: str = "nodeId") -> GridNode:
    """An active grid node the caller's grid covers; NOT_FOUND or RETIRED as user errors."""
    node = await grid.node_by_id(ctx, node_id)
    if node is None or not ctx.scope.covers(node.path):  # outside his grid: answered as if missing
        raise InvalidInput(UserError(field, "NOT_FOUND", "no such grid node"))
    if node.retired_at is not None:
        raise InvalidInput(UserError(field, "RETIRED", "that grid node is retired"))
    return node


async def resident_for_write(ctx: RequestContext, resident_id: int, field: str = "id") -> Resident:
    """The resident with his node, when the caller's grid covers him."""
    tenant = ctx.require_tenant()
    resident = await Resident.filter(tenant_id=tenant.id, id=resident_id).select_related("node").first()
    if resident is None or not ctx.scope.covers(resident.node.path):  # outside his grid: answered as if missing
        raise InvalidInput(UserError(field, "NOT_FOUND", "no such resident"))
    return resident


async def _household_for_write(ctx: RequestContext, household_id: int, field: str = "id") -> Household:
    tenant = ctx.require_tenant()
    household = await Household.filter(tenant_id=tenant.id, id=household_id).select_related("node").first()
    if household is None or not ctx.scope.covers(household.node.path):  # outside his grid: answered as if missing
        raise InvalidInput(UserError(field, "NOT_FOUND", "no such household"))
    return household


@dataclass(slots=True)  # not frozen: an import makes one per row, and frozen took three times as long
class Person:
    """What a caller may type about a resident; None leaves a value as it is."""

    name: str | None = None
    id_number: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    tags: list[str] | None = None


def check_person(p: Person, today: date) -> tuple[list[UserError], dict[str, Any]]:
    """The errors in `p`, and the column values it sets (birth date and sex from the ID)."""
    errors: list[UserError] = []
    values: dict[str, Any] = {}
    if p.name is not None:
        errors += text_errors("name", p.name, 100, code="INVALID_NAME")
        values["name"] = p.name.strip()
    if p.sex is not None and p.sex not in SEXES:
        errors.append(UserError("sex", "INVALID_SEX", f"sex is one of {', '.join(SEXES)}"))
    if p.birth_date is not None and not idcard.EARLIEST_BIRTH <= p.birth_date <= today:
        errors.append(UserError("birthDate", "OUT_OF_RANGE", "a birth date between 1900 and today"))
    if p.id_number:
        try:
            card = idcard.parse(p.id_number, today)
        except ValueError as exc:
            errors.append(UserError("idNumber", "INVALID_ID_NUMBER", str(exc)))
        else:
            if p.sex is not None and p.sex != card.sex:
                errors.append(UserError("sex", "ID_MISMATCH", "the ID-card number says otherwise"))
            if p.birth_date is not None and p.birth_date != card.birth_date:
                errors.append(UserError("birthDate", "ID_MISMATCH", "the ID-card number says otherwise"))
            values.update(id_number=card.number, birth_date=card.birth_date, sex=card.sex)
    else:
        values.update({k: v for k, v in (("sex", p.sex), ("birth_date", p.birth_date)) if v is not None})
    if p.phone is not None:
        phone = p.phone.strip()
        error = phone_error(phone)
        if error:
            errors.append(error)
        values["phone"] = phone
    if p.tags is not None:
        for tag in p.tags:
            if tag in tags.AGE_TAGS:
                errors.append(UserError("tags", "DERIVED_TAG", f"{tag} follows from the birth date"))
            elif tag not in TYPED_TAGS:
                errors.append(UserError("tags", "UNKNOWN_TAG", f"tags are {', '.join(TYPED_TAGS)}"))
        values.update({tag: tag in p.tags for tag in TYPED_TAGS})
    return errors, values


DUPLICATE_ID = UserError("idNumber", "DUPLICATE", "this ID-card number is already registered here")


async def _held_of(ctx: RequestContext, number: object, resident_id: int | None = None) -> int | None:
    """A person is registered once per street. A number held by a resident the caller's grid
    covers is DUPLICATE; one registered only outside it gives the id the new row is held of
    (tenants/people/conflicts.py), so the caller's answer is a new number's: he learns nothing
    of the residents he may not see."""
    if number is None:
        return None
    holders = Resident.filter(tenant_id=ctx.require_tenant().id, id_number=number)
    if resident_id is not None:
        holders = holders.exclude(id=resident_id)
    registered = None
    for holder_id, path, held_of in await holders.values_list("id", "node__path", "held_of_id"):
        if ctx.scope.covers(path):
            raise InvalidInput(DUPLICATE_ID)
        if held_of is None:
            registered = holder_id
    return registered


async def _write_numbered(
    ctx: RequestContext,
    number: object,
    resident_id: int | None,
    write: Callable[[int | None], Awaitable[Resident]],
) -> Resident:
    """`write(held_of)` in a savepoint, `held_of` from `_held_of`. A unique violation means the
    number was registered by another request since `_held_of` looked (both saw it new): looked
    at again, the winner is DUPLICATE when the caller's grid covers him, and otherwise the row
    is written held of him, so the loser of the race learns no more than `_held_of` tells."""
    held_of = await _held_of(ctx, number, resident_id)
    if number is None:
        async with unique_or(DUPLICATE_ID):
            return await write(held_of)
    try:
        async with unique_or(DUPLICATE_ID):
            return await write(held_of)
    except InvalidInput:
        pass
    held_of = await _held_of(ctx, number, resident_id)
    async with unique_or(DUPLICATE_ID):
        return await write(held_of)


async def promote_held(ctx: RequestContext, registered_id: int) -> int | None:
    """The registered resident `registered_id` lost his number (changed, cleared or gone): the
    oldest row held of him becomes the registered one, and the others are held of that one, so
    no held row names a resident whose number is not its own. In the caller's transaction,
    after his change; answers the promoted id."""
    tenant_id = ctx.require_tenant().id
    held_rows = Resident.filter(tenant_id=tenant_id, held_of_id=registered_id).order_by("id")
    held = cast("list[int]", await held_rows.values_list("id", flat=True))  # tortoise types flat rows as tuples
    if not held:
        return None
    first, *rest = held
    if rest:
        await Resident.filter(tenant_id=tenant_id, id__in=rest).update(held_of_id=first)
    await Resident.filter(tenant_id=tenant_id, id=first).update(held_of_id=None)
    return first


async def create_resident(
    ctx: RequestContext, *, node_id: int, person: Person, household_id: int | None = None
) -> Resident:
    tenant = ctx.require_tenant()
    require_edit(ctx, Area.RESIDENTS)
    errors, values = check_person(person, tags.today())
    if person.name is None:
        errors.append(UserError("name", "INVALID_NAME", "a name is required, at most 100 characters"))
    if errors:
        raise InvalidInput(*errors)
    node = await node_for_write(ctx, node_id)
    if household_id is not None:
        household = await _household_for_write(ctx, household_id, "householdId")
        if household.node_id != node.id:  # type: ignore[attr-defined]
            raise InvalidInput(UserError("householdId", "HOUSEHOLD_ELSEWHERE", "the household is in another grid node"))

    async def write(held_of: int | None) -> Resident:
        return await Resident.create(
            tenant_id=tenant.id, node=node, household_id=household_id, held_of_id=held_of, **values
        )

    resident = await _write_numbered(ctx, values.get("id_number"), None, write)
    await recolour(ctx, [household_id])
    await events.record(ctx, "people", "people.resident_registered", {"id": resident.id}, path=node.path)
    return resident


async def update_resident(
    ctx: RequestContext,
    resident_id: int,
    *,
    person: Person,
    clear_id_number: bool = False,
    node_id: int | None = None,
) -> Resident:
    """Change what is given. Moving a resident to another node needs him out of his household
    first: members live where their household is."""
    require_edit(ctx, Area.RESIDENTS)
    errors, values = check_person(person, tags.today())
    if clear_id_number and person.id_number:
        errors.append(UserError("clearIdNumber", "CONFLICT", "give a new number or clear it, not both"))
    if errors:
        raise InvalidInput(*errors)
    resident = await resident_for_write(ctx, resident_id)
    if clear_id_number:
        values["id_number"] = None
    elif resident.id_number and not person.id_number:
        mismatched = [("sex", "sex"), ("birth_date", "birthDate")]
        errors = [
            UserError(field, "ID_MISMATCH", "the registered ID-card number says otherwise")
            for column, field in mismatched
            if column in values and values[column] != getattr(resident, column)
        ]
        if errors:
            raise InvalidInput(*errors)
    if node_id is not None and node_id != resident.node_id:  # type: ignore[attr-defined]
        if resident.household_id is not None:  # type: ignore[attr-defined]
            raise InvalidInput(UserError("nodeId", "IN_HOUSEHOLD", "remove the resident from his household first"))
        resident.node = await node_for_write(ctx, node_id)
    renumbered = "id_number" in values and values["id_number"] != resident.id_number
    was_registered = resident.id_number is not None and resident.held_of_id is None  # type: ignore[attr-defined]
    for column, value in values.items():
        setattr(resident, column, value)

    async def write(held_of: int | None) -> Resident:
        if renumbered:
            resident.held_of_id = held_of
        await resident.save()
        return resident

    if renumbered:
        await _write_numbered(ctx, values["id_number"], resident.id, write)
        if was_registered:  # the rows held of him now wait for another: the oldest, registered
            await promote_held(ctx, resident.id)
    else:
        async with unique_or(DUPLICATE_ID):
            await write(None)
    await recolour(ctx, [resident.household_id])  # type: ignore[attr-defined]
    await events.record(ctx, "people", "people.resident_updated", {"id": resident.id}, path=resident.node.path)
    return resident


def _check_address(building: str | None, unit: str | None, room: str | None, kind: str | None) -> list[UserError]:
    errors = []
    for field, value, required in (("building", building, True), ("unit", unit, False), ("room", room, True)):
        if value is not None:
            errors += text_errors(field, value, 50, required=required, code="INVALID_ADDRESS")
    if kind is not None and kind not in HOUSEHOLD_KINDS:
        errors.append(UserError("kind", "INVALID_KIND", f"kind is one of {', '.join(HOUSEHOLD_KINDS)}"))
    return errors


def address_of(building: str, unit: str, room: str) -> str:
    return " ".join(part for part in (building, unit, room) if part)


async def _check_free_address(ctx: RequestContext, h: Household) -> None:
    taken = Household.filter(
        tenant_id=ctx.require_tenant().id,
        node_id=h.node_id,  # type: ignore[attr-defined]
        building=h.building,
        unit=h.unit,
        room=h.room,
    )
    if await (taken.exclude(id=h.id) if h.id else taken).exists():
        raise InvalidInput(UserError("room", "DUPLICATE", "that address is already registered in this grid node"))


async def create_household(
    ctx: RequestContext, *, node_id: int, building: str, unit: str, room: str, kind: str
) -> Household:
    tenant = ctx.require_tenant()
    require_edit(ctx, Area.RESIDENTS)
    errors = _check_address(building, unit, room, kind)
    if errors:
        raise InvalidInput(*errors)
    node = await node_for_write(ctx, node_id)
    building, unit, room = building.strip(), unit.strip(), room.strip()
    household = Household(
        tenant_id=tenant.id,
        node=node,
        building=building,
        unit=unit,
        room=room,
        address=address_of(building, unit, room),
        kind=kind,
    )
    await _check_free_address(ctx, household)
    await household.save()
    await events.record(ctx, "people", "people.household_registered", {"id": household.id}, path=node.path)
    await recolour(ctx, [household.id])
    await household.refresh_from_db(fields=["colour"])
    return household


async def update_household(
    ctx: RequestContext,
    household_id: int,
    *,
    building: str | None = None,
    unit: str | None = None,
    room: str | None = None,
    kind: str | None = None,
) -> Household:
    require_edit(ctx, Area.RESIDENTS)
    errors = _check_address(building, unit, room, kind)
    if errors:
        raise InvalidInput(*errors)
    household = await _household_for_write(ctx, household_id)
    for field, value in (("building", building), ("unit", unit), ("room", room), ("kind", kind)):
        if value is not None:
            setattr(household, field, value.strip())
    household.address = address_of(household.building, household.unit, household.room)
    await _check_free_address(ctx, household)
    await household.save()
    await events.record(ctx, "people", "people.household_updated", {"id": household.id}, path=household.node.path)
    await recolour(ctx, [household.id])
    await household.refresh_from_db(fields=["colour"])
    return household


async def add_member(ctx: RequestContext, household_id: int, resident_id: int) -> Household:
    """The resident joins the household, leaving any other, and moves to its grid node."""
    require_edit(ctx, Area.RESIDENTS)
    household = await _household_for_write(ctx, household_id, "householdId")
    resident = await resident_for_write(ctx, resident_id, "residentId")
    previous = resident.household_id  # type: ignore[attr-defined]
    if previous != household.id:
        resident.household_id = household.id
        resident.node_id = household.node_id  # type: ignore[attr-defined]
        await resident.save(update_fields=["household_id", "node_id"])
        await events.record(
            ctx,
            "people",
            "people.member_added",
            {"householdId": household.id, "residentId": resident.id},
            path=household.node.path,
        )
        await recolour(ctx, [previous, household.id])
        await household.refresh_from_db(fields=["colour"])
    return household


async def remove_member(ctx: RequestContext, resident_id: int) -> Household:
    """The resident leaves his household (he stays registered in its grid node)."""
    require_edit(ctx, Area.RESIDENTS)
    resident = await resident_for_write(ctx, resident_id, "residentId")
    household_id = resident.household_id  # type: ignore[attr-defined]
    if household_id is None:
        raise InvalidInput(UserError("residentId", "NOT_A_MEMBER", "the resident belongs to no household"))
    resident.household_id = None
    await resident.save(update_fields=["household_id"])
    await events.record(
        ctx,
        "people",
        "people.member_removed",
        {"householdId": household_id, "residentId": resident.id},
        path=resident.node.path,
    )
    await recolour(ctx, [household_id])
    return await Household.get(tenant_id=resident.tenant_id, id=household_id)  # type: ignore[attr-defined]
