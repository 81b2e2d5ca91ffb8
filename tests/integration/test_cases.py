"""Cases in a closed loop against PostgreSQL: roles, scope, versions, SLA across replicas."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta


from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Event, Tenant
from redgrid.realtime.publisher import enter_publisher_scope
from redgrid.tenants.cases.sla import fire_overdue

from .clients import Subscriber, gql, gql_data
from .test_grid import node_id
from .test_realtime import second_server  # noqa: F401 - the fixture

CASE = "id number state version escalation assignee overdue satisfaction timeline { version action fromState toState actor }"
REPORT = f"""mutation($input: ReportCaseInput!) {{ reportCase(input: $input) {{ case {{ {CASE} }} errors {{ field code message }} }} }}"""
MOVE = f"""mutation($input: TransitionCaseInput!) {{ transitionCase(input: $input) {{ case {{ {CASE} }} errors {{ field code message }} }} }}"""


async def category_id(server, token: str, code: str = "street_order") -> str:
    rows = (await gql_data(server, "{ caseCategories { id code } }", token=token))["caseCategories"]
    return next(r["id"] for r in rows if r["code"] == code)


async def report(server, tokens, who="grid-worker", path="JS01.A1.B03", code="street_order", **extra):
    variables = {"input": {"title": "占道经营", "categoryId": await category_id(server, tokens["secretary"], code),
                           "source": "patrol", "nodeId": await node_id(server, tokens["secretary"], path), **extra}}
    result = (await gql_data(server, REPORT, variables, tokens[who]))["reportCase"]
    assert result["errors"] == [], result
    return result["case"]


async def act(server, token, case, action, **extra):
    variables = {"input": {"id": case["id"], "action": action, "version": case["version"], **extra}}
    return (await gql_data(server, MOVE, variables, token))["transitionCase"]


async def test_the_closed_loop_by_the_right_roles(live_server, tokens):
    case = await report(live_server, tokens)
    assert case["state"] == "reported" and case["version"] == 1
    steps = [
        ("grid-head", "accept", {}), ("grid-head", "consult", {}),
        ("grid-head", "dispatch", {"assigneeKind": "grid_worker", "assignee": "jinshui-grid-worker"}),
        ("grid-worker", "start", {}), ("grid-worker", "resolve", {}),
        ("grid-head", "verify", {"satisfaction": 5, "comment": "及时"}), ("grid-head", "close", {}),
    ]
    for who, action, extra in steps:
        result = await act(live_server, tokens[who], case, action, **extra)
        assert result["errors"] == [], (action, result["errors"])
        case = result["case"]
    assert case["state"] == "closed" and case["version"] == 8 and case["satisfaction"] == 5
    assert [(t["action"], t["toState"], t["actor"]) for t in case["timeline"]] == [
        ("report", "reported", "jinshui-grid-worker"), ("accept", "accepted", "jinshui-grid-head"),
        ("consult", "consulting", "jinshui-grid-head"), ("dispatch", "dispatched", "jinshui-grid-head"),
        ("start", "in_progress", "jinshui-grid-worker"), ("resolve", "resolved", "jinshui-grid-worker"),
        ("verify", "verified", "jinshui-grid-head"), ("close", "closed", "jinshui-grid-head"),
    ]
    reopened = await act(live_server, tokens["grid-head"], case, "reopen", note="居民反映复发")
    assert reopened["case"]["state"] == "accepted" and reopened["case"]["satisfaction"] is None


async def test_illegal_and_out_of_scope_transitions_are_refused(live_server, tokens):
    case = await report(live_server, tokens)
    illegal = await act(live_server, tokens["grid-head"], case, "close")
    assert illegal["errors"][0]["code"] == "ILLEGAL_TRANSITION"
    stale = await act(live_server, tokens["grid-head"], {**case, "version": 7}, "accept")
    assert stale["errors"][0]["code"] == "STALE_VERSION"
    worker = (await gql(live_server, MOVE, {"input": {"id": case["id"], "action": "accept", "version": 1}}, tokens["grid-worker"])).json()
    assert worker["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # workers do not manage
    other_tenant = await act(live_server, tokens["hushu-secretary"], case, "accept")
    assert other_tenant["errors"][0]["code"] == "NOT_FOUND"
    elsewhere = await report(live_server, tokens, who="secretary", path="JS01.A1.B04")
    assert (await act(live_server, tokens["grid-head"], elsewhere, "accept"))["errors"][0]["code"] == "NOT_FOUND"
    listing = await gql_data(live_server, "{ cases(first: 500) { edges { node { id } } } }", token=tokens["grid-head"])
    assert elsewhere["id"] not in {e["node"]["id"] for e in listing["cases"]["edges"]}
    accepted = (await act(live_server, tokens["grid-head"], case, "accept"))["case"]
    no_assignee = await act(live_server, tokens["grid-head"], accepted, "dispatch")
    assert no_assignee["errors"][0]["code"] == "REQUIRED"
    dispatched = (await act(live_server, tokens["grid-head"], accepted, "dispatch",
                            assigneeKind="grid_worker", assignee="jinshui-grid-worker"))["case"]
    started = (await act(live_server, tokens["grid-worker"], dispatched, "start"))["case"]
    resolved = (await act(live_server, tokens["grid-worker"], started, "resolve"))["case"]
    no_rating = await act(live_server, tokens["grid-head"], resolved, "verify")
    assert no_rating["errors"][0]["code"] == "OUT_OF_RANGE"
    volunteer = (await gql(live_server, MOVE, {"input": {"id": case["id"], "action": "verify", "version": resolved["version"], "satisfaction": 5}}, tokens["volunteer"])).json()
    assert volunteer["data"]["transitionCase"]["errors"][0]["code"] == "NOT_FOUND"


async def test_escalation_to_a_line_department(live_server, tokens):
    case = await report(live_server, tokens, who="grid-head")
    for _ in range(3):  # grid → community → street → department
        case = (await act(live_server, tokens["secretary"], case, "escalate"))["case"]
    assert case["escalation"] == "department"
    refused = (await gql(live_server, MOVE, {"input": {"id": case["id"], "action": "dispatch", "version": case["version"],
               "assigneeKind": "dept_staff", "assignee": "jinshui-dept-staff"}}, tokens["grid-head"])).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # above the grid, the secretary acts
    case = (await act(live_server, tokens["secretary"], case, "dispatch", assigneeKind="dept_staff", assignee="jinshui-dept-staff"))["case"]
    staff_view = await gql_data(live_server, "{ cases(first: 500) { edges { node { id } } } }", token=tokens["dept-staff"])
    assert case["id"] in {e["node"]["id"] for e in staff_view["cases"]["edges"]}
    case = (await act(live_server, tokens["dept-staff"], case, "start"))["case"]
    case = (await act(live_server, tokens["dept-staff"], case, "resolve"))["case"]
    assert case["state"] == "resolved"
    top = await act(live_server, tokens["secretary"], case, "escalate")
    assert top["errors"][0]["code"] == "ILLEGAL_TRANSITION"


async def test_100_concurrent_transitions_one_wins_per_step(live_server, tokens):
    case = await report(live_server, tokens, who="secretary")
    for action, extra in (("accept", {}), ("consult", {}),
                          ("dispatch", {"assigneeKind": "grid_worker", "assignee": "jinshui-grid-worker"})):
        results = await asyncio.gather(*(act(live_server, tokens["secretary"], case, action, **extra) for _ in range(100)))
        winners = [r for r in results if not r["errors"]]
        assert len(winners) == 1, action
        assert {r["errors"][0]["code"] for r in results if r["errors"]} == {"STALE_VERSION"}
        case = winners[0]["case"]
    assert [t["version"] for t in case["timeline"]] == [1, 2, 3, 4]
    assert [t["toState"] for t in case["timeline"]] == ["reported", "accepted", "consulting", "dispatched"]


async def test_overdue_fires_once_with_two_schedulers(live_server, second_server, tokens, db):  # noqa: F811
    code = f"fast{uuid.uuid4().hex[:6]}"
    setup = """mutation($code: String!) { setCaseCategory(input: {code: $code, name: "即时", onSceneMinutes: 0,
               resolveMinutes: 0, answerMinutes: 0}) { category { id } errors { code } } }"""
    assert (await gql_data(live_server, setup, {"code": code}, tokens["secretary"]))["setCaseCategory"]["errors"] == []
    async with Subscriber(second_server, tokens["secretary"], area="CASES") as screen:
        case = await report(live_server, tokens, code=code)
        await screen.wait_for(4, timeout=30)  # created + three overdue deadlines
        await asyncio.sleep(3)  # several more scan rounds on both servers
        overdue = [e for e in screen.events if e["type"] == "case.overdue" and e["payload"]["number"] == case["number"]]
    assert sorted(e["payload"]["deadline"] for e in overdue) == ["answer", "on_scene", "resolve"]
    assert await overdue_events(case["number"]) == ["answer", "on_scene", "resolve"]  # stored once each
    listed = await gql_data(live_server, "{ cases(first: 50, filter: {overdue: true}) { edges { node { number overdue } } } }", token=tokens["secretary"])
    row = next(e["node"] for e in listed["cases"]["edges"] if e["node"]["number"] == case["number"])
    assert sorted(row["overdue"]) == ["answer", "on_scene", "resolve"]


async def overdue_events(number: str) -> list[str]:
    tenant = await Tenant.get(slug="jinshui")
    async with tenant_transaction(tenant.id) as conn:
        await enter_publisher_scope(conn)
        return sorted(e.payload["deadline"] for e in await Event.filter(type="case.overdue") if e.payload["number"] == number)


async def test_overdue_fires_only_the_deadlines_still_unmet(live_server, tokens, db):
    """The scanner's one query per tenant finds a case by any passed deadline; only those whose
    milestone is unmet fire, each once however many ticks follow."""
    code = f"minute{uuid.uuid4().hex[:6]}"
    setup = """mutation($code: String!) { setCaseCategory(input: {code: $code, name: "一分钟", onSceneMinutes: 1,
               resolveMinutes: 1, answerMinutes: 1}) { category { id } errors { code } } }"""
    assert (await gql_data(live_server, setup, {"code": code}, tokens["secretary"]))["setCaseCategory"]["errors"] == []
    case = await report(live_server, tokens, code=code)
    for who, action, extra in (("grid-head", "accept", {}), ("grid-head", "consult", {}),
                               ("grid-head", "dispatch", {"assigneeKind": "grid_worker", "assignee": "jinshui-grid-worker"}),
                               ("grid-worker", "start", {})):  # on scene in time
        result = await act(live_server, tokens[who], case, action, **extra)
        assert result["errors"] == [], (action, result["errors"])
        case = result["case"]
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert await fire_overdue(later) >= 2
    await fire_overdue(later)
    assert await overdue_events(case["number"]) == ["answer", "resolve"]
