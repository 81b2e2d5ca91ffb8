"""What the notification centre's, push channel's and knock log's mutations answer."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.payloads import Payload
from redgrid.graphql.notices.types import Knock


@strawberry.type
class MarkNotificationsReadPayload(Payload):
    marked: int = strawberry.field(default=0, description="How many were unread and are read now.")
    unread_count: int = 0


@strawberry.type
class PushSubscriptionPayload(Payload):
    subscribed: bool = False


@strawberry.type
class KnockPayload(Payload):
    knock: Knock | None = None
