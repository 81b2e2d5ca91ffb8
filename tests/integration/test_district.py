"""The district view: a district admin sees his streets side by side and in total (counts
only), nobody else's; its reads go through a SELECT-only row-level security policy on exactly
the tables it needs; platform admins list every tenant's health."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest

from redgrid.platform.database import (
    connection,
    district_readable_tables,
    district_transaction,
    tenant_owned_tables,
    tenant_transaction,
)
from redgrid.platform.models import District, Tenant
from redgrid.tenants.grid.models import GridNode

from .clients import gql, gql_data, password_token


@pytest.fixture(scope="module")
def tokens(demo_tokens: dict[str, str]) -> dict[str, str]:
    """This module works on the demo district's own streets, Jinshui and Hushu, side by side,
    not in a street of its own."""
    return demo_tokens


FIGURES = """asOf overdueCases openCases closedToday satisfaction30Days onDutyNow residents households partyMembers
  casesByState { state count } householdsByColour { colour count }"""
COVERAGE = "level nodes withPartyOrganisation withHead withStation full"
OVERVIEW = f"""query($slug: String) {{ districtOverview(slug: $slug) {{
  district {{ slug name }} asOf
  streets {{ tenant {{ slug districtSlug }} units registersAsOf figures {{ {FIGURES} }} coverage {{ {COVERAGE} }} }}
  total {{ streets units figures {{ {FIGURES} }} coverage {{ {COVERAGE} }} }}
}} }}"""
KEY_FIGURES = f"{{ keyFigures {{ {FIGURES} }} gridCoverage {{ {COVERAGE} }} }}"
HEALTH = """{ platformHealth { district { slug } tenants {
  tenant { slug } accounts lastActivityAt openCases overdueCases } } }"""
SUMMED = ("overdueCases", "openCases", "closedToday", "onDutyNow", "residents", "households", "partyMembers")
# The tables the overview reads (tenants/district/overview.py): the policy is on these alone.
READ_BY_THE_OVERVIEW = {
    "street_snapshot",
    "grid_case",
    "duty_shift",
    "resident",
    "household",
    "party_member",
    "joint_unit",
    "grid_node",
    "party_organisation",
    "service_station",
}


def tally(items: list[dict], key: str) -> Counter:
    return Counter({item[key]: item["count"] for item in items})


def summed(figures: list[dict]) -> dict:
    total = {key: sum(f[key] for f in figures) for key in SUMMED}
    total["casesByState"] = sum((tally(f["casesByState"], "state") for f in figures), Counter())
    total["householdsByColour"] = sum((tally(f["householdsByColour"], "colour") for f in figures), Counter())
    return total


def comparable(figures: dict) -> dict:
    return {
        **{key: figures[key] for key in SUMMED},
        "casesByState": tally(figures["casesByState"], "state"),
        "householdsByColour": tally(figures["householdsByColour"], "colour"),
    }


async def overview_and_secretaries(server) -> tuple[dict, dict]:
    """The overview and both secretaries' own figures, read until no scan moved a case between
    them (the server's overdue scan runs every second)."""
    admin = password_token("jiangning-district-admin")
    tokens = {s: password_token(f"{s}-secretary") for s in ("jinshui", "hushu")}

    async def own() -> dict:
        return {s: await gql_data(server, KEY_FIGURES, token=token) for s, token in tokens.items()}

    def still(figures: dict) -> dict:
        return {s: (comparable(f["keyFigures"]), f["gridCoverage"]) for s, f in figures.items()}

    for _ in range(5):
        first = await own()
        data = (await gql_data(server, OVERVIEW, token=admin))["districtOverview"]
        secretaries = await own()
        if still(first) == still(secretaries):
            return data, secretaries
    raise AssertionError("the figures never held still")


async def test_jiangning_admin_sees_his_streets_side_by_side_with_their_totals(live_server):
    data, secretaries = await overview_and_secretaries(live_server)
    assert data["district"]["slug"] == "jiangning"
    streets = {s["tenant"]["slug"]: s for s in data["streets"]}
    assert {"jinshui", "hushu"} <= set(streets)
    assert all(s["tenant"]["districtSlug"] == "jiangning" for s in data["streets"])
    for slug, own in secretaries.items():
        # Each street as its secretary sees it, figures and coverage alike.
        assert comparable(streets[slug]["figures"]) == comparable(own["keyFigures"])
        assert streets[slug]["coverage"] == own["gridCoverage"]
    assert streets["jinshui"]["figures"]["residents"] > 3000 and streets["hushu"]["figures"]["residents"] > 500
    assert streets["jinshui"]["units"] == 112
    assert [c["nodes"] for c in streets["hushu"]["coverage"]] == [1, 45, 172]

    # The totals are the sums of the streets: both secretaries' figures plus any other street.
    others = [s["figures"] for slug, s in streets.items() if slug not in secretaries]
    expected = summed([own["keyFigures"] for own in secretaries.values()] + others)
    assert comparable(data["total"]["figures"]) == expected
    assert data["total"]["streets"] == len(streets)
    assert data["total"]["units"] == sum(s["units"] for s in streets.values())
    depth_2 = next(c for c in data["total"]["coverage"] if c["level"] == 2)
    assert depth_2["nodes"] == sum(c["nodes"] for s in streets.values() for c in s["coverage"] if c["level"] == 2)
    assert depth_2["nodes"] >= 6 + 45


async def test_a_platform_admin_reads_any_district_by_slug(live_server):
    token = password_token("platform-admin")
    data = (await gql_data(live_server, OVERVIEW, {"slug": "jiangning"}, token))["districtOverview"]
    assert {"jinshui", "hushu"} <= {s["tenant"]["slug"] for s in data["streets"]}
    assert (await gql_data(live_server, OVERVIEW, {"slug": "no-such-district"}, token))["districtOverview"] is None
    body = (await gql(live_server, OVERVIEW, {}, token)).json()
    assert (
        body["errors"][0]["extensions"]["code"] == "FORBIDDEN" and "name the district" in body["errors"][0]["message"]
    )
    body = (await gql(live_server, OVERVIEW, {"slug": "Not A Slug!"}, token)).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_SLUG"
    # A district without streets yet: an empty overview.
    empty = f"e{uuid.uuid4().hex[:8]}"
    made = await gql_data(
        live_server,
        "mutation($input: CreateDistrictInput!) { createDistrict(input: $input) { created } }",
        {"input": {"slug": empty, "name": "高淳区"}},
        token,
    )
    assert made["createDistrict"]["created"] is True
    data = (await gql_data(live_server, OVERVIEW, {"slug": empty}, token))["districtOverview"]
    assert data["streets"] == [] and data["total"]["streets"] == 0 and data["total"]["figures"]["residents"] == 0


@pytest.mark.parametrize(
    "username", ["jinshui-secretary", "jinshui-grid-head", "jinshui-grid-worker", "hushu-dept-staff", "hushu-volunteer"]
)
async def test_street_roles_are_refused_the_district_view(live_server, username):
    token = password_token(username)
    for variables in ({}, {"slug": "jiangning"}):
        body = (await gql(live_server, OVERVIEW, variables, token)).json()
        assert body["data"] == {"districtOverview": None} or body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "district-admin" in body["errors"][0]["message"]
    body = (await gql(live_server, HEALTH, token=token)).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_another_districts_admin_sees_nothing_of_jiangning(live_server, other_district):
    token = other_district["token"]
    data = (await gql_data(live_server, OVERVIEW, token=token))["districtOverview"]
    assert data["district"]["slug"] == other_district["slug"]
    assert [s["tenant"]["slug"] for s in data["streets"]] == [other_district["tenant"]]
    street = data["streets"][0]
    assert street["figures"]["residents"] == street["figures"]["openCases"] == street["units"] == 0
    assert data["total"]["figures"]["residents"] == 0 and data["total"]["coverage"] == []
    # Asking for Jiangning is refused, and the refusal names only his own district.
    body = (await gql(live_server, OVERVIEW, {"slug": "jiangning"}, token)).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert other_district["slug"] in body["errors"][0]["message"]
    assert "jinshui" not in str(body) and "hushu" not in str(body)
    # The same refusal for a district that does not exist: nothing to learn from it.
    missing = (await gql(live_server, OVERVIEW, {"slug": "no-such-district"}, token)).json()
    assert missing["errors"][0]["message"] == body["errors"][0]["message"]
    # The street queries still refuse a caller without a tenant.
    body = (await gql(live_server, "{ keyFigures { residents } }", token=token)).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_platform_health_lists_every_tenant(live_server, other_district):
    data = (await gql_data(live_server, HEALTH, token=password_token("platform-admin")))["platformHealth"]
    districts = {d["district"]["slug"]: {t["tenant"]["slug"]: t for t in d["tenants"]} for d in data}
    assert {"jinshui", "hushu"} <= set(districts["jiangning"])
    assert list(districts[other_district["slug"]]) == [other_district["tenant"]]
    fresh = districts[other_district["slug"]][other_district["tenant"]]
    assert fresh["accounts"] == fresh["openCases"] == fresh["overdueCases"] == 0
    jinshui = districts["jiangning"]["jinshui"]
    own = (await gql_data(live_server, KEY_FIGURES, token=password_token("jinshui-secretary")))["keyFigures"]
    assert jinshui["openCases"] == own["openCases"] and jinshui["overdueCases"] == own["overdueCases"]
    assert jinshui["accounts"] >= 1 and jinshui["lastActivityAt"] is not None  # the secretary just called
    body = (await gql(live_server, HEALTH, token=password_token("jiangning-district-admin"))).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_district_policy_holds_when_the_filter_is_bypassed(db):
    """Connected as the app's role, in a district transaction, raw SQL without any WHERE sees
    its district's rows of the overview's tables, nothing of another district, nothing of any
    other table, and writes nothing."""
    assert set(district_readable_tables()) == READ_BY_THE_OVERVIEW
    jiangning = await District.get(slug="jiangning")
    ours = set(await Tenant.filter(district_id=jiangning.id).values_list("id", flat=True))
    # Another district with a row of its own.
    suffix = uuid.uuid4().hex[:8]
    other = await District.create(slug=f"rls{suffix}", name="其他区")
    stranger = await Tenant.create(slug=f"rls{suffix}", name="其他街道", district=other)
    async with tenant_transaction(stranger.id):
        await GridNode.create(tenant_id=stranger.id, code="X1", path="X1", name="x", level=1)

    async with district_transaction(jiangning.id) as conn:
        for table in READ_BY_THE_OVERVIEW:
            rows = await conn.execute_query_dict(f'SELECT DISTINCT tenant_id FROM "{table}"')
            assert {r["tenant_id"] for r in rows} <= ours, table
        for table in ("street_snapshot", "grid_node", "resident", "household", "party_member", "service_station"):
            rows = await conn.execute_query_dict(f'SELECT DISTINCT tenant_id FROM "{table}"')
            assert {(await Tenant.get(slug=s)).id for s in ("jinshui", "hushu")} <= {r["tenant_id"] for r in rows}
        for table in set(tenant_owned_tables()) - READ_BY_THE_OVERVIEW:
            assert await conn.execute_query_dict(f'SELECT 1 FROM "{table}" LIMIT 1') == [], table
        # Reading is all: updates and deletes find no row, an insert is refused.
        assert (await conn.execute_query("UPDATE resident SET name = name"))[0] == 0
        assert (await conn.execute_query("DELETE FROM street_snapshot"))[0] == 0
        with pytest.raises(Exception, match="row-level security"):
            async with district_transaction(jiangning.id) as inner:
                await inner.execute_query(
                    "INSERT INTO grid_node (tenant_id, code, path, name, level, created_at) "
                    "VALUES ($1, 'Y', 'Y', 'y', 1, now())",
                    [min(ours)],
                )
    async with district_transaction(other.id) as conn:
        rows = await conn.execute_query_dict("SELECT tenant_id, path FROM grid_node")
        assert rows == [{"tenant_id": stranger.id, "path": "X1"}]
        assert await conn.execute_query_dict("SELECT 1 FROM resident") == []
    # Nested in a tenant-less request transaction, the outer settings come back after it.
    async with tenant_transaction(None) as outer:
        async with district_transaction(jiangning.id):
            assert await GridNode.filter(tenant_id__in=list(ours)).exists()
        assert not await GridNode.filter(tenant_id__in=list(ours)).exists()
        setting = await outer.execute_query_dict("SELECT current_setting('app.district_id', true) AS d")
        assert setting[0]["d"] in ("", None)
    assert await connection().execute_query_dict("SELECT 1 FROM street_snapshot") == []


async def jinshui_in_the_overview(server, token: str) -> dict:
    data = (await gql_data(server, OVERVIEW, token=token))["districtOverview"]
    return next(s for s in data["streets"] if s["tenant"]["slug"] == "jinshui")


async def test_a_change_shows_in_the_district_view_at_once_and_in_its_snapshot_soon(live_server, grid, tokens):
    """A street whose people or grid topics moved since its snapshot is counted live, until the
    scheduler's job (every second here) has taken a new snapshot."""
    admin = password_token("jiangning-district-admin")
    before = await jinshui_in_the_overview(live_server, admin)
    made = await gql_data(
        live_server,
        "mutation($input: CreateResidentInput!) { createResident(input: $input) { errors { code } } }",
        {"input": {"nodeId": grid["JS01.A1.B03"]["id"], "name": "区级视图测试"}},
        tokens["secretary"],
    )
    assert made["createResident"]["errors"] == []
    residents = before["figures"]["residents"] + 1
    deadline = asyncio.get_running_loop().time() + 10
    seen = []
    while asyncio.get_running_loop().time() < deadline:
        now = await jinshui_in_the_overview(live_server, admin)
        seen.append((now["figures"]["residents"], now["registersAsOf"]))
        from_snapshot = now["registersAsOf"] != now["figures"]["asOf"]  # a live count is as of now
        if (
            from_snapshot
            and now["registersAsOf"] > before["registersAsOf"]
            and now["figures"]["residents"] == residents
        ):
            break
        await asyncio.sleep(0.2)
    else:
        raise AssertionError(f"no new snapshot: {seen[-3:]}")
    # Never an old count once the change was numbered: at most the first answers predate it.
    assert [n for n, _ in seen] == sorted(n for n, _ in seen)
    own = (await gql_data(live_server, KEY_FIGURES, token=tokens["secretary"]))["keyFigures"]
    assert own["residents"] == residents


async def test_seed_demo_builds_generated_streets_the_district_view_counts(live_server, fresh_database):
    """Last in this module: it adds two streets to the demo district."""
    from .conftest import redgrid

    args = ["--district-streets", "2", "--district-grids", "25", "--district-stations", "5"]
    result = redgrid(fresh_database, "seed-demo", *args, "--district-residents", "900", "--district-cases", "100")
    assert "tenant jiangning-s01: 13 grids, 3 workstations, 450 residents, 27 party members, 50 cases" in result.stdout
    assert "tenant jiangning-s02: 12 grids, 2 workstations, 450 residents, 27 party members, 50 cases" in result.stdout
    again = redgrid(fresh_database, "seed-demo", *args)
    assert "tenant jiangning-s01: grid exists, left as it is" in again.stdout
    refused = redgrid(fresh_database, "seed-demo", "--district-streets", "0", check=False)
    assert refused.returncode == 2 and "1 to 99 streets" in refused.stderr

    data = (await gql_data(live_server, OVERVIEW, token=password_token("jiangning-district-admin")))["districtOverview"]
    streets = {s["tenant"]["slug"]: s for s in data["streets"]}
    first = streets["jiangning-s01"]
    assert first["figures"]["residents"] == 450 and first["figures"]["households"] == 150
    assert first["figures"]["partyMembers"] == 27
    assert [(c["level"], c["nodes"], c["withStation"], c["full"]) for c in first["coverage"]] == [
        (1, 1, 0, 0),
        (2, 2, 0, 0),
        (3, 13, 3, 3),
    ]
    assert first["coverage"][2]["withPartyOrganisation"] == first["coverage"][2]["withHead"] == 13
    # 50 cases in every state of the loop; the closed ones (79 in 100) are not open.
    assert 0 < first["figures"]["openCases"] < 50 and first["figures"]["overdueCases"] > 0
    assert {c["state"] for c in first["figures"]["casesByState"]} >= {"REPORTED", "IN_PROGRESS", "VERIFIED"}
    assert data["total"]["figures"]["residents"] == sum(s["figures"]["residents"] for s in streets.values())
    # The generated registers hold the household colours' rule (tenants/people/colour.py).
    async with tenant_transaction((await Tenant.get(slug="jiangning-s01")).id) as conn:
        rows = await conn.execute_query_dict(
            "SELECT h.colour, bool_or(p.id IS NOT NULL) AS red, bool_or(r.low_income) AS blue, h.kind FROM household h "
            "JOIN resident r ON r.household_id = h.id LEFT JOIN party_member p ON p.resident_id = r.id GROUP BY h.id"
        )
    for r in rows:
        assert r["colour"] == (
            "red" if r["red"] else "blue" if r["blue"] else "yellow" if r["kind"] == "rental" else "none"
        )
