"""The demo that moves: `seed-demo --history DAYS` writes the demo tenants' case history
through the case services (real timelines, SLA fields and events, backdated by the seeding
clock), once; `redgrid simulate` keeps reporting and moving cases through them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Event, Tenant
from redgrid.tenants.cases.demo import HISTORY_REPORTER, SIMULATOR
from redgrid.tenants.cases.models import Case, CaseTransition

from .conftest import redgrid

DAYS = 4


async def _history(tenant: Tenant) -> list[Case]:
    async with tenant_transaction(tenant.id):
        return await Case.filter(tenant_id=tenant.id, reporter=HISTORY_REPORTER).prefetch_related("category")


async def test_seed_history_is_real_sane_and_written_once(fresh_database, db):
    started = datetime.now(UTC)
    first = redgrid(fresh_database, "seed-demo", "--history", str(DAYS))
    assert "case history of 4 days" in first.stdout
    tenants = [await Tenant.get(slug=slug) for slug in ("jinshui", "hushu")]
    counts = {}
    for tenant in tenants:
        cases = await _history(tenant)
        counts[tenant.slug] = len(cases)
        # About 8 (jinshui) and 14 (hushu) a working day, spread over the days, none in the future.
        assert 2 * DAYS <= len(cases) <= 20 * DAYS
        created = [c.created_at for c in cases]
        assert min(created) < started - timedelta(days=DAYS - 1.5) and max(created) <= started
        assert len({c.created_at.date() for c in cases}) >= DAYS - 1
        # The loop's states in a plausible mix: most of the older cases closed and rated.
        states = Counter(c.state for c in cases)
        assert states["closed"] >= len(cases) // 3, states
        closed = [c for c in cases if c.state == "closed"]
        assert all(c.satisfaction is not None and 1 <= c.satisfaction <= 5 for c in closed)
        assert all(c.created_at <= c.on_scene_at <= c.resolved_at <= c.closed_at for c in closed)  # type: ignore[operator]
        assert len({c.category.code for c in cases}) >= 3 and len({c.source for c in cases}) >= 3
        assert len({c.node_id for c in cases}) >= len(cases) // 3  # type: ignore[attr-defined]
        # The SLA fields are the services': due from the report's moment, by the category's "3-1".
        assert all(c.on_scene_due == c.created_at + timedelta(minutes=c.category.on_scene_minutes) for c in cases)
        # Timelines are backdated with their cases, one line per version; events were recorded.
        async with tenant_transaction(tenant.id):
            sample = closed[0]
            timeline = await CaseTransition.filter(case_id=sample.id).order_by("version")
            assert [t.version for t in timeline] == list(range(1, sample.version + 1))
            assert timeline[0].at == sample.created_at and timeline[-1].at == sample.closed_at
            created_events = await Event.filter(tenant_id=tenant.id, type="case.created").count()
            assert created_events >= len(cases)
    # Still-open cases late on a deadline were flagged by the SLA scanner's pass.
    open_late = [c for t in tenants for c in await _history(t) if c.state != "closed" and c.on_scene_due < started]
    assert all(c.on_scene_at or c.overdue_on_scene_at for c in open_late)

    again = redgrid(fresh_database, "seed-demo", "--history", str(DAYS))
    assert "case history exists, left as it is" in again.stdout
    assert {t.slug: len(await _history(t)) for t in tenants} == counts


async def test_simulate_reports_and_moves_cases_through_the_services(fresh_database, db):
    tenant, other = await Tenant.get(slug="hushu"), await Tenant.get(slug="jinshui")
    async with tenant_transaction(other.id):
        other_cases = await Case.filter(tenant_id=other.id).count()
    async with tenant_transaction(tenant.id):
        before_cases = await Case.filter(tenant_id=tenant.id).count()
        before_moves = await CaseTransition.filter(tenant_id=tenant.id, action__not="report").count()
        before_events = await Event.filter(tenant_id=tenant.id).count()
    done = redgrid(fresh_database, "simulate", "--rate", "5", "--tenant", "hushu", "--duration", "4")
    total = int(done.stdout.split(" events")[0])
    assert 12 <= total <= 25, done.stdout  # about rate × duration
    async with tenant_transaction(tenant.id):
        cases = await Case.filter(tenant_id=tenant.id).count()
        moves = await CaseTransition.filter(tenant_id=tenant.id, action__not="report").count()
        events = await Event.filter(tenant_id=tenant.id).count()
    assert cases > before_cases and moves > before_moves
    assert events - before_events >= total - 2  # every case step recorded its event
    async with tenant_transaction(tenant.id):  # the simulator's cases are not taken for history
        assert await Case.filter(tenant_id=tenant.id, reporter=SIMULATOR).exists()
    async with tenant_transaction(other.id):  # --tenant hushu: nothing of another street
        assert await Case.filter(tenant_id=other.id).count() == other_cases

    refused = redgrid(fresh_database, "simulate", "--rate", "0", check=False)
    assert refused.returncode == 2
    missing = redgrid(fresh_database, "simulate", "--tenant", "nowhere", "--duration", "1", check=False)
    assert missing.returncode == 2 and "no tenant" in missing.stderr
