"""The case state machine, as data: which action moves which state where, and who may act.

reported → accepted → (consulting) → dispatched → in_progress → resolved → verified → closed,
plus return (hand back), escalate (grid → community → street → department), reopen, and
refer (to a line department of the district).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Flag, auto

STATES = ("reported", "accepted", "consulting", "dispatched", "in_progress", "resolved", "verified", "closed")


class Actor(Flag):
    MANAGER = auto()  # the secretary or grid head responsible at the case's level and place
    ASSIGNEE = auto()  # whoever the case is dispatched to


@dataclass(frozen=True)
class Action:
    moves: dict[str, str]  # from state → to state
    actors: Actor


ACTIONS: dict[str, Action] = {
    "accept": Action({"reported": "accepted"}, Actor.MANAGER),
    "consult": Action({"accepted": "consulting"}, Actor.MANAGER),
    "dispatch": Action({"accepted": "dispatched", "consulting": "dispatched"}, Actor.MANAGER),
    "start": Action({"dispatched": "in_progress"}, Actor.ASSIGNEE),
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
