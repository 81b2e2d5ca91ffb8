"""A household's colour class on the grid map (分级分色), derived, never typed.

red: a member is a party member (党员户). Else blue: a member is low-income (低保) or in hardship
(困难). Else yellow: the dwelling is rented or vacant. Else none.

The colour is stored so that the map, filters and pages read a plain column; `refresh` is the
only writer, and every service change that can move a colour (a member added, removed or
re-tagged, a party member registered, the kind changed) calls it in the same transaction, so a
committed colour is never stale. It costs three queries and one update per new colour, however
many households it checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.expressions import Q

from redgrid.tenants.people.models import Household, PartyMember, Resident


def derive(kind: str, has_party_member: bool, has_hardship: bool) -> str:
    if has_party_member:
        return "red"
    if has_hardship:
        return "blue"
    return "yellow" if kind in ("rental", "vacant") else "none"


@dataclass(frozen=True)
class Change:
    household_id: int
    colour: str
    path: str  # the household's grid path, for the event


async def refresh(tenant_id: int, household_ids: Iterable[int | None]) -> list[Change]:
    """Recompute the colours of these households; write and return those that changed."""
    ids = {i for i in household_ids if i is not None}
    if not ids:
        return []
    red = set(
        await PartyMember.filter(tenant_id=tenant_id, resident__household_id__in=ids).values_list(
            "resident__household_id", flat=True
        )
    )
    blue = set(
        await Resident.filter(tenant_id=tenant_id, household_id__in=ids)
        .filter(Q(low_income=True) | Q(hardship=True))
        .values_list("household_id", flat=True)
    )
    rows = await Household.filter(tenant_id=tenant_id, id__in=ids).values("id", "kind", "colour", "node__path")
    changes = []
    by_colour: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        colour = derive(row["kind"], row["id"] in red, row["id"] in blue)
        if colour != row["colour"]:
            by_colour[colour].append(row["id"])
            changes.append(Change(row["id"], colour, row["node__path"]))
    for colour, changed in by_colour.items():
        await Household.filter(tenant_id=tenant_id, id__in=changed).update(colour=colour)
    return changes
