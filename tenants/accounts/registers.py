"""Accounts from a spreadsheet, by the register import's rules (tenants/imports.py): every row
checked (user name, name, role, grid code, e-mail, the actor's right to grant each), then all
accounts made or none.

The rows are made one by one, in Keycloak too, inside a savepoint of their own: when a later
row fails (Keycloak refuses a user name, or the checks find a bad row after the first parts
were written), the savepoint rolls back and its rollback hooks delete the users already made
there. A spec instance serves one import and keeps the first passwords it was given.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from redgrid.platform.context import RequestContext
from redgrid.platform.database import tenant_transaction
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.models import Account
from redgrid.platform.user_directory import UserDirectory
from redgrid.tenants.accounts import rules
from redgrid.tenants.accounts.service import AccountDraft, create_account, scope_path, visible
from redgrid.tenants.grid.codes import GridCodes
from redgrid.tenants.imports import Column, parse_text, parse_word

ROLE_WORDS = {
    "书记": "secretary",
    "党委书记": "secretary",
    "网格长": "grid-head",
    "网格员": "grid-worker",
    "专职网格员": "grid-worker",
    "下沉干部": "dept-staff",
    "下沉人员": "dept-staff",
    "志愿者": "volunteer",
    **{r: r for r in rules.GRANTS["secretary"]},
}
ROLE_NAMES = {
    "secretary": "书记",
    "grid-head": "网格长",
    "grid-worker": "网格员",
    "dept-staff": "下沉干部",
    "volunteer": "志愿者",
}


@dataclass(frozen=True)
class Issued:
    """A first password made by an import, shown once to whoever imported."""

    username: str
    temporary_password: str | None
    invited: bool


@dataclass
class _State:
    codes: GridCodes
    usernames: set[tuple[str]]


@dataclass
class AccountsRegister:
    directory: UserDirectory
    issued: list[Issued] = field(default_factory=list)
    register: str = "accounts"
    columns: tuple[Column, ...] = (
        Column("username", ("用户名", "username"), parse=lambda raw: raw.strip().lower()),
        Column("display_name", ("姓名", "name"), parse=parse_text(100)),
        Column("role", ("角色", "role"), parse=parse_word(ROLE_WORDS, "角色")),
        Column("grid", ("网格编码", "grid_code"), required=False, parse=parse_text(400)),
        Column("email", ("电子邮箱", "email"), required=False, parse=lambda raw: raw.strip()),
    )
    unique: tuple[str, ...] = ("username",)

    async def prepare(self, ctx: RequestContext) -> _State:
        ctx.require_role(*rules.MANAGERS)
        names = await Account.filter(tenant_id=ctx.require_tenant().id).values_list("username", flat=True)
        return _State(await GridCodes.load(ctx), {(str(n),) for n in names})

    def existing(self, state: _State) -> set[tuple[str]]:
        """Every account of the tenant, seen or not: a user name is one person's in the realm,
        and telling the caller that one is taken tells him no more than Keycloak would."""
        return state.usernames

    def check(self, row: dict[str, Any], state: _State) -> list[tuple[str | None, str]]:
        identity = state.codes.ctx.require_user()
        problems: list[tuple[str | None, str]] = []
        if (p := rules.username_problem(row["username"])) is not None:
            problems.append(("用户名", p.message))
        if (p := rules.email_problem(row["email"] or "")) is not None:
            problems.append(("电子邮箱", p.message))
        if (p := rules.role_problem(identity.roles, row["role"])) is not None:
            problems.append(("角色", p.message))
            return problems
        path = None
        if row["grid"] is not None:
            grid_problems = state.codes.check(row["grid"])
            if grid_problems:
                return problems + grid_problems
            path = state.codes.node(row["grid"]).path
        if (p := rules.scope_problem(state.codes.ctx.scope, row["role"], path)) is not None:
            problems.append(("网格编码", p.message))
        return problems

    async def write(self, ctx: RequestContext, parts: AsyncIterator[list[dict[str, Any]]], state: _State) -> int:
        count = 0
        async with tenant_transaction(ctx.require_tenant().id):  # its rollback deletes the users made
            async for rows in parts:
                for row in rows:
                    node = state.codes.node(row["grid"]) if row["grid"] else None
                    draft = AccountDraft(
                        row["username"], row["display_name"], row["role"], node.id if node else None, row["email"] or ""
                    )
                    try:
                        made = await create_account(ctx, self.directory, draft)
                    except InvalidInput as exc:
                        reason = "; ".join(e.message for e in exc.errors)
                        raise InvalidInput(UserError("file", "ROW_REFUSED", f"{row['username']}: {reason}")) from None
                    self.issued.append(Issued(row["username"], made.temporary_password, made.invited))
                    count += 1
        return count

    async def export(self, ctx: RequestContext) -> list[dict[str, Any]]:
        return [
            {
                "username": a.username,
                "display_name": a.display_name,
                "role": ROLE_NAMES.get(a.role, a.role),
                "grid": scope_path(a),
                "email": a.email,
            }
            for a in await visible(ctx).select_related("grid_scope").order_by("username")
        ]
