"""What the account mutations and queries take."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.tenancy.types import Role


@strawberry.input
class CreateAccountInput:
    username: str
    display_name: str
    role: Role
    grid_scope_id: relay.GlobalID | None = strawberry.field(
        default=None, description="A grid node inside your own scope; null: the whole street (secretaries only)."
    )
    email: str = strawberry.field(
        default="", description="With the realm's SMTP configured, the invitation goes there instead of a password."
    )
    unit_id: relay.GlobalID | None = strawberry.field(
        default=None, description="A unit contact's joint unit (required for UNIT_CONTACT, refused for the others)."
    )


@strawberry.input
class UpdateAccountInput:
    display_name: str | None = None
    role: Role | None = None
    email: str | None = None
    grid_scope_id: relay.GlobalID | None = None
    clear_grid_scope: bool = strawberry.field(default=False, description="Make it a whole-street account.")
    unit_id: relay.GlobalID | None = strawberry.field(default=None, description="A unit contact's joint unit.")


@strawberry.input
class AccountFilter:
    role: Role | None = None
    enabled: bool | None = None
    name_contains: str | None = None
