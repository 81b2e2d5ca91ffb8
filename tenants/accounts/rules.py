"""Who may hand out which account, over which part of the grid: pure rules, so they are
tested without a database or Keycloak (tests/unit/test_account_rules.py).

Only the tenant roles are ever granted here: district and platform roles belong to the
platform's operators, never to a street. A secretary grants any tenant role (his is the
highest in a street); a grid head only volunteers. An account's grid scope must lie inside the
actor's own; a tenant-wide account (no scope) only comes from a tenant-wide actor. A unit
contact has no grid: his account names one joint unit, which the actor's grid must cover, and
no other role names a unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from redgrid.platform.context import GridScope, ScopeKind
from redgrid.platform.demo_users import TENANT_ROLES
from redgrid.platform.errors import UserError

GRANTS: dict[str, frozenset[str]] = {
    "secretary": frozenset(TENANT_ROLES),
    "grid-head": frozenset({"volunteer"}),
}
MANAGERS = tuple(GRANTS)
# Roles that act in a grid subtree: without a scope they see nothing, so one is required.
SCOPED_ROLES = frozenset({"grid-head", "grid-worker", "volunteer"})
# Roles that keep one joint unit instead of a grid (tenants/sharing/).
UNIT_ROLES = frozenset({"unit-contact"})
ACTIONS = ("create", "update", "disable", "enable")

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,62}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}$")


def grantable(actor_roles: Iterable[str]) -> frozenset[str]:
    """The tenant roles an actor with `actor_roles` may hand out or take back."""
    granted: frozenset[str] = frozenset()
    for role in actor_roles:
        granted |= GRANTS.get(role, frozenset())
    return granted


def role_problem(actor_roles: Iterable[str], role: str) -> UserError | None:
    if role not in TENANT_ROLES:
        return UserError("role", "ROLE_NOT_ALLOWED", "only the tenant roles can be granted here")
    if role not in grantable(actor_roles):
        return UserError("role", "ROLE_NOT_ALLOWED", f"you may not grant the role {role}")
    return None


def scope_problem(actor_scope: GridScope, role: str, path: str | None) -> UserError | None:
    """Whether an account of `role` may be scoped to the node at `path` (None: the whole tenant)."""
    if role in UNIT_ROLES:
        if path is not None:
            return UserError("gridScopeId", "SCOPE_NOT_ALLOWED", "a unit contact keeps a unit, not a grid")
        return None
    if path is None:
        if role in SCOPED_ROLES:
            return UserError("gridScopeId", "SCOPE_REQUIRED", f"an account of {role} needs a grid node")
        if actor_scope.kind is not ScopeKind.TENANT:
            return UserError("gridScopeId", "SCOPE_OUTSIDE", "only a tenant-wide account may create tenant-wide ones")
        return None
    if not actor_scope.covers(path):
        return UserError("gridScopeId", "SCOPE_OUTSIDE", "that grid node is outside your own scope")
    return None


def unit_problem(actor_scope: GridScope, role: str, unit: tuple[str | None] | None) -> UserError | None:
    """Whether an account of `role` may name `unit`: None for no unit, else a 1-tuple of the
    path of the grid node the unit is paired with (None: unpaired, which only a tenant-wide
    actor covers). A unit outside the actor's grid answers as a missing one."""
    if role not in UNIT_ROLES:
        return None if unit is None else UserError("unitId", "UNIT_NOT_ALLOWED", "only a unit contact keeps a unit")
    if unit is None:
        return UserError("unitId", "UNIT_REQUIRED", "a unit contact keeps one unit")
    (path,) = unit
    covered = actor_scope.kind is ScopeKind.TENANT if path is None else actor_scope.covers(path)
    return None if covered else UserError("unitId", "NOT_FOUND", "no such unit")


def may_manage(actor_roles: Iterable[str], actor_scope: GridScope, role: str, path: str | None) -> bool:
    """Whether the actor may change an existing account of `role` scoped at `path`: he could
    have created it. An account whose role RedGrid does not know yet ("") only a secretary."""
    roles = frozenset(actor_roles)
    if role == "":
        return "secretary" in roles and (path is None or actor_scope.covers(path))
    return role_problem(roles, role) is None and scope_problem(actor_scope, role, path) is None


def username_problem(username: str) -> UserError | None:
    if USERNAME.match(username):
        return None
    return UserError(
        "username",
        "INVALID_USERNAME",
        "use 3 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter",
    )


def email_problem(email: str) -> UserError | None:
    if email == "" or EMAIL.match(email):
        return None
    return UserError("email", "INVALID_EMAIL", "an e-mail address like name@example.com, or none")


def split_name(display_name: str) -> tuple[str, str]:
    """(first, last) for the identity provider: a Chinese name's surname is its first
    character (张三 → 三, 张); other names split at the last space."""
    name = display_name.strip()
    if " " in name:
        first, _, last = name.rpartition(" ")
        return first, last
    if len(name) >= 2 and not name.isascii():
        return name[1:], name[0]
    return name, name
