"""The service menu (服务清单): items units offer in five categories, ordered by a community
(点单), accepted and delivered on the unit's side (配送), and rated by the community.

An order goes ordered → accepted → delivered → rated, one step at a time. Each step is one
conditional UPDATE on the status it leaves, so a double click or two clerks at once apply it
once and the other gets ILLEGAL_TRANSITION. The menu is the street's, seen whole by every
role that sees units; an order belongs to the grid of the node that placed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.queryset import QuerySet

from redgrid.platform import events
from redgrid.platform.context import RequestContext
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.tenants.people.service import node_for_write
from redgrid.tenants.scope import in_scope
from redgrid.tenants.units.access import require, require_sees, sees_units
from redgrid.tenants.units.models import SERVICE_CATEGORIES, ServiceItem, ServiceOrder
from redgrid.tenants.units.service import path_of, unit_for_write

RATINGS = range(1, 6)


def items(ctx: RequestContext) -> QuerySet[ServiceItem]:
    require_sees(ctx)
    return ServiceItem.filter(tenant_id=ctx.require_tenant().id)


def orders(ctx: RequestContext) -> QuerySet[ServiceOrder]:
    require_sees(ctx)
    return in_scope(ctx, ServiceOrder.all(), "node__path")


async def item_by_id(ctx: RequestContext, item_id: int) -> ServiceItem | None:
    return await items(ctx).get_or_none(id=item_id) if sees_units(ctx) else None


async def order_by_id(ctx: RequestContext, order_id: int) -> ServiceOrder | None:
    return await orders(ctx).get_or_none(id=order_id) if sees_units(ctx) else None


def _check_item(category: str | None, title: str | None, description: str | None) -> list[UserError]:
    errors: list[UserError | None] = [
        *(text_errors("title", title, 200) if title is not None else []),
        *(
            text_errors("description", description, 1000, required=False, multiline=True)
            if description is not None
            else []
        ),
    ]
    if category is not None and category not in SERVICE_CATEGORIES:
        errors.append(UserError("category", "INVALID_CATEGORY", f"category is one of {', '.join(SERVICE_CATEGORIES)}"))
    return [e for e in errors if e is not None]


async def create_item(
    ctx: RequestContext, unit_id: int, *, category: str, title: str, description: str = ""
) -> ServiceItem:
    require(ctx, "edits")
    errors = _check_item(category, title, description)
    if errors:
        raise InvalidInput(*errors)
    unit = await unit_for_write(ctx, unit_id, "unitId")
    item = await ServiceItem.create(
        tenant_id=unit.tenant_id,  # type: ignore[attr-defined]
        unit=unit,
        category=category,
        title=title.strip(),
        description=description.strip(),
    )
    await events.record(ctx, "grid", "units.menu_item_added", {"id": item.id, "unitId": unit.id}, path=path_of(unit))
    return item


async def update_item(
    ctx: RequestContext,
    item_id: int,
    *,
    category: str | None = None,
    title: str | None = None,
    description: str | None = None,
) -> ServiceItem:
    require(ctx, "edits")
    errors = _check_item(category, title, description)
    if errors:
        raise InvalidInput(*errors)
    item = await ServiceItem.filter(tenant_id=ctx.require_tenant().id, id=item_id).first()
    if item is None:
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such menu item"))
    unit = await unit_for_write(ctx, item.unit_id)  # type: ignore[attr-defined]
    for column, value in (("category", category), ("title", title), ("description", description)):
        if value is not None:
            setattr(item, column, value.strip())
    await item.save(update_fields=["category", "title", "description"])
    await events.record(ctx, "grid", "units.menu_item_updated", {"id": item.id, "unitId": unit.id}, path=path_of(unit))
    return item


async def place_order(ctx: RequestContext, item_id: int, *, node_id: int, note: str = "") -> ServiceOrder:
    """A community of the caller's grid orders a menu item (点单)."""
    require(ctx, "orders")
    if errors := text_errors("note", note, 500, required=False, multiline=True):
        raise InvalidInput(*errors)
    item = await ServiceItem.filter(tenant_id=ctx.require_tenant().id, id=item_id).first()
    if item is None:
        raise InvalidInput(UserError("itemId", "NOT_FOUND", "no such menu item"))
    node = await node_for_write(ctx, node_id)
    order = await ServiceOrder.create(
        tenant_id=node.tenant_id,  # type: ignore[attr-defined]
        item=item,
        node=node,
        ordered_by=ctx.require_user().username,
        note=note.strip(),
    )
    await events.record(ctx, "grid", "units.order_placed", {"id": order.id, "itemId": item.id}, path=node.path)
    return order


@dataclass(frozen=True)
class Step:
    """One step of an order: from which status to which, who takes it, when it is stamped."""

    action: str
    source: str
    target: str
    right: str
    stamp: str


STEPS = {
    s.action: s
    for s in (
        Step("accept", "ordered", "accepted", "delivers", "accepted_at"),
        Step("deliver", "accepted", "delivered", "delivers", "delivered_at"),
        Step("rate", "delivered", "rated", "orders", "rated_at"),
    )
}


async def advance_order(ctx: RequestContext, order_id: int, action: str, *, rating: int | None = None) -> ServiceOrder:
    """Take one step of the order: accept or deliver (the unit's side), rate (the ordering
    community, with 1 to 5)."""
    step = STEPS[action]
    require(ctx, step.right)
    if action == "rate" and rating not in RATINGS:
        raise InvalidInput(UserError("rating", "OUT_OF_RANGE", "a rating from 1 to 5"))
    order = await ServiceOrder.filter(tenant_id=ctx.require_tenant().id, id=order_id).select_related("node").first()
    if order is None or not ctx.scope.covers(order.node.path):  # outside his grid: answered as if missing
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such order"))
    changes: dict[str, object] = {"status": step.target, step.stamp: datetime.now(UTC)}
    if rating is not None:
        changes["rating"] = rating
    if not await ServiceOrder.filter(id=order.id, status=step.source).update(**changes):
        await order.refresh_from_db(fields=["status"])
        raise InvalidInput(
            UserError("id", "ILLEGAL_TRANSITION", f"an order that is {order.status} cannot be {step.target}")
        )
    await order.refresh_from_db()
    await events.record(ctx, "grid", f"units.order_{step.target}", {"id": order.id}, path=order.node.path)
    return order
