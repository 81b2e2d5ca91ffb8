"""Reporting and moving cases through the API, as the integration modules share it."""

from __future__ import annotations

from .clients import gql_data
from .grid_api import node_id

CASE = (
    "id number state version escalation assignee overdue satisfaction onSceneDue nextDeadline nextDue "
    "timeline { version action fromState toState actor }"
)


REPORT = (
    f"mutation($input: ReportCaseInput!) {{ reportCase(input: $input) {{ case {{ {CASE} }} "
    "errors { field code message } } }"
)


MOVE = (
    f"mutation($input: TransitionCaseInput!) {{ transitionCase(input: $input) {{ case {{ {CASE} }} "
    "errors { field code message } } }"
)


async def category_id(server, token: str, code: str = "street_order") -> str:
    rows = (await gql_data(server, "{ caseCategories { id code } }", token=token))["caseCategories"]
    return next(r["id"] for r in rows if r["code"] == code)


async def report(server, tokens, who="grid-worker", path="JS01.A1.B03", code="street_order", **extra):
    variables = {
        "input": {
            "title": "占道经营",
            "categoryId": await category_id(server, tokens["secretary"], code),
            "source": "PATROL",
            "nodeId": await node_id(server, tokens["secretary"], path),
            **extra,
        }
    }
    result = (await gql_data(server, REPORT, variables, tokens[who]))["reportCase"]
    assert result["errors"] == [], result
    return result["case"]


async def act(server, token, case, action, **extra):
    variables = {"input": {"id": case["id"], "action": action, "version": case["version"], **extra}}
    return (await gql_data(server, MOVE, variables, token))["transitionCase"]


async def dispatched(server, tokens, assignee: str, **extra) -> dict:
    """A case reported, accepted and dispatched by the grid head to the grid worker `assignee`."""
    case = await report(server, tokens, **extra)
    case = (await act(server, tokens["grid-head"], case, "ACCEPT"))["case"]
    moved = await act(server, tokens["grid-head"], case, "DISPATCH", assigneeKind="GRID_WORKER", assignee=assignee)
    assert moved["errors"] == [], moved
    return moved["case"]
