"""A district at scale for the demo and the bench (`redgrid seed-demo --district-streets N`,
`--jiangning-scale`, bench/district.py): streets with a three-level grid (street → community
→ grid), a party organisation and a head on every grid, stations spread over them, residents
in households, party members, and cases in every state of the loop.

"Four Red Gathering Power" gives Jiangning 1,938 grids, each covered by a party branch or
group, and 515 grid party-and-mass workstations; `--jiangning-scale` spreads those over the
district's streets. Everything is derived from the street's number and row numbers, so two
runs build the same district, and written in bulk straight to the tables (as the other demo
seeders do: valid by construction, colours by tenants/people/colour.py's rule, no events), so
each street's snapshot is computed at the end (tenants/district/snapshot.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from redgrid.platform.context import RequestContext
from redgrid.platform.database import bulk_insert, bulk_insert_returning
from redgrid.tenants.cases.models import RATED_BY_STAFF, Case, CaseCategory
from redgrid.tenants.district.snapshot import refresh
from redgrid.tenants.grid.models import GridLevel, GridNode, PartyOrganisation, ServiceStation
from redgrid.tenants.people import colour, idcard
from redgrid.tenants.people.models import Household, PartyMember, Resident
from redgrid.tenants.people.service import address_of

GRIDS_PER_COMMUNITY = 12
HOUSEHOLD_SIZE = 3
FIRST_BIRTH = date(1940, 1, 1)
BIRTH_DAYS = 30_000  # births spread over 82 years
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"
# Open cases by state, then closed ones: the loop's states in a plausible mix.
CASE_STATES = (
    ("reported", 4),
    ("accepted", 3),
    ("consulting", 1),
    ("dispatched", 3),
    ("in_progress", 5),
    ("resolved", 3),
    ("verified", 2),
    ("closed", 79),
)
MET = {  # the milestones a case in this state has met
    "reported": (),
    "accepted": (),
    "consulting": ("on_scene",),
    "dispatched": ("on_scene",),
    "in_progress": ("on_scene",),
    "resolved": ("on_scene", "resolve", "answer"),
    "verified": ("on_scene", "resolve", "answer"),
    "closed": ("on_scene", "resolve", "answer"),
}
DUE = {"on_scene": timedelta(minutes=10), "resolve": timedelta(hours=1), "answer": timedelta(days=1)}
MILESTONE = {"on_scene": "on_scene_at", "resolve": "resolved_at", "answer": "answered_at"}


@dataclass(frozen=True)
class StreetPlan:
    number: int  # 1, 2, …: the street's place in the district, which seeds everything
    grids: int
    stations: int
    residents: int
    cases: int


def spread(total: int, parts: int) -> list[int]:
    """`total` over `parts` as evenly as whole numbers go, the larger shares first."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def resident_number(region: str, i: int) -> tuple[str, date]:
    """An ID-card number and birth date, unique for every i below 29,970,000: each block of
    BIRTH_DAYS residents spread over the birthdays (7919 is prime to BIRTH_DAYS), one
    sequence number a block."""
    birth = FIRST_BIRTH + timedelta(days=(i * 7919) % BIRTH_DAYS)
    return idcard.make(region, birth, i // BIRTH_DAYS + 1), birth


async def _grid(tenant_id: int, plan: StreetPlan) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """The street's nodes (grids last) and each grid's party organisation."""
    await bulk_insert(
        GridLevel,
        [{"tenant_id": tenant_id, "depth": d, "name": n} for d, n in enumerate(("街道", "社区", "网格"), 1)],
    )
    code = f"J{plan.number:02d}"
    root = await bulk_insert_returning(
        GridNode,
        [
            {
                "tenant_id": tenant_id,
                "code": code,
                "path": code,
                "name": f"第{plan.number}街道总网格",
                "level": 1,
                "head_name": f"街道书记{plan.number}",
                "head_phone": f"1370{plan.number:03d}0000",
            }
        ],
        ("id",),
    )
    communities = -(-plan.grids // GRIDS_PER_COMMUNITY)
    made = await bulk_insert_returning(
        GridNode,
        [
            {
                "tenant_id": tenant_id,
                "parent_id": root[0]["id"],
                "code": f"C{c:02d}",
                "path": f"{code}.C{c:02d}",
                "name": f"第{c}社区",
                "level": 2,
                "head_name": f"社区书记{c}",
            }
            for c in range(1, communities + 1)
        ],
        ("id", "path"),
    )
    community_ids = {r["path"]: r["id"] for r in made}
    rows = []
    for c, count in enumerate(spread(plan.grids, communities), 1):
        parent = f"{code}.C{c:02d}"
        rows += [
            {
                "tenant_id": tenant_id,
                "parent_id": community_ids[parent],
                "code": f"G{g:02d}",
                "path": f"{parent}.G{g:02d}",
                "name": f"第{c}社区第{g}网格",
                "level": 3,
                "head_name": f"网格长{c}-{g}",
                "head_phone": f"139{plan.number:02d}{c:03d}{g:03d}",
            }
            for g in range(1, count + 1)
        ]
    grids = sorted(await bulk_insert_returning(GridNode, rows, ("id", "path")), key=lambda r: r["path"])
    # Every grid covered by a party branch or group; the street and each community by a general branch.
    orgs = [
        {
            "tenant_id": tenant_id,
            "node_id": root[0]["id"],
            "name": f"第{plan.number}街道党工委",
            "kind": "general_branch",
        }
    ]
    orgs += [
        {"tenant_id": tenant_id, "node_id": i, "name": f"{p}党总支", "kind": "general_branch"}
        for p, i in community_ids.items()
    ]
    orgs += [
        {
            "tenant_id": tenant_id,
            "node_id": g["id"],
            "name": f"{g['path']}党{'支部' if n % 3 == 0 else '小组'}",
            "kind": "branch" if n % 3 == 0 else "group",
        }
        for n, g in enumerate(grids)
    ]
    made_orgs = await bulk_insert_returning(PartyOrganisation, orgs, ("id", "node_id"))
    org_of = {r["node_id"]: r["id"] for r in made_orgs}
    # Workstations (网格党群工作站) on the first grids, one each.
    await bulk_insert(
        ServiceStation,
        [
            {"tenant_id": tenant_id, "node_id": g["id"], "name": f"{g['path']}网格党群工作站", "kind": "station"}
            for g in grids[: plan.stations]
        ],
    )
    return grids, org_of


async def _people(tenant_id: int, plan: StreetPlan, grids: list[dict[str, Any]], org_of: dict[int, int]) -> int:
    """Residents in households of three over the grids; one in 17 a party member, one in 97
    low-income; every tenth household rented. Returns the party members."""
    region = f"3201{plan.number % 100:02d}"
    households = -(-plan.residents // HOUSEHOLD_SIZE)
    per_grid = spread(households, len(grids))
    rows: list[dict[str, Any]] = []
    grid_of: list[int] = []
    for grid, count in zip(grids, per_grid, strict=True):
        for h in range(count):
            building, unit, room = f"{h // 24 + 1}幢", f"{h // 8 % 3 + 1}单元", f"{h % 8 // 2 + 1}0{h % 2 + 1}"
            n = len(rows)
            people = range(n * HOUSEHOLD_SIZE, min((n + 1) * HOUSEHOLD_SIZE, plan.residents))
            kind = "rental" if n % 10 == 0 else "owned"
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "node_id": grid["id"],
                    "building": building,
                    "unit": unit,
                    "room": room,
                    "address": address_of(building, unit, room),
                    "kind": kind,
                    "colour": colour.derive(kind, any(r % 17 == 0 for r in people), any(r % 97 == 0 for r in people)),
                }
            )
            grid_of.append(grid["id"])
    made = await bulk_insert_returning(Household, rows, ("id", "node_id", "address"))
    household_ids = {(r["node_id"], r["address"]): r["id"] for r in made}
    residents = []
    for r in range(plan.residents):
        h = r // HOUSEHOLD_SIZE
        number, birth = resident_number(region, r)
        residents.append(
            {
                "tenant_id": tenant_id,
                "node_id": grid_of[h],
                "household_id": household_ids[(grid_of[h], rows[h]["address"])],
                "name": SURNAMES[r % 20] + GIVEN[r // 20 % 20] + GIVEN[r // 400 % 20],
                "id_number": number,
                "sex": "male" if int(number[16]) % 2 else "female",
                "birth_date": birth,
                "phone": f"13{plan.number % 10}{r % 100_000_000:08d}",
                "low_income": r % 97 == 0,
                "living_alone": False,
            }
        )
    made = await bulk_insert_returning(Resident, residents, ("id", "id_number"))
    ids = {m["id_number"]: m["id"] for m in made}
    members = [
        {
            "tenant_id": tenant_id,
            "resident_id": ids[residents[r]["id_number"]],
            "organisation_id": org_of[residents[r]["node_id"]],
            "category": "resident" if r % 2 else "retired",
            "joined_on": date(1990 + r % 30, 7, 1),
        }
        for r in range(0, plan.residents, 17)
    ]
    return await bulk_insert(PartyMember, members)


async def _cases(tenant_id: int, plan: StreetPlan, grids: list[dict[str, Any]], now: datetime) -> int:
    """Cases over the last forty days: most closed and rated, the rest open in every state,
    some of them overdue (flagged as the overdue scan would have flagged them)."""
    rng = random.Random(plan.number)
    categories = await CaseCategory.filter(tenant_id=tenant_id).order_by("id").values_list("id", flat=True)
    states = [state for state, weight in CASE_STATES for _ in range(weight)]
    rows = []
    for n in range(plan.cases):
        state = states[n % len(states)]
        created = now - timedelta(
            minutes=rng.randint(5, 40 * 24 * 60) if state == "closed" else rng.randint(5, 3 * 24 * 60)
        )
        row: dict[str, Any] = {
            "tenant_id": tenant_id,
            "number": f"J{plan.number:02d}-{n + 1:06d}",
            "title": "网格巡查发现问题",
            "category_id": categories[n % len(categories)],
            "source": ("patrol", "resident_report", "hotline_12345", "camera")[n % 4],
            "node_id": grids[n % len(grids)]["id"],
            "state": state,
            "reporter": "redgrid-demo",
            "created_at": created,
        }
        for deadline, after in DUE.items():
            due = created + after
            row[f"{deadline}_due"] = due
            late = due + after  # one case in seven met this milestone late, and was flagged
            if deadline in MET[state]:
                met = late if n % 7 == 0 and late <= now else min(due, now) - timedelta(minutes=1)
                row[MILESTONE[deadline]] = met
                if met > due:
                    row[f"overdue_{deadline}_at"] = due
            elif due <= now:
                row[f"overdue_{deadline}_at"] = due
        if state in ("verified", "closed"):
            row["satisfaction"] = (5, 5, 4, 4, 3)[n % 5]
            row["satisfaction_by"], row["satisfaction_at"] = RATED_BY_STAFF, row["answered_at"]
        if state == "closed":
            row["closed_at"] = row["answered_at"] + timedelta(hours=1)
        rows.append(row)
    return await bulk_insert(Case, rows)


async def seed_street(ctx: RequestContext, plan: StreetPlan, now: datetime | None = None) -> str:
    """Build one generated street in the caller's tenant transaction; a line for the report."""
    tenant = ctx.require_tenant()
    if await GridNode.filter(tenant_id=tenant.id).exists():
        return f"tenant {tenant.slug}: grid exists, left as it is"
    grids, org_of = await _grid(tenant.id, plan)
    members = await _people(tenant.id, plan, grids, org_of)
    cases = await _cases(tenant.id, plan, grids, now or datetime.now(UTC))
    await refresh(tenant)
    return (
        f"tenant {tenant.slug}: {len(grids)} grids, {min(plan.stations, len(grids))} workstations, "
        f"{plan.residents} residents, {members} party members, {cases} cases"
    )
