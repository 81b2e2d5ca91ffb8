"""Who may do what in sharing across streets.

| role         | catalogue | requests (his street's side)          | answers (the offering side)      |
|--------------|-----------|---------------------------------------|----------------------------------|
| secretary    | searches  | makes, cancels, rates for his street  | every unit of his street         |
| unit-contact | searches  | makes; cancels and rates his own      | his own unit's resources only    |
| anyone else  | refused   | —                                     | —                                |

A unit contact's account names his unit (`RequestContext.unit_id`); one without a unit may
search and request, and answers nothing. Another street's request or catalogue row outside
these answers NOT_FOUND, exactly as a missing one.
"""

from __future__ import annotations

from redgrid.platform.context import Forbidden, RequestContext

SHARING_ROLES = ("secretary", "unit-contact")


def takes_part(ctx: RequestContext) -> bool:
    return ctx.tenant is not None and ctx.identity is not None and ctx.identity.has_any(*SHARING_ROLES)


def require_sharing(ctx: RequestContext) -> None:
    ctx.require_tenant()
    if not takes_part(ctx):
        raise Forbidden("sharing across streets is open to secretaries and unit contacts")


def is_secretary(ctx: RequestContext) -> bool:
    return ctx.identity is not None and ctx.identity.has_any("secretary")


def is_unit_contact(ctx: RequestContext) -> bool:
    return ctx.identity is not None and ctx.identity.has_any("unit-contact")


def contact_of(ctx: RequestContext, unit_id: int) -> bool:
    """The caller is the unit contact of this unit (his account names it)."""
    return is_unit_contact(ctx) and ctx.unit_id is not None and ctx.unit_id == unit_id


def keeps_unit(ctx: RequestContext, unit_id: int) -> bool:
    """The caller keeps this unit of his street: a secretary every unit, a unit contact his own."""
    return is_secretary(ctx) or contact_of(ctx, unit_id)
