"""What clients send to the notification centre, its push channel and the knock log."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from redgrid.graphql.notices.enums import KnockStatus


@strawberry.input(description="A browser's PushSubscription as `subscription.toJSON()` gives it: endpoint and keys.")
class SubscribePushInput:
    endpoint: str
    p256dh: str
    auth: str


@strawberry.input
class RecordKnockInput:
    pairing_id: relay.GlobalID
    status: KnockStatus
    note: str = ""
    day: date | None = strawberry.field(default=None, description="Today when absent; yesterday is still accepted.")
