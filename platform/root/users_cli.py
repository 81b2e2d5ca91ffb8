"""`redgrid users`: a street's accounts from the command line, by the same rules as the API
(tenants/accounts/); the command acts as a street-wide secretary named `redgrid-cli`, which
the audit trail records."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from redgrid.platform.settings import Settings

ROLES = ("secretary", "grid-head", "grid-worker", "dept-staff", "volunteer")


def add_parser(sub: Any) -> None:
    users = sub.add_parser("users", help="list, create, change, disable, enable or import a street's accounts")
    users.add_argument("--tenant", required=True, help="tenant slug")
    actions = users.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="every account: user name, role, grid, enabled")
    create = actions.add_parser("create", help="a new account; its temporary password is printed once")
    create.add_argument("username")
    create.add_argument("--name", required=True, help="the person's name")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--grid", help="grid code (path or unique code) of its scope; none: the whole street")
    create.add_argument("--email", default="")
    change = actions.add_parser("update", help="change an account's name, role, e-mail or grid")
    change.add_argument("username")
    change.add_argument("--name")
    change.add_argument("--role", choices=ROLES)
    change.add_argument("--email")
    change.add_argument("--grid", help="grid code of its new scope; '-' for the whole street")
    for action in ("disable", "enable"):
        actions.add_parser(action, help=f"{action} an account").add_argument("username")
    load = actions.add_parser("import", help="accounts from CSV or XLSX (用户名, 姓名, 角色, 网格编码, 电子邮箱)")
    load.add_argument("file")


async def _node_id(ctx: Any, code: str | None) -> int | None:
    from redgrid.platform.errors import InvalidInput, UserError
    from redgrid.tenants.grid.codes import GridCodes

    if code is None or code == "-":
        return None
    codes = await GridCodes.load(ctx)
    if problems := codes.check(code):
        raise InvalidInput(UserError("grid", "NOT_FOUND", problems[0][1]))
    return codes.node(code).id


async def _account_id(ctx: Any, username: str) -> int:
    from redgrid.platform.models import Account

    account = await Account.get_or_none(tenant_id=ctx.require_tenant().id, username=username)
    if account is None:
        raise LookupError(f"no account {username!r} in this tenant")
    return account.id


def _work(args: argparse.Namespace, users: Any) -> Callable[[Any], Awaitable[list[str]]]:
    from pathlib import Path

    from redgrid.tenants.accounts import service as accounts
    from redgrid.tenants.accounts.registers import AccountsRegister
    from redgrid.tenants.imports import run_import

    data = Path(args.file).read_bytes() if args.action == "import" else b""

    async def work(ctx: Any) -> list[str]:
        if args.action == "list":
            rows = await accounts.visible(ctx).select_related("grid_scope").order_by("username")
            return [
                f"{a.username}\t{a.role or '-'}\t{accounts.scope_path(a) or '(street)'}\t"
                f"{'enabled' if a.enabled else 'disabled'}"
                for a in rows
            ]
        if args.action == "create":
            draft = accounts.AccountDraft(
                args.username, args.name, args.role, await _node_id(ctx, args.grid), args.email
            )
            made = await accounts.create_account(ctx, users, draft)
            shown = (
                "an invitation was e-mailed"
                if made.invited
                else f"temporary password (shown once): {made.temporary_password}"
            )
            return [f"created {made.account.username}; {shown}"]
        if args.action == "import":
            spec = AccountsRegister(users)
            result = await run_import(ctx, spec, Path(args.file).name, data)
            if result.errors:
                lines = [f"line {e.line}: {e.column or '-'}: {e.reason}" for e in result.errors]
                raise ValueError("\n".join([*lines, f"{len(result.errors)} bad rows: no account made"]))
            return [f"imported {result.imported} accounts"] + [
                f"  {i.username}: " + ("invitation e-mailed" if i.invited else f"{i.temporary_password}")
                for i in spec.issued
            ]
        account_id = await _account_id(ctx, args.username)
        if args.action in ("disable", "enable"):
            await accounts.set_enabled(ctx, users, account_id, args.action == "enable")
            return [f"{args.username}: {args.action}d"]
        await accounts.update_account(
            ctx,
            users,
            account_id,
            display_name=args.name,
            role=args.role,
            email=args.email,
            grid_scope_id=await _node_id(ctx, args.grid),
            clear_grid_scope=args.grid == "-",
        )
        return [f"{args.username}: updated"]

    return work


def cmd_users(settings: Settings, args: argparse.Namespace) -> int:
    from redgrid.platform.errors import InvalidInput
    from redgrid.platform.root.cli import _as_secretary, _with_database
    from redgrid.platform.user_directory import build_user_directory

    work = _work(args, build_user_directory(settings))
    try:
        lines = asyncio.run(_with_database(settings, lambda: _as_secretary(args.tenant, work)))
    except InvalidInput as exc:
        for error in exc.errors:
            print(f"error: {error.field or '-'}: {error.message}", file=sys.stderr)
        return 2
    except (LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0
