"""The notification centre, its push channel and the volunteers' knock log, as
graphql/schema.py composes them: queries, mutations and the live unread count."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.node_lookup import NodeResolver, node_resolver
from redgrid.graphql.notices.mutations import NoticesMutation
from redgrid.graphql.notices.queries import NoticesQuery
from redgrid.graphql.notices.stream import unread_counts
from redgrid.graphql.notices.types import Notification
from redgrid.tenants.notices import service as notices

__all__ = ["NODES", "TYPES", "NoticesMutation", "NoticesQuery", "NoticesSubscription"]

Info = strawberry.Info[GraphQLContext, None]

NODES: dict[str, NodeResolver[object]] = {
    "Notification": node_resolver(notices.notification_by_id, Notification.from_model),
}
TYPES: list[type] = []


@strawberry.type
class NoticesSubscription:
    @strawberry.subscription(
        description="The caller's unread notification count: at once on subscribing (so it is right after a "
        "reconnect), then each time it changes."
    )
    async def unread_notification_count(self, info: Info) -> AsyncGenerator[int, None]:
        async for count in unread_counts(info.context):
            yield count
