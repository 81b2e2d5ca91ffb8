"""Key figures against PostgreSQL and Redis: the query by role, and a `figures.updated` push
after a change (the scheduler job runs every REDGRID_SLA_SCAN_SECONDS=1 in the test server)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from tortoise.expressions import Q
from websockets.asyncio.client import connect

from redgrid.platform.database import tenant_transaction
from redgrid.tenants.cases.models import Case
from redgrid.tenants.people.tags import LOCAL_TIME

from .cases_api import act, report
from .clients import Subscriber, gql, gql_data, password_token

FIGURES = (
    "{ keyFigures { openCases overdueCases closedToday onDutyNow residents households partyMembers "
    "satisfaction30Days casesByState { state count } householdsByColour { colour count } asOf } }"
)


async def test_key_figures_by_role(live_server, tokens):
    figures = (await gql_data(live_server, FIGURES, token=tokens["secretary"]))["keyFigures"]
    assert figures["residents"] >= 4000 and figures["partyMembers"] > 100
    assert sum(t["count"] for t in figures["householdsByColour"]) == figures["households"]
    assert sum(t["count"] for t in figures["casesByState"]) == figures["openCases"]
    refused = (await gql(live_server, FIGURES, token=tokens["volunteer"])).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_new_case_pushes_new_figures_to_the_street_not_to_another(live_server, tokens):
    before = (await gql_data(live_server, FIGURES, token=tokens["secretary"]))["keyFigures"]["openCases"]
    async with (
        Subscriber(live_server, tokens["secretary"], "FIGURES") as wall,
        Subscriber(live_server, tokens["hushu-secretary"], "FIGURES") as other,
    ):
        await asyncio.sleep(2.5)  # let figures of earlier tests' changes go by
        wall.events.clear()
        await report(live_server, tokens)
        for _ in range(100):
            if any(e["figures"]["openCases"] == before + 1 for e in wall.events):
                break
            await asyncio.sleep(0.1)
        pushed = [e for e in wall.events if e["figures"]["openCases"] == before + 1]
        assert pushed and pushed[0]["type"] == "FIGURES_UPDATED" and pushed[0]["__typename"] == "FiguresEvent"
        assert all(e["figures"]["residents"] != pushed[0]["figures"]["residents"] for e in other.events)  # Hushu's own
        # A quiet street sends nothing more. The figures job runs on a timer (every second in the
        # tests) and a quiet tick is the point, so one must pass: no marker can stand in for that
        # wait, kept to one tick and a half. Then a marker instead of a longer wait: another case
        # makes the next tick push openCases + 2, later in the same topic; it must come right
        # after the push above (the hub hands a listener its topic's events in seq order).
        await asyncio.sleep(1.5)
        await report(live_server, tokens)
        for _ in range(100):
            if any(e["figures"]["openCases"] == before + 2 for e in wall.events):
                break
            await asyncio.sleep(0.1)
        after = [e for e in wall.events if e["seq"] > pushed[-1]["seq"]]
        assert after and after[0]["figures"]["openCases"] == before + 2, after


async def _subscription_errors(server, token: str, area: str, protocol: str, wait: float) -> list[dict]:
    """Subscribe to `events(area)`; the errors the server answers with within `wait` seconds
    (empty: none came, it streams)."""
    start, data = ("subscribe", "next") if protocol == "graphql-transport-ws" else ("start", "data")
    async with connect(server.ws_url, subprotocols=[protocol]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            json.dumps({"id": "1", "type": start, "payload": {"query": Subscriber.QUERY, "variables": {"area": area}}})
        )
        try:
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), wait))
                if message["type"] == "error":
                    return message["payload"] if isinstance(message["payload"], list) else [message["payload"]]
                if message["type"] == data and message["payload"].get("errors"):
                    return message["payload"]["errors"]
        except TimeoutError:
            return []  # subscribed: nothing refused it


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_areas_closed_to_a_role_refuse_its_subscription_as_their_queries_do(live_server, tokens, protocol):
    # A volunteer has no wall to fill and no registers: the key figures and people topics are closed to him.
    refused, open_ = 15.0, 1.5  # a refusal comes at once; waited for long on a slow machine
    for area in ("FIGURES", "PEOPLE"):
        errors = await _subscription_errors(live_server, tokens["volunteer"], area, protocol, refused)
        assert errors and errors[0]["extensions"]["code"] == "FORBIDDEN", (area, errors)
    # Sinking staff read the key figures (not the registers); the grid topic is open to every member.
    assert await _subscription_errors(live_server, tokens["dept-staff"], "FIGURES", protocol, open_) == []
    assert (await _subscription_errors(live_server, tokens["dept-staff"], "PEOPLE", protocol, refused))[0][
        "extensions"
    ]["code"] == "FORBIDDEN"
    assert await _subscription_errors(live_server, tokens["volunteer"], "GRID", protocol, open_) == []


RATES = "{ keyFigures { reportedToday closureRate30Days onTimeClosureRate30Days } }"
CLOSE_LOOP = [
    ("grid-head", "ACCEPT", {}),
    ("grid-head", "DISPATCH", {"assigneeKind": "GRID_WORKER", "assignee": "{street}-grid-worker"}),
    ("grid-worker", "START", {}),
    ("grid-worker", "RESOLVE", {}),
    ("grid-head", "VERIFY", {"satisfaction": 5, "comment": "及时"}),
    ("grid-head", "CLOSE", {}),
]


async def test_reported_today_and_the_closure_rates_follow_the_cases(live_server, tokens, db, street):
    """The rates against a count of the rows themselves, before and after a case is reported
    and closed within its deadlines; the case counts down to its first unmet deadline."""
    jinshui = street.tenant

    async def counted() -> dict:
        month = datetime.now(UTC) - timedelta(days=30)
        midnight = datetime.now(LOCAL_TIME).replace(hour=0, minute=0, second=0, microsecond=0)
        late = Q(overdue_on_scene_at__isnull=False) | Q(overdue_resolve_at__isnull=False)
        late |= Q(overdue_answer_at__isnull=False)
        async with tenant_transaction(jinshui.id):
            cases = Case.filter(tenant_id=jinshui.id)
            reported = await cases.filter(created_at__gte=month).count()
            closed = await cases.filter(closed_at__gte=month).count()
            return {
                "reportedToday": await cases.filter(created_at__gte=midnight).count(),
                "closureRate30Days": round(
                    await cases.filter(created_at__gte=month, closed_at__isnull=False).count() / reported, 4
                ),
                "onTimeClosureRate30Days": round(
                    await cases.filter(Q(closed_at__gte=month) & ~late).count() / closed, 4
                )
                if closed
                else None,
            }

    before = (await gql_data(live_server, RATES, token=tokens["secretary"]))["keyFigures"]
    case = await report(live_server, tokens)
    assert case["nextDeadline"] == "ON_SCENE" and case["nextDue"] == case["onSceneDue"]
    for who, action, extra in CLOSE_LOOP:
        extra = {k: v.format(street=street.slug) if isinstance(v, str) else v for k, v in extra.items()}
        result = await act(live_server, tokens[who], case, action, **extra)
        assert result["errors"] == [], (action, result["errors"])
        case = result["case"]
    assert case["state"] == "CLOSED" and case["nextDeadline"] is None and case["nextDue"] is None
    after = (await gql_data(live_server, RATES, token=tokens["secretary"]))["keyFigures"]
    assert after == await counted()
    assert after["reportedToday"] >= before["reportedToday"] + 1
    assert after["closureRate30Days"] > 0 and after["onTimeClosureRate30Days"] > 0
    # A district's totals are those of all its cases: its streets' counts together.
    district = await gql_data(
        live_server,
        "{ districtOverview { streets { figures { reportedToday } } total { figures { reportedToday } } } }",
        token=password_token("jiangning-district-admin"),
    )
    streets = district["districtOverview"]["streets"]
    total = district["districtOverview"]["total"]["figures"]["reportedToday"]
    assert total == sum(s["figures"]["reportedToday"] for s in streets)


TREND = (
    "query($days: Int!) { caseTrend(days: $days) { timeZone days { day reported closed overdue } } "
    "keyFigures { reportedToday closedToday overdueCases } }"
)


async def test_the_case_trend_counts_each_local_day_as_the_rows_do(live_server, tokens, db, street):
    """30 local days of reported, closed and overdue cases, against the rows counted here: with a
    case reported, closed and overdue on days of their own, backdated, and today equal to the
    key figures (which the FIGURES events carry on)."""
    case = await report(live_server, tokens)
    for who, action, extra in CLOSE_LOOP:
        extra = {k: v.format(street=street.slug) if isinstance(v, str) else v for k, v in extra.items()}
        result = await act(live_server, tokens[who], case, action, **extra)
        assert result["errors"] == [], (action, result["errors"])
        case = result["case"]
    late = await report(live_server, tokens)
    now = datetime.now(UTC)
    async with tenant_transaction(street.tenant.id):  # reported 9 days ago, closed 4 days ago; late since 6
        await Case.filter(number=case["number"]).update(
            created_at=now - timedelta(days=9), closed_at=now - timedelta(days=4)
        )
        await Case.filter(number=late["number"]).update(
            created_at=now - timedelta(days=7), overdue_resolve_at=now - timedelta(days=6)
        )

    trend = await gql_data(live_server, TREND, {"days": 30}, tokens["secretary"])
    days = trend["caseTrend"]["days"]
    assert trend["caseTrend"]["timeZone"] == "Asia/Shanghai" and len(days) == 30
    today = datetime.now(LOCAL_TIME).date()
    assert [d["day"] for d in days] == [(today - timedelta(days=29 - i)).isoformat() for i in range(30)]

    async with tenant_transaction(street.tenant.id):
        rows = await Case.filter(tenant_id=street.tenant.id).values(
            "created_at", "closed_at", "overdue_on_scene_at", "overdue_resolve_at", "overdue_answer_at"
        )
    ends = {
        d["day"]: datetime.combine(date.fromisoformat(d["day"]) + timedelta(days=1), datetime.min.time(), LOCAL_TIME)
        for d in days
    }
    ends[today.isoformat()] = datetime.now(UTC)

    def local_day(at: datetime | None) -> str | None:
        return at.astimezone(LOCAL_TIME).date().isoformat() if at else None

    def overdue_at(end: datetime) -> int:
        def late_then(r: dict) -> bool:
            marks = [r[k] for k in ("overdue_on_scene_at", "overdue_resolve_at", "overdue_answer_at") if r[k]]
            return bool(marks) and min(marks) < end and (r["closed_at"] is None or r["closed_at"] >= end)

        return sum(1 for r in rows if late_then(r))

    counted = [
        {
            "day": d["day"],
            "reported": sum(1 for r in rows if local_day(r["created_at"]) == d["day"]),
            "closed": sum(1 for r in rows if local_day(r["closed_at"]) == d["day"]),
            "overdue": overdue_at(ends[d["day"]]),
        }
        for d in days
    ]
    # Today's overdue count is of the moment: a case the SLA scan marks in between moves it.
    assert [{**d, "overdue": 0} for d in days] == [{**d, "overdue": 0} for d in counted]
    assert [d["overdue"] for d in days[:-1]] == [d["overdue"] for d in counted[:-1]]
    backdated = {d["day"]: d for d in days}
    nine, seven, four = ((today - timedelta(days=n)).isoformat() for n in (9, 7, 4))
    assert backdated[nine]["reported"] >= 1 and backdated[seven]["reported"] >= 1 and backdated[four]["closed"] >= 1
    assert days[-4]["overdue"] >= 1  # the late case, still open
    figures = trend["keyFigures"]
    assert (days[-1]["reported"], days[-1]["closed"]) == (figures["reportedToday"], figures["closedToday"])
    assert days[-1]["overdue"] == figures["overdueCases"]

    # Staff only, like the figures; the window is bounded.
    refused = (await gql(live_server, TREND, {"days": 30}, tokens["volunteer"])).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for days_asked in (0, 91):
        bad = (await gql(live_server, TREND, {"days": days_asked}, tokens["secretary"])).json()
        assert "INVALID_DAYS" in str(bad)
    hushu = (await gql_data(live_server, TREND, {"days": 3}, tokens["hushu-secretary"]))["caseTrend"]["days"]
    assert len(hushu) == 3  # Hushu's own street: none of the cases above
    assert (
        hushu[-1]["reported"]
        == (await gql_data(live_server, RATES, token=tokens["hushu-secretary"]))["keyFigures"]["reportedToday"]
    )


GRID_MAP = (
    "query($level: Int) { gridMap(level: $level) { level cells { id path name boundary openCases overdueCases } } }"
)


async def test_the_grid_map_counts_each_nodes_cases_within_the_callers_scope(live_server, tokens):
    async def grid_map(who: str, level: int | None = None) -> dict:
        return (await gql_data(live_server, GRID_MAP, {"level": level}, tokens[who]))["gridMap"]

    street = await grid_map("secretary")
    assert street["level"] == 3 and len(street["cells"]) == 30  # Jinshui's buildings: the deepest level that fits
    assert all(c["boundary"]["type"] == "Polygon" for c in street["cells"])  # seed-demo's generated ones
    before = {c["path"]: c["openCases"] for c in street["cells"]}
    await report(live_server, tokens, path="JS01.A1.B03")
    after = {c["path"]: c["openCases"] for c in (await grid_map("secretary"))["cells"]}
    assert after["JS01.A1.B03"] == before["JS01.A1.B03"] + 1
    assert {p: n for p, n in after.items() if p != "JS01.A1.B03"} == {
        p: n for p, n in before.items() if p != "JS01.A1.B03"
    }
    # One level up, a node counts the cases below it: area A1 holds building 3's and its neighbours'.
    areas = {c["path"]: c for c in (await grid_map("secretary", 2))["cells"]}
    assert areas["JS01.A1"]["openCases"] == sum(n for p, n in after.items() if p.startswith("JS01.A1."))
    # The grid worker's scope is building 3: his map is that building alone.
    worker = await grid_map("grid-worker")
    assert [c["path"] for c in worker["cells"]] == ["JS01.A1.B03"]
    assert worker["cells"][0]["openCases"] == after["JS01.A1.B03"]
    # Hushu's own grid, nothing of Jinshui's; a volunteer has no wall; the level is bounded.
    hushu = await grid_map("hushu-secretary")
    assert hushu["level"] == 3 and len(hushu["cells"]) == 172 and not any("JS01" in c["path"] for c in hushu["cells"])
    refused = (await gql(live_server, GRID_MAP, token=tokens["volunteer"])).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = (await gql(live_server, GRID_MAP, {"level": 99}, tokens["secretary"])).json()
    assert "INVALID_LEVEL" in str(bad)
