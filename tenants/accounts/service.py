"""Creating, changing, disabling and re-enabling the accounts of a street's people.

Each change is checked whole first (tenants/accounts/rules.py), then made in a savepoint of
the caller's tenant transaction: the account row and its audit entry, then Keycloak. A
refusal from Keycloak rolls the savepoint back, and a rollback after Keycloak has answered
undoes its change there (`on_rollback`), so a failed change leaves nothing in either store.
An account the caller may not manage is answered as missing, like any other row outside
his view.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from redgrid.platform.context import RequestContext
from redgrid.platform.database import on_rollback, tenant_transaction, unique_or
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.platform.models import Account, District
from redgrid.platform.user_directory import DirectoryRefused, NewUser, UserDirectory
from redgrid.tenants.accounts import rules
from redgrid.tenants.accounts.models import AccountChange
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.scope import path_filter
from redgrid.tenants.units.models import JointUnit

NAME_CHARS = 100


@dataclass(frozen=True)
class AccountDraft:
    """A new account, or (every field but `username`) an account's next state."""

    username: str
    display_name: str
    role: str
    grid_scope_id: int | None
    email: str = ""
    unit_id: int | None = None  # a unit contact's unit


@dataclass(frozen=True)
class CreatedAccount:
    account: Account
    temporary_password: str | None
    invited: bool


def _not_found() -> InvalidInput:
    return InvalidInput(UserError("id", "NOT_FOUND", "no such account"))


def visible(ctx: RequestContext) -> QuerySet[Account]:
    """The accounts the caller may see: a secretary's or a grid head's within his scope (a
    tenant-wide account only for a tenant-wide caller); anyone else only his own."""
    tenant = ctx.require_tenant()
    identity = ctx.require_user()
    query = Account.filter(tenant_id=tenant.id)
    if not identity.has_any(*rules.MANAGERS):
        return query.filter(username=identity.username)
    condition = path_filter(ctx, "grid_scope__path")
    return query if condition is None else query.filter(condition)


async def account_by_id(ctx: RequestContext, account_id: int) -> Account | None:
    return await visible(ctx).select_related("grid_scope").get_or_none(id=account_id)


def changes(ctx: RequestContext, account_id: int | None = None) -> QuerySet[AccountChange]:
    """The audit trail of the accounts the caller may see, newest first."""
    ctx.require_role(*rules.MANAGERS)
    seen = Subquery(visible(ctx).values("id"))
    query = AccountChange.filter(tenant_id=ctx.require_tenant().id, account_id__in=seen)
    return query.filter(account_id=account_id) if account_id is not None else query


def snapshot(account: Account, scope_path: str | None) -> dict[str, Any]:
    """The fields the audit trail records, as they are now."""
    return {
        "role": account.role,
        "displayName": account.display_name,
        "email": account.email,
        "enabled": account.enabled,
        "gridScope": scope_path,
        "unit": account.unit_id,  # type: ignore[attr-defined]
    }


def scope_path(account: Account) -> str | None:
    """The path of the grid node the account is scoped to (its grid_scope loaded); None: the street."""
    return account.grid_scope.path if account.grid_scope_id else None  # type: ignore[attr-defined,union-attr]


async def _scope_node(ctx: RequestContext, node_id: int | None) -> GridNode | None:
    if node_id is None:
        return None
    node = await GridNode.get_or_none(tenant_id=ctx.require_tenant().id, id=node_id, retired_at=None)
    if node is None:
        raise InvalidInput(UserError("gridScopeId", "NOT_FOUND", "no such grid node"))
    return node


async def _unit_of(ctx: RequestContext, unit_id: int | None) -> tuple[str | None] | None:
    """The unit as the rules judge it: None for none, else (its paired node's path,)."""
    if unit_id is None:
        return None
    unit = await JointUnit.filter(tenant_id=ctx.require_tenant().id, id=unit_id).select_related("paired_node").first()
    if unit is None:
        raise InvalidInput(UserError("unitId", "NOT_FOUND", "no such unit"))
    return (unit.paired_node.path if unit.paired_node else None,)


async def _checked(ctx: RequestContext, draft: AccountDraft) -> GridNode | None:
    """Every problem of `draft` at once, or the grid node it is scoped to."""
    identity = ctx.require_user()
    errors = text_errors("displayName", draft.display_name, NAME_CHARS, code="INVALID_NAME")
    errors += [e for e in (rules.email_problem(draft.email),) if e]
    node = await _scope_node(ctx, draft.grid_scope_id)
    unit = await _unit_of(ctx, draft.unit_id)
    # The scope is judged for a role the actor may grant: for any other, the role is the answer.
    problem = (
        rules.role_problem(identity.roles, draft.role)
        or rules.scope_problem(ctx.scope, draft.role, node.path if node else None)
        or rules.unit_problem(ctx.scope, draft.role, unit)
    )
    if problem is not None:
        errors.append(problem)
    if errors:
        raise InvalidInput(*errors)
    return node


async def _record(ctx: RequestContext, account: Account, action: str, before: dict[str, Any] | None) -> None:
    after = snapshot(account, scope_path(account))
    await AccountChange.create(
        tenant_id=account.tenant_id,  # type: ignore[attr-defined]
        account_id=account.id,
        actor=ctx.require_user().username,
        action=action,
        before=before,
        after=after,
    )


async def create_account(ctx: RequestContext, directory: UserDirectory, draft: AccountDraft) -> CreatedAccount:
    ctx.require_role(*rules.MANAGERS)
    tenant = ctx.require_tenant()
    username = draft.username.strip().lower()
    draft = replace(draft, username=username, display_name=draft.display_name.strip(), email=draft.email.strip())
    problems = [p for p in (rules.username_problem(username),) if p]
    try:
        node = await _checked(ctx, draft)
    except InvalidInput as exc:
        raise InvalidInput(*problems, *exc.errors) from None
    if problems:
        raise InvalidInput(*problems)
    district = await District.get(id=tenant.district_id)  # type: ignore[attr-defined]
    taken = UserError("username", "USERNAME_TAKEN", "that user name is already in use")
    async with tenant_transaction(tenant.id):
        async with unique_or(taken):
            account = await Account.create(
                tenant_id=tenant.id,
                username=username,
                display_name=draft.display_name,
                role=draft.role,
                email=draft.email,
                grid_scope=node,
                unit_id=draft.unit_id,
            )
        first, last = rules.split_name(draft.display_name)
        user = NewUser(username, draft.email, first, last, draft.role, tenant.slug, district.slug)
        try:
            made = await directory.create(user)
        except DirectoryRefused as exc:
            raise InvalidInput(UserError("username", exc.code, str(exc))) from None
        on_rollback(lambda: directory.delete(made.subject))
        account.subject = made.subject
        await account.save(update_fields=["subject"])
        await _record(ctx, account, "create", None)
    return CreatedAccount(account, made.temporary_password, made.invited)


async def _managed(ctx: RequestContext, account_id: int) -> Account:
    """The account, when the caller may change it; otherwise answered as missing."""
    identity = ctx.require_role(*rules.MANAGERS)
    account = await account_by_id(ctx, account_id)
    if account is None or not rules.may_manage(identity.roles, ctx.scope, account.role, scope_path(account)):
        raise _not_found()
    if account.username == identity.username:
        raise InvalidInput(UserError("id", "SELF", "ask another secretary to change your own account"))
    return account


async def _subject(directory: UserDirectory, account: Account, tenant_slug: str) -> str:
    """The Keycloak user of `account`, checked to be this tenant's."""
    found = await directory.find(account.username)
    if found is None or found.tenant != tenant_slug:
        raise InvalidInput(UserError("id", "NOT_IN_DIRECTORY", "the identity provider has no such user here"))
    return found.subject


async def update_account(
    ctx: RequestContext,
    directory: UserDirectory,
    account_id: int,
    *,
    display_name: str | None = None,
    role: str | None = None,
    email: str | None = None,
    grid_scope_id: int | None = None,
    clear_grid_scope: bool = False,
    unit_id: int | None = None,
) -> Account:
    """Change what is given; the rest stays. The new state is checked as a creation would be."""
    tenant = ctx.require_tenant()
    account = await _managed(ctx, account_id)
    old_path = scope_path(account)
    draft_role = role if role is not None else account.role
    draft = AccountDraft(
        username=account.username,
        display_name=(display_name if display_name is not None else account.display_name).strip(),
        role=role if role is not None else account.role,
        grid_scope_id=None if clear_grid_scope else (grid_scope_id or account.grid_scope_id),  # type: ignore[attr-defined]
        email=(email if email is not None else account.email).strip(),
        unit_id=unit_id or (account.unit_id if draft_role in rules.UNIT_ROLES else None),  # type: ignore[attr-defined]
    )
    node = await _checked(ctx, draft)
    if account.email and not draft.email:
        raise InvalidInput(UserError("email", "EMAIL_REQUIRED", "an e-mail once set can be changed, not removed"))
    before = snapshot(account, old_path)
    async with tenant_transaction(tenant.id):
        subject = await _subject(directory, account, tenant.slug)
        account.display_name, account.role, account.email, account.grid_scope = (
            draft.display_name,
            draft.role,
            draft.email,
            node,
        )
        account.unit_id = draft.unit_id
        await account.save(update_fields=["display_name", "role", "email", "grid_scope_id", "unit_id"])
        await _record(ctx, account, "update", before)
        try:
            if draft.role != before["role"]:
                await directory.set_role(subject, draft.role)
                if before["role"]:
                    on_rollback(lambda: directory.set_role(subject, before["role"]))
            if (draft.display_name, draft.email) != (before["displayName"], before["email"]):
                await directory.set_profile(subject, draft.email, *rules.split_name(draft.display_name))
                old = (before["email"], *rules.split_name(before["displayName"]))
                on_rollback(lambda: directory.set_profile(subject, *old))
        except DirectoryRefused as exc:
            raise InvalidInput(UserError("id", exc.code, str(exc))) from None
    return account


async def set_enabled(ctx: RequestContext, directory: UserDirectory, account_id: int, enabled: bool) -> Account:
    """Disable (the user is refused from his next request on, within the status TTL, and his
    open websockets are closed) or re-enable an account. Doing it twice changes nothing."""
    tenant = ctx.require_tenant()
    account = await _managed(ctx, account_id)
    if account.enabled == enabled:
        return account
    before = snapshot(account, scope_path(account))
    async with tenant_transaction(tenant.id):
        subject = await _subject(directory, account, tenant.slug)
        account.enabled = enabled
        await account.save(update_fields=["enabled"])
        await _record(ctx, account, "enable" if enabled else "disable", before)
        try:
            await directory.set_enabled(subject, enabled)
        except DirectoryRefused as exc:
            raise InvalidInput(UserError("id", exc.code, str(exc))) from None
        on_rollback(lambda: directory.set_enabled(subject, not enabled))
    return account
