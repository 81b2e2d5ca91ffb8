"""Creating, changing, disabling, re-enabling and importing accounts. Each resolver reads the
ids, calls tenants/accounts/ and shows the account written; a refusal is the payload's errors."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from redgrid.graphql.accounts.inputs import CreateAccountInput, UpdateAccountInput
from redgrid.graphql.accounts.payloads import (
    AccountPayload,
    CreateAccountPayload,
    ImportAccountsPayload,
    IssuedPassword,
)
from redgrid.graphql.accounts.types import Account
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id, optional_db_id
from redgrid.graphql.core.mapping import from_row
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.core.ratelimits import GuessingLimit
from redgrid.graphql.registers.schema import read_upload
from redgrid.tenants.accounts import service as accounts
from redgrid.tenants.accounts.registers import AccountsRegister
from redgrid.tenants.imports import run_import

Info = strawberry.Info[GraphQLContext, None]


async def _enabled(info: Info, id: relay.GlobalID, enabled: bool) -> AccountPayload:
    ctx, users = info.context.ctx, info.context.services.users
    row = await accounts.set_enabled(ctx, users, db_id(id, "Account"), enabled)
    return AccountPayload(account=Account.from_model(row))


@strawberry.type
class AccountsMutation:
    @mutation(description="Secretaries (any tenant role), grid heads (volunteers in their grid): a new account.")
    async def create_account(self, info: Info, input: CreateAccountInput) -> CreateAccountPayload:
        draft = accounts.AccountDraft(
            username=input.username,
            display_name=input.display_name,
            role=input.role.value,
            grid_scope_id=optional_db_id(input.grid_scope_id, "GridNode", "gridScopeId"),
            email=input.email,
            unit_id=optional_db_id(input.unit_id, "JointUnit", "unitId"),
        )
        made = await accounts.create_account(info.context.ctx, info.context.services.users, draft)
        return CreateAccountPayload(
            account=Account.from_model(made.account),
            temporary_password=made.temporary_password,
            invited=made.invited,
        )

    @mutation(description="Change an account's name, role, e-mail or grid; what is left out stays.")
    async def update_account(self, info: Info, id: relay.GlobalID, input: UpdateAccountInput) -> AccountPayload:
        row = await accounts.update_account(
            info.context.ctx,
            info.context.services.users,
            db_id(id, "Account"),
            display_name=input.display_name,
            role=input.role.value if input.role else None,
            email=input.email,
            grid_scope_id=optional_db_id(input.grid_scope_id, "GridNode", "gridScopeId"),
            clear_grid_scope=input.clear_grid_scope,
            unit_id=optional_db_id(input.unit_id, "JointUnit", "unitId"),
        )
        return AccountPayload(account=Account.from_model(row))

    @mutation(description="Refuse the account's sign-ins and close its live connections (within the status TTL).")
    async def disable_account(self, info: Info, id: relay.GlobalID) -> AccountPayload:
        return await _enabled(info, id, False)

    @mutation(description="Let a disabled account sign in again.")
    async def enable_account(self, info: Info, id: relay.GlobalID) -> AccountPayload:
        return await _enabled(info, id, True)

    @mutation(
        description="Accounts from a CSV or XLSX file (用户名, 姓名, 角色, 网格编码, 电子邮箱): all or none.",
        extensions=[GuessingLimit()],
    )
    async def import_accounts(self, info: Info, file: Upload) -> ImportAccountsPayload:
        info.context.ctx.require_tenant()  # the role is checked before parsing (AccountsRegister.prepare)
        data, filename = await read_upload(file)
        spec = AccountsRegister(info.context.services.users)
        result = await run_import(info.context.ctx, spec, filename, data)
        payload = ImportAccountsPayload.from_result(result)
        payload.passwords = [from_row(IssuedPassword, i) for i in spec.issued] if not result.errors else []
        return payload
