"""Volunteer teams, volunteers, and their pairings with elderly people living alone.

Teams are the street's and visible to every register role of the tenant; a pairing belongs to
the grid of the elder it looks after. A volunteer himself (role `volunteer`) sees only the
pairings of the Volunteer rows carrying his Keycloak username.
"""

from __future__ import annotations

import re

from tortoise.queryset import QuerySet

from redgrid.platform import events
from redgrid.platform.context import Forbidden, RequestContext
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.tenants.people import service as people
from redgrid.tenants.people import tags
from redgrid.tenants.people.models import PAIRING_KINDS, TEAM_KINDS, Pairing, Volunteer, VolunteerTeam
from redgrid.tenants.people.privacy import Area, Reach, require_edit, require_registers, rule_for, sees_registers
from redgrid.tenants.scope import in_scope
from redgrid.tenants.workers import links

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,127}$")  # Keycloak keeps usernames lower-case
ELDER_AGE = 60


def teams(ctx: RequestContext) -> QuerySet[VolunteerTeam]:
    require_registers(ctx)
    return VolunteerTeam.filter(tenant_id=ctx.require_tenant().id)


def volunteers(ctx: RequestContext) -> QuerySet[Volunteer]:
    require_registers(ctx)
    return Volunteer.filter(tenant_id=ctx.require_tenant().id)


def pairings(ctx: RequestContext) -> QuerySet[Pairing]:
    """Register roles: the pairings of elders in their grid. A volunteer: his own."""
    reach = rule_for(ctx).reach
    if reach is Reach.GRID:
        return in_scope(ctx, Pairing.all(), "resident__node__path")
    if reach is Reach.OWN:
        tenant = ctx.require_tenant()
        return Pairing.filter(links.mine(ctx.require_user().username, "volunteer__"), tenant_id=tenant.id)
    raise Forbidden("pairings are not open to your role")


async def team_by_id(ctx: RequestContext, team_id: int) -> VolunteerTeam | None:
    return await teams(ctx).get_or_none(id=team_id) if sees_registers(ctx) else None


async def volunteer_by_id(ctx: RequestContext, volunteer_id: int) -> Volunteer | None:
    return await volunteers(ctx).get_or_none(id=volunteer_id) if sees_registers(ctx) else None


async def pairing_by_id(ctx: RequestContext, pairing_id: int) -> Pairing | None:
    """None when the caller may not see it (`node(id)` answers null)."""
    if rule_for(ctx).reach is Reach.NONE:
        return None
    return await pairings(ctx).get_or_none(id=pairing_id)


async def create_team(ctx: RequestContext, *, name: str, kind: str) -> VolunteerTeam:
    tenant = ctx.require_tenant()
    require_edit(ctx, Area.TEAMS)
    errors = text_errors("name", name, 200, code="INVALID_NAME")
    if kind not in TEAM_KINDS:
        errors.append(UserError("kind", "INVALID_KIND", f"kind is one of {', '.join(TEAM_KINDS)}"))
    if errors:
        raise InvalidInput(*errors)
    if await VolunteerTeam.filter(tenant_id=tenant.id, name=name.strip()).exists():
        raise InvalidInput(UserError("name", "DUPLICATE", "a team of that name exists"))
    return await VolunteerTeam.create(tenant_id=tenant.id, name=name.strip(), kind=kind)


async def create_volunteer(
    ctx: RequestContext,
    *,
    team_id: int,
    resident_id: int | None = None,
    username: str | None = None,
    name: str | None = None,
) -> Volunteer:
    """A resident of the caller's grid, a Keycloak user, or both; the name defaults to the
    resident's."""
    tenant = ctx.require_tenant()
    require_edit(ctx, Area.VOLUNTEERS)
    errors = []
    if resident_id is None and not username:
        errors.append(UserError("residentId", "REQUIRED", "a volunteer is a resident, a user, or both"))
    if username and not USERNAME.match(username):
        errors.append(
            UserError(
                "username", "INVALID_USERNAME", "a Keycloak username: lower-case letters, digits, '.', '_', '@', '-'"
            )
        )
    if name is not None:
        errors += text_errors("name", name, 100, code="INVALID_NAME")
    if resident_id is None and name is None:
        errors.append(UserError("name", "INVALID_NAME", "a name is required when no resident is given"))
    if errors:
        raise InvalidInput(*errors)
    team = await VolunteerTeam.get_or_none(tenant_id=tenant.id, id=team_id)
    if team is None:
        raise InvalidInput(UserError("teamId", "NOT_FOUND", "no such team"))
    resident = None if resident_id is None else await people.resident_for_write(ctx, resident_id, "residentId")
    if username and await Volunteer.filter(tenant_id=tenant.id, username=username).exists():
        raise InvalidInput(UserError("username", "DUPLICATE", "that user is already a volunteer"))
    if resident and await Volunteer.filter(tenant_id=tenant.id, team_id=team.id, resident_id=resident.id).exists():
        raise InvalidInput(UserError("residentId", "DUPLICATE", "the resident is already in this team"))
    volunteer = await Volunteer.create(
        tenant_id=tenant.id,
        team=team,
        resident=resident,
        username=username or None,
        name=(name or resident.name).strip(),  # type: ignore[union-attr]
    )
    await events.record(
        ctx,
        "people",
        "people.volunteer_registered",
        {"id": volunteer.id, "teamId": team.id},
        path=resident.node.path if resident else None,
    )
    return volunteer


async def create_pairing(ctx: RequestContext, *, volunteer_id: int, resident_id: int, kind: str) -> Pairing:
    """Pair a volunteer with a resident of the caller's grid who is over 60 and living alone."""
    tenant = ctx.require_tenant()
    require_edit(ctx, Area.VOLUNTEERS)
    if kind not in PAIRING_KINDS:
        raise InvalidInput(UserError("kind", "INVALID_KIND", f"kind is one of {', '.join(PAIRING_KINDS)}"))
    volunteer = await Volunteer.get_or_none(tenant_id=tenant.id, id=volunteer_id)
    if volunteer is None:
        raise InvalidInput(UserError("volunteerId", "NOT_FOUND", "no such volunteer"))
    elder = await people.resident_for_write(ctx, resident_id, "residentId")
    today = tags.today()
    if not (elder.living_alone and elder.birth_date and tags.age_on(elder.birth_date, today) >= ELDER_AGE):
        raise InvalidInput(UserError("residentId", "NOT_ELIGIBLE", "pairings are for residents over 60 living alone"))
    if await Pairing.filter(tenant_id=tenant.id, volunteer_id=volunteer.id, resident_id=elder.id, active=True).exists():
        raise InvalidInput(UserError("residentId", "DUPLICATE", "the volunteer already looks after this resident"))
    pairing = await Pairing.create(
        tenant_id=tenant.id, volunteer=volunteer, resident=elder, kind=kind, started_on=today
    )
    await events.record(ctx, "people", "people.pairing_started", {"id": pairing.id}, path=elder.node.path)
    return pairing


async def end_pairing(ctx: RequestContext, pairing_id: int) -> Pairing:
    """End a pairing today; ending an ended one changes nothing."""
    require_edit(ctx, Area.VOLUNTEERS)
    pairing = (
        await Pairing.filter(tenant_id=ctx.require_tenant().id, id=pairing_id).select_related("resident__node").first()
    )
    if pairing is None or not ctx.scope.covers(pairing.resident.node.path):  # outside his grid: answered as if missing
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such pairing"))
    if pairing.active:
        pairing.active, pairing.ended_on = False, tags.today()
        await pairing.save(update_fields=["active", "ended_on"])
        await events.record(ctx, "people", "people.pairing_ended", {"id": pairing.id}, path=pairing.resident.node.path)
    return pairing
