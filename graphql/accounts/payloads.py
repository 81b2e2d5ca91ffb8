"""What the account mutations answer: the account written, or the errors (core/payloads.py)."""

from __future__ import annotations

import strawberry

from redgrid.graphql.accounts.types import Account
from redgrid.graphql.core.payloads import Payload
from redgrid.graphql.registers.types import ImportRegisterPayload


@strawberry.type
class AccountPayload(Payload):
    account: Account | None = None


@strawberry.type
class CreateAccountPayload(Payload):
    account: Account | None = None
    temporary_password: str | None = strawberry.field(
        default=None,
        description="Shown once: the user must change it at his first sign-in. Null when an invitation was e-mailed.",
    )
    invited: bool = False


@strawberry.type(description="A first password an import made, shown once.")
class IssuedPassword:
    username: str
    temporary_password: str | None
    invited: bool


@strawberry.type(description="Every account made (rowErrors empty), or none and every bad row listed.")
class ImportAccountsPayload(ImportRegisterPayload):
    passwords: list[IssuedPassword] = strawberry.field(default_factory=list)
