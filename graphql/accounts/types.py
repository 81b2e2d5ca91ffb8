"""Accounts and their audit trail as a client sees them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.relay import to_base64

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import DbNode
from redgrid.graphql.grid.types import GridNode
from redgrid.graphql.tenancy.types import Role
from redgrid.platform.models import Account as AccountModel
from redgrid.tenants.accounts.models import AccountChange as AccountChangeModel

Info = strawberry.Info[GraphQLContext, None]


def _role(value: str) -> Role | None:
    return Role(value) if value else None


@strawberry.enum(description="What an audit entry records.")
class AccountAction(Enum):
    CREATE = "create"
    UPDATE = "update"
    DISABLE = "disable"
    ENABLE = "enable"


@strawberry.type(description="A person's account in the street: who signs in, with which role, over which grid.")
class Account(DbNode):
    db_id: strawberry.Private[int]
    scope_db_id: strawberry.Private[int | None]
    unit_db_id: strawberry.Private[int | None]
    username: str
    display_name: str
    role: Role | None = strawberry.field(description="Null for an account seen only through its first sign-in.")
    email: str
    enabled: bool
    created_at: datetime

    @classmethod
    def from_model(cls, m: AccountModel) -> Account:
        return cls(
            db_id=m.id,
            scope_db_id=m.grid_scope_id,  # type: ignore[attr-defined]
            unit_db_id=m.unit_id,  # type: ignore[attr-defined]
            username=m.username,
            display_name=m.display_name,
            role=_role(m.role),
            email=m.email,
            enabled=m.enabled,
            created_at=m.created_at,
        )

    @strawberry.field(description="A unit contact's joint unit: its id (the unit itself is a register's).")
    def unit_id(self) -> strawberry.ID | None:
        return None if self.unit_db_id is None else strawberry.ID(to_base64("JointUnit", self.unit_db_id))

    @strawberry.field(description="The grid node the account acts in; null: the whole street.")
    async def grid_scope(self, info: Info) -> GridNode | None:
        return None if self.scope_db_id is None else await GridNode.load(info, self.scope_db_id)


@strawberry.type(description="An account's fields at one moment of its audit trail.")
class AccountState:
    role: Role | None
    display_name: str
    email: str
    enabled: bool
    grid_scope_path: str | None

    @classmethod
    def from_snapshot(cls, s: dict[str, Any]) -> AccountState:
        return cls(
            role=_role(s.get("role") or ""),
            display_name=s.get("displayName") or "",
            email=s.get("email") or "",
            enabled=bool(s.get("enabled")),
            grid_scope_path=s.get("gridScope"),
        )


@strawberry.type(description="Who changed an account, when, and what it was before and after.")
class AccountChange:
    account_db_id: strawberry.Private[int]
    actor: str
    action: AccountAction
    before: AccountState | None
    after: AccountState
    at: datetime

    @classmethod
    def from_model(cls, m: AccountChangeModel) -> AccountChange:
        return cls(
            account_db_id=m.account_id,  # type: ignore[attr-defined]
            actor=m.actor,
            action=AccountAction(m.action),
            before=AccountState.from_snapshot(m.before) if m.before is not None else None,
            after=AccountState.from_snapshot(m.after),
            at=m.at,
        )
