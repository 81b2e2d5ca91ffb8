"""The demo's cases in motion: `seed-demo --history DAYS` and `redgrid simulate`.

Both act through the domain services (tenants/cases/demo.py) as the demo's people: a street-wide
secretary reports and manages; a case in the demo grid worker's grid goes to him, any other to
the tenant's demo sinking staff member, who starts and resolves it. The simulator also checks
the demo users in to their shifts under way, and out of those that have ended.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import Forbidden, GridScope, RequestContext, ScopeKind
from redgrid.platform.database import tenant_transaction
from redgrid.platform.demo_users import DEMO_TENANTS
from redgrid.platform.errors import InvalidInput
from redgrid.platform.models import Account, Tenant
from redgrid.tenants.cases import demo
from redgrid.tenants.cases.sla import fire_overdue
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.staff import roster
from redgrid.tenants.staff.models import DutyShift

DEMO_SLUGS = tuple(slug for slug, _, _ in DEMO_TENANTS)


def _context(tenant: Tenant, username: str, role: str, scope: GridScope) -> RequestContext:
    return RequestContext(Identity(username, username, frozenset({role}), tenant.slug, None), tenant, scope)


async def demo_actors(tenant: Tenant, secretary: str = demo.SIMULATOR) -> tuple[demo.Actors, list[RequestContext]]:
    """The demo's actors for the tenant, and the people on its roster (grid worker, staff)."""
    manager = _context(tenant, secretary, "secretary", GridScope(ScopeKind.TENANT))
    worker_name, staff_name = f"{tenant.slug}-grid-worker", f"{tenant.slug}-dept-staff"
    account = await Account.get_or_none(tenant_id=tenant.id, username=worker_name)
    scope_node = await GridNode.get_or_none(id=account.grid_scope_id) if account and account.grid_scope_id else None  # type: ignore[attr-defined]
    worker_scope = GridScope(ScopeKind.SUBTREE, scope_node.path) if scope_node else GridScope(ScopeKind.NONE)
    worker = _context(tenant, worker_name, "grid-worker", worker_scope)
    staff = _context(tenant, staff_name, "dept-staff", GridScope(ScopeKind.NONE))

    def assignee(path: str) -> tuple[str, str, RequestContext]:
        if scope_node is not None and worker_scope.covers(path):
            return "grid_worker", worker_name, worker
        return "dept_staff", staff_name, staff

    return demo.Actors(manager, assignee), [worker, staff]


async def seed_case_history(days: int, seed: int = 2026) -> list[str]:
    """`seed-demo --history DAYS`: each demo tenant's history in one transaction of its own
    (all or nothing), then the SLA scanner's pass over what is still open and late."""
    report = []
    for slug in DEMO_SLUGS:
        tenant = await Tenant.get(slug=slug)
        async with tenant_transaction(tenant.id):
            actors, _ = await demo_actors(tenant, demo.HISTORY_REPORTER)
            report.append(
                f"tenant {slug}: " + await demo.seed_history(actors, slug, days, random.Random(f"{seed}{slug}"))
            )
    overdue = await fire_overdue()
    report.append(f"{overdue} deadlines newly overdue")
    return report


async def _roster_step(people: list[RequestContext], rng: random.Random) -> str | None:
    """Check a demo user in to a shift under way, or out of one that has ended."""
    ctx = rng.choice(people)
    now = datetime.now(UTC)
    mine = DutyShift.filter(
        tenant_id=ctx.require_tenant().id, assignee_username=ctx.require_user().username, cancelled_at=None
    )
    try:
        if shift := await mine.filter(
            starts_at__lte=now + roster.EARLY_CHECK_IN, ends_at__gt=now, checked_in_at=None
        ).first():
            await roster.check_in(ctx, shift.id)
            return "check_in"
        if shift := await mine.filter(ends_at__lte=now, checked_in_at__isnull=False, checked_out_at=None).first():
            await roster.check_out(ctx, shift.id)
            return "check_out"
    except (InvalidInput, Forbidden):
        return None
    return None


async def simulate(
    rate: float,
    slugs: tuple[str, ...],
    duration: float | None,
    *,
    seed: int | None = None,
    progress: Callable[[Counter[str]], None] | None = None,
) -> Counter[str]:
    """Report and move cases (and check people in and out) at `rate` events a second, each in
    its own transaction, until `duration` seconds have passed (None: until cancelled)."""
    rng = random.Random(seed)
    tenants = [t for slug in slugs if (t := await Tenant.get_or_none(slug=slug)) is not None]
    if len(tenants) != len(slugs):
        raise LookupError(f"no tenant among {', '.join(slugs)}")
    cast: dict[int, tuple[demo.Actors, list[RequestContext], demo.Grid]] = {}
    for tenant in tenants:
        async with tenant_transaction(tenant.id):
            actors, people = await demo_actors(tenant)
            cast[tenant.id] = (actors, people, await demo.Grid.load(tenant.id))
    done: Counter[str] = Counter()
    start = time.monotonic()
    tick = 0
    while duration is None or time.monotonic() - start < duration:
        tenant = rng.choice(tenants)
        actors, people, grid = cast[tenant.id]
        async with tenant_transaction(tenant.id):
            roll = rng.random()
            what: str | None = None
            if roll < 0.05:
                what = await _roster_step(people, rng)
            if what is None and roll < 0.4:
                await demo.report_one(actors, grid, rng)
                what = "report"
            what = what or await demo.advance_one(actors, rng)
            if what is None:  # nothing the demo can move: a new case instead
                await demo.report_one(actors, grid, rng)
                what = "report"
        done[what] += 1
        tick += 1
        if progress is not None and tick % max(1, int(rate * 10)) == 0:
            progress(done)
        await asyncio.sleep(max(0.0, start + tick / rate - time.monotonic()))
    return done
