"""The case state machine of tenants/cases/workflow.py, as a table read without a server: for
every state and every action, where the action leads (or that it is refused); who may take each
action; the escalation chain; and what can and cannot leave `closed`.

The expected table below is written from docs/domain.md ("Cases: the closed loop") and the
module's docstring, not copied from the module.
"""

from __future__ import annotations

import itertools
from collections import deque

import pytest

from redgrid.tenants.cases import workflow
from redgrid.tenants.cases.models import ESCALATION_LEVELS
from redgrid.tenants.cases.workflow import Actor

ACTION_NAMES = (
    "accept",
    "consult",
    "dispatch",
    "start",
    "handle",
    "resolve",
    "verify",
    "close",
    "return",
    "escalate",
    "reopen",
    "refer",
)
PRE_RESOLUTION = ("reported", "accepted", "consulting", "dispatched", "in_progress")

# state → {action: the state it leads to}; an action missing from a state's row is refused there.
ALLOWED: dict[str, dict[str, str]] = {
    "reported": {"accept": "accepted", "escalate": "accepted", "refer": "dispatched", "handle": "in_progress"},
    "accepted": {"consult": "consulting", "dispatch": "dispatched", "escalate": "accepted", "refer": "dispatched"},
    "consulting": {"dispatch": "dispatched", "escalate": "accepted", "refer": "dispatched"},
    "dispatched": {"start": "in_progress", "return": "accepted", "escalate": "accepted", "refer": "dispatched"},
    "in_progress": {"resolve": "resolved", "return": "accepted", "escalate": "accepted", "refer": "dispatched"},
    "resolved": {"verify": "verified", "return": "in_progress"},
    "verified": {"close": "closed", "reopen": "accepted"},
    "closed": {"reopen": "accepted"},
}

WHO: dict[str, Actor] = {
    "accept": Actor.MANAGER,
    "consult": Actor.MANAGER,
    "dispatch": Actor.MANAGER,
    "start": Actor.ASSIGNEE,
    "handle": Actor.GRID_WORKER,  # a grid worker on a simple problem (self_handling_refusal)
    "resolve": Actor.ASSIGNEE,
    "verify": Actor.MANAGER,
    "close": Actor.MANAGER,
    "return": Actor.MANAGER | Actor.ASSIGNEE,
    "escalate": Actor.MANAGER | Actor.ASSIGNEE,
    "reopen": Actor.MANAGER,
    "refer": Actor.MANAGER,  # the street's tenant-wide secretary (tenants/cases/service.py)
}


def test_the_states_are_the_loop_in_order() -> None:
    assert workflow.STATES == tuple(ALLOWED)
    assert workflow.STATES[0] == "reported" and workflow.STATES[-1] == "closed"


def test_the_actions_are_exactly_the_twelve_named() -> None:
    assert tuple(workflow.ACTIONS) == ACTION_NAMES == tuple(WHO)


@pytest.mark.parametrize(("state", "action"), list(itertools.product(workflow.STATES, workflow.ACTIONS)))
def test_each_action_from_each_state_leads_where_the_loop_says_or_is_refused(state: str, action: str) -> None:
    assert workflow.target_state(action, state) == ALLOWED[state].get(action)


def test_every_move_of_the_table_goes_between_known_states() -> None:
    for name, action in workflow.ACTIONS.items():
        assert action.moves, name
        assert set(action.moves) <= set(workflow.STATES), name
        assert set(action.moves.values()) <= set(workflow.STATES), name


@pytest.mark.parametrize("state", workflow.STATES)
def test_an_unknown_action_is_refused_in_every_state(state: str) -> None:
    for action in ("fly", "", "ACCEPT", "report", "Close"):
        assert workflow.target_state(action, state) is None, action


@pytest.mark.parametrize("action", workflow.ACTIONS)
def test_an_unknown_state_refuses_every_action(action: str) -> None:
    for state in ("", "new", "CLOSED", "in progress", "open"):
        assert workflow.target_state(action, state) is None, state


@pytest.mark.parametrize("action", workflow.ACTIONS)
def test_who_may_take_each_action(action: str) -> None:
    assert workflow.ACTIONS[action].actors == WHO[action]


def test_only_the_assignee_starts_and_resolves_and_only_a_manager_accepts_dispatches_verifies_closes_reopens() -> None:
    assignee_only = {a for a, act in workflow.ACTIONS.items() if act.actors == Actor.ASSIGNEE}
    manager_only = {a for a, act in workflow.ACTIONS.items() if act.actors == Actor.MANAGER}
    both = {a for a, act in workflow.ACTIONS.items() if act.actors == Actor.MANAGER | Actor.ASSIGNEE}
    assert assignee_only == {"start", "resolve"}
    assert manager_only == {"accept", "consult", "dispatch", "verify", "close", "reopen", "refer"}
    assert both == {"return", "escalate"}
    assert {a for a, act in workflow.ACTIONS.items() if act.actors == Actor.GRID_WORKER} == {"handle"}


# ---- a grid worker handling a simple problem himself (一般问题由微网格员直接处置) ----


def _refusal(**changes: object) -> str | None:
    given: dict = dict(grid_worker=True, reported_it=True, covers_it=True, category_allows=True, escalation="grid")
    return workflow.self_handling_refusal(**(given | changes))


def test_a_grid_worker_handles_a_simple_problem_he_reported_or_his_grid_covers() -> None:
    assert _refusal() is None
    assert _refusal(reported_it=False) is None  # another's report in his grid
    assert _refusal(covers_it=False) is None  # his own report, wherever it is


def test_nobody_else_handles_a_case_himself() -> None:
    assert _refusal(grid_worker=False) == workflow.NOT_A_HANDLER  # a grid head dispatches instead
    assert _refusal(reported_it=False, covers_it=False) == workflow.NOT_A_HANDLER  # not his
    # Who he is is decided first: a stranger learns nothing of the category.
    assert _refusal(grid_worker=False, category_allows=False) == workflow.NOT_A_HANDLER


def test_only_a_category_that_allows_it_and_only_at_the_grids_level() -> None:
    assert _refusal(category_allows=False) == workflow.NOT_SELF_HANDLED
    for level in ("community", "street", "department"):
        assert _refusal(escalation=level) == workflow.ESCALATED


def test_handling_takes_a_reported_case_straight_to_work() -> None:
    assert workflow.ACTIONS["handle"].moves == {"reported": "in_progress"}


def test_escalation_is_open_until_a_resolution_and_always_lands_in_accepted() -> None:
    moves = workflow.ACTIONS["escalate"].moves
    assert set(moves) == set(PRE_RESOLUTION)
    assert set(moves.values()) == {"accepted"}


def test_return_hands_a_dispatched_case_back_and_sends_a_resolution_back_to_work() -> None:
    assert workflow.ACTIONS["return"].moves == {
        "dispatched": "accepted",
        "in_progress": "accepted",
        "resolved": "in_progress",
    }


# ---- the escalation chain ----


def test_the_escalation_chain_climbs_grid_community_street_department() -> None:
    chain = ["grid"]
    while chain[-1] in workflow.NEXT_LEVEL:
        chain.append(workflow.NEXT_LEVEL[chain[-1]])
        assert len(chain) <= len(workflow.NEXT_LEVEL) + 1, "the chain loops"
    assert chain == ["grid", "community", "street", "department"]
    assert tuple(chain) == ESCALATION_LEVELS


def test_the_line_departments_are_the_top_and_no_level_escalates_to_the_grid() -> None:
    assert "department" not in workflow.NEXT_LEVEL
    assert "grid" not in workflow.NEXT_LEVEL.values()
    assert set(workflow.NEXT_LEVEL) | set(workflow.NEXT_LEVEL.values()) == set(ESCALATION_LEVELS)


# ---- reaching and leaving states ----


def _reachable(start: str, without: frozenset[str] = frozenset()) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        state = queue.popleft()
        for name, action in workflow.ACTIONS.items():
            target = action.moves.get(state)
            if name not in without and target is not None and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def test_closed_is_left_only_by_a_managers_reopen_back_to_accepted() -> None:
    leaving = {name: action.moves["closed"] for name, action in workflow.ACTIONS.items() if "closed" in action.moves}
    assert leaving == {"reopen": "accepted"}
    assert workflow.ACTIONS["reopen"].actors == Actor.MANAGER


def test_without_reopen_no_path_leaves_closed() -> None:
    assert _reachable("closed", without=frozenset({"reopen"})) == {"closed"}


def test_only_close_from_verified_reaches_closed() -> None:
    into_closed = [
        (name, source)
        for name, action in workflow.ACTIONS.items()
        for source, target in action.moves.items()
        if target == "closed"
    ]
    assert into_closed == [("close", "verified")]


def test_every_state_is_reachable_from_reported() -> None:
    assert _reachable("reported") == set(workflow.STATES)


@pytest.mark.parametrize("state", workflow.STATES)
def test_every_state_can_still_reach_closed_so_no_case_is_stuck(state: str) -> None:
    assert "closed" in _reachable(state)


def test_no_action_leaves_a_case_where_it_was_except_escalating_an_accepted_case() -> None:
    """Escalating an accepted case raises its level (NEXT_LEVEL) and keeps it accepted; referring
    a dispatched case gives it to a district department instead of whoever had it."""
    loops = [(name, s) for name, action in workflow.ACTIONS.items() for s, t in action.moves.items() if s == t]
    assert loops == [("escalate", "accepted"), ("refer", "dispatched")]
