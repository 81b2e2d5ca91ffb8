"""The account a person of a register is linked to, as every area shows it (a grid node's head,
a grid worker, a sinking staff member, a volunteer, a case's assignee): who signs in, by the
names his account carries. No imports from the areas, so each of them can show it."""

from __future__ import annotations

import strawberry
from strawberry.dataloader import DataLoader

from redgrid.graphql.core.context import GraphQLContext
from redgrid.platform.models import Account

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(description="The account a person signs in as: his username and the name the account shows.")
class AccountRef:
    username: str
    display_name: str = strawberry.field(description="Empty until the account has one: show the username then.")

    @classmethod
    def from_model(cls, m: Account) -> AccountRef:
        return cls(username=m.username, display_name=m.display_name)


async def linked_account(info: Info, account_id: int | None) -> AccountRef | None:
    """The account a row links to, through the request's DataLoader (null: none)."""
    if account_id is None:
        return None
    found = await info.context.loaders.by_id(Account).load(account_id)
    return AccountRef.from_model(found) if found else None


async def account_named(info: Info, username: str | None) -> AccountRef | None:
    """The caller's tenant's account of `username`, through the request's DataLoader."""
    if not username:
        return None
    loader: DataLoader[str, list[Account]] = info.context.loaders.many(Account, "username")  # type: ignore[assignment]
    found = await loader.load(username)
    return AccountRef.from_model(found[0]) if found else None
