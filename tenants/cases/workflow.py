"""The case state machine, as data: which action moves which state where, and who may act.

reported → accepted → (consulting) → dispatched → in_progress → resolved → verified → closed,
plus return (hand back), escalate (grid → community → street → department), reopen, and
refer (to a line department of the district). A simple problem (一般问题由微网格员直接处置) goes
reported → in_progress by `handle`: a grid worker takes it himself, where its category allows,
then resolves it, and the grid head verifies it as any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Flag, auto

STATES = ("reported", "accepted", "consulting", "dispatched", "in_progress", "resolved", "verified", "closed")


class Actor(Flag):
    MANAGER = auto()  # the secretary or grid head responsible at the case's level and place
    ASSIGNEE = auto()  # whoever the case is dispatched to
    # A grid worker who reported the case, or whose grid covers it, on a grid-level case whose
    # category allows it (`self_handling_refusal`).
    GRID_WORKER = auto()


@dataclass(frozen=True)
class Action:
    moves: dict[str, str]  # from state → to state
    actors: Actor


ACTIONS: dict[str, Action] = {
    "accept": Action({"reported": "accepted"}, Actor.MANAGER),
    "consult": Action({"accepted": "consulting"}, Actor.MANAGER),
    "dispatch": Action({"accepted": "dispatched", "consulting": "dispatched"}, Actor.MANAGER),
    "start": Action({"dispatched": "in_progress"}, Actor.ASSIGNEE),
    # A grid worker handles a simple problem himself: he becomes its assignee, on the scene.
    "handle": Action({"reported": "in_progress"}, Actor.GRID_WORKER),
    "resolve": Action({"in_progress": "resolved"}, Actor.ASSIGNEE),
    "verify": Action({"resolved": "verified"}, Actor.MANAGER),
    "close": Action({"verified": "closed"}, Actor.MANAGER),
    # An assignee hands a case back; a manager sends an unsatisfying resolution back to work.
    "return": Action(
        {"dispatched": "accepted", "in_progress": "accepted", "resolved": "in_progress"},
        Actor.MANAGER | Actor.ASSIGNEE,
    ),
    "escalate": Action(
        {s: "accepted" for s in ("reported", "accepted", "consulting", "dispatched", "in_progress")},
        Actor.MANAGER | Actor.ASSIGNEE,
    ),
    "reopen": Action({"verified": "accepted", "closed": "accepted"}, Actor.MANAGER),
    # The street refers a case to a line department of its district, which then acts as its
    # assignee (start, resolve, return); the street still verifies and closes it.
    "refer": Action(
        {s: "dispatched" for s in ("reported", "accepted", "consulting", "dispatched", "in_progress")},
        Actor.MANAGER,
    ),
}

NEXT_LEVEL = {"grid": "community", "community": "street", "street": "department"}


def target_state(action: str, state: str) -> str | None:
    """The state `action` leads to from `state`, or None when it is not allowed there."""
    rule = ACTIONS.get(action)
    return rule.moves.get(state) if rule else None


# Why a caller may not `handle` a case himself (None: he may).
NOT_A_HANDLER = "NOT_A_HANDLER"  # not a grid worker who reported it or whose grid covers it
NOT_SELF_HANDLED = "NOT_SELF_HANDLED"  # its category is handled by dispatch
ESCALATED = "ESCALATED"  # no longer the grid's own case


def self_handling_refusal(
    *, grid_worker: bool, reported_it: bool, covers_it: bool, category_allows: bool, escalation: str
) -> str | None:
    """Whether a caller may take a reported case himself (`handle`): a grid worker who reported
    it or whose grid covers its node, on a case still at the grid's level, of a category the
    street's secretary marked as one its grid workers handle directly."""
    if not grid_worker or not (reported_it or covers_it):
        return NOT_A_HANDLER
    if not category_allows:
        return NOT_SELF_HANDLED
    if escalation != "grid":
        return ESCALATED
    return None
