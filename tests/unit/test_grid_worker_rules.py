"""The grid workers' register and account links, the rules that need no database: the posts
and nodes a change may give a worker, which accounts a caller may see to link, and that the
"his records" condition follows the link before the typed username."""

from __future__ import annotations

import pytest

from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import GridScope, RequestContext, ScopeKind
from redgrid.platform.models import Tenant
from redgrid.tenants.workers.links import account_in_view, mine
from redgrid.tenants.workers.models import POSTS
from redgrid.tenants.workers.service import MAX_NODES, check_node_ids, check_posts


def codes(errors: list) -> list[tuple[str | None, str]]:
    return [(e.field, e.code) for e in errors]


def test_the_posts_are_the_four_officers_and_the_grids_heads_and_workers() -> None:
    assert {"information", "publicity", "coordination", "supervision"} <= set(POSTS)
    assert {"grid_head", "micro_grid_head", "full_time_worker", "building_head"} <= set(POSTS)


@pytest.mark.parametrize(
    ("posts", "expected"),
    [
        (["information"], []),
        (list(POSTS), []),
        ([], [("posts", "REQUIRED")]),
        (["information", "information"], [("posts", "DUPLICATE")]),
        (["information", "chief"], [("posts.1", "INVALID_POST")]),
    ],
)
def test_a_worker_holds_one_to_all_posts_each_once(posts: list[str], expected: list) -> None:
    assert codes(check_posts(posts)) == expected


@pytest.mark.parametrize(
    ("node_ids", "expected"),
    [
        ([1], []),
        (list(range(1, MAX_NODES + 1)), []),
        ([], [("nodeIds", "OUT_OF_RANGE")]),
        (list(range(MAX_NODES + 1)), [("nodeIds", "OUT_OF_RANGE")]),
        ([3, 3], [("nodeIds", "DUPLICATE")]),
    ],
)
def test_a_worker_serves_one_to_max_nodes_each_once(node_ids: list[int], expected: list) -> None:
    assert codes(check_node_ids(node_ids)) == expected


def context(scope: GridScope) -> RequestContext:
    identity = Identity("s", "someone", frozenset({"secretary"}), "jinshui", "jiangning")
    return RequestContext(identity, Tenant(id=1, slug="jinshui", name="金水"), scope)


@pytest.mark.parametrize(
    ("scope", "account_grid", "seen"),
    [
        (GridScope(ScopeKind.TENANT), None, True),  # a tenant-wide caller: any account of his tenant
        (GridScope(ScopeKind.TENANT), "01.02", True),
        (GridScope(ScopeKind.SUBTREE, "01.02"), "01.02", True),
        (GridScope(ScopeKind.SUBTREE, "01.02"), "01.02.07", True),
        (GridScope(ScopeKind.SUBTREE, "01.02"), "01", False),  # above his grid
        (GridScope(ScopeKind.SUBTREE, "01.02"), "01.020", False),  # a sibling sharing a prefix
        (GridScope(ScopeKind.SUBTREE, "01.02"), None, False),  # no grid: a tenant-wide or gridless role
        (GridScope(ScopeKind.NONE), "01.02", False),
    ],
)
def test_a_caller_links_only_accounts_of_his_grid(scope: GridScope, account_grid: str | None, seen: bool) -> None:
    assert account_in_view(context(scope), account_grid) is seen


def test_his_records_are_the_linked_ones_then_the_unlinked_ones_typed_with_his_username() -> None:
    condition = mine("jinshui-dept-staff", "staff__")
    assert condition.join_type == "OR"
    assert [c.filters for c in condition.children] == [
        {"staff__account__username": "jinshui-dept-staff"},
        {"staff__account_id": None, "staff__username": "jinshui-dept-staff"},
    ]
