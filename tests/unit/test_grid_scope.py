"""The grid scope of a caller (platform/context.py) and the scoping rules of tenants/scope.py
that need no database: which roles get the whole tenant, a subtree or nothing; what a subtree
covers; and that the Q condition the querysets get selects the same paths `covers` admits.
"""

from __future__ import annotations

import itertools

import pytest
from tortoise.expressions import Q

from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import Forbidden, GridScope, RequestContext, ScopeKind, grid_scope_for
from redgrid.platform.demo_users import ROLES
from redgrid.platform.models import Tenant
from redgrid.tenants import scope

TENANT = GridScope(ScopeKind.TENANT)
NONE = GridScope(ScopeKind.NONE)
PATH = "01.03"


def identity(*roles: str) -> Identity:
    return Identity("sub-1", "someone", frozenset(roles), "jinshui", "jiangning")


# ---- grid_scope_for: every role family, with and without a scope path on the account ----

# roles → (scope without an account path, scope with the account path PATH)
SCOPES: list[tuple[tuple[str, ...], GridScope, GridScope]] = [
    (("secretary",), TENANT, GridScope(ScopeKind.SUBTREE, PATH)),
    (("grid-head",), NONE, GridScope(ScopeKind.SUBTREE, PATH)),
    (("grid-worker",), NONE, GridScope(ScopeKind.SUBTREE, PATH)),
    (("dept-staff",), NONE, NONE),
    (("volunteer",), NONE, NONE),
    (("unit-contact",), NONE, NONE),  # no grid: his account names a unit (tenants/sharing/)
    (("platform-admin",), NONE, NONE),
    (("district-admin",), NONE, NONE),
    ((), NONE, NONE),
    (("unknown-role",), NONE, NONE),
    # Several roles: a grid role or the secretary's decides; an account path narrows a secretary too.
    (("secretary", "grid-head"), TENANT, GridScope(ScopeKind.SUBTREE, PATH)),
    (("grid-worker", "volunteer"), NONE, GridScope(ScopeKind.SUBTREE, PATH)),
    (("dept-staff", "grid-worker"), NONE, GridScope(ScopeKind.SUBTREE, PATH)),
    (("secretary", "volunteer"), TENANT, GridScope(ScopeKind.SUBTREE, PATH)),
    (("dept-staff", "volunteer"), NONE, NONE),
]


def test_the_scope_table_names_every_known_role() -> None:
    assert {role for roles, _, _ in SCOPES for role in roles} >= set(ROLES)


@pytest.mark.parametrize(("roles", "without_path", "with_path"), SCOPES)
def test_the_grid_scope_of_each_role_family_with_and_without_an_account_path(
    roles: tuple[str, ...], without_path: GridScope, with_path: GridScope
) -> None:
    assert grid_scope_for(identity(*roles), None) == without_path
    assert grid_scope_for(identity(*roles), PATH) == with_path


def test_a_root_path_on_a_secretarys_account_is_still_a_subtree_not_the_tenant() -> None:
    assert grid_scope_for(identity("secretary"), "01") == GridScope(ScopeKind.SUBTREE, "01")


def test_the_default_request_scope_is_no_grid_at_all() -> None:
    assert RequestContext(identity("secretary")).scope == NONE


# ---- GridScope.covers ----

COVERS: list[tuple[GridScope, str, bool]] = [
    (TENANT, "01", True),
    (TENANT, "01.03.12", True),
    (TENANT, "", True),
    (NONE, "01", False),
    (NONE, "", False),
    (GridScope(ScopeKind.NONE, PATH), PATH, False),  # a path on a NONE scope does not open it
    (GridScope(ScopeKind.SUBTREE, None), "01", False),  # a subtree without a path covers nothing
    (GridScope(ScopeKind.SUBTREE, "1.2"), "1.2", True),  # itself
    (GridScope(ScopeKind.SUBTREE, "1.2"), "1.2.3", True),  # a child
    (GridScope(ScopeKind.SUBTREE, "1.2"), "1.2.30.4", True),  # a deeper descendant
    (GridScope(ScopeKind.SUBTREE, "1.2"), "1.20", False),  # a sibling sharing the prefix
    (GridScope(ScopeKind.SUBTREE, "1.2"), "1.20.1", False),  # that sibling's child
    (GridScope(ScopeKind.SUBTREE, "1.2"), "1.2x", False),
    (GridScope(ScopeKind.SUBTREE, "1.2"), "1", False),  # the parent
    (GridScope(ScopeKind.SUBTREE, "1.2"), "1.3", False),  # a sibling
    (GridScope(ScopeKind.SUBTREE, "1.2"), "2.1.2", False),  # the same codes elsewhere
    (GridScope(ScopeKind.SUBTREE, "1.2"), "", False),
    (GridScope(ScopeKind.SUBTREE, PATH), "01.031", False),
    (GridScope(ScopeKind.SUBTREE, PATH), "01.03.12", True),
]


@pytest.mark.parametrize(("grid", "path", "covered"), COVERS)
def test_a_subtree_covers_itself_and_below_but_not_a_sibling_sharing_its_prefix(
    grid: GridScope, path: str, covered: bool
) -> None:
    assert grid.covers(path) is covered


@pytest.mark.parametrize(("grid", "path", "covered"), COVERS)
def test_require_covers_refuses_exactly_what_covers_does_not_admit(grid: GridScope, path: str, covered: bool) -> None:
    ctx = RequestContext(identity("grid-head"), scope=grid)
    if covered:
        scope.require_covers(ctx, path)
    else:
        with pytest.raises(Forbidden):
            scope.require_covers(ctx, path)


# ---- tenants/scope.py: the Q conditions, read without running them ----


def _matches(condition: Q, row: dict[str, str | int]) -> bool:
    """Evaluate a Q made of exact, __startswith and __lt lookups against a row: enough for the
    conditions tenants/scope.py builds, and refusing any other lookup."""
    results = [_matches(child, row) for child in condition.children]
    for key, value in condition.filters.items():
        if key.endswith("__startswith"):
            field, lookup = key.removesuffix("__startswith"), "startswith"
        elif key.endswith("__lt"):
            field, lookup = key.removesuffix("__lt"), "lt"
        else:
            field, lookup = key, ""
        got = row[field]
        if lookup == "startswith":
            results.append(isinstance(got, str) and isinstance(value, str) and got.startswith(value))
        elif lookup == "lt":
            results.append(isinstance(got, int) and isinstance(value, int) and got < value)
        else:
            results.append(got == value)
    joined = any(results) if condition.join_type == Q.OR else all(results)
    return not joined if condition._is_negated else joined


PATHS = ["01", "01.03", "01.03.12", "01.03.12.4", "01.031", "01.031.1", "01.04", "02", "02.01.03", "1.2", "1.20"]


@pytest.mark.parametrize("root", ["01", PATH, "01.03.12", "1.2"])
def test_the_subtree_condition_selects_the_paths_the_scope_covers(root: str) -> None:
    condition = scope.subtree("node__path", root)
    grid = GridScope(ScopeKind.SUBTREE, root)
    for path in PATHS:
        assert _matches(condition, {"id": 1, "node__path": path}) is grid.covers(path), path


def test_the_subtree_condition_is_the_path_itself_or_a_dotted_prefix() -> None:
    condition = scope.subtree("node__path", PATH)
    assert condition.join_type == Q.OR
    assert [child.filters for child in condition.children] == [
        {"node__path": PATH},
        {"node__path__startswith": PATH + "."},
    ]


def test_a_tenant_wide_scope_adds_no_path_condition() -> None:
    assert scope.path_filter(RequestContext(identity("secretary"), scope=TENANT), "node__path") is None


@pytest.mark.parametrize("grid", [NONE, GridScope(ScopeKind.SUBTREE, None), GridScope(ScopeKind.NONE, PATH)])
def test_no_grid_or_a_subtree_without_a_path_selects_no_row(grid: GridScope) -> None:
    condition = scope.path_filter(RequestContext(identity("grid-head"), scope=grid), "node__path")
    assert condition is not None
    assert condition.filters == {"id__lt": 0}
    assert not any(_matches(condition, {"id": i, "node__path": p}) for i, p in itertools.product((1, 2, 10**9), PATHS))


@pytest.mark.parametrize("field", ["node__path", "path", "household__node__path"])
def test_a_subtree_scope_filters_on_the_path_field_it_is_given(field: str) -> None:
    ctx = RequestContext(identity("grid-worker"), scope=GridScope(ScopeKind.SUBTREE, PATH))
    condition = scope.path_filter(ctx, field)
    assert condition is not None
    assert [child.filters for child in condition.children] == [{field: PATH}, {f"{field}__startswith": PATH + "."}]


def test_in_scope_wants_a_tenant_before_it_builds_any_query() -> None:
    ctx = RequestContext(identity("secretary"), tenant=None, scope=TENANT)
    with pytest.raises(Forbidden, match="tenant"):
        scope.in_scope(ctx, None, "node__path")  # type: ignore[arg-type]  # never reached: refused first


def test_the_context_tenant_id_is_its_tenants_id_or_none() -> None:
    ctx = RequestContext(identity("secretary"), Tenant(id=4, slug="jinshui", name="金水街道"), TENANT)
    assert ctx.tenant_id == 4
    assert RequestContext(identity("secretary")).tenant_id is None
