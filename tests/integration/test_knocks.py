"""The volunteers' daily knock log (爱心敲门): a volunteer records his own pairings' knocks
through the API; "needs help" raises one case; the missed-knock job (its real code, the day
driven by platform/clock.py) notifies the grid workers serving each unknocked elder's node,
once per pairing and day, and nobody else."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from redgrid.platform import clock
from redgrid.platform.database import tenant_transaction
from redgrid.tenants.knocks.service import local_day, notify_missed
from redgrid.tenants.notices.models import Notification
from redgrid.tenants.people.models import Pairing
from redgrid.tenants.people.tags import LOCAL_TIME

from .clients import gql, gql_data

pytestmark = pytest.mark.asyncio(loop_scope="session")

PAIRINGS = "{ pairings(first: 200) { edges { node { id active } } } }"
RECORD = """mutation($input: RecordKnockInput!) { recordKnock(input: $input) {
  knock { id day status note recordedBy case { id state title } } errors { field code } } }"""
KNOCKS = """query($id: ID!) { pairingKnocks(pairingId: $id) { edges { node { day status note } } } }"""


def db_id(global_id: str) -> int:
    import base64

    return int(base64.b64decode(global_id).decode().split(":")[1])


async def knock(server, token, pairing_id, status, **extra) -> dict:
    variables = {"input": {"pairingId": pairing_id, "status": status, **extra}}
    return (await gql_data(server, RECORD, variables, token))["recordKnock"]


@pytest.fixture(scope="module")
async def mine(live_server, tokens) -> list[str]:
    rows = (await gql_data(live_server, PAIRINGS, token=tokens["volunteer"]))["pairings"]["edges"]
    ids = [r["node"]["id"] for r in rows if r["node"]["active"]]
    assert len(ids) >= 3, "the demo volunteer looks after several elders"
    return ids


async def test_a_volunteer_records_his_own_knocks(live_server, tokens, mine):
    today = local_day().isoformat()
    well = await knock(live_server, tokens["volunteer"], mine[0], "WELL", note="精神不错")
    assert well["errors"] == [] and well["knock"]["day"] == today and well["knock"]["case"] is None
    assert well["knock"]["status"] == "WELL" and well["knock"]["recordedBy"].endswith("-volunteer")
    again = await knock(live_server, tokens["volunteer"], mine[0], "WELL", note="午饭吃过了")
    assert again["knock"]["id"] == well["knock"]["id"] and again["knock"]["note"] == "午饭吃过了"
    seen = (await gql_data(live_server, KNOCKS, {"id": mine[0]}, tokens["grid-worker"]))["pairingKnocks"]["edges"]
    assert [(e["node"]["day"], e["node"]["status"]) for e in seen] == [(today, "WELL")]
    other_street = (await gql_data(live_server, KNOCKS, {"id": mine[0]}, tokens["hushu-secretary"]))["pairingKnocks"]
    assert other_street["edges"] == []


async def test_needs_help_raises_one_case(live_server, tokens, mine):
    first = await knock(live_server, tokens["volunteer"], mine[1], "NEEDS_HELP", note="老人说腿疼，下不了楼")
    assert first["errors"] == []
    case = first["knock"]["case"]
    assert case["state"] == "REPORTED" and case["title"] == "爱心敲门：结对老人需要帮助"
    again = await knock(live_server, tokens["volunteer"], mine[1], "NEEDS_HELP", note="已联系家属")
    assert again["knock"]["case"]["id"] == case["id"]  # a retry or correction raises no second case
    inbox = await gql_data(
        live_server,
        "query($id: ID!) { node(id: $id) { ... on Case { state node { path } } } }",
        {"id": case["id"]},
        tokens["grid-head"],
    )
    assert inbox["node"]["state"] == "REPORTED"  # in the grid's inbox


async def test_only_the_pairings_volunteer_records_and_only_today_or_yesterday(live_server, tokens, mine):
    yesterday = (local_day() - timedelta(days=1)).isoformat()
    late = await knock(live_server, tokens["volunteer"], mine[2], "WELL", day=yesterday)
    assert late["errors"] == [] and late["knock"]["day"] == yesterday
    older = (local_day() - timedelta(days=2)).isoformat()
    assert (await knock(live_server, tokens["volunteer"], mine[2], "WELL", day=older))["errors"] == [
        {"field": "day", "code": "OUT_OF_RANGE"}
    ]
    everyone = (await gql_data(live_server, PAIRINGS, token=tokens["secretary"]))["pairings"]["edges"]
    someone_elses = next(e["node"]["id"] for e in everyone if e["node"]["id"] not in mine)
    assert (await knock(live_server, tokens["volunteer"], someone_elses, "WELL"))["errors"] == [
        {"field": "pairingId", "code": "NOT_FOUND"}
    ]
    refused = await gql(live_server, RECORD, {"input": {"pairingId": mine[2], "status": "WELL"}}, tokens["grid-head"])
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    too_long = await knock(live_server, tokens["volunteer"], mine[2], "WELL", note="很" * 501)
    assert too_long["errors"] == [{"field": "note", "code": "TOO_LONG"}]


async def test_a_missed_knock_reaches_the_grid_workers_once(live_server, tokens, street, mine):
    """Tomorrow morning (the services' clock), the job looks at today's knocks."""
    today = local_day()
    tenant = street.tenant.id
    async with tenant_transaction(tenant):
        pairings = await Pairing.filter(tenant_id=tenant, active=True).select_related("resident__node")
    knocked = {db_id(mine[0]), db_id(mine[1])}
    in_b03 = [p.id for p in pairings if p.resident.node.path.startswith("JS01.A1.B03") and p.id not in knocked]
    elsewhere = [p.id for p in pairings if not p.resident.node.path.startswith("JS01.A1.B03")]
    assert in_b03 and elsewhere

    with clock.frozen_at(datetime.combine(today + timedelta(days=1), time(9), LOCAL_TIME)):
        assert await notify_missed() > 0
        assert await notify_missed() == 0  # once per day

    async with tenant_transaction(tenant):
        rows = await Notification.filter(tenant_id=tenant, kind="missed_knock", key__endswith=f":{today.isoformat()}")
    by_pairing: dict[int, set[str]] = {}
    for row in rows:
        by_pairing.setdefault(row.pairing_id, set()).add(row.username)  # type: ignore[attr-defined]
    worker = street.username("grid-worker")
    # the building's elders: its grid worker with an account (the register's other three have none)
    assert {p: by_pairing.get(p) for p in in_b03} == {p: {worker} for p in in_b03}
    assert not knocked & by_pairing.keys()  # knocked today: nothing
    assert not set(elsewhere) & by_pairing.keys()  # no grid worker serves their nodes

    listed = await gql_data(
        live_server,
        "{ notifications(first: 200) { edges { node { kind text pairing { id } } } } }",
        token=tokens["grid-worker"],
    )
    missed = [e["node"] for e in listed["notifications"]["edges"] if e["node"]["kind"] == "MISSED_KNOCK"]
    assert {m["pairing"]["id"] for m in missed} >= {e for e in mine if db_id(e) in in_b03}
    assert all("未记录爱心敲门" in m["text"] for m in missed)
    assert (await gql_data(live_server, "{ unreadNotificationCount }", token=tokens["volunteer"]))[
        "unreadNotificationCount"
    ] == 0
