"""Marking notifications read, opting a browser in and out of push, and recording a knock. The
rules are in tenants/notices/ and tenants/knocks/; a refusal reaches the payload's errors
through `mutation`."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.notices.inputs import RecordKnockInput, SubscribePushInput
from redgrid.graphql.notices.payloads import KnockPayload, MarkNotificationsReadPayload, PushSubscriptionPayload
from redgrid.graphql.notices.types import Knock
from redgrid.tenants.knocks import service as knocks
from redgrid.tenants.notices import push
from redgrid.tenants.notices import service as notices

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class NoticesMutation:
    @mutation(
        description="Mark the caller's notifications read: the ids given (at most 100), or all of them. "
        "Errors: NOT_FOUND (an id not among his), TOO_MANY, REQUIRED (neither or both)."
    )
    async def mark_notifications_read(
        self, info: Info, ids: list[relay.GlobalID] | None = None, all: bool = False
    ) -> MarkNotificationsReadPayload:
        ctx = info.context.ctx
        wanted = [db_id(i, "Notification", "ids") for i in (ids or [])[: notices.MAX_IDS + 1]]
        marked = await notices.mark_read(ctx, wanted, everything=all)
        return MarkNotificationsReadPayload(marked=marked, unread_count=await notices.unread_count(ctx))

    @mutation(
        description="Opt this browser in to Web Push for the caller's notifications. Errors: INVALID_ENDPOINT, "
        "ENDPOINT_NOT_ALLOWED (not a known push service's https URL), INVALID_KEY, TOO_MANY, PUSH_DISABLED."
    )
    async def subscribe_push(self, info: Info, input: SubscribePushInput) -> PushSubscriptionPayload:
        await push.subscribe(info.context.ctx, endpoint=input.endpoint, p256dh=input.p256dh, auth=input.auth)
        return PushSubscriptionPayload(subscribed=True)

    @mutation(description="Opt this browser out of Web Push (its endpoint); `subscribed` is false afterwards.")
    async def unsubscribe_push(self, info: Info, endpoint: str) -> PushSubscriptionPayload:
        await push.unsubscribe(info.context.ctx, endpoint)
        return PushSubscriptionPayload(subscribed=False)

    @mutation(
        description="Volunteers: record today's (or yesterday's) knock at the door of a pairing's elder; again for "
        "the same day changes it. NEEDS_HELP raises a case once. Errors: NOT_FOUND, OUT_OF_RANGE, INVALID_STATUS, "
        "TOO_LONG."
    )
    async def record_knock(self, info: Info, input: RecordKnockInput) -> KnockPayload:
        knock = await knocks.record(
            info.context.ctx,
            db_id(input.pairing_id, "Pairing", "pairingId"),
            status=input.status.value,
            note=input.note,
            day=input.day,
        )
        return KnockPayload(knock=Knock.from_model(knock))
