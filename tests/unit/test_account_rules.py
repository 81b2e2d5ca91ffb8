"""Who may grant which account over which grid (tenants/accounts/rules.py)."""

from __future__ import annotations

import pytest

from redgrid.platform.context import GridScope, ScopeKind
from redgrid.tenants.accounts import rules

STREET = GridScope(ScopeKind.TENANT)
BUILDING = GridScope(ScopeKind.SUBTREE, "JS01.A1.B03")
NOTHING = GridScope(ScopeKind.NONE)


@pytest.mark.parametrize(
    ("actor", "granted"),
    [
        ({"secretary"}, {"secretary", "grid-head", "grid-worker", "dept-staff", "volunteer", "unit-contact"}),
        ({"grid-head"}, {"volunteer"}),
        ({"grid-worker"}, set()),
        ({"dept-staff", "volunteer"}, set()),
        ({"district-admin"}, set()),
        ({"platform-admin"}, set()),
    ],
)
def test_what_each_role_may_grant(actor, granted):
    assert rules.grantable(actor) == granted


@pytest.mark.parametrize("role", ["district-admin", "platform-admin", "root", ""])
def test_nobody_grants_a_role_outside_the_tenant(role):
    problem = rules.role_problem({"secretary", "platform-admin", "district-admin"}, role)
    assert problem is not None and problem.code == "ROLE_NOT_ALLOWED"


@pytest.mark.parametrize(
    ("actor_scope", "role", "path", "code"),
    [
        (STREET, "grid-worker", "JS01.A2", None),
        (STREET, "secretary", None, None),
        (STREET, "dept-staff", None, None),
        (STREET, "grid-head", None, "SCOPE_REQUIRED"),
        (STREET, "volunteer", None, "SCOPE_REQUIRED"),
        (BUILDING, "volunteer", "JS01.A1.B03", None),
        (BUILDING, "volunteer", "JS01.A1.B03.U1", None),
        (BUILDING, "volunteer", "JS01.A1", "SCOPE_OUTSIDE"),
        (BUILDING, "volunteer", "JS01.A1.B03X", "SCOPE_OUTSIDE"),
        (BUILDING, "secretary", None, "SCOPE_OUTSIDE"),
        (NOTHING, "volunteer", "JS01", "SCOPE_OUTSIDE"),
    ],
)
def test_scope_lies_inside_the_actors_own(actor_scope, role, path, code):
    problem = rules.scope_problem(actor_scope, role, path)
    assert (problem.code if problem else None) == code


def test_a_grid_head_manages_only_volunteers_of_his_grid():
    head = {"grid-head"}
    assert rules.may_manage(head, BUILDING, "volunteer", "JS01.A1.B03")
    assert not rules.may_manage(head, BUILDING, "volunteer", "JS01.A2")
    assert not rules.may_manage(head, BUILDING, "grid-worker", "JS01.A1.B03")
    assert not rules.may_manage(head, BUILDING, "", "JS01.A1.B03")
    assert rules.may_manage({"secretary"}, STREET, "", None)


@pytest.mark.parametrize(
    ("username", "ok"),
    [("wang-wu", True), ("li.si_2", True), ("ab", False), ("Wang", False), ("1abc", False), ("张三", False)],
)
def test_usernames(username, ok):
    assert (rules.username_problem(username) is None) is ok


@pytest.mark.parametrize(("email", "ok"), [("", True), ("a@b.cn", True), ("a@b", False), ("a b@c.cn", False)])
def test_emails(email, ok):
    assert (rules.email_problem(email) is None) is ok


@pytest.mark.parametrize(
    ("name", "split"),
    [("张三", ("三", "张")), ("欧阳修", ("阳修", "欧")), ("Li Lei", ("Li", "Lei")), ("Anna", ("Anna", "Anna"))],
)
def test_names_split_for_the_identity_provider(name, split):
    assert rules.split_name(name) == split


@pytest.mark.parametrize(
    ("actor_scope", "role", "unit", "code"),
    [
        (STREET, "unit-contact", ("JS01.A1",), None),
        (STREET, "unit-contact", (None,), None),  # an unpaired unit: the street's
        (BUILDING, "unit-contact", ("JS01.A1.B03",), None),
        (BUILDING, "unit-contact", ("JS01.A2",), "NOT_FOUND"),  # outside his grid: as if missing
        (BUILDING, "unit-contact", (None,), "NOT_FOUND"),
        (STREET, "unit-contact", None, "UNIT_REQUIRED"),
        (STREET, "grid-worker", ("JS01.A1",), "UNIT_NOT_ALLOWED"),
        (STREET, "grid-worker", None, None),
    ],
)
def test_a_unit_contact_keeps_one_unit_of_the_actors_grid(actor_scope, role, unit, code):
    problem = rules.unit_problem(actor_scope, role, unit)
    assert (problem.code if problem else None) == code


def test_a_unit_contact_has_no_grid():
    assert rules.scope_problem(STREET, "unit-contact", None) is None
    problem = rules.scope_problem(STREET, "unit-contact", "JS01.A1")
    assert problem is not None and problem.code == "SCOPE_NOT_ALLOWED"
