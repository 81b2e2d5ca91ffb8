"""Residents held for review: registered from a grid that does not cover the resident already
registered with the same ID-card number.

Refusing such a registration would tell a grid worker that the number lives elsewhere in the
street (and, number by number, confirm a masked one), so it is written like any other and held
(`Resident.held_of`) for a tenant-wide secretary, who sees both and resolves it: the held row
was a mistake (`dismiss`: it is removed), or the person moved (`accept`: the registered
resident moves to the held one's grid node and household, and the held row is removed).
"""

from __future__ import annotations

from redgrid.platform import events
from redgrid.platform.context import Forbidden, RequestContext, ScopeKind
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.tenants.people.models import Pairing, PartyMember, Resident, Volunteer
from redgrid.tenants.people.service import recolour


def _require_street_secretary(ctx: RequestContext) -> None:
    ctx.require_role("secretary")
    if ctx.scope.kind is not ScopeKind.TENANT:
        raise Forbidden("only a secretary of the whole street resolves held registrations")


async def held(ctx: RequestContext) -> list[Resident]:
    """The held residents, oldest first, each with the resident he is held of and both nodes."""
    _require_street_secretary(ctx)
    return (
        await Resident.filter(tenant_id=ctx.require_tenant().id, held_of_id__isnull=False)
        .select_related("node", "held_of__node")
        .order_by("id")
    )


async def _held_for_resolving(ctx: RequestContext, resident_id: int) -> tuple[Resident, Resident]:
    """The held resident and the registered one he is held of."""
    _require_street_secretary(ctx)
    resident = (
        await Resident.filter(tenant_id=ctx.require_tenant().id, id=resident_id, held_of_id__isnull=False)
        .select_related("node", "held_of__node")
        .first()
    )
    if resident is None:
        raise InvalidInput(UserError("residentId", "NOT_FOUND", "no such held registration"))
    registered = resident.held_of
    assert registered is not None  # filtered on held_of_id__isnull=False
    if resident.id_number is None or resident.id_number != registered.id_number:
        # Kept in step by update_resident and promote_held; a row from before them is refused, not guessed at.
        raise InvalidInput(
            UserError(
                "residentId", "NUMBER_CHANGED", "the two residents' ID-card numbers differ now: correct the held one's"
            )
        )
    kept = [
        what
        for what, query in (
            ("residents held of him", Resident.filter(tenant_id=resident.tenant_id, held_of_id=resident.id)),  # type: ignore[attr-defined]
            ("a party membership", PartyMember.filter(resident_id=resident.id)),
            ("a volunteer", Volunteer.filter(resident_id=resident.id)),
            ("a pairing", Pairing.filter(resident_id=resident.id)),
        )
        if await query.exists()
    ]
    if kept:
        raise InvalidInput(
            UserError("residentId", "IN_USE", f"the held resident has {', '.join(kept)}: move or end it first")
        )
    return resident, registered


async def dismiss(ctx: RequestContext, resident_id: int) -> Resident:
    """Remove a held resident (a mistaken registration); answers the registered one."""
    resident, registered = await _held_for_resolving(ctx, resident_id)
    await resident.delete()
    await recolour(ctx, [resident.household_id])  # type: ignore[attr-defined]
    await events.record(ctx, "people", "people.resident_removed", {"id": resident.id}, path=resident.node.path)
    return registered


async def accept(ctx: RequestContext, resident_id: int) -> Resident:
    """The person moved: the registered resident takes the held one's grid node and household
    (keeping his records), and the held row is removed."""
    resident, registered = await _held_for_resolving(ctx, resident_id)
    left, left_path = registered.household_id, registered.node.path  # type: ignore[attr-defined]
    await resident.delete()
    registered.node, registered.household_id = resident.node, resident.household_id  # type: ignore[attr-defined]
    await registered.save(update_fields=["node_id", "household_id"])
    await recolour(ctx, [left, registered.household_id])  # type: ignore[attr-defined]
    await events.record(ctx, "people", "people.resident_removed", {"id": resident.id}, path=resident.node.path)
    if left_path != registered.node.path:  # his old grid's live views drop him
        await events.record(ctx, "people", "people.resident_updated", {"id": registered.id}, path=left_path)
    await events.record(ctx, "people", "people.resident_updated", {"id": registered.id}, path=registered.node.path)
    return registered
