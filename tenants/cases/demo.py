"""The demo's case history and its live movement, written through the case services.

`seed_history` replays DAYS of cases for a demo tenant: each case is reported and moved along
the closed loop by `service.report`/`service.transition`, under the seeding clock
(platform/clock.py) set to each step's moment, so timelines, SLA fields and events are those
the API would have written. The mix (category, source, priority, grid node, how fast, how
satisfied) follows the weights below; recent cases are still on their way, as on a real street.
`report_one`/`advance_one` are the simulator's steps (platform/root/simulate.py), in real time.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from redgrid.platform import clock
from redgrid.platform.context import Forbidden, RequestContext
from redgrid.platform.errors import InvalidInput
from redgrid.tenants.cases import service
from redgrid.tenants.cases.models import DISTRICT_DEPARTMENT, Case, CaseCategory
from redgrid.tenants.grid.models import GridNode

HISTORY_REPORTER = "redgrid-demo-history"  # the seeding secretary: marks the history as written
SIMULATOR = "redgrid-demo-simulator"  # the simulator's secretary: its cases are no history
CHINA = timezone(timedelta(hours=8))
DAILY_CASES = {"jinshui": 8, "hushu": 14}  # new cases on a working day, on average
CATEGORIES = {  # code → weight, titles
    "city_appearance": (35, ("垃圾堆放未清运", "小广告乱贴", "绿化带破损", "路面积水")),
    "street_order": (20, ("占道经营", "车辆乱停放", "夜间施工噪音")),
    "safety_hazard": (15, ("楼道堆放杂物", "电动车楼内充电", "井盖缺失")),
    "dispute": (10, ("邻里漏水纠纷", "物业费争议", "停车位纠纷")),
    "livelihood": (20, ("独居老人需探访", "路灯不亮", "咨询医保办理")),
}
SOURCES = {"patrol": 40, "resident_report": 25, "hotline_12345": 15, "camera": 12, "inspection": 8}
PRIORITIES = {"low": 10, "normal": 70, "high": 15, "urgent": 5}
SATISFACTION = {5: 55, 4: 28, 3: 10, 2: 4, 1: 3}
HOURS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 8, 10, 12, 12, 11, 9, 7, 5, 4, 3, 2, 1]  # reports by local hour
NEXT = {  # the simulator's next step for a case in this state
    "reported": "accept",
    "accepted": "dispatch",
    "consulting": "dispatch",
    "dispatched": "start",
    "in_progress": "resolve",
    "resolved": "verify",
    "verified": "close",
}


def pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass(frozen=True)
class Actors:
    """Who the demo acts as: a tenant-wide secretary reports and manages; `assignee(path)`
    gives the assignee kind, name and context for a case at that grid path."""

    manager: RequestContext
    assignee: Callable[[str], tuple[str, str, RequestContext]]


@dataclass(frozen=True)
class Grid:
    """What a demo case is reported against: the tenant's leaf grid nodes and categories."""

    leaves: list[tuple[int, str]]  # id, path
    categories: dict[str, tuple[int, str]]  # code → id, name

    @classmethod
    async def load(cls, tenant_id: int) -> Grid:
        rows = await GridNode.filter(tenant_id=tenant_id, retired_at=None).values_list("id", "path")
        paths = {str(path) for _, path in rows}
        parents = {p.rsplit(".", 1)[0] for p in paths if "." in p}
        leaves = [(int(i), str(p)) for i, p in rows if p not in parents] or [(int(i), str(p)) for i, p in rows]
        cats = await CaseCategory.filter(tenant_id=tenant_id).values_list("id", "code", "name")
        return cls(leaves, {str(code): (int(i), str(name)) for i, code, name in cats})


def script(rng: random.Random) -> list[tuple[timedelta, str]]:
    """A case's steps after its report, each a delay after the one before: mostly within the
    "3-1" (on scene in 10 minutes, solved in the hour, answered in the day), sometimes late,
    now and then escalated, consulted or sent back to work, and a few stalled on the way."""

    def minutes(low: float, high: float) -> timedelta:
        return timedelta(minutes=rng.uniform(low, high))

    steps = [(minutes(0.5, 3), "accept")]
    if rng.random() < 0.03:
        steps.append((minutes(5, 60), "escalate"))
    if rng.random() < 0.05:
        steps.append((minutes(10, 60), "consult"))
    steps.append((minutes(0.5, 3), "dispatch"))
    steps.append((minutes(1, 3.5) if rng.random() < 0.9 else minutes(10, 80), "start"))
    steps.append((minutes(10, 40) if rng.random() < 0.88 else minutes(65, 360), "resolve"))
    if rng.random() < 0.06:
        steps += [(minutes(30, 180), "return"), (minutes(30, 120), "resolve")]
    steps.append((minutes(60, 1200) if rng.random() < 0.9 else minutes(1500, 3000), "verify"))
    steps.append((minutes(5, 120), "close"))
    if rng.random() < 0.04:  # stalled: still open days later, overdue
        steps = steps[: rng.randrange(0, len(steps))]
    return steps


async def act(actors: Actors, case: Case, path: str, action: str, rng: random.Random) -> Case:
    """One transition of the case, by whoever the workflow lets do it."""
    kwargs: dict[str, Any] = {}
    ctx = actors.manager
    if action == "dispatch":
        kind, name, _ = actors.assignee(path)
        kwargs = {"assignee_kind": kind, "assignee": name}
    elif action in ("start", "resolve"):
        ctx = actors.assignee(path)[2]
    elif action == "verify":
        kwargs = {"satisfaction": pick(rng, SATISFACTION)}
    return await service.transition(ctx, case.id, action, version=case.version, **kwargs)


async def report_one(actors: Actors, grid: Grid, rng: random.Random, title: str | None = None) -> tuple[Case, str]:
    """A new case of the demo's mix, reported now (by the clock); its grid path."""
    code = pick(rng, {c: w for c, (w, _) in CATEGORIES.items() if c in grid.categories})
    category_id, name = grid.categories[code]
    node_id, path = rng.choice(grid.leaves)
    case = await service.report(
        actors.manager,
        title=title or f"{name}：{rng.choice(CATEGORIES[code][1])}",
        category_id=category_id,
        source=pick(rng, SOURCES),
        node_id=node_id,
        priority=pick(rng, PRIORITIES),
    )
    return case, path


async def seed_history(actors: Actors, slug: str, days: int, rng: random.Random) -> str:
    """DAYS of cases up to now, each through the services at its moment. Idempotent: a tenant
    with a history case is left as it is."""
    tenant = actors.manager.require_tenant()
    if await Case.filter(tenant_id=tenant.id, reporter=HISTORY_REPORTER).exists():
        return "case history exists, left as it is"
    grid = await Grid.load(tenant.id)
    now = datetime.now(CHINA)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    reported = moves = 0
    for back in range(days - 1, -1, -1):
        day = midnight - timedelta(days=back)
        mean = DAILY_CASES.get(slug, 8) * (0.7 if day.weekday() >= 5 else 1.0)
        for _ in range(round(rng.uniform(0.6, 1.4) * mean)):
            at = day + timedelta(hours=rng.choices(range(24), weights=HOURS)[0], minutes=rng.uniform(0, 60))
            if at > now:
                continue
            with clock.frozen_at(at):
                case, path = await report_one(actors, grid, rng)
            reported += 1
            for delay, action in script(rng):
                at += delay
                if at > now:
                    break  # still on its way
                with clock.frozen_at(at):
                    case = await act(actors, case, path, action, rng)
                moves += 1
    return f"case history of {days} days: {reported} cases, {moves} transitions"


async def advance_one(actors: Actors, rng: random.Random) -> str | None:
    """Move a random open case of the tenant one step along the loop (now and then sending a
    resolution back to work); None when there is none the demo can move."""
    tenant = actors.manager.require_tenant()
    open_cases = (
        Case.filter(tenant_id=tenant.id, state__in=list(NEXT))
        .exclude(assignee_kind=DISTRICT_DEPARTMENT)
        .exclude(escalation="department")
    )
    ids = await open_cases.order_by("-id").limit(300).values_list("id", flat=True)
    if not ids:
        return None
    case = await Case.filter(id=rng.choice(ids)).select_related("node").first()
    if case is None:
        return None
    action = "return" if case.state == "resolved" and rng.random() < 0.08 else NEXT[case.state]
    try:
        await act(actors, case, case.node.path, action, rng)
    except (InvalidInput, Forbidden):  # another hand moved it first, or an assignee of its own
        return None
    return action
