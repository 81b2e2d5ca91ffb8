"""The case state machine's rules against PostgreSQL: what each state refuses, who may act,
return, escalation to the top, satisfaction, the default "3-1" taxonomy of a new tenant and
SLA rules per priority."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest
from strawberry import relay

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Tenant
from redgrid.tenants.cases import workflow
from redgrid.tenants.cases.models import Case as CaseRow

from .cases_api import MOVE, REPORT, act, category_id, report
from .clients import gql, gql_data, password_token, provisioned_user_token
from .grid_api import node_id

STATES = ("REPORTED", "ACCEPTED", "CONSULTING", "DISPATCHED", "IN_PROGRESS", "RESOLVED", "VERIFIED", "CLOSED")
ACTIONS = (
    "ACCEPT",
    "CONSULT",
    "DISPATCH",
    "START",
    "HANDLE",
    "RESOLVE",
    "VERIFY",
    "CLOSE",
    "RETURN",
    "ESCALATE",
    "REOPEN",
    "REFER",
)
# What the closed loop allows from each state, and where it leads: written out here, not read
# from the workflow, so that a change of the table has to be a change of this test too.
ALLOWED = {
    "REPORTED": {"ACCEPT": "ACCEPTED", "ESCALATE": "ACCEPTED", "REFER": "DISPATCHED", "HANDLE": "IN_PROGRESS"},
    "ACCEPTED": {"CONSULT": "CONSULTING", "DISPATCH": "DISPATCHED", "ESCALATE": "ACCEPTED", "REFER": "DISPATCHED"},
    "CONSULTING": {"DISPATCH": "DISPATCHED", "ESCALATE": "ACCEPTED", "REFER": "DISPATCHED"},
    "DISPATCHED": {"START": "IN_PROGRESS", "RETURN": "ACCEPTED", "ESCALATE": "ACCEPTED", "REFER": "DISPATCHED"},
    "IN_PROGRESS": {"RESOLVE": "RESOLVED", "RETURN": "ACCEPTED", "ESCALATE": "ACCEPTED", "REFER": "DISPATCHED"},
    "RESOLVED": {"VERIFY": "VERIFIED", "RETURN": "IN_PROGRESS"},
    "VERIFIED": {"CLOSE": "CLOSED", "REOPEN": "ACCEPTED"},
    "CLOSED": {"REOPEN": "ACCEPTED"},
}
# Whom the loop dispatches to: the module street's users, filled in by `assignees` below.
TO_WORKER = {"assigneeKind": "GRID_WORKER"}
TO_STAFF = {"assigneeKind": "DEPT_STAFF"}
# The loop, one step per state, by the secretary (manager) and the grid worker (assignee).
LOOP = {
    "REPORTED": ("secretary", "ACCEPT", {}),
    "ACCEPTED": ("secretary", "CONSULT", {}),
    "CONSULTING": ("secretary", "DISPATCH", TO_WORKER),
    "DISPATCHED": ("grid-worker", "START", {}),
    "IN_PROGRESS": ("grid-worker", "RESOLVE", {}),
    "RESOLVED": ("secretary", "VERIFY", {"satisfaction": 4}),
    "VERIFIED": ("secretary", "CLOSE", {}),
}
# Arguments that would make each action valid, so that only the state can be what refuses it.
ARGUMENTS = {"DISPATCH": TO_WORKER, "VERIFY": {"satisfaction": 5, "comment": "好"}}
CASE = (
    "... on Case { id state version escalation assignee satisfaction satisfactionComment timeline { version action "
    "fromState toState actor note } }"
)
READ = f"query($id: ID!) {{ node(id: $id) {{ {CASE} }} }}"


# ---- the workflow table itself (no server needed) ----


@pytest.fixture(scope="module", autouse=True)
def assignees(street) -> None:
    """The loop's assignees are this module's street's grid worker and sinking staff member."""
    TO_WORKER["assignee"] = street.username("grid-worker")
    TO_STAFF["assignee"] = street.username("dept-staff")


def test_the_workflow_table_is_the_closed_loop():
    """The table stores what the API's enum values name in lower case."""
    assert workflow.STATES == tuple(s.lower() for s in STATES)
    assert set(workflow.ACTIONS) == {a.lower() for a in ACTIONS}
    for state in STATES:
        for action in ACTIONS:
            to = ALLOWED[state].get(action)
            assert workflow.target_state(action.lower(), state.lower()) == (to and to.lower()), (state, action)
    assert workflow.target_state("fly", "reported") is None
    assert workflow.NEXT_LEVEL == {"grid": "community", "community": "street", "street": "department"}
    assert workflow.ACTIONS["start"].actors == workflow.ACTIONS["resolve"].actors == workflow.Actor.ASSIGNEE
    for manager_only in ("accept", "consult", "dispatch", "verify", "close", "reopen", "refer"):
        assert workflow.ACTIONS[manager_only].actors == workflow.Actor.MANAGER, manager_only


# ---- helpers ----


async def read(server, token, case_id):
    return (await gql_data(server, READ, {"id": case_id}, token))["node"]


async def walk(server, tokens, case, until: str):
    """Move the case along the loop until it is in state `until`."""
    while case["state"] != until:
        who, action, extra = LOOP[case["state"]]
        result = await act(server, tokens[who], case, action, **extra)
        assert result["errors"] == [], (action, result["errors"])
        case = result["case"]
    return case


async def forbidden(server, token, case, action, **extra) -> str:
    """The top-level error code of a refused transition (a refused actor is not a user error)."""
    variables = {"input": {"id": case["id"], "action": action, "version": case["version"], **extra}}
    body = (await gql(server, MOVE, variables, token)).json()
    assert body.get("errors"), body
    assert body["data"] is None or body["data"]["transitionCase"] is None, body
    return body["errors"][0]["extensions"]["code"]


async def unchanged(server, tokens, before):
    after = await read(server, tokens["secretary"], before["id"])
    assert (after["state"], after["version"], after["timeline"]) == (
        before["state"],
        before["version"],
        before["timeline"],
    )


def deadlines(case) -> tuple[timedelta, timedelta, timedelta]:
    created = datetime.fromisoformat(case["createdAt"])
    return tuple(datetime.fromisoformat(case[f"{d}Due"]) - created for d in ("onScene", "resolve", "answer"))  # type: ignore[return-value]


# ---- task 1: refusals of the state machine, return, escalation, satisfaction ----


async def test_every_state_refuses_every_action_it_does_not_allow(live_server, tokens):
    case = await report(live_server, tokens)
    for state in STATES:
        case = await walk(live_server, tokens, case, state)
        case = await read(live_server, tokens["secretary"], case["id"])
        for action in ACTIONS:
            if action in ALLOWED[state]:
                continue
            result = await act(live_server, tokens["secretary"], case, action, **ARGUMENTS.get(action, {}))
            assert result["case"] is None, (state, action)
            assert [(e["field"], e["code"]) for e in result["errors"]] == [("action", "ILLEGAL_TRANSITION")], (
                state,
                action,
            )
        await unchanged(live_server, tokens, case)
    assert case["version"] == 8 and [t["toState"] for t in case["timeline"]] == list(STATES)
    unknown = await act(live_server, tokens["secretary"], case, "REPORT")  # only reportCase reports
    assert unknown["errors"][0]["code"] == "UNKNOWN_ACTION"
    teleport = {"input": {"id": case["id"], "action": "teleport", "version": case["version"]}}
    assert (await gql(live_server, MOVE, teleport, tokens["secretary"])).json()["errors"][0]["extensions"][
        "code"
    ] == "BAD_USER_INPUT"
    await unchanged(live_server, tokens, case)


async def test_an_actor_refused_by_state_is_told_the_state_not_his_role(live_server, tokens):
    """Representative refusals by the roles that would act in the right state."""
    case = await report(live_server, tokens)
    assert (await act(live_server, tokens["grid-head"], case, "VERIFY", satisfaction=5))["errors"][0][
        "code"
    ] == "ILLEGAL_TRANSITION"
    assert (await act(live_server, tokens["grid-head"], case, "REOPEN"))["errors"][0]["code"] == "ILLEGAL_TRANSITION"
    case = await walk(live_server, tokens, case, "DISPATCHED")
    assert (await act(live_server, tokens["grid-worker"], case, "RESOLVE"))["errors"][0]["code"] == "ILLEGAL_TRANSITION"
    assert (await act(live_server, tokens["grid-head"], case, "DISPATCH", **TO_WORKER))["errors"][0][
        "code"
    ] == "ILLEGAL_TRANSITION"
    await unchanged(live_server, tokens, await read(live_server, tokens["secretary"], case["id"]))


async def test_return_hands_back_and_sends_a_resolution_back_to_work(live_server, tokens, db, street):
    case = await walk(live_server, tokens, await report(live_server, tokens), "DISPATCHED")
    back = await act(live_server, tokens["grid-worker"], case, "RETURN", note="不属于我的网格事项")
    assert back["errors"] == []
    case = back["case"]
    assert (case["state"], case["assignee"], case["version"]) == ("ACCEPTED", None, 5)
    assert (await read(live_server, tokens["secretary"], case["id"]))["timeline"][-1] == {
        "version": 5,
        "action": "RETURN",
        "fromState": "DISPATCHED",
        "toState": "ACCEPTED",
        "actor": street.username("grid-worker"),
        "note": "不属于我的网格事项",
    }

    case = (await act(live_server, tokens["grid-head"], case, "DISPATCH", **TO_WORKER))["case"]
    case = (await act(live_server, tokens["grid-worker"], case, "START"))["case"]
    back = await act(live_server, tokens["grid-worker"], case, "RETURN", note="需要城管处理")
    assert back["errors"] == [] and back["case"]["state"] == "ACCEPTED" and back["case"]["assignee"] is None
    case = back["case"]
    assert case["timeline"][-1]["action"] == "RETURN" and case["timeline"][-1]["fromState"] == "IN_PROGRESS"

    case = await walk(live_server, tokens, case, "RESOLVED")
    back = await act(live_server, tokens["grid-head"], case, "RETURN", note="居民不满意，重新处理")
    assert back["errors"] == []
    case = back["case"]
    assert (case["state"], case["assignee"]) == ("IN_PROGRESS", street.username("grid-worker"))  # still his to finish
    assert (await read(live_server, tokens["secretary"], case["id"]))["timeline"][-1] == {
        "version": case["version"],
        "action": "RETURN",
        "fromState": "RESOLVED",
        "toState": "IN_PROGRESS",
        "actor": street.username("grid-head"),
        "note": "居民不满意，重新处理",
    }
    tenant = await Tenant.get(slug=street.slug)
    async with tenant_transaction(tenant.id):
        row = await CaseRow.get(id=int(relay.GlobalID.from_id(case["id"]).node_id))
    assert row.resolved_at is None  # not resolved any more: the resolve deadline counts again
    case = await walk(live_server, tokens, case, "CLOSED")
    assert [t["action"] for t in case["timeline"]].count("RETURN") == 3


async def test_escalation_stops_at_the_line_departments(live_server, tokens):
    case = await report(live_server, tokens, who="grid-head")
    head = await act(live_server, tokens["grid-head"], case, "ESCALATE", note="网格解决不了")
    assert head["errors"] == [] and head["case"]["escalation"] == "COMMUNITY"
    case = head["case"]
    for level in ("STREET", "DEPARTMENT"):
        case = (await act(live_server, tokens["secretary"], case, "ESCALATE"))["case"]
        assert case["escalation"] == level and case["state"] == "ACCEPTED"
    top = await act(live_server, tokens["secretary"], case, "ESCALATE", note="再往上")
    assert [(e["field"], e["code"]) for e in top["errors"]] == [("action", "TOP_LEVEL")]
    await unchanged(live_server, tokens, await read(live_server, tokens["secretary"], case["id"]))

    # Dispatched to a line department and in progress there: still escalatable by state, still the top.
    case = (await act(live_server, tokens["secretary"], case, "DISPATCH", **TO_STAFF))["case"]
    case = (await act(live_server, tokens["dept-staff"], case, "START"))["case"]
    assert (await act(live_server, tokens["dept-staff"], case, "ESCALATE"))["errors"][0]["code"] == "TOP_LEVEL"
    assert (await act(live_server, tokens["secretary"], case, "ESCALATE"))["errors"][0]["code"] == "TOP_LEVEL"
    await unchanged(live_server, tokens, await read(live_server, tokens["secretary"], case["id"]))
    assert [t["action"] for t in case["timeline"]] == [
        "REPORT",
        "ESCALATE",
        "ESCALATE",
        "ESCALATE",
        "DISPATCH",
        "START",
    ]


async def test_verify_takes_a_satisfaction_from_1_to_5(live_server, tokens, street):
    reported = [await report(live_server, tokens) for _ in range(5)]
    resolved = await asyncio.gather(*(walk(live_server, tokens, case, "RESOLVED") for case in reported))
    for bad in (0, 6, -1):
        refused = await act(live_server, tokens["grid-head"], resolved[0], "VERIFY", satisfaction=bad, comment="x")
        assert [(e["field"], e["code"]) for e in refused["errors"]] == [("satisfaction", "OUT_OF_RANGE")], bad
    await unchanged(live_server, tokens, await read(live_server, tokens["secretary"], resolved[0]["id"]))
    for rating, case in enumerate(resolved, start=1):
        result = await act(
            live_server, tokens["grid-head"], case, "VERIFY", satisfaction=rating, comment=f"评价{rating}"
        )
        assert result["errors"] == [], rating
        stored = await read(live_server, tokens["secretary"], case["id"])
        assert (stored["state"], stored["satisfaction"], stored["satisfactionComment"]) == (
            "VERIFIED",
            rating,
            f"评价{rating}",
        )
        assert stored["timeline"][-1]["action"] == "VERIFY" and stored["timeline"][-1]["actor"] == street.username(
            "grid-head"
        )


async def test_reopen_starts_the_loop_again_without_the_old_rating_or_assignee(live_server, tokens, street):
    case = await walk(live_server, tokens, await report(live_server, tokens), "CLOSED")
    stored = await read(live_server, tokens["secretary"], case["id"])
    assert (stored["satisfaction"], stored["assignee"]) == (4, street.username("grid-worker"))
    reopened = await act(live_server, tokens["grid-head"], case, "REOPEN", note="居民反映复发")
    assert reopened["errors"] == []
    stored = await read(live_server, tokens["secretary"], case["id"])
    assert (stored["state"], stored["satisfaction"], stored["satisfactionComment"], stored["assignee"]) == (
        "ACCEPTED",
        None,
        "",
        None,
    )
    assert stored["timeline"][-1] == {
        "version": 9,
        "action": "REOPEN",
        "fromState": "CLOSED",
        "toState": "ACCEPTED",
        "actor": street.username("grid-head"),
        "note": "居民反映复发",
    }
    # The former assignee no longer acts on it as its assignee.
    assert await forbidden(live_server, tokens["grid-worker"], reopened["case"], "ESCALATE") == "FORBIDDEN"
    case = await walk(live_server, tokens, reopened["case"], "CLOSED")
    assert case["version"] == 15


# ---- task 3: actors out of scope ----


async def test_only_the_assignee_starts_and_resolves(live_server, tokens):
    case = await walk(live_server, tokens, await report(live_server, tokens), "ACCEPTED")
    case = (await act(live_server, tokens["grid-head"], case, "DISPATCH", **TO_STAFF))["case"]
    for who in ("grid-worker", "grid-head", "secretary"):  # a worker who is not the assignee; managers
        assert await forbidden(live_server, tokens[who], case, "START") == "FORBIDDEN", who
    await unchanged(live_server, tokens, await read(live_server, tokens["secretary"], case["id"]))
    case = (await act(live_server, tokens["dept-staff"], case, "START"))["case"]
    for who in ("grid-worker", "grid-head", "secretary"):
        assert await forbidden(live_server, tokens[who], case, "RESOLVE") == "FORBIDDEN", who
    case = (await act(live_server, tokens["dept-staff"], case, "RESOLVE"))["case"]
    assert case["state"] == "RESOLVED"
    # The assignee does not judge his own work.
    assert await forbidden(live_server, tokens["dept-staff"], case, "VERIFY", satisfaction=5) == "FORBIDDEN"
    case = (await act(live_server, tokens["grid-head"], case, "VERIFY", satisfaction=5))["case"]
    assert await forbidden(live_server, tokens["dept-staff"], case, "CLOSE") == "FORBIDDEN"
    assert await forbidden(live_server, tokens["dept-staff"], case, "REOPEN") == "FORBIDDEN"
    await unchanged(live_server, tokens, await read(live_server, tokens["secretary"], case["id"]))


async def test_a_grid_worker_assignee_does_not_verify_or_close(live_server, tokens):
    case = await walk(live_server, tokens, await report(live_server, tokens), "RESOLVED")
    assert await forbidden(live_server, tokens["grid-worker"], case, "VERIFY", satisfaction=5) == "FORBIDDEN"
    case = await walk(live_server, tokens, case, "VERIFIED")
    assert await forbidden(live_server, tokens["grid-worker"], case, "CLOSE") == "FORBIDDEN"
    await unchanged(live_server, tokens, await read(live_server, tokens["secretary"], case["id"]))


async def test_a_grid_head_who_handled_the_case_does_not_verify_it(live_server, tokens, street):
    case = await walk(live_server, tokens, await report(live_server, tokens), "ACCEPTED")
    case = (
        await act(
            live_server,
            tokens["secretary"],
            case,
            "DISPATCH",
            assigneeKind="GRID_WORKER",
            assignee=street.username("grid-head"),
        )
    )["case"]
    case = (await act(live_server, tokens["grid-head"], case, "START"))["case"]
    case = (await act(live_server, tokens["grid-head"], case, "RESOLVE"))["case"]
    assert case["state"] == "RESOLVED"
    assert await forbidden(live_server, tokens["grid-head"], case, "VERIFY", satisfaction=5) == "FORBIDDEN"
    await unchanged(live_server, tokens, await read(live_server, tokens["secretary"], case["id"]))
    verified = await act(live_server, tokens["secretary"], case, "VERIFY", satisfaction=5)
    assert verified["errors"] == [] and verified["case"]["state"] == "VERIFIED"


async def test_a_grid_head_of_another_building_cannot_touch_the_case(live_server, tokens):
    """The demo grid head is scoped to building 3; a case of building 4 does not exist for him."""
    case = await report(live_server, tokens, who="secretary", path="JS01.A1.B04")
    for action, extra in (("ACCEPT", {}), ("ESCALATE", {}), ("RETURN", {})):
        refused = await act(live_server, tokens["grid-head"], case, action, **extra)
        assert refused["errors"][0]["code"] == "NOT_FOUND", action
    case = (await act(live_server, tokens["secretary"], case, "ACCEPT"))["case"]
    case = (await act(live_server, tokens["secretary"], case, "DISPATCH", **TO_STAFF))["case"]
    for action in ("START", "RETURN", "ESCALATE"):
        assert (await act(live_server, tokens["grid-head"], case, action))["errors"][0]["code"] == "NOT_FOUND", action
    assert (await act(live_server, tokens["grid-worker"], case, "START"))["errors"][0]["code"] == "NOT_FOUND"
    await unchanged(live_server, tokens, await read(live_server, tokens["secretary"], case["id"]))


async def test_a_volunteer_reports_but_does_not_accept(live_server, tokens):
    case = await report(live_server, tokens, who="volunteer")
    assert (await read(live_server, tokens["volunteer"], case["id"]))["state"] == "REPORTED"  # he sees his own report
    for action in ("ACCEPT", "ESCALATE"):
        assert await forbidden(live_server, tokens["volunteer"], case, action) == "FORBIDDEN", action
    await unchanged(live_server, tokens, await read(live_server, tokens["secretary"], case["id"]))
    assert (await act(live_server, tokens["grid-head"], case, "ACCEPT"))["case"]["state"] == "ACCEPTED"


# ---- task 2: a new tenant's default taxonomy ----

CREATE_TENANT = """mutation($input: CreateTenantInput!) { createTenant(input: $input) {
  created tenant { slug } errors { field code message } } }"""
CATEGORIES = "{ caseCategories { id code name onSceneMinutes resolveMinutes answerMinutes } }"
DEFAULTS = {"city_appearance", "street_order", "safety_hazard", "dispute", "livelihood"}
TIMES = "createdAt onSceneDue resolveDue answerDue priority"


async def test_a_new_tenant_has_the_default_categories_and_3_1_deadlines(live_server):
    slug = f"t{uuid.uuid4().hex[:8]}"
    admin_token = password_token("platform-admin")
    variables = {
        "input": {
            "slug": slug,
            "name": "新建街道",
            "districtSlug": "jiangning",
            "kind": "STREET",
            "secretaryUsername": f"{slug}-secretary",
            "secretaryEmail": f"{slug}@example.org",
        }
    }
    first = (await gql_data(live_server, CREATE_TENANT, variables, admin_token))["createTenant"]
    assert first["errors"] == [] and first["created"] is True
    again = (await gql_data(live_server, CREATE_TENANT, variables, admin_token))["createTenant"]
    assert again["errors"] == [] and again["created"] is False  # run twice: nothing new

    secretary = provisioned_user_token(f"{slug}-secretary")

    rows = (await gql_data(live_server, CATEGORIES, token=secretary))["caseCategories"]
    assert sorted(r["code"] for r in rows) == sorted(DEFAULTS)  # each once
    assert {(r["onSceneMinutes"], r["resolveMinutes"], r["answerMinutes"]) for r in rows} == {(10, 60, 1440)}

    root = (
        await gql_data(
            live_server,
            """mutation { createGridNode(input: {code: "R1", name: "总网格"}) {
        node { id } errors { code } } }""",
            token=secretary,
        )
    )["createGridNode"]
    assert root["errors"] == []
    category = next(r["id"] for r in rows if r["code"] == "city_appearance")
    query = REPORT.replace("{ id number", f"{{ {TIMES} id number")
    result = (
        await gql_data(
            live_server,
            query,
            {
                "input": {
                    "title": "垃圾堆放",
                    "categoryId": category,
                    "source": "RESIDENT_REPORT",
                    "nodeId": root["node"]["id"],
                }
            },
            secretary,
        )
    )["reportCase"]
    assert result["errors"] == [], result
    assert result["case"]["state"] == "REPORTED" and result["case"]["number"].startswith(slug.upper()[:8])
    assert deadlines(result["case"]) == (timedelta(minutes=10), timedelta(hours=1), timedelta(days=1))


# ---- task 4: SLA rules per priority, invalid input ----

SET_CATEGORY = """mutation($code: String!) { setCaseCategory(input: {code: $code, name: "占道", onSceneMinutes: 30,
  resolveMinutes: 120, answerMinutes: 2880}) { category { id } errors { code } } }"""
SET_RULE = (
    "mutation($input: SetSlaRuleInput!) { setSlaRule(input: $input) { category { id code } errors { field code } } }"
)


async def test_an_sla_rule_sets_the_deadlines_of_its_priority_only(live_server, tokens):
    code = f"sla{uuid.uuid4().hex[:6]}"
    made = (await gql_data(live_server, SET_CATEGORY, {"code": code}, tokens["secretary"]))["setCaseCategory"]
    assert made["errors"] == []
    rule = {
        "categoryId": made["category"]["id"],
        "priority": "URGENT",
        "onSceneMinutes": 5,
        "resolveMinutes": 20,
        "answerMinutes": 240,
    }
    assert (await gql_data(live_server, SET_RULE, {"input": rule}, tokens["secretary"]))["setSlaRule"]["errors"] == []
    bad = (await gql(live_server, SET_RULE, {"input": {**rule, "priority": "asap"}}, tokens["secretary"])).json()
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    head = (await gql(live_server, SET_RULE, {"input": rule}, tokens["grid-head"])).json()
    assert head["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    query = REPORT.replace("{ id number", f"{{ {TIMES} id number")
    reported = {}
    for priority in ("URGENT", "NORMAL", "HIGH", "LOW"):
        variables = {
            "input": {
                "title": "占道经营",
                "categoryId": made["category"]["id"],
                "source": "HOTLINE_12345",
                "priority": priority,
                "nodeId": await node_id(live_server, tokens["secretary"], "JS01.A1.B03"),
            }
        }
        result = (await gql_data(live_server, query, variables, tokens["grid-worker"]))["reportCase"]
        assert result["errors"] == [] and result["case"]["priority"] == priority, result
        reported[priority] = deadlines(result["case"])
    assert reported["URGENT"] == (timedelta(minutes=5), timedelta(minutes=20), timedelta(hours=4))
    for other in ("NORMAL", "HIGH", "LOW"):  # the category's own deadlines
        assert reported[other] == (timedelta(minutes=30), timedelta(hours=2), timedelta(days=2)), other

    rule["resolveMinutes"] = 45  # a second call changes the rule, for cases reported after it
    assert (await gql_data(live_server, SET_RULE, {"input": rule}, tokens["secretary"]))["setSlaRule"]["errors"] == []
    variables = {
        "input": {
            "title": "占道经营",
            "categoryId": made["category"]["id"],
            "source": "CAMERA",
            "priority": "URGENT",
            "nodeId": await node_id(live_server, tokens["secretary"], "JS01.A1.B03"),
        }
    }
    later = (await gql_data(live_server, query, variables, tokens["grid-worker"]))["reportCase"]["case"]
    assert deadlines(later) == (timedelta(minutes=5), timedelta(minutes=45), timedelta(hours=4))


@pytest.mark.parametrize(
    "extra",
    [
        {"source": "wechat"},
        {"priority": "asap"},
        {"source": "", "priority": "URGENT"},
        {"source": "patrol"},  # the stored value, not the enum's name
    ],
)
async def test_report_with_an_invalid_source_or_priority_is_refused_before_it_runs(live_server, tokens, extra):
    before = (await gql_data(live_server, "{ cases(first: 1) { edges { node { id } } } }", token=tokens["secretary"]))[
        "cases"
    ]["edges"]
    variables = {
        "input": {
            "title": "占道经营",
            "categoryId": await category_id(live_server, tokens["secretary"]),
            "source": "PATROL",
            "nodeId": await node_id(live_server, tokens["secretary"], "JS01.A1.B03"),
            **extra,
        }
    }
    result = (await gql(live_server, REPORT, variables, tokens["grid-worker"])).json()
    assert result["data"] is None and result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    after = (await gql_data(live_server, "{ cases(first: 1) { edges { node { id } } } }", token=tokens["secretary"]))[
        "cases"
    ]["edges"]
    assert after == before  # nothing was written
