"""Key figures against PostgreSQL and Redis: the query by role, and a `figures.updated` push
after a change (the scheduler job runs every REDGRID_SLA_SCAN_SECONDS=1 in the test server)."""

from __future__ import annotations

import asyncio

from .clients import Subscriber, gql, gql_data
from .test_cases import report

FIGURES = "{ keyFigures { openCases overdueCases closedToday onDutyNow residents households partyMembers satisfaction30Days casesByState { key count } householdsByColour { key count } asOf } }"


async def test_key_figures_by_role(live_server, tokens):
    figures = (await gql_data(live_server, FIGURES, token=tokens["secretary"]))["keyFigures"]
    assert figures["residents"] >= 4000 and figures["partyMembers"] > 100
    assert sum(t["count"] for t in figures["householdsByColour"]) == figures["households"]
    assert sum(t["count"] for t in figures["casesByState"]) == figures["openCases"]
    refused = (await gql(live_server, FIGURES, token=tokens["volunteer"])).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_new_case_pushes_new_figures_to_the_street_not_to_another(live_server, tokens):
    before = (await gql_data(live_server, FIGURES, token=tokens["secretary"]))["keyFigures"]["openCases"]
    async with Subscriber(live_server, tokens["secretary"], "FIGURES") as wall, \
               Subscriber(live_server, tokens["hushu-secretary"], "FIGURES") as other:
        await asyncio.sleep(2.5)  # let figures of earlier tests' changes go by
        wall.events.clear()
        await report(live_server, tokens)
        for _ in range(100):
            if any(e["payload"]["openCases"] == before + 1 for e in wall.events):
                break
            await asyncio.sleep(0.1)
        pushed = [e for e in wall.events if e["payload"]["openCases"] == before + 1]
        assert pushed and pushed[0]["type"] == "figures.updated"
        assert all(e["payload"]["residents"] != pushed[0]["payload"]["residents"] for e in other.events)  # Hushu's own
        await asyncio.sleep(2.5)  # a quiet street sends nothing more
        assert len([e for e in wall.events if e["seq"] > pushed[-1]["seq"]]) == 0
