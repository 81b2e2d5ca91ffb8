"""Cases in a closed loop against PostgreSQL: roles, scope, versions, SLA across replicas."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Event, Tenant
from redgrid.realtime.publisher import enter_publisher_scope
from redgrid.tenants.cases.sla import fire_overdue

from .cases_api import MOVE, act, report
from .clients import Subscriber, gql, gql_data


async def test_the_closed_loop_by_the_right_roles(live_server, tokens, street):
    case = await report(live_server, tokens)
    assert case["state"] == "REPORTED" and case["version"] == 1
    steps = [
        ("grid-head", "ACCEPT", {}),
        ("grid-head", "CONSULT", {}),
        ("grid-head", "DISPATCH", {"assigneeKind": "GRID_WORKER", "assignee": street.username("grid-worker")}),
        ("grid-worker", "START", {}),
        ("grid-worker", "RESOLVE", {}),
        ("grid-head", "VERIFY", {"satisfaction": 5, "comment": "及时"}),
        ("grid-head", "CLOSE", {}),
    ]
    for who, action, extra in steps:
        result = await act(live_server, tokens[who], case, action, **extra)
        assert result["errors"] == [], (action, result["errors"])
        case = result["case"]
    assert case["state"] == "CLOSED" and case["version"] == 8 and case["satisfaction"] == 5
    assert [(t["action"], t["toState"], t["actor"]) for t in case["timeline"]] == [
        ("REPORT", "REPORTED", street.username("grid-worker")),
        ("ACCEPT", "ACCEPTED", street.username("grid-head")),
        ("CONSULT", "CONSULTING", street.username("grid-head")),
        ("DISPATCH", "DISPATCHED", street.username("grid-head")),
        ("START", "IN_PROGRESS", street.username("grid-worker")),
        ("RESOLVE", "RESOLVED", street.username("grid-worker")),
        ("VERIFY", "VERIFIED", street.username("grid-head")),
        ("CLOSE", "CLOSED", street.username("grid-head")),
    ]
    reopened = await act(live_server, tokens["grid-head"], case, "REOPEN", note="居民反映复发")
    assert reopened["case"]["state"] == "ACCEPTED" and reopened["case"]["satisfaction"] is None


async def test_illegal_and_out_of_scope_transitions_are_refused(live_server, tokens, street):
    case = await report(live_server, tokens)
    illegal = await act(live_server, tokens["grid-head"], case, "CLOSE")
    assert illegal["errors"][0]["code"] == "ILLEGAL_TRANSITION"
    stale = await act(live_server, tokens["grid-head"], {**case, "version": 7}, "ACCEPT")
    assert stale["errors"][0]["code"] == "STALE_VERSION"
    worker = (
        await gql(
            live_server, MOVE, {"input": {"id": case["id"], "action": "ACCEPT", "version": 1}}, tokens["grid-worker"]
        )
    ).json()
    assert worker["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # workers do not manage
    other_tenant = await act(live_server, tokens["hushu-secretary"], case, "ACCEPT")
    assert other_tenant["errors"][0]["code"] == "NOT_FOUND"
    elsewhere = await report(live_server, tokens, who="secretary", path="JS01.A1.B04")
    assert (await act(live_server, tokens["grid-head"], elsewhere, "ACCEPT"))["errors"][0]["code"] == "NOT_FOUND"
    listing = await gql_data(live_server, "{ cases(first: 500) { edges { node { id } } } }", token=tokens["grid-head"])
    assert elsewhere["id"] not in {e["node"]["id"] for e in listing["cases"]["edges"]}
    accepted = (await act(live_server, tokens["grid-head"], case, "ACCEPT"))["case"]
    no_assignee = await act(live_server, tokens["grid-head"], accepted, "DISPATCH")
    assert no_assignee["errors"][0]["code"] == "REQUIRED"
    dispatched = (
        await act(
            live_server,
            tokens["grid-head"],
            accepted,
            "DISPATCH",
            assigneeKind="GRID_WORKER",
            assignee=street.username("grid-worker"),
        )
    )["case"]
    started = (await act(live_server, tokens["grid-worker"], dispatched, "START"))["case"]
    resolved = (await act(live_server, tokens["grid-worker"], started, "RESOLVE"))["case"]
    no_rating = await act(live_server, tokens["grid-head"], resolved, "VERIFY")
    assert no_rating["errors"][0]["code"] == "OUT_OF_RANGE"
    volunteer = (
        await gql(
            live_server,
            MOVE,
            {"input": {"id": case["id"], "action": "VERIFY", "version": resolved["version"], "satisfaction": 5}},
            tokens["volunteer"],
        )
    ).json()
    assert volunteer["data"]["transitionCase"]["errors"][0]["code"] == "NOT_FOUND"


async def test_escalation_to_a_line_department(live_server, tokens, street):
    case = await report(live_server, tokens, who="grid-head")
    for _ in range(3):  # grid → community → street → department
        case = (await act(live_server, tokens["secretary"], case, "ESCALATE"))["case"]
    assert case["escalation"] == "DEPARTMENT"
    refused = (
        await gql(
            live_server,
            MOVE,
            {
                "input": {
                    "id": case["id"],
                    "action": "DISPATCH",
                    "version": case["version"],
                    "assigneeKind": "DEPT_STAFF",
                    "assignee": street.username("dept-staff"),
                }
            },
            tokens["grid-head"],
        )
    ).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # above the grid, the secretary acts
    case = (
        await act(
            live_server,
            tokens["secretary"],
            case,
            "DISPATCH",
            assigneeKind="DEPT_STAFF",
            assignee=street.username("dept-staff"),
        )
    )["case"]
    staff_view = await gql_data(
        live_server, "{ cases(first: 500) { edges { node { id } } } }", token=tokens["dept-staff"]
    )
    assert case["id"] in {e["node"]["id"] for e in staff_view["cases"]["edges"]}
    case = (await act(live_server, tokens["dept-staff"], case, "START"))["case"]
    case = (await act(live_server, tokens["dept-staff"], case, "RESOLVE"))["case"]
    assert case["state"] == "RESOLVED"
    top = await act(live_server, tokens["secretary"], case, "ESCALATE")
    assert top["errors"][0]["code"] == "ILLEGAL_TRANSITION"


async def test_100_concurrent_transitions_one_wins_per_step(live_server, tokens, street):
    case = await report(live_server, tokens, who="secretary")
    for action, extra in (
        ("ACCEPT", {}),
        ("CONSULT", {}),
        ("DISPATCH", {"assigneeKind": "GRID_WORKER", "assignee": street.username("grid-worker")}),
    ):
        results = await asyncio.gather(
            *(act(live_server, tokens["secretary"], case, action, **extra) for _ in range(100))
        )
        winners = [r for r in results if not r["errors"]]
        assert len(winners) == 1, action
        assert {r["errors"][0]["code"] for r in results if r["errors"]} == {"STALE_VERSION"}
        case = winners[0]["case"]
    assert [t["version"] for t in case["timeline"]] == [1, 2, 3, 4]
    assert [t["toState"] for t in case["timeline"]] == ["REPORTED", "ACCEPTED", "CONSULTING", "DISPATCHED"]


async def test_overdue_fires_once_with_two_schedulers(live_server, second_server, tokens, db, street):
    code = f"fast{uuid.uuid4().hex[:6]}"
    setup = """mutation($code: String!) { setCaseCategory(input: {code: $code, name: "即时", onSceneMinutes: 0,
               resolveMinutes: 0, answerMinutes: 0}) { category { id } errors { code } } }"""
    assert (await gql_data(live_server, setup, {"code": code}, tokens["secretary"]))["setCaseCategory"]["errors"] == []
    async with Subscriber(second_server, tokens["secretary"], area="CASES") as screen:
        case = await report(live_server, tokens, code=code)
        await screen.wait_for(4, within=30)  # created + three overdue deadlines
        # Several more scan rounds on both servers (every second in the tests): a wait for the
        # scanners' timers, not for the screen, so it stays. That nothing came of those rounds
        # is proven by a marker: a new case, later in the same topic than anything they sent
        # (the hub hands a listener its topic's events in seq order).
        await asyncio.sleep(3)
        marker = await report(live_server, tokens)
        for _ in range(300):
            if any(e["number"] == marker["number"] for e in screen.events):
                break
            await asyncio.sleep(0.1)
        assert any(e["number"] == marker["number"] for e in screen.events), "no marker"
        overdue = [e for e in screen.events if e["type"] == "CASE_OVERDUE" and e["number"] == case["number"]]
    assert sorted(e["deadline"] for e in overdue) == ["ANSWER", "ON_SCENE", "RESOLVE"]
    assert await overdue_events(street.tenant, case["number"]) == ["answer", "on_scene", "resolve"]  # stored once each
    listed = await gql_data(
        live_server,
        "{ cases(first: 50, filter: {overdue: true}) { edges { node { number overdue } } } }",
        token=tokens["secretary"],
    )
    row = next(e["node"] for e in listed["cases"]["edges"] if e["node"]["number"] == case["number"])
    assert sorted(row["overdue"]) == ["ANSWER", "ON_SCENE", "RESOLVE"]


async def overdue_events(tenant: Tenant, number: str) -> list[str]:
    async with tenant_transaction(tenant.id) as conn:
        await enter_publisher_scope(conn)
        return sorted(
            e.payload["deadline"] for e in await Event.filter(type="case.overdue") if e.payload["number"] == number
        )


async def test_overdue_fires_only_the_deadlines_still_unmet(live_server, tokens, db, street):
    """The scanner's one query per tenant finds a case by any passed deadline; only those whose
    milestone is unmet fire, each once however many ticks follow."""
    code = f"minute{uuid.uuid4().hex[:6]}"
    setup = """mutation($code: String!) { setCaseCategory(input: {code: $code, name: "一分钟", onSceneMinutes: 1,
               resolveMinutes: 1, answerMinutes: 1}) { category { id } errors { code } } }"""
    assert (await gql_data(live_server, setup, {"code": code}, tokens["secretary"]))["setCaseCategory"]["errors"] == []
    case = await report(live_server, tokens, code=code)
    for who, action, extra in (
        ("grid-head", "ACCEPT", {}),
        ("grid-head", "CONSULT", {}),
        ("grid-head", "DISPATCH", {"assigneeKind": "GRID_WORKER", "assignee": street.username("grid-worker")}),
        ("grid-worker", "START", {}),
    ):  # on scene in time
        result = await act(live_server, tokens[who], case, action, **extra)
        assert result["errors"] == [], (action, result["errors"])
        case = result["case"]
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert await fire_overdue(later) >= 2
    await fire_overdue(later)
    assert await overdue_events(street.tenant, case["number"]) == ["answer", "resolve"]
