"""Reading the caller's notifications and a pairing's knocks."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id
from redgrid.graphql.core.pagination import Connection, Ordering, paginate
from redgrid.graphql.notices.types import Knock, Notification
from redgrid.tenants.knocks import service as knocks
from redgrid.tenants.notices import push
from redgrid.tenants.notices import service as notices

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class NoticesQuery:
    @strawberry.field(description="The caller's own notifications, newest first.")
    async def notifications(
        self, info: Info, first: int = 20, after: str | None = None, unread_only: bool = False
    ) -> Connection[Notification]:
        query = notices.mine(info.context.ctx)
        if unread_only:
            query = query.filter(read_at=None)
        return await paginate(query, first, after, Notification.from_model, Ordering("id", descending=True))

    @strawberry.field(description="How many of the caller's notifications are unread.")
    async def unread_notification_count(self, info: Info) -> int:
        return await notices.unread_count(info.context.ctx)

    @strawberry.field(
        description="The server's VAPID public key (base64url), the applicationServerKey a browser subscribes "
        "with; null when this server sends no push notifications."
    )
    async def push_public_key(self, info: Info) -> str | None:
        info.context.ctx.require_tenant()
        return push.public_key()

    @strawberry.field(description="A pairing's knocks, latest day first; none for a pairing the caller may not see.")
    async def pairing_knocks(
        self, info: Info, pairing_id: relay.GlobalID, first: int = 30, after: str | None = None
    ) -> Connection[Knock]:
        query = await knocks.knocks_of(info.context.ctx, db_id(pairing_id, "Pairing", "pairingId"))
        return await paginate(query, first, after, Knock.from_model, Ordering("day", descending=True))
