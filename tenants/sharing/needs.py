"""Needs of people on the grid: a resident's small wish (微心愿) or an item of a grid's needs
list (群众需求清单), open → claimed (by a unit, a volunteer or a party member) → completed,
with a photo of it done through the case photos' pipeline (checked and re-encoded in a
sandboxed process, stored, deleted again if the transaction rolls back).

Who: the grid roles that see units (secretary, grid head, grid worker) list the needs of their
grid and add them; whoever records claims (tenants/units/access.py) records a claim, and a
unit contact claims for his own unit; the claimant's recorder or a secretary completes it.

Suggested matches (`suggestions`) are explainable by design: each candidate (a catalogue
resource the street may read, a menu item of the street, a volunteer team) scores points for
the same kind (3), for each two-character term of the need's title it shares (1 each), and for
being near (2: paired in the need's grid subtree; 1: the same street; 0.5: the same district),
and says which.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.queryset import QuerySet

from redgrid.platform import events
from redgrid.platform.context import Forbidden, RequestContext
from redgrid.platform.database import on_rollback
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.platform.limits import get_limits
from redgrid.platform.storage import new_key, storage
from redgrid.tenants.cases.attachments import accept_off_loop
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.people.models import PartyMember, Volunteer, VolunteerTeam
from redgrid.tenants.people.service import node_for_write
from redgrid.tenants.scope import in_scope
from redgrid.tenants.sharing import catalogue
from redgrid.tenants.sharing.access import contact_of, takes_part
from redgrid.tenants.sharing.models import CLAIMANT_KINDS, NEED_KINDS, GridNeed, ResourceShare
from redgrid.tenants.units.access import require, sees_units
from redgrid.tenants.units.models import RESOURCE_KINDS, JointUnit, ServiceItem
from redgrid.tenants.units.service import unit_for_write

MAX_SUGGESTIONS = 10
# What each volunteer team kind and menu category offers, as a resource kind.
TEAM_KINDS = {
    "mediation": "expertise",
    "legal": "expertise",
    "culture_sport": "volunteers",
    "elderly_care": "volunteers",
}


def needs(ctx: RequestContext) -> QuerySet[GridNeed]:
    """The needs of the caller's grid; a unit contact sees his street's (to claim them)."""
    if sees_units(ctx):
        return in_scope(ctx, GridNeed.all(), "node__path")
    if takes_part(ctx):
        return GridNeed.filter(tenant_id=ctx.require_tenant().id)
    raise Forbidden("the needs lists are open to the grid's staff and unit contacts")


async def need_by_id(ctx: RequestContext, need_id: int) -> GridNeed | None:
    try:
        return await needs(ctx).get_or_none(id=need_id)
    except Forbidden:
        return None


async def add_need(
    ctx: RequestContext, node_id: int, *, kind: str, title: str, description: str = "", resource_kind: str | None = None
) -> GridNeed:
    if not sees_units(ctx):
        raise Forbidden("the grid's staff keep its needs list")
    errors = text_errors("title", title, 200) + text_errors(
        "description", description, 1000, required=False, multiline=True
    )
    if kind not in NEED_KINDS:
        errors.append(UserError("kind", "INVALID_KIND", f"kind is one of {', '.join(NEED_KINDS)}"))
    if resource_kind is not None and resource_kind not in RESOURCE_KINDS:
        errors.append(UserError("resourceKind", "INVALID_KIND", f"kind is one of {', '.join(RESOURCE_KINDS)}"))
    if errors:
        raise InvalidInput(*errors)
    node = await node_for_write(ctx, node_id)
    need = await GridNeed.create(
        tenant_id=node.tenant_id,  # type: ignore[attr-defined]
        node=node,
        kind=kind,
        resource_kind=resource_kind,
        title=title.strip(),
        description=description.strip(),
        created_by=ctx.require_user().username,
    )
    await events.record(ctx, "grid", "sharing.need_added", {"id": need.id}, path=node.path)
    return need


async def _for_write(ctx: RequestContext, need_id: int) -> GridNeed:
    need = await need_by_id(ctx, need_id)
    if need is None:
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such need"))
    await need.fetch_related("node")
    return need


async def _claimant(ctx: RequestContext, kind: str, claimant_id: int) -> str:
    """The claimant's name, when the caller may record his claim."""
    tenant = ctx.require_tenant()
    if kind == "unit":
        if contact_of(ctx, claimant_id):
            unit = await JointUnit.get_or_none(tenant_id=tenant.id, id=claimant_id)
        else:
            require(ctx, "claims")
            unit = await unit_for_write(ctx, claimant_id, "claimantId")
        if unit is not None:
            return unit.name
    require(ctx, "claims")
    if kind == "volunteer":
        volunteer = await Volunteer.get_or_none(tenant_id=tenant.id, id=claimant_id)
        if volunteer is not None:
            return volunteer.name
    if kind == "party_member":
        member = await PartyMember.filter(tenant_id=tenant.id, id=claimant_id).select_related("resident").first()
        if member is not None:
            return member.resident.name
    raise InvalidInput(UserError("claimantId", "NOT_FOUND", "no such claimant"))


async def claim_need(ctx: RequestContext, need_id: int, kind: str, claimant_id: int) -> GridNeed:
    """Record a claim (认领); ALREADY_CLAIMED when another was first (one conditional update)."""
    if kind not in CLAIMANT_KINDS:
        raise InvalidInput(UserError("claimantKind", "INVALID_KIND", f"one of {', '.join(CLAIMANT_KINDS)}"))
    need = await _for_write(ctx, need_id)
    name = await _claimant(ctx, kind, claimant_id)
    won = await GridNeed.filter(id=need.id, status="open").update(
        status="claimed", claimant_kind=kind, claimant_id=claimant_id, claimant_name=name, claimed_at=datetime.now(UTC)
    )
    if not won:
        raise InvalidInput(UserError("id", "ALREADY_CLAIMED", "the need is no longer open: someone claimed it first"))
    await need.refresh_from_db()
    await events.record(ctx, "grid", "sharing.need_claimed", {"id": need.id}, path=need.node.path)
    return need


async def complete_need(ctx: RequestContext, need_id: int, *, data: bytes) -> GridNeed:
    """claimed → completed, with a photo of it done."""
    need = await _for_write(ctx, need_id)
    if not (need.claimant_kind == "unit" and need.claimant_id is not None and contact_of(ctx, need.claimant_id)):
        require(ctx, "claims")
    if need.status != "claimed":
        raise InvalidInput(
            UserError("id", "NOT_CLAIMED", f"only a claimed need is completed; this one is {need.status}")
        )
    limit = get_limits().photo_bytes
    if len(data) > limit:
        raise InvalidInput(UserError("file", "TOO_LARGE", f"at most {limit} bytes"))
    photo = await accept_off_loop(data)
    store, key = storage(), new_key(ctx.require_tenant().id)
    await store.put(key, photo.data, photo.content_type)
    on_rollback(lambda: store.delete(key))
    done = await GridNeed.filter(id=need.id, status="claimed").update(
        status="completed",
        completed_at=datetime.now(UTC),
        photo_key=key,
        photo_type=photo.content_type,
        photo_sha256=hashlib.sha256(photo.data).hexdigest(),
    )
    if not done:
        await store.delete(key)
        raise InvalidInput(UserError("id", "NOT_CLAIMED", "the need changed meanwhile"))
    await need.refresh_from_db()
    await events.record(ctx, "grid", "sharing.need_completed", {"id": need.id}, path=need.node.path)
    return need


@dataclass(frozen=True)
class Suggestion:
    kind: str  # resource, menu_item, volunteer_team
    id: int
    title: str
    offered_by: str
    score: float
    reasons: list[str]


def terms(text: str) -> set[str]:
    """The two-character terms of a text (Chinese has no spaces) and its whole Latin words."""
    words = text.lower().split()
    found = {w for w in words if w.isascii() and len(w) > 2}
    for w in words:
        found |= {w[i : i + 2] for i in range(len(w) - 1) if not w[i : i + 2].isascii()}
    return found


def _score(
    need_terms: set[str], need_kind: str | None, kind: str | None, text: str, near: tuple[float, str]
) -> tuple[float, list[str]]:
    reasons, score = [], 0.0
    if need_kind and kind == need_kind:
        score += 3
        reasons.append(f"same kind: {kind}")
    shared = sorted(need_terms & terms(text))
    if shared:
        score += len(shared)
        reasons.append("shares " + ", ".join(shared))
    if near[0]:
        score += near[0]
        reasons.append(near[1])
    return score, reasons


async def suggestions(ctx: RequestContext, need_id: int) -> list[Suggestion]:
    need = await need_by_id(ctx, need_id)
    if need is None:
        return []
    await need.fetch_related("node")
    tenant = ctx.require_tenant()
    wanted = terms(f"{need.title} {need.description}")
    found: list[Suggestion] = []
    paths = {n.id: n.path for n in await GridNode.filter(tenant_id=tenant.id, joint_units__id__isnull=False).distinct()}
    unit_nodes = dict(await JointUnit.filter(tenant_id=tenant.id).values_list("id", "paired_node_id"))

    def nearness(share_tenant: int, unit_id: int | None, district_id: int | None = None) -> tuple[float, str]:
        if share_tenant != tenant.id:
            return (0.5, "in the district") if district_id == tenant.district_id else (0, "")  # type: ignore[attr-defined]
        node_id = unit_nodes.get(unit_id) if unit_id else None
        path = paths.get(node_id) if node_id else None
        if path and (
            path == need.node.path or path.startswith(need.node.path + ".") or need.node.path.startswith(path + ".")
        ):
            return 2, "paired in this grid"
        return 1, "in this street"

    if takes_part(ctx) or sees_units(ctx):
        for share in await ResourceShare.filter(catalogue.reach(tenant)).limit(2000):
            near = nearness(share.tenant_id, share.unit_id, share.district_id)  # type: ignore[attr-defined]
            text = f"{share.description} {share.unit_name}"
            score, why = _score(wanted, need.resource_kind, share.kind, text, near)
            if score > 1:
                found.append(Suggestion("resource", share.id, share.description, share.unit_name, score, why))
    units = dict(await JointUnit.filter(tenant_id=tenant.id).values_list("id", "name"))
    for item in await ServiceItem.filter(tenant_id=tenant.id).limit(2000):
        score, why = _score(wanted, None, None, f"{item.title} {item.description}", nearness(tenant.id, item.unit_id))  # type: ignore[attr-defined]
        if score > 1:
            found.append(Suggestion("menu_item", item.id, item.title, units.get(item.unit_id, ""), score, why))  # type: ignore[attr-defined]
    for team in await VolunteerTeam.filter(tenant_id=tenant.id):
        score, why = _score(
            wanted, need.resource_kind, TEAM_KINDS.get(team.kind, "volunteers"), team.name, (1, "in this street")
        )
        if score > 1:
            found.append(Suggestion("volunteer_team", team.id, team.name, team.name, score, why))
    found.sort(key=lambda s: (-s.score, s.kind, s.id))
    return found[:MAX_SUGGESTIONS]
