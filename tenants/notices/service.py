"""The notification centre: what reaches a user, written in the same transaction as the change
that causes it, and read, counted and marked read by that user alone.

Each notification records a `notification.created` event on the tenant's `notices` topic
naming its recipients (their usernames only), which is what moves their live unread counts;
marking read records `notification.read` for the reader. Nobody subscribes to that topic
through `events`: its only reader is the unread count (graphql/notices/). Once the transaction
has committed, the recipients' browsers that opted in are pushed the text (tenants/notices/push.py).

The texts are short, zh-CN, and name a case by its number and a pairing by its id, never a
person: they also leave the server through the push services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from tortoise.queryset import QuerySet

from redgrid.platform import clock, events
from redgrid.platform.context import RequestContext
from redgrid.platform.database import on_commit, tenant_transaction, unique_or
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.tenants.cases.models import Case, CaseTransition
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.notices import push
from redgrid.tenants.notices.models import Notification
from redgrid.tenants.notices.recipients import accounts_among, grid_workers_serving, managers_at
from redgrid.tenants.people.models import Pairing
from redgrid.tenants.staff import dispatch

MAX_IDS = 100  # ids one markNotificationsRead names
LEVEL_NAMES = {"grid": "网格", "community": "社区", "street": "街道", "department": "区职能部门"}
DEADLINE_NAMES = {"on_scene": "到场时限", "resolve": "处置时限", "answer": "答复时限"}


def topic(tenant_id: int) -> str:
    return events.topic_for(tenant_id, "notices")


async def notify(
    tenant_id: int,
    usernames: Iterable[str],
    kind: str,
    text: str,
    *,
    case_id: int | None = None,
    pairing_id: int | None = None,
    key: str | None = None,
) -> list[str]:
    """Notify the enabled accounts among `usernames` in the current transaction; with `key`,
    only those who were not notified under that key before. Returns who was notified."""
    now = clock.now()
    notified = []
    for username in await accounts_among(tenant_id, usernames):
        row = Notification(
            tenant_id=tenant_id,
            username=username,
            kind=kind,
            text=text[:200],
            case_id=case_id,
            pairing_id=pairing_id,
            key=key,
            created_at=now,
        )
        if key is None:
            await row.save()
        elif await Notification.filter(tenant_id=tenant_id, username=username, key=key).exists():
            continue
        else:
            try:
                async with unique_or(UserError("key", "DUPLICATE", "notified already")):
                    await row.save()
            except InvalidInput:  # another scanner notified him meanwhile
                continue
        notified.append(username)
    if notified:
        await events.record_in(tenant_id, topic(tenant_id), "notification.created", {"people": notified}, path=None)
        message = {"kind": kind, "text": text[:200]}
        on_commit(lambda: push.send_after_commit(tenant_id, notified, message))
    return notified


# What the case workflow causes (tenants/cases/service.py and sla.py call these).


async def case_transitioned(ctx: RequestContext, after: Case, action: str) -> list[str]:
    """The notification a transition causes, if any: dispatched to the new assignee, returned
    to whoever it goes back to (the manager who dispatched or referred it, or the assignee a
    resolution goes back to), escalated to the managers of the new level. Never to the actor.
    A district department's staff (no tenant: they read no street's accounts) notify nobody."""
    if ctx.tenant is None:
        return []
    actor = ctx.require_user().username
    tenant_id: int = after.tenant_id  # type: ignore[attr-defined]
    number = after.number
    path = await _path(after)
    if action == "dispatch":
        kind, text = "dispatched", f"案件 {number} 已派给你处置"
        people = await dispatch.acting_usernames(tenant_id, after.assignee_kind, after.assignee)
    elif action == "return" and after.state == "in_progress":  # the resolution did not satisfy
        kind, text = "returned", f"案件 {number} 的处置未通过核查，已退回继续处置"
        people = await dispatch.acting_usernames(tenant_id, after.assignee_kind, after.assignee)
    elif action == "return":
        kind, text = "returned", f"案件 {number} 已被退回，请重新处理"
        gave = await CaseTransition.filter(case_id=after.id, action__in=("dispatch", "refer")).order_by("-version")
        people = [gave[0].actor] if gave else await managers_at(tenant_id, after.escalation, path)
    elif action == "escalate":
        kind, text = "escalated", f"案件 {number} 已上报至{LEVEL_NAMES.get(after.escalation, '上级')}，请受理"
        people = await managers_at(tenant_id, after.escalation, path)
    else:
        return []
    return await notify(tenant_id, (p for p in people if p != actor), kind, text, case_id=after.id)


async def case_overdue(case: Case, deadline: str) -> list[str]:
    """A passed deadline: to whoever acts as the case's assignee and its responsible managers."""
    tenant_id: int = case.tenant_id  # type: ignore[attr-defined]
    acting = await dispatch.acting_usernames(tenant_id, case.assignee_kind, case.assignee)
    managers = await managers_at(tenant_id, case.escalation, await _path(case))
    text = f"案件 {case.number} 已超过{DEADLINE_NAMES.get(deadline, '时限')}"
    return await notify(tenant_id, [*acting, *managers], "overdue", text, case_id=case.id)


async def missed_knock(pairing: Pairing, day: date) -> list[str]:
    """A pairing with no knock on `day`: to the grid workers serving the elder's node, once."""
    tenant_id: int = pairing.tenant_id  # type: ignore[attr-defined]
    workers = await grid_workers_serving(tenant_id, pairing.resident.node)
    text = f"结对 {pairing.id} 号：{day.month}月{day.day}日未记录爱心敲门"
    return await notify(
        tenant_id, workers, "missed_knock", text, pairing_id=pairing.id, key=f"knock:{pairing.id}:{day.isoformat()}"
    )


async def _path(case: Case) -> str:
    node = await GridNode.get(id=case.node_id)  # type: ignore[attr-defined]
    return node.path


# What a user reads and does with his own.


def mine(ctx: RequestContext) -> QuerySet[Notification]:
    """The caller's notifications: nobody else's, whatever his role."""
    tenant, identity = ctx.require_tenant(), ctx.require_user()
    return Notification.filter(tenant_id=tenant.id, username=identity.username)


async def notification_by_id(ctx: RequestContext, notification_id: int) -> Notification | None:
    return await mine(ctx).get_or_none(id=notification_id)


async def unread_count(ctx: RequestContext) -> int:
    return await mine(ctx).filter(read_at=None).count()


async def unread_count_now(ctx: RequestContext) -> int:
    """`unread_count` in a transaction of its own (a subscription holds none)."""
    async with tenant_transaction(ctx.require_tenant().id):
        return await unread_count(ctx)


async def mark_read(ctx: RequestContext, ids: list[int] | None, *, everything: bool = False) -> int:
    """Mark the caller's notifications `ids` read (or all of his, with `everything`); an id that
    is not one of his is NOT_FOUND, as a missing one, and nothing is marked. Returns how many
    were unread and are read now."""
    tenant, identity = ctx.require_tenant(), ctx.require_user()
    if everything == bool(ids):
        raise InvalidInput(UserError("ids", "REQUIRED", "give the ids, or all: true, one of them"))
    query = mine(ctx)
    if not everything:
        wanted = set(ids or ())
        if len(wanted) > MAX_IDS:
            raise InvalidInput(UserError("ids", "TOO_MANY", f"at most {MAX_IDS} ids at once"))
        if await query.filter(id__in=wanted).count() != len(wanted):
            raise InvalidInput(UserError("ids", "NOT_FOUND", "no such notification"))
        query = query.filter(id__in=wanted)
    changed = await query.filter(read_at=None).update(read_at=clock.now())
    if changed:
        payload: dict[str, Any] = {"people": [identity.username]}
        await events.record_in(tenant.id, topic(tenant.id), "notification.read", payload, path=None)
    return changed
