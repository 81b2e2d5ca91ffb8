"""A grid worker handles a simple problem himself (一般问题由微网格员直接处置), against a real
server: the secretary marks a category, the grid worker takes a reported case of it straight to
work (HANDLE) and resolves it, the grid head verifies; refused where the category does not
allow it, and for anyone but a grid worker whose case it is."""

from __future__ import annotations

import uuid

from .cases_api import act, report
from .clients import gql, gql_data

SET_CATEGORY = """mutation($code: String!, $selfHandle: Boolean) { setCaseCategory(input: {code: $code,
    name: "简易问题", selfHandle: $selfHandle}) { category { id code selfHandle } errors { code } } }"""


async def simple_category(server, tokens, *, self_handle: bool | None) -> str:
    code = f"simple{uuid.uuid4().hex[:6]}"
    made = await gql_data(server, SET_CATEGORY, {"code": code, "selfHandle": self_handle}, tokens["secretary"])
    assert made["setCaseCategory"]["errors"] == []
    return code


async def test_the_secretary_marks_a_category_and_null_keeps_the_mark(live_server, tokens, street):
    code = f"simple{uuid.uuid4().hex[:6]}"
    for given, kept in ((None, False), (True, True), (None, True), (False, False)):
        made = await gql_data(live_server, SET_CATEGORY, {"code": code, "selfHandle": given}, tokens["secretary"])
        assert made["setCaseCategory"]["category"]["selfHandle"] is kept
    refused = await gql(live_server, SET_CATEGORY, {"code": code, "selfHandle": True}, tokens["grid-head"])
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_grid_worker_handles_resolves_and_the_grid_head_verifies(live_server, tokens, street):
    code = await simple_category(live_server, tokens, self_handle=True)
    case = await report(live_server, tokens, code=code)  # by the grid worker, in building 3
    handled = await act(live_server, tokens["grid-worker"], case, "HANDLE", note="现场劝离")
    assert handled["errors"] == [], handled
    case = handled["case"]
    assert (case["state"], case["assignee"]) == ("IN_PROGRESS", street.username("grid-worker"))
    assert case["timeline"][-1]["action"] == "HANDLE" and case["timeline"][-1]["fromState"] == "REPORTED"
    # He handled it: he may not verify it; he resolves it, and his grid head verifies.
    case = (await act(live_server, tokens["grid-worker"], case, "RESOLVE"))["case"]
    assert case["state"] == "RESOLVED"
    refused = await gql(
        live_server,
        "mutation($input: TransitionCaseInput!) { transitionCase(input: $input) { errors { code } } }",
        {"input": {"id": case["id"], "action": "VERIFY", "version": case["version"], "satisfaction": 5}},
        tokens["grid-worker"],
    )
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    verified = await act(live_server, tokens["grid-head"], case, "VERIFY", satisfaction=5)
    assert verified["errors"] == [] and verified["case"]["state"] == "VERIFIED"
    assert [t["action"] for t in verified["case"]["timeline"]] == ["REPORT", "HANDLE", "RESOLVE", "VERIFY"]


async def test_a_grid_worker_handles_a_volunteers_report_in_his_grid(live_server, tokens, street):
    code = await simple_category(live_server, tokens, self_handle=True)
    case = await report(live_server, tokens, who="volunteer", code=code)
    handled = await act(live_server, tokens["grid-worker"], case, "HANDLE")
    assert handled["errors"] == [] and handled["case"]["state"] == "IN_PROGRESS"


async def test_refused_where_the_category_does_not_allow_it(live_server, tokens, street):
    code = await simple_category(live_server, tokens, self_handle=None)  # a new category: dispatched
    case = await report(live_server, tokens, code=code)
    refused = await act(live_server, tokens["grid-worker"], case, "HANDLE")
    assert refused["case"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("action", "NOT_SELF_HANDLED")]
    # Nothing moved: the grid head accepts it as usual.
    accepted = await act(live_server, tokens["grid-head"], case, "ACCEPT")
    assert accepted["errors"] == [] and accepted["case"]["version"] == 2


async def test_nobody_but_a_grid_worker_handles_a_case_himself(live_server, tokens, street):
    code = await simple_category(live_server, tokens, self_handle=True)
    case = await report(live_server, tokens, code=code)
    for who in ("grid-head", "secretary", "volunteer"):
        answer = await gql(
            live_server,
            "mutation($input: TransitionCaseInput!) { transitionCase(input: $input) { errors { code } } }",
            {"input": {"id": case["id"], "action": "HANDLE", "version": case["version"]}},
            tokens[who],
        )
        body = answer.json()
        # A volunteer does not see another's case at all: as if it were missing.
        if who == "volunteer":
            assert body["data"]["transitionCase"]["errors"] == [{"code": "NOT_FOUND"}], body
        else:
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (who, body)
    # Once accepted, it is the grid head's to dispatch: HANDLE is for a reported case only.
    accepted = (await act(live_server, tokens["grid-head"], case, "ACCEPT"))["case"]
    late = await act(live_server, tokens["grid-worker"], accepted, "HANDLE")
    assert [e["code"] for e in late["errors"]] == ["ILLEGAL_TRANSITION"]
