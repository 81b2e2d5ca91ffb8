"""Reading accounts and their audit trail; who sees which is tenants/accounts/service.py."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.accounts.inputs import AccountFilter
from redgrid.graphql.accounts.types import Account, AccountChange
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.filtering import narrowed
from redgrid.graphql.core.ids import optional_db_id
from redgrid.graphql.core.pagination import Connection, Ordering, paginate
from redgrid.tenants.accounts import service as accounts

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="The street's accounts the caller may manage (his own only, for other roles).")
    async def accounts(
        self, info: Info, first: int = 50, after: str | None = None, filter: AccountFilter | None = None
    ) -> Connection[Account]:
        f = filter or AccountFilter()
        query = narrowed(
            accounts.visible(info.context.ctx),
            role=f.role,
            enabled=f.enabled,
            display_name__icontains=f.name_contains,
        )
        return await paginate(query, first, after, Account.from_model, Ordering("username"))

    @strawberry.field(description="The audit trail of the accounts the caller may manage, newest first.")
    async def account_changes(
        self, info: Info, first: int = 50, after: str | None = None, account_id: relay.GlobalID | None = None
    ) -> Connection[AccountChange]:
        query = accounts.changes(info.context.ctx, optional_db_id(account_id, "Account", "accountId"))
        return await paginate(query, first, after, AccountChange.from_model, Ordering("id", descending=True))
