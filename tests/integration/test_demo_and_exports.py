"""The party-members register exported to XLSX (the HTTP endpoint and `redgrid export`), with
headers an import accepts and ID-card numbers masked by role; the demo's figures where the
seeds fix them; `redgrid seed-demo --street SLUG` and `--scale N`, against PostgreSQL,
Keycloak and the CLI."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

from openpyxl import Workbook

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Account, Tenant
from redgrid.tenants.grid.models import GridNode, PartyOrganisation
from redgrid.tenants.people import idcard
from redgrid.tenants.people.models import PartyMember, Resident

from .clients import gql_data, password_token, realm_admin
from .conftest import forget_street, redgrid, street_slug
from .registers_api import download, imported, sheet_rows

MEMBER_HEADERS = ("公民身份号码", "姓名", "所在党组织", "党员类别", "入党时间")
MASKED = re.compile(r"^\d{6}\*{4}\d{3}[\dX]$")
NODES = "{ gridNodes(first: 500) { totalCount edges { node { path level partyOrganisations { kind } } } } }"


def valid_number(number: str) -> bool:
    return isinstance(number, str) and len(number) == 18 and idcard.check_char(number[:17]) == number[17]


def member_key(row: tuple) -> tuple:
    """A row without its ID number: name, organisation, category, joining date."""
    joined = row[4].date() if isinstance(row[4], datetime) else row[4]
    return (row[1], row[2], row[3], joined)


async def test_party_members_export_masks_by_role_and_imports_back(live_server, tokens):
    full = await download(live_server, tokens["secretary"], "party_members")
    assert full.status_code == 200 and full.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(full.content)
    assert rows[0] == MEMBER_HEADERS
    members = rows[1:]
    assert len(members) > 50  # the demo's members of Jinshui
    assert all(valid_number(r[0]) for r in members), [r[0] for r in members[:3]]
    assert all(r[3] and r[4] for r in members)

    # The grid head of building 3 sees his members' numbers; the grid worker only masked; a
    # volunteer gets nothing.
    head = sheet_rows((await download(live_server, tokens["grid-head"], "party_members")).content)
    worker = sheet_rows((await download(live_server, tokens["grid-worker"], "party_members")).content)
    assert head[0] == worker[0] == MEMBER_HEADERS
    assert 0 < len(head) - 1 < len(members)
    assert set(head[1:]) <= set(members)
    assert len(worker) == len(head) and all(MASKED.match(r[0]) for r in worker[1:])
    by_number = {r[0]: r for r in head[1:]}
    assert sorted(member_key(r) for r in worker[1:]) == sorted(member_key(r) for r in head[1:])
    assert {r[0][:6] + "****" + r[0][-4:] for r in by_number.values()} == {r[0] for r in worker[1:]}
    assert (await download(live_server, tokens["volunteer"], "party_members")).status_code == 403
    assert (await download(live_server, tokens["dept-staff"], "party_members")).status_code == 403

    # The secretary's file imports back: every row is read, and every one is already registered.
    back = await imported(live_server, tokens["secretary"], "PARTY_MEMBERS", "党员.xlsx", full.content)
    assert back["errors"] == [] and back["imported"] == 0 and back["rows"] == len(members)
    assert {e["reason"] for e in back["rowErrors"]} == {"already registered in this tenant"}
    # The worker's masked file is no import: its numbers are not numbers.
    masked = await imported(
        live_server,
        tokens["grid-head"],
        "PARTY_MEMBERS",
        "党员.xlsx",
        (await download(live_server, tokens["grid-worker"], "party_members")).content,
    )
    assert masked["imported"] == 0 and {e["column"] for e in masked["rowErrors"]} == {"公民身份号码"}


async def test_a_party_member_imported_from_export_headers_comes_back_out(live_server, tokens):
    """A file written with the export's headers imports; the member is then exported as typed."""
    rows = sheet_rows((await download(live_server, tokens["secretary"], "party_members")).content)
    number = idcard.make("130105", date(1948, 3, 3), 21)  # a region no other test uses
    residents = f"姓名,公民身份号码,网格编码\n出口党员,{number},JS01.A1.B03\n".encode()
    assert (await imported(live_server, tokens["secretary"], "RESIDENTS", "r.csv", residents))["imported"] == 1
    book = Workbook()
    book.active.append(list(rows[0]))
    book.active.append([number, "出口党员", "3号楼党小组", "离退休党员", date(1975, 7, 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    result = await imported(live_server, tokens["secretary"], "PARTY_MEMBERS", "p.xlsx", buffer.getvalue())
    assert (result["imported"], result["rowErrors"]) == (1, [])
    after = sheet_rows((await download(live_server, tokens["secretary"], "party_members")).content)
    mine = [r for r in after if r[0] == number]
    assert len(mine) == 1 and member_key(mine[0]) == ("出口党员", "3号楼党小组", "离退休党员", date(1975, 7, 1))
    worker = sheet_rows((await download(live_server, tokens["grid-worker"], "party_members")).content)
    assert [r[0] for r in worker if r[1] == "出口党员"] == [number[:6] + "****" + number[-4:]]


def test_the_cli_exports_party_members_in_full(live_server, fresh_database, tmp_path):
    out = tmp_path / "members.xlsx"
    done = redgrid(fresh_database, "export", "--tenant", "jinshui", "party_members", str(out))
    rows = sheet_rows(out.read_bytes())
    assert f"wrote {len(rows) - 1} rows of party_members" in done.stdout
    assert rows[0] == MEMBER_HEADERS and len(rows) > 50
    assert all(valid_number(r[0]) for r in rows[1:])  # a street-wide secretary: full numbers
    missing = redgrid(fresh_database, "export", "--tenant", "nowhere", "party_members", str(out), check=False)
    assert missing.returncode == 2 and "no tenant 'nowhere'" in missing.stderr


async def test_hushu_has_45_villages_and_172_micro_grids(live_server, tokens):
    data = await gql_data(live_server, NODES, token=tokens["hushu-secretary"])
    paths = [e["node"]["path"] for e in data["gridNodes"]["edges"]]
    depth = [p.count(".") for p in paths]
    assert data["gridNodes"]["totalCount"] == len(paths) == 1 + 45 + 172
    assert (depth.count(0), depth.count(1), depth.count(2)) == (1, 45, 172)
    villages = {p for p in paths if p.count(".") == 1}
    per_village = [sum(1 for p in paths if p.startswith(v + ".")) for v in sorted(villages)]
    assert sum(per_village) == 172 and min(per_village) >= 3 and max(per_village) <= 4


async def test_jinshui_has_30_buildings_with_a_party_group_and_a_branch_per_five(live_server):
    data = await gql_data(live_server, NODES, token=password_token("jinshui-secretary"))
    nodes = {e["node"]["path"]: e["node"] for e in data["gridNodes"]["edges"]}
    buildings = [p for p in nodes if p.count(".") == 2]
    areas = [p for p in nodes if p.count(".") == 1]
    assert len(buildings) == 30 and len(areas) == 6
    assert all([o["kind"] for o in nodes[b]["partyOrganisations"]] == ["GROUP"] for b in buildings)
    assert all([o["kind"] for o in nodes[a]["partyOrganisations"]] == ["BRANCH"] for a in areas)
    assert sorted(sum(1 for b in buildings if b.startswith(a + ".")) for a in areas) == [5] * 6
    assert [o["kind"] for o in nodes["JS01"]["partyOrganisations"]] == ["GENERAL_BRANCH"]


OVER_60 = "{ all: residents(first: 1) { totalCount } old: residents(first: 1, filter: {tag: OVER_60}) { totalCount } }"


async def test_about_half_of_jinshui_residents_are_over_60(live_server):
    data = await gql_data(live_server, OVER_60, token=password_token("jinshui-secretary"))
    total, old = data["all"]["totalCount"], data["old"]["totalCount"]
    assert 3900 <= total <= 4100  # "about 4,000 residents"
    assert 0.45 <= old / total <= 0.55, (old, total)


ACCOUNTS = "{ accounts(first: 100) { edges { node { username role displayName gridScope { path } } } } }"


async def test_a_street_seeded_like_jinshui_is_the_demo_jinshui_again_with_its_own_users(live_server, tokens, street):
    """The module's street (`seed-demo --street`, conftest.py): Jinshui's grid, people and
    staff, in its own district, and the five demo roles as its own accounts, scoped alike."""
    demo = password_token("jinshui-secretary")
    assert await gql_data(live_server, NODES, token=tokens["secretary"]) == await gql_data(
        live_server, NODES, token=demo
    )
    people = await gql_data(live_server, OVER_60, token=tokens["secretary"])  # this module's imports add a few
    total, old = people["all"]["totalCount"], people["old"]["totalCount"]
    assert 3900 <= total <= 4100 and 0.45 <= old / total <= 0.55, (old, total)
    staff = "{ sinkingStaff(first: 50) { totalCount edges { node { username } } } }"
    listed = (await gql_data(live_server, staff, token=tokens["secretary"]))["sinkingStaff"]
    assert listed["totalCount"] == 6 and street.username("dept-staff") in {
        e["node"]["username"] for e in listed["edges"]
    }
    accounts = (await gql_data(live_server, ACCOUNTS, token=tokens["secretary"]))["accounts"]["edges"]
    assert {
        (a["node"]["username"], a["node"]["role"], (a["node"]["gridScope"] or {}).get("path")) for a in accounts
    } == {
        (street.username("secretary"), "SECRETARY", None),
        (street.username("grid-head"), "GRID_HEAD", "JS01.A1.B03"),
        (street.username("grid-worker"), "GRID_WORKER", "JS01.A1.B03"),
        (street.username("dept-staff"), "DEPT_STAFF", None),
        (street.username("volunteer"), "VOLUNTEER", "JS01.A1.B03"),
    }
    await street.tenant.fetch_related("district")
    assert street.tenant.district.slug == street.district and street.tenant.name == f"金水街道({street.slug})"
    admin = realm_admin()
    user = admin.get_user(admin.get_user_id(street.username("grid-worker")))
    assert user["attributes"]["tenant"] == [street.slug] and user["attributes"]["district"] == [street.district]


async def test_seed_demo_street_runs_twice_and_refuses_what_it_cannot_build(fresh_database, db, street):
    again = redgrid(fresh_database, "seed-demo", "--street", street.slug, "--district", street.district)
    assert f"tenant {street.slug}: grid exists, left as it is" in again.stdout and "password" not in again.stdout
    long = "x" * 60  # a valid tenant slug, but its user names would be too long
    for args, message in (
        (("--street", long), "makes invalid user names"),
        (("--street", street.slug, "--district", "jiangning"), "belongs to another district"),
        (("--street", "x-other", "--scale", "10"), "--street and --scale build different streets"),
        (("--like", "hushu"), "--like and --district go with --street"),
        (("--street", "x-other", "--like", "nowhere"), "invalid choice"),
    ):
        refused = redgrid(fresh_database, "seed-demo", *args, check=False)
        assert refused.returncode == 2 and message in refused.stderr, (args, refused.stderr)
    assert not await Tenant.filter(slug__in=[long, "x-other"]).exists()


async def test_seed_demo_street_like_hushu_builds_a_town_in_a_new_district(fresh_database, db):
    slug = street_slug("hushu-like")
    try:
        done = redgrid(
            fresh_database, "seed-demo", "--street", slug, "--like", "hushu", "--district", f"{slug}-district"
        )
        assert f"district {slug}-district: created" in done.stdout
        assert (
            len(re.findall(rf"  {slug}-[a-z-]+ \([a-z-]+\): temporary password \(shown once\): \S+", done.stdout)) == 5
        )
        tenant = await Tenant.get(slug=slug).prefetch_related("district")
        assert tenant.kind == "town" and tenant.district.slug == f"{slug}-district"
        async with tenant_transaction(tenant.id):
            assert await GridNode.filter(tenant_id=tenant.id).count() == 1 + 45 + 172
            village = await GridNode.get(tenant_id=tenant.id, path="HS.V01")
            scopes = dict(await Account.filter(tenant_id=tenant.id).values_list("username", "grid_scope_id"))
        assert scopes == {
            f"{slug}-secretary": None,
            f"{slug}-grid-head": village.id,
            f"{slug}-grid-worker": village.id,
            f"{slug}-dept-staff": None,
            f"{slug}-volunteer": village.id,
        }
    finally:
        forget_street(slug)


async def test_seed_demo_scale_builds_the_scale_street_once(fresh_database, db):
    for bad in ("0", "-5"):
        refused = redgrid(fresh_database, "seed-demo", "--scale", bad, check=False)
        assert refused.returncode == 2 and "--scale takes a number of residents" in refused.stderr, bad
    assert not await Tenant.filter(slug="scale").exists()  # nothing written, so the real run below works
    done = redgrid(fresh_database, "seed-demo", "--scale", "2000")
    assert "tenant scale: 10 buildings, 2000 residents, 118 party members" in done.stdout, done.stdout
    tenant = await Tenant.get(slug="scale")
    async with tenant_transaction(tenant.id):
        assert await Resident.filter(tenant_id=tenant.id).count() == 2000
        assert await GridNode.filter(tenant_id=tenant.id).count() == 11  # a community and 10 buildings
        assert await PartyOrganisation.filter(tenant_id=tenant.id, kind="group").count() == 10
        assert await PartyMember.filter(tenant_id=tenant.id).count() == 118
    again = redgrid(fresh_database, "seed-demo", "--scale", "2000", check=False)
    assert again.returncode == 2 and "the scale tenant already has a grid" in again.stderr
    async with tenant_transaction(tenant.id):
        assert await Resident.filter(tenant_id=tenant.id).count() == 2000  # nothing added


async def test_a_residents_export_with_the_age_tags_imports_back(live_server, tokens):
    """The export names the derived tags (60岁以上, 80岁以上); its own file must import back,
    every row then a duplicate, none refused for those words."""
    body = (await download(live_server, tokens["grid-head"], "residents")).content
    rows = sheet_rows(body)
    tags = rows[0].index("标签")
    assert any(r[tags] and "60岁以上" in r[tags] for r in rows[1:])  # the demo's elderly of building 3
    result = await imported(live_server, tokens["grid-head"], "RESIDENTS", "back.xlsx", body)
    assert result["imported"] == 0 and result["rows"] == len(rows) - 1
    with_numbers = sum(1 for r in rows[1:] if r[1])
    assert {(e["column"], e["reason"]) for e in result["rowErrors"]} == {
        ("公民身份号码", "already registered in this tenant")
    }
    assert len(result["rowErrors"]) + result["moreRowErrors"] == with_numbers
