"""Who may see and change the people registers, and how much of a person each role sees.

One table, by role (a user with several roles gets, column by column, the most of any):

| role        | reach                        | edits                                  | ID-card number | phone  |
|-------------|------------------------------|----------------------------------------|----------------|--------|
| secretary   | his grid (whole tenant or the subtree assigned) | residents, party, volunteers, teams | full | full |
| grid-head   | his grid subtree             | residents, party, volunteers           | full           | full   |
| grid-worker | his grid subtree             | residents, volunteers                  | masked         | full   |
| dept-staff  | none: refused                | —                                      | hidden         | masked |
| volunteer   | his own pairings only        | —                                      | hidden         | masked |
| anyone else | none: refused                | —                                      | hidden         | hidden |

Why these choices:

- The grid worker (专职网格员) visits and rings households, so he keeps the phone, but checking
  identity is the grid head's job: he sees the number masked, first 6 + "****" + last 4. The
  four masked characters stand for the eight digits of the birth date, so to a masked-number
  role the birth date itself is hidden too (the age and the age tags remain), or the mask would
  hide nothing.
- Sinking department staff (下沉人员) reach people through the cases dispatched to them, not by
  browsing a street's register: the registers refuse them.
- A volunteer's query of a register is refused (FORBIDDEN), not answered with an empty list:
  an empty page would read as "nobody lives here", and a client asking is a client bug. He
  sees his own pairings, found by his Keycloak username: the elder's name, age, address and a
  masked phone. A love doorbell or a daily knock is a visit at the door, and when nobody
  opens he calls the grid worker, who has the number. The pairing's person has no ID-number
  field at all, so no query can hand him one.
- The party members' listing board (亮身份) is public inside the tenant, with a phone only when
  the member consented; see tenants/people/party.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, IntEnum

from redgrid.platform.context import Forbidden, RequestContext
from redgrid.tenants.people import tags
from redgrid.tenants.people.models import Resident


class Exposure(IntEnum):
    """Ordered: a user with several roles gets the highest."""

    HIDDEN = 0
    MASKED = 1
    FULL = 2


class Reach(IntEnum):
    NONE = 0
    OWN = 1  # own pairings only
    GRID = 2  # the registers of the caller's grid scope


class Area(Enum):
    RESIDENTS = "residents"  # residents and households
    PARTY = "party"  # party members, their cards, points and listing
    VOLUNTEERS = "volunteers"  # volunteers and pairings
    TEAMS = "teams"  # the street's volunteer teams


@dataclass(frozen=True)
class Rule:
    reach: Reach
    edits: frozenset[Area]
    id_number: Exposure
    phone: Exposure

    def __or__(self, other: Rule) -> Rule:
        return Rule(
            max(self.reach, other.reach),
            self.edits | other.edits,
            max(self.id_number, other.id_number),
            max(self.phone, other.phone),
        )


RULES: dict[str, Rule] = {
    "secretary": Rule(Reach.GRID, frozenset(Area), Exposure.FULL, Exposure.FULL),
    "grid-head": Rule(
        Reach.GRID, frozenset({Area.RESIDENTS, Area.PARTY, Area.VOLUNTEERS}), Exposure.FULL, Exposure.FULL
    ),
    "grid-worker": Rule(Reach.GRID, frozenset({Area.RESIDENTS, Area.VOLUNTEERS}), Exposure.MASKED, Exposure.FULL),
    "dept-staff": Rule(Reach.NONE, frozenset(), Exposure.HIDDEN, Exposure.MASKED),
    "volunteer": Rule(Reach.OWN, frozenset(), Exposure.HIDDEN, Exposure.MASKED),
    # A unit contact keeps his unit's shared resources and requests (tenants/sharing/), no register.
    "unit-contact": Rule(Reach.NONE, frozenset(), Exposure.HIDDEN, Exposure.HIDDEN),
}
NOTHING = Rule(Reach.NONE, frozenset(), Exposure.HIDDEN, Exposure.HIDDEN)


def rule_for(ctx: RequestContext) -> Rule:
    rule = NOTHING
    for role in ctx.require_user().roles:
        rule = rule | RULES.get(role, NOTHING)
    return rule


def sees_registers(ctx: RequestContext) -> bool:
    return rule_for(ctx).reach is Reach.GRID


def require_registers(ctx: RequestContext) -> None:
    if not sees_registers(ctx):
        raise Forbidden("the people registers are not open to your role")


def require_edit(ctx: RequestContext, area: Area) -> Rule:
    rule = rule_for(ctx)
    if area not in rule.edits:
        raise Forbidden(f"your role does not change the {area.value} register")
    return rule


def mask_id_number(number: str) -> str:
    return number[:6] + "****" + number[-4:]


def mask_phone(phone: str) -> str:
    """138****0001: a mobile or a landline with its area code keeps its first three and last
    four characters; anything shorter (a landline without its area code is eight digits) only
    its last two, so that a mask always hides at least four of them."""
    if len(phone) >= 11:
        return phone[:3] + "****" + phone[-4:]
    return "****" + phone[-2:] if phone else ""


def _shown(value: str | None, exposure: Exposure, mask: Callable[[str], str]) -> str | None:
    if value is None or exposure is Exposure.HIDDEN:
        return None
    return value if exposure is Exposure.FULL else mask(value)


def shown_sql(column: str, exposure: Exposure, mask: Callable[[str], str]) -> str:
    """`_shown` as a SQL expression over `column`, for pages PostgreSQL shapes itself
    (graphql/core/compiled.py): `mask` is one of the two masks above, each with its SQL twin."""
    if exposure is Exposure.HIDDEN:
        return "NULL"
    return column if exposure is Exposure.FULL else _MASKS_SQL[mask].format(c=column)


_MASKS_SQL = {
    mask_id_number: "(left({c}, 6) || '****' || right({c}, 4))",
    mask_phone: "(CASE WHEN length({c}) >= 11 THEN left({c}, 3) || '****' || right({c}, 4)"
    " WHEN {c} = '' THEN '' ELSE '****' || right({c}, 2) END)",
}


def birth_date_sql(column: str, rule: Rule) -> str:
    """The birth date as `viewer` shows it: to roles that see the whole ID-card number only."""
    return column if rule.id_number is Exposure.FULL else "NULL"


def phone_shown(ctx: RequestContext) -> Callable[[str | None], str | None]:
    """How the caller sees a person's phone (full, masked or not at all), for registers that
    hold phones of people other than residents (e.g. sinking staff)."""
    exposure = rule_for(ctx).phone
    return lambda phone: _shown(phone, exposure, mask_phone)


@dataclass(frozen=True)
class ResidentView:
    """A resident as one caller may see him: the shape in which residents leave the service
    layer, except in pages PostgreSQL shapes with `shown_sql` and `birth_date_sql`."""

    id: int
    node_id: int
    household_id: int | None
    name: str
    id_number: str | None
    sex: str | None
    birth_date: date | None
    age: int | None
    phone: str | None
    tags: list[str]
    created_at: datetime


def viewer(ctx: RequestContext) -> Callable[[Resident], ResidentView]:
    """A function showing residents as the caller may see them (the rule is looked up once)."""
    rule, day = rule_for(ctx), tags.today()

    def view(r: Resident) -> ResidentView:
        return ResidentView(
            id=r.id,
            node_id=r.node_id,  # type: ignore[attr-defined]
            household_id=r.household_id,  # type: ignore[attr-defined]
            name=r.name,
            id_number=_shown(r.id_number, rule.id_number, mask_id_number),
            sex=r.sex,
            birth_date=r.birth_date if rule.id_number is Exposure.FULL else None,
            age=tags.age_on(r.birth_date, day) if r.birth_date else None,
            phone=_shown(r.phone, rule.phone, mask_phone),
            tags=tags.tags_of(r, day),
            created_at=r.created_at,
        )

    return view
