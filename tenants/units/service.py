"""Joint-building units: reading them in the caller's grid, registering them with their
contacts, pairing them with a community, and their resources and needs.

Who may do what is tenants/units/access.py. A unit belongs to the grid through the node it is
paired with, and so do its resources and needs. Every write validates all its input before it
writes anything. Events go to the "grid" area at the paired node's path (so grid-scoped
subscribers see their own units only) and carry ids only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.queryset import QuerySet

from redgrid.platform import events
from redgrid.platform.context import Forbidden, RequestContext
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.tenants.people.service import node_for_write
from redgrid.tenants.phones import phone_error
from redgrid.tenants.scope import in_scope
from redgrid.tenants.sharing import catalogue
from redgrid.tenants.sharing.access import contact_of, is_unit_contact
from redgrid.tenants.units.access import covers_pairing, require, require_sees, sees_units
from redgrid.tenants.units.models import RESOURCE_KINDS, UNIT_KINDS, JointUnit, UnitNeed, UnitResource

MAX_CONTACTS = 10


def units(ctx: RequestContext) -> QuerySet[JointUnit]:
    require_sees(ctx)
    return in_scope(ctx, JointUnit.all(), "paired_node__path")


def resources(ctx: RequestContext) -> QuerySet[UnitResource]:
    require_sees(ctx)
    return in_scope(ctx, UnitResource.all(), "unit__paired_node__path")


def needs(ctx: RequestContext) -> QuerySet[UnitNeed]:
    require_sees(ctx)
    return in_scope(ctx, UnitNeed.all(), "unit__paired_node__path")


async def unit_by_id(ctx: RequestContext, unit_id: int) -> JointUnit | None:
    """None too when the caller's role may not see units: `node(id)` answers null."""
    return await units(ctx).get_or_none(id=unit_id) if sees_units(ctx) else None


async def resource_by_id(ctx: RequestContext, resource_id: int) -> UnitResource | None:
    return await resources(ctx).get_or_none(id=resource_id) if sees_units(ctx) else None


async def need_by_id(ctx: RequestContext, need_id: int) -> UnitNeed | None:
    return await needs(ctx).get_or_none(id=need_id) if sees_units(ctx) else None


def path_of(unit: JointUnit) -> str | None:
    """The grid path a unit's events are filed under (needs `paired_node` fetched)."""
    return unit.paired_node.path if unit.paired_node else None


async def unit_for_write(ctx: RequestContext, unit_id: int, field: str = "id") -> JointUnit:
    """The unit with its paired node, when the caller's grid covers it."""
    unit = await JointUnit.filter(tenant_id=ctx.require_tenant().id, id=unit_id).select_related("paired_node").first()
    if unit is None or not covers_pairing(ctx, path_of(unit)):  # outside his grid: answered as if missing
        raise InvalidInput(UserError(field, "NOT_FOUND", "no such unit"))
    return unit


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    role: str = ""


@dataclass(frozen=True)
class UnitFields:
    """What a caller may type about a unit; None leaves a value as it is."""

    name: str | None = None
    kind: str | None = None
    party_organisation: str | None = None
    contacts: list[Contact] | None = None


def _check_unit(u: UnitFields) -> tuple[list[UserError], dict[str, Any]]:
    errors: list[UserError | None] = []
    values: dict[str, Any] = {}
    if u.name is not None:
        errors += text_errors("name", u.name, 200)
        values["name"] = u.name.strip()
    if u.kind is not None:
        if u.kind not in UNIT_KINDS:
            errors.append(UserError("kind", "INVALID_KIND", f"kind is one of {', '.join(UNIT_KINDS)}"))
        values["kind"] = u.kind
    if u.party_organisation is not None:
        errors += text_errors("partyOrganisation", u.party_organisation, 200, required=False)
        values["party_organisation"] = u.party_organisation.strip()
    if u.contacts is not None:
        if len(u.contacts) > MAX_CONTACTS:
            errors.append(UserError("contacts", "TOO_MANY", f"at most {MAX_CONTACTS} contacts"))
        for i, c in enumerate(u.contacts):
            errors += text_errors(f"contacts[{i}].name", c.name, 100)
            errors.append(phone_error(c.phone.strip(), f"contacts[{i}].phone"))
            errors += text_errors(f"contacts[{i}].role", c.role, 50, required=False)
        values["contacts"] = [
            {"name": c.name.strip(), "phone": c.phone.strip(), "role": c.role.strip()} for c in u.contacts
        ]
    return [e for e in errors if e is not None], values


async def _check_free_name(ctx: RequestContext, name: object, unit_id: int | None = None) -> None:
    """Across the whole tenant: one council, one name per unit."""
    if name is None:
        return
    query = JointUnit.filter(tenant_id=ctx.require_tenant().id, name=name)
    if await (query.exclude(id=unit_id) if unit_id else query).exists():
        raise InvalidInput(UserError("name", "DUPLICATE", "a unit of that name is already registered"))


async def create_unit(ctx: RequestContext, *, fields: UnitFields, paired_node_id: int | None = None) -> JointUnit:
    tenant = ctx.require_tenant()
    require(ctx, "edits")
    errors, values = _check_unit(fields)
    for field, given in (("name", fields.name), ("kind", fields.kind)):
        if given is None:
            errors.append(UserError(field, "REQUIRED", f"{field} is required"))
    if errors:
        raise InvalidInput(*errors)
    node = await node_for_write(ctx, paired_node_id, "pairedNodeId") if paired_node_id is not None else None
    if node is None and not covers_pairing(ctx, None):
        raise Forbidden("only a secretary of the whole street keeps unpaired units")
    await _check_free_name(ctx, values["name"])
    unit = await JointUnit.create(tenant_id=tenant.id, paired_node=node, **values)
    await events.record(ctx, "grid", "units.unit_registered", {"id": unit.id}, path=path_of(unit))
    return unit


async def update_unit(ctx: RequestContext, unit_id: int, *, fields: UnitFields) -> JointUnit:
    require(ctx, "edits")
    errors, values = _check_unit(fields)
    if errors:
        raise InvalidInput(*errors)
    unit = await unit_for_write(ctx, unit_id)
    await _check_free_name(ctx, values.get("name"), unit.id)
    for column, value in values.items():
        setattr(unit, column, value)
    await unit.save()
    if "name" in values:
        await catalogue.rename_unit(unit)
    await events.record(ctx, "grid", "units.unit_updated", {"id": unit.id}, path=path_of(unit))
    return unit


async def pair_unit(ctx: RequestContext, unit_id: int, node_id: int | None) -> JointUnit:
    """Pair the unit with a community (结对共建), or unpair it with None. The caller's grid must
    cover both the old and the new pairing."""
    require(ctx, "edits")
    unit = await unit_for_write(ctx, unit_id, "unitId")
    node = await node_for_write(ctx, node_id) if node_id is not None else None
    if node is None and not covers_pairing(ctx, None):
        raise Forbidden("only a secretary of the whole street keeps unpaired units")
    before = path_of(unit)
    unit.paired_node = node
    await unit.save(update_fields=["paired_node_id"])
    for path in dict.fromkeys((before, path_of(unit))):  # both grids learn it, once each
        await events.record(
            ctx, "grid", "units.unit_paired", {"id": unit.id, "nodeId": node.id if node else None}, path=path
        )
    return unit


def _check_resource(kind: str | None, description: str | None) -> list[UserError]:
    errors = text_errors("description", description, 500, multiline=True) if description is not None else []
    if kind is not None and kind not in RESOURCE_KINDS:
        errors.append(UserError("kind", "INVALID_KIND", f"kind is one of {', '.join(RESOURCE_KINDS)}"))
    return [e for e in errors if e is not None]


async def _unit_for_resources(ctx: RequestContext, unit_id: int, field: str) -> JointUnit:
    """The unit whose resources the caller keeps: a secretary's of his grid, or a unit
    contact's own unit (tenants/sharing/access.py)."""
    if contact_of(ctx, unit_id):
        unit = (
            await JointUnit.filter(tenant_id=ctx.require_tenant().id, id=unit_id).select_related("paired_node").first()
        )
        if unit is not None:
            return unit
    require(ctx, "edits")
    return await unit_for_write(ctx, unit_id, field)


def _require_keeps_resources(ctx: RequestContext) -> None:
    if not is_unit_contact(ctx):
        require(ctx, "edits")


def _scope_and_flag(share_scope: str | None, shareable: bool | None) -> dict[str, Any]:
    """The share scope and the `shareable` flag kept in step: a scope beyond the street is
    shareable; the flag alone means the district, or the street only."""
    if share_scope is not None:
        return {"share_scope": share_scope, "shareable": share_scope != "street"}
    if shareable is not None:
        return {"share_scope": "district" if shareable else "street", "shareable": shareable}
    return {}


async def add_resource(
    ctx: RequestContext,
    unit_id: int,
    *,
    kind: str,
    description: str,
    shareable: bool = False,
    share_scope: str | None = None,
    quantity: int | None = None,
) -> UnitResource:
    _require_keeps_resources(ctx)
    errors = _check_resource(kind, description) + catalogue.check_share(share_scope, quantity)
    if errors:
        raise InvalidInput(*errors)
    unit = await _unit_for_resources(ctx, unit_id, "unitId")
    resource = await UnitResource.create(
        tenant_id=unit.tenant_id,  # type: ignore[attr-defined]
        unit=unit,
        kind=kind,
        description=description.strip(),
        quantity=quantity,
        **_scope_and_flag(share_scope, shareable),
    )
    await catalogue.publish(resource, unit)
    await events.record(ctx, "grid", "units.resource_added", {"id": resource.id, "unitId": unit.id}, path=path_of(unit))
    return resource


async def update_resource(
    ctx: RequestContext,
    resource_id: int,
    *,
    kind: str | None = None,
    description: str | None = None,
    shareable: bool | None = None,
    share_scope: str | None = None,
    quantity: int | None = None,
) -> UnitResource:
    """Change what is given; `quantity` sets the goods left."""
    _require_keeps_resources(ctx)
    errors = _check_resource(kind, description) + catalogue.check_share(share_scope, quantity)
    if errors:
        raise InvalidInput(*errors)
    resource = await UnitResource.filter(tenant_id=ctx.require_tenant().id, id=resource_id).first()
    if resource is None:
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such resource"))
    try:
        unit = await _unit_for_resources(ctx, resource.unit_id, "id")  # type: ignore[attr-defined]
    except InvalidInput:
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such resource")) from None
    changes: dict[str, Any] = {
        "kind": kind,
        "description": description and description.strip(),
        "quantity": quantity,
        **_scope_and_flag(share_scope, shareable),
    }
    for column, value in changes.items():
        if value is not None:
            setattr(resource, column, value)
    await resource.save()
    await catalogue.publish(resource, unit)
    await events.record(
        ctx, "grid", "units.resource_updated", {"id": resource.id, "unitId": unit.id}, path=path_of(unit)
    )
    return resource


async def add_need(ctx: RequestContext, unit_id: int, *, description: str) -> UnitNeed:
    require(ctx, "edits")
    if errors := text_errors("description", description, 500, multiline=True):
        raise InvalidInput(*errors)
    unit = await unit_for_write(ctx, unit_id, "unitId")
    need = await UnitNeed.create(tenant_id=unit.tenant_id, unit=unit, description=description.strip())  # type: ignore[attr-defined]
    await events.record(ctx, "grid", "units.need_added", {"id": need.id, "unitId": unit.id}, path=path_of(unit))
    return need


async def update_need(ctx: RequestContext, need_id: int, *, description: str) -> UnitNeed:
    require(ctx, "edits")
    if errors := text_errors("description", description, 500, multiline=True):
        raise InvalidInput(*errors)
    need = await UnitNeed.filter(tenant_id=ctx.require_tenant().id, id=need_id).first()
    if need is None:
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such need"))
    unit = await unit_for_write(ctx, need.unit_id)  # type: ignore[attr-defined]
    need.description = description.strip()
    await need.save(update_fields=["description"])
    await events.record(ctx, "grid", "units.need_updated", {"id": need.id, "unitId": unit.id}, path=path_of(unit))
    return need
