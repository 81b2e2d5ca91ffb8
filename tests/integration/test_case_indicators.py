"""Case indicators (tenants/cases/indicators.py, docs/indicators.md) against figures computed
by hand on a small fixed data set: seven cases of a category of this module's own, reported in
March 2025 through the case services with the clock frozen at each step, in the module's own
street. Then who may read them, the API's bounds, the XLSX export, and the wall's rates."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from redgrid.platform import clock
from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import Forbidden, GridScope, RequestContext, ScopeKind
from redgrid.platform.database import district_transaction, tenant_transaction
from redgrid.platform.errors import InvalidInput
from redgrid.platform.models import Account, District
from redgrid.tenants.cases import rollup, service
from redgrid.tenants.cases.indicators import IndicatorQuery, case_indicators, rows_of, street_counts
from redgrid.tenants.cases.models import Case, CaseDayMark
from redgrid.tenants.cases.sla import fire_overdue
from redgrid.tenants.district.indicators import district_indicators
from redgrid.tenants.figures import key_figures
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.people.tags import LOCAL_TIME

from .clients import gql, gql_data

FIRST, LAST = date(2025, 3, 1), date(2025, 3, 7)
ZERO = dict.fromkeys(("received", "registered", "due", "closed", "closedOnTime", "reworked", "rated", "satisfied"), 0)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=LOCAL_TIME)


def caller(street: Any, role: str, scope: GridScope, **extra: Any) -> RequestContext:
    identity = Identity(role, street.username(role), frozenset({role}), street.slug, None)
    return RequestContext(identity, street.tenant, scope, **extra)


class Data:
    """The fixed data set, and the contexts that built it."""

    def __init__(self, street: Any, scope: str, inside: GridNode, outside: GridNode, category: str) -> None:
        self.street, self.scope, self.inside, self.outside, self.category = street, scope, inside, outside, category
        self.secretary = caller(street, "secretary", GridScope(ScopeKind.TENANT))
        self.head = caller(street, "grid-head", GridScope(ScopeKind.SUBTREE, scope))
        self.worker = caller(street, "grid-worker", GridScope(ScopeKind.SUBTREE, scope))
        self.staff = caller(street, "dept-staff", GridScope(ScopeKind.NONE))

    async def at(self, moment: datetime, ctx: RequestContext, case: Case | None, action: str, **kw: Any) -> Case:
        with clock.frozen_at(moment):
            async with tenant_transaction(self.street.tenant.id):
                if case is None:
                    category = await self.category_id()
                    node = self.inside if action == "inside" else self.outside
                    return await service.report(
                        ctx, title="指标测试", category_id=category, node_id=node.id, **kw, description=""
                    )
                return await service.transition(ctx, case.id, action, version=case.version, **kw)

    async def category_id(self) -> int:
        from redgrid.tenants.cases.models import CaseCategory

        return (await CaseCategory.get(tenant_id=self.street.tenant.id, code=self.category)).id

    async def loop(
        self, case: Case, day: int, times: list[tuple[int, int]], assignee: tuple[str, str], sat: int
    ) -> Case:
        """(accept,) dispatch, start, resolve, verify, close at the local times given."""
        kind, who = assignee
        actor = self.worker if kind == "grid_worker" else self.staff
        steps: list[tuple[RequestContext, str, dict[str, Any]]] = [
            (self.secretary, "accept", {}),
            (self.secretary, "dispatch", {"assignee_kind": kind, "assignee": who}),
            (actor, "start", {}),
            (actor, "resolve", {}),
            (self.secretary, "verify", {"satisfaction": sat}),
            (self.secretary, "close", {}),
        ]
        for (hour, minute), (ctx, action, kw) in zip(times, steps[len(steps) - len(times) :], strict=True):
            case = await self.at(local(day, hour, minute), ctx, case, action, **kw)
        return case


@pytest.fixture(scope="module")
async def data(street, db) -> Data:
    tenant = street.tenant
    async with tenant_transaction(tenant.id):
        account = await Account.get(tenant_id=tenant.id, username=street.username("grid-head")).select_related(
            "grid_scope"
        )
        scope: str = account.grid_scope.path  # type: ignore[union-attr]
        nodes = await GridNode.filter(tenant_id=tenant.id, retired_at=None).order_by("path")
    # His grid is a building (JS01.A1.B03); the other one is a building of another area.
    inside = next(n for n in nodes if n.path == scope)
    area = scope.rsplit(".", 1)[0]
    outside = next(n for n in nodes if n.path.count(".") == scope.count(".") and not n.path.startswith(area + "."))
    code = f"ind{uuid.uuid4().hex[:6]}"
    d = Data(street, scope, inside, outside, code)
    async with tenant_transaction(tenant.id):
        await service.set_category(
            d.secretary, code=code, name='=HYPERLINK("x") 指标', on_scene=10, resolve=60, answer=1440
        )
    worker, staff = ("grid_worker", street.username("grid-worker")), ("dept_staff", street.username("dept-staff"))
    # c1: every deadline met, satisfied.
    c1 = await d.at(local(3, 9), d.secretary, None, "inside", source="patrol")
    await d.loop(c1, 3, [(9, 1), (9, 2), (9, 5), (9, 30), (10, 0), (10, 5)], worker, 5)
    # c2: on the scene 30 minutes after its report: the SLA scanner flags it at 10:20; rated 3.
    c2 = await d.at(local(3, 10), d.secretary, None, "inside", source="patrol")
    c2 = await d.at(local(3, 10, 1), d.secretary, c2, "accept")
    c2 = await d.at(local(3, 10, 2), d.secretary, c2, "dispatch", assignee_kind=worker[0], assignee=worker[1])
    assert await fire_overdue(local(3, 10, 20).astimezone(UTC)) >= 1
    async with tenant_transaction(tenant.id):
        c2 = await Case.get(id=c2.id)
    assert c2.overdue_on_scene_at is not None and c2.overdue_resolve_at is None
    for moment, ctx, action, kw in (
        (local(3, 10, 30), d.worker, "start", {}),
        (local(3, 10, 40), d.worker, "resolve", {}),
        (local(3, 11), d.secretary, "verify", {"satisfaction": 3}),
        (local(3, 11, 5), d.secretary, "close", {}),
    ):
        c2 = await d.at(moment, ctx, c2, action, **kw)
    # c3 (outside the grid head's grid): closed on the 4th, reopened on the 5th, closed again in time.
    c3 = await d.at(local(4, 8), d.secretary, None, "outside", source="patrol")
    c3 = await d.loop(c3, 4, [(8, 1), (8, 2), (8, 5), (8, 30), (9, 0), (9, 10)], staff, 4)
    c3 = await d.at(local(5, 9), d.secretary, c3, "reopen")
    c3 = await d.loop(c3, 5, [(9, 2), (9, 10), (9, 20), (9, 30), (9, 40)], staff, 5)  # accepted by the reopening
    # c4: accepted, never finished.
    c4 = await d.at(local(4, 12), d.secretary, None, "inside", source="patrol")
    await d.at(local(4, 12, 5), d.secretary, c4, "accept")
    # c5 (outside): left reported.
    await d.at(local(5, 12), d.secretary, None, "outside", source="patrol")
    # c6: from the hotline at half past midnight local time, the 2nd in UTC: left reported.
    await d.at(local(3, 0, 30), d.secretary, None, "inside", source="hotline_12345")
    # c7: resolved 30 minutes after its deadline, closed before any scanner ran: late all the same.
    c7 = await d.at(local(5, 8), d.secretary, None, "inside", source="patrol")
    await d.loop(c7, 5, [(8, 1), (8, 2), (8, 5), (9, 30), (9, 40), (9, 45)], worker, 5)
    return d


def counts(**given: int) -> dict[str, int]:
    return {**ZERO, **given}


async def ask(d: Data, ctx: RequestContext, **query: Any) -> list[Any]:
    q = IndicatorQuery(first=query.pop("first", FIRST), last=query.pop("last", LAST), **query)
    async with tenant_transaction(d.street.tenant.id):
        return await case_indicators(ctx, q)


async def test_by_day_each_indicator_is_what_was_counted_by_hand(data):
    rows = await ask(data, data.secretary, period="day")
    by_day = {r.period: r.counts for r in rows}
    assert by_day == {
        date(2025, 3, 3): counts(received=3, registered=2, rated=2, satisfied=1),  # c1 c2 c6; ratings of c1 c2
        date(2025, 3, 4): counts(received=2, registered=2, due=3, closed=2, closedOnTime=1),  # c3 c4; due c1 c2 c6
        date(2025, 3, 5): counts(received=2, registered=1, due=1, rated=2, satisfied=2),  # c5 c7; due c4; c3 c7 rated
        date(2025, 3, 6): counts(due=3, closed=2, closedOnTime=1, reworked=1),  # c3 (renewed), c5, c7
    }
    rates = {r.period: r.rates for r in rows}
    assert rates[date(2025, 3, 4)] == {
        "closureRate": 0.6667,
        "onTimeClosureRate": 0.3333,
        "reworkRate": 0.0,
        "satisfactionRate": None,
    }
    assert rates[date(2025, 3, 6)]["reworkRate"] == 0.3333 and rates[date(2025, 3, 3)]["satisfactionRate"] == 0.5
    assert rates[date(2025, 3, 3)]["closureRate"] is None  # nothing was due on the 3rd


async def test_whole_week_and_month_agree(data):
    total = counts(received=7, registered=5, due=7, closed=4, closedOnTime=2, reworked=1, rated=4, satisfied=3)
    (whole,) = await ask(data, data.secretary)
    assert (whole.period, whole.counts) == (FIRST, total)
    assert whole.rates == {
        "closureRate": 0.5714,
        "onTimeClosureRate": 0.2857,
        "reworkRate": 0.1429,
        "satisfactionRate": 0.75,
    }
    # 3 March 2025 is a Monday: the 1st and 2nd belong to a week without facts.
    assert [(r.period, r.counts) for r in await ask(data, data.secretary, period="week")] == [(date(2025, 3, 3), total)]
    month = await ask(data, data.secretary, period="month", first=date(2025, 2, 1), last=date(2025, 4, 30))
    assert [(r.period, r.counts) for r in month] == [(date(2025, 3, 1), total)]


async def test_a_local_day_decides_not_the_utc_one(data):
    """c6 was reported at 00:30 on the 3rd in Shanghai, 16:30 on the 2nd in UTC."""
    rows = await ask(data, data.secretary, first=date(2025, 3, 3), last=date(2025, 3, 3), dimension="source")
    assert {r.key: r.counts["received"] for r in rows} == {"hotline_12345": 1, "patrol": 2}
    assert await ask(data, data.secretary, first=date(2025, 3, 2), last=date(2025, 3, 2)) == []


async def test_groups_by_grid_worker_category_and_source(data):
    area = data.scope.count(".")  # the level of the areas, one above the buildings
    for level, inside, outside in (
        (area, data.scope.rsplit(".", 1)[0], data.outside.path.rsplit(".", 1)[0]),  # rolled up to the areas
        (area + 1, data.scope, data.outside.path),
    ):
        grids = {r.key: r for r in await ask(data, data.secretary, dimension="grid", level=level)}
        assert {k: (r.counts["received"], r.counts["due"], r.counts["closed"]) for k, r in grids.items()} == {
            inside: (5, 5, 3),  # c1 c2 c4 c6 c7
            outside: (2, 2, 1),  # c3 c5
        }
        assert grids[inside].label and grids[inside].street == data.street.slug
    workers = {r.key: r.counts for r in await ask(data, data.secretary, dimension="worker")}
    assert workers == {
        data.street.username("grid-worker"): counts(
            received=3, registered=3, due=3, closed=3, closedOnTime=1, rated=3, satisfied=2
        ),
        data.street.username("dept-staff"): counts(
            received=1, registered=1, due=1, closed=1, closedOnTime=1, reworked=1, rated=1, satisfied=1
        ),
        None: counts(received=3, registered=1, due=3),  # c4 accepted, c5 and c6 reported: nobody holds them
    }
    (category,) = await ask(data, data.secretary, dimension="category")
    assert category.key == data.category and category.label == '=HYPERLINK("x") 指标'


async def test_a_grid_head_sees_his_grid_only(data):
    (whole,) = await ask(data, data.head)
    assert whole.counts == counts(received=5, registered=4, due=5, closed=3, closedOnTime=1, rated=3, satisfied=2)
    # Asked to roll up above his grid, he gets his own node: an ancestor is not his to name.
    rows = await ask(data, data.head, dimension="grid", level=1)
    assert [r.key for r in rows] == [data.scope]


async def test_who_may_not_read_them_is_refused(data):
    for ctx in (data.worker, data.staff, caller(data.street, "volunteer", GridScope(ScopeKind.SUBTREE, data.scope))):
        with pytest.raises(Forbidden):
            await ask(data, ctx)
    with pytest.raises(Forbidden):  # a grid head without a grid
        await ask(data, caller(data.street, "grid-head", GridScope(ScopeKind.NONE)))
    for query, code in (
        ({"dimension": "street"}, "INVALID_GROUPING"),
        ({"dimension": "nodes; DROP TABLE grid_case"}, "INVALID_GROUPING"),
        ({"period": "hour"}, "INVALID_PERIOD"),
        ({"first": LAST, "last": FIRST}, "INVALID_RANGE"),
        ({"first": date(1900, 1, 1)}, "INVALID_RANGE"),
        ({"period": "day", "first": date(2024, 1, 1), "last": date(2025, 1, 1)}, "TOO_MANY_PERIODS"),
        ({"dimension": "grid", "level": 99}, "INVALID_LEVEL"),
    ):
        with pytest.raises(InvalidInput) as refused:
            await ask(data, data.secretary, **query)
        assert [e.code for e in refused.value.errors] == [code], query


async def test_a_district_admin_sees_his_districts_streets_not_their_workers(data):
    admin = RequestContext(Identity("da", "da", frozenset({"district-admin"}), None, data.street.district))
    q = IndicatorQuery(first=FIRST, last=LAST, dimension="street")
    rows = await district_indicators(admin, None, q)
    assert [(r.street, r.counts) for r in rows] == [
        (
            data.street.slug,
            counts(received=7, registered=5, due=7, closed=4, closedOnTime=2, reworked=1, rated=4, satisfied=3),
        )
    ]
    by_category = await district_indicators(admin, None, IndicatorQuery(first=FIRST, last=LAST, dimension="category"))
    assert [(r.key, r.label, r.counts["due"]) for r in by_category] == [(data.category, '=HYPERLINK("x") 指标', 7)]
    with pytest.raises(InvalidInput):
        await district_indicators(admin, None, IndicatorQuery(first=FIRST, last=LAST, dimension="worker"))
    with pytest.raises(Forbidden):  # another district
        await district_indicators(admin, "jiangning", q)


async def test_a_districts_days_agree_with_its_cases(data):
    """The days the scheduler job keeps (tenants/cases/rollup.py) answer what the cases do, by
    day, week and in total; a street whose days are stale is counted from its cases."""
    tenant = data.street.tenant
    admin = RequestContext(Identity("da", "da", frozenset({"district-admin"}), None, data.street.district))
    district = await District.get(slug=data.street.district)
    for _ in range(3):  # the publisher of a live server may number an event meanwhile
        async with tenant_transaction(tenant.id):
            await rollup.refresh(tenant)
        async with district_transaction(district.id):
            if await rollup.current([tenant.id]) == [tenant.id]:
                break
    else:
        raise AssertionError("the street's days never became current")
    for period in ("day", "week", "whole"):
        query = IndicatorQuery(first=FIRST, last=LAST, dimension="street", period=period)
        rolled = await district_indicators(admin, None, query)
        async with tenant_transaction(tenant.id):
            live = await rows_of([tenant.id], query, None, 1, rolled=[])
        assert rolled == live, period
    by_day = await district_indicators(
        admin, None, IndicatorQuery(first=FIRST, last=LAST, dimension="street", period="day")
    )
    assert {r.period: r.counts["due"] for r in by_day} == {
        date(2025, 3, d): n for d, n in ((3, 0), (4, 3), (5, 1), (6, 3))
    }
    async with tenant_transaction(tenant.id):
        await CaseDayMark.filter(tenant_id=tenant.id).update(watermark={"cases": -1})
    stale = await district_indicators(
        admin, None, IndicatorQuery(first=FIRST, last=LAST, dimension="street", period="day")
    )
    assert stale == by_day


async def test_the_walls_rates_are_the_indicators_of_the_last_30_days(data):
    """keyFigures counts through the same rules: at a moment 30 days after the data set's
    first deadline, its rates are those of the days covered."""
    now = local(8, 0).astimezone(UTC)
    async with tenant_transaction(data.street.tenant.id):
        figures = await key_figures(data.street.tenant.id, now)
        window = (await street_counts([data.street.tenant.id], now - timedelta(days=30), now))[data.street.tenant.id]
    assert (figures["due30Days"], figures["closedOfDue30Days"], figures["closedOnTimeOfDue30Days"]) == (
        window["due"],
        window["closed"],
        window["closedOnTime"],
    )
    assert window["due"] >= 7 and figures["closureRate30Days"] == round(window["closed"] / window["due"], 4)


async def test_the_api_and_the_export(live_server, tokens, street, data):
    query = """query($g: IndicatorGrouping!) { caseIndicators(from: "2025-03-01", to: "2025-03-07", groupBy: $g) {
        period key label received due closed closedOnTime
        closureRate onTimeClosureRate reworkRate satisfactionRate } }"""
    rows = (await gql_data(live_server, query, {"g": "CATEGORY"}, tokens["secretary"]))["caseIndicators"]
    assert rows == [
        {
            "period": "2025-03-01",
            "key": data.category,
            "label": '=HYPERLINK("x") 指标',
            "received": 7,
            "due": 7,
            "closed": 4,
            "closedOnTime": 2,
            "closureRate": 0.5714,
            "onTimeClosureRate": 0.2857,
            "reworkRate": 0.1429,
            "satisfactionRate": 0.75,
        }
    ]
    refused = await gql(live_server, query, {"g": "TOTAL"}, tokens["grid-worker"])
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    url = f"{live_server.url}/indicators/cases.xlsx"
    params = {"from": "2025-03-01", "to": "2025-03-07", "groupBy": "category", "period": "day"}
    async with httpx.AsyncClient() as client:
        got = await client.get(url, params=params, headers={"authorization": f"Bearer {tokens['secretary']}"})
        assert got.status_code == 200, got.text
        sheet = load_workbook(io.BytesIO(got.content)).active
        header, *lines = list(sheet.iter_rows(values_only=True))
        assert header[:9] == ("周期", "街道", "分组", "名称", "上报数", "立案数", "应结案数", "结案数", "结案率")
        assert [line[0] for line in lines] == ["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06"]
        assert lines[1][6:9] == (3, 2, 0.6667)
        label = list(sheet.iter_rows(min_row=2, max_row=2))[0][3]
        assert label.value == '=HYPERLINK("x") 指标' and label.data_type == "s"  # text, never a formula
        for bad in ({**params, "period": "hour"}, {**params, "from": "x"}, {**params, "evil": "1"}):
            answer = await client.get(url, params=bad, headers={"authorization": f"Bearer {tokens['secretary']}"})
            assert answer.status_code == 400, bad
        for role, status in (("grid-worker", 403), ("volunteer", 403)):
            answer = await client.get(url, params=params, headers={"authorization": f"Bearer {tokens[role]}"})
            assert answer.status_code == status
        assert (await client.get(url, params=params)).status_code == 401
