"""The demo history's case scripts: every step legal in the state machine, mostly within the
"3-1" deadlines, with some late, sent back or stalled, as the seeded history relies on."""

from __future__ import annotations

import random
from datetime import timedelta

from redgrid.tenants.cases.demo import script
from redgrid.tenants.cases.workflow import target_state


def test_scripts_follow_the_workflow_and_mostly_meet_the_3_1():
    rng = random.Random(7)
    closed = on_scene_in_time = returned = stalled = 0
    for _ in range(2000):
        state, elapsed, steps = "reported", timedelta(), script(rng)
        for delay, action in steps:
            assert delay > timedelta()
            elapsed += delay
            moved = target_state(action, state)
            assert moved is not None, (action, state)
            state = moved
            if action == "start" and elapsed <= timedelta(minutes=10):
                on_scene_in_time += 1
        closed += state == "closed"
        stalled += state != "closed"
        returned += any(action == "return" for _, action in steps)
    assert 0.93 <= closed / 2000 <= 0.99 and stalled > 0
    assert on_scene_in_time / closed >= 0.75
    assert 0 < returned < 300
