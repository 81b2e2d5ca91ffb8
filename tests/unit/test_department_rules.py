"""District line departments' pure rules, without a server: the policies `redgrid migrate`
writes for their staff, and which events and topic a department's staff may follow."""

from __future__ import annotations

import pytest

from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import Forbidden, GridScope, RequestContext, ScopeKind
from redgrid.platform.database import department_policy_sql
from redgrid.platform.events import department_topic
from redgrid.platform.models import Tenant
from redgrid.realtime.hub import HubEvent
from redgrid.realtime.visibility import events_topic, in_scope, may_see


def staff(department_id: int | None = 7) -> RequestContext:
    identity = Identity("s", "roads-staff", frozenset({"dept-staff"}), None, "jiangning")
    return RequestContext(identity, None, GridScope(ScopeKind.NONE), department_id=department_id)


def event(topic: str, people: tuple[str, ...] = ()) -> HubEvent:
    return HubEvent(topic, 1, "case.transitioned", "JS01.A1", {"id": 1, "people": list(people)}, "2026-01-01T00:00:00")


def test_policies_are_made_only_where_a_model_grants_a_command() -> None:
    created = [s for s in department_policy_sql() if s.startswith("CREATE POLICY")]
    on = {(s.split()[4].strip('"'), s.split()[6]) for s in created}
    assert on == {
        ("grid_case", "SELECT"),
        ("grid_case", "UPDATE"),
        ("case_transition", "SELECT"),
        ("case_transition", "INSERT"),
        ("grid_node", "SELECT"),
        ("case_category", "SELECT"),
        ("case_attachment", "SELECT"),
        ("event", "SELECT"),
        ("event", "INSERT"),
    }
    assert all("app.district_department_id" in s and "{department}" not in s for s in created)
    # INSERT has only a check, SELECT only a filter, UPDATE both: no row is written outside.
    by_command = {s.split()[6]: s for s in created}
    assert " USING " not in by_command["INSERT"] and " WITH CHECK " in by_command["INSERT"]
    assert " USING " in by_command["SELECT"] and " WITH CHECK " not in by_command["SELECT"]
    assert " USING " in by_command["UPDATE"] and " WITH CHECK " in by_command["UPDATE"]
    # Re-runnable: every policy it may make is dropped first, on every tenant-owned table.
    dropped = [s for s in department_policy_sql() if s.startswith("DROP POLICY IF EXISTS")]
    assert len(dropped) == 4 * len({s.split()[-1] for s in dropped})


def test_a_departments_staff_follow_their_departments_cases_and_nothing_else() -> None:
    ctx = staff()
    assert events_topic(ctx, "cases", None) == department_topic(7) == "dept7.cases"
    for area in ("grid", "people", "roster", "figures"):
        with pytest.raises(Forbidden):
            events_topic(ctx, area, None)
    assert may_see(ctx, event("dept7.cases"))
    assert not may_see(ctx, event("dept8.cases"))
    assert not may_see(ctx, event("t1.cases", people=("roads-staff",)))  # a street's topic, even naming him
    assert not in_scope(staff(None), event("dept7.cases"))  # not (or no longer) on a department's staff


def test_a_streets_users_never_see_a_departments_topic() -> None:
    tenant = Tenant(id=1, slug="jinshui", name="金水", kind="street", district_id=1)
    identity = Identity("x", "jinshui-secretary", frozenset({"secretary"}), "jinshui", "jiangning")
    secretary = RequestContext(identity, tenant, GridScope(ScopeKind.TENANT))
    assert events_topic(secretary, "cases", None) == "t1.cases"
    assert not may_see(secretary, event("dept7.cases"))
    assert may_see(secretary, event("t1.cases"))
