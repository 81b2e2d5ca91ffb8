"""The typed events (graphql/events/types.py): every type the services record has its
EventType, each hub event becomes its area's type once, with the API's global ids."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from redgrid.graphql.events.types import CaseEvent, EventType, FiguresEvent, GridEvent, RosterEvent, typed_event
from redgrid.realtime.hub import HubEvent
from redgrid.tenants.sharing import requests as sharing_requests
from redgrid.tenants.units.menu import STEPS

TENANTS = Path(__file__).resolve().parents[2] / "tenants"


def test_every_recorded_type_is_an_event_type() -> None:
    recorded = {
        name
        for source in TENANTS.rglob("*.py")
        for name in re.findall(r'"((?:case|grid|people|roster|figures|units|sharing)\.[a-z_]+)"', source.read_text())
    }
    recorded |= {f"units.order_{step.target}" for step in STEPS.values()}  # menu.py's f-string
    recorded |= {f"sharing.{step.target}" for step in sharing_requests.STEPS.values()}  # requests.py's
    assert recorded == {t.value for t in EventType}


def hub_event(topic: str, type_: str, payload: dict, path: str | None = "JS01.A1") -> HubEvent:
    return HubEvent(topic, 3, type_, path, payload, "2026-11-24T08:00:00+00:00")


def test_one_typed_object_per_hub_event() -> None:
    e = hub_event(
        "t1.cases",
        "case.transitioned",
        {"id": 5, "state": "accepted", "fromState": "reported", "action": "accept", "people": ["worker"]},
    )
    typed = typed_event(e)
    assert typed is typed_event(e) and isinstance(typed, CaseEvent)
    assert (typed.case_id, typed.state and typed.state.name, typed.from_state and typed.from_state.name) == (
        "Q2FzZTo1",
        "ACCEPTED",
        "REPORTED",
    )  # Case:5
    assert typed.at == datetime(2026, 11, 24, 8, tzinfo=UTC) and typed.people == ["worker"] and typed.number is None


def test_units_events_are_grid_events_with_their_own_ids() -> None:
    paired = typed_event(hub_event("t1.grid", "units.unit_paired", {"id": 2, "nodeId": None}))
    assert isinstance(paired, GridEvent) and paired.type is EventType.UNITS_UNIT_PAIRED
    assert (paired.subject_id, paired.node_id) == ("Sm9pbnRVbml0OjI=", None)  # JointUnit:2, unpaired
    imported = typed_event(hub_event("t1.grid", "units.imported", {"register": "units", "count": 4}, None))
    assert isinstance(imported, GridEvent) and imported.subject_id is None and imported.count == 4


def test_shift_times_and_figures_are_typed() -> None:
    shift = typed_event(
        hub_event(
            "t1.roster",
            "roster.checked_in",
            {
                "id": 9,
                "nodeId": 1,
                "stationId": None,
                "staffId": None,
                "username": "w",
                "people": ["w"],
                "startsAt": "2026-11-24T08:00:00+00:00",
                "endsAt": "2026-11-24T12:00:00+00:00",
                "at": "2026-11-24T08:01:00+00:00",
            },
        )
    )
    assert isinstance(shift, RosterEvent) and shift.checked_at == datetime(2026, 11, 24, 8, 1, tzinfo=UTC)
    figures = typed_event(
        hub_event(
            "t1.figures",
            "figures.updated",
            {
                "openCases": 2,
                "casesByState": {"reported": 2},
                "overdueCases": 0,
                "closedToday": 1,
                "satisfaction30Days": None,
                "onDutyNow": 0,
                "residents": 10,
                "households": 3,
                "householdsByColour": {"red": 3},
                "partyMembers": 1,
                "asOf": "2026-11-24T08:00:00+00:00",
                "watermark": {"cases": 4},
            },
            None,
        )
    )
    assert isinstance(figures, FiguresEvent) and figures.figures.open_cases == 2
    assert [(t.state.name, t.count) for t in figures.figures.cases_by_state] == [("REPORTED", 2)]


def test_a_type_this_build_does_not_know_is_skipped() -> None:
    assert typed_event(hub_event("t1.grid", "grid.something_new", {"id": 1})) is None


def test_a_sharing_event_names_the_request() -> None:
    from redgrid.graphql.events.types import SharingEvent

    typed = typed_event(
        hub_event("t1.sharing", "sharing.approved", {"requestId": "7", "status": "approved", "version": 2}, None)
    )
    assert isinstance(typed, SharingEvent)
    assert (typed.request_id, typed.status.name, typed.version) == ("U2hhcmVSZXF1ZXN0Ojc=", "APPROVED", 2)
