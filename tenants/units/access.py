"""Who may see and change the joint-building registers, and how much of a unit's contacts.

One table, by role (a user with several roles gets, column by column, the most of any):

| role        | sees                                   | edits | claims | orders | delivers | contact phones |
|-------------|----------------------------------------|-------|--------|--------|----------|----------------|
| secretary   | his grid (whole tenant or the subtree assigned) | yes | yes | yes | yes   | full           |
| grid-head   | his grid subtree                       | no    | yes    | yes    | no       | full           |
| grid-worker | his grid subtree                       | no    | no     | no     | no       | masked         |
| dept-staff  | none: refused                          | —     | —      | —      | —        | hidden         |
| volunteer   | none: refused                          | —     | —      | —      | —        | hidden         |
| anyone else | none: refused                          | —     | —      | —      | —        | hidden         |

- "sees": units paired with a node of the caller's grid (an unpaired unit only by a caller
  whose grid is the whole tenant), with their resources, needs and menu items; public-benefit
  projects and service orders of nodes in his grid; the whole service menu of the street, each
  item naming its unit (the menu is what communities order from). A unit outside his grid
  stays a name: relations from a visible row to it answer null.
- "edits": units, their contacts and pairing, resources, needs, projects and menu items.
  The secretary's office runs the joint-building council (党建理事会): units have no accounts
  here, so the street keeps their lists for them.
- "claims": records a unit's claim (认领) of a project of his grid, and its completion. The
  claiming unit must be one the caller sees.
- "orders": orders a menu item for a node of his grid (点单) and rates the delivery.
- "delivers": the unit's side of an order, accepting and delivering it (配送), kept by the
  secretary's office for the units.
- The grid head coordinates with the units paired with his community and needs their
  numbers; the grid worker only sees who is paired there, so the numbers are masked
  (tenants/people/privacy.py's mask_phone: one masking rule for the project).
- Volunteers and sinking department staff work through pairings and dispatched cases, not the
  joint-building council: their queries are refused (FORBIDDEN), and `node(id)` answers null.
- A district admin's token names no tenant, so tenant registers refuse him; the `shareable`
  flag on resources is kept for the district-wide sharing that will come with a district view.
"""

from __future__ import annotations

from dataclasses import dataclass

from redgrid.platform.context import Forbidden, RequestContext, ScopeKind
from redgrid.tenants.people.privacy import Exposure, mask_phone


@dataclass(frozen=True)
class Rule:
    sees: bool
    edits: bool
    claims: bool
    orders: bool
    delivers: bool
    phone: Exposure

    def __or__(self, other: Rule) -> Rule:
        return Rule(
            self.sees or other.sees,
            self.edits or other.edits,
            self.claims or other.claims,
            self.orders or other.orders,
            self.delivers or other.delivers,
            max(self.phone, other.phone),
        )


RULES: dict[str, Rule] = {
    "secretary": Rule(True, True, True, True, True, Exposure.FULL),
    "grid-head": Rule(True, False, True, True, False, Exposure.FULL),
    "grid-worker": Rule(True, False, False, False, False, Exposure.MASKED),
}
NOTHING = Rule(False, False, False, False, False, Exposure.HIDDEN)


def rule_for(ctx: RequestContext) -> Rule:
    rule = NOTHING
    for role in ctx.require_user().roles:
        rule = rule | RULES.get(role, NOTHING)
    return rule


def sees_units(ctx: RequestContext) -> bool:
    return rule_for(ctx).sees


def require_sees(ctx: RequestContext) -> Rule:
    rule = rule_for(ctx)
    if not rule.sees:
        raise Forbidden("the joint-building registers are not open to your role")
    return rule


def require(ctx: RequestContext, right: str) -> Rule:
    """`right` is one of edits, claims, orders, delivers."""
    rule = rule_for(ctx)
    if not getattr(rule, right):
        raise Forbidden(f"your role does not do this in the joint-building registers ({right})")
    return rule


def covers_pairing(ctx: RequestContext, paired_path: str | None) -> bool:
    """Whether the caller's grid covers a unit paired at `paired_path` (None: unpaired, which
    only a tenant-wide grid covers)."""
    if paired_path is None:
        return ctx.scope.kind is ScopeKind.TENANT
    return ctx.scope.covers(paired_path)


def contacts_viewer(ctx: RequestContext) -> ContactsViewer:
    return ContactsViewer(rule_for(ctx).phone)


@dataclass(frozen=True)
class ContactsViewer:
    phone: Exposure

    def __call__(self, contacts: list[dict[str, str]]) -> list[dict[str, str | None]]:
        """A unit's contacts with each phone full, masked or null by the caller's role."""
        return [{**c, "phone": self._phone(c.get("phone", ""))} for c in contacts]

    def _phone(self, phone: str) -> str | None:
        if self.phone is Exposure.HIDDEN:
            return None
        return phone if self.phone is Exposure.FULL else mask_phone(phone)
